"""Officials record monitoring updates; the public progress page per action and pillar."""

from consult.plans import bp  # noqa: F401
