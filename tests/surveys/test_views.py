"""The officials' instrument screens, as an official and a network administrator see them."""

from __future__ import annotations

import io
import json
import re

import polib
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from consult.surveys import services
from consult.surveys.models import Instrument, InstrumentVersion
from tests.surveys.store_helpers import definition, make_instrument, xlsform_with_warnings  # noqa: F401  (fixture)

Q1_TEXT = "pages.p_group.questions.Q1.text"


@pytest.fixture
def salta(create_territory):
    # Instruments take languages from their territory's languages (its languages screen).
    return create_territory("salta", "Salta", "AR", subdivision_code="AR-A", enabled_languages=["es", "en", "pt", "gn"])


@pytest.fixture
def official(create_user, salta):
    return create_user("official@salta.example", "Olga Oficial", roles={salta: ["official"]})


@pytest.fixture
def admin(create_user):
    return create_user("admin@example.org", "Ana Admin", is_network_admin=True)


@pytest.fixture
def library(make_instrument):
    return make_instrument(None, publish=True)


@pytest.fixture
def own(make_instrument, salta):
    return make_instrument(
        salta, definition_dict=definition(key="salta_water", title={"es": "Agua en Salta", "en": "Water in Salta"})
    )


def _url(version, what: str = "", **args) -> str:
    base = f"/t/salta/instruments/{version.instrument_id}/versions/{version.number}"
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return base + (f"/{what}" if what else "") + (f"?{query}" if query else "")


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_the_list_shows_the_territory_and_the_library_in_spanish_and_english(client, official, library, own):
    client.login(official.email)
    page = _text(client.get("/t/salta/instruments?lang=es"))
    assert "Biblioteca compartida" in page and "Encuesta del agua" in page and "Agua en Salta" in page
    page = _text(client.get("/t/salta/instruments?lang=en"))
    assert "Shared library" in page and "Instruments of this territory" in page
    assert "Water survey" in page and "Water in Salta" in page
    assert 'href="/t/salta/instruments"' in _text(client.get("/t/salta/"))


@pytest.mark.parametrize("role", ["analyst", "moderator", "facilitator"])
def test_other_staff_of_the_territory_are_refused(client, create_user, salta, library, role):
    person = create_user(f"{role}@salta.example", roles={salta: [role]})
    client.login(person.email)
    for url in (
        "/t/salta/instruments",
        f"/t/salta/instruments/{library.instrument_id}",
        _url(library, "preview"),
        _url(library, "texts"),
    ):
        assert client.get(url).status_code == 403, url
    assert 'href="/t/salta/instruments"' not in _text(client.get("/t/salta/"))


def test_an_instrument_of_another_territory_is_not_found(client, official, make_instrument, create_territory):
    antioquia = create_territory("antioquia")
    theirs = make_instrument(antioquia)
    client.login(official.email)
    assert client.get(f"/t/salta/instruments/{theirs.instrument_id}").status_code == 404
    assert client.get(_url(theirs, "preview")).status_code == 404
    assert client.get(_url(theirs, "translation.po", language="en")).status_code == 404


def test_the_detail_page_shows_versions_status_and_completeness(client, official, own, db):
    services.add_language(own, "qu")
    db.session.commit()
    client.login(official.email)
    page = _text(client.get(f"/t/salta/instruments/{own.instrument_id}?lang=en"))
    assert "Water in Salta" in page and "Version 1" in page and "Draft" in page
    assert "qu: 0 %" in page and "en: 100 %" in page
    assert "Publish this version" in page and "Edit the texts in English (en)" in page
    page = _text(client.get(f"/t/salta/instruments/{own.instrument_id}?lang=es"))
    assert "Borrador" in page and "Vista previa" in page


def test_preview_walks_every_page_in_the_chosen_language(client, official, library):
    client.login(official.email)
    first = _text(client.get(_url(library, "preview", lang="es")))
    assert "Su grupo" in first and "¿Le afecta el agua sucia?" in first and "Página 1 de 3" in first
    assert f'href="{_url(library, "preview", lang="es", page="p_how")}"' in first.replace("&amp;", "&")
    second = _text(client.get(_url(library, "preview", lang="en", page="p_how")))
    assert "How it affects you" in second and "Tell us what happens" in second and "Page 2 of 3" in second
    assert "only when their earlier answers" in second
    assert f'href="{_url(library, "preview", lang="en", page="p_group")}"' in second.replace("&amp;", "&")
    last = _text(client.get(_url(library, "preview", lang="pt", page="p_end")))
    assert "Quantas pessoas moram na sua casa?" in last and "Esta é a última página." in last
    assert client.get(_url(library, "preview", page="nowhere")).status_code == 404


def test_a_broken_draft_previews_as_its_list_of_problems(client, official, own, db):
    broken = definition(key="salta_water")
    broken["sections"][1]["pages"][1]["routing"] = [{"goto": "nowhere"}]
    own.definition = broken
    db.session.commit()
    client.login(official.email)
    response = client.get(_url(own, "preview", lang="en"))
    assert response.status_code == 200 and "This version cannot be previewed" in _text(response)


def _form_values(html: str) -> dict[str, str]:
    """What a browser would send back from the texts form as it stands: every text area."""
    from html import unescape

    return {
        name: unescape(value).lstrip("\r\n")
        for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S)
    }


def _upload(client, url, data: bytes, filename: str, **fields):
    payload = {"file": (io.BytesIO(data), filename), **fields}
    return client.submit(url, payload, content_type="multipart/form-data")


def test_upload_an_xlsform(client, official, db):
    from consult.surveys.xlsform import export_xlsform

    client.login(official.email)
    page = _text(client.get("/t/salta/instruments/import-xlsform?lang=en"))
    assert "Import an XLSForm" in page and "shared library of the network" not in page
    response = _upload(client, "/t/salta/instruments/import-xlsform", export_xlsform(definition()), "water.xlsx")
    body = _text(response)
    assert response.status_code == 200 and "Water survey has been imported as a new instrument" in body
    instrument = db.session.scalar(select(Instrument))
    assert instrument.territory.slug == "salta" and f"/t/salta/instruments/{instrument.id}" in body


def test_xlsform_warnings_are_shown_with_sheet_and_row(client, official, db):
    client.login(official.email)
    client.get("/t/salta/instruments?lang=en")
    body = _text(_upload(client, "/t/salta/instruments/import-xlsform", xlsform_with_warnings(), "kobo.xlsx"))
    assert "Warnings (2)" in body and "sheet survey, row 2, image" in body and "sheet survey, row 2, appearance" in body
    client.get("/t/salta/instruments?lang=es")
    body = _text(_upload(client, "/t/salta/instruments/import-xlsform", xlsform_with_warnings(), "kobo.xlsx"))
    assert "Advertencias (2)" in body and "hoja survey, fila 2, image" in body and "ya es la versión 1" in body


def test_a_refused_xlsform_shows_every_error_and_keeps_nothing(client, official, db):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "survey"
    book["survey"].append(["type", "name", "label"])
    book["survey"].append(["select_one nowhere", "q1", "Question one"])
    buffer = io.BytesIO()
    book.save(buffer)
    client.login(official.email)
    client.get("/t/salta/instruments?lang=en")
    response = _upload(client, "/t/salta/instruments/import-xlsform", buffer.getvalue(), "form.xlsx")
    body = _text(response)
    assert response.status_code == 200 and "nothing was saved" in body and "survey, row 2" in body
    assert 'aria-invalid="true"' in body
    not_a_workbook = _upload(client, "/t/salta/instruments/import-xlsform", b"hello", "form.xlsx")
    assert not_a_workbook.status_code == 200 and 'class="error"' in _text(not_a_workbook)
    wrong_kind = _upload(client, "/t/salta/instruments/import-xlsform", b"a,b", "form.csv")
    assert "The file must be an .xlsx workbook." in _text(wrong_kind)
    assert db.session.scalar(select(func.count(Instrument.id))) == 0


def test_upload_json_and_see_its_problems(client, official, admin, db):
    client.login(official.email)
    client.get("/t/salta/instruments?lang=en")
    response = _upload(client, "/t/salta/instruments/import-json", b'{"key": ', "def.json")
    assert "The file is not valid JSON" in _text(response)
    broken = definition(fallback_language="qu")
    response = _upload(client, "/t/salta/instruments/import-json", json.dumps(broken).encode(), "def.json")
    assert "Problems found" in _text(response)
    # An official's "library" box is ignored: the instrument is the territory's.
    response = _upload(
        client, "/t/salta/instruments/import-json", json.dumps(definition()).encode(), "def.json", to_library="y"
    )
    assert response.status_code == 200
    assert not db.session.scalar(select(Instrument)).is_library
    client.submit("/logout", form_url="/")
    client.login(admin.email)
    assert "shared library of the network" in _text(client.get("/t/salta/instruments/import-json?lang=en"))
    response = _upload(
        client,
        "/t/salta/instruments/import-json",
        json.dumps(definition(key="shared")).encode(),
        "def.json",
        to_library="y",
    )
    assert db.session.scalar(select(Instrument).where(Instrument.key == "shared")).is_library


def test_edit_translations_one_language_at_a_time(client, official, own, db):
    client.login(official.email)
    url = _url(own, "texts", language="en", section="about")
    page = _text(client.get(url + "&lang=en"))
    assert (
        "Texts in English (en)" in page
        and "¿Le afecta el agua sucia?" in page
        and "Does dirty water affect you?" in page
    )
    from consult.surveys.admin_forms import field_name

    name = field_name(Q1_TEXT)
    values = _form_values(page)
    assert len(values) > 3 and values[name] == "Does dirty water affect you?"
    response = client.submit(url, {**values, name: "Is dirty water a problem for you?"})
    assert response.status_code == 302
    db.session.expire_all()
    version = db.session.get(InstrumentVersion, own.id)
    assert (
        version.definition["sections"][0]["pages"][0]["questions"][0]["text"]["en"]
        == "Is dirty water a problem for you?"
    )
    # The source changes: the English and Portuguese translations now need review.
    es_url = _url(own, "texts", language="es", section="about")
    es_values = _form_values(_text(client.get(es_url)))
    assert client.submit(es_url, {**es_values, name: "¿El agua sucia le hace daño?"}).status_code == 302
    page = _text(client.get(url))
    assert "Needs review: the source text changed" in page and "The translation is still right" in page
    client.submit(url, {**_form_values(page), field_name(Q1_TEXT, "r"): "y"})
    assert "Needs review" not in _text(client.get(url))
    # Emptying a source text is refused next to the field; what was typed elsewhere is kept.
    es_values = _form_values(_text(client.get(es_url)))
    help_name = field_name("pages.p_group.questions.Q1.help")
    response = client.submit(es_url, {**es_values, name: "  ", help_name: "Elija solo una"})
    body = _text(response)
    assert response.status_code == 200 and "A text in the source language cannot be empty." in body
    assert "Elija solo una" in body and f'id="{name}-error"' in body
    db.session.expire_all()
    assert (
        db.session.get(InstrumentVersion, own.id).definition["sections"][0]["pages"][0]["questions"][0]["help"]["es"]
        == "Elija una respuesta"
    )


def test_texts_page_es_and_an_unknown_language(client, official, own):
    client.login(official.email)
    page = _text(client.get(_url(own, "texts", language="en", lang="es")))
    assert "Textos en" in page
    assert client.get(_url(own, "texts", language="qu")).status_code == 404
    assert client.get(_url(own, "texts", language="en", section="nowhere")).status_code == 404


def test_a_frozen_version_is_read_only_and_a_new_draft_is_one_click_away(client, official, own, db):
    services.publish(own)
    db.session.commit()
    client.login(official.email)
    url = _url(own, "texts", language="en", lang="en")
    page = _text(client.get(url))
    assert "This version is frozen" in page and "<textarea" not in page
    from consult.surveys.admin_forms import field_name

    response = client.submit(_url(own, "texts", language="en"), {field_name("title"): "Changed"}, form_url=url)
    assert response.status_code == 302
    response = client.submit(_url(own, "new-draft"), {}, form_url=url)
    assert response.status_code == 302 and "version=2" in response.headers["Location"]
    assert db.session.scalar(select(func.count(InstrumentVersion.id))) == 2


def test_library_instruments_are_read_only_for_officials_and_editable_by_admins(
    client, official, admin, library, make_instrument, db
):
    draft = services.new_draft(library)
    db.session.commit()
    client.login(official.email)
    page = _text(client.get(_url(draft, "texts", language="en", lang="en")))
    assert "Only network administrators change" in page and "<textarea" not in page
    from consult.surveys.admin_forms import field_name

    assert (
        client.submit(_url(draft, "texts", language="en"), {field_name("title"): "x"}, form_url="/").status_code == 403
    )
    assert client.get(_url(draft, "publish")).status_code == 403
    assert client.submit(_url(draft, "new-draft"), {}, form_url="/").status_code == 403
    client.submit("/logout", form_url="/")
    client.login(admin.email)
    response = client.submit(_url(draft, "texts", language="en", section=""), {field_name("title"): "Water survey 2"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(InstrumentVersion, draft.id).definition["title"]["en"] == "Water survey 2"


def test_publish_asks_for_confirmation_and_refuses_an_invalid_version(client, official, own, db):
    client.login(official.email)
    url = _url(own, "publish")
    page = _text(client.get(url + "?lang=en"))
    assert "Once published, this version is frozen" in page
    response = client.submit(url, {})
    assert response.status_code == 200 and "This field is required." in _text(response)
    response = client.submit(url, {"confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(InstrumentVersion, own.id).is_published
    draft = services.new_draft(db.session.get(InstrumentVersion, own.id))
    broken = definition(key="salta_water")
    broken["sections"][1]["pages"][1]["routing"] = [{"goto": "nowhere"}]
    draft.definition = broken
    db.session.commit()
    page = _text(client.get(_url(draft, "publish")))
    assert "This version cannot be published" in page and 'name="confirm"' not in page


def test_add_a_language_and_see_the_completeness_report(client, official, own, db):
    client.login(official.email)
    response = client.submit(
        _url(own, "languages"), {"language": "gn"}, form_url=f"/t/salta/instruments/{own.instrument_id}"
    )
    assert response.status_code == 302
    page = _text(client.get(_url(own, "completeness", lang="en")))
    assert "Guarani (gn)" in page and "Missing texts" in page and "¿Le afecta el agua sucia?" in page
    page = _text(client.get(_url(own, "completeness", lang="es")))
    assert "Informe de completitud" in page


def test_downloads(client, official, library):
    client.login(official.email)
    po = client.get(_url(library, "translation.po", language="en"))
    assert po.status_code == 200 and "attachment" in po.headers["Content-Disposition"]
    entries = polib.pofile(po.get_data(as_text=True))
    assert any(e.msgctxt == Q1_TEXT and e.msgstr == "Does dirty water affect you?" for e in entries)
    sheet = client.get(_url(library, "translation.xlsx", language="pt"))
    assert load_workbook(io.BytesIO(sheet.get_data()))["translation"]["C1"].value == "translation"
    assert client.get(_url(library, "translation.po", language="es")).status_code == 404
    xlsform = client.get(_url(library, "xlsform.xlsx"))
    assert xlsform.status_code == 200 and {"survey", "choices", "settings"} <= set(
        load_workbook(io.BytesIO(xlsform.get_data())).sheetnames
    )
    assert json.loads(client.get(_url(library, "definition.json")).get_data())["key"] == "water_survey"


def test_upload_translations_into_a_frozen_version(client, official, own, db):
    from consult.surveys import content_i18n

    services.publish(own)
    db.session.commit()
    po = polib.pofile(content_i18n.export_po(own, "en").decode())
    next(e for e in po if e.msgctxt == Q1_TEXT).msgstr = "Is the water dirty?"
    client.login(official.email)
    url = _url(own, "translations")
    page = _text(client.get(url + "?lang=en"))
    assert "PO file for en" in page and "translations will go into a new draft" in page
    response = _upload(client, url, str(po).encode(), "en.po", language="")
    body = _text(response)
    assert "Translations applied: 1." in body and "new draft version 2" in body
    response = _upload(client, url, str(po).encode(), "en.po", language="pt")
    assert "The file holds the language en, not pt." in _text(response)
    response = _upload(client, url, b"garbage", "en.txt")
    assert "The file must be a .po or .xlsx file." in _text(response)


def test_copy_a_library_instrument_to_the_territory(client, official, library, db):
    client.login(official.email)
    detail = f"/t/salta/instruments/{library.instrument_id}"
    page = _text(client.get(detail + "?lang=en"))
    assert "Copy to Salta" in page
    response = client.submit(f"{detail}/copy", {}, form_url=detail)
    assert response.status_code == 302
    copied = db.session.scalar(select(Instrument).where(Instrument.territory_id.is_not(None)))
    assert copied.key == "water_survey" and copied.versions[0].definition == library.definition
    assert "already has its own copy" in _text(client.get(detail))
    response = client.submit(f"{detail}/copy", {}, form_url=detail, follow_redirects=True)
    assert "This territory already has an instrument with the key water_survey." in _text(response)
