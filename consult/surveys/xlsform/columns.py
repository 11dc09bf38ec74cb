"""Which columns of each sheet we read, in which language, and reports for the rest.

Texts come from ``label``, ``hint``, ``required_message`` and
``constraint_message`` columns, plain (in the form's default language) or with
a language (``label::Español (es)``). Any other column that holds values is
reported once, with the first row where it has one: nothing is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from consult.surveys.xlsform.languages import language_code
from consult.surveys.xlsform.report import Reporter
from consult.surveys.xlsform.workbook import Row, Sheet, normalise_header

TEXT_COLUMNS = ("label", "hint", "required_message", "constraint_message")
MARKER_TYPE = "bind::consult:type"
MARKER_DATA = "bind::consult:data"
# A question's or a choice's concept; our export writes the survey one as bind::consult:concept (read as this).
CONCEPT = "concept"
MARKER_CONCEPT = "bind::consult:concept"

SURVEY_COLUMNS = frozenset(
    {
        "type",
        "name",
        "required",
        "relevant",
        "constraint",
        "appearance",
        "choice_filter",
        "calculation",
        "parameters",
        MARKER_TYPE,
        MARKER_DATA,
        CONCEPT,
    }
)
# A choice's pictogram (face-1 … face-5, consult.surveys.pictograms).
PICTOGRAM = "pictogram"
CHOICES_COLUMNS = frozenset({"list_name", "name", CONCEPT, PICTOGRAM})
SETTINGS_COLUMNS = frozenset(
    {"form_title", "form_id", "default_language", "version", "namespaces", "consult:data", "allow_choice_duplicates"}
)

# Why some well-known columns are left out, in words a form author understands.
_COLUMN_REASONS = {
    "media": _l("consult shows no images, audio or video in questions"),
    "image": _l("consult shows no images, audio or video in questions"),
    "big-image": _l("consult shows no images, audio or video in questions"),
    "audio": _l("consult shows no images, audio or video in questions"),
    "video": _l("consult shows no images, audio or video in questions"),
    "default": _l("consult does not fill in answers in advance"),
    "read_only": _l("every consult question can be answered"),
    "readonly": _l("every consult question can be answered"),
    "guidance_hint": _l("consult shows one hint per question"),
    "repeat_count": _l("consult has no repeats"),
    "trigger": _l("consult does not compute values within a form"),
}


@dataclass
class TextColumns:
    """The text columns of one sheet: ``{base: {language code: header}}``."""

    by_base: dict[str, dict[str, str]] = field(default_factory=dict)

    def text(self, row: Row, base: str) -> dict[str, str]:
        """The text of a row in each language that has it (``{}`` when none)."""
        found = {}
        for code, header in self.by_base.get(base, {}).items():
            value = row.get(header)
            if value:
                found[code] = value
        return found


@dataclass
class Languages:
    """The form's languages: the default (our fallback) and every language with a text column."""

    fallback: str
    declared: list[str]


def _split(header: str) -> tuple[str, str | None]:
    base, _, rest = header.partition("::")
    return base, (rest or None)


def read_languages(
    sheets: list[Sheet],
    default_language: str,
    settings_row: int | None,
    settings_name: str | None,
    reporter: Reporter,
    chosen: dict[str, str] | None = None,
) -> tuple[Languages, dict[str, TextColumns]]:
    """The form's languages and each sheet's text columns; errors for uncertain or clashing languages.

    A language part that cannot be mapped to a code with certainty is listed in
    ``reporter.unknown_languages`` (and refuses the file) until ``chosen`` gives its code.
    """
    default_code = "es"
    if default_language:
        code = language_code(default_language, chosen)
        if code is None:
            _unknown(reporter, default_language, settings_name, settings_row, "default_language")
        else:
            default_code = code
    seen: list[str] = []
    columns: dict[str, TextColumns] = {}
    for sheet in sheets:
        found = TextColumns()
        for header, written in sheet.headers.items():
            base, lang = _split(header)
            if base not in TEXT_COLUMNS:
                continue
            if lang is None:
                code = default_code
            else:
                code = language_code(lang, chosen)
                if code is None:
                    _unknown(reporter, lang, sheet.name, sheet.header_row, written)
                    continue
            same = found.by_base.setdefault(base, {})
            if code in same:
                reporter.error(
                    sheet.name,
                    sheet.header_row,
                    _l(
                        "The columns %(first)s and %(second)s both hold the %(base)s in the same language (%(code)s).",
                        first=sheet.headers[same[code]],
                        second=written,
                        base=base,
                        code=code,
                    ),
                    column=written,
                )
                continue
            same[code] = header
            if code not in seen:
                seen.append(code)
        columns[sheet.name] = found
    if default_language or not seen:
        fallback = default_code
    else:
        fallback = "es" if "es" in seen else seen[0]
    if seen and fallback not in seen:
        reporter.error(
            settings_name,
            settings_row,
            _l(
                "The default language %(code)s has no label column; add label::%(code)s or change default_language.",
                code=fallback,
            ),
            column="default_language",
        )
    declared = [fallback] + [code for code in seen if code != fallback]
    return Languages(fallback, declared), columns


def _unknown(reporter: Reporter, language: str, sheet: str | None, row: int | None, column: str) -> None:
    """An uncertain language: asked of the person (once per language part), refusing the file until answered."""
    if language in reporter.unknown_languages:
        return
    reporter.unknown_languages.append(language)
    reporter.error(
        sheet,
        row,
        _l(
            "consult cannot tell with certainty which language “%(language)s” is; give its code "
            "(for example mzh for Wichí) and import again.",
            language=language,
        ),
        column=column,
    )


def report_other_columns(sheet: Sheet, used: frozenset[str], reporter: Reporter, *, settings: bool = False) -> None:
    """A warning for each column we do not read that holds a value (first row, and how many rows)."""
    for header, written in sheet.headers.items():
        base, _ = _split(header)
        if header in used or base in TEXT_COLUMNS or header.startswith("$"):
            # "$kuid", "$autoname"...: KoboToolbox's own bookkeeping, no content of the form.
            continue
        rows = [row.number for row in sheet.rows if row.get(header)]
        if not rows:
            continue
        if settings:
            reporter.warn(
                sheet.name,
                rows[0],
                _l("The setting %(column)s is not imported: it has no meaning in consult.", column=written),
                column=written,
            )
            continue
        reason = _COLUMN_REASONS.get(base, _l("consult does not know this column"))
        reporter.warn(
            sheet.name,
            rows[0],
            _l(
                "The column %(column)s is not imported (%(reason)s); %(n)d row(s) have a value in it.",
                column=written,
                reason=reason,
                n=len(rows),
            ),
            column=written,
        )
    for written in sheet.duplicate_headers:
        message = _l("The column %(column)s appears twice; only the first one is read.", column=written)
        base, _ = _split(normalise_header(written))
        if base in TEXT_COLUMNS or base in {_split(u)[0] for u in used}:
            reporter.error(sheet.name, sheet.header_row, message, column=written)
        else:
            reporter.warn(sheet.name, sheet.header_row, message, column=written)
    if sheet.unnamed_cells:
        reporter.warn(
            sheet.name,
            sheet.unnamed_cells[0],
            _l(
                "%(n)d row(s) have values in a column without a heading; they are not imported.",
                n=len(sheet.unnamed_cells),
            ),
        )
