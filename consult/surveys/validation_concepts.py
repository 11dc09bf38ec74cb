"""Concept tags of a definition: known, on a fitting question type, options coded in its vocabulary.

Part of ``validate_definition`` (see docs/instrument-format.md, "Concepts").
Like the other semantic checks it reports and never raises.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol

from flask_babel import lazy_gettext as _l

from consult.surveys import labels
from consult.surveys.engine import IMPLIED_CONCEPTS

_CHOICE = frozenset({"single_choice", "multiple_choice"})
# The question types each concept (by its part before ":") may be written on.
CONCEPT_TYPES: dict[str, frozenset[str]] = {
    "right": _CHOICE,
    "main_right": frozenset({"single_choice"}),
    "sector": _CHOICE,
    "involvement": _CHOICE,
    "severity": frozenset({"severity"}),
    "mechanism": _CHOICE,
    "main_mechanism": frozenset({"single_choice"}),
    "outcome": _CHOICE,
    "barrier": _CHOICE,
    "ungp31": frozenset({"ungp31"}),
    "remedy_time": frozenset({"number"}),
    "remedy_fairness": frozenset({"scale"}),
    "reprisal": _CHOICE,
    "group": frozenset({"stakeholder_group", "single_choice"}),
    "locality": frozenset({"territory"}),
    "attribute": _CHOICE,
}
# A single severity dimension is a score of its own: a scale or a number.
SEVERITY_DIMENSION_TYPES = frozenset({"scale", "number"})
# Concepts an instrument may give to one question only.
SINGLE_CONCEPTS = ("main_right", "main_mechanism")


def concept_types(concept: str) -> frozenset[str]:
    """The question types a (known) concept fits."""
    kind, detail = labels.split_concept(concept)
    if kind == "severity" and detail is not None:
        return SEVERITY_DIMENSION_TYPES
    return CONCEPT_TYPES.get(kind, frozenset())


class QuestionEntry(Protocol):
    """A question found in the document: where it is (``path``, ``label``), its ``key`` and its ``raw`` dict."""

    path: str
    key: str | None
    raw: Mapping[str, Any]
    label: str


Found = tuple[str, "str | None", Any, str]


def _options(raw: Mapping[str, Any]) -> list[tuple[int, Mapping[str, Any]]]:
    value = raw.get("options")
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, Mapping)]


def concept_problems(questions: Iterable[QuestionEntry]) -> Iterator[Found]:
    """``(where, key, message, code)`` for every concept problem of the questions, in document order."""
    first: dict[str, QuestionEntry] = {}
    for entry in questions:
        qtype = entry.raw.get("type")
        written = entry.raw.get("concept")
        concept = written if isinstance(written, str) else None
        if concept is not None:
            where = f"{entry.path}.concept"
            if not labels.is_known_concept(concept):
                yield (
                    where,
                    entry.key,
                    _l(
                        "“%(concept)s” is not a concept consult knows; use one of %(allowed)s, or "
                        "ungp31:MECHANISM with a mechanism type code.",
                        concept=concept,
                        allowed=", ".join(labels.CONCEPTS),
                    ),
                    "unknown_concept",
                )
                concept = None
            elif qtype not in concept_types(concept):
                yield (
                    where,
                    entry.key,
                    _l(
                        "The concept “%(concept)s” does not fit a question of type %(type)s; it fits: %(types)s.",
                        concept=concept,
                        type=str(qtype),
                        types=", ".join(sorted(concept_types(concept))),
                    ),
                    "concept_type",
                )
                concept = None
            elif concept in SINGLE_CONCEPTS:
                if concept in first:
                    yield (
                        where,
                        entry.key,
                        _l(
                            "Only one question may have the concept “%(concept)s”; %(other)s already has it.",
                            concept=concept,
                            other=first[concept].label,
                        ),
                        "duplicate_concept",
                    )
                else:
                    first[concept] = entry
        elif written is None and isinstance(qtype, str):
            concept = IMPLIED_CONCEPTS.get(qtype)
        yield from _option_problems(entry, concept, written is not None)


def _option_problems(entry: QuestionEntry, concept: str | None, written: bool) -> Iterator[Found]:
    vocabulary = labels.concept_vocabulary(concept)
    for i, option in _options(entry.raw):
        code = option.get("concept")
        if not isinstance(code, str):
            continue
        where = f"{entry.path}.options[{i}].concept"
        if concept is None:
            if not written:  # a question whose own concept is wrong was reported already
                yield (
                    where,
                    entry.key,
                    _l(
                        "The option “%(value)s” names the code “%(code)s”, but its question has no "
                        "concept; give the question one first.",
                        value=str(option.get("value")),
                        code=code,
                    ),
                    "option_concept_without_concept",
                )
        elif vocabulary is None:
            yield (
                where,
                entry.key,
                _l("The options of a question with the concept “%(concept)s” stand for no codes.", concept=concept),
                "unknown_option_concept",
            )
        elif code not in vocabulary:
            yield (
                where,
                entry.key,
                _l(
                    "“%(code)s” is not a code of the concept “%(concept)s” (its codes: %(allowed)s).",
                    code=code,
                    concept=concept,
                    allowed=", ".join(vocabulary),
                ),
                "unknown_option_concept",
            )
