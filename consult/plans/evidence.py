"""Evidence links: live references to published analysis facts, rendered as sentences with n and suppression.

A link names a fact by ``kind`` and ``ref`` (never by a copied figure):

* ``question`` — ``{"version_id", "question", "option", "group"}``: the share of a group's
  respondents who chose an option, among the people asked (the public results page's cell);
* ``salience`` — ``{"right", "sector", "place"}`` (``None`` pools sectors or places): reports
  naming the risk, by kind of source, their median severity and how many are urgent;
* ``divergence`` — ``{"right"}``: communities vs companies, each side group-balanced, and the gap;
* ``remedy`` — ``{"mechanism", "figure": "obtained"}`` (reports to a mechanism that obtained some
  remedy) or ``{"figure": "barrier", "barrier"}`` (reports citing a barrier);
* ``excerpt`` — ``{"excerpt_id"}``: an approved excerpt, quoted only while its submitter allows
  quotes (``testimonies.queries.quotable_excerpts``); otherwise the link is *gone* and says so;
* ``theme`` — ``{"theme"}`` (a theme code): responses coded with the theme, per group.

Every count goes through ``analysis.suppression`` at the consultation's own threshold,
table by table as the public page and the exports do (``exports.summary``), so a figure
here equals the published one; any hidden figure makes the link ``is_suppressed`` with
``n = None`` and a sentence that never holds the count. ``Facts`` computes the analysis
pages once per generation; ``render`` fills a link's cached sentence in one language.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pandas as pd
from flask_babel import force_locale, format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from consult.analysis import services
from consult.analysis.filters import read_filter
from consult.analysis.instruments import with_concept
from consult.analysis.results import NOT_ANSWERED
from consult.analysis.salience import ALL, COMPANY_GROUPS, UNSPECIFIED
from consult.analysis.suppression import balanced_share, is_small, suppress, suppress_summary, suppress_value
from consult.analysis.tables import percent
from consult.analysis.themes import theme_table, themes_of
from consult.core.db import utcnow
from consult.extensions import db
from consult.i18n import INTERFACE_LANGUAGES, interface_language_for
from consult.plans.models import EvidenceLink
from consult.responses.models import Consultation
from consult.surveys.labels import BARRIERS, MECHANISM_TYPES, RIGHTS, SECTORS, STAKEHOLDER_GROUPS
from consult.testimonies.audit import open_excerpts
from consult.testimonies.models import TestimonyExcerpt
from consult.testimonies.queries import quotable_excerpts

KINDS = ("question", "salience", "divergence", "remedy", "excerpt", "theme")
#: The purpose written to the testimonies' audit log when a plan quotes an excerpt.
PURPOSE = "plans.evidence"
#: Salience levels a priority may be drawn at, finest first.
LEVELS = ("place", "sector", "right")


@dataclass
class Fact:
    """A rendered fact: its sentence in the current locale and what the link caches beside it."""

    sentence: str
    n: int | None = None
    is_suppressed: bool = False
    is_gone: bool = False


def signed_points(value: float) -> str:
    """A difference in points with its sign, written as the reader's language writes numbers (+12,5 in Spanish)."""
    return format_decimal(value, format="+#,##0.###;-#,##0.###")


def interface_for(consultation: Consultation, lang: str) -> str:
    """The interface language generated words are written in for ``lang``.

    ``lang`` itself when it has a catalogue; for a content-only language (Quechua…)
    the consultation's fallback language's interface language.
    """
    if lang in INTERFACE_LANGUAGES:
        return lang
    return interface_language_for(consultation.fallback_language)


def _group_label(code: str) -> str:
    return str(STAKEHOLDER_GROUPS.get(code, code))


def right_label(code: str | None) -> str:
    """A right's translated name (current locale)."""
    return str(RIGHTS.get(code, code or ""))


def sector_label(code: str | None) -> str:
    """A sector's translated name (current locale)."""
    return str(SECTORS.get(code, code or ""))


def level_of(sector: str | None, place: str | None) -> str:
    """The salience level a ``(sector, place)`` pair is drawn at."""
    if place:
        return "place"
    if sector:
        return "sector"
    return "right"


def _withheld(k: int) -> str:
    # One wording for every hidden figure, whatever the reason (suppression rule 4).
    return _("figure not shown: fewer than %(k)d people, or it would reveal such a count", k=k)


@dataclass
class SalienceEntry:
    """A risk's published figures at one level (None: hidden)."""

    right: str
    sector: str | None
    place: str | None
    reports: int | None
    community: int | None
    company: int | None
    testimonies: int | None
    urgent: int | None
    severity: float | None
    raw_reports: int


class Facts:
    """The published analysis of one consultation, computed once, read by every link of a generation.

    ``lang`` is the content language (question texts, option labels); interface words
    are in ``interface_language_for(lang)``. Each part is computed the first time a link needs it.
    """

    def __init__(self, consultation: Consultation, lang: str) -> None:
        self.consultation = consultation
        self.lang = lang
        self.ui = interface_for(consultation, lang)
        self.threshold = consultation.small_cell_threshold
        self._excerpts: dict[int, str] | None = None
        self._salience: dict[str, dict[tuple[str, str | None, str | None], SalienceEntry]] = {}
        self._salience_pages: dict[str, Any] = {}

    # -- shared ---------------------------------------------------------------------------------

    @cached_property
    def ctx(self) -> services.Context:
        """The analysis context in the content language."""
        return services.context(self.consultation, self.lang)

    @property
    def form(self):
        """No filter: a plan cites the whole consultation."""
        return read_filter({}, self.consultation)

    @cached_property
    def title(self) -> str:
        """The consultation's title in the content language."""
        return self.consultation.title_in(self.lang)

    @cached_property
    def participation(self) -> tuple[list[tuple[str, int]], dict[str, int | None], int | None]:
        """Respondents per group as the public page shows them: (raw, shown per group, shown total)."""
        counts = services.participation(self.ctx)
        if not counts:
            return counts, {}, 0
        table = suppress(
            pd.DataFrame({"n": [n for _k, n in counts]}, index=[k for k, _n in counts]),
            self.threshold,
            row_totals=False,
        )
        return counts, {k: table.cell(k, "n") for k, _n in counts}, table.base("n")

    # -- results --------------------------------------------------------------------------------

    @cached_property
    def results(self) -> dict[tuple[int, str], tuple[Any, Any]]:
        """``(version_id, question_key) -> (QuestionResult, first TableView)`` of the published results page."""
        page = services.results_page(self.ctx, self.form, published=True, pictures_too=False)
        found = {}
        for section in page.sections:
            for result, tables in section.questions:
                if tables:
                    found[(section.source.version_id, result.question.key)] = (result, tables[0][1])
        return found

    def right_questions(self) -> list[tuple[int, Any, dict[str, str]]]:
        """``(version_id, question, {right code: option value})`` of each instrument's "rights named" question."""
        found = []
        for asked in with_concept(self.ctx.sources, "right"):
            question = asked.question
            options: dict[str, str] = {}
            result = self.results.get(asked.ref)
            if result is None:
                continue
            for line in result[1].lines:
                code = question.option_code(line.key)
                if code and code not in options:
                    options[code] = line.key
            found.append((asked.source.version_id, question, options))
        return found

    # -- salience -------------------------------------------------------------------------------

    def salience_page(self, level: str):
        """The salience page at ``level`` (computed once)."""
        if level not in self._salience_pages:
            self._salience_pages[level] = services.salience_page(self.ctx, self.form, level=level)
        return self._salience_pages[level]

    def salience(self, level: str) -> dict[tuple[str, str | None, str | None], SalienceEntry]:
        """Risks at ``level`` with published figures, suppressed as the exports' salience table (one table per
        level).
        """
        if level in self._salience:
            return self._salience[level]
        risks = [r for r in self.salience_page(level).risks if r.right not in (ALL, UNSPECIFIED)]
        entries: dict[tuple[str, str | None, str | None], SalienceEntry] = {}
        if risks:
            keys = [
                (r.right, None if r.sector == ALL else r.sector, None if r.locality == ALL else r.locality)
                for r in risks
            ]
            index = [f"{a}|{b}|{c}" for a, b, c in keys]
            frame = pd.DataFrame(
                [[r.community, r.company, r.testimonies] for r in risks],
                index=index,
                columns=["community", "company", "testimony"],
            )
            table = suppress(frame, self.threshold, column_bases=frame.sum(), additive_columns=False, row_totals=True)
            for key, row, risk in zip(keys, index, risks):
                total = table.total(row)
                urgent = suppress_value(risk.urgent, self.threshold)
                if total is None or urgent is None or is_small(risk.reports - risk.urgent, self.threshold):
                    urgent = None
                severity = None
                if total is not None and risk.severity is not None:
                    severity = suppress_summary(risk.reports, risk.severity, self.threshold)
                entries[key] = SalienceEntry(
                    right=risk.right,
                    sector=key[1],
                    place=key[2],
                    reports=total,
                    community=table.cell(row, "community"),
                    company=table.cell(row, "company"),
                    testimonies=table.cell(row, "testimony"),
                    urgent=urgent,
                    severity=severity,
                    raw_reports=risk.reports,
                )
        self._salience[level] = entries
        return entries

    @cached_property
    def place_names(self) -> dict[str, str]:
        """Locality id (as text) -> name."""
        return self.salience_page("right").place_names

    # -- divergence -----------------------------------------------------------------------------

    @cached_property
    def divergence(self) -> dict[str, dict[str, Any]]:
        """Per right: each side's balanced share and people asked, and the gap, as the exports publish them."""
        rights = services.divergence_page(self.ctx, self.form)
        groups = [g.group_code for g in self.consultation.groups]
        found: dict[str, dict[str, Any]] = {}
        if not rights:
            return found
        asked = pd.Series(rights[0].asked, dtype="int64")
        asked = asked[asked.index.isin(groups)]
        asked_groups = [g for g in groups if g in asked.index]
        frame = pd.DataFrame(
            [[r.named.get(g, 0) for g in asked_groups] for r in rights],
            index=[r.right for r in rights],
            columns=asked_groups,
        ).astype("int64")
        table = suppress(
            frame, self.threshold, column_bases=asked.reindex(asked_groups), additive_columns=False, row_totals=False
        )
        for right in rights:
            shares = {g: table.share(right.right, g) for g in asked_groups if asked[g] or table.base(g) is None}
            sides: dict[str, Any] = {}
            hidden = False
            for side, members in (
                ("community", [g for g in shares if g not in COMPANY_GROUPS]),
                ("company", [g for g in shares if g in COMPANY_GROUPS]),
            ):
                bases = [table.base(g) for g in members]
                if any(shares[g] is None for g in members) or None in bases:
                    hidden = True
                sides[side] = (
                    balanced_share([shares[g] for g in members]) if members else None,
                    sum(b for b in bases if b is not None) if members else None,
                )
            found[right.right] = {"sides": sides, "gap": right.gap, "hidden": hidden}
        return found

    # -- remedy ---------------------------------------------------------------------------------

    @cached_property
    def remedy(self):
        """The remedy page (unfiltered)."""
        return services.remedy_page(self.ctx, self.form)

    @cached_property
    def mechanisms(self) -> dict[str, tuple[int | None, int | None, int]]:
        """Per mechanism: (reports with an outcome, obtained) as published (None: hidden), and the raw base."""
        mechanisms = [m for m in self.remedy.mechanisms if m.with_outcome]
        if not mechanisms:
            return {}
        frame = pd.DataFrame(
            [[m.obtained, m.with_outcome - m.obtained] for m in mechanisms],
            index=[m.mechanism for m in mechanisms],
            columns=["obtained", "not_obtained"],
        ).astype("int64")
        table = suppress(frame, self.threshold, column_bases=frame.sum(), additive_columns=False, row_totals=True)
        return {
            m.mechanism: (table.total(m.mechanism), table.cell(m.mechanism, "obtained"), m.with_outcome)
            for m in mechanisms
        }

    @cached_property
    def barriers(self) -> dict[str, int | None]:
        """Reports citing each barrier, all groups together, from the published "Barriers, by group" table."""
        frame = self.remedy.barriers_by_group
        if frame.empty:
            return {}
        views = services.remedy_tables(self.ctx, self.remedy, published=True)
        title = _("Barriers, by group")
        for name, view in views:
            if name == title:
                return {line.key: line.pooled.count for line in view.lines}
        return {}

    def top_barriers(self, limit: int = 3) -> list[str]:
        """The most cited barriers whose published count is at least the threshold."""
        shown = [(n, code) for code, n in self.barriers.items() if n is not None and n >= self.threshold]
        return [code for _n, code in sorted(shown, key=lambda item: (-item[0], item[1]))[:limit]]

    def top_mechanisms(self, limit: int = 2) -> list[str]:
        """The most used mechanisms whose published base of outcomes is shown."""
        return [
            m.mechanism for m in self.remedy.mechanisms if self.mechanisms.get(m.mechanism, (None,))[0] is not None
        ][:limit]

    # -- excerpts and themes ---------------------------------------------------------------------

    @property
    def excerpts(self) -> dict[int, str]:
        """Approved excerpts whose submitter allows quotes, opened once (audited): id -> text."""
        if self._excerpts is None:
            rows = db.session.scalars(quotable_excerpts(consultation_id=self.consultation.id)).all()
            self._excerpts = {view.excerpt.id: view.text for view in open_excerpts(rows, purpose=PURPOSE, user=None)}
        return self._excerpts

    def quotable_excerpt_ids(self) -> list[int]:
        """Ids of the excerpts a plan may quote now (nothing is opened)."""
        query = quotable_excerpts(consultation_id=self.consultation.id).with_only_columns(TestimonyExcerpt.id)
        return list(db.session.scalars(query))

    @cached_property
    def themes(self) -> dict[str, tuple[str, int | None, dict[str, int | None]]]:
        """Per theme code: (label, published total, published count per group)."""
        themes = themes_of(self.consultation)
        groups = [g.group_code for g in self.consultation.groups]
        if not themes or not groups:
            return {}
        counts = theme_table(self.consultation)
        raw = dict(self.participation[0])
        bases = pd.Series({g: max(raw.get(g, 0), int(counts[g].max()) if len(counts) else 0) for g in groups})
        table = suppress(counts, self.threshold, column_bases=bases, additive_columns=False, row_totals=True)
        return {t.code: (t.label, table.total(t.id), {g: table.cell(t.id, g) for g in groups}) for t in themes}


# -- sentences ------------------------------------------------------------------------------------


def _question(ref: dict, facts: Facts) -> Fact:
    try:
        key = (int(ref.get("version_id")), str(ref.get("question")))
    except (TypeError, ValueError):
        return Fact(_("This figure is no longer in the analysis."), is_gone=True)
    found = facts.results.get(key)
    group, option = ref.get("group"), ref.get("option")
    columns = [k for k, _label in found[1].columns] if found else []
    lines = {line.key: line for line in found[1].lines} if found else {}
    if found is None or group not in columns or option not in lines or option == NOT_ANSWERED:
        return Fact(_("This figure is no longer in the analysis."), is_gone=True)
    result, view = found
    index = columns.index(group)
    base, cell, line = view.bases[index], lines[option].cells[index], lines[option]
    words = dict(
        consultation=facts.title,
        question=result.question.key,
        text=result.text,
        group=dict(view.columns)[group],
        option=line.label,
    )
    if base.is_hidden or cell.is_hidden or base.count is None or cell.count is None:
        return Fact(
            _(
                "%(consultation)s, question %(question)s (“%(text)s”), %(group)s: “%(option)s” — %(withheld)s",
                withheld=_withheld(facts.threshold),
                **words,
            ),
            None,
            True,
        )
    if not base.count:
        return Fact(
            _(
                "%(consultation)s, question %(question)s (“%(text)s”), %(group)s: nobody in this group was asked.",
                **words,
            ),
            0,
        )
    return Fact(
        _(
            "%(consultation)s, question %(question)s (“%(text)s”), %(group)s (n=%(n)s): %(share)s chose “%(option)s”",
            n=base.count,
            share=percent(cell.share),
            **words,
        ),
        base.count,
    )


def _place_words(facts: Facts, sector: str | None, place: str | None) -> str:
    parts = []
    if sector:
        parts.append(_("unspecified sector") if sector == UNSPECIFIED else sector_label(sector))
    if place:
        parts.append(_("place not stated") if place == UNSPECIFIED else facts.place_names.get(place, place))
    return ", ".join(parts)


def _shown(value: int | None, k: int) -> str:
    return _("fewer than %(k)d, or hidden", k=k) if value is None else str(value)


def _salience(ref: dict, facts: Facts) -> Fact:
    right, sector, place = ref.get("right"), ref.get("sector") or None, ref.get("place") or None
    entry = facts.salience(level_of(sector, place)).get((right, sector, place))
    where = _place_words(facts, sector, place)
    label = right_label(right) + (f" — {where}" if where else "")
    if entry is None:
        return Fact(_("%(risk)s: no report names this risk any more.", risk=label), 0)
    k = facts.threshold
    if entry.reports is None:
        return Fact(_("%(risk)s: reports — %(withheld)s", risk=label, withheld=_withheld(k)), None, True)
    text = _(
        "%(risk)s: %(reports)d reports (community answers: %(community)s; company answers: %(company)s; "
        "testimonies: %(testimonies)s); urgent: %(urgent)s",
        risk=label,
        reports=entry.reports,
        community=_shown(entry.community, k),
        company=_shown(entry.company, k),
        testimonies=_shown(entry.testimonies, k),
        urgent=_shown(entry.urgent, k),
    )
    if entry.severity is not None:
        text += "; " + _("median severity %(severity)s of 5", severity=format_decimal(entry.severity))
    hidden = None in (entry.community, entry.company, entry.testimonies, entry.urgent)
    return Fact(text, entry.reports, hidden)


def _divergence(ref: dict, facts: Facts) -> Fact:
    right = ref.get("right")
    found = facts.divergence.get(right)
    label = right_label(right)
    if found is None:
        return Fact(_("%(right)s: no group named this right.", right=label), 0)
    (community, community_n), (company, company_n) = found["sides"]["community"], found["sides"]["company"]
    if found["hidden"]:
        return Fact(
            _(
                "%(right)s, communities and companies compared: %(withheld)s",
                right=label,
                withheld=_withheld(facts.threshold),
            ),
            None,
            True,
        )
    if community is None or company is None:
        return Fact(
            _("%(right)s: only one side (communities or companies) was asked about it.", right=label),
            community_n or company_n,
        )
    return Fact(
        _(
            "%(right)s: named by %(community)s of communities (n=%(community_n)d) and %(company)s of companies "
            "(n=%(company_n)d), each group weighing the same; a gap of %(gap)s points",
            right=label,
            community=percent(community),
            community_n=community_n,
            company=percent(company),
            company_n=company_n,
            gap=signed_points(found["gap"]) if found["gap"] is not None else "—",
        ),
        community_n + company_n,
    )


def _remedy(ref: dict, facts: Facts) -> Fact:
    k = facts.threshold
    if ref.get("figure") == "barrier":
        code = ref.get("barrier")
        label = str(BARRIERS.get(code, code))
        if code not in facts.barriers:
            return Fact(_("Barrier to remedy “%(barrier)s”: nobody cited it.", barrier=label), 0)
        n = facts.barriers[code]
        if n is None:
            return Fact(
                _("Barrier to remedy “%(barrier)s”: %(withheld)s", barrier=label, withheld=_withheld(k)), None, True
            )
        return Fact(
            _("%(n)d reports of people who sought remedy cite “%(barrier)s” as a barrier", n=n, barrier=label), n
        )
    mechanism = ref.get("mechanism")
    label = str(MECHANISM_TYPES.get(mechanism, mechanism))
    if mechanism not in facts.mechanisms:
        return Fact(_("%(mechanism)s: no report says what came of it.", mechanism=label), 0)
    base, obtained, _raw = facts.mechanisms[mechanism]
    if base is None or obtained is None:
        return Fact(
            _("%(mechanism)s, remedy obtained: %(withheld)s", mechanism=label, withheld=_withheld(k)), None, True
        )
    return Fact(
        _(
            "Of %(base)d reports to %(mechanism)s that say what came of it, %(obtained)d obtained some remedy "
            "(%(share)s)",
            base=base,
            mechanism=label,
            obtained=obtained,
            share=percent(obtained / base if base else None),
        ),
        base,
    )


def _excerpt(ref: dict, facts: Facts) -> Fact:
    try:
        excerpt_id = int(ref.get("excerpt_id"))
    except (TypeError, ValueError):
        excerpt_id = None
    text = facts.excerpts.get(excerpt_id) if excerpt_id is not None else None
    if not text:
        # Withdrawn, consent to quote taken back, or the excerpt removed: never its content.
        return Fact(_("This testimony is no longer available."), is_gone=True)
    return Fact(_("From a testimony (anonymised excerpt): “%(text)s”", text=text))


def _theme(ref: dict, facts: Facts) -> Fact:
    found = facts.themes.get(ref.get("theme"))
    if found is None:
        return Fact(_("This theme is no longer in the analysis."), is_gone=True)
    label, total, per_group = found
    if total is None:
        return Fact(_("Theme “%(theme)s”: %(withheld)s", theme=label, withheld=_withheld(facts.threshold)), None, True)
    groups = [f"{_group_label(g)}: {_shown(n, facts.threshold)}" for g, n in per_group.items() if n != 0]
    text = _("Theme “%(theme)s”: %(n)d responses", theme=label, n=total)
    if groups:
        text += " (" + "; ".join(groups) + ")"
    return Fact(text, total, any(n is None for n in per_group.values()))


RENDERERS = {
    "question": _question,
    "salience": _salience,
    "divergence": _divergence,
    "remedy": _remedy,
    "excerpt": _excerpt,
    "theme": _theme,
}


def fact(kind: str, ref: dict, facts: Facts) -> Fact:
    """The fact a ``kind``/``ref`` names, as a sentence in the facts' interface language."""
    with force_locale(facts.ui):
        renderer = RENDERERS.get(kind)
        if renderer is None:
            return Fact(_("This figure is no longer in the analysis."), is_gone=True)
        return renderer(ref or {}, facts)


def render(link: EvidenceLink, lang: str, facts: Facts) -> None:
    """Compute ``link``'s sentence in ``lang`` (``facts`` must be in that language) with n and suppression."""
    found = fact(link.kind, link.ref or {}, facts)
    sentences = dict(link.sentence or {})
    sentences[lang] = found.sentence
    link.sentence = sentences  # a new dict, so the JSON column is seen as changed
    # n is the fact's base when that base is published (a hidden base leaves it None).
    link.n = found.n
    link.is_suppressed = found.is_suppressed
    link.is_gone = found.is_gone
    link.computed_at = utcnow()


def sentence(link: EvidenceLink, lang: str, fallback: str | None = None) -> str:
    """The cached sentence in ``lang`` (else ``fallback``, else any), or a marker when the fact is gone or missing."""
    cached = dict(link.sentence or {})
    text = cached.get(lang) or (cached.get(fallback) if fallback else None) or next(iter(cached.values()), "")
    if link.is_gone and link.kind == "excerpt" or not text:
        # Never a withdrawn testimony's words, whatever is cached; the marker in the language asked for.
        consultation = link.plan.consultation if link.plan_id else None
        locale = interface_for(consultation, lang) if consultation is not None else lang
        with force_locale(locale):
            if link.is_gone and link.kind == "excerpt":
                return str(_("This testimony is no longer available."))
            return str(_("No evidence sentence yet: regenerate the draft."))
    return text


def new_link(
    plan_id: int, kind: str, ref: dict, position: int, *, priority_id: int | None = None, action_id: int | None = None
) -> EvidenceLink:
    """An unsaved link (its sentence is filled by ``render``)."""
    return EvidenceLink(
        plan_id=plan_id,
        priority_id=priority_id,
        action_id=action_id,
        kind=kind,
        ref=dict(ref),
        position=position,
        sentence={},
    )


def links_of(plan) -> list[EvidenceLink]:
    """Every evidence link of a plan, in id order."""
    return list(
        db.session.scalars(select(EvidenceLink).where(EvidenceLink.plan_id == plan.id).order_by(EvidenceLink.id))
    )
