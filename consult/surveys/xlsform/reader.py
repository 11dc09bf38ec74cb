"""``import_xlsform``: an XLSForm workbook in, an instrument definition and a report out."""

from __future__ import annotations

import json
import logging
import re
from pathlib import PurePath
from typing import Any

from flask_babel import lazy_gettext as _l

from consult.surveys.validation import validate_definition
from consult.surveys.xlsform import workbook
from consult.surveys.xlsform.choices import option_code, read_choices
from consult.surveys.xlsform.columns import (
    CHOICES_COLUMNS,
    SETTINGS_COLUMNS,
    SURVEY_COLUMNS,
    TextColumns,
    read_languages,
    report_other_columns,
)
from consult.surveys.xlsform.questions import Context, read_questions
from consult.surveys.xlsform.report import ImportResult, Reporter, XLSFormError
from consult.surveys.xlsform.structure import Builder
from consult.surveys.xlsform.tree import assign_keys, build_tree
from consult.surveys.xlsform.workbook import Row, Sheet, read_workbook

logger = logging.getLogger(__name__)
SETTINGS_DATA = frozenset({"title", "description", "audience", "meta"})
_POSITION = re.compile(r"^sections\[(\d+)\](?:\.pages\[(\d+)\](?:\.questions\[(\d+)\])?)?")


def import_xlsform(
    data: bytes, *, filename: str = "form.xlsx", languages: dict[str, str] | None = None
) -> ImportResult:
    """Read an XLSForm workbook into an instrument definition, with every problem located.

    Raises ``XLSFormError`` only when ``data`` is not a readable .xlsx workbook (or KoboToolbox
    form JSON, which is read as the workbook it stands for).
    Anything wrong inside the workbook is in ``errors`` (the definition is then
    ``None``) or, when it was imported differently or left out, in ``warnings``.
    ``languages`` gives the codes of language columns whose code is not certain
    (``{"Wichi": "mzh"}``); until given they are in ``result.unknown_languages``.
    """
    from consult.surveys.xlsform.kobo import import_kobo_asset, is_kobo_asset

    if is_kobo_asset(data):
        return import_kobo_asset(data, filename=filename, languages=languages)
    return import_sheets(read_workbook(data), filename=filename, languages=languages)


def import_sheets(
    sheets: dict[str, Sheet], *, filename: str = "form.xlsx", languages: dict[str, str] | None = None
) -> ImportResult:
    """``import_xlsform`` for sheets already read (an .xlsx through pyxform, or KoboToolbox's form JSON)."""
    reporter = Reporter()
    result = ImportResult(errors=reporter.errors, warnings=reporter.warnings)
    result.unknown_languages = reporter.unknown_languages
    try:
        _import(sheets, filename, reporter, result, languages or {})
    except Exception:  # noqa: BLE001 - an upload must never end in a traceback for the person
        logger.exception("XLSForm import failed on an unexpected workbook shape")
        raise XLSFormError(
            _l(
                "The workbook could not be read as an XLSForm. Check that it follows the XLSForm "
                "layout (sheets survey, choices and settings), or write to the administrators."
            )
        ) from None
    # In reading order: the file, then survey, choices and settings, each row by row.
    order = {"survey": 0, "choices": 1, "settings": 2}
    for issues in (reporter.errors, reporter.warnings):
        issues.sort(
            key=lambda issue: (issue.sheet is not None, order.get((issue.sheet or "").lower(), 3), issue.row or 0)
        )
    if reporter.errors:
        result.definition = None
    return result


def _import(
    sheets: dict[str, Sheet], filename: str, reporter: Reporter, result: ImportResult, chosen: dict[str, str]
) -> None:
    survey = sheets.get("survey")
    if survey is None:
        reporter.error(
            None, None, _l("The workbook has no sheet named “survey”; an XLSForm keeps its questions there.")
        )
        return
    missing = [c for c in ("type", "name") if c not in survey.headers]
    if missing:
        reporter.error(
            survey.name,
            survey.header_row if survey.headers else None,
            _l(
                "The survey sheet needs the columns type and name (and label); missing: %(missing)s.",
                missing=", ".join(missing),
            ),
        )
        return
    if survey.too_long:
        limit = workbook.MAX_ROWS
        reporter.error(
            survey.name,
            limit + 1,
            _l("The sheet has more than %(n)d rows; consult reads forms up to that size.", n=limit),
        )
        return
    if not survey.rows:
        reporter.error(survey.name, None, _l("The survey sheet has no questions."))
        return
    definition, places = _read(sheets, survey, filename, reporter, result, chosen)
    if definition is not None and not reporter.errors:
        _validate(definition, places, survey, reporter)
    if not reporter.errors:
        result.definition = definition


def _settings(sheets: dict[str, Sheet], reporter: Reporter) -> tuple[dict[str, str], Row | None, Sheet | None]:
    sheet = sheets.get("settings")
    if sheet is None or not sheet.rows:
        return {}, None, sheet
    report_other_columns(sheet, SETTINGS_COLUMNS, reporter, settings=True)
    first = sheet.rows[0]
    for extra in sheet.rows[1:]:
        reporter.warn(sheet.name, extra.number, _l("Only the first row of settings is read; this row is not imported."))
    return first.cells, first, sheet


def _read(
    sheets: dict[str, Sheet],
    survey: Sheet,
    filename: str,
    reporter: Reporter,
    result: ImportResult,
    chosen: dict[str, str],
) -> tuple[dict[str, Any] | None, dict[tuple[int, ...], int]]:
    settings, settings_row, settings_sheet = _settings(sheets, reporter)
    choices_sheet = sheets.get("choices")
    text_sheets = [survey] + ([choices_sheet] if choices_sheet is not None else [])
    languages, columns = read_languages(
        text_sheets,
        settings.get("default_language", ""),
        settings_row.number if settings_row else None,
        settings_sheet.name if settings_sheet else None,
        reporter,
        chosen,
    )
    report_other_columns(survey, SURVEY_COLUMNS, reporter)
    if choices_sheet is not None:
        report_other_columns(choices_sheet, CHOICES_COLUMNS, reporter)
    allow_duplicates = settings.get("allow_choice_duplicates", "").strip().lower() in ("yes", "true", "true()", "1")
    lists = read_choices(
        choices_sheet,
        columns.get(choices_sheet.name) if choices_sheet else None,
        reporter,
        allow_duplicates=allow_duplicates,
    )
    root = build_tree(survey, reporter)
    ctx = Context(
        survey,
        columns.get(survey.name, TextColumns()),
        languages,
        lists,
        reporter,
        choices_sheet.name if choices_sheet is not None else "choices",
    )
    taken = assign_keys(root, survey, reporter)
    read_questions(root, ctx)
    builder = Builder(root, ctx, taken)
    sections = builder.sections()
    for choice_list in lists.values():
        if not choice_list.used:
            reporter.warn(
                ctx.choices_sheet,
                choice_list.row,
                _l("The list %(list)s is used by no question; it is not imported.", list=choice_list.name),
            )
    if not sections:
        reporter.error(survey.name, None, _l("The form has no question consult can import."))
        return None, {}
    result.version = settings.get("version") or None
    definition: dict[str, Any] = {
        "format": 1,
        "key": _form_key(settings, filename, settings_sheet, settings_row, reporter),
        "languages": languages.declared,
        "fallback_language": languages.fallback,
        "title": _title(settings, filename, languages.fallback),
    }
    kept = _settings_data(settings, settings_sheet, settings_row, reporter)
    if isinstance(kept.get("title"), dict):
        definition["title"] = {**kept.pop("title"), **definition["title"]}
    definition.update({k: v for k, v in kept.items() if k in SETTINGS_DATA and k != "title"})
    definition["sections"] = sections
    return definition, _places(definition, root)


def _settings_data(
    settings: dict[str, str], sheet: Sheet | None, row: Row | None, reporter: Reporter
) -> dict[str, Any]:
    text = settings.get("consult:data")
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        reporter.warn(
            sheet.name if sheet else None,
            row.number if row else None,
            _l("The consult data in this row cannot be read; it is ignored."),
            column="consult:data",
        )
        return {}
    return data


def _form_key(settings: dict[str, str], filename: str, sheet: Sheet | None, row: Row | None, reporter: Reporter) -> str:
    written = settings.get("form_id") or ""
    source = written or settings.get("form_title") or PurePath(filename).stem
    key = option_code(source)[:64].strip("_")
    if not key:
        key = "imported_form"
    elif not key[0].isalpha():
        key = f"form_{key}"[:64]
    if written and key != written:
        reporter.warn(
            sheet.name if sheet else None,
            row.number if row else None,
            _l("The form_id %(id)s is stored as the key %(key)s (a-z, 0-9 and _).", id=written, key=key),
            column="form_id",
        )
    return key


def _title(settings: dict[str, str], filename: str, fallback: str) -> dict[str, str]:
    title = settings.get("form_title") or PurePath(filename).stem or "form"
    return {fallback: title}


# -- validation --------------------------------------------------------------------------------


def _places(definition: dict[str, Any], root: Any) -> dict[tuple[int, ...], int]:
    """The survey row of each section, page and question, by position (to locate validation problems)."""
    rows = {
        node.key: node.number for node in root.walk() if node.key and node.role in ("question", "composite", "group")
    }
    places: dict[tuple[int, ...], int] = {}
    for si, section in enumerate(definition["sections"]):
        for pi, page in enumerate(section["pages"]):
            for qi, question in enumerate(page["questions"]):
                places[(si, pi, qi)] = rows.get(question["key"], 0)
            places[(si, pi)] = rows.get(page["key"]) or places.get((si, pi, 0), 0)
        places[(si,)] = rows.get(section["key"]) or places.get((si, 0), 0)
    return places


def _validate(
    definition: dict[str, Any], places: dict[tuple[int, ...], int], survey: Sheet, reporter: Reporter
) -> None:
    """The engine's own validation, each problem put back on its row."""
    for problem in validate_definition(definition):
        match = _POSITION.match(problem.path)
        row = None
        if match:
            position = tuple(int(g) for g in match.groups() if g is not None)
            row = places.get(position) or None
        reporter.error(
            survey.name if row else None, row, _l("%(message)s (%(path)s)", message=problem.message, path=problem.path)
        )
