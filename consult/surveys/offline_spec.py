"""The instrument as the offline answering app needs it: one JSON-serialisable description.

``consult/static/offline/rules.js`` (``window.ConsultRules``) reads it to do in the browser what
the server does: evaluate conditions (``consult.surveys.rules``), find the path
(``consult.surveys.paths``) and turn a page's form data into answer values (the page form of
``consult.surveys.forms`` and the question types). The field names and option values are taken
from the question types' own field specs (``QuestionType.fields``), the ones the page form renders,
so they match the HTML inputs. ``tests/surveys/test_offline_rules_parity.py`` holds the two sides equal.

Format (``format: 1``)::

    {
      "format": 1, "key": "community_risk",
      "pages": [{"key": "p1", "section": "s1", "when": null,
                 "routing": [{"goto": "p5", "when": {...}}], "questions": ["A1", "A2"]}],
      "questions": [
        {"key": "A1", "type": "single_choice", "index": 0, "page": "p1", "required": true,
         "when": null, "parse": "single",
         "fields": [{"name": "q-A1", "widget": "radio", "part": null, "other": false,
                     "values": ["yes", "no", "other"]},
                    {"name": "q-A1-other", "widget": "text", "part": "other", "other": true, "values": []}],
         "allowed": ["no", "other", "yes"], "has_other": true},
        ...
      ]
    }

``parse`` says how the fields become a value: ``none`` (information text), ``single``,
``multiple``, ``scale``, ``number``, ``text``, ``date``, ``date_range``, ``territory`` and
``rated`` (severity, UNGP 31); the members each needs are listed in ``_parse_members``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from consult.surveys.engine import Instrument, Question, thaw
from consult.surveys.types import FieldContext, question_type
from consult.surveys.types.blocks import Severity, Territory, Ungp31, _Rated
from consult.surveys.types.choice import OTHER, MultipleChoice, Scale, SingleChoice
from consult.surveys.types.simple import Date, DateRange, LongText, Number, ShortText

FORMAT = 1

# Question type class -> how the JS reads its fields (subclasses first: DateRange is a Date).
_PARSERS: tuple[tuple[type, str], ...] = (
    (DateRange, "date_range"),
    (Date, "date"),
    (Number, "number"),
    (ShortText, "text"),
    (Scale, "scale"),
    (MultipleChoice, "multiple"),
    (SingleChoice, "single"),
    (Territory, "territory"),
    (_Rated, "rated"),
)


def offline_spec(
    instrument: Instrument, localities: Sequence[Mapping[str, Any]] | None = None, lang: str | None = None
) -> dict[str, Any]:
    """The description of ``instrument`` that ``ConsultRules`` (rules.js) works from (see the module docstring).

    ``localities`` are the consultation's places (``{"code", "name", "area"}``, as
    ``consult.responses.survey.localities_of`` gives them): territory questions have fields only
    when there are places, as on the server. ``lang`` is the content language used to build the
    fields (names and values do not depend on it). Call it inside an application context.
    """
    ctx = FieldContext(
        instrument=instrument,
        lang=lang or instrument.fallback_language,
        interface_lang=lang or instrument.fallback_language,
        localities=list(localities or ()),
    )
    pages = [
        {
            "key": page.key,
            "section": page.section_key,
            "when": _plain(page.when),
            "routing": [{"goto": route.goto, "when": _plain(route.when)} for route in page.routing],
            "questions": [question.key for question in page.questions],
        }
        for page in instrument.pages
    ]
    return {
        "format": FORMAT,
        "key": instrument.key,
        "pages": pages,
        "questions": [question_spec(question, ctx) for question in instrument.questions],
    }


def question_spec(question: Question, ctx: FieldContext) -> dict[str, Any]:
    """One question's entry of the description: its rule, its form fields and how they are read."""
    kind = question_type(question.type)
    fields = [
        {
            "name": spec.name,
            "widget": spec.widget,
            "part": spec.part,
            "other": spec.is_other,
            "values": [choice.value for choice in spec.choices],
        }
        for spec in kind.fields(question, ctx)
    ]
    parse = next((name for cls, name in _PARSERS if isinstance(kind, cls)), "none")
    entry: dict[str, Any] = {
        "key": question.key,
        "type": question.type,
        "index": question.index,
        "page": question.page_key,
        "required": question.required,
        "when": _plain(question.when),
        "parse": parse,
        "fields": fields,
    }
    entry.update(_parse_members(question, kind, parse, ctx))
    return entry


def _parse_members(question: Question, kind: Any, parse: str, ctx: FieldContext) -> dict[str, Any]:
    """What the JS parser of ``parse`` needs, read from the type object as its ``parse`` reads it."""
    if parse == "single":
        return {
            "allowed": sorted(kind.rule_values(question) or ()),
            "has_other": kind.allows_other and question.other is not None,
        }
    if parse == "multiple":
        return {
            "allowed": sorted(kind.rule_values(question) or ()),
            "has_other": kind.allows_other and question.other is not None,
            "order": [choice.value for choice in kind.choices(question, ctx)],
            "exclusive": [option.value for option in question.options if option.exclusive],
            "max_choices": _int_or_none(question.get("max_choices")),
        }
    if parse == "scale":
        # The radio's value (``str`` of the point) -> the stored point (a number) or "dont_know".
        return {"points": [[str(value), value] for value in _sorted_values(kind.rule_values(question) or ())]}
    if parse == "number":
        return {
            "decimal": bool(question.get("decimal")),
            "min": _number_or_none(question.get("min")),
            "max": _number_or_none(question.get("max")),
        }
    if parse == "text":
        return {"max_length": kind._limit(question), "multiline": isinstance(kind, LongText)}
    if parse in ("date", "date_range"):
        return {"min": question.get("min") or None, "max": question.get("max") or None}
    if parse == "territory":
        places = list(ctx.localities)
        return {
            "level": kind._level(question),
            "areas": kind._areas(ctx),
            # Code (as the option's value) -> the place's area (``None`` when it has none).
            "places": [[str(p["code"]), p.get("area") or None] for p in places],
        }
    if parse == "rated":
        return {
            "parts": [[part, [code for code, _ in kind.part_choices(part)]] for part in kind._parts(question)],
            "as_int": isinstance(kind, Severity),
            "criteria": isinstance(kind, Ungp31),
        }
    return {}


def _sorted_values(values: Any) -> list[Any]:
    # Numbers first in order, then words: a stable order for the description.
    return sorted(values, key=lambda v: (isinstance(v, str), v if not isinstance(v, str) else 0, str(v)))


def _int_or_none(value: Any) -> int | None:
    # ``isinstance(limit, int)`` is what the type checks (a bool is an int there too).
    return int(value) if isinstance(value, int) else None


def _number_or_none(value: Any) -> float | int | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _plain(condition: Any) -> Any:
    return thaw(condition) if condition is not None else None


__all__ = ["FORMAT", "OTHER", "offline_spec", "question_spec"]
