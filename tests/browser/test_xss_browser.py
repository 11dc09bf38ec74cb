"""Stored XSS in a real browser: Chromium with JavaScript on renders the pages holding the corpus, and nothing runs.

Every payload of ``tests/security/xss_payloads.py`` sets ``window.__xss`` (and a few would open a
dialog) if it ever runs; each page is loaded, its links and fields hovered and focused, and then
``window.__xss`` must still be undefined and no dialog may have opened. The HTML checks of the same
surfaces are in tests/security/test_xss_corpus.py and test_xss_surfaces.py.
"""

from __future__ import annotations

import pytest

from consult.demo import DEMO_PASSWORD
from tests.security.test_xss_corpus import hostile  # noqa: F401  (fixture)
from tests.security.test_xss_surfaces import HOME, wichi_hostile, world  # noqa: F401  (fixtures)
from tests.security.xss_payloads import PAYLOAD

pytestmark = pytest.mark.browser


class Watched:
    """A page whose dialogs are recorded (and dismissed) and whose ``window.__xss`` is read after each visit."""

    def __init__(self, page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        page.on("dialog", self._dialog)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def check(self, where: str, *, must_show: bool = True) -> None:
        """Nothing of the corpus ran on the page shown now (after poking at it as a person would)."""
        page = self.page
        page.wait_for_load_state("load")
        # Handlers that need a person: hover and focus what a person would (a few of each is enough).
        for selector in ("a", "img", "svg", "td", "p"):
            for element in page.locator(f"main {selector}").all()[:15]:
                try:
                    element.hover(timeout=500)
                except Exception:  # noqa: BLE001 — hidden or covered elements cannot be hovered; that is fine
                    pass
        page.wait_for_timeout(100)
        flag = page.evaluate("typeof window.__xss")
        assert flag == "undefined", f"{where}: a payload ran (window.__xss is set)"
        assert not self.dialogs, f"{where}: a dialog opened: {self.dialogs}"
        if must_show:
            assert "__xss" in page.content(), f"{where}: the payload is not on the page, the surface was not reached"

    def visit(self, url: str, where: str, *, must_show: bool = True) -> None:
        """Open ``url`` and check it (``must_show``: the page must hold a payload)."""
        response = self.page.goto(url)
        assert response is not None and response.status == 200, f"{where}: {url} gave {response and response.status}"
        self.check(where, must_show=must_show)


def _log_in(page, email: str) -> None:
    page.goto("/login?lang=en")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()


def _answer(watched: Watched, slug: str, lang: str) -> None:
    """Start answering ``slug`` in ``lang``, check every page on the way, type the corpus, reach the review."""
    page = watched.page
    watched.visit(f"/c/{slug}/?lang={lang}", f"landing {lang}", must_show=False)
    page.locator(f"form[action$='/c/{slug}/start'] button[type=submit]").click()
    page.wait_for_load_state("load")
    if page.locator("input[name=group_code]").count():
        radio = page.locator("input[type=radio][name=group_code][value=rural_community]")
        if radio.count():
            radio.check()
        page.locator("button[name=action][value=next]").click()
    page.locator("textarea").first.wait_for()
    watched.check(f"answer page {lang}")
    page.locator("textarea").first.fill(PAYLOAD)
    page.locator("button[name=action][value=next]").first.click()
    page.wait_for_load_state("load")
    watched.visit(f"/c/{slug}/review?lang={lang}", f"review {lang}")


def test_the_answering_pages_with_the_corpus_in_the_instrument_run_nothing(new_page, hostile):  # noqa: F811
    watched = Watched(new_page(locale="en-GB"))
    _answer(watched, hostile.slug, "en")


def test_a_content_only_language_with_the_corpus_runs_nothing(new_page, wichi_hostile):  # noqa: F811
    watched = Watched(new_page())
    _answer(watched, wichi_hostile.slug, "mzh")


def test_staff_and_public_pages_holding_the_corpus_run_nothing(new_page, world):  # noqa: F811
    moderator = Watched(new_page(locale="en-GB"))
    _log_in(moderator.page, world.users["moderator"].email)
    moderator.visit(f"/t/{HOME}/testimonies/{world.testimony.id}?lang=en", "testimony (moderator)")
    moderator.visit(f"/t/{HOME}/testimonies/excerpts?lang=en", "excerpts (moderator)")

    official = Watched(new_page(locale="en-GB"))
    _log_in(official.page, world.users["official"].email)
    official.visit(f"/t/{HOME}/plans/{world.plan.id}?lang=en", "plan (official)")
    official.visit(f"/t/{HOME}/plans/{world.plan.id}/comments?lang=en", "comment moderation")
    official.visit(f"/t/{HOME}/languages?lang=en", "languages screen")
    official.visit(f"/t/{HOME}/consultations/{world.open.id}/invitations?lang=en", "invitations")

    public = Watched(new_page(locale="en-GB"))
    slug = world.plan.consultation.slug
    public.visit(f"/c/{slug}/plan?lang=en", "public plan")
    public.visit(f"/c/{slug}/plan/document.html?lang=en", "plan document")
    public.visit(f"/c/{world.open.slug}/?lang=en", "landing with the endonyms")
