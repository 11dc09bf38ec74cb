"""Four eyes in the browser: moderator A approves an excerpt, A cannot approve it again,
moderator B approves it, and only then does the analyst see it; axe on the moderation pages."""

from __future__ import annotations

import re

import pytest

from tests.fixtures.browser import assert_accessible
from tests.fixtures.factories import PASSWORD

pytestmark = pytest.mark.browser

EXCERPT = "A mining company poisoned a community's river."


def _log_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def _decide(page, reason: str, button: str) -> None:
    page.get_by_label("Approve: it identifies nobody").check()
    page.get_by_label("Reason", exact=True).fill(reason)
    page.get_by_role("button", name=button).click()


@pytest.fixture
def scene(db, create_territory, create_consultation, create_testimony, create_user):
    from consult.testimonies import services

    territory = create_territory("antioquia", "Antioquia", "CO", enabled_languages=["es", "en"])
    consultation = create_consultation(territory, slug="remedio")
    testimony, _code = create_testimony(consultation)
    people = {
        "a": create_user("a@antioquia.example", "Ana Moderadora", roles={territory: ["moderator"]}),
        "b": create_user("b@antioquia.example", "Beto Moderador", roles={territory: ["moderator"]}),
        "analyst": create_user("analyst@antioquia.example", "Alba Analista", roles={territory: ["analyst"]}),
    }
    services.propose_excerpt(testimony, EXCERPT, people["a"])
    db.session.commit()
    return testimony, people


def test_two_different_moderators_approve_before_the_analyst_sees_the_excerpt(new_page, scene):
    testimony, people = scene
    url = f"/t/antioquia/testimonies/{testimony.id}"

    a = new_page(locale="en-GB")
    _log_in(a, people["a"].email)
    a.goto(url)
    a.get_by_text(EXCERPT).first.wait_for()
    assert_accessible(a)
    _decide(a, "No names, places or dates.", "Save the decision")
    a.get_by_text("Your approval has been saved. A second moderator must approve it too.").wait_for()
    assert "First approval: Ana Moderadora" in a.content()
    assert_accessible(a)
    # The queue shows it waits for a second approval
    a.goto("/t/antioquia/testimonies/")
    a.get_by_text("1 awaiting a second approval").wait_for()
    assert_accessible(a)
    # A cannot give the second approval
    a.goto(url)
    _decide(a, "Me again.", "Save the second decision")
    a.get_by_role("alert").filter(has_text="The second approval must come from a different moderator.").wait_for()
    assert_accessible(a)

    analyst = new_page(locale="en-GB")
    _log_in(analyst, people["analyst"].email)
    analyst.goto("/t/antioquia/testimonies/excerpts")
    analyst.get_by_role("heading", level=1).wait_for()
    assert EXCERPT not in analyst.content()

    b = new_page(locale="en-GB")
    _log_in(b, people["b"].email)
    b.goto(url)
    _decide(b, "Agreed: nobody can be identified.", "Save the second decision")
    b.get_by_text("The decision has been saved.").wait_for()
    assert re.search(r"Second approval: Beto Moderador", b.content())
    assert_accessible(b)

    analyst.goto("/t/antioquia/testimonies/excerpts")
    analyst.get_by_text(EXCERPT).wait_for()
    assert_accessible(analyst)
