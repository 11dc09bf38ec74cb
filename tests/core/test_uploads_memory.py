"""Recordings are parsed in memory, and only the pages that take one accept a recording's size."""

from __future__ import annotations

import io

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from consult.core.uploads_memory import ConsultRequest
from tests.fixtures.testimonies import full_answers
from tests.testimonies.test_public_flow import page_data
from tests.testimonies.test_voice_narrative import STORY_PAGE, _cso_to_story, setting  # noqa: F401


def _post_multipart(client, url: str, fields: dict):
    """POST a multipart body built in memory (the test client would spool a large one to a file it leaves open)."""
    boundary, body = encode_multipart(fields)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_every_request_is_a_consult_request_that_spools_nothing_to_disk(app):
    assert app.request_class is ConsultRequest
    with app.test_request_context("/", method="POST"):
        from flask import request

        stream = request._get_file_stream(50 * 1024 * 1024, "audio/ogg", "long.ogg")
        assert isinstance(stream, io.BytesIO)


def test_a_large_recording_reaches_the_testimony_page_and_gets_its_message(client, setting):  # noqa: F811
    _consultation, instrument, _cso, user = setting
    answers = full_answers(F1="no", F3=None, D1=None)
    story = _cso_to_story(client, instrument, user, answers)
    data = page_data(instrument, STORY_PAGE, answers)
    # Twelve megabytes: over the general 8 MB limit, under the recording limit (24 MB).
    data["voice-D1"] = FileStorage(io.BytesIO(b"\x00not sound" * 1_200_000), "long.m4a", content_type="audio/mp4")
    data["voice-consent-D1"] = "1"
    data["action"] = "next"
    data["csrf_token"] = client.csrf_token(story)
    response = _post_multipart(client, story, data)
    assert response.status_code == 400
    assert "Este archivo no es una grabación de sonido que consult pueda leer." in response.get_data(as_text=True)


def test_over_the_recording_limit_is_refused_and_other_pages_keep_the_general_limit(client, setting):  # noqa: F811
    _consultation, instrument, _cso, user = setting
    answers = full_answers(F1="no", F3=None, D1=None)
    story = _cso_to_story(client, instrument, user, answers)
    data = page_data(instrument, STORY_PAGE, answers)
    data["voice-D1"] = FileStorage(io.BytesIO(b"\x00" * (25 * 1024 * 1024)), "huge.wav", content_type="audio/wav")
    response = _post_multipart(client, story, data)
    assert response.status_code == 413
    big = {"file": FileStorage(io.BytesIO(b"\x00" * (9 * 1024 * 1024)), "big.bin")}
    assert _post_multipart(client, "/login", big).status_code == 413
