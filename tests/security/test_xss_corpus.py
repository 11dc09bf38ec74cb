"""Stored XSS: hostile text in an instrument's translated texts and in answers is shown as text, never as markup.

The browser twin (tests/browser/test_xss_browser.py) renders the same pages in Chromium with
JavaScript on and checks that nothing ran; this one checks the HTML itself.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

#: Each payload sets ``window.__xss`` if it ever runs.
CORPUS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    "<svg onload=window.__xss=1>",
    '"><img src=x onerror=window.__xss=1>',
    "'><svg/onload=window.__xss=1>",
    "javascript:window.__xss=1",
    '<a href="javascript:window.__xss=1">x</a>',
    "[click](javascript:window.__xss=1)",
    "{{7*7}}",
    "</textarea><script>window.__xss=1</script>",
]
PAYLOAD = " ".join(CORPUS)


def _tr(text: str) -> dict[str, str]:
    return {"es": f"ES {text}", "en": f"EN {text}", "pt": f"PT {text}"}


def hostile_definition() -> dict:
    """A one-page instrument whose every text (title, section, page, question, help, options) is the corpus."""
    return {
        "format": 1,
        "key": "xss_survey",
        "languages": ["es", "en", "pt"],
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


class _Markup(HTMLParser):
    """Elements and attributes a payload would need to run: handlers, scripts, javascript: links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script = False

    def handle_starttag(self, tag, attrs):
        self._script = tag == "script"
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on") and "__xss" in value:
                self.found.append(f"<{tag} {name}>")
            if name in ("href", "src", "action", "formaction") and value.startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:>")

    def handle_data(self, data):
        if self._script and "__xss" in data:
            self.found.append("<script> with the payload")

    def handle_endtag(self, tag):
        self._script = False


def assert_inert(html: str, where: str) -> None:
    """No payload of the corpus is present as markup in ``html`` (escaped text is fine)."""
    for payload in CORPUS:
        if "<" in payload:
            assert payload not in html, f"{where}: {payload!r} is in the HTML unescaped"
    parser = _Markup()
    parser.feed(html)
    assert not parser.found, f"{where}: {parser.found}"


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
