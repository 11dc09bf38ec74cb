"""Typed configuration for consult.

Settings are read once, from the environment, into a frozen object when the
application is created, never at import time. Production refuses to start
without the secrets it needs; development makes its own and keeps them under
``instance/`` so that a newcomer needs no set-up at all.

Environment variables (all optional in development):

``CONSULT_ENV``                 development (default), production or testing
``CONSULT_SECRET_KEY``          signs sessions and CSRF tokens (required in production)
``CONSULT_DATABASE_URL``        SQLAlchemy URL (required in production); SQLite file under
                                ``instance/`` by default
``CONSULT_RATELIMIT_STORAGE_URL`` where rate-limit counters live: ``memory://`` by default,
                                ``redis://127.0.0.1:6379/0`` when several processes serve
``CONSULT_LOG_LEVEL``           INFO by default
``CONSULT_MAX_UPLOAD_MB``       largest request body accepted, 8 MB by default
``CONSULT_SMALL_CELL``          smallest count published by default (5)
``CONSULT_DRAFT_DAYS``          days an unsent answer in progress is kept after it was last saved (30)
``CONSULT_TESTIMONY_KEYS``      keys that encrypt testimonies, ``id:base64key,...``, the first
                                current (required in production; development and tests keep
                                one in ``instance/testimony_keys``)
``CONSULT_JOBS_REDIS_URL``      Redis URL of the background job queue (RQ), e.g.
                                ``redis://127.0.0.1:6379/1``; the production setting, with
                                ``flask --app consult exports worker`` running beside the web
                                processes. Unset: exports run in a thread of the web process.
``CONSULT_JOBS_QUEUE``          name of the RQ queue (``consult-exports``)
``CONSULT_EXPORTS_DIR``         where exported files wait for download (``instance/exports``;
                                a temporary folder in tests); must be shared by web and worker
``CONSULT_EXPORT_HOURS``        hours an exported file can be downloaded before it is deleted (24)
``CONSULT_EXPORT_WAIT_SECONDS`` how long a request waits for an export before showing its job
                                page instead of the file (2)
``CONSULT_IMPORTS_DIR``         where a checked answer spreadsheet waits for the "Import" step
                                (``instance/imports``); shared by every web process
``CONSULT_PROXY_HOPS``          reverse proxies in front of the app whose X-Forwarded-For and
                                X-Forwarded-Proto are trusted (1 in production, 0 otherwise)
``CONSULT_HSTS_SECONDS``        max-age of the Strict-Transport-Security header (production:
                                one year; 0 sends none)
``CONSULT_AUDIT_KEY``           32 bytes of base64 keying the audit logs' hash chain (required in
                                production; development and tests keep one in ``instance/audit_key``)
``CONSULT_ACCOUNT_KEY``         32 bytes of base64 encrypting second-factor secrets (optional: derived
                                from CONSULT_AUDIT_KEY when unset; ``instance/account_key`` outside production)
``CONSULT_REQUIRE_SECOND_FACTOR`` 1: accounts that can read testimonies or export response data
                                must log in with a second factor (TOTP); on by default in
                                production, off in development (the demo) and tests
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

ENVIRONMENTS = ("development", "testing", "production")


class ConfigError(RuntimeError):
    """Raised when the configuration cannot start a safe application."""


@dataclass(frozen=True)
class Settings:
    """Everything the application reads from its environment, typed and frozen."""

    env: str = "development"
    secret_key: str = ""
    database_url: str = ""
    ratelimit_storage_url: str = "memory://"
    log_level: str = "INFO"
    max_upload_mb: int = 8
    #: Pages that take a recording (a testimony or answer told aloud, an audio prompt) accept this much.
    max_recording_mb: int = 24
    small_cell: int = 5
    draft_days: int = 30
    # ``id:base64key`` pairs, comma-separated, the first encrypts; parsed by consult.testimonies.crypto.
    testimony_keys: str = ""
    jobs_redis_url: str = ""
    jobs_queue: str = "consult-exports"
    # Empty: ``instance/exports`` (resolved by consult.exports.jobs, which knows the instance path).
    exports_dir: str = ""
    export_hours: int = 24
    export_wait_seconds: float = 2.0
    # Empty: ``instance/imports`` (resolved by consult.responses.import_store).
    imports_dir: str = ""
    # Reverse proxies whose forwarded headers are trusted (werkzeug's ProxyFix); 0: none.
    proxy_hops: int = 0
    # Strict-Transport-Security max-age; 0 sends no header (development serves plain http).
    hsts_seconds: int = 0
    secure_cookies: bool = True
    csrf_enabled: bool = True
    ratelimit_enabled: bool = True
    # Cheaper hashing for tests only; production keeps argon2's recommended cost.
    argon2_time_cost: int = 3
    argon2_memory_cost: int = 65536
    # A second factor for accounts that can read testimonies or export response data (see consult.accounts.twofactor).
    require_second_factor: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        """True when running for real people."""
        return self.env == "production"

    def flask_config(self) -> dict[str, Any]:
        """The mapping handed to ``app.config``."""
        config: dict[str, Any] = {
            "CONSULT_ENV": self.env,
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.secure_cookies,
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SECURE": self.secure_cookies,
            "REMEMBER_COOKIE_SAMESITE": "Lax",
            "PERMANENT_SESSION_LIFETIME": 8 * 3600,
            "MAX_CONTENT_LENGTH": self.max_upload_mb * 1024 * 1024,
            "MAX_RECORDING_LENGTH": self.max_recording_mb * 1024 * 1024,
            "WTF_CSRF_ENABLED": self.csrf_enabled,
            "WTF_CSRF_TIME_LIMIT": None,
            "RATELIMIT_ENABLED": self.ratelimit_enabled,
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage_url,
            "RATELIMIT_HEADERS_ENABLED": False,
            "BABEL_DEFAULT_LOCALE": "es",
            "BABEL_DEFAULT_TIMEZONE": "UTC",
            "CONSULT_LOG_LEVEL": self.log_level,
            "CONSULT_SMALL_CELL": self.small_cell,
            "CONSULT_DRAFT_DAYS": self.draft_days,
            "CONSULT_TESTIMONY_KEYS": self.testimony_keys,
            "CONSULT_JOBS_REDIS_URL": self.jobs_redis_url,
            "CONSULT_JOBS_QUEUE": self.jobs_queue,
            "CONSULT_EXPORTS_DIR": self.exports_dir,
            "CONSULT_EXPORT_HOURS": self.export_hours,
            "CONSULT_EXPORT_WAIT_SECONDS": self.export_wait_seconds,
            "CONSULT_PROXY_HOPS": self.proxy_hops,
            "CONSULT_HSTS_SECONDS": self.hsts_seconds,
            "CONSULT_ARGON2_TIME_COST": self.argon2_time_cost,
            "CONSULT_ARGON2_MEMORY_COST": self.argon2_memory_cost,
            "CONSULT_REQUIRE_SECOND_FACTOR": self.require_second_factor,
            "TESTING": self.env == "testing",
        }
        if self.imports_dir:
            config["CONSULT_IMPORTS_DIR"] = self.imports_dir
        config.update(self.extra)
        return config


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` and ``postgres://`` URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _instance_secret(instance_path: Path, name: str) -> str:
    """Read a secret kept under ``instance/``, creating it (mode 0600) on first use."""
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / name
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _instance_testimony_keys(instance_path: Path) -> str:
    """Read the development key ring ``instance/testimony_keys``, creating one key (mode 0600) on first use.

    The file is written under a temporary name and linked into place, so a
    process starting at the same moment never reads a half-written key.
    """
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / "testimony_keys"
    if not path.exists():
        temporary = instance_path / f".testimony_keys.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write("dev1:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii") + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return ",".join(line.strip() for line in path.read_text().splitlines() if line.strip())


#: The key the tests sign with; never valid in production.
TESTING_SECRET_KEY = "testing-secret-key-not-for-production-use"


def _development_secrets(instance_path: Path) -> set[str]:
    """Secret keys production refuses: the tests' and the one development keeps under ``instance/``."""
    known = {TESTING_SECRET_KEY}
    try:
        known.add((instance_path / "secret_key").read_text().strip())
    except OSError:
        pass
    return known


@functools.lru_cache(maxsize=None)
def _testing_exports_dir() -> str:
    """One temporary folder per test process for exported files."""
    return tempfile.mkdtemp(prefix="consult-exports-")


def load_settings(
    env: str | None = None,
    instance_path: str | os.PathLike[str] = "instance",
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Build the settings for ``env`` from ``environ`` (default ``os.environ``).

    Raises ``ConfigError`` with a message a person can act on when production
    lacks a secret key or a database URL.
    """
    environ = os.environ if environ is None else environ
    env = env or environ.get("CONSULT_ENV", "development")
    if env not in ENVIRONMENTS:
        raise ConfigError(f"CONSULT_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}.")
    instance = Path(instance_path)
    values: dict[str, Any] = {
        "env": env,
        "secret_key": environ.get("CONSULT_SECRET_KEY", ""),
        "database_url": environ.get("CONSULT_DATABASE_URL", ""),
        "ratelimit_storage_url": environ.get("CONSULT_RATELIMIT_STORAGE_URL", "memory://"),
        "log_level": environ.get("CONSULT_LOG_LEVEL", "INFO").upper(),
        "max_upload_mb": int(environ.get("CONSULT_MAX_UPLOAD_MB", "8")),
        "max_recording_mb": int(environ.get("CONSULT_MAX_RECORDING_MB", "24")),
        "small_cell": int(environ.get("CONSULT_SMALL_CELL", "5")),
        "draft_days": int(environ.get("CONSULT_DRAFT_DAYS", "30")),
        "testimony_keys": environ.get("CONSULT_TESTIMONY_KEYS", "").strip(),
        "jobs_redis_url": environ.get("CONSULT_JOBS_REDIS_URL", "").strip(),
        "jobs_queue": environ.get("CONSULT_JOBS_QUEUE", "consult-exports").strip() or "consult-exports",
        "exports_dir": environ.get("CONSULT_EXPORTS_DIR", "").strip(),
        "export_hours": int(environ.get("CONSULT_EXPORT_HOURS", "24")),
        "export_wait_seconds": float(environ.get("CONSULT_EXPORT_WAIT_SECONDS", "2")),
        "imports_dir": environ.get("CONSULT_IMPORTS_DIR", "").strip(),
        "proxy_hops": int(environ.get("CONSULT_PROXY_HOPS", "1" if env == "production" else "0")),
        "hsts_seconds": int(environ.get("CONSULT_HSTS_SECONDS", "31536000" if env == "production" else "0")),
        # Required in production unless explicitly turned off; never required unless asked elsewhere.
        "require_second_factor": environ.get("CONSULT_REQUIRE_SECOND_FACTOR", "1" if env == "production" else "0")
        .strip()
        .lower()
        in ("1", "true", "yes", "on"),
    }
    if env == "production":
        missing = [
            name
            for name, value in (
                ("CONSULT_SECRET_KEY", values["secret_key"]),
                ("CONSULT_DATABASE_URL", values["database_url"]),
                ("CONSULT_TESTIMONY_KEYS", values["testimony_keys"]),
                # The audit log's keyed hashes (consult.testimonies.chain) are worthless without it.
                ("CONSULT_AUDIT_KEY", environ.get("CONSULT_AUDIT_KEY", "").strip()),
            )
            if not value
        ]
        if missing:
            raise ConfigError(
                "consult will not start in production without "
                + " and ".join(missing)
                + ". Set them in the environment (see README, Configuration)."
            )
        if len(values["secret_key"]) < 32:
            raise ConfigError("CONSULT_SECRET_KEY must be at least 32 characters long.")
        if values["secret_key"] in _development_secrets(instance):
            raise ConfigError(
                "CONSULT_SECRET_KEY is a development or test key (instance/secret_key, or the tests' key): "
                "make a new one for production, e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))'."
            )
    elif env == "development":
        values["secret_key"] = values["secret_key"] or _instance_secret(instance, "secret_key")
        values["database_url"] = values["database_url"] or f"sqlite:///{(instance / 'consult.sqlite3').resolve()}"
        values["testimony_keys"] = values["testimony_keys"] or _instance_testimony_keys(instance)
        # The demo is served over plain http on localhost.
        values["secure_cookies"] = False
    else:  # testing
        values["secret_key"] = values["secret_key"] or TESTING_SECRET_KEY
        values["database_url"] = values["database_url"] or "sqlite://"
        values["testimony_keys"] = values["testimony_keys"] or _instance_testimony_keys(instance)
        values["secure_cookies"] = False
        values["ratelimit_storage_url"] = "memory://"
        values["argon2_time_cost"] = 1
        values["argon2_memory_cost"] = 8192
        # Tests never write exports under the working tree, and never reach a queue by accident.
        values["exports_dir"] = values["exports_dir"] or _testing_exports_dir()
        values["jobs_redis_url"] = ""
        # The suite logs in with a password only; a test that wants the second factor turns it on.
        values["require_second_factor"] = False
    extra = dict(overrides.pop("extra", {}) or {})
    for key in list(overrides):
        if key.isupper():
            extra[key] = overrides.pop(key)
    values.update(overrides)
    values["database_url"] = normalise_database_url(values["database_url"])
    values["extra"] = extra
    known = {f.name for f in dataclasses.fields(Settings)}
    unknown = set(values) - known
    if unknown:
        raise ConfigError(f"Unknown settings: {', '.join(sorted(unknown))}")
    return Settings(**values)
