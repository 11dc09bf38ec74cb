"""The consult layout's cells straight from answer rows: the hot loop of a response-data export.

The question types say what an answer's export cells are (``from_rows`` then
``export_values``); called for every question of a million responses that is
most of an export's time. Here each question of each version gets, once, a
small function that writes the same cells from the raw rows
``(response_id, question_key, part, option, number, text)`` into the row
template. ``tests/exports/test_response_data.py`` holds both ways equal on
every demo consultation and on every question type; a type not listed here
goes the types' way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from consult.exports.responses_plan import DONT_KNOW, Column, Entry
from consult.surveys import labels
from consult.surveys.types.blocks import TERRITORY_PARTS
from consult.surveys.types.simple import RANGE_PARTS

Apply = Callable[[list[Any], list[Any]], None]
PART, OPTION, NUMBER, TEXT = 2, 3, 4, 5


def compile_entry(entry: Entry, columns: list[Column]) -> Apply | None:
    """A function ``apply(row, answer_rows)`` writing the question's cells, or ``None`` to use the type's way."""
    question, at = entry.question, entry.indices
    kind = question.type
    if None in at:
        return None
    if kind in ("multiple_choice", "consent"):
        return _multiple(entry)
    if kind in ("single_choice", "stakeholder_group"):
        main, other = at[0], (at[1] if len(at) > 1 else None)

        def single(row: list[Any], rows: list[Any]) -> None:
            first = rows[0]
            option = first[OPTION]
            if option is None:
                return
            row[main] = option
            if other is not None:
                row[other] = first[TEXT] if option == "other" and first[TEXT] else None

        return single
    if kind == "number":
        target, decimal = at[0], bool(question.get("decimal"))

        def number(row: list[Any], rows: list[Any]) -> None:
            for r in rows:
                if r[NUMBER] is not None:
                    row[target] = float(r[NUMBER]) if decimal else int(r[NUMBER])
                    return

        return number
    if kind == "scale":
        target = at[0]

        def scale(row: list[Any], rows: list[Any]) -> None:
            for r in rows:
                if r[OPTION] == "dont_know":
                    row[target] = DONT_KNOW
                    return
                if r[NUMBER] is not None:
                    row[target] = int(r[NUMBER])
                    return

        return scale
    if kind in ("short_text", "long_text", "date"):
        target = at[0]

        def text(row: list[Any], rows: list[Any]) -> None:
            for r in rows:
                if r[TEXT]:
                    row[target] = r[TEXT]
                    return

        return text
    if kind in ("date_range", "territory"):
        parts = RANGE_PARTS if kind == "date_range" else TERRITORY_PARTS
        targets = dict(zip(parts, at))
        is_range = kind == "date_range"

        def parted(row: list[Any], rows: list[Any]) -> None:
            found: dict[str, Any] = {}
            for r in rows:
                part = r[PART]
                if part not in targets:
                    continue
                value = r[TEXT] if is_range else ((r[TEXT] if part == "area" else None) or r[OPTION])
                if value:
                    found[part] = value
            if found:
                for part, target in targets.items():
                    row[target] = found.get(part)

        return parted
    if kind in ("severity", "ungp31"):
        return _rated(entry, columns)
    return None


def _multiple(entry: Entry) -> Apply:
    question, at = entry.question, entry.indices
    count = len(question.options)
    by_option = {o.value: at[i] for i, o in enumerate(question.options)}
    has_other = len(at) == count + 2
    flags = list(at[:count])
    other_text = None
    if has_other:
        by_option["other"] = at[count]
        flags.append(at[count])
        other_text = at[count + 1]

    # The option columns are usually side by side: "none chosen" is then one slice assignment.
    start = flags[0] if flags else 0
    contiguous = flags == list(range(start, start + len(flags)))
    stop, zeros = start + len(flags), [0] * len(flags)

    def multiple(row: list[Any], rows: list[Any]) -> None:
        answered = False
        for r in rows:
            option = r[OPTION]
            if option is None:
                continue
            if not answered:
                answered = True
                if contiguous:
                    row[start:stop] = zeros
                else:
                    for target in flags:
                        row[target] = 0
                if other_text is not None:
                    row[other_text] = None
            target = by_option.get(option)
            if target is not None:
                row[target] = 1
            if option == "other" and other_text is not None and r[TEXT]:
                row[other_text] = r[TEXT]

    return multiple


def _rated(entry: Entry, columns: list[Column]) -> Apply:
    question, at = entry.question, entry.indices
    severity = question.type == "severity"
    names = [columns[i].name for i in at]
    key_length = len(question.key) + 1
    parts = {}
    for name, target in zip(names, at):
        suffix = name[key_length:]
        if suffix not in ("severity", "urgent") or not severity:
            parts[suffix] = target
    known = set(labels.SEVERITY_PARTS if severity else labels.UNGP31_CRITERIA)
    asked_codes = {target: columns[target].asked_code for target in parts.values()}
    computed = (at[-2], at[-1]) if severity else None
    scored = ("scale", "scope", "irremediability")

    def rated(row: list[Any], rows: list[Any]) -> None:
        value: dict[str, Any] = {}
        for r in rows:
            part = r[PART]
            if part not in known:
                continue
            if severity:
                if r[NUMBER] is not None:
                    value[part] = int(r[NUMBER])
            elif r[OPTION]:
                value[part] = r[OPTION]
        if not value:
            return
        for part, target in parts.items():
            found = value.get(part)
            row[target] = asked_codes[target] if found is None else found
        if computed is not None:
            # labels.severity_of and labels.is_urgent on ints: the highest of the scored parts in 1..5;
            # urgent when it (which irremediability cannot exceed) is URGENT_FROM or more.
            top = max([s for s in map(value.get, scored) if s is not None and 1 <= s <= 5], default=None)
            row[computed[0]] = top
            row[computed[1]] = 1 if top is not None and top >= labels.URGENT_FROM else 0

    return rated
