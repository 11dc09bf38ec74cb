"""Importing XLSForms written the way KoboToolbox and ODK users write them."""

from __future__ import annotations

import pytest

from consult.surveys.engine import Instrument
from consult.surveys.paths import path_pages
from consult.surveys.rules import evaluate
from consult.surveys.validation import validate_definition
from consult.surveys.xlsform import import_xlsform
from tests.surveys.xlsform_helpers import answer, issues_at, pages, questions, workbook

KOBO_SURVEY = [
    [
        "type",
        "name",
        "label::English (en)",
        "label::Español (es)",
        "hint::English (en)",
        "hint::Español (es)",
        "required",
        "relevant",
        "constraint",
        "constraint_message::English (en)",
        "appearance",
        "media::image::English (en)",
        "$kuid",
    ],
    ["start", "start", None, None, None, None, None, None, None, None, None, None, "a1"],
    ["end", "end", None, None, None, None, None, None, None, None, None, None, "a2"],
    [
        "begin_group",
        "household",
        "Your household",
        "Su hogar",
        None,
        None,
        None,
        None,
        None,
        None,
        "field-list",
        None,
        "a3",
    ],
    [
        "integer",
        "hh_size",
        "How many people live here?",
        "¿Cuántas personas viven aquí?",
        "Count yourself",
        "Cuéntese",
        "true",
        None,
        ". > 0 and . <= 30",
        "Between 1 and 30",
        None,
        None,
        "a4",
    ],
    [
        "select_one yes_no",
        "has_water",
        "Do you have drinking water?",
        "¿Tiene agua potable?",
        None,
        None,
        "yes",
        None,
        None,
        None,
        "horizontal",
        "tap.png",
        "a5",
    ],
    [
        "select_multiple water_source or_other",
        "sources",
        "Where does it come from?",
        "¿De dónde viene?",
        None,
        None,
        None,
        "${has_water} = 'yes'",
        None,
        None,
        None,
        None,
        "a6",
    ],
    [
        "text",
        "problems",
        "What problems do you have with water?",
        "¿Qué problemas tiene con el agua?",
        None,
        None,
        None,
        "${has_water} = 'no' or selected(${sources}, 'river')",
        None,
        None,
        "multiline",
        None,
        "a7",
    ],
    ["end_group", None, None, None, None, None, None, None, None, None, None, None, "a8"],
    [],
    ["note", "thanks", "Thank you!", "¡Gracias!", None, None, None, None, None, None, None, None, "a9"],
]
KOBO_CHOICES = [
    ["list_name", "name", "label::English (en)", "label::Español (es)", "$kuid"],
    ["yes_no", "yes", "Yes", "Sí", "b1"],
    ["yes_no", "no", "No", "No", "b2"],
    [],
    ["water_source", "river", "River", "Río", "b3"],
    ["water_source", "well", "Well", "Pozo", "b4"],
    ["water_source", "Piped Water", "Piped water", "Agua de tubería", "b5"],
]
KOBO_SETTINGS = [
    ["form_title", "form_id", "version", "default_language", "style"],
    ["Water and communities", "water_2024", "vGx7", "English (en)", "pages"],
]


def test_a_kobotoolbox_form_imports_with_its_questions_languages_and_rules(app):
    result = import_xlsform(workbook(KOBO_SURVEY, KOBO_CHOICES, KOBO_SETTINGS), filename="water.xlsx")

    assert result.errors == []
    definition = result.definition
    assert definition["key"] == "water_2024"
    assert definition["title"] == {"en": "Water and communities"}
    assert definition["languages"] == ["en", "es"] and definition["fallback_language"] == "en"
    assert result.version == "vGx7"
    assert validate_definition(definition) == []
    by_key = questions(definition)
    assert list(by_key) == ["hh_size", "has_water", "sources", "problems", "thanks"]
    size = by_key["hh_size"]
    assert size["type"] == "number" and size["min"] == 1 and size["max"] == 30 and size["required"] is True
    assert size["text"] == {"en": "How many people live here?", "es": "¿Cuántas personas viven aquí?"}
    assert size["help"] == {"en": "Count yourself", "es": "Cuéntese"}
    assert size["messages"] == {"min": {"en": "Between 1 and 30"}, "max": {"en": "Between 1 and 30"}}
    assert by_key["has_water"]["options"] == [
        {"value": "yes", "label": {"en": "Yes", "es": "Sí"}},
        {"value": "no", "label": {"en": "No", "es": "No"}},
    ]
    sources = by_key["sources"]
    assert sources["type"] == "multiple_choice"
    assert [o["value"] for o in sources["options"]] == ["river", "well", "piped_water"]
    assert sources["other"] == {"label": {"en": "Other", "es": "Otro"}}
    assert sources["when"] == {"==": [answer("has_water"), "yes"]}
    assert by_key["problems"]["type"] == "long_text"
    assert by_key["problems"]["when"] == {
        "or": [{"==": [answer("has_water"), "no"]}, {"any-in": [answer("sources"), ["river"]]}]
    }
    assert by_key["thanks"]["type"] == "info"
    # The group is a page with its title; the note outside it is a page of its own.
    assert [p["key"] for p in pages(definition).values()] == ["household", "page_1"]
    assert pages(definition)["household"]["title"] == {"en": "Your household", "es": "Su hogar"}

    warnings = result.warnings
    assert any("not imported" in m and "to protect respondents" in m for m in issues_at(warnings, "survey", 2))
    assert any("end (end)" in m for m in issues_at(warnings, "survey", 3))
    assert any("horizontal" in m for m in issues_at(warnings, "survey", 6))
    assert any("media::image::English (en)" in m for m in issues_at(warnings, "survey", 6))
    assert any("Piped Water" in m and "piped_water" in m for m in issues_at(warnings, "choices", 7))
    assert any("style" in m for m in issues_at(warnings, "settings", 2))
    assert not [w for w in warnings if "$kuid" in str(w.message)]


def test_an_odk_form_with_shuffled_columns_odd_case_spaces_and_empty_rows_imports(app):
    survey = [
        ["Relevant", "LABEL", "Name", "TYPE", "Required", "Hint"],
        [None, "  ¿Cuál es su nombre?  ", " nombre ", "text", "TRUE()", None],
        [],
        [None, "¿Vive en el campo?", "campo", "Select_One  sino", True, "Marque una"],
        [None, None, None, None, None, None],
        ["${campo} = 'Sí'", "¿Qué cultiva?", "cultivo", "text", 1, None],
        ["${campo}='No'", "¿En qué trabaja?", "trabajo", "text", "no", None],
        [None, "Edad", "edad", "integer", None, None],
    ]
    choices = [["List Name", "Name", "Label"], ["sino", "Sí", "Sí"], ["sino", "No", "No"]]
    settings = [["Form_Title", "default_language"], ["Encuesta rural", "es"]]
    result = import_xlsform(
        workbook(survey, choices, settings, names=("Survey", "CHOICES", "Settings")), filename="rural.xlsx"
    )

    assert result.errors == []
    definition = result.definition
    assert definition["languages"] == ["es"] and definition["key"] == "encuesta_rural"
    by_key = questions(definition)
    assert by_key["nombre"]["text"] == {"es": "¿Cuál es su nombre?"} and by_key["nombre"]["required"] is True
    assert by_key["campo"]["required"] is True and by_key["campo"]["help"] == {"es": "Marque una"}
    assert [o["value"] for o in by_key["campo"]["options"]] == ["si", "no"]
    # The choice names became codes, and the rules that use them were rewritten.
    assert by_key["cultivo"]["when"] == {"==": [answer("campo"), "si"]}
    assert by_key["trabajo"]["when"] == {"==": [answer("campo"), "no"]}
    assert by_key["cultivo"]["required"] is True and "required" not in by_key["trabajo"]
    # Questions outside groups are gathered into pages; a question that depends on one on the page
    # being gathered starts a new page, so that skip logic works without JavaScript.
    assert [[q["key"] for q in p["questions"]] for p in pages(definition).values()] == [
        ["nombre", "campo"],
        ["cultivo", "trabajo", "edad"],
    ]
    assert any("Sí" in m and "si" in m for m in issues_at(result.warnings, "CHOICES", 2))


def test_languages_come_from_codes_names_and_regions(app):
    survey = [
        [
            "type",
            "name",
            "label::Español (es)",
            "label::Quechua",
            "label::Guaraní",
            "label::pt-BR",
            "label::Wayuunaiki (guc)",
            "hint::English",
            "hint::es",
        ],
        ["text", "q1", "Nombre", "Suti", "Téra", "Nome", "Anülia", "Name", "Nombre"],
    ]
    result = import_xlsform(workbook(survey))

    assert result.errors == []
    assert result.definition["languages"] == ["es", "qu", "gn", "pt", "guc", "en"]
    assert result.definition["fallback_language"] == "es"
    assert questions(result.definition)["q1"]["text"] == {
        "es": "Nombre",
        "qu": "Suti",
        "gn": "Téra",
        "pt": "Nome",
        "guc": "Anülia",
    }
    assert questions(result.definition)["q1"]["help"] == {"en": "Name", "es": "Nombre"}


def test_a_plain_label_is_in_the_default_language(app):
    survey = [["type", "name", "label", "label::Español (es)"], ["text", "q1", "Name", "Nombre"]]
    settings = [["default_language"], ["English"]]
    result = import_xlsform(workbook(survey, None, settings))

    assert result.errors == []
    assert result.definition["fallback_language"] == "en"
    assert questions(result.definition)["q1"]["text"] == {"en": "Name", "es": "Nombre"}


RELEVANT_FORM = [
    ["type", "name", "label"],
    ["select_one yn", "sel", "Sel"],
    ["select_multiple fruit", "multi", "Multi"],
    ["integer", "num", "Num"],
    ["text", "txt", "Txt"],
    ["date", "day", "Day"],
    ["begin group", "later", "Later"],
    ["text", "target", "Target"],
    ["end group"],
]
RELEVANT_CHOICES = [
    ["list_name", "name", "label"],
    ["yn", "yes", "Sí"],
    ["yn", "no", "No"],
    ["fruit", "apple", "Manzana"],
    ["fruit", "pear", "Pera"],
]


@pytest.mark.parametrize(
    ("expression", "condition"),
    [
        ("${sel} = 'yes'", {"==": [answer("sel"), "yes"]}),
        ('${sel}="yes"', {"==": [answer("sel"), "yes"]}),
        ("selected(${sel}, 'no')", {"==": [answer("sel"), "no"]}),
        ("${sel} != 'yes'", {"not": [{"==": [answer("sel"), "yes"]}]}),
        ("selected(${multi}, 'apple')", {"any-in": [answer("multi"), ["apple"]]}),
        ("not(selected(${multi}, 'apple'))", {"not": [{"any-in": [answer("multi"), ["apple"]]}]}),
        (
            "selected(${multi}, 'apple') and selected(${multi}, 'pear')",
            {"all-in": [answer("multi"), ["apple", "pear"]]},
        ),
        ("selected(${multi}, 'apple') or selected(${multi}, 'pear')", {"any-in": [answer("multi"), ["apple", "pear"]]}),
        ("${num} > 3 and ${num} <= 10", {"and": [{">": [answer("num"), 3]}, {"<=": [answer("num"), 10]}]}),
        ("3 < ${num}", {">": [answer("num"), 3]}),
        ("${num} >= 18 or ${sel} = 'no'", {"or": [{">=": [answer("num"), 18]}, {"==": [answer("sel"), "no"]}]}),
        (
            "(${sel} = 'yes' or ${sel} = 'no') and ${num} < 5",
            {"and": [{"in": [answer("sel"), ["yes", "no"]]}, {"<": [answer("num"), 5]}]},
        ),
        ("${txt} != ''", {"answered": [answer("txt")]}),
        ("${txt} = ''", {"not-answered": [answer("txt")]}),
        ("string-length(${txt}) > 0", {"answered": [answer("txt")]}),
        ("count-selected(${multi}) > 0", {"answered": [answer("multi")]}),
        ("count-selected(${multi}) = 0", {"not-answered": [answer("multi")]}),
        ("${num} = '4'", {"==": [answer("num"), 4]}),
        ("${day} > date('2020-01-01')", {">": [answer("day"), "2020-01-01"]}),
        ("${txt} != '' and ${txt} != 'x'", {"!=": [answer("txt"), "x"]}),
        ("not(${sel} != 'yes')", {"==": [answer("sel"), "yes"]}),
    ],
)
def test_relevant_expressions_our_operators_cover_become_rules(app, expression, condition):
    survey = [row + ([expression] if row[0] == "text" and row[1] == "target" else []) for row in RELEVANT_FORM]
    survey[0] = survey[0] + ["relevant"]
    result = import_xlsform(workbook(survey, RELEVANT_CHOICES))

    assert result.errors == [] and result.warnings == []
    assert questions(result.definition)["target"]["when"] == condition
    assert validate_definition(result.definition) == []


def test_not_equal_keeps_its_xlsform_meaning_for_an_unanswered_question(app):
    survey = [
        ["type", "name", "label", "relevant"],
        ["select_one yn", "sel", "Sel"],
        ["text", "why", "Why", "${sel} != 'yes'"],
    ]
    result = import_xlsform(workbook(survey, RELEVANT_CHOICES))
    when = questions(result.definition)["why"]["when"]

    # In ODK "${sel} != 'yes'" holds when sel is empty; so it does here.
    assert evaluate(when, {}) is True
    assert evaluate(when, {"sel": "no"}) is True
    assert evaluate(when, {"sel": "yes"}) is False


def test_groups_become_pages_sections_come_from_groups_of_groups_and_nesting_is_flattened(app):
    survey = [
        ["type", "name", "label", "relevant", "appearance"],
        ["select_one yn", "adult", "¿Es adulto?"],
        ["begin group", "part_a", "Parte A", "${adult} = 'yes'"],
        ["begin group", "work", "Trabajo", None, "field-list"],
        ["text", "job", "Empleo"],
        ["end group"],
        ["begin group", "family", "Familia"],
        ["integer", "children", "Hijos"],
        ["begin group", "inner", "Interior", "${children} > 0", "table-list"],
        ["text", "names", "Nombres"],
        ["end group"],
        ["end group"],
        ["end group"],
        ["begin group", "empty", "Vacío"],
        ["geopoint", "where", "Dónde"],
        ["end group"],
    ]
    result = import_xlsform(workbook(survey, RELEVANT_CHOICES))

    assert result.errors == []
    sections = result.definition["sections"]
    assert [s["key"] for s in sections] == ["section_1", "part_a"]
    assert sections[1]["title"] == {"es": "Parte A"}
    assert [p["key"] for p in sections[1]["pages"]] == ["work", "family"]
    # The section's condition is on each of its pages.
    assert all(p["when"] == {"==": [answer("adult"), "yes"]} for p in sections[1]["pages"])
    family = sections[1]["pages"][1]
    assert [q["key"] for q in family["questions"]] == ["children", "names"]
    assert family["questions"][1]["when"] == {">": [answer("children"), 0]}
    assert any("inner" in m and "family" in m for m in issues_at(result.warnings, "survey", 9))
    assert any("table-list" in m for m in issues_at(result.warnings, "survey", 9))
    assert any("empty" in m and "left out" in m for m in issues_at(result.warnings, "survey", 14))
    assert validate_definition(result.definition) == []


def test_select_one_from_file_is_accepted_when_its_list_is_in_the_choices_sheet(app):
    survey = [["type", "name", "label"], ["select_one_from_file towns.csv", "town", "Municipio"]]
    choices = [["list_name", "name", "label"], ["towns", "salta", "Salta"], ["towns", "cafayate", "Cafayate"]]
    result = import_xlsform(workbook(survey, choices))

    assert result.errors == []
    assert [o["value"] for o in questions(result.definition)["town"]["options"]] == ["salta", "cafayate"]


@pytest.mark.parametrize(
    ("kind", "constraint", "members"),
    [
        ("integer", ". >= 0 and . <= 120", {"min": 0, "max": 120}),
        ("integer", ". > 0 and . < 11", {"min": 1, "max": 10}),
        ("integer", "0 <= .", {"min": 0}),
        ("decimal", ". >= 0.5", {"min": 0.5, "decimal": True}),
        ("text", "string-length(.) <= 100", {"max_length": 100}),
        ("date", ". >= date('2020-01-01') and . < date('2021-01-01')", {"min": "2020-01-01", "max": "2020-12-31"}),
        ("select_multiple fruit", "count-selected(.) <= 1", {"max_choices": 1}),
    ],
)
def test_numeric_and_length_constraints_become_bounds(app, kind, constraint, members):
    survey = [["type", "name", "label", "constraint"], [kind, "q", "Q", constraint]]
    choices = [["list_name", "name", "label"], ["fruit", "apple", "Manzana"], ["fruit", "pear", "Pera"]]
    result = import_xlsform(workbook(survey, choices if kind.startswith("select") else None))

    assert result.errors == [] and result.warnings == []
    question = questions(result.definition)["q"]
    assert {k: question[k] for k in members} == members


def test_the_odk_exclusive_option_pattern_makes_the_option_exclusive(app):
    survey = [
        ["type", "name", "label", "constraint"],
        ["select_multiple help", "help", "Ayuda", "not(selected(., 'none') and count-selected(.) > 1)"],
    ]
    choices = [["list_name", "name", "label"], ["help", "food", "Comida"], ["help", "none", "Ninguna"]]
    result = import_xlsform(workbook(survey, choices))

    assert result.errors == [] and result.warnings == []
    assert questions(result.definition)["help"]["options"][1] == {
        "value": "none",
        "label": {"es": "Ninguna"},
        "exclusive": True,
    }


def test_a_please_specify_question_after_an_other_choice_becomes_the_other_box(app):
    survey = [
        ["type", "name", "label", "relevant"],
        ["select_one work", "work", "Trabajo"],
        ["text", "work_other", "¿Cuál?", "selected(${work}, 'other')"],
        ["text", "detail", "Detalle", "${work_other} != ''"],
    ]
    choices = [["list_name", "name", "label"], ["work", "farm", "Campo"], ["work", "other", "Otro trabajo"]]
    result = import_xlsform(workbook(survey, choices))

    assert result.errors == []
    by_key = questions(result.definition)
    assert list(by_key) == ["work", "detail"]
    assert by_key["work"]["options"] == [{"value": "farm", "label": {"es": "Campo"}}]
    assert by_key["work"]["other"] == {"label": {"es": "Otro trabajo"}}
    assert by_key["detail"]["when"] == {"answered": [answer("work", "other")]}
    assert any("work_other" in m for m in issues_at(result.warnings, "survey", 3))


def test_names_that_are_not_keys_are_changed_and_rules_follow(app):
    survey = [
        ["type", "name", "label", "relevant"],
        ["integer", "1st.visit-age", "Edad"],
        ["text", "_why", "Por qué", "${1st.visit-age} > 10"],
    ]
    result = import_xlsform(workbook(survey))

    assert result.errors == []
    by_key = questions(result.definition)
    assert list(by_key) == ["q_1st_visit_age", "why"]
    assert by_key["why"]["when"] == {">": [answer("q_1st_visit_age"), 10]}
    assert any("q_1st_visit_age" in m for m in issues_at(result.warnings, "survey", 2))
    assert any("why" in m for m in issues_at(result.warnings, "survey", 3))


def test_an_imported_form_runs_on_the_engine(app):
    definition = import_xlsform(workbook(KOBO_SURVEY, KOBO_CHOICES, KOBO_SETTINGS)).definition
    instrument = Instrument.from_dict(definition)

    assert [p.key for p in path_pages(instrument, {"has_water": "no"})] == ["household", "page_1"]
    assert instrument.question("sources").when is not None


def test_an_empty_choices_label_in_another_language_is_only_missing_there(app):
    survey = [["type", "name", "label::es", "label::en"], ["select_one yn", "q", "P", "Q"]]
    choices = [["list_name", "name", "label::es", "label::en"], ["yn", "yes", "Sí", None], ["yn", "no", "No", "No"]]
    result = import_xlsform(workbook(survey, choices))

    assert result.errors == []
    assert questions(result.definition)["q"]["options"][0]["label"] == {"es": "Sí"}


def test_a_group_without_a_name_still_becomes_a_page(app):
    survey = [["type", "name", "label"], ["begin group", None, "Datos"], ["text", "a", "A"], ["end group"]]
    result = import_xlsform(workbook(survey))

    assert result.errors == []
    assert list(pages(result.definition)) == ["group_1"]
    assert pages(result.definition)["group_1"]["title"] == {"es": "Datos"}


def test_the_box_of_or_other_can_be_used_in_rules(app):
    survey = [
        ["type", "name", "label", "relevant"],
        ["select_one yn or_other", "sel", "Sel"],
        ["text", "more", "Más", "${sel_other} != ''"],
    ]
    result = import_xlsform(workbook(survey, RELEVANT_CHOICES[:3]))

    assert result.errors == []
    assert questions(result.definition)["more"]["when"] == {"answered": [answer("sel", "other")]}


# -- concept tags ------------------------------------------------------------------------------------

CONCEPT_SURVEY = [
    ["type", "name", "label::Español (es)", "concept"],
    ["select_multiple derechos", "derechos", "¿Qué derechos se afectaron?", "right"],
    ["select_one derechos", "principal", "¿Cuál es el principal?", "Main_Right"],
    ["select_one genero", "genero", "Usted es:", "attribute:gender"],
    ["integer", "meses", "¿Cuántos meses esperó?", "remedy_time"],
    ["text", "nota", "Algo más", None],
]
CONCEPT_CHOICES = [
    ["list_name", "name", "label::Español (es)", "concept"],
    ["derechos", "agua", "Agua", "water_sanitation"],
    ["derechos", "tierra", "Tierra", "land_housing"],
    ["derechos", "ninguno", "Ninguno", None],
    ["genero", "mujer", "Mujer", "woman"],
    ["genero", "hombre", "Hombre", "man"],
    ["genero", "prefer_not", "Prefiero no decirlo", None],
]


def test_concept_columns_tag_questions_and_their_choices(app):
    result = import_xlsform(workbook(CONCEPT_SURVEY, CONCEPT_CHOICES))

    assert result.errors == [] and result.warnings == []
    found = questions(result.definition)
    assert found["derechos"]["concept"] == "right" and found["principal"]["concept"] == "main_right"
    assert found["derechos"]["options"] == [
        {"value": "agua", "label": {"es": "Agua"}, "concept": "water_sanitation"},
        {"value": "tierra", "label": {"es": "Tierra"}, "concept": "land_housing"},
        {"value": "ninguno", "label": {"es": "Ninguno"}},
    ]
    assert found["meses"]["concept"] == "remedy_time" and "concept" not in found["nota"]
    instrument = Instrument.from_dict(result.definition)
    assert instrument.question("genero").option_code("mujer") == "woman"
    assert instrument.question("genero").option_code("prefer_not") == "prefer_not"
    assert instrument.question("derechos").option_code("ninguno") is None


def test_the_exported_concept_column_is_read_too(app):
    survey = [["type", "name", "label", "bind::consult:concept"], ["select_one s", "sector", "Sector", "sector"]]
    choices = [["list_name", "name", "label"], ["s", "mining", "Minería"], ["s", "otra", "Otra"]]
    result = import_xlsform(workbook(survey, choices))

    assert result.errors == []
    question = Instrument.from_dict(result.definition).question("sector")
    assert (
        question.concept == "sector"
        and question.option_code("mining") == "mining"
        and question.option_code("otra") is None
    )


def test_an_unknown_concept_refuses_the_file_at_its_row(app):
    survey = [row[:] for row in CONCEPT_SURVEY]
    survey[4][3] = "waiting_time"
    result = import_xlsform(workbook(survey, CONCEPT_CHOICES))

    assert result.definition is None
    (issue,) = result.errors
    assert (issue.sheet, issue.row, issue.column) == ("survey", 5, "concept")
    assert "waiting_time" in str(issue.message) and "meses" in str(issue.message)


def test_a_concept_that_does_not_fit_the_question_refuses_the_file(app):
    survey = [row[:] for row in CONCEPT_SURVEY]
    survey[4][3] = "right"  # rights are options, not a number
    result = import_xlsform(workbook(survey, CONCEPT_CHOICES))

    (issue,) = result.errors
    assert (issue.sheet, issue.row) == ("survey", 5)
    assert "(number)" in str(issue.message) and "single_choice" in str(issue.message)


def test_a_choice_concept_outside_the_vocabulary_refuses_the_file_at_the_choice(app):
    choices = [row[:] for row in CONCEPT_CHOICES]
    choices[2][3] = "mining"
    result = import_xlsform(workbook(CONCEPT_SURVEY, choices))

    assert result.definition is None
    assert {(i.sheet, i.row, i.column) for i in result.errors} == {("choices", 3, "concept")}
    assert all("mining" in str(i.message) for i in result.errors)


def test_a_choice_concept_needs_a_concept_on_the_question(app):
    survey = [["type", "name", "label"], ["select_one g", "g", "Usted es:"]]
    choices = [
        ["list_name", "name", "label", "concept"],
        ["g", "mujer", "Mujer", "woman"],
        ["g", "hombre", "Hombre", None],
    ]
    result = import_xlsform(workbook(survey, choices))

    (issue,) = result.errors
    assert (issue.sheet, issue.row, issue.column) == ("choices", 2, "concept")
    assert "no concept" in str(issue.message)
