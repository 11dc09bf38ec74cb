"""Response data for statisticians: one row per response, one table per instrument, as CSV, XLSX or SPSS.

Who may export it (officials and analysts of the territory) is checked by the
caller (``consult.exports.catalogue``); this module writes the file.

What a row holds: the response's number, the instrument version it was given
on, the date it was sent (a date only), its language, stakeholder group,
locality and area, entry mode, whether a collective answered and for how many
people, and whether an official set it aside (set-aside responses are in the
file, flagged). Never a receipt code, an invitation, an organisation, a
mandate reference, an IP address or a testimony. Then the question columns
(``responses_plan``: the consult layout names them by question key as the
question types do; ``responses_kobo``: KoboToolbox's layout).

Files: ``csv`` is a ZIP (deflate level 1, ``ZIP_LEVEL``) of one CSV per instrument (UTF-8 with a BOM, so that
spreadsheets read accents right) and ``codebook.csv``; ``xlsx`` is one workbook
with a sheet per instrument and a ``codebook`` sheet; ``sav`` a ZIP of one SPSS
file per instrument (``responses_sav``). The codebook gives each column's label
and value labels in the chosen language and states the missing-value codes.

Streaming: the responses of an instrument and their answer rows are read as two
server-side result sets ordered by response id, merged one response at a time
into a row template precomputed per asked set, and written at once; memory does
not grow with the number of responses (SPSS excepted, see ``responses_sav``).
Every CSV and XLSX cell goes through ``consult.core.cells``.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from itertools import groupby
from operator import itemgetter
from typing import Any, BinaryIO

import xlsxwriter
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from consult.core.cells import XlsxRowWriter, csv_writer, write_xlsx_row
from consult.exports.progress import Progress, report
from consult.exports.responses_fast import compile_entry
from consult.exports.responses_kobo import KoboLayout
from consult.exports.responses_plan import (
    ASKED_NOT_ANSWERED,
    DONT_KNOW,
    RESPONSE_COLUMNS,
    ConsultLayout,
    Layout,
    Table,
    build_tables,
    places_of,
)
from consult.extensions import db
from consult.i18n import interface_language_for
from consult.responses.models import Answer, Consultation, Response
from consult.responses.paths_backfill import fill_missing
from consult.surveys.types import AnswerRow

RESPONSE_FORMATS = ("csv", "xlsx", "sav")
RESPONSE_LAYOUTS = ("consult", "kobo")
#: Rows between two progress reports.
PROGRESS_EVERY = 1000
#: Responses read at a time (a server-side cursor on PostgreSQL); their answers are read together.
CHUNK = 2000
#: Deflate level of the CSV ZIP: 1 compresses a response CSV about 4 times faster than the default 6,
#: for a file about 1.6 times larger (still some 5 times smaller than the CSV itself).
ZIP_LEVEL = 1
ANSWER_COLUMNS = (Answer.response_id, Answer.question_key, Answer.part, Answer.option, Answer.number, Answer.text)


def response_count(consultation: Consultation) -> int:
    """Rows an export of this consultation writes: every response, set-aside ones included."""
    return (
        db.session.scalar(select(func.count()).select_from(Response).where(Response.consultation_id == consultation.id))
        or 0
    )


def write_responses(
    consultation: Consultation,
    fmt: str,
    out: BinaryIO,
    *,
    lang: str,
    layout: str = "consult",
    progress: Progress | None = None,
) -> None:
    """Write the response data of ``consultation`` to ``out`` as ``fmt`` in ``layout``, labels in ``lang``.

    Raises ``ValueError`` for an unknown format or layout, or SPSS in the Kobo layout.
    """
    if fmt not in RESPONSE_FORMATS or layout not in RESPONSE_LAYOUTS or (layout == "kobo" and fmt == "sav"):
        raise ValueError(f"no response export as {fmt!r} in the {layout!r} layout")
    # Responses stored before asked sets were recorded get theirs (a derivation, as analysis does),
    # so that "asked, not answered" can be told from "not asked".
    if fill_missing(consultation.id):
        db.session.commit()
    with force_locale(interface_language_for(lang)):
        shape = make_layout(consultation, lang, layout)
        tables = build_tables(consultation, shape)
        total = response_count(consultation)
        if fmt == "csv":
            _write_csv(consultation, tables, shape, out, total, progress)
        elif fmt == "xlsx":
            _write_xlsx(consultation, tables, shape, out, total, progress)
        else:
            # Lazy: it imports this module's rows, and pyreadstat is only needed for SPSS files.
            from consult.exports.responses_sav import write_sav

            write_sav(consultation, tables, shape, out, total, progress)
    report(progress, total, total)


def make_layout(consultation: Consultation, lang: str, layout: str) -> Layout:
    """The layout object for ``layout``."""
    places = places_of(consultation)
    if layout == "kobo":
        return KoboLayout(consultation, lang, places)
    return ConsultLayout(consultation, lang, places)


# -- rows ------------------------------------------------------------------------------------------


def iter_rows(consultation: Consultation, table: Table, layout: Layout, *, fast: bool = True) -> Iterator[list[Any]]:
    """The rows of ``table``, one per response in id order, built as the rows are read.

    ``fast`` writes the consult layout's cells with ``responses_fast`` (the
    same cells as the question types give, without their per-answer objects);
    ``False`` goes the types' way, which the tests compare it with.

    The responses are streamed in id order; for each chunk of ``CHUNK`` of
    them, their answers are read by a range of response ids
    (``_answer_chunks``), so that memory is bounded by a chunk.
    """
    connection = db.session.connection()
    where = (Response.consultation_id == consultation.id, Response.instrument_version_id.in_(table.version_ids))
    responses = connection.execution_options(stream_results=True, yield_per=CHUNK).execute(
        select(*RESPONSE_COLUMNS).where(*where).order_by(Response.id)
    )
    use_fast = fast and layout.name == "consult"
    compiled: dict[int, dict[str, Any]] = {}
    for version_id, plan in table.versions.items():
        compiled[version_id] = {
            key: (compile_entry(entry, table.questions) if use_fast else None, entry)
            for key, entry in plan.entries.items()
        }
    questions = table.questions
    cells_of = layout.cells
    meta_first = table.meta_first
    template = table.template
    meta_cells = layout.meta_cells
    index = 0
    for chunk, answers_of in _answer_chunks(connection, responses):
        for response in chunk:
            index += 1
            version_id = response[1]
            row = template(version_id, response[10]).copy()
            answers = answers_of.get(response[0])
            if answers:
                grouped: dict[str, list[Any]] = {}
                for answer in answers:
                    found = grouped.get(answer[1])
                    if found is None:
                        grouped[answer[1]] = [answer]
                    else:
                        found.append(answer)
                entries = compiled[version_id]
                for key, rows in grouped.items():
                    pair = entries.get(key)
                    if pair is None:
                        continue
                    apply, entry = pair
                    if apply is not None:
                        apply(row, rows)
                        continue
                    value = entry.kind.from_rows(entry.question, [AnswerRow(r[2], r[3], r[4], r[5]) for r in rows])
                    if value is None:
                        continue
                    for target, fill, cell in zip(
                        entry.indices, entry.fill, cells_of(entry.question, entry.kind, value)
                    ):
                        if target is None:
                            continue
                        if cell is None:
                            row[target] = questions[target].asked_code if fill else None
                        else:
                            row[target] = cell
            meta = meta_cells(table, response, index)
            yield meta + row if meta_first else row + meta
    responses.close()


def _answer_chunks(connection: Any, responses: Any) -> Iterator[tuple[list[Any], dict[int, list[Any]]]]:
    """Per chunk of the streamed ``responses`` (id order): the chunk and {response id: its answer rows}.

    The answers are read by their response id range (an index range scan on
    ``answers.response_id``, no join) and grouped here; rows of responses
    between the ids that are not in the chunk (another consultation's,
    another instrument's) are dropped. Answer rows are the bulk of an export
    (some 40 per response): they are read with the driver's cursor, whose rows
    cost much less than SQLAlchemy's and need no conversion. The statement
    holds only integers of ours (response ids), written into it.
    """
    table = Answer.__table__
    names = ", ".join(c.name for c in ANSWER_COLUMNS)
    sql = (
        f"SELECT {names} FROM {table.name} WHERE response_id BETWEEN %d AND %d "  # noqa: S608 (ints only)
        "ORDER BY response_id, id"
    )
    cursor = connection.connection.dbapi_connection.cursor()
    first = itemgetter(0)
    try:
        for chunk in responses.partitions():
            cursor.execute(sql % (int(chunk[0][0]), int(chunk[-1][0])))
            wanted = {r[0] for r in chunk}
            answers_of = {rid: list(rows) for rid, rows in groupby(cursor.fetchall(), first) if rid in wanted}
            yield chunk, answers_of
    finally:
        cursor.close()


# -- CSV -------------------------------------------------------------------------------------------


def _write_csv(
    consultation: Consultation,
    tables: list[Table],
    layout: Layout,
    out: BinaryIO,
    total: int,
    progress: Progress | None,
) -> None:
    done = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as archive:
        for table in tables:
            with archive.open(f"{table.name}.csv", "w", force_zip64=True) as raw:
                stream = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                writer = csv_writer(stream)
                writer.writerow([c.name for c in table.columns])
                write = writer.writelist
                for row in iter_rows(consultation, table, layout):
                    write(row)
                    done += 1
                    if done % PROGRESS_EVERY == 0:
                        report(progress, done, total)
                stream.flush()
                stream.detach()
        _codebook_csv(archive, tables, layout)


def _codebook_csv(
    archive: zipfile.ZipFile, tables: list[Table], layout: Layout, names: dict[str, list[str]] | None = None
) -> None:
    """Write ``codebook.csv`` into ``archive``."""
    with archive.open("codebook.csv", "w") as raw:
        stream = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        writer = csv_writer(stream)
        for row in codebook_rows(tables, layout, names):
            writer.writerow(row)
        stream.flush()
        stream.detach()


# -- XLSX ------------------------------------------------------------------------------------------

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_names(tables: list[Table]) -> list[str]:
    """A distinct sheet name (≤ 31 characters, none of ``[]:*?/\\``) per table; ``codebook`` is kept for
    the codebook.
    """
    taken = {"codebook"}
    names = []
    for table in tables:
        base = (_SHEET_FORBIDDEN.sub(" ", table.title).strip().strip("'") or table.name)[:31]
        name, n = base, 2
        while name.lower() in taken:
            suffix = f" ({n})"
            name, n = base[: 31 - len(suffix)] + suffix, n + 1
        taken.add(name.lower())
        names.append(name)
    return names


def _write_xlsx(
    consultation: Consultation,
    tables: list[Table],
    layout: Layout,
    out: BinaryIO,
    total: int,
    progress: Progress | None,
) -> None:
    workbook = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "in_memory": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    bold = workbook.add_format({"bold": True})
    done = 0
    for table, name in zip(tables, sheet_names(tables)):
        sheet = workbook.add_worksheet(name)
        write_xlsx_row(sheet, 0, [c.name for c in table.columns], bold)
        sheet.freeze_panes(1, 0)
        write = XlsxRowWriter(sheet).write
        for number, row in enumerate(iter_rows(consultation, table, layout), start=1):
            write(number, row)
            done += 1
            if done % PROGRESS_EVERY == 0:
                report(progress, done, total)
    sheet = workbook.add_worksheet("codebook")
    for number, row in enumerate(codebook_rows(tables, layout)):
        write_xlsx_row(sheet, number, row, bold if number == 0 else None)
    workbook.close()


# -- codebook --------------------------------------------------------------------------------------


def codebook_rows(
    tables: list[Table], layout: Layout, names: dict[str, list[str]] | None = None
) -> Iterator[list[Any]]:
    """The codebook, long format: the conventions, then per column of every table a row, then a row per value label.

    A column's row has its label, type and question; each value row the code,
    its label and 1 in ``missing`` when the code is a declared missing value.
    ``names`` ({table name: column names in the file}) gives the names a format
    had to change (SPSS); the codebook then lists those.
    """
    yield [_("table"), _("column"), _("label"), _("type"), _("question"), _("value"), _("value label"), _("missing")]
    if layout.name == "kobo":
        yield [
            "",
            "",
            _("An empty cell: the question was not asked, or asked and not answered (as KoboToolbox exports)."),
            "",
            "",
            "",
            "",
            "",
        ]
    else:
        yield [
            "",
            "",
            _("An empty cell: the question was not asked (it was not on the person's path, or its rule hid it)."),
            "",
            "",
            "",
            "",
            "",
        ]
        yield [
            "",
            "",
            _(
                "Asked, not answered: the question was shown and left blank "
                "(also a part left blank in a severity or UNGP 31 block)."
            ),
            "",
            "",
            ASKED_NOT_ANSWERED,
            "",
            1,
        ]
        yield ["", "", _("I don't know (scales)."), "", "", DONT_KNOW, "", 1]
    yield ["", "", _("Multiple choice: one column per option, 1 chosen, 0 not chosen."), "", "", "", "", ""]
    for table in tables:
        file_names = (names or {}).get(table.name) or [c.name for c in table.columns]
        for column, name in zip(table.columns, file_names):
            yield [
                table.title,
                name,
                column.label,
                _("number") if column.numeric else _("text"),
                column.key or "",
                "",
                "",
                "",
            ]
            for code, label in column.values.items():
                yield [table.title, name, "", "", "", code, label, 1 if code in column.missing else 0]
