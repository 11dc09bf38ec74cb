"""What every survey row may carry besides its type: label, hint, required, messages, bounds, data.

The reading context and the helpers the question reader shares between plain
rows and the groups our export writes for severity, UNGP 31 and date ranges.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from consult.surveys.xlsform.choices import ChoiceList
from consult.surveys.xlsform.columns import Languages, TextColumns
from consult.surveys.xlsform.constraints import read_constraint
from consult.surveys.xlsform.report import Reporter
from consult.surveys.xlsform.tree import Node
from consult.surveys.xlsform.workbook import Sheet

# Members our export carries in bind::consult:data because XLSForm has no column for them.
QUESTION_DATA = frozenset({"flags", "messages", "unit", "level", "parts", "criteria", "groups", "pictograms"})
_REFERENCE = re.compile(r"\$\{[^}]*\}")
_TRUE = {"yes", "true", "true()", "1", "y"}
_FALSE = {"no", "false", "false()", "0", "n", ""}


@dataclass
class Context:
    """What reading a row needs: the sheet, its text columns, the languages, the option lists."""

    sheet: Sheet
    texts: TextColumns
    languages: Languages
    lists: dict[str, ChoiceList]
    reporter: Reporter
    choices_sheet: str = "choices"

    def warn(self, node: Node, message: Any, column: str | None = None) -> None:
        """A warning about a survey row."""
        self.reporter.warn(self.sheet.name, node.number, message, column=column)

    def error(self, node: Node, message: Any, column: str | None = None) -> None:
        """An error about a survey row."""
        self.reporter.error(self.sheet.name, node.number, message, column=column)


def required(node: Node, ctx: Context) -> bool:
    """Whether the row's ``required`` says yes; anything but yes or no is reported."""
    value = node.get("required").strip().lower()
    if value in _TRUE:
        return True
    if value not in _FALSE:
        ctx.warn(
            node,
            _l(
                "“required” is “%(value)s”; consult only takes yes or no, so the question is not required.",
                value=node.get("required"),
            ),
            "required",
        )
    return False


def borrowed(text: dict[str, str], fallback: str) -> tuple[dict[str, str], str | None]:
    """``text`` with the default language filled from the first language that has it (pyxform accepts a
    missing translation; consult needs every text in its fallback language); the language borrowed from."""
    if not text or fallback in text:
        return text, None
    source = next(iter(text))
    return {fallback: text[source], **text}, source


def report_borrowed(node: Node, ctx: Context, column: str, source: str) -> None:
    """A warning that a text of ``node`` stands in the default language, borrowed from ``source``."""
    ctx.warn(
        node,
        _l(
            "The %(column)s of %(name)s has no text in the default language (%(code)s); the %(source)s text is used "
            "there until it is translated.",
            column=column,
            name=node.name,
            code=ctx.languages.fallback,
            source=source,
        ),
        column,
    )


def label(node: Node, ctx: Context, kind: str) -> dict[str, str] | None:
    """The row's label (``kind``: ``question``, ``note`` or ``group``).

    Without the default language, another language's text stands in (reported). A question with
    a hint and no label takes the hint as its text (pyxform accepts a label or a hint); with
    neither, the row is an error, as in pyxform.
    """
    text = ctx.texts.text(node.row, "label")
    code = ctx.languages.fallback
    _report_references(node, ctx, text, "label")
    if code in text:
        return text
    if text:
        filled, source = borrowed(text, code)
        report_borrowed(node, ctx, "label", source)
        return filled
    if kind == "question" and ctx.texts.text(node.row, "hint"):
        filled, _source = borrowed(ctx.texts.text(node.row, "hint"), code)
        ctx.warn(
            node, _l("The question %(name)s has no label; its hint is shown as its text.", name=node.name), "label"
        )
        node.hint_as_label = True
        return filled
    if kind == "note":
        message = _l("The note %(name)s has no text.", name=node.name)
    elif kind == "group":
        message = _l("The group %(name)s has no label.", name=node.name)
    else:
        message = _l("The question %(name)s has no label.", name=node.name)
    ctx.error(node, message, "label")
    return None


def _report_references(node: Node, ctx: Context, text: dict[str, str], column: str) -> None:
    """ODK shows ``${name}`` in a label as the earlier answer; consult shows text as written."""
    found = sorted({ref for value in text.values() for ref in _REFERENCE.findall(value)})
    if found:
        ctx.warn(
            node,
            _l(
                "The %(column)s of %(name)s shows earlier answers (%(references)s); consult shows the text as it is "
                "written, "
                "so reword it without them.",
                column=column,
                name=node.name,
                references=", ".join(found),
            ),
            column,
        )


def hint(node: Node, ctx: Context) -> dict[str, str] | None:
    """The row's hint; without the default language, another language's text stands in (reported)."""
    if getattr(node, "hint_as_label", False):
        return None
    hint = ctx.texts.text(node.row, "hint")
    _report_references(node, ctx, hint, "hint")
    hint, source = borrowed(hint, ctx.languages.fallback)
    if source is not None:
        report_borrowed(node, ctx, "hint", source)
    return hint or None


def message_text(node: Node, ctx: Context, column: str) -> dict[str, str] | None:
    """A required or constraint message; left out (reported) when it lacks the default language."""
    text = ctx.texts.text(node.row, column)
    if text and ctx.languages.fallback not in text:
        ctx.warn(
            node,
            _l(
                "The %(column)s of %(name)s has no text in the default language (%(code)s); consult's own message is "
                "shown instead.",
                column=column,
                name=node.name,
                code=ctx.languages.fallback,
            ),
            column,
        )
        return None
    return text or None


def appearance(node: Node, ctx: Context, used: tuple[str, ...] = ()) -> None:
    """Report each ``appearance`` word of the row that consult does not use."""
    for word in node.get("appearance").split():
        if word.lower() not in used:
            ctx.warn(
                node,
                _l(
                    "The appearance “%(appearance)s” of %(name)s is not used: consult shows every question in its "
                    "own simple, accessible way.",
                    appearance=word,
                    name=node.name,
                ),
                "appearance",
            )


def messages(node: Node, question: dict[str, Any], ctx: Context) -> None:
    """``required_message`` and, through the bounds it checks, ``constraint``/``constraint_message``."""
    messages: dict[str, dict[str, str]] = {}
    required = message_text(node, ctx, "required_message")
    if required:
        messages["required"] = required
    constraint = node.get("constraint")
    names: list[str] = []
    if constraint and question["type"] not in ("date_range",):
        bounds = read_constraint(constraint, question["type"], decimal=bool(question.get("decimal")))
        question.update(bounds.members)
        for value in bounds.exclusive:
            option = next((o for o in question.get("options") or () if o["value"] == value), None)
            if option is None:
                ctx.warn(
                    node,
                    _l(
                        "The constraint of %(name)s makes “%(value)s” exclusive, but the list has no such choice.",
                        name=node.name,
                        value=value,
                    ),
                    "constraint",
                )
            else:
                option["exclusive"] = True
        for part, reason in bounds.skipped:
            ctx.warn(
                node,
                _l(
                    "The constraint %(part)s of %(name)s is not imported (%(reason)s); answers are not checked "
                    "against it.",
                    part=part,
                    name=node.name,
                    reason=reason,
                ),
                "constraint",
            )
        for part in bounds.approximated:
            ctx.warn(
                node,
                _l(
                    "The constraint %(part)s of %(name)s is imported with its bound included.",
                    part=part,
                    name=node.name,
                ),
                "constraint",
            )
        names = bounds.message_names
    message = message_text(node, ctx, "constraint_message")
    if message:
        if names:
            for name in names:
                messages[name] = dict(message)
        else:
            ctx.warn(
                node,
                _l(
                    "The constraint message of %(name)s is not imported: it belongs to no check consult makes.",
                    name=node.name,
                ),
                "constraint_message",
            )
    if messages:
        question["messages"] = messages


def apply_data(node: Node, question: dict[str, Any]) -> None:
    """Members our export kept in bind::consult:data; what the sheet says takes precedence."""
    for name, value in node.data.items():
        if name not in QUESTION_DATA:
            continue
        if name == "messages" and isinstance(value, dict):
            merged = dict(value)
            merged.update(question.get("messages") or {})
            question["messages"] = merged
        else:
            question.setdefault(name, value)
