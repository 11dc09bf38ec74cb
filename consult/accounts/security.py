"""Per-account login throttling, and the tables of account security (recovery codes, failure counters).

The limiter in ``views`` counts attempts per address; an attacker spreading a slow guess over many
addresses is stopped here, by a counter of recent failures per *account name* (the email typed).
The counter is keyed by a keyed hash of the normalised email, so that it exists, grows and locks in
exactly the same way whether or not an account with that email exists: throttling never reveals
which emails are registered, and the table holds no email in clear.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import DateTime, ForeignKey, Integer, String, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from consult.core.db import utcnow
from consult.extensions import db

#: Failures allowed (per account name, within ``FAILURE_MEMORY``) before the account is locked.
FREE_FAILURES = 10
#: The first lock; each further failure doubles it, up to ``MAX_LOCK``.
FIRST_LOCK = timedelta(minutes=1)
MAX_LOCK = timedelta(hours=1)
#: Failures older than this are forgotten.
FAILURE_MEMORY = timedelta(hours=24)


class RecoveryCode(db.Model):
    """A one-time code that stands in for the second factor (its SHA-256 only; the code is shown once)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class LoginThrottle(db.Model):
    """Recent failed logins (password or second factor) for one account name, and the lock they caused."""

    __tablename__ = "login_throttles"

    # HMAC-SHA256 (keyed with the application's secret) of the normalised email, in hex.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)


@dataclass(frozen=True)
class Locked:
    """An account name is locked: try again in ``retry_after`` seconds."""

    retry_after: int


def throttle_key(email: str) -> str:
    """The counter key of ``email``: a keyed hash, so the table does not list who tried which address."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, email.strip().lower().encode(), hashlib.sha256).hexdigest()


def _row(email: str) -> LoginThrottle | None:
    return db.session.get(LoginThrottle, throttle_key(email))


def lock_for(failures: int) -> timedelta | None:
    """How long an account name is locked after ``failures`` recent failures (``None``: not locked)."""
    if failures < FREE_FAILURES:
        return None
    # Exponential: 1, 2, 4 … minutes, so a slow guess gets slower with every miss.
    doubling = min(failures - FREE_FAILURES, 16)
    return min(FIRST_LOCK * (2**doubling), MAX_LOCK)


def check_locked(email: str, now: datetime | None = None) -> Locked | None:
    """``Locked`` when ``email`` may not try to log in now, else ``None`` (same for known and unknown emails)."""
    now = now or utcnow()
    row = _row(email)
    if row is None or row.locked_until is None or row.locked_until <= now:
        return None
    return Locked(retry_after=max(1, math.ceil((row.locked_until - now).total_seconds())))


def record_failure(email: str, now: datetime | None = None) -> Locked | None:
    """Count a failed attempt for ``email``; returns ``Locked`` when this failure locks the account name."""
    now = now or utcnow()
    key = throttle_key(email)
    row = db.session.get(LoginThrottle, key)
    if row is None:
        row = LoginThrottle(key=key, failures=0, last_failure_at=now)
        try:
            # A savepoint: two first failures at once must not fail the request.
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:
            row = db.session.get(LoginThrottle, key)
            assert row is not None
    if now - row.last_failure_at > FAILURE_MEMORY:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    lock = lock_for(row.failures)
    row.locked_until = now + lock if lock else None
    db.session.flush()
    return Locked(retry_after=math.ceil(lock.total_seconds())) if lock else None


def clear_failures(email: str) -> None:
    """Forget the failures of ``email`` after a complete login (and any counter gone stale meanwhile)."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == throttle_key(email)))
    forget_old_failures()


def forget_old_failures(now: datetime | None = None) -> int:
    """Delete counters with no failure for ``FAILURE_MEMORY`` and no lock running; returns how many."""
    now = now or utcnow()
    result = db.session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.last_failure_at < now - FAILURE_MEMORY,
            (LoginThrottle.locked_until.is_(None)) | (LoginThrottle.locked_until < now),
        )
    )
    return result.rowcount
