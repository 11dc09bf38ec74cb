"""The production server starts from the checked-in configuration and serves pages (issue 11).

gunicorn runs ``gunicorn.conf.py`` as ``make serve`` does, one worker, on a
free port, against a migrated temporary SQLite database; the test fetches
pages and reads the server's log: requests are there, and no token, code or
client address.
"""

from __future__ import annotations

import base64
import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "Zq3v_Kp8-Rw2XyT5mN7bLc4dHs9FgJ1a"
CODE = "K7M2-9QXD-4HTR-B1CE"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _migrated_copy(migrated_database: str, target: Path, environ: dict[str, str]) -> None:
    """A migrated SQLite database at ``target``: a copy of the suite's when it is SQLite, else migrated anew."""
    if migrated_database.startswith("sqlite:///"):
        source = sqlite3.connect(migrated_database.removeprefix("sqlite:///"))
        copy = sqlite3.connect(target)
        with copy:
            source.backup(copy)
        source.close()
        copy.close()
        return
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "consult", "db", "upgrade"],
        cwd=ROOT,
        env=environ,
        check=True,
        capture_output=True,
        timeout=120,
    )


def _get(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read().decode()


@pytest.fixture
def server(tmp_path, migrated_database):
    """gunicorn with gunicorn.conf.py, in production mode, on a free port; yields (base URL, log path)."""
    port = _free_port()
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")
    environ = {key: value for key, value in os.environ.items() if not key.startswith("CONSULT_") and key != "FLASK_APP"}
    environ.update(
        {
            "CONSULT_ENV": "production",
            "CONSULT_SECRET_KEY": secrets.token_urlsafe(48),
            "CONSULT_DATABASE_URL": f"sqlite:///{tmp_path}/consult.sqlite3",
            "CONSULT_TESTIMONY_KEYS": f"k1:{key}",
            "CONSULT_AUDIT_KEY": key,
            "CONSULT_EXPORTS_DIR": str(tmp_path / "exports"),
            "CONSULT_IMPORTS_DIR": str(tmp_path / "imports"),
            "CONSULT_BIND": f"127.0.0.1:{port}",
            "CONSULT_WORKERS": "1",
            "CONSULT_THREADS": "2",
        }
    )
    _migrated_copy(migrated_database, tmp_path / "consult.sqlite3", environ)
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")],
            cwd=ROOT,
            env=environ,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if _get(base + "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)
        yield base, log_path
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def test_gunicorn_serves_the_app_with_a_private_log(server):
    base, log_path = server
    status, headers, body = _get(base + "/?lang=en")
    assert status == 200
    assert "<html" in body and headers["Content-Language"] == "en"
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert _get(base + "/login?lang=en")[0] == 200
    assert _get(f"{base}/c/no-such-consultation/i/{TOKEN}?lang=en")[0] == 404
    assert _get(f"{base}/c/no-such-consultation/receipt?code={CODE}")[0] == 404
    assert _get(f"{base}/t/nowhere/instruments/{2**63}")[0] == 404
    # The access log is written as each request ends; give the worker a moment to flush it.
    time.sleep(0.5)
    log = log_path.read_text()
    assert "Booting worker" in log
    assert '"GET /?lang=en HTTP/1.1" 200' in log
    assert '"GET /c/no-such-consultation/i/[token]?lang=en HTTP/1.1" 404' in log
    assert "receipt?code=- " in log
    for forbidden in (TOKEN, CODE, "127.0.0.1 ", "Python-urllib"):
        assert forbidden not in log, log
