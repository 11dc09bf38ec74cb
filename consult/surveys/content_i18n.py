"""The translators' round trip: one language of a version out as PO or XLSX, and back in.

Each text is one entry: its path (PO ``msgctxt``), the source text in the
fallback language (``msgid``) and the translation (``msgstr``). The
spreadsheet has the same columns (path, source, translation, status) for
people who work in Excel or LibreOffice. A translation whose source changed
since it was made is exported as *fuzzy* (PO) or ``needs_review`` (XLSX).

Importing applies only rows whose path exists and whose source is still the
current source text: a row made from a source that has changed since is
reported, never applied, so no translation of an old sentence slips in. A
frozen version is never changed: the translations go into a new draft.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

import polib
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font

from consult.core.cells import append_row, restore
from consult.core.uploads import CONTROL, MB, UploadRefused, check_zip
from consult.i18n.languages import is_content_language
from consult.surveys import services, texts
from consult.surveys.models import InstrumentVersion
from consult.surveys.services import SurveyError

HEADERS = ("path", "source", "translation", "status")


# -- export -------------------------------------------------------------------------------------


def _check_language(version: InstrumentVersion, lang: str) -> None:
    if not is_content_language(lang):
        raise SurveyError(_l("This language is not available."), field="language")
    if lang == version.fallback_language:
        raise SurveyError(
            _l("This is the source language of the instrument: choose the language to translate into."),
            field="language",
        )


def _rows(version: InstrumentVersion, lang: str):
    fallback, review = version.fallback_language, version.translation_review or {}
    for entry in texts.iter_texts(version.definition):
        source = entry.text.get(fallback) or ""
        if source:
            yield entry.path, source, entry.text.get(lang) or "", texts.text_status(entry, lang, fallback, review)


def file_stem(version: InstrumentVersion, lang: str) -> str:
    """A file name without extension: ``community_risk-v3-en``."""
    return f"{version.instrument.key}-v{version.number}-{lang}"


def export_po(version: InstrumentVersion, lang: str) -> bytes:
    """The texts of ``version`` as a PO file for translating into ``lang`` (UTF-8 bytes)."""
    _check_language(version, lang)
    po = polib.POFile(wrapwidth=0)
    po.metadata = {
        "Project-Id-Version": f"{version.instrument.key} {version.number}",
        "Language": lang,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-Consult-Instrument": version.instrument.key,
        "X-Consult-Version": str(version.number),
        "X-Consult-Source-Language": version.fallback_language,
    }
    for path, source, translation, status in _rows(version, lang):
        po.append(
            polib.POEntry(
                msgctxt=path, msgid=source, msgstr=translation, flags=["fuzzy"] if status == "needs_review" else []
            )
        )
    return str(po).encode("utf-8")


def export_xlsx(version: InstrumentVersion, lang: str) -> bytes:
    """The texts of ``version`` as a spreadsheet for translating into ``lang`` (XLSX bytes)."""
    _check_language(version, lang)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "translation"
    append_row(sheet, HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in _rows(version, lang):
        append_row(sheet, row)
    for column, width in zip("ABCD", (36, 60, 60, 14)):
        sheet.column_dimensions[column].width = width
    for cells in sheet.iter_rows(min_row=2, min_col=2, max_col=3):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    about = workbook.create_sheet("about")
    for key, value in (
        ("instrument", version.instrument.key),
        ("version", str(version.number)),
        ("language", lang),
        ("source_language", version.fallback_language),
    ):
        append_row(about, [key, value])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- reading files ------------------------------------------------------------------------------


@dataclass
class Row:
    """One translation read from a file."""

    where: str
    path: str
    source: str
    translation: str
    fuzzy: bool = False  # PO: the translator has not confirmed it; never applied
    flagged: bool = False  # XLSX: still marked needs_review; an unchanged text is not confirmed


#: A translation workbook holds an instrument's texts: a few hundred kilobytes.
MAX_XLSX_BYTES = 10 * 1024 * 1024
MAX_XLSX_EXPANDED_BYTES = 50 * 1024 * 1024


def _read_po(data: bytes) -> tuple[dict[str, str], list[Row]]:
    if len(data) > MAX_XLSX_BYTES:
        raise SurveyError(_l("The file is larger than %(mb)d MB.", mb=MAX_XLSX_BYTES // MB), field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SurveyError(
            _l("The file is not UTF-8 text. Save the PO file as UTF-8 and try again."), field="file"
        ) from None
    found = CONTROL.search(text)
    if found:
        # Forms refuse NUL and other control characters; a file must not bring them in either.
        raise SurveyError(
            _l(
                "The file holds a control character (%(code)s); remove it and try again.",
                code=f"U+{ord(found.group()):04X}",
            ),
            field="file",
        )
    try:
        # polib reads a *file* when given a string naming one; a final newline
        # keeps an upload such as "/etc/passwd" from being taken for a path.
        po = polib.pofile(text + "\n")
    except (OSError, ValueError) as error:
        raise SurveyError(
            _l("The file is not a valid PO file: %(error)s", error=str(error)[:200]), field="file"
        ) from None
    rows = []
    for number, entry in enumerate(po, start=1):
        if entry.obsolete:
            continue
        where = str(_l("line %(n)d", n=entry.linenum)) if entry.linenum else str(_l("entry %(n)d", n=number))
        rows.append(Row(where, entry.msgctxt or "", entry.msgid, entry.msgstr, fuzzy="fuzzy" in entry.flags))
    if not rows and not po.metadata:
        raise SurveyError(_l("The file is not a PO file exported from consult: it has no entries."), field="file")
    meta = {"language": po.metadata.get("Language", ""), "instrument": po.metadata.get("X-Consult-Instrument", "")}
    return meta, rows


def _cell(value: object) -> str:
    return restore(str(value)) if value is not None else ""


def _read_xlsx(data: bytes) -> tuple[dict[str, str], list[Row]]:
    # The one zip check of every spreadsheet upload (consult.core.uploads): a bomb is refused at once.
    # A file that is no zip at all is left to openpyxl, whose error says it is not a spreadsheet.
    if zipfile.is_zipfile(io.BytesIO(data)):
        try:
            check_zip(data, max_bytes=MAX_XLSX_BYTES, max_expanded_bytes=MAX_XLSX_EXPANDED_BYTES, required=())
        except UploadRefused as refused:
            raise SurveyError(refused.message, field="file") from None
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on damaged files (BadZipFile, zlib, XML, KeyError...)
        raise SurveyError(
            _l("The file is not a spreadsheet that can be read (%(error)s).", error=type(error).__name__), field="file"
        ) from None
    try:
        if "translation" not in workbook.sheetnames:
            raise SurveyError(_l("The spreadsheet has no sheet named translation."), field="file")
        meta: dict[str, str] = {}
        if "about" in workbook.sheetnames:
            for cells in workbook["about"].iter_rows(max_col=2, values_only=True):
                if len(cells) > 1 and cells[0] in ("language", "instrument"):
                    meta[str(cells[0])] = _cell(cells[1]).strip()
        lines = workbook["translation"].iter_rows(values_only=True)
        header = [(_cell(v).strip().lower()) for v in next(lines, ())]
        missing = [name for name in HEADERS[:3] if name not in header]
        if missing:
            raise SurveyError(
                _l(
                    "The sheet translation needs the columns %(columns)s in its first row.",
                    columns=", ".join(HEADERS[:3]),
                ),
                field="file",
            )
        at = {name: header.index(name) for name in HEADERS if name in header}
        rows = []
        for number, cells in enumerate(lines, start=2):
            values = {name: _cell(cells[i]) if i < len(cells) else "" for name, i in at.items()}
            if not any(values.values()):
                continue
            rows.append(
                Row(
                    str(_l("row %(n)d", n=number)),
                    values["path"].strip(),
                    values["source"],
                    values["translation"],
                    flagged=values.get("status", "").strip() == "needs_review",
                )
            )
        return meta, rows
    except SurveyError:
        raise
    except Exception as error:  # a damaged entry fails only when read (zlib, XML, KeyError...): say so, no 500
        raise SurveyError(
            _l("The file is not a spreadsheet that can be read (%(error)s).", error=type(error).__name__), field="file"
        ) from None
    finally:
        workbook.close()


# -- import -------------------------------------------------------------------------------------


@dataclass
class ChangedSource:
    """A row not applied because its source text is no longer the instrument's."""

    where: str
    path: str
    file_source: str
    current_source: str
    translation: str


@dataclass
class TranslationImport:
    """What importing a translation file did."""

    version: InstrumentVersion
    language: str
    made_new_draft: bool = False
    applied: list[str] = field(default_factory=list)
    confirmed: list[str] = field(default_factory=list)
    unchanged: int = 0
    changed_source: list[ChangedSource] = field(default_factory=list)
    unknown: list[tuple[str, str]] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)


def import_translations(version: InstrumentVersion, data: bytes, lang: str | None = None) -> TranslationImport:
    """Apply a PO or XLSX translation file to ``version`` (or to a new draft if it is frozen).

    ``lang`` is the language chosen by the person; the file's own language must
    agree with it. Raises ``SurveyError`` for a file that cannot be read.
    """
    if not data:
        raise SurveyError(_l("The file is empty."), field="file")
    reader = _read_xlsx if data[:2] == b"PK" else _read_po
    meta, rows = reader(data)
    if meta.get("instrument") and meta["instrument"] != version.instrument.key:
        raise SurveyError(
            _l(
                "The file was made for the instrument %(file)s, not %(key)s.",
                file=meta["instrument"],
                key=version.instrument.key,
            ),
            field="file",
        )
    file_lang = meta.get("language") or None
    if lang and file_lang and lang != file_lang:
        raise SurveyError(
            _l("The file holds the language %(file)s, not %(chosen)s.", file=file_lang, chosen=lang), field="language"
        )
    lang = lang or file_lang
    if not lang:
        raise SurveyError(_l("The file does not say which language it holds: choose the language."), field="language")
    _check_language(version, lang)
    fallback, review = version.fallback_language, version.translation_review or {}
    index = texts.text_index(version.definition)
    result = TranslationImport(version=version, language=lang)
    values: dict[str, str] = {}
    confirm: list[str] = []
    for row in rows:
        entry = index.get(row.path)
        translation = row.translation.replace("\r\n", "\n").strip()
        if not translation:
            continue
        if entry is None:
            result.unknown.append((row.where, row.path))
            continue
        current_source = entry.text.get(fallback) or ""
        if row.source.replace("\r\n", "\n").strip() != current_source.strip():
            result.changed_source.append(ChangedSource(row.where, row.path, row.source, current_source, translation))
            continue
        if row.fuzzy:
            result.fuzzy.append(row.path)
            continue
        if translation == (entry.text.get(lang) or "").strip():
            if texts.needs_review(entry, lang, fallback, review) and not row.flagged:
                confirm.append(row.path)
            else:
                result.unchanged += 1
            continue
        values[row.path] = translation
    if not values and not confirm:
        return result
    target = services.draft_to_edit(version)
    result.version, result.made_new_draft = target, target is not version
    if lang not in target.languages:
        services.add_language(target, lang)
    update = services.update_texts(target, lang, values, confirm)
    result.applied, result.confirmed = update.changed, update.reviewed
    return result
