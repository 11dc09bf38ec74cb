"""Questions answered by choosing: single and multiple choice, consent, stakeholder group, scale."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from consult.surveys import labels
from consult.surveys.engine import Question
from consult.surveys.types.base import (
    DONT_KNOW,
    OTHER_LABEL,
    OTHER_SPECIFY,
    AnswerRow,
    Choice,
    FieldContext,
    FieldSpec,
    Parsed,
    QuestionType,
    choice_label,
    clean_text,
    field_name,
    row_field,
)

OTHER = "other"


class _Choosing(QuestionType):
    """Shared by the types whose answer is one or more codes from a list."""

    layout = "choices"
    widget = "radio"
    allows_other = False

    def choices(self, question: Question, ctx: FieldContext, part: str | None = None) -> list[Choice]:
        """The options in the content language, ``other`` last when the question has it."""
        found = [Choice(o.value, ctx.content(o.label), o.exclusive) for o in question.options]
        if self.allows_other and question.other is not None:
            label = ctx.content(question.other) if question.other else ctx.interface(OTHER_LABEL)
            found.append(Choice(OTHER, label))
        return found

    def rule_values(self, question: Question, part: str | None = None) -> frozenset[Any] | None:
        """Option codes, and ``other`` where the question offers it."""
        if part is not None:
            return None
        values = set(question.option_values)
        if self.allows_other and question.other is not None:
            values.add(OTHER)
        return frozenset(values)

    def rule_parts(self, question: Question) -> frozenset[str]:
        """``other``: the text typed beside the "other" choice."""
        return frozenset({OTHER}) if self.allows_other and question.other is not None else frozenset()

    def fields(self, question: Question, ctx: FieldContext) -> list[FieldSpec]:
        """A radio group or checkboxes, and a text box for "other, please specify"."""
        specs = [FieldSpec(field_name(question.key), self.widget, choices=self.choices(question, ctx))]
        if self.allows_other and question.other is not None:
            specs.append(
                FieldSpec(
                    field_name(question.key, OTHER),
                    "text",
                    part=OTHER,
                    label=ctx.interface(OTHER_SPECIFY),
                    render_kw={"maxlength": 200, "autocomplete": "off"},
                    is_other=True,
                )
            )
        return specs

    def check_definition(self, raw: Mapping[str, Any]) -> list:
        """Option values are unique, and none is ``other`` while the question offers its own."""
        problems = []
        seen: set[str] = set()
        for index, option in enumerate(raw.get("options") or ()):
            value = option.get("value") if isinstance(option, Mapping) else None
            if value in seen:
                problems.append(
                    (
                        f"options[{index}]",
                        _l("The option value “%(value)s” is used twice.", value=value),
                        "duplicate_option",
                    )
                )
            if isinstance(value, str):
                seen.add(value)
            if value == OTHER and raw.get("other") is not None:
                problems.append(
                    (
                        f"options[{index}]",
                        _l("“other” is reserved for the “other, please specify” option."),
                        "reserved_option",
                    )
                )
            if isinstance(option, Mapping) and option.get("exclusive") and raw.get("type") != "multiple_choice":
                problems.append(
                    (f"options[{index}]", _l("Only multiple-choice options can be exclusive."), "invalid_member")
                )
        return problems

    def _codes(self, value: Any) -> tuple[list[str], str | None]:
        """Codes and the "other" text of a stored value."""
        if isinstance(value, Mapping):
            codes = value.get("options", [value.get("option")])
            return [c for c in codes if isinstance(c, str)], value.get(OTHER) or None
        if isinstance(value, str):
            return [value], None
        if isinstance(value, (list, tuple)):
            return [c for c in value if isinstance(c, str)], None
        return [], None

    def display(self, question: Question, value: Any, ctx: FieldContext) -> str:
        """Option labels, with the "other" text after its label."""
        codes, other = self._codes(value)
        choices = self.choices(question, ctx)
        words = []
        for code in codes:
            label = choice_label(choices, code)
            words.append(f"{label}: {other}" if code == OTHER and other else label)
        return "; ".join(words)


class SingleChoice(_Choosing):
    """One option from the definition's list; optionally "other, please specify".

    Value: ``"code"``, or ``{"option": "other", "other": "text"}`` when "other" is
    chosen with a text.
    """

    name = "single_choice"
    summary_kind = "categorical"
    allows_other = True

    def form_data(self, question: Question, value: Any) -> dict[str, Any]:
        """The chosen code, and the "other" text."""
        codes, other = self._codes(value)
        data = {field_name(question.key): codes[0] if codes else None}
        if question.other is not None:
            data[field_name(question.key, OTHER)] = other or ""
        return data

    def parse(self, question: Question, data: Mapping[str, Any], ctx: FieldContext) -> Parsed:
        """One known option; a typed "other" text with nothing chosen means "other"."""
        name = field_name(question.key)
        chosen = data.get(name) or None
        other = clean_text(data.get(field_name(question.key, OTHER))) if question.other is not None else ""
        parsed = Parsed()
        allowed = self.rule_values(question) or frozenset()
        if chosen is not None and chosen not in allowed:
            parsed.error(name, ctx.message(question, "invalid"))
            return parsed
        if other and chosen not in (None, OTHER):
            label = choice_label(self.choices(question, ctx), OTHER)
            parsed.error(field_name(question.key, OTHER), ctx.message(question, "other", other=label))
            return parsed
        if other:
            parsed.value = {"option": OTHER, OTHER: other[:200]}
        else:
            parsed.value = chosen
        return self._required(question, parsed, ctx)

    def to_rows(self, question: Question, value: Any) -> list[AnswerRow]:
        """One row with the option (and the "other" text on it)."""
        codes, other = self._codes(value)
        return [AnswerRow(option=codes[0], text=other if codes[0] == OTHER else None)] if codes else []

    def from_rows(self, question: Question, rows: Iterable[Any]) -> Any:
        """The option, with its "other" text."""
        for row in rows:
            option, text = row_field(row, "option"), row_field(row, "text")
            if option == OTHER and text:
                return {"option": OTHER, OTHER: text}
            return option
        return None

    def export_columns(self, question: Question) -> list[str]:
        """``KEY`` (the code), and ``KEY.other.text`` for the "other" text."""
        columns = [question.key]
        if question.other is not None:
            columns.append(f"{question.key}.{OTHER}.text")
        return columns

    def export_values(self, question: Question, value: Any) -> list[Any]:
        """The code, and the "other" text."""
        codes, other = self._codes(value)
        cells: list[Any] = [codes[0] if codes else None]
        if question.other is not None:
            cells.append(other)
        return cells


class StakeholderGroup(SingleChoice):
    """One of DESIGN.md's stakeholder groups (or the definition's subset ``groups``)."""

    name = "stakeholder_group"
    allows_other = False

    def _groups(self, question: Question) -> list[str]:
        wanted = question.get("groups")
        return [g for g in wanted if g in labels.STAKEHOLDER_GROUPS] if wanted else list(labels.STAKEHOLDER_GROUPS)

    def choices(self, question: Question, ctx: FieldContext, part: str | None = None) -> list[Choice]:
        """The groups with their translated names."""
        return [Choice(code, ctx.interface(labels.STAKEHOLDER_GROUPS[code])) for code in self._groups(question)]

    def rule_values(self, question: Question, part: str | None = None) -> frozenset[Any] | None:
        """The group codes offered."""
        if part is not None:
            return None
        return frozenset(self._groups(question))

    def check_definition(self, raw: Mapping[str, Any]) -> list:
        """``groups`` are known codes."""
        return [
            (f"groups[{i}]", _l("“%(value)s” is not a stakeholder group code.", value=str(g)), "invalid_member")
            for i, g in enumerate(raw.get("groups") or ())
            if g not in labels.STAKEHOLDER_GROUPS
        ]

    def export_columns(self, question: Question) -> list[str]:
        """``KEY``: the group code."""
        return [question.key]

    def export_values(self, question: Question, value: Any) -> list[Any]:
        """The group code."""
        return [value if isinstance(value, str) else None]


class MultipleChoice(_Choosing):
    """Several options; exclusive options ("none", "prefer not to say"), "other", ``max_choices``.

    Value: ``["a", "b"]``, or ``{"options": ["a", "other"], "other": "text"}``.
    """

    name = "multiple_choice"
    summary_kind = "multi"
    widget = "checkbox"
    allows_other = True

    def form_data(self, question: Question, value: Any) -> dict[str, Any]:
        """The chosen codes, and the "other" text."""
        codes, other = self._codes(value)
        data: dict[str, Any] = {field_name(question.key): codes}
        if self.allows_other and question.other is not None:
            data[field_name(question.key, OTHER)] = other or ""
        return data

    def parse(self, question: Question, data: Mapping[str, Any], ctx: FieldContext) -> Parsed:
        """Known options, in the definition's order; exclusive ones alone; at most ``max_choices``."""
        name = field_name(question.key)
        raw = data.get(name) or []
        chosen = [raw] if isinstance(raw, str) else [c for c in raw if isinstance(c, str)]
        has_other = self.allows_other and question.other is not None
        other = clean_text(data.get(field_name(question.key, OTHER))) if has_other else ""
        parsed = Parsed()
        allowed = self.rule_values(question) or frozenset()
        if any(c not in allowed for c in chosen):
            parsed.error(name, ctx.message(question, "invalid"))
            return parsed
        choices = self.choices(question, ctx)
        # The single choice's rule: text typed under "other" with other answers ticked but not
        # "other" is refused with a clear message (what was typed stays on the page), never
        # silently kept; text typed with nothing ticked means "other".
        if other and OTHER not in chosen:
            if chosen:
                parsed.error(
                    field_name(question.key, OTHER), ctx.message(question, "other", other=choice_label(choices, OTHER))
                )
                return parsed
            chosen.append(OTHER)
        order = [c.value for c in choices]
        chosen = sorted(set(chosen), key=order.index)
        exclusive = [o for o in question.options if o.exclusive and o.value in chosen]
        if exclusive and len(chosen) > 1:
            parsed.error(name, ctx.message(question, "exclusive", option=choice_label(choices, exclusive[0].value)))
            return parsed
        limit = question.get("max_choices")
        if isinstance(limit, int) and len(chosen) > limit:
            parsed.error(name, ctx.message(question, "max_choices", n=limit))
            return parsed
        if chosen:
            parsed.value = {"options": chosen, OTHER: other[:200]} if other else chosen
        return self._required(question, parsed, ctx)

    def check_definition(self, raw: Mapping[str, Any]) -> list:
        """Besides the options' checks, ``max_choices`` is at least 1 and at most the options offered."""
        problems = super().check_definition(raw)
        limit = raw.get("max_choices")
        offered = len(raw.get("options") or ()) + (1 if raw.get("other") is not None else 0)
        if isinstance(limit, int) and not 1 <= limit <= max(offered, 1):
            problems.append(
                (
                    "max_choices",
                    _l("“max_choices” must be between 1 and the number of options (%(n)d).", n=offered),
                    "invalid_member",
                )
            )
        return problems

    def to_rows(self, question: Question, value: Any) -> list[AnswerRow]:
        """One row per chosen option; the "other" text on the ``other`` row."""
        codes, other = self._codes(value)
        return [AnswerRow(option=c, text=other if c == OTHER else None) for c in codes]

    def from_rows(self, question: Question, rows: Iterable[Any]) -> Any:
        """The codes in the definition's order (rows come back in any order)."""
        codes, other = [], None
        for row in rows:
            option = row_field(row, "option")
            if option is None:
                continue
            codes.append(option)
            if option == OTHER and row_field(row, "text"):
                other = row_field(row, "text")
        if not codes:
            return None
        order = list(question.option_values) + [OTHER]
        codes.sort(key=lambda c: order.index(c) if c in order else len(order))
        return {"options": codes, OTHER: other} if other else codes

    def export_columns(self, question: Question) -> list[str]:
        """``KEY.option`` (1 or 0) per option; with "other", ``KEY.other`` and ``KEY.other.text``."""
        columns = [f"{question.key}.{o.value}" for o in question.options]
        if self.allows_other and question.other is not None:
            columns += [f"{question.key}.{OTHER}", f"{question.key}.{OTHER}.text"]
        return columns

    def export_values(self, question: Question, value: Any) -> list[Any]:
        """1 where chosen, 0 where not (all empty when unanswered); then the "other" text."""
        codes, other = self._codes(value)
        answered = bool(codes)
        cells: list[Any] = [(1 if o.value in codes else 0) if answered else None for o in question.options]
        if self.allows_other and question.other is not None:
            cells += [(1 if OTHER in codes else 0) if answered else None, other]
        return cells


class Consent(MultipleChoice):
    """Consent per use: each use (aggregate, quote, publish, share with authorities) ticked or not.

    Value: the list of uses consented to, e.g. ``["aggregate", "quote"]``.
    """

    name = "consent"
    allows_other = False

    def check_definition(self, raw: Mapping[str, Any]) -> list:
        """Unique uses; no exclusive options (each use is its own choice)."""
        return _Choosing.check_definition(self, raw)


class Scale(QuestionType):
    """An ordinal scale (Likert) with labelled points, optionally "I don't know".

    Value: the point's number, or ``"dont_know"``.
    """

    name = "scale"
    summary_kind = "categorical"
    layout = "choices"
    DONT_KNOW = "dont_know"

    def choices(self, question: Question, ctx: FieldContext, part: str | None = None) -> list[Choice]:
        """The points in order, then "I don't know"."""
        found = [Choice(str(p["value"]), ctx.content(p.get("label"))) for p in question.get("points") or ()]
        if question.get("dont_know"):
            found.append(Choice(self.DONT_KNOW, ctx.interface(DONT_KNOW)))
        return found

    def rule_values(self, question: Question, part: str | None = None) -> frozenset[Any] | None:
        """The points' numbers, and ``dont_know``."""
        if part is not None:
            return None
        values: set[Any] = {p["value"] for p in question.get("points") or ()}
        if question.get("dont_know"):
            values.add(self.DONT_KNOW)
        return frozenset(values)

    def check_definition(self, raw: Mapping[str, Any]) -> list:
        """Point values unique."""
        problems, seen = [], set()
        for index, point in enumerate(raw.get("points") or ()):
            value = point.get("value") if isinstance(point, Mapping) else None
            if value in seen:
                problems.append(
                    (
                        f"points[{index}]",
                        _l("The point value “%(value)s” is used twice.", value=str(value)),
                        "duplicate_option",
                    )
                )
            seen.add(value)
        return problems

    def fields(self, question: Question, ctx: FieldContext) -> list[FieldSpec]:
        """Radios, one per point."""
        return [FieldSpec(field_name(question.key), "radio", choices=self.choices(question, ctx))]

    def form_data(self, question: Question, value: Any) -> dict[str, Any]:
        """The point as the radio's value."""
        return {field_name(question.key): None if value is None else str(value)}

    def parse(self, question: Question, data: Mapping[str, Any], ctx: FieldContext) -> Parsed:
        """A known point (as a number) or ``dont_know``."""
        name = field_name(question.key)
        chosen = data.get(name) or None
        parsed = Parsed()
        if chosen is not None:
            by_text = {str(v): v for v in self.rule_values(question) or ()}
            if chosen not in by_text:
                parsed.error(name, ctx.message(question, "invalid"))
                return parsed
            parsed.value = by_text[chosen]
        return self._required(question, parsed, ctx)

    def to_rows(self, question: Question, value: Any) -> list[AnswerRow]:
        """A row with the number, or with the option ``dont_know``."""
        if value is None:
            return []
        if value == self.DONT_KNOW:
            return [AnswerRow(option=self.DONT_KNOW)]
        return [AnswerRow(number=value)]

    def from_rows(self, question: Question, rows: Iterable[Any]) -> Any:
        """The point, or ``dont_know``."""
        for row in rows:
            if row_field(row, "option") == self.DONT_KNOW:
                return self.DONT_KNOW
            number = row_field(row, "number")
            if number is not None:
                return int(number)
        return None

    def export_values(self, question: Question, value: Any) -> list[Any]:
        """The point's number, or ``dont_know``."""
        return [value]

    def display(self, question: Question, value: Any, ctx: FieldContext) -> str:
        """The point's label."""
        return "" if value is None else choice_label(self.choices(question, ctx), str(value))
