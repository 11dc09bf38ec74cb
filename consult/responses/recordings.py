"""Survey long-text answers given by voice (issue 14): recorded, sealed, kept with the draft, sent once.

Same rules as a testimony's recorded account (``consult.testimonies.recordings``;
the two rooms do not import each other, so the few lines are repeated here):
the recording is re-encoded (``consult.core.audio.transcode``), sealed whole with
the key ring of ``consult.core.sealing`` bound to its row and column, kept with
the draft (deleted with it when it expires or is thrown away: ``ON DELETE
CASCADE``), and moved to the response inside the transaction that turns the
draft into one response (``sending.send``), so it is attached exactly once.
Moderators and officials of the consultation's territory hear it; moderators
write a transcript, sealed beside the answer. The transcript is *not* copied into
the answer's text: answer text is stored in clear for analysis, and a voice
account is more identifying than typed words, so it stays sealed and is read on
the recordings page (an analyst codes it from there).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, DateTime, Float, ForeignKey, LargeBinary, String, UniqueConstraint, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import User
from consult.core import audio, sealing
from consult.core.db import utcnow, utctoday
from consult.extensions import db
from consult.responses.models import Consultation, Response, ResponseDraft

MAX_SECONDS = 600.0
MAX_BYTES = 16 * 1024 * 1024
TRANSCRIPT_LIMIT = 20000


class AnswerRecording(db.Model):
    """A spoken long-text answer: with its draft while answering, then with its response."""

    __tablename__ = "answer_recordings"
    __table_args__ = (
        UniqueConstraint("draft_id", "question_key", name="uq_answer_recordings_draft_question"),
        UniqueConstraint("response_id", "question_key", name="uq_answer_recordings_response_question"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("response_drafts.id", ondelete="CASCADE"), index=True)
    response_id: Mapped[int | None] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    question_key: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str | None] = mapped_column(String(32), index=True)
    sealed_audio: Mapped[bytes | None] = mapped_column(LargeBinary)
    sealed_transcript: Mapped[bytes | None] = mapped_column(LargeBinary)
    seconds: Mapped[float] = mapped_column(Float)
    recorded_on: Mapped[date] = mapped_column(Date, default=utctoday)
    transcribed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    transcribed_at: Mapped[datetime | None] = mapped_column(DateTime)

    consultation: Mapped[Consultation] = relationship()
    response: Mapped[Response | None] = relationship()
    transcribed_by: Mapped[User | None] = relationship()


def where(row: AnswerRecording, field: str) -> str:
    """The associated data binding ``row.field``: its draft or response, the table, the row, the column."""
    if row.response_id is not None:
        return sealing.context("responses", row.response_id, "answer_recordings", row.id, field)
    return sealing.context("response_drafts", row.draft_id, "answer_recordings", row.id, field)


def _open(row: AnswerRecording, field: str) -> bytes | None:
    envelope = getattr(row, field)
    return None if envelope is None else sealing.keyring().open(envelope, where(row, field))


def _seal_all(row: AnswerRecording, audio_: bytes | None, transcript: bytes | None) -> None:
    ring = sealing.keyring()
    row.key_id = ring.current_id
    row.sealed_audio = None if audio_ is None else ring.seal(audio_, where(row, "sealed_audio"))
    row.sealed_transcript = None if transcript is None else ring.seal(transcript, where(row, "sealed_transcript"))


def field_names(question_key: str) -> tuple[str, str, str]:
    """The names of the file input, the consent box and the delete box of a question's recording control."""
    return f"voice-{question_key}", f"voice-consent-{question_key}", f"voice-delete-{question_key}"


def of_draft(draft: ResponseDraft) -> dict[str, AnswerRecording]:
    """The draft's recordings by question key."""
    rows = db.session.scalars(
        select(AnswerRecording).where(AnswerRecording.draft_id == draft.id).order_by(AnswerRecording.id)
    )
    return {row.question_key: row for row in rows}


def of_consultation(consultation: Consultation) -> list[AnswerRecording]:
    """The recorded answers of sent responses of ``consultation``, oldest first."""
    return list(
        db.session.scalars(
            select(AnswerRecording)
            .where(AnswerRecording.consultation_id == consultation.id, AnswerRecording.response_id.is_not(None))
            .order_by(AnswerRecording.id)
        )
    )


def save_for_draft(draft: ResponseDraft, question_key: str, data: bytes) -> AnswerRecording:
    """Re-encode ``data`` and keep it sealed with the draft (replacing an earlier one); raises ``AudioError``."""
    if len(data) > MAX_BYTES:
        raise audio.AudioError(
            _l("The recording is larger than %(mb)d MB. Please send a shorter one.", mb=MAX_BYTES // (1024 * 1024))
        )
    sound = audio.transcode(data, max_seconds=MAX_SECONDS)
    remove_from_draft(draft, question_key)
    row = AnswerRecording(
        consultation_id=draft.consultation_id,
        draft_id=draft.id,
        question_key=question_key,
        seconds=round(sound.seconds, 2),
    )
    db.session.add(row)
    db.session.flush()  # the id is part of the associated data
    _seal_all(row, sound.data, None)
    db.session.flush()
    return row


def remove_from_draft(draft: ResponseDraft, question_key: str) -> None:
    """Forget the draft's recording for ``question_key`` (if any)."""
    db.session.execute(
        delete(AnswerRecording).where(
            AnswerRecording.draft_id == draft.id, AnswerRecording.question_key == question_key
        )
    )
    db.session.flush()


def attach_to_response(
    draft: ResponseDraft,
    response: Response,
    keys: Callable[[], Iterable[str]] | None = None,
    *,
    held: Mapping[str, AnswerRecording] | None = None,
) -> int:
    """Move the draft's recordings to the response, re-sealed there.

    ``keys`` gives the questions the person was still asked; it is called only when the draft
    holds a recording (working it out replays the path, which most sendings need not do again).
    ``held``: the draft's recordings when the caller has read them already.
    """
    held = of_draft(draft) if held is None else held
    wanted = None if keys is None or not held else set(keys())
    moved = 0
    for key, row in held.items():
        if wanted is not None and key not in wanted:
            db.session.delete(row)  # a question no longer on the path: its recording goes with it
            continue
        audio_, transcript = _open(row, "sealed_audio"), _open(row, "sealed_transcript")
        row.draft_id, row.response_id = None, response.id
        _seal_all(row, audio_, transcript)
        moved += 1
    db.session.flush()
    return moved


def find(consultation: Consultation, recording_id: int) -> AnswerRecording | None:
    """A sent recording of ``consultation`` (None for another consultation's, a draft's, or none)."""
    row = db.session.get(AnswerRecording, recording_id)
    if row is None or row.consultation_id != consultation.id or row.response_id is None or row.sealed_audio is None:
        return None
    return row


def sound_of(recording: AnswerRecording) -> bytes:
    """The recording's Ogg Opus bytes (for a reader the view has checked)."""
    return _open(recording, "sealed_audio") or b""


def transcripts(rows: Iterable[AnswerRecording]) -> dict[int, str | None]:
    """The opened transcripts of ``rows``."""
    found = {}
    for row in rows:
        raw = _open(row, "sealed_transcript")
        found[row.id] = None if raw is None else raw.decode("utf-8")
    return found


def transcribe(recording: AnswerRecording, text: str | None, user: Any) -> None:
    """Keep a moderator's transcript, sealed; an empty text removes it."""
    cleaned = (text or "").replace("\x00", "").strip()[:TRANSCRIPT_LIMIT]
    ring = sealing.keyring()
    if recording.key_id != ring.current_id:
        _seal_all(recording, _open(recording, "sealed_audio"), _open(recording, "sealed_transcript"))
    recording.sealed_transcript = (
        ring.seal(cleaned.encode("utf-8"), where(recording, "sealed_transcript")) if cleaned else None
    )
    recording.transcribed_by_id = getattr(user, "id", None) if cleaned else None
    recording.transcribed_at = utcnow() if cleaned else None
    db.session.flush()


def take_from_request(
    draft: ResponseDraft, question_keys: Iterable[str], files: Mapping[str, Any], form: Mapping[str, Any]
) -> dict[str, str]:
    """Read the page's recording controls: save, replace or delete; the translated error per question key."""
    errors: dict[str, str] = {}
    existing = of_draft(draft)
    for key in question_keys:
        file_name, consent_name, delete_name = field_names(key)
        upload = files.get(file_name)
        data = upload.stream.read(MAX_BYTES + 1) if upload is not None and upload.filename is not None else b""
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
        elif form.get(delete_name) and key in existing:
            remove_from_draft(draft, key)
        elif form.get(consent_name) and key not in existing:
            errors[key] = str(_l("Choose or make a recording, or untick the box to type your answer."))
    return errors


def reseal_batch(current: str, batch_size: int) -> int:
    """Re-seal up to ``batch_size`` recordings not under the key ``current`` (key rotation); how many."""
    rows = list(
        db.session.scalars(
            select(AnswerRecording)
            .where(AnswerRecording.key_id.is_not(None), AnswerRecording.key_id != current)
            .order_by(AnswerRecording.id)
            .limit(batch_size)
        )
    )
    for row in rows:
        _seal_all(row, _open(row, "sealed_audio"), _open(row, "sealed_transcript"))
    db.session.flush()
    return len(rows)


def key_usage() -> dict[str, int]:
    """How many recordings are under each key id."""
    rows = db.session.execute(
        select(AnswerRecording.key_id, func.count(AnswerRecording.id))
        .where(AnswerRecording.key_id.is_not(None))
        .group_by(AnswerRecording.key_id)
    ).all()
    return {key_id: count for key_id, count in rows}


sealing.register_rotated_table(AnswerRecording.__tablename__, reseal_batch, key_usage)
