"""Testimony counts as analysts see them: per consultation, through the one suppression function.

Each consultation has its own small-cell threshold, so the counts of a territory's
testimonies are shown consultation by consultation. Two tables share one base, the
testimonies that may be counted (aggregate consent):

- by theme: a testimony may carry several themes, so the rows do not add up to the base
  (``additive_columns=False``); nothing can be worked out by subtraction;
- by main place of complaint (a single choice, "no main place recorded" included): the rows
  add up to the base, so a hidden row is protected by hiding another (secondary suppression).

Every hidden figure reads the same as on the public results page (``SuppressedTable.hidden_label``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from flask_babel import gettext as _
from sqlalchemy import func, select

from consult.core.suppression import SuppressedTable, suppress
from consult.extensions import db
from consult.i18n import content_language
from consult.responses.models import Consultation
from consult.testimonies import queries, services
from consult.testimonies.intake import _mechanism_questions, testimony_version
from consult.testimonies.models import ConsentUse, Testimony
from consult.testimonies.presenting import content_language as instrument_language

#: The row of testimonies without a main place of complaint (not a code of any instrument).
NO_MAIN_PLACE = "__none__"


@dataclass(frozen=True)
class CountedRow:
    """One published row: its label and its count, None when hidden."""

    label: str
    count: int | None


@dataclass(frozen=True)
class ConsultationCounts:
    """What the counts page publishes for one consultation (hidden figures are None)."""

    consultation: Consultation
    threshold: int
    total: int | None
    themes: list[CountedRow]
    main_places: list[CountedRow]
    hidden_label: str
    note: str
    has_hidden: bool


def _column(counts: dict[str, int]) -> pd.DataFrame:
    return pd.DataFrame({"n": list(counts.values())}, index=list(counts.keys()), dtype="int64")


def _main_place_counts(consultation: Consultation, total: int) -> tuple[dict[str, int], dict[str, str]]:
    """``({option: testimonies}, {option: label})`` for the consultation's main-place question.

    Testimonies without an answer to it (or sent with an instrument whose question has
    another key) make the "no main place recorded" row, so the rows add up to ``total``.
    """
    version = testimony_version(consultation)
    instrument = version.parsed() if version is not None else None
    main = _mechanism_questions(instrument)[1] if instrument is not None else None
    counts: dict[str, int] = {}
    labels: dict[str, str] = {}
    if main is not None:
        lang = instrument_language(instrument, content_language())
        for option in main.options:
            counts[option.value], labels[option.value] = 0, instrument.text(option.label, lang)
        for part, option, n in db.session.execute(queries.answer_counts(main.key, consultation_id=consultation.id)):
            if part is None and option is not None:
                counts[option] = counts.get(option, 0) + int(n)
                labels.setdefault(option, option)
    counts[NO_MAIN_PLACE] = max(total - sum(counts.values()), 0)
    labels[NO_MAIN_PLACE] = _("No main place recorded")
    return counts, labels


def _rows(table: SuppressedTable, labels: dict[str, str]) -> list[CountedRow]:
    # Zero rows disclose nobody and say little: only rows with testimonies are listed.
    return [
        CountedRow(labels[key], table.cell(key, "n"))
        for key in table.counts.index
        if table.hidden.at[key, "n"] or table.counts.at[key, "n"] > 0
    ]


def consultation_counts(consultation: Consultation) -> ConsultationCounts:
    """The consultation's testimony counts, suppressed at its own ``small_cell_threshold``."""
    threshold = consultation.small_cell_threshold
    total = int(
        db.session.scalar(
            select(func.count()).select_from(
                queries.consented_testimonies(ConsentUse.AGGREGATE, consultation_id=consultation.id).subquery()
            )
        )
        or 0
    )
    base = pd.Series({"n": total})
    theme_counts = {
        code: int(n) for code, n in db.session.execute(queries.theme_counts(consultation_id=consultation.id))
    }
    themes = suppress(_column(theme_counts), threshold, column_bases=base, additive_columns=False, row_totals=False)
    place_counts, place_labels = _main_place_counts(consultation, total)
    places = suppress(_column(place_counts), threshold, column_bases=base, row_totals=False)
    # One base for both tables: hidden in either, it is hidden in both.
    shown_total = None if themes.base("n") is None or places.base("n") is None else total
    theme_labels = {code: str(services.THEMES.get(code, code)) for code in theme_counts}
    return ConsultationCounts(
        consultation=consultation,
        threshold=threshold,
        total=shown_total,
        themes=_rows(themes, theme_labels),
        main_places=_rows(places, place_labels),
        hidden_label=themes.hidden_label,
        note=themes.note,
        has_hidden=bool(themes.hidden.values.any() or places.hidden.values.any() or shown_total is None),
    )


def territory_counts(territory_id: int) -> list[ConsultationCounts]:
    """Counts of every consultation of the territory that has testimonies, newest consultation first."""
    ids = select(Testimony.consultation_id).where(Testimony.territory_id == territory_id).distinct()
    consultations = db.session.scalars(
        select(Consultation).where(Consultation.id.in_(ids)).order_by(Consultation.id.desc())
    )
    return [consultation_counts(consultation) for consultation in consultations]
