"""The plans room's demo step: the shipped action library, loaded once at seed time.

Loading it here (and with ``flask plans library``) rather than on the first
page view keeps two first requests from racing to insert the same rows.
"""

from __future__ import annotations

from consult.demo import demo_step
from consult.plans import library


@demo_step("action library")
def seed_library() -> None:
    """Insert or refresh the shipped actions (idempotent)."""
    library.ensure_shipped()
