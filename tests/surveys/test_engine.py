"""The parsed view of a definition, its texts, and the vocabulary of DESIGN.md."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale

from consult.surveys import labels
from consult.surveys.engine import Instrument, find_text, iter_text_nodes


@pytest.fixture
def sample(sample_definition) -> Instrument:
    return Instrument.from_dict(sample_definition)


def test_the_view_has_sections_pages_and_questions_in_order(sample):
    assert sample.key == "sample_survey"
    assert sample.languages == ("es", "en", "pt") and sample.fallback_language == "es"
    assert [s.key for s in sample.sections] == ["s_about", "s_harm", "s_views"]
    assert [p.key for p in sample.pages] == ["p_intro", "p_who", "p_harm", "p_remedy", "p_mechanism", "p_views"]
    assert [p.section_key for p in sample.pages][:3] == ["s_about", "s_about", "s_harm"]
    assert [q.key for q in sample.page("p_harm").questions] == ["B1", "B2", "B3"]
    b1 = sample.question("B1")
    assert b1.type == "multiple_choice" and b1.page_key == "p_harm" and b1.section_key == "s_harm"
    assert b1.option_values == ("water", "land", "work", "none")
    assert b1.option("none").exclusive and not b1.option("water").exclusive
    assert b1.get("max_choices") == 3
    assert sample.page_of(b1).key == "p_harm" and sample.section_of(sample.page("p_harm")).key == "s_harm"
    assert [q.index for q in sample.questions] == list(range(len(sample.questions)))
    with pytest.raises(KeyError):
        sample.question("ZZ")


def test_the_view_is_read_only_and_independent_of_the_dict(sample_definition):
    instrument = Instrument.from_dict(sample_definition)
    sample_definition["sections"][0]["pages"][0]["questions"][0]["text"]["es"] = "cambiado"
    assert instrument.text(instrument.question("I0").text, "es") == "Sus respuestas son anónimas."
    with pytest.raises(TypeError):
        instrument.question("I0").text["es"] = "no"  # type: ignore[index]
    assert instrument.to_dict()["key"] == "sample_survey"


def test_text_falls_back_to_the_fallback_then_to_any_language(sample):
    text = {"es": "hola", "en": "hello", "qu": ""}
    assert sample.text(text, "en") == "hello"
    assert sample.text(text, "qu") == "hola"
    assert sample.text(text, "pt") == "hola"
    assert sample.text({"en": "only english"}, "pt") == "only english"
    assert sample.text_and_language({"en": "only english"}, "pt") == ("only english", "en")
    assert sample.text(None, "es") == ""


def test_every_text_is_enumerated_with_a_stable_path(sample, sample_definition):
    paths = [path for path, _ in sample.iter_texts()]
    assert len(paths) == len(set(paths))
    for expected in (
        "title",
        "description",
        "sections.s_harm.title",
        "pages.p_who.title",
        "pages.p_who.questions.A3.text",
        "pages.p_who.questions.A3.help",
        "pages.p_who.questions.A3.options.dont_know.label",
        "pages.p_who.questions.A3.other.label",
        "pages.p_views.questions.D1.points.4.label",
        "pages.p_views.questions.D2.unit",
        "pages.p_views.questions.D2.messages.max",
    ):
        assert expected in paths
    assert all(re.fullmatch(r"[A-Za-z0-9_.]+", p) for p in paths)
    # The nodes of the raw definition can be written to (a translation import does).
    node = find_text(sample_definition, "pages.p_who.questions.A3.options.dont_know.label")
    node["qu"] = "Mana yachanichu"
    assert (
        sample_definition["sections"][0]["pages"][1]["questions"][2]["options"][2]["label"]["qu"] == "Mana yachanichu"
    )
    assert list(iter_text_nodes("junk")) == [] and find_text({}, "title") is None


def test_codes_are_stable_snake_case():
    for vocabulary in (*labels.VOCABULARIES.values(), labels.STAKEHOLDER_GROUPS):
        for code in vocabulary:
            assert re.fullmatch(r"[a-z][a-z0-9_]*", code), code
    assert len(labels.FORCED_LABOUR_INDICATORS) == 11
    assert len(labels.UNGP31_CRITERIA) == 8 and set(labels.UNGP31_QUESTIONS) == set(labels.UNGP31_CRITERIA)
    assert len(labels.STAKEHOLDER_GROUPS) == 14 and len(labels.RIGHTS) == 16 and len(labels.SECTORS) == 14
    assert set(labels.SEVERITY_LABELS) == set(labels.SEVERITY_PARTS)
    assert all(sorted(points) == [1, 2, 3, 4, 5] for points in labels.SEVERITY_LABELS.values())


@pytest.mark.parametrize(("lang", "label"), [("es", "Gravísimo"), ("en", "Extremely serious"), ("pt", "Gravíssimo")])
def test_labels_follow_the_language(app, lang, label):
    with force_locale(lang):
        assert label in str(labels.SEVERITY_LABELS["scale"][5])
        assert str(labels.UNGP31_ANSWERS["partly"]) in ("En parte", "Partly", "Em parte")


@pytest.mark.parametrize(
    ("value", "severity", "urgent"),
    [
        ({"scale": 2, "scope": 3, "irremediability": 1, "likelihood": 5}, 3, False),
        ({"scale": 4, "scope": 1, "irremediability": 1}, 4, True),
        ({"scale": 1, "scope": 1, "irremediability": 4}, 4, True),
        ({"scope": 5}, 5, True),
        ({"likelihood": 5}, None, False),
        ({}, None, False),
        (None, None, False),
        ({"scale": "5"}, None, False),
        ({"scale": 9}, None, False),
    ],
)
def test_severity_and_urgency(value, severity, urgent):
    assert labels.severity_of(value) == severity
    assert labels.is_urgent(value) is urgent
