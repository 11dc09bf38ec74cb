"""Testimony excerpts for reports: only approved, redacted excerpts whose submitter allows anonymous quotes.

Which consent covers this use: ``ConsentUse.QUOTE`` — "Quoted without names,
after removing details that identify anyone". Exporting excerpts to quote them
in a report is exactly that use; ``aggregate`` (counting) does not cover it,
and ``publish`` (the whole testimony) or ``share_authorities`` are other uses.
Excerpts are found through ``testimonies.queries.quotable_excerpts`` (current
consent, never withdrawn or purged testimonies, approved excerpts only) and
opened through ``testimonies.audit.open_excerpts`` with the purpose
``PURPOSE``, so every opening is in the audit log (who, which testimony, when).

Columns: the excerpt's text, the mechanism type the testimony is about (when
the submitter also allows counting it, the only consent under which its
structured answers are kept), the stakeholder group (only when at least the
consultation's threshold of counted testimonies share it: a quote tagged with a
group of two would narrow down who said it), the language, the date approved,
and the consent that covers the use. Never the testimony's narrative, a name
or a receipt code. Every cell goes through ``consult.core.cells``.

Files: ``csv`` is one CSV file (UTF-8 with a BOM), ``xlsx`` a workbook with the
excerpts sheet and a sheet saying what the file holds.
"""

from __future__ import annotations

import io
from typing import Any, BinaryIO

from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlalchemy import func, select

from consult.analysis.instruments import sources_for_versions, with_concept
from consult.core.cells import append_row, csv_writer
from consult.exports.progress import Progress, report
from consult.extensions import db
from consult.i18n import LANGUAGE_NAMES, interface_language_for
from consult.responses.models import Consultation
from consult.surveys.labels import MECHANISM_TYPES, STAKEHOLDER_GROUPS
from consult.testimonies.audit import open_excerpts
from consult.testimonies.models import ConsentUse, TestimonyAnswer
from consult.testimonies.queries import aggregate_answer_rows, aggregate_testimonies, quotable_excerpts

EXCERPT_FORMATS = ("csv", "xlsx")
#: The purpose written to the audit log for every testimony whose excerpts an export opens.
PURPOSE = "exports.excerpts"
#: The one consent use that allows quoting an excerpt.
COVERING_USE = ConsentUse.QUOTE


def _mechanisms(consultation: Consultation, testimony_ids: list[int]) -> dict[int, list[str]]:
    """Mechanism types per testimony, from the answers kept for counting (aggregate consent only)."""
    if not testimony_ids:
        return {}
    versions = db.session.scalars(
        select(aggregate_testimonies(consultation_id=consultation.id).subquery().c.instrument_version_id).distinct()
    ).all()
    questions = {}
    for kind in ("main_mechanism", "mechanism"):
        for asked in with_concept(sources_for_versions(versions), kind):
            questions.setdefault(asked.question.key, asked.question)
    if not questions:
        return {}
    rows = db.session.scalars(
        aggregate_answer_rows(consultation_id=consultation.id).where(
            TestimonyAnswer.testimony_id.in_(testimony_ids), TestimonyAnswer.question_key.in_(list(questions))
        )
    ).all()
    found: dict[int, dict[str, list[str]]] = {}
    for row in rows:
        code = questions[row.question_key].option_code(row.option)
        if code:
            kind = questions[row.question_key].concept_kind
            found.setdefault(row.testimony_id, {}).setdefault(kind, [])
            if code not in found[row.testimony_id][kind]:
                found[row.testimony_id][kind].append(code)
    # The main mechanism when the testimony names one, else every one it used.
    return {tid: kinds.get("main_mechanism") or kinds.get("mechanism", []) for tid, kinds in found.items()}


def _named_groups(consultation: Consultation) -> set[str]:
    """Groups with at least the threshold of counted testimonies: naming them beside a quote narrows nobody down."""
    counted = aggregate_testimonies(consultation_id=consultation.id).subquery()
    rows = db.session.execute(select(counted.c.group_code, func.count()).group_by(counted.c.group_code)).all()
    return {code for code, n in rows if code and n >= consultation.small_cell_threshold}


def columns() -> list[str]:
    """The column headers, in the current locale."""
    return [
        _("Excerpt"),
        _("Mechanism type"),
        _("Group"),
        _("Language"),
        _("Date approved"),
        _("Consent that covers this use"),
    ]


def excerpt_rows(consultation: Consultation, *, user: Any, progress: Progress | None = None) -> list[list[Any]]:
    """The rows of the export (opening the excerpts is audited, and the audit committed)."""
    excerpts = db.session.scalars(quotable_excerpts(consultation_id=consultation.id)).all()
    opened = open_excerpts(excerpts, purpose=PURPOSE, user=user)
    # The audit record must outlive the export, whatever the caller does with its session.
    db.session.commit()
    mechanisms = _mechanisms(consultation, sorted({e.testimony_id for e in excerpts}))
    named = _named_groups(consultation)
    consent = str(COVERING_USE.label)
    hidden = _("not given (too few testimonies from this group)")
    rows = []
    for done, view in enumerate(opened, 1):
        testimony = view.excerpt.testimony
        group = testimony.group_code
        decided = view.excerpt.decided_at
        rows.append(
            [
                view.text,
                "; ".join(str(MECHANISM_TYPES.get(c, c)) for c in mechanisms.get(testimony.id, [])),
                (str(STAKEHOLDER_GROUPS.get(group, group)) if group in named else hidden) if group else "",
                str(LANGUAGE_NAMES.get(testimony.language, testimony.language)),
                decided.date().isoformat() if decided else "",
                consent,
            ]
        )
        if done % 50 == 0:
            report(progress, done, len(opened))
    report(progress, len(opened), len(opened))
    return rows


def about(consultation: Consultation, lang: str) -> list[str]:
    """What the file holds, in words (the first sheet of the workbook)."""
    return [
        _("Testimony excerpts: %(title)s", title=consultation.title_in(lang)),
        _(
            "Only approved, redacted excerpts of testimonies whose author currently allows this use: "
            "“%(consent)s”. Withdrawn testimonies, and testimonies whose author allows only counting, "
            "are left out.",
            consent=COVERING_USE.label,
        ),
        _(
            "The group is given only when at least %(n)d counted testimonies come from it; the mechanism type "
            "only when the author also allows counting the testimony. No names, no receipt codes, never the "
            "whole testimony.",
            n=consultation.small_cell_threshold,
        ),
        _("Opening these excerpts was recorded in the audit log."),
    ]


def write_excerpts(
    consultation: Consultation, fmt: str, out: BinaryIO, *, lang: str, user: Any, progress: Progress | None = None
) -> None:
    """Write the quotable excerpts of ``consultation`` as ``fmt`` (``EXCERPT_FORMATS``); ``user`` is who exports."""
    if fmt not in EXCERPT_FORMATS:
        raise ValueError(f"unknown excerpts format {fmt!r}; choose one of {', '.join(EXCERPT_FORMATS)}")
    with force_locale(interface_language_for(lang)):
        rows = excerpt_rows(consultation, user=user, progress=progress)
        if fmt == "csv":
            stream = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
            writer = csv_writer(stream)
            writer.writerow(columns())
            writer.writerows(rows)
            stream.flush()
            stream.detach()
            return
        book = Workbook()
        sheet = book.active
        sheet.title = _("Excerpts")[:31]
        append_row(sheet, columns())
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            append_row(sheet, row)
            sheet.cell(sheet.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
        for letter, width in zip("ABCDEF", (80, 30, 30, 14, 14, 40)):
            sheet.column_dimensions[letter].width = width
        info = book.create_sheet(_("About this file")[:31])
        for line in about(consultation, lang):
            append_row(info, [line])
        info.column_dimensions["A"].width = 120
        book.save(out)
