"""Pictograms (issue 14): faces beside options and severity scores, their words as text alternative."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from consult.surveys import pictograms
from consult.surveys.services import definition_problems
from consult.surveys.xlsform import import_xlsform
from tests.fixtures.survey_definitions import make_definition, option, question
from tests.surveys.xlsform_helpers import issues_at, questions, workbook

STATIC = Path(__file__).resolve().parents[2] / "consult" / "static" / "pictograms"


def test_every_pictogram_is_drawn():
    for name in pictograms.PICTOGRAMS:
        svg = (STATIC / f"{name}.svg").read_text()
        assert svg.startswith("<svg") and "<script" not in svg and len(svg) < 1500


def _harm(pictogram: str) -> dict:
    return make_definition(
        [
            question(
                "Q1",
                "single_choice",
                options=[
                    option("bien", "Bien", "Fine", "Bem", pictogram="face-1"),
                    option("mal", "Muy mal", "Very bad", "Muito mal", pictogram=pictogram),
                ],
            )
        ]
    )


def test_the_definition_accepts_known_pictograms_only(app):
    assert definition_problems(_harm("face-5")) == []
    assert definition_problems(_harm("skull"))
    severity = make_definition([question("S", "severity", pictograms=["scale"])])
    assert definition_problems(severity) == []
    assert definition_problems(make_definition([question("S", "severity", pictograms=["height"])]))


def test_an_option_shows_its_face_inside_its_label_with_an_empty_alt(app, db, create_version, create_user):

    version = create_version(_harm("face-5"))
    with app.test_request_context("/?lang=en"):
        from flask import render_template_string

        from consult.surveys.forms import page_form

        instrument = version.parsed()
        page = instrument.pages[0]
        form = page_form(instrument, page, "en", {})(formdata=None, meta={"csrf": False})
        html = render_template_string(
            '{% from "surveys/_questions.html" import render_questions %}{{ render_questions(form, i, p, "en") }}',
            form=form,
            i=instrument,
            p=page,
        )
    labels = re.findall(r"<label for=\"q-Q1-\d\">(.*?)</label>", html, re.S)
    assert len(labels) == 2
    assert '<img class="pictogram" src="/static/pictograms/face-1.svg" alt=""' in labels[0] and "Fine" in labels[0]
    assert "face-5.svg" in labels[1] and "Very bad" in labels[1]


@pytest.fixture
def severity_page(client, community_consultation, db):
    slug = community_consultation.slug
    client.get(f"/c/{slug}/?lang=en")
    client.submit(f"/c/{slug}/start", form_url=f"/c/{slug}/")
    client.submit(f"/c/{slug}/group", {"group_code": "rural_community"})
    client.get(f"/c/{slug}/p/p_place")
    answers = {
        "p_place": {"q-A1-locality": "66028"},
        "p_group": {},
        "p_business": {"q-B1": ["mining"]},
        "p_rights": {"q-C1": ["water_sanitation"]},
        "p_main_harm": {"q-C2": "water_sanitation"},
    }
    location = f"/c/{slug}/p/p_place"
    while not location.endswith("/p/p_severity"):
        key = location.rsplit("/", 1)[1]
        response = client.submit(location, {**answers.get(key, {}), "action": "next"})
        assert response.status_code == 302, response.get_data(as_text=True)[:1500]
        location = response.headers["Location"]
    return client.get(location).get_data(as_text=True)


def test_the_community_survey_shows_faces_on_how_serious_and_how_reparable(severity_page):
    html = severity_page
    for part in ("scale", "irremediability"):
        block = re.search(rf'<fieldset class="part" id="q-C3-{part}".*?</fieldset>', html, re.S).group(0)
        faces = re.findall(r'<img class="pictogram" src="/static/pictograms/(face-\d).svg" alt=""', block)
        assert faces == ["face-1", "face-2", "face-3", "face-4", "face-5"], part
    for part in ("scope", "likelihood"):
        block = re.search(rf'<fieldset class="part" id="q-C3-{part}".*?</fieldset>', html, re.S).group(0)
        assert "pictogram" not in block


def test_an_xlsform_choices_column_gives_the_pictogram(app):
    survey = [["type", "name", "label"], ["select_one harm", "dano", "¿Qué tan grave?"]]
    choices = [
        ["list_name", "name", "label", "pictogram"],
        ["harm", "leve", "Leve", "face-2"],
        ["harm", "grave", "Grave", "Face-5"],
        ["harm", "raro", "Raro", "smiley"],
    ]
    result = import_xlsform(workbook(survey, choices, [["default_language"], ["es"]]))
    assert result.errors == []
    options = questions(result.definition)["dano"]["options"]
    assert [o.get("pictogram") for o in options] == ["face-2", "face-5", None]
    assert any("smiley" in m for m in issues_at(result.warnings, "choices", 4))


def test_pictograms_round_trip_through_an_xlsform(app):
    from consult.surveys.xlsform import export_xlsform

    definition = _harm("face-5")
    definition["sections"][0]["pages"][0]["questions"].append(
        question("S", "severity", pictograms=["scale", "irremediability"])
    )
    back = import_xlsform(export_xlsform(definition))
    assert back.errors == []
    by_key = questions(back.definition)
    assert [o.get("pictogram") for o in by_key["Q1"]["options"]] == ["face-1", "face-5"]
    assert by_key["S"]["pictograms"] == ["scale", "irremediability"]
