"""Codes people write down: receipt codes, resume codes, invitation tokens.

A code is shown once and stored only as a hash. Codes use Crockford's base32
alphabet (no I, L, O, U) in groups of four, so they can be read aloud, written
on paper and typed on a phone; what a person types is normalised before
hashing (case, spaces, hyphens, and the letters that look like digits).
"""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CONFUSABLE = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})


def new_code(length: int = 16) -> str:
    """A random code of ``length`` symbols (5 bits each), grouped by four: ``K7M2-9QXD-4HTR-B1CE``."""
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(length))
    return "-".join(symbols[i : i + 4] for i in range(0, length, 4))


def normalise_code(typed: str) -> str:
    """What a person typed, reduced to the code's symbols."""
    cleaned = "".join(ch for ch in (typed or "").upper() if ch.isalnum())
    return cleaned.translate(_CONFUSABLE)


def hash_code(code: str) -> str:
    """The SHA-256 hex digest of a normalised code: what the database keeps."""
    return hashlib.sha256(normalise_code(code).encode("ascii", "ignore")).hexdigest()


def new_token(nbytes: int = 24) -> str:
    """A URL-safe random token for links (invitations); store ``hash_code``-style with ``hash_token``."""
    return secrets.token_urlsafe(nbytes)


def hash_token(token: str) -> str:
    """The SHA-256 hex digest of a URL token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
