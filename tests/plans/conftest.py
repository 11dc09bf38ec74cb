"""Plans fixtures: a small hand-built plan (no analysis needed), for views that only read and edit a plan."""

from __future__ import annotations

import pytest


@pytest.fixture
def hand_plan(create_consultation, create_user, db):
    """A draft plan of an analysed consultation, built by hand, and an official of its territory.

    Returns ``(plan, official)``. The plan has every section, one priority
    (water × mining) with one evidence link, and two actions (one per pillar I
    and III), the first citing the priority's evidence; version 1 is saved.
    """
    from consult.plans import versions
    from consult.plans.models import SECTION_KEYS, EvidenceLink, Pillar, Plan, PlanAction, PlanPriority, PlanSection
    from consult.responses.models import ConsultationState

    consultation = create_consultation(state="closed")
    consultation.state = ConsultationState.ANALYSED
    official = create_user(roles={consultation.territory: ["official"]})
    plan = Plan(
        consultation_id=consultation.id,
        territory_id=consultation.territory_id,
        language="es",
        languages=["es"],
        title={"es": "Plan de acción de prueba"},
        created_by_id=official.id,
    )
    db.session.add(plan)
    db.session.flush()
    for position, key in enumerate(SECTION_KEYS):
        db.session.add(
            PlanSection(
                plan_id=plan.id,
                key=key,
                position=position,
                title={"es": key.capitalize()},
                body={"es": f"Texto de {key}."},
            )
        )
    priority = PlanPriority(
        plan_id=plan.id,
        position=0,
        right="water_sanitation",
        sector="mining",
        title={"es": "Agua y saneamiento — minería"},
        justification={"es": "Muy grave."},
    )
    db.session.add(priority)
    db.session.flush()
    protect = PlanAction(
        plan_id=plan.id,
        position=0,
        pillar=Pillar.PROTECT,
        library_code=None,
        title={"es": "Programa de inspección"},
        description={"es": "Inspecciones."},
        priority_ids=[priority.id],
        rights=["water_sanitation"],
    )
    remedy = PlanAction(
        plan_id=plan.id,
        position=1,
        pillar=Pillar.REMEDY,
        title={"es": "Intérpretes en la Defensoría"},
        description={"es": "Intérpretes."},
    )
    db.session.add_all([protect, remedy])
    db.session.flush()
    sentence = {"es": "Consulta de prueba, pregunta Q1, comunidades rurales (n=12): 50 % responde «sí»"}
    db.session.add(
        EvidenceLink(
            plan_id=plan.id,
            priority_id=priority.id,
            kind="question",
            ref={"question": "Q1", "option": "yes", "group": "rural_community"},
            sentence=sentence,
            n=12,
        )
    )
    db.session.add(
        EvidenceLink(
            plan_id=plan.id,
            action_id=protect.id,
            kind="question",
            ref={"question": "Q1", "option": "yes", "group": "rural_community"},
            sentence=sentence,
            n=12,
        )
    )
    db.session.flush()
    versions.save(plan, official, "generated")
    db.session.commit()
    return plan, official
