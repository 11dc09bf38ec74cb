"""The one rule for spreadsheet cells (consult.core.cells), and the files written before exports followed it."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
import xlsxwriter

from consult.core import cells
from tests.surveys.store_helpers import make_instrument  # noqa: F401  (fixture)

DANGEROUS = ["=1+2", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\r=x", '=HYPERLINK("http://evil")']
HARMLESS = ["water", "-3", "+4.5", "-0,5", "1e-3", "", "'quoted", "a=b"]


def formula_cells_xlsx(data: bytes) -> list[str]:
    """Every cell of a workbook that a spreadsheet would run: formulas, or texts that start like one."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    found = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (isinstance(cell.value, str) and cells.is_formula_like(cell.value)):
                    found.append(f"{sheet.title}!{cell.coordinate}={cell.value!r}")
    return found


def formula_cells_csv(text: str) -> list[str]:
    """Every CSV cell that starts like a formula."""
    return [value for row in csv.reader(io.StringIO(text)) for value in row if cells.is_formula_like(value)]


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_like_text_gets_an_apostrophe_and_comes_back(text):
    safe = cells.safe_text(text)
    assert safe == "'" + text and not cells.is_formula_like(safe)
    assert cells.restore(safe) == text


@pytest.mark.parametrize("text", HARMLESS)
def test_numbers_and_plain_text_are_left_alone(text):
    assert cells.safe_text(text) == text
    assert cells.restore(text) == text


def test_csv_writer_neutralises_every_text_cell_and_keeps_numbers():
    out = io.StringIO()
    writer = cells.csv_writer(out)
    writer.writerow(DANGEROUS + [3, -2.5, None])
    assert formula_cells_csv(out.getvalue()) == []
    row = next(csv.reader(io.StringIO(out.getvalue())))
    assert row[0] == "'=1+2" and row[-3:] == ["3", "-2.5", ""]


def test_openpyxl_and_xlsxwriter_rows_hold_no_formula():
    book = openpyxl.Workbook()
    cells.append_row(book.active, DANGEROUS + ["fine", 4, "a\x07b"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert formula_cells_xlsx(buffer.getvalue()) == []
    values = [c.value for c in openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active[1]]
    assert values[0] == "'=1+2" and values[-3:] == ["fine", 4, "ab"]

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    cells.write_xlsx_row(sheet, 0, DANGEROUS + [5, True])
    workbook.close()
    assert formula_cells_xlsx(buffer.getvalue()) == []
    values = [c.value for c in openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active[1]]
    assert values[:2] == ["'=1+2", "'+cmd|' /C calc'!A0"] and values[-2:] == [5, True]


def test_the_instrument_export_marks_formulas_the_same_way(db, make_instrument):
    from consult.surveys import content_i18n, services
    from consult.surveys.xlsform.writer import export_xlsform

    version = make_instrument()
    services.update_texts(version, "en", {"title": '=HYPERLINK("http://evil")'})
    translation = content_i18n.export_xlsx(version, "en")
    assert formula_cells_xlsx(translation) == []
    definition = dict(version.definition)
    definition["sections"][0]["pages"][0]["questions"][0]["text"]["es"] = "-1+2 ¿Qué pasó?"
    instrument = export_xlsform(definition, form_id="f")
    assert formula_cells_xlsx(instrument) == []
    # Both carry the same mark, so a person sees the same thing in either file.
    assert '\'=HYPERLINK("http://evil")' in [
        c.value for row in openpyxl.load_workbook(io.BytesIO(translation)).active.iter_rows() for c in row
    ]
    survey = openpyxl.load_workbook(io.BytesIO(instrument))["survey"]
    assert "'-1+2 ¿Qué pasó?" in [c.value for row in survey.iter_rows() for c in row]


def test_the_fast_row_helpers_follow_the_same_rule():
    row = DANGEROUS + HARMLESS + [3, -2.5, None, True]
    assert cells.safe_cells(list(row)) == [cells.safe_cell(v) for v in row]
    out = io.StringIO()
    cells.csv_writer(out).writelist(list(row))
    slow = io.StringIO()
    cells.csv_writer(slow).writerow(row)
    assert out.getvalue() == slow.getvalue() and formula_cells_csv(out.getvalue()) == []

    def workbook_of(write) -> bytes:
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": True})
        write(workbook.add_worksheet())
        workbook.close()
        return buffer.getvalue()

    def values(data: bytes) -> list[list[object]]:
        return [list(r) for r in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]

    fast = workbook_of(lambda sheet: [cells.XlsxRowWriter(sheet).write(n, row) for n in range(2)])
    plain = workbook_of(lambda sheet: [cells.write_xlsx_row(sheet, n, row) for n in range(2)])
    assert values(fast) == values(plain) and formula_cells_xlsx(fast) == []
