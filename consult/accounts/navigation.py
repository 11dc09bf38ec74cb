"""Links that rooms add to a territory's start page, shown only to those the linked view lets in.

Who sees a link is not a second list: it is read from the guard of the view the
link points at (``territory_view`` records the roles it admits, taken from
``permissions.CAPABILITIES``). So a link is shown exactly to the people for whom
following it gives the page, never a 403, and no role is left without its menu.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from flask_login import current_user

from consult.accounts.models import Territory
from consult.accounts.permissions import allows


@dataclass(frozen=True)
class TerritoryLink:
    """A link on the territory page: an endpoint taking ``territory`` and a lazy label."""

    endpoint: str
    label: object


_LINKS: list[TerritoryLink] = []


def register_territory_link(endpoint: str, label: object) -> None:
    """Add a link (once) to every territory start page.

    It is shown to whoever the endpoint's view admits (its capability in ``permissions``),
    so the menu and the view cannot disagree.
    """
    if all(existing.endpoint != endpoint for existing in _LINKS):
        _LINKS.append(TerritoryLink(endpoint, label))


def registered_links() -> list[TerritoryLink]:
    """Every registered territory link, in the order rooms added them."""
    return list(_LINKS)


def link_roles(endpoint: str) -> tuple[str, ...]:
    """The roles the view behind ``endpoint`` admits (empty when it is not a territory view)."""
    view = current_app.view_functions.get(endpoint)
    kind, roles = getattr(view, "access", (None, ()))
    return tuple(roles) if kind == "territory" else ()


def territory_links(territory: Territory) -> list[dict[str, object]]:
    """The links of ``territory`` the current user may follow."""
    return [
        {"url": url_for(link.endpoint, territory=territory.slug), "label": link.label}
        for link in _LINKS
        if allows(current_user, territory, link_roles(link.endpoint))
    ]
