"""A CSO records a testimony's account instead of typing it: sealed, heard only by the territory's readers.

Issue 14. The recording is re-encoded (Ogg Opus), sealed with the testimony key
ring, moved from the draft to the testimony when it is sent, heard by moderators
and officials of the territory (audited), transcribed by moderators (sealed),
re-sealed by key rotation and deleted by withdrawal.
"""

from __future__ import annotations

import io
import math
import struct
import wave

import pytest
from sqlalchemy import LargeBinary, String, Text, select

from consult.core import audio
from consult.testimonies import crypto, recordings, rotation, vault
from consult.testimonies.consent import withdraw
from consult.testimonies.models import Actor, DecryptionEvent, Testimony, TestimonyDraft, TestimonyRecording
from tests.fixtures.testimonies import full_answers
from tests.testimonies.test_public_flow import page_data

STORY_PAGE = "p_story"
TRANSCRIPT = "Contó que la mina secó el ojo de agua de la vereda."


def make_wav(seconds: float = 1.0, rate: int = 16000) -> bytes:
    """A short tone as a WAV file (what a recorder could send)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = b"".join(
            struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(int(seconds * rate))
        )
        out.writeframes(frames)
    return buffer.getvalue()


def raw_values(db) -> list[bytes]:
    """Every text and binary value of every table, as bytes, read straight from the database."""
    values: list[bytes] = []
    for table in db.metadata.sorted_tables:
        columns = [
            c
            for c in table.columns
            if isinstance(c.type, (String, Text, LargeBinary)) or c.type.__class__.__name__ == "JSON"
        ]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)).all():
            for value in row:
                if isinstance(value, (bytes, memoryview)):
                    values.append(bytes(value))
                elif value is not None:
                    values.append(str(value).encode("utf-8"))
    return values


@pytest.fixture
def setting(db, create_consultation, remedy_version, create_organisation, create_user):
    consultation = create_consultation(slug="remedio")
    cso = create_organisation("Colectivo Tierra", "cso")
    user = create_user("cso@colectivo.example", organisation=cso)
    return consultation, remedy_version.parsed(), cso, user


def _cso_to_story(client, instrument, user, answers) -> str:
    """Log the CSO in, start a testimony and answer pages until the story page; returns its address."""
    client.login(user.email)
    client.submit("/c/remedio/testimony/start", form_url="/c/remedio/testimony")
    response = client.submit("/c/remedio/testimony/for-whom", {"on_behalf_of": "family", "people_count": "3"})
    location = response.headers["Location"]
    for _ in range(40):
        page_key = location.rsplit("/", 1)[1]
        if page_key == STORY_PAGE:
            return location
        response = client.submit(location, page_data(instrument, page_key, answers))
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        location = response.headers["Location"]
    raise AssertionError("the story page was never reached")


def _finish(client, instrument, answers, location: str) -> None:
    while not location.endswith("/review"):
        page_key = location.rsplit("/", 1)[1]
        response = client.submit(location, page_data(instrument, page_key, answers))
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        location = response.headers["Location"]
    sent = client.submit("/c/remedio/testimony/review")
    assert sent.status_code == 200


def _send_with_recording(client, db, setting, wav: bytes, text: str = "") -> Testimony:
    consultation, instrument, cso, user = setting
    answers = full_answers(F1="no", F3=None, D1=text or None)
    story = _cso_to_story(client, instrument, user, answers)
    page = client.get(story).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'accept="audio/*" capture' in page
    assert "Solo las personas moderadoras y funcionarias de este territorio" in page and "voice.js" in page
    data = page_data(instrument, STORY_PAGE, answers)
    data["voice-D1"] = (io.BytesIO(wav), "grabacion.wav")
    data["voice-consent-D1"] = "1"
    data["action"] = "next"
    response = client.submit(story, data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    # Back on the page, the recording is said to be kept.
    again = client.get(story + "?lang=en").get_data(as_text=True)
    assert "A recording of 1 second is kept" in again
    location = response.headers["Location"]
    while not location.endswith("/review"):
        page_key = location.rsplit("/", 1)[1]
        location = client.submit(location, page_data(instrument, page_key, answers)).headers["Location"]
    review = client.get(location + "?lang=en").get_data(as_text=True)
    assert "Tell us what happened.: a recording of 1 second, sent encrypted with the testimony." in review
    _finish(client, instrument, answers, location)
    client.get("/logout")
    return db.session.scalars(select(Testimony).where(Testimony.organisation_id == cso.id)).one()


def test_a_recorded_account_is_stored_sealed_and_nowhere_in_clear(client, db, setting):
    wav = make_wav()
    testimony = _send_with_recording(client, db, setting, wav)
    rows = db.session.scalars(select(TestimonyRecording)).all()
    assert len(rows) == 1
    row = rows[0]
    assert row.testimony_id == testimony.id and row.draft_id is None and row.question_key == "D1"
    assert 0.9 <= row.seconds <= 1.1 and row.key_id == crypto.keyring().current_id
    assert db.session.scalar(select(TestimonyDraft)) is None
    # A clear-text probe of every text and binary column of every table.
    values = raw_values(db)
    assert any(v == bytes(row.sealed_audio) for v in values)  # the probe does read the sealed column
    for value in values:
        assert b"OggS" not in value and b"OpusHead" not in value
        assert b"RIFF" not in value and wav[44:1044] not in value
    # Sealed for its place: opened under another testimony's context it fails.
    with pytest.raises(crypto.TamperedCiphertext):
        crypto.keyring().open(row.sealed_audio, crypto.context("testimonies", testimony.id + 1, "x"))


def test_the_territory_readers_hear_it_audited_and_others_do_not(client, db, setting, create_user, create_territory):
    consultation, _instrument, _cso, cso_user = setting
    testimony = _send_with_recording(client, db, setting, make_wav())
    row = db.session.scalars(select(TestimonyRecording)).one()
    expected = crypto.keyring().open(row.sealed_audio, vault.where(row, "sealed_audio"))
    assert expected.startswith(b"OggS") and abs(audio.duration_of(expected) - 1.0) < 0.15
    territory = consultation.territory
    moderator = create_user("mod@example.org", roles={territory: ["moderator"]})
    official = create_user("off@example.org", roles={territory: ["official"]})
    elsewhere = create_territory("salta", country="AR")
    stranger = create_user("mod@salta.example", roles={elsewhere: ["moderator"]})
    url = f"/t/{territory.slug}/testimonies/{testimony.id}/recordings/{row.id}"

    # Anonymous: sent to log in, nothing of the sound.
    anonymous = client.get(url)
    assert anonymous.status_code in (302, 401, 403) and b"OggS" not in anonymous.data

    client.login(moderator.email)
    read = client.get(f"/t/{territory.slug}/testimonies/{testimony.id}").get_data(as_text=True)
    assert "Recorded accounts" in read and f'src="{url}"' in read and "Write down this recording" in read
    heard = client.get(url)
    assert heard.status_code == 200 and heard.mimetype == "audio/ogg"
    assert heard.headers["Cache-Control"] == "no-store" and heard.data == expected
    part = client.get(url, headers={"Range": "bytes=4-9"})
    assert part.status_code == 206 and part.data == expected[4:10]
    listens = db.session.scalars(select(DecryptionEvent).where(DecryptionEvent.purpose == "moderation.listen")).all()
    assert len(listens) == 1 and listens[0].user_id == moderator.id and listens[0].testimony_id == testimony.id
    # Another testimony's address for this recording is a 404.
    assert client.get(f"/t/{territory.slug}/testimonies/{testimony.id + 99}/recordings/{row.id}").status_code == 404
    client.get("/logout")

    client.login(official.email)
    assert client.get(url).data == expected
    read = client.get(f"/t/{territory.slug}/testimonies/{testimony.id}").get_data(as_text=True)
    assert "Write down this recording" not in read  # officials listen, moderators transcribe
    client.get("/logout")

    client.login(stranger.email)
    assert client.get(url).status_code in (403, 404)
    assert client.get(f"/t/salta/testimonies/{testimony.id}/recordings/{row.id}").status_code == 404
    client.get("/logout")

    client.login(cso_user.email)
    assert client.get(url).status_code in (403, 404)


def test_a_moderator_transcribes_it_sealed(client, db, setting, create_user):
    consultation, _instrument, _cso, _user = setting
    testimony = _send_with_recording(client, db, setting, make_wav())
    row = db.session.scalars(select(TestimonyRecording)).one()
    territory = consultation.territory
    moderator = create_user("mod@example.org", roles={territory: ["moderator"]})
    official = create_user("off@example.org", roles={territory: ["official"]})
    read_url = f"/t/{territory.slug}/testimonies/{testimony.id}"
    post_url = f"{read_url}/recordings/{row.id}/transcript"
    field = f"transcript-{row.id}-text"

    client.login(official.email)
    assert client.submit(post_url, {field: "x"}, form_url=read_url).status_code == 403
    client.get("/logout")

    client.login(moderator.email)
    too_long = client.submit(post_url + "?lang=en", {field: "a" * 20001}, form_url=read_url)
    assert too_long.status_code == 400 and "Write at most 20000 characters." in too_long.get_data(as_text=True)
    saved = client.submit(post_url, {field: TRANSCRIPT}, form_url=read_url)
    assert saved.status_code == 302
    page = client.get(read_url).get_data(as_text=True)
    assert TRANSCRIPT in page and "Correct the transcript" in page
    db.session.expire_all()
    row = db.session.get(TestimonyRecording, row.id)
    assert row.transcribed_by_id == moderator.id and row.transcribed_at is not None
    assert vault.unseal(row, "sealed_transcript") == TRANSCRIPT
    assert all(TRANSCRIPT.encode() not in v for v in raw_values(db))


def test_withdrawal_deletes_the_recording(client, db, setting, create_user):
    consultation, _instrument, _cso, cso_user = setting
    testimony = _send_with_recording(client, db, setting, make_wav())
    row_id = db.session.scalars(select(TestimonyRecording)).one().id
    client.login(cso_user.email)
    response = client.submit(
        f"/cso/testimonies/{testimony.id}/withdraw",
        {"withdraw-confirm": "y"},
        form_url=f"/cso/testimonies/{testimony.id}",
    )
    assert response.status_code == 302
    client.get("/logout")
    db.session.expire_all()
    assert db.session.get(TestimonyRecording, row_id) is None
    moderator = create_user("mod@example.org", roles={consultation.territory: ["moderator"]})
    client.login(moderator.email)
    url = f"/t/{consultation.territory.slug}/testimonies/{testimony.id}/recordings/{row_id}"
    assert client.get(url).status_code == 404


def test_rotation_reseals_recordings(app, db, setting, client, runner):
    testimony = _send_with_recording(client, db, setting, make_wav())
    row = db.session.scalars(select(TestimonyRecording)).one()
    vault.reseal_row(row)
    recordings.transcribe(row, TRANSCRIPT, None)
    db.session.commit()
    before = crypto.keyring().open(row.sealed_audio, vault.where(row, "sealed_audio"))
    new_spec = crypto.new_key_spec("k-next") + "," + app.config["CONSULT_TESTIMONY_KEYS"]
    crypto.install_keyring(app, new_spec)
    report = rotation.rotate_keys(batch_size=1)
    assert report.resealed["testimony_recordings"] == 1 and report.is_complete
    crypto.install_keyring(app, new_spec.split(",")[0])  # the old key is gone
    db.session.expire_all()
    row = db.session.get(TestimonyRecording, row.id)
    assert row.key_id == "k-next"
    assert recordings.listen(row, None, audit_it=False).data == before
    assert vault.unseal(row, "sealed_transcript") == TRANSCRIPT
    assert testimony.id == row.testimony_id


def test_not_audio_gives_a_message_and_keeps_what_was_typed(client, db, setting):
    _consultation, instrument, _cso, user = setting
    answers = full_answers(F1="no", F3=None)
    story = _cso_to_story(client, instrument, user, answers)
    data = {"q-D1": "Llegaron de noche al caserío.", "voice-consent-D1": "1", "action": "next"}
    data["voice-D1"] = (io.BytesIO(b"this is not a sound, just words " * 40), "nota.m4a")
    response = client.submit(story + "?lang=en", data, form_url=story, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This file is not a sound recording consult can read." in html
    assert "Llegaron de noche al caserío." in html
    assert db.session.scalar(select(TestimonyRecording)) is None
    # A recording without the consent box is refused too, and the box alone asks for a recording.
    data = {"q-D1": "", "action": "next", "voice-D1": (io.BytesIO(make_wav()), "grabacion.wav")}
    response = client.submit(story, data, content_type="multipart/form-data")
    assert response.status_code == 400 and "tick the box saying you agree" in response.get_data(as_text=True)
    response = client.submit(story, {"q-D1": "", "action": "next", "voice-consent-D1": "1"})
    assert response.status_code == 400 and "Choose or make a recording" in response.get_data(as_text=True)
    assert db.session.scalar(select(TestimonyRecording)) is None


def test_discarding_the_draft_deletes_its_recording_and_anonymous_forms_offer_none(client, db, setting):
    _consultation, instrument, _cso, user = setting
    answers = full_answers(F1="no", F3=None)
    story = _cso_to_story(client, instrument, user, answers)
    data = {"q-D1": "", "voice-consent-D1": "1", "action": "next", "voice-D1": (io.BytesIO(make_wav()), "a.wav")}
    assert client.submit(story, data, content_type="multipart/form-data").status_code == 302
    assert db.session.scalar(select(TestimonyRecording)).draft_id is not None
    client.submit("/c/remedio/testimony/discard", {"discard-confirm": "y"}, form_url="/c/remedio/testimony")
    db.session.expire_all()
    assert db.session.scalar(select(TestimonyRecording)) is None
    client.get("/logout")
    # An anonymous person's form has no recording control and no script.
    client.submit("/c/remedio/testimony/start", form_url="/c/remedio/testimony")
    page = client.get("/c/remedio/testimony/p/p_story").get_data(as_text=True)
    assert "voice-D1" not in page and "voice.js" not in page


def test_recordings_of_a_testimony_are_listed_for_its_audit(db, setting, client):
    """Listening writes an audit entry as a staff member; withdrawal by the service also removes it."""
    testimony = _send_with_recording(client, db, setting, make_wav())
    row = db.session.scalars(select(TestimonyRecording)).one()
    recordings.listen(row, None)
    events = db.session.scalars(select(DecryptionEvent).where(DecryptionEvent.purpose == "moderation.listen")).all()
    assert [e.actor for e in events] == [Actor.STAFF]
    withdraw(testimony, lang="es", actor=Actor.SUBMITTER)
    db.session.commit()
    assert recordings.of_testimony(testimony) == []


class TestARequiredStory:
    """When the form makes the account required, a recording answers it; nothing at all does not."""

    @pytest.fixture
    def remedy_version(self, app):
        import json

        from consult.extensions import db as _db
        from consult.surveys import services
        from tests.fixtures.testimonies import REMEDY_JSON

        definition = json.loads(REMEDY_JSON.read_text())
        for section in definition["sections"]:
            for page in section["pages"]:
                for question in page["questions"]:
                    if question["key"] == "D1":
                        question["required"] = True
        outcome = services.import_definition(definition, None)
        _db.session.commit()
        return outcome.version

    def test_a_recording_answers_a_required_story(self, client, db, setting):
        _consultation, instrument, _cso, user = setting
        assert instrument.question("D1").required
        answers = full_answers(F1="no", F3=None)
        story = _cso_to_story(client, instrument, user, answers)
        empty = client.submit(story, {"q-D1": "", "action": "next"})
        assert empty.status_code == 400
        data = {"q-D1": "", "action": "next", "voice-consent-D1": "1", "voice-D1": (io.BytesIO(make_wav()), "a.wav")}
        response = client.submit(story, data, content_type="multipart/form-data")
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        # Kept with the draft: the page can be sent again without typing.
        assert client.submit(story, {"q-D1": "", "action": "next"}).status_code == 302
        too_long = client.submit(story, {"q-D1": "x" * 4001, "action": "next"})
        assert too_long.status_code == 400


def test_a_person_giving_their_own_testimony_may_tell_it_aloud(client, db, setting):
    """Not only CSOs: someone who reads or writes little records their own account, sealed the same way."""
    _consultation, instrument, _cso, _user = setting
    answers = full_answers(F1="no", F3=None, D1=None)
    response = client.submit("/c/remedio/testimony/start", form_url="/c/remedio/testimony?lang=en")
    location = response.headers["Location"]
    while not location.endswith(STORY_PAGE):
        location = client.submit(location, page_data(instrument, location.rsplit("/", 1)[1], answers)).headers[
            "Location"
        ]
    page = client.get(location + "?lang=en").get_data(as_text=True)
    assert "Tell it aloud instead of writing" in page and 'accept="audio/*" capture' in page
    assert "If you withdraw your testimony with your code, the recording is deleted." in page
    data = page_data(instrument, STORY_PAGE, answers)
    data.update({"voice-D1": (io.BytesIO(make_wav()), "voz.wav"), "voice-consent-D1": "1", "action": "next"})
    response = client.submit(location, data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    location = response.headers["Location"]
    while not location.endswith("/review"):
        location = client.submit(location, page_data(instrument, location.rsplit("/", 1)[1], answers)).headers[
            "Location"
        ]
    assert client.submit("/c/remedio/testimony/review").status_code == 200
    testimony = db.session.scalars(select(Testimony)).one()
    row = db.session.scalars(select(TestimonyRecording)).one()
    assert testimony.organisation_id is None and row.testimony_id == testimony.id
    for value in raw_values(db):
        assert b"OggS" not in value and b"RIFF" not in value
