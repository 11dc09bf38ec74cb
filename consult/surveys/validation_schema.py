"""JSON Schema errors turned into problems an official can read: where, and what, translated."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import jsonschema
from flask_babel import lazy_gettext as _l

KEY_PATTERNS = {"^[A-Za-z][A-Za-z0-9_]*$", "^[a-z][a-z0-9_]*$"}
CODE_PATTERN = "^[a-z0-9_]+$"
LANGUAGE_PATTERN = "^[a-z]{2,3}$"
DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

TYPE_MESSAGES = {
    "object": _l("This should be an object ({…})."),
    "array": _l("This should be a list ([…])."),
    "string": _l("This should be text."),
    "integer": _l("This should be a whole number."),
    "number": _l("This should be a number."),
    "boolean": _l("This should be true or false."),
    "null": _l("This should be empty (null)."),
}
# Members that hold entities with keys: their keys label the path.
KEYED = {"sections", "pages", "questions"}


def _where(data: Any, path: Sequence[Any]) -> str:
    """``sections[0].pages[1].questions[2].text (A4)``: positions, then the key of the innermost entity."""
    text = ""
    label = None
    node = data
    parent_member = None
    for step in path:
        if isinstance(step, int):
            text += f"[{step}]"
        else:
            text += f".{step}" if text else str(step)
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            node = None
        if (
            isinstance(step, int)
            and parent_member in KEYED
            and isinstance(node, Mapping)
            and isinstance(node.get("key"), str)
        ):
            label = node["key"]
        parent_member = step
    return f"{text} ({label})" if label else text


def _describe(error: jsonschema.ValidationError) -> tuple[Any, str]:
    """A translated message and a code for one schema error."""
    validator, expected, instance = error.validator, error.validator_value, error.instance
    in_names = "propertyNames" in error.schema_path
    if validator == "required":
        missing = [name for name in expected if isinstance(instance, Mapping) and name not in instance]
        return _l("Missing: %(members)s.", members=", ".join(missing)), "missing_member"
    if validator == "additionalProperties":
        known = error.schema.get("properties", {})
        extra = [str(name) for name in instance if name not in known] if isinstance(instance, Mapping) else []
        return _l("“%(member)s” is not allowed here.", member=", ".join(extra)), "unknown_member"
    if in_names and validator == "enum" and "==" in expected:
        return _l(
            "“%(operator)s” is not an operator; use one of %(allowed)s.",
            operator=str(instance),
            allowed=" ".join(expected),
        ), "unknown_operator"
    if in_names and validator == "enum":
        return _l("“%(member)s” is not allowed here.", member=str(instance)), "unknown_member"
    if in_names and validator == "pattern":
        return _l(
            "“%(value)s” is not a language code (two or three lowercase letters).", value=str(instance)
        ), "invalid_language"
    if validator == "type":
        kinds = [expected] if isinstance(expected, str) else list(expected)
        if len(kinds) == 1 and kinds[0] in TYPE_MESSAGES:
            return TYPE_MESSAGES[kinds[0]], "wrong_type"
        return _l("This value has the wrong type."), "wrong_type"
    if validator == "pattern":
        value = str(instance)
        if expected in KEY_PATTERNS:
            return _l(
                "“%(value)s” is not a valid key: start with a letter, then use letters, digits or _.", value=value
            ), "invalid_key"
        if expected == CODE_PATTERN:
            return _l(
                "“%(value)s” is not a valid code: use lowercase letters, digits or _.", value=value
            ), "invalid_code"
        if expected == LANGUAGE_PATTERN:
            return _l(
                "“%(value)s” is not a language code (two or three lowercase letters).", value=value
            ), "invalid_language"
        if expected == DATE_PATTERN:
            return _l("“%(value)s” is not a date written as YYYY-MM-DD.", value=value), "invalid_date"
        return _l("“%(value)s” is not written correctly.", value=value), "invalid_value"
    if validator in ("enum", "const"):
        allowed = expected if isinstance(expected, list) else [expected]
        return _l(
            "“%(value)s” is not one of: %(allowed)s.",
            value=str(instance)[:100],
            allowed=", ".join(str(a) for a in allowed),
        ), "not_allowed"
    if validator == "minItems":
        return _l("Give at least %(n)d.", n=expected), "too_few"
    if validator == "maxItems":
        return _l("Give at most %(n)d.", n=expected), "too_many"
    if validator == "minProperties":
        if error.schema.get("description", "").startswith("A text"):
            return _l("A text needs at least one language."), "empty_text"
        return _l("This needs at least %(n)d member(s).", n=expected), "too_few"
    if validator == "maxProperties":
        return _l("This has too many members: it needs exactly one."), "too_many"
    if validator == "maxLength":
        return _l("This is longer than %(n)d characters.", n=expected), "too_long"
    if validator == "minimum":
        return _l("This must be %(n)s or more.", n=expected), "too_small"
    if validator == "maximum":
        return _l("This must be %(n)s or less.", n=expected), "too_large"
    if validator == "uniqueItems":
        return _l("A value is listed twice."), "duplicate_item"
    return _l("This value is not valid here."), "invalid_value"


def _leaves(error: jsonschema.ValidationError) -> Iterator[jsonschema.ValidationError]:
    """The errors worth showing: for "any of", the closest branch's own errors."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        # The null branch of "a condition or null" is never what was meant.
        branches = [e for e in error.context if e.validator_value != "null"] or list(error.context)
        best = jsonschema.exceptions.best_match(branches)
        if best is not None:
            yield from _leaves(best)
            return
    yield error


def schema_problems(data: Any, schema: Mapping[str, Any]) -> list[tuple[str, Any, str]]:
    """``(path, message, code)`` for every schema error of ``data``, in document order."""
    validator = jsonschema.Draft202012Validator(schema)
    found = []
    try:
        errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    except RecursionError:
        return [("", _l("This definition is nested too deeply to be an instrument."), "too_deep")]
    seen = set()
    for error in errors:
        for leaf in _leaves(error):
            message, code = _describe(leaf)
            where = _where(data, list(leaf.absolute_path))
            if (where, code, str(message)) in seen:
                continue
            seen.add((where, code, str(message)))
            found.append((where, message, code))
    return found
