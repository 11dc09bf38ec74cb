"""No client address, user agent or code a person holds reaches a log (issue 11, findings 2 and 3).

Each server is driven for real: Werkzeug's development server answers real
HTTP requests in a thread, and gunicorn's logger class formats access lines
from real requests' atoms (tests/core/test_serving.py also runs gunicorn
itself). The captured log is then searched for the token, the codes and the
address.
"""

from __future__ import annotations

import datetime
import io
import logging
import re
import threading
import urllib.request
from types import SimpleNamespace

import pytest
from werkzeug.serving import make_server

from consult.core.logging import scrub, scrub_url

INVITATION_TOKEN = "Zq3v_Kp8-Rw2XyT5mN7bLc4dHs9FgJ1a"
RECEIPT_CODE = "K7M2-9QXD-4HTR-B1CE"
RESUME_CODE = "ABCD-EFGH-JKMN"
EXPORT_TOKEN = "Tq4H_2mVn8XcR1bZk5YwLp7sDf3GjA9eUo6iQ0tNhEr"
SECRETS = (INVITATION_TOKEN, RECEIPT_CODE, RESUME_CODE, EXPORT_TOKEN)

# Request targets that carry every kind of code a person holds, in a path or a query string.
TARGETS = (
    f"/c/agua-2026/i/{INVITATION_TOKEN}",
    f"/c/agua-2026/i/{INVITATION_TOKEN}?lang=en",
    f"/c/agua-2026/receipt?code={RECEIPT_CODE}",
    f"/c/agua-2026/resume?code={RESUME_CODE}&lang=pt",
    f"/testimony/follow-up?code={RECEIPT_CODE}",
    f"/c/agua-2026/plan/my-comment?code={RECEIPT_CODE}",
    f"/login?next=/c/agua-2026/i/{INVITATION_TOKEN}",
    f"/t/antioquia/exports/{EXPORT_TOKEN}",
    f"/t/antioquia/exports/{EXPORT_TOKEN}/file",
)


# -- the scrubber itself ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "203.0.113.9",
        "203.0.113.9:51234",
        "::ffff:203.0.113.9",  # IPv4-mapped: what a dual-stack server logs (finding 2)
        "::FFFF:203.0.113.9",
        "[::ffff:203.0.113.9]:443",
        "::ffff:cb00:7109",
        "64:ff9b::203.0.113.9",
        "2001:db8::1",
        "[2001:db8::1]",
        "[2001:db8::1]:8080",
        "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
        "fe80::1ff:fe23:4567:890a%eth0",
        "[fe80::1%25eth0]:80",
        "::1",
        "127.0.0.1",
        "[::1]:5000",
        "::",
    ],
)
def test_no_form_of_an_address_survives(address):
    line = f'{address} - - [22/Nov/2026 10:00:00] "GET / HTTP/1.1" 200 - from={address}, peer {address}.'
    cleaned = scrub(line)
    assert address not in cleaned
    # Not a piece of it either: three octets are as telling as four.
    for piece in ("203.0.113", "0.113.9", "2001:db8", "cb00:7109", "fe80::1", "::1 ", "127.0.0"):
        if piece.strip() in address:
            assert piece not in cleaned, cleaned
    assert '"GET / HTTP/1.1" 200' in cleaned and "10:00:00" in cleaned


def test_times_dates_and_the_servers_own_url_are_kept():
    text = "[29/Nov/2026:10:00:00 +0000] at 10:00:00.123 on http://127.0.0.1:5000 and http://[::1]:5000"
    assert scrub(text) == text


@pytest.mark.parametrize("target", TARGETS)
def test_scrub_url_hides_every_code(target):
    cleaned = scrub_url(target)
    assert not any(secret in cleaned for secret in SECRETS), cleaned
    assert cleaned.split("?")[0].startswith(target.split("/")[0] + "/")


def test_scrub_url_keeps_what_a_log_reader_needs():
    assert scrub_url("/c/agua-2026/i/" + INVITATION_TOKEN + "?lang=en") == "/c/agua-2026/i/[token]?lang=en"
    assert scrub_url("/c/agua-2026/receipt?code=x&lang=pt") == "/c/agua-2026/receipt?code=-&lang=pt"
    assert scrub_url("/t/antioquia/consultations/12/analysis") == "/t/antioquia/consultations/12/analysis"


def test_codes_in_free_text_are_hidden():
    text = f"receipt {RECEIPT_CODE}, resume {RESUME_CODE}, token {INVITATION_TOKEN}; slug agua-para-todos-2026"
    cleaned = scrub(text)
    assert not any(secret in cleaned for secret in SECRETS)
    assert "agua-para-todos-2026" in cleaned


# -- the development server (werkzeug) -------------------------------------------------------------------------


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def captured():
    """Every record of the process, as a handler on the root logger prints it (tracebacks included)."""
    handler = _Capture()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    werkzeug = logging.getLogger("werkzeug")
    werkzeug_level = werkzeug.level
    werkzeug.setLevel(logging.INFO)
    yield handler
    root.removeHandler(handler)
    root.setLevel(previous)
    werkzeug.setLevel(werkzeug_level)


def _assert_private(lines: list[str]) -> None:
    text = "\n".join(lines)
    for secret in SECRETS:
        assert secret not in text, f"{secret} in the log:\n{text}"
    for address in ("127.0.0.1", "::1", "::ffff:"):
        assert address not in text, f"{address} in the log:\n{text}"


def test_development_server_logs_no_code_and_no_address(app, captured):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for target in TARGETS:
            request = urllib.request.Request(
                f"http://127.0.0.1:{server.server_port}{target}",
                headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"},
            )
            try:
                urllib.request.urlopen(request, timeout=10).close()
            except urllib.error.HTTPError as error:
                error.close()
    finally:
        server.shutdown()
        thread.join(5)
    # Werkzeug colours the request line of a 404 or a redirect on a terminal.
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in captured.lines]
    access_lines = [line for line in lines if '"GET ' in line]
    # Every request was logged (the check below is not passing on an empty log).
    assert len(access_lines) >= len(TARGETS), captured.lines
    assert any("/c/agua-2026/i/[token]" in line for line in access_lines)
    assert all(line.startswith("- - -") for line in access_lines), access_lines
    _assert_private(captured.lines)
    assert not any("Mozilla" in line for line in captured.lines)


def test_app_loggers_and_tracebacks_hold_no_code_or_address(app, client, captured):
    logging.getLogger("consult.exports.jobs").warning("export job %s failed for %s", EXPORT_TOKEN, "::ffff:203.0.113.9")
    try:
        raise RuntimeError(f"bad request from 127.0.0.1 for /c/x/i/{INVITATION_TOKEN} code {RECEIPT_CODE}")
    except RuntimeError:
        logging.getLogger("consult.responses").exception("unexpected")

    @app.route("/boom/<token>")
    def boom(token):  # pragma: no cover - only raises
        raise RuntimeError(token)

    boom.access = ("public", ())
    assert client.get(f"/boom/{INVITATION_TOKEN}?code={RECEIPT_CODE}").status_code == 500
    assert any("Unhandled RuntimeError" in line for line in captured.lines)
    assert any("failed for [address]" in line for line in captured.lines)
    _assert_private(captured.lines)
    assert "203.0.113" not in "\n".join(captured.lines)


# -- gunicorn's access log -------------------------------------------------------------------------------------


def _gunicorn_logger(stream: io.StringIO):
    from gunicorn.config import Config

    from consult.core.serving import ACCESS_LOG_FORMAT, PrivateGunicornLogger

    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", ACCESS_LOG_FORMAT)
    logger = PrivateGunicornLogger(config)
    # gunicorn's own handlers print to the console; the test reads what a handler of its own receives.
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    for log in (logger.access_log, logger.error_log):
        log.handlers = [handler]
        log.propagate = False
    return logger


@pytest.mark.parametrize(
    "log_format",
    [
        None,  # the checked-in format
        '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"',  # gunicorn's default, as someone might set
        "%({x-forwarded-for}i)s %({remote_addr}e)s %(U)s?%(q)s %({raw_uri}e)s",
    ],
)
def test_gunicorn_access_log_holds_no_code_address_or_agent(log_format):
    stream = io.StringIO()
    logger = _gunicorn_logger(stream)
    if log_format:
        logger.cfg.set("access_log_format", log_format)
    for target in TARGETS:
        path, _, query = target.partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "RAW_URI": target,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "::ffff:203.0.113.9",
            "HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64)",
            "HTTP_REFERER": f"https://consult.example/c/agua-2026/i/{INVITATION_TOKEN}",
            "HTTP_X_FORWARDED_FOR": "198.51.100.23, 127.0.0.1",
        }
        headers = [
            ("X-FORWARDED-FOR", "198.51.100.23, 127.0.0.1"),
            ("USER-AGENT", "Mozilla/5.0 (X11; Linux x86_64)"),
            ("REFERER", environ["HTTP_REFERER"]),
        ]
        response = SimpleNamespace(status="200 OK", sent=1234, headers=[("Content-Type", "text/html")])
        logger.access(response, SimpleNamespace(headers=headers), environ, datetime.timedelta(milliseconds=12))
    text = stream.getvalue()
    assert text.count("\n") == len(TARGETS), text
    for forbidden in (*SECRETS, "203.0.113", "198.51.100", "127.0.0.1", "Mozilla", "::ffff"):
        assert forbidden not in text, f"{forbidden} in:\n{text}"
    if log_format is None:
        assert '"GET /c/agua-2026/i/[token]?lang=en HTTP/1.1" 200 1234' in text


def test_gunicorn_error_log_quotes_no_uri_code_or_peer():
    stream = io.StringIO()
    logger = _gunicorn_logger(stream)
    # What gunicorn's workers write when a request fails or is invalid (gunicorn/workers/base.py).
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("Error handling request %s", f"/c/agua-2026/i/{INVITATION_TOKEN}?code={RECEIPT_CODE}")
    logger.warning("Invalid request from ip={ip}: {error}".format(ip="::ffff:203.0.113.9", error="bad"))
    text = stream.getvalue()
    assert "Error handling request /c/agua-2026/i/[token]?code=-" in text
    for forbidden in (*SECRETS, "203.0.113", "::ffff"):
        assert forbidden not in text, text
