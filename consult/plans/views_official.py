"""Officials draft, edit, version and move the plan along its lifecycle."""

from consult.plans import bp  # noqa: F401
