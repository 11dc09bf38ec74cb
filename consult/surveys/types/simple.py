"""Questions answered by typing: information text, number, short and long text, date, date range."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from consult.surveys.engine import Question
from consult.surveys.types.base import (
    AnswerRow,
    FieldContext,
    FieldSpec,
    Parsed,
    QuestionType,
    clean_text,
    field_name,
    row_field,
)

# Larger numbers are typing mistakes, and would not fit every database's numeric column.
NUMBER_LIMIT = 10**12


class Info(QuestionType):
    """Information text shown to the respondent; no answer."""

    name = "info"
    summary_kind = None
    layout = "info"

    def export_columns(self, question: Question) -> list[str]:
        """No columns: there is nothing to export."""
        return []

    def export_values(self, question: Question, value: Any) -> list[Any]:
        """No cells."""
        return []


def parse_number(text: str, decimal: bool) -> float | int | None:
    """A number typed by a person: ``12``, ``-3``, ``12,5``, ``12.5``, ``1.000`` or ``1 000``; else ``None``."""
    t = re.sub(r"[\s\u00a0\u202f]", "", text)
    if re.fullmatch(r"[+-]?\d{1,3}([.,]\d{3})+", t) and not decimal:
        t = t.replace(".", "").replace(",", "")  # thousands grouped, in any convention
    elif "," in t and "." in t:
        # The separator written last is the decimal one: 1.234,5 or 1,234.5.
        t = t.replace(".", "").replace(",", ".") if t.rfind(",") > t.rfind(".") else t.replace(",", "")
    else:
        t = t.replace(",", ".")
    if not re.fullmatch(r"[+-]?\d+(\.\d+)?", t):
        return None
    if decimal:
        number: float | int = float(t)
    elif re.fullmatch(r"[+-]?\d+(\.0+)?", t):
        number = int(t.split(".")[0])
    else:
        return None
    return number if abs(number) < NUMBER_LIMIT else None


def format_number(value: Any) -> str:
    """A stored number as a person types it (``12``, ``12.5``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


class Number(QuestionType):
    """A whole or decimal number with optional bounds and unit. Value: ``12`` or ``12.5``."""

    name = "number"
    summary_kind = "numeric"

    def check_definition(self, raw: Mapping[str, Any]) -> list:
        """``min`` ≤ ``max``; whole bounds for a whole number."""
        problems = []
        low, high = raw.get("min"), raw.get("max")
        if _is_number(low) and _is_number(high) and low > high:
            problems.append(("min", _l("“min” is greater than “max”."), "invalid_member"))
        if not raw.get("decimal"):
            for name in ("min", "max"):
                if isinstance(raw.get(name), float) and not raw[name].is_integer():
                    problems.append((name, _l("A whole-number question needs whole-number bounds."), "invalid_member"))
        return problems

    def fields(self, question: Question, ctx: FieldContext) -> list[FieldSpec]:
        """A text input with a numeric keyboard (``type=number`` refuses "12,5" in some browsers)."""
        mode = "decimal" if question.get("decimal") else "numeric"
        unit = ctx.content(question.get("unit")) if question.get("unit") else None
        return [
            FieldSpec(
                field_name(question.key),
                "number",
                suffix=unit,
                render_kw={"inputmode": mode, "autocomplete": "off", "maxlength": 20},
            )
        ]

    def form_data(self, question: Question, value: Any) -> dict[str, Any]:
        """The number as text."""
        return {field_name(question.key): format_number(value)}

    def parse(self, question: Question, data: Mapping[str, Any], ctx: FieldContext) -> Parsed:
        """A number within the bounds."""
        name = field_name(question.key)
        text = clean_text(data.get(name))
        parsed = Parsed()
        if text:
            decimal = bool(question.get("decimal"))
            number = parse_number(text, decimal)
            if number is None:
                parsed.error(name, ctx.message(question, "decimal" if decimal else "integer"))
                return parsed
            low, high = question.get("min"), question.get("max")
            if _is_number(low) and number < low:
                parsed.error(name, ctx.message(question, "min", min=format_number(low)))
            elif _is_number(high) and number > high:
                parsed.error(name, ctx.message(question, "max", max=format_number(high)))
            else:
                parsed.value = number
        return self._required(question, parsed, ctx)

    def to_rows(self, question: Question, value: Any) -> list[AnswerRow]:
        """A row with the number."""
        return [] if value is None else [AnswerRow(number=value)]

    def from_rows(self, question: Question, rows: Iterable[Any]) -> Any:
        """The number (whole unless the question is decimal)."""
        for row in rows:
            number = row_field(row, "number")
            if number is not None:
                return float(number) if question.get("decimal") else int(number)
        return None

    def export_values(self, question: Question, value: Any) -> list[Any]:
        """The number."""
        return [value]

    def display(self, question: Question, value: Any, ctx: FieldContext) -> str:
        """The number and its unit."""
        if value is None:
            return ""
        unit = ctx.content(question.get("unit")).text if question.get("unit") else ""
        return f"{format_number(value)} {unit}".strip()


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class ShortText(QuestionType):
    """A line of text, at most ``max_length`` characters (200 by default). Value: the text."""

    name = "short_text"
    summary_kind = "text"
    default_length = 200
    widget = "text"

    def _limit(self, question: Question) -> int:
        limit = question.get("max_length")
        return limit if isinstance(limit, int) and limit > 0 else self.default_length

    def fields(self, question: Question, ctx: FieldContext) -> list[FieldSpec]:
        """A text input (or a text area)."""
        return [FieldSpec(field_name(question.key), self.widget, render_kw={"maxlength": self._limit(question)})]

    def form_data(self, question: Question, value: Any) -> dict[str, Any]:
        """The text."""
        return {field_name(question.key): value or ""}

    def parse(self, question: Question, data: Mapping[str, Any], ctx: FieldContext) -> Parsed:
        """Stripped text within the length limit; empty is no answer."""
        name = field_name(question.key)
        text = clean_text(data.get(name)).replace("\r\n", "\n")
        parsed = Parsed()
        limit = self._limit(question)
        if len(text) > limit:
            parsed.error(name, ctx.message(question, "max_length", n=limit, count=len(text)))
            return parsed
        parsed.value = text or None
        return self._required(question, parsed, ctx)

    def to_rows(self, question: Question, value: Any) -> list[AnswerRow]:
        """A row with the text."""
        return [] if not value else [AnswerRow(text=value)]

    def from_rows(self, question: Question, rows: Iterable[Any]) -> Any:
        """The text."""
        for row in rows:
            if row_field(row, "text"):
                return row_field(row, "text")
        return None

    def export_values(self, question: Question, value: Any) -> list[Any]:
        """The text."""
        return [value]


class LongText(ShortText):
    """Paragraphs of text, at most ``max_length`` characters (4000 by default)."""

    name = "long_text"
    default_length = 4000
    widget = "textarea"


def parse_date(text: str) -> datetime.date | None:
    """A date typed as ``2026-03-01`` (what date inputs send) or ``1/3/2026`` (day first); else ``None``."""
    text = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = datetime.date.fromisoformat(text)
        else:
            match = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", text)
            if not match:
                return None
            day = datetime.date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return None
    return day if day.year >= 1900 else None


def show_date(value: str) -> str:
    """An ISO date in the words of the page's language (``31 dic 2025``)."""
    try:
        return format_date(datetime.date.fromisoformat(value), "medium")
    except (ValueError, RuntimeError, AttributeError, KeyError):
        return value


class Date(QuestionType):
    """A day, with optional ``min``/``max`` (ISO dates). Value: ``"2026-03-01"``."""

    name = "date"
    summary_kind = "date"

    def check_definition(self, raw: Mapping[str, Any]) -> list:
        """``min``/``max`` are real dates, ``min`` ≤ ``max``."""
        problems = []
        bounds = {}
        for name in ("min", "max"):
            if raw.get(name) is not None:
                day = (
                    parse_date(raw[name])
                    if isinstance(raw[name], str) and len(raw[name]) == 10 and raw[name][4] == "-"
                    else None
                )
                if day is None:
                    problems.append(
                        (
                            name,
                            _l("“%(value)s” is not a date written as YYYY-MM-DD.", value=str(raw[name])),
                            "invalid_member",
                        )
                    )
                bounds[name] = day
        if bounds.get("min") and bounds.get("max") and bounds["min"] > bounds["max"]:
            problems.append(("min", _l("“min” is later than “max”."), "invalid_member"))
        return problems

    def _spec(self, question: Question, name: str, label: Any = None) -> FieldSpec:
        render_kw: dict[str, Any] = {"type": "date", "autocomplete": "off"}
        for bound in ("min", "max"):
            if question.get(bound):
                render_kw[bound] = question.get(bound)
        return FieldSpec(name, "date", part=None, label=label, render_kw=render_kw)

    def fields(self, question: Question, ctx: FieldContext) -> list[FieldSpec]:
        """A date input (a text box where browsers have no date picker)."""
        return [self._spec(question, field_name(question.key))]

    def form_data(self, question: Question, value: Any) -> dict[str, Any]:
        """The ISO date."""
        return {field_name(question.key): value or ""}

    def _parse_one(
        self, question: Question, name: str, data: Mapping[str, Any], ctx: FieldContext, parsed: Parsed
    ) -> str | None:
        text = clean_text(data.get(name))
        if not text:
            return None
        day = parse_date(text)
        if day is None:
            parsed.error(name, ctx.message(question, "date"))
            return None
        low, high = question.get("min"), question.get("max")
        if low and day.isoformat() < low:
            parsed.error(name, ctx.message(question, "date_min", min=show_date(low)))
            return None
        if high and day.isoformat() > high:
            parsed.error(name, ctx.message(question, "date_max", max=show_date(high)))
            return None
        return day.isoformat()

    def parse(self, question: Question, data: Mapping[str, Any], ctx: FieldContext) -> Parsed:
        """A real date within the bounds."""
        parsed = Parsed()
        parsed.value = self._parse_one(question, field_name(question.key), data, ctx, parsed)
        return self._required(question, parsed, ctx)

    def to_rows(self, question: Question, value: Any) -> list[AnswerRow]:
        """A row with the ISO date as text."""
        return [] if not value else [AnswerRow(text=value)]

    def from_rows(self, question: Question, rows: Iterable[Any]) -> Any:
        """The ISO date."""
        for row in rows:
            if row_field(row, "text"):
                return row_field(row, "text")
        return None

    def export_values(self, question: Question, value: Any) -> list[Any]:
        """The ISO date."""
        return [value]

    def display(self, question: Question, value: Any, ctx: FieldContext) -> str:
        """The date in words."""
        return show_date(value) if value else ""


RANGE_PARTS = ("start", "end")
RANGE_LABELS = {"start": _l("From"), "end": _l("To (leave empty if it is still going on)")}


class DateRange(Date):
    """A period: a start and, unless it is still going on, an end.

    Value: ``{"start": "2026-01-01", "end": "2026-02-01"}`` (``end`` may be absent).
    """

    name = "date_range"
    summary_kind = "date"
    layout = "fieldset"

    def rule_parts(self, question: Question) -> frozenset[str]:
        """``start`` and ``end``."""
        return frozenset(RANGE_PARTS)

    def fields(self, question: Question, ctx: FieldContext) -> list[FieldSpec]:
        """Two date inputs."""
        specs = []
        for part in RANGE_PARTS:
            spec = self._spec(question, field_name(question.key, part), ctx.interface(RANGE_LABELS[part]))
            spec.part = part
            specs.append(spec)
        return specs

    def form_data(self, question: Question, value: Any) -> dict[str, Any]:
        """Both ISO dates."""
        value = value if isinstance(value, Mapping) else {}
        return {field_name(question.key, p): value.get(p) or "" for p in RANGE_PARTS}

    def parse(self, question: Question, data: Mapping[str, Any], ctx: FieldContext) -> Parsed:
        """Real dates within the bounds, the end not before the start."""
        parsed = Parsed()
        value = {}
        for part in RANGE_PARTS:
            day = self._parse_one(question, field_name(question.key, part), data, ctx, parsed)
            if day:
                value[part] = day
        if parsed.errors:
            return parsed
        if "start" in value and "end" in value and value["end"] < value["start"]:
            parsed.error(field_name(question.key, "end"), ctx.message(question, "date_order"))
            return parsed
        parsed.value = value or None
        if question.required and parsed.value is None:
            parsed.error(field_name(question.key, "start"), ctx.message(question, "required"))
        return parsed

    def to_rows(self, question: Question, value: Any) -> list[AnswerRow]:
        """A row per given part, the ISO date as text."""
        value = value if isinstance(value, Mapping) else {}
        return [AnswerRow(part=p, text=value[p]) for p in RANGE_PARTS if value.get(p)]

    def from_rows(self, question: Question, rows: Iterable[Any]) -> Any:
        """Start and end."""
        value = {
            row_field(r, "part"): row_field(r, "text")
            for r in rows
            if row_field(r, "part") in RANGE_PARTS and row_field(r, "text")
        }
        return value or None

    def export_columns(self, question: Question) -> list[str]:
        """``KEY.start`` and ``KEY.end``."""
        return [f"{question.key}.{p}" for p in RANGE_PARTS]

    def export_values(self, question: Question, value: Any) -> list[Any]:
        """The two ISO dates."""
        value = value if isinstance(value, Mapping) else {}
        return [value.get(p) for p in RANGE_PARTS]

    def display(self, question: Question, value: Any, ctx: FieldContext) -> str:
        """ "start – end"."""
        if not isinstance(value, Mapping):
            return ""
        start = show_date(value["start"]) if value.get("start") else "…"
        end = show_date(value["end"]) if value.get("end") else "…"
        return f"{start} – {end}"
