"""Who may do what: the one table of capabilities and the roles that hold them.

Views read it through ``territory_view("<capability>")`` (or through a room's
constant built with ``roles_for``), secondary checks inside a view or a
template through ``can``, and the territory page's menu through the guard of
the view each link points at (see ``navigation``). So the menu, the views and
the buttons on a page cannot disagree: change a line here and all three follow.

Roles are the ``Role`` values held in a territory; ``NETWORK_ADMIN`` lets
network administrators in as well (they hold no role in a territory).
"""

from __future__ import annotations

from typing import Any

from consult.accounts.models import Role, Territory

#: Put in a capability's roles to let network administrators in as well.
NETWORK_ADMIN = "network_admin"

OFFICIAL = Role.OFFICIAL.value
ANALYST = Role.ANALYST.value
MODERATOR = Role.MODERATOR.value
FACILITATOR = Role.FACILITATOR.value

#: capability → the roles (in the territory) that hold it.
CAPABILITIES: dict[str, tuple[str, ...]] = {
    # accounts
    "territory.home": (OFFICIAL, ANALYST, MODERATOR, FACILITATOR, NETWORK_ADMIN),
    "members.manage": (OFFICIAL, NETWORK_ADMIN),
    "languages.manage": (OFFICIAL, NETWORK_ADMIN),
    # responses: consultations, invitations, capture, import, assisted entry
    "consultations.list": (OFFICIAL, ANALYST, MODERATOR, FACILITATOR, NETWORK_ADMIN),
    "consultations.manage": (OFFICIAL, NETWORK_ADMIN),
    "answers.enter": (FACILITATOR, OFFICIAL, NETWORK_ADMIN),
    # surveys
    "instruments.manage": (OFFICIAL, NETWORK_ADMIN),
    "instruments.edit_library": (NETWORK_ADMIN,),
    # analysis and exports
    "analysis.read": (OFFICIAL, ANALYST, NETWORK_ADMIN),
    "analysis.code_themes": (OFFICIAL, ANALYST, NETWORK_ADMIN),
    "exports.use": (OFFICIAL, ANALYST, NETWORK_ADMIN),
    # testimonies
    "testimonies.queue": (MODERATOR, OFFICIAL),
    "testimonies.moderate": (MODERATOR,),
    "testimonies.excerpts": (ANALYST, MODERATOR, OFFICIAL),
    "testimonies.configure": (OFFICIAL,),
    # plans
    "plans.read": (OFFICIAL, ANALYST),
    "plans.edit": (OFFICIAL,),
    "plans.moderate_comments": (OFFICIAL, MODERATOR),
    "plans.answer_comments": (OFFICIAL,),
    "plans.monitor": (OFFICIAL,),
}


def normalise(roles: Any) -> tuple[str, ...]:
    """``roles`` (``Role`` members or strings) as a tuple of role values."""
    return tuple(role.value if isinstance(role, Role) else str(role) for role in roles)


def roles_for(capability: str) -> tuple[str, ...]:
    """The roles holding ``capability``; a name missing from the table is a programming error."""
    try:
        return CAPABILITIES[capability]
    except KeyError:
        raise KeyError(f"unknown capability {capability!r}: add it to consult/accounts/permissions.py") from None


def allows(user: Any, territory: Territory | None, roles: tuple[str, ...]) -> bool:
    """True when ``user`` holds one of ``roles`` in ``territory`` (or is a network admin and they are let in).

    With ``territory=None`` only the network administrator's right is looked at.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    if NETWORK_ADMIN in roles and user.is_network_admin:
        return True
    if territory is None:
        return False
    held = {role.value for role in user.roles_in(territory)}
    return bool(held & set(roles))


def can(user: Any, territory: Territory | None, capability: str) -> bool:
    """True when ``user`` may do ``capability`` in ``territory``."""
    return allows(user, territory, roles_for(capability))
