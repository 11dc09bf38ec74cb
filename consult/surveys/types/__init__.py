"""Question types: one class per type, each owning its fields, validation, rows and export.

``question_type(name)`` returns the (stateless) type object::

    kind = question_type("severity")
    kind.to_rows(question, {"scale": 4})          # [AnswerRow(part="scale", number=4)]
    kind.from_rows(question, rows)                # {"scale": 4}
    kind.export_columns(question)                 # ["A4.scale", ..., "A4.severity", "A4.urgent"]
"""

from __future__ import annotations

from consult.surveys.types.base import (
    MESSAGES,
    AnswerRow,
    Choice,
    Content,
    FieldContext,
    FieldSpec,
    Parsed,
    QuestionType,
    field_name,
)
from consult.surveys.types.blocks import Severity, Territory, Ungp31
from consult.surveys.types.choice import Consent, MultipleChoice, Scale, SingleChoice, StakeholderGroup
from consult.surveys.types.simple import Date, DateRange, Info, LongText, Number, ShortText

TYPES: dict[str, QuestionType] = {
    kind.name: kind
    for kind in (
        Info(),
        SingleChoice(),
        MultipleChoice(),
        Scale(),
        Number(),
        ShortText(),
        LongText(),
        Date(),
        DateRange(),
        Territory(),
        StakeholderGroup(),
        Severity(),
        Ungp31(),
        Consent(),
    )
}
TYPE_NAMES = tuple(TYPES)


def question_type(name: str) -> QuestionType:
    """The type object registered under ``name`` (``KeyError`` for an unknown type)."""
    return TYPES[name]


__all__ = [
    "MESSAGES",
    "TYPES",
    "TYPE_NAMES",
    "AnswerRow",
    "Choice",
    "Content",
    "FieldContext",
    "FieldSpec",
    "Parsed",
    "QuestionType",
    "field_name",
    "question_type",
]
