"""The synthetic demo answers: generated, not stored (``demo_synthetic`` stores them as a demo step).

Kept apart from the step so that importing the generator (tests do) does not
register the step out of order: steps run in the order they are registered.

Generated from a fixed ``random.Random`` seeded per consultation, with the
plausible distributions of ``demo_profiles``: who answers where, which
businesses they live with, which harms they see (communities more than
companies), in which language (Quechua and Guaraní in Salta's highlands and
Chaco where the consultation offers them) and how the answers were collected.
Every value is drawn from the built-in instruments' real keys and options,
and stored through the same path as real answers (``storage.store_many``:
only the answers on the path, rows by each type's ``to_rows``).

One batch in Antioquia is scripted to trip the capture signal: seven
near-identical "no harm, the company listened" answers through the community
meeting link on one day, so the demo shows a flag to look at.

The responses have fixed submission keys (``submission_token``), which make
the demo step idempotent.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from consult.accounts.models import Locality
from consult.core.codes import hash_code, hash_token
from consult.core.db import utctoday
from consult.extensions import db
from consult.responses import demo_extras as X
from consult.responses import demo_profiles as P
from consult.responses.models import Consultation, EntryMode, Invitation
from consult.responses.sending import receipt_code_for
from consult.responses.storage import NewResponse
from consult.surveys.demo_xlsform import FORM_ID
from consult.surveys.engine import Instrument, Question
from consult.surveys.models import InstrumentVersion

SEED = 20260314
BURST = 7


def submission_token(slug: str, index: int) -> str:
    """The fixed token of synthetic response ``index`` (its submission key and receipt code derive from it)."""
    return f"demo-synthetic:{slug}:{index}"


class Draw:
    """Weighted draws from one seeded generator, restricted to what a question really offers."""

    def __init__(self, seed: str) -> None:
        self.rng = random.Random(seed)

    def one(self, weights: dict[str, float]) -> str:
        """One key, by weight."""
        keys = list(weights)
        return self.rng.choices(keys, weights=[weights[k] for k in keys])[0]

    def some(self, weights: dict[str, float], low: int, high: int) -> list[str]:
        """Between ``low`` and ``high`` distinct keys, by weight."""
        pool = dict(weights)
        chosen = []
        for _ in range(min(self.rng.randint(low, high), len(pool))):
            key = self.one(pool)
            chosen.append(key)
            pool.pop(key)
        return chosen

    def chance(self, p: float) -> bool:
        """True with probability ``p``."""
        return self.rng.random() < p


def tidy(instrument: Instrument, answers: dict[str, Any]) -> dict[str, Any]:
    """Chosen options in the definition's order, as the answering form gives them."""
    for key, value in answers.items():
        if isinstance(value, list):
            order = list(instrument.question(key).option_values)
            value.sort(key=lambda code: order.index(code) if code in order else len(order))
    return answers


def _valid(question: Question, weights: dict[str, float]) -> dict[str, float]:
    """The weights of options the question really has (the library may change)."""
    return {k: w for k, w in weights.items() if k in question.option_values and w > 0}


class Generator:
    """Synthetic answers to the built-in community survey and company self-assessment."""

    def __init__(self, draw: Draw, territory_slug: str, localities: list[Locality]) -> None:
        self.draw = draw
        self.areas = P.AREAS.get(territory_slug, {})
        self.by_area: dict[str, list[Locality]] = {}
        for locality in localities:
            self.by_area.setdefault(locality.area or "", []).append(locality)
        self.areas = {a: spec for a, spec in self.areas.items() if self.by_area.get(a)}

    def place(self) -> tuple[str, Locality | None]:
        """An area (by weight) and a locality in it."""
        if not self.areas:
            everywhere = [loc for places in self.by_area.values() for loc in places]
            return "", self.draw.rng.choice(everywhere) if everywhere else None
        area = self.draw.one({a: spec[0] for a, spec in self.areas.items()})
        return area, self.draw.rng.choice(self.by_area[area])

    def sectors(self, area: str) -> dict[str, float]:
        """The businesses people live with in ``area``."""
        return self.areas.get(area, (1, {"agro_industry": 1}))[1]

    @staticmethod
    def territory_value(locality: Locality | None) -> dict[str, str] | None:
        if locality is None:
            return None
        value = {"locality": locality.code}
        if locality.area:
            value["area"] = locality.area
        return value

    def ask(self, instrument: Instrument, key: str) -> Question | None:
        return instrument.question(key) if instrument.has_question(key) else None

    def community(self, instrument: Instrument, group: str, area: str, locality: Locality | None) -> dict[str, Any]:
        """Answers to the community risk survey of a person of ``group`` living in ``area``."""
        d, q, answers = self.draw, (lambda key: self.ask(instrument, key)), {}
        if q("A1") and locality is not None:
            answers["A1"] = self.territory_value(locality)
        if q("A2") and group in (q("A2").get("groups") or (group,)):
            answers["A2"] = group
        sectors = self.sectors(area)
        if q("B1"):
            answers["B1"] = ["dont_know"] if d.chance(0.05) else d.some(_valid(q("B1"), sectors), 1, 3) or ["dont_know"]
        harms: list[str] = []
        if q("C1"):
            if d.chance(P.HARM.get(group, 0.85)):
                weights: dict[str, float] = {}
                for sector in answers.get("B1", []):
                    for right, w in P.SECTOR_RIGHTS.get(sector, {}).items():
                        weights[right] = weights.get(right, 0) + w
                if group == "indigenous_people":
                    weights["indigenous_rights"] = weights.get("indigenous_rights", 0) + 6
                if group == "trade_union":
                    weights["freedom_of_association"] = weights.get("freedom_of_association", 0) + 5
                harms = d.some(_valid(q("C1"), weights or {"environment_health": 1}), 1, 4)
            answers["C1"] = harms or (["prefer_not"] if d.chance(0.1) else ["none"])
        if harms and q("C2"):
            answers["C2"] = harms[0]
        if harms and q("C3"):
            grave = 1 if group in ("indigenous_people", "afro_descendant", "human_rights_defender") else 0
            answers["C3"] = {
                "scale": min(5, d.rng.randint(2, 4) + grave),
                "scope": d.rng.randint(2, 5),
                "irremediability": min(
                    5,
                    d.rng.randint(1, 4)
                    + (1 if harms[0] in ("environment_health", "land_housing", "water_sanitation") else 0),
                ),
                "likelihood": d.rng.randint(2, 5),
            }
        labour = {
            "working_conditions",
            "forced_labour",
            "child_labour",
            "occupational_safety",
            "freedom_of_association",
        }
        if q("C4") and labour & set(harms) and d.chance(0.8 if "forced_labour" in harms else 0.35):
            answers["C4"] = d.some(
                _valid(
                    q("C4"),
                    {
                        "withholding_of_wages": 5,
                        "excessive_overtime": 5,
                        "abusive_conditions": 4,
                        "deception": 3,
                        "intimidation_threats": 3,
                        "debt_bondage": 2,
                        "abuse_of_vulnerability": 3,
                        "retention_of_documents": 1,
                        "isolation": 1,
                        "restriction_of_movement": 1,
                        "physical_sexual_violence": 1,
                    },
                ),
                1,
                3,
            )
        if harms and q("C5"):
            answers["C5"] = (
                ["everyone_equally"]
                if d.chance(0.2)
                else d.some(
                    _valid(
                        q("C5"),
                        {
                            "women": 5,
                            "children": 4,
                            "elders": 2,
                            "indigenous": 3 if group == "indigenous_people" else 1,
                            "afro_descendant": 3 if group == "afro_descendant" else 1,
                            "disability": 1,
                            "migrants": 1,
                        },
                    ),
                    1,
                    2,
                )
            )
        if q("D1"):
            answers["D1"] = d.one(_valid(q("D1"), P.CONSULTED.get(group, P.CONSULTED["default"])))
        if q("D2"):
            threatened = 0.7 if group == "human_rights_defender" else 0.22
            answers["D2"] = "yes" if d.chance(threatened) else d.one({"no": 55, "dont_know": 30, "prefer_not": 15})
        if answers.get("D2") == "yes" and q("D4"):
            answers["D4"] = d.some(
                _valid(
                    q("D4"),
                    {
                        "threats": 8,
                        "stigmatisation": 6,
                        "legal_harassment": 3,
                        "surveillance": 3,
                        "physical_attack": 1,
                        "displacement": 1,
                        "killing": 0.3,
                    },
                ),
                1,
                3,
            )
        if q("E1"):
            wanted = {P.RIGHT_PRIORITIES[h]: 6 for h in harms if h in P.RIGHT_PRIORITIES}
            base = {
                "access_to_remedy": 3,
                "repair_victims": 2,
                "information": 2,
                "control_companies": 3,
                "consult_communities": 2,
            }
            answers["E1"] = d.some(_valid(q("E1"), {**base, **wanted}), 1, 3)
        if q("E2"):
            answers["E2"] = (
                ["not_interested"]
                if d.chance(0.03)
                else d.some(
                    _valid(
                        q("E2"),
                        {
                            "community_meeting": 6,
                            "radio": 5,
                            "whatsapp": 6,
                            "through_leaders": 3,
                            "printed": 2,
                            "text_message": 2,
                            "social_media": 2,
                            "website": 1,
                        },
                    ),
                    1,
                    3,
                )
            )
        self._about(instrument, group, answers)
        return tidy(instrument, answers)

    def _about(self, instrument: Instrument, group: str, answers: dict[str, Any]) -> None:
        d = self.draw
        choices = {
            "F1": {"woman": 48, "man": 45, "another_identity": 1, "prefer_not": 6},
            "F2": {
                "under_18": 2,
                "age_18_29": 22,
                "age_30_44": 33,
                "age_45_59": 25,
                "age_60_plus": 13,
                "prefer_not": 5,
            },
            "F3": {"indigenous": 90, "none": 5, "prefer_not": 5}
            if group == "indigenous_people"
            else {"afro_descendant": 90, "none": 5, "prefer_not": 5}
            if group == "afro_descendant"
            else {"none": 75, "indigenous": 8, "afro_descendant": 7, "prefer_not": 10},
            "F4": {"no": 85, "yes": 8, "prefer_not": 7},
            "F5": {"no": 88, "yes": 7, "prefer_not": 5},
        }
        for key, weights in choices.items():
            question = self.ask(instrument, key)
            if question is not None and d.chance(0.9):
                answers[key] = d.one(_valid(question, weights))

    def company(self, instrument: Instrument, group: str, area: str, locality: Locality | None) -> dict[str, Any]:
        """Answers to the company self-assessment: fewer harms, kinder ratings of themselves."""
        d, q, answers = self.draw, (lambda key: self.ask(instrument, key)), {}
        large = group == "company_large"
        plan = {
            "A2": {"size_201_1000": 5, "size_over_1000": 4}
            if large
            else {"size_11_50": 5, "size_51_200": 4, "size_1_10": 1},
            "B1": {"public_approved": 40, "internal_only": 30, "in_preparation": 20, "no": 10}
            if large
            else {"no": 45, "in_preparation": 25, "internal_only": 20, "public_approved": 10},
            "C1": {"beyond_direct": 20, "direct_only": 35, "contract_clauses_only": 30, "no": 15},
            "D1": {"open_to_communities": 35, "workers_only": 40, "no": 25}
            if large
            else {"workers_only": 30, "no": 60, "open_to_communities": 10},
            "E2": {"union_and_agreement": 35, "union_no_agreement": 15, "no_union": 45, "prefer_not": 5},
        }
        if q("A1") and group in (q("A1").get("groups") or (group,)):
            answers["A1"] = group
        for key, weights in plan.items():
            if q(key):
                answers[key] = d.one(_valid(q(key), weights))
        if q("A3"):
            answers["A3"] = d.one(_valid(q("A3"), self.sectors(area)) or {"agro_industry": 1})
        if q("A4") and locality is not None:
            answers["A4"] = self.territory_value(locality)
        if q("B2"):
            answers["B2"] = (
                ["none"]
                if d.chance(0.35)
                else d.some(
                    _valid(
                        q("B2"),
                        {
                            "occupational_safety": 6,
                            "working_conditions": 4,
                            "environment_health": 3,
                            "consumer_rights": 1,
                            "water_sanitation": 1,
                        },
                    ),
                    1,
                    2,
                )
            )
        if q("B3"):
            answers["B3"] = (
                ["not_assessed"]
                if d.chance(0.25 if large else 0.55)
                else d.some(
                    _valid(
                        q("B3"),
                        {
                            "business_risk_matrix": 5,
                            "scale_scope_remediability": 2,
                            "likelihood": 3,
                            "ask_affected": 1,
                            "external_experts": 2,
                        },
                    ),
                    1,
                    2,
                )
            )
        for key, weights in (
            ("B4", {"trade_union": 4, "rural_community": 3, "public_entity": 3, "cso": 1, "indigenous_people": 1}),
            (
                "C2",
                {
                    "age_verification": 5,
                    "wages_paid_in_full": 5,
                    "workers_keep_documents": 3,
                    "training": 3,
                    "confidential_channel": 2,
                    "supplier_audits": 2,
                    "no_recruitment_fees": 1,
                    "free_to_leave": 2,
                },
            ),
            ("E1", {"own_guards": 4, "private_security_company": 4, "security_training": 1}),
            ("E3", {"harassment_policy": 5, "equal_pay_review": 2, "women_in_leadership": 2, "care_support": 1}),
            (
                "F1",
                {
                    "practical_guides": 4,
                    "training": 4,
                    "legal_clarity": 3,
                    "procurement_incentives": 2,
                    "risk_information": 2,
                    "dialogue_spaces": 2,
                },
            ),
        ):
            if q(key):
                answers[key] = d.some(_valid(q(key), weights), 1, 3)
        if answers.get("D1") in ("open_to_communities", "workers_only"):
            if q("D2"):
                criteria = q("D2").get("criteria") or ()
                answers["D2"] = {c: d.one({"yes": 6, "partly": 3, "no": 1, "dont_know": 1}) for c in criteria}
            received = d.rng.randint(0, 40 if large else 6)
            if q("D3"):
                answers["D3"] = received
            if q("D4"):
                answers["D4"] = d.rng.randint(0, received)
        return tidy(instrument, answers)

    def burst(self, instrument: Instrument, locality: Locality | None) -> dict[str, Any]:
        """The scripted near-identical answer: "no harm here, the company listened to us"."""
        answers: dict[str, Any] = {
            "B1": ["mining"],
            "C1": ["none"],
            "D1": "yes_listened",
            "D2": "no",
            "E1": ["decent_work"],
            "E2": ["whatsapp"],
            "F1": "man",
            "F3": "none",
        }
        if locality is not None and self.ask(instrument, "A1"):
            answers["A1"] = self.territory_value(locality)
        answers["A2"] = "rural_community"
        return {k: v for k, v in answers.items() if self.ask(instrument, k)}


def _versions(consultation: Consultation) -> dict[str, tuple[InstrumentVersion, Instrument]]:
    found = {}
    for group in consultation.groups:
        version = db.session.get(InstrumentVersion, group.instrument_version_id)
        found[group.group_code] = (version, version.parsed())
    return found


def _language(draw: Draw, consultation: Consultation, territory_slug: str, group: str, area: str) -> str:
    special = P.INDIGENOUS_LANGUAGES.get(area)
    if group == "indigenous_people" and special and special[0] in consultation.languages and draw.chance(special[1]):
        return special[0]
    weights = {k: w for k, w in P.LANGUAGES.get(territory_slug, {"es": 1}).items() if k in consultation.languages}
    return draw.one(weights) if weights else consultation.fallback_language


def _community_link(consultation: Consultation) -> Invitation | None:
    return next(
        (i for i in consultation.invitations if i.group_code == "rural_community" and i.organisation_id is None), None
    )


def _company_link(consultation: Consultation) -> Invitation | None:
    return next((i for i in consultation.invitations if i.group_code == "company_large" and i.organisation_id), None)


def synthetic_responses(consultation: Consultation, count: int) -> list[NewResponse]:
    """The consultation's synthetic responses (not stored), the same for the same consultation every time."""
    territory_slug = consultation.territory.slug
    draw = Draw(f"{SEED}:{consultation.slug}")
    generator = Generator(draw, territory_slug, list(consultation.territory.localities))
    versions = _versions(consultation)
    community_weights = {
        g: w
        for g, w in P.COMMUNITY_GROUPS.get(territory_slug, P.COMMUNITY_GROUPS["antioquia"]).items()
        if g in versions
    }
    company_weights = {g: w for g, w in P.COMPANY_GROUPS.items() if g in versions}
    opens = consultation.opens_on or utctoday()
    days = max(0, min(14, (utctoday() - opens).days))
    meeting, companies = _community_link(consultation), _company_link(consultation)
    meeting_room = (meeting.max_uses or 10**6) - meeting.use_count if meeting else 0
    company_room = min(3, (companies.max_uses or 10**6) - companies.use_count) if companies else 0
    # A second stream for what was added later (own forms, collectives, comments): the first stays as it was.
    extra = Draw(f"{SEED}:{consultation.slug}:extras")
    items: list[NewResponse] = []
    for index in range(count):
        is_company = company_weights and draw.chance(P.COMPANY_SHARE)
        group = draw.one(company_weights) if is_company else draw.one(community_weights)
        version, instrument = versions[group]
        area, locality = generator.place()
        if X.is_own_form(instrument, FORM_ID):
            answers = X.own_form(extra, instrument, group)
        elif is_company:
            answers = generator.company(instrument, group, area, locality)
            comment = X.company_comment(extra) if instrument.has_question("F2") else None
            if comment:
                answers["F2"] = comment
        else:
            answers = generator.community(instrument, group, area, locality)
        mode = (
            EntryMode(draw.one(P.ENTRY_MODES.get(group, P.ENTRY_MODES["default"])))
            if not is_company
            else EntryMode.ONLINE
        )
        invitation = None
        if (
            group == "rural_community"
            and meeting
            and meeting_room > 0
            and mode == EntryMode.ONLINE
            and draw.chance(0.5)
        ):
            invitation, meeting_room = meeting, meeting_room - 1
        elif group == "company_large" and companies and company_room > 0:
            invitation, company_room = companies, company_room - 1
        language = _language(draw, consultation, territory_slug, group, area)
        if X.is_own_form(instrument, FORM_ID) and language not in instrument.languages:
            language = instrument.fallback_language
        item = _item(
            consultation,
            index,
            version,
            group,
            language,
            mode,
            answers,
            opens + timedelta(days=draw.rng.randint(0, days)),
            invitation,
        )
        item.is_collective, item.mandate_reference, item.people_represented = X.collective(extra, group)
        if X.is_own_form(instrument, FORM_ID) and locality is not None:
            item.locality_id = locality.id  # the own form does not ask the place: the facilitator's stack says it
        items.append(item)
    if territory_slug == "antioquia" and meeting and meeting_room >= BURST and "rural_community" in versions:
        version, instrument = versions["rural_community"]
        place = next((loc for loc in consultation.territory.localities if loc.area == "Nordeste"), None)
        for offset in range(BURST):
            items.append(
                _item(
                    consultation,
                    count + offset,
                    version,
                    "rural_community",
                    "es",
                    EntryMode.ONLINE,
                    generator.burst(instrument, place),
                    opens + timedelta(days=min(6, days)),
                    meeting,
                )
            )
    return items


def _item(consultation, index, version, group, language, mode, answers, day: date, invitation) -> NewResponse:
    token = submission_token(consultation.slug, index)
    return NewResponse(
        version=version,
        group_code=group,
        language=language,
        entry_mode=mode,
        answers=answers,
        submission_key=hash_token(token),
        receipt_code_hash=hash_code(receipt_code_for(token)),
        invitation_id=invitation.id if invitation else None,
        organisation_id=invitation.organisation_id if invitation else None,
        submitted_on=min(day, utctoday()),
    )
