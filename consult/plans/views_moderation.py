"""Officials and moderators moderate comments and company statements and answer comments in public."""

from consult.plans import bp  # noqa: F401
