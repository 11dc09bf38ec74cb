"""The plan as HTML, PDF and DOCX."""

from consult.plans import bp  # noqa: F401
