"""The path finder: which pages a respondent sees, and which answers count.

The stored answers are replayed from the first page. A page is on the path
when its ``when`` holds and at least one of its questions shows (a page whose
every question is hidden by its own rule has nothing to show); after it, the
first routing rule that holds decides where to go (a later page, or the end),
else the next page follows. An answer counts only when its page is on the path
and its question's own ``when`` holds.

Why one forward pass is enough: a rule may only refer to questions that come
before it (validation refuses anything else), and the replay evaluates each
rule against the answers already *counted*, never the raw stored ones. So when
an answer falls off the path, every later condition that depended on it is
evaluated without it, and whatever depended on *those* follows in the same
pass. A second pass would give the same result; the tests check the chains.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from consult.surveys.engine import Instrument, Page, Question
from consult.surveys.rules import evaluate, is_answered

Answers = Mapping[str, Any]
#: Keys of questions answered before the instrument starts (the group, declared on the group
#: step): their answers count like any other, but they are not asked again, so a page holding
#: only such questions has nothing to show and is left off the path.
Settled = Collection[str]
NOTHING_SETTLED: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Walk:
    """The outcome of a replay: the pages on the path and the answers that count."""

    pages: tuple[Page, ...]
    answers: dict[str, Any]


def walk(instrument: Instrument, answers: Answers, settled: Settled = NOTHING_SETTLED) -> Walk:
    """Replay ``answers`` through the instrument (see the module docstring); ``settled``: see ``Settled``."""
    counted: dict[str, Any] = {}
    on_path: list[Page] = []
    pages = instrument.pages
    index = 0
    # Routing only jumps forward, so each step moves on; the bound guards a bad definition.
    steps = 0
    while index < len(pages) and steps <= len(pages):
        steps += 1
        page = pages[index]
        if not evaluate(page.when, counted):
            index += 1
            continue
        shows_something = False
        for question in page.questions:
            if evaluate(question.when, counted):
                shows_something = shows_something or question.key not in settled
                if question.key in answers and is_answered(answers[question.key]):
                    counted[question.key] = answers[question.key]
        # A page whose every question is hidden (an imported skip rule may hide a
        # whole page) would show only its buttons: it is left off the path, so
        # it is never shown, counted in the progress nor listed in the review.
        # Its routing still applies: a rule may jump on from an empty page.
        if shows_something:
            on_path.append(page)
        target = _route(page, counted)
        if target == "end":
            break
        if target is None or not instrument.has_page(target):
            index += 1
        else:
            next_index = instrument.page(target).index
            index = next_index if next_index > index else index + 1
    return Walk(tuple(on_path), counted)


def _route(page: Page, counted: Answers) -> str | None:
    for route in page.routing:
        if evaluate(route.when, counted):
            return route.goto
    return None


def path_pages(instrument: Instrument, answers: Answers, settled: Settled = NOTHING_SETTLED) -> list[Page]:
    """The pages on the respondent's path, in order."""
    return list(walk(instrument, answers, settled).pages)


def on_path_answers(instrument: Instrument, answers: Answers) -> dict[str, Any]:
    """Only the answers that count: on a page on the path, to a question whose ``when`` holds."""
    return walk(instrument, answers).answers


def is_on_path(instrument: Instrument, answers: Answers, page_key: str, settled: Settled = NOTHING_SETTLED) -> bool:
    """Whether the page is on the path (a URL for any other page is refused)."""
    return any(page.key == page_key for page in walk(instrument, answers, settled).pages)


def first_page(instrument: Instrument, answers: Answers, settled: Settled = NOTHING_SETTLED) -> Page | None:
    """The first page on the path (``None`` for an instrument whose every page is skipped)."""
    pages = walk(instrument, answers, settled).pages
    return pages[0] if pages else None


def next_page(
    instrument: Instrument, answers: Answers, current_key: str, settled: Settled = NOTHING_SETTLED
) -> Page | None:
    """The page after ``current_key`` on the path, or ``None`` when the path ends there.

    Call it with the answers *including* those just given on the current page:
    its routing rules are decided by them. If ``current_key`` is not on the
    path, the first path page after it in the instrument is returned.
    """
    pages = walk(instrument, answers, settled).pages
    current_index = instrument.page(current_key).index
    keys = [page.key for page in pages]
    if current_key in keys:
        position = keys.index(current_key)
        return pages[position + 1] if position + 1 < len(pages) else None
    return next((page for page in pages if page.index > current_index), None)


def previous_page(
    instrument: Instrument, answers: Answers, current_key: str, settled: Settled = NOTHING_SETTLED
) -> Page | None:
    """The page before ``current_key`` on the path, or ``None`` on the first page.

    From the review page, "back" goes to ``last_page``. If ``current_key`` is
    not on the path, the last path page before it in the instrument is returned.
    """
    pages = walk(instrument, answers, settled).pages
    current_index = instrument.page(current_key).index
    before = [page for page in pages if page.index < current_index]
    return before[-1] if before else None


def last_page(instrument: Instrument, answers: Answers, settled: Settled = NOTHING_SETTLED) -> Page | None:
    """The last page on the path (where "back" from the review page goes)."""
    pages = walk(instrument, answers, settled).pages
    return pages[-1] if pages else None


@dataclass(frozen=True)
class ShownPage:
    """A page on the path with the questions it shows (``visible_questions`` of the page)."""

    page: Page
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Shown:
    """What a person is shown for their answers: each page on the path with its questions, and what counts."""

    pages: tuple[ShownPage, ...]
    answers: dict[str, Any]


def shown(instrument: Instrument, answers: Answers, settled: Settled = NOTHING_SETTLED) -> Shown:
    """``path_pages`` with each page's ``visible_questions``, from one replay instead of one per page.

    The review, the check before sending and the receipt list every page of
    the path with its questions; asking ``visible_questions`` page by page
    replays the whole path for each page (quadratic in the pages). Pages on
    the path come in instrument order, so the answers counted before a page
    are exactly what ``visible_questions`` lets decide for it; a test holds
    the two equal.
    """
    replay = walk(instrument, answers, settled)
    counted = replay.answers
    # Counted answers in question order: a page off the path (one holding only settled questions)
    # still counts its answers, so what decides a page is every counted answer before it.
    ordered = sorted(counted, key=lambda key: instrument.question(key).index)
    taken = 0
    known: dict[str, Any] = {}
    found = []
    for page in replay.pages:
        visible: list[Question] = []
        if page.questions:
            first = page.questions[0].index
            while taken < len(ordered) and instrument.question(ordered[taken]).index < first:
                known[ordered[taken]] = counted[ordered[taken]]
                taken += 1
        for question in page.questions:
            if evaluate(question.when, known):
                if question.key not in settled:
                    visible.append(question)
                if is_answered(counted.get(question.key)):
                    known[question.key] = counted[question.key]
        found.append(ShownPage(page, tuple(visible)))
    return Shown(tuple(found), counted)


def visible_questions(
    instrument: Instrument, page: Page, answers: Answers, settled: Settled = NOTHING_SETTLED
) -> list[Question]:
    """The questions of ``page`` shown for ``answers``: those whose ``when`` holds (and not ``settled``).

    Conditions see the counted answers of earlier pages and the answers
    already given to earlier questions of this page (hidden ones excluded).
    """
    if not page.questions:
        return []
    first = page.questions[0].index
    # Only what comes before this page may decide (a preview of a page off the path included).
    known = {
        key: value
        for key, value in on_path_answers(instrument, answers).items()
        if instrument.question(key).index < first
    }
    visible = []
    for question in page.questions:
        if evaluate(question.when, known):
            if question.key not in settled:
                visible.append(question)
            value = answers.get(question.key)
            if is_answered(value):
                known[question.key] = value
    return visible
