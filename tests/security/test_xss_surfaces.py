"""Stored XSS beyond the instrument: every other place where people's text comes back on a page, and the exports.

Hostile text is put where people can put it (testimony narratives and excerpts, plan Markdown, public
comments and company statements, organisation names, language endonyms, a content-only language's texts,
import file names and the name of who imported) and every page that shows it is read: the text must be
there, escaped, and no payload may be markup (no handler, no script, no script-scheme link). Spreadsheet
exports holding such text must write formula-looking cells as text (``consult.core.cells``).

The objects are made through the rooms' services (the forms are tested in their rooms); what matters
here is what the pages and files make of what is stored.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from consult.core.db import utctoday
from consult.demo import DEMO_PASSWORD, seed_demo
from tests.fixtures.testimonies import full_answers
from tests.security.test_xss_corpus import hostile_definition
from tests.security.xss_payloads import (
    CORPUS,
    FORMULAS,
    MARKDOWN_PAYLOAD,
    PAYLOAD,
    assert_cells_neutral,
    assert_inert,
    csv_cells,
    xlsx_cells,
)

HOME = "antioquia"


def short_payload(limit: int, start: int = 0) -> str:
    """As many payloads of the corpus as fit in ``limit`` characters (for length-limited fields)."""
    text = ""
    for payload in CORPUS[start:] + CORPUS[:start]:
        if len(text) + len(payload) + 1 > limit:
            continue
        text = f"{text} {payload}" if text else payload
    return text


def reached(html: str, where: str) -> None:
    """The page shows the hostile text (escaped): the surface was really exercised."""
    assert "__xss" in html, f"{where}: no payload on the page, the surface was not reached"


def _page(client, url: str, where: str, *, must_show: bool = True) -> str:
    response = client.get(url)
    assert response.status_code == 200, f"{where}: {url} gave {response.status_code}"
    html = response.get_data(as_text=True)
    if must_show:
        reached(html, where)
    assert_inert(html, where)
    return html


def _hostile_plan(consultation, official, db):
    """A plan of ``consultation`` whose every Markdown text is the Markdown corpus, open for comment."""
    from consult.plans import drafting
    from consult.plans.models import PlanStatus
    from consult.responses import services as responses
    from consult.responses.models import ConsultationState

    if consultation.state != ConsultationState.ANALYSED:
        for state in (ConsultationState.CLOSED, ConsultationState.ANALYSED):
            responses.change_state(consultation, state)
    plan = drafting.generate(consultation, "es", official)
    everywhere = {lang: MARKDOWN_PAYLOAD for lang in plan.languages}
    plan.title = {lang: short_payload(200) for lang in plan.languages}
    for section in plan.sections:
        section.body = dict(everywhere)
    for priority in plan.priorities:
        priority.justification = dict(everywhere)
        priority.title = {lang: short_payload(200, 1) for lang in plan.languages}
    for action in plan.actions:
        action.description = dict(everywhere)
        action.title = {lang: short_payload(200, 2) for lang in plan.languages}
    plan.status = PlanStatus.COMMENT
    plan.comment_opens_on = utctoday() - timedelta(days=1)
    plan.comment_closes_on = utctoday() + timedelta(days=10)
    plan.consultation.state = ConsultationState.PLAN_COMMENT
    db.session.flush()
    return plan


@pytest.fixture
def world(app, db, create_user):
    """The demo, with hostile text in every place people can write it in Antioquia."""
    from consult.accounts.models import Organisation, Territory, User
    from consult.plans import comments, statements
    from consult.responses import invitations
    from consult.responses.models import Consultation, ConsultationState
    from consult.testimonies import intake, services

    seed_demo()
    territory = db.session.scalar(select(Territory).where(Territory.slug == HOME))
    users = {
        role: db.session.scalar(select(User).where(User.email == f"{role}.{HOME}@demo.consult.example"))
        for role in ("official", "moderator", "analyst")
    }
    second_moderator = create_user(roles={territory: ["moderator"]})
    cso_user = db.session.scalar(select(User).where(User.email == "cso@demo.consult.example"))
    company_user = db.session.scalar(select(User).where(User.email == "empresa1@demo.consult.example"))
    for number, organisation in enumerate(db.session.scalars(select(Organisation)).all()):
        organisation.name = short_payload(200, number % len(CORPUS))
    for number, row in enumerate(territory.languages):
        row.endonym = short_payload(100, number % len(CORPUS))
    db.session.flush()

    consultations = db.session.scalars(
        select(Consultation).where(Consultation.territory_id == territory.id).order_by(Consultation.id)
    ).all()
    open_one = next(c for c in consultations if c.state == ConsultationState.OPEN)

    # A testimony sent by the CSO, its narrative, company and wishes the corpus.
    version = intake.testimony_version(open_one)
    draft, token = intake.start_draft(open_one, version, "es", cso_user.organisation)
    answers = full_answers(D1=PAYLOAD, D3=short_payload(200), F4=PAYLOAD)
    intake.save_draft(
        draft, {"answers": answers, "cso": {"on_behalf_of": "family", "people_count": 2, "notes": PAYLOAD}}
    )
    testimony = intake.submit_draft(draft, token, lang="es").testimony
    # One excerpt approved by two moderators (it reaches the exports), one waiting; both start like a formula.
    approved = services.propose_excerpt(testimony, f"{FORMULAS[0]} {PAYLOAD}", users["moderator"])
    services.decide_excerpt(approved, True, PAYLOAD, users["moderator"])
    services.decide_excerpt(approved, True, PAYLOAD, second_moderator)
    services.propose_excerpt(testimony, f"{FORMULAS[3]} {PAYLOAD}", users["moderator"])
    services.send_message(testimony, PAYLOAD, users["moderator"])

    invitation, invitation_token = invitations.create_invitation(
        open_one, open_one.groups[0].group_code, organisation=cso_user.organisation, label=short_payload(200, 4)
    )

    analysed = next((c for c in consultations if c.state == ConsultationState.ANALYSED), None)
    analysed = analysed or next(c for c in consultations if c.id != open_one.id)
    plan = _hostile_plan(analysed, users["official"], db)
    comment, _code = comments.submit(plan, body=PAYLOAD, language="es", section_key=plan.sections[0].key)
    comments.approve(comment, users["moderator"])
    comments.answer(comment, users["official"], PAYLOAD)
    organisation_comment, _none = comments.submit(
        plan, body=f"{PAYLOAD} (cso)", language="es", section_key=plan.sections[0].key, user=cso_user
    )
    company_statement = None
    targets = statements.targets(plan)
    if targets and statements.may_state(plan, company_user.organisation):
        target = targets[0]
        company_statement = statements.submit(
            plan,
            company_user.organisation,
            company_user,
            PAYLOAD,
            "es",
            priority_id=target.priority.id,
            evidence_id=target.evidence.id if target.evidence is not None else None,
        )
        statements.approve(company_statement, users["official"])
    db.session.commit()
    return SimpleNamespace(
        territory=territory,
        users=users,
        cso=cso_user,
        company=company_user,
        open=open_one,
        testimony=testimony,
        invitation=invitation,
        invitation_token=invitation_token,
        plan=plan,
        statement=company_statement,
        languages=[row.code for row in territory.languages],
    )


def _as(app, email: str):
    client = app.test_client()
    client.login(email, DEMO_PASSWORD)
    return client


def test_testimonies_and_excerpts_are_text_on_the_staff_and_cso_pages(app, world):
    base = f"/t/{HOME}/testimonies"
    moderator = _as(app, world.users["moderator"].email)
    _page(moderator, f"{base}/?lang=en", "testimony queue", must_show=False)
    _page(moderator, f"{base}/{world.testimony.id}?lang=en", "testimony (moderator)")
    _page(moderator, f"{base}/excerpts?lang=en", "excerpts (moderator)")
    analyst = _as(app, world.users["analyst"].email)
    _page(analyst, f"{base}/excerpts?lang=en", "excerpts (analyst)")
    cso = _as(app, world.cso.email)
    _page(cso, "/?lang=en", "CSO home")


def test_plan_markdown_comments_and_statements_are_sanitised_everywhere(app, client, world):
    plan, slug = world.plan, world.plan.consultation.slug
    public = _page(client, f"/c/{slug}/plan?lang=en", "public plan")
    assert "{{7*7}}" in public  # shown as it is, never evaluated
    _page(client, f"/c/{slug}/plan/document.html?lang=en", "public plan document")
    if world.statement is not None:
        assert "(cso)" not in public  # pending comments stay unpublished
    official = _as(app, world.users["official"].email)
    staff = f"/t/{HOME}/plans/{plan.id}"
    _page(official, f"{staff}?lang=en", "plan (official)")
    _page(official, f"{staff}/document.html?lang=en", "plan document (official)")
    _page(official, f"{staff}/comments?lang=en", "comment moderation")
    _page(official, f"{staff}/sections/{plan.sections[0].key}?lang=en", "section editor")
    _page(official, f"/t/{HOME}/plans?lang=en", "plans index", must_show=False)
    cso = _as(app, world.cso.email)
    _page(cso, f"/c/{slug}/plan?lang=en", "public plan (CSO, its own pending comment)")
    company = _as(app, world.company.email)
    if world.statement is not None:
        _page(company, f"/c/{slug}/plan/statement?lang=en", "statement form (company)")


def test_organisation_names_on_homes_invitations_and_the_invited_landing(app, client, world):
    official = _as(app, world.users["official"].email)
    _page(official, f"/t/{HOME}/consultations/{world.open.id}/invitations?lang=en", "invitations")
    _page(
        official,
        f"/t/{HOME}/consultations/{world.open.id}/invitations/{world.invitation.id}/sheet?lang=en",
        "sheet",
        must_show=False,
    )
    _page(official, f"/t/{HOME}/members?lang=en", "members", must_show=False)
    for email in (world.cso.email, world.company.email):
        _page(_as(app, email), "/?lang=en", f"home of {email}")
    landing = client.get(f"/c/{world.open.slug}/i/{world.invitation_token}?lang=en", follow_redirects=True)
    assert landing.status_code == 200
    html = landing.get_data(as_text=True)
    assert_inert(html, "invited landing")


def test_territory_language_endonyms_on_the_languages_screen_and_the_respondents_links(app, client, world):
    official = _as(app, world.users["official"].email)
    _page(official, f"/t/{HOME}/languages?lang=en", "languages screen")
    _page(official, f"/t/{HOME}/languages/{world.languages[0]}?lang=en", "language edit")
    _page(official, f"/t/{HOME}/?lang=en", "territory page")
    landing = _page(client, f"/c/{world.open.slug}/?lang=en", "landing (language links)", must_show=False)
    if len(world.open.languages) > 1:
        reached(landing, "landing (language links)")


def test_excerpt_exports_write_formula_looking_text_as_text(app, world):
    from consult.exports.excerpts import write_excerpts

    consultation = world.testimony.consultation
    out = io.BytesIO()
    write_excerpts(consultation, "csv", out, lang="en", user=world.users["analyst"])
    cells = csv_cells(out.getvalue())
    assert any(cell.startswith("'" + FORMULAS[0]) for cell in cells), "the approved excerpt is exported"
    assert_cells_neutral(cells, "excerpts.csv")
    out = io.BytesIO()
    write_excerpts(consultation, "xlsx", out, lang="en", user=world.users["analyst"])
    cells = xlsx_cells(out.getvalue())
    assert any(isinstance(cell, str) and cell.startswith("'" + FORMULAS[0]) for cell in cells)
    assert_cells_neutral(cells, "excerpts.xlsx")


@pytest.fixture
def wichi_hostile(create_territory, create_version, create_consultation, db):
    """A consultation in Spanish and Wichí (mzh, content only), every Wichí text and the endonym the corpus."""
    from consult.accounts import languages

    territory = create_territory("xssmzh", "Xss", "AR", enabled_languages=["es", "en"])
    languages.add_language(territory, languages.LanguageInput(code="mzh", endonym=short_payload(100)))
    version = create_version(hostile_definition(("es", "en", "pt", "mzh")), territory=territory)
    consultation = create_consultation(
        territory, groups={"rural_community": version}, languages=("es", "mzh"), slug="xss-mzh"
    )
    consultation.title = {"es": "Consulta", "mzh": short_payload(200)}
    db.session.commit()
    return consultation


def test_a_content_only_language_and_its_endonym_are_text_in_the_answering_pages(client, wichi_hostile, create_user):
    slug = wichi_hostile.slug
    _page(client, f"/c/{slug}/?lang=mzh", "landing mzh")
    _page(client, f"/c/{slug}/?lang=es", "landing es (language links)")
    client.submit(f"/c/{slug}/start", form_url=f"/c/{slug}/")
    group = client.submit(f"/c/{slug}/group", {"group_code": "rural_community"})
    assert group.status_code == 302
    first = group.headers["Location"]
    page = _page(client, first + ("&" if "?" in first else "?") + "lang=mzh", "answer page mzh")
    assert 'lang="mzh"' in page
    _page(client, f"/c/{slug}/review?lang=mzh", "review mzh", must_show=False)
    official = create_user(roles={wichi_hostile.territory: ["official"]})
    staff = client.application.test_client()
    staff.login(official.email)
    _page(staff, f"/t/{wichi_hostile.territory.slug}/languages?lang=en", "languages screen (mzh)")


def test_import_file_names_and_importer_names_are_text(client, community_consultation, create_user, db):
    from tests.responses.test_bulk_import import HEADER, ROWS, as_csv, upload, url_of

    official = create_user(roles={community_consultation.territory: ["official"]})
    official.name = short_payload(200)
    db.session.commit()
    name = short_payload(240, 1).replace("/", "_") + ".csv"
    data = as_csv(HEADER, [ROWS[0]])
    checked = client
    checked.login(official.email)
    response = upload(checked, community_consultation, data, name)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert_inert(html, "import check")
    imported = upload(checked, community_consultation, data, name, action="import")
    assert imported.status_code in (200, 302)
    if imported.status_code == 302:
        assert_inert(checked.get(imported.headers["Location"]).get_data(as_text=True), "after import")
    else:
        assert_inert(imported.get_data(as_text=True), "import result")
    # The same file again: the page says who imported it before, and when.
    again = upload(checked, community_consultation, data, name)
    html = again.get_data(as_text=True)
    assert re.search(r"__xss", html), "the earlier import (and its file name) is shown"
    assert_inert(html, "import history")
    page = checked.get(url_of(community_consultation) + "?lang=en").get_data(as_text=True)
    assert_inert(page, "import page")


def _formula_definition() -> dict:
    """The corpus instrument with every text starting like a formula (titles, questions, options, other)."""
    definition = hostile_definition()

    def formulas(value):
        if isinstance(value, dict):
            if set(value) <= {"es", "en", "pt"} and all(isinstance(v, str) for v in value.values()):
                return {code: f"{FORMULAS[n % len(FORMULAS)]} {text}" for n, (code, text) in enumerate(value.items())}
            return {key: formulas(item) if key not in ("key", "type") else item for key, item in value.items()}
        if isinstance(value, list):
            return [formulas(item) for item in value]
        return value

    return {**formulas(definition), "key": "xss_formulas"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_response_exports_write_formula_looking_labels_and_answers_as_text(
    create_territory, create_version, create_consultation, db, fmt
):
    from consult.exports.responses import write_responses
    from tests.analysis import world as tiny

    territory = create_territory("xssx", "Xss", "CO", enabled_languages=["es", "en", "pt"])
    version = create_version(_formula_definition(), territory=territory)
    consultation = create_consultation(territory, groups={"rural_community": version}, slug="xss-formulas")
    consultation.title = {"es": FORMULAS[0], "en": FORMULAS[1], "pt": FORMULAS[2]}
    answers = [{"T1": text, "C1": "a"} for text in FORMULAS + [PAYLOAD]]
    tiny.store(consultation, version, "rural_community", answers)
    db.session.commit()
    for lang in ("es", "en"):
        out = io.BytesIO()
        write_responses(consultation, fmt, out, lang=lang)
        data = out.getvalue()
        if fmt == "xlsx":
            cells = xlsx_cells(data)
        else:
            import zipfile

            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                cells = [
                    cell
                    for name in archive.namelist()
                    if name.endswith(".csv")
                    for cell in csv_cells(archive.read(name))
                ]
        assert any(isinstance(cell, str) and cell.startswith("'" + FORMULAS[0]) for cell in cells), "answers exported"
        labels = [cell for cell in cells if isinstance(cell, str) and "<script>" in cell and cell.startswith("'")]
        assert labels, "the instrument's formula-looking labels are in the file, marked as text"
        assert_cells_neutral(cells, f"responses.{fmt} ({lang})")
