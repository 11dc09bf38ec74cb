"""Monitoring an adopted plan: updates recorded with their history, refused before adoption, the public progress
page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from consult.plans.models import ActionStatus, MonitoringUpdate, Pillar, PlanAction, PlanStatus


def _adopted(plan, db, status=PlanStatus.FINAL):
    plan.status = status
    plan.adopted_on = date.today()
    protect = next(a for a in plan.actions if a.pillar == Pillar.PROTECT)
    protect.indicator_name = {"es": "Inspecciones realizadas"}
    protect.indicator_unit = "inspecciones"
    protect.indicator_baseline, protect.indicator_target = 0, 10
    db.session.add(
        PlanAction(
            plan_id=plan.id,
            position=5,
            pillar=Pillar.RESPECT,
            title={"es": "Acción descartada"},
            is_dropped=True,
            drop_reason={"es": "No."},
        )
    )
    db.session.commit()
    return protect


def test_record_keeps_the_history_and_the_latest_by_date(hand_plan, db):
    from consult.plans import monitoring

    plan, official = hand_plan
    protect = next(a for a in plan.actions if a.pillar == Pillar.PROTECT)
    with pytest.raises(monitoring.MonitoringError):  # a draft is not monitored
        monitoring.record(
            protect, status="in_progress", indicator_value=1, note="", lang="es", as_of=None, user=official
        )
    protect = _adopted(plan, db)
    version = plan.version
    today = date.today()
    monitoring.record(
        protect,
        status="in_progress",
        indicator_value=4,
        note="Cuatro inspecciones.",
        lang="es",
        as_of=today - timedelta(days=10),
        user=official,
    )
    # An update dated earlier, recorded later, does not hide the newer one.
    monitoring.record(
        protect,
        status=ActionStatus.PLANNED,
        indicator_value=1,
        note="Antes.",
        lang="es",
        as_of=today - timedelta(days=30),
        user=official,
    )
    db.session.commit()
    assert db.session.query(MonitoringUpdate).filter_by(action_id=protect.id).count() == 2
    assert protect.status == ActionStatus.IN_PROGRESS and protect.indicator_current == 4
    assert plan.version == version + 2  # each update is a version of the plan
    for bad in (
        {"status": "finished"},
        {"indicator_value": float("nan")},
        {"as_of": today + timedelta(days=1)},
        {"note": "x" * 3000},
    ):
        args = {"status": "done", "indicator_value": 10, "note": "", "as_of": today, **bad}
        with pytest.raises(monitoring.MonitoringError) as refused:
            monitoring.record(protect, lang="es", user=official, **args)
        assert refused.value.message
    progress = monitoring.progress(plan, "es")
    protect_row = next(a for a in progress.actions if a.action.id == protect.id)
    assert protect_row.share == pytest.approx(0.4) and protect_row.percent == "40\u00a0%"
    assert protect_row.last_note == "Cuatro inspecciones." and len(protect_row.history) == 2
    counts = {p.code: (p.count, p.by_status["in_progress"], p.done) for p in progress.pillars}
    assert counts == {"protect": (1, 1, 0), "respect": (0, 0, 0), "remedy": (1, 0, 0)}  # the dropped one left out


def test_officials_record_progress_and_the_public_sees_it(hand_plan, app, create_user, create_territory, db):
    plan, official = hand_plan
    territory = plan.territory
    slug = plan.consultation.slug
    page = f"/t/{territory.slug}/plans/{plan.id}/monitoring"
    public = f"/c/{slug}/plan/progress"

    anonymous = app.test_client()
    assert anonymous.get(page).status_code == 302  # to the login page
    assert anonymous.get(public).status_code == 404  # not adopted yet

    client = app.test_client()
    client.login(official.email)
    response = client.get(page + "?lang=es")
    assert response.status_code == 200 and 'name="action_id"' not in response.get_data(as_text=True)
    protect = next(a for a in plan.actions if a.pillar == Pillar.PROTECT)
    response = client.submit(page + "?lang=es", {"action_id": protect.id, f"a{protect.id}-status": "in_progress"})
    assert response.status_code == 400 and db.session.query(MonitoringUpdate).count() == 0  # refused for a draft

    protect = _adopted(plan, db, PlanStatus.MONITORING)
    assert 'name="action_id"' in client.get(page + "?lang=es").get_data(as_text=True)
    prefix = f"a{protect.id}-"
    # Bad number and bad date: the form says so, keeps what was typed, nothing stored.
    response = client.submit(
        page + "?lang=es",
        {
            "action_id": protect.id,
            prefix + "status": "in_progress",
            prefix + "indicator_value": "cuatro",
            prefix + "as_of": "31/02/2026",
            prefix + "note": "Nota escrita",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "cuatro" in html and "Nota escrita" in html and "aria-invalid" in html
    assert db.session.query(MonitoringUpdate).count() == 0
    response = client.submit(
        page + "?lang=es",
        {
            "action_id": protect.id,
            prefix + "status": "in_progress",
            prefix + "indicator_value": "2,5",
            prefix + "as_of": date.today().isoformat(),
            prefix + "note": "Primeras inspecciones <b>hechas</b>.",
        },
    )
    assert response.status_code == 302
    db.session.refresh(protect)
    assert protect.status == ActionStatus.IN_PROGRESS and protect.indicator_current == 2.5
    assert "Primeras inspecciones" in client.get(page + "?lang=es").get_data(as_text=True)

    analyst = create_user(roles={territory: ["analyst"]})
    reader = app.test_client()
    reader.login(analyst.email)
    response = reader.get(page + "?lang=es")
    assert response.status_code == 200 and "Primeras inspecciones" in response.get_data(as_text=True)
    assert 'name="action_id"' not in response.get_data(as_text=True)
    # The CSRF token of the page's own logout form: a valid POST, refused for the role.
    response = reader.submit(page, {"action_id": protect.id, prefix + "status": "done"}, form_url=page + "?lang=es")
    assert response.status_code == 403
    assert db.session.query(MonitoringUpdate).count() == 1

    elsewhere = create_user(roles={create_territory("otra"): ["official"]})
    other = app.test_client()
    other.login(elsewhere.email)
    assert other.get(f"/t/otra/plans/{plan.id}/monitoring").status_code == 404

    response = anonymous.get(public + "?lang=es")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Primeras inspecciones &lt;b&gt;hechas&lt;/b&gt;." in html  # the note, escaped
    assert "Programa de inspección" in html and "Intérpretes en la Defensoría" in html
    assert "Acción descartada" not in html
    assert "25\u00a0%" in html or "25 %" in html  # 2.5 of the way from 0 to 10
    table = html[html.index('id="pillar-progress-cap"') : html.index("</table>")]
    assert table.count("<tr>") == 4  # header + one row per pillar
