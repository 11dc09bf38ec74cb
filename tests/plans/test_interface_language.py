"""An official reading a plan in one language keeps their own interface language on every plan page."""

from __future__ import annotations

import re


def test_links_between_plan_pages_choose_the_plan_text_not_the_interface(hand_plan, client):
    plan, official = hand_plan
    client.login(official.email)
    base = f"/t/{plan.consultation.territory.slug}/plans/{plan.id}"
    page = client.get(f"{base}?lang=en").get_data(as_text=True)
    assert '<html lang="en"' in page
    edit = re.search(r'href="([^"]*/sections/mandate[^"]*)"', page).group(1).replace("&amp;", "&")
    assert "text=es" in edit and "lang=" not in edit.replace("text=", "")
    # Following the link (no ?lang=) the screens stay in English while the Spanish text is edited.
    form = client.get(edit).get_data(as_text=True)
    assert '<html lang="en"' in form and "Texto de mandate." in form
    sent = client.submit(edit, {"title": "Mandato", "body": "Nuevo mandato."})
    assert sent.status_code == 302 and "lang=" not in sent.headers["Location"].replace("text=", "")
    after = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert '<html lang="en"' in after and "Nuevo mandato." in after
