"""Answering a long-text question by voice (issue 14): kept sealed with the draft, attached once when
sent, heard by the territory's moderators and officials, transcribed by moderators, deleted with the draft."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from consult.core import sealing
from consult.responses.drafts import purge_expired
from consult.responses.models import Response, ResponseDraft
from consult.responses.recordings import AnswerRecording, transcripts, where
from tests.fixtures.survey_definitions import make_definition, option, question, tr
from tests.testimonies.test_voice_narrative import make_wav, raw_values

SLUG = "voz"
TRANSCRIPT = "Dijo que el agua del río ya no sirve para regar."


@pytest.fixture
def voice_consultation(create_territory, create_version, create_consultation, db):
    territory = create_territory("salta", "Salta", "AR")
    definition = make_definition(
        pages=[
            {
                "key": "p_story",
                "title": tr("Su historia", "Your story", "A sua história"),
                "questions": [question("S1", "long_text", "Cuéntenos.", "Tell us.", "Conte-nos.", max_length=2000)],
            },
            {
                "key": "p_more",
                "title": tr("Más", "More", "Mais"),
                "questions": [question("S2", "short_text", "Algo más.", "Anything else.", "Algo mais.", max_length=40)],
            },
        ]
    )
    version = create_version(definition)
    return create_consultation(territory, groups={"rural_community": version}, slug=SLUG)


def _start(client):
    client.get(f"/c/{SLUG}/?lang=es")
    client.submit(f"/c/{SLUG}/start", form_url=f"/c/{SLUG}/")
    response = client.submit(f"/c/{SLUG}/group", {"group_code": "rural_community"})
    assert response.status_code == 302
    return response.headers["Location"]


def _record(client, wav: bytes | None = None, **extra):
    data = {"q-S1": "", "action": "next", "voice-consent-S1": "1", "voice-S1": (io.BytesIO(wav or make_wav()), "a.wav")}
    data.update(extra)
    return client.submit(f"/c/{SLUG}/p/p_story", data, content_type="multipart/form-data")


def _send(client):
    client.submit(f"/c/{SLUG}/p/p_more", {"q-S2": "", "action": "next"})
    review = client.get(f"/c/{SLUG}/review").get_data(as_text=True)
    token = re.search(r'name="submission_token" value="([^"]+)"', review).group(1)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', review).group(1)
    first = client.post(f"/c/{SLUG}/send", data={"csrf_token": csrf, "submission_token": token})
    again = client.post(f"/c/{SLUG}/send", data={"csrf_token": csrf, "submission_token": token})
    assert first.status_code == 302 and again.status_code == 302


def test_a_long_answer_given_by_voice_is_sealed_sent_once_and_heard_by_the_territory(
    client, db, voice_consultation, create_user, create_territory
):
    page = client.get(_start(client)).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and "voice.js" in page and 'accept="audio/*" capture' in page
    response = _record(client)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    row = db.session.scalars(select(AnswerRecording)).one()
    assert row.draft_id is not None and row.response_id is None
    _send(client)
    assert db.session.scalar(select(func.count(Response.id))) == 1
    sent = db.session.scalar(select(Response))
    row = db.session.scalars(select(AnswerRecording)).one()
    assert row.response_id == sent.id and row.draft_id is None
    for value in raw_values(db):
        assert b"OggS" not in value and b"RIFF" not in value
    expected = sealing.keyring().open(row.sealed_audio, where(row, "sealed_audio"))
    assert expected.startswith(b"OggS")
    # A page without a long-text question loads no script and stays a plain form.
    territory = voice_consultation.territory
    base = f"/t/{territory.slug}/consultations/{voice_consultation.id}/recordings"
    moderator = create_user("mod@salta.example", roles={territory: ["moderator"]})
    official = create_user("off@salta.example", roles={territory: ["official"]})
    analyst = create_user("an@salta.example", roles={territory: ["analyst"]})
    other = create_territory("antioquia", country="CO")
    stranger = create_user("mod@antioquia.example", roles={other: ["moderator"]})
    assert client.get(f"{base}/{row.id}").status_code in (302, 401, 403)

    client.login(moderator.email)
    detail = client.get(f"/t/{territory.slug}/consultations/{voice_consultation.id}?lang=en").get_data(as_text=True)
    assert f'href="{base}"' in detail
    listing = client.get(base + "?lang=en").get_data(as_text=True)
    assert "Tell us." in listing and f'src="{base}/{row.id}"' in listing and "Write down this recording" in listing
    heard = client.get(f"{base}/{row.id}")
    assert heard.status_code == 200 and heard.data == expected and heard.headers["Cache-Control"] == "no-store"
    assert client.get(f"{base}/{row.id}", headers={"Range": "bytes=0-3"}).data == b"OggS"
    # A range past the end is refused as HTTP says (416), not answered with the whole sound.
    assert client.get(f"{base}/{row.id}", headers={"Range": "bytes=99999999-"}).status_code == 416
    saved = client.submit(f"{base}/{row.id}/transcript", {f"transcript-{row.id}-text": TRANSCRIPT}, form_url=base)
    assert saved.status_code == 302
    assert TRANSCRIPT in client.get(base).get_data(as_text=True)
    db.session.expire_all()
    assert transcripts([db.session.get(AnswerRecording, row.id)])[row.id] == TRANSCRIPT
    assert all(TRANSCRIPT.encode() not in v for v in raw_values(db))
    client.get("/logout")

    client.login(official.email)
    assert client.get(f"{base}/{row.id}").data == expected
    assert "Write down this recording" not in client.get(base + "?lang=en").get_data(as_text=True)
    assert (
        client.submit(f"{base}/{row.id}/transcript", {f"transcript-{row.id}-text": "x"}, form_url=base).status_code
        == 403
    )
    client.get("/logout")

    for person in (analyst, stranger):
        client.login(person.email)
        assert client.get(f"{base}/{row.id}").status_code in (403, 404)
        assert client.get(f"/t/antioquia/consultations/{voice_consultation.id}/recordings/{row.id}").status_code in (
            403,
            404,
        )
        client.get("/logout")


def test_not_audio_and_missing_consent_keep_what_was_typed(client, db, voice_consultation):
    _start(client)
    data = {"q-S1": "Lo que escribí.", "action": "next", "voice-consent-S1": "1"}
    data["voice-S1"] = (io.BytesIO(b"no es sonido " * 50), "nota.m4a")
    response = client.submit(
        f"/c/{SLUG}/p/p_story?lang=en", data, form_url=f"/c/{SLUG}/p/p_story", content_type="multipart/form-data"
    )
    html = response.get_data(as_text=True)
    assert "This file is not a sound recording consult can read." in html and "Lo que escribí." in html
    response = _record(client, **{"voice-consent-S1": ""})
    assert "tick the box saying you agree" in response.get_data(as_text=True)
    assert db.session.scalar(select(AnswerRecording)) is None


def test_a_draft_thrown_away_or_expired_takes_its_recording_with_it(client, db, voice_consultation):
    _start(client)
    assert _record(client).status_code == 302
    assert db.session.scalar(select(func.count(AnswerRecording.id))) == 1
    from datetime import timedelta

    from consult.core.db import utcnow

    draft = db.session.scalar(select(ResponseDraft))
    draft.expires_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    purge_expired()
    db.session.commit()
    assert db.session.scalar(select(func.count(AnswerRecording.id))) == 0


def test_key_rotation_reseals_answers_given_by_voice(app, client, db, voice_consultation):
    from consult.testimonies import crypto, rotation

    _start(client)
    assert _record(client).status_code == 302
    _send(client)
    row = db.session.scalars(select(AnswerRecording)).one()
    before = sealing.keyring().open(row.sealed_audio, where(row, "sealed_audio"))
    spec = crypto.new_key_spec("k-next") + "," + app.config["CONSULT_TESTIMONY_KEYS"]
    crypto.install_keyring(app, spec)
    report = rotation.rotate_keys(batch_size=1)
    assert report.resealed["answer_recordings"] == 1 and report.is_complete
    crypto.install_keyring(app, spec.split(",")[0])
    db.session.expire_all()
    row = db.session.get(AnswerRecording, row.id)
    assert row.key_id == "k-next" and sealing.keyring().open(row.sealed_audio, where(row, "sealed_audio")) == before


@pytest.fixture
def branching_consultation(create_territory, create_version, create_consultation, db):
    """A long-text question asked only to those who answer "yes" first."""
    territory = create_territory("salta", "Salta", "AR")
    definition = make_definition(
        pages=[
            {
                "key": "p_first",
                "title": tr("Primero", "First", "Primeiro"),
                "questions": [
                    question(
                        "S0",
                        "single_choice",
                        "¿Pasó algo?",
                        "Did something happen?",
                        "Aconteceu algo?",
                        options=[option("yes", "Sí", "Yes", "Sim"), option("no", "No", "No", "Não")],
                    )
                ],
            },
            {
                "key": "p_story",
                "title": tr("Su historia", "Your story", "A sua história"),
                "when": {"==": [{"answer": "S0"}, "yes"]},
                "questions": [question("S1", "long_text", "Cuéntenos.", "Tell us.", "Conte-nos.", max_length=2000)],
            },
            {
                "key": "p_more",
                "title": tr("Más", "More", "Mais"),
                "questions": [question("S2", "short_text", "Algo más.", "Anything else.", "Algo mais.", max_length=40)],
            },
        ]
    )
    version = create_version(definition)
    return create_consultation(territory, groups={"rural_community": version}, slug=SLUG)


def test_a_recording_of_a_question_no_longer_asked_is_not_sent(client, db, branching_consultation):
    _start(client)
    assert client.submit(f"/c/{SLUG}/p/p_first", {"q-S0": "yes", "action": "next"}).status_code == 302
    assert _record(client).status_code == 302
    assert db.session.scalar(select(func.count(AnswerRecording.id))) == 1
    # The person goes back and changes the first answer: the story page leaves their path.
    assert client.submit(f"/c/{SLUG}/p/p_first", {"q-S0": "no", "action": "next"}).status_code == 302
    _send(client)
    assert db.session.scalar(select(func.count(Response.id))) == 1
    assert db.session.scalar(select(func.count(AnswerRecording.id))) == 0


@pytest.fixture
def required_story(create_territory, create_version, create_consultation, db):
    """A required long-text question: a recording alone answers it."""
    territory = create_territory("salta", "Salta", "AR")
    definition = make_definition(
        pages=[
            {
                "key": "p_story",
                "title": tr("Su historia", "Your story", "A sua história"),
                "questions": [
                    question("S1", "long_text", "Cuéntenos.", "Tell us.", "Conte-nos.", max_length=2000, required=True)
                ],
            },
            {
                "key": "p_more",
                "title": tr("Más", "More", "Mais"),
                "questions": [question("S2", "short_text", "Algo más.", "Anything else.", "Algo mais.", max_length=40)],
            },
        ]
    )
    version = create_version(definition)
    return create_consultation(territory, groups={"rural_community": version}, slug=SLUG)


def test_a_recording_answers_a_required_long_question(client, db, required_story):
    _start(client)
    # Neither typed nor recorded: the question needs an answer.
    empty = client.submit(f"/c/{SLUG}/p/p_story", {"q-S1": "", "action": "next"})
    assert empty.status_code == 200 and 'class="error-summary"' in empty.get_data(as_text=True)
    # Recorded instead of typed: the page is answered.
    assert _record(client).status_code == 302
    client.submit(f"/c/{SLUG}/p/p_more", {"q-S2": "", "action": "next"})
    review = client.get(f"/c/{SLUG}/review?lang=en").get_data(as_text=True)
    assert "A recording of 1 second, sent encrypted with your answers." in review
    assert "Some required questions have no answer yet" not in review
    _send(client)
    sent = db.session.scalar(select(Response))
    assert sent is not None
    assert db.session.scalars(select(AnswerRecording)).one().response_id == sent.id
