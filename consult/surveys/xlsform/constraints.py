"""XLSForm ``constraint`` expressions as consult bounds, and back.

What a constraint can become, per question type:

- number: ``. >= 0 and . <= 120`` → ``min``/``max`` (``. > 0`` on a whole number → ``min`` 1);
- short or long text: ``string-length(.) <= 200`` → ``max_length``;
- date: ``. >= date('2020-01-01')`` → ``min``/``max`` (a strict bound moves by one day);
- multiple choice: ``count-selected(.) <= 3`` → ``max_choices``, and
  ``not(selected(., 'none') and count-selected(.) > 1)`` → option ``none`` is exclusive.

Any other part of a constraint is reported, never dropped silently.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from consult.surveys.xlsform.expressions import FLIPPED, Untranslatable, conjuncts, parse, quote, to_text

SELF = ("self",)


@dataclass
class Bounds:
    """What a constraint meant: members to set on the question, and the parts left out (with why)."""

    members: dict[str, Any] = field(default_factory=dict)
    exclusive: list[str] = field(default_factory=list)
    skipped: list[tuple[str, Any]] = field(default_factory=list)
    approximated: list[str] = field(default_factory=list)
    #: Message names (``messages`` keys) a constraint_message stands for.
    message_names: list[str] = field(default_factory=list)


def _self_comparison(tree: tuple) -> tuple[str, tuple] | None:
    """``(op, other side)`` for ``. op X`` or ``X op .``."""
    if tree[0] != "cmp":
        return None
    _, op, left, right = tree
    if left == SELF:
        return op, right
    if right == SELF:
        return FLIPPED[op], left
    return None


def _count_comparison(tree: tuple, function: str) -> tuple[str, Any] | None:
    """``(op, n)`` for ``function(.) op n`` or ``n op function(.)``."""
    if tree[0] != "cmp":
        return None
    _, op, left, right = tree
    subject = ("call", function, [SELF])
    if left == subject and right[0] == "num":
        return op, right[1]
    if right == subject and left[0] == "num":
        return FLIPPED[op], left[1]
    return None


def _exclusive_option(tree: tuple) -> str | None:
    """The option in ``not(selected(., 'x') and count-selected(.) > 1)``."""
    if tree[0] != "call" or tree[1] != "not" or len(tree[2]) != 1 or tree[2][0][0] != "and":
        return None
    items = tree[2][0][1]
    if len(items) != 2:
        return None
    chosen = [i for i in items if i[0] == "call" and i[1] == "selected" and len(i[2]) == 2 and i[2][0] == SELF]
    counts = [i for i in items if _count_comparison(i, "count-selected") in ((">", 1), (">=", 2))]
    if len(chosen) == 1 and len(counts) == 1 and chosen[0][2][1][0] in ("str", "num"):
        return str(chosen[0][2][1][1])
    return None


def _date(node: tuple) -> str | None:
    if node[0] == "call" and node[1] == "date" and len(node[2]) == 1 and node[2][0][0] == "str":
        text = node[2][0][1]
        try:
            datetime.date.fromisoformat(text)
        except ValueError:
            return None
        return text
    return None


def read_constraint(text: str, question_type: str, *, decimal: bool = False) -> Bounds:
    """What the constraint ``text`` means for a question of ``question_type`` (a consult type)."""
    bounds = Bounds()
    try:
        tree = parse(text)
    except Untranslatable as exc:
        bounds.skipped.append((text, exc.reason))
        return bounds
    for part in conjuncts(tree):
        if not _read_part(part, question_type, decimal, bounds):
            bounds.skipped.append((to_text(part), _l("consult cannot check this")))
    return bounds


def _read_part(part: tuple, question_type: str, decimal: bool, bounds: Bounds) -> bool:
    members = bounds.members
    if question_type == "number":
        found = _self_comparison(part)
        if not found or found[1][0] != "num" or found[0] not in (">", "<", ">=", "<="):
            return False
        op, value = found[0], found[1][1]
        name = "min" if op in (">", ">=") else "max"
        if not decimal and isinstance(value, float):
            # A whole-number question: the nearest whole bound inside the range.
            value = math.ceil(value) if name == "min" else math.floor(value)
        elif op in (">", "<"):
            if decimal:
                bounds.approximated.append(to_text(part))
            else:
                value = value + 1 if op == ">" else value - 1
        members[name] = value
        bounds.message_names.append(name)
        return True
    if question_type in ("short_text", "long_text"):
        found = _count_comparison(part, "string-length")
        if not found or found[0] not in ("<", "<=") or found[1] < 1:
            return False
        members["max_length"] = int(found[1] - (1 if found[0] == "<" else 0))
        bounds.message_names.append("max_length")
        return True
    if question_type in ("date", "date_range"):
        found = _self_comparison(part)
        if question_type == "date_range" and found and found[1][0] == "ref":
            return found[0] in (">=",)  # the end is on or after the start: the engine checks that itself
        if not found or found[0] not in (">", "<", ">=", "<=") or _date(found[1]) is None:
            return False
        op, day = found[0], datetime.date.fromisoformat(_date(found[1]))
        if op == ">":
            day += datetime.timedelta(days=1)
        elif op == "<":
            day -= datetime.timedelta(days=1)
        name = "min" if op in (">", ">=") else "max"
        members[name] = day.isoformat()
        bounds.message_names.append("date_min" if name == "min" else "date_max")
        return True
    if question_type == "multiple_choice":
        option = _exclusive_option(part)
        if option is not None:
            bounds.exclusive.append(option)
            bounds.message_names.append("exclusive")
            return True
        found = _count_comparison(part, "count-selected")
        if not found or found[0] not in ("<", "<=") or found[1] < 1:
            return False
        members["max_choices"] = int(found[1] - (1 if found[0] == "<" else 0))
        bounds.message_names.append("max_choices")
        return True
    return False


def write_constraint(question: dict[str, Any], part: str | None = None) -> str:
    """The XLSForm constraint of a question's bounds (``""`` when it has none).

    ``part`` is ``start`` or ``end`` for the two dates of a date range.
    """
    kind = question.get("type")
    items: list[str] = []
    if kind == "number":
        if question.get("min") is not None:
            items.append(f". >= {question['min']}")
        if question.get("max") is not None:
            items.append(f". <= {question['max']}")
    elif kind in ("short_text", "long_text") and question.get("max_length"):
        items.append(f"string-length(.) <= {int(question['max_length'])}")
    elif kind in ("date", "date_range"):
        if question.get("min"):
            items.append(f". >= date({quote(question['min'])})")
        if question.get("max"):
            items.append(f". <= date({quote(question['max'])})")
    elif kind == "multiple_choice":
        for option in question.get("options") or ():
            if option.get("exclusive"):
                items.append(f"not(selected(., {quote(option['value'])}) and count-selected(.) > 1)")
        if question.get("max_choices"):
            items.append(f"count-selected(.) <= {int(question['max_choices'])}")
    return " and ".join(items)


def constraint_message_names(question: dict[str, Any]) -> list[str]:
    """The ``messages`` keys that reading back ``write_constraint(question)`` would give a constraint_message."""
    names = read_constraint(write_constraint(question), question.get("type", ""), decimal=bool(question.get("decimal")))
    return sorted(set(names.message_names)) if write_constraint(question) else []
