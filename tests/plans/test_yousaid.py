"""You said, we did: per cited fact, the actions that cite it; what was not taken up and why; on the receipt page
too."""

from __future__ import annotations

import secrets
from datetime import timedelta

from consult.core.codes import hash_code, hash_token, new_code
from consult.core.db import utctoday
from consult.plans import yousaid
from consult.plans.models import EvidenceLink, Pillar, PlanAction, PlanStatus
from consult.responses.models import ConsultationState, EntryMode
from consult.responses.storage import NewResponse, store_response

SENTENCE = "Consulta de prueba, pregunta Q1, comunidades rurales (n=12): 50 % responde «sí»"


def make_public(plan, db, status=PlanStatus.COMMENT):
    plan.status = status
    plan.comment_opens_on = utctoday() - timedelta(days=1)
    plan.comment_closes_on = utctoday() + timedelta(days=10)
    plan.consultation.state = ConsultationState.PLAN_COMMENT
    db.session.commit()


def add_dropped_action(plan, db):
    dropped = PlanAction(
        plan_id=plan.id,
        position=2,
        pillar=Pillar.RESPECT,
        title={"es": "Sello de empresa responsable"},
        description={"es": "Un sello."},
        is_dropped=True,
        drop_reason={"es": "Ya lo hace el ministerio nacional."},
    )
    db.session.add(dropped)
    db.session.flush()
    db.session.add(
        EvidenceLink(
            plan_id=plan.id,
            action_id=dropped.id,
            kind="question",
            ref={"question": "Q1", "option": "yes", "group": "rural_community"},
            sentence={"es": SENTENCE},
            n=12,
        )
    )
    db.session.commit()
    return dropped


def test_you_said_lists_actions_per_cited_question_and_what_was_dropped(client, hand_plan, db):
    plan, _official = hand_plan
    add_dropped_action(plan, db)
    assert yousaid.for_consultation(plan.consultation, "es") is None  # draft: nothing to say yet
    make_public(plan, db)
    data = yousaid.for_consultation(plan.consultation, "es")
    assert len(data.cited) == 1  # the same fact cited by the priority and the action is one entry
    entry = data.cited[0]
    assert entry.kind == "question" and entry.sentence == SENTENCE
    assert [plan.text(action.title, "es") for action in entry.actions] == ["Programa de inspección"]
    assert [(item.what, item.title, item.reason) for item in data.not_taken] == [
        ("action", "Sello de empresa responsable", "Ya lo hace el ministerio nacional.")
    ]

    page = client.get(f"/c/{plan.consultation.slug}/you-said-we-did").get_data(as_text=True)
    assert SENTENCE.replace("«", "&laquo;") in page or SENTENCE in page
    assert "Programa de inspección" in page
    assert "Sello de empresa responsable" in page and "Ya lo hace el ministerio nacional." in page
    assert "Intérpretes en la Defensoría" not in page  # cites no evidence
    plan_page = client.get(f"/c/{plan.consultation.slug}/plan").get_data(as_text=True)
    assert "Sello de empresa responsable" not in plan_page  # dropped actions are not in the plan body


def _response(consultation, db, group="rural_community", answers=None):
    code = new_code()
    group_row = next(item for item in consultation.groups if item.group_code == group)
    from consult.surveys.models import InstrumentVersion

    version = db.session.get(InstrumentVersion, group_row.instrument_version_id)
    store_response(
        consultation,
        NewResponse(
            version=version,
            group_code=group,
            language="es",
            entry_mode=EntryMode.ONLINE,
            answers=answers or {"Q1": "yes"},
            submission_key=hash_token(secrets.token_urlsafe(16)),
            receipt_code_hash=hash_code(code),
        ),
    )
    db.session.commit()
    return code


def test_the_receipt_page_shows_the_actions_citing_the_answers_once_the_plan_is_public(client, hand_plan, db):
    plan, _official = hand_plan
    add_dropped_action(plan, db)
    code = _response(plan.consultation, db)
    receipt = f"/c/{plan.consultation.slug}/receipt"
    draft_page = client.submit(receipt, {"code": code}).get_data(as_text=True)
    assert "Sí" in draft_page  # the receipt works …
    assert "Programa de inspección" not in draft_page  # … and says nothing of a draft plan

    make_public(plan, db)
    page = client.submit(receipt, {"code": code}).get_data(as_text=True)
    assert "Programa de inspección" in page
    assert "Sello de empresa responsable" in page and "Ya lo hace el ministerio nacional." in page
    assert f"/c/{plan.consultation.slug}/you-said-we-did" in page

    from sqlalchemy import select

    from consult.responses.models import Response

    response = db.session.scalar(select(Response))
    data = yousaid.for_response(response, "en")
    assert data.lang == "es"  # the plan is drafted in es only: falls back
    assert [plan.text(a.title, "es") for entry in data.cited for a in entry.actions] == ["Programa de inspección"]

    # A theme analysts coded on this person's answers, cited by another action.
    from consult.analysis.models import AnswerTheme, Theme

    theme = Theme(consultation_id=plan.consultation_id, code="water", label="Agua")
    db.session.add(theme)
    db.session.flush()
    db.session.add(AnswerTheme(answer_id=response.answers[0].id, theme_id=theme.id))
    remedy = plan.actions[1]
    db.session.add(
        EvidenceLink(
            plan_id=plan.id,
            action_id=remedy.id,
            kind="theme",
            ref={"theme": "water"},
            sentence={"es": "Tema «Agua»: menos de 5 respuestas"},
        )
    )
    db.session.commit()
    cited = yousaid.for_response(response, "es").cited
    assert [(entry.kind, [plan.text(a.title, "es") for a in entry.actions]) for entry in cited] == [
        ("question", ["Programa de inspección"]),
        ("theme", ["Intérpretes en la Defensoría"]),
    ]
    # Another group's answers to the same question are another fact: not cited here.
    response.group_code = "company"
    db.session.flush()
    assert [entry.kind for entry in yousaid.for_response(response, "es").cited] == ["theme"]
    db.session.rollback()
