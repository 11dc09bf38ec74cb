"""axe-core (contrast included) finds nothing on the plans room's staff pages at phone width.

The whole-path test (test_plans_browser.py) checks the pages a plan passes through; this one opens
every other officials', moderators', analysts' and network admins' plans page once: the edit forms
of a priority and an action, adding an action (blank and from the library), the moderators' list,
the plan as an HTML document, and the action library's pages.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.fixtures.browser import assert_accessible

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "consult-demo-2026"


@pytest.fixture
def plan(app, db):
    from consult.accounts.models import User
    from consult.demo import seed_demo
    from consult.plans import drafting, lifecycle
    from consult.responses.demo_closed import SLUG
    from consult.responses.models import Consultation

    seed_demo()
    consultation = db.session.scalar(select(Consultation).where(Consultation.slug == SLUG))
    official = db.session.scalar(select(User).where(User.email == "official.antioquia@demo.consult.example"))
    drafted = drafting.generate(consultation, "es", official)
    lifecycle.publish_for_comment(drafted, date.today(), date.today() + timedelta(days=30), official)
    db.session.commit()
    return drafted


def log_in(page, email: str) -> None:
    page.goto("/login?lang=en")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def check(page, url: str) -> None:
    answer = page.goto(url)
    assert answer.status == 200, (url, answer.status)
    assert_accessible(page)


def test_the_plans_staff_pages_pass_axe(new_page, plan, app, db):
    from consult.plans import library

    base = f"/t/antioquia/plans/{plan.id}"
    priority, action = plan.priorities[0], plan.actions[0]
    added = library.create(
        "community_water_watch",
        pillar="protect",
        rights=["water_sanitation"],
        barriers=[],
        sectors=[],
        ungp_principles=["3"],
        sdg_targets=["8.8"],
        gender_marker=1,
        indicator_unit="reports",
        texts={
            lang: {
                "title": title,
                "description": title,
                "indicator": title,
                "lead_entity": "Secretaría",
                "partners": "",
            }
            for lang, title in (("es", "Vigía del agua"), ("en", "Water watch"), ("pt", "Vigia da água"))
        },
    )
    db.session.commit()

    page = new_page(locale="en-GB", javascript=True)
    page.set_default_timeout(60_000)
    log_in(page, "official.antioquia@demo.consult.example")
    for url in (
        "/t/antioquia/plans",
        f"{base}/priorities/{priority.id}",
        f"{base}/priorities/{priority.id}/drop",
        f"{base}/actions/{action.id}",
        f"{base}/actions/{action.id}/drop",
        f"{base}/actions/new",
        "/t/antioquia/plan-comments",
        "/library/actions",
        f"{base}/document.html?lang=en",
    ):
        check(page, url)

    for email, urls in (
        ("moderator.antioquia@demo.consult.example", ("/t/antioquia/plan-comments", f"{base}/comments")),
        ("analyst.antioquia@demo.consult.example", ("/t/antioquia/plans", base, "/library/actions")),
        (
            "admin@demo.consult.example",
            ("/library/actions", "/library/actions/new", f"/library/actions/{added.code}/edit"),
        ),
    ):
        page = new_page(locale="en-GB", javascript=True)
        page.set_default_timeout(60_000)
        log_in(page, email)
        for url in urls:
            check(page, url)
