"""The consultation summary: the published (suppressed) tables of the analysis, gathered once for every format.

``write_summary`` writes them as an XLSX workbook, a ZIP of CSV files, a PDF
report or a Frictionless Data Package. ``gather`` yields them area by area
(cover, participation and coverage, results, salience, divergence, remedy,
themes) so a writer can write each area as soon as it is counted.

Suppression, table by table — nothing leaves here that the public results page
would not show, and no count below the consultation's threshold appears:

* participation: the public page's own table (one column of groups with its
  total, ``suppress(..., row_totals=False)``); coverage per group reuses those
  figures, and "missing" / "% of target" are hidden with the count they derive from;
* coverage per group and place: the whole group × place table (places not
  stated included) through ``suppress`` with the group totals as additive
  bases; a group whose total the participation table hides is hidden whole;
* results: ``services.results_page(..., published=True)`` exactly as the public page;
* salience: reports per right by source (community answers, company answers,
  testimonies) with their total; urgent reports hidden when small or when the
  non-urgent rest would be; medians only for at least ``threshold`` reports;
* divergence: people naming each right per group over the people asked, through
  ``suppress``; balanced shares, gap and spread withheld when a share is hidden;
* remedy: ``services.remedy_tables(..., published=True)``; outcomes obtained or
  not per mechanism as one suppressed table; UNGP 31 answers per mechanism as
  one suppressed table each; medians only for at least ``threshold`` reports;
* themes: responses per theme and group with the theme total through ``suppress``.

Every hidden figure is ``HIDDEN`` here and is written as the same mark in every
file (the public page's ``hidden_label``; an empty cell in the data package).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, BinaryIO

import pandas as pd
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from consult.accounts.models import Locality
from consult.analysis import charts as drawing
from consult.analysis import pictures, services
from consult.analysis.breakdowns import NOT_STATED
from consult.analysis.charts import Chart
from consult.analysis.filters import read_filter
from consult.analysis.remedy import UNGP31_ANSWER_CODES, Remedy, yes_share
from consult.analysis.salience import ALL, COMPANY_GROUPS, UNSPECIFIED
from consult.analysis.suppression import (
    balanced_share,
    display_value,
    is_small,
    suppress,
    suppress_summary,
    suppress_value,
)
from consult.analysis.tables import TableView
from consult.analysis.themes import theme_table, themes_of
from consult.exports.progress import Progress, report
from consult.extensions import db
from consult.i18n import LANGUAGE_NAMES, interface_language_for
from consult.responses.models import Consultation, Response
from consult.responses.queries import NO_FILTER, counted_responses, set_aside_count
from consult.surveys.labels import MECHANISM_TYPES, RIGHTS, STAKEHOLDER_GROUPS, UNGP31_CRITERIA, UNGP31_NAMES

SUMMARY_FORMATS = ("xlsx", "csv", "pdf", "datapackage")
#: The areas of a summary, in order; each is a sheet of the workbook and a section of the report.
AREAS = ("cover", "participation", "results", "salience", "divergence", "remedy", "themes")


class _Hidden:
    """A figure withheld by suppression (one object, so writers can tell it from an empty cell)."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "HIDDEN"


HIDDEN = _Hidden()


@dataclass(frozen=True)
class Column:
    """A column of a summary table: a stable machine name, a translated title, a type."""

    name: str
    title: str
    #: ``string``, ``integer`` or ``number`` (Table Schema types).
    type: str = "string"
    description: str = ""
    #: A count of people or reports: never below the threshold when shown.
    is_count: bool = False
    #: Shared by a count and its share (the breakdown column's label): the report prints them in one cell.
    pair: str = ""


@dataclass
class Table:
    """A named table of the summary: a CSV file, a block of a sheet, a data package resource."""

    name: str
    title: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    description: str = ""
    #: Printed under the table when some figures are hidden.
    note: str = ""

    @property
    def has_hidden(self) -> bool:
        """True when some figure of the table is withheld."""
        return any(value is HIDDEN for row in self.rows for value in row)


@dataclass
class Area:
    """One part of the summary: its tables and (for the report) its pictures and words."""

    key: str
    title: str
    tables: list[Table]
    intro: list[str] = field(default_factory=list)
    #: Pictures for the report, by what they draw: a table name, or "<table name>:<question key>".
    charts: dict[str, Chart] = field(default_factory=dict)


@dataclass
class Summary:
    """What every writer needs besides the tables: the consultation, the language, the hidden mark."""

    consultation: Consultation
    lang: str
    title: str
    threshold: int
    hidden_label: str
    areas: list[Area] = field(default_factory=list)

    @property
    def tables(self) -> list[Table]:
        """Every table, area by area."""
        return [table for area in self.areas for table in area.tables]


def hidden_label() -> str:
    """What a hidden figure reads as in files, the public page's own mark (in the current locale)."""
    return suppress(pd.DataFrame({"n": [0]}), 1).hidden_label


def _name(text: str) -> str:
    """A machine name: lowercase letters, digits and underscores."""
    return re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_") or "x"


def _pct(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def _group_label(code: str) -> str:
    if code == NOT_STATED:
        return _("Not stated")
    return str(STAKEHOLDER_GROUPS.get(code, code))


def _count_column(name: str, title: str, description: str = "") -> Column:
    return Column(name, title, "integer", description, is_count=True)


def _pct_column(name: str, title: str, description: str = "") -> Column:
    return Column(name, title, "number", description or _("Percent (0 to 100), one decimal."))


def method_paragraphs(threshold: int, label: str) -> list[str]:
    """The method in plain words, as stated on the cover sheet and in the report."""
    return [
        _("Results are shown per stakeholder group first: no group is pooled away."),
        _(
            "Where everyone is counted together, two figures stand side by side: the raw pooled share "
            "(everyone counted together) and the group-balanced share (each group weighing the same, so a "
            "large group cannot outweigh a small one), with the difference between them in percentage points."
        ),
        _(
            "Each share is of the people who were asked the question (its base), not of everyone who took "
            "part; people who were asked and did not answer are a row of their own."
        ),
        _(
            "To protect people, every count of fewer than %(k)d people is hidden (primary suppression), and "
            "so is any other figure from which a hidden one could be worked out, such as the last cell of a "
            "row whose total is shown (secondary suppression). Every hidden figure reads “%(hidden)s”, "
            "whatever the reason.",
            k=threshold,
            hidden=label,
        ),
        _(
            "Testimonies are counted only while the person who gave them allows it; batches of answers "
            "set aside by the organisers are not counted."
        ),
    ]


# -- cover ----------------------------------------------------------------------------------------------


def _cover(consultation: Consultation, lang: str, label: str) -> Area:
    threshold = consultation.small_cell_threshold
    languages = ", ".join(str(LANGUAGE_NAMES.get(code, code)) for code in consultation.languages)
    facts = [
        ("title", _("Consultation"), consultation.title_in(lang)),
        ("territory", _("Territory"), consultation.territory.name),
        ("organiser", _("Organised by"), consultation.organiser),
        ("opens_on", _("Opens"), consultation.opens_on.isoformat() if consultation.opens_on else ""),
        ("closes_on", _("Closes"), consultation.closes_on.isoformat() if consultation.closes_on else ""),
        ("languages", _("Languages"), languages),
        ("language", _("Language of this summary"), str(LANGUAGE_NAMES.get(lang, lang))),
        ("threshold", _("Small-cell threshold"), _("Counts below %(n)d are hidden.", n=threshold)),
        ("hidden_mark", _("Hidden figures read"), label),
        (
            "set_aside",
            _("Responses set aside (not counted)"),
            display_value(set_aside_count(consultation.id), threshold),
        ),
        ("created_on", _("Made on"), date.today().isoformat()),
    ]
    rows = [[key, title, value] for key, title, value in facts]
    rows += [[f"method_{n}", _("Method"), text] for n, text in enumerate(method_paragraphs(threshold, label), 1)]
    table = Table(
        "cover",
        _("About this summary"),
        [Column("item", _("Item")), Column("label", _("Label")), Column("value", _("Value"))],
        rows,
        _("The consultation, its dates and languages, the small-cell threshold and the method."),
    )
    return Area("cover", _("About this summary"), [table])


# -- participation and coverage ---------------------------------------------------------------------------


def _participation(ctx: services.Context) -> tuple[Area, dict[str, int | None]]:
    """Who took part, suppressed as the public page does; returns also the shown count per group."""
    consultation, threshold = ctx.consultation, ctx.threshold
    counts = services.participation(ctx)
    # One table with its total, as on the public page: a lone small group would be the total minus the others.
    table = suppress(
        pd.DataFrame({"n": [n for _key, n in counts]}, index=[key for key, _n in counts]), threshold, row_totals=False
    )
    shown = {key: table.cell(key, "n") for key, _n in counts}
    targets = {g.group_code: g.target for g in consultation.groups}
    columns = [
        Column("group_code", _("Group code")),
        Column("group", _("Group")),
        _count_column("respondents", _("Respondents")),
        Column("target", _("Target"), "integer", _("People the organisers hoped to hear from.")),
        Column("missing", _("Missing"), "integer", _("Target minus respondents (0 when met).")),
        _pct_column("pct_of_target", _("Respondents, percent of the target")),
    ]
    rows = []
    for key, _n in counts:
        n, target = shown[key], targets.get(key)
        if n is None:
            rows.append(
                [key, _group_label(key), HIDDEN, target, HIDDEN if target else None, HIDDEN if target else None]
            )
        else:
            rows.append(
                [
                    key,
                    _group_label(key),
                    n,
                    target,
                    max((target or 0) - n, 0) if target else None,
                    _pct(n / target) if target else None,
                ]
            )
    total = table.base("n")
    all_targets = sum(t for t in targets.values() if t) or None
    rows.append(
        [
            "__all__",
            _("Everyone"),
            HIDDEN if total is None else total,
            all_targets,
            (HIDDEN if total is None else max(all_targets - total, 0)) if all_targets else None,
            (HIDDEN if total is None else _pct(total / all_targets)) if all_targets else None,
        ]
    )
    groups = Table(
        "participation",
        _("Who took part, per group, against the target"),
        columns,
        rows,
        _("Counted responses per stakeholder group (batches set aside left out) and the targets."),
    )
    if groups.has_hidden:
        groups.note = table.note
    places = _places(ctx, shown)
    area = Area("participation", _("Who took part"), [groups, places])
    chart = _coverage_chart(rows[:-1])
    if chart is not None:
        area.charts["participation"] = chart
    return area, shown


def _coverage_chart(rows: list[list[Any]]) -> Chart | None:
    if not rows:
        return None
    label = hidden_label()
    drawn = [
        (row[1], None if row[2] is HIDDEN else row[2], row[3], label if row[2] is HIDDEN else str(row[2]))
        for row in rows
    ]
    return drawing.coverage_bars("coverage-chart", _("Respondents per group against the target"), drawn)


def _places(ctx: services.Context, shown: dict[str, int | None]) -> Table:
    """Respondents per group and place against the targets per place, suppressed as one table per group."""
    consultation, threshold = ctx.consultation, ctx.threshold
    rows = db.session.execute(
        counted_responses(consultation.id, NO_FILTER, Response.group_code, Response.locality_id, func.count()).group_by(
            Response.group_code, Response.locality_id
        )
    ).all()
    columns = [
        Column("group_code", _("Group code")),
        Column("group", _("Group")),
        Column("locality_code", _("Place code")),
        Column("locality", _("Place")),
        _count_column("respondents", _("Respondents")),
        Column("target", _("Target"), "integer"),
        Column("missing", _("Missing"), "integer"),
        _pct_column("pct_of_target", _("Respondents, percent of the target")),
    ]
    table = Table(
        "coverage_places",
        _("Respondents per group and place against the target"),
        columns,
        description=_("Only places with a target are listed."),
    )
    targets = sorted(consultation.locality_targets, key=lambda t: (t.group_code, t.locality_id))
    if not targets:
        return table
    frame = pd.DataFrame(rows, columns=["group", "place", "n"])
    frame["place"] = frame["place"].map(lambda v: "none" if v is None or pd.isna(v) else str(int(v)))
    matrix = frame.pivot_table(index="place", columns="group", values="n", aggfunc="sum", fill_value=0)
    for target in targets:  # every targeted pair has a cell, 0 when nobody answered
        if target.group_code not in matrix.columns:
            matrix[target.group_code] = 0
        if str(target.locality_id) not in matrix.index:
            matrix.loc[str(target.locality_id)] = 0
    matrix = matrix.fillna(0).astype("int64")
    # The places of a group add up to its total: one equation per group the secondary rule protects.
    result = suppress(matrix, threshold, column_bases=matrix.sum(), additive_columns=True, row_totals=False)
    places = {str(i): (code, name) for i, code, name in _localities(consultation)}
    for target in targets:
        place = str(target.locality_id)
        group_hidden = shown.get(target.group_code, 0) is None  # the participation table hides this group's total
        n = None if group_hidden else result.cell(place, target.group_code)
        row = [target.group_code, _group_label(target.group_code), *places.get(place, ("", ""))]
        if n is None:
            row += [HIDDEN, target.target, HIDDEN if target.target else None, HIDDEN if target.target else None]
        else:
            row += [
                n,
                target.target,
                max(target.target - n, 0) if target.target else None,
                _pct(n / target.target) if target.target else None,
            ]
        table.rows.append(row)
    if table.has_hidden:
        table.note = result.note
    return table


def _localities(consultation: Consultation) -> list[tuple[int, str, str]]:
    return db.session.execute(
        select(Locality.id, Locality.code, Locality.name).where(Locality.territory_id == consultation.territory_id)
    ).all()


# -- results -----------------------------------------------------------------------------------------------


def _cell_values(cell) -> list[Any]:
    if cell.is_hidden:
        return [HIDDEN, HIDDEN]
    return [cell.count, _pct(cell.share)]


def view_columns(columns: list[tuple[str, str]], *, balanced: bool) -> list[Column]:
    """The figure columns of a shown table: count and % per breakdown column, then everyone (raw, balanced)."""
    found = []
    for key, label in columns:
        name = "not_stated" if key == NOT_STATED else _name(key)
        found += [
            Column(f"{name}_n", _("%(column)s: people", column=label), "integer", is_count=True, pair=label),
            Column(
                f"{name}_pct",
                _("%(column)s: %%", column=label),
                "number",
                _("Percent (0 to 100), one decimal."),
                pair=label,
            ),
        ]
    everyone = _("Everyone (raw)")
    found += [
        Column("everyone_n", _("Everyone (raw): people"), "integer", is_count=True, pair=everyone),
        Column("everyone_pct", _("Everyone (raw): %"), "number", _("Percent (0 to 100), one decimal."), pair=everyone),
    ]
    if balanced:
        found += [
            Column(
                "balanced_pct",
                _("Everyone, each group weighing the same: %"),
                "number",
                _("The mean of the group shares (each group weighs the same), percent."),
                pair=_("Each group weighing the same (%)"),
            ),
            Column(
                "difference_points",
                _("Difference (points)"),
                "number",
                _("Group-balanced minus raw pooled share, in percentage points."),
                pair=_("Difference (points)"),
            ),
        ]
    return found


def view_rows(view: TableView, lead: list[Any]) -> list[list[Any]]:
    """The lines of a shown table, then its "people asked" line, each after the ``lead`` values."""
    rows = []
    for line in view.lines:
        values = list(lead) + [line.key, line.label]
        for cell in line.cells:
            values += _cell_values(cell)
        values += _cell_values(line.pooled)
        if view.show_balanced:
            hidden = any(c.is_hidden for c in line.cells) or line.pooled.is_hidden
            balanced = line.balanced.share if line.balanced else None
            values.append(HIDDEN if balanced is None and hidden else _pct(balanced))
            values.append(HIDDEN if line.difference is None and hidden else line.difference)
        rows.append(values)
    base = list(lead) + ["__people_asked__", _("People asked")]
    for cell in view.bases:
        base += [HIDDEN if cell.is_hidden else cell.count, None]
    pooled = view.pooled_base
    base += [HIDDEN if pooled is None or pooled.is_hidden else pooled.count, None]
    if view.show_balanced:
        base += [None, None]
    rows.append(base)
    return rows


def _results(ctx: services.Context, charts: bool) -> Area:
    page = services.results_page(ctx, read_filter({}, ctx.consultation), published=True, pictures_too=False)
    area = Area("results", _("Results per question"), [])
    for number, section in enumerate(page.sections, 1):
        instrument = section.source.instrument
        title = instrument.text(instrument.title, ctx.lang)
        balanced = len(section.columns) > 1
        columns = [
            Column("question_key", _("Question code")),
            Column("question", _("Question")),
            Column("part", _("Part")),
            Column("answer_code", _("Answer code")),
            Column("answer", _("Answer")),
        ] + view_columns(section.columns, balanced=balanced)
        table = Table(
            f"results_{number}",
            _("Results: %(instrument)s", instrument=title),
            columns,
            description=_("Answers per question and stakeholder group; each share is of the people asked."),
        )
        for result, tables in section.questions:
            # As on the public page: where-do-you-live tables would be a page of hidden places.
            if result.question.type == "territory":
                continue
            for index, (part, view) in enumerate(tables):
                if len(view.columns) != len(section.columns):
                    continue
                table.rows += view_rows(view, [result.question.key, result.text, str(part or "")])
                if view.note:
                    table.note = view.note
                if charts and index == 0 and result.kind in ("categorical", "multi"):
                    chart = pictures.question_bars(result.anchor + "-chart", result.text, view)
                    if chart is not None:
                        area.charts[f"{table.name}:{result.question.key}"] = chart
        area.tables.append(table)
    return area


# -- salience ----------------------------------------------------------------------------------------------


def _salience(ctx: services.Context, charts: bool) -> Area:
    threshold = ctx.threshold
    page = services.salience_page(ctx, read_filter({}, ctx.consultation), level="right")
    columns = [
        Column("right_code", _("Right code")),
        Column("right", _("Right")),
        _count_column("reports", _("Reports")),
        _count_column("community", _("Community answers")),
        _count_column("company", _("Company answers")),
        _count_column("testimonies", _("Testimonies")),
        _count_column("urgent", _("Urgent reports"), _("Severity or irremediability of 4 or more.")),
        Column(
            "severity_median",
            _("Severity (median)"),
            "number",
            _("1 to 5; the highest of scale, scope, irremediability."),
        ),
        Column("likelihood_median", _("Likelihood (median)"), "number", _("1 to 5.")),
    ]
    table = Table(
        "salience",
        _("Risks per right, most severe first"),
        columns,
        description=_("Reports naming each right, by kind of source, ranked by median severity then likelihood."),
    )
    risks = [r for r in page.risks if r.right not in (ALL, UNSPECIFIED)]
    if risks:
        frame = pd.DataFrame(
            [[r.community, r.company, r.testimonies] for r in risks],
            index=[r.right for r in risks],
            columns=["community", "company", "testimony"],
        )
        # Each row's sources add up to its reports: one equation per row.
        result = suppress(frame, threshold, column_bases=frame.sum(), additive_columns=False, row_totals=True)
        for risk in risks:
            total = result.total(risk.right)
            urgent = suppress_value(risk.urgent, threshold)
            if total is None or urgent is None or is_small(risk.reports - risk.urgent, threshold):
                urgent = None  # the urgent count, or the rest beside the total, would single people out
            values = [result.cell(risk.right, c) for c in ("community", "company", "testimony")]
            table.rows.append(
                [
                    risk.right,
                    str(RIGHTS.get(risk.right, risk.right)),
                    HIDDEN if total is None else total,
                    *[HIDDEN if v is None else v for v in values],
                    HIDDEN if urgent is None else urgent,
                    _median(risk.severity, total, risk.reports, threshold),
                    _median(risk.likelihood, total, risk.reports, threshold),
                ]
            )
        if table.has_hidden:
            table.note = result.note
    matrix, chart = _matrix(page.matrix, threshold, charts)
    area = Area("salience", _("Salience"), [table, matrix])
    if chart is not None:
        area.charts["severity_matrix"] = chart
    return area


def _median(value: float | None, total: int | None, n: int, threshold: int) -> Any:
    if value is None:
        return None
    return HIDDEN if total is None or suppress_summary(n, value, threshold) is None else round(value, 1)


def _matrix(cells: dict[tuple[int, int], int], threshold: int, charts: bool) -> tuple[Table, Chart | None]:
    columns = (
        [Column("severity", _("Severity"), "integer")]
        + [_count_column(f"likelihood_{n}", _("Likelihood %(n)d", n=n)) for n in range(1, 6)]
        + [_count_column("reports", _("Reports"))]
    )
    table = Table(
        "severity_matrix",
        _("Reports by severity and likelihood"),
        columns,
        description=_("Reports per severity score (rows) and likelihood score (columns)."),
    )
    if not cells:
        return table, None
    frame = pd.DataFrame(
        [[cells.get((s, li), 0) for li in range(1, 6)] for s in range(5, 0, -1)],
        index=list(range(5, 0, -1)),
        columns=list(range(1, 6)),
    )
    result = suppress(frame, threshold, row_totals=True)
    shown: dict[tuple[int, int], int | None] = {}
    label = hidden_label()
    for severity in range(5, 0, -1):
        values = [result.cell(severity, li) for li in range(1, 6)]
        shown.update({(severity, li): v for li, v in zip(range(1, 6), values)})
        total = result.total(severity)
        table.rows.append([severity, *[HIDDEN if v is None else v for v in values], HIDDEN if total is None else total])
    if table.has_hidden:
        table.note = result.note
    chart = None
    if charts:
        chart = drawing.severity_matrix(
            "severity-matrix",
            _("Reports by severity and likelihood"),
            shown,
            {key: label if n is None else str(n) for key, n in shown.items()},
        )
    return table, chart


# -- divergence --------------------------------------------------------------------------------------------


def _divergence(ctx: services.Context) -> Area:

    threshold = ctx.threshold
    rights = services.divergence_page(ctx, read_filter({}, ctx.consultation))
    groups = [g.group_code for g in ctx.consultation.groups]
    columns = [
        Column("right_code", _("Right code")),
        Column("right", _("Right")),
        _pct_column("communities_pct", _("Communities: %"), _("Mean of the community groups' shares, percent.")),
        _count_column("communities_asked", _("Communities: people asked")),
        _pct_column("companies_pct", _("Companies: %"), _("Mean of the company groups' shares, percent.")),
        _count_column("companies_asked", _("Companies: people asked")),
        Column("gap_points", _("Gap (points)"), "number", _("Communities minus companies, in percentage points.")),
        Column("spread_points", _("Spread (points)"), "number", _("Highest minus lowest group share, in points.")),
    ]
    for code in groups:
        label = _group_label(code)
        columns += [
            Column(
                f"{code}_named", _("%(group)s: people naming it", group=label), "integer", is_count=True, pair=label
            ),
            Column(f"{code}_asked", _("%(group)s: people asked", group=label), "integer", is_count=True, pair=label),
            Column(
                f"{code}_pct",
                _("%(group)s: %%", group=label),
                "number",
                _("Percent (0 to 100), one decimal."),
                pair=label,
            ),
        ]
    table = Table(
        "divergence",
        _("Rights, most divergent first"),
        columns,
        description=_("For each right, the share of each group's respondents who name it, among those asked."),
    )
    if not rights:
        return Area("divergence", _("Divergence"), [table])
    asked = pd.Series(rights[0].asked, dtype="int64")
    asked = asked[asked.index.isin(groups)]
    asked_groups = [g for g in groups if g in asked.index]
    frame = pd.DataFrame(
        [[r.named.get(g, 0) for g in asked_groups] for r in rights],
        index=[r.right for r in rights],
        columns=asked_groups,
    ).astype("int64")
    result = suppress(
        frame, threshold, column_bases=asked.reindex(asked_groups), additive_columns=False, row_totals=False
    )
    for right in rights:
        shares = {g: result.share(right.right, g) for g in asked_groups if asked[g] or result.base(g) is None}
        sides = {}
        for side, members in (
            ("community", [g for g in shares if g not in COMPANY_GROUPS]),
            ("company", [g for g in shares if g in COMPANY_GROUPS]),
        ):
            bases = [result.base(g) for g in members]
            share = balanced_share([shares[g] for g in members]) if members else None
            hidden = any(shares[g] is None for g in members)
            sides[side] = (
                HIDDEN if hidden else _pct(share),
                HIDDEN if None in bases else (sum(bases) if members else None),
            )
        any_hidden = any(v is None for v in shares.values())
        gap = None
        if sides["community"][0] is not HIDDEN and sides["company"][0] is not HIDDEN and right.gap is not None:
            gap = right.gap
        elif right.gap is not None or any_hidden:
            gap = HIDDEN if any_hidden else None
        spread = HIDDEN if any_hidden and len(shares) > 1 else right.spread
        row = [
            right.right,
            str(RIGHTS.get(right.right, right.right)),
            sides["community"][0],
            sides["community"][1],
            sides["company"][0],
            sides["company"][1],
            gap,
            spread,
        ]
        for code in groups:
            if code not in asked_groups:
                row += [None, None, None]
                continue
            n, base = result.cell(right.right, code), result.base(code)
            row += [
                HIDDEN if n is None else n,
                HIDDEN if base is None else base,
                HIDDEN if n is None or base is None else _pct(n / base if base else None),
            ]
        table.rows.append(row)
    if table.has_hidden:
        table.note = result.note
    return Area("divergence", _("Divergence"), [table])


# -- remedy ------------------------------------------------------------------------------------------------

REMEDY_TABLE_NAMES = (
    ("remedy_used_by_group", "used_by_group"),
    ("remedy_outcomes_by_group", "outcomes_by_group"),
    ("remedy_barriers_by_group", "barriers_by_group"),
    ("remedy_barriers_by_gender", "barriers_by_gender"),
)


def _remedy(ctx: services.Context, charts: bool) -> Area:
    threshold = ctx.threshold
    page: Remedy = services.remedy_page(ctx, read_filter({}, ctx.consultation))
    area = Area("remedy", _("Remedy: what worked and what didn't"), [])
    area.intro.append(
        _(
            "Testimonies counted: %(t)s. Responses counted: %(r)s.",
            t=display_value(page.reports.get("testimony", 0), threshold),
            r=display_value(page.reports.get("response", 0), threshold),
        )
    )
    area.tables.append(_mechanisms(page, threshold))
    area.tables.append(_criteria(page, threshold))
    names = [name for name, attribute in REMEDY_TABLE_NAMES if not getattr(page, attribute).empty]
    for name, (title, view) in zip(names, services.remedy_tables(ctx, page, published=True)):
        columns = [Column("code", _("Code")), Column("label", _("Answer"))] + view_columns(view.columns, balanced=False)
        table = Table(
            name,
            title,
            columns,
            view_rows(view, []) if view.lines else [],
            _("Reports per answer and column; a report may give several answers."),
        )
        table.note = view.note
        area.tables.append(table)
        if charts and view.lines:
            chart = pictures.question_bars(name.replace("_", "-"), title, view)
            if chart is not None:
                area.charts[name] = chart
    return area


def _mechanisms(page: Remedy, threshold: int) -> Table:
    columns = [
        Column("mechanism_code", _("Mechanism code")),
        Column("mechanism", _("Mechanism")),
        _count_column("with_outcome", _("Reports saying what came of it")),
        _count_column("obtained", _("Got some remedy")),
        _pct_column("obtained_pct", _("Got some remedy: %")),
        Column("months_median", _("Months to an answer (median)"), "number"),
        _count_column("months_n", _("Months: reports")),
        Column("fairness_median", _("Fairness of the remedy (median)"), "number"),
        _count_column("fairness_n", _("Fairness: reports")),
        _pct_column(
            "ungp31_yes_pct",
            _("“Yes” to the UNGP 31 criteria: %"),
            _("Yes over every rated criterion, don't know left out, percent."),
        ),
    ]
    table = Table(
        "remedy_mechanisms",
        _("In plain words: each kind of mechanism"),
        columns,
        description=_("What each kind of remedy mechanism gave the people who used it."),
    )
    mechanisms = [m for m in page.mechanisms if m.with_outcome or m.months_n or m.fairness_n or m.criteria]
    if not mechanisms:
        return table
    frame = pd.DataFrame(
        [[m.obtained, m.with_outcome - m.obtained] for m in mechanisms],
        index=[m.mechanism for m in mechanisms],
        columns=["obtained", "not_obtained"],
    ).astype("int64")
    # Obtained and not obtained add up to the reports with an outcome: one equation per mechanism.
    result = suppress(frame, threshold, column_bases=frame.sum(), additive_columns=False, row_totals=True)
    for m in mechanisms:
        with_outcome, obtained = result.total(m.mechanism), result.cell(m.mechanism, "obtained")
        known = sum(n for c in UNGP31_CRITERIA for a, n in m.criteria.get(c, {}).items() if a != "dont_know")
        yes = suppress_summary(known, yes_share(m), threshold)
        table.rows.append(
            [
                m.mechanism,
                str(MECHANISM_TYPES.get(m.mechanism, m.mechanism)),
                HIDDEN if with_outcome is None and m.with_outcome else (with_outcome or 0),
                HIDDEN if obtained is None and m.with_outcome else (obtained or 0),
                HIDDEN if (obtained is None or not with_outcome) and m.with_outcome else _pct(m.obtained_share),
                _summary_value(m.median_months, m.months_n, threshold),
                _count(m.months_n, threshold),
                _summary_value(m.median_fairness, m.fairness_n, threshold),
                _count(m.fairness_n, threshold),
                HIDDEN if yes is None and known else _pct(yes),
            ]
        )
    if table.has_hidden:
        table.note = result.note
    return table


def _count(n: int, threshold: int) -> Any:
    shown = suppress_value(n, threshold)
    return HIDDEN if shown is None else shown


def _summary_value(value: float | None, n: int, threshold: int) -> Any:
    if value is None:
        return None
    shown = suppress_summary(n, value, threshold)
    return HIDDEN if shown is None else round(shown, 1)


def _criteria(page: Remedy, threshold: int) -> Table:
    answers = {"yes": _("Yes"), "partly": _("Partly"), "no": _("No"), "dont_know": _("Don't know")}
    columns = (
        [
            Column("mechanism_code", _("Mechanism code")),
            Column("mechanism", _("Mechanism")),
            Column("criterion_code", _("Criterion code")),
            Column("criterion", _("Criterion")),
        ]
        + [_count_column(code, answers[code]) for code in UNGP31_ANSWER_CODES]
        + [_count_column("n", _("Reports"))]
    )
    table = Table(
        "remedy_ungp31",
        _("UNGP 31 criteria per mechanism"),
        columns,
        description=_("How people rated each effectiveness criterion of the UN Guiding Principles (31)."),
    )
    for m in page.mechanisms:
        criteria = [c for c in UNGP31_CRITERIA if c in m.criteria]
        if not criteria:
            continue
        frame = pd.DataFrame(
            [[m.criteria[c].get(a, 0) for a in UNGP31_ANSWER_CODES] for c in criteria],
            index=criteria,
            columns=list(UNGP31_ANSWER_CODES),
        ).astype("int64")
        result = suppress(frame, threshold, column_bases=frame.sum(), additive_columns=False, row_totals=True)
        for c in criteria:
            cells = [result.cell(c, a) for a in UNGP31_ANSWER_CODES]
            total = result.total(c)
            table.rows.append(
                [
                    m.mechanism,
                    str(MECHANISM_TYPES.get(m.mechanism, m.mechanism)),
                    c,
                    str(UNGP31_NAMES.get(c, c)),
                    *[HIDDEN if v is None else v for v in cells],
                    HIDDEN if total is None else total,
                ]
            )
        if result.hidden.values.any() or result.total_hidden.any():
            table.note = result.note
    return table


# -- themes ------------------------------------------------------------------------------------------------


def _themes(ctx: services.Context, shown: dict[str, int | None]) -> Area:
    consultation, threshold = ctx.consultation, ctx.threshold
    groups = [g.group_code for g in consultation.groups]
    columns = [Column("theme_code", _("Theme code")), Column("theme", _("Theme"))]
    columns += [_count_column(f"{code}_n", _("%(group)s: responses", group=_group_label(code))) for code in groups]
    columns += [_count_column("everyone_n", _("Everyone: responses"))]
    table = Table(
        "themes",
        _("Themes in what people wrote, per group"),
        columns,
        description=_("Responses with at least one free-text answer tagged with the theme."),
    )
    themes = themes_of(consultation)
    if themes and groups:
        counts = theme_table(consultation)
        participation = dict(services.participation(ctx))
        bases = pd.Series({g: max(participation.get(g, 0), int(counts[g].max()) if len(counts) else 0) for g in groups})
        # Bases (respondents per group) only decide which small groups hide whole; they are not printed here.
        result = suppress(counts, threshold, column_bases=bases, additive_columns=False, row_totals=True)
        for theme in themes:
            cells = [result.cell(theme.id, g) for g in groups]
            total = result.total(theme.id)
            table.rows.append(
                [
                    theme.code,
                    theme.label,
                    *[HIDDEN if v is None else v for v in cells],
                    HIDDEN if total is None else total,
                ]
            )
        if table.has_hidden:
            table.note = result.note
    return Area("themes", _("Themes"), [table])


# -- gathering and writing ---------------------------------------------------------------------------------


def gather(
    consultation: Consultation, lang: str, *, charts: bool = False, progress: Progress | None = None
) -> Iterator[Area]:
    """The summary's areas in order (``AREAS``), each counted when it is asked for.

    Call under ``force_locale(interface_language_for(lang))`` (``write_summary`` does).
    ``charts`` draws the pictures of the report too. Reports progress per area.
    """
    total = len(AREAS)
    label = hidden_label()
    yield _cover(consultation, lang, label)
    report(progress, 1, total)
    ctx = services.context(consultation, lang)
    participation, shown = _participation(ctx)
    yield participation
    report(progress, 2, total)
    yield _results(ctx, charts)
    report(progress, 3, total)
    yield _salience(ctx, charts)
    report(progress, 4, total)
    yield _divergence(ctx)
    report(progress, 5, total)
    yield _remedy(ctx, charts)
    report(progress, 6, total)
    yield _themes(ctx, shown)
    report(progress, 7, total)


def new_summary(consultation: Consultation, lang: str) -> Summary:
    """An empty summary of ``consultation`` in ``lang`` (areas are added by the writer)."""
    return Summary(consultation, lang, consultation.title_in(lang), consultation.small_cell_threshold, hidden_label())


def write_summary(
    consultation: Consultation, fmt: str, out: BinaryIO, *, lang: str, progress: Progress | None = None
) -> None:
    """Write the suppressed summary of ``consultation`` in ``lang`` to ``out`` as ``fmt`` (``SUMMARY_FORMATS``).

    ``xlsx``: a workbook, cover sheet first, one sheet per area; ``csv``: a ZIP of
    one CSV per table (UTF-8 with a BOM); ``pdf``: the report with its charts;
    ``datapackage``: a ZIP with ``datapackage.json`` and one CSV per table.
    Interface strings are in ``interface_language_for(lang)``; instrument texts in ``lang``.
    """
    if fmt not in SUMMARY_FORMATS:
        raise ValueError(f"unknown summary format {fmt!r}; choose one of {', '.join(SUMMARY_FORMATS)}")
    with force_locale(interface_language_for(lang)):
        summary = new_summary(consultation, lang)
        areas = gather(consultation, lang, charts=fmt == "pdf", progress=progress)
        # The writers import this module's Summary and tables, so they are imported here.
        if fmt == "xlsx":
            from consult.exports.summary_files import write_xlsx

            write_xlsx(summary, areas, out)
        elif fmt == "csv":
            from consult.exports.summary_files import write_csv_zip

            write_csv_zip(summary, areas, out)
        elif fmt == "pdf":
            from consult.exports.report_pdf import write_pdf

            write_pdf(summary, areas, out)
        else:
            from consult.exports.datapackage import write_datapackage

            write_datapackage(summary, areas, out)
