"""The plan as HTML, PDF and DOCX: for officials and analysts at any status, for everyone once it is not a draft.

``?lang=`` chooses among the consultation's languages; a missing or unknown
one redirects to the chosen language (the request's, else the plan's main
language), so the page's interface language and the plan's texts agree. The
HTML document carries its stylesheet inline, allowed by its hash in the
page's own Content-Security-Policy; nothing else (no script) may run in it.
"""

from __future__ import annotations

import base64
import hashlib
import re

from flask import Response, abort, redirect, request, url_for
from sqlalchemy import select

from consult.accounts.access import get_in_territory, territory_view
from consult.accounts.models import Territory
from consult.accounts.permissions import roles_for
from consult.core.access import public_view
from consult.extensions import db
from consult.i18n import content_language
from consult.plans import bp, documents, markdown
from consult.plans.labels import SECTION_TITLES
from consult.plans.models import Plan, PlanStatus
from consult.responses.flow import public_consultation

FORMATS = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
#: Who reads a plan's documents in the territory (any status).
STAFF_ROLES = roles_for("plans.read")

bp.add_app_template_global(documents.build, "plan_document")
bp.add_app_template_global(markdown.to_html, "markdown_html")
bp.add_app_template_global(SECTION_TITLES, "section_titles")


def _languages(plan: Plan) -> list[str]:
    languages = list(plan.consultation.languages or [])
    return languages or [plan.language]


def _chosen_language(plan: Plan) -> tuple[str, bool]:
    """The language asked for if the consultation has it, else the request's or the plan's; and whether it was asked."""
    languages = _languages(plan)
    asked = request.args.get("lang")
    if asked in languages:
        return asked, True
    current = content_language()
    return (current if current in languages else plan.language), False


def _file_name(plan: Plan, lang: str, fmt: str) -> str:
    slug = re.sub(r"[^a-z0-9-]+", "-", (plan.consultation.slug or "").lower()).strip("-")[:60] or "consultation"
    draft = "-draft" if plan.status == PlanStatus.DRAFT else ""
    return f"plan-{slug}-{re.sub(r'[^a-z]', '', lang)}{draft}-v{plan.version or 0}.{fmt}"


def _style_hash() -> str:
    digest = hashlib.sha256(documents.stylesheet().encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _send(plan: Plan, fmt: str, lang: str, public: bool) -> Response:
    if fmt == "html":
        body: bytes | str = documents.render_html(plan, lang)
    elif fmt == "pdf":
        body = documents.render_pdf(plan, lang)
    else:
        body = documents.render_docx(plan, lang)
    response = Response(body, mimetype=FORMATS[fmt].split(";")[0])
    if fmt == "html":
        response.headers["Content-Type"] = FORMATS["html"]
        # The document's own policy: its inline stylesheet (by hash), inline SVG; no script, no fetch, no form.
        response.headers["Content-Security-Policy"] = (
            f"default-src 'none'; style-src {_style_hash()}; img-src data:; base-uri 'none'; "
            "form-action 'none'; frame-ancestors 'none'"
        )
        response.headers["Content-Disposition"] = f'inline; filename="{_file_name(plan, lang, fmt)}"'
    else:
        response.headers["Content-Disposition"] = f'attachment; filename="{_file_name(plan, lang, fmt)}"'
    # A draft is for the territory's staff only: no copy kept in any cache.
    response.headers["Cache-Control"] = "no-cache" if public else "private, no-store"
    return response


@bp.route("/t/<territory>/plans/<int:plan_id>/document.<fmt>")
@territory_view(*STAFF_ROLES)
def document(territory: Territory, plan_id: int, fmt: str):
    """The plan as a document, at any status (a draft says so on its cover), for the territory's officials
    and analysts.
    """
    plan = get_in_territory(Plan, plan_id, territory)
    if fmt not in FORMATS:
        abort(404)
    lang, asked = _chosen_language(plan)
    if not asked:
        return redirect(url_for(".document", territory=territory.slug, plan_id=plan.id, fmt=fmt, lang=lang))
    return _send(plan, fmt, lang, public=False)


@bp.route("/c/<slug>/plan/document.<fmt>")
@public_view
def public_document(slug: str, fmt: str):
    """The plan as a document for everyone, once it is out for comment or adopted (404 while a draft)."""
    consultation = public_consultation(slug)
    plan = db.session.scalar(select(Plan).where(Plan.consultation_id == consultation.id))
    if plan is None or plan.status == PlanStatus.DRAFT or fmt not in FORMATS:
        abort(404)
    lang, asked = _chosen_language(plan)
    if not asked:
        return redirect(url_for(".public_document", slug=consultation.slug, fmt=fmt, lang=lang))
    return _send(plan, fmt, lang, public=True)
