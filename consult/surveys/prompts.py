"""Audio prompts: each text of a version read aloud, recorded by a person or synthesised with eSpeak NG.

``prompt_for`` gives what a listen control plays: the recording when there is
one, else a synthesised prompt, made on the first request (about 40 ms) and
kept; made again when the text it was made from has changed. A synthesised
prompt exists only for a text written in the language asked for (never for a
fallback-language text shown in its place) and only where eSpeak NG has a
voice: for Wichí (``mzh``) only a recording can speak.

Pages never synthesise: ``listener`` decides from what is at hand (the
version's index of recordings, loaded with it, and whether eSpeak NG has a
voice) whether a text gets a listen control, and the sound is made when the
person presses play.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask import url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.util import identity_key

from consult.accounts.permissions import allows, roles_for
from consult.core import audio
from consult.extensions import db
from consult.surveys.audio_models import RECORDED, SYNTHESISED, AudioPrompt
from consult.surveys.engine import find_text
from consult.surveys.models import InstrumentVersion
from consult.surveys.texts import source_hash

#: The key of ``InstrumentVersion.recorded_audio`` listing the languages whose recordings were taken over.
INHERITED = "~inherited"

#: The longest recording accepted (a question read slowly, with its options, fits easily).
MAX_RECORDING_SECONDS = 180


@lru_cache(maxsize=64)
def has_voice(language: str) -> bool:
    """Whether eSpeak NG can speak ``language`` (looked up once per process: it reads the voice files)."""
    return audio.voice_for(language) is not None


def digest_of(data: bytes) -> str:
    """A short fingerprint of audio bytes (ETag and cache key)."""
    return hashlib.sha256(data).hexdigest()[:16]


def text_of(version: InstrumentVersion, path: str, language: str) -> str | None:
    """The text at ``path`` written in ``language`` itself (no fallback), or ``None``."""
    node = find_text(version.definition, path)
    if not isinstance(node, dict):
        return None
    value = node.get(language)
    return value.strip() or None if isinstance(value, str) else None


def path_exists(version: InstrumentVersion, path: str) -> bool:
    """Whether ``path`` names a text of the version."""
    return isinstance(find_text(version.definition, path), dict)


def _find(version_id: int, path: str, language: str) -> AudioPrompt | None:
    return db.session.scalar(
        select(AudioPrompt).where(
            AudioPrompt.instrument_version_id == version_id,
            AudioPrompt.path == path,
            AudioPrompt.language == language,
        )
    )


def _store(version: InstrumentVersion, path: str, language: str, values: dict[str, Any]) -> AudioPrompt:
    """Insert or update the prompt of (version, path, language) with ``values``.

    Two first requests for the same prompt may race: the loser's insert meets
    the unique constraint inside a savepoint and it updates the winner's row.
    """
    existing = _find(version.id, path, language)
    if existing is None:
        try:
            with db.session.begin_nested():
                made = AudioPrompt(instrument_version_id=version.id, path=path, language=language, **values)
                db.session.add(made)
            return made
        except IntegrityError:
            existing = _find(version.id, path, language)
            if existing is None:
                raise
    for name, value in values.items():
        setattr(existing, name, value)
    return existing


def prompt_for(version: InstrumentVersion, path: str, language: str) -> AudioPrompt | None:
    """The prompt to play: the recording, else a synthesised one (made or remade now if needed), else ``None``."""
    existing = _find(version.id, path, language)
    if existing is not None and existing.is_recorded:
        return existing
    text = text_of(version, path, language)
    if text is None or not has_voice(language):
        return None
    wanted = source_hash(text)
    if existing is not None and existing.text_hash == wanted:
        return existing
    if existing is not None:
        # Someone else may have remade it meanwhile; either way the text is what counts.
        db.session.refresh(existing)
        if existing.is_recorded or existing.text_hash == wanted:
            return existing
    try:
        sound = audio.synthesise(text, language)
    except LookupError:
        return None
    return _store(
        version,
        path,
        language,
        {
            "source": SYNTHESISED,
            "audio": sound.data,
            "mime_type": sound.mime_type,
            "seconds": sound.seconds,
            "text_hash": wanted,
            "digest": digest_of(sound.data),
            "uploaded_by_id": None,
        },
    )


def _set_index(version: InstrumentVersion, language: str, path: str, digest: str | None) -> None:
    """Keep ``InstrumentVersion.recorded_audio`` in step (a new dict, so the JSON column sees the change)."""
    index = {
        lang: (dict(paths) if isinstance(paths, dict) else paths)
        for lang, paths in (version.recorded_audio or {}).items()
    }
    if digest is None:
        index.get(language, {}).pop(path, None)
        if not index.get(language):
            index.pop(language, None)
    else:
        index.setdefault(language, {})[path] = digest
    version.recorded_audio = index


def record(version: InstrumentVersion, path: str, language: str, data: bytes, user: Any) -> AudioPrompt:
    """Keep an uploaded recording as the prompt of ``path`` in ``language``, replacing what was there.

    The upload is checked and re-encoded first (``core.audio.transcode``, at most
    three minutes); ``AudioError`` (with a translated message) leaves everything
    as it was. The text need not exist in ``language``: a recording is how a
    language written by no one on the team gets its prompts.
    """
    if not path_exists(version, path):
        raise KeyError(path)
    sound = audio.transcode(data, max_seconds=MAX_RECORDING_SECONDS)
    digest = digest_of(sound.data)
    prompt = _store(
        version,
        path,
        language,
        {
            "source": RECORDED,
            "audio": sound.data,
            "mime_type": sound.mime_type,
            "seconds": sound.seconds,
            "text_hash": recorded_hash(version, path, language),
            "digest": digest,
            "uploaded_by_id": getattr(user, "id", None),
        },
    )
    _set_index(version, language, path, digest)
    return prompt


def recorded_hash(version: InstrumentVersion, path: str, language: str) -> str:
    """What a recording was made from: the text in its language, else the fallback text it renders.

    A later version whose text gives the same hash can take the recording over.
    """
    text = text_of(version, path, language) or text_of(version, path, version.fallback_language) or ""
    return source_hash(text)


def inherit_recordings(version: InstrumentVersion, language: str | None = None) -> int:
    """Take over the recordings of earlier versions of the instrument whose text has not changed.

    A new version is a new set of text paths; recordings are kept per version,
    so without this a new draft (or a copy made for a territory) would lose them.
    Returns how many were taken over; the caller commits.
    """
    if version.id is None:
        return 0
    done = list((version.recorded_audio or {}).get(INHERITED) or [])
    if language is not None and language in done:
        return 0  # once per language: a recording removed here must not come back
    query = (
        select(AudioPrompt, InstrumentVersion.number)
        .join(InstrumentVersion, InstrumentVersion.id == AudioPrompt.instrument_version_id)
        .where(
            InstrumentVersion.instrument_id == version.instrument_id,
            InstrumentVersion.number < version.number,
            AudioPrompt.source == RECORDED,
        )
        .order_by(InstrumentVersion.number.desc(), AudioPrompt.id)
    )
    if language is not None:
        query = query.where(AudioPrompt.language == language)
    have = {
        (p.path, p.language)
        for p in db.session.scalars(
            select(AudioPrompt).where(AudioPrompt.instrument_version_id == version.id, AudioPrompt.source == RECORDED)
        )
    }
    taken = 0
    for old, _number in db.session.execute(query):
        key = (old.path, old.language)
        if key in have or not path_exists(version, old.path):
            continue
        have.add(key)  # the most recent version's recording wins
        if recorded_hash(version, old.path, old.language) != old.text_hash:
            continue
        _store(
            version,
            old.path,
            old.language,
            {
                "source": RECORDED,
                "audio": old.audio,
                "mime_type": old.mime_type,
                "seconds": old.seconds,
                "text_hash": old.text_hash,
                "digest": old.digest,
                "uploaded_by_id": old.uploaded_by_id,
            },
        )
        _set_index(version, old.language, old.path, old.digest)
        taken += 1
    if language is not None:
        version.recorded_audio = {**(version.recorded_audio or {}), INHERITED: sorted({*done, language})}
    return taken


def remove_recording(version: InstrumentVersion, path: str, language: str) -> bool:
    """Remove the recording of ``path`` in ``language`` (a synthesised prompt takes its place on request)."""
    existing = _find(version.id, path, language)
    _set_index(version, language, path, None)
    if existing is None or not existing.is_recorded:
        return False
    db.session.delete(existing)
    return True


def prompts_of(version: InstrumentVersion, language: str) -> dict[str, AudioPrompt]:
    """The stored prompts of a version in a language, by path (without their sound)."""
    rows = db.session.scalars(
        select(AudioPrompt)
        .where(AudioPrompt.instrument_version_id == version.id, AudioPrompt.language == language)
        .order_by(AudioPrompt.path)
    )
    return {row.path: row for row in rows}


# -- who may hear -------------------------------------------------------------------------------

STAFF = roles_for("instruments.manage")


def is_public(version: InstrumentVersion) -> bool:
    """True for a published version that the public may read.

    A published version of the shared library (its texts are public anyway, and
    testimony forms default to the library's), or one that an open consultation
    asks, of a group or for its testimonies. Consultations live in rooms above this
    one (imports flow downward), so their tables are read by name, not through models.
    """
    if not version.is_published:
        return False
    if version.instrument.is_library:
        return True
    tables = db.metadata.tables
    consultations = tables.get("consultations")
    if consultations is None:
        return False
    for name in ("consultation_groups", "testimony_settings"):
        table = tables.get(name)
        if table is None:
            continue
        found = db.session.execute(
            select(consultations.c.id)
            .join(table, table.c.consultation_id == consultations.c.id)
            .where(table.c.instrument_version_id == version.id, consultations.c.state == "open")
            .limit(1)
        ).first()
        if found is not None:
            return True
    return False


def territory_uses(territory_id: int, version: InstrumentVersion) -> bool:
    """True when a consultation of the territory asks ``version`` (read by table name, as ``is_public``)."""
    tables = db.metadata.tables
    groups, consultations = tables.get("consultation_groups"), tables.get("consultations")
    if groups is None or consultations is None:
        return False
    found = db.session.execute(
        select(consultations.c.id)
        .join(groups, groups.c.consultation_id == consultations.c.id)
        .where(groups.c.instrument_version_id == version.id, consultations.c.territory_id == territory_id)
        .limit(1)
    ).first()
    return found is not None


def may_hear(version: InstrumentVersion, user: Any) -> bool:
    """Anyone for a public version; else the officials of the instrument's territory and network admins."""
    if is_public(version):
        return True
    return allows(user, version.instrument.territory, STAFF)


# -- listen controls ----------------------------------------------------------------------------


@dataclass
class Listener:
    """What a page needs to give texts a listen control: the version, the language, the recordings known."""

    version_id: int
    language: str
    recorded: dict[str, str]
    voice: bool

    def url(self, path: str, content: Any = None) -> str | None:
        """The address of the prompt of ``path`` as ``content`` shows it, or ``None`` when there can be none.

        A text shown in a fallback language is read in that language (the
        control reads what the person sees). The address carries the recording's
        digest, or the text's hash, so the sound can be cached for good and a
        new recording gets a new address.
        """
        text = getattr(content, "text", content)
        if not text:
            return None
        language = getattr(content, "fallback", None) or self.language
        if language == self.language:
            digest = self.recorded.get(path)
            if digest:
                return self._url(path, language, "r" + digest)
            voice = self.voice
        else:
            voice = has_voice(language)
        if not voice:
            return None
        return self._url(path, language, "s" + source_hash(str(text)))

    def _url(self, path: str, language: str, key: str) -> str:
        return url_for("surveys.audio", version_id=self.version_id, lang=language, path=path, v=key)


def listener(form: Any) -> Listener | None:
    """The listen controls of a page form (``None``: no control on this page).

    Never queries: the version is taken from the session when the request has
    already loaded it (the answering flow has), else its recordings are not
    known here and only synthesised prompts are offered.
    """
    instrument = getattr(form, "instrument", None)
    context = getattr(form, "context", None)
    version_id = getattr(instrument, "version_id", None)
    if version_id is None or context is None:
        return None
    language = context.lang
    recorded: dict[str, str] = {}
    version = db.session.identity_map.get(identity_key(InstrumentVersion, version_id))
    if version is not None and "recorded_audio" in version.__dict__:
        recorded = dict((version.recorded_audio or {}).get(language) or {})
    return Listener(version_id, language, recorded, has_voice(language))


def page_path(question: Any, member: str) -> str:
    """The text path of a question's ``text`` or ``help``."""
    return f"pages.{question.page_key}.questions.{question.key}.{member}"


def option_path(question: Any, value: str) -> str:
    """The text path of an option's label."""
    return f"pages.{question.page_key}.questions.{question.key}.options.{value}.label"
