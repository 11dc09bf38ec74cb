"""Key rotation: re-seal every sealed row under the current key, in committed batches.

How to rotate (also in docs/threat-model.md):

1. Make a key: ``flask --app consult testimonies new-key k2026`` prints ``k2026:…``.
2. Put it *first* in ``CONSULT_TESTIMONY_KEYS`` on every app process, keeping the
   old keys after it (``k2026:…,k2025:…``) and restart them: new content is now
   sealed under ``k2026``, old content still opens.
3. Run ``flask --app consult testimonies rotate-keys``. Each batch is re-sealed and
   committed; rows carry their key id, so if the run stops (crash, deploy,
   Ctrl+C) running it again continues where it stopped.
4. When it reports no row left under an old key, remove that key from the
   environment (and from backups' key escrow, by your own policy).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import func, select

from consult.core import sealing
from consult.extensions import db
from consult.testimonies import audit, crypto, vault
from consult.testimonies.models import SEALED_MODELS, Actor, Testimony, TestimonyDraft


@dataclass
class RotationReport:
    """Rows re-sealed per table, and rows still under other keys (0 everywhere when done)."""

    resealed: dict[str, int] = field(default_factory=dict)
    remaining: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Rows re-sealed in this run."""
        return sum(self.resealed.values())

    @property
    def is_complete(self) -> bool:
        """True when no row is left under an old key."""
        return not any(self.remaining.values())


def key_usage() -> dict[str, dict[str, int]]:
    """For each sealed table, how many rows are under each key id."""
    usage: dict[str, dict[str, int]] = {}
    for model, _fields in SEALED_MODELS:
        rows = db.session.execute(
            select(model.key_id, func.count(model.id)).where(model.key_id.is_not(None)).group_by(model.key_id)
        ).all()
        usage[model.__tablename__] = {key_id: count for key_id, count in rows}
    for table, (_reseal, counts) in sealing.rotated_tables().items():
        usage[table] = counts()
    return usage


def _old_rows(model: type, current: str, batch_size: int) -> list:
    return list(
        db.session.scalars(
            select(model).where(model.key_id.is_not(None), model.key_id != current).order_by(model.id).limit(batch_size)
        )
    )


def rotate_keys(batch_size: int = 100, on_batch: Callable[[str, int], None] | None = None) -> RotationReport:
    """Re-seal every row not under the current key; commit after each batch.

    Every testimony whose content is re-sealed gets an audit event (purpose
    ``rotate-keys``, actor system): rotation decrypts. ``on_batch(table, n)`` is
    called after each committed batch (the CLI prints progress with it).
    """
    current = crypto.keyring().current_id
    report = RotationReport()
    audited: set[int] = set()
    for model, _fields in SEALED_MODELS:
        table = model.__tablename__
        report.resealed[table] = 0
        while True:
            rows = _old_rows(model, current, batch_size)
            if not rows:
                break
            for row in rows:
                vault.reseal_row(row)
                if model is TestimonyDraft:
                    continue
                testimony = row if isinstance(row, Testimony) else row.testimony
                if testimony is None:
                    continue  # a recording still with its draft: nobody's testimony yet
                if testimony.id not in audited:
                    audited.add(testimony.id)
                    audit.record(testimony, "rotate-keys", Actor.SYSTEM)
            db.session.commit()
            report.resealed[table] += len(rows)
            if on_batch is not None:
                on_batch(table, len(rows))
    # Tables of other rooms sealed with the same ring (survey answers given by voice).
    for table, (reseal_batch, _usage) in sealing.rotated_tables().items():
        report.resealed[table] = 0
        while True:
            count = reseal_batch(current, batch_size)
            if not count:
                break
            db.session.commit()
            report.resealed[table] += count
            if on_batch is not None:
                on_batch(table, count)
    report.remaining = {table: {k: n for k, n in usage.items() if k != current} for table, usage in key_usage().items()}
    return report
