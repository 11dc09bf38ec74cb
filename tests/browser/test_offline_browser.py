"""Done when (issue 14): on a phone, the community survey is answered in Guarani without a connection,
two responses wait encrypted on the phone, and when the connection returns both are sent, each once,
with their receipt codes shown."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from consult.responses.models import Answer, EntryMode, Response
from tests.fixtures.browser import assert_accessible

pytestmark = pytest.mark.browser

TYPED = ["Ladrillera Ñandutí del arroyo", "Aserradero Yvyra Pytã"]
#: Per page, what is chosen: (field name, value) for choices and selects, (name, None, text) for text.
ANSWERS = {
    "p_place": [("q-A1-locality", "66028")],
    "p_business": [("q-B1", "mining"), ("q-B1", "other"), ("q-B1-other", None)],
    "p_rights": [("q-C1", "working_conditions"), ("q-C1", "water_sanitation")],
    "p_main_harm": [("q-C2", "water_sanitation")],
    "p_severity": [("q-C3-scale", "4"), ("q-C3-scope", "3"), ("q-C3-irremediability", "4"), ("q-C3-likelihood", "5")],
    "p_forced_labour": [("q-C4", "deception")],
    "p_who_harmed": [("q-C5", "women")],
    "p_consulted": [("q-D1", "no")],
    "p_defenders": [("q-D2", "yes")],
    "p_defenders_safe": [("q-D4", "threats")],
    "p_priorities": [("q-E1", "protect_land")],
    "p_results": [("q-E2", "radio")],
    "p_about_you": [("q-F1", "woman"), ("q-F2", "age_30_44")],
    "p_identity": [("q-F3", "none")],
    "p_situation": [("q-F4", "no"), ("q-F5", "no")],
}


@pytest.fixture
def guarani_consultation(create_territory, create_consultation, db):
    """Salta's community survey offered in Spanish and Guarani."""
    from consult.accounts.services import import_localities
    from consult.surveys import services

    loaded = {load.key: load.version for load in services.load_library()}
    territory = create_territory("salta", "Salta", "AR")
    import_localities(territory, "code,name,area\n66028,Cafayate,Valles Calchaquíes\n66014,Orán,Norte\n")
    db.session.commit()
    return create_consultation(
        territory,
        slug="riesgos-salta-2026",
        languages=("es", "gn"),
        groups={"rural_community": loaded["community_risk"], "company_large": loaded["company_self_assessment"]},
    )


def _answer_one(page, typed: str, visited: list[str], *, check_review: bool = False) -> None:
    view = page.locator("#offline-view")
    page.locator("#offline-start").click()
    view.get_by_role("heading", level=2).wait_for()
    view.locator('input[name="group_code"][value="rural_community"]').check()
    view.locator('button[type="submit"]').click()
    for _ in range(30):
        form = view.locator("form[data-page]")
        finish = page.locator("#offline-finish")
        form.or_(finish).first.wait_for()
        if finish.count():
            break
        key = form.get_attribute("data-page")
        visited.append(key)
        # The page is shown in Guarani (with its heading focused), its questions marked lang="gn".
        assert page.evaluate("document.activeElement.tagName") == "H2"
        for name, value in ANSWERS.get(key, []):
            field = form.locator(
                f'[name="{name}"]' + (f'[value="{value}"]' if value and "locality" not in name else "")
            )
            if value is None:
                field.fill(typed)
            elif "locality" in name:
                field.select_option(value)
            else:
                field.check()
        if key == "p_business" and not visited[:-1].count("p_business"):
            # Checked as the server would: "I don't know" goes with no other answer.
            form.locator('[name="q-B1"][value="dont_know"]').check()
            form.locator('button[type="submit"]').click()
            summary = view.locator(".error-summary")
            expect(summary).to_contain_text("No sé")
            expect(page.locator(".error-summary h3")).to_be_focused()
            expect(form.locator('[data-question="B1"] .error')).to_be_visible()
            form.locator('[name="q-B1"][value="dont_know"]').uncheck()
            # Back and forth: what was typed is still there.
            form.locator('button[type="submit"]').click()
            view.locator('form[data-page="p_rights"]').wait_for()
            view.get_by_role("button", name="Atrás").click()
            back = view.locator('form[data-page="p_business"]')
            expect(back.locator('[name="q-B1-other"]')).to_have_value(typed)
            expect(back.locator('[name="q-B1"][value="mining"]')).to_be_checked()
        form.locator('button[type="submit"]').click()
        expect(view.locator(f'form[data-page="{key}"]')).to_have_count(0)
    # The review shows the answers in words, the typed one too.
    expect(view.locator("dd").filter(has_text=typed)).to_have_count(1)
    expect(view.locator("dd").filter(has_text="Cafayate")).to_have_count(1)
    if check_review:
        assert_accessible(page)
    page.locator("#offline-finish").click()
    page.locator("#offline-start").wait_for()


def test_a_phone_answers_twice_in_guarani_offline_and_sends_both_when_back_online(new_page, guarani_consultation, db):
    slug = guarani_consultation.slug
    page = new_page(locale="es-CO")
    context = page.context

    # The landing page in Guarani offers answering without a connection.
    page.goto(f"/c/{slug}/?lang=gn")
    page.locator(f'a[href="/c/{slug}/offline"]').click()
    page.locator('#offline-app[data-ready="true"]').wait_for()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    expect(page.locator("#offline-start")).to_be_visible()
    assert_accessible(page)

    # No connection: the page comes from the service worker.
    context.set_offline(True)
    page.reload()
    page.locator('#offline-app[data-ready="true"]').wait_for()
    expect(page.locator("#offline-status")).not_to_be_empty()

    visited: list[str] = []
    _answer_one(page, TYPED[0], visited, check_review=True)
    assert "p_defenders_safe" in visited and "p_group" not in visited  # the group choice answered it
    expect(page.locator("#offline-pending")).to_contain_text("1")
    _answer_one(page, TYPED[1], [])
    expect(page.locator("#offline-pending")).to_contain_text("2")
    assert db.session.scalar(select(Response.id)) is None

    # What the phone keeps is encrypted: no typed answer, no option code in clear.
    kept = page.evaluate(
        """() => new Promise((resolve) => {
            const open = indexedDB.open("consult-offline");
            open.onsuccess = () => {
                const all = open.result.transaction("records").objectStore("records").getAll();
                all.onsuccess = () => resolve(all.result.map((r) => JSON.stringify(r) + " " +
                    new TextDecoder("latin1").decode(new Uint8Array(r.data))));
            };
        })"""
    )
    assert len(kept) == 2
    for text in kept:
        assert TYPED[0] not in text and TYPED[1] not in text and "water_sanitation" not in text
    assert page.evaluate("localStorage.length") == 0

    # A question page in Guarani passes axe too.
    page.locator("#offline-start").click()
    page.locator('input[name="group_code"][value="rural_community"]').check()
    page.locator('#offline-view button[type="submit"]').click()
    page.locator('form[data-page="p_intro"] button[type="submit"]').click()
    place = page.locator('form[data-page="p_place"]')
    expect(page.locator('#offline-view [lang="gn"]').first).to_be_visible()
    assert_accessible(page)
    # The questions switch to Spanish and keep what was chosen.
    place.locator('[name="q-A1-locality"]').select_option("66014")
    place.locator('fieldset.switch button[lang="es"]').click()
    expect(page.locator('#offline-view [lang="gn"]')).to_have_count(1)  # only the Guarani button
    expect(page.locator('form[data-page="p_place"] [name="q-A1-locality"]')).to_have_value("66014")

    # The connection returns: both are sent, their receipt codes shown.
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    receipts = page.locator("#offline-receipts .code.receipt")
    expect(receipts).to_have_count(2, timeout=15_000)
    expect(page.locator("#offline-pending")).not_to_contain_text("2")
    codes = [text.replace("\n", "").strip() for text in receipts.all_inner_texts()]

    db.session.expire_all()
    responses = db.session.scalars(select(Response).order_by(Response.id)).all()
    assert len(responses) == 2
    assert {r.entry_mode for r in responses} == {EntryMode.OFFLINE}
    assert {r.language for r in responses} == {"gn"} and {r.group_code for r in responses} == {"rural_community"}
    from consult.responses.sending import find_by_receipt

    assert sorted(find_by_receipt(guarani_consultation, code).id for code in codes) == [r.id for r in responses]
    texts = set(db.session.scalars(select(Answer.text).where(Answer.question_key == "B1", Answer.text.is_not(None))))
    assert texts == set(TYPED)
    severity = db.session.scalars(select(Answer.number).where(Answer.question_key == "C3").order_by(Answer.part))
    assert sorted(severity) == sorted([4, 3, 4, 5] * 2)

    # The response in progress stays on the phone (encrypted) across a reload, and continues where it was.
    page.reload()
    page.locator('#offline-app[data-ready="true"]').wait_for()
    page.get_by_role("button", name="Seguir con la respuesta en curso").click()
    expect(page.locator('form[data-page="p_place"] [name="q-A1-locality"]')).to_have_value("66014")

    # Sending again stores nothing new.
    page.locator("#offline-send").click() if page.locator("#offline-send").is_visible() else None
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_timeout(500)
    db.session.expire_all()
    assert len(db.session.scalars(select(Response.id)).all()) == 2
