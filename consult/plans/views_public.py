"""The public plan page: read the draft, comment, read answers with a receipt code; you said, we did."""

from consult.plans import bp  # noqa: F401
