"""A checked spreadsheet kept on the server for the next step ("Import", "Download every problem").

After "Check the file" the official should not have to attach the file again.
The bytes are kept in a folder of their own (``CONSULT_IMPORTS_DIR``, by
default ``instance/imports``; a temporary folder in tests), readable by the
application only (mode 0600, folder 0700), under a name derived from a random
token. The token is kept in the signed session, never in a URL, beside the
consultation it was checked for; the file's metadata names the account and the
consultation, and a file is handed back only to that account for that
consultation. A kept file is bounded in size (the upload limit) and in time
(``KEEP_SECONDS``); it is deleted after the import, when replaced by another
file, when it expires (``purge_expired``, run on every visit of the import page
and by ``flask responses purge-drafts``).
"""

from __future__ import annotations

import functools
import json
import os
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, session

from consult.core.codes import hash_token

#: How long a checked file is kept for the next step.
KEEP_SECONDS = 3600
SESSION_KEY = "import_files"


@dataclass(frozen=True)
class KeptFile:
    """A checked file handed back for the next step."""

    data: bytes
    filename: str


@functools.lru_cache(maxsize=None)
def _testing_dir() -> str:
    # Tests never write under the working tree (as config.py does for exports).
    return tempfile.mkdtemp(prefix="consult-imports-")


def folder() -> Path:
    """The folder kept files wait in (made, mode 0700, when missing)."""
    configured = current_app.config.get("CONSULT_IMPORTS_DIR")
    if configured:
        path = Path(configured)
    elif current_app.config.get("TESTING"):
        path = Path(_testing_dir())
    else:
        path = Path(current_app.instance_path) / "imports"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _paths(token: str) -> tuple[Path, Path]:
    # The file name is the token's hash: a listing of the folder does not give the session's token.
    name = hash_token(token)
    base = folder()
    return base / f"{name}.data", base / f"{name}.json"


def _write(path: Path, content: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(content)


def _limit() -> int:
    return int(current_app.config.get("MAX_CONTENT_LENGTH") or 8 * 1024 * 1024)


def keep(data: bytes, filename: str, user_id: int, consultation_id: int) -> bool:
    """Keep ``data`` for ``user_id``'s next step on ``consultation_id``; the token goes in the session.

    Replaces (and deletes) the file kept before for the same consultation.
    Returns ``False`` (nothing kept) for a file above the upload limit.
    """
    discard(consultation_id)
    if len(data) > _limit():
        return False
    token = secrets.token_urlsafe(32)
    data_path, meta_path = _paths(token)
    _write(data_path, data)
    meta = {"user": user_id, "consultation": consultation_id, "filename": filename[:255], "at": time.time()}
    _write(meta_path, json.dumps(meta).encode("utf-8"))
    tokens = dict(session.get(SESSION_KEY) or {})
    tokens[str(consultation_id)] = token
    session[SESSION_KEY] = tokens
    return True


def _meta(meta_path: Path) -> dict | None:
    try:
        return json.loads(meta_path.read_text("utf-8"))
    except (OSError, ValueError):
        return None


def load(user_id: int, consultation_id: int) -> KeptFile | None:
    """The file ``user_id`` checked for ``consultation_id``, if it is still kept; else ``None``."""
    token = (session.get(SESSION_KEY) or {}).get(str(consultation_id))
    if not token or not isinstance(token, str):
        return None
    data_path, meta_path = _paths(token)
    meta = _meta(meta_path)
    if meta is None or meta.get("user") != user_id or meta.get("consultation") != consultation_id:
        return None
    if time.time() - float(meta.get("at", 0)) > KEEP_SECONDS:
        discard(consultation_id)
        return None
    try:
        data = data_path.read_bytes()
    except OSError:
        return None
    return KeptFile(data, str(meta.get("filename", "")))


def discard(consultation_id: int) -> None:
    """Delete the file kept in this session for ``consultation_id`` (after the import, or when replaced)."""
    tokens = dict(session.get(SESSION_KEY) or {})
    token = tokens.pop(str(consultation_id), None)
    if SESSION_KEY in session:
        session[SESSION_KEY] = tokens
    if isinstance(token, str) and token:
        for path in _paths(token):
            path.unlink(missing_ok=True)


def purge_expired(now: float | None = None) -> int:
    """Delete every kept file older than ``KEEP_SECONDS``; returns how many files were deleted."""
    now = time.time() if now is None else now
    count = 0
    for meta_path in folder().glob("*.json"):
        meta = _meta(meta_path)
        try:
            born = float(meta["at"]) if meta else meta_path.stat().st_mtime
        except (OSError, KeyError, TypeError, ValueError):
            continue
        if now - born > KEEP_SECONDS:
            meta_path.with_suffix(".data").unlink(missing_ok=True)
            meta_path.unlink(missing_ok=True)
            count += 1
    # A data file whose metadata is gone (a crash between the two writes) goes after the same time.
    for data_path in folder().glob("*.data"):
        try:
            if not data_path.with_suffix(".json").exists() and now - data_path.stat().st_mtime > KEEP_SECONDS:
                data_path.unlink(missing_ok=True)
        except OSError:
            continue
    return count
