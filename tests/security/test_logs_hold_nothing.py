"""Whatever a person does, the log keeps nothing of theirs: no address, no code they hold, no answer, no testimony.

Every record of the process is captured at DEBUG on the root logger (a handler, as an operator's
logging set-up would add one) while a burst of real use goes through Werkzeug's development server in
a thread, over real HTTP, with proxy headers that carry IPv4, IPv6 and IPv4-mapped addresses:

- answering to a receipt: landing, start, group, pages, "later" (a resume code), resume in another
  browser, review, send, the receipt shown, then looked up with its code (POST and GET);
- an invitation link visited;
- a failed login (unknown account and wrong password) and a successful one;
- a testimony with a distinctive narrative sent through the intake, then followed with its code;
- a response export started and downloaded by an analyst.

The captured text must hold none of: the client addresses (in any form), the invitation token, the
receipt, resume and testimony codes, the export token, the answer text or the testimony's narrative.
"""

from __future__ import annotations

import io
import logging
import re
import socket
import threading
import time
import zipfile

import pytest
import requests
from sqlalchemy import select
from werkzeug.serving import make_server

from tests.fixtures.browser import LiveServer
from tests.fixtures.factories import PASSWORD
from tests.fixtures.testimonies import full_answers

ANSWER = "Zorzal-Quebracho-8841 nadie lo lee"  # the question allows 40 characters
NARRATIVE = "Narrativa-distintiva-Yaguareté-5517: la empresa tapó el pozo de la escuela"
ADDRESSES = ("203.0.113.9", "198.51.100.7", "2001:db8::7", "2001:db8:0:0:0:0:0:7")
#: How a proxy (or a client lying about it) names the client; every form a server may log.
PROXY_HEADERS = {
    "X-Forwarded-For": "203.0.113.9, ::ffff:198.51.100.7",
    "X-Real-IP": "2001:db8::7",
    "Forwarded": 'for="[2001:db8::7]:4711";proto=https',
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0",
}
#: Pieces of the addresses that would still say who it was.
ADDRESS_PIECES = ("203.0.113", "198.51.100", "2001:db8", "::ffff:", "127.0.0.1", "::1 ", "::1]")


CLIENT_LOGGERS = ("urllib3", "requests", "charset_normalizer")


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        # The test's own HTTP client (urllib3) logs in this process too; it stands for the person's browser,
        # whose log is not the server's.
        if not record.name.startswith(CLIENT_LOGGERS):
            self.lines.append(self.format(record))


@pytest.fixture
def captured():
    """Every record of the process at DEBUG, as a root handler prints it (tracebacks included)."""
    handler = _Capture()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    werkzeug = logging.getLogger("werkzeug")
    werkzeug_level = werkzeug.level
    werkzeug.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(previous)
    werkzeug.setLevel(werkzeug_level)


class Browser:
    """A person's browser over HTTP: cookies kept, CSRF tokens read from the form it answers."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()
        self.session.headers.update(PROXY_HEADERS)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.session.get(self.base + path, timeout=30, **kwargs)

    def post(self, path: str, data: dict | None = None, *, form: str | None = None, **kwargs) -> requests.Response:
        page = self.get(form or path).text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        payload = {"csrf_token": token[1] if token else "", **(data or {})}
        return self.session.post(self.base + path, data=payload, timeout=30, allow_redirects=False, **kwargs)


def _ipv6_hosts() -> list[str]:
    """``["::"]`` (every address, IPv4 mapped into IPv6) when this machine can listen on IPv6, else nothing."""
    if not socket.has_ipv6:
        return []
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return []
    return ["::"]


def _code(html: str) -> str:
    match = re.search(r'class="code[^"]*">(.*?)</p>', html, re.S)
    assert match, "no code on the page"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


@pytest.fixture
def exports_dir(app, tmp_path):
    from tests.exports.test_export_access import join_export_threads

    app.config["CONSULT_EXPORTS_DIR"] = str(tmp_path / "exports")
    yield
    join_export_threads()


def test_a_burst_of_real_use_leaves_nothing_personal_in_the_log(
    app, captured, routed_consultation, create_invitation, create_testimony, create_user, exports_dir, db
):
    from consult.exports.models import ExportJob

    slug = routed_consultation.slug
    territory = routed_consultation.territory
    invitation, invitation_token = create_invitation(routed_consultation, "cso")
    official = create_user(roles={territory: ["official"]})
    analyst = create_user(roles={territory: ["analyst"]})
    db.session.commit()
    secrets: dict[str, str] = {"invitation token": invitation_token}

    with LiveServer(app) as server:
        person = Browser(server.url)
        # The invitation link.
        invited = Browser(server.url)
        assert invited.get(f"/c/{slug}/i/{invitation_token}").status_code == 200
        # Answering, "later", then resuming with the code in another browser.
        person.get(f"/c/{slug}/?lang=es")
        assert person.post(f"/c/{slug}/start", form=f"/c/{slug}/").status_code == 302
        assert person.post(f"/c/{slug}/group", {"group_code": "rural_community"}).status_code == 302
        assert person.post(f"/c/{slug}/p/p_first", {"q-Q1": "yes", "action": "next"}).status_code == 302
        later = person.post(f"/c/{slug}/p/p_middle", {"q-Q2": "water", "q-Q3-locality": "66035", "action": "later"})
        assert later.status_code == 302
        secrets["resume code"] = _code(person.get(f"/c/{slug}/later").text)
        other = Browser(server.url)
        resumed = other.post(f"/c/{slug}/resume", {"code": secrets["resume code"]}, form=f"/c/{slug}/")
        assert resumed.status_code == 302
        # A GET form typed into the address bar carries the code in the query string.
        other.get(f"/c/{slug}/resume?code={secrets['resume code']}")
        assert other.post(f"/c/{slug}/p/p_middle", {"q-Q2": "water", "action": "next"}).status_code == 302
        assert other.post(f"/c/{slug}/p/p_last", {"q-Q4": ANSWER, "action": "next"}).status_code == 302
        review = other.get(f"/c/{slug}/review").text
        submission = re.search(r'name="submission_token" value="([^"]+)"', review)[1]
        sent = other.post(f"/c/{slug}/send", {"submission_token": submission}, form=f"/c/{slug}/review")
        assert sent.status_code == 302
        secrets["receipt code"] = _code(other.get(f"/c/{slug}/sent").text)
        looked_up = person.post(f"/c/{slug}/receipt?lang=en", {"code": secrets["receipt code"]})
        assert ANSWER in looked_up.text  # the person sees their answer; the log must not
        person.get(f"/c/{slug}/receipt?code={secrets['receipt code']}")

        # Logins: an unknown account, a wrong password, then the right one.
        staff = Browser(server.url)
        for email, password in (("nobody@example.org", "wrong-password"), (official.email, "wrong-password")):
            refused = staff.post("/login", {"email": email, "password": password})
            assert refused.status_code in (200, 400, 429)
        assert staff.post("/login", {"email": official.email, "password": PASSWORD}).status_code == 302

        # A testimony with a distinctive narrative, then followed with its code.
        _testimony, testimony_code = create_testimony(routed_consultation, full_answers(D1=NARRATIVE, F4=NARRATIVE))
        secrets["testimony code"] = testimony_code
        follow = Browser(server.url)
        followed = follow.post("/testimony/follow-up?lang=en", {"code": testimony_code})
        assert followed.status_code in (200, 302)
        follow.get(f"/testimony/follow-up?code={testimony_code}")

        # An export of the responses, by an analyst.
        exporter = Browser(server.url)
        assert exporter.post("/login", {"email": analyst.email, "password": PASSWORD}).status_code == 302
        exports = f"/t/{territory.slug}/consultations/{routed_consultation.id}/exports"
        started = exporter.post(
            exports,
            {"kind": "responses", "responses-format": "csv", "responses-layout": "consult", "responses-lang": "es"},
        )
        db.session.expire_all()
        job = db.session.scalar(select(ExportJob).order_by(ExportJob.created_at.desc()))
        assert job is not None
        secrets["export token"] = job.id
        # A small export is sent at once; a larger one redirects to its job page until the file is ready.
        download = started
        file_url = f"/t/{territory.slug}/exports/{job.id}/file"
        deadline = time.monotonic() + 60
        while download.status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
            download = exporter.get(file_url, allow_redirects=False)
        exporter.get(file_url)
        assert download.status_code == 200
        with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
            exported = "".join(archive.read(name).decode("utf-8-sig", "replace") for name in archive.namelist())
        assert ANSWER in exported

    # The same links once more through a dual-stack server reached over IPv6 (where the machine has it): its
    # request lines would begin with ``::1`` or an IPv4-mapped address.
    for host in _ipv6_hosts():
        server = make_server(host, 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            six = Browser(f"http://[::1]:{server.server_port}")
            assert six.get(f"/c/{slug}/i/{invitation_token}").status_code == 200
            six.get(f"/c/{slug}/receipt?code={secrets['receipt code']}")
        finally:
            server.shutdown()
            thread.join(5)

    # Let the last request lines and export threads finish writing.
    time.sleep(0.2)
    text = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(captured.lines))
    requests_logged = [line for line in text.splitlines() if '"GET ' in line or '"POST ' in line]
    assert len(requests_logged) >= 20, "the request lines were captured (the checks below are not passing on nothing)"
    for what, secret in secrets.items():
        assert secret not in text, f"the {what} is in the log"
        assert secret.replace("-", "") not in text.replace("-", ""), f"the {what} (without dashes) is in the log"
    for piece in ADDRESS_PIECES + ADDRESSES:
        assert piece not in text, f"an address ({piece}) is in the log"
    assert "Mozilla" not in text
    for words in (ANSWER, NARRATIVE):
        assert words not in text and words.split(" ")[0] not in text, f"{words[:30]}… is in the log"
