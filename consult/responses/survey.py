"""The survey engine as the answering pages use it: a page's form, its progress, and answers in words."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from flask import has_request_context, request
from sqlalchemy import select

from consult.accounts.models import Locality
from consult.extensions import db
from consult.responses.flow import interface_language, settled_questions
from consult.responses.models import Consultation, ResponseDraft
from consult.surveys.engine import Instrument, Page
from consult.surveys.paths import shown as shown_path
from consult.surveys.steps import Progress, Steps, steps
from consult.surveys.types import FieldContext, question_type
from consult.surveys.types.base import Content


def localities_of(consultation: Consultation) -> list[dict[str, Any]]:
    """The territory's places as the territory question wants them (by name, as the territory lists them).

    Three columns, not ``Locality`` objects: a territory has a hundred places or more.
    """
    rows = db.session.execute(
        select(Locality.code, Locality.name, Locality.area)
        .where(Locality.territory_id == consultation.territory_id)
        .order_by(Locality.name, Locality.id)
    )
    return [{"code": code, "name": name, "area": area} for code, name, area in rows]


class Places(Sequence):
    """The territory's places (``localities_of``), read the first time something looks at them.

    Only a page with a territory question, or a review showing its answer,
    needs them; every other page never reads them.
    """

    def __init__(self, consultation: Consultation) -> None:
        self._consultation = consultation
        self._loaded: list[dict[str, Any]] | None = None

    def _items(self) -> list[dict[str, Any]]:
        if self._loaded is None:
            self._loaded = localities_of(self._consultation)
        return self._loaded

    def __getitem__(self, index):  # type: ignore[override]
        return self._items()[index]

    def __len__(self) -> int:
        return len(self._items())


def places_of(consultation: Consultation) -> Places:
    """The consultation's ``Places``, one per request (loaded at most once however many times asked)."""
    if not has_request_context():
        return Places(consultation)
    # On the request itself, not ``g``: an application context (and its ``g``) may outlive a request.
    cache = request.environ.setdefault("consult.places", {})
    places = cache.get(consultation.territory_id)
    if places is None:
        places = cache[consultation.territory_id] = Places(consultation)
    return places


def context_for(consultation: Consultation, instrument: Instrument, lang: str) -> FieldContext:
    """The engine's field context: content language, interface language, localities (read when needed)."""
    return FieldContext(instrument, lang, interface_language(), places_of(consultation))


@dataclass
class PageView:
    """A page ready to render: its form, where it sits on the path, and the answers it yielded."""

    page: Page
    instrument: Instrument
    form: Any
    lang: str
    #: Where the page sits (``consult.surveys.steps.Progress``): its part, and the pages still to come.
    progress: Progress
    title: Content
    section_title: Content | None
    answers: dict[str, Any] = field(default_factory=dict)
    errors: bool = False
    #: The answers just given reveal more questions on this same page: show it again.
    reveals: bool = False

    @property
    def position(self) -> int:
        """The page's place on the path *as the answers stand now* (answers may add or skip pages)."""
        return self.progress.position

    @property
    def total(self) -> int:
        """The pages on the path as the answers stand now."""
        return self.progress.total

    @property
    def section_number(self) -> int:
        """The page's section among the instrument's sections."""
        return self.progress.section_number

    @property
    def section_count(self) -> int:
        """The instrument's sections: this total never changes while answering."""
        return self.progress.section_count

    @property
    def pages_left(self) -> int:
        """Pages after this one on the path as it stands now (the answers still to come may change it)."""
        return self.progress.pages_left


def _page_form(consultation: Consultation, instrument: Instrument, page: Page, lang: str, answers: dict[str, Any]):
    from consult.surveys.forms import page_form

    # Places only for a page that asks for one: the others never look at them.
    asks_place = any(question.type == "territory" for question in page.questions)
    return page_form(instrument, page, lang, answers, localities=places_of(consultation) if asks_place else None)


def shown_page(page: Page, settled) -> Page:
    """``page`` without the questions the group step already answered (``flow.settled_questions``).

    The form shows, and saving replaces, only what the page asks: a settled
    answer is neither asked again nor dropped when the page is saved.
    """
    if not any(q.key in settled for q in page.questions):
        return page
    return replace(page, questions=tuple(q for q in page.questions if q.key not in settled))


def _view(consultation, draft, instrument, page, form, answers, errors=False, path: Steps | None = None) -> PageView:
    lang = draft.language
    ctx = context_for(consultation, instrument, lang)
    if path is None:
        path = steps(instrument, answers, settled=settled_questions(draft, instrument))
    progress = path.progress(page.key)
    section = instrument.section_of(page)
    title = ctx.content(page.title) if page.title else ctx.content(section.title)
    section_title = ctx.content(section.title) if page.title and section.title else None
    if section_title is not None and section_title.text == title.text:
        section_title = None
    return PageView(page, instrument, form, lang, progress, title, section_title, errors=errors)


def build_page(
    consultation: Consultation, draft: ResponseDraft, instrument: Instrument, page: Page, *, path: Steps | None = None
) -> PageView:
    """The page showing the answers stored in the draft.

    ``path``: the draft's ``Steps`` if the caller has it already (the same answers walk the same path).
    """
    answers = dict(draft.answers or {})
    form = _page_form(consultation, instrument, page, draft.language, answers)(formdata=None)
    return _view(consultation, draft, instrument, page, form, answers, path=path)


def read_page(
    consultation: Consultation,
    draft: ResponseDraft,
    instrument: Instrument,
    page: Page,
    formdata,
    *,
    path: Steps | None = None,
) -> PageView:
    """The page with what was just submitted, validated; ``.answers`` holds the page's answers when valid.

    ``path``: the draft's ``Steps`` for its stored answers, if the caller has it already.
    """
    answers = dict(draft.answers or {})
    form = _page_form(consultation, instrument, page, draft.language, answers)(formdata=formdata)
    valid = form.validate()
    view = _view(consultation, draft, instrument, page, form, answers, errors=not valid, path=path)
    if valid:
        view.answers = form.answers()
        view.reveals = bool(form.newly_visible())
    return view


def excuse_spoken(view: PageView, keys: Iterable[str]) -> PageView:
    """The page read again as valid when its only problems are empty answers to ``keys``, questions
    answered by a recording instead; else ``view`` as it was."""
    keys = list(keys)
    if not view.errors or not keys or not view.form.excuse_empty(keys):
        return view
    view.errors = False
    view.answers = view.form.answers()
    view.reveals = bool(view.form.newly_visible())
    return view


@dataclass
class AnsweredQuestion:
    """A question and the answer in words."""

    text: Content
    answer: str
    key: str = ""


@dataclass
class AnsweredPage:
    """A page of the path with its answered questions, for the review and receipt pages."""

    key: str
    title: Content
    items: list[AnsweredQuestion]


def answered_pages(
    consultation: Consultation,
    draft: ResponseDraft | None,
    instrument: Instrument,
    *,
    answers: dict[str, Any] | None = None,
    lang: str | None = None,
) -> list[AnsweredPage]:
    """The path's pages with the answers that count, in words, in the draft's (or ``lang``) language."""
    answers = dict(answers if answers is not None else (draft.answers if draft else {}) or {})
    lang = lang or (draft.language if draft else instrument.fallback_language)
    ctx = context_for(consultation, instrument, lang)
    # The review leaves out what the group step answered: it says the group at its top.
    settled = settled_questions(draft, instrument) if draft is not None else frozenset()
    # One replay of the path for every page (not one per page: quadratic in the pages).
    replay = shown_path(instrument, answers, settled)
    counted = replay.answers
    result = []
    for item in replay.pages:
        page = item.page
        items = []
        for question in item.questions:
            if question.type == "info":
                continue
            value = counted.get(question.key)
            shown = question_type(question.type).display(question, value, ctx) if value is not None else ""
            items.append(AnsweredQuestion(ctx.content(question.text), shown, question.key))
        if items:
            section = instrument.section_of(page)
            result.append(AnsweredPage(page.key, ctx.content(page.title or section.title), items))
    return result
