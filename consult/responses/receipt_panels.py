"""Panels that rooms above responses add to the receipt page ("what became of your answers").

The responses room sits low in the house (DESIGN.md) and must not import the
rooms that build on it. Instead an upper room (plans: "you said, we did")
registers a function at import time; the receipt page calls each one with the
response found by its receipt code and shows what it returns. A function
returns ``None`` when it has nothing to say yet (for example while no plan is
public), so the page never says something exists before it does.
"""

from __future__ import annotations

from typing import Callable

from markupsafe import Markup

from consult.responses.models import Response

ReceiptPanel = Callable[[Response, str], "Markup | None"]

_PANELS: list[ReceiptPanel] = []


def register_receipt_panel(fn: ReceiptPanel) -> ReceiptPanel:
    """Add ``fn(response, lang) -> Markup | None`` to the receipt page; registering twice is a no-op.

    Usable as a decorator. Functions run in registration order.
    """
    if fn not in _PANELS:
        _PANELS.append(fn)
    return fn


def receipt_panels(response: Response, lang: str) -> list[Markup]:
    """The registered panels' HTML for ``response`` in ``lang`` (those with nothing to show are left out)."""
    shown = []
    for fn in _PANELS:
        panel = fn(response, lang)
        if panel:
            shown.append(Markup(panel))
    return shown
