"""KoboToolbox data exports through the bulk import: XML names or labels, group paths, Kobo's own columns dropped."""

from __future__ import annotations

import io

import openpyxl
import pytest

from consult.responses import bulk_import
from consult.responses.models import EntryMode
from consult.surveys.xlsform import import_xlsform
from tests.fixtures.xlsforms.corpus import HERE


@pytest.fixture
def kobo_consultation(app, create_version, create_consultation, create_territory):
    definition = import_xlsform((HERE / "kobo_asset.json").read_bytes(), filename="kobo_asset.json").definition
    territory = create_territory("kobo-land", enabled_languages=["es", "en"])
    version = create_version(definition)
    return create_consultation(territory, groups={"rural_community": version}, languages=("es", "en"))


def _check(consultation, data: bytes, filename: str):
    defaults = bulk_import.Defaults("rural_community", "es", EntryMode.PAPER)
    return bulk_import.check_file(consultation, data, filename, defaults, batch="k" * 20, interface_lang="en")


def test_a_kobo_export_with_xml_names_imports_and_drops_kobos_columns(kobo_consultation, db):
    report, items = _check(kobo_consultation, (HERE / "kobo_export.csv").read_bytes(), "kobo.csv")

    assert report.problems == [] and report.valid_rows == 2
    first, second = items
    assert first.answers["agua"] == "si" and first.answers["horas"] == 6
    assert sorted(
        first.answers["usos"]["selected"] if isinstance(first.answers["usos"], dict) else first.answers["usos"]
    ) == [
        "beber",
        "riego",
    ]
    assert first.answers["comentario"] == "Falta agua en verano" and "lugar" not in first.answers
    assert second.answers["agua"] == "no" and "horas" not in second.answers
    assert first.submission_key != second.submission_key  # from _uuid: the same export twice is refused
    notes = {note.column: note for note in report.notes}
    for kobo_column in ("_id", "_uuid", "_submission_time", "_validation_status", "_index", "start"):
        assert kobo_column in notes, sorted(notes)


def test_a_kobo_export_with_labels_imports_the_same_answers(kobo_consultation, db):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(
        ["Household/¿Tiene agua en casa?", "Hogar/Horas de agua al día", "Hogar/Usos/Beber", "_uuid", "_index"]
    )
    sheet.append(["Sí", 12, 1, "uuid-1", 1])
    sheet.append(["No", None, 0, "uuid-2", 2])
    out = io.BytesIO()
    workbook.save(out)

    report, items = _check(kobo_consultation, out.getvalue(), "kobo.xlsx")

    assert report.problems == [], [(p.row, p.column, p.message) for p in report.problems]
    assert items[0].answers["agua"] == "si" and items[0].answers["horas"] == 12
    assert items[1].answers["agua"] == "no"
