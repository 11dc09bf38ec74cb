"""Audio prompts (issue 14): synthesised on demand and kept, replaced by recordings, served to who may hear them."""

from __future__ import annotations

import io
import math
import re
import struct
import wave

import pytest
from sqlalchemy import func, select

from consult.core import audio
from consult.core.audio import AudioError
from consult.surveys import prompts
from consult.surveys.audio_models import AudioPrompt

A1 = "pages.p_place.questions.A1.text"
A1_HELP = "pages.p_place.questions.A1.help"  # no Guarani text: Spanish shows in its place
A0 = "pages.p_intro.questions.A0.text"


def wav(seconds: float = 1.0, rate: int = 8000, pitch: float = 440.0) -> bytes:
    """A mono 16-bit WAV of a sine tone."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        frames = int(seconds * rate)
        w.writeframes(
            b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * pitch * i / rate))) for i in range(frames))
        )
    return out.getvalue()


@pytest.fixture
def guarani(db, create_territory, create_user, create_consultation):
    """Salta with an open consultation in es and gn answering the (published) community survey."""
    from consult.accounts.services import import_localities
    from consult.surveys import services

    territory = create_territory("salta", "Salta", "AR", enabled_languages=["es", "gn"])
    import_localities(territory, "code,name,area\n66028,Cafayate,Valles\n")
    create_user("olga@salta.example", "Olga Oficial", roles={territory: ["official"]})
    other = create_territory("antioquia", "Antioquia", "CO")
    create_user("otto@antioquia.example", "Otto Oficial", roles={other: ["official"]})
    loaded = {load.key: load.version for load in services.load_library()}
    version = loaded["community_risk"]
    if not version.is_published:
        services.publish(version)
    db.session.commit()
    consultation = create_consultation(
        territory, groups={"rural_community": version}, languages=("es", "gn"), slug="riesgos-salta-gn"
    )
    return territory, consultation, version


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(AudioPrompt))


def test_a_synthesised_prompt_is_made_on_the_first_request_and_kept(guarani, db, monkeypatch):
    _territory, _consultation, version = guarani
    made = []
    original = audio.synthesise
    monkeypatch.setattr(audio, "synthesise", lambda text, lang: made.append((text, lang)) or original(text, lang))

    first = prompts.prompt_for(version, A1, "gn")
    db.session.commit()
    again = prompts.prompt_for(version, A1, "gn")

    assert first.source == "synthesised" and first.mime_type == "audio/ogg" and first.seconds > 0.5
    assert first.audio.startswith(b"OggS")
    assert again.id == first.id and again.digest == first.digest
    assert made == [("Mba'e távape térã mamópa reiko?", "gn")]
    assert _count(db) == 1


def test_no_prompt_for_a_fallback_text_nor_for_a_language_without_voice(guarani, db):
    _territory, _consultation, version = guarani
    assert prompts.prompt_for(version, A1_HELP, "gn") is None  # written in Spanish only
    assert prompts.prompt_for(version, A1, "mzh") is None  # eSpeak NG has no Wichí voice
    assert prompts.prompt_for(version, "pages.p_place.questions.NOPE.text", "gn") is None
    assert _count(db) == 0


def test_a_recording_replaces_the_synthesised_prompt(guarani, db):
    territory, _consultation, version = guarani
    synthesised = prompts.prompt_for(version, A1, "gn")
    db.session.commit()
    old = synthesised.digest

    recorded = prompts.record(version, A1, "gn", wav(1.5), None)
    db.session.commit()

    assert recorded.id == synthesised.id and recorded.source == "recorded" and recorded.digest != old
    assert 1.4 < recorded.seconds < 1.6
    assert prompts.prompt_for(version, A1, "gn").digest == recorded.digest
    assert version.recorded_audio == {"gn": {A1: recorded.digest}}
    assert _count(db) == 1

    # Removing it brings the synthesised voice back on the next request.
    assert prompts.remove_recording(version, A1, "gn")
    db.session.commit()
    back = prompts.prompt_for(version, A1, "gn")
    db.session.commit()
    assert back.source == "synthesised" and version.recorded_audio == {}


def test_a_language_without_voice_is_heard_only_by_recording(guarani, db):
    _territory, _consultation, version = guarani
    prompts.record(version, A1, "mzh", wav(1.0), None)
    db.session.commit()
    assert prompts.prompt_for(version, A1, "mzh").source == "recorded"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"this is not a sound at all" * 40, "not a sound recording consult can read"),
        (b"", "The file is empty."),
        (None, "longer than 3 minutes"),
    ],
)
def test_a_bad_upload_is_refused_with_a_message_and_nothing_is_lost(guarani, db, data, message):
    _territory, _consultation, version = guarani
    kept = prompts.prompt_for(version, A1, "gn")
    db.session.commit()
    digest = kept.digest
    with pytest.raises(AudioError) as refused:
        prompts.record(version, A1, "gn", wav(181, rate=4000) if data is None else data, None)
    db.session.rollback()
    assert message in str(refused.value.message)
    again = prompts.prompt_for(version, A1, "gn")
    assert again.source == "synthesised" and again.digest == digest and _count(db) == 1


def test_a_stale_synthesised_prompt_is_made_again_when_the_text_changes(db, create_version, make_definition):
    from consult.surveys import services
    from tests.fixtures.survey_definitions import question

    definition = make_definition([question("Q1", "short_text")], languages=["es", "en", "pt"])
    version = create_version(definition)
    path = "pages.p1.questions.Q1.text"
    first = prompts.prompt_for(version, path, "es")
    db.session.commit()
    first_id, first_digest, first_hash = first.id, first.digest, first.text_hash
    services.update_texts(version, "es", {path: "¿Cuántas personas viven en su casa?"}, [])
    db.session.commit()
    remade = prompts.prompt_for(version, path, "es")
    db.session.commit()
    assert remade.id == first_id and _count(db) == 1
    assert remade.digest != first_digest and remade.text_hash != first_hash


def test_the_sound_is_public_for_an_open_consultation_with_a_long_cache(guarani, client, db):
    _territory, _consultation, version = guarani
    url = f"/audio/{version.id}/gn/{A1}"
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "audio/ogg"
    assert response.headers["Cache-Control"] == "public, no-cache" and response.headers["ETag"]
    prompt = prompts.prompt_for(version, A1, "gn")
    keyed = client.get(url + "?v=s" + prompt.text_hash)
    assert "immutable" in keyed.headers["Cache-Control"] and keyed.data == response.data
    again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert client.get(f"/audio/{version.id}/mzh/{A1}").status_code == 404
    assert client.get(f"/audio/{version.id}/gn/{A1_HELP}").status_code == 404


def test_a_draft_is_heard_only_by_its_territory_officials(guarani, client, db, create_version, make_definition):
    from tests.fixtures.survey_definitions import question

    territory, _consultation, _version = guarani
    draft = create_version(make_definition([question("Q1", "short_text")]), territory)
    url = f"/audio/{draft.id}/es/pages.p1.questions.Q1.text"
    assert client.get(url).status_code == 404
    client.login("otto@antioquia.example")
    assert client.get(url).status_code == 404
    client.get("/logout")
    client.post("/logout", data={"csrf_token": client.csrf_token("/")})
    client.login("olga@salta.example")
    shown = client.get(url)
    assert shown.status_code == 200 and shown.headers["Cache-Control"].startswith("private")


def _screen(version, lang="gn", section="where_who"):
    base = f"/t/salta/instruments/{version.instrument_id}/versions/{version.number}/audio"
    return f"{base}?language={lang}&section={section}"


def test_an_official_uploads_a_recording_on_the_audio_screen(guarani, client, db):
    _territory, _consultation, version = guarani
    client.login("olga@salta.example")
    url = _screen(version)
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Mba&#39;e távape térã mamópa reiko?" in html or "Mba'e távape térã mamópa reiko?" in html
    assert 'accept="audio/*"' in html and "se genera la primera vez que alguien escucha" in html

    token = client.csrf_token(url)
    refused = client.post(
        url,
        data={"csrf_token": token, "path": A1, "file": (io.BytesIO(b"not audio" * 50), "a.wav")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 302
    shown = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "no es una grabación de sonido que consult pueda leer" in shown
    assert _count(db) == 0

    sent = client.post(
        url,
        data={"csrf_token": token, "path": A1, "file": (io.BytesIO(wav(1.2)), "voz.wav")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302
    shown = client.get(url).get_data(as_text=True)
    assert "The recording of “Question A1” was saved." in shown or "recorded" in shown
    row = re.search(r'id="t-pages-p_place-questions-A1-text".*?</li>', shown, re.S).group(0)
    assert 'data-state="recorded"' in row
    prompt = prompts.prompt_for(version, A1, "gn")
    assert prompt.source == "recorded" and f"v=r{prompt.digest}" in row

    removed = client.post(url, data={"csrf_token": token, "path": A1, "action": "remove"})
    assert removed.status_code == 302
    row = re.search(r'id="t-pages-p_place-questions-A1-text".*?</li>', client.get(url).get_data(as_text=True), re.S)
    assert 'data-state="on_request"' in row.group(0)


def test_officials_of_another_territory_cannot_open_the_screen(guarani, client, db):
    _territory, _consultation, version = guarani
    client.login("otto@antioquia.example")
    assert client.get(_screen(version)).status_code == 403


def test_the_answering_page_offers_listen_controls_in_guarani(guarani, client, db):
    _territory, consultation, version = guarani
    slug = consultation.slug
    client.get(f"/c/{slug}/?lang=gn")
    client.submit(f"/c/{slug}/start", form_url=f"/c/{slug}/")
    location = client.submit(f"/c/{slug}/group", {"group_code": "rural_community"}).headers["Location"]
    html = client.get(location).get_data(as_text=True)
    controls = re.findall(r'<details class="listen">.*?</details>', html, re.S)
    assert controls, html[:3000]
    assert all('preload="none"' in c for c in controls)
    intro = next(c for c in controls if f"/audio/{version.id}/gn/{A0}" in c)
    assert 'lang="gn"' in intro and "aria-label=" in intro


def test_a_file_too_large_keeps_the_screen_with_a_message(guarani, client, app, db):
    _territory, _consultation, version = guarani
    client.login("olga@salta.example")
    url = _screen(version)
    token = client.csrf_token(url)
    # The audio screen takes recordings: its limit is the recording one, not MAX_CONTENT_LENGTH.
    limit = app.config["MAX_RECORDING_LENGTH"]
    app.config["MAX_RECORDING_LENGTH"] = 20_000
    try:
        sent = client.post(
            url,
            data={"csrf_token": token, "path": A1, "file": (io.BytesIO(wav(3.0)), "long.wav")},
            content_type="multipart/form-data",
        )
    finally:
        app.config["MAX_RECORDING_LENGTH"] = limit
    assert sent.status_code in (302, 413)
    shown = client.get(url) if sent.status_code == 302 else sent
    assert "supera el tamaño máximo" in shown.get_data(as_text=True)
    assert _count(db) == 0


def test_two_first_requests_at_once_share_one_prompt(guarani, db, monkeypatch):
    _territory, _consultation, version = guarani
    made = prompts.prompt_for(version, A1, "gn")
    db.session.commit()
    # The second request looked before the first had stored its prompt: its insert meets the unique constraint.
    original = prompts._find
    calls = []

    def late(*args):
        calls.append(1)
        return None if len(calls) <= 2 else original(*args)

    monkeypatch.setattr(prompts, "_find", late)
    db.session.expire_all()
    version.definition  # noqa: B018  (loaded again before the race)
    again = prompts.prompt_for(version, A1, "gn")
    db.session.commit()
    assert again.id == made.id and _count(db) == 1


def test_a_territory_version_is_public_once_an_open_consultation_asks_it(
    guarani, client, db, create_version, make_definition, create_consultation
):
    from consult.surveys import services
    from tests.fixtures.survey_definitions import question

    territory, _consultation, _version = guarani
    version = create_version(make_definition([question("Q1", "short_text")]), territory)
    services.publish(version)
    db.session.commit()
    url = f"/audio/{version.id}/es/pages.p1.questions.Q1.text"
    assert client.get(url).status_code == 404  # published, but no open consultation asks it
    create_consultation(territory, groups={"rural_community": version}, state="draft", slug="borrador")
    assert client.get(url).status_code == 404
    create_consultation(territory, groups={"rural_community": version}, slug="abierta")
    shown = client.get(url)
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "public, no-cache"


def test_a_new_version_takes_over_recordings_whose_text_did_not_change(
    guarani, client, db, create_version, make_definition
):
    from consult.surveys import services
    from tests.fixtures.survey_definitions import question

    territory, _consultation, _version = guarani
    territory.enabled_languages = ["es", "gn", "mzh"]
    first = create_version(make_definition([question("Q1", "short_text"), question("Q2", "short_text")]), territory)
    q1, q2 = "pages.p1.questions.Q1.text", "pages.p1.questions.Q2.text"
    prompts.record(first, q1, "mzh", wav(1.0), None)
    prompts.record(first, q2, "mzh", wav(1.0, pitch=300), None)
    db.session.commit()
    second = services.new_draft(first)
    db.session.commit()
    services.update_texts(second, "es", {q2: "Otra pregunta"}, [])
    db.session.commit()

    client.login("olga@salta.example")
    screen = f"/t/salta/instruments/{second.instrument_id}/versions/{second.number}/audio?language=mzh&section=s1"
    html = client.get(screen).get_data(as_text=True)
    row = re.search(r'id="t-pages-p1-questions-Q1-text".*?</li>', html, re.S).group(0)
    assert 'data-state="recorded"' in row  # same text: the recording comes along
    row = re.search(r'id="t-pages-p1-questions-Q2-text".*?</li>', html, re.S).group(0)
    assert 'data-state="no_voice"' in row  # the Spanish it reads changed: recorded again, not reused
    assert prompts.prompt_for(second, q1, "mzh").digest == prompts.prompt_for(first, q1, "mzh").digest

    # Removed from the new version, it does not come back from the old one
    prompts.remove_recording(second, q1, "mzh")
    db.session.commit()
    html = client.get(screen).get_data(as_text=True)
    row = re.search(r'id="t-pages-p1-questions-Q1-text".*?</li>', html, re.S).group(0)
    assert 'data-state="no_voice"' in row
