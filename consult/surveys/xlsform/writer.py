"""``export_xlsform``: an instrument definition as an XLSForm workbook that pyxform converts.

Sections and pages become groups (pages with ``appearance`` field-list, so ODK
shows a page per screen). Conditions become ``relevant`` expressions with the
same meaning. Our types without an XLSForm twin travel as plain XLSForm rows
carrying a ``bind::consult:type`` marker (pyxform writes it into the XForm as a
``consult:type`` attribute, which ODK ignores), so that importing the file
rebuilds them; what no column can hold goes into ``bind::consult:data`` (JSON).
Concept tags go into ``bind::consult:concept`` and the choices sheet's ``concept``.
docs/xlsform.md lists the mapping of every type.
"""

from __future__ import annotations

import io
import json
from typing import Any

import openpyxl
from flask_babel import force_locale

from consult.core.cells import append_row
from consult.i18n import INTERFACE_LANGUAGES
from consult.surveys import labels
from consult.surveys.types.base import DONT_KNOW, OTHER_LABEL, OTHER_SPECIFY
from consult.surveys.types.simple import RANGE_LABELS
from consult.surveys.xlsform.columns import CONCEPT, MARKER_CONCEPT, MARKER_DATA, MARKER_TYPE, PICTOGRAM
from consult.surveys.xlsform.conditions import (
    CHOICE,
    DATE,
    MULTIPLE,
    NUMBER,
    SCALE,
    SCORE,
    TERRITORY,
    TEXT,
    WHOLE,
    Target,
    render,
)
from consult.surveys.xlsform.constraints import constraint_message_names, write_constraint
from consult.surveys.xlsform.expressions import Untranslatable, quote
from consult.surveys.xlsform.languages import column_language

NAMESPACE = 'consult="https://consult.example/xlsform"'
_KINDS = {
    "single_choice": CHOICE,
    "stakeholder_group": CHOICE,
    "multiple_choice": MULTIPLE,
    "consent": MULTIPLE,
    "scale": SCALE,
    "number": NUMBER,
    "short_text": TEXT,
    "long_text": TEXT,
    "date": DATE,
    "territory": TERRITORY,
    "severity": WHOLE,
    "ungp31": WHOLE,
    "date_range": WHOLE,
}
_CONSTRAINT_MESSAGES = frozenset({"min", "max", "max_length", "date_min", "date_max", "exclusive", "max_choices"})
_COMPOSITE_PARTS = {
    "severity": ("parts", labels.SEVERITY_PARTS),
    "ungp31": ("criteria", labels.UNGP31_CRITERIA),
    "date_range": (None, ("start", "end")),
}


def export_xlsform(definition: dict[str, Any], *, form_id: str | None = None) -> bytes:
    """The workbook (.xlsx bytes) of a valid ``definition``; ``form_id`` defaults to its key.

    Run it inside an application context: the engine's own labels (severity
    levels, UNGP 31 questions, stakeholder groups) are written in each language.
    """
    return _Writer(definition).workbook(form_id or definition.get("key") or "form")


class _Writer:
    def __init__(self, definition: dict[str, Any]) -> None:
        self.definition = definition
        self.fallback = definition.get("fallback_language") or "es"
        languages = list(definition.get("languages") or [self.fallback])
        self.languages = [self.fallback] + [code for code in languages if code != self.fallback]
        self.survey: list[dict[str, Any]] = []
        self.choices: list[dict[str, Any]] = []
        self.list_names: set[str] = set()
        self.engine_lists: dict[str, str] = {}
        self.questions: dict[str, dict[str, Any]] = {}
        self.other_names: dict[str, str] = {}
        self.names: set[str] = set()
        self.pages = [page for section in definition.get("sections") or () for page in section.get("pages") or ()]
        self.page_index = {page["key"]: i for i, page in enumerate(self.pages)}
        self.route_names: dict[str, str] = {}
        self.routes: dict[str, list[dict[str, Any]]] = {}
        for section in definition.get("sections") or ():
            self.names.add(section["key"])
            for page in section.get("pages") or ():
                self.names.add(page["key"])
                for question in page.get("questions") or ():
                    self.names.add(question["key"])
                    self.questions[question["key"]] = question
        for question in self.questions.values():
            if question.get("other") is not None:
                self.other_names[question["key"]] = self._new_name(f"{question['key']}__other")

    # -- names and texts ----------------------------------------------------------------------

    def _new_name(self, base: str) -> str:
        name, n = base, 1
        while name in self.names:
            n += 1
            name = f"{base}_{n}"
        self.names.add(name)
        return name

    def _new_list(self, base: str) -> str:
        name, n = base, 1
        while name in self.list_names:
            n += 1
            name = f"{base}_{n}"
        self.list_names.add(name)
        return name

    def interface(self, message: Any) -> dict[str, str]:
        """One of our interface strings in each language (the fallback's words where there is no catalogue)."""
        default = self.fallback if self.fallback in INTERFACE_LANGUAGES else "en"
        texts = {}
        for code in self.languages:
            with force_locale(code if code in INTERFACE_LANGUAGES else default):
                texts[code] = str(message)
        return texts

    def target(self, key: str, part: str | None) -> Target:
        """What a condition's reference is called in the workbook."""
        question = self.questions.get(key)
        if question is None:
            raise Untranslatable("unknown question")
        kind = question["type"]
        if part is None:
            return Target(key, _KINDS[kind], key)
        if part == "other" and key in self.other_names:
            return Target(key, TEXT, self.other_names[key], part=part)
        if kind in _COMPOSITE_PARTS and part in _COMPOSITE_PARTS[kind][1]:
            part_kind = {"severity": SCORE, "ungp31": CHOICE, "date_range": DATE}[kind]
            return Target(key, part_kind, f"{key}__{part}", part=part)
        raise Untranslatable("a part with no field of its own")

    def relevant(self, when: Any, data: dict[str, Any]) -> str:
        """The ``relevant`` of a condition; one that XLSForm cannot say is kept in the row's data."""
        if not when:
            return ""
        try:
            return render(when, self.target)
        except Untranslatable:
            data["when"] = when
            return ""

    # -- rows -----------------------------------------------------------------------------------

    def row(self, type_: str, name: str, **cells: Any) -> dict[str, Any]:
        """Append a survey row."""
        row = {"type": type_, "name": name, **{k: v for k, v in cells.items() if v not in (None, "", {})}}
        self.survey.append(row)
        return row

    def choice_list(
        self,
        base: str,
        items: list[tuple[str, dict[str, str]]],
        concepts: dict[str, str] | None = None,
        pictograms: dict[str, str] | None = None,
    ) -> str:
        """Append a list of choices (``concepts``, ``pictograms``: of each choice that has one); returns its name."""
        name = self._new_list(base)
        for value, label in items:
            self.choices.append(
                {
                    "list_name": name,
                    "name": value,
                    "label": label,
                    "concept": (concepts or {}).get(value, ""),
                    "pictogram": (pictograms or {}).get(value, ""),
                }
            )
        return name

    def engine_list(self, base: str, items: list[tuple[str, Any]]) -> str:
        """A list of the engine's own labels (written once, shared by every question using it)."""
        if base not in self.engine_lists:
            self.engine_lists[base] = self.choice_list(base, [(value, self.interface(label)) for value, label in items])
        return self.engine_lists[base]

    def workbook(self, form_id: str) -> bytes:
        """The whole workbook: a group per section, holding its pages."""
        for section in self.definition.get("sections") or ():
            self.row("begin group", section["key"], label=section.get("title"))
            for page in section.get("pages") or ():
                self.page(page)
            self.row("end group", "")
        return self._save(form_id)

    def page(self, page: dict[str, Any]) -> None:
        """A page as a field-list group: its questions, then its routing calculation."""
        data: dict[str, Any] = {}
        parts = []
        own = self.relevant(page.get("when"), data)
        if own:
            parts.append(f"({own})" if " or " in own else own)
        parts += self._skipped_by_routes(page["key"])
        self.row(
            "begin group",
            page["key"],
            label=page.get("title"),
            appearance="field-list",
            relevant=" and ".join(parts),
            data=data,
        )
        for question in page.get("questions") or ():
            self.question(question)
        routing = page.get("routing") or []
        if routing:
            self._routing(page, routing)
        self.row("end group", "")

    def _routing(self, page: dict[str, Any], routing: list[dict[str, Any]]) -> None:
        """Routing as a calculation naming the page to go to, which later pages' relevance reads."""
        try:
            expression = "''"
            for rule in reversed(routing):
                target = quote(rule["goto"])
                if rule.get("when"):
                    expression = f"if({render(rule['when'], self.target)}, {target}, {expression})"
                else:
                    expression = target
        except Untranslatable:
            for row in reversed(self.survey):
                if row["type"] == "begin group" and row["name"] == page["key"]:
                    row.setdefault("data", {})["routing"] = routing
                    break
            return
        name = self._new_name(f"{page['key']}__route")
        self.route_names[page["key"]] = name
        self.routes[page["key"]] = routing
        self.row("calculate", name, calculation=expression, marker="routing")

    def _skipped_by_routes(self, key: str) -> list[str]:
        """``${P__route} != 'X'`` for each earlier page P whose route to X jumps over this page."""
        here = self.page_index[key]
        parts = []
        for source, routing in self.routes.items():
            if self.page_index[source] >= here:
                continue
            for goto in dict.fromkeys(rule["goto"] for rule in routing):
                if goto == "end" or self.page_index.get(goto, -1) > here:
                    parts.append("${%s} != %s" % (self.route_names[source], quote(goto)))
        return parts

    def question(self, question: dict[str, Any]) -> None:
        """The rows (and choice lists) of one question."""
        kind = question["type"]
        key = question["key"]
        data = {
            name: question[name] for name in ("flags", "unit", "level", "pictograms") if question.get(name) is not None
        }
        for member, default in (
            ("parts", labels.SEVERITY_PARTS),
            ("criteria", labels.UNGP31_CRITERIA),
            ("groups", tuple(labels.STAKEHOLDER_GROUPS)),
        ):
            if question.get(member) is not None and tuple(question[member]) == tuple(default):
                data[member] = question[member]  # written out in full, though it is the default: keep it so
        messages = dict(question.get("messages") or {})
        cells: dict[str, Any] = {
            "label": question.get("text"),
            "hint": question.get("help"),
            "required": "yes" if question.get("required") else "",
            "required_message": messages.pop("required", None),
            "relevant": self.relevant(question.get("when"), data),
            "concept": question.get("concept"),
        }
        if kind in _COMPOSITE_PARTS:
            self._composite(question, cells, messages, data)
            return
        constraint = write_constraint(question)
        if constraint:
            cells["constraint"] = constraint
            names = constraint_message_names(question)
            found = {name: messages[name] for name in names if name in messages}
            texts = list(found.values())
            if names and len(found) == len(names) and all(t == texts[0] for t in texts):
                cells["constraint_message"] = texts[0]
                for name in names:
                    messages.pop(name)
        if messages:
            data["messages"] = messages
        cells["data"] = data
        if kind == "info":
            self.row("note", key, **cells)
        elif kind in ("short_text", "long_text", "territory"):
            self.row(
                "text",
                key,
                appearance="multiline" if kind == "long_text" else "",
                marker="territory" if kind == "territory" else "",
                **cells,
            )
        elif kind == "number":
            self.row("decimal" if question.get("decimal") else "integer", key, **cells)
        elif kind == "date":
            self.row("date", key, **cells)
        elif kind == "scale":
            items = [(str(p["value"]), p.get("label") or {}) for p in question.get("points") or ()]
            if question.get("dont_know"):
                items.append(("dont_know", self.interface(DONT_KNOW)))
            self.row(f"select_one {self.choice_list(key, items)}", key, appearance="likert", marker="scale", **cells)
        elif kind == "stakeholder_group":
            groups = question.get("groups") or list(labels.STAKEHOLDER_GROUPS)
            items = [(code, self.interface(labels.STAKEHOLDER_GROUPS[code])) for code in groups]
            self.row(f"select_one {self.choice_list(key, items)}", key, marker="stakeholder_group", **cells)
        else:  # single_choice, multiple_choice, consent
            items = [(o["value"], o.get("label") or {}) for o in question.get("options") or ()]
            concepts = {o["value"]: o["concept"] for o in question.get("options") or () if o.get("concept")}
            pictograms = {o["value"]: o["pictogram"] for o in question.get("options") or () if o.get("pictogram")}
            other = question.get("other")
            if other is not None:
                items.append(("other", other.get("label") or self.interface(OTHER_LABEL)))
            word = "select_one" if kind == "single_choice" else "select_multiple"
            self.row(
                f"{word} {self.choice_list(key, items, concepts, pictograms)}",
                key,
                marker="consent" if kind == "consent" else "",
                **cells,
            )
            if other is not None:
                self.row(
                    "text",
                    self.other_names[key],
                    label=self.interface(OTHER_SPECIFY),
                    relevant=f"selected(${{{key}}}, 'other')",
                    marker="other",
                    data={} if other.get("label") else {"engine_label": True},
                )

    def _composite(
        self, question: dict[str, Any], cells: dict[str, Any], messages: dict[str, Any], data: dict[str, Any]
    ) -> None:
        """Severity, UNGP 31 and date range: a group of one row per part."""
        kind, key = question["type"], question["key"]
        member, all_parts = _COMPOSITE_PARTS[kind]
        parts = (question.get(member) if member else None) or list(all_parts)
        required = cells.pop("required")
        required_message = cells.pop("required_message")
        if messages:
            data["messages"] = messages
        self.row(
            "begin group",
            key,
            marker=kind,
            label=cells["label"],
            hint=cells["hint"],
            relevant=cells["relevant"],
            data=data,
            concept=cells["concept"],
        )
        for part in parts:
            name = f"{key}__{part}"
            if kind == "severity":
                items = sorted(labels.SEVERITY_LABELS[part].items())
                list_name = self.engine_list(f"consult_severity_{part}", [(str(n), label) for n, label in items])
                self.row(
                    f"select_one {list_name}",
                    name,
                    label=self.interface(labels.SEVERITY_QUESTIONS[part]),
                    required=required,
                    required_message=required_message,
                )
            elif kind == "ungp31":
                list_name = self.engine_list("consult_ungp31", list(labels.UNGP31_ANSWERS.items()))
                self.row(
                    f"select_one {list_name}",
                    name,
                    label=self.interface(labels.UNGP31_QUESTIONS[part]),
                    required=required,
                    required_message=required_message,
                )
            else:
                constraint = write_constraint(question)
                if part == "end":
                    constraint = " and ".join(filter(None, [constraint, f". >= ${{{key}__start}}"]))
                self.row(
                    "date",
                    name,
                    label=self.interface(RANGE_LABELS[part]),
                    constraint=constraint,
                    required=required if part == "start" else "",
                    required_message=required_message if part == "start" else None,
                )
        self.row("end group", "")

    # -- the workbook ---------------------------------------------------------------------------

    def _save(self, form_id: str) -> bytes:

        workbook = openpyxl.Workbook()
        survey = workbook.active
        survey.title = "survey"
        text_bases = ["label", "hint"] + [
            b for b in ("required_message", "constraint_message") if any(b in r for r in self.survey)
        ]
        headers = ["type", "name"]
        for base in text_bases:
            headers += [f"{base}::{column_language(code)}" for code in self.languages]
        headers += [
            "required",
            "relevant",
            "constraint",
            "appearance",
            "calculation",
            MARKER_TYPE,
            MARKER_CONCEPT,
            MARKER_DATA,
        ]
        _append(survey, headers)
        for row in self.survey:
            values = [row["type"], row["name"]]
            for base in text_bases:
                text = row.get(base) or {}
                values += [text.get(code, "") for code in self.languages]
            values += [
                row.get("required", ""),
                row.get("relevant", ""),
                row.get("constraint", ""),
                row.get("appearance", ""),
                row.get("calculation", ""),
                row.get("marker", ""),
                row.get("concept", ""),
                json.dumps(row["data"], ensure_ascii=False, sort_keys=True) if row.get("data") else "",
            ]
            _append(survey, values)
        choices = workbook.create_sheet("choices")
        # The pictogram column only when a choice has one: other forms' sheets stay as they were.
        pictured = [PICTOGRAM] if any(choice.get("pictogram") for choice in self.choices) else []
        _append(
            choices,
            ["list_name", "name"]
            + [f"label::{column_language(code)}" for code in self.languages]
            + [CONCEPT]
            + pictured,
        )
        for choice in self.choices:
            _append(
                choices,
                [choice["list_name"], choice["name"]]
                + [choice["label"].get(code, "") for code in self.languages]
                + [choice.get("concept", "")]
                + ([choice.get("pictogram", "")] if pictured else []),
            )
        settings = workbook.create_sheet("settings")
        kept = {
            name: self.definition[name]
            for name in ("title", "description", "audience", "meta")
            if self.definition.get(name)
        }
        title = (self.definition.get("title") or {}).get(self.fallback) or form_id
        _append(settings, ["form_title", "form_id", "default_language", "namespaces", "consult:data"])
        _append(
            settings,
            [
                title,
                form_id,
                column_language(self.fallback),
                NAMESPACE,
                json.dumps(kept, ensure_ascii=False, sort_keys=True),
            ],
        )
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()


def _append(sheet: Any, values: list[Any]) -> None:
    """Append a row of text cells the way every consult spreadsheet does (``consult.core.cells``)."""
    append_row(sheet, values)
