"""Officials import answers from a spreadsheet: check it first (dry run), then import all rows or the valid ones."""

from __future__ import annotations

import io
import secrets

from flask import Response as HttpResponse
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from consult.accounts.access import NETWORK_ADMIN, get_in_territory, territory_view
from consult.accounts.models import Role, Territory
from consult.core.cells import csv_writer
from consult.extensions import db
from consult.i18n import LANGUAGE_NAMES
from consult.responses import bp, bulk_import, flow
from consult.responses.forms_entry import ImportForm
from consult.responses.import_files import MAX_ROWS
from consult.responses.models import ENTRY_MODE_LABELS, Consultation, EntryMode
from consult.surveys.labels import STAKEHOLDER_GROUPS

MANAGERS = (Role.OFFICIAL, NETWORK_ADMIN)


def _fill(form: ImportForm, consultation: Consultation) -> None:
    form.group.choices = [SelectChoice("", "")] + [
        SelectChoice(g.group_code, str(STAKEHOLDER_GROUPS.get(g.group_code, g.group_code))) for g in consultation.groups
    ]
    form.language.choices = [SelectChoice(code, str(LANGUAGE_NAMES.get(code, code))) for code in consultation.languages]
    form.entry_mode.choices = [SelectChoice(m.value, str(ENTRY_MODE_LABELS[m])) for m in (EntryMode.PAPER, EntryMode.ASSISTED, EntryMode.ONLINE)]


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
    return batch if 16 <= len(batch) <= 64 and batch.replace("-", "").replace("_", "").isalnum() else secrets.token_urlsafe(16)


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


@bp.route("/t/<territory>/consultations/<int:consultation_id>/import", methods=["GET", "POST"])
@territory_view(*MANAGERS)
def import_answers(territory: Territory, consultation_id: int):
    """Upload a CSV or XLSX of answers: check it (every problem listed), download the problems, or import."""
    consultation = get_in_territory(Consultation, consultation_id, territory)
    form = ImportForm()
    _fill(form, consultation)
    if request.method == "GET":
        form.language.data = consultation.fallback_language
        form.entry_mode.data = EntryMode.PAPER.value
    report = None
    batch = _batch()
    if request.method == "POST" and form.validate_on_submit():
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            form.file.errors = list(form.file.errors) + [_("Choose the file to import.")]
        else:
            data, filename = upload.read(), upload.filename
            defaults = _defaults(form, consultation)
            action = request.form.get("action")
            if action == "import":
                try:
                    report = bulk_import.import_file(
                        consultation, data, filename, defaults, batch=batch,
                        valid_rows_only=bool(form.valid_rows_only.data), interface_lang=flow.interface_language(),
                    )
                    db.session.commit()
                except IntegrityError:
                    db.session.rollback()
                    flash(_("This file was being imported at the same moment; nothing more was imported."), "error")
                    return redirect(url_for("responses.import_answers", territory=territory.slug, consultation_id=consultation.id))
                if report.imported:
                    _flash_imported(report)
                    return redirect(url_for("responses.import_answers", territory=territory.slug, consultation_id=consultation.id))
            else:
                report, _items = bulk_import.check_file(
                    consultation, data, filename, defaults, batch=batch, interface_lang=flow.interface_language()
                )
                if action == "download" and report.file_error is None:
                    return _problems_csv(report)
    return (
        render_template(
            "responses/import_answers.html",
            territory=territory,
            consultation=consultation,
            form=form,
            report=report,
            batch=batch,
            max_rows=MAX_ROWS,
            shown=bulk_import.SHOWN_PROBLEMS,
            lang=flow.interface_language(),
        ),
        200,
        flow.NO_STORE,
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
        flash(_("Answers left out because the survey's rules skip those questions: %(n)d.", n=report.left_out), "success")
