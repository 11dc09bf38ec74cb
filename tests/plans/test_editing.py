"""Officials edit a plan: texts per language, actions' fields, drops with a reason, order, evidence."""

from __future__ import annotations

from consult.plans.models import PlanVersion


def _base(plan):
    return f"/t/{plan.territory.slug}/plans/{plan.id}"


def _login(client, user):
    """Log in and read the interface in English (the messages asserted are the English ones)."""
    client.login(user.email)
    client.get("/?lang=en")


def _versions(db, plan):
    return db.session.query(PlanVersion).filter_by(plan_id=plan.id).count()


def test_edit_a_section_in_two_languages(client, hand_plan, db):
    plan, official = hand_plan
    plan.languages = ["es", "en"]
    db.session.commit()
    _login(client, official)
    url = f"{_base(plan)}/sections/mandate"
    response = client.submit(
        f"{url}?lang=es", {"title": "Mandato", "body": "El **mandato** nuevo.\n\n<script>alert(1)</script>"}
    )
    assert response.status_code == 302
    response = client.submit(f"{url}?lang=en", {"title": "Mandate", "body": "The new *mandate*."})
    assert response.status_code == 302
    section = next(s for s in plan.sections if s.key == "mandate")
    assert section.body["es"].startswith("El **mandato** nuevo.")
    assert section.body["en"] == "The new *mandate*."
    assert _versions(db, plan) == 3
    es = client.get(f"{_base(plan)}?lang=es").get_data(as_text=True)
    assert "El <strong>mandato</strong> nuevo." in es
    assert "<script>alert(1)</script>" not in es and "&lt;script&gt;alert(1)&lt;/script&gt;" in es
    en = client.get(f"{_base(plan)}?lang=en").get_data(as_text=True)
    assert "The new <em>mandate</em>." in en
    versions_page = client.get(f"{_base(plan)}/versions").get_data(as_text=True)
    # Each save is listed with a note naming the section as titled in the language edited.
    assert "(es): Mandato" in versions_page and "(en): Mandate" in versions_page


def test_a_section_needs_a_title_and_keeps_what_was_typed(client, hand_plan, db):
    plan, official = hand_plan
    _login(client, official)
    response = client.submit(f"{_base(plan)}/sections/mandate", {"title": "", "body": "Mi texto a medias"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "This field is required." in page and "Mi texto a medias" in page
    assert _versions(db, plan) == 1


def test_drop_an_action_needs_a_reason_then_lists_it_apart(client, hand_plan, db):
    plan, official = hand_plan
    action = plan.actions[1]
    _login(client, official)
    url = f"{_base(plan)}/actions/{action.id}/drop"
    response = client.submit(url, {"reason": "   "})
    assert response.status_code == 200 and "Say why it is left out." in response.get_data(as_text=True)
    assert not action.is_dropped and _versions(db, plan) == 1
    response = client.submit(url, {"reason": "Ya lo hace la Defensoría"})
    assert response.status_code == 302
    db.session.refresh(action)
    assert action.is_dropped and action.drop_reason == {"es": "Ya lo hace la Defensoría"}
    page = client.get(_base(plan)).get_data(as_text=True)
    dropped = page[page.index('id="dropped"') :]
    assert "Intérpretes en la Defensoría" in dropped and "Ya lo hace la Defensoría" in dropped
    # Taken back: out of the dropped list.
    client.submit(f"{_base(plan)}/actions/{action.id}/restore", form_url=_base(plan))
    db.session.refresh(action)
    assert not action.is_dropped and _versions(db, plan) == 3


def test_drop_and_restore_a_priority(client, hand_plan, db):
    plan, official = hand_plan
    priority = plan.priorities[0]
    _login(client, official)
    assert (
        client.submit(f"{_base(plan)}/priorities/{priority.id}/drop", {"reason": "Fuera de competencia"}).status_code
        == 302
    )
    db.session.refresh(priority)
    assert priority.is_dropped
    assert "Fuera de competencia" in client.get(_base(plan)).get_data(as_text=True)
    client.submit(f"{_base(plan)}/priorities/{priority.id}/restore", form_url=_base(plan))
    db.session.refresh(priority)
    assert not priority.is_dropped and priority.drop_reason == {}


def test_reorder_actions_within_a_pillar(client, hand_plan, db):
    from consult.plans.models import Pillar, PlanAction

    plan, official = hand_plan
    extra = PlanAction(plan_id=plan.id, position=2, pillar=Pillar.PROTECT, title={"es": "Monitoreo ambiental"})
    db.session.add(extra)
    db.session.commit()
    _login(client, official)
    response = client.submit(f"{_base(plan)}/actions/{extra.id}/move", {"direction": "up"}, form_url=_base(plan))
    assert response.status_code == 302
    page = client.get(_base(plan)).get_data(as_text=True)
    assert page.index("Monitoreo ambiental") < page.index("Programa de inspección")
    # Already first of its pillar: nothing moves, no version.
    count = _versions(db, plan)
    client.submit(f"{_base(plan)}/actions/{extra.id}/move", {"direction": "up"}, form_url=_base(plan))
    assert _versions(db, plan) == count
    assert (
        client.submit(
            f"{_base(plan)}/actions/{extra.id}/move", {"direction": "sideways"}, form_url=_base(plan)
        ).status_code
        == 400
    )


def test_reorder_priorities(client, hand_plan, db):
    from consult.plans.models import PlanPriority

    plan, official = hand_plan
    second = PlanPriority(plan_id=plan.id, position=1, right="land_housing", title={"es": "Tierra y vivienda"})
    db.session.add(second)
    db.session.commit()
    _login(client, official)
    client.submit(f"{_base(plan)}/priorities/{second.id}/move", {"direction": "up"}, form_url=_base(plan))
    page = client.get(_base(plan)).get_data(as_text=True)
    assert page.index("Tierra y vivienda") < page.index("Agua y saneamiento — minería")


def _action_data(plan, **overrides):
    data = {
        "title": "Programa de inspección hídrica",
        "description": "Inspecciones **trimestrales**.",
        "pillar": "protect",
        "status": "planned",
        "gender_marker": "1",
        "priority_ids": [str(plan.priorities[0].id)],
        "rights": ["water_sanitation"],
        "sectors": ["mining"],
        "target_groups": ["rural_community"],
        "ungp_principles": ["1", "3"],
        "sdg_targets": ["8.8"],
        "lead_entity": "Secretaría de Ambiente",
        "partners": "Corporación autónoma",
        "indicator_name": "Inspecciones realizadas",
        "indicator_unit": "inspecciones",
        "indicator_baseline": "0",
        "indicator_target": "12,5",
        "indicator_source": "Informe anual",
        "starts_on": "2027-01-01",
        "ends_on": "2027-12-31",
        "budget": "150000000",
        "budget_currency": "cop",
    }
    data.update(overrides)
    return data


def test_edit_every_field_of_an_action(client, hand_plan, db):
    plan, official = hand_plan
    action = plan.actions[0]
    _login(client, official)
    response = client.submit(f"{_base(plan)}/actions/{action.id}", _action_data(plan))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.refresh(action)
    assert action.title["es"] == "Programa de inspección hídrica"
    assert action.indicator_target == 12.5 and action.budget == 150000000 and action.budget_currency == "COP"
    assert action.ungp_principles == ["1", "3"] and action.sdg_targets == ["8.8"] and action.gender_marker == 1
    assert str(action.ends_on) == "2027-12-31" and action.lead_entity == {"es": "Secretaría de Ambiente"}
    page = client.get(_base(plan)).get_data(as_text=True)
    assert "Inspecciones <strong>trimestrales</strong>." in page and "Secretaría de Ambiente" in page


def test_bad_action_fields_are_form_errors_with_what_was_typed(client, hand_plan, db):
    plan, official = hand_plan
    action = plan.actions[0]
    _login(client, official)
    url = f"{_base(plan)}/actions/{action.id}"
    bad = [
        ({"budget": "mucho"}, "Write a number, for example 1500 or 12.5.", "mucho"),
        ({"indicator_target": "1e999"}, "Write a number, for example 1500 or 12.5.", "1e999"),
        ({"indicator_baseline": "nan"}, "Write a number, for example 1500 or 12.5.", None),
        ({"budget": "-5"}, "A budget cannot be negative.", None),
        ({"starts_on": "2027-13-45"}, "Write a date as year-month-day, for example 2026-03-31.", "2027-13-45"),
        ({"ends_on": "2026-01-01"}, "The end date must not be before the start date.", None),
        ({"budget_currency": "pesos"}, None, None),
        ({"budget_currency": "P$1"}, "Write a three-letter currency code, for example COP.", None),
        ({"rights": ["no_such_right"]}, "Choose from the list.", None),
        ({"priority_ids": ["999999"]}, "Choose from the list.", None),
        ({"places": ["XX-999"]}, "Choose from the list.", None),
        ({"pillar": "sideways"}, "Choose from the list.", None),
        ({"gender_marker": "7"}, "Choose from the list.", None),
        ({"status": "finished?"}, "Choose from the list.", None),
        ({"title": ""}, "This field is required.", None),
    ]
    for overrides, message, kept in bad:
        response = client.submit(url, _action_data(plan, **overrides))
        assert response.status_code == 200, overrides
        page = response.get_data(as_text=True)
        if message:
            assert message in page, overrides
        assert "Programa de inspección hídrica" in page or overrides.get("title") == "", overrides
        if kept:
            assert f'value="{kept}"' in page, overrides
    db.session.refresh(action)
    assert action.title == {"es": "Programa de inspección"} and plan.version == 1


def test_add_a_blank_action_and_one_from_the_library(client, hand_plan, db):
    from consult.plans.models import LibraryAction, Pillar

    plan, official = hand_plan
    plan.languages = ["es", "en"]
    entry = LibraryAction(
        code="test_interpreters",
        pillar=Pillar.REMEDY,
        rights=["indigenous_rights"],
        barriers=["language"],
        ungp_principles=["31"],
        sdg_targets=["10.2"],
        indicator_unit="%",
        texts={
            "es": {"title": "Intérpretes de lenguas", "description": "Contratar intérpretes."},
            "en": {"title": "Language interpreters", "description": "Hire interpreters."},
        },
    )
    db.session.add(entry)
    db.session.commit()
    _login(client, official)
    url = f"{_base(plan)}/actions/new"
    response = client.submit(url, {"source": "blank", "pillar": "respect", "title": ""})
    assert response.status_code == 200 and "This field is required." in response.get_data(as_text=True)
    response = client.submit(url, {"source": "blank", "pillar": "respect", "title": "Diálogo con empresas"})
    assert response.status_code == 302
    response = client.submit(url, {"source": "library", "code": "test_interpreters"})
    assert response.status_code == 302
    copied = [a for a in plan.actions if a.library_code == "test_interpreters"]
    assert len(copied) == 1
    assert copied[0].title == {"es": "Intérpretes de lenguas", "en": "Language interpreters"}
    assert copied[0].pillar == Pillar.REMEDY and copied[0].ungp_principles == ["31"]
    assert client.submit(url, {"source": "library", "code": "no_such"}).status_code == 200
    page = client.get(_base(plan)).get_data(as_text=True)
    assert "Diálogo con empresas" in page
    # A new action cites nothing yet, and says so.
    section = page[page.index("Diálogo con empresas") :]
    assert "No evidence cited" in section[:2000]


def test_cite_and_uncite_evidence(client, hand_plan, db):
    plan, official = hand_plan
    action = plan.actions[1]
    source = plan.priorities[0].evidence[0]
    _login(client, official)
    edit = f"{_base(plan)}/actions/{action.id}"
    assert "No evidence cited" in client.get(edit).get_data(as_text=True)
    response = client.submit(f"{edit}/evidence", {"evidence": str(source.id)}, form_url=edit)
    assert response.status_code == 302
    db.session.refresh(action)
    assert len(action.evidence) == 1 and action.evidence[0].sentence == source.sentence
    # The same evidence twice, or garbage: refused with a message, nothing added.
    client.submit(f"{edit}/evidence", {"evidence": str(source.id)}, form_url=edit)
    for garbage in ("abc", "²", "99999999999", "-1", ""):
        assert client.submit(f"{edit}/evidence", {"evidence": garbage}, form_url=edit).status_code == 302
    db.session.refresh(action)
    assert len(action.evidence) == 1
    link = action.evidence[0]
    assert client.submit(f"{edit}/evidence/{link.id}/remove", form_url=edit).status_code == 302
    db.session.refresh(action)
    assert action.evidence == []


def test_an_adopted_plan_is_not_edited(client, hand_plan, db):
    from consult.plans.models import PlanStatus

    plan, official = hand_plan
    plan.status = PlanStatus.FINAL
    db.session.commit()
    _login(client, official)
    page = client.get(_base(plan)).get_data(as_text=True)
    assert "Edit this section" not in page and "it can no longer be edited" in page
    response = client.submit(f"{_base(plan)}/sections/mandate", {"title": "X", "body": "Y"})
    assert response.status_code == 200 and "it can no longer be edited" in response.get_data(as_text=True)
    section = next(s for s in plan.sections if s.key == "mandate")
    assert section.body == {"es": "Texto de mandate."} and plan.version == 1


def test_edits_during_comment_are_noted(client, hand_plan, db):
    from consult.plans.models import PlanStatus

    plan, official = hand_plan
    plan.status = PlanStatus.COMMENT
    db.session.commit()
    _login(client, official)
    client.submit(f"{_base(plan)}/sections/governance", {"title": "Gobernanza", "body": "Comité."})
    latest = db.session.query(PlanVersion).filter_by(plan_id=plan.id, number=2).one()
    assert "during the public comment period" in latest.note


def test_generate_from_the_plan_home(client, create_consultation, create_user, db):
    """The plan home offers the draft only for an analysed consultation; drafting's refusal is shown, not a 500."""
    from consult.plans.models import Plan
    from consult.responses.models import ConsultationState

    consultation = create_consultation(state="closed", languages=("es", "en"))
    official = create_user(roles={consultation.territory: ["official"]})
    _login(client, official)
    url = f"/t/{consultation.territory.slug}/consultations/{consultation.id}/plan"
    page = client.get(url).get_data(as_text=True)
    assert "A plan can be drafted once the consultation is analysed." in page and "Generate the draft" not in page
    listing = client.get(f"/t/{consultation.territory.slug}/plans").get_data(as_text=True)
    assert "Draft the action plan" not in listing
    # Drafting itself refuses a consultation that is not analysed.
    response = client.submit(url, {"language": "es"}, form_url=url)
    assert response.status_code == 200 and db.session.query(Plan).count() == 0
    consultation.state = ConsultationState.ANALYSED
    db.session.commit()
    listing = client.get(f"/t/{consultation.territory.slug}/plans").get_data(as_text=True)
    assert "Draft the action plan" in listing
    response = client.submit(url, {"language": "qu"})
    assert response.status_code == 200 and "Choose from the list." in response.get_data(as_text=True)
    response = client.submit(url, {"language": "en"})
    assert response.status_code == 302
    plan = db.session.query(Plan).one()
    assert plan.language == "en" and plan.version >= 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Publish for comment" in page and "Recompute the evidence" in page
    # Generated once: the home now leads to the plan, and the consultation is still "analysed".
    assert client.get(url).headers["Location"].endswith(f"/plans/{plan.id}")
    assert consultation.state == ConsultationState.ANALYSED


def test_regenerate_and_draft_in_another_language(client, hand_plan, db):
    plan, official = hand_plan
    section = next(s for s in plan.sections if s.key == "mandate")
    section.body = {"es": "Texto escrito por la funcionaria."}
    db.session.commit()
    _login(client, official)
    base = _base(plan)
    page = client.get(base).get_data(as_text=True)
    assert "Draft the plan in another language" in page
    assert client.submit(f"{base}/regenerate", {}, form_url=base).status_code == 302
    db.session.refresh(plan)
    assert plan.version == 2
    assert client.submit(f"{base}/languages", {"language": "xx"}, form_url=base).status_code == 302
    assert plan.languages == ["es"]
    assert client.submit(f"{base}/languages", {"language": "en"}, form_url=base).status_code == 302
    db.session.refresh(plan)
    assert "en" in plan.languages and plan.version == 3
    english = client.get(f"{base}?lang=en").get_data(as_text=True)
    assert f'href="/t/{plan.territory.slug}/plans/{plan.id}?lang=es"' in english
    db.session.refresh(section)
    assert section.body["es"] == "Texto escrito por la funcionaria."
