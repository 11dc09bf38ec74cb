"""What a logged-in person finds on the home page: one section per kind of work they have.

Staff see the territories where they hold a role (this room's own section).
Organisation accounts have no role in a territory; their work lives in the
collection rooms (a CSO's testimonies, a company's invitations), which sit
above accounts and so cannot be imported from here. Those rooms register a
section instead: a template and a function that, given the person, returns the
template's context, or ``None`` when the section has nothing for them. A person
who is both staff and an organisation's account sees every section that applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from flask import current_app

from consult.accounts import services


@dataclass(frozen=True)
class HomeSection:
    """A part of the home page: ``template`` rendered with what ``build(user)`` returns (skipped on ``None``)."""

    key: str
    template: str
    build: Callable[[Any], dict[str, Any] | None]


def _territories(user) -> dict[str, Any] | None:
    """Staff and network administrators: the territories they work in."""
    territories = services.territories_of(user)
    if not territories and user.organisation is not None and not user.is_network_admin:
        # An organisation's account: its own sections say what it can do.
        return None
    return {"territories": territories}


_SECTIONS: list[HomeSection] = [HomeSection("territories", "accounts/home_territories.html", _territories)]


def register_home_section(key: str, template: str, build: Callable[[Any], dict[str, Any] | None]) -> None:
    """Add (once per ``key``) a section to every logged-in person's home page."""
    if all(section.key != key for section in _SECTIONS):
        _SECTIONS.append(HomeSection(key, template, build))


def home_sections(user) -> list[tuple[str, dict[str, Any]]]:
    """``(template, context)`` of each section that has something for ``user``, in registration order."""
    shown = []
    for section in _SECTIONS:
        context = section.build(user)
        if context is not None:
            shown.append((section.template, context))
    return shown


def plans_with_links(consultations) -> list[tuple[Any, list[tuple[str, str]]]]:
    """``(consultation, [(url, label), …])`` for each consultation whose action plan has public pages.

    The plans room sits above every other and offers ``plan_links`` to templates as a Jinja
    global; it is read from there, so nothing below imports plans. Empty when plans is not installed.
    """
    plan_links_for = current_app.jinja_env.globals.get("plan_links_for")
    if plan_links_for is None:
        return []
    consultations = list(consultations)
    links = plan_links_for(consultations)  # one query for every consultation's plan
    return [(consultation, links[consultation.id]) for consultation in consultations if links[consultation.id]]
