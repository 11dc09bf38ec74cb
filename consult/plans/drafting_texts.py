"""The generated Markdown of a draft plan's sections, priorities and justifications (gettext, current locale).

Callers run these under ``force_locale`` of the plan language's interface language;
content (the consultation's title and purpose, question texts) is in the plan language.
Every count shown here is a published, suppressed figure from ``evidence.Facts``.
"""

from __future__ import annotations

import re

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import func

from consult.analysis.tables import percent
from consult.extensions import db
from consult.i18n import LANGUAGE_NAMES
from consult.plans.evidence import Facts, _group_label, _shown, right_label, sector_label, signed_points
from consult.plans.labels import PILLARS
from consult.responses.models import EntryMode, Response
from consult.responses.queries import NO_FILTER, counted_responses

#: The participation table sits between these markers so that a regeneration can refresh it alone.
TABLE_START = "<!-- participation -->"
TABLE_END = "<!-- /participation -->"
_TABLE = re.compile(re.escape(TABLE_START) + r".*?" + re.escape(TABLE_END), re.S)


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "/").replace("\n", " ")


def plan_title(facts: Facts) -> str:
    """The plan's generated title."""
    return _("Business and human rights action plan — %(territory)s", territory=facts.consultation.territory.name)


def mandate(facts: Facts) -> str:
    """Why the plan exists: the UNGPs, the territory, the consultation's purpose."""
    consultation = facts.consultation
    purpose = consultation.purpose_in(facts.lang)
    parts = [
        _(
            "This plan sets out how %(territory)s will protect people from harm linked to business activity, "
            "expect companies to respect human rights and make sure that people who are harmed can obtain remedy.",
            territory=consultation.territory.name,
        ),
        _(
            "It follows the UN Guiding Principles on Business and Human Rights (UNGPs): the State's duty to protect "
            "(pillar I), the corporate responsibility to respect (pillar II) and access to effective remedy (pillar "
            "III)."
        ),
        _(
            "It is drawn from the consultation “%(title)s”, organised by %(organiser)s.",
            title=facts.title,
            organiser=consultation.organiser or consultation.territory.name,
        ),
    ]
    if purpose:
        parts.append(_("The consultation's purpose: %(purpose)s", purpose=purpose))
    return "\n\n".join(parts)


def baseline(facts: Facts, priorities: list) -> str:
    """The territory: the places and sectors most reported, and the rights most named."""
    by_right = facts.salience("right")
    by_sector = facts.salience("sector")
    k = facts.threshold
    lines = [
        _(
            "What people reported about business activity in %(territory)s, from the consultation's answers and "
            "testimonies (reports of a risk: right, sector and place).",
            territory=facts.consultation.territory.name,
        )
    ]
    rights = [e for e in by_right.values() if e.reports is not None][:6]
    if rights:
        lines.append("### " + _("Rights most reported"))
        lines += [f"- {right_label(e.right)}: " + _("%(n)d reports", n=e.reports) for e in rights]
    sectors: dict[str, int] = {}
    for entry in by_sector.values():
        if entry.sector and entry.reports is not None and not entry.sector.startswith("__"):
            sectors[entry.sector] = sectors.get(entry.sector, 0) + entry.reports
    if sectors:
        lines.append("### " + _("Sectors most reported"))
        lines += [
            f"- {sector_label(code)}: " + _("%(n)d reports", n=n)
            for code, n in sorted(sectors.items(), key=lambda item: (-item[1], item[0]))[:6]
        ]
    places: dict[str, int] = {}
    for entry in facts.salience("place").values():
        if entry.place and not entry.place.startswith("__"):
            places[entry.place] = places.get(entry.place, 0) + entry.raw_reports
    named = [(facts.place_names.get(p, p), n) for p, n in places.items() if n >= k]
    if named:
        lines.append("### " + _("Places most reported"))
        lines += [
            f"- {name}: " + _("%(n)d reports", n=n)
            for name, n in sorted(named, key=lambda item: (-item[1], item[0]))[:6]
        ]
    else:
        lines.append(_("No single place gathers %(k)d reports or more; places are not listed, to protect people.", k=k))
    return "\n\n".join(lines[:1]) + "\n\n" + "\n".join(lines[1:])


def participation_table(facts: Facts) -> str:
    """Respondents per group against the targets, as published (hidden figures marked), between markers."""
    raw, shown, total = facts.participation
    targets = {g.group_code: g.target for g in facts.consultation.groups}
    k = facts.threshold
    rows = [
        f"| {_('Group')} | {_('Respondents')} | {_('Target')} | {_('Percent of the target')} |",
        "|---|---:|---:|---:|",
    ]
    for code, _n in raw:
        n, target = shown.get(code), targets.get(code)
        share = percent(n / target) if n is not None and target else ""
        rows.append(f"| {_cell(_group_label(code))} | {_cell(_shown(n, k))} | {target or ''} | {share} |")
    rows.append(f"| {_('Everyone')} | {_cell(_shown(total, k))} | {sum(t for t in targets.values() if t) or ''} | |")
    return TABLE_START + "\n\n" + "\n".join(rows) + "\n\n" + TABLE_END


def refresh_participation(text: str, facts: Facts) -> str:
    """``text`` with its participation table (between the markers) recomputed; unchanged when it has none."""
    if not text or TABLE_START not in text:
        return text
    table = participation_table(facts)
    return _TABLE.sub(lambda _match: table, text, count=1)


def methodology(facts: Facts) -> str:
    """Dates, instruments, languages, entry modes and participation per group against the targets."""
    consultation = facts.consultation
    dates = _(
        "The consultation was open from %(opens)s to %(closes)s.",
        opens=consultation.opens_on.isoformat() if consultation.opens_on else "—",
        closes=consultation.closes_on.isoformat() if consultation.closes_on else "—",
    )
    instruments = sorted({s.instrument.text(s.instrument.title, facts.lang) for s in facts.ctx.sources})
    languages = ", ".join(str(LANGUAGE_NAMES.get(code, code)) for code in consultation.languages)
    modes = dict(
        db.session.execute(
            counted_responses(consultation.id, NO_FILTER, Response.entry_mode, func.count()).group_by(
                Response.entry_mode
            )
        ).all()
    )
    k = facts.threshold
    mode_words = "; ".join(
        f"{EntryMode(m).label}: {_shown(None if 0 < n < k else n, k)}"
        for m, n in sorted(modes.items(), key=lambda item: str(item[0]))
        if n
    )
    parts = [
        dates,
        _("Instruments: %(instruments)s.", instruments="; ".join(instruments) or "—"),
        _("Languages: %(languages)s.", languages=languages),
        _("How answers came in: %(modes)s.", modes=mode_words or "—"),
        _(
            "Results are read per stakeholder group first; where groups are pooled, each group weighs the same. "
            "Each share is of the people who were asked the question. Counts below %(k)d are not shown, and neither "
            "is any figure that would reveal one. Batches of answers set aside by the organisers are not counted; "
            "testimonies are counted only while the person who gave them allows it.",
            k=k,
        ),
        "### " + _("Who took part, per group, against the target"),
        participation_table(facts),
    ]
    return "\n\n".join(parts)


def priorities_intro(facts: Facts, count: int) -> str:
    """The introduction of the prioritised issues."""
    return _(
        "The %(count)d issues below are the most salient risks the consultation found: ranked by the median severity "
        "of their reports (scale, scope and how hard the harm is to put right), then likelihood, counting only risks "
        "reported at least %(k)d times. Each cites the evidence behind it.",
        count=count,
        k=facts.threshold,
    )


def actions_intro(pillars: dict[str, int]) -> str:
    """The introduction of the actions, with one line per pillar."""
    lines = [
        _(
            "Actions are grouped by the three pillars of the UN Guiding Principles. Each says which issues it "
            "answers, who leads it, how progress is measured, and the evidence behind it."
        )
    ]
    for code, label in PILLARS.items():
        lines.append(f"- **{label}**: " + _("%(n)d proposed actions", n=pillars.get(code, 0)))
    return lines[0] + "\n\n" + "\n".join(lines[1:])


def governance(facts: Facts) -> str:
    """A proposed governance and monitoring structure."""
    territory = facts.consultation.territory.name
    items = [
        _(
            "A steering committee chaired by %(territory)s's government, with community, indigenous and "
            "Afro-descendant, trade union, women's organisation, civil society and business representatives, "
            "meets every three months.",
            territory=territory,
        ),
        _(
            "Each action has a lead entity that reports its status and indicator value at least every six months; "
            "the progress is published per action and per pillar."
        ),
        _("The people who took part can see, with their receipt code, which actions answer what they said."),
        _("A mid-term review after one year and a new consultation before the plan ends."),
        _(
            "Human rights defenders who report reprisals linked to the plan are referred to the protection route at "
            "once."
        ),
    ]
    return "\n".join(f"- {item}" for item in items)


def annex_intro() -> str:
    """The introduction of the evidence annex (the list itself is rendered from the links)."""
    return _(
        "Every figure cited in this plan, with the number of people it rests on. Figures come from the published "
        "analysis of the consultation; counts below the consultation's threshold are not shown, and testimony "
        "excerpts are quoted only with the consent of the person who gave them."
    )


def priority_title(entry, facts: Facts) -> str:
    """A priority's title: the right, then the sector and place when the risk is drawn that finely."""
    parts = [right_label(entry.right)]
    if entry.sector and not entry.sector.startswith("__"):
        parts.append(sector_label(entry.sector))
    if entry.place and not entry.place.startswith("__"):
        parts.append(facts.place_names.get(entry.place, entry.place))
    return " — ".join(parts)


def justification(entry, facts: Facts, by_group: list[tuple[str, float]]) -> str:
    """Why a risk is a priority: severity per group, sources, divergence (published figures only)."""
    k = facts.threshold
    lines = []
    if entry.severity is not None:
        lines.append(
            _(
                "Median severity %(severity)s of 5 across %(reports)d reports; urgent reports: %(urgent)s.",
                severity=format_decimal(entry.severity),
                reports=entry.reports,
                urgent=_shown(entry.urgent, k),
            )
        )
    else:
        lines.append(_("%(reports)d reports name this risk.", reports=entry.reports))
    lines.append(
        _(
            "Sources: community answers %(community)s; company answers %(company)s; testimonies %(testimonies)s.",
            community=_shown(entry.community, k),
            company=_shown(entry.company, k),
            testimonies=_shown(entry.testimonies, k),
        )
    )
    if by_group:
        # Medians only, never the group's count: shown beside the total, counts could be subtracted.
        lines.append(
            _("Severity per group (groups with at least %(k)d reports of it):", k=k)
            + "\n\n"
            + "\n".join(
                f"- {_group_label(g)}: " + _("median %(severity)s", severity=format_decimal(s)) for g, s in by_group
            )
        )
    found = facts.divergence.get(entry.right)
    if found and not found["hidden"] and found["gap"] is not None:
        community, company = found["sides"]["community"][0], found["sides"]["company"][0]
        lines.append(
            _(
                "Communities and companies see it differently: %(community)s of communities name it, "
                "%(company)s of companies (a gap of %(gap)s points).",
                community=percent(community),
                company=percent(company),
                gap=signed_points(found["gap"]),
            )
        )
    return "\n\n".join(lines)
