"""Demo accounts: two territories, their staff, a CSO and two companies."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from consult.accounts import languages as languages_service
from consult.accounts import services
from consult.accounts.models import Organisation, OrganisationKind, Role, Territory
from consult.demo import DEMO_LOGINS, DEMO_PASSWORD, demo_step
from consult.extensions import db

#: ``<slug>.csv`` files (``code,name,area``): Antioquia's 125 municipalities with
#: their DANE codes by subregion, Salta's 23 departments with their INDEC codes.
LOCALITIES_DIR = Path(__file__).parent / "data" / "localities"

TERRITORIES = [
    # slug, name, country, ISO 3166-2, default language, enabled languages
    ("antioquia", "Antioquia", "CO", "CO-ANT", "es", ["es", "en", "pt"]),
    ("salta", "Salta", "AR", "AR-A", "es", ["es", "en", "pt", "qu", "gn", "mzh"]),
]
#: Names a territory gives its languages where the registries' differ from what speakers write:
#: IANA names ``mzh`` "Wichí Lhamtés Güisnay" (one variety); Wichí speakers write their language "Wichí lhämtes".
LANGUAGE_NAMES = {
    ("salta", "mzh"): languages_service.LanguageInput(
        code="mzh", endonym="Wichí Lhämtes", name_es="Wichí", name_en="Wichí", name_pt="Wichí", interface_language="es"
    ),
}
STAFF = [Role.OFFICIAL, Role.ANALYST, Role.MODERATOR, Role.FACILITATOR]
ORGANISATIONS = [
    ("antioquia", "Corporación Jurídica Río Claro", OrganisationKind.CSO, "cso@demo.consult.example"),
    ("antioquia", "Minera del Nordeste S.A.S.", OrganisationKind.COMPANY, "empresa1@demo.consult.example"),
    ("salta", "Agroindustrias del Valle de Lerma S.A.", OrganisationKind.COMPANY, "empresa2@demo.consult.example"),
]
#: A second moderator where testimonies are excerpted: an excerpt is usable only once two different
#: moderators have approved it (four eyes), so the demo needs two to show the whole path.
SECOND_MODERATORS = [("antioquia", "moderator2.antioquia@demo.consult.example", "Moderator 2 Antioquia")]


def _login(label: str, email: str) -> None:
    if (label, email) not in DEMO_LOGINS:
        DEMO_LOGINS.append((label, email))


def _user(email: str, name: str, **kwargs):
    user = services.find_user_by_email(email)
    if user is None:
        user = services.create_user(email, name, DEMO_PASSWORD, **kwargs)
    return user


def _import_localities(territory: Territory) -> None:
    """Give a demo territory its real localities; re-importing only updates names
    and areas, so seeding twice changes nothing."""
    source = LOCALITIES_DIR / f"{territory.slug}.csv"
    if not source.exists():
        return
    result = services.import_localities(territory, source.read_text(encoding="utf-8"))
    if result.errors:
        raise RuntimeError(f"{source.name}: " + "; ".join(result.errors))


@demo_step("accounts")
def seed_accounts() -> None:
    """Territories, a network admin, staff per territory, a CSO and two companies."""
    admin = _user("admin@demo.consult.example", "Ana Administradora", is_network_admin=True)
    _login("network administrator", admin.email)
    for slug, name, country, subdivision, language, languages in TERRITORIES:
        territory = db.session.scalar(select(Territory).where(Territory.slug == slug))
        if territory is None:
            territory = services.create_territory(
                slug,
                name,
                country,
                subdivision_code=subdivision,
                default_language=language,
                enabled_languages=languages,
            )
        for code in languages:
            if territory.language(code) is None:
                languages_service.add_language(territory, languages_service.LanguageInput(code=code))
            named = LANGUAGE_NAMES.get((slug, code))
            if named is not None:
                languages_service.edit_language(territory, code, named)
        _import_localities(territory)
        for role in STAFF:
            email = f"{role.value}.{slug}@demo.consult.example"
            user = _user(email, f"{role.value.title()} {name}")
            services.grant_role(user, territory, role)
            _login(f"{role.value} ({name})", email)
    for slug, email, user_name in SECOND_MODERATORS:
        territory = db.session.scalar(select(Territory).where(Territory.slug == slug))
        services.grant_role(_user(email, user_name), territory, Role.MODERATOR)
        _login(f"second moderator ({territory.name})", email)
    for slug, org_name, kind, email in ORGANISATIONS:
        territory = db.session.scalar(select(Territory).where(Territory.slug == slug))
        organisation = db.session.scalar(select(Organisation).where(Organisation.name == org_name))
        if organisation is None:
            organisation = services.create_organisation(org_name, kind, territory)
        _user(email, org_name, organisation=organisation)
        _login(f"{kind.value} ({org_name})", email)
