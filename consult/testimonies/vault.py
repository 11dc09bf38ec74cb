"""Sealing and opening the sealed columns of testimony rows.

Each sealed value is bound to where it lives: the testimony it belongs to, the
table, the row and the column. A row's ``key_id`` names the key *all* its
sealed columns are under; sealing one column of a row that is still under an
older key first re-seals the others, so the row never mixes keys and key
rotation can trust ``key_id``.

Opening is never done here for a person: views go through ``audit.open_*``,
which writes the audit log first.
"""

from __future__ import annotations

from typing import Any

from consult.testimonies import crypto
from consult.testimonies.models import (
    SEALED_MODELS,
    Testimony,
    TestimonyAddition,
    TestimonyDraft,
    TestimonyExcerpt,
    TestimonyMessage,
    TestimonyRecording,
)

_FIELDS = {model: fields for model, fields in SEALED_MODELS}
# Which sealed columns hold JSON rather than text.
_JSON_FIELDS = {(Testimony, "sealed_answers"), (TestimonyDraft, "sealed_state")}


def where(row: Any, field: str) -> str:
    """The associated data binding ``row.field``: testimony, table, row id, column."""
    table = type(row).__tablename__
    if isinstance(row, Testimony):
        return crypto.context("testimonies", row.id, field)
    if isinstance(row, (TestimonyExcerpt, TestimonyMessage, TestimonyAddition)):
        return crypto.context("testimonies", row.testimony_id, table, row.id, field)
    if isinstance(row, TestimonyRecording):
        # A recording belongs to a draft until the testimony is sent, then to the testimony.
        if row.testimony_id is not None:
            return crypto.context("testimonies", row.testimony_id, table, row.id, field)
        return crypto.context("testimony_drafts", row.draft_id, table, row.id, field)
    if isinstance(row, TestimonyDraft):
        return crypto.context(table, row.id, row.token_hash, field)
    raise crypto.CryptoError(f"{table} has no sealed columns")


def _open_raw(row: Any, field: str) -> bytes | None:
    envelope = getattr(row, field)
    return None if envelope is None else crypto.keyring().open(envelope, where(row, field))


def _bring_row_to_current_key(row: Any) -> None:
    ring = crypto.keyring()
    if row.key_id == ring.current_id:
        return
    for field in _FIELDS[type(row)]:
        plain = _open_raw(row, field)
        if plain is not None:
            setattr(row, field, ring.seal(plain, where(row, field)))
    row.key_id = ring.current_id


def seal(row: Any, field: str, value: Any) -> None:
    """Seal ``value`` (text, or JSON for answers and drafts) into ``row.field``; ``None`` clears it.

    The row must have an id (flush first): the id is part of the associated data.
    """
    if field not in _FIELDS[type(row)]:
        raise crypto.CryptoError(f"{field} is not a sealed column")
    _bring_row_to_current_key(row)
    if value is None:
        setattr(row, field, None)
        return
    where_ = where(row, field)
    if (type(row), field) in _JSON_FIELDS:
        setattr(row, field, crypto.seal_json(value, where_))
    else:
        setattr(row, field, crypto.seal_text(str(value), where_))


def unseal(row: Any, field: str) -> Any:
    """Open ``row.field`` (text, or JSON). Callers acting for a person must audit first."""
    where_ = where(row, field)
    if (type(row), field) in _JSON_FIELDS:
        return crypto.open_json(getattr(row, field), where_)
    return crypto.open_text(getattr(row, field), where_)


def reseal_row(row: Any) -> bool:
    """Re-seal every sealed column of ``row`` under the current key; True if anything changed."""
    if row.key_id == crypto.keyring().current_id:
        return False
    _bring_row_to_current_key(row)
    return True


def wipe(row: Any) -> None:
    """Forget every sealed column of ``row``."""
    for field in _FIELDS[type(row)]:
        setattr(row, field, None)
