"""Links that rooms add to a territory's start page, shown only to those allowed."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_login import current_user

from consult.accounts.access import has_role
from consult.accounts.models import Territory


@dataclass(frozen=True)
class TerritoryLink:
    """A link on the territory page: an endpoint taking ``territory``, a lazy label, who sees it."""

    endpoint: str
    label: object
    roles: tuple[str, ...]


_LINKS: list[TerritoryLink] = []


def register_territory_link(endpoint: str, label: object, roles: tuple[str, ...]) -> None:
    """Add a link (once) to every territory start page, for people holding ``roles``."""
    link = TerritoryLink(endpoint, label, tuple(r.value if hasattr(r, "value") else r for r in roles))
    if all(existing.endpoint != endpoint for existing in _LINKS):
        _LINKS.append(link)


def territory_links(territory: Territory) -> list[dict[str, object]]:
    """The links of ``territory`` the current user may follow."""
    return [
        {"url": url_for(link.endpoint, territory=territory.slug), "label": link.label}
        for link in _LINKS
        if has_role(current_user, territory, link.roles)
    ]
