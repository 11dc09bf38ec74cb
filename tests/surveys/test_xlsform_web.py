"""The web import of forms people already have: an uncertain language asked for, Kobo's form JSON."""

from __future__ import annotations

import html
import io
import re

import pytest
from sqlalchemy import select

from consult.surveys.models import Instrument
from tests.fixtures.xlsforms.corpus import HERE, build


@pytest.fixture
def salta(create_territory):
    return create_territory("salta", "Salta", "AR", subdivision_code="AR-A", enabled_languages=["es", "mzh"])


@pytest.fixture
def official(create_user, salta):
    return create_user("official@salta.example", "Olga Oficial", roles={salta: ["official"]})


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _upload(client, url, data: bytes, filename: str):
    return client.submit(url + "?lang=en", {"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def _hidden(body: str, name: str) -> list[str]:
    return re.findall(rf'<input type="hidden" name="{name}" value="([^"]*)"', body)


def test_an_uncertain_language_is_asked_with_the_file_kept_then_imported(client, official, db):
    client.login(official.email)
    url = "/t/salta/instruments/import-xlsform"
    step = _text(_upload(client, url, build("uncertain_language_name"), "wichi.xlsx"))

    assert "Which languages are these columns in?" in step and "Columns in “Wichi”" in step
    assert '<option value="mzh">' in step and db.session.scalar(select(Instrument)) is None
    pending = _hidden(step, "pending")[0]
    second = f"{url}/languages?lang=en"

    missing = _text(client.submit(second, {"pending": pending, "name": "Wichi"}, form_url=url))
    assert "Choose the language of this column, or type its code." in missing and _hidden(missing, "pending")

    wrong = _text(
        client.submit(
            second, {"pending": pending, "name": "Wichi", "language-0": "other", "code-0": "wichi!"}, form_url=url
        )
    )
    assert "“wichi!” is not a language code" in wrong and 'value="wichi!"' in wrong

    done = client.submit(second, {"pending": pending, "name": "Wichi", "language-0": "mzh"}, form_url=url)
    assert done.status_code == 200 and "has been imported" in _text(done)
    instrument = db.session.scalar(select(Instrument))
    assert instrument.latest_version.definition["languages"] == ["es", "mzh"]


def test_the_second_step_refuses_a_tampered_file(client, official):
    client.login(official.email)
    url = "/t/salta/instruments/import-xlsform"
    response = client.submit(f"{url}/languages", {"pending": "not base64!", "name": "Wichi"}, form_url=url)
    assert response.status_code == 400


def test_a_kobotoolbox_form_json_imports_through_the_json_upload(client, official, db):
    client.login(official.email)
    body = _text(_upload(client, "/t/salta/instruments/import-json", (HERE / "kobo_asset.json").read_bytes(), "a.json"))

    assert "has been imported" in body and "geopoint (lugar) is not imported" in body
    assert db.session.scalar(select(Instrument)).key == "consulta_agua"
