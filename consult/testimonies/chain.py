"""Tamper-evident audit logs: every audit entry is a link of a chain of keyed hashes.

Each registered audit table (the testimony readings here, the export log in
``consult.exports``) is one chain. When an entry is flushed, it gets:

* ``chain_seq``: its place in the chain (1, 2, 3…);
* ``chain_record``: what it says, frozen as canonical JSON (ids and codes, never content);
* ``chain_prev``: the previous link's hash (64 zeros for the first);
* ``chain_hash``: HMAC-SHA256 under the audit key of ``name | chain_prev | chain_record``.

Whoever changes a row without the key cannot make a matching hash; deleting or
moving a row breaks the next link. ``flask --app consult audit verify`` walks
every chain and says where it breaks. The key is never stored in the database.

Appends are serialised per chain on the chain's head row (``audit_chain_heads``):
``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite a write to the head row takes
the database's write lock first. Two requests writing audit entries at once
therefore never fork the chain: the second waits until the first commits.

A few columns legitimately change after an entry is written: a ``SET NULL``
foreign key when the testimony, account, consultation or export job is deleted.
Those columns may read NULL; the frozen record still names the original id.
Columns that are updated on purpose (an export's outcome) are not in the record.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any

from flask import current_app
from sqlalchemy import event, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consult.core import keys
from consult.core.db import utcnow
from consult.core.keys import decode_key, instance_key
from consult.testimonies.models import AuditChainHead, DecryptionEvent

GENESIS = "0" * 64
KEY_BYTES = 32
_EXTENSION = "consult.audit_key"


class AuditKeyError(RuntimeError):
    """The audit key is missing or malformed."""


@dataclass(frozen=True)
class Chain:
    """One audit table chained by keyed hashes."""

    name: str
    model: type
    #: The columns frozen into each entry's record, in order.
    fields: tuple[str, ...]
    #: Columns a ``SET NULL`` foreign key may empty later without it being tampering.
    may_become_null: tuple[str, ...] = ()
    #: Values for columns whose default SQLAlchemy would only fill in at INSERT (the record needs them before).
    defaults: dict[str, Any] = field(default_factory=dict)


CHAINS: dict[str, Chain] = {}


def register(chain: Chain) -> Chain:
    """Make ``chain.model`` a chained audit table (rooms above this one register their own logs)."""
    CHAINS[chain.name] = chain
    return chain


register(
    Chain(
        "testimony_audit",
        DecryptionEvent,
        ("territory_id", "testimony_id", "user_id", "actor", "purpose", "occurred_at"),
        may_become_null=("testimony_id", "user_id"),
        defaults={"occurred_at": utcnow},
    )
)


# -- the key -----------------------------------------------------------------------------------------


def _decode(text: str) -> bytes:
    return decode_key(text, "CONSULT_AUDIT_KEY", AuditKeyError, KEY_BYTES)


def new_key() -> str:
    """A fresh value for ``CONSULT_AUDIT_KEY``."""
    return keys.new_key(KEY_BYTES)


def audit_key() -> bytes:
    """The HMAC key: ``CONSULT_AUDIT_KEY`` (app config, else the environment); outside production,
    ``instance/audit_key``. Production without one raises ``AuditKeyError``."""
    app = current_app._get_current_object()
    cached = app.extensions.get(_EXTENSION)
    if cached is not None:
        return cached
    spec = app.config.get("CONSULT_AUDIT_KEY")
    if spec is None:
        spec = os.environ.get("CONSULT_AUDIT_KEY", "")
    if not spec:
        if app.config.get("CONSULT_ENV") == "production":
            raise AuditKeyError(
                "no audit key: set CONSULT_AUDIT_KEY (make one with `flask --app consult audit new-key`); "
                "keep it outside the database and its backups"
            )
        spec = instance_key(app.instance_path, "audit_key", KEY_BYTES)
    key = _decode(spec)
    app.extensions[_EXTENSION] = key
    return key


def forget_key() -> None:
    """Drop the cached key (tests, and a restart after changing it)."""
    current_app.extensions.pop(_EXTENSION, None)


# -- records and hashes ------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def record_of(chain: Chain, row: Any) -> str:
    """The canonical JSON of what ``row`` says (its chained columns)."""
    return json.dumps(
        {name: _plain(getattr(row, name)) for name in chain.fields}, sort_keys=True, separators=(",", ":")
    )


def digest(key: bytes, chain_name: str, prev: str, record: str) -> str:
    """HMAC-SHA256 of one link, hex."""
    message = f"consult.audit.v1|{chain_name}|{prev}|{record}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


# -- appending ---------------------------------------------------------------------------------------


def _lock_head(session: Session, chain: Chain) -> tuple[int, str]:
    """Lock the chain's head row (creating it if missing) and return ``(last_seq, last_hash)``."""
    connection = session.connection()
    table = AuditChainHead.__table__
    is_sqlite = connection.dialect.name == "sqlite"
    query = select(table.c.last_seq, table.c.last_hash).where(table.c.name == chain.name)
    for _attempt in range(2):
        if is_sqlite:
            # A write first: it takes SQLite's write lock (waiting for busy_timeout) before the head is read,
            # so no other connection can append between our read and our commit.
            connection.execute(update(table).where(table.c.name == chain.name).values(last_seq=table.c.last_seq))
        else:
            query = query.with_for_update()
        head = connection.execute(query).first()
        if head is not None:
            return int(head.last_seq), head.last_hash
        # No head yet (a new database, or emptied tables): make it, unless another transaction just did.
        try:
            with connection.begin_nested():
                connection.execute(insert(table).values(name=chain.name, last_seq=0, last_hash=GENESIS))
        except IntegrityError:
            continue
    head = connection.execute(query).first()
    return int(head.last_seq), head.last_hash


def _link(session: Session, chain: Chain, rows: list[Any]) -> None:
    """Give ``rows`` (new entries of ``chain``) their place, record and hash; move the head."""
    key = audit_key()
    seq, prev = _lock_head(session, chain)
    for row in rows:
        for name, value in chain.defaults.items():
            if getattr(row, name) is None:
                setattr(row, name, value() if callable(value) else value)
        seq += 1
        row.chain_seq = seq
        row.chain_prev = prev
        row.chain_record = record_of(chain, row)
        row.chain_hash = prev = digest(key, chain.name, prev, row.chain_record)
    table = AuditChainHead.__table__
    session.connection().execute(update(table).where(table.c.name == chain.name).values(last_seq=seq, last_hash=prev))


@event.listens_for(Session, "before_flush")
def _chain_new_entries(session: Session, flush_context, instances) -> None:  # noqa: ANN001
    """Every new audit entry becomes the next link of its chain, whoever wrote it."""
    by_chain: dict[str, list[Any]] = {}
    for obj in session.new:
        for chain in CHAINS.values():
            if isinstance(obj, chain.model) and getattr(obj, "chain_hash", None) is None:
                by_chain.setdefault(chain.name, []).append(obj)
    for name, rows in by_chain.items():
        # Oldest first where the rows say when they happened; the id is not known before the INSERT.
        _link(session, CHAINS[name], rows)


# -- sealing entries written before the chain ------------------------------------------------------------


def seal_unchained(session: Session, chain: Chain, batch_size: int = 500) -> int:
    """Chain, in id order, the entries written before the chain existed; returns how many (safe to rerun)."""
    sealed = 0
    while True:
        rows = list(
            session.scalars(
                select(chain.model).where(chain.model.chain_hash.is_(None)).order_by(chain.model.id).limit(batch_size)
            )
        )
        if not rows:
            return sealed
        _link(session, chain, rows)
        session.commit()
        sealed += len(rows)


# -- verifying ---------------------------------------------------------------------------------------


@dataclass
class Problem:
    """One place where a chain breaks."""

    chain: str
    entry_id: int | None
    kind: str  # altered, deleted, reordered, unsealed, truncated
    detail: str

    def __str__(self) -> str:
        where = f"entry {self.entry_id}" if self.entry_id is not None else "end of chain"
        return f"{self.chain}: {where}: {self.kind}: {self.detail}"


@dataclass
class Report:
    """What ``verify`` found in one chain."""

    chain: str
    entries: int = 0
    head_hash: str = GENESIS
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the chain is whole."""
        return not self.problems


def _live_mismatch(chain: Chain, row: Any, record: str) -> str | None:
    """Which column no longer says what the frozen record says (``None`` when all agree)."""
    try:
        frozen = json.loads(record)
    except ValueError:
        return "its record is not readable"
    for name in chain.fields:
        live = _plain(getattr(row, name))
        if name not in frozen:
            return f"its record lacks {name}"
        if live != frozen[name] and not (live is None and name in chain.may_become_null):
            return f"{name} was changed"
    return None


def _walk(session: Session, chain: Chain) -> list[Any]:
    return list(
        session.scalars(select(chain.model).where(chain.model.chain_seq.is_not(None)).order_by(chain.model.chain_seq))
    )


def verify(session: Session, chain: Chain) -> Report:
    """Walk ``chain`` in order and report every link that does not hold."""
    key = audit_key()
    report = Report(chain.name)
    unsealed = session.scalar(select(chain.model.id).where(chain.model.chain_hash.is_(None)).order_by(chain.model.id))
    if unsealed is not None:
        report.problems.append(
            Problem(chain.name, unsealed, "unsealed", "entries outside the chain; run `flask audit seal` once")
        )
    prev_hash, expected_seq = GENESIS, 1
    rows = list(_walk(session, chain))
    all_hashes = {row.chain_hash: row.id for row in rows}
    for row in rows:
        report.entries += 1
        if digest(key, chain.name, row.chain_prev or "", row.chain_record or "") != row.chain_hash:
            report.problems.append(
                Problem(chain.name, row.id, "altered", "its hash does not match its record (changed in the database)")
            )
        elif (mismatch := _live_mismatch(chain, row, row.chain_record)) is not None:
            report.problems.append(Problem(chain.name, row.id, "altered", mismatch))
        if row.chain_prev != prev_hash:
            if row.chain_seq != expected_seq and row.chain_prev not in all_hashes:
                missing = row.chain_seq - expected_seq
                report.problems.append(
                    Problem(
                        chain.name,
                        row.id,
                        "deleted",
                        f"{missing} entr{'y' if missing == 1 else 'ies'} missing before it "
                        f"(positions {expected_seq}–{row.chain_seq - 1})",
                    )
                )
            elif row.chain_prev in all_hashes:
                report.problems.append(
                    Problem(
                        chain.name,
                        row.id,
                        "reordered",
                        f"it follows entry {all_hashes[row.chain_prev]} in the chain, not the one before it here",
                    )
                )
            else:
                report.problems.append(
                    Problem(chain.name, row.id, "deleted", "the entry before it is missing or was replaced")
                )
        elif row.chain_seq != expected_seq:
            report.problems.append(
                Problem(chain.name, row.id, "altered", f"its position was changed from {expected_seq}")
            )
        prev_hash, expected_seq = row.chain_hash, row.chain_seq + 1
    head = session.get(AuditChainHead, chain.name)
    if head is None and rows:
        report.problems.append(Problem(chain.name, None, "deleted", "the chain's head row is missing"))
    elif head is not None and (head.last_seq, head.last_hash) != (expected_seq - 1, prev_hash):
        report.problems.append(
            Problem(
                chain.name,
                None,
                "deleted",
                f"the chain should end at position {head.last_seq}; the last entry found is at {expected_seq - 1}",
            )
        )
    report.head_hash = prev_hash
    return report


def verify_all(session: Session) -> list[Report]:
    """Verify every registered chain."""
    return [verify(session, chain) for chain in CHAINS.values()]
