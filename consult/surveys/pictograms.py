"""Pictograms beside answer options: faces from fine (``face-1``) to very bad (``face-5``).

An option carries ``"pictogram": "face-3"`` in the definition; a severity
question carries ``"pictograms": ["scale", ...]``, the parts whose 1–5 scores
show ``face-1`` … ``face-5``. The picture sits inside the option's label, next
to its words, with an empty ``alt``: the words are the text alternative and
are read once (an ``alt`` repeating them would make a screen reader say each
option twice), and a tap on the face chooses the option like a tap on the words.
"""

from __future__ import annotations

from typing import Any

from flask import url_for

#: The pictograms consult draws (consult/static/pictograms/<name>.svg).
PICTOGRAMS = ("face-1", "face-2", "face-3", "face-4", "face-5")


def pictogram_for(question: Any, value: Any, part: str | None = None) -> str | None:
    """The address of the pictogram of option ``value`` (of ``part`` of a block), or ``None``."""
    name = None
    raw = getattr(question, "raw", None) or {}
    if part is None:
        for option in raw.get("options") or ():
            if option.get("value") == value:
                name = option.get("pictogram")
                break
    elif part in (raw.get("pictograms") or ()):
        name = f"face-{value}"
    if name not in PICTOGRAMS:
        return None
    return url_for("static", filename=f"pictograms/{name}.svg")
