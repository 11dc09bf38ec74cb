"""Public comments on a plan in comment: anonymous with a receipt code, or as an organisation; moderated; answered."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import inspect, select

from consult.core.codes import hash_code
from consult.core.db import utctoday
from consult.plans.models import AuthorKind, CommentStatus, PlanComment, PlanStatus
from consult.responses.models import ConsultationState

BODY = "Falta hablar del agua de la vereda."
ANSWER = "Gracias: añadimos un punto sobre el agua en la sección."


def open_for_comment(plan, db, *, days_left: int = 10):
    """Put the plan out for comment (status and dates set directly, as the lifecycle would)."""
    today = utctoday()
    plan.status = PlanStatus.COMMENT
    plan.comment_opens_on = today - timedelta(days=1)
    plan.comment_closes_on = today + timedelta(days=days_left)
    plan.consultation.state = ConsultationState.PLAN_COMMENT
    db.session.commit()


def comment_data(target: str, body: str, language: str = "es") -> dict:
    return {"target": target, f"c-{target}-body": body, f"c-{target}-language": language}


def test_anonymous_comment_is_moderated_answered_and_read_back_with_the_code(app, client, hand_plan, create_user, db):
    plan, official = hand_plan
    open_for_comment(plan, db)
    slug = plan.consultation.slug
    plan_url = f"/c/{slug}/plan"
    page = client.get(plan_url).get_data(as_text=True)
    assert "Texto de mandate." in page and "Programa de inspección" in page
    assert "comunidades rurales (n=12)" in page  # the evidence sentence
    assert 'name="c-section-mandate-body"' in page and f'name="c-action-{plan.actions[0].id}-body"' in page
    assert plan.comment_closes_on.isoformat() in page  # the comment period is shown

    sent = client.submit(f"{plan_url}/comment", comment_data("section-mandate", BODY), form_url=plan_url)
    assert sent.status_code == 302 and sent.headers["Location"].endswith(f"/c/{slug}/plan/comment/sent")
    receipt = client.get(f"{plan_url}/comment/sent").get_data(as_text=True)
    code = re.search(r'class="code receipt">([0-9A-Z-]+)<', receipt).group(1)
    again = client.get(f"{plan_url}/comment/sent").get_data(as_text=True)
    assert code not in again  # shown once

    row = db.session.scalar(select(PlanComment))
    assert row.receipt_code_hash == hash_code(code) and code not in row.receipt_code_hash
    assert row.author_kind == AuthorKind.ANONYMOUS and row.user_id is None and row.organisation_id is None
    assert row.status == CommentStatus.PENDING and row.section_key == "mandate" and row.body == BODY
    columns = {column["name"] for column in inspect(db.engine).get_columns("plan_comments")}
    assert not {name for name in columns if "ip" in name.split("_") or "agent" in name or "address" in name}
    assert "127.0.0.1" not in repr([getattr(row, name) for name in columns])
    assert BODY not in client.get(plan_url).get_data(as_text=True)  # not public before moderation

    moderator = create_user(roles={plan.territory: ["moderator"]})
    staff = app.test_client()
    staff.login(moderator.email)
    queue = f"/t/{plan.territory.slug}/plans/{plan.id}/comments"
    assert BODY in staff.get(queue).get_data(as_text=True)
    decided = staff.submit(f"{queue}/{row.id}", {"decision": "approve"}, form_url=queue)
    assert decided.status_code == 302
    refused = staff.submit(f"{queue}/{row.id}", {"decision": "answer", f"a{row.id}-answer": ANSWER}, form_url=queue)
    assert refused.status_code == 403  # moderators publish; only officials answer

    officials = app.test_client()
    officials.login(official.email)
    answered = officials.submit(
        f"{queue}/{row.id}", {"decision": "answer", f"a{row.id}-answer": ANSWER}, form_url=queue
    )
    assert answered.status_code == 302
    db.session.expire_all()
    row = db.session.get(PlanComment, row.id)
    assert row.answer == ANSWER and row.answered_by_id == official.id and row.answered_on == utctoday()
    public = client.get(plan_url).get_data(as_text=True)
    assert BODY in public and ANSWER in public

    mine = f"{plan_url}/my-comment"
    for lang, status_label in (("es", "Published"), ("en", "Published")):
        url = f"{mine}?lang={lang}"
        found = client.submit(url, {"code": code.lower().replace("-", " ")})
        text = found.get_data(as_text=True)
        assert found.status_code == 200 and found.headers["Content-Language"] == lang
        assert BODY in text and ANSWER in text
        if lang == "en":
            assert status_label in text
    wrong = client.submit(mine, {"code": "AAAA-BBBB-CCCC-DDDD"})
    assert wrong.status_code == 400 and ANSWER not in wrong.get_data(as_text=True)


def test_a_declined_comment_needs_a_reason_and_its_sender_reads_it(app, client, hand_plan, create_user, db):
    plan, official = hand_plan
    open_for_comment(plan, db)
    plan_url = f"/c/{plan.consultation.slug}/plan"
    client.submit(
        f"{plan_url}/comment", comment_data("section-governance", "Nombre Apellido me amenazó."), form_url=plan_url
    )
    code = re.search(
        r'class="code receipt">([0-9A-Z-]+)<', client.get(f"{plan_url}/comment/sent").get_data(as_text=True)
    ).group(1)
    row = db.session.scalar(select(PlanComment))
    staff = app.test_client()
    staff.login(official.email)
    queue = f"/t/{plan.territory.slug}/plans/{plan.id}/comments"
    no_reason = staff.submit(f"{queue}/{row.id}", {"decision": "reject", f"c{row.id}-reason": " "}, form_url=queue)
    assert no_reason.status_code == 400
    assert db.session.get(PlanComment, row.id).status == CommentStatus.PENDING
    staff.submit(
        f"{queue}/{row.id}", {"decision": "reject", f"c{row.id}-reason": "Identifica a una persona."}, form_url=queue
    )
    db.session.expire_all()
    assert db.session.get(PlanComment, row.id).status == CommentStatus.REJECTED
    assert "Nombre Apellido" not in client.get(plan_url).get_data(as_text=True)
    seen = client.submit(f"{plan_url}/my-comment", {"code": code}).get_data(as_text=True)
    assert "Identifica a una persona." in seen


def test_empty_or_too_long_comments_are_refused_and_the_text_is_kept(client, hand_plan, db):
    plan, _official = hand_plan
    open_for_comment(plan, db)
    plan_url = f"/c/{plan.consultation.slug}/plan"
    empty = client.submit(f"{plan_url}/comment", comment_data("section-mandate", "   "), form_url=plan_url)
    assert empty.status_code == 400
    assert 'aria-invalid="true"' in empty.get_data(as_text=True)
    long_text = "agua " * 1001  # 5005 characters
    too_long = client.submit(f"{plan_url}/comment", comment_data("section-baseline", long_text), form_url=plan_url)
    page = too_long.get_data(as_text=True)
    assert too_long.status_code == 400 and long_text.strip() in page
    assert "5000" in page
    bad_target = client.submit(f"{plan_url}/comment", comment_data("section-nope", "Hola"), form_url=plan_url)
    assert bad_target.status_code == 400
    assert db.session.scalar(select(PlanComment)) is None


def test_no_comment_once_the_period_has_closed(client, hand_plan, db):
    plan, _official = hand_plan
    open_for_comment(plan, db)
    plan_url = f"/c/{plan.consultation.slug}/plan"
    token = client.csrf_token(plan_url)
    plan.comment_closes_on = utctoday() - timedelta(days=1)
    db.session.commit()
    page = client.get(plan_url).get_data(as_text=True)
    assert 'name="c-section-mandate-body"' not in page
    refused = client.post(f"{plan_url}/comment", data={**comment_data("section-mandate", BODY), "csrf_token": token})
    assert refused.status_code == 403
    assert db.session.scalar(select(PlanComment)) is None


def test_an_organisation_comments_under_its_name_and_sees_its_pending_comment(
    app, client, hand_plan, create_user, create_organisation, db
):
    plan, _official = hand_plan
    open_for_comment(plan, db)
    cso = create_organisation("Red de Mujeres del Río", "cso", plan.territory)
    member = create_user(organisation=cso)
    client.login(member.email)
    plan_url = f"/c/{plan.consultation.slug}/plan"
    action = plan.actions[0]
    sent = client.submit(
        f"{plan_url}/comment",
        comment_data(f"action-{action.id}", "Pedimos inspecciones con la comunidad.", "en"),
        form_url=plan_url,
    )
    assert sent.status_code == 302 and "/comment/sent" not in sent.headers["Location"]
    row = db.session.scalar(select(PlanComment))
    assert row.author_kind == AuthorKind.CSO and row.organisation_id == cso.id and row.receipt_code_hash is None
    assert row.action_id == action.id and row.language == "en"
    own = client.get(f"{plan_url}?lang=en").get_data(as_text=True)
    assert "Pedimos inspecciones con la comunidad." in own and "Waiting for moderation" in own
    stranger = app.test_client()
    assert "Pedimos inspecciones" not in stranger.get(plan_url).get_data(as_text=True)
