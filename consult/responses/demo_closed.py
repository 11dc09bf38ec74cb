"""Demo: a consultation in Antioquia that ran last year and is closed and analysed, so its public results can be read.

Trade unions and women's organisations answered the labour office's own
XLSForm (``surveys.demo_xlsform``), imported through the real importer and
tagged with concepts; the other groups the built-in instruments. About 300
synthetic answers, so most published cells are shown and a few small ones are
suppressed, a few dozen invented testimonies for the remedy view, and an
analyst's themes with the free-text answers tagged.

Built once (open, answered, then closed and marked analysed, as a real one
would be); seeding again finds it by its slug and leaves it alone. The step
runs after the synthetic answers of the open consultations (``after=``), so it
codes their free-text answers with themes too. It reaches up into the
testimonies and analysis rooms, so ``consult.demo.init_app`` (on top of every
room) imports it, not the responses room.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from consult.accounts.models import Organisation, OrganisationKind, Territory
from consult.analysis import themes
from consult.core.db import utctoday
from consult.demo import DEMO_LOGINS, demo_step
from consult.extensions import db
from consult.responses import services
from consult.responses.demo import COMPANY_GROUPS, LOCALITY_TARGETS, _latest_library_version, set_locality_targets
from consult.responses.demo_generator import synthetic_responses
from consult.responses.models import Answer, Consultation, ConsultationState, Response
from consult.responses.storage import store_many
from consult.surveys.demo_xlsform import official_instrument
from consult.testimonies.demo_stories import add_testimonies

SLUG = "dialogo-antioquia-2025"
RESPONSES = 300
TESTIMONIES = 30
TITLE = {
    "es": "Diálogo sobre empresas y derechos humanos en Antioquia 2025",
    "en": "Dialogue on business and human rights in Antioquia 2025",
    "pt": "Diálogo sobre empresas e direitos humanos em Antioquia 2025",
}
PURPOSE = {
    "es": (
        "Primera ronda de escucha del plan de acción departamental: comunidades, sindicatos, organizaciones de "
        "mujeres y empresas."
    ),
    "en": (
        "First listening round of the department's action plan: communities, trade unions, women's organisations and "
        "companies."
    ),
    "pt": (
        "Primeira rodada de escuta do plano de ação do departamento: comunidades, sindicatos, organizações de "
        "mulheres e empresas."
    ),
}
#: Groups answering the built-in community survey, and those answering the official's XLSForm (targets).
COMMUNITY = {
    "indigenous_people": 45,
    "afro_descendant": 60,
    "rural_community": 90,
    "human_rights_defender": 15,
    "cso": 20,
}
OWN_FORM = {"trade_union": 40, "womens_organisation": 35}


#: An analyst's themes for the free-text answers, and words that mark an answer as speaking of one.
THEMES = [
    ("inspeccion", "Más y mejor inspección del trabajo", ("inspecci", "horas extras", "jornada", "acompañamiento")),
    (
        "proteccion_lideres",
        "Proteger a dirigentes y líderes",
        (
            "proteja",
            "amenazad",
        ),
    ),
    ("igualdad_genero", "Igualdad para las mujeres", ("mujeres", "acoso", "trabajadoras", "guarder")),
    ("dialogo", "Espacios de diálogo", ("diálogo", "mesas", "canal de quejas")),
    ("guia_debida_diligencia", "Guías y capacitación para empresas", ("guía", "capacitación", "aclarar")),
    ("agua_ambiente", "Agua y ambiente", ("agua",)),
]


def code_themes(consultation) -> None:
    """Themes an analyst defined, and each free-text answer tagged with those its words speak of (once)."""
    if themes.themes_of(consultation):
        return
    made = [themes.create_theme(consultation, code, label) for code, label, _words in THEMES]
    answers = db.session.execute(
        select(Answer.id, Answer.text)
        .join(Response)
        .where(
            Response.consultation_id == consultation.id,
            Answer.question_key.in_(("propuesta", "F2")),
            Answer.text.is_not(None),
        )
    ).all()
    tags = {}
    for answer_id, text in answers:
        lowered = text.lower()
        tags[answer_id] = [t.id for t, (_c, _l, words) in zip(made, THEMES) if any(w in lowered for w in words)]
    themes.set_tags_many(consultation, tags)


def analysis_links(consultation) -> list[tuple[str, str]]:
    """The demo-login lines of a consultation's analysis and exports and, once it has closed, its public results."""
    territory = consultation.territory
    base = f"/t/{territory.slug}/consultations/{consultation.id}"
    links = [
        (f"analysis ({consultation.slug})", f"{base}/analysis"),
        (f"exports ({consultation.slug})", f"{base}/exports"),
    ]
    if consultation.state not in (ConsultationState.DRAFT, ConsultationState.OPEN):
        links.append((f"public results ({consultation.slug})", f"/c/{consultation.slug}/results"))
    return links


def _build(territory: Territory):
    today = utctoday()
    consultation = services.create_consultation(
        territory,
        slug=SLUG,
        title=TITLE,
        purpose=PURPOSE,
        organiser="Gobernación de Antioquia – Secretaría de Gobierno",
        languages=["es", "en", "pt"],
        fallback_language="es",
        opens_on=today - timedelta(days=220),
        closes_on=today + timedelta(days=1),
    )
    community = _latest_library_version("community_risk")
    company = _latest_library_version("company_self_assessment")
    own = official_instrument(territory)
    for code, target in COMMUNITY.items():
        services.set_group(consultation, code, community, target)
    for code, target in OWN_FORM.items():
        services.set_group(consultation, code, own, target)
    for code, target in COMPANY_GROUPS.items():
        services.set_group(consultation, code, company, target, is_invitation_only=True)
    services.change_state(consultation, ConsultationState.OPEN)
    set_locality_targets(
        consultation, LOCALITY_TARGETS["antioquia"] + [("trade_union", "05045", 6), ("womens_organisation", "05001", 6)]
    )
    store_many(consultation, synthetic_responses(consultation, RESPONSES))
    cso = db.session.scalar(
        select(Organisation).where(Organisation.kind == OrganisationKind.CSO).order_by(Organisation.id)
    )
    add_testimonies(consultation, [], TESTIMONIES, cso)
    # It ran last year: closed 160 days ago (answers came in its first two weeks), then analysed.
    consultation.closes_on = today - timedelta(days=160)
    services.change_state(consultation, ConsultationState.CLOSED)
    services.change_state(consultation, ConsultationState.ANALYSED)
    return consultation


# After the synthetic answers: it codes every consultation's free-text answers with themes.
@demo_step("closed consultation", after=("accounts", "surveys", "synthetic responses"))
def seed_closed_consultation() -> None:
    """Antioquia's closed and analysed consultation, with an own XLSForm instrument (once); themes and analysis links of
    all.
    """
    territory = db.session.scalar(select(Territory).where(Territory.slug == "antioquia"))
    if territory is None:
        return
    if services.find_by_slug(SLUG) is None:
        _build(territory)
    for consultation in db.session.scalars(select(Consultation).order_by(Consultation.id)):
        code_themes(consultation)
        for link in analysis_links(consultation):
            if link not in DEMO_LOGINS:
                DEMO_LOGINS.append(link)
