"""Export → pyxform → import: every instrument travels through XLSForm and comes back the same."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import openpyxl
import pytest
from pyxform.xls2xform import convert

from consult.surveys.engine import Instrument
from consult.surveys.paths import path_pages
from consult.surveys.validation import validate_definition
from consult.surveys.xlsform import export_xlsform, import_xlsform
from tests.surveys.test_xlsform_import import KOBO_CHOICES, KOBO_SETTINGS, KOBO_SURVEY
from tests.surveys.xlsform_helpers import answer, every_type_definition, questions, workbook

LIBRARY = sorted((Path(__file__).resolve().parents[2] / "consult" / "surveys" / "library").glob("*.json"))


def canonical(value):
    """A definition with equivalent spellings made equal: ``{"not": c}`` is ``{"not": [c]}``; no empty members."""
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if key in ("when", "routing") and item in (None, []):
                continue
            if key == "not" and isinstance(item, dict):
                item = [item]
            result[key] = canonical(item)
        return result
    if isinstance(value, list):
        return [canonical(item) for item in value]
    return value


def pyxform(data: bytes, tmp_path: Path) -> tuple[str, list[str]]:
    """The XForm pyxform makes of a workbook written to disk, and its warnings."""
    path = tmp_path / "form.xlsx"
    path.write_bytes(data)
    warnings: list[str] = []
    result = convert(xlsform=str(path), warnings=warnings)
    return result.xform, warnings


def test_every_type_round_trips_and_pyxform_accepts_the_workbook(app, tmp_path):
    definition = every_type_definition()
    assert validate_definition(definition) == []

    data = export_xlsform(definition)
    xform, warnings = pyxform(data, tmp_path)
    result = import_xlsform(data)

    assert warnings == []
    assert 'consult:type="severity"' in xform and 'consult:type="ungp31"' in xform
    assert "<h:title>Todos los tipos</h:title>" in xform
    assert result.errors == [] and result.warnings == []
    assert result.definition == definition


def test_the_sample_instrument_round_trips(app, tmp_path, sample_definition):
    data = export_xlsform(sample_definition)
    _, warnings = pyxform(data, tmp_path)
    result = import_xlsform(data)

    assert warnings == [] and result.errors == [] and result.warnings == []
    assert canonical(result.definition) == canonical(sample_definition)


@pytest.mark.parametrize("path", LIBRARY, ids=[p.stem for p in LIBRARY])
def test_the_built_in_library_round_trips(app, tmp_path, path):
    definition = json.loads(path.read_text(encoding="utf-8"))
    data = export_xlsform(definition)
    _, warnings = pyxform(data, tmp_path)
    result = import_xlsform(data)

    assert warnings == [] and result.errors == [] and result.warnings == []
    assert canonical(result.definition) == canonical(definition)


def test_routing_comes_back_and_walks_the_same_path(app):
    definition = every_type_definition()
    back = import_xlsform(export_xlsform(definition)).definition
    original, copied = Instrument.from_dict(definition), Instrument.from_dict(back)

    for answers in (
        {"consent": ["quote"]},
        {"consent": ["aggregate"], "group": "rural_community"},
        {"consent": ["aggregate"]},
    ):
        assert [p.key for p in path_pages(copied, answers)] == [p.key for p in path_pages(original, answers)]
    assert [p.key for p in path_pages(copied, {"consent": ["quote"]})] == ["p_intro"]


def test_the_workbook_reads_as_an_odk_user_expects(app):
    book = openpyxl.load_workbook(io.BytesIO(export_xlsform(every_type_definition(), form_id="water_2026")))
    survey = [[cell for cell in row] for row in book["survey"].iter_rows(values_only=True)]
    header = survey[0]
    rows = {row[1]: dict(zip(header, row)) for row in survey[1:] if row[1]}

    assert tuple(header[:5]) == ("type", "name", "label::Español (es)", "label::English (en)", "label::Português (pt)")
    assert rows["p_intro"]["type"] == "begin group" and rows["p_intro"]["appearance"] == "field-list"
    assert rows["age"]["type"] == "integer" and rows["age"]["constraint"] == ". >= 0 and . <= 120"
    assert rows["what"]["appearance"] == "multiline"
    assert (
        rows["what"]["relevant"]
        == "(selected(${rights}, 'water') or selected(${rights}, 'land')) and (${harm} != '' and ${harm} != 'no')"
    )
    assert (
        rows["rights"]["constraint"] == "not(selected(., 'none') and count-selected(.) > 1) and count-selected(.) <= 2"
    )
    assert rows["sev__scale"]["type"] == "select_one consult_severity_scale"
    assert rows["sev"]["bind::consult:type"] == "severity"
    assert rows["place"]["type"] == "text" and rows["place"]["bind::consult:type"] == "territory"
    assert rows["trust"]["appearance"] == "likert"
    assert rows["p_numbers"]["relevant"] == "${group} != '' and ${p_intro__route} != 'end'"
    # A text that looks like a formula stays text: marked as every consult spreadsheet marks it.
    assert rows["name"]["label::Español (es)"] == "'=Nombre"
    assert book["survey"].cell(row=[r[1] for r in survey].index("name") + 1, column=3).data_type == "s"
    settings = dict(zip(*book["settings"].iter_rows(values_only=True)))
    assert settings["form_id"] == "water_2026" and settings["default_language"] == "Español (es)"


def test_the_engine_labels_are_written_in_each_language(app):
    book = openpyxl.load_workbook(io.BytesIO(export_xlsform(every_type_definition())))
    choices = {(row[0], row[1]): row[2:5] for row in book["choices"].iter_rows(values_only=True)}

    spanish, english, _ = choices[("consult_ungp31", "dont_know")]
    assert english == "I don't know" and spanish == "No sé"


def test_a_condition_xlsform_cannot_say_travels_in_the_consult_data(app, tmp_path):
    definition = every_type_definition()
    page = definition["sections"][1]["pages"][1]
    page["questions"][4]["when"] = {"answered": [answer("sev")]}
    assert validate_definition(definition) == []

    data = export_xlsform(definition)
    _, warnings = pyxform(data, tmp_path)
    result = import_xlsform(data)

    assert warnings == [] and result.errors == []
    assert questions(result.definition)["since"]["when"] == {"answered": [answer("sev")]}


def test_an_imported_kobo_form_exports_and_imports_to_the_same_definition(app, tmp_path):
    first = import_xlsform(workbook(KOBO_SURVEY, KOBO_CHOICES, KOBO_SETTINGS)).definition
    data = export_xlsform(first)
    _, warnings = pyxform(data, tmp_path)
    second = import_xlsform(data)

    assert warnings == [] and second.errors == [] and second.warnings == []
    assert second.definition == first


def test_export_does_not_change_the_definition(app):
    definition = every_type_definition()
    before = copy.deepcopy(definition)
    export_xlsform(definition)
    assert definition == before


def test_quechua_and_guarani_columns_are_accepted_by_pyxform(app, tmp_path):
    definition = every_type_definition()
    definition["languages"] = ["es", "qu", "gn", "guc"]
    for question in questions(definition).values():
        question["text"]["qu"] = "Tapuy"
    _, warnings = pyxform(export_xlsform(definition), tmp_path)
    result = import_xlsform(export_xlsform(definition))

    assert warnings == [] and result.errors == []
    assert result.definition["languages"] == ["es", "qu", "gn", "guc"]
    assert questions(result.definition)["age"]["text"] == {"es": "Edad", "qu": "Tapuy"}


def test_concepts_travel_through_xlsform_and_pyxform_accepts_them(app, tmp_path):
    from tests.surveys.test_concepts import tagged

    definition = tagged()
    data = export_xlsform(definition)
    xform, warnings = pyxform(data, tmp_path)
    result = import_xlsform(data)

    assert warnings == [] and result.errors == [] and result.warnings == []
    assert 'consult:concept="ungp31:company_grievance"' in xform and 'consult:concept="right"' in xform
    assert result.definition == definition
    book = openpyxl.load_workbook(io.BytesIO(data))
    survey = list(book["survey"].iter_rows(values_only=True))
    assert "bind::consult:concept" in survey[0]
    choices = list(book["choices"].iter_rows(values_only=True))
    assert choices[0][-1] == "concept"
    assert ("water", "water_sanitation") in {(row[1], row[-1]) for row in choices[1:]}
