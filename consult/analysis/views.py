"""Officials' and analysts' analysis views: results, coverage, salience, divergence, remedy.

Thin: read the filter from the URL, call a service, render. Every view checks
the territory and role of who asks (``territory_view``) and loads the
consultation inside that territory.
"""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select

from consult.accounts.access import get_in_territory, territory_view
from consult.accounts.models import Locality, Territory
from consult.accounts.permissions import roles_for
from consult.analysis import bp, pictures, services
from consult.analysis.breakdowns import BREAKDOWNS
from consult.analysis.filters import read_filter
from consult.analysis.salience import LEVELS
from consult.extensions import db
from consult.i18n import LANGUAGE_NAMES, content_language
from consult.responses.models import ENTRY_MODE_LABELS, Consultation
from consult.responses.queries import set_aside_count
from consult.surveys import labels

READERS = roles_for("analysis.read")
BASE = "/t/<territory>/consultations/<int:consultation_id>/analysis"


def _start(territory: Territory, consultation_id: int):
    consultation = get_in_territory(Consultation, consultation_id, territory)
    form = read_filter(request.args, consultation)
    ctx = services.context(consultation, content_language())
    return consultation, form, ctx


def _page(template: str, territory: Territory, consultation: Consultation, form, view: str, **values):
    localities = db.session.execute(
        select(Locality.id, Locality.name).where(Locality.territory_id == territory.id).order_by(Locality.name)
    ).all()
    return render_template(
        template,
        territory=territory,
        consultation=consultation,
        form=form,
        view=view,
        localities=localities,
        group_labels=labels.STAKEHOLDER_GROUPS,
        right_labels=labels.RIGHTS,
        sector_labels=labels.SECTORS,
        mechanism_labels=labels.MECHANISM_TYPES,
        outcome_labels=labels.OUTCOMES,
        barrier_labels=labels.BARRIERS,
        criterion_labels=labels.UNGP31_NAMES,
        language_labels=LANGUAGE_NAMES,
        mode_labels={m.value: label for m, label in ENTRY_MODE_LABELS.items()},
        breakdowns=BREAKDOWNS,
        set_aside=set_aside_count(consultation.id),
        **values,
    )


@bp.route(BASE)
@territory_view(*READERS)
def overview(territory: Territory, consultation_id: int):
    """The analysis of a consultation at a glance, with a link to each view."""
    consultation, form, ctx = _start(territory, consultation_id)
    # The overview shows no filter form, so it counts everything (the tabs still carry the filter on).
    cover = services.coverage_page(ctx, read_filter({}, consultation))
    return _page(
        "analysis/overview.html",
        territory,
        consultation,
        form,
        "overview",
        coverage=cover,
        has_analysis=services.has_analysis(consultation),
    )


@bp.route(BASE + "/results")
@territory_view(*READERS)
def results(territory: Territory, consultation_id: int):
    """Every question's counts and shares per stakeholder group (or the breakdown chosen)."""
    consultation, form, ctx = _start(territory, consultation_id)
    published = request.args.get("published") == "1"
    version_id = services.chosen_version(ctx, request.args.get("instrument"))
    page = services.results_page(ctx, form, published=published, version_id=version_id)
    return _page(
        "analysis/results.html",
        territory,
        consultation,
        form,
        "results",
        page=page,
        published=published,
        version_id=version_id,
    )


@bp.route(BASE + "/coverage")
@territory_view(*READERS)
def coverage(territory: Territory, consultation_id: int):
    """Who has answered against the targets, missing groups and places first."""
    consultation, form, ctx = _start(territory, consultation_id)
    cover = services.coverage_page(ctx, form)
    return _page(
        "analysis/coverage.html",
        territory,
        consultation,
        form,
        "coverage",
        coverage=cover,
        coverage_chart_groups=pictures.coverage_bars(cover),
    )


@bp.route(BASE + "/salience")
@territory_view(*READERS)
def salience(territory: Territory, consultation_id: int):
    """Risks ranked by severity, then likelihood, with their sources."""
    consultation, form, ctx = _start(territory, consultation_id)
    level = request.args.get("level", "place")
    page = services.salience_page(ctx, form, level if level in LEVELS else "place")
    return _page(
        "analysis/salience.html",
        territory,
        consultation,
        form,
        "salience",
        page=page,
        matrix_chart=pictures.severity_matrix(page.matrix),
    )


@bp.route(BASE + "/divergence")
@territory_view(*READERS)
def divergence(territory: Territory, consultation_id: int):
    """Rights on which communities and companies disagree most."""
    consultation, form, ctx = _start(territory, consultation_id)
    return _page(
        "analysis/divergence.html",
        territory,
        consultation,
        form,
        "divergence",
        rights=services.divergence_page(ctx, form),
    )


@bp.route(BASE + "/remedy")
@territory_view(*READERS)
def remedy(territory: Territory, consultation_id: int):
    """What each kind of remedy mechanism gave people, and what stood in their way."""
    consultation, form, ctx = _start(territory, consultation_id)
    page = services.remedy_page(ctx, form)
    return _page(
        "analysis/remedy.html",
        territory,
        consultation,
        form,
        "remedy",
        page=page,
        tables=services.remedy_tables(ctx, page),
        criteria_chart=pictures.criteria(page),
        quotes=services.remedy_quotes(ctx, current_user),
    )
