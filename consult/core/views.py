"""The health check."""

from sqlalchemy import text

from consult.core import bp
from consult.core.access import public_view
from consult.extensions import db


@bp.route("/healthz")
@public_view
def health():
    """For load balancers: the process answers and reaches its database."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
