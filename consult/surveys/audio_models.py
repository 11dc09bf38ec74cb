"""Audio prompts: a text of an instrument version read aloud in one language.

A prompt is either *recorded* (an official uploaded a person's voice: the right
choice for indigenous languages, which eSpeak NG speaks with a foreign accent
or not at all) or *synthesised* (made with eSpeak NG on the first request and
kept). A synthesised prompt remembers a hash of the text it was made from, so
when the text changes it is stale and is made again; a recorded one stays
until someone removes or replaces it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from consult.core.db import utcnow
from consult.extensions import db

RECORDED = "recorded"
SYNTHESISED = "synthesised"


class AudioPrompt(db.Model):
    """One text (by its text path) of one version read aloud in one language."""

    __tablename__ = "audio_prompts"
    __table_args__ = (UniqueConstraint("instrument_version_id", "path", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_version_id: Mapped[int] = mapped_column(
        ForeignKey("instrument_versions.id", ondelete="CASCADE"), index=True
    )
    #: The text path, as translations use it (``pages.P.questions.Q.text``).
    path: Mapped[str] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(16))
    #: ``recorded`` or ``synthesised``.
    source: Mapped[str] = mapped_column(String(12))
    #: Ogg Opus bytes; deferred so that listing prompts does not read the sound.
    audio: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    mime_type: Mapped[str] = mapped_column(String(40))
    seconds: Mapped[float] = mapped_column(Float)
    #: ``texts.source_hash`` of the text the prompt was made from (a synthesised prompt is stale when it differs).
    text_hash: Mapped[str] = mapped_column(String(16))
    #: A fingerprint of the audio: the ETag and the cache key in the listen control's address.
    digest: Mapped[str] = mapped_column(String(16))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def is_recorded(self) -> bool:
        """True for a person's recording."""
        return self.source == RECORDED

    def __repr__(self) -> str:
        return f"<AudioPrompt {self.instrument_version_id} {self.language} {self.path} {self.source}>"
