"""Done when (issue 14, listening): in a browser, the listen control plays a prompt for a question in
Guaraní, fetched only when asked for; an official uploads a recording on the audio screen and the
respondent's listen control now plays it instead of the synthesised voice."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import assert_accessible
from tests.fixtures.factories import PASSWORD
from tests.surveys.test_audio_prompts import wav

pytestmark = pytest.mark.browser

SLUG = "riesgos-salta-gn"
A0 = "pages.p_intro.questions.A0.text"
PLAY = """async (selector) => {
  const audio = document.querySelector(selector);
  audio.muted = true;  // a muted element may always play: no autoplay policy in the way
  await audio.play();
  for (let i = 0; i < 100 && !(audio.readyState >= 2 && audio.duration > 0); i++) {
    await new Promise((done) => setTimeout(done, 50));
  }
  return {ready: audio.readyState, duration: audio.duration, error: audio.error && audio.error.code,
          src: audio.currentSrc};
}"""


@pytest.fixture
def guarani(db, create_territory, create_user, create_consultation):
    """Salta with an open consultation in es and gn answering the library's community survey."""
    from consult.accounts.services import import_localities
    from consult.surveys import services

    territory = create_territory("salta", "Salta", "AR", enabled_languages=["es", "gn"])
    import_localities(territory, "code,name,area\n66028,Cafayate,Valles\n")
    create_user("olga@salta.example", "Olga Oficial", roles={territory: ["official"]})
    version = {load.key: load.version for load in services.load_library()}["community_risk"]
    if not version.is_published:
        services.publish(version)
    db.session.commit()
    create_consultation(territory, groups={"rural_community": version}, languages=("es", "gn"), slug=SLUG)
    return version


def _log_in(page, email: str) -> None:
    page.goto("/login?lang=en")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()


def test_a_guarani_question_is_heard_and_a_recording_replaces_the_synthetic_voice(new_page, guarani, db):
    version = guarani
    person = new_page(locale="es-AR")
    heard: list[str] = []
    person.on("request", lambda request: heard.append(request.url) if "/audio/" in request.url else None)

    # A respondent chooses Guarani and reaches the first block
    person.goto(f"/c/{SLUG}/?lang=gn")
    person.get_by_role("button", name="Comenzar a responder").click()
    person.wait_for_url(f"**/c/{SLUG}/group")
    person.get_by_role("button", name="Continuar", exact=True).click()
    person.wait_for_url(f"**/c/{SLUG}/p/p_intro")
    intro = person.locator('[data-question="A0"]')
    expect(intro).to_have_attribute("lang", "gn")
    listen = intro.locator("details.listen")
    expect(listen.locator("summary")).to_have_text(re.compile("^(Escuchar|Listen)$"))
    assert listen.locator("audio").get_attribute("preload") == "none"
    assert_accessible(person)
    # Nothing is fetched before the person asks for it
    person.wait_for_timeout(300)
    assert heard == []

    # They open the listen control and it plays the Guarani text, synthesised on this first request
    listen.locator("summary").click()
    expect(listen.locator("audio")).to_be_visible()
    played = person.evaluate(PLAY, '[data-question="A0"] details.listen audio')
    assert played["error"] is None and played["ready"] >= 2 and played["duration"] > 1, played
    assert any(f"/audio/{version.id}/gn/{A0}" in url for url in heard)
    synthesised = person.request.get(played["src"]).body()
    assert synthesised.startswith(b"OggS")

    # An official uploads a recording for that text on the audio screen
    official = new_page(locale="en-GB")
    _log_in(official, "olga@salta.example")
    official.goto(f"/t/salta/instruments/{version.instrument_id}?version={version.number}&lang=en")
    official.locator('a[href*="/audio?language=gn"]').click()
    expect(official.get_by_role("heading", level=1)).to_have_text(re.compile("^Audio prompts in "))
    official.goto(official.url + "&section=intro")
    row = official.locator("#t-pages-p_intro-questions-A0-text")
    expect(row.locator(".audio-state")).to_have_attribute("data-state", "synthesised")
    assert_accessible(official)
    row.get_by_label(re.compile("^Recording for “Question A0”")).set_input_files(
        {"name": "a0-gn.wav", "mimeType": "audio/wav", "buffer": wav(2.0, pitch=330.0)}
    )
    row.get_by_role("button", name="Upload the recording").click()
    expect(official.get_by_text("The recording of “Question A0” was saved.")).to_be_visible()
    row = official.locator("#t-pages-p_intro-questions-A0-text")
    expect(row.locator(".audio-state")).to_have_attribute("data-state", "recorded")
    expect(row.locator(".tag")).to_have_text("recorded")
    assert_accessible(official)

    # The respondent's listen control now serves the recording
    person.reload()
    listen = person.locator('[data-question="A0"] details.listen')
    listen.locator("summary").click()
    played = person.evaluate(PLAY, '[data-question="A0"] details.listen audio')
    assert played["error"] is None and played["ready"] >= 2 and 1.9 < played["duration"] < 2.2, played
    recorded = person.request.get(played["src"]).body()
    assert recorded.startswith(b"OggS") and recorded != synthesised
    assert "v=r" in played["src"]
