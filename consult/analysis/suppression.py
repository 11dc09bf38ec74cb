"""Small-cell suppression for the analysis room: the one function, kept in ``consult.core.suppression``.

The rules (primary, differencing, secondary, one mark for every hidden figure) are written
out in that module. They live in core so that rooms below analysis (testimonies) use the
same function without importing this room; this module re-exports them so that analysis,
exports and plans keep importing from here.
"""

from __future__ import annotations

from consult.core.suppression import (
    Reason,
    SuppressedTable,
    balanced_share,
    display_value,
    is_small,
    suppress,
    suppress_summary,
    suppress_value,
)

__all__ = [
    "Reason",
    "SuppressedTable",
    "balanced_share",
    "display_value",
    "is_small",
    "suppress",
    "suppress_summary",
    "suppress_value",
]
