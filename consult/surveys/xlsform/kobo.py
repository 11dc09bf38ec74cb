"""KoboToolbox's form JSON (the "asset content" its API returns) as XLSForm sheets.

Kobo keeps a form as JSON: ``content.survey`` and ``content.choices`` are the XLSForm rows,
``content.settings`` the settings row, and ``content.translations`` names the languages
(``["English (en)", "Español (es)"]``, ``null`` for a form without languages); each translated
column (``content.translated``: ``label``, ``hint``...) is a list with one text per translation.
A select's list is in ``select_from_list_name``; Kobo's own bookkeeping (``$kuid``, ``$autoname``,
``$autovalue``) gives a row its name where the author gave none.

The rows become the same sheets pyxform makes of a workbook, so a Kobo form is imported, checked
and reported exactly as its XLSForm would be.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from pyxform.xls2json_backends import DefinitionData

from consult.core.uploads import UploadRefused, load_json
from consult.surveys.xlsform.report import ImportResult, XLSFormError
from consult.surveys.xlsform.workbook import MAX_BYTES, sheets_from_definition

_TRANSLATED = ("label", "hint", "constraint_message", "required_message", "media::image", "guidance_hint")


def parse_asset(data: bytes | str | dict) -> dict[str, Any] | None:
    """The ``content`` of a Kobo asset (whole asset or content alone), or ``None`` when ``data`` is not one."""
    if isinstance(data, bytes | str):
        if len(data) > MAX_BYTES:
            return None
        text = data.decode("utf-8-sig", errors="replace") if isinstance(data, bytes) else data
        if not text.lstrip().startswith("{"):
            return None
        try:
            # Bounded like every JSON upload: a deep or NUL-bearing asset is refused, not walked.
            data = load_json(text, max_bytes=MAX_BYTES)
        except UploadRefused:
            # Not read as Kobo's: the JSON import then refuses it with the reason (same bounded reader).
            return None
    if not isinstance(data, dict):
        return None
    content = data.get("content") if isinstance(data.get("content"), dict) else data
    if not isinstance(content.get("survey"), list):
        return None
    return content


def is_kobo_asset(data: bytes | str | dict) -> bool:
    """Whether ``data`` is KoboToolbox form JSON (and not consult's own definition format)."""
    return parse_asset(data) is not None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return ""
    return str(value)


def _row(item: dict[str, Any], translations: list[Any], translated: set[str]) -> dict[str, str]:
    row: dict[str, str] = {}
    for key, value in item.items():
        if key.startswith("$") and key not in ("$autoname", "$autovalue"):
            continue
        if isinstance(value, list) and (key in translated or key in _TRANSLATED):
            for index, text in enumerate(value):
                language = translations[index] if index < len(translations) else None
                column = f"{key}::{language}" if language else key
                if text not in (None, ""):
                    row[column] = _text(text)
            continue
        text = _text(value)
        if text:
            row[key] = text
    if "name" not in row and row.get("$autoname"):
        row["name"] = row["$autoname"]
    if "name" not in row and row.get("$autovalue"):
        row["name"] = row["$autovalue"]
    row.pop("$autoname", None)
    row.pop("$autovalue", None)
    kind = row.get("type", "")
    if kind.endswith("_or_other"):
        kind = kind[: -len("_or_other")]
        row["type"] = kind
        row["_or_other"] = "yes"
    listed = row.pop("select_from_list_name", "")
    if listed and kind.split(" ")[0] in ("select_one", "select_multiple", "rank"):
        row["type"] = f"{kind} {listed}" + (" or_other" if row.pop("_or_other", "") else "")
    row.pop("_or_other", None)
    return row


def kobo_definition(content: dict[str, Any]) -> DefinitionData:
    """A Kobo asset's content as pyxform's workbook data (what pyxform reads from the form's .xlsx)."""
    translations = content.get("translations") or [None]
    translated = set(content.get("translated") or [])
    survey = [_row(item, translations, translated) for item in content.get("survey") or [] if isinstance(item, dict)]
    choices = [_row(item, translations, translated) for item in content.get("choices") or [] if isinstance(item, dict)]
    settings = content.get("settings") or {}
    if isinstance(settings, list):
        settings = settings[0] if settings and isinstance(settings[0], dict) else {}
    settings = {k: _text(v) for k, v in settings.items() if _text(v)}
    if "default_language" not in settings and translations and translations[0]:
        settings["default_language"] = str(translations[0])

    def header(rows: list[dict[str, str]]) -> list[dict[str, None]]:
        seen: dict[str, None] = {}
        for row in rows:
            for key in row:
                seen.setdefault(key, None)
        return [seen] if seen else []

    return DefinitionData(
        survey=survey,
        survey_header=header(survey),
        choices=choices or None,
        choices_header=header(choices) or None,
        settings=[settings] if settings else None,
        settings_header=header([settings]) if settings else None,
        sheet_names=["survey", "choices", "settings"],
    )


def kobo_sheets(content: dict[str, Any]) -> dict[str, Any]:
    """consult's sheets from a Kobo asset's content."""
    return sheets_from_definition(kobo_definition(content))


def import_kobo_asset(
    data: bytes | str | dict, *, filename: str = "form.json", languages: dict[str, str] | None = None
) -> ImportResult:
    """A KoboToolbox form (asset JSON) into an instrument definition, reported as its XLSForm would be."""
    from consult.surveys.xlsform.reader import import_sheets

    content = parse_asset(data)
    if content is None:
        raise XLSFormError(
            _l("This file is not a KoboToolbox form (JSON with content.survey), nor an Excel workbook (.xlsx).")
        )
    return import_sheets(kobo_sheets(content), filename=filename, languages=languages)
