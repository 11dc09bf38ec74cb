"""Between XLSForm ``relevant`` expressions and consult conditions, both ways.

Reading keeps the meaning ODK gives an expression. One case needs care: in
XLSForm ``${q} != 'x'`` also holds when ``q`` is empty, while consult's ``!=``
is false for a missing answer. So ``${q} != 'x'`` becomes
``{"not": [{"==": [q, "x"]}]}``, and consult's ``!=`` is written as
``${q} != '' and ${q} != 'x'`` (read back as ``!=``): meaning survives both ways.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from consult.surveys.xlsform.expressions import FLIPPED, Untranslatable, quote, to_text

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Kinds of answers, as far as conditions are concerned.
CHOICE, MULTIPLE, SCALE, SCORE, NUMBER, TEXT, DATE, WHOLE, TERRITORY = (
    "choice",
    "multiple",
    "scale",
    "score",
    "number",
    "text",
    "date",
    "whole",
    "territory",
)


@dataclass(frozen=True)
class Target:
    """What a reference stands for: a question (and part), the kind of its answer and its codes.

    ``values`` maps a code as written in the XLSForm to the value consult stores
    (choice names after normalisation, scale points as numbers); ``None`` when
    the answer is free. ``name`` is the XLSForm name (for messages and exports).
    """

    key: str
    kind: str
    name: str
    part: str | None = None
    values: Mapping[str, Any] | None = field(default=None, hash=False)

    def argument(self) -> dict[str, str]:
        """The condition argument referring to this answer."""
        return {"answer": self.key, "part": self.part} if self.part else {"answer": self.key}


Lookup = Callable[[str], Target]


# -- reading -------------------------------------------------------------------------------------


def condition_from(tree: tuple, lookup: Lookup) -> dict[str, Any]:
    """The consult condition an expression tree means; ``Untranslatable`` when it has none."""
    kind = tree[0]
    if kind in ("and", "or"):
        items: list[dict[str, Any]] = []
        for item in tree[1]:
            condition = condition_from(item, lookup)
            # Flatten nested and/or of the same kind.
            items.extend(condition[kind] if kind in condition else [condition])
        return _merge_and(items) if kind == "and" else _merge_or(items)
    if kind == "call" and tree[1] == "not" and len(tree[2]) == 1:
        inner = condition_from(tree[2][0], lookup)
        if "not" in inner:  # not(${q} != 'x'): the != already became a "not"
            return inner["not"][0]
        return {"not": [inner]}
    if kind == "call" and tree[1] == "selected":
        return _selected(tree, lookup)
    if kind == "cmp":
        return _comparison(tree, lookup)
    raise Untranslatable(_l("%(part)s is not a condition consult can express", part=to_text(tree)))


def _selected(tree: tuple, lookup: Lookup) -> dict[str, Any]:
    args = tree[2]
    if len(args) != 2 or args[0][0] != "ref" or args[1][0] not in ("str", "num"):
        raise Untranslatable(_l("%(part)s is not a condition consult can express", part=to_text(tree)))
    target = lookup(args[0][1])
    if target.kind not in (CHOICE, MULTIPLE, SCALE, SCORE):
        raise Untranslatable(_l("selected() is used on %(name)s, which is not a choice question", name=target.name))
    value = _literal(target, args[1])
    if target.kind == MULTIPLE:
        return {"any-in": [target.argument(), [value]]}
    return {"==": [target.argument(), value]}


def _is_literal(node: tuple) -> bool:
    return node[0] in ("str", "num") or (node[0] == "call" and node[1] == "date")


def _is_subject(node: tuple) -> bool:
    return node[0] == "ref" or (node[0] == "call" and node[1] in ("count-selected", "string-length"))


def _comparison(tree: tuple, lookup: Lookup) -> dict[str, Any]:
    _, op, left, right = tree
    if _is_literal(left) and _is_subject(right):
        op, left, right = FLIPPED[op], right, left
    if left[0] == "call" and left[1] in ("count-selected", "string-length"):
        return _length(tree, op, left, right, lookup)
    if left[0] != "ref":
        raise Untranslatable(_l("%(part)s is not a condition consult can express", part=to_text(tree)))
    target = lookup(left[1])
    if right[0] == "ref":
        other = lookup(right[1])
        return _compare(op, target.argument(), other.argument())
    if not _is_literal(right):
        raise Untranslatable(_l("%(part)s is not a condition consult can express", part=to_text(tree)))
    if right == ("str", ""):
        if op == "=":
            return {"not-answered": [target.argument()]}
        if op == "!=":
            return {"answered": [target.argument()]}
        raise Untranslatable(_l("%(part)s compares with an empty text", part=to_text(tree)))
    if target.kind == WHOLE:
        raise Untranslatable(_l("%(name)s can only be tested for being answered", name=target.name))
    if target.kind == MULTIPLE:
        raise Untranslatable(
            _l("%(part)s compares a multiple choice answer as a whole; use selected() instead", part=to_text(tree))
        )
    if op in (">", "<", ">=", "<=") and target.kind not in (NUMBER, SCALE, SCORE, DATE):
        raise Untranslatable(
            _l("%(part)s compares %(name)s, which is not a number or a date", part=to_text(tree), name=target.name)
        )
    return _compare(op, target.argument(), _literal(target, right))


def _compare(op: str, a: Any, b: Any) -> dict[str, Any]:
    if op == "=":
        return {"==": [a, b]}
    if op == "!=":
        # XLSForm's != also holds when the answer is empty (see the module docstring).
        return {"not": [{"==": [a, b]}]}
    return {op: [a, b]}


def _length(tree: tuple, op: str, subject: tuple, bound: tuple, lookup: Lookup) -> dict[str, Any]:
    args = subject[2]
    if len(args) != 1 or args[0][0] != "ref" or bound[0] != "num":
        raise Untranslatable(_l("%(part)s is not a condition consult can express", part=to_text(tree)))
    target = lookup(args[0][1])
    n = bound[1]
    if (op, n) in ((">", 0), (">=", 1), ("!=", 0)):
        return {"answered": [target.argument()]}
    if (op, n) in (("=", 0), ("<", 1), ("<=", 0)):
        return {"not-answered": [target.argument()]}
    raise Untranslatable(
        _l("%(part)s counts characters or choices, which consult rules cannot express", part=to_text(tree))
    )


def _literal(target: Target, node: tuple) -> Any:
    if node[0] == "call":  # date('2026-01-01')
        if target.kind != DATE or len(node[2]) != 1 or node[2][0][0] != "str" or not _ISO_DATE.match(node[2][0][1]):
            raise Untranslatable(_l("%(part)s is not a date consult can read", part=to_text(node)))
        return node[2][0][1]
    value = node[1]
    if target.values is not None:
        written = str(value)
        if written not in target.values:
            raise Untranslatable(_l("'%(value)s' is not an option of %(name)s", value=written, name=target.name))
        return target.values[written]
    if target.kind == NUMBER:
        if isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                raise Untranslatable(
                    _l("%(name)s is a number, compared here with '%(value)s'", name=target.name, value=value)
                ) from None
            value = int(number) if number.is_integer() else number
        return value
    if target.kind == DATE:
        if not isinstance(value, str) or not _ISO_DATE.match(value):
            raise Untranslatable(
                _l("%(name)s is a date, compared here with '%(value)s'", name=target.name, value=value)
            )
        return value
    return str(value)


def _same_ref(a: Any, b: Any) -> bool:
    return isinstance(a, dict) and isinstance(b, dict) and a == b


def _merge_or(items: list[dict[str, Any]]) -> dict[str, Any]:
    """``q = a or q = b`` → ``in``; ``selected(q, a) or selected(q, b)`` → one ``any-in``."""
    merged: list[dict[str, Any]] = []
    for item in items:
        op, args = next(iter(item.items()))
        if op in ("==", "any-in") and isinstance(args[0], dict) and not isinstance(args[1], dict):
            for i, previous in enumerate(merged):
                pop, pargs = next(iter(previous.items()))
                if _same_ref(pargs[0], args[0]) and not isinstance(pargs[1], dict):
                    if op == "==" and pop in ("==", "in"):
                        values = [pargs[1]] if pop == "==" else pargs[1]
                        merged[i] = {"in": [pargs[0], [*values, args[1]]]}
                        break
                    if op == "any-in" and pop == "any-in":
                        merged[i] = {"any-in": [pargs[0], [*pargs[1], *args[1]]]}
                        break
            else:
                merged.append(item)
            continue
        merged.append(item)
    return merged[0] if len(merged) == 1 else {"or": merged}


def _merge_and(items: list[dict[str, Any]]) -> dict[str, Any]:
    """``selected(q, a) and selected(q, b)`` → ``all-in``; ``q != '' and q != 'x'`` → ``!=``."""
    merged: list[dict[str, Any]] = []
    for item in items:
        op, args = next(iter(item.items()))
        done = False
        if op == "any-in" and len(args[1]) == 1:
            for i, previous in enumerate(merged):
                pop, pargs = next(iter(previous.items()))
                if (
                    pop in ("any-in", "all-in")
                    and _same_ref(pargs[0], args[0])
                    and (pop == "all-in" or len(pargs[1]) == 1)
                ):
                    merged[i] = {"all-in": [pargs[0], [*pargs[1], *args[1]]]}
                    done = True
                    break
        elif op == "not" and isinstance(args[0], dict) and "==" in args[0]:
            ref, value = args[0]["=="]
            for i, previous in enumerate(merged):
                if previous == {"answered": [ref]}:
                    merged[i] = {"!=": [ref, value]}
                    done = True
                    break
        if not done:
            merged.append(item)
    return merged[0] if len(merged) == 1 else {"and": merged}


# -- writing ---------------------------------------------------------------------------------------


Names = Callable[[str, "str | None"], Target]


def render(condition: Any, names: Names) -> str:
    """An XLSForm expression meaning ``condition``; ``Untranslatable`` when there is none.

    ``names(key, part)`` gives the target of an answer reference (its XLSForm
    name and kind). The reasons raised here are for programs, not people: the
    export keeps such a condition in the row's data instead.
    """
    text, _ = _render(condition, names)
    return text


def _operator(condition: Any) -> tuple[str, list[Any]]:
    if not isinstance(condition, Mapping) or len(condition) != 1:
        raise Untranslatable("the condition is not well formed")
    ((op, args),) = condition.items()
    return op, list(args) if isinstance(args, (list, tuple)) else [args]


def _render(condition: Any, names: Names) -> tuple[str, bool]:
    """The expression and whether it is compound (needs brackets inside another)."""
    op, args = _operator(condition)
    if op in ("and", "or"):
        parts = []
        for item in args:
            text, compound = _render(item, names)
            parts.append(f"({text})" if compound else text)
        if not parts:
            raise Untranslatable("the condition is not well formed")
        return f" {op} ".join(parts), len(parts) > 1
    if op == "not":
        text, _ = _render(args[0], names)
        return f"not({text})", False
    if op in ("answered", "not-answered"):
        target = _target(args[0], names)
        if target.kind == WHOLE:
            raise Untranslatable("the condition tests a whole answer made of several fields")
        return "${%s} %s ''" % (target.name, "!=" if op == "answered" else "="), False
    if len(args) != 2:
        raise Untranslatable("the condition is not well formed")
    a, b = args
    if not isinstance(a, Mapping) and isinstance(b, Mapping):
        if op not in FLIPPED_OPS:
            raise Untranslatable("the condition is not well formed")
        op, a, b = FLIPPED_OPS[op], b, a
    target = _target(a, names)
    if target.kind in (WHOLE, TERRITORY) or (target.kind == MULTIPLE and op not in ("any-in", "all-in")):
        raise Untranslatable("XLSForm holds this answer differently")
    if op in ("in", "any-in", "all-in"):
        if not isinstance(b, (list, tuple)) or not b:
            raise Untranslatable("the condition is not well formed")
        if target.kind == MULTIPLE:
            parts = [f"selected(${{{target.name}}}, {_value(target, v)})" for v in b]
            joiner = " and " if op == "all-in" else " or "
        else:
            if op == "all-in" and len(b) > 1:
                raise Untranslatable("the condition is not well formed")
            parts = [f"${{{target.name}}} = {_value(target, v)}" for v in b]
            joiner = " or "
        return joiner.join(parts), len(parts) > 1
    if isinstance(b, Mapping):
        right = "${%s}" % _target(b, names).name
    else:
        right = _value(target, b, compare=op not in ("==", "!="))
    left = "${%s}" % target.name
    if op == "==":
        return f"{left} = {right}", False
    if op == "!=":
        return f"{left} != '' and {left} != {right}", True
    if op in (">", "<", ">=", "<="):
        return f"{left} {op} {right}", False
    raise Untranslatable("the condition is not well formed")


FLIPPED_OPS = {"==": "==", "!=": "!=", ">": "<", "<": ">", ">=": "<=", "<=": ">="}


def _target(argument: Any, names: Names) -> Target:
    if not isinstance(argument, Mapping) or not isinstance(argument.get("answer"), str):
        raise Untranslatable("the condition is not well formed")
    return names(argument["answer"], argument.get("part"))


def _value(target: Target, value: Any, compare: bool = False) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, (list, tuple, Mapping)):
        raise Untranslatable("the condition is not well formed")
    if isinstance(value, (int, float)):
        return str(value)
    if compare and target.kind == DATE:
        return f"date({quote(value)})"
    return quote(value)
