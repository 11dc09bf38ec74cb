"""The public results page of a consultation, once it has closed: every figure suppressed.

Anyone may read it, in any of the consultation's languages. It shows results
per stakeholder group only (no filters: a filter beside the whole would let a
reader subtract one from the other), through the same suppression as every
published table, at the consultation's own threshold.
"""

from __future__ import annotations

import pandas as pd
from flask import abort, render_template

from consult.analysis import bp, services
from consult.analysis.filters import read_filter
from consult.analysis.remedy import yes_share
from consult.analysis.suppression import suppress
from consult.analysis.tables import percent
from consult.core.access import public_view
from consult.i18n import content_language
from consult.responses.flow import public_consultation
from consult.responses.models import ConsultationState
from consult.surveys.labels import STAKEHOLDER_GROUPS

#: States in which answers are no longer taken and results may be read by everyone.
PUBLISHED_STATES = frozenset(
    {
        ConsultationState.CLOSED,
        ConsultationState.ANALYSED,
        ConsultationState.PLAN_COMMENT,
        ConsultationState.PLAN_FINAL,
        ConsultationState.MONITORING,
    }
)


def results_are_public(consultation) -> bool:
    """True once the consultation has closed: its suppressed results may be published."""
    return consultation.state in PUBLISHED_STATES


@bp.route("/c/<slug>/results")
@public_view
def public_results(slug: str):
    """Suppressed results per stakeholder group, for everyone."""
    consultation = public_consultation(slug)
    if not results_are_public(consultation):
        abort(404)
    ctx = services.context(consultation, content_language())
    form = read_filter({}, consultation)
    page = services.results_page(ctx, form, published=True, pictures_too=False)
    threshold = consultation.small_cell_threshold
    counts = services.participation(ctx)
    # One table with its total: a lone small group would otherwise be the total minus the others.
    table = suppress(
        pd.DataFrame({"n": [n for _key, n in counts]}, index=[key for key, _n in counts]), threshold, row_totals=False
    )
    participation = [(STAKEHOLDER_GROUPS.get(key, key), table.cell(key, "n")) for key, _n in counts]
    return render_template(
        "analysis/public_results.html",
        consultation=consultation,
        page=page,
        participation=participation,
        threshold=threshold,
        total=table.base("n"),
        hidden=table.hidden_label,
    )


@bp.context_processor
def _helpers() -> dict:
    """Formatting helpers of the room's templates."""
    return {"percent": percent, "yes_share": yes_share}
