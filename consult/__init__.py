"""consult: participatory consultations for territorial business and human rights action plans."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Mapping

from flask import Flask

from config import ConfigError, Settings, load_settings
from consult.core import bench_endpoints, converters, overload, uploads_memory
from consult.extensions import csrf, db, limiter, migrate

__all__ = ["create_app", "ConfigError"]

# Rooms register their blueprints, CLI commands and hooks through ``init_app``;
# the order follows DESIGN.md from the bottom up.
ROOMS = (
    "consult.core",
    "consult.i18n",
    "consult.accounts",
    "consult.surveys",
    "consult.responses",
    "consult.testimonies",
    "consult.analysis",
    "consult.exports",
    "consult.plans",
    # The demo seed sits on top: it calls into every room.
    "consult.demo",
)


def create_app(config: str | Settings | Mapping[str, Any] | None = None) -> Flask:
    """Build the consult application.

    ``config`` is an environment name ("development", "testing", "production"),
    a ready ``Settings`` object, or a mapping of overrides for the environment
    named by ``CONSULT_ENV`` (tests pass ``{"env": "testing", ...}``).
    """
    app = Flask(__name__, instance_relative_config=True)
    # Before any route is added: ids in URLs are bounded to what an id column can hold (a 404 beyond).
    converters.install(app)
    # Uploads parsed in memory (a voice recording never sits on disk in clear), sized by endpoint.
    uploads_memory.init_app(app)
    if isinstance(config, Settings):
        settings = config
    elif isinstance(config, str) or config is None:
        settings = load_settings(config, instance_path=app.instance_path)
    else:
        overrides = dict(config)
        env = overrides.pop("env", None)
        settings = load_settings(env, instance_path=app.instance_path, **overrides)
    app.config.from_mapping(settings.flask_config())
    app.extensions["consult.settings"] = settings
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(app.root_path).parent / "translations")

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)

    for room in ROOMS:
        importlib.import_module(room).init_app(app)
    # Overload gate (off unless CONSULT_MAX_ACTIVE is set) and the bench-only endpoints (CONSULT_BENCH_ENDPOINTS=1).
    overload.init_app(app)
    bench_endpoints.init_app(app)
    return app
