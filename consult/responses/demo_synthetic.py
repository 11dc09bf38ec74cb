"""Demo step: a few hundred realistic synthetic responses in each demo consultation, the same every time.

The answers come from ``demo_generator`` (a fixed seed per consultation, the
built-in instruments' real keys, plausible distributions) and are stored
through the same path as real answers (``storage.store_many``: only the
answers on the path, rows by each type's ``to_rows``), in two bulk inserts per
consultation. Idempotent: the responses have fixed submission keys, and when
the first one exists the consultation is left alone. The step runs after the
"responses" step, which opens the consultations.
"""

from __future__ import annotations

from sqlalchemy import select

from consult.core.codes import hash_token
from consult.demo import DEMO_LOGINS, demo_step
from consult.extensions import db
from consult.responses import demo_profiles as P
from consult.responses import services
from consult.responses.demo_generator import submission_token, synthetic_responses
from consult.responses.models import Response
from consult.responses.sending import receipt_code_for
from consult.responses.storage import store_many


@demo_step("synthetic responses", after=("responses",))
def seed_synthetic_responses() -> None:
    """A few hundred synthetic responses in each demo consultation (once)."""
    for slug, count in P.RESPONSES.items():
        consultation = services.find_by_slug(slug)
        if consultation is None or not consultation.groups:
            continue
        first = hash_token(submission_token(slug, 0))
        if db.session.scalar(select(Response.id).where(Response.submission_key == first)) is None:
            items = synthetic_responses(consultation, count)
            store_many(consultation, items)
            for invitation in consultation.invitations:
                used = sum(1 for item in items if item.invitation_id == invitation.id)
                invitation.use_count += used
            db.session.flush()
        label = f"receipt code of a demo answer ({consultation.territory.name})"
        code = receipt_code_for(submission_token(slug, 0))
        if not any(existing == label for existing, _value in DEMO_LOGINS):
            DEMO_LOGINS.append((label, f"{code}  at /c/{slug}/receipt"))
