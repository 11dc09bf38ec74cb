"""Authenticated encryption of testimony content.

Why AES-256-GCM (``cryptography``'s ``AESGCM``) and not Fernet/MultiFernet:

* Fernet cannot bind *associated data*. Every ciphertext here is bound to the
  row and the field it belongs to (``testimonies/12/answers``); a person who
  can write to the database cannot move a narrative to another testimony, or
  an internal note to where an approved excerpt is read, without decryption
  failing. With Fernet we would have to re-implement that binding inside the
  plaintext and check it by hand.
* AES-256-GCM is one primitive, standardised (NIST SP 800-38D), with 256-bit
  keys and a 128-bit tag; Fernet is AES-128-CBC plus HMAC-SHA256.
* What MultiFernet offers for rotation (several keys, the first encrypts) is a
  few lines here: each ciphertext carries its key id, and every row carries the
  key id its fields were sealed under, which is what makes rotation resumable.

Nonces are 96 random bits per encryption. With random nonces one key may seal
about 2**32 values before the collision risk matters; a consultation platform
seals thousands to millions, and a rotation starts the count again.

Envelope layout (bytes)::

    0x01 | len(key_id) | key_id (ASCII) | nonce (12) | ciphertext + tag (16)

The associated data is ``consult.testimony.v1|<key id>|<context>``, so the
header is authenticated as well as the body.
"""

from __future__ import annotations

import json
from typing import Any

# The generic sealing lives in consult.core.sealing (survey answers given by voice use it too);
# the testimonies room keeps importing these names from here.
from consult.core.sealing import (  # noqa: F401  (re-exported)
    _AAD_PREFIX,
    _EXTENSION,
    KEY_BYTES,
    KEY_ID_RE,
    NONCE_BYTES,
    VERSION,
    CryptoError,
    KeyConfigError,
    KeyRing,
    TamperedCiphertext,
    UnknownKey,
    context,
    install_keyring,
    key_id_of,
    keyring,
    new_key_spec,
)


def seal_text(text: str | None, where: str) -> bytes | None:
    """Seal a string (``None`` stays ``None``)."""
    return None if text is None else keyring().seal(text.encode("utf-8"), where)


def open_text(envelope: bytes | None, where: str) -> str | None:
    """Open a string sealed by ``seal_text``."""
    return None if envelope is None else keyring().open(envelope, where).decode("utf-8")


def seal_json(value: Any, where: str) -> bytes:
    """Seal a JSON-serialisable value."""
    return keyring().seal(json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8"), where)


def open_json(envelope: bytes | None, where: str) -> Any:
    """Open a value sealed by ``seal_json`` (``None`` when there is nothing)."""
    return None if envelope is None else json.loads(keyring().open(envelope, where))
