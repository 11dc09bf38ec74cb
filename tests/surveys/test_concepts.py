"""Concept tags: what a question measures, so analysis reads any instrument by meaning, never by key."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path

import pytest
from flask_babel import force_locale

from consult.surveys import labels, services
from consult.surveys.engine import Instrument
from consult.surveys.validation import validate_definition
from tests.surveys.xlsform_helpers import T, every_type_definition, questions

LIBRARY = Path(__file__).resolve().parents[2] / "consult" / "surveys" / "library"


def load(key: str) -> dict:
    return json.loads((LIBRARY / f"{key}.json").read_text(encoding="utf-8"))


def tagged() -> dict:
    """The every-type definition with a concept on most of its questions and options."""
    definition = every_type_definition()
    found = questions(definition)
    found["rights"]["concept"] = "right"
    found["rights"]["options"][0]["concept"] = "water_sanitation"  # "water" is not a code: the option says which
    found["rights"]["options"][1]["concept"] = "land_housing"
    found["harm"]["concept"] = "reprisal"
    found["sev2"]["concept"] = "severity"
    found["mech2"]["concept"] = "ungp31:company_grievance"
    found["trust"]["concept"] = "remedy_fairness"
    found["age"]["concept"] = "remedy_time"
    found["income"]["concept"] = "severity:scope"
    return definition


def problems_of(definition: dict) -> list[tuple[str, str]]:
    return [(p.path, p.code) for p in validate_definition(definition)]


# -- validation ----------------------------------------------------------------------------------


def test_a_tagged_definition_is_valid(app):
    assert validate_definition(tagged()) == []


@pytest.mark.parametrize(
    "key, concept, code",
    [
        ("rights", "rights", "unknown_concept"),
        ("rights", "ungp31:nowhere", "unknown_concept"),
        ("rights", "attribute:religion", "unknown_concept"),
        ("age", "right", "concept_type"),  # rights on a number
        ("harm", "severity:scale", "concept_type"),  # one severity dimension on a choice
        ("rights", "main_right", "concept_type"),  # the main harm is a single choice
        ("rights", "main_mechanism", "concept_type"),
        ("sev", "ungp31", "concept_type"),
        ("mech", "severity", "concept_type"),
        ("trust", "remedy_time", "concept_type"),
        ("age", "remedy_fairness", "concept_type"),
        ("place", "group", "concept_type"),
        ("intro", "right", "concept_type"),  # an information text measures nothing
        ("consent", "right", "concept_type"),
    ],
)
def test_a_wrong_concept_is_reported_at_the_question(app, key, concept, code):
    definition = every_type_definition()
    questions(definition)[key]["concept"] = concept
    found = problems_of(definition)
    assert len(found) == 1, found
    path, got = found[0]
    assert got == code and path.endswith(f".concept ({key})")


def test_an_option_concept_outside_the_vocabulary_is_reported_at_the_option(app):
    definition = tagged()
    questions(definition)["rights"]["options"][1]["concept"] = "mining"  # a sector, not a right
    assert problems_of(definition) == [
        ("sections[1].pages[0].questions[1].options[1].concept (rights)", "unknown_option_concept")
    ]


def test_an_option_concept_needs_a_concept_on_its_question(app):
    definition = every_type_definition()
    questions(definition)["rights"]["options"][0]["concept"] = "water_sanitation"
    assert problems_of(definition) == [
        ("sections[1].pages[0].questions[1].options[0].concept (rights)", "option_concept_without_concept")
    ]


def test_an_instrument_has_one_main_right_and_one_main_mechanism(app):
    definition = every_type_definition()
    page = definition["sections"][1]["pages"][0]["questions"]
    rights = [{"value": code, "label": T(code)} for code in ("water_sanitation", "land_housing")]
    mechanisms = [{"value": code, "label": T(code)} for code in ("company_grievance", "state_judicial")]
    page += [
        {"key": "main1", "type": "single_choice", "concept": "main_right", "text": T("Principal"), "options": rights},
        {"key": "main2", "type": "single_choice", "concept": "main_right", "text": T("Otra"), "options": rights},
        {
            "key": "mech_a",
            "type": "single_choice",
            "concept": "main_mechanism",
            "text": T("Mecanismo"),
            "options": mechanisms,
        },
        {
            "key": "mech_b",
            "type": "single_choice",
            "concept": "main_mechanism",
            "text": T("Otro"),
            "options": mechanisms,
        },
    ]
    found = validate_definition(definition)
    assert [(p.path, p.code) for p in found] == [
        ("sections[1].pages[0].questions[6].concept (main2)", "duplicate_concept"),
        ("sections[1].pages[0].questions[8].concept (mech_b)", "duplicate_concept"),
    ]
    assert "main1" in str(found[0].message)


def test_concept_messages_are_translated(app):
    definition = every_type_definition()
    questions(definition)["age"]["concept"] = "right"
    (problem,) = validate_definition(definition)
    with force_locale("es"):
        spanish = str(problem.message)
    with force_locale("en"):
        english = str(problem.message)
    assert "right" in english and "number" in english
    assert spanish  # the catalogue may not have it yet; it must still render


@pytest.mark.parametrize("junk", [5, {}, [], True, "x" * 200])
def test_junk_concepts_are_reported_never_raised(app, junk):
    definition = every_type_definition()
    questions(definition)["rights"]["concept"] = junk
    questions(definition)["harm"]["options"][0]["concept"] = junk
    found = validate_definition(definition)
    assert found and all(p.path for p in found)


def test_the_schema_allows_concepts_on_every_type_and_option(app):
    definition = every_type_definition()
    for question in questions(definition).values():
        implied = {"severity": "severity", "ungp31": "ungp31", "stakeholder_group": "group", "territory": "locality"}
        if question["type"] in implied:
            question["concept"] = implied[question["type"]]  # written out though implied: allowed
    assert validate_definition(definition) == []


# -- the engine ------------------------------------------------------------------------------------


def test_questions_say_their_concept_written_or_implied(app):
    instrument = Instrument.from_dict(tagged())
    q = instrument.question
    assert q("rights").concept == "right" and q("rights").concept_kind == "right" and q("rights").concept_detail is None
    assert q("sev").concept == "severity"  # implied by its type
    assert q("mech").concept == "ungp31" and q("mech").concept_detail is None
    assert q("mech2").concept == "ungp31:company_grievance"
    assert (q("mech2").concept_kind, q("mech2").concept_detail) == ("ungp31", "company_grievance")
    assert q("group").concept == "group" and q("place").concept == "locality"
    assert q("income").concept_kind == "severity" and q("income").concept_detail == "scope"
    assert q("what").concept is None and q("what").concept_kind is None and q("what").concept_detail is None


def test_the_effective_code_of_an_option(app):
    question = Instrument.from_dict(tagged()).question("rights")
    assert question.option("water").concept == "water_sanitation"
    assert question.option("none").concept is None
    assert question.option_code("water") == "water_sanitation"
    assert question.option_code("land") == "land_housing"
    assert question.option_code("none") is None  # uncoded: simply not a right
    assert question.option_code("other") is None
    assert question.option_code(3) is None and question.option_code(None) is None
    reprisal = Instrument.from_dict(tagged()).question("harm")
    assert reprisal.option_code("yes") == "yes" and reprisal.option_code("dont_know") == "dont_know"
    group = Instrument.from_dict(tagged()).question("group")
    assert group.option_code("rural_community") == "rural_community"  # stakeholder groups: the codes themselves
    assert Instrument.from_dict(tagged()).question("what").option_code("water") is None


def test_questions_with_concept_are_in_instrument_order(app):
    instrument = Instrument.from_dict(tagged())
    keys = lambda concept: [q.key for q in instrument.questions_with_concept(concept)]  # noqa: E731
    assert keys("ungp31") == ["mech", "mech2"]
    assert keys("ungp31:company_grievance") == ["mech2"]
    assert keys("severity") == ["income", "sev", "sev2"]
    assert keys("severity:scope") == ["income"]
    assert keys("right") == ["rights"] and keys("main_right") == [] and keys("nothing") == []
    assert instrument.question_with_concept("remedy_time").key == "age"
    assert instrument.question_with_concept("main_mechanism") is None


def test_parsed_views_stay_frozen_and_the_version_cache_keeps_the_tags(db):
    instrument = Instrument.from_dict(tagged())
    with pytest.raises(dataclasses.FrozenInstanceError):
        instrument.question("rights").concept = "sector"  # type: ignore[misc]
    outcome = services.import_definition(tagged(), None)
    services.publish(outcome.version)
    parsed = outcome.version.parsed()
    assert parsed is outcome.version.parsed()
    assert [q.key for q in parsed.questions_with_concept("right")] == ["rights"]


# -- the vocabulary --------------------------------------------------------------------------------


def test_every_concept_has_a_translated_name_and_choice_concepts_a_vocabulary(app):
    with force_locale("en"):
        assert str(labels.CONCEPTS["right"]) == "Rights harmed or at risk"
        assert str(labels.CONCEPTS["main_right"]) == "Main harm"
        assert "company" in str(labels.concept_label("ungp31:company_grievance"))
    assert labels.concept_vocabulary("right") is labels.RIGHTS
    assert labels.concept_vocabulary("main_mechanism") is labels.MECHANISM_TYPES
    assert list(labels.concept_vocabulary("attribute:gender")) == ["woman", "man", "another_identity", "prefer_not"]
    assert list(labels.AGE_BANDS) == ["under_18", "age_18_29", "age_30_44", "age_45_59", "age_60_plus", "prefer_not"]
    assert list(labels.concept_vocabulary("attribute:disability")) == ["yes", "no", "prefer_not"]
    assert list(labels.concept_vocabulary("attribute:migrant")) == ["yes", "no", "prefer_not"]
    assert list(labels.ETHNICITIES) == ["indigenous", "afro_descendant", "rom", "none", "prefer_not"]
    assert labels.concept_vocabulary("severity") is None and labels.concept_vocabulary(None) is None
    assert labels.is_known_concept("ungp31:oecd_ncp") and not labels.is_known_concept("ungp31:x")
    assert not labels.is_known_concept(None)


# -- the built-in instruments ----------------------------------------------------------------------


LIBRARY_TAGS = {
    "community_risk": {
        "B1": "sector",
        "C1": "right",
        "C2": "main_right",
        "C3": "severity",
        "F1": "attribute:gender",
        "F2": "attribute:age_band",
        "F3": "attribute:ethnicity",
        "F4": "attribute:disability",
        "F5": "attribute:migrant",
        "A1": "locality",
        "A2": "group",
    },
    "company_self_assessment": {
        "A3": "sector",
        "B2": "right",
        "D2": "ungp31:company_grievance",
        "A1": "group",
        "A4": "locality",
    },
    "remedy_testimony": {
        "D2": "right",
        "D4": "sector",
        "D5": "involvement",
        "D6": "severity",
        "E1": "mechanism",
        "E2": "barrier",
        "E3": "outcome",
        "E4": "remedy_time",
        "E5": "main_mechanism",
        "E6": "ungp31",
        "E7": "ungp31:company_grievance",
        "E8": "remedy_fairness",
        "F1": "reprisal",
        "B3": "group",
        "B4": "attribute:gender",
        "C5": "locality",
    },
}


@pytest.mark.parametrize("key", sorted(LIBRARY_TAGS))
def test_built_in_instruments_validate_and_carry_their_tags(app, key):
    definition = load(key)
    assert validate_definition(definition) == []
    instrument = Instrument.from_dict(definition)
    tagged_keys = {q.key: q.concept for q in instrument.questions if q.concept}
    assert tagged_keys == LIBRARY_TAGS[key]
    # Every option of a vocabulary question that is not "none"-like stands for a code.
    for question in instrument.questions:
        if labels.concept_vocabulary(question.concept) is not None and question.options:
            coded = [o.value for o in question.options if question.option_code(o.value)]
            uncoded = set(question.option_values) - set(coded)
            assert uncoded <= {"none", "dont_know", "not_sure", "prefer_not", "nowhere"}, (question.key, uncoded)
            assert coded, question.key


def test_the_remedy_testimony_asks_the_affected_group_and_gender_in_plain_words(app):
    instrument = Instrument.from_dict(load("remedy_testimony"))
    who = instrument.page("p_for_whom")
    assert [q.key for q in who.questions][:2] == ["B1", "B3"]
    group = instrument.question("B3")
    assert group.type == "stakeholder_group" and not group.required
    assert group.text["en"] == "Which group does the person or community it happened to belong to?"
    gender = instrument.question("B4")
    assert gender.type == "single_choice" and not gender.required and gender.has_flag("sensitive")
    assert gender.option_values == ("woman", "man", "another_identity", "prefer_not")
    for text in [group.text, gender.text, *(o.label for o in gender.options)]:
        assert set(text) == {"es", "en", "pt"}
    from consult.surveys.paths import path_pages

    # Asked about one person, not about a whole community.
    assert "p_person" in [p.key for p in path_pages(instrument, {"B1": "self"})]
    assert "p_person" not in [p.key for p in path_pages(instrument, {"B1": "community"})]


def test_analysis_finds_the_same_views_in_an_instrument_with_other_keys(app):
    """Renaming every key leaves every concept where it was: nothing depends on "C1" or "E5"."""
    definition = copy.deepcopy(load("remedy_testimony"))
    original = Instrument.from_dict(definition)
    text = json.dumps(definition)
    for q in original.questions:
        text = text.replace(f'"{q.key}"', f'"x_{q.key.lower()}"')
    renamed = Instrument.from_dict(json.loads(text))
    assert validate_definition(json.loads(text)) == []
    for concept in ("right", "main_mechanism", "ungp31", "reprisal", "attribute:gender", "group"):
        assert [f"x_{q.key.lower()}" for q in original.questions_with_concept(concept)] == [
            q.key for q in renamed.questions_with_concept(concept)
        ]
