"""Every route × every kind of person × their own objects and another territory's: no unexpected access.

Expectations come from the guard each view carries (``view.access``, set by the decorators of
``consult.accounts.access``, whose roles come from ``consult.accounts.permissions.CAPABILITIES``), not
from a hand-kept list. Only the routes open to everyone are listed by hand (``PUBLIC_REASON`` below),
each with why, and the few ``login_view`` pages whose scope is narrower than "any account"
(``LOGIN_SCOPE``).

The people are the demo's Antioquia staff, its CSO and its company, the network administrator, an
anonymous visitor and an anonymous visitor holding a receipt. Each route is opened:

* ``own``: in Antioquia with Antioquia's objects — 2xx only for the roles the guard admits;
* ``other territory``: in Salta with Salta's objects — 2xx only for the network administrator where
  the guard admits network administrators;
* ``smuggled``: in Antioquia but with Salta's ids (all of them, then only the innermost one) — never
  2xx for anyone: a record of another territory must be a 404 even to someone allowed the page.

A refusal is a 403, a 404, a 400/405, or a redirect to the login. POSTs carry a valid CSRF token so
the guard, not the token check, is what answers; POSTs that would change the people's own data
when allowed are not sent (logout, password…), the others are only sent where access must fail.
One demo seed, one client per person: the whole matrix takes seconds.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from consult.accounts.models import Territory, User
from consult.accounts.permissions import NETWORK_ADMIN
from consult.core.db import utcnow
from consult.demo import DEMO_PASSWORD, seed_demo
from consult.extensions import db as _db
from consult.testimonies import crypto, vault
from consult.testimonies.models import TestimonyRecording

#: Routes anyone may open, and why. Everything else must carry a login, admin or territory guard.
PUBLIC_REASON = {
    "accounts.home": "the front page",
    "accounts.login": "the login form",
    "accounts.login_code": "the second step of a login (it redirects without a first one)",
    "accounts.two_factor_setup": "set-up during a login; it checks the half-done login itself",
    "core.health": "the health check of the load balancer",
    "static": "stylesheets",
    # Answering a consultation is anonymous by design; each page finds the draft by the session only.
    "responses.landing": "answering",
    "responses.continue_draft": "answering",
    "responses.group_step": "answering",
    "responses.invited": "answering through an invitation link (the token is the key)",
    "responses.later": "answering",
    "responses.answer_page": "answering",
    "responses.receipt": "looking an answer up by its receipt code",
    "responses.restart": "answering",
    "responses.resume": "answering (resume code)",
    "responses.review": "answering",
    "responses.send": "answering",
    "responses.sent": "answering",
    "responses.start": "answering",
    # Answering without a connection: the same anonymity; sending needs the CSRF header and a phone token.
    "responses.offline_page": "answering without a connection (the app's page)",
    "responses.offline_manifest": "answering without a connection (the app's manifest)",
    "responses.offline_worker": "answering without a connection (service worker)",
    "responses.offline_bundle": "answering without a connection (questions, rules, texts)",
    "responses.offline_token": "answering without a connection (a CSRF token before sending)",
    "responses.offline_responses": "answering without a connection (sending; one response per phone token)",
    # Questions read aloud: published versions that the public answers; drafts only for their territory's staff.
    "surveys.audio": "hearing a question read aloud",
    "analysis.public_results": "published results (small cells suppressed)",
    "testimonies.start_page": "giving a testimony",
    "testimonies.discard": "giving a testimony",
    "testimonies.for_whom": "giving a testimony",
    "testimonies.page": "giving a testimony",
    "testimonies.review": "giving a testimony",
    "testimonies.start": "giving a testimony",
    "testimonies.follow_up": "following one's testimony with its code",
    "testimonies.follow_up_act": "following one's testimony with its code",
    # A plan is public once published; before that these pages must refuse (checked below).
    "plans.public_plan": "the published plan",
    "plans.public_document": "the published plan as a file",
    "plans.public_progress": "the published plan's monitoring",
    "plans.you_said": "what the consultation changed, once a plan is published",
    "plans.comment": "commenting on the published plan",
    "plans.comment_sent": "commenting on the published plan",
    "plans.my_comment": "one's own comment, by its code",
}
#: Public pages about a plan: the demo's plans are drafts, so none of these may show anything.
UNPUBLISHED_PLAN_PAGES = {"plans.public_plan", "plans.public_document", "plans.public_progress", "plans.comment"}

#: ``login_view`` pages open to only some accounts (the view checks the rest itself).
LOGIN_SCOPE = {
    "testimonies.cso_list": {"cso"},
    # Antioquia's testimony used is one the CSO sent; Salta's is not its own.
    "testimonies.cso_read": {"cso"},
    "testimonies.cso_act": {"cso"},
    "responses.answer_invitation": set(),  # the invitation ids used are not the organisation's
    "plans.statement": set(),  # the plans are drafts
}

PEOPLE = {
    "anonymous": None,
    "receipt holder": None,
    "company": "empresa1@demo.consult.example",
    "cso": "cso@demo.consult.example",
    "facilitator": "facilitator.antioquia@demo.consult.example",
    "analyst": "analyst.antioquia@demo.consult.example",
    "moderator": "moderator.antioquia@demo.consult.example",
    "official": "official.antioquia@demo.consult.example",
    NETWORK_ADMIN: "admin@demo.consult.example",
}
HOME, OTHER = "antioquia", "salta"
MISSING = 987654321


class Client(FlaskClient):
    """A plain client with a fresh app context per request (like the suite's CheckedClient, without its page checks)."""

    def open(self, *args, **kwargs):  # noqa: D102
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        _db.session.expire_all()
        return response


def _first(statement):
    return _db.session.scalars(statement.limit(1)).first()


def _objects(territory: Territory, official: User, moderator: User) -> dict[str, object]:
    """URL parameter values naming objects of ``territory`` (made where the demo has none)."""
    from consult.analysis import themes
    from consult.exports.models import ExportJob, JobStatus
    from consult.plans import drafting
    from consult.plans.models import CompanyStatement, EvidenceLink, PlanComment
    from consult.responses import services as responses
    from consult.responses.models import (
        Consultation,
        ConsultationGroup,
        ConsultationState,
        Invitation,
        LocalityTarget,
    )
    from consult.surveys import services as surveys
    from consult.surveys.models import Instrument
    from consult.testimonies import services as testimonies
    from consult.testimonies.models import ProtectionRoute, Testimony

    consultations = _db.session.scalars(
        select(Consultation).where(Consultation.territory_id == territory.id).order_by(Consultation.id)
    ).all()
    analysed = [c for c in consultations if c.state == ConsultationState.ANALYSED]
    if not analysed:
        consultation = consultations[0]
        for state in (ConsultationState.CLOSED, ConsultationState.ANALYSED):
            responses.change_state(consultation, state)
    else:
        consultation = analysed[0]
    plan = drafting.generate(consultation, "es", official)
    theme = themes.create_theme(consultation, "x1", "Tema")
    free = themes.free_text_questions(consultation)
    instrument = _first(select(Instrument).where(Instrument.territory_id == territory.id))
    if instrument is None:
        library = _first(select(Instrument).where(Instrument.territory_id.is_(None)).order_by(Instrument.id))
        instrument = surveys.copy_to_territory(library, territory).instrument
    # In Antioquia one the demo's CSO sent (its own); in Salta one of nobody's organisation.
    testimony = _first(
        select(Testimony)
        .where(Testimony.territory_id == territory.id)
        .order_by(Testimony.organisation_id.is_(None), Testimony.id)
    )
    excerpt = testimonies.propose_excerpt(testimony, "Un pasaje.", moderator)
    # A spoken account of that testimony (issue 14): listened to and transcribed by the territory's staff.
    recording = TestimonyRecording(testimony_id=testimony.id, question_key="D1", seconds=1.0)
    _db.session.add(recording)
    _db.session.flush()
    recording.key_id = crypto.keyring().current_id
    recording.sealed_audio = crypto.keyring().seal(b"sound", vault.where(recording, "sealed_audio"))
    route = _first(select(ProtectionRoute).where(ProtectionRoute.territory_id == territory.id))
    if route is None:
        route = testimonies.save_route(territory, None, names={"es": "Defensoría"}, descriptions={}, contact="x")
    job = ExportJob(
        user_id=official.id,
        territory_id=territory.id,
        consultation_id=consultation.id,
        kind="summary",
        fmt="csv",
        lang="es",
        status=JobStatus.DONE,
        file_name="x.csv",
        expires_at=utcnow() + timedelta(hours=1),
    )
    _db.session.add(job)
    group = _first(select(ConsultationGroup).where(ConsultationGroup.consultation_id == consultation.id))
    in_territory = select(Consultation.id).where(Consultation.territory_id == territory.id)
    # Not an organisation's own invitation: the company may use its own (LOGIN_SCOPE says it is refused),
    # and without this condition which row comes first differs between SQLite and PostgreSQL.
    invitation = _first(
        select(Invitation)
        .where(Invitation.consultation_id.in_(in_territory), Invitation.organisation_id.is_(None))
        .order_by(Invitation.id)
    )
    target = _first(select(LocalityTarget).where(LocalityTarget.consultation_id == consultation.id))
    _db.session.flush()
    link = _first(select(EvidenceLink).where(EvidenceLink.plan_id == plan.id))
    comment = _first(select(PlanComment).where(PlanComment.plan_id == plan.id))
    statement = _first(select(CompanyStatement).where(CompanyStatement.plan_id == plan.id))
    version = instrument.versions[-1]
    values = {
        "territory": territory.slug,
        "consultation_id": consultation.id,
        "cid": consultation.id,
        "slug": consultation.slug,
        "theme_id": theme.id,
        "version_id": free[0].version.id if free else MISSING,
        "question_key": free[0].question.key if free else "q",
        "group_id": group.id if group else MISSING,
        "group_code": group.group_code if group else "g",
        "invitation_id": invitation.id if invitation else MISSING,
        "target_id": target.id if target else MISSING,
        "decision_id": MISSING,
        "flag_key": "burst",
        "token": job.id,
        "instrument_id": instrument.id,
        "number": version.number,
        "code": "en",
        "plan_id": plan.id,
        "action_id": plan.actions[0].id,
        "priority_id": plan.priorities[0].id if plan.priorities else MISSING,
        "link_id": link.id if link else MISSING,
        "comment_id": comment.id if comment else MISSING,
        "statement_id": statement.id if statement else MISSING,
        "key": plan.sections[0].key,
        "fmt": "html",
        "testimony_id": testimony.id,
        "excerpt_id": excerpt.id,
        "recording_id": recording.id,
        "route_id": route.id,
        "page_key": "p1",
        "action": "withdraw",
        "filename": "consult.css",
    }
    return values


def _url(rule, values: dict[str, object]) -> str:
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(rf"<(?:[a-z]+:)?{name}>", str(values.get(name, MISSING)), path)
    return path


def _allowed(view, endpoint: str, who: str) -> bool:
    """Whether ``who`` (in Antioquia) may open the view in Antioquia, by the view's own guard."""
    kind, roles = getattr(view, "access", ("public", ()))
    if kind == "public":
        return True
    if who in ("anonymous", "receipt holder"):
        return False
    if kind == "login":
        return who in LOGIN_SCOPE.get(endpoint, set(PEOPLE) - {"anonymous", "receipt holder"})
    if kind == "admin":
        return who == NETWORK_ADMIN
    return who in roles


def _refused(response) -> bool:
    if response.status_code in (400, 403, 404, 405, 410, 413, 429):
        return True
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


@pytest.fixture
def world(app, db):
    """The demo, plus a plan, theme, excerpt, export job, instrument and route in each territory."""
    seed_demo()
    territories = {t.slug: t for t in db.session.scalars(select(Territory))}
    found = {}
    for slug in (HOME, OTHER):
        official = db.session.scalar(select(User).where(User.email == f"official.{slug}@demo.consult.example"))
        moderator = db.session.scalar(select(User).where(User.email == f"moderator.{slug}@demo.consult.example"))
        found[slug] = _objects(territories[slug], official, moderator)
    db.session.commit()
    return found


def _clients(app, world) -> dict[str, Client]:
    from consult.responses import sending
    from consult.responses.models import Response

    app.test_client_class = Client
    clients = {}
    for who, email in PEOPLE.items():
        client = app.test_client()
        if email:
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").get_data(as_text=True))
            sent = client.post("/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token[1]})
            assert sent.status_code == 302 and "/login" not in sent.headers["Location"], who
        clients[who] = client
    # The receipt holder looked their answer up with its code.
    response = _db.session.scalar(
        select(Response).where(Response.consultation_id == world[HOME]["consultation_id"]).limit(1)
    )
    response.receipt_code_hash = sending.hash_code("ABCD-EFGH-JKLM")
    _db.session.commit()
    holder = clients["receipt holder"]
    url = f"/c/{world[HOME]['slug']}/receipt"
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', holder.get(url).get_data(as_text=True))
    holder.post(url, data={"code": "ABCD-EFGH-JKLM", "csrf_token": token[1] if token else ""})
    return clients


def _csrf(client) -> str:
    html = client.get("/login?lang=en").get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if match:
        return match[1]
    html = client.get("/account?lang=en").get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)[1]


def _variants(rule, world) -> list[tuple[str, dict[str, object]]]:
    home, other = world[HOME], world[OTHER]
    if "territory" not in rule.arguments and "slug" not in rule.arguments:
        ids = [a for a in rule.arguments if a.endswith("_id")]
        return [("own", home)] + ([("smuggled", {**home, **{a: other[a] for a in ids}})] if ids else [])
    variants = [("own", home), ("other territory", other)]
    keys = [a for a in rule.arguments if a not in ("territory", "slug", "fmt", "code", "action", "filename")]
    if keys:
        variants.append(("smuggled", {**other, "territory": HOME}))
        # Only when the two territories' values differ (a shared library version or a section key is not smuggled).
        if home[keys[-1]] != other[keys[-1]]:
            variants.append(("smuggled innermost", {**home, keys[-1]: other[keys[-1]]}))
    return variants


def test_no_route_gives_unexpected_access(app, world):
    from consult.plans.models import Plan, PlanStatus

    assert all(_db.session.get(Plan, world[slug]["plan_id"]).status == PlanStatus.DRAFT for slug in (HOME, OTHER))
    clients = _clients(app, world)
    tokens = {who: _csrf(client) for who, client in clients.items()}
    holes, seen = [], Counter()
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions[rule.endpoint]
        kind = getattr(view, "access", ("public",))[0]
        if rule.endpoint == "static":
            continue
        if kind == "public":
            assert rule.endpoint in PUBLIC_REASON, f"{rule.rule} is public but not in the commented allowlist"
        for who, client in clients.items():
            own_allowed = _allowed(view, rule.endpoint, who)
            for variant, values in _variants(rule, world):
                if kind == "public":
                    allowed = rule.endpoint not in UNPUBLISHED_PLAN_PAGES
                elif variant == "own":
                    allowed = own_allowed
                elif variant == "other territory":
                    # Only a network administrator holds a right in every territory.
                    allowed = own_allowed and who == NETWORK_ADMIN and kind == "territory"
                else:
                    allowed = False
                if allowed:
                    # Nothing to refuse: pages people may open are exercised by their rooms' tests (and
                    # by the crawl in tests/core/test_crawl_fuzz.py); here only refusals are checked.
                    continue
                url = _url(rule, values) + ("?lang=en" if "?" not in rule.rule else "")
                for method in sorted(rule.methods & {"GET", "POST"}):
                    if method == "POST" and rule.endpoint == "accounts.logout":
                        continue
                    if method == "GET":
                        response = client.get(url)
                    else:
                        response = client.post(url, data={"csrf_token": tokens[who]})
                    seen[(variant, response.status_code)] += 1
                    assert response.status_code < 500, f"{method} {url} as {who}: {response.status_code}"
                    if not allowed and not _refused(response):
                        holes.append(
                            f"{method} {url} as {who} ({variant}): {response.status_code} "
                            f"{response.headers.get('Location', '')}"
                        )
    assert not holes, "unexpected access:\n" + "\n".join(holes)
    # The matrix really ran: staff were refused other roles' pages, and smuggled ids were not found.
    assert seen[("own", 403)] > 300 and seen[("smuggled", 404)] > 100 and seen[("smuggled innermost", 404)] > 50, seen
