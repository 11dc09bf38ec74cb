"""The translators' round trip: PO and XLSX out, edited, back in; changed sources caught."""

from __future__ import annotations

import io
import zipfile

import polib
import pytest
from openpyxl import Workbook, load_workbook

from consult.surveys import content_i18n, services
from consult.surveys.services import SurveyError
from tests.surveys.store_helpers import make_instrument  # noqa: F401  (fixture)

Q1_TEXT = "pages.p_group.questions.Q1.text"
Q1_HELP = "pages.p_group.questions.Q1.help"
TITLE = "title"


def _q1(version, lang):
    return version.definition["sections"][0]["pages"][0]["questions"][0]["text"].get(lang)


def _po(data: bytes) -> polib.POFile:
    return polib.pofile(data.decode("utf-8"))


def test_po_export_has_path_source_and_translation(make_instrument):
    version = make_instrument()
    data = content_i18n.export_po(version, "en")
    po = _po(data)
    assert po.metadata["Language"] == "en" and po.metadata["X-Consult-Instrument"] == "water_survey"
    entry = next(e for e in po if e.msgctxt == Q1_TEXT)
    assert (entry.msgid, entry.msgstr) == ("¿Le afecta el agua sucia?", "Does dirty water affect you?")
    assert not entry.fuzzy
    assert len(po) == services.completeness(version)[0].total
    with pytest.raises(SurveyError):
        content_i18n.export_po(version, "es")  # the source language itself


def test_po_round_trip_applies_new_translations(db, make_instrument):
    version = make_instrument()
    po = _po(content_i18n.export_po(version, "pt"))
    for entry in po:
        if entry.msgctxt == Q1_TEXT:
            entry.msgstr = "A água suja prejudica você?"
    result = content_i18n.import_translations(version, str(po).encode("utf-8"))
    db.session.commit()
    assert result.language == "pt" and result.applied == [Q1_TEXT] and not result.made_new_draft
    assert result.unchanged > 10 and not result.changed_source and not result.unknown
    assert _q1(version, "pt") == "A água suja prejudica você?"


def test_a_translation_of_a_changed_source_is_reported_not_applied(db, make_instrument):
    version = make_instrument()
    po = _po(content_i18n.export_po(version, "en"))
    # Meanwhile the source changes...
    services.update_texts(version, "es", {Q1_TEXT: "¿El agua sucia le hace daño?", Q1_HELP: "Marque una"})
    # ...and the translator, working from the old file, rewrites both.
    for entry in po:
        if entry.msgctxt in (Q1_TEXT, Q1_HELP):
            entry.msgstr = "Rewritten " + entry.msgctxt
    result = content_i18n.import_translations(version, str(po).encode("utf-8"), "en")
    assert result.applied == []
    assert [row.path for row in result.changed_source] == [Q1_TEXT, Q1_HELP]
    assert result.changed_source[0].current_source == "¿El agua sucia le hace daño?"
    assert _q1(version, "en") == "Does dirty water affect you?"
    # A fresh export marks the stale translation fuzzy; a translator who fixes it and
    # clears the flag gets it applied and no longer needing review.
    fresh = _po(content_i18n.export_po(version, "en"))
    entry = next(e for e in fresh if e.msgctxt == Q1_TEXT)
    assert entry.fuzzy and entry.msgid == "¿El agua sucia le hace daño?"
    untouched = content_i18n.import_translations(version, str(fresh).encode("utf-8"))
    assert Q1_TEXT in untouched.fuzzy and not untouched.applied
    entry.msgstr, entry.flags = "Does dirty water harm you?", []
    result = content_i18n.import_translations(version, str(fresh).encode("utf-8"))
    assert result.applied == [Q1_TEXT]
    en = next(r for r in services.completeness(version) if r.language == "en")
    assert en.needs_review == [Q1_HELP]


def test_importing_into_a_frozen_version_makes_a_new_draft(db, make_instrument):
    version = make_instrument(publish=True)
    po = _po(content_i18n.export_po(version, "en"))
    next(e for e in po if e.msgctxt == TITLE).msgstr = "Survey on water"
    result = content_i18n.import_translations(version, str(po).encode("utf-8"))
    db.session.commit()
    assert result.made_new_draft and result.version.number == 2 and not result.version.is_frozen
    assert version.definition["title"]["en"] == "Water survey"
    assert result.version.definition["title"]["en"] == "Survey on water"
    assert version.instrument.title["en"] == "Survey on water"
    # A file that changes nothing makes no draft.
    same = content_i18n.import_translations(version, content_i18n.export_po(version, "en"))
    assert not same.made_new_draft and same.version is version and same.applied == []


def test_a_new_language_comes_in_through_a_po_file(db, make_instrument):
    version = make_instrument()
    po = _po(content_i18n.export_po(version, "qu"))
    assert all(entry.msgstr == "" for entry in po)
    next(e for e in po if e.msgctxt == TITLE).msgstr = "Yakumanta tapukuy"
    result = content_i18n.import_translations(version, str(po).encode("utf-8"))
    assert result.applied == [TITLE] and "qu" in version.languages
    qu = next(r for r in services.completeness(version) if r.language == "qu")
    assert qu.translated == 1


def _sheet(data: bytes):
    return load_workbook(io.BytesIO(data))["translation"]


def test_xlsx_export_neutralises_formulas_and_round_trips(db, make_instrument):
    version = make_instrument()
    services.update_texts(version, "en", {Q1_HELP: '=HYPERLINK("http://evil")', TITLE: "@water +survey"})
    data = content_i18n.export_xlsx(version, "en")
    sheet = _sheet(data)
    assert [c.value for c in sheet[1]] == ["path", "source", "translation", "status"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert rows[Q1_HELP][2].value == '\'=HYPERLINK("http://evil")' and rows[Q1_HELP][2].data_type == "s"
    assert rows[TITLE][2].value == "'@water +survey"
    assert rows[Q1_TEXT][1].value == "¿Le afecta el agua sucia?" and rows[Q1_TEXT][3].value == "translated"
    # Re-imported untouched, nothing changes (the quote added on export is removed again).
    untouched = content_i18n.import_translations(version, data, "en")
    assert untouched.applied == [] and untouched.unchanged == len(rows)
    # A translator edits one cell in a spreadsheet program.
    book = load_workbook(io.BytesIO(data))
    for row in book["translation"].iter_rows(min_row=2):
        if row[0].value == Q1_TEXT:
            row[2].value = "Is dirty water a problem for you?"
    buffer = io.BytesIO()
    book.save(buffer)
    result = content_i18n.import_translations(version, buffer.getvalue())
    assert result.applied == [Q1_TEXT] and _q1(version, "en") == "Is dirty water a problem for you?"
    assert version.definition["sections"][0]["pages"][0]["questions"][0]["help"]["en"] == '=HYPERLINK("http://evil")'


def test_xlsx_marks_translations_to_review_and_reports_changed_sources(db, make_instrument):
    version = make_instrument()
    old = content_i18n.export_xlsx(version, "pt")
    services.update_texts(version, "es", {Q1_TEXT: "¿Tiene problemas con el agua?"})
    rows = {row[0].value: row for row in _sheet(content_i18n.export_xlsx(version, "pt")).iter_rows(min_row=2)}
    assert rows[Q1_TEXT][3].value == "needs_review"
    book = load_workbook(io.BytesIO(old))
    for row in book["translation"].iter_rows(min_row=2):
        if row[0].value == Q1_TEXT:
            row[2].value = "Nova tradução"
    buffer = io.BytesIO()
    book.save(buffer)
    result = content_i18n.import_translations(version, buffer.getvalue())
    assert [r.path for r in result.changed_source] == [Q1_TEXT]
    assert result.changed_source[0].where == f"row {rows[Q1_TEXT][0].row}"
    assert result.applied == []


def _xlsx(sheets: dict[str, list[list[str]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "lang", "message"),
    [
        (b"", None, "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", None, "UTF-8"),
        (b"hello world", None, "not a valid PO file"),
        (b"/etc/passwd", None, "not a valid PO file"),
        (b"PK\x03\x04 this is not really a zip", None, "not a spreadsheet"),
        (_zip_without_workbook(), None, "not a spreadsheet"),
        (_xlsx({"Sheet": [["a"]]}), "en", "no sheet named translation"),
        (_xlsx({"translation": [["path", "translation"]]}), "en", "needs the columns"),
        (_xlsx({"translation": [["path", "source", "translation"]]}), None, "which language"),
        (
            _xlsx({"translation": [["path", "source", "translation"]], "about": [["instrument", "other_survey"]]}),
            "en",
            "other_survey",
        ),
        (
            _xlsx({"translation": [["path", "source", "translation"]], "about": [["language", "pt"]]}),
            "en",
            "holds the language pt",
        ),
    ],
)
def test_bad_files_get_clear_errors(db, make_instrument, data, lang, message):
    version = make_instrument()
    with pytest.raises(SurveyError) as refused:
        content_i18n.import_translations(version, data, lang)
    assert message in str(refused.value.message)
    assert version.number == 1 and len(version.instrument.versions) == 1


def test_rows_for_texts_the_instrument_does_not_have_are_reported(db, make_instrument):
    version = make_instrument()
    data = _xlsx(
        {"translation": [["Path", "Source", "Translation"], ["pages.gone.title", "Ido", "Gone"], ["", "", ""]]}
    )
    result = content_i18n.import_translations(version, data, "en")
    assert result.unknown == [("row 2", "pages.gone.title")] and result.applied == []
