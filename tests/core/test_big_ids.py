"""Numbers in URLs beyond what an id column holds are a 404, never a 500 (issue 11, finding 5).

Every route with an ``<int:...>`` part is requested with 2^31 (one past
PostgreSQL's ``integer``), 2^63 and 2^64 in each numeric place, the other
parts filled with real values of the demo (a territory, a consultation's
slug), as an official and as a network administrator. Every route that takes
ids in its query string too. On PostgreSQL (CONSULT_TEST_DATABASE_URL) the
numbers reach the database if nothing stops them: that is where the 500 was.
"""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from consult.core.converters import MAX_ID, BoundedIntConverter, is_out_of_range
from consult.demo import DEMO_PASSWORD, seed_demo

HUGE = (2**31, 2**63, 2**64, 10**40)
PEOPLE = ("official.antioquia@demo.consult.example", "admin@demo.consult.example")
# Query-string names the views read ids and numbers from (grep request.args in consult/).
ID_QUERY = ("version", "locality", "page", "instrument", "group", "to", "from")
_PART = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


def _plausible(name: str, slug: str) -> str:
    """A value that lets the route match and, where it can, reach its view."""
    return {
        "territory": "antioquia",
        "slug": slug,
        "fmt": "html",
        "action": "approve",
        "key": "context",
        "page_key": "p1",
    }.get(name, "x")


def _fill(rule: str, slug: str, number_for) -> str:  # noqa: ANN001
    def part(match: re.Match[str]) -> str:
        if match.group("converter") == "int":
            return str(number_for(match.group("name")))
        return _plausible(match.group("name"), slug)

    return _PART.sub(part, rule)


def _int_rules(app):
    return [rule for rule in app.url_map.iter_rules() if any(c == "int" for c in _converter_names(rule))]


def _converter_names(rule) -> list[str]:  # noqa: ANN001
    return [m.group("converter") for m in _PART.finditer(rule.rule)]


@pytest.fixture
def demo(app):
    seed_demo()


class _Person:
    """A logged-in person, without CSRF tokens: the number, not the form, is under test (a POST reaches its view)."""

    def __init__(self, app, email: str) -> None:
        app.config["WTF_CSRF_ENABLED"] = False
        self.app = app
        self.client = FlaskClient(app, app.response_class, use_cookies=True)
        response = self.open("/login", "POST", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, response.status_code

    def open(self, url: str, method: str = "GET", **kwargs):  # noqa: ANN201
        """One request in its own application context, as a real server would run it."""
        with self.app.app_context():
            response = self.client.open(url, method=method, **kwargs)
            response.close()
        from consult.extensions import db

        db.session.expire_all()
        return response


def _slug(db) -> str:
    from consult.responses.models import Consultation

    return db.session.scalars(select(Consultation.slug).order_by(Consultation.id)).first()


def test_the_int_converter_is_bounded_app_wide(app):
    rules = _int_rules(app)
    assert len(rules) > 40
    for rule in rules:
        assert all(
            isinstance(c, BoundedIntConverter) for n, c in rule._converters.items() if f"<int:{n}>" in rule.rule
        ), rule.rule
    assert app.url_map.converters["int"] is BoundedIntConverter
    converter = BoundedIntConverter(app.url_map)
    assert converter.to_python(str(MAX_ID)) == MAX_ID
    for value in (MAX_ID + 1, 2**63, "9" * 10000):
        with pytest.raises(Exception):
            converter.to_python(str(value))
    assert is_out_of_range(str(2**63)) and is_out_of_range("-" + str(2**63)) and not is_out_of_range("12")
    assert not is_out_of_range("abc") and not is_out_of_range(str(MAX_ID))


@pytest.mark.parametrize("email", PEOPLE)
def test_huge_ids_in_paths_are_a_404_for_every_route(app, db, demo, email):
    person = _Person(app, email)
    slug = _slug(db)
    seen = 0
    for rule in _int_rules(app):
        names = [m.group("name") for m in _PART.finditer(rule.rule) if m.group("converter") == "int"]
        method = "GET" if "GET" in rule.methods else "POST"
        for huge in HUGE:
            # The huge number in each numeric place in turn, 1 in the others (an id that exists).
            for target in names:
                url = _fill(rule.rule, slug, lambda name: huge if name == target else 1)
                response = person.open(url + "?lang=en", method)
                assert response.status_code == 404, f"{method} {url} answered {response.status_code}"
                seen += 1
    assert seen > 100


@pytest.mark.parametrize("email", PEOPLE)
def test_the_largest_id_reaches_the_views_without_a_500(app, db, demo, email):
    person = _Person(app, email)
    slug = _slug(db)
    for rule in _int_rules(app):
        method = "GET" if "GET" in rule.methods else "POST"
        url = _fill(rule.rule, slug, lambda name: MAX_ID)
        response = person.open(url + "?lang=en", method)
        assert response.status_code < 500, f"{method} {url} answered {response.status_code}"


@pytest.mark.parametrize("email", PEOPLE)
def test_huge_numbers_in_query_strings_are_a_404(app, db, demo, email):
    person = _Person(app, email)
    slug = _slug(db)
    rules = [rule for rule in app.url_map.iter_rules() if "GET" in rule.methods]
    checked = 0
    for rule in rules:
        if rule.endpoint in ("static",) or "<path:" in rule.rule:
            continue
        url = _fill(rule.rule, slug, lambda name: 1)
        for name in ID_QUERY:
            response = person.open(f"{url}?lang=en&{name}={2**63}")
            assert response.status_code == 404, f"GET {url}?{name}=2**63 answered {response.status_code}"
            checked += 1
        # Small numbers still pass: the guard is for what no column holds.
        response = person.open(f"{url}?lang=en&page=2")
        assert response.status_code < 500, f"GET {url}?page=2 answered {response.status_code}"
    assert checked > 100
