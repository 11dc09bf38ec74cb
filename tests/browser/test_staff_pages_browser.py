"""axe-core (contrast included) finds nothing on any staff page, for every staff role of the demo.

The pages come from the app's URL map, not from a hand-kept list: every GET view marked as a
territory, login or admin view (``consult.core.access.mark_access``) is opened with the demo's
ids of Antioquia, by each role that may open it (a 403 means the role may not, and is skipped).
A new staff view whose URL arguments the demo cannot fill fails the test until it gets ids here.

Plans pages (the ``plans.`` blueprint) are left out: tests/browser/test_plans_browser.py runs
axe on them with a plan in the states those pages need (a draft, versions, comments), which the
plain demo seed does not give every page.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import select

from consult.core.db import utcnow
from tests.fixtures.browser import assert_accessible

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "consult-demo-2026"
TERRITORY = "antioquia"
OFFICIAL = "official.antioquia@demo.consult.example"
ROLES = {
    "official": OFFICIAL,
    "moderator": "moderator.antioquia@demo.consult.example",
    "analyst": "analyst.antioquia@demo.consult.example",
    "facilitator": "facilitator.antioquia@demo.consult.example",
    "network admin": "admin@demo.consult.example",
}
STAFF_ACCESS = ("territory", "login", "admin")
#: Blueprints whose pages another browser test checks with axe (see the module docstring).
COVERED_ELSEWHERE = ("plans",)
#: Staff views that answer a sound, not a page (nothing for axe; the authorisation matrix checks who hears them).
SOUNDS = {"responses.answer_recording_sound", "testimonies.listen"}


@dataclass
class DemoIds:
    """Values for each URL argument of a staff view, from the seeded demo of Antioquia."""

    consultations: list = field(default_factory=list)
    instruments: list = field(default_factory=list)
    testimony_ids: list = field(default_factory=list)
    route_ids: list = field(default_factory=list)
    export_tokens: dict = field(default_factory=dict)
    draft: object = None


@pytest.fixture
def demo(app, db, tmp_path):
    # Imported here, not at collection: importing a demo module registers its step.
    from consult.accounts.models import Territory, User
    from consult.demo import seed_demo
    from consult.exports.models import ExportJob, JobStatus
    from consult.responses.demo_closed import SLUG as CLOSED_SLUG
    from consult.responses.models import Consultation
    from consult.surveys.models import Instrument
    from consult.testimonies.models import ProtectionRoute, Testimony

    app.config["CONSULT_EXPORTS_DIR"] = str(tmp_path / "exports")
    seed_demo()
    territory = db.session.scalar(select(Territory).where(Territory.slug == TERRITORY))
    draft = _draft_consultation(territory)
    ids = DemoIds()
    every = list(
        db.session.scalars(
            select(Consultation).where(Consultation.territory_id == territory.id).order_by(Consultation.id)
        )
    )
    # Three states, three sets of pages: the open one (links, targets), last year's closed one
    # (analysis, themes, exports) and the draft (removable groups).
    ids.consultations = [
        next(c for c in every if c.state.value == "open" and c.invitations),
        next(c for c in every if c.slug == CLOSED_SLUG),
        draft,
    ]
    ids.instruments = list(
        db.session.scalars(
            select(Instrument)
            .where((Instrument.territory_id == territory.id) | Instrument.territory_id.is_(None))
            .order_by(Instrument.territory_id.is_(None), Instrument.id)
        )
    )
    # The territory's own instruments and one of the shared library (same templates for the rest).
    own = [i for i in ids.instruments if i.territory_id == territory.id]
    ids.instruments = own + [i for i in ids.instruments if i.territory_id is None][:1]
    ids.testimony_ids = list(
        db.session.scalars(
            select(Testimony.id).where(Testimony.territory_id == territory.id).order_by(Testimony.id).limit(1)
        )
    )
    ids.route_ids = list(
        db.session.scalars(
            select(ProtectionRoute.id)
            .where(ProtectionRoute.territory_id == territory.id)
            .order_by(ProtectionRoute.id)
            .limit(1)
        )
    )
    # An export job page belongs to the account that asked for it: one finished-with-a-message
    # job each (no file, no background thread), on the first consultation.
    now = utcnow()
    for email in ROLES.values():
        user = db.session.scalar(select(User).where(User.email == email))
        job = ExportJob(
            user_id=user.id,
            territory_id=territory.id,
            consultation_id=ids.consultations[0].id,
            kind="summary",
            fmt="xlsx",
            lang="es",
            status=JobStatus.FAILED,
            error_code="failed",
            file_name="summary.xlsx",
            finished_at=now,
            expires_at=now + timedelta(days=1),
        )
        db.session.add(job)
        db.session.flush()
        ids.export_tokens[email] = job.id
    db.session.commit()
    ids.draft = draft
    return ids


def _draft_consultation(territory):
    """A consultation still in draft, with a group, a place target and a link: the demo's are all open or
    closed, and only a draft shows "Remove" on its groups (the buttons that were white on white)."""
    from consult.responses import demo as responses_demo
    from consult.responses import services

    draft = services.create_consultation(
        territory,
        slug="borrador-antioquia",
        title={"es": "Borrador de consulta", "en": "Draft consultation"},
        languages=["es", "en"],
        opens_on=utcnow().date() + timedelta(days=7),
        closes_on=utcnow().date() + timedelta(days=60),
    )
    services.set_group(draft, "rural_community", responses_demo._latest_library_version("community_risk"), 40)
    responses_demo.set_locality_targets(draft, [("rural_community", "05736", 12)])
    responses_demo._invitation(draft, "borrador-antioquia", "rural_community", "Reunión (prueba)", max_uses=20)
    return draft


def log_in(page, email: str) -> None:
    page.goto("/login?lang=en")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def _consultation_args(consultation) -> list[dict]:
    """Argument sets for the records inside one consultation (first of each kind)."""
    from consult.analysis import themes

    sets: dict[str, list] = {"consultation_id": [consultation.id]}
    sets["invitation_id"] = [i.id for i in consultation.invitations][:1]
    sets["group_code"] = [g.group_code for g in consultation.groups][:1]
    sets["theme_id"] = [t.id for t in themes.themes_of(consultation)][:1]
    questions = themes.free_text_questions(consultation)[:1]
    sets["version_id"] = [q.version_id for q in questions]
    sets["question_key"] = [q.key for q in questions]
    return sets


def staff_urls(app, ids: DemoIds, email: str) -> tuple[list[tuple[str, str]], set[str]]:
    """Every staff GET URL (with its endpoint) filled with the demo's ids, and the endpoints the demo could not fill."""
    from flask import url_for

    values = {
        "territory": [TERRITORY],
        "testimony_id": ids.testimony_ids,
        "route_id": ids.route_ids,
        "token": [ids.export_tokens[email]],
        "code": ["es"],  # a language of the territory (its languages screen)
    }
    urls, unfilled = [], set()
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions[rule.endpoint]
        kind = getattr(view, "access", ("",))[0]
        if kind not in STAFF_ACCESS or "GET" not in rule.methods or rule.endpoint.split(".")[0] in COVERED_ELSEWHERE:
            continue
        if rule.endpoint in SOUNDS:
            continue
        combos: list[dict] = []
        scopes = [{}]
        if "consultation_id" in rule.arguments:
            # Each demo consultation: the open one has the links, groups and targets, last year's the analysis.
            scopes = [_consultation_args(c) for c in ids.consultations]
        if "instrument_id" in rule.arguments:
            scopes = [
                {"instrument_id": [i.id], "number": [i.versions[-1].number]} for i in ids.instruments if i.versions
            ]
        for scope in scopes:
            pool = {**values, **scope}
            names = sorted(rule.arguments)
            if any(not pool.get(name) for name in names):
                continue
            for chosen in itertools.product(*(pool[name] for name in names)):
                combos.append(dict(zip(names, chosen)))
        if not combos:
            unfilled.add(rule.endpoint)
        with app.test_request_context():
            urls += [(rule.endpoint, url_for(rule.endpoint, **args)) for args in combos]
    return urls, unfilled


def test_every_staff_page_passes_axe_for_every_staff_role(new_page, demo, app):
    from playwright.sync_api import Error as PlaywrightError

    report, problems = {}, []
    started = time.monotonic()
    for role, email in ROLES.items():
        urls, unfilled = staff_urls(app, demo, email)
        assert not unfilled, f"the demo gives no ids for these staff views; add them to this test: {sorted(unfilled)}"
        # One browser page per role, reused for every URL it may open.
        page = new_page(locale="en-GB", javascript=True)
        # The analysis of last year's whole consultation may take more than the usual ten seconds on a busy machine.
        page.set_default_timeout(60_000)
        log_in(page, email)
        checked, seen = 0, set()
        for endpoint, url in urls:
            if role != "official" and endpoint in seen:
                continue  # the official checks each page with every consultation; the others, once each (own menu)
            try:
                answer = page.goto(url)
            except PlaywrightError as error:
                if "Download is starting" in str(error):
                    continue  # a file (definition.json, .po, .xlsx)
                raise
            if answer.status >= 500:
                problems.append(f"{role} got {answer.status} on {url}")
                continue
            # 403/404: not this role's page; 302: the view sends on (an entry form asks for its setup first,
            # a published version back to its instrument); 410: a failed export's file. Not pages to check.
            if answer.status != 200 or answer.request.redirected_from is not None:
                continue
            try:
                assert_accessible(page)
            except AssertionError as violation:
                problems.append(f"{role}: {violation}")
            checked += 1
            seen.add(endpoint)
        report[role] = checked
    print(f"\nstaff pages checked with axe per role: {report} in {time.monotonic() - started:.0f}s")
    # Every problem at once: one run shows all the pages to fix.
    assert not problems, "\n".join(problems)
    assert report["official"] >= 30, report
    assert all(report.values()), report


def test_the_action_buttons_on_links_groups_and_targets_are_readable(new_page, demo, app):
    """The white-on-white buttons: "Issue again" and "Withdraw" on links, "Remove" on groups and targets."""
    consultation = demo.draft
    base = f"/t/{TERRITORY}/consultations/{consultation.id}"
    page = new_page(locale="en-GB", javascript=True)
    log_in(page, OFFICIAL)
    for path, name in (
        ("/invitations", "Withdraw"),
        ("/invitations", "Issue again to print (new address)"),
        ("/groups", "Remove "),
        ("/targets", "Remove the target for"),
    ):
        page.goto(base + path)
        button = page.get_by_role("button", name=name).first
        button.wait_for()
        colours = button.evaluate(
            "b => { const s = getComputedStyle(b); return [s.color, s.backgroundColor, "
            "getComputedStyle(b.closest('td') || document.body).backgroundColor]; }"
        )
        assert colours[0] not in ("rgb(255, 255, 255)",), f"{name!r} on {path} is white text: {colours}"
        assert_accessible(page)
