"""Users, organisations, territories, their localities, and roles in territories."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.core.db import str_enum, utcnow
from consult.extensions import db
from consult.i18n.languages import suggested_names


class Role(str, enum.Enum):
    """What a member may do in a territory."""

    OFFICIAL = "official"
    ANALYST = "analyst"
    MODERATOR = "moderator"
    FACILITATOR = "facilitator"

    @property
    def label(self):
        """The translated name of the role."""
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.OFFICIAL: _l("Official"),
    Role.ANALYST: _l("Analyst"),
    Role.MODERATOR: _l("Moderator"),
    Role.FACILITATOR: _l("Facilitator"),
}


class OrganisationKind(str, enum.Enum):
    """The kind of an organisation account."""

    COMPANY = "company"
    CSO = "cso"
    TRADE_UNION = "trade_union"
    INDIGENOUS_AUTHORITY = "indigenous_authority"
    AFRO_DESCENDANT_AUTHORITY = "afro_descendant_authority"
    ACADEMIA = "academia"
    PUBLIC_ENTITY = "public_entity"

    @property
    def label(self):
        """The translated name of the kind."""
        return ORGANISATION_KIND_LABELS[self]


ORGANISATION_KIND_LABELS = {
    OrganisationKind.COMPANY: _l("Company"),
    OrganisationKind.CSO: _l("Civil-society organisation"),
    OrganisationKind.TRADE_UNION: _l("Trade union"),
    OrganisationKind.INDIGENOUS_AUTHORITY: _l("Indigenous authority"),
    OrganisationKind.AFRO_DESCENDANT_AUTHORITY: _l("Afro-descendant authority"),
    OrganisationKind.ACADEMIA: _l("Academia"),
    OrganisationKind.PUBLIC_ENTITY: _l("Public entity"),
}


class Territory(db.Model):
    """A department, province or city that runs consultations."""

    __tablename__ = "territories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country_code: Mapped[str] = mapped_column(String(2))
    subdivision_code: Mapped[str | None] = mapped_column(String(6))
    default_language: Mapped[str] = mapped_column(String(8), default="es")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    #: The languages the territory offers content in, in the order they are listed (one source of truth:
    #: ``enabled_languages`` reads these rows).
    languages: Mapped[list[TerritoryLanguage]] = relationship(
        back_populates="territory",
        cascade="all, delete-orphan",
        order_by="TerritoryLanguage.position",
        lazy="selectin",
    )

    memberships: Mapped[list[Membership]] = relationship(back_populates="territory", cascade="all, delete-orphan")
    localities: Mapped[list[Locality]] = relationship(
        back_populates="territory", cascade="all, delete-orphan", order_by="Locality.name"
    )

    @property
    def enabled_languages(self) -> list[str]:
        """The codes of the territory's languages, in their order."""
        return [row.code for row in self.languages]

    @enabled_languages.setter
    def enabled_languages(self, codes: list[str]) -> None:
        # Rows already there keep their names; new codes get the names langcodes suggests. Checking
        # the codes is the service's work (consult.accounts.languages); this only keeps rows in step.
        existing = {row.code: row for row in self.languages}
        rows = []
        for position, code in enumerate(dict.fromkeys(codes)):
            row = existing.get(code)
            if row is None:
                names = suggested_names(code)
                row = TerritoryLanguage(
                    code=code, endonym=names["endonym"], name_es=names["es"], name_en=names["en"], name_pt=names["pt"]
                )
            row.position = position
            rows.append(row)
        self.languages = rows

    def language(self, code: str | None) -> TerritoryLanguage | None:
        """The territory's row for ``code``, if it offers that language."""
        return next((row for row in self.languages if row.code == code), None)

    def __repr__(self) -> str:
        return f"<Territory {self.slug}>"


class TerritoryLanguage(db.Model):
    """A language a territory offers content in: its code, its own name and its names in the interface languages.

    Any language with a valid BCP 47 / ISO 639 code (``consult.i18n.languages.normalise``) may be one;
    the names are suggested from CLDR/IANA data and may be corrected by the territory (the endonym its
    speakers write). ``interface_language`` overrides the nearest interface language (es, en or pt).
    """

    __tablename__ = "territory_languages"
    __table_args__ = (UniqueConstraint("territory_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(35))
    endonym: Mapped[str] = mapped_column(String(100), default="")
    name_es: Mapped[str] = mapped_column(String(100), default="")
    name_en: Mapped[str] = mapped_column(String(100), default="")
    name_pt: Mapped[str] = mapped_column(String(100), default="")
    interface_language: Mapped[str | None] = mapped_column(String(8))
    position: Mapped[int] = mapped_column(Integer, default=0)

    territory: Mapped[Territory] = relationship(back_populates="languages")

    def name_in(self, interface: str) -> str:
        """The language's name in the interface language ``interface`` (es, en or pt), else its endonym."""
        return getattr(self, f"name_{interface}", None) or self.endonym or self.code

    def __repr__(self) -> str:
        return f"<TerritoryLanguage {self.code}>"


class Locality(db.Model):
    """A municipality, department or locality of a territory, grouped by area
    (for example a subregion of Antioquia), imported by officials from CSV."""

    __tablename__ = "localities"
    __table_args__ = (UniqueConstraint("territory_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    area: Mapped[str | None] = mapped_column(String(200))

    territory: Mapped[Territory] = relationship(back_populates="localities")


class Organisation(db.Model):
    """A company, CSO, union, ethnic authority, university or public entity."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrganisationKind] = mapped_column(str_enum(OrganisationKind, "organisation_kind"))
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territories.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    territory: Mapped[Territory | None] = relationship()
    users: Mapped[list[User]] = relationship(back_populates="organisation")


def new_session_token() -> str:
    """A fresh token that ties login sessions to the current password."""
    return secrets.token_urlsafe(16)


class User(db.Model):
    """A person who logs in: staff of a territory, an organisation's account, or a network admin.

    Respondents never have an account: answering is anonymous.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    # Changing the password rotates this token, which ends every other session.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    preferred_language: Mapped[str | None] = mapped_column(String(8))
    is_network_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Second factor (TOTP, RFC 6238): the confirmed secret, a secret being set up and not yet confirmed,
    # when it was confirmed, and the last time step accepted (a code is accepted once: no replay).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_pending_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    organisation: Mapped[Organisation | None] = relationship(back_populates="users")
    memberships: Mapped[list[Membership]] = relationship(back_populates="user", cascade="all, delete-orphan")

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        """Always true for a loaded user."""
        return True

    @property
    def is_anonymous(self) -> bool:
        """Never anonymous."""
        return False

    def get_id(self) -> str:
        """The session identifier: id and session token, so a password change logs out other sessions."""
        return f"{self.id}:{self.session_token}"

    @property
    def has_second_factor(self) -> bool:
        """True once a TOTP secret has been confirmed with a code."""
        return self.totp_secret is not None and self.totp_enabled_at is not None

    def roles_in(self, territory: Territory) -> set[Role]:
        """The roles this user holds in ``territory``."""
        return {m.role for m in self.memberships if m.territory_id == territory.id}

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class Membership(db.Model):
    """A role held by a user in a territory."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "territory_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, "membership_role"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    territory: Mapped[Territory] = relationship(back_populates="memberships")
