"""Validation of definitions: each check, with a definition that breaks it, names where."""

from __future__ import annotations

import json

import jsonschema
import pytest
from flask_babel import force_locale

from consult.surveys import labels
from consult.surveys.types import MESSAGES
from consult.surveys.validation import Problem, completeness, schema, validate_definition
from tests.fixtures.survey_definitions import YES_NO, make_definition, option, question, tr


def found(problems: list[Problem]) -> list[tuple[str, str]]:
    return [(p.path, p.code) for p in problems]


def test_the_sample_and_a_small_definition_are_valid(sample_definition):
    assert validate_definition(sample_definition) == []
    assert validate_definition(make_definition([question("Q1", "short_text")])) == []


def test_the_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(schema())
    assert schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_schema_lists_the_same_vocabulary_as_the_code():
    props = schema()["$defs"]["question"]["properties"]
    assert props["groups"]["items"]["enum"] == list(labels.STAKEHOLDER_GROUPS)
    assert props["parts"]["items"]["enum"] == list(labels.SEVERITY_PARTS)
    assert props["criteria"]["items"]["enum"] == list(labels.UNGP31_CRITERIA)
    assert props["messages"]["propertyNames"]["enum"] == list(MESSAGES)


@pytest.mark.parametrize(
    "junk",
    [
        None,
        0,
        1.5,
        True,
        "definition",
        [],
        [1, 2],
        {},
        {"sections": "x"},
        {"sections": [None, {"pages": [{"questions": [None, 3]}]}]},
        {"format": 1, "languages": "es", "fallback_language": 3},
    ],
)
def test_junk_gives_problems_not_exceptions(junk):
    problems = validate_definition(junk)
    assert problems and all(str(p) for p in problems)


def test_schema_problems_name_where_and_what(sample_definition):
    del sample_definition["sections"][1]["pages"][0]["questions"][2]["text"]
    sample_definition["sections"][2]["pages"][0]["questions"][1]["max"] = "fifty"
    sample_definition["sections"][0]["pages"][0]["questions"][1]["options"][0]["value"] = "Not A Code"
    sample_definition["surprise"] = True
    problems = validate_definition(sample_definition)
    assert ("sections[1].pages[0].questions[2] (B3)", "missing_member") in found(problems)
    assert ("sections[2].pages[0].questions[1].max (D2)", "wrong_type") in found(problems)
    assert ("sections[0].pages[0].questions[1].options[0].value (C1)", "invalid_code") in found(problems)
    assert ("", "unknown_member") in found(problems)
    with force_locale("en"):
        messages = [str(p) for p in problems]
    assert "sections[1].pages[0].questions[2] (B3): Missing: text." in messages
    assert ": “surprise” is not allowed here." in " ".join(messages) or "“surprise” is not allowed here." in messages


def test_a_member_of_another_type_is_refused():
    definition = make_definition([question("Q1", "number", options=YES_NO)])
    assert found(validate_definition(definition)) == [("sections[0].pages[0].questions[0] (Q1)", "unknown_member")]


def test_choice_questions_need_options_and_scales_points():
    definition = make_definition([question("Q1", "single_choice"), question("Q2", "scale", points=[])])
    assert ("sections[0].pages[0].questions[0] (Q1)", "missing_member") in found(validate_definition(definition))
    assert ("sections[0].pages[0].questions[1].points (Q2)", "too_few") in found(validate_definition(definition))


def test_keys_are_unique_across_sections_pages_and_questions():
    definition = make_definition(
        pages=[
            {"key": "p1", "questions": [question("Q1", "short_text"), question("Q1", "number")]},
            {"key": "s1", "questions": [question("p1", "short_text")]},
        ]
    )
    problems = found(validate_definition(definition))
    assert ("sections[0].pages[0].questions[1] (Q1)", "duplicate_key") in problems
    assert ("sections[0].pages[1] (s1)", "duplicate_key") in problems
    assert ("sections[0].pages[1].questions[0] (p1)", "duplicate_key") in problems


def test_option_values_are_unique_per_question():
    definition = make_definition(
        [
            question("Q1", "single_choice", options=[option("a", "A"), option("a", "A otra vez")]),
            question("Q2", "multiple_choice", options=[option("a", "A")]),  # the same value elsewhere is fine
            question("Q3", "scale", points=[{"value": 1, "label": tr("uno")}, {"value": 1, "label": tr("uno")}]),
        ]
    )
    assert found(validate_definition(definition)) == [
        ("sections[0].pages[0].questions[0].options[1] (Q1)", "duplicate_option"),
        ("sections[0].pages[0].questions[2].points[1] (Q3)", "duplicate_option"),
    ]


def test_type_members_are_checked():
    definition = make_definition(
        [
            question("Q1", "number", min=10, max=1),
            question("Q2", "date", min="2026-02-30"),
            question("Q3", "single_choice", options=[option("a", "A", exclusive=True)]),
            question("Q4", "multiple_choice", options=[option("a", "A")], max_choices=5),
            question("Q5", "single_choice", options=[option("other", "Otro")], other={"label": tr("Otro")}),
            question("Q6", "severity", parts=["scale", "scale"]),
        ]
    )
    assert found(validate_definition(definition)) == [
        ("sections[0].pages[0].questions[0].min (Q1)", "invalid_member"),
        ("sections[0].pages[0].questions[1].min (Q2)", "invalid_member"),
        ("sections[0].pages[0].questions[2].options[0] (Q3)", "invalid_member"),
        ("sections[0].pages[0].questions[3].max_choices (Q4)", "invalid_member"),
        ("sections[0].pages[0].questions[4].options[0] (Q5)", "reserved_option"),
        ("sections[0].pages[0].questions[5].parts[1] (Q6)", "duplicate_option"),
    ]


def rule_definition(when, *, page_when=None, routing=None):
    """Q1 (yes/no) and Q2 (severity) on p1, then Q3 with ``when`` on p2, then p3."""
    return make_definition(
        pages=[
            {
                "key": "p1",
                "questions": [
                    question("Q1", "single_choice", options=YES_NO),
                    question("Q2", "severity"),
                    question("I1", "info"),
                ],
                **({"routing": routing} if routing is not None else {}),
            },
            {
                "key": "p2",
                "questions": [question("Q3", "short_text", when=when)],
                **({"when": page_when} if page_when else {}),
            },
            {"key": "p3", "questions": [question("Q4", "multiple_choice", options=YES_NO)]},
        ]
    )


def test_rules_refer_to_existing_questions():
    problems = found(validate_definition(rule_definition({"==": [{"answer": "NOPE"}, "yes"]})))
    assert problems == [("sections[0].pages[1].questions[0].when.==[0] (Q3)", "unknown_question")]


def test_rules_refer_only_to_earlier_questions():
    assert found(validate_definition(rule_definition({"answered": [{"answer": "Q4"}]}))) == [
        ("sections[0].pages[1].questions[0].when.answered[0] (Q3)", "later_question")
    ]
    # A question may not depend on itself; a page condition not on its own questions.
    assert found(validate_definition(rule_definition({"answered": [{"answer": "Q3"}]})))[0][1] == "later_question"
    assert found(validate_definition(rule_definition(None, page_when={"answered": [{"answer": "Q3"}]}))) == [
        ("sections[0].pages[1].when.answered[0] (p2)", "later_question")
    ]


def test_rules_cannot_refer_to_information_texts():
    assert found(validate_definition(rule_definition({"answered": [{"answer": "I1"}]})))[0][1] == "info_question"


def test_rules_refer_only_to_parts_that_exist():
    assert validate_definition(rule_definition({">=": [{"answer": "Q2", "part": "scale"}, 4]})) == []
    problems = found(validate_definition(rule_definition({">=": [{"answer": "Q2", "part": "colour"}, 4]})))
    assert problems == [("sections[0].pages[1].questions[0].when.>=[0] (Q3)", "unknown_part")]
    assert (
        found(validate_definition(rule_definition({"==": [{"answer": "Q1", "part": "scale"}, 4]})))[0][1]
        == "unknown_part"
    )


def test_literals_compared_with_choices_must_be_options():
    assert validate_definition(rule_definition({"in": [{"answer": "Q1"}, ["yes", "no"]]})) == []
    problems = found(validate_definition(rule_definition({"in": [{"answer": "Q1"}, ["yes", "si"]]})))
    assert problems == [("sections[0].pages[1].questions[0].when (Q3)", "unknown_option")]
    assert found(validate_definition(rule_definition({"==": [{"answer": "Q1"}, "maybe"]})))[0][1] == "unknown_option"
    assert (
        found(validate_definition(rule_definition({"==": [{"answer": "Q2", "part": "scale"}, 9]})))[0][1]
        == "unknown_option"
    )
    any_in = rule_definition(None, page_when={"any-in": [{"answer": "Q1"}, ["yes", "oui"]]})
    assert found(validate_definition(any_in)) == [("sections[0].pages[1].when (p2)", "unknown_option")]


def test_malformed_conditions_are_reported():
    assert found(validate_definition(rule_definition({"~=": [{"answer": "Q1"}, "yes"]}))) == [
        ("sections[0].pages[1].questions[0].when (Q3)", "unknown_operator")
    ]
    assert found(validate_definition(rule_definition({"==": [{"answer": "Q1"}]}))) == [
        ("sections[0].pages[1].questions[0].when (Q3)", "malformed_rule")
    ]
    assert found(
        validate_definition(rule_definition({"and": [{"==": [{"answer": "Q1"}, "yes"]}, {"eq": [1, 2]}]}))
    ) == [("sections[0].pages[1].questions[0].when.and[1] (Q3)", "unknown_operator")]
    assert found(validate_definition(rule_definition({"==": [{"question": "Q1"}, "yes"]}))) == [
        ("sections[0].pages[1].questions[0].when.==[0] (Q3)", "malformed_rule")
    ]


def test_routing_goes_forward_to_existing_pages_with_the_default_last():
    ok = rule_definition(None, routing=[{"goto": "p3", "when": {"==": [{"answer": "Q1"}, "no"]}}, {"goto": "p2"}])
    assert validate_definition(ok) == []
    to_end = rule_definition(None, routing=[{"goto": "end", "when": {"==": [{"answer": "Q1"}, "no"]}}, {"goto": "p2"}])
    assert validate_definition(to_end) == []
    assert found(validate_definition(rule_definition(None, routing=[{"goto": "p9"}]))) == [
        ("sections[0].pages[0].routing[0] (p1)", "unknown_page")
    ]
    assert found(validate_definition(rule_definition(None, routing=[{"goto": "p1"}]))) == [
        ("sections[0].pages[0].routing[0] (p1)", "backward_route")
    ]
    no_default = rule_definition(None, routing=[{"goto": "p3", "when": {"==": [{"answer": "Q1"}, "no"]}}])
    assert found(validate_definition(no_default)) == [("sections[0].pages[0].routing[0] (p1)", "no_default_route")]
    default_first = rule_definition(
        None, routing=[{"goto": "p2"}, {"goto": "p3", "when": {"==": [{"answer": "Q1"}, "no"]}}]
    )
    assert found(validate_definition(default_first)) == [
        ("sections[0].pages[0].routing[0] (p1)", "default_route_not_last"),
        ("sections[0].pages[0].routing[1] (p1)", "no_default_route"),
    ]


def test_routing_rules_may_use_the_page_own_answers_but_not_later_ones():
    later = rule_definition(None, routing=[{"goto": "p3", "when": {"answered": [{"answer": "Q3"}]}}, {"goto": "p2"}])
    assert found(validate_definition(later)) == [
        ("sections[0].pages[0].routing[0].when.answered[0] (p1)", "later_question")
    ]


def test_the_fallback_language_is_declared_and_every_text_has_it():
    definition = make_definition([question("Q1", "short_text")], fallback_language="qu")
    problems = found(validate_definition(definition))
    assert ("fallback_language", "fallback_not_declared") in problems
    definition = make_definition([question("Q1", "single_choice", options=YES_NO)])
    del definition["sections"][0]["pages"][0]["questions"][0]["options"][1]["label"]["es"]
    assert found(validate_definition(definition)) == [
        ("sections[0].pages[0].questions[0].options[1].label (Q1)", "missing_fallback_text")
    ]


def test_unknown_and_repeated_languages_are_reported():
    definition = make_definition([question("Q1", "short_text")], languages=["es", "xx", "es"])
    assert found(validate_definition(definition)) == [
        ("languages[1]", "unknown_language"),
        ("languages[2]", "duplicate_language"),
    ]


def test_every_problem_is_reported_not_just_the_first(sample_definition):
    sample_definition["sections"][0]["pages"][1]["questions"][1]["key"] = "A1"  # duplicate key
    sample_definition["sections"][0]["pages"][1]["routing"][0]["goto"] = "p_intro"  # backwards
    sample_definition["sections"][1]["pages"][0]["questions"][1]["when"] = {"==": [{"answer": "D1"}, 1]}  # later
    del sample_definition["sections"][2]["pages"][0]["questions"][3]["text"]["es"]  # no fallback text
    sample_definition["sections"][2]["pages"][0]["questions"][0]["type"] = "slider"  # unknown type
    codes = {p.code for p in validate_definition(sample_definition)}
    assert {"duplicate_key", "backward_route", "later_question", "missing_fallback_text", "not_allowed"} <= codes


def test_messages_are_translated(app):
    definition = make_definition([question("Q1", "short_text")], fallback_language="qu")
    problem = validate_definition(definition)[0]
    with force_locale("es"):
        assert "idioma" in str(problem.message)
    with force_locale("pt"):
        assert "idioma" in str(problem.message)


def test_completeness_lists_what_each_language_lacks(sample_definition):
    sample_definition["languages"].append("qu")
    sample_definition["sections"][2]["pages"][0]["questions"][0]["text"]["qu"] = "¿Confiankichu?"
    del sample_definition["sections"][2]["pages"][0]["questions"][3]["text"]["pt"]
    report = completeness(sample_definition)
    assert set(report) == {"es", "en", "pt", "qu"}
    total = report["es"]["total"]
    assert report["es"]["missing"] == [] and report["en"]["missing"] == []
    assert report["pt"]["missing"] == ["pages.p_views.questions.D4.text"]
    assert len(report["qu"]["missing"]) == total - 1
    assert "pages.p_views.questions.D1.text" not in report["qu"]["missing"]
    assert "pages.p_harm.questions.B1.options.water.label" in report["qu"]["missing"]
    # An incomplete language is reported, never an error.
    assert validate_definition(sample_definition) == []


def test_completeness_never_raises_on_junk():
    assert completeness(None) == {}
    assert completeness({"languages": ["es"], "sections": "x"}) == {"es": {"total": 0, "missing": []}}
    assert json.dumps(completeness({"languages": "es"})) == "{}"
