"""The exports page of a consultation, a job's page and its download.

Thin: the catalogue says who may export what, ``jobs`` checks, starts, waits
and expires. Pages are for the officials, analysts and network administrators
of the territory; a job and its file only for the account that asked for it.
"""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.accounts.access import get_in_territory, territory_view
from consult.accounts.models import Territory
from consult.analysis.services import has_analysis
from consult.exports import bp, catalogue, jobs
from consult.exports.forms import export_form
from consult.exports.models import ExportJob, JobStatus
from consult.extensions import db
from consult.i18n import LANGUAGE_NAMES, content_language
from consult.responses.models import Consultation

BASE = "/t/<territory>/consultations/<int:consultation_id>/exports"


@bp.route(BASE, methods=["GET", "POST"])
@territory_view("exports.use")
def index(territory: Territory, consultation_id: int):
    """What this person may export of the consultation, their recent jobs and the export log; POST starts one."""
    consultation = get_in_territory(Consultation, consultation_id, territory)
    lang = content_language()
    kinds = catalogue.kinds_for(current_user, territory)
    forms = {kind.code: export_form(kind, consultation, lang) for kind in kinds}
    problems: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        code = request.form.get("kind", "")
        kind = catalogue.get(code)
        if kind is not None and not kind.may_export(current_user, territory):
            abort(403)
        if kind is None:
            problems[""] = _("There is no such export.")
            status = 400
        else:
            form = forms[code] = export_form(kind, consultation, lang, formdata=request.form)
            try:
                choice = jobs.check_choice(
                    consultation,
                    code,
                    form.format.data,
                    form.layout.data if form.layout is not None else None,
                    form.lang.data,
                )
            except jobs.ExportRefused as refused:
                field = form[refused.field] if refused.field in form and form[refused.field] is not None else None
                if field is not None:
                    field.errors = [refused.message]
                else:
                    problems[code] = refused.message
                status = 400
            else:
                job = jobs.start_export(current_user, consultation, choice)
                job = jobs.wait_for(job.id, float(current_app.config.get("CONSULT_EXPORT_WAIT_SECONDS", 2)))
                if job is not None and job.status == JobStatus.DONE and jobs.file_path(job):
                    return _send(job)
                return redirect(url_for(".job", territory=territory.slug, token=job.id if job else ""))
    return render_template(
        "exports/index.html",
        territory=territory,
        consultation=consultation,
        kinds=kinds,
        forms=forms,
        problems=problems,
        has_analysis=has_analysis(consultation),
        jobs=jobs.recent_jobs(current_user, consultation),
        events=jobs.recent_events(consultation),
        kind_labels={kind.code: kind.label for kind in catalogue.kinds()},
        format_labels=catalogue.FORMAT_LABELS,
        language_labels=LANGUAGE_NAMES,
    ), status


def _job_or_404(territory: Territory, token: str) -> ExportJob:
    job = db.session.get(ExportJob, token) if len(token) <= 64 else None
    # Someone else's job, or one this account may no longer make, does not exist as far as they can tell.
    if not jobs.may_open(job, current_user, territory):
        abort(404)
    return job


@bp.route("/t/<territory>/exports/<token>")
@territory_view("exports.use")
def job(territory: Territory, token: str):
    """How far an export has got; refreshes itself until done; then the download link (or what went wrong)."""
    item = _job_or_404(territory, token)
    consultation = db.session.get(Consultation, item.consultation_id)
    return render_template(
        "exports/job.html",
        territory=territory,
        consultation=consultation,
        job=item,
        kind=catalogue.get(item.kind),
        available=jobs.file_path(item) is not None,
        refresh=not item.is_finished and not item.is_expired,
        format_labels=catalogue.FORMAT_LABELS,
        language_labels=LANGUAGE_NAMES,
    )


@bp.route("/t/<territory>/exports/<token>/file")
@territory_view("exports.use")
def download(territory: Territory, token: str):
    """The job's file, to the account that asked for it only, while it has not expired."""
    item = _job_or_404(territory, token)
    if item.status in (JobStatus.QUEUED, JobStatus.RUNNING) and not item.is_expired:
        return redirect(url_for(".job", territory=territory.slug, token=item.id))
    if jobs.file_path(item) is None:
        consultation = db.session.get(Consultation, item.consultation_id)
        return render_template(
            "exports/job.html",
            territory=territory,
            consultation=consultation,
            job=item,
            kind=catalogue.get(item.kind),
            available=False,
            refresh=False,
            format_labels=catalogue.FORMAT_LABELS,
            language_labels=LANGUAGE_NAMES,
        ), 410
    return _send(item)


def _send(item: ExportJob):
    response = send_file(
        jobs.file_path(item),
        mimetype=jobs.mimetype(item),
        as_attachment=True,
        download_name=item.file_name,
        max_age=0,
        conditional=False,
        etag=False,
    )
    # The file may hold response data: no copy in any cache, shared or private.
    response.headers["Cache-Control"] = "no-store"
    return response
