"""Response data as SPSS ``.sav`` files (pyreadstat): a ZIP of one file per instrument.

Each file has the columns of the consult layout under valid SPSS names
(``responses_plan.spss_names``; the ZIP's ``codebook.csv`` lists every column
under its SPSS name), variable labels (the question text, with the option or
part), value labels (option labels, 1/0 for multiple-choice columns, group,
language and entry-mode names) and user-missing values: ``-99`` asked but not
answered (``"-99"`` in text variables) and ``-98`` "I don't know" on scales,
each with its value label. An empty cell (system-missing, or an empty text)
means the question was not asked. ``submitted_on`` is an SPSS date.

Memory, honestly: pyreadstat writes a file from a whole pandas DataFrame and
cannot append, so one instrument's table is held in memory while its file is
written. It is built column-wise in chunks of ``CHUNK`` rows with compact
dtypes (nullable 1-, 2- or 4-byte integers where the codes fit, ``Float64``
otherwise; text columns hold references to shared strings), so a table costs
about 2 to 9 bytes per cell: some 150 MB for 100 thousand community responses
of about 150 columns, well over a gigabyte at a million. Rows are still read
as a stream. CSV and XLSX have no such limit.
"""

from __future__ import annotations

import datetime
import tempfile
import zipfile
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd
import pyreadstat

from consult.exports.progress import Progress, report
from consult.exports.responses import PROGRESS_EVERY, _codebook_csv, iter_rows
from consult.exports.responses_plan import Column, Layout, Table, spss_names
from consult.responses.models import Consultation

#: Rows turned into compact column arrays at a time.
CHUNK = 20_000
_INTEGER_DTYPES = ("Int8", "Int16", "Int32")


def write_sav(
    consultation: Consultation,
    tables: list[Table],
    layout: Layout,
    out: BinaryIO,
    total: int,
    progress: Progress | None,
) -> None:
    """Write one ``.sav`` per table, and ``codebook.csv``, into a ZIP on ``out``."""
    done = 0
    names: dict[str, list[str]] = {}
    with (
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        tempfile.TemporaryDirectory() as folder,
    ):
        for table in tables:
            columns = table.columns
            spss = spss_names([c.name for c in columns])
            names[table.name] = spss
            chunks: list[list[Any]] = [[] for _ in columns]
            buffer: list[list[Any]] = []
            for row in iter_rows(consultation, table, layout):
                buffer.append(row)
                done += 1
                if done % PROGRESS_EVERY == 0:
                    report(progress, done, total)
                if len(buffer) >= CHUNK:
                    _compact(buffer, columns, chunks)
                    buffer = []
            _compact(buffer, columns, chunks)
            del buffer
            frame = pd.DataFrame({name: _joined(parts, column) for name, parts, column in zip(spss, chunks, columns)})
            chunks.clear()
            path = Path(folder) / f"{table.name}.sav"
            pyreadstat.write_sav(frame, str(path), file_label=_cut(table.title, 64), **_metadata(columns, spss, frame))
            del frame
            archive.write(path, f"{table.name}.sav")
            path.unlink()
        _codebook_csv(archive, tables, layout, names)


def _compact(rows: list[list[Any]], columns: list[Column], chunks: list[list[Any]]) -> None:
    """Append the chunk's columns, each as a compact array, to ``chunks``."""
    if not rows:
        return
    for index, (column, values) in enumerate(zip(columns, zip(*rows))):
        if column.name == "submitted_on":
            chunks[index].append(
                pd.array([datetime.date.fromisoformat(v) if v else None for v in values], dtype=object)
            )
        elif column.numeric:
            chunks[index].append(_numbers(values))
        else:
            chunks[index].append(
                pd.array([v if v is None or isinstance(v, str) else str(v) for v in values], dtype=object)
            )


def _numbers(values: tuple[Any, ...]) -> Any:
    for dtype in _INTEGER_DTYPES:
        try:
            return pd.array(values, dtype=dtype)
        except (TypeError, ValueError, OverflowError):
            continue
    return pd.array([None if v is None else float(v) for v in values], dtype="Float64")


def _joined(parts: list[Any], column: Column) -> pd.Series:
    if not parts:
        return pd.Series([], dtype="Float64" if column.numeric else object)
    series = pd.concat([pd.Series(p) for p in parts], ignore_index=True)
    if column.numeric and series.dtype == object:
        series = series.astype("Float64")
    return series


def _cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` bytes of UTF-8 (SPSS limits labels in bytes)."""
    data = text.encode("utf-8")
    return text if len(data) <= limit else data[:limit].decode("utf-8", "ignore")


def _metadata(columns: list[Column], names: list[str], frame: pd.DataFrame) -> dict[str, Any]:
    """Variable labels, value labels, user-missing values and measures; codes typed as their column
    (pyreadstat checks).
    """
    labels, values, missing, measure = {}, {}, {}, {}
    for column, name in zip(columns, names):
        labels[name] = _cut(column.label, 256)
        integer = column.numeric and pd.api.types.is_integer_dtype(frame[name].dtype)
        kind = int if integer else float if column.numeric else str
        if column.values:
            values[name] = {
                kind(code): _cut(str(label), 120) for code, label in column.values.items() if code is not None
            }
        if column.missing:
            missing[name] = [kind(m) for m in column.missing][:3]
        if column.numeric and not column.values:
            measure[name] = "scale"
        elif column.numeric and column.key is not None and len(column.values) > 3:
            measure[name] = "ordinal"
        else:
            measure[name] = "nominal"
    return {
        "column_labels": labels,
        "variable_value_labels": values,
        "missing_ranges": missing,
        "variable_measure": measure,
    }
