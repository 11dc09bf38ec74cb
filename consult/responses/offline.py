"""Offline answering: what a phone needs to answer without a connection, and storing what it sends back.

The offline app (``consult/static/offline/offline.js``, under a service worker)
answers from a *bundle*: the consultation's texts in its languages, the groups
the public may choose, the interface strings already translated here, the
instrument's rules (``consult.surveys.offline_spec``) and, for every page and
every content language, the HTML of the page's questions rendered by the same
template and form as the online page. The browser only shows and hides those
questions by the rules and keeps what was typed; it never builds a field.

What comes back is what the pages' forms would have posted: per page, the
``[name, value]`` pairs of the form. The server replays them in path order
through the same page form as the online flow (``consult.surveys.forms.page_form``:
same parsing, validation and translated messages), walks the path with the same
step function, and stores one response with ``EntryMode.OFFLINE`` through
``storage.store_response``. The phone's random token is the response's
identity (``storage.keys_for_token``): a retry after a lost reply finds the
stored response and gets the same receipt code; the unique submission key
decides between two requests at once. Nothing is stored unless everything is
valid, and everything is stored in one transaction.

Only the public groups are offered (not those answering by invitation, nor
companies, who answer through their invitation); a collective answer (mandate,
people represented) is given online.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from flask import render_template_string, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from consult.extensions import db
from consult.responses.flow import interface_language, language_choices
from consult.responses.models import Consultation, ConsultationGroup, EntryMode
from consult.responses.sending import find_sent, missing_required
from consult.responses.storage import NewResponse, keys_for_token, store_response
from consult.responses.survey import places_of, shown_page
from consult.surveys.engine import Instrument, Page
from consult.surveys.forms import page_form
from consult.surveys.labels import STAKEHOLDER_GROUPS
from consult.surveys.models import InstrumentVersion
from consult.surveys.steps import NEXT, REVIEW, steps

#: Companies answer through their invitation, never from a shared phone (the same codes as analysis's).
_COMPANY_GROUPS = frozenset({"company_large", "company_sme", "state_owned_company", "business_association"})
#: The phone's token: random, url-safe, long enough not to be guessed (``secrets.token_urlsafe(32)`` is 43).
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,100}$")
#: The most pages or fields a sent response may carry (the largest instrument has far fewer).
MAX_PAGES = 200
MAX_FIELDS_PER_PAGE = 500
_FRAGMENT = (
    '{% from "surveys/_questions.html" import render_questions %}{{ render_questions(form, instrument, page, lang) }}'
)


class OfflineError(Exception):
    """A response the server cannot take: HTTP ``status``, a translated ``message``, per-question ``errors``."""

    def __init__(self, status: int, message: Any, errors: dict[str, dict[str, list[str]]] | None = None) -> None:
        super().__init__(str(message))
        self.status = status
        self.message = message
        self.errors = errors or {}

    def to_json(self) -> dict[str, Any]:
        """The error as the offline app reads it."""
        return {"error": str(self.message), "errors": self.errors}


@dataclass(frozen=True)
class Synced:
    """The outcome of storing an offline response: its receipt code, and whether this call stored it."""

    receipt_code: str
    created: bool


def offline_groups(consultation: Consultation) -> list[ConsultationGroup]:
    """The groups that may answer offline: the public ones (no invitation needed), companies left out."""
    return [g for g in consultation.groups if not g.is_invitation_only and g.group_code not in _COMPANY_GROUPS]


def offers_offline(consultation: Consultation) -> bool:
    """Whether the consultation can be answered offline now (it accepts answers from some public group)."""
    return consultation.is_accepting and bool(offline_groups(consultation))


def _version(group: ConsultationGroup) -> InstrumentVersion:
    return db.session.get(InstrumentVersion, group.instrument_version_id)


def prefilled(instrument: Instrument, group_code: str) -> dict[str, Any]:
    """The answers the group choice gives (as ``drafts._prefill_group_questions``): the group questions."""
    answers = {}
    for question in instrument.questions:
        if question.type == "stakeholder_group":
            allowed = question.get("groups") or ()
            if not allowed or group_code in allowed:
                answers[question.key] = group_code
    return answers


def settled(instrument: Instrument, answers: dict[str, Any], group_code: str) -> frozenset[str]:
    """The questions the group choice answered, not asked again (as ``flow.settled_questions``)."""
    return frozenset(
        q.key for q in instrument.questions if q.type == "stakeholder_group" and answers.get(q.key) == group_code
    )


def every_question(instrument: Instrument) -> Instrument:
    """The instrument with every question shown whatever the answers: the page's HTML holds them all,
    and the phone shows or hides each by the rules (the rules stay in the offline spec)."""
    definition = instrument.to_dict()
    for section in definition.get("sections") or ():
        for page in section.get("pages") or ():
            questions = []
            for question in page.get("questions") or ():
                question = dict(question)
                question.pop("when", None)
                questions.append(question)
            page["questions"] = questions
    return Instrument.from_dict(definition)


def _localities(consultation: Consultation, page: Page):
    return places_of(consultation) if any(q.type == "territory" for q in page.questions) else None


def _fragments(consultation: Consultation, instrument: Instrument) -> dict[str, dict[str, str]]:
    """``{lang: {page key: HTML of the page's questions, empty}}``, rendered by the online page's macro."""
    flat = every_question(instrument)
    found: dict[str, dict[str, str]] = {}
    for lang in consultation.languages:
        pages = found.setdefault(lang, {})
        for page in flat.pages:
            form_class = page_form(flat, page, lang, {}, localities=_localities(consultation, page))
            form = form_class(formdata=None, meta={"csrf": False})
            pages[page.key] = render_template_string(_FRAGMENT, form=form, instrument=flat, page=page, lang=lang)
    return found


def _page_titles(instrument: Instrument, lang: str) -> dict[str, str]:
    titles = {}
    for page in instrument.pages:
        section = instrument.section_of(page)
        titles[page.key] = instrument.text(page.title or section.title, lang) if (page.title or section.title) else ""
    return titles


def interface_strings() -> dict[str, Any]:
    """The words of the offline app, translated here in the interface language (the phone has no catalogue)."""
    waiting = {
        str(n): ngettext("%(num)d response waits to be sent.", "%(num)d responses wait to be sent.", n)
        for n in range(0, 21)
    }
    return {
        "continue": _("Continue"),
        "back": _("Back"),
        "send": _("Send"),
        "send_now": _("Send now"),
        "start": _("Start a response"),
        "start_another": _("Start another response"),
        "resume": _("Continue the response in progress"),
        "discard": _("Delete the response in progress"),
        "group_heading": _("Who are you answering as?"),
        "group_legend": _("Your group"),
        "language": _("Language of the questions"),
        "review_heading": _("Check and finish"),
        "change": _("Change"),
        "review_text": _(
            "Your answers stay on this phone, encrypted, until there is a connection. Then they are sent, "
            "and the receipt code is shown here."
        ),
        "finish": _("Finish: keep it to send"),
        "finished": _("The response is kept on this phone. It will be sent when there is a connection."),
        "waiting": waiting,
        "waiting_many": _("%(num)d responses wait to be sent."),
        "nothing_waiting": _("No response waits to be sent."),
        "sending": _("Sending…"),
        "sent": _("Sent. This is the receipt code: write it down, it is shown only this once."),
        "receipts_heading": _("Receipt codes of the responses just sent"),
        "offline": _("No connection now: the responses will be sent when it returns."),
        "needs_checking": _("A response could not be sent: some answers need checking."),
        "check": _("Check this response"),
        "refused": _("A response could not be sent: %(reason)s"),
        "choose_group": _("Choose one of the groups in the list."),
        "no_storage": _("This browser cannot keep answers safely on the phone. Answer online instead."),
        "page_of": _("Page %(n)d of %(total)d, as your answers stand now"),
        "error_heading": _("Please check your answers"),
        "ready": _("Ready to answer without a connection on this phone."),
    }


def validation_messages() -> dict[str, str]:
    """The question types' messages by code (``consult.surveys.types.base.MESSAGES``), translated here,
    their placeholders kept for the phone to fill (``%(n)d``, ``%(min)s``…).

    The phone checks a page with ``ConsultRules.readPage`` before going on (the same rules as the
    server's page form), so a response is not kept with an answer the server would refuse.
    """
    from consult.surveys.types.base import MESSAGES

    return {code: str(message) for code, message in MESSAGES.items()}


def bundle(consultation: Consultation) -> dict[str, Any]:
    """Everything the phone needs to answer ``consultation`` offline (see the module docstring).

    ``version`` is a hash of the rest: the app fetches the bundle again when it changes.
    """
    from consult.surveys.offline_spec import offline_spec

    lang = interface_language()
    languages = [{"code": code, "name": name} for code, name in language_choices(consultation)]
    instruments: dict[str, dict[str, Any]] = {}
    groups = []
    for group in offline_groups(consultation):
        version = _version(group)
        instrument = version.parsed()
        key = str(version.id)
        if key not in instruments:
            instruments[key] = {
                "spec": offline_spec(instrument, localities=list(places_of(consultation))),
                "fragments": _fragments(consultation, instrument),
                "page_titles": {code: _page_titles(instrument, code) for code in consultation.languages},
            }
        answers = prefilled(instrument, group.group_code)
        groups.append(
            {
                "code": group.group_code,
                "label": str(STAKEHOLDER_GROUPS.get(group.group_code, group.group_code)),
                "instrument": key,
                "prefill": answers,
                "settled": sorted(settled(instrument, answers, group.group_code)),
            }
        )
    content = {
        "slug": consultation.slug,
        "interface_language": lang,
        "title": {code: consultation.title_in(code) for code in consultation.languages},
        "purpose": {code: consultation.text(consultation.purpose, code) for code in consultation.languages}
        if consultation.purpose
        else {},
        "fallback_language": consultation.fallback_language,
        "languages": languages,
        "groups": groups,
        "instruments": instruments,
        "strings": interface_strings(),
        "messages": validation_messages(),
        "urls": {
            "token": url_for("responses.offline_token", slug=consultation.slug),
            "responses": url_for("responses.offline_responses", slug=consultation.slug),
            "receipt": url_for("responses.receipt", slug=consultation.slug),
        },
        "accepting": consultation.is_accepting,
    }
    text = json.dumps(content, sort_keys=True, ensure_ascii=False)
    content["version"] = hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]
    return content


def _pairs(value: Any) -> list[tuple[str, str]]:
    if not isinstance(value, list) or len(value) > MAX_FIELDS_PER_PAGE:
        raise OfflineError(400, _l("The answers sent are not in the expected form."))
    pairs = []
    for item in value:
        if not (isinstance(item, list | tuple) and len(item) == 2 and all(isinstance(v, str) for v in item)):
            raise OfflineError(400, _l("The answers sent are not in the expected form."))
        pairs.append((item[0], item[1]))
    return pairs


def _read(consultation: Consultation, instrument: Instrument, lang: str, page: Page, pairs, answers):
    """The page read from ``pairs`` exactly as the online page reads a POST; ``(form, valid)``.

    An answer may reveal a question of the same page: online, the page is shown again
    with it; here the phone already showed it, so the form is built again with the
    answers so far and reads the same pairs, until nothing new appears.
    """
    formdata = MultiDict(pairs)
    current = dict(answers)
    for _round in range(len(page.questions) + 1):
        form_class = page_form(instrument, page, lang, current, localities=_localities(consultation, page))
        # CSRF is checked once for the whole request (the X-CSRFToken header), not per page.
        form = form_class(formdata=formdata, meta={"csrf": False})
        valid = form.validate()
        if not valid or not form.newly_visible():
            return form, valid
        current = _saved(instrument, page, current, form.answers())
    return form, valid


def _saved(instrument: Instrument, page: Page, answers: dict[str, Any], page_answers: dict[str, Any]):
    # As ``drafts.save_page``: the page's questions replaced by what it yielded.
    result = {k: v for k, v in answers.items() if k not in {q.key for q in page.questions}}
    result.update({k: v for k, v in page_answers.items() if instrument.has_question(k) and v is not None})
    return result


def replay(
    consultation: Consultation, instrument: Instrument, group_code: str, lang: str, pages: dict[str, Any]
) -> dict[str, Any]:
    """The answers of ``pages`` (``{page key: [[name, value], ...]}``) read page by page along the path.

    Raises ``OfflineError`` (422, with the messages per page and question) when a page is not valid.
    """
    answers = prefilled(instrument, group_code)
    done = settled(instrument, answers, group_code)
    target = steps(instrument, answers, settled=done).first()
    seen: set[str] = set()
    while target is not REVIEW:
        if not isinstance(target, str) or target in seen:
            break
        seen.add(target)
        page = shown_page(instrument.page(target), done)
        form, valid = _read(consultation, instrument, lang, page, _pairs(pages.get(target, [])), answers)
        if not valid:
            errors = {view.key: [str(e) for e in view.errors] for view in form.views() if view.errors}
            raise OfflineError(422, _l("Some answers need checking."), {target: errors})
        answers = _saved(instrument, page, answers, form.answers())
        target = steps(instrument, answers, settled=done).step(target, NEXT)
    missing = missing_required(instrument, answers)
    if missing:
        errors: dict[str, dict[str, list[str]]] = {}
        for item in missing:
            errors.setdefault(item.page.key, {})[item.question.key] = [_("This question needs an answer.")]
        raise OfflineError(422, _l("Some required questions have no answer yet."), errors)
    return answers


def sync(consultation: Consultation, payload: Any) -> Synced:
    """Store the response the phone sent, exactly once; the same receipt code for a repeat of its token.

    Commits. Raises ``OfflineError`` when nothing may be stored (and nothing is).
    """
    if not isinstance(payload, dict):
        raise OfflineError(400, _l("The answers sent are not in the expected form."))
    token = payload.get("token")
    if not isinstance(token, str) or not TOKEN.match(token):
        raise OfflineError(400, _l("The answers sent are not in the expected form."))
    submission_key, receipt_hash, code = keys_for_token(token)
    existing = find_sent(token)
    if existing is not None:
        if existing.consultation_id != consultation.id:
            raise OfflineError(409, _l("The answers sent are not in the expected form."))
        # A retry after a lost reply: the response is stored already, its code is the same.
        return Synced(code, created=False)
    if not consultation.is_accepting:
        raise OfflineError(409, _l("This consultation is not accepting answers any more."))
    group = next((g for g in offline_groups(consultation) if g.group_code == payload.get("group_code")), None)
    if group is None:
        raise OfflineError(422, _l("Choose one of the groups in the list."))
    lang = payload.get("language")
    if lang not in consultation.languages:
        raise OfflineError(422, _l("This consultation is not offered in that language."))
    pages = payload.get("pages")
    if not isinstance(pages, dict) or len(pages) > MAX_PAGES:
        raise OfflineError(400, _l("The answers sent are not in the expected form."))
    version = _version(group)
    instrument = version.parsed()
    answers = replay(consultation, instrument, group.group_code, lang, pages)
    item = NewResponse(
        version=version,
        group_code=group.group_code,
        language=lang,
        entry_mode=EntryMode.OFFLINE,
        answers=answers,
        submission_key=submission_key,
        receipt_code_hash=receipt_hash,
    )
    try:
        # The response row first (``store_response``): a second request with the same token
        # stops on the unique submission key before any answer row is written.
        store_response(consultation, item)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if find_sent(token) is None:
            raise
        return Synced(code, created=False)
    return Synced(code, created=True)


def cached_urls(consultation: Consultation) -> list[str]:
    """What the service worker keeps for the app to open without a connection."""
    slug = consultation.slug
    return [
        url_for("responses.offline_page", slug=slug),
        url_for("static", filename="offline/offline.js"),
        url_for("static", filename="offline/rules.js"),
        url_for("static", filename="consult.css"),
        url_for("responses.offline_bundle", slug=slug),
    ]
