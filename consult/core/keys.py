"""Symmetric keys read from settings or, outside production, from files under ``instance/``.

The audit chain's HMAC key and the key sealing second-factor secrets share one shape: 32 bytes of
URL-safe base64 from a setting, or in development and tests a file created once with mode 0600.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from pathlib import Path

KEY_BYTES = 32


def new_key(size: int = KEY_BYTES) -> str:
    """A fresh key as URL-safe base64."""
    return base64.urlsafe_b64encode(os.urandom(size)).decode("ascii")


def decode_key(text: str, name: str, error: type[Exception], size: int = KEY_BYTES) -> bytes:
    """The bytes of a base64 key (standard or URL-safe alphabet, padding optional); ``error(message)`` if malformed.

    ``name`` says where the key came from, for the message; the key itself is never in it.
    """
    cleaned = text.strip().replace("+", "-").replace("/", "_")
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        key = base64.urlsafe_b64decode(cleaned.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise error(f"{name} is not valid base64") from None
    if len(key) != size:
        raise error(f"{name} must be {size} bytes of base64 (it is {len(key)})")
    return key


def instance_key(instance_path: str | Path, filename: str, size: int = KEY_BYTES) -> str:
    """The key kept in ``instance/<filename>``, created (mode 0600) on first use; development and tests only."""
    folder = Path(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    if not path.exists():
        temporary = folder / f".{filename}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(new_key(size) + "\n")
        try:
            os.link(temporary, path)  # never a half-written key for a process starting at the same moment
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return path.read_text().strip()
