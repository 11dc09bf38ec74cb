"""Every importer fed generated and mutated files (issue 11): each is imported or refused with a translated
message (the importer's own error type), never an unexpected exception, in bounded time and memory, and a refusal
stores nothing.

Importers: the JSON instrument definition, the XLSForm workbook, KoboToolbox asset JSON, the answer import
(CSV and XLSX) and the translation upload (PO and XLSX). Examples are few and derandomized so the suite stays fast
and the same on every run.
"""

from __future__ import annotations

import io
import json
import time
import tracemalloc
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from consult.core.uploads import CONTROL
from consult.responses import bulk_import, import_files
from consult.responses.models import EntryMode, Response
from consult.surveys import content_i18n, services
from consult.surveys.models import Instrument, InstrumentVersion
from consult.surveys.services import SurveyError
from consult.surveys.xlsform import XLSFormError, export_xlsform, import_xlsform
from consult.surveys.xlsform.kobo import import_kobo_asset
from tests.responses.test_bulk_import import HEADER, ROWS, as_csv, as_xlsx
from tests.surveys.store_helpers import definition, make_instrument  # noqa: F401  (fixture)

FUZZ = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,  # time is bounded below, per call, with a clearer message than hypothesis's
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
#: Per call: a refusal is meant to be early; an import of a generated (small) file is quick too.
SECONDS = 5
MEGABYTES = 150

NASTY_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "\x00",
            "a\x00b",
            "\x07bell",
            '=HYPERLINK("http://x")',
            "<script>alert(1)</script>",
            "ñandú 💥 \u202e",
            "x" * 5000,
            "99999999999999999999999",
            "-1",
            "1e309",
            "NaN",
        ]
    ),
)
#: Texts a workbook can hold (XLSX has no place for control characters; the helpers that build files refuse them).
CELL_TEXT = NASTY_TEXT.map(lambda text: CONTROL.sub("", text))
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | NASTY_TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(NASTY_TEXT, children, max_size=4),
    max_leaves=30,
)


def bounded(call, *allowed: type[Exception]):
    """Run ``call``; only ``allowed`` errors (with a message) may escape; time and memory are bounded."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = call()
    except allowed as error:
        message = str(getattr(error, "message", "") or error)
        assert message.strip(), f"{type(error).__name__} without a message"
        result = error
    finally:
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < SECONDS, f"took {elapsed:.1f} s"
    assert peak < MEGABYTES * 1024 * 1024, f"peaked at {peak // (1024 * 1024)} MB"
    return result


def _mutate(data: bytes, draw) -> bytes:
    """A file damaged as uploads are: truncated, bytes flipped, junk inserted or appended."""
    kind = draw(st.sampled_from(["truncate", "flip", "insert", "append", "same"]))
    if kind == "truncate":
        return data[: draw(st.integers(0, len(data)))]
    if kind == "flip":
        position = draw(st.integers(0, max(0, len(data) - 1)))
        return data[:position] + bytes([data[position] ^ draw(st.integers(1, 255))]) + data[position + 1 :]
    if kind == "insert":
        position = draw(st.integers(0, len(data)))
        return data[:position] + draw(st.binary(max_size=64)) + data[position:]
    if kind == "append":
        return data + draw(st.binary(max_size=64))
    return data


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# -- JSON instrument definitions ---------------------------------------------------------------------


def _mutated_definition(draw) -> dict:
    data = definition()
    question = data["sections"][0]["pages"][0]["questions"][0]
    target = draw(st.sampled_from(["title", "question", "option", "key", "sections", "extra"]))
    value = draw(JSON_VALUES)
    if target == "title":
        data["title"]["es"] = value
    elif target == "question":
        question[draw(st.sampled_from(["text", "type", "key", "options", "required"]))] = value
    elif target == "option":
        question["options"][0]["value"] = value
    elif target == "key":
        data["key"] = value
    elif target == "sections":
        data["sections"] = value
    else:
        data[draw(NASTY_TEXT)] = value
    return data


def test_json_definitions_are_imported_or_refused_never_crash(db):
    @FUZZ
    @given(st.data())
    def check(data):
        if data.draw(st.booleans()):
            payload = json.dumps(_mutated_definition(data.draw)).encode()
        else:
            payload = json.dumps(data.draw(JSON_VALUES)).encode()
        payload = _mutate(payload, data.draw) if data.draw(st.booleans()) else payload
        before = _count(db, InstrumentVersion)
        result = bounded(lambda: services.import_json(payload), SurveyError)
        if isinstance(result, SurveyError):
            db.session.rollback()
            assert _count(db, InstrumentVersion) == before
        else:
            db.session.rollback()  # keep the key free for the next example

    check()


# -- XLSForm workbooks and Kobo asset JSON ----------------------------------------------------------

XLSFORM = export_xlsform(definition(), form_id="water")


def test_xlsform_workbooks_mutated_are_imported_or_refused(app):
    @FUZZ
    @given(st.data())
    def check(data):
        payload = _mutate(XLSFORM, data.draw)
        result = bounded(lambda: import_xlsform(payload), XLSFormError)
        if not isinstance(result, XLSFormError):
            assert result.definition is not None or result.errors

    check()


def test_xlsform_rows_generated_are_imported_or_refused(app):
    from tests.surveys.xlsform_helpers import workbook

    cells = st.one_of(CELL_TEXT, st.sampled_from(["text", "integer", "select_one yn", "begin group", "end group"]))

    @FUZZ
    @given(st.lists(st.lists(cells, min_size=1, max_size=5), max_size=8))
    def check(rows):
        payload = workbook([["type", "name", "label", "relevant", "constraint"], *rows])
        bounded(lambda: import_xlsform(payload), XLSFormError)

    check()


def test_kobo_asset_json_is_imported_or_refused(app):
    row = st.dictionaries(
        st.sampled_from(["type", "name", "label", "$autoname", "select_from_list_name", "relevant", "hint"]),
        st.one_of(NASTY_TEXT, st.lists(NASTY_TEXT | st.none(), max_size=3), JSON_VALUES),
        max_size=6,
    )
    asset = st.fixed_dictionaries(
        {
            "content": st.fixed_dictionaries(
                {
                    "survey": st.lists(row, max_size=6),
                    "choices": st.lists(row, max_size=3),
                    "translations": st.lists(NASTY_TEXT | st.none(), max_size=3),
                    "settings": JSON_VALUES,
                }
            )
        }
    )

    @FUZZ
    @given(asset, st.booleans())
    def check(content, as_bytes):
        payload = json.dumps(content).encode() if as_bytes else content
        bounded(lambda: import_kobo_asset(payload), XLSFormError)
        bounded(lambda: services.import_xlsform_file(json.dumps(content).encode()), SurveyError)
        services.db.session.rollback()

    check()


# -- answer import (CSV and XLSX) --------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_answer_files_are_checked_or_refused(community_consultation, db, kind):
    group = community_consultation.groups[0].group_code
    defaults = bulk_import.Defaults(group, "es", EntryMode.PAPER)
    base = as_csv(HEADER, ROWS) if kind == "csv" else as_xlsx(HEADER, ROWS)

    # An XLSX check is slower (openpyxl writes and reads each file): fewer examples.
    @settings(FUZZ, max_examples=25 if kind == "csv" else 8)
    @given(st.data())
    def check(data):
        if data.draw(st.booleans()):
            text = NASTY_TEXT if kind == "csv" else CELL_TEXT
            rows = [[data.draw(text) for _ in HEADER] for _ in range(data.draw(st.integers(1, 4)))]
            payload = as_csv(HEADER, rows) if kind == "csv" else as_xlsx(HEADER, rows)
        else:
            payload = _mutate(base, data.draw)
        before = _count(db, Response)
        report, _items = bounded(
            lambda: bulk_import.check_file(community_consultation, payload, f"answers.{kind}", defaults, batch="b1")
        )
        assert report.file_error is None or str(report.file_error).strip()
        assert _count(db, Response) == before  # a check stores nothing

    check()


def test_answer_tables_from_any_bytes(app):
    @FUZZ
    @given(st.binary(max_size=300), st.sampled_from(["a.csv", "a.xlsx", "a.txt", "a.pdf", ""]))
    def check(payload, name):
        bounded(lambda: import_files.read_table(payload, name), import_files.ImportFileError)

    check()


# -- translation upload (PO and XLSX) ----------------------------------------------------------------


def test_translation_files_are_applied_or_refused(db, make_instrument):
    version = make_instrument()
    db.session.commit()
    po = content_i18n.export_po(version, "en")
    xlsx = content_i18n.export_xlsx(version, "en")

    @FUZZ
    @given(st.data())
    def check(data):
        base = data.draw(st.sampled_from([po, xlsx]))
        if data.draw(st.booleans()):
            text = data.draw(NASTY_TEXT)
            payload = base.replace(b'msgstr ""\n\n', f"msgstr {json.dumps(text)}\n\n".encode(), 1)
        else:
            payload = _mutate(base, data.draw)
        lang = data.draw(st.sampled_from(["en", "pt", None]))
        before = _count(db, InstrumentVersion)
        result = bounded(lambda: content_i18n.import_translations(version, payload, lang), SurveyError)
        db.session.rollback()
        if isinstance(result, SurveyError):
            assert _count(db, InstrumentVersion) == before

    check()


def test_zip_bombs_at_every_spreadsheet_importer_are_refused_at_once(db, make_instrument, community_consultation):
    """The same bomb at the three spreadsheet importers: each refuses it from its declared sizes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<x/>" + b" " * 30_000_000)
    payload = buffer.getvalue()
    version = make_instrument()
    before = _count(db, Instrument)
    for call, error in (
        (lambda: import_xlsform(payload), XLSFormError),
        (lambda: import_files.read_table(payload, "answers.xlsx"), import_files.ImportFileError),
        (lambda: content_i18n.import_translations(version, payload, "en"), SurveyError),
    ):
        started = time.perf_counter()
        result = bounded(call, error)
        assert isinstance(result, error) and "expands to more than" in str(result.message)
        assert time.perf_counter() - started < 1
    assert _count(db, Instrument) == before
