"""Company statements: a company of the territory replies to the evidence; shown beside it after moderation."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from consult.core.db import utctoday
from consult.plans import statements
from consult.plans.models import CommentStatus, CompanyStatement, PlanStatus
from consult.responses.models import ConsultationState

SENTENCE = "Consulta de prueba, pregunta Q1, comunidades rurales (n=12)"
STATEMENT = "Minera Andina monitorea el agua cada mes y publica los resultados."


def open_for_comment(plan, db):
    plan.status = PlanStatus.COMMENT
    plan.comment_opens_on = utctoday() - timedelta(days=1)
    plan.comment_closes_on = utctoday() + timedelta(days=10)
    plan.consultation.state = ConsultationState.PLAN_COMMENT
    db.session.commit()


def test_a_company_statement_is_moderated_then_shown_beside_the_evidence(
    app, client, hand_plan, create_user, create_organisation, db
):
    plan, official = hand_plan
    open_for_comment(plan, db)
    company = create_organisation("Minera Andina", "company", plan.territory)
    account = create_user(organisation=company)
    client.login(account.email)
    url = f"/c/{plan.consultation.slug}/plan/statement"
    link = plan.priorities[0].evidence[0]
    assert "mining" in statements.companies_named(plan)
    form = client.get(url).get_data(as_text=True)
    assert f'value="e{link.id}"' in form and f'value="p{plan.priorities[0].id}"' in form
    empty = client.submit(url, {"target": f"e{link.id}", "body": "", "language": "es"})
    assert empty.status_code == 400
    sent = client.submit(url, {"target": f"e{link.id}", "body": STATEMENT, "language": "es"})
    assert sent.status_code == 302
    row = db.session.scalar(select(CompanyStatement))
    assert row.evidence_id == link.id and row.organisation_id == company.id and row.status == CommentStatus.PENDING
    assert STATEMENT in client.get(url).get_data(as_text=True)  # the company sees its own, pending
    public_url = f"/c/{plan.consultation.slug}/plan"
    anonymous = app.test_client()
    assert STATEMENT not in anonymous.get(public_url).get_data(as_text=True)

    staff = app.test_client()
    staff.login(official.email)
    queue = f"/t/{plan.territory.slug}/plans/{plan.id}/comments"
    assert STATEMENT in staff.get(queue).get_data(as_text=True)
    no_reason = staff.submit(
        f"/t/{plan.territory.slug}/plans/{plan.id}/statements/{row.id}", {"decision": "reject"}, form_url=queue
    )
    assert no_reason.status_code == 400
    approved = staff.submit(
        f"/t/{plan.territory.slug}/plans/{plan.id}/statements/{row.id}", {"decision": "approve"}, form_url=queue
    )
    assert approved.status_code == 302

    page = anonymous.get(public_url).get_data(as_text=True)
    assert STATEMENT in page and "Minera Andina" in page
    # Beside the evidence, never instead of it: the sentence is still there, just before the statement.
    evidence_item = page.index(f'id="plan-evidence-{link.id}"')
    assert evidence_item < page.index(SENTENCE, evidence_item) < page.index(STATEMENT, evidence_item)


def test_only_company_accounts_of_the_territory_may_state(
    app, client, hand_plan, create_user, create_organisation, create_territory, db
):
    plan, _official = hand_plan
    url = f"/c/{plan.consultation.slug}/plan/statement"
    company = create_organisation("Minera Andina", "company", plan.territory)
    account = create_user(organisation=company)
    client.login(account.email)
    assert client.get(url).status_code == 404  # a draft plan does not exist for the public
    open_for_comment(plan, db)
    assert client.get(url).status_code == 200

    anonymous = app.test_client()
    assert anonymous.get(url).status_code == 302  # to the login page

    cso_client = app.test_client()
    cso_client.login(create_user(organisation=create_organisation("Red Agua", "cso", plan.territory)).email)
    assert cso_client.get(url).status_code == 403
    link = plan.priorities[0].evidence[0]
    token = cso_client.csrf_token(f"/c/{plan.consultation.slug}/plan")
    refused = cso_client.post(url, data={"csrf_token": token, "target": f"e{link.id}", "body": "No", "language": "es"})
    assert refused.status_code == 403

    elsewhere = app.test_client()
    other = create_organisation("Otra Minera", "company", create_territory())
    elsewhere.login(create_user(organisation=other).email)
    assert elsewhere.get(url).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(CompanyStatement)) == 0
