"""Spoken accounts: a recording given instead of typing a long answer, sealed like the text.

A recording is re-encoded first (``consult.core.audio.transcode``: mono Ogg Opus,
nothing of the upload's metadata kept), then sealed whole with the testimony key
ring, bound to its row and column (``vault.where``). It never touches the disk in
clear and is never logged. While the testimony is written it belongs to the
draft; sending moves it to the testimony and re-seals it there. Only staff who
read the testimony (moderators and officials of its territory) hear it, and every
hearing is written to the audit log. Withdrawal and the retention purge delete it
(``consent.erase_content``); rotation re-seals it (it is in ``SEALED_MODELS``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from consult.core import audio
from consult.core.db import utcnow
from consult.extensions import db
from consult.testimonies import audit, crypto, vault
from consult.testimonies.errors import TestimonyError
from consult.testimonies.models import Actor, Testimony, TestimonyDraft, TestimonyRecording

#: Ten minutes of speech is a long account; longer ones are refused with a message.
MAX_SECONDS = 600.0
#: What one recording may weigh before decoding (a phone's 10-minute M4A is ~10 MB).
MAX_BYTES = 16 * 1024 * 1024
TRANSCRIPT_LIMIT = 20000


def field_names(question_key: str) -> tuple[str, str, str]:
    """The names of the file input, the consent box and the delete box of a question's recording control."""
    return f"voice-{question_key}", f"voice-consent-{question_key}", f"voice-delete-{question_key}"


def offered(draft: TestimonyDraft | None) -> bool:
    """Recording is offered on every testimony form: a CSO records the account it gathers, and a person
    giving their own testimony may tell it rather than write it (many who sought remedy read or write little).
    """
    return draft is not None


def _seal_audio(row: TestimonyRecording, data: bytes) -> None:
    # Every sealed column of a row is under the row's key: bring the others along first.
    vault.reseal_row(row)
    ring = crypto.keyring()
    row.key_id = ring.current_id
    row.sealed_audio = ring.seal(data, vault.where(row, "sealed_audio"))


def of_draft(draft: TestimonyDraft) -> dict[str, TestimonyRecording]:
    """The draft's recordings by question key."""
    rows = db.session.scalars(
        select(TestimonyRecording).where(TestimonyRecording.draft_id == draft.id).order_by(TestimonyRecording.id)
    )
    return {row.question_key: row for row in rows}


def of_testimony(testimony: Testimony) -> list[TestimonyRecording]:
    """The testimony's recordings, in the order they were made."""
    return list(
        db.session.scalars(
            select(TestimonyRecording)
            .where(TestimonyRecording.testimony_id == testimony.id)
            .order_by(TestimonyRecording.id)
        )
    )


def save_for_draft(draft: TestimonyDraft, question_key: str, data: bytes) -> TestimonyRecording:
    """Re-encode ``data`` and keep it sealed with the draft for ``question_key`` (replacing an earlier one).

    Raises ``audio.AudioError`` (translated message) for what is not usable sound.
    """
    if len(data) > MAX_BYTES:
        raise audio.AudioError(
            _l("The recording is larger than %(mb)d MB. Please send a shorter one.", mb=MAX_BYTES // (1024 * 1024))
        )
    sound = audio.transcode(data, max_seconds=MAX_SECONDS)
    remove_from_draft(draft, question_key)
    row = TestimonyRecording(draft_id=draft.id, question_key=question_key, seconds=round(sound.seconds, 2))
    db.session.add(row)
    db.session.flush()  # the id is part of the associated data
    _seal_audio(row, sound.data)
    db.session.flush()
    return row


def remove_from_draft(draft: TestimonyDraft, question_key: str) -> None:
    """Forget the draft's recording for ``question_key`` (if any)."""
    db.session.execute(
        delete(TestimonyRecording).where(
            TestimonyRecording.draft_id == draft.id, TestimonyRecording.question_key == question_key
        )
    )
    db.session.flush()


def attach_to_testimony(draft: TestimonyDraft, testimony: Testimony) -> int:
    """Move the draft's recordings to the testimony just made, re-sealed for their new place."""
    moved = 0
    for row in of_draft(draft).values():
        ring = crypto.keyring()
        audio_ = ring.open(row.sealed_audio, vault.where(row, "sealed_audio")) if row.sealed_audio else None
        transcript = vault.unseal(row, "sealed_transcript")
        row.draft_id = None
        row.testimony_id = testimony.id
        row.key_id = None
        row.sealed_audio = row.sealed_transcript = None
        if audio_ is not None:
            _seal_audio(row, audio_)
        if transcript is not None:
            vault.seal(row, "sealed_transcript", transcript)
        moved += 1
    db.session.flush()
    return moved


@dataclass
class Heard:
    """A recording opened for a reader: the Ogg Opus bytes."""

    recording: TestimonyRecording
    data: bytes


def find(testimony: Testimony, recording_id: int) -> TestimonyRecording | None:
    """The testimony's recording ``recording_id`` (None if it belongs to another one or is gone)."""
    row = db.session.get(TestimonyRecording, recording_id)
    if row is None or row.testimony_id != testimony.id or row.sealed_audio is None:
        return None
    return row


def listen(recording: TestimonyRecording, user: Any, *, audit_it: bool = True) -> Heard:
    """Audit, then open the recording's sound for ``user`` (staff who may read the testimony)."""
    if audit_it:
        audit.record(recording.testimony, "moderation.listen", Actor.STAFF, user)
    data = crypto.keyring().open(recording.sealed_audio, vault.where(recording, "sealed_audio"))
    return Heard(recording, data)


def transcripts(recordings: Iterable[TestimonyRecording]) -> dict[int, str | None]:
    """Open the transcripts of recordings shown on a page whose reading is already audited."""
    return {row.id: vault.unseal(row, "sealed_transcript") for row in recordings}


def transcribe(recording: TestimonyRecording, text: str | None, user: Any) -> None:
    """Keep a moderator's transcript, sealed; an empty text removes it."""
    testimony = recording.testimony
    if testimony is None or testimony.is_closed:
        raise TestimonyError(_l("This testimony has been withdrawn or deleted."), "text")
    cleaned = (text or "").replace("\x00", "").strip()
    if len(cleaned) > TRANSCRIPT_LIMIT:
        raise TestimonyError(_l("The transcript is longer than %(n)d characters.", n=TRANSCRIPT_LIMIT), "text")
    vault.seal(recording, "sealed_transcript", cleaned or None)
    recording.transcribed_by_id = getattr(user, "id", None) if cleaned else None
    recording.transcribed_at = utcnow() if cleaned else None
    db.session.flush()


def spoken_instead(form: Any, keys: Iterable[str]) -> bool:
    """Let a recording stand for a required long answer left empty; True if the page form is then valid.

    ``keys`` are the questions of the page that have a recording kept.
    """
    return form.excuse_empty(keys)


def take_from_request(
    draft: TestimonyDraft, question_keys: Iterable[str], files: Mapping[str, Any], form: Mapping[str, Any]
) -> dict[str, str]:
    """Read the recording controls of a page: save, replace or delete each question's recording.

    Returns the translated error per question key (empty when everything was fine).
    """
    errors: dict[str, str] = {}
    existing = of_draft(draft)
    for key in question_keys:
        file_name, consent_name, delete_name = field_names(key)
        upload = files.get(file_name)
        data = b""
        if upload is not None and upload.filename is not None:
            data = upload.stream.read(MAX_BYTES + 1)
        if data:
            if not form.get(consent_name):
                errors[key] = str(
                    _l("To send a recording, tick the box saying you agree to it being recorded and kept.")
                )
                continue
            try:
                save_for_draft(draft, key, data)
            except audio.AudioError as error:
                errors[key] = str(error.message)
            finally:
                data = b""
        elif form.get(delete_name) and key in existing:
            remove_from_draft(draft, key)
        elif form.get(consent_name) and key not in existing:
            errors[key] = str(_l("Choose or make a recording, or untick the box to type your answer."))
    return errors
