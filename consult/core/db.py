"""The declarative base every model derives from, and small column helpers."""

from __future__ import annotations

import enum
import os
from datetime import UTC, date, datetime

from sqlalchemy import Enum, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so that Alembic migrations name (and can drop) the
# same constraints on SQLite and on PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every consult model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def str_enum(kind: type[enum.Enum], name: str) -> Enum:
    """A column type for ``kind`` stored as plain strings with a check constraint.

    No native PostgreSQL enum: adding a value then needs no ALTER TYPE, and the
    check constraint still guards the values on both databases.
    """
    return Enum(kind, name=name, native_enum=False, values_callable=lambda e: [m.value for m in e], length=40)


def utcnow() -> datetime:
    """The current UTC time as a naive datetime (stored the same on SQLite and PostgreSQL)."""
    return datetime.now(UTC).replace(tzinfo=None)


def utctoday() -> date:
    """Today's date in UTC."""
    return datetime.now(UTC).date()


def _sqlite_file(dbapi_connection) -> str | None:  # noqa: ANN001
    """The path of the main database file of a SQLite connection (None in memory)."""
    for _, name, path in dbapi_connection.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return path or None
    return None


def restrict_sqlite_files(path: str) -> None:
    """Make a SQLite database and its ``-wal``/``-shm``/``-journal`` files readable by their owner only (0600).

    The database holds answers and encrypted testimonies; the WAL holds the
    latest pages of it in clear. SQLite creates the side files with the
    database's mode, so the main file's mode is the one that matters most.
    """
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.chmod(path + suffix, 0o600)
        except FileNotFoundError:
            continue
        except PermissionError:
            # Someone else's file (a shared read-only copy): not ours to change.
            continue


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:  # noqa: ANN001
    """WAL lets readers work while a response is written; the busy timeout makes
    concurrent writers wait instead of failing; SQLite needs foreign keys turned on.
    The files are then made private (0600), whatever the umask they were created under."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
    path = _sqlite_file(dbapi_connection)
    if path:
        restrict_sqlite_files(path)
