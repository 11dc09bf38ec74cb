"""Stored XSS: hostile text in an instrument's translated texts and in answers is shown as text, never as markup.

The browser twin (tests/browser/test_xss_browser.py) renders the same pages in Chromium with
JavaScript on and checks that nothing ran; this one checks the HTML itself.
"""

from __future__ import annotations

import re

import pytest

from tests.security.xss_payloads import PAYLOAD, assert_inert

LANGUAGES = ("es", "en", "pt")


def hostile_definition(languages: tuple[str, ...] = LANGUAGES) -> dict:
    """A one-page instrument whose every text (title, section, page, question, help, options) is the corpus.

    ``languages`` may add content-only languages (such as ``mzh``) to the interface languages.
    """

    def _tr(text: str) -> dict[str, str]:
        return {code: f"{code.upper()} {text}" for code in languages}

    return {
        "format": 1,
        "key": "xss_survey",
        "languages": list(languages),
        "fallback_language": "es",
        "title": _tr(PAYLOAD),
        "sections": [
            {
                "key": "s1",
                "title": _tr(PAYLOAD),
                "pages": [
                    {
                        "key": "p1",
                        "title": _tr(PAYLOAD),
                        "questions": [
                            {"key": "T1", "type": "long_text", "text": _tr(PAYLOAD), "help": _tr(PAYLOAD)},
                            {
                                "key": "C1",
                                "type": "single_choice",
                                "text": _tr(PAYLOAD),
                                "options": [{"value": "a", "label": _tr(PAYLOAD)}],
                                "other": {"label": _tr(PAYLOAD)},
                            },
                        ],
                    }
                ],
            }
        ],
    }


@pytest.fixture
def hostile(create_territory, create_version, create_consultation, db):
    territory = create_territory("xss", "Xss", "CO", enabled_languages=["es", "en", "pt"])
    version = create_version(hostile_definition(), territory=territory)
    consultation = create_consultation(territory, groups={"rural_community": version}, slug="xss")
    db.session.commit()
    return consultation


def test_instrument_texts_and_answers_are_shown_as_text(client, hostile):
    slug = hostile.slug
    for lang in ("es", "en", "pt"):
        assert_inert(client.get(f"/c/{slug}/?lang={lang}").get_data(as_text=True), f"landing {lang}")
    client.submit(f"/c/{slug}/start", form_url=f"/c/{slug}/")
    client.submit(f"/c/{slug}/group", {"group_code": "rural_community"})
    for lang in ("es", "en", "pt"):
        page = client.get(f"/c/{slug}/p/p1?lang={lang}").get_data(as_text=True)
        assert "{{7*7}}" in page, "the template-looking text is shown as it is"
        assert_inert(page, f"page {lang}")
    # The "other" choice's text box: its field name is read from the page.
    other_fields = set(re.findall(r'name="(C1[^"]*other[^"]*)"', page))
    other_value = re.search(r'name="C1" [^>]*value="([^"]*other[^"]*)"', page)
    data = {"T1": PAYLOAD, "C1": other_value[1] if other_value else "a", **{name: PAYLOAD for name in other_fields}}
    sent = client.submit(f"/c/{slug}/p/p1", data)
    assert sent.status_code in (200, 302)
    review = client.get(f"/c/{slug}/review?lang=en").get_data(as_text=True)
    assert_inert(review, "review")
