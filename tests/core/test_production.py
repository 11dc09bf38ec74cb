"""The production configuration: secrets it refuses, HSTS, proxies, private database files (issue 11, finding 10)."""

from __future__ import annotations

import base64
import os
import secrets
import stat

import pytest
from flask import request
from sqlalchemy import create_engine, text

from config import TESTING_SECRET_KEY, ConfigError, load_settings
from consult import create_app


def _production_environ(tmp_path, **more: str) -> dict[str, str]:
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")
    environ = {
        "CONSULT_SECRET_KEY": secrets.token_urlsafe(48),
        "CONSULT_DATABASE_URL": f"sqlite:///{tmp_path}/production.sqlite3",
        "CONSULT_TESTIMONY_KEYS": f"k1:{key}",
        "CONSULT_AUDIT_KEY": key,
    }
    environ.update(more)
    return environ


def test_production_refuses_the_development_and_test_secret_keys(tmp_path):
    development = load_settings("development", instance_path=tmp_path, environ={})
    for key in (development.secret_key, TESTING_SECRET_KEY):
        with pytest.raises(ConfigError, match="development or test key"):
            load_settings(
                "production", instance_path=tmp_path, environ=_production_environ(tmp_path, CONSULT_SECRET_KEY=key)
            )
    assert load_settings("production", instance_path=tmp_path, environ=_production_environ(tmp_path)).is_production


def test_production_sends_hsts_and_development_does_not(tmp_path):
    production = create_app(load_settings("production", instance_path=tmp_path, environ=_production_environ(tmp_path)))
    response = production.test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    shorter = _production_environ(tmp_path, CONSULT_HSTS_SECONDS="600")
    response = create_app(load_settings("production", instance_path=tmp_path, environ=shorter)).test_client().get("/")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=600;")
    testing = create_app({"env": "testing", "database_url": "sqlite://"})
    assert "Strict-Transport-Security" not in testing.test_client().get("/healthz").headers


def test_production_trusts_one_proxy_and_no_more(tmp_path):
    app = create_app(load_settings("production", instance_path=tmp_path, environ=_production_environ(tmp_path)))

    @app.route("/peer")
    def peer():  # the address is read here for the test only; consult stores and logs none
        return {"address": request.remote_addr, "secure": request.is_secure}

    peer.access = ("public", ())
    client = app.test_client()
    seen = client.get(
        "/peer",
        headers={"X-Forwarded-For": "192.0.2.1, 198.51.100.7", "X-Forwarded-Proto": "https"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    ).get_json()
    # The address the proxy saw (the last entry), not the one the client wrote itself (the first).
    assert seen == {"address": "198.51.100.7", "secure": True}
    direct = create_app({"env": "testing", "database_url": "sqlite://"})
    assert direct.config["CONSULT_PROXY_HOPS"] == 0


def test_imports_folder_comes_from_the_environment(tmp_path):
    settings = load_settings(
        "production",
        instance_path=tmp_path,
        environ=_production_environ(tmp_path, CONSULT_IMPORTS_DIR="/srv/shared/imports"),
    )
    assert settings.flask_config()["CONSULT_IMPORTS_DIR"] == "/srv/shared/imports"


def _mode(path) -> int:  # noqa: ANN001
    return stat.S_IMODE(os.stat(path).st_mode)


def test_sqlite_database_and_its_wal_are_private(tmp_path):
    previous = os.umask(0o022)  # the usual umask, under which files are created 0644
    try:
        database = tmp_path / "consult.sqlite3"
        engine = create_engine(f"sqlite:///{database}")
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE answers (text VARCHAR)"))
            connection.execute(text("INSERT INTO answers VALUES ('what a person said')"))
        with engine.connect() as connection:
            # A reader keeps the WAL and the shared-memory file in place while the modes are checked.
            connection.execute(text("SELECT * FROM answers")).fetchall()
            files = [database, tmp_path / "consult.sqlite3-wal", tmp_path / "consult.sqlite3-shm"]
            assert all(path.exists() for path in files), sorted(p.name for p in tmp_path.iterdir())
            assert {path.name: _mode(path) for path in files} == {path.name: 0o600 for path in files}
        engine.dispose()
    finally:
        os.umask(previous)


def test_an_existing_world_readable_database_is_made_private(tmp_path):
    database = tmp_path / "old.sqlite3"
    database.touch(mode=0o644)
    os.chmod(database, 0o644)
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    engine.dispose()
    assert _mode(database) == 0o600
