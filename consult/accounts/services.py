"""Account operations: each changes state, flushes, and returns what it made."""

from __future__ import annotations

import csv
import functools
import io
import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from consult.accounts import security
from consult.accounts.models import (
    Locality,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    Territory,
    User,
    new_session_token,
)
from consult.extensions import db
from consult.i18n.languages import is_content_language

MIN_PASSWORD_LENGTH = 10
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
# A hash to verify against when the email is unknown, so that a login attempt
# takes as long for an unknown address as for a known one.
_DUMMY_PASSWORD = "not-a-real-password-for-timing"


class AccountError(ValueError):
    """A request that cannot be carried out; ``message`` is translated text for the person."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        #: The form field the message belongs next to, when there is one.
        self.field = field


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config.get("CONSULT_ARGON2_TIME_COST", 3),
        memory_cost=config.get("CONSULT_ARGON2_MEMORY_COST", 65536),
    )


@functools.lru_cache(maxsize=8)
def _dummy_hash(time_cost: int, memory_cost: int) -> str:
    """A hash with the current parameters to verify against when there is no real one (made once)."""
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost).hash(_DUMMY_PASSWORD)


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher().hash(password)


def check_password_strength(password: str) -> None:
    """Raise ``AccountError`` when ``password`` is too weak to accept."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_l("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH), "password")


def normalise_email(email: str) -> str:
    """Emails are compared without case or surrounding spaces."""
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    """The user with ``email``, if any."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user whose email and password match, else ``None``.

    Exactly one argon2 verification whatever the email: an unknown email or a disabled account is
    checked against a dummy hash made with the same parameters, so the time taken does not tell
    which emails have an account. Re-hashes the password when argon2's parameters have changed.
    """
    hasher = _hasher()
    # Made (once per process) before the lookup, so the first attempt costs the same on both paths.
    dummy = _dummy_hash(hasher.time_cost, hasher.memory_cost)
    user = find_user_by_email(email)
    stored = user.password_hash if user is not None and user.is_active else dummy
    try:
        hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if stored is dummy:
        return None
    assert user is not None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
        db.session.flush()
    return user


@dataclass
class LoginAttempt:
    """The outcome of the password step: the user when it matched, or the lock that refused the attempt."""

    user: User | None = None
    locked: security.Locked | None = None


def attempt_login(email: str, password: str) -> LoginAttempt:
    """Check ``email`` and ``password`` under the per-account throttle.

    A locked account name is refused before any password is checked (a correct password included,
    or the lock would not stop a guess); a wrong password counts a failure. Unknown emails are
    counted and locked the same way, so throttling tells nothing about which accounts exist.
    """
    locked = security.check_locked(email)
    if locked is not None:
        return LoginAttempt(locked=locked)
    user = authenticate(email, password)
    if user is None:
        security.record_failure(email)
    return LoginAttempt(user=user)


def end_sessions(user: User) -> None:
    """End every session of ``user`` on the server side: a saved session cookie no longer logs in.

    Sessions carry the user's ``session_token``; a new token makes every cookie issued before
    it worthless (logout, "log out everywhere", password change).
    """
    user.session_token = new_session_token()
    db.session.flush()


def create_user(
    email: str,
    name: str,
    password: str,
    *,
    is_network_admin: bool = False,
    organisation: Organisation | None = None,
    preferred_language: str | None = None,
) -> User:
    """Create a user; raises ``AccountError`` if the email is taken or the password weak."""
    check_password_strength(password)
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise AccountError(_l("An account with this email already exists."), "email")
    user = User(
        email=email,
        name=name.strip(),
        password_hash=hash_password(password),
        is_network_admin=is_network_admin,
        organisation=organisation,
        preferred_language=preferred_language,
    )
    db.session.add(user)
    db.session.flush()
    return user


def password_matches(user: User, password: str) -> bool:
    """True when ``password`` is ``user``'s (a re-entry before a sensitive change)."""
    try:
        return _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def change_password(user: User, current: str, new: str) -> None:
    """Set a new password after checking the current one; ends the user's other sessions."""
    try:
        _hasher().verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        raise AccountError(_l("The current password is not correct."), "current") from None
    try:
        check_password_strength(new)
    except AccountError as error:
        raise AccountError(error.message, "new") from None
    user.password_hash = hash_password(new)
    user.session_token = new_session_token()
    db.session.flush()


def set_preferred_language(user: User, code: str | None) -> None:
    """Remember the language the user wants the interface in."""
    if code and not is_content_language(code):
        raise AccountError(_l("This language is not available."))
    user.preferred_language = code or None
    db.session.flush()


def create_territory(
    slug: str,
    name: str,
    country_code: str,
    *,
    subdivision_code: str | None = None,
    default_language: str = "es",
    enabled_languages: list[str] | None = None,
) -> Territory:
    """Create a territory after checking its codes and languages."""
    slug = slug.strip().lower()
    if not SLUG_RE.match(slug):
        raise AccountError(_l("The short name may only hold lowercase letters, digits and hyphens."), "slug")
    country_code = country_code.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", country_code):
        raise AccountError(_l("The country must be a two-letter ISO 3166 code, such as CO or AR."), "country_code")
    if subdivision_code:
        subdivision_code = subdivision_code.strip().upper()
        if not re.fullmatch(rf"{country_code}-[A-Z0-9]{{1,3}}", subdivision_code):
            raise AccountError(
                _l("The subdivision must be an ISO 3166-2 code of the same country, such as CO-ANT."),
                "subdivision_code",
            )
    languages = list(dict.fromkeys(enabled_languages or [default_language]))
    if default_language not in languages:
        languages.insert(0, default_language)
    unknown = [code for code in languages if not is_content_language(code) or len(code) > 8]
    if unknown:
        raise AccountError(_l("Unknown language code: %(codes)s.", codes=", ".join(unknown)), "default_language")
    if db.session.scalar(select(Territory).where(Territory.slug == slug)) is not None:
        raise AccountError(_l("A territory with this short name already exists."), "slug")
    territory = Territory(
        slug=slug,
        name=name.strip(),
        country_code=country_code,
        subdivision_code=subdivision_code or None,
        default_language=default_language,
        enabled_languages=languages,
    )
    db.session.add(territory)
    db.session.flush()
    return territory


def grant_role(user: User, territory: Territory, role: Role) -> Membership:
    """Give ``user`` the ``role`` in ``territory`` (once)."""
    existing = db.session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.territory_id == territory.id, Membership.role == role
        )
    )
    if existing is not None:
        return existing
    membership = Membership(user=user, territory=territory, role=role)
    db.session.add(membership)
    db.session.flush()
    return membership


def create_organisation(name: str, kind: OrganisationKind, territory: Territory | None = None) -> Organisation:
    """Create an organisation account holder."""
    organisation = Organisation(name=name.strip(), kind=kind, territory=territory)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def territories_of(user: User) -> list[Territory]:
    """The territories ``user`` may open: all for a network admin, else those with a role."""
    if user.is_network_admin:
        return list(db.session.scalars(select(Territory).order_by(Territory.name)))
    # A subquery rather than DISTINCT: PostgreSQL cannot compare JSON columns.
    held = select(Membership.territory_id).where(Membership.user_id == user.id)
    return list(db.session.scalars(select(Territory).where(Territory.id.in_(held)).order_by(Territory.name)))


def members_of(territory: Territory) -> list[Membership]:
    """Memberships of ``territory``, by person then role, each with its person loaded (one query, not one per row)."""
    return list(
        db.session.scalars(
            select(Membership)
            .join(User)
            .options(contains_eager(Membership.user))
            .where(Membership.territory_id == territory.id)
            .order_by(User.name, Membership.role)
        )
    )


@dataclass
class LocalityImport:
    """What an import of localities did, or would do."""

    created: int = 0
    updated: int = 0
    errors: list[str] | None = None


def import_localities(territory: Territory, data: str) -> LocalityImport:
    """Create or update localities from CSV text with columns ``code,name[,area]``.

    Nothing is written when any row is invalid; the errors name each row.
    """
    reader = csv.DictReader(io.StringIO(data.lstrip("\ufeff")))
    fields = {(f or "").strip().lower() for f in reader.fieldnames or []}
    if not {"code", "name"} <= fields:
        raise AccountError(_l("The CSV file needs the columns code and name (and optionally area)."))
    rows: list[tuple[str, str, str | None]] = []
    errors: list[str] = []
    seen: set[str] = set()
    for number, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        code, name, area = row.get("code", ""), row.get("name", ""), row.get("area") or None
        if not code or not name:
            errors.append(str(_l("Row %(row)d: code and name are required.", row=number)))
            continue
        if code in seen:
            errors.append(str(_l("Row %(row)d: the code %(code)s appears twice.", row=number, code=code)))
            continue
        seen.add(code)
        rows.append((code[:32], name[:200], area[:200] if area else None))
    if errors:
        return LocalityImport(errors=errors)
    existing = {loc.code: loc for loc in territory.localities}
    result = LocalityImport(errors=[])
    for code, name, area in rows:
        if code in existing:
            existing[code].name, existing[code].area = name, area
            result.updated += 1
        else:
            db.session.add(Locality(territory=territory, code=code, name=name, area=area))
            result.created += 1
    db.session.flush()
    return result
