"""What each analysis view shows, computed from the counting modules; views only parse and render.

Every page: the consultation's instruments (``instruments.sources_of``), the
filter of the URL, a handful of GROUP BY queries, pandas for the shaping, and
``tables.present`` (which suppresses when the page is published).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import exists, func, select

from consult.accounts.models import Locality
from consult.analysis import counting, pictures
from consult.analysis.breakdowns import Breakdown, breakdown_for
from consult.analysis.coverage import Coverage, coverage
from consult.analysis.divergence import RightDivergence, divergence
from consult.analysis.filters import FilterForm
from consult.analysis.instruments import Source, sources_for_versions, sources_of
from consult.analysis.remedy import Remedy, remedy
from consult.analysis.results import QuestionResult, question_results
from consult.analysis.salience import Risk, rank, report_rows, score_counts, split_by_source
from consult.analysis.tables import CountTable, TableView, present
from consult.analysis.units import response_unit, testimony_unit
from consult.extensions import db
from consult.i18n import interface_language_for
from consult.responses.models import Consultation, Response
from consult.responses.paths_backfill import fill_missing as fill_missing_responses
from consult.responses.queries import NO_FILTER, counted_responses, set_aside_count
from consult.surveys.labels import BARRIERS, GENDERS, MECHANISM_TYPES, OUTCOMES, STAKEHOLDER_GROUPS
from consult.surveys.types import FieldContext
from consult.testimonies.asked_backfill import fill_missing as fill_missing_testimonies
from consult.testimonies.audit import open_excerpts
from consult.testimonies.queries import aggregate_testimonies, quotable_excerpts


@dataclass
class Context:
    """The consultation, its instruments and the reader's language: what every view starts from."""

    consultation: Consultation
    sources: list[Source]
    testimony_sources: list[Source]
    lang: str
    localities: list[dict[str, Any]]

    @property
    def threshold(self) -> int:
        """The consultation's small-cell threshold."""
        return self.consultation.small_cell_threshold

    def field_context(self, source: Source) -> FieldContext:
        """Labels of a source's choices in the reader's language."""
        return FieldContext(source.instrument, self.lang, interface_language_for(self.lang), self.localities)


def context(consultation: Consultation, lang: str) -> Context:
    """Load what the views of ``consultation`` share; derive what was asked for rows stored before it was recorded."""
    # Rows stored before asked sets were recorded get theirs once; it is a derivation of what was
    # stored (never a change of answers), kept so the next view does not repeat it.
    if fill_missing_responses(consultation.id) + fill_missing_testimonies(consultation.id):
        db.session.commit()
    testimonies = aggregate_testimonies(consultation_id=consultation.id).subquery()
    testimony_versions = list(db.session.scalars(select(testimonies.c.instrument_version_id).distinct()))
    places = db.session.execute(
        select(Locality.code, Locality.name, Locality.area).where(Locality.territory_id == consultation.territory_id)
    ).all()
    return Context(
        consultation=consultation,
        sources=sources_of(consultation),
        testimony_sources=sources_for_versions(testimony_versions),
        lang=lang,
        localities=[{"code": c, "name": n, "area": a} for c, n, a in places],
    )


def participation(ctx: Context) -> list[tuple[str, int]]:
    """Counted responses per taking-part group, in the consultation's order (no filter)."""
    per_group = dict(
        db.session.execute(
            counted_responses(ctx.consultation.id, NO_FILTER, Response.group_code, func.count()).group_by(
                Response.group_code
            )
        ).all()
    )
    return [(g.group_code, int(per_group.get(g.group_code, 0))) for g in ctx.consultation.groups]


def has_analysis(consultation: Consultation) -> bool:
    """True when the consultation has counted responses to analyse."""
    return bool(
        db.session.scalar(
            select(exists().where(Response.consultation_id == consultation.id, Response.is_set_aside.is_(False)))
        )
    )


# -- results ---------------------------------------------------------------------------------------


@dataclass
class Section:
    """The results of one instrument: its columns are the breakdown values of the people who answered it."""

    source: Source
    columns: list[tuple[str, str]]
    responses: int
    questions: list[tuple[QuestionResult, list[tuple[str | None, TableView]]]]
    weighted: list[tuple[QuestionResult, list[tuple[str | None, TableView]]]] = field(default_factory=list)
    #: A picture of each question's first table, by question anchor (where one helps).
    charts: dict[str, object] = field(default_factory=dict)


@dataclass
class ResultsPage:
    """Every question's tables under one filter and breakdown, instrument by instrument."""

    breakdown: Breakdown
    sections: list[Section]
    #: Every instrument of the consultation (the page may show only one of them).
    sources: list[Source]
    responses: int
    set_aside: int


def _columns(breakdown: Breakdown, counts: counting.Counts, version_id: int) -> tuple[list[tuple[str, str]], int]:
    rows = (
        counts.responses[counts.responses["version_id"] == version_id]
        if not counts.responses.empty
        else counts.responses
    )
    keys = list(rows["col"]) if not rows.empty else []
    return [(key, breakdown.label(key)) for key in breakdown.ordered(keys)], int(
        rows["n"].sum()
    ) if not rows.empty else 0


def _tables(ctx: Context, results: list[QuestionResult], columns, *, published: bool, balanced: bool, complements=None):
    shown = []
    for result in results:
        tables = []
        for title, table in result.tables:
            if table.is_empty:
                continue
            other = (complements or {}).get((result.anchor, title))
            tables.append(
                (
                    title,
                    present(table, columns, ctx.threshold, published=published, balanced=balanced, complement=other),
                )
            )
        shown.append((result, tables))
    return shown


def chosen_version(ctx: Context, value: str | None) -> int | None:
    """The instrument version a results page shows: the one asked for if it is the consultation's, else the first."""
    ids = [s.version_id for s in ctx.sources]
    if value and value.isdigit() and int(value) in ids:
        return int(value)
    return ids[0] if ids else None


def results_page(
    ctx: Context, form: FilterForm, *, published: bool = False, version_id: int | None = None, pictures_too: bool = True
) -> ResultsPage:
    """Results per question, split by the chosen breakdown (stakeholder group unless asked otherwise).

    ``version_id`` narrows the page to one instrument (officials read one at a
    time); the counting queries are narrowed with it.
    """
    breakdown = breakdown_for(form.by, ctx.consultation, ctx.sources)
    sources = [s for s in ctx.sources if version_id in (None, s.version_id)]
    counts = counting.count(ctx.consultation, form.where, breakdown, sources)
    unfiltered = None
    if published and not form.where.is_empty:
        unfiltered = counting.count(ctx.consultation, NO_FILTER, breakdown, sources)
    balanced = breakdown.name == "group"
    sections = []
    for source in sources:
        columns, responses = _columns(breakdown, counts, source.version_id)
        results = question_results([source], counts, breakdown, ctx.field_context)
        complements = None
        if unfiltered is not None:
            complements = {
                (r.anchor, title): table
                for r in question_results([source], unfiltered, breakdown, ctx.field_context)
                for title, table in r.tables
            }
        section = Section(
            source,
            columns,
            responses,
            _tables(ctx, results, columns, published=published, balanced=balanced, complements=complements),
        )
        if pictures_too:
            for result, tables in section.questions:
                if tables and result.kind in ("categorical", "multi"):
                    chart = pictures.question_bars(result.anchor + "-chart", result.text, tables[0][1])
                    if chart is not None:
                        section.charts[result.anchor] = chart
        if breakdown.name == "collective":
            weighted = question_results([source], counts, breakdown, ctx.field_context, weighted=True)
            section.weighted = _tables(ctx, weighted, columns, published=published, balanced=False)
        sections.append(section)
    return ResultsPage(
        breakdown=breakdown,
        sections=sections,
        sources=ctx.sources,
        responses=int(counts.responses["n"].sum()) if not counts.responses.empty else 0,
        set_aside=set_aside_count(ctx.consultation.id),
    )


# -- coverage, salience, divergence, remedy ---------------------------------------------------------


def coverage_page(ctx: Context, form: FilterForm) -> Coverage:
    """Respondents per group and place against targets."""
    return coverage(ctx.consultation, form.where)


@dataclass
class SaliencePage:
    """Risks ranked, per group, with the severity × likelihood matrix."""

    risks: list[Risk]
    by_group: list[tuple[str, list[Risk]]]
    matrix: dict[tuple[int, int], int]
    place_names: dict[str, str]
    level: str = "place"


def salience_page(ctx: Context, form: FilterForm, level: str = "place") -> SaliencePage:
    """Risks (right × sector × place) ranked by severity, then likelihood; sources counted apart."""
    response_reports = response_unit(ctx.consultation, form.where)
    testimony_reports = testimony_unit(ctx.consultation, form.where, ctx.testimony_sources)
    responses = report_rows(response_reports, ctx.sources)
    testimonies = report_rows(testimony_reports, ctx.testimony_sources)
    cells = score_counts(response_reports, ctx.sources)
    for key, n in score_counts(testimony_reports, ctx.testimony_sources).items():
        cells[key] = cells.get(key, 0) + n
    frames = {**split_by_source(responses), "testimony": testimonies}
    by_group = []
    for group in ctx.consultation.groups:
        rows = {kind: frame[frame["group"] == group.group_code] for kind, frame in frames.items()}
        risks = rank(rows, level)
        if risks:
            by_group.append((group.group_code, risks[:5]))
    places = db.session.execute(
        select(Locality.id, Locality.name).where(Locality.territory_id == ctx.consultation.territory_id)
    ).all()
    return SaliencePage(rank(frames, level), by_group, cells, {str(i): n for i, n in places}, level)


def divergence_page(ctx: Context, form: FilterForm) -> list[RightDivergence]:
    """Rights ranked by how differently communities and companies see them."""
    return divergence(ctx.consultation, form.where, ctx.sources, ctx.threshold)


def remedy_page(ctx: Context, form: FilterForm) -> Remedy:
    """What remedy mechanisms gave people, from testimonies and from answers."""
    return remedy(
        [
            (testimony_unit(ctx.consultation, form.where, ctx.testimony_sources), ctx.testimony_sources),
            (response_unit(ctx.consultation, form.where), ctx.sources),
        ]
    )


def remedy_tables(ctx: Context, page: Remedy, *, published: bool = False) -> list[tuple[str, TableView]]:
    """The by-group and by-gender tables of the remedy view, shaped like every other table.

    ``published`` suppresses them (exports): their bases are the column sums, so
    each column is an equation the secondary suppression must protect.
    """
    groups = {key: str(label) for key, label in STAKEHOLDER_GROUPS.items()}
    genders = {key: str(label) for key, label in GENDERS.items()}
    specs = [
        (_("Mechanisms used, by group"), page.used_by_group, MECHANISM_TYPES, groups),
        (_("Outcomes, by group"), page.outcomes_by_group, OUTCOMES, groups),
        (_("Barriers, by group"), page.barriers_by_group, BARRIERS, groups),
        (_("Barriers, by gender"), page.barriers_by_gender, BARRIERS, genders),
    ]
    shown = []
    for title, frame, row_labels, column_labels in specs:
        if frame.empty:
            continue
        columns = [(str(key), column_labels.get(str(key), _("Not stated"))) for key in frame.columns]
        table = CountTable(
            frame.astype("int64"), {code: str(row_labels.get(code, code)) for code in frame.index}, additive=published
        )
        shown.append((title, present(table, columns, ctx.threshold, published=published)))
    return shown


def remedy_quotes(ctx: Context, user) -> list:
    """Approved, redacted excerpts whose submitter allows anonymous quotes (opening them is audited)."""
    excerpts = db.session.scalars(quotable_excerpts(consultation_id=ctx.consultation.id)).all()
    return open_excerpts(excerpts, purpose="analysis.remedy", user=user)


def no_data_message() -> str:
    """What a view says when nothing has been counted yet."""
    return _("No answers have been counted yet.")
