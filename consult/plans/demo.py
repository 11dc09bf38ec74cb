"""The plans room's demo step: the shipped action library, loaded once at seed time.

Loading it here (and with ``flask plans library``) rather than on the first
page view keeps two first requests from racing to insert the same rows.
"""

from __future__ import annotations

from sqlalchemy import select

from consult.accounts.models import Territory
from consult.demo import DEMO_LOGINS, demo_step
from consult.extensions import db
from consult.plans import library


@demo_step("action library", after=("accounts",))
def seed_library() -> None:
    """Insert or refresh the shipped actions (idempotent); print where officials draft plans."""
    library.ensure_shipped()
    lines = [("action library (network admin)", "/library/actions")]
    for territory in db.session.scalars(select(Territory).order_by(Territory.id)):
        lines.append((f"action plans ({territory.name})", f"/t/{territory.slug}/plans"))
    for line in lines:
        if line not in DEMO_LOGINS:
            DEMO_LOGINS.append(line)
