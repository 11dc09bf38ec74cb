"""Demo step: protection routes per demo territory and a score of synthetic testimonies per open consultation.

Everything here is invented for the demonstration; nothing describes a real person or company.
Idempotent: routes are added only to a territory without any, testimonies only to a
consultation without any.
"""

from __future__ import annotations

from sqlalchemy import func, select

from consult.accounts.models import Organisation, OrganisationKind, Territory
from consult.demo import DEMO_LOGINS, demo_step
from consult.extensions import db
from consult.responses.models import Consultation, ConsultationState
from consult.testimonies import services
from consult.testimonies.demo_stories import add_testimonies
from consult.testimonies.models import Testimony

ROUTES = {
    "antioquia": [
        (
            {
                "es": "Defensoría del Pueblo (regional Antioquia)",
                "en": "Ombudsman's Office (Antioquia)",
                "pt": "Defensoria do Povo (Antioquia)",
            },
            {
                "es": "Recibe quejas por amenazas y puede pedir medidas de protección.",
                "en": "Receives complaints about threats and can request protection measures.",
                "pt": "Recebe queixas de ameaças e pode pedir medidas de proteção.",
            },
            "www.defensoria.gov.co",
        ),
        (
            {
                "es": "Unidad Nacional de Protección",
                "en": "National Protection Unit",
                "pt": "Unidade Nacional de Proteção",
            },
            {
                "es": "Protege a líderes sociales y personas defensoras en riesgo.",
                "en": "Protects social leaders and defenders at risk.",
                "pt": "Protege lideranças sociais e defensores em risco.",
            },
            "www.unp.gov.co",
        ),
    ],
    "salta": [
        (
            {
                "es": "Defensoría del Pueblo de la Nación",
                "en": "National Ombudsman's Office",
                "pt": "Defensoria do Povo da Nação",
            },
            {
                "es": "Recibe denuncias por vulneración de derechos, también contra empresas de servicios.",
                "en": "Receives complaints about rights violations, including against service companies.",
                "pt": "Recebe denúncias de violações de direitos, também contra empresas de serviços.",
            },
            "www.dpn.gob.ar",
        ),
    ],
}

#: Invented testimonies per open consultation besides the two scripted ones (``demo_stories``).
INVENTED = 18
# Invented answers to the built-in remedy testimony.
STORIES = [
    {
        "A1": ["aggregate", "quote"],
        "B1": "community",
        "B3": "rural_community",
        "B2": 80,
        "C1": "still_happening",
        "D1": (
            "Desde que llegó la planta, el agua del arroyo sale turbia y los animales se enferman. Fuimos a la "
            "oficina de la empresa y nos dijeron que no era su problema."
        ),
        "D2": ["water_sanitation", "environment_health"],
        "D4": "agro_industry",
        "D5": "causes",
        "D6": {"scale": 4, "scope": 4, "irremediability": 3, "likelihood": 5},
        "E1": ["company_grievance"],
        "E3": ["none"],
        "E4": 10,
        "E5": "company_grievance",
        "E8": 1,
        "F1": "yes",
        "F3": ["threats"],
        "F4": "Que limpien el arroyo y que nos escuchen antes de ampliar la planta.",
    },
    {
        "A1": ["aggregate"],
        "B1": "self",
        "B4": "man",
        "C1": "period_ended",
        "D1": "Trabajé dos años sin contrato y cuando me lastimé la mano no me pagaron los días.",
        "D2": ["working_conditions", "occupational_safety"],
        "D4": "construction",
        "D5": "causes",
        "D6": {"scale": 3, "scope": 1, "irremediability": 2, "likelihood": 3},
        "E1": ["labour_inspection"],
        "E3": ["pending"],
        "E4": 6,
        "E5": "labour_inspection",
        "E8": 2,
        "F1": "no",
        "F4": "Que me paguen lo que me deben.",
    },
]


def _consultations() -> list[Consultation]:
    return list(db.session.scalars(select(Consultation).where(Consultation.state == ConsultationState.OPEN)))


# After the closed consultation, which adds its own testimonies first (the demo's numbering has always been so).
@demo_step("testimonies", after=("accounts", "responses", "closed consultation"))
def seed_testimonies() -> None:
    """Protection routes for the demo territories and a few invented testimonies."""
    for slug, routes in ROUTES.items():
        territory = db.session.scalar(select(Territory).where(Territory.slug == slug))
        if territory is None or services.routes_of(territory, active_only=False):
            continue
        for position, (names, descriptions, contact) in enumerate(routes):
            services.save_route(
                territory, None, names=names, descriptions=descriptions, contact=contact, position=position
            )
    cso = db.session.scalar(
        select(Organisation).where(Organisation.kind == OrganisationKind.CSO).order_by(Organisation.id)
    )
    for consultation in _consultations():
        link = (f"testimony form ({consultation.territory.name})", f"/c/{consultation.slug}/testimony")
        if link not in DEMO_LOGINS:
            DEMO_LOGINS.append(link)
        if db.session.scalar(select(func.count(Testimony.id)).where(Testimony.consultation_id == consultation.id)):
            continue
        add_testimonies(consultation, STORIES, INVENTED, cso)
