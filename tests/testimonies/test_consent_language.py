"""Consent lines on staff pages read in the page's language; the words the person saw stay shown as the record."""

from __future__ import annotations

import html
import re

import pytest

from tests.fixtures.app import untranslated_strings

AGGREGATE = {
    "es": "Pueden contar mi testimonio junto con otros, solo en cifras y resúmenes.",
    "en": "You may count my testimony together with others, only in numbers and summaries.",
}


def _text(response) -> str:
    page = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(page))


@pytest.fixture
def desk(db, create_territory, create_consultation, create_testimony, create_user):
    territory = create_territory("antioquia", "Antioquia", "CO", enabled_languages=["es", "en"])
    consultation = create_consultation(territory, slug="remedio")
    testimony, _code = create_testimony(consultation, lang="es")
    official = create_user("of@antioquia.example", roles={territory: ["official"]})
    return testimony, official


def _consent_section(text: str) -> str:
    for heading in ("How it may be used", "Cómo se puede usar"):
        if heading in text:
            return text[text.index(heading) :]
    raise AssertionError("no consent section")


def test_an_english_page_shows_the_consent_of_a_spanish_testimony_in_english(client, desk):
    testimony, official = desk
    client.login(official.email)
    page = client.get(f"/t/antioquia/testimonies/{testimony.id}?lang=en")
    assert page.status_code == 200
    section = _consent_section(_text(page))
    allowed = section[section.index("Allowed:") :]
    # The line a person reads is in English ...
    assert allowed.split("Recorded in")[0].strip().startswith(f"Allowed: {AGGREGATE['en']}")
    # ... and the Spanish words the person agreed to are kept beside it, with language and version.
    assert re.search(r"Recorded in Spanish, version \d+:", section)
    assert AGGREGATE["es"] in section
    raw = page.get_data(as_text=True)
    assert 'lang="es"' in raw.split("Recorded in Spanish", 1)[1][:200]


def test_a_spanish_page_shows_spanish_consent_lines_only(client, desk):
    testimony, official = desk
    client.login(official.email)
    page = client.get(f"/t/antioquia/testimonies/{testimony.id}?lang=es")
    text = _text(page)
    section = _consent_section(text)
    assert AGGREGATE["es"] in section
    assert AGGREGATE["en"] not in text and "Recorded in" not in text
    assert not untranslated_strings(text, "es")
