"""Questions of several parts: territory (area, locality), the severity block, the UNGP 31 rating."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from consult.surveys import labels
from consult.surveys.engine import Question
from consult.surveys.types.base import (
    AnswerRow,
    Choice,
    Content,
    FieldContext,
    FieldSpec,
    Parsed,
    QuestionType,
    choice_label,
    field_name,
    row_field,
)

AREA_LABEL = _l("Area or subregion")
LOCALITY_LABEL = _l("Municipality or locality")
NO_AREA = _l("Other places")
TERRITORY_PARTS = ("area", "locality")


#: The longest ``option`` an answer row can store.
OPTION_LENGTH = 64


def area_code(name: str) -> str:
    """A short stable code for an area name, for rows that have only ``option`` (at most 64 characters).

    The name itself when it fits (nearly always, and readable); else its
    first characters and a hash of the whole, so two long names never meet.
    Analysis maps an area to its code with this same function.
    """
    name = str(name)
    if len(name) <= OPTION_LENGTH:
        return name
    return name[: OPTION_LENGTH - 17] + "~" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]


class Territory(QuestionType):
    """Where: an area (subregion), then a municipality or locality of the territory's list.

    Choices come from ``FieldContext.localities`` (``{"code", "name", "area"}``):
    the list officials import for the consultation's territory. The locality
    list is grouped by area, so it works without JavaScript; choosing a
    locality alone is enough (its area follows). ``level: "area"`` asks only
    the area. Value: ``{"area": "Nordeste", "locality": "05001"}``.
    """

    name = "territory"
    summary_kind = "parts"
    layout = "fieldset"

    def _level(self, question: Question) -> str:
        return "area" if question.get("level") == "area" else "locality"

    @staticmethod
    def _areas(ctx: FieldContext) -> list[str]:
        return sorted({str(p["area"]) for p in ctx.localities if p.get("area")})

    def rule_parts(self, question: Question) -> frozenset[str]:
        """``area`` and ``locality``."""
        return frozenset(TERRITORY_PARTS)

    def parts(self, question: Question, ctx: FieldContext) -> list[tuple[str, Content]]:
        """Area, and locality unless only the area is asked."""
        found = [("area", ctx.interface(AREA_LABEL))]
        if self._level(question) == "locality":
            found.append(("locality", ctx.interface(LOCALITY_LABEL)))
        return found

    def choices(self, question: Question, ctx: FieldContext, part: str | None = None) -> list[Choice]:
        """Areas (``part="area"``) or localities grouped by area (default)."""
        if part == "area":
            return [Choice(area, Content(area)) for area in self._areas(ctx)]
        places = sorted(
            ctx.localities, key=lambda p: (p.get("area") is None, str(p.get("area") or ""), str(p.get("name")))
        )
        has_areas = any(p.get("area") for p in places)
        return [
            Choice(
                str(p["code"]), Content(str(p["name"])), group=(str(p.get("area") or NO_AREA) if has_areas else None)
            )
            for p in places
        ]

    def fields(self, question: Question, ctx: FieldContext) -> list[FieldSpec]:
        """An area list (when the places have areas) and a locality list grouped by area."""
        if not ctx.localities:
            return []
        specs = []
        if self._areas(ctx):
            specs.append(
                FieldSpec(
                    field_name(question.key, "area"),
                    "select",
                    part="area",
                    label=ctx.interface(AREA_LABEL),
                    choices=self.choices(question, ctx, "area"),
                )
            )
        if self._level(question) == "locality":
            specs.append(
                FieldSpec(
                    field_name(question.key, "locality"),
                    "select",
                    part="locality",
                    label=ctx.interface(LOCALITY_LABEL),
                    choices=self.choices(question, ctx),
                )
            )
        return specs

    def form_data(self, question: Question, value: Any) -> dict[str, Any]:
        """The area and the locality code."""
        value = value if isinstance(value, Mapping) else {}
        return {field_name(question.key, p): value.get(p) or "" for p in TERRITORY_PARTS}

    def parse(self, question: Question, data: Mapping[str, Any], ctx: FieldContext) -> Parsed:
        """A listed locality (its area follows) and/or a listed area; they must agree."""
        parsed = Parsed()
        if not ctx.localities:
            return parsed  # nothing to choose from: the question cannot be answered here
        area_name, locality_name = field_name(question.key, "area"), field_name(question.key, "locality")
        area = data.get(area_name) or None
        code = data.get(locality_name) or None if self._level(question) == "locality" else None
        if area is not None and area not in self._areas(ctx):
            parsed.error(area_name, ctx.message(question, "invalid"))
            return parsed
        value: dict[str, str] = {}
        if code is not None:
            place = next((p for p in ctx.localities if str(p["code"]) == code), None)
            if place is None:
                parsed.error(locality_name, ctx.message(question, "invalid"))
                return parsed
            if area is not None and place.get("area") != area:
                parsed.error(locality_name, ctx.message(question, "locality"))
                return parsed
            if place.get("area"):
                value["area"] = str(place["area"])
            value["locality"] = code
        elif area is not None:
            value["area"] = area
        parsed.value = value or None
        if question.required and parsed.value is None:
            first = area_name if self._areas(ctx) else locality_name
            parsed.error(first, ctx.message(question, "required"))
        return parsed

    def to_rows(self, question: Question, value: Any) -> list[AnswerRow]:
        """An ``area`` row with the area's name in ``text``, a ``locality`` row with the code in ``option``.

        Areas have no code, and their names (up to 200 characters) do not fit
        ``option`` (64): the name goes in ``text``. Where a row has no text
        column (testimony answers), ``area_code`` gives a short stable option.
        """
        value = value if isinstance(value, Mapping) else {}
        rows = []
        if value.get("area"):
            rows.append(AnswerRow(part="area", text=str(value["area"])))
        if value.get("locality"):
            rows.append(AnswerRow(part="locality", option=str(value["locality"])))
        return rows

    def from_rows(self, question: Question, rows: Iterable[Any]) -> Any:
        """Area and locality; an area row of the earlier layout (name in ``option``) or an ``area_code`` reads too."""
        value = {}
        for r in rows:
            part = row_field(r, "part")
            if part not in TERRITORY_PARTS:
                continue
            found = (row_field(r, "text") if part == "area" else None) or row_field(r, "option")
            if found:
                value[part] = found
        return value or None

    def export_columns(self, question: Question) -> list[str]:
        """``KEY.area`` and ``KEY.locality`` (the locality's code)."""
        return [f"{question.key}.{p}" for p in TERRITORY_PARTS]

    def export_values(self, question: Question, value: Any) -> list[Any]:
        """The area and the locality code."""
        value = value if isinstance(value, Mapping) else {}
        return [value.get(p) for p in TERRITORY_PARTS]

    def display(self, question: Question, value: Any, ctx: FieldContext) -> str:
        """ "Locality name (Area)"."""
        if not isinstance(value, Mapping):
            return ""
        code = value.get("locality")
        name = next((str(p["name"]) for p in ctx.localities if str(p["code"]) == code), code) if code else None
        area = value.get("area")
        if name and area:
            return f"{name} ({area})"
        return name or area or ""


class _Rated(QuestionType):
    """A block of parts, each rated on the same shipped scale (severity, UNGP 31)."""

    summary_kind = "parts"
    layout = "parts"
    all_parts: tuple[str, ...] = ()
    member = ""

    def _parts(self, question: Question) -> list[str]:
        wanted = question.get(self.member)
        return [p for p in self.all_parts if p in wanted] if wanted else list(self.all_parts)

    def rule_parts(self, question: Question) -> frozenset[str]:
        """The parts asked."""
        return frozenset(self._parts(question))

    def check_definition(self, raw: Mapping[str, Any]) -> list:
        """The parts listed are known, each once."""
        problems, seen = [], set()
        for index, part in enumerate(raw.get(self.member) or ()):
            if part not in self.all_parts:
                problems.append(
                    (
                        f"{self.member}[{index}]",
                        _l(
                            "“%(value)s” is not one of %(allowed)s.", value=str(part), allowed=", ".join(self.all_parts)
                        ),
                        "invalid_member",
                    )
                )
            elif part in seen:
                problems.append(
                    (f"{self.member}[{index}]", _l("“%(value)s” is listed twice.", value=part), "duplicate_option")
                )
            seen.add(part)
        return problems

    def part_label(self, part: str) -> Any:
        """The question a part asks."""
        raise NotImplementedError

    def part_choices(self, part: str) -> list[tuple[str, Any]]:
        """(code, label) of a part's answers."""
        raise NotImplementedError

    def parts(self, question: Question, ctx: FieldContext) -> list[tuple[str, Content]]:
        """The parts asked, with the questions they ask."""
        return [(p, ctx.interface(self.part_label(p))) for p in self._parts(question)]

    def choices(self, question: Question, ctx: FieldContext, part: str | None = None) -> list[Choice]:
        """The answers of one part."""
        return [
            Choice(code, ctx.interface(label)) for code, label in self.part_choices(part or self._parts(question)[0])
        ]

    def fields(self, question: Question, ctx: FieldContext) -> list[FieldSpec]:
        """One radio group per part."""
        return [
            FieldSpec(
                field_name(question.key, p),
                "radio",
                part=p,
                label=ctx.interface(self.part_label(p)),
                choices=self.choices(question, ctx, p),
            )
            for p in self._parts(question)
        ]

    def _stored(self, value: Any) -> Any:
        return value

    def form_data(self, question: Question, value: Any) -> dict[str, Any]:
        """Each part's answer as its radio's value."""
        value = value if isinstance(value, Mapping) else {}
        return {
            field_name(question.key, p): None if value.get(p) is None else str(value[p]) for p in self._parts(question)
        }

    def parse(self, question: Question, data: Mapping[str, Any], ctx: FieldContext) -> Parsed:
        """Each answered part has a known answer; a required block needs every part."""
        parsed = Parsed()
        value = {}
        for part in self._parts(question):
            name = field_name(question.key, part)
            chosen = data.get(name) or None
            allowed = {code for code, _ in self.part_choices(part)}
            if chosen is None:
                if question.required:
                    parsed.error(name, ctx.message(question, "required"))
            elif chosen not in allowed:
                parsed.error(name, ctx.message(question, "invalid"))
            else:
                value[part] = self._stored(chosen)
        if not parsed.errors:
            parsed.value = value or None
        return parsed

    def export_columns(self, question: Question) -> list[str]:
        """``KEY.part`` per part."""
        return [f"{question.key}.{p}" for p in self._parts(question)]

    def export_values(self, question: Question, value: Any) -> list[Any]:
        """Each part's answer."""
        value = value if isinstance(value, Mapping) else {}
        return [value.get(p) for p in self._parts(question)]

    def display(self, question: Question, value: Any, ctx: FieldContext) -> str:
        """ "Part question: answer" per answered part."""
        if not isinstance(value, Mapping):
            return ""
        return "; ".join(
            f"{self.part_label(p)} {choice_label(self.choices(question, ctx, p), str(value[p]))}"
            for p in self._parts(question)
            if value.get(p) is not None
        )


class Severity(_Rated):
    """The severity block: scale, scope, irremediability and likelihood, each 1–5 in plain words.

    Value: ``{"scale": 4, "scope": 3, "irremediability": 5, "likelihood": 2}``;
    ``labels.severity_of`` and ``labels.is_urgent`` read it.
    """

    name = "severity"
    all_parts = labels.SEVERITY_PARTS
    member = "parts"

    def part_label(self, part: str) -> Any:
        """The plain-language question of the part."""
        return labels.SEVERITY_QUESTIONS[part]

    def part_choices(self, part: str) -> list[tuple[str, Any]]:
        """1–5 with DESIGN.md's plain-language labels."""
        return [(str(n), label) for n, label in labels.SEVERITY_LABELS[part].items()]

    def _stored(self, value: Any) -> Any:
        return int(value)

    def rule_values(self, question: Question, part: str | None = None) -> frozenset[Any] | None:
        """Scores 1–5 of a part."""
        if part is None:
            return None
        return frozenset(range(1, 6))

    def to_rows(self, question: Question, value: Any) -> list[AnswerRow]:
        """One row per scored part, the score in ``number``."""
        value = value if isinstance(value, Mapping) else {}
        return [AnswerRow(part=p, number=value[p]) for p in self._parts(question) if value.get(p) is not None]

    def from_rows(self, question: Question, rows: Iterable[Any]) -> Any:
        """The scores by part."""
        value = {
            row_field(r, "part"): int(row_field(r, "number"))
            for r in rows
            if row_field(r, "part") in self.all_parts and row_field(r, "number") is not None
        }
        return value or None

    def export_columns(self, question: Question) -> list[str]:
        """``KEY.part`` per part, then ``KEY.severity`` and ``KEY.urgent`` (1 or 0) as DESIGN.md computes them."""
        return super().export_columns(question) + [f"{question.key}.severity", f"{question.key}.urgent"]

    def export_values(self, question: Question, value: Any) -> list[Any]:
        """The scores, the severity and whether it is urgent."""
        if not isinstance(value, Mapping) or not value:
            return [None] * len(self.export_columns(question))
        return super().export_values(question, value) + [labels.severity_of(value), 1 if labels.is_urgent(value) else 0]


class Ungp31(_Rated):
    """The UNGP 31 rating of a remedy mechanism: eight criteria in plain words, yes / partly / no / don't know.

    Value: ``{"legitimate": "yes", "accessible": "partly", ...}``.
    """

    name = "ungp31"
    all_parts = labels.UNGP31_CRITERIA
    member = "criteria"

    def part_label(self, part: str) -> Any:
        """The criterion asked in plain words."""
        return labels.UNGP31_QUESTIONS[part]

    def part_choices(self, part: str) -> list[tuple[str, Any]]:
        """Yes, partly, no, I don't know."""
        return list(labels.UNGP31_ANSWERS.items())

    def rule_values(self, question: Question, part: str | None = None) -> frozenset[Any] | None:
        """The answer codes of a criterion."""
        if part is None:
            return None
        return frozenset(labels.UNGP31_ANSWERS)

    def to_rows(self, question: Question, value: Any) -> list[AnswerRow]:
        """One row per criterion answered, the answer in ``option``."""
        value = value if isinstance(value, Mapping) else {}
        return [AnswerRow(part=p, option=value[p]) for p in self._parts(question) if value.get(p)]

    def from_rows(self, question: Question, rows: Iterable[Any]) -> Any:
        """The answers by criterion."""
        value = {
            row_field(r, "part"): row_field(r, "option")
            for r in rows
            if row_field(r, "part") in self.all_parts and row_field(r, "option")
        }
        return value or None
