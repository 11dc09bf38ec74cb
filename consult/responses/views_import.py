"""Officials import answers from a spreadsheet: check it first (dry run), then import all rows or the valid ones."""

from __future__ import annotations

import io
import secrets

import openpyxl
from flask import Response as HttpResponse
from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from consult.accounts.access import get_in_territory, territory_view
from consult.accounts.languages import label_for
from consult.accounts.models import Territory
from consult.accounts.permissions import roles_for
from consult.core.cells import append_row, csv_writer
from consult.extensions import db
from consult.responses import bp, bulk_import, flow, import_store
from consult.responses.forms_entry import ImportForm
from consult.responses.import_columns import template_columns
from consult.responses.import_files import MAX_ROWS
from consult.responses.models import ENTRY_MODE_LABELS, Consultation, EntryMode
from consult.surveys.labels import STAKEHOLDER_GROUPS
from consult.surveys.models import InstrumentVersion

MANAGERS = roles_for("consultations.manage")


def _fill(form: ImportForm, consultation: Consultation) -> None:
    form.group.choices = [SelectChoice("", "")] + [
        SelectChoice(g.group_code, str(STAKEHOLDER_GROUPS.get(g.group_code, g.group_code))) for g in consultation.groups
    ]
    form.language.choices = [
        SelectChoice(code, label_for(consultation.territory, code)) for code in consultation.languages
    ]
    form.entry_mode.choices = [
        SelectChoice(m.value, str(ENTRY_MODE_LABELS[m]))
        for m in (EntryMode.PAPER, EntryMode.ASSISTED, EntryMode.ONLINE)
    ]


def _defaults(form: ImportForm, consultation: Consultation) -> bulk_import.Defaults:
    group = form.group.data if consultation.group(form.group.data) else None
    language = form.language.data if form.language.data in consultation.languages else consultation.fallback_language
    try:
        mode = EntryMode(form.entry_mode.data)
    except ValueError:
        mode = EntryMode.PAPER
    return bulk_import.Defaults(group, language, mode)


def _batch() -> str:
    # The form's random value (see bulk_import._Checker.submission_key); a value a form
    # of ours could not have sent gets a new one.
    batch = request.form.get("batch") or ""
    return (
        batch
        if 16 <= len(batch) <= 64 and batch.replace("-", "").replace("_", "").isalnum()
        else secrets.token_urlsafe(16)
    )


def _problems_csv(report: bulk_import.ImportReport) -> HttpResponse:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow([_("Row"), _("Column"), _("Value"), _("Problem")])
    for problem in report.problems:
        writer.writerow([problem.row, str(problem.column), str(problem.value), str(problem.message)])
    for note in report.notes:
        writer.writerow(["", str(note.column), "", str(note.reason)])
    return HttpResponse(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="import-problems.csv"', **flow.NO_STORE},
    )


def _ranges(numbers: list[int], limit: int = 40) -> str:
    """Row numbers as short ranges: ``3, 7–9, 12``; cut after ``limit`` numbers."""
    numbers = sorted(set(numbers))
    parts, start, previous = [], None, None
    for n in numbers[:limit]:
        if start is None:
            start = previous = n
        elif n == previous + 1:
            previous = n
        else:
            parts.append(f"{start}–{previous}" if previous != start else str(start))
            start = previous = n
    if start is not None:
        parts.append(f"{start}–{previous}" if previous != start else str(start))
    return ", ".join(parts) + (" …" if len(numbers) > limit else "")


def _page(
    territory: Territory,
    consultation: Consultation,
    form: ImportForm,
    report,
    batch: str,
    kept,
    template: str = "responses/import_answers.html",
    **context,
):
    return (
        render_template(
            template,
            territory=territory,
            consultation=consultation,
            form=form,
            report=report,
            batch=batch,
            kept=kept,
            max_rows=MAX_ROWS,
            shown=bulk_import.SHOWN_PROBLEMS,
            groups=bulk_import.group_codes(consultation),
            places=bulk_import.place_codes(consultation),
            lang=flow.interface_language(),
            **context,
        ),
        200,
        flow.NO_STORE,
    )


def _earlier_text(report: bulk_import.ImportReport) -> list[str]:
    """What the confirmation page says about the earlier imports of the file and of its rows."""
    lines = [
        _(
            "This file was imported on %(date)s by %(who)s: %(n)d responses.",
            date=format_date(record.imported_at.date(), "long"),
            who=record.imported_by_name or _("an account since removed"),
            n=record.imported,
        )
        for record in report.earlier
    ]
    if report.repeated_rows and not report.earlier:
        lines.append(
            _(
                "Rows %(rows)s have the same group, place and answers as rows imported before.",
                rows=_ranges(report.repeated_rows),
            )
        )
    return lines


@bp.route("/t/<territory>/consultations/<int:consultation_id>/import", methods=["GET", "POST"])
@territory_view(*MANAGERS)
def import_answers(territory: Territory, consultation_id: int):
    """Upload a CSV or XLSX of answers: check it (every problem listed), download the problems, or import.

    The checked file is kept on the server for the next step (``import_store``):
    "Import" and "Download every problem" work without attaching it again. A
    file or rows imported before are imported again only after a confirmation.
    """
    consultation = get_in_territory(Consultation, consultation_id, territory)
    # Files nobody came back for go after their time, whoever visits next (and with purge-drafts).
    import_store.purge_expired()
    form = ImportForm()
    _fill(form, consultation)
    if request.method == "GET":
        form.language.data = consultation.fallback_language
        form.entry_mode.data = EntryMode.PAPER.value
    kept = import_store.load(current_user.id, consultation.id)
    report = None
    batch = _batch()
    here = url_for("responses.import_answers", territory=territory.slug, consultation_id=consultation.id)
    if request.method == "POST" and form.validate_on_submit():
        action = request.form.get("action")
        if action == "forget":
            import_store.discard(consultation.id)
            return redirect(here)
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            data, filename = upload.read(), upload.filename
            import_store.keep(data, filename, current_user.id, consultation.id)
            kept = import_store.KeptFile(data, filename)
        if kept is None:
            form.file.errors = list(form.file.errors) + [_("Choose the file to import.")]
        else:
            defaults = _defaults(form, consultation)
            if action == "import":
                try:
                    report = bulk_import.import_file(
                        consultation,
                        kept.data,
                        kept.filename,
                        defaults,
                        batch=batch,
                        valid_rows_only=bool(form.valid_rows_only.data),
                        interface_lang=flow.interface_language(),
                        again=request.form.get("again") == "yes",
                        user=current_user,
                    )
                    db.session.commit()
                except IntegrityError:
                    db.session.rollback()
                    flash(_("This file was being imported at the same moment; nothing more was imported."), "error")
                    return redirect(here)
                if report.needs_confirmation:
                    return _page(
                        territory,
                        consultation,
                        form,
                        report,
                        batch,
                        kept,
                        "responses/import_again.html",
                        earlier=_earlier_text(report),
                    )
                if report.imported:
                    import_store.discard(consultation.id)
                    _flash_imported(report)
                    return redirect(here)
            else:
                report, _items = bulk_import.check_file(
                    consultation,
                    kept.data,
                    kept.filename,
                    defaults,
                    batch=batch,
                    interface_lang=flow.interface_language(),
                )
                if action == "download" and report.file_error is None:
                    return _problems_csv(report)
    return _page(
        territory,
        consultation,
        form,
        report,
        batch,
        kept,
        earlier=_earlier_text(report) if report is not None and report.imported_before else [],
    )


def _flash_imported(report: bulk_import.ImportReport) -> None:
    flash(_("Imported responses: %(n)d.", n=report.imported), "success")
    if report.problems:
        rows = [p.row for p in report.problems]
        flash(
            _("Rows left out because of problems: %(rows)s. Check the file again to see why.", rows=_ranges(rows)),
            "success",
        )
    if report.left_out:
        flash(
            _("Answers left out because the survey's rules skip those questions: %(n)d.", n=report.left_out), "success"
        )


@bp.route("/t/<territory>/consultations/<int:consultation_id>/import/template.xlsx")
@territory_view(*MANAGERS)
def import_template(territory: Territory, consultation_id: int):
    """A workbook to fill in: the columns on the first sheet, the group and place codes with their labels on others.

    Only the first sheet is imported, so the sheets of codes can stay in the file.
    """

    consultation = get_in_territory(Consultation, consultation_id, territory)
    workbook = openpyxl.Workbook()
    answers = workbook.active
    answers.title = _("Answers")[:31]
    headers = ["group", "language", "entry_mode"]
    versions = dict.fromkeys(g.instrument_version_id for g in consultation.groups)
    for version_id in versions:
        for name in template_columns(db.session.get(InstrumentVersion, version_id).parsed()):
            if name not in headers:
                headers.append(name)
    append_row(answers, headers)
    groups = workbook.create_sheet(_("Groups")[:31])
    append_row(groups, [_("Code"), _("Group")])
    for code, label in bulk_import.group_codes(consultation):
        append_row(groups, [code, label])
    places = workbook.create_sheet(_("Places")[:31])
    append_row(places, [_("Code"), _("Locality"), _("Area")])
    for code, name, area in bulk_import.place_codes(consultation):
        append_row(places, [code, name, area])
    out = io.BytesIO()
    workbook.save(out)
    return HttpResponse(
        out.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="import-template.xlsx"', **flow.NO_STORE},
    )
