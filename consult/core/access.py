"""Access markers shared by every room.

Each view carries an ``access`` attribute saying who may open it; the rules
themselves live in ``consult.accounts.access``. Core only knows the public kind.
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def mark_access(view: Callable[..., Any], kind: str, roles: tuple[str, ...] = ()) -> None:
    """Record on ``view`` which access rule guards it (read by the access tests)."""
    view.access = (kind, roles)  # type: ignore[attr-defined]


def public_view(view: F) -> F:
    """Anyone may open this view (answering pages, login, the home page)."""
    mark_access(view, "public")
    return view
