"""The one place that decides who may open a view.

Every view is wrapped by exactly one of these decorators; a test walks the URL
map and fails on any view that is not. Territory views live under
``/t/<territory>/…``: the decorator loads the territory from the slug, checks
the person's role in *that* territory, and hands the view the ``Territory``
object. Records fetched inside such a view go through ``get_in_territory`` so
that an id from another territory is a 404, never a leak.
"""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable, TypeVar

from flask import abort, g
from flask_login import current_user
from sqlalchemy import select

from consult.accounts.models import Territory
from consult.accounts.permissions import CAPABILITIES, NETWORK_ADMIN, allows, normalise
from consult.core.access import mark_access as _mark
from consult.core.access import public_view
from consult.extensions import db, login_manager

__all__ = ["NETWORK_ADMIN", "public_view", "login_view", "admin_view", "territory_view", "get_in_territory", "has_role"]

F = TypeVar("F", bound=Callable[..., Any])


def login_view(view: F) -> F:
    """Any logged-in person may open this view (their own account pages)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    _mark(wrapped, "login")
    return wrapped  # type: ignore[return-value]


def admin_view(view: F) -> F:
    """Only network administrators may open this view."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_network_admin:
            abort(403)
        return view(*args, **kwargs)

    _mark(wrapped, "admin")
    return wrapped  # type: ignore[return-value]


def has_role(user: Any, territory: Territory, roles: tuple[str, ...]) -> bool:
    """True when ``user`` holds one of ``roles`` in ``territory`` (or is an admin and admins are allowed).

    Prefer ``permissions.can(user, territory, "<capability>")``: the roles then come from the one table.
    """
    return allows(user, territory, normalise(roles))


def territory_view(*roles: str) -> Callable[[F], F]:
    """Restrict a ``/t/<territory>/…`` view to people with one of ``roles`` there.

    Give one capability name of ``permissions.CAPABILITIES`` (``territory_view("consultations.manage")``),
    or roles read from that table (``territory_view(*roles_for(...))``). The view receives ``territory``
    as a ``Territory`` object instead of the slug; the capability is recorded on it (``view.capability``).
    """
    capability = roles[0] if len(roles) == 1 and roles[0] in CAPABILITIES else None
    wanted = CAPABILITIES[capability] if capability else normalise(roles)
    if not wanted:
        raise ValueError("territory_view needs at least one role")

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, territory: str, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            found = db.session.scalar(select(Territory).where(Territory.slug == territory))
            if found is None:
                abort(404)
            if not has_role(current_user, found, wanted):
                abort(403)
            g.territory = found
            return view(*args, territory=found, **kwargs)

        _mark(wrapped, "territory", wanted)
        wrapped.capability = capability  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


M = TypeVar("M")


def get_in_territory(model: type[M], record_id: int, territory: Territory) -> M:
    """The ``model`` row with ``record_id`` if it belongs to ``territory``, else 404."""
    record = db.session.get(model, record_id)
    if record is None or getattr(record, "territory_id", None) != territory.id:
        abort(404)
    return record
