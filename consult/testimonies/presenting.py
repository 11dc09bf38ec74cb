"""Turning opened answers into lines a reader sees (question, answer), in a chosen language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from flask_babel import get_locale

from consult.accounts.models import Territory
from consult.surveys.engine import Instrument
from consult.surveys.types import Content, FieldContext, question_type


@dataclass
class AnswerLine:
    """One answered question: its text (marked with its language) and the answer in words."""

    key: str
    question: Content
    answer: str
    is_long: bool


def field_context(instrument: Instrument, lang: str, territory: Territory | None) -> FieldContext:
    """The survey engine's context for showing answers of ``instrument`` in ``lang``."""
    localities = [
        {"code": loc.code, "name": loc.name, "area": loc.area} for loc in (territory.localities if territory else [])
    ]
    return FieldContext(instrument=instrument, lang=lang, interface_lang=str(get_locale()), localities=localities)


def answer_lines(
    instrument: Instrument, answers: Mapping[str, Any], lang: str, territory: Territory | None
) -> list[AnswerLine]:
    """Every answered question in the instrument's order, with the answer as the engine words it."""
    ctx = field_context(instrument, lang, territory)
    lines = []
    for question in instrument.questions:
        if question.type == "info" or question.key not in answers:
            continue
        shown = question_type(question.type).display(question, answers[question.key], ctx)
        if shown in (None, ""):
            continue
        lines.append(
            AnswerLine(question.key, ctx.content(question.text), str(shown), question.type == "long_text")
        )
    return lines


def content_language(instrument: Instrument, asked: str) -> str:
    """``asked`` if the instrument has it, else its fallback language."""
    return asked if asked in instrument.languages else instrument.fallback_language
