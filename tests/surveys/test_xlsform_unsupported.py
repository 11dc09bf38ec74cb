"""What consult does not take from an XLSForm is refused or reported, each time with its sheet and row."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from consult.surveys.xlsform import import_xlsform
from tests.surveys.xlsform_helpers import answer, issues_at, questions, workbook

YES_NO = [["list_name", "name", "label"], ["yn", "yes", "Sí"], ["yn", "no", "No"]]


def _import(survey, choices=None, settings=None, languages=None):
    return import_xlsform(workbook(survey, choices, settings), languages=languages)


def _only(issues, sheet, row):
    messages = issues_at(issues, sheet, row)
    assert len(messages) == 1, [str(i) for i in issues]
    return messages[0]


def test_a_repeat_is_left_out_with_a_clear_message_and_the_rest_imports(app):
    result = _import(
        [
            ["type", "name", "label"],
            ["text", "name", "Nombre"],
            ["begin repeat", "children", "Cada hijo"],
            ["integer", "age", "Edad"],
            ["end repeat"],
        ]
    )

    assert result.errors == [] and list(questions(result.definition)) == ["name"]
    message = _only(result.warnings, "survey", 3)
    assert "Repeats (children) are not supported" in message and "once per person" in message


@pytest.mark.parametrize(
    "kind", ["start", "end", "today", "deviceid", "username", "phonenumber", "audit", "email", "simserial"]
)
def test_metadata_is_skipped_for_privacy(app, kind):
    result = _import([["type", "name", "label"], ["text", "q", "Q"], [kind, "meta_row"]])

    assert result.errors == []
    assert list(questions(result.definition)) == ["q"]
    message = _only(result.warnings, "survey", 3)
    assert f"{kind} (meta_row) is not imported" in message and "to protect respondents" in message


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("calculate", "does not compute values"),
        ("geopoint", "does not collect locations"),
        ("geotrace", "does not collect locations"),
        ("image", "does not collect photos, recordings or files"),
        ("audio", "does not collect photos, recordings or files"),
        ("file", "does not collect photos, recordings or files"),
        ("barcode", "has no question of this type"),
        ("time", "has no question of this type"),
        ("datetime", "has no question of this type"),
        ("acknowledge", "has no question of this type"),
        ("rank yn", "has no question of this type"),
    ],
)
def test_unsupported_question_types_are_reported_and_left_out(app, kind, reason):
    result = _import([["type", "name", "label", "calculation"], ["text", "q", "Q"], [kind, "x", "X", "1 + 1"]])

    assert result.errors == []
    assert list(questions(result.definition)) == ["q"]
    assert reason in _only(result.warnings, "survey", 3)


def test_a_range_becomes_a_number_between_its_ends(app):
    result = _import([["type", "name", "label", "parameters"], ["range", "level", "Nivel", "start=0 end=10 step=1"]])

    question = questions(result.definition)["level"]
    assert (question["type"], question["min"], question["max"]) == ("number", 0, 10)
    assert "from 0 to 10" in _only(result.warnings, "survey", 2)


def test_choice_filter_is_reported(app):
    survey = [
        ["type", "name", "label", "choice_filter"],
        ["select_one yn", "a", "A"],
        ["select_one yn", "b", "B", "name != ${a}"],
    ]
    result = _import(survey, YES_NO)

    assert result.errors == []
    assert "choice filter of b is not imported" in _only(result.warnings, "survey", 3)


def test_unknown_columns_are_reported_once_with_their_first_row(app):
    survey = [
        ["type", "name", "label", "default", "Notes for enumerators"],
        ["text", "a", "A"],
        ["text", "b", "B", "hola", "ask twice"],
        ["text", "c", "C", None, "careful"],
    ]
    result = _import(survey)

    messages = issues_at(result.warnings, "survey", 3)
    assert any("default" in m and "does not fill in answers in advance" in m for m in messages)
    assert any("Notes for enumerators" in m and "2 row(s)" in m for m in messages)


def test_an_expression_our_rules_cannot_say_is_reported_and_the_question_kept_without_it(app):
    survey = [
        ["type", "name", "label", "relevant"],
        ["integer", "age", "Edad"],
        ["text", "job", "Trabajo", "${age} + 1 > 18"],
        ["text", "why", "Por qué", "if(${age} > 3, true(), false())"],
        ["text", "who", "Quién", "${age} > 18 and jr:choice-name(${age}, '${age}') = 'x'"],
    ]
    result = _import(survey)

    assert result.errors == []
    assert all("when" not in q for q in questions(result.definition).values())
    assert "${age} + 1 > 18" in _only(result.warnings, "survey", 3)
    assert "arithmetic" in _only(result.warnings, "survey", 3)
    assert "function if()" in _only(result.warnings, "survey", 4)
    assert "function jr:choice-name()" in _only(result.warnings, "survey", 5)
    assert "the question is always shown" in _only(result.warnings, "survey", 5)


@pytest.mark.parametrize(
    ("relevant", "reason"),
    [
        ("${later} = 'x'", "comes later in the form"),
        ("${when} != ''", "not imported"),
        ("${sel} = 'maybe'", "'maybe' is not an option of sel"),
        ("${multi} = 'yes'", "use selected() instead"),
        ("${txt} > 3", "is not a number or a date"),
        ("${note} != ''", "is a note"),
    ],
)
def test_rules_over_answers_consult_cannot_compare_are_reported(app, relevant, reason):
    survey = [
        ["type", "name", "label", "relevant"],
        ["select_one yn", "sel", "Sel"],
        ["select_multiple yn", "multi", "Multi"],
        ["text", "txt", "Txt"],
        ["note", "note", "Nota"],
        ["start", "when"],
        ["text", "target", "Target", relevant],
        ["text", "later", "Later"],
    ]
    result = _import(survey, YES_NO)

    assert result.errors == []
    assert "when" not in questions(result.definition)["target"]
    assert reason in next(m for m in issues_at(result.warnings, "survey", 7) if "relevant" in m)


def test_a_rule_over_a_name_that_does_not_exist_refuses_the_form(app):
    result = _import([["type", "name", "label", "relevant"], ["text", "a", "A", "${nobody} = 'x'"]])

    assert result.definition is None
    assert "${nobody} is not the name of any row" in _only(result.errors, "survey", 2)


def test_a_constraint_that_is_not_a_bound_is_reported(app):
    survey = [
        ["type", "name", "label", "constraint", "constraint_message"],
        ["text", "phone", "Teléfono", "regex(., '^[0-9]{8}$')", "Ocho cifras"],
        ["integer", "age", "Edad", ". >= 0 and . != 13"],
    ]
    result = _import(survey)

    assert result.errors == []
    by_key = questions(result.definition)
    assert "max_length" not in by_key["phone"] and by_key["age"]["min"] == 0
    phone = issues_at(result.warnings, "survey", 2)
    assert any("function regex()" in m for m in phone)
    assert any("constraint message of phone is not imported" in m for m in phone)
    assert ". != 13" in _only(result.warnings, "survey", 3)


def test_any_language_with_a_code_imports(app):
    result = _import([["type", "name", "label::Español (es)", "label::Français (fr)"], ["text", "a", "A", "A"]])

    assert result.errors == [] and result.definition["languages"] == ["es", "fr"]


def test_an_uncertain_language_is_asked_for_then_imports_with_the_code_given(app):
    rows = [["type", "name", "label::Español (es)", "label::Wichi"], ["text", "a", "A", "Ahla"]]
    result = _import(rows)

    assert result.definition is None and result.unknown_languages == ["Wichi"]
    assert "which language “Wichi” is" in _only(result.errors, "survey", 1)

    answered = _import(rows, languages={"Wichi": "mzh"})
    assert answered.errors == [] and answered.definition["languages"] == ["es", "mzh"]
    assert answered.definition["sections"][0]["pages"][0]["questions"][0]["text"] == {"es": "A", "mzh": "Ahla"}


def test_duplicate_names_refuse_the_form(app):
    result = _import([["type", "name", "label"], ["text", "a", "A"], ["text", "b", "B"], ["integer", "a", "A again"]])

    assert result.definition is None
    assert "already used in row 2" in _only(result.errors, "survey", 4)


def test_names_that_become_the_same_key_get_keys_of_their_own(app):
    # pyxform accepts a.b beside a-b, and one name in two groups; consult's keys are unique in a form.
    result = _import(
        [
            ["type", "name", "label"],
            ["text", "a.b", "A"],
            ["text", "a-b", "B"],
            ["begin group", "g", "G"],
            ["text", "c", "C"],
            ["end group"],
            ["begin group", "h", "H"],
            ["text", "c", "C again"],
            ["end group"],
        ]
    )

    assert result.errors == [] and list(questions(result.definition)) == ["a_b", "a_b_2", "c", "c_2"]
    assert "this row is stored as a_b_2" in " ".join(issues_at(result.warnings, "survey", 3))
    assert "already used in row 5; this row is stored as c_2" in _only(result.warnings, "survey", 8)


def test_choice_names_that_become_the_same_code_get_codes_of_their_own(app):
    choices = [["list_name", "name", "label"], ["yn", "Sí", "Sí"], ["yn", "si", "Si"]]
    result = _import([["type", "name", "label"], ["select_one yn", "a", "A"]], choices)

    assert result.errors == [] and [o["value"] for o in questions(result.definition)["a"]["options"]] == ["si", "si_2"]
    assert "would both become the code si; this one is stored as si_2" in _only(result.warnings, "choices", 3)


def test_a_missing_list_refuses_the_form_and_a_list_from_a_missing_file_leaves_its_question_out(app):
    result = _import(
        [["type", "name", "label"], ["select_one colours", "a", "A"], ["select_one_from_file towns.csv", "b", "B"]],
        YES_NO,
    )

    assert result.definition is None
    assert "The list colours of a is not in the choices sheet" in _only(result.errors, "survey", 2)
    left_out = _only(result.warnings, "survey", 3)
    assert "b is not imported" in left_out and "towns.csv" in left_out and "list_name towns" in left_out
    assert "used by no question" in _only(result.warnings, "choices", 2)


@pytest.mark.parametrize(
    ("survey", "row", "text"),
    [
        ([["type", "name", "label"], ["begin group", "g", "G"], ["text", "a", "A"]], 2, "never closed"),
        ([["type", "name", "label"], ["text", "a", "A"], ["end group"]], 3, "never opened"),
        ([["type", "name", "label"], ["txet", "a", "A"]], 2, "“txet” is not an XLSForm question type"),
        ([["type", "name", "label"], ["text", None, "A"]], 2, "has no name"),
        ([["type", "name", "label"], [None, "a", "A"]], 2, "has no type"),
        ([["type", "name", "label"], ["integer", "a", None]], 2, "has no label"),
    ],
)
def test_broken_rows_refuse_the_form_with_their_row(app, survey, row, text):
    result = _import(survey)

    assert result.definition is None
    assert text in " | ".join(issues_at(result.errors, "survey", row))


@pytest.mark.parametrize(
    ("survey", "column", "expected"),
    [
        ([["type", "name", "label::es", "label::en"], ["text", "a", None, "A"]], "text", {"es": "A", "en": "A"}),
        (
            [["type", "name", "label", "hint::en"], ["integer", "a", "A", "help"]],
            "help",
            {"es": "help", "en": "help"},
        ),
    ],
)
def test_a_text_missing_in_the_default_language_borrows_another_reported(app, survey, column, expected):
    # pyxform converts a form with a missing translation; consult needs the fallback text, so it stands in.
    result = _import(survey)

    assert result.errors == [] and questions(result.definition)["a"][column] == expected
    assert "has no text in the default language (es); the en text is used there" in _only(result.warnings, "survey", 2)


def test_a_question_with_only_a_hint_shows_the_hint_as_its_text(app):
    result = _import([["type", "name", "label", "hint"], ["text", "a", None, "Your village"]])

    assert result.errors == [] and questions(result.definition)["a"]["text"] == {"es": "Your village"}
    assert "help" not in questions(result.definition)["a"]
    assert "no label; its hint is shown" in _only(result.warnings, "survey", 2)


def test_what_validation_finds_is_put_back_on_its_row(app):
    result = _import(
        [["type", "name", "label", "constraint"], ["text", "a", "A"], ["integer", "b", "B", ". >= 10 and . <= 5"]]
    )

    assert result.definition is None
    assert "“min” is greater than “max”" in _only(result.errors, "survey", 3)


def test_a_choice_without_a_label_in_the_default_language_borrows_one_reported_on_its_row(app):
    choices = [
        ["list_name", "name", "label::es", "label::en"],
        ["yn", "yes", "Sí", "Yes"],
        ["yn", "no", None, "No"],
        ["yn", "maybe", None, None],
    ]
    result = _import([["type", "name", "label::es"], ["select_one yn", "a", "A"]], choices)

    assert result.errors == []
    labels = [o["label"] for o in questions(result.definition)["a"]["options"]]
    assert labels == [{"es": "Sí", "en": "Yes"}, {"es": "No", "en": "No"}, {"es": "maybe"}]
    assert "choice no of list yn has no label in the default language (es)" in _only(result.warnings, "choices", 3)
    assert "maybe is shown until it is translated" in _only(result.warnings, "choices", 4)


def test_conditional_required_is_reported(app):
    result = _import([["type", "name", "label", "required"], ["integer", "a", "A"], ["text", "b", "B", "${a} > 3"]])

    assert "required" not in questions(result.definition)["b"]
    assert "only takes yes or no" in _only(result.warnings, "survey", 3)


def test_the_report_is_translated(app):
    result = _import([["type", "name", "label"], ["text", "q", "Q"], ["begin repeat", "r", "R"], ["end repeat"]])
    issue = result.warnings[0]

    with force_locale("es"):
        spanish = str(issue)
    with force_locale("pt"):
        portuguese = str(issue)
    assert spanish.startswith("Hoja survey, fila 3: ")
    assert "No se admiten repeticiones (r)" in spanish
    assert portuguese.startswith("Planilha survey, linha 3: ")


def test_loose_folding_does_not_hide_a_rule_on_the_select(app):
    survey = [["type", "name", "label", "relevant"], ["select_one yn", "a", "A"], ["text", "b", "B", "${a} = 'yes'"]]
    result = _import(survey, YES_NO)

    assert questions(result.definition)["b"]["when"] == {"==": [answer("a"), "yes"]}


def test_a_label_that_shows_an_earlier_answer_is_reported(app):
    result = _import(
        [
            ["type", "name", "label", "hint"],
            ["text", "name", "Nombre"],
            ["integer", "age", "¿Cuántos años tiene, ${name}?", "Hola ${name}"],
        ]
    )

    assert questions(result.definition)["age"]["text"] == {"es": "¿Cuántos años tiene, ${name}?"}
    messages = issues_at(result.warnings, "survey", 3)
    assert any("label of age shows earlier answers (${name})" in m for m in messages)
    assert any("hint of age shows earlier answers (${name})" in m for m in messages)
