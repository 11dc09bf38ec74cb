"""How a long export reports how far it has got: to a job row, to a progress bar, or to nobody."""

from __future__ import annotations

from typing import Callable, Optional

#: Called with (rows or steps done, rows or steps in all) as an export goes; ``total`` may be 0 when unknown.
Progress = Callable[[int, int], None]


def report(progress: Optional[Progress], done: int, total: int) -> None:
    """Tell ``progress`` (when there is one) how far the export has got."""
    if progress is not None:
        progress(done, total)
