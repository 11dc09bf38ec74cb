"""The KoboToolbox layout of response data, so that scripts written for Kobo exports run on consult's.

It mirrors a Kobo (formpack) export with "XML values and headers" and group
names in headers, of the XLSForm consult writes for the instrument
(docs/xlsform.md):

- headers are group paths joined with ``/``: ``SECTION/PAGE/KEY`` (sections and pages are groups);
  severity, UNGP 31 and date-range blocks are groups of their own, ``SECTION/PAGE/KEY/KEY__scale``;
- cells hold option *names* (codes), never labels; a ``select_multiple`` is one column with the chosen
  names separated by spaces, then one ``KEY/option`` column per option with 1 or 0 (all empty when
  the question has no answer); an "other" text is the ``KEY__other`` column;
- a scale holds the point's value or ``dont_know``; a territory question (a text row in the XLSForm)
  the locality code, or the area where only an area was given;
- as in Kobo, an empty cell is a question not asked *or* not answered; the consult layout tells
  them apart;
- after the questions come consult's response columns (group, language, locality, area, entry mode,
  collective, people represented, ``is_set_aside``), then Kobo's meta columns: ``_id`` (the response
  number), ``_uuid`` (an opaque, stable identifier derived from the consultation and the response
  number, tied to nothing a person holds), ``_submission_time`` (the date only), ``_validation_status``
  (``validation_status_not_approved`` for a response an official set aside, else empty),
  ``__version__`` (the instrument version number) and ``_index`` (the row number).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _

from consult.exports.responses_plan import Column, Layout, Table
from consult.i18n import LANGUAGE_NAMES
from consult.responses.models import ENTRY_MODE_LABELS
from consult.surveys.engine import Question
from consult.surveys.labels import STAKEHOLDER_GROUPS
from consult.surveys.types import FieldContext, QuestionType
from consult.surveys.types.simple import RANGE_LABELS

#: The namespace of ``_uuid`` values.
UUID_NAMESPACE = uuid.UUID("5f0c9d0e-8d5e-4b64-9a55-6e1b0d2a7c31")
NOT_APPROVED = "validation_status_not_approved"
MULTIPLE = ("multiple_choice", "consent")
BLOCKS = ("severity", "ungp31", "date_range")


class KoboLayout(Layout):
    """Kobo's headers and cells (see the module docstring)."""

    name = "kobo"
    meta_first = False

    def meta_columns(self, table: Table) -> list[Column]:
        """consult's response columns, then Kobo's meta columns."""
        groups = {code: str(label) for code, label in STAKEHOLDER_GROUPS.items()}
        languages = {code: str(LANGUAGE_NAMES.get(code, code)) for code in self.consultation.languages}
        modes = {mode.value: str(label) for mode, label in ENTRY_MODE_LABELS.items()}
        yes_no = {1: _("Yes"), 0: _("No")}
        return [
            Column("stakeholder_group", _("Stakeholder group"), values=groups),
            Column("language", _("Language answered in"), values=languages),
            Column(
                "locality",
                _("Municipality or locality (code)"),
                values={code: name for code, _area, name in self.places.values()},
            ),
            Column("area", _("Area or subregion")),
            Column("entry_mode", _("How the answers were entered"), values=modes),
            Column("is_collective", _("Answered on behalf of a collective"), numeric=True, values=yes_no),
            Column("people_represented", _("People the collective speaks for"), numeric=True),
            Column("is_set_aside", _("Set aside from analysis by an official"), numeric=True, values=yes_no),
            Column("_id", _("Response number"), numeric=True),
            Column("_uuid", _("Opaque identifier of the response")),
            Column("_submission_time", _("Date sent")),
            Column(
                "_validation_status",
                _("Validation status"),
                values={NOT_APPROVED: _("Set aside from analysis by an official")},
            ),
            Column("__version__", _("Version of the instrument answered")),
            Column("_index", _("Row number"), numeric=True),
        ]

    def meta_cells(self, table: Table, response: Sequence[Any], index: int) -> list[Any]:
        """See ``meta_columns``."""
        (rid, version_id, submitted, language, group, locality_id, mode, collective, people, aside, _asked) = response
        place = self.places.get(locality_id) if locality_id is not None else None
        return [
            group,
            language,
            place[0] if place else None,
            place[1] if place else None,
            getattr(mode, "value", mode),
            1 if collective else 0,
            people,
            1 if aside else 0,
            rid,
            str(uuid.uuid5(UUID_NAMESPACE, f"{self.consultation.id}:{rid}")),
            submitted.isoformat() if submitted else None,
            NOT_APPROVED if aside else None,
            str(table.versions[version_id].number),
            index,
        ]

    def question_columns(self, question: Question, kind: QuestionType, ctx: FieldContext) -> list[tuple[Column, bool]]:
        """Kobo's columns of the question (none for an information text)."""
        if kind.summary_kind is None:
            return []
        instrument = ctx.instrument
        page = instrument.page_of(question)
        path = f"{page.section_key}/{page.key}/{question.key}"
        text = ctx.content(question.text).text or question.key
        other = ctx.content(question.other).text if question.other else _("Other")
        key, kind_name = question.key, question.type
        columns: list[Column] = []
        if kind_name in MULTIPLE:
            choices = kind.choices(question, ctx)
            columns.append(Column(path, text, values={c.value: c.label.text for c in choices}, key=key))
            columns += [
                Column(
                    f"{path}/{c.value}",
                    f"{text}: {c.label.text}",
                    numeric=True,
                    values={1: _("Chosen"), 0: _("Not chosen")},
                    key=key,
                )
                for c in choices
            ]
            if question.other is not None:
                columns.append(
                    Column(f"{path}__other", _("%(other)s (text written)", other=": ".join((text, other))), key=key)
                )
        elif kind_name == "single_choice":
            columns.append(
                Column(path, text, values={c.value: c.label.text for c in kind.choices(question, ctx)}, key=key)
            )
            if question.other is not None:
                columns.append(
                    Column(f"{path}__other", _("%(other)s (text written)", other=": ".join((text, other))), key=key)
                )
        elif kind_name in BLOCKS:
            parts = kind.parts(question, ctx) if kind_name != "date_range" else list(RANGE_LABELS.items())
            for part, label in parts:
                values = (
                    {c.value: c.label.text for c in kind.choices(question, ctx, part)}
                    if kind_name != "date_range"
                    else {}
                )
                columns.append(Column(f"{path}/{key}__{part}", f"{text}: {label}", values=values, key=key))
        elif kind_name == "scale":
            values = {str(int(p["value"])): ctx.content(p.get("label")).text for p in question.get("points") or ()}
            values.update({c.value: c.label.text for c in kind.choices(question, ctx)})
            columns.append(Column(path, text, values=values, key=key))
        elif kind_name == "territory":
            columns.append(
                Column(path, text, values={c.value: c.label.text for c in kind.choices(question, ctx)}, key=key)
            )
        else:
            columns.append(
                Column(
                    path,
                    text,
                    numeric=kind_name == "number",
                    values=(
                        {c.value: c.label.text for c in kind.choices(question, ctx)}
                        if kind_name == "stakeholder_group"
                        else {}
                    ),
                    key=key,
                )
            )
        return [(column, False) for column in columns]

    def cells(self, question: Question, kind: QuestionType, value: Any) -> list[Any]:
        """The answer in Kobo's cells, from the type's export values."""
        cells = kind.export_values(question, value)
        kind_name = question.type
        if kind_name in MULTIPLE:
            flags = cells[: len(question.options)]
            names = [o.value for o, flag in zip(question.options, flags) if flag == 1]
            found = [None, *flags]
            if question.other is not None:
                chosen_other, text = cells[len(question.options)], cells[len(question.options) + 1]
                if chosen_other == 1:
                    names.append("other")
                found += [chosen_other, text]
            found[0] = " ".join(names) if names else None
            return found
        if kind_name == "severity":
            return cells[:-2]  # the parts; Kobo has no computed severity
        if kind_name == "territory":
            area, locality = cells
            return [locality or area]
        if kind_name == "scale":
            return [None if cells[0] is None else str(cells[0])]
        return cells
