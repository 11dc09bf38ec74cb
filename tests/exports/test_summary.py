"""The consultation summary of every demo consultation, read back as XLSX (openpyxl) and as a ZIP of CSV files.

What is checked is what an official gets: the figures equal the published
analysis (``services.results_page(..., published=True)`` and the public
participation table), no count below the threshold appears, hidden figures
read as the public page's mark, and no cell is a formula, even for a theme
whose name starts with "=".
"""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pandas as pd
import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import select

from consult.analysis import services
from consult.analysis.filters import read_filter
from consult.analysis.suppression import is_small, suppress
from consult.analysis.themes import create_theme
from consult.core.cells import is_formula_like
from consult.exports.summary import write_summary
from consult.responses.models import Consultation

FORMULA_THEME = '=HYPERLINK("http://evil.example","clic")'


@pytest.fixture
def seeded(app, db):
    """Every demo consultation, each with a theme whose name a spreadsheet would run as a formula."""
    from consult.demo import seed_demo

    seed_demo()
    consultations = list(db.session.scalars(select(Consultation).order_by(Consultation.id)))
    for consultation in consultations:
        create_theme(consultation, "formula_name", FORMULA_THEME)
    db.session.commit()
    return consultations


def exported(consultation, fmt: str, lang: str) -> tuple[bytes, list[tuple[int, int]]]:
    """The bytes of an export and the progress it reported."""
    out, steps = io.BytesIO(), []
    write_summary(consultation, fmt, out, lang=lang, progress=lambda done, total: steps.append((done, total)))
    return out.getvalue(), steps


def hidden_mark(lang: str) -> str:
    """The public page's mark for a hidden figure in ``lang``."""
    with force_locale(lang):
        return suppress(pd.DataFrame({"n": [0]}), 1).hidden_label


def xlsx_blocks(sheet) -> list[tuple[str, list[str], list[list]]]:
    """The tables of a sheet: (title, header, rows); a header is the row with the header fill."""
    blocks, title, current = [], "", None
    for row in sheet.iter_rows():
        first = row[0]
        values = [cell.value for cell in row]
        if first.fill is not None and str(first.fill.fgColor.rgb).endswith("E3F0E8"):
            current = (title, [v for v in values if v is not None], [])
            blocks.append(current)
            continue
        if all(v is None for v in values):
            current = None
            continue
        if first.font is not None and first.font.b and first.font.sz == 12:
            title = first.value
            continue
        if current is not None:
            current[2].append(values)
    return blocks


def count_titles(consultation, lang: str) -> set[str]:
    """Titles of the columns that count people or reports, from the data package schema in ``lang``."""
    data, _steps = exported(consultation, "datapackage", lang)
    descriptor = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("datapackage.json"))
    return {f["title"] for r in descriptor["resources"] for f in r["schema"]["fields"] if "constraints" in f}


def assert_no_formula(values) -> None:
    """No cell text a spreadsheet would run."""
    for value in values:
        assert not (isinstance(value, str) and is_formula_like(value)), value


def same(text: str, value) -> bool:
    """A CSV cell and the workbook's cell hold the same figure or text (a number read back may lose its ".0")."""
    if value is None:
        return text == ""
    if isinstance(value, (int, float)):
        return float(text) == float(value)
    return text == value


def expected_participation(consultation) -> dict[str, int | None]:
    """The public page's 'who took part' figures (None: hidden)."""
    ctx = services.context(consultation, "es")
    counts = services.participation(ctx)
    table = suppress(
        pd.DataFrame({"n": [n for _k, n in counts]}, index=[k for k, _n in counts]),
        consultation.small_cell_threshold,
        row_totals=False,
    )
    return {**{k: table.cell(k, "n") for k, _n in counts}, "__all__": table.base("n")}


def test_the_workbook_of_every_demo_consultation_matches_the_published_analysis(seeded):
    mark = hidden_mark("es")
    for consultation in seeded:
        k = consultation.small_cell_threshold
        data, steps = exported(consultation, "xlsx", "es")
        assert steps[-1] == (7, 7) and len(steps) == 7
        book = load_workbook(io.BytesIO(data))

        # The cover sheet first, with the threshold and the method
        cover = [[c.value for c in row] for row in book.worksheets[0].iter_rows()]
        text = " ".join(str(v) for row in cover for v in row if v)
        assert consultation.title_in("es") in text and f" {k} " in text and mark in text
        assert "(secondary suppression)" in text or "secundaria" in text

        # No formula anywhere; the formula-like theme name is text
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                assert_no_formula(cell.value for cell in row)
        themes = xlsx_blocks(book.worksheets[-1])[0]
        assert ["formula_name", "'" + FORMULA_THEME] in [row[:2] for row in themes[2]]

        # No count below the threshold in any column that counts people or reports
        counted = count_titles(consultation, "es")
        for sheet in book.worksheets[1:]:
            for _title, header, rows in xlsx_blocks(sheet):
                for row in rows:
                    for name, value in zip(header, row):
                        if name in counted and isinstance(value, int):
                            assert not is_small(value, k), (sheet.title, _title, name, row)

        # Who took part: the public page's table, hidden figures as its mark
        participation = xlsx_blocks(book.worksheets[1])[0]
        shown = {row[0]: row[2] for row in participation[2]}
        for code, n in expected_participation(consultation).items():
            assert shown[code] == (mark if n is None else n), code

        # Results: every line of every question equals the published results page
        with force_locale("es"):
            ctx = services.context(consultation, "es")
            page = services.results_page(ctx, read_filter({}, consultation), published=True, pictures_too=False)
        blocks = xlsx_blocks(book.worksheets[2])
        assert len(blocks) == len(page.sections)
        checked = 0
        for section, (_title, header, rows) in zip(page.sections, blocks):
            by_key = {(r[0], r[2] or "", r[3]): r for r in rows}
            for result, tables in section.questions:
                if result.question.type == "territory":
                    continue
                for part, view in tables:
                    for line in view.lines:
                        row = by_key[(result.question.key, str(part or ""), line.key)]
                        for j, cell in enumerate(line.cells):
                            assert row[5 + 2 * j] == (mark if cell.is_hidden else cell.count)
                        pooled = row[5 + 2 * len(line.cells)]
                        assert pooled == (mark if line.pooled.is_hidden else line.pooled.count)
                        checked += 1
        assert checked > 50


def test_the_csv_files_hold_the_same_tables_as_the_workbook(seeded):
    for consultation in seeded:
        workbook, _steps = exported(consultation, "xlsx", "en")
        archive, _steps = exported(consultation, "csv", "en")
        book = load_workbook(io.BytesIO(workbook))
        files = zipfile.ZipFile(io.BytesIO(archive))
        names = files.namelist()
        assert names[0] == "cover.csv" and "README.txt" in names
        assert {
            "participation.csv",
            "coverage_places.csv",
            "results_1.csv",
            "salience.csv",
            "severity_matrix.csv",
            "divergence.csv",
            "remedy_mechanisms.csv",
            "remedy_ungp31.csv",
            "themes.csv",
        } <= set(names)
        sheets_tables = [block for sheet in book.worksheets[1:] for block in xlsx_blocks(sheet)]
        csv_names = [n for n in names if n.endswith(".csv") and n != "cover.csv"]
        assert len(csv_names) == len(sheets_tables)
        for name, (_title, header, rows) in zip(csv_names, sheets_tables):
            raw = files.read(name)
            assert raw.startswith(b"\xef\xbb\xbf"), name
            table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
            assert table[0] == header, name
            if not rows or rows[0][0] in ("Nothing to show yet.",):
                assert len(table) == 1, name
                continue
            rows = [r for r in rows if len([v for v in r if v is not None]) > 1]  # the note line is not a row
            assert len(table) - 1 == len(rows), name
            for line, row in zip(table[1:], rows):
                assert_no_formula(line)
                assert len(line) <= len(row) and all(same(a, b) for a, b in zip(line, row)), (name, line, row)
        themes = list(csv.reader(io.StringIO(files.read("themes.csv").decode("utf-8-sig"))))
        assert ["formula_name", "'" + FORMULA_THEME] in [row[:2] for row in themes]
