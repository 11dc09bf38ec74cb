"""Demo: an open consultation in each demo territory, with targets and two invitation links.

Community groups answer the built-in community risk survey; companies answer
the company self-assessment, through invitation links only. The demo's two
invitation tokens are derived from fixed names so that the printed demo links
are the same every time (real links get random tokens).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import select

from consult.accounts.models import Organisation, OrganisationKind, Territory
from consult.core.codes import hash_token
from consult.core.db import utctoday
from consult.demo import DEMO_LOGINS, demo_step
from consult.extensions import db
from consult.responses import services
from consult.responses.models import ConsultationState, Invitation
from consult.surveys.models import Instrument

COMMUNITY_GROUPS = {
    "indigenous_people": 120,
    "afro_descendant": 80,
    "rural_community": 150,
    "trade_union": 40,
    "womens_organisation": 40,
    "human_rights_defender": 20,
    "cso": 30,
}
COMPANY_GROUPS = {"company_large": 15, "company_sme": 30}
#: Targets per group and place (locality code): where the mines, plantations and dams are, and who lives there.
LOCALITY_TARGETS = {
    "antioquia": [
        ("rural_community", "05736", 12),
        ("rural_community", "05604", 10),
        ("rural_community", "05250", 10),
        ("afro_descendant", "05837", 12),
        ("afro_descendant", "05045", 8),
        ("afro_descendant", "05895", 6),
        ("indigenous_people", "05234", 8),
        ("indigenous_people", "05154", 5),
    ],
    "salta": [
        ("rural_community", "66028", 15),
        ("rural_community", "66147", 8),
        ("indigenous_people", "66105", 12),
        ("indigenous_people", "66126", 10),
        ("indigenous_people", "66161", 8),
        ("trade_union", "66049", 5),
    ],
}

CONSULTATIONS = {
    "antioquia": {
        "slug": "riesgos-antioquia-2026",
        "organiser": "Gobernación de Antioquia – Secretaría de Gobierno",
        "title": {
            "es": "Consulta sobre empresas y derechos humanos en Antioquia 2026",
            "en": "Consultation on business and human rights in Antioquia 2026",
            "pt": "Consulta sobre empresas e direitos humanos em Antioquia 2026",
        },
        "purpose": {
            "es": (
                "Queremos saber qué riesgos traen las empresas a los derechos de las personas en su territorio, para "
                "escribir juntos el plan de acción departamental."
            ),
            "en": (
                "We want to know what risks businesses bring to people's rights where you live, to write the "
                "department's action plan together."
            ),
            "pt": (
                "Queremos saber quais riscos as empresas trazem aos direitos das pessoas no seu território, para "
                "escrever juntos o plano de ação do departamento."
            ),
        },
        "languages": ["es", "en", "pt"],
    },
    "salta": {
        "slug": "riesgos-salta-2026",
        "organiser": "Gobierno de la Provincia de Salta – Secretaría de Derechos Humanos",
        "title": {
            "es": "Consulta sobre empresas y derechos humanos en Salta 2026",
            "en": "Consultation on business and human rights in Salta 2026",
            "pt": "Consulta sobre empresas e direitos humanos em Salta 2026",
            # Guarani drafts, like the survey's (see its meta.draft_translations_note).
            "gn": "Ñeporandu empresakuéra ha yvypóra derécho rehegua Salta-pe 2026",
        },
        "purpose": {
            "es": (
                "Queremos escuchar a comunidades, trabajadores y empresas sobre los riesgos de la actividad "
                "empresarial en la provincia, para el plan de acción provincial."
            ),
            "en": (
                "We want to hear communities, workers and companies on the risks of business activity in the "
                "province, for the provincial action plan."
            ),
            "pt": (
                "Queremos ouvir comunidades, trabalhadores e empresas sobre os riscos da atividade empresarial na "
                "província, para o plano de ação provincial."
            ),
            "gn": (
                "Rohenduse tekohakuéra, mba'apoharakuéra ha empresakuéra he'íva mba'e mba'evaípa ogueru "
                "empresakuéra rembiapo ko provínciape, jajapo hag̃ua provincia plan."
            ),
        },
        # Guarani (gn): the community survey's first blocks are in it (drafts, marked as such); Wichí (mzh) is
        # offered with no Wichí text yet, so every text shows in Spanish, marked as the fallback.
        "languages": ["es", "en", "pt", "qu", "gn", "mzh"],
    },
}


def demo_token(name: str) -> str:
    """The fixed token of a demo invitation link (the demo is not secret; real links are random)."""
    return hashlib.sha256(f"consult-demo-invitation:{name}".encode()).hexdigest()[:32]


def _latest_library_version(key: str):
    instrument = db.session.scalar(select(Instrument).where(Instrument.key == key, Instrument.territory_id.is_(None)))
    if instrument is None:
        raise RuntimeError(f"The built-in instrument {key!r} is missing: the surveys demo step loads it first.")
    return instrument.latest_published or instrument.latest_version


def _invitation(consultation, name: str, group_code: str, label: str, *, organisation=None, max_uses=None) -> str:
    token = demo_token(name)
    if db.session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token))) is None:
        consultation.invitations.append(
            Invitation(
                group_code=group_code,
                organisation=organisation,
                label=label,
                token_hash=hash_token(token),
                expires_on=consultation.closes_on,
                max_uses=max_uses,
            )
        )
        db.session.flush()
    return f"/c/{consultation.slug}/i/{token}"


def set_locality_targets(consultation, targets: list[tuple[str, str, int]]) -> None:
    """Set the demo's targets per group and place (locality code); setting them again changes nothing."""
    places = {locality.code: locality for locality in consultation.territory.localities}
    for group_code, code, target in targets:
        if code in places and consultation.group(group_code) is not None:
            services.set_locality_target(consultation, group_code, places[code], target)


@demo_step("responses", after=("accounts", "surveys"))
def seed_responses() -> None:
    """An open consultation per demo territory, targets per group, a community and a company link."""
    community = _latest_library_version("community_risk")
    company = _latest_library_version("company_self_assessment")
    for slug, spec in CONSULTATIONS.items():
        territory = db.session.scalar(select(Territory).where(Territory.slug == slug))
        if territory is None:
            continue
        consultation = services.find_by_slug(spec["slug"])
        if consultation is None:
            today = utctoday()
            consultation = services.create_consultation(
                territory,
                slug=spec["slug"],
                title=spec["title"],
                purpose=spec["purpose"],
                organiser=spec["organiser"],
                languages=[code for code in spec["languages"] if code in territory.enabled_languages],
                fallback_language="es",
                opens_on=today - timedelta(days=14),
                closes_on=today + timedelta(days=120),
            )
            for code, target in COMMUNITY_GROUPS.items():
                services.set_group(consultation, code, community, target)
            for code, target in COMPANY_GROUPS.items():
                services.set_group(consultation, code, company, target, is_invitation_only=True)
            services.change_state(consultation, ConsultationState.OPEN)
        set_locality_targets(consultation, LOCALITY_TARGETS.get(slug, []))
        meeting = _invitation(
            consultation, f"{slug}-community", "rural_community", "Asamblea comunitaria (demo)", max_uses=200
        )
        company_org = db.session.scalar(
            select(Organisation).where(
                Organisation.territory_id == territory.id, Organisation.kind == OrganisationKind.COMPANY
            )
        )
        companies = _invitation(
            consultation,
            f"{slug}-company",
            "company_large",
            "Empresas invitadas (demo)",
            organisation=company_org,
            max_uses=5,
        )
        for label, path in (
            (f"public link ({territory.name})", f"/c/{consultation.slug}/"),
            (f"community invitation ({territory.name})", meeting),
            (f"company invitation ({territory.name})", companies),
        ):
            if (label, path) not in DEMO_LOGINS:
                DEMO_LOGINS.append((label, path))
