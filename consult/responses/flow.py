"""What the public answering pages share: finding the consultation, the person's draft, the language.

The browser holds, in Flask's signed session cookie (a browser-session cookie,
gone when the browser closes, which matters on shared phones), per
consultation: the resume code of the draft being answered, the invitation it
came through, and a receipt code waiting to be shown once.
"""

from __future__ import annotations

from typing import Any

from flask import abort, g, redirect, render_template, session, url_for
from flask_babel import get_locale, refresh
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from consult.accounts.languages import endonym_for
from consult.accounts.models import Territory
from consult.core.codes import normalise_code
from consult.extensions import db
from consult.i18n import content_language
from consult.i18n.languages import is_content_language
from consult.responses import drafts
from consult.responses.models import Consultation, ConsultationState, ResponseDraft
from consult.surveys.engine import Instrument
from consult.surveys.steps import OFF_PATH, REVIEW, START, Target, steps

_DRAFTS = "responses.drafts"
_INVITATIONS = "responses.invitations"
_RECEIPTS = "responses.receipts"
NO_STORE = {"Cache-Control": "no-store"}


def public_consultation(slug: str) -> Consultation:
    """The consultation at ``/c/<slug>/``; 404 while it is a draft (not public yet).

    Every answering request needs the consultation, its territory and the
    territory's languages (the interface language and the language buttons
    read them): one statement loads the three, instead of one each.
    """
    consultation = (
        db.session.execute(
            select(Consultation)
            .where(Consultation.slug == slug)
            .options(joinedload(Consultation.territory).joinedload(Territory.languages))
        )
        .unique()
        .scalar_one_or_none()
    )
    if consultation is None or consultation.state == ConsultationState.DRAFT:
        abort(404)
    g.territory = consultation.territory
    # The interface language of a content language may be the territory's choice: choose it again now
    # that the territory is known (anything read before had only the nearest language to go by).
    refresh()
    return consultation


def _stash(name: str) -> dict[str, Any]:
    return dict(session.get(name) or {})


def _put(name: str, slug: str, value: Any) -> None:
    stash = _stash(name)
    if value is None:
        stash.pop(slug, None)
    else:
        stash[slug] = value
    session[name] = stash


def remember_draft(consultation: Consultation, code: str) -> None:
    """Keep the draft's resume code in the browser session, in its written form (``K7M2-9QXD-4HTR``)."""
    _put(_DRAFTS, consultation.slug, written_code(code))


def written_code(typed: str) -> str:
    """A code as it is shown and written down: its symbols in groups of four joined by dashes.

    A code typed to resume may come without dashes, in lower case or with spaces;
    shown back as typed, it would not look like the one written down.
    """
    symbols = normalise_code(typed)
    return "-".join(symbols[i : i + 4] for i in range(0, len(symbols), 4))


def forget_draft(consultation: Consultation) -> None:
    """Drop the draft from this browser (it stays on the server, resumable with its code)."""
    _put(_DRAFTS, consultation.slug, None)


def resume_code(consultation: Consultation) -> str | None:
    """The resume code this browser holds for ``consultation``."""
    return _stash(_DRAFTS).get(consultation.slug)


def current_draft(consultation: Consultation) -> ResponseDraft | None:
    """The draft this browser is answering, if it still exists."""
    code = resume_code(consultation)
    draft = drafts.find_draft(consultation, code)
    if code and draft is None:
        forget_draft(consultation)
    return draft


def remember_invitation(consultation: Consultation, invitation_id: int | None) -> None:
    """Keep (or with ``None`` drop) the invitation this browser arrived through."""
    _put(_INVITATIONS, consultation.slug, invitation_id)


def invitation_id(consultation: Consultation) -> int | None:
    """The invitation this browser arrived through, if any."""
    value = _stash(_INVITATIONS).get(consultation.slug)
    return value if isinstance(value, int) else None


def hand_receipt(consultation: Consultation, code: str) -> None:
    """Pass a receipt code to the next page, which shows it once."""
    _put(_RECEIPTS, consultation.slug, code)


def sent_from_this_browser(slug: str, receipt_code: str) -> None:
    """After sending from this browser: forget its draft and invitation, and pass the receipt to the next page."""
    _put(_DRAFTS, slug, None)
    _put(_INVITATIONS, slug, None)
    _put(_RECEIPTS, slug, receipt_code)


def take_receipt(consultation: Consultation) -> str | None:
    """The receipt code waiting to be shown, removed from the session."""
    code = _stash(_RECEIPTS).get(consultation.slug)
    _put(_RECEIPTS, consultation.slug, None)
    return code


def language(consultation: Consultation) -> str:
    """The content language for this request: the one asked for if offered, else the fallback."""
    asked = content_language()
    return asked if asked in consultation.languages else consultation.fallback_language


def use_language(code: str) -> None:
    """Make ``code`` the language of this browser from now on, and of the rest of this request."""
    if is_content_language(code):
        session["lang"] = code
        g.content_language = code
        refresh()


def interface_language() -> str:
    """The language the interface is shown in (es, en or pt)."""
    return str(get_locale())


def language_choices(consultation: Consultation) -> list[tuple[str, str]]:
    """The consultation's languages as (code, name in that language, as its territory writes it)."""
    return [(code, endonym_for(consultation.territory, code)) for code in consultation.languages]


def settled_questions(draft: ResponseDraft, instrument: Instrument) -> frozenset[str]:
    """Questions the group step already answered: not asked again (see ``consult.surveys.paths.Settled``).

    An instrument may ask the group itself (the community survey does); the
    group step fills it in with the group just declared (``drafts.choose_group``),
    so it is asked once. Its answer still counts and is stored with the response.
    A group question holding anything else (no group step, another group) is asked.
    """
    if draft.group_code is None:
        return frozenset()
    answers = draft.answers or {}
    return frozenset(
        q.key for q in instrument.questions if q.type == "stakeholder_group" and answers.get(q.key) == draft.group_code
    )


def resume_target(draft: ResponseDraft, instrument: Instrument | None):
    """Where a person continuing ``draft`` should land: the group step, their page, or the first page."""
    consultation = draft.consultation
    if instrument is None or draft.group_code is None:
        return redirect(url_for("responses.group_step", slug=consultation.slug))
    answers = draft.answers or {}
    if draft.page_key == "review":
        return redirect(url_for("responses.review", slug=consultation.slug))
    path = steps(instrument, answers, settled=settled_questions(draft, instrument))
    if draft.page_key and path.arrive(draft.page_key) is None:
        return redirect(url_for("responses.answer_page", slug=consultation.slug, page_key=draft.page_key))
    return go_to(consultation, path.first())


def go_to(consultation: Consultation, target: Target):
    """The redirect to a step's target: a page, the review, or (Back from the first page) the group step."""
    if target is REVIEW:
        return redirect(url_for("responses.review", slug=consultation.slug))
    if target is START:
        return redirect(url_for("responses.group_step", slug=consultation.slug))
    if target is OFF_PATH:
        raise ValueError("a page off the path has no address: send the person to resume_target")
    return redirect(url_for("responses.answer_page", slug=consultation.slug, page_key=target))


def _no_header_links() -> list:
    return []


def render_answering(template: str, consultation: Consultation, draft: ResponseDraft, **context: Any):
    """An answering page with its language buttons and resume code, in the draft's language, never cached.

    One language switcher, not two: where the consultation offers several
    languages, the page's own buttons switch (they submit the page's form, so
    what was just typed is saved first, without JavaScript), and the header's
    links, which would open the page afresh and lose it, are left out.
    """
    languages = language_choices(consultation)
    if len(languages) > 1:
        context.setdefault("language_links", _no_header_links)
    return (
        render_template(
            template,
            consultation=consultation,
            draft=draft,
            languages=languages,
            resume_code=resume_code(consultation),
            lang=draft.language,
            **context,
        ),
        200,
        NO_STORE,
    )
