"""Crawl the demo as each kind of person, check every page, and fuzz every form found.

Generic on purpose: a view added by any room is visited (when linked from a
page someone can reach) and its forms are fed hostile input. Nothing may
answer 5xx, and every HTML page passes the CheckedClient's checks.
"""

from __future__ import annotations

import random
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from consult.demo import DEMO_PASSWORD, seed_demo

MAX_PAGES = 80
ROUNDS = 3
SKIP = re.compile(r"^/(logout|static/)")
NASTY = [
    "",
    " ",
    "x" * 5000,
    "<script>alert(1)</script>",
    "'; DROP TABLE users; --",
    '=HYPERLINK("http://x")',
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "2026-02-30",
    "ñandú 💥 \u202e",
    "../../etc/passwd",
]


class FormParser(HTMLParser):
    """Links and forms (action, method, fields with their options) of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self.forms.append(
                {"action": a.get("action") or "", "method": (a.get("method") or "get").lower(), "fields": {}}
            )
        elif self.forms and tag in ("input", "textarea", "select") and a.get("name"):
            field = self.forms[-1]["fields"].setdefault(a["name"], {"type": a.get("type", tag), "values": []})
            if a.get("value") is not None:
                field["values"].append(a["value"])
            if tag == "select":
                self._select = a["name"]
        elif tag == "option" and self.forms and self._select:
            self.forms[-1]["fields"][self._select]["values"].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def _same_site(base: str, href: str) -> str | None:
    url = urljoin(base, href)
    parts = urlsplit(url)
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "localhost"):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return None if SKIP.match(parts.path) else path


def _fuzz_payload(form: dict, rng: random.Random) -> dict:
    payload = {}
    for name, field in form["fields"].items():
        if name == "csrf_token":
            payload[name] = field["values"][0] if field["values"] else ""
        elif field["type"] in ("radio", "checkbox", "select") and field["values"] and rng.random() < 0.6:
            payload[name] = rng.choice(field["values"])
        else:
            payload[name] = rng.choice(NASTY)
    return payload


def crawl_and_fuzz(client, start: str = "/") -> tuple[int, int]:
    """Visit up to MAX_PAGES pages from ``start``; post fuzzed data to each POST form once found."""
    rng = random.Random(20261122)
    seen, queue, posted = set(), [start], set()
    pages = forms = 0
    while queue and pages < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        pages += 1
        assert response.status_code < 500, f"GET {path} answered {response.status_code}"
        if response.mimetype != "text/html":
            continue
        parser = FormParser()
        parser.feed(response.get_data(as_text=True))
        for href in parser.links:
            target = _same_site(path, href)
            if target and target not in seen:
                queue.append(target)
        for form in parser.forms:
            action = _same_site(path, form["action"]) if form["action"] else path
            if form["method"] != "post" or not action or (action, tuple(sorted(form["fields"]))) in posted:
                continue
            posted.add((action, tuple(sorted(form["fields"]))))
            forms += 1
            for _ in range(ROUNDS):
                answer = client.post(action, data=_fuzz_payload(form, rng))
                assert answer.status_code < 500, f"POST {action} answered {answer.status_code}"
    return pages, forms


@pytest.fixture
def demo(app):
    seed_demo()


@pytest.mark.parametrize(
    "email",
    [
        None,
        "admin@demo.consult.example",
        "official.antioquia@demo.consult.example",
        "analyst.salta@demo.consult.example",
        "moderator.antioquia@demo.consult.example",
        "facilitator.salta@demo.consult.example",
        "cso@demo.consult.example",
        "empresa1@demo.consult.example",
    ],
)
def test_crawl_and_fuzz_as_each_person(client, demo, email):
    if email:
        client.login(email, DEMO_PASSWORD)
    pages, forms = crawl_and_fuzz(client)
    assert pages >= 2


def test_nul_bytes_are_refused_with_a_400(client):
    response = client.post("/login", data={"email": "a\x00b", "password": "x"})
    assert response.status_code == 400
