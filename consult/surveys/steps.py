"""Page steps: which page of an instrument to show, where Next and Back lead, and the progress to show.

Both public flows walk an instrument one page at a time: the survey answering
flow (``consult.responses.views_answer``) and the testimony form
(``consult.testimonies.views_public``). They differ only in what a page has
left to ask, not in how they walk:

- the answering flow does not ask again what its group step settled
  (``settled``, see ``consult.surveys.paths.Settled``): the path finder already
  leaves off a page holding nothing else;
- the testimony form does not ask what it derives from earlier answers (a
  CSO's "for whom", a single place complained): it passes ``shows``, which says
  whether a page on the path still asks something.

A ``Steps`` is the path as the answers stand *now*: build it again after
saving a page, since the answers just given decide where Next leads.

Targets are a page key, or one of the places around the pages: ``START``
(Back from the first page: the flow's own first step), ``REVIEW`` (Next from
the last page) and, when a page is asked for, ``OFF_PATH`` (not on the
person's path: the flow sends them back to where they are).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from consult.surveys.engine import Instrument, Page
from consult.surveys.paths import NOTHING_SETTLED, Settled, walk


class Place(Enum):
    """Where a step leads other than to a page of the instrument."""

    START = "start"
    REVIEW = "review"
    OFF_PATH = "off_path"


START = Place.START
REVIEW = Place.REVIEW
OFF_PATH = Place.OFF_PATH
#: A page key, or a ``Place``.
Target = str | Place

NEXT = "next"
BACK = "back"


def direction_of(action: str | None) -> str:
    """The direction a page's submit button asks for: ``BACK`` for its Back button, else ``NEXT``."""
    return BACK if action == BACK else NEXT


@dataclass(frozen=True)
class Progress:
    """Where a page sits, for the "Part X of Y" and "N more pages" lines.

    ``position`` and ``total`` count the pages shown on the path *as the
    answers stand now* (answers still to come may add or skip pages); the
    section figures never change while answering.
    """

    position: int
    total: int
    section_number: int = 1
    section_count: int = 1

    @property
    def pages_left(self) -> int:
        """Pages after this one on the path as it stands now."""
        return max(self.total - self.position, 0)


@dataclass(frozen=True)
class Steps:
    """The pages a person is shown, in order, as their answers stand (see the module docstring)."""

    instrument: Instrument
    #: The pages on the path (``consult.surveys.paths.walk``).
    walked: tuple[Page, ...]
    #: Those of them that ask something: the pages shown, counted and stepped through.
    pages: tuple[Page, ...]

    @property
    def keys(self) -> list[str]:
        """The keys of the pages shown, in order."""
        return [page.key for page in self.pages]

    def first(self) -> Target:
        """The first page shown, or ``REVIEW`` when nothing is left to ask."""
        return self.pages[0].key if self.pages else REVIEW

    def last(self) -> Page | None:
        """The last page shown (where "change an answer" from the review leads), if any."""
        return self.pages[-1] if self.pages else None

    def arrive(self, page_key: str) -> Target | None:
        """``None`` when ``page_key`` is to be shown; else where to go instead.

        ``OFF_PATH`` for a page that is not on the path (or not in the
        instrument): never shown, whatever the address says. A page on the
        path with nothing left to ask is passed: the step after it.
        """
        if page_key not in {page.key for page in self.walked}:
            return OFF_PATH
        if page_key in self.keys:
            return None
        return self.step(page_key, NEXT)

    def step(self, page_key: str, direction: str) -> Target:
        """Where ``direction`` (``NEXT`` or ``BACK``) leads from the page ``page_key``.

        The next (previous) page shown after (before) it in the instrument's
        order, so a page off the path or passed also has a next and a
        previous; ``REVIEW`` past the last page, ``START`` before the first.
        ``page_key`` must be a page of the instrument.
        """
        index = self.instrument.page(page_key).index
        if direction == NEXT:
            return next((page.key for page in self.pages if page.index > index), REVIEW)
        if direction == BACK:
            before = [page.key for page in self.pages if page.index < index]
            return before[-1] if before else START
        raise ValueError(f"unknown direction {direction!r}")

    def progress(self, page_key: str) -> Progress:
        """The progress figures of the page ``page_key`` (first position if it is not shown)."""
        keys = self.keys
        position = keys.index(page_key) + 1 if page_key in keys else 1
        section = self.instrument.section_of(self.instrument.page(page_key))
        return Progress(position, len(keys), self.instrument.sections.index(section) + 1, len(self.instrument.sections))


def steps(
    instrument: Instrument,
    answers: Mapping[str, Any],
    *,
    settled: Settled = NOTHING_SETTLED,
    shows: Callable[[Page], bool] | None = None,
) -> Steps:
    """The path through ``instrument`` for ``answers``: the pages on it, and those shown.

    ``settled``: questions answered before the instrument (not asked again).
    ``shows``: whether a page on the path asks something (every page when ``None``).
    """
    walked = walk(instrument, answers, settled).pages
    shown = walked if shows is None else tuple(page for page in walked if shows(page))
    return Steps(instrument, walked, shown)


def step(
    instrument: Instrument,
    answers: Mapping[str, Any],
    page_key: str,
    direction: str,
    *,
    settled: Settled = NOTHING_SETTLED,
    shows: Callable[[Page], bool] | None = None,
) -> Target:
    """Where ``direction`` leads from ``page_key`` for ``answers`` (a page key, ``REVIEW`` or ``START``).

    Pass the answers *including* those just saved on the page: they decide
    its routing. Shorthand for ``steps(...).step(page_key, direction)``.
    """
    return steps(instrument, answers, settled=settled, shows=shows).step(page_key, direction)
