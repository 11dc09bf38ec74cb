"""Load against the production server: gunicorn on a fresh database, and respondents that answer as a browser does.

Used by ``bench/bench_ingest.py``, ``bench/soak.py`` and ``tests/reliability``. Everything stays on
127.0.0.1. The respondent knows nothing about consult's pages: it fetches the landing page and,
page after page, fills the form the server sent (the CSRF token and hidden fields as they are, the
first option of each radio group, checkbox group and select, a number in range, a short text),
posts it and follows the redirects, until a page shows a receipt code. So it keeps working when the
answering flow changes the number of pages or requests.
"""

from __future__ import annotations

import http.client
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import urlencode, urljoin, urlsplit

import lxml.html

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SLUG = "riesgos-antioquia-2026"
# Forms a respondent never follows: they leave the flow instead of going on.
AVOID_ACTIONS = ("/resume", "/later", "/restart", "/logout", "/receipt", "/login")
AVOID_BUTTONS = ("back", "previous", "anterior", "atrás", "later", "luego", "save_later", "restart")


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def testimony_keys() -> str:
    """The development key ring (instance/testimony_keys), made if missing, as production wants one."""
    from config import _instance_testimony_keys

    return _instance_testimony_keys(ROOT / "instance")


def prepare_database(url: str) -> None:
    """Migrate and seed the demo into ``url`` (an empty database), in a child process."""
    code = (
        "import flask_migrate, sys\n"
        "from consult import create_app\n"
        "from consult.demo import seed_demo\n"
        "app = create_app({'env': 'testing', 'database_url': sys.argv[1]})\n"
        "with app.app_context():\n"
        "    flask_migrate.upgrade()\n"
        "    seed_demo()\n"
    )
    subprocess.run([PYTHON, "-c", code, url], cwd=ROOT, check=True, capture_output=True)


def fresh_postgres(url: str) -> None:
    """Drop and create the database named in ``url`` (a postgresql:// URL on a server we may write)."""
    import psycopg

    parts = urlsplit(url.replace("postgresql+psycopg://", "postgresql://"))
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


@contextmanager
def database(kind: str, pg_url: str | None = None) -> Iterator[str]:
    """A fresh migrated, demo-seeded database: ``sqlite`` (a WAL file in a temporary folder) or ``postgresql``."""
    if kind == "postgresql":
        url = pg_url or os.environ.get(
            "CONSULT_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/helper_bench_ingest"
        )
        fresh_postgres(url)
        prepare_database(url)
        yield url
        return
    with tempfile.TemporaryDirectory(prefix="consult-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        prepare_database(url)
        yield url


class Server:
    """gunicorn -c gunicorn.conf.py serving ``create_app()`` in production mode on a free port."""

    def __init__(self, url: str, workers: int = 4, threads: int = 2, port: int | None = None, **env: str) -> None:
        self.url = url
        self.port = port or free_port()
        self.workers = workers
        self.threads = threads
        self.env = env
        # Kept across restarts, so that sessions and CSRF tokens outlive a killed server, as in production.
        self.secret_key = secrets.token_urlsafe(48)
        self.audit_key = secrets.token_urlsafe(48)
        self.process: subprocess.Popen | None = None
        handle = tempfile.NamedTemporaryFile(prefix="consult-gunicorn-", suffix=".log", delete=False)
        handle.close()
        self.log_path = Path(handle.name)

    @property
    def host(self) -> str:
        """host:port."""
        return f"127.0.0.1:{self.port}"

    def start(self, wait: float = 60) -> Server:
        """Start gunicorn and wait until /healthz answers (whatever it answers)."""
        env = dict(os.environ)
        env.update(
            CONSULT_ENV="production",
            CONSULT_SECRET_KEY=self.secret_key,
            CONSULT_DATABASE_URL=self.url,
            CONSULT_TESTIMONY_KEYS=testimony_keys(),
            CONSULT_AUDIT_KEY=self.audit_key,
            CONSULT_REQUIRE_SECOND_FACTOR="0",
            CONSULT_BIND=self.host,
            CONSULT_WORKERS=str(self.workers),
            CONSULT_THREADS=str(self.threads),
            CONSULT_ACCESS_LOG="/dev/null",
            CONSULT_BENCH_ENDPOINTS="1",
            CONSULT_LOG_LEVEL="warning",
        )
        env.update(self.env)
        self.env = env
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [str(Path(PYTHON).parent / "gunicorn"), "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        # The child holds its own descriptor; ours is not needed any more.
        log.close()
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log_path.read_text()[-2000:]}")
            connection = http.client.HTTPConnection(self.host, timeout=2)
            try:
                connection.request("GET", "/healthz")
                # Any answer means the server is up (a 503 too: the database may be out of reach on purpose).
                connection.getresponse().read()
                return self
            except (OSError, http.client.HTTPException):
                pass
            finally:
                connection.close()
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer /healthz in time")

    def kill(self) -> None:
        """SIGKILL the whole process group (master and workers): no graceful anything."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it lingers."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self.log_path.unlink(missing_ok=True)


@dataclass
class Hit:
    """One HTTP request as the client saw it."""

    method: str
    path: str
    status: int
    seconds: float
    retry_after: str | None = None


class Browser:
    """A keep-alive connection with a cookie jar that, like a browser on localhost, keeps Secure cookies."""

    def __init__(self, host: str, timeout: float = 60) -> None:
        self.host = host
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None
        self.hits: list[Hit] = []

    def _connect(self) -> http.client.HTTPConnection:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, timeout=self.timeout)
        return self.connection

    def close(self) -> None:
        """Close the connection."""
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def request(self, method: str, path: str, form: list[tuple[str, str]] | None = None, raw: bytes | None = None):
        """One request; returns (status, headers, body text). Raises OSError when the server is gone."""
        headers = {"Accept-Language": "es"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = raw
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        for attempt in (1, 2):
            connection = self._connect()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A kept-alive connection the server closed between requests: one new connection, as a browser does.
                self.close()
                if attempt == 2:
                    raise
            except BaseException:
                self.close()
                raise
        elapsed = time.perf_counter() - start
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                pair, _, attributes = value.partition(";")
                key, _, val = pair.strip().partition("=")
                if "max-age=0" in attributes.lower() or "expires=thu, 01 jan 1970" in attributes.lower():
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = val
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        self.hits.append(Hit(method, path, response.status, elapsed, response.getheader("Retry-After")))
        return response.status, response, data.decode("utf-8", "replace")

    def navigate(self, method: str, path: str, form: list[tuple[str, str]] | None = None, limit: int = 10):
        """A request and its redirects (each a GET, as after a 303); returns (status, final path, text)."""
        status, response, text = self.request(method, path, form)
        for _ in range(limit):
            if status not in (301, 302, 303, 307, 308):
                break
            location = urljoin(f"http://{self.host}{path}", response.getheader("Location"))
            parts = urlsplit(location)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            status, response, text = self.request("GET", path)
        return status, path, text


def _choose_form(document) -> object | None:
    candidates = []
    for form in document.forms:
        action = form.get("action") or ""
        if (form.method or "GET").upper() != "POST" or any(bad in action for bad in AVOID_ACTIONS):
            continue
        candidates.append(form)
    if not candidates:
        return None
    return max(candidates, key=lambda form: len(form.inputs))


def _number(element) -> str:
    low = element.get("min")
    high = element.get("max")
    try:
        value = float(low) if low not in (None, "") else 1.0
        if high not in (None, "") and value > float(high):
            value = float(high)
    except ValueError:
        value = 1.0
    return str(int(value)) if value == int(value) else str(value)


def fill(form) -> list[tuple[str, str]]:
    """The fields a person would send: hidden values kept, the first choice of every group, short text elsewhere."""
    pairs: list[tuple[str, str]] = []
    seen_groups: set[str] = set()
    submit: tuple[str, str] | None = None
    for element in form.inputs:
        name = element.get("name")
        if not name:
            continue
        tag = element.tag
        kind = (element.get("type") or ("text" if tag == "input" else tag)).lower()
        if tag == "select":
            options = [o.get("value", o.text_content()) for o in element.findall(".//option")]
            options = [o for o in options if o not in ("", None)]
            chosen = [o.get("value", o.text_content()) for o in element.findall(".//option") if o.get("selected")]
            value = (chosen or options or [""])[0]
            pairs.append((name, value))
        elif tag == "textarea":
            pairs.append((name, element.text or "bench"))
        elif kind in ("radio", "checkbox"):
            if name in seen_groups:
                continue
            seen_groups.add(name)
            group = [e for e in form.inputs if e.get("name") == name and e.tag == "input"]
            checked = [e for e in group if e.get("checked") is not None]
            for e in checked or group[:1]:
                pairs.append((name, e.get("value", "on")))
        elif kind in ("submit", "button", "image"):
            label = f"{name} {element.get('value', '')}".lower()
            if submit is None and not any(word in label for word in AVOID_BUTTONS):
                submit = (name, element.get("value", ""))
        elif kind == "hidden":
            pairs.append((name, element.get("value", "")))
        elif kind == "number" or kind == "range":
            pairs.append((name, element.get("value") or _number(element)))
        elif kind == "email":
            pairs.append((name, element.get("value") or "bench@example.org"))
        elif kind == "date":
            pairs.append((name, element.get("value") or "2026-01-01"))
        elif kind == "file":
            continue
        elif name.endswith("other"):
            # "Please say which" beside an "other" choice: only for whoever ticked "other".
            pairs.append((name, element.get("value") or ""))
        else:
            value = element.get("value") or "bench"
            maxlength = element.get("maxlength")
            if maxlength and maxlength.isdigit():
                value = value[: int(maxlength)]
            pairs.append((name, value))
    if submit is not None and submit[0]:
        pairs.append(submit)
    return pairs


class FlowError(RuntimeError):
    """The respondent could not reach a receipt."""

    def __init__(self, message: str, status: int = 0, retry_after: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


def receipt_of(text: str) -> str | None:
    """The receipt code on a 'sent' page, or None."""
    if 'class="code receipt"' not in text:
        return None
    node = lxml.html.fromstring(text).find_class("receipt")[0]
    return "".join(node.text_content().split())


def respond(browser: Browser, slug: str = SLUG, max_pages: int = 80) -> str:
    """Answer ``slug`` from its landing page to its receipt; returns the receipt code."""
    status, path, text = browser.navigate("GET", f"/c/{slug}/")
    for _ in range(max_pages):
        if status != 200:
            raise FlowError(f"{path} answered {status}", status, browser.hits[-1].retry_after)
        code = receipt_of(text)
        if code:
            return code
        document = lxml.html.fromstring(text)
        form = _choose_form(document)
        if form is None:
            raise FlowError(f"no form to follow on {path}")
        action = form.get("action") or path
        target = urlsplit(urljoin(f"http://{browser.host}{path}", action))
        status, path, text = browser.navigate(
            "POST", target.path + (f"?{target.query}" if target.query else ""), fill(form)
        )
    raise FlowError(f"no receipt after {max_pages} pages")


def replay_bare(browser: Browser, plan: list[str], rows: int) -> int:
    """The bare twin of one response: ``plan`` lists the real flow's requests (``GET``/``POST``) in order."""
    status, _, text = browser.request("POST", "/bench/draft")
    if status != 201:
        raise FlowError(f"bare start answered {status}", status)
    draft = text.strip()
    for method in plan[1:-1]:
        status, _, _ = browser.request(method, f"/bench/draft/{draft}", raw=b"" if method == "POST" else None)
        if status >= 400:
            raise FlowError(f"bare {method} answered {status}", status)
    status, _, text = browser.request("POST", f"/bench/draft/{draft}/send?rows={rows}", raw=b"")
    if status != 201:
        raise FlowError(f"bare send answered {status}", status)
    return int(text)


@dataclass
class Result:
    """What a load run saw."""

    seconds: float = 0.0
    completed: int = 0
    receipts: list[str] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, object]:
        """Complete responses/s, requests/s, p50/p95 page latency (ms), errors."""
        seconds = [h.seconds for h in self.hits]
        ordered = sorted(seconds)
        return {
            "responses": self.completed,
            "responses_s": round(self.completed / self.seconds, 2) if self.seconds else 0,
            "requests": len(self.hits),
            "requests_s": round(len(self.hits) / self.seconds, 1) if self.seconds else 0,
            "req_per_response": round(len(self.hits) / self.completed, 1) if self.completed else 0,
            "p50_ms": round(statistics.median(ordered) * 1000, 1) if ordered else 0,
            "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 1) if ordered else 0,
            "errors": len(self.errors),
            "status_5xx": sum(1 for h in self.hits if h.status >= 500),
        }


def drive(host: str, concurrency: int, seconds: float, work, rate: float | None = None) -> Result:
    """Run ``work(browser)`` in ``concurrency`` threads for ``seconds``; ``rate`` caps completions per second.

    ``work`` returns a receipt code (or any id) per complete response and raises on failure.
    A response started before the end is finished; only complete ones count.
    """
    result = Result()
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds
    started = {"n": 0}
    begin = time.perf_counter()

    def worker() -> None:
        while True:
            with lock:
                if time.perf_counter() >= stop_at:
                    return
                n = started["n"]
                started["n"] += 1
            if rate:
                # Paced start times, so that completions come at ``rate`` per second on average.
                delay = begin + n / rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                if time.perf_counter() >= stop_at:
                    return
            browser = Browser(host)
            try:
                code = work(browser)
            except (FlowError, OSError, http.client.HTTPException) as error:
                with lock:
                    result.errors.append(f"{type(error).__name__}: {error}")
            else:
                with lock:
                    result.receipts.append(code)
                    result.completed += 1
            finally:
                browser.close()
                with lock:
                    result.hits.extend(browser.hits)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - begin
    return result


def check_store(url: str, receipts: list[str], baseline: int = 0) -> dict[str, object]:
    """Receipts found stored (each exactly once), responses added since ``baseline``, orphan answers, partial ones."""
    from sqlalchemy import create_engine, func, select, text

    from config import normalise_database_url
    from consult.core.codes import hash_code, normalise_code
    from consult.responses.models import Answer, Response

    engine = create_engine(normalise_database_url(url))
    with engine.connect() as connection:
        hashes = [hash_code(normalise_code(code)) for code in receipts]
        found = 0
        for start in range(0, len(hashes), 500):
            found += connection.scalar(
                select(func.count())
                .select_from(Response)
                .where(Response.receipt_code_hash.in_(hashes[start : start + 500]))
            )
        total = connection.scalar(select(func.count()).select_from(Response))
        orphans = connection.scalar(
            select(func.count())
            .select_from(Answer)
            .where(~select(Response.id).where(Response.id == Answer.response_id).exists())
        )
        empty = connection.scalar(
            select(func.count())
            .select_from(Response)
            .where(~select(Answer.id).where(Answer.response_id == Response.id).exists())
        )
        integrity = "n/a"
        if url.startswith("sqlite"):
            integrity = connection.execute(text("PRAGMA integrity_check")).scalar()
    engine.dispose()
    return {
        "acknowledged": len(receipts),
        "acknowledged_stored": found,
        "responses_added": total - baseline,
        "orphan_answers": orphans,
        "responses_without_answers": empty,
        "integrity": integrity,
    }


def count_responses(url: str) -> int:
    """Responses in the database now."""
    from sqlalchemy import create_engine, func, select

    from config import normalise_database_url
    from consult.responses.models import Response

    engine = create_engine(normalise_database_url(url))
    with engine.connect() as connection:
        total = connection.scalar(select(func.count()).select_from(Response))
    engine.dispose()
    return total


def prepare_drafts(url: str, count: int, slug: str = SLUG, group: str = "rural_community") -> tuple[list[str], int]:
    """``count`` drafts of ``slug`` ready to send, with a demo community answer set; (tokens, answer rows each).

    Made in this process on the same database, outside any timed or killed phase, the way
    ``bench/bench_submission.py`` makes them: the load then is the send itself.
    """
    from sqlalchemy import select

    from consult import create_app
    from consult.extensions import db
    from consult.responses import drafts
    from consult.responses.models import Consultation, Response
    from consult.responses.sending import answers_of
    from consult.surveys.models import InstrumentVersion

    app = create_app({"env": "testing", "database_url": url})
    with app.app_context():
        consultation = db.session.scalar(select(Consultation).where(Consultation.slug == slug))
        sample = db.session.scalar(
            select(Response)
            .where(Response.consultation_id == consultation.id, Response.group_code == group)
            .order_by(Response.id)
        )
        answers = answers_of(db.session.get(InstrumentVersion, sample.instrument_version_id).parsed(), sample)
        rows = len(sample.answers)
        tokens = []
        for _ in range(count):
            draft, _code = drafts.start_draft(consultation, "es")
            drafts.choose_group(draft, group)
            draft.answers = dict(answers)
            tokens.append(draft.submission_token)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return tokens, rows


def csrf_token(text: str) -> str:
    """The CSRF token of the first form on a page."""
    found = lxml.html.fromstring(text).xpath("//input[@name='csrf_token']/@value")
    return found[0] if found else ""


def send_prepared(browser: Browser, token: str, slug: str = SLUG) -> str:
    """Send a prepared draft as its browser would: a page for the session and CSRF token, then POST send.

    Returns the receipt code shown; raises ``FlowError`` (with the status and Retry-After) otherwise.
    """
    if "csrf" not in browser.__dict__:
        status, _, text = browser.navigate("GET", f"/c/{slug}/")
        if status != 200:
            raise FlowError(f"landing answered {status}", status, browser.hits[-1].retry_after)
        browser.csrf = csrf_token(text)
    status, path, text = browser.navigate(
        "POST", f"/c/{slug}/send", [("csrf_token", browser.csrf), ("submission_token", token)]
    )
    code = receipt_of(text) if status == 200 else None
    if code is None:
        raise FlowError(f"send ended on {path} with {status}", status, browser.hits[-1].retry_after)
    return code


class Proxy:
    """A TCP forwarder to a database server that can be cut (every connection dropped) and restored."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> Proxy:
        """Listen on 127.0.0.1:``port`` and forward."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        """Stop listening and drop every open connection: the database is unreachable."""
        if self._listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone would leave it listening.
            try:
                self._listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._listener.close()
            self._listener = None
        with self._lock:
            for s in self._sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self._sockets = []
