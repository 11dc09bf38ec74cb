"""Network administrators keep the shared action library; officials browse it."""

from consult.plans import bp  # noqa: F401
