"""Authenticated encryption of sensitive content (AES-256-GCM with a key ring and a bound context).

Moved down from ``consult.testimonies.crypto`` so that every collecting room
(testimonies, and survey answers given by voice) seals with the same ring:
``CONSULT_TESTIMONY_KEYS``, installed by the testimonies room when the app
starts. Why AES-GCM, the envelope layout, the nonces and rotation are
explained in ``consult/testimonies/crypto.py``; nothing here changed in the
move (the associated-data prefix stays ``consult.testimony.v1|``, so every
existing ciphertext still opens). Each room binds its values to its own
contexts (``testimonies/12/…``, ``response_recordings/…``), so a value cannot be
moved from one room's row to another's.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass
from typing import Callable, Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

VERSION = 1
NONCE_BYTES = 12
KEY_BYTES = 32
KEY_ID_RE = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
_AAD_PREFIX = b"consult.testimony.v1|"
_EXTENSION = "consult.testimony_keys"


class CryptoError(Exception):
    """A value cannot be sealed or opened. Never carries the content."""


class KeyConfigError(CryptoError):
    """The key ring is malformed (bad id, bad base64, wrong length, duplicates)."""


class UnknownKey(CryptoError):
    """The ciphertext was sealed under a key that is not in the ring."""


class TamperedCiphertext(CryptoError):
    """The ciphertext, its header or its context do not authenticate."""


def context(*parts: object) -> str:
    """The associated data naming where a value lives: ``context("testimonies", 12, "answers")``."""
    if not parts:
        raise CryptoError("a context needs at least one part")
    for part in parts:
        if part is None or "|" in str(part) or str(part) == "":
            # A row without an id yet would bind every new row to the same context.
            raise CryptoError("a context part is empty or malformed")
    return "/".join(str(p) for p in parts)


def _decode_key(text: str) -> bytes:
    cleaned = text.strip().replace("+", "-").replace("/", "_")
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        return base64.urlsafe_b64decode(cleaned.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise KeyConfigError("a testimony key is not valid base64") from None


def new_key_spec(key_id: str) -> str:
    """A fresh ``id:base64key`` entry for ``CONSULT_TESTIMONY_KEYS``."""
    if not KEY_ID_RE.match(key_id):
        raise KeyConfigError("key ids use letters, digits, '.', '_' or '-', at most 32 characters")
    return f"{key_id}:" + base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode("ascii")


@dataclass(frozen=True)
class KeyRing:
    """The keys that seal and open testimony content; the first one seals."""

    keys: Mapping[str, bytes]
    current_id: str

    @classmethod
    def parse(cls, spec: str) -> "KeyRing":
        """Build a ring from ``id:base64key`` entries separated by commas or new lines."""
        entries = [e.strip() for e in re.split(r"[,\n]", spec or "") if e.strip()]
        if not entries:
            raise KeyConfigError("no testimony key is configured (CONSULT_TESTIMONY_KEYS)")
        keys: dict[str, bytes] = {}
        for entry in entries:
            key_id, sep, encoded = entry.partition(":")
            key_id = key_id.strip()
            if not sep or not KEY_ID_RE.match(key_id):
                raise KeyConfigError("each testimony key must be written id:base64key with a short id")
            if key_id in keys:
                raise KeyConfigError(f"the testimony key id {key_id} appears twice")
            key = _decode_key(encoded)
            if len(key) != KEY_BYTES:
                raise KeyConfigError(f"the testimony key {key_id} must be {KEY_BYTES} bytes (it is {len(key)})")
            keys[key_id] = key
        return cls(keys=keys, current_id=next(iter(keys)))

    @property
    def ids(self) -> list[str]:
        """Key ids, the current one first."""
        return list(self.keys)

    def seal(self, plaintext: bytes, where: str) -> bytes:
        """Encrypt ``plaintext`` under the current key, bound to the context ``where``."""
        key_id = self.current_id
        nonce = os.urandom(NONCE_BYTES)
        body = AESGCM(self.keys[key_id]).encrypt(nonce, plaintext, _aad(key_id, where))
        header = bytes([VERSION, len(key_id)]) + key_id.encode("ascii")
        return header + nonce + body

    def open(self, envelope: bytes, where: str) -> bytes:
        """Decrypt ``envelope`` sealed for the context ``where``; raises on any mismatch."""
        key_id, nonce, body = _split(envelope)
        key = self.keys.get(key_id)
        if key is None:
            raise UnknownKey(f"no key {key_id} in the testimony key ring")
        try:
            return AESGCM(key).decrypt(nonce, body, _aad(key_id, where))
        except InvalidTag:
            raise TamperedCiphertext("a testimony value failed authentication") from None


def _aad(key_id: str, where: str) -> bytes:
    return _AAD_PREFIX + key_id.encode("ascii") + b"|" + where.encode("utf-8")


def _split(envelope: bytes) -> tuple[str, bytes, bytes]:
    data = bytes(envelope or b"")
    if len(data) < 2 or data[0] != VERSION:
        raise TamperedCiphertext("not a testimony ciphertext")
    length = data[1]
    start = 2 + length
    if length == 0 or len(data) < start + NONCE_BYTES + 16:
        raise TamperedCiphertext("a testimony ciphertext is truncated")
    try:
        key_id = data[2:start].decode("ascii")
    except UnicodeDecodeError:
        raise TamperedCiphertext("a testimony ciphertext has a bad header") from None
    return key_id, data[start : start + NONCE_BYTES], data[start + NONCE_BYTES :]


def key_id_of(envelope: bytes) -> str:
    """The id of the key ``envelope`` was sealed under (read from its header)."""
    return _split(envelope)[0]


def keyring() -> KeyRing:
    """The application's key ring (parsed once, when the app starts)."""
    return current_app.extensions[_EXTENSION]


def install_keyring(app, spec: str) -> KeyRing:  # noqa: ANN001
    """Parse ``spec`` and keep the ring on ``app``; raises ``KeyConfigError`` if malformed."""
    ring = KeyRing.parse(spec)
    app.extensions[_EXTENSION] = ring
    return ring


# -- rotation of sealed tables kept by other rooms ---------------------------------------------------

#: table name -> (reseal a batch not under ``current``: returns how many rows; rows per key id).
#: The testimonies room's ``rotate-keys`` walks its own tables and then these, so a room below
#: it (or beside it) that seals with this ring is re-sealed by the same command.
_ROTATED: dict[str, tuple[Callable[[str, int], int], Callable[[], dict[str, int]]]] = {}


def register_rotated_table(
    table: str, reseal_batch: Callable[[str, int], int], usage: Callable[[], dict[str, int]]
) -> None:
    """Have key rotation re-seal ``table``: ``reseal_batch(current_id, n)`` re-seals up to ``n`` rows."""
    _ROTATED[table] = (reseal_batch, usage)


def rotated_tables() -> dict[str, tuple[Callable[[str, int], int], Callable[[], dict[str, int]]]]:
    """The tables registered with ``register_rotated_table``."""
    return dict(_ROTATED)
