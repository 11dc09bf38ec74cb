"""Voice in the browser (issue 14): a CSO sends a testimony with a recorded account, a moderator plays it.

The recording is given through the file input (what a phone's recorder fills, and
what voice.js fills from MediaRecorder); the shared Chromium has no fake microphone.
"""

from __future__ import annotations

import pytest

from tests.fixtures.browser import assert_accessible
from tests.fixtures.factories import PASSWORD
from tests.fixtures.testimonies import full_answers
from tests.responses.test_voice_answers import voice_consultation  # noqa: F401  (a fixture)
from tests.testimonies.test_public_flow import page_data
from tests.testimonies.test_voice_narrative import make_wav

pytestmark = pytest.mark.browser

STORY_PAGE = "p_story"

# Set each named field of the form to what the test client would post.
FILL = """(data) => {
  for (const [name, value] of Object.entries(data)) {
    const values = Array.isArray(value) ? value.map(String) : [String(value)];
    for (const el of document.getElementsByName(name)) {
      if (el.type === "checkbox" || el.type === "radio") { el.checked = values.includes(el.value); }
      else if (el.tagName === "SELECT") { for (const o of el.options) { o.selected = values.includes(o.value); } }
      else { el.value = values[0]; }
    }
  }
}"""


def _log_in(page, email: str) -> None:
    page.goto("/login?lang=en")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


@pytest.fixture
def scene(db, create_territory, create_consultation, remedy_version, create_organisation, create_user):
    territory = create_territory("antioquia", "Antioquia", "CO", enabled_languages=["es", "en"])
    consultation = create_consultation(territory, slug="remedio")
    cso = create_organisation("Colectivo Tierra", "cso", territory)
    people = {
        "cso": create_user("cso@colectivo.example", "Carla CSO", organisation=cso),
        "moderator": create_user("mod@antioquia.example", "Mario Moderador", roles={territory: ["moderator"]}),
    }
    db.session.commit()
    return consultation, remedy_version.parsed(), people


def test_a_cso_sends_a_recorded_account_and_a_moderator_plays_it(new_page, scene, tmp_path, db):
    from sqlalchemy import select

    from consult.testimonies.models import Testimony, TestimonyRecording

    _consultation, instrument, people = scene
    answers = full_answers(F1="no", F3=None, D1=None)
    cso = new_page(locale="en-GB")
    _log_in(cso, people["cso"].email)
    cso.goto("/c/remedio/testimony?lang=en")
    cso.get_by_role("button", name="Start").first.click()
    cso.wait_for_url("**/for-whom")
    cso.evaluate(FILL, {"on_behalf_of": "family", "people_count": "3"})
    cso.get_by_role("button", name="Continue").first.click()
    cso.wait_for_url("**/p/**")
    for _ in range(40):
        page_key = cso.url.rsplit("/", 1)[1].split("?")[0]
        if page_key == STORY_PAGE:
            break
        cso.evaluate(FILL, page_data(instrument, page_key, answers))
        cso.get_by_role("button", name="Continue").click()
        cso.wait_for_url(lambda url, key=page_key: not url.endswith("/p/" + key))
    assert cso.url.endswith("/p/" + STORY_PAGE)

    # The recording part: consent notice, the consent box, a file input (and, with JavaScript, a Record button).
    cso.get_by_text("Record the account instead of typing it").wait_for()
    assert cso.get_by_role("button", name="Record", exact=True).is_visible()
    assert_accessible(cso)
    wav = tmp_path / "account.wav"
    wav.write_bytes(make_wav(1.5))
    cso.get_by_label("Recording", exact=True).set_input_files(str(wav))
    cso.get_by_label("The person agrees to their account being recorded and kept as described above.").check()
    cso.get_by_role("button", name="Continue").click()
    cso.wait_for_url(lambda url: not url.endswith("/p/" + STORY_PAGE))
    while "/review" not in cso.url:
        page_key = cso.url.rsplit("/", 1)[1].split("?")[0]
        cso.evaluate(FILL, page_data(instrument, page_key, answers))
        cso.get_by_role("button", name="Continue").click()
        cso.wait_for_url(lambda url, key=page_key: not url.endswith("/p/" + key))
    cso.get_by_role("button", name="Send my testimony").click()
    cso.locator(".code").first.wait_for()

    db.session.expire_all()
    testimony = db.session.scalars(select(Testimony)).one()
    recording = db.session.scalars(select(TestimonyRecording)).one()
    assert recording.testimony_id == testimony.id

    moderator = new_page(locale="en-GB")
    _log_in(moderator, people["moderator"].email)
    moderator.goto(f"/t/antioquia/testimonies/{testimony.id}?lang=en")
    moderator.get_by_text("Recorded accounts").wait_for()
    assert_accessible(moderator)
    played = moderator.evaluate(
        """async () => {
          const audio = document.querySelector("section.recording audio");
          audio.muted = true;
          await audio.play();
          await new Promise((resolve) => setTimeout(resolve, 300));
          return {duration: audio.duration, error: audio.error ? audio.error.code : null, paused: audio.paused};
        }"""
    )
    assert played["error"] is None and played["duration"] > 1.0, played


def test_a_long_survey_answer_given_by_voice_is_played_by_a_moderator(
    new_page, voice_consultation, create_user, tmp_path, db
):
    territory = voice_consultation.territory
    moderator = create_user("mod@salta.example", "Mara Moderadora", roles={territory: ["moderator"]})
    person = new_page(locale="en-GB")
    person.goto("/c/voz/?lang=en")
    person.locator("form button[type=submit]").filter(has_text="Start").first.click()
    person.wait_for_url("**/group")
    person.get_by_role("button", name="Continue").first.click()
    person.wait_for_url("**/p/p_story")
    person.get_by_text("Answer by voice instead of writing").click()
    assert_accessible(person)
    wav = tmp_path / "answer.wav"
    wav.write_bytes(make_wav(1.2))
    person.get_by_label("Recording", exact=True).set_input_files(str(wav))
    person.get_by_label("I agree to my voice being recorded and kept as described above.").check()
    person.get_by_role("button", name="Continue").first.click()
    person.wait_for_url("**/p/p_more")
    person.get_by_role("button", name="Continue").first.click()
    person.wait_for_url("**/review")
    person.locator("form[action$='/send'] button[type=submit]").first.click()
    person.wait_for_url("**/sent")

    staff = new_page(locale="en-GB")
    _log_in(staff, moderator.email)
    staff.goto(f"/t/salta/consultations/{voice_consultation.id}/recordings?lang=en")
    staff.get_by_text("Answers given by voice").first.wait_for()
    assert_accessible(staff)
    played = staff.evaluate(
        """async () => {
          const audio = document.querySelector("section.recording audio");
          audio.muted = true;
          await audio.play();
          await new Promise((resolve) => setTimeout(resolve, 300));
          return {duration: audio.duration, error: audio.error ? audio.error.code : null};
        }"""
    )
    assert played["error"] is None and played["duration"] > 1.0, played
