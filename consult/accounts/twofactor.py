"""The second factor: TOTP codes (RFC 6238, through pyotp) and one-time recovery codes.

Who must have one is read from the capability table (``permissions.CAPABILITIES``): any account that
can read testimonies or export response data, plus the accounts of civil-society organisations (they
send and follow testimonies). ``CONSULT_REQUIRE_SECOND_FACTOR`` makes it compulsory for them (on in
production); elsewhere anyone may turn it on from their account page.

The TOTP secrets are encrypted at rest (AES-256-GCM, bound to the account's id): a copy of the
database alone gives nobody the codes. The key is ``CONSULT_ACCOUNT_KEY`` (32 bytes of base64); without
it, production derives one from ``CONSULT_AUDIT_KEY`` (which it requires), and development and tests
keep one in ``instance/account_key`` (mode 0600), as they do the audit key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import os
import re
import secrets
import time

import pyotp
import segno
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import delete, select, update

from consult.accounts.models import OrganisationKind, User
from consult.accounts.permissions import CAPABILITIES, NETWORK_ADMIN
from consult.accounts.security import RecoveryCode
from consult.core.db import utcnow
from consult.core.keys import decode_key, instance_key
from consult.extensions import db

#: Capabilities that open testimonies or response data: whoever holds one needs a second factor.
SENSITIVE_CAPABILITIES = (
    "testimonies.queue",
    "testimonies.moderate",
    "testimonies.excerpts",
    "exports.use",
)
#: The roles (in any territory) that hold a sensitive capability, read from the one table.
SENSITIVE_ROLES = frozenset(role for capability in SENSITIVE_CAPABILITIES for role in CAPABILITIES[capability])
#: How many recovery codes are made at a time.
RECOVERY_CODE_COUNT = 10
ISSUER = "consult"
#: Codes of the time step before and after the current one are accepted too (clocks drift).
VALID_WINDOW = 1


def needs_second_factor(user: User) -> bool:
    """True when ``user``'s account can read testimonies or export response data (or is a CSO's)."""
    if user.is_network_admin and NETWORK_ADMIN in SENSITIVE_ROLES:
        return True
    if any(membership.role.value in SENSITIVE_ROLES for membership in user.memberships):
        return True
    organisation = user.organisation
    return organisation is not None and organisation.kind == OrganisationKind.CSO


def second_factor_required(user: User) -> bool:
    """True when this installation requires a second factor of ``user`` (production, sensitive account)."""
    return bool(current_app.config.get("CONSULT_REQUIRE_SECOND_FACTOR")) and needs_second_factor(user)


# -- the secrets at rest ---------------------------------------------------------------------------

_KEY_EXTENSION = "consult.account_key"
_KEY_BYTES = 32
_NONCE_BYTES = 12
#: pyotp's secrets: 32 base32 characters (160 bits); sealed they take 64 characters, the column's width.
_SECRET_CHARS = 32


class AccountKeyError(RuntimeError):
    """The key that encrypts second-factor secrets is missing or malformed."""


def _decode_key(text: str, name: str) -> bytes:
    return decode_key(text, name, AccountKeyError, _KEY_BYTES)


def _setting(name: str) -> str:
    value = current_app.config.get(name)
    return value if value is not None else os.environ.get(name, "")


def account_key() -> bytes:
    """The key sealing TOTP secrets (see the module's docstring for where it comes from)."""
    app = current_app._get_current_object()
    cached = app.extensions.get(_KEY_EXTENSION)
    if cached is not None:
        return cached
    spec = _setting("CONSULT_ACCOUNT_KEY")
    if spec:
        key = _decode_key(spec, "CONSULT_ACCOUNT_KEY")
    elif _setting("CONSULT_AUDIT_KEY"):
        # A separate key for a separate purpose, derived so production needs no extra setting.
        audit = _decode_key(_setting("CONSULT_AUDIT_KEY"), "CONSULT_AUDIT_KEY")
        key = HKDF(algorithm=hashes.SHA256(), length=_KEY_BYTES, salt=None, info=b"consult totp secrets").derive(audit)
    elif app.config.get("CONSULT_ENV") == "production":
        raise AccountKeyError("no key for second-factor secrets: set CONSULT_ACCOUNT_KEY or CONSULT_AUDIT_KEY")
    else:
        key = _decode_key(instance_key(app.instance_path, "account_key", _KEY_BYTES), "instance/account_key")
    app.extensions[_KEY_EXTENSION] = key
    return key


def forget_key() -> None:
    """Drop the cached key (tests, and a restart after changing it)."""
    current_app.extensions.pop(_KEY_EXTENSION, None)


def _aad(user: User) -> bytes:
    # Bound to the account: a sealed secret copied onto another account's row does not open.
    return f"consult-totp:{user.id}".encode()


def seal(user: User, secret: str) -> str:
    """``secret`` (base32) encrypted for ``user``'s row, as 64 characters of base64."""
    if user.id is None:
        db.session.flush()
    raw = base64.b32decode(secret.upper())
    nonce = os.urandom(_NONCE_BYTES)
    body = AESGCM(account_key()).encrypt(nonce, raw, _aad(user))
    return base64.urlsafe_b64encode(nonce + body).decode("ascii").rstrip("=")


def unseal(user: User, stored: str | None) -> str | None:
    """The base32 secret of a sealed column value (``None`` when empty or not openable).

    A value of 32 base32 characters is a secret stored before encryption and is read as it is; it is
    sealed again the next time it is written.
    """
    if not stored:
        return None
    if len(stored) == _SECRET_CHARS and re.fullmatch(r"[A-Z2-7]+", stored):
        return stored
    try:
        data = base64.urlsafe_b64decode(stored + "=" * (-len(stored) % 4))
        raw = AESGCM(account_key()).decrypt(data[:_NONCE_BYTES], data[_NONCE_BYTES:], _aad(user))
    except (binascii.Error, ValueError, InvalidTag):
        return None
    return base64.b32encode(raw).decode("ascii")


def secret_of(user: User) -> str | None:
    """``user``'s active TOTP secret, decrypted."""
    return unseal(user, user.totp_secret)


# -- enrolment ------------------------------------------------------------------------------------


def pending_secret(user: User) -> str:
    """The secret being set up for ``user``, made on first use (kept, sealed, until confirmed or replaced)."""
    secret = unseal(user, user.totp_pending_secret)
    if not secret:
        secret = pyotp.random_base32(length=_SECRET_CHARS)
        user.totp_pending_secret = seal(user, secret)
        db.session.flush()
    return secret


def provisioning_uri(user: User, secret: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The QR code of ``uri`` as inline SVG (no external image, no script)."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", scale=5, xmldecl=False, svgns=True, border=2)
    return buffer.getvalue().decode()


def grouped(secret: str) -> str:
    """The secret in groups of four characters, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def confirm_enrolment(user: User, code: str) -> list[str] | None:
    """Turn the pending secret on if ``code`` matches it; returns fresh recovery codes, or ``None``."""
    secret = unseal(user, user.totp_pending_secret)
    if not secret:
        return None
    step = _matching_step(secret, code, after=None)
    if step is None:
        return None
    user.totp_secret = seal(user, secret)
    user.totp_pending_secret = None
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    db.session.flush()
    return regenerate_recovery_codes(user)


def disable(user: User) -> None:
    """Turn the second factor off and delete the recovery codes."""
    user.totp_secret = None
    user.totp_pending_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()


# -- checking codes -------------------------------------------------------------------------------


def _digits(code: str) -> str:
    return re.sub(r"\s+", "", code or "")


def _matching_step(secret: str, code: str, after: int | None, now: float | None = None) -> int | None:
    """The time step (near now) whose code is ``code`` and that comes after ``after``, else ``None``."""
    code = _digits(code)
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    current = int((time.time() if now is None else now) // totp.interval)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.at(step * totp.interval), code):
            return step
    return None


def verify_totp(user: User, code: str, now: float | None = None) -> bool:
    """True when ``code`` is a current code of ``user`` not accepted before; records its time step.

    The conditional UPDATE makes acceptance once-only even for two requests at the same moment.
    """
    if not user.has_second_factor:
        return False
    secret = secret_of(user)
    if secret is None:  # sealed under another key or for another account: nothing matches
        return False
    step = _matching_step(secret, code, after=user.totp_last_step, now=now)
    if step is None:
        return False
    result = db.session.execute(
        update(User)
        .where(User.id == user.id, (User.totp_last_step.is_(None)) | (User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(user, ["totp_last_step"])
    return result.rowcount == 1


# -- recovery codes -------------------------------------------------------------------------------


def normalise_recovery_code(code: str) -> str:
    """Recovery codes are compared without case, spaces or hyphens."""
    return re.sub(r"[^0-9a-z]", "", (code or "").lower())


def _hash_recovery_code(code: str) -> str:
    # 50 random bits per code: a plain SHA-256 cannot be reversed by guessing.
    return hashlib.sha256(normalise_recovery_code(code).encode()).hexdigest()


def regenerate_recovery_codes(user: User) -> list[str]:
    """Replace ``user``'s recovery codes with new ones; returns them (shown once, stored hashed)."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(5)
        codes.append(f"{raw[:5]}-{raw[5:]}")
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash_recovery_code(code)) for code in codes)
    db.session.flush()
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    """True when ``code`` is an unused recovery code of ``user``; it is then used up (once, even at once)."""
    normalised = normalise_recovery_code(code)
    if len(normalised) != 10:
        return False
    result = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_recovery_code(normalised),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def remaining_recovery_codes(user: User) -> int:
    """How many unused recovery codes ``user`` has."""
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        ).all()
    )


def verify_second_factor(user: User, code: str) -> bool:
    """A TOTP code or, failing that, a recovery code."""
    if re.fullmatch(r"\d{6}", _digits(code)):
        return verify_totp(user, code)
    return use_recovery_code(user, code)
