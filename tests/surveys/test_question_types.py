"""Each question type: validation of what a person submits, rows both ways, export columns."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from consult.surveys.engine import Instrument
from consult.surveys.types import TYPES, AnswerRow, FieldContext, question_type
from tests.fixtures.survey_definitions import LOCALITIES, YES_NO, make_definition, option, question, tr

QUESTIONS = [
    question("SC", "single_choice", options=[*YES_NO, option("dont_know", "No sé")], other={"label": tr("Otra")}),
    question("SG", "stakeholder_group", groups=["trade_union", "cso"]),
    question(
        "MC",
        "multiple_choice",
        max_choices=2,
        other={"label": tr("Otro")},
        options=[option("a", "A"), option("b", "B"), option("c", "C"), option("none", "Ninguno", exclusive=True)],
    ),
    question("CO", "consent", options=[option("aggregate", "Contar"), option("quote", "Citar")]),
    question(
        "SL", "scale", dont_know=True, points=[{"value": 1, "label": tr("Poco")}, {"value": 2, "label": tr("Mucho")}]
    ),
    question("NI", "number", min=0, max=120),
    question("ND", "number", decimal=True, min=-5.5, max=1e6, unit=tr("hectáreas")),
    question("ST", "short_text", max_length=10),
    question("LT", "long_text"),
    question("DA", "date", min="2000-01-01", max="2030-12-31"),
    question("DR", "date_range"),
    question("TE", "territory"),
    question("TA", "territory", level="area"),
    question("SE", "severity"),
    question("SP", "severity", parts=["scale", "likelihood"]),
    question("UN", "ungp31", criteria=["legitimate", "accessible"]),
    question(
        "RQ",
        "single_choice",
        required=True,
        options=YES_NO,
        messages={"required": tr("Díganos sí o no.", "Tell us yes or no.", "Diga sim ou não.")},
    ),
    question("RS", "severity", required=True, parts=["scale", "scope"]),
    question("IN", "info"),
]


@pytest.fixture(scope="module")
def instrument() -> Instrument:
    return Instrument.from_dict(make_definition(QUESTIONS))


@pytest.fixture
def ctx(app, instrument) -> FieldContext:
    return FieldContext(instrument, "en", "en", LOCALITIES)


def parse(instrument, ctx, key, data):
    q = instrument.question(key)
    with force_locale("en"):
        return question_type(q.type).parse(q, {f"q-{key}{'-' + k if k else ''}": v for k, v in data.items()}, ctx)


VALID = [
    ("SC", {"": "yes"}, "yes"),
    ("SC", {"": None}, None),
    ("SC", {"": "other", "other": " a river "}, {"option": "other", "other": "a river"}),
    ("SC", {"": None, "other": "typed only"}, {"option": "other", "other": "typed only"}),
    ("SC", {"": "other", "other": ""}, "other"),
    ("SG", {"": "cso"}, "cso"),
    ("MC", {"": ["b", "a"]}, ["a", "b"]),
    ("MC", {"": []}, None),
    ("MC", {"": ["none"]}, ["none"]),
    ("MC", {"": ["a", "other"], "other": "fish"}, {"options": ["a", "other"], "other": "fish"}),
    ("MC", {"": [], "other": "typed only"}, {"options": ["other"], "other": "typed only"}),
    ("CO", {"": ["quote", "aggregate"]}, ["aggregate", "quote"]),
    ("SL", {"": "2"}, 2),
    ("SL", {"": "dont_know"}, "dont_know"),
    ("NI", {"": "42"}, 42),
    ("NI", {"": " 0 "}, 0),
    ("NI", {"": "120"}, 120),
    ("NI", {"": ""}, None),
    ("ND", {"": "12,5"}, 12.5),
    ("ND", {"": "1.234,5"}, 1234.5),
    ("ND", {"": "-5.5"}, -5.5),
    ("ST", {"": "  hola  "}, "hola"),
    ("ST", {"": "   "}, None),
    ("LT", {"": "line one\r\nline two"}, "line one\nline two"),
    ("DA", {"": "2026-03-01"}, "2026-03-01"),
    ("DA", {"": "1/3/2026"}, "2026-03-01"),
    ("DR", {"start": "2024-01-01", "end": "2024-02-01"}, {"start": "2024-01-01", "end": "2024-02-01"}),
    ("DR", {"start": "2024-01-01", "end": ""}, {"start": "2024-01-01"}),
    ("TE", {"area": "", "locality": "05045"}, {"area": "Urabá", "locality": "05045"}),
    ("TE", {"area": "Urabá", "locality": "05837"}, {"area": "Urabá", "locality": "05837"}),
    ("TE", {"area": "Urabá", "locality": ""}, {"area": "Urabá"}),
    ("TA", {"area": "Valle de Aburrá"}, {"area": "Valle de Aburrá"}),
    (
        "SE",
        {"scale": "4", "scope": "2", "irremediability": "5", "likelihood": "1"},
        {"scale": 4, "scope": 2, "irremediability": 5, "likelihood": 1},
    ),
    ("SE", {"scale": "3"}, {"scale": 3}),
    ("SP", {"scale": "1", "likelihood": "5"}, {"scale": 1, "likelihood": 5}),
    ("UN", {"legitimate": "partly", "accessible": "dont_know"}, {"legitimate": "partly", "accessible": "dont_know"}),
    ("RQ", {"": "no"}, "no"),
]


@pytest.mark.parametrize(("key", "data", "value"), VALID)
def test_valid_submissions_give_values(instrument, ctx, key, data, value):
    parsed = parse(instrument, ctx, key, data)
    assert parsed.errors == {}
    assert parsed.value == value


INVALID = [
    ("SC", {"": "maybe"}, "", "Choose one of the options shown."),
    (
        "SC",
        {"": "yes", "other": "something"},
        "other",
        "You wrote something under “Otra [en]” but chose another answer.",
    ),
    ("SG", {"": "company_large"}, "", "Choose one of the options shown."),
    ("MC", {"": ["a"], "other": "fish"}, "other", "You wrote something under “Otro [en]” but chose another answer."),
    ("MC", {"": ["a", "none"]}, "", "“Ninguno [en]” cannot be chosen together with other answers."),
    ("MC", {"": ["a", "b", "c"]}, "", "Choose at most 2 answers."),
    ("MC", {"": ["z"]}, "", "Choose one of the options shown."),
    ("SL", {"": "7"}, "", "Choose one of the options shown."),
    ("NI", {"": "12.5"}, "", "Enter a whole number, for example 12."),
    ("NI", {"": "twelve"}, "", "Enter a whole number, for example 12."),
    ("NI", {"": "-1"}, "", "Enter 0 or more."),
    ("NI", {"": "121"}, "", "Enter 120 or less."),
    ("NI", {"": "9" * 20}, "", "Enter a whole number, for example 12."),
    ("ND", {"": "-6"}, "", "Enter -5.5 or more."),
    ("ND", {"": "1,2,3"}, "", "Enter a number, for example 12.5."),
    ("ST", {"": "x" * 11}, "", "Write at most 10 characters; you wrote 11."),
    ("LT", {"": "x" * 4001}, "", "Write at most 4000 characters; you wrote 4001."),
    ("DA", {"": "2026-02-30"}, "", "Enter a real date, for example 31/12/2025."),
    ("DA", {"": "yesterday"}, "", "Enter a real date, for example 31/12/2025."),
    ("DA", {"": "1999-12-31"}, "", "Enter a date on or after Jan 1, 2000."),
    ("DA", {"": "2031-01-01"}, "", "Enter a date on or before Dec 31, 2030."),
    (
        "DR",
        {"start": "2024-02-01", "end": "2024-01-01"},
        "end",
        "The end date must be the same as or after the start date.",
    ),
    ("TE", {"area": "Urabá", "locality": "05001"}, "locality", "That place is not in the area you chose."),
    ("TE", {"area": "", "locality": "99999"}, "locality", "Choose one of the options shown."),
    ("TE", {"area": "Atlantis", "locality": ""}, "area", "Choose one of the options shown."),
    ("SE", {"scale": "6"}, "scale", "Choose one of the options shown."),
    ("UN", {"legitimate": "maybe"}, "legitimate", "Choose one of the options shown."),
    ("RQ", {"": None}, "", "Tell us yes or no."),
    ("RS", {"scale": "2"}, "scope", "Please answer this question."),
]


@pytest.mark.parametrize(("key", "data", "field", "message"), INVALID)
def test_invalid_submissions_give_a_clear_message_on_the_right_field(instrument, ctx, key, data, field, message):
    parsed = parse(instrument, ctx, key, data)
    name = f"q-{key}-{field}" if field else f"q-{key}"
    assert parsed.value is None
    assert list(parsed.errors) == [name]
    assert parsed.errors[name][0].startswith(message)


def test_required_messages_default_and_override_per_language(instrument, app):
    for lang, expected in (("es", "Díganos sí o no."), ("pt", "Diga sim ou não.")):
        ctx = FieldContext(instrument, lang, lang)
        assert parse(instrument, ctx, "RQ", {"": None}).errors["q-RQ"] == [expected]
    ctx = FieldContext(instrument, "es", "es")
    q = instrument.question("RS")
    with force_locale("es"):
        errors = question_type("severity").parse(q, {}, ctx).errors
    assert set(errors) == {"q-RS-scale", "q-RS-scope"}
    assert errors["q-RS-scale"] != ["Please answer this question."]  # translated


def test_a_territory_without_a_list_of_places_asks_nothing(instrument, app):
    ctx = FieldContext(instrument, "es", "es", [])
    q = instrument.question("TE")
    assert question_type("territory").fields(q, ctx) == []
    assert question_type("territory").parse(q, {}, ctx).value is None


ROUND_TRIP = [
    ("SC", "yes", [AnswerRow(option="yes")]),
    ("SC", {"option": "other", "other": "a river"}, [AnswerRow(option="other", text="a river")]),
    ("SG", "cso", [AnswerRow(option="cso")]),
    ("MC", ["a", "c"], [AnswerRow(option="a"), AnswerRow(option="c")]),
    (
        "MC",
        {"options": ["b", "other"], "other": "fish"},
        [AnswerRow(option="b"), AnswerRow(option="other", text="fish")],
    ),
    ("CO", ["aggregate"], [AnswerRow(option="aggregate")]),
    ("SL", 2, [AnswerRow(number=2)]),
    ("SL", "dont_know", [AnswerRow(option="dont_know")]),
    ("NI", 42, [AnswerRow(number=42)]),
    ("ND", 12.5, [AnswerRow(number=12.5)]),
    ("ST", "hola", [AnswerRow(text="hola")]),
    ("LT", "a\nb", [AnswerRow(text="a\nb")]),
    ("DA", "2026-03-01", [AnswerRow(text="2026-03-01")]),
    (
        "DR",
        {"start": "2024-01-01", "end": "2024-02-01"},
        [AnswerRow(part="start", text="2024-01-01"), AnswerRow(part="end", text="2024-02-01")],
    ),
    (
        "TE",
        {"area": "Urabá", "locality": "05045"},
        [AnswerRow(part="area", text="Urabá"), AnswerRow(part="locality", option="05045")],
    ),
    (
        "SE",
        {"scale": 4, "scope": 3, "irremediability": 5, "likelihood": 2},
        [
            AnswerRow(part="scale", number=4),
            AnswerRow(part="scope", number=3),
            AnswerRow(part="irremediability", number=5),
            AnswerRow(part="likelihood", number=2),
        ],
    ),
    (
        "UN",
        {"legitimate": "yes", "accessible": "no"},
        [AnswerRow(part="legitimate", option="yes"), AnswerRow(part="accessible", option="no")],
    ),
]


@pytest.mark.parametrize(("key", "value", "rows"), ROUND_TRIP)
def test_rows_both_ways(instrument, key, value, rows):
    q = instrument.question(key)
    kind = question_type(q.type)
    assert kind.to_rows(q, value) == rows
    assert kind.from_rows(q, rows) == value
    assert kind.from_rows(q, list(reversed(rows))) == value  # the database may return rows in any order
    # Rows read back from the database are objects or mappings, numbers maybe floats.
    as_dicts = [dict(r._asdict(), number=float(r.number) if r.number is not None else None) for r in rows]
    assert kind.from_rows(q, as_dicts) == value


@pytest.mark.parametrize("key", [q["key"] for q in QUESTIONS])
def test_no_answer_no_rows(instrument, key):
    q = instrument.question(key)
    assert question_type(q.type).to_rows(q, None) == []
    assert question_type(q.type).from_rows(q, []) is None


EXPORTS = [
    ("SC", {"option": "other", "other": "river"}, ["SC", "SC.other.text"], ["other", "river"]),
    ("SG", "cso", ["SG"], ["cso"]),
    ("MC", ["a", "c"], ["MC.a", "MC.b", "MC.c", "MC.none", "MC.other", "MC.other.text"], [1, 0, 1, 0, 0, None]),
    ("MC", None, ["MC.a", "MC.b", "MC.c", "MC.none", "MC.other", "MC.other.text"], [None] * 6),
    ("CO", ["quote"], ["CO.aggregate", "CO.quote"], [0, 1]),
    ("SL", 2, ["SL"], [2]),
    ("ND", 2.5, ["ND"], [2.5]),
    ("DR", {"start": "2024-01-01"}, ["DR.start", "DR.end"], ["2024-01-01", None]),
    ("TE", {"area": "Urabá", "locality": "05045"}, ["TE.area", "TE.locality"], ["Urabá", "05045"]),
    (
        "SE",
        {"scale": 4, "scope": 1, "irremediability": 2, "likelihood": 5},
        ["SE.scale", "SE.scope", "SE.irremediability", "SE.likelihood", "SE.severity", "SE.urgent"],
        [4, 1, 2, 5, 4, 1],
    ),
    ("SP", {"scale": 2}, ["SP.scale", "SP.likelihood", "SP.severity", "SP.urgent"], [2, None, 2, 0]),
    ("UN", {"legitimate": "yes"}, ["UN.legitimate", "UN.accessible"], ["yes", None]),
    ("IN", None, [], []),
]


@pytest.mark.parametrize(("key", "value", "columns", "cells"), EXPORTS)
def test_export_columns_and_values(instrument, key, value, columns, cells):
    q = instrument.question(key)
    kind = question_type(q.type)
    assert kind.export_columns(q) == columns
    assert kind.export_values(q, value) == cells


def test_every_type_says_how_it_is_summarised():
    kinds = {name: kind.summary_kind for name, kind in TYPES.items()}
    assert kinds == {
        "info": None,
        "single_choice": "categorical",
        "multiple_choice": "multi",
        "scale": "categorical",
        "number": "numeric",
        "short_text": "text",
        "long_text": "text",
        "date": "date",
        "date_range": "date",
        "territory": "parts",
        "stakeholder_group": "categorical",
        "severity": "parts",
        "ungp31": "parts",
        "consent": "multi",
    }


def test_answers_in_words_for_the_review_page(instrument, app):
    ctx = FieldContext(instrument, "es", "es", LOCALITIES)

    def show(key, value):
        return question_type(instrument.question(key).type).display(instrument.question(key), value, ctx)

    with force_locale("es"):
        assert show("SC", {"option": "other", "other": "un río"}) == "Otra: un río"
        assert show("MC", ["a", "c"]) == "A; C"
        assert show("SG", "cso") == "Organización de la sociedad civil"
        assert show("ND", 3.5) == "3.5 hectáreas"
        assert show("TE", {"area": "Urabá", "locality": "05045"}) == "Apartadó (Urabá)"
        assert show("DA", "2026-03-01") == "1 mar 2026"
        assert "5" in show("SE", {"scale": 5})
        assert show("UN", {"legitimate": "partly"}).endswith("En parte")
