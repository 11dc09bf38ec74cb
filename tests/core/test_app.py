"""Configuration, security headers, error pages and privacy of logs."""

from __future__ import annotations

import logging

import pytest

from config import ConfigError, load_settings
from consult import create_app
from consult.core.logging import scrub


def test_production_refuses_to_start_without_secret_and_database(tmp_path):
    with pytest.raises(ConfigError) as error:
        load_settings("production", instance_path=tmp_path, environ={})
    assert "CONSULT_SECRET_KEY" in str(error.value)
    assert "CONSULT_DATABASE_URL" in str(error.value)
    with pytest.raises(ConfigError, match="CONSULT_DATABASE_URL"):
        load_settings("production", instance_path=tmp_path, environ={"CONSULT_SECRET_KEY": "x" * 40})


def test_production_cookies_are_secure(tmp_path):
    settings = load_settings(
        "production",
        instance_path=tmp_path,
        environ={
            "CONSULT_SECRET_KEY": "k" * 40,
            "CONSULT_DATABASE_URL": f"sqlite:///{tmp_path}/p.db",
            "CONSULT_TESTIMONY_KEYS": "k1:" + "A" * 43 + "=",
            "CONSULT_AUDIT_KEY": "A" * 43 + "=",
        },
    )
    app = create_app(settings)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_development_makes_and_keeps_its_secret_with_mode_0600(tmp_path):
    first = load_settings("development", instance_path=tmp_path, environ={})
    second = load_settings("development", instance_path=tmp_path, environ={})
    assert first.secret_key == second.secret_key and len(first.secret_key) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert first.database_url == f"sqlite:///{(tmp_path / 'consult.sqlite3').resolve()}"


def test_unknown_environment_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="CONSULT_ENV"):
        load_settings("staging", instance_path=tmp_path, environ={})


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_stylesheet_is_small(client):
    response = client.get("/static/consult.css")
    assert response.status_code == 200
    assert len(response.data) < 15 * 1024
    response.close()


@pytest.mark.parametrize(
    ("lang", "text"),
    [("es", "Página no encontrada"), ("en", "Page not found"), ("pt", "Página não encontrada")],
)
def test_404_page_is_translated(client, lang, text):
    response = client.get(f"/no-such-page?lang={lang}")
    assert response.status_code == 404
    assert text in response.get_data(as_text=True)


def test_405_and_413_pages(app, client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert "Esta acción no está permitida aquí" in response.get_data(as_text=True)
    app.config["MAX_CONTENT_LENGTH"] = 10
    response = client.post("/login", data={"email": "x" * 100})
    assert response.status_code == 413


def test_500_page_hides_the_traceback(app, client, caplog):
    @app.route("/boom")
    def boom():  # pragma: no cover - only raises
        raise RuntimeError("secret detail from a stack frame")

    boom.access = ("public", ())
    response = client.get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Algo salió mal" in body
    assert "secret detail" not in body and "Traceback" not in body


def test_csrf_failure_gives_a_translated_400(client):
    response = client.post("/login?lang=en", data={"email": "a@b.c", "password": "x"})
    assert response.status_code == 400
    assert "The form had expired" in response.get_data(as_text=True)


def test_health(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_scrub_removes_addresses_and_agents():
    line = '203.0.113.9 - - [22/Nov/2026 10:00:00] "GET / HTTP/1.1" 200 - Mozilla/5.0 (X11; Linux) 2001:db8::1'
    cleaned = scrub(line)
    assert "203.0.113.9" not in cleaned and "2001:db8::1" not in cleaned and "Mozilla" not in cleaned
    assert '"GET / HTTP/1.1" 200' in cleaned
    assert "10:00:00" in cleaned
    assert scrub("fe80::1ff:fe23:4567:890a and 2001:0db8:85a3:0000:0000:8a2e:0370:7334") == "[address] and [address]"


def test_werkzeug_access_log_holds_no_address(app, caplog):
    # Werkzeug's request handler logs '<address> - - [date] "GET ..."' through this logger.
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logging.getLogger("werkzeug").info(
            '%s - - [%s] "%s" %s %s', "198.51.100.7", "date", "GET / HTTP/1.1", "200", "-"
        )
    assert caplog.records
    assert all("198.51.100.7" not in record.getMessage() for record in caplog.records)
