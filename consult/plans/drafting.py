"""Drafting a plan from a consultation's analysis: generate, regenerate the evidence, draft another language.

``generate`` builds the whole draft of an analysed consultation in one language:
every section (``SECTION_KEYS``) with generated Markdown, the most salient risks
as priorities with their justification and evidence, the library's actions for
those rights and the most cited remedy barriers, each with its evidence, and
saves version 1. ``regenerate`` recomputes every evidence sentence (and the
participation table of the methodology) in every plan language, never an
official's text. ``add_language`` drafts the plan in another language of the consultation.

Generated words are gettext strings in the plan language's interface language
(``evidence.interface_for``: a content-only language such as Quechua gets the
consultation's fallback interface language); every figure is a published,
suppressed one (``evidence``).
"""

from __future__ import annotations

import json

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from consult.analysis.salience import ALL
from consult.extensions import db
from consult.plans import drafting_texts as texts
from consult.plans import evidence, library, versions
from consult.plans.evidence import LEVELS, Facts, SalienceEntry, level_of
from consult.plans.labels import SECTION_TITLES
from consult.plans.models import SECTION_KEYS, EvidenceLink, Pillar, Plan, PlanAction, PlanPriority, PlanSection
from consult.responses.models import Consultation, ConsultationState

#: At most this many priorities are proposed.
MAX_PRIORITIES = 8
#: A level of salience is used when it gives at least this many risks above the threshold (else a coarser one).
MIN_PRIORITIES = 3
#: Excerpts quoted in a generated draft, at most.
MAX_EXCERPTS = 5

NOT_ANALYSED = _l("A plan can be drafted only from an analysed consultation. Mark the consultation as analysed first.")
HAS_PLAN = _l("This consultation already has a plan.")
NOT_A_LANGUAGE = _l("This language is not one of the consultation's languages.")
ALREADY_DRAFTED = _l("The plan is already drafted in this language.")


class PlanError(Exception):
    """A drafting step that cannot be done; ``message`` is translated text."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


def plan_of(consultation: Consultation) -> Plan | None:
    """The consultation's plan, if it has one."""
    return db.session.scalar(select(Plan).where(Plan.consultation_id == consultation.id))


def has_evidence(action: PlanAction) -> bool:
    """True when the action cites at least one fact that still exists."""
    return any(not link.is_gone for link in action.evidence)


# -- choosing priorities ------------------------------------------------------------------------------


def choose_risks(facts: Facts) -> list[SalienceEntry]:
    """The most salient risks reported at least ``threshold`` times (published total), finest level that
    gives enough.
    """
    k = facts.threshold
    chosen: list[SalienceEntry] = []
    for level in LEVELS:
        chosen = [
            e
            for e in facts.salience(level).values()
            if e.reports is not None and e.raw_reports >= k and not e.right.startswith("__")
        ]
        if len(chosen) >= MIN_PRIORITIES:
            break
    return chosen[:MAX_PRIORITIES]


def _severity_by_group(entry: SalienceEntry, facts: Facts) -> list[tuple[str, float]]:
    page = facts.salience_page(level_of(entry.sector, entry.place))
    found = []
    for group, risks in page.by_group:
        for risk in risks:
            key = (
                risk.right,
                None if risk.sector == ALL else risk.sector,
                None if risk.locality == ALL else risk.locality,
            )
            if (
                key == (entry.right, entry.sector, entry.place)
                and risk.reports >= facts.threshold
                and risk.severity is not None
            ):
                found.append((group, risk.severity))
    return found


def _priority_refs(entry: SalienceEntry, facts: Facts) -> list[tuple[str, dict]]:
    """The facts behind a priority: its salience, each group's share naming the right, the divergence."""
    refs = [("salience", {"right": entry.right, "sector": entry.sector, "place": entry.place})]
    for version_id, question, options in facts.right_questions():
        option = options.get(entry.right)
        if option is None:
            continue
        _result, view = facts.results[(version_id, question.key)]
        for group, _label in view.columns:
            refs.append(
                ("question", {"version_id": version_id, "question": question.key, "option": option, "group": group})
            )
    if entry.right in facts.divergence:
        refs.append(("divergence", {"right": entry.right}))
    return refs


def _add_links(
    plan: Plan, refs: list[tuple[str, dict]], *, priority_id: int | None = None, action_id: int | None = None
) -> list[EvidenceLink]:
    seen, made = set(), []
    for kind, ref in refs:
        key = (kind, json.dumps(ref, sort_keys=True))
        if key in seen:
            continue
        seen.add(key)
        link = evidence.new_link(plan.id, kind, ref, len(made), priority_id=priority_id, action_id=action_id)
        db.session.add(link)
        made.append(link)
    return made


# -- generate -----------------------------------------------------------------------------------------


def generate(consultation: Consultation, lang: str, user) -> Plan:
    """Draft the plan of an analysed ``consultation`` in ``lang`` and save version 1 ("generated").

    Raises ``PlanError`` when the consultation is not analysed, already has a plan,
    or ``lang`` is not one of its languages. Flushes; the caller commits.
    Does not change the consultation's state.
    """
    if consultation.state != ConsultationState.ANALYSED:
        raise PlanError(NOT_ANALYSED)
    if plan_of(consultation) is not None:
        raise PlanError(HAS_PLAN)
    if lang not in (consultation.languages or []):
        raise PlanError(NOT_A_LANGUAGE)
    library.ensure_shipped()
    facts = Facts(consultation, lang)
    with force_locale(facts.ui):
        plan = Plan(
            consultation_id=consultation.id,
            territory_id=consultation.territory_id,
            language=lang,
            languages=[lang],
            title={lang: texts.plan_title(facts)},
            created_by_id=getattr(user, "id", None),
        )
        db.session.add(plan)
        db.session.flush()
        risks = choose_risks(facts)
        priorities = []
        links: list[EvidenceLink] = []
        for position, entry in enumerate(risks):
            priority = PlanPriority(
                plan_id=plan.id,
                position=position,
                right=entry.right,
                sector=entry.sector,
                place=entry.place,
                title={lang: texts.priority_title(entry, facts)},
                justification={lang: texts.justification(entry, facts, _severity_by_group(entry, facts))},
            )
            db.session.add(priority)
            db.session.flush()
            priorities.append((priority, _priority_refs(entry, facts)))
            links += _add_links(plan, priorities[-1][1], priority_id=priority.id)
        actions = _propose_actions(plan, lang, facts, priorities, links)
        pillars: dict[str, int] = {}
        for action in actions:
            pillars[action.pillar.value] = pillars.get(action.pillar.value, 0) + 1
        bodies = {
            "mandate": texts.mandate(facts),
            "baseline": texts.baseline(facts, risks),
            "methodology": texts.methodology(facts),
            "priorities": texts.priorities_intro(facts, len(priorities)),
            "actions": texts.actions_intro(pillars),
            "governance": texts.governance(facts),
            "annex": texts.annex_intro(),
        }
        for position, key in enumerate(SECTION_KEYS):
            db.session.add(
                PlanSection(
                    plan_id=plan.id,
                    key=key,
                    position=position,
                    title={lang: str(SECTION_TITLES[key])},
                    body={lang: bodies[key]},
                )
            )
        db.session.flush()
        for link in links:
            evidence.render(link, lang, facts)
        versions.save(plan, user, _("Draft generated from the analysis"))
    return plan


def _propose_actions(plan: Plan, lang: str, facts: Facts, priorities, links: list[EvidenceLink]) -> list[PlanAction]:
    rights = list(dict.fromkeys(p.right for p, _refs in priorities))
    barriers = facts.top_barriers()
    excerpts = facts.quotable_excerpt_ids()[:MAX_EXCERPTS]
    made: list[PlanAction] = []
    quoted = False
    for position, entry in enumerate(library.propose(rights, barriers)):
        answered = [(p, refs) for p, refs in priorities if p.right in (entry.rights or [])]
        pillar = Pillar(entry.pillar.value if hasattr(entry.pillar, "value") else entry.pillar)
        action = PlanAction(
            plan_id=plan.id,
            library_code=entry.code,
            position=position,
            pillar=pillar,
            title={lang: library.text(entry, "title", lang)},
            description={lang: library.text(entry, "description", lang)},
            ungp_principles=list(entry.ungp_principles or []),
            priority_ids=[p.id for p, _refs in answered],
            rights=list(entry.rights or []),
            sectors=list(
                dict.fromkeys(
                    [p.sector for p, _r in answered if p.sector and not p.sector.startswith("__")]
                    or list(entry.sectors or [])
                )
            ),
            places=list(dict.fromkeys(p.place for p, _r in answered if p.place and not p.place.startswith("__"))),
            lead_entity={lang: library.text(entry, "lead_entity", lang)},
            partners={lang: library.text(entry, "partners", lang)},
            indicator_name={lang: library.text(entry, "indicator", lang)},
            indicator_unit=entry.indicator_unit or "",
            sdg_targets=list(entry.sdg_targets or []),
            gender_marker=entry.gender_marker or 0,
        )
        db.session.add(action)
        db.session.flush()
        refs: list[tuple[str, dict]] = []
        for _priority, priority_refs in answered:
            refs += _cited(priority_refs, facts)
        for barrier in entry.barriers or []:
            if barrier in barriers:
                refs.append(("remedy", {"mechanism": None, "figure": "barrier", "barrier": barrier}))
        if pillar == Pillar.REMEDY:
            refs += [
                ("remedy", {"mechanism": m, "figure": "obtained", "barrier": None}) for m in facts.top_mechanisms()
            ]
            if not quoted:
                # The testimonies people allowed to be quoted speak of remedy: quoted once, on the first remedy action.
                refs += [("excerpt", {"excerpt_id": e}) for e in excerpts]
                quoted = True
        links += _add_links(plan, refs, action_id=action.id)
        made.append(action)
    if not quoted and priorities:
        # No remedy action was proposed: what remedy gave people, and their words, still stand
        # behind the first priority.
        refs = [("remedy", {"mechanism": m, "figure": "obtained", "barrier": None}) for m in facts.top_mechanisms()]
        refs += [("excerpt", {"excerpt_id": e}) for e in excerpts]
        links += _add_links(plan, refs, priority_id=priorities[0][0].id)
    return made


def _cited(priority_refs: list[tuple[str, dict]], facts: Facts) -> list[tuple[str, dict]]:
    """What an action copies from a priority it answers: the salience and divergence facts, and the group share
    with the most people asked (the priority itself lists every group)."""
    chosen = [(kind, ref) for kind, ref in priority_refs if kind in ("salience", "divergence")]
    best, best_n = None, -1
    for kind, ref in priority_refs:
        if kind != "question":
            continue
        found = evidence.fact(kind, ref, facts)
        if not found.is_suppressed and (found.n or 0) > best_n:
            best, best_n = (kind, ref), found.n or 0
    if best is not None:
        chosen.insert(1, best)
    return chosen


# -- regenerate and add a language ---------------------------------------------------------------------


def regenerate(plan: Plan, user) -> Plan:
    """Recompute every evidence link in every plan language, and the methodology's participation table.

    Officials' texts are never overwritten. Saves a version. Flushes; the caller commits.
    """
    consultation = plan.consultation
    links = evidence.links_of(plan)
    methodology = next((s for s in plan.sections if s.key == "methodology"), None)
    for lang in plan.languages or [plan.language]:
        facts = Facts(consultation, lang)
        with force_locale(facts.ui):
            for link in links:
                evidence.render(link, lang, facts)
            if methodology is not None and (methodology.body or {}).get(lang):
                body = dict(methodology.body)
                body[lang] = texts.refresh_participation(body[lang], facts)
                methodology.body = body
    with force_locale(evidence.interface_for(consultation, plan.language)):
        versions.save(plan, user, _("Evidence recomputed from the analysis"))
    return plan


def _fill(value: dict | None, lang: str, text: str) -> dict:
    filled = dict(value or {})
    if not filled.get(lang) and text:
        filled[lang] = text
    return filled


def add_language(plan: Plan, lang: str, user) -> Plan:
    """Draft ``plan`` in another language of its consultation: fill empty texts, render the evidence; save a version."""
    consultation = plan.consultation
    if lang not in (consultation.languages or []):
        raise PlanError(NOT_A_LANGUAGE)
    if lang in (plan.languages or []):
        raise PlanError(ALREADY_DRAFTED)
    library.ensure_shipped()
    facts = Facts(consultation, lang)
    with force_locale(facts.ui):
        plan.title = _fill(plan.title, lang, texts.plan_title(facts))
        pillars: dict[str, int] = {}
        for action in plan.actions:
            if not action.is_dropped:
                pillars[action.pillar.value] = pillars.get(action.pillar.value, 0) + 1
            entry = library.get_by_code(action.library_code) if action.library_code else None
            if entry is None:
                continue
            for name, field in (
                ("title", "title"),
                ("description", "description"),
                ("lead_entity", "lead_entity"),
                ("partners", "partners"),
                ("indicator_name", "indicator"),
            ):
                setattr(action, name, _fill(getattr(action, name), lang, library.text(entry, field, lang)))
        live = [p for p in plan.priorities if not p.is_dropped]
        for priority in plan.priorities:
            entry = facts.salience(level_of(priority.sector, priority.place)).get(
                (priority.right, priority.sector, priority.place)
            )
            if entry is None or entry.reports is None:
                continue
            priority.title = _fill(priority.title, lang, texts.priority_title(entry, facts))
            priority.justification = _fill(
                priority.justification, lang, texts.justification(entry, facts, _severity_by_group(entry, facts))
            )
        bodies = {
            "mandate": lambda: texts.mandate(facts),
            "baseline": lambda: texts.baseline(facts, live),
            "methodology": lambda: texts.methodology(facts),
            "priorities": lambda: texts.priorities_intro(facts, len(live)),
            "actions": lambda: texts.actions_intro(pillars),
            "governance": lambda: texts.governance(facts),
            "annex": texts.annex_intro,
        }
        for section in plan.sections:
            section.title = _fill(section.title, lang, str(SECTION_TITLES.get(section.key, section.key)))
            if not (section.body or {}).get(lang) and section.key in bodies:
                section.body = _fill(section.body, lang, bodies[section.key]())
        for link in evidence.links_of(plan):
            evidence.render(link, lang, facts)
        plan.languages = [*(plan.languages or [plan.language]), lang]
        versions.save(plan, user, _("Drafted in %(language)s", language=lang))
    return plan
