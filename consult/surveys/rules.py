"""Skip logic and routing conditions: one small table of operators.

A condition is a one-key object ``{operator: [arguments]}``. An argument is a
literal, ``{"answer": KEY}`` (the answer to question KEY) or
``{"answer": KEY, "part": PART}`` (a part of a severity, UNGP 31, date-range or
territory answer, or ``"other"``: the text beside an "other" choice).

A missing answer never raises: every comparison with it is false, so a
condition over an unanswered question does not hold (``not-answered`` aside).
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

Answers = Mapping[str, Any]


class RuleError(ValueError):
    """A condition that is not well formed (validation reports these before use)."""


class _Missing:
    """The value of an unanswered question (distinct from any literal, including null)."""

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING = _Missing()

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def is_answered(value: Any) -> bool:
    """Whether a stored value counts as an answer (not empty text, list or object)."""
    if value is None or value is MISSING:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, tuple, Mapping)):
        return bool(value)
    return True


def choice_codes(value: Any) -> Any:
    """The option code(s) of a choice answer; other values unchanged.

    A choice with "other, please specify" text is stored as
    ``{"option": "other", "other": "..."}`` (single) or
    ``{"options": [...], "other": "..."}`` (multiple): rules compare its codes.
    """
    if isinstance(value, Mapping):
        if "option" in value:
            return value["option"]
        if "options" in value:
            return list(value["options"])
    return value


def resolve(argument: Any, answers: Answers) -> Any:
    """The value of an argument: a literal, or an answer (``MISSING`` when there is none)."""
    if isinstance(argument, Mapping) and "answer" in argument:
        key = argument.get("answer")
        if not isinstance(key, str):
            raise RuleError("an answer reference needs a question key")
        value = answers.get(key, MISSING)
        if not is_answered(value):
            return MISSING
        part = argument.get("part")
        if part is None:
            return choice_codes(value)
        if not isinstance(value, Mapping):
            return MISSING
        value = value.get(part, MISSING)
        return value if is_answered(value) else MISSING
    if isinstance(argument, Mapping):
        raise RuleError("an argument object must be an answer reference")
    return argument


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _comparable(a: Any, b: Any) -> tuple[Any, Any] | None:
    """Two numbers, or two ISO dates; else ``None`` (the comparison is false)."""
    na, nb = _number(a), _number(b)
    if na is not None and nb is not None:
        return na, nb
    if isinstance(a, str) and isinstance(b, str) and _ISO_DATE.match(a) and _ISO_DATE.match(b):
        try:
            return datetime.date.fromisoformat(a), datetime.date.fromisoformat(b)
        except ValueError:
            return None
    return None


def _equal(a: Any, b: Any) -> bool:
    if a is MISSING or b is MISSING:
        return False
    na, nb = _number(a), _number(b)
    if na is not None and nb is not None:
        return na == nb
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return sorted(map(repr, a)) == sorted(map(repr, b))
    return type(a) is type(b) and a == b


def _op_eq(a: Any, b: Any) -> bool:
    return _equal(a, b)


def _op_ne(a: Any, b: Any) -> bool:
    if a is MISSING or b is MISSING:
        return False
    return not _equal(a, b)


def _op_in(a: Any, b: Any) -> bool:
    if a is MISSING or b is MISSING or not isinstance(b, (list, tuple)):
        return False
    return any(_equal(a, item) for item in b)


def _op_any_in(a: Any, b: Any) -> bool:
    if a is MISSING or b is MISSING:
        return False
    right = _as_list(b)
    return any(_equal(x, y) for x in _as_list(a) for y in right)


def _op_all_in(a: Any, b: Any) -> bool:
    if a is MISSING or b is MISSING:
        return False
    left = _as_list(a)
    required = _as_list(b)
    return bool(required) and all(any(_equal(x, y) for x in left) for y in required)


def _compare(test: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def operator(a: Any, b: Any) -> bool:
        pair = _comparable(a, b)
        return pair is not None and test(*pair)

    return operator


# name -> (number of value arguments, function). ``and``/``or``/``not`` take conditions instead.
VALUE_OPERATORS: dict[str, tuple[int, Callable[..., bool]]] = {
    "==": (2, _op_eq),
    "!=": (2, _op_ne),
    "in": (2, _op_in),
    "any-in": (2, _op_any_in),
    "all-in": (2, _op_all_in),
    ">": (2, _compare(lambda a, b: a > b)),
    "<": (2, _compare(lambda a, b: a < b)),
    ">=": (2, _compare(lambda a, b: a >= b)),
    "<=": (2, _compare(lambda a, b: a <= b)),
    "answered": (1, lambda a: a is not MISSING),
    "not-answered": (1, lambda a: a is MISSING),
}
LOGICAL_OPERATORS = frozenset({"and", "or", "not"})
OPERATORS = frozenset(VALUE_OPERATORS) | LOGICAL_OPERATORS


def split(condition: Any) -> tuple[str, list[Any]]:
    """The operator and argument list of a condition (``RuleError`` if malformed).

    A single argument may be given bare: ``{"not": {...}}`` is ``{"not": [{...}]}``.
    """
    if not isinstance(condition, Mapping) or len(condition) != 1:
        raise RuleError("a condition is an object with exactly one operator")
    ((operator, arguments),) = condition.items()
    if operator not in OPERATORS:
        raise RuleError(f"unknown operator {operator!r}")
    if isinstance(arguments, (list, tuple)):
        arguments = list(arguments)
    else:
        arguments = [arguments]
    if operator in VALUE_OPERATORS:
        arity = VALUE_OPERATORS[operator][0]
        if len(arguments) != arity:
            raise RuleError(f"{operator!r} takes {arity} argument(s)")
    elif operator == "not" and len(arguments) != 1:
        raise RuleError("'not' takes one condition")
    return operator, arguments


Compiled = Callable[[Answers], bool]

#: Compiled conditions of parsed instruments, by ``id``, each kept with its condition (so the id
#: cannot be reused while it is here). Only read-only conditions (``MappingProxyType``, as
#: ``consult.surveys.engine`` freezes them) are kept: a plain dict may change under its id.
_COMPILED: dict[int, tuple[Any, Compiled]] = {}
_COMPILED_LIMIT = 20_000


def evaluate(condition: Any, answers: Answers) -> bool:
    """Whether ``condition`` holds for ``answers`` ({question key: value}); ``None`` always holds.

    A condition of a parsed instrument is compiled once per process (``compile_condition``):
    every page request replays the path, evaluating every rule on it again.
    """
    if condition is None:
        return True
    if type(condition) is MappingProxyType:
        entry = _COMPILED.get(id(condition))
        if entry is None or entry[0] is not condition:
            try:
                compiled = compile_condition(condition)
            except RuleError:
                # Malformed (validation refuses these): interpreted, so it fails exactly where it did.
                return _interpret(condition, answers)
            if len(_COMPILED) >= _COMPILED_LIMIT:
                _COMPILED.clear()
            entry = _COMPILED[id(condition)] = (condition, compiled)
        return entry[1](answers)
    return _interpret(condition, answers)


def _interpret(condition: Any, answers: Answers) -> bool:
    if condition is None:
        return True
    operator, arguments = split(condition)
    if operator == "and":
        return all(_interpret(c, answers) for c in arguments)
    if operator == "or":
        return any(_interpret(c, answers) for c in arguments)
    if operator == "not":
        return not _interpret(arguments[0], answers)
    function = VALUE_OPERATORS[operator][1]
    return bool(function(*(resolve(a, answers) for a in arguments)))


def compile_condition(condition: Any) -> Compiled:
    """``condition`` as a function of the answers, with ``evaluate``'s meaning (``RuleError`` if malformed).

    The condition is checked and taken apart once, instead of on every evaluation.
    """
    if condition is None:
        return _always
    operator, arguments = split(condition)
    if operator in LOGICAL_OPERATORS:
        parts = [compile_condition(c) for c in arguments]
        if operator == "and":
            return lambda answers: all(part(answers) for part in parts)
        if operator == "or":
            return lambda answers: any(part(answers) for part in parts)
        (inner,) = parts
        return lambda answers: not inner(answers)
    function = VALUE_OPERATORS[operator][1]
    getters = [_getter(argument) for argument in arguments]
    if len(getters) == 2:
        first, second = getters
        return lambda answers: bool(function(first(answers), second(answers)))
    (only,) = getters
    return lambda answers: bool(function(only(answers)))


def _always(answers: Answers) -> bool:
    return True


def _getter(argument: Any) -> Callable[[Answers], Any]:
    if isinstance(argument, Mapping) and "answer" in argument:
        if not isinstance(argument.get("answer"), str):
            raise RuleError("an answer reference needs a question key")
        return lambda answers: resolve(argument, answers)
    if isinstance(argument, Mapping):
        raise RuleError("an argument object must be an answer reference")
    return lambda answers: argument


def references(condition: Any) -> Iterator[tuple[str, str | None]]:
    """Every ``(question key, part)`` a condition refers to; malformed parts are skipped."""
    try:
        operator, arguments = split(condition)
    except RuleError:
        return
    for argument in arguments:
        if operator in LOGICAL_OPERATORS:
            yield from references(argument)
        elif isinstance(argument, Mapping) and isinstance(argument.get("answer"), str):
            part = argument.get("part")
            yield argument["answer"], part if isinstance(part, str) else None


def literal_comparisons(condition: Any) -> Iterator[tuple[str, str, str | None, Any]]:
    """``(operator, question key, part, literal)`` for each comparison of an answer with a literal.

    Validation uses it to check that compared option codes exist; for
    ``any-in``/``all-in``/``in`` the literal is a list.
    """
    try:
        operator, arguments = split(condition)
    except RuleError:
        return
    if operator in LOGICAL_OPERATORS:
        for argument in arguments:
            yield from literal_comparisons(argument)
        return
    if len(arguments) != 2:
        return
    refs = [a for a in arguments if isinstance(a, Mapping) and "answer" in a]
    literals = [a for a in arguments if not isinstance(a, Mapping)]
    if len(refs) == 1 and len(literals) == 1 and isinstance(refs[0].get("answer"), str):
        part = refs[0].get("part")
        yield operator, refs[0]["answer"], part if isinstance(part, str) else None, literals[0]
