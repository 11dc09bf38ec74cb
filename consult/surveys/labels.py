"""The domain vocabulary of DESIGN.md: stable snake_case codes with translated labels.

Codes never change (answers, analysis and exports use them); labels are lazy
gettext strings, so they show in the language of the request. The severity and
UNGP 31 wordings are written for a community member, not a lawyer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

STAKEHOLDER_GROUPS = {
    "company_large": _l("Large company"),
    "company_sme": _l("Small or medium-sized company"),
    "state_owned_company": _l("State-owned company"),
    "business_association": _l("Business association"),
    "trade_union": _l("Trade union"),
    "cso": _l("Civil society organisation"),
    "indigenous_people": _l("Indigenous people"),
    "afro_descendant": _l("Afro-descendant people"),
    "rural_community": _l("Rural or farming community"),
    "womens_organisation": _l("Women's organisation"),
    "human_rights_defender": _l("Human rights defender"),
    "academia": _l("University or research centre"),
    "public_entity": _l("Public entity"),
    "international_cooperation": _l("International cooperation"),
}

RIGHTS = {
    "working_conditions": _l("Working conditions"),
    "forced_labour": _l("Forced labour and trafficking"),
    "child_labour": _l("Child labour"),
    "occupational_safety": _l("Safety and health at work"),
    "freedom_of_association": _l("Freedom to form unions and bargain collectively"),
    "non_discrimination": _l("Discrimination, gender and harassment"),
    "land_housing": _l("Land, territory, housing and displacement"),
    "water_sanitation": _l("Water and sanitation"),
    "environment_health": _l("A healthy environment and health"),
    "indigenous_rights": _l("Indigenous rights and free, prior and informed consent"),
    "defenders_civic_space": _l("Safety of human rights defenders and freedom to speak up"),
    "security_forces": _l("Abuses by security forces"),
    "privacy_data": _l("Privacy and personal data"),
    "consumer_rights": _l("Consumer rights"),
    "corruption": _l("Harm linked to corruption"),
    "conflict_peace": _l("Armed conflict and peace-building"),
}

SECTORS = {
    "mining": _l("Mining and extractives"),
    "oil_gas": _l("Oil and gas"),
    "agro_industry": _l("Agro-industry"),
    "energy": _l("Energy, including renewables"),
    "infrastructure": _l("Infrastructure and public works"),
    "utilities": _l("Public services such as water and electricity"),
    "construction": _l("Construction"),
    "textiles": _l("Textiles and clothing"),
    "tourism": _l("Tourism"),
    "finance": _l("Banks and finance"),
    "private_security": _l("Private security"),
    "logging": _l("Logging"),
    "ict": _l("Telecommunications and technology"),
    "public_procurement": _l("Public purchasing and contracts"),
}

INVOLVEMENT = {
    "causes": _l("The company causes the harm"),
    "contributes": _l("The company contributes to the harm"),
    "directly_linked": _l("The harm is linked to the company's products, services or business partners"),
    "unknown": _l("Not known"),
}

SEVERITY_PARTS = ("scale", "scope", "irremediability", "likelihood")

# The question each part asks, in plain words.
SEVERITY_QUESTIONS = {
    "scale": _l("How serious is the harm?"),
    "scope": _l("How many people does it affect?"),
    "irremediability": _l("Can the harm be put right?"),
    "likelihood": _l("How likely is it to happen?"),
}

SEVERITY_LABELS: dict[str, dict[int, Any]] = {
    "scale": {
        1: _l("1 – Small: a nuisance"),
        2: _l("2 – Moderate: it hurts, but people manage"),
        3: _l("3 – Serious: it harms health, income or daily life"),
        4: _l("4 – Very serious: lasting harm to health, livelihood or dignity"),
        5: _l("5 – Extremely serious: it puts life, freedom or physical safety at risk"),
    },
    "scope": {
        1: _l("1 – One person or a few people"),
        2: _l("2 – A family or a small group"),
        3: _l("3 – Part of the community"),
        4: _l("4 – Most of the community"),
        5: _l("5 – Several communities or the whole area"),
    },
    "irremediability": {
        1: _l("1 – It can be fully put right, easily"),
        2: _l("2 – It can be put right with some effort"),
        3: _l("3 – Hard to put right: some harm will remain"),
        4: _l("4 – Very hard to put right: much harm will remain"),
        5: _l("5 – It can never be put right (for example, a death)"),
    },
    "likelihood": {
        1: _l("1 – Rare: it is unlikely to happen"),
        2: _l("2 – It could happen"),
        3: _l("3 – It will probably happen"),
        4: _l("4 – It is very likely to happen"),
        5: _l("5 – It is happening now"),
    },
}

LIKELIHOOD = {
    "rare": _l("Rare"),
    "possible": _l("Possible"),
    "likely": _l("Likely"),
    "very_likely": _l("Very likely"),
    "occurring": _l("Happening now"),
}

UNGP31_CRITERIA = (
    "legitimate",
    "accessible",
    "predictable",
    "equitable",
    "transparent",
    "rights_compatible",
    "continuous_learning",
    "engagement",
)

# Short names, for analysis tables and exports.
UNGP31_NAMES = {
    "legitimate": _l("Legitimate"),
    "accessible": _l("Accessible"),
    "predictable": _l("Predictable"),
    "equitable": _l("Equitable"),
    "transparent": _l("Transparent"),
    "rights_compatible": _l("Rights-compatible"),
    "continuous_learning": _l("A source of continuous learning"),
    "engagement": _l("Based on engagement and dialogue"),
}

# The questions a respondent reads.
UNGP31_QUESTIONS = {
    "legitimate": _l("Do people trust this mechanism, and does it treat everyone who uses it fairly?"),
    "accessible": _l(
        "Could the people who needed it find it and use it, whatever their language, money, distance or fear?"
    ),
    "predictable": _l("Was it clear what steps it follows and how long each step takes?"),
    "equitable": _l("Did people get the information, advice and support they needed to take part on equal terms?"),
    "transparent": _l("Were people kept informed about how their case was going?"),
    "rights_compatible": _l("Did the result respect people's human rights?"),
    "continuous_learning": _l("Does it learn from each case to stop the harm happening again?"),
    "engagement": _l("Was it designed and run together with the people it serves, through dialogue?"),
}

UNGP31_ANSWERS = {
    "yes": _l("Yes"),
    "partly": _l("Partly"),
    "no": _l("No"),
    "dont_know": _l("I don't know"),
}

MECHANISM_TYPES = {
    "state_judicial": _l("Courts and judges"),
    "oecd_ncp": _l("OECD National Contact Point"),
    "ombudsman_nhri": _l("Ombudsman's office (Defensoría) or national human rights institution"),
    "labour_inspection": _l("Labour inspection"),
    "other_state_agency": _l("Another state agency (environment, consumer or data protection)"),
    "company_grievance": _l("The company's own complaints mechanism"),
    "multi_stakeholder": _l("An industry or multi-stakeholder mechanism"),
    "dfi_accountability": _l(
        "Complaints office of a development bank (for example IFC CAO, World Bank Inspection Panel, IDB MICI)"
    ),
    "community_justice": _l("Community or indigenous justice"),
    "international_bodies": _l("Regional or international bodies"),
    "media_advocacy": _l("Media and advocacy"),
}

OUTCOMES = {
    "apology": _l("An apology"),
    "restitution": _l("Things were restored as they were"),
    "rehabilitation": _l("Care or rehabilitation"),
    "financial_compensation": _l("Compensation in money"),
    "non_financial_compensation": _l("Compensation other than money"),
    "sanctions": _l("Sanctions for those responsible"),
    "injunction": _l("An order to stop the harm"),
    "non_repetition": _l("A guarantee that it will not happen again"),
    "none": _l("Nothing"),
    "pending": _l("Still waiting"),
    "agreement_not_honoured": _l("An agreement that was not kept"),
}

BARRIERS = {
    "unaware": _l("Did not know the mechanism existed"),
    "language": _l("Language"),
    "literacy": _l("Reading and writing"),
    "cost": _l("Cost"),
    "distance": _l("Distance"),
    "fear_of_reprisal": _l("Fear of reprisals"),
    "legal_fees": _l("Lawyers' fees"),
    "legal_standing": _l("Not allowed to bring the case"),
    "corporate_structure": _l("Hard to know which company is responsible"),
    "slapp": _l("Lawsuits or legal threats to silence people"),
    "corruption": _l("Corruption"),
    "lack_of_information": _l("Lack of information"),
    "delay": _l("It takes too long"),
    "distrust": _l("Distrust"),
    "gendered_barriers": _l("Barriers faced by women and gender-diverse people"),
}

FORCED_LABOUR_INDICATORS = {
    "abuse_of_vulnerability": _l("Taking advantage of people's hardship or weakness"),
    "deception": _l("Lies about the job, the pay or the conditions"),
    "restriction_of_movement": _l("Not being allowed to leave the workplace or the lodging"),
    "isolation": _l("Being kept isolated, far from others"),
    "physical_sexual_violence": _l("Physical or sexual violence"),
    "intimidation_threats": _l("Intimidation and threats"),
    "retention_of_documents": _l("Identity papers kept by the employer"),
    "withholding_of_wages": _l("Wages held back or not paid"),
    "debt_bondage": _l("Debts that bind people to the job"),
    "abusive_conditions": _l("Abusive working or living conditions"),
    "excessive_overtime": _l("Excessive overtime"),
}

# Respondent attributes (the "about you" questions), for ``attribute:*`` concepts.
GENDERS = {
    "woman": _l("Woman"),
    "man": _l("Man"),
    "another_identity": _l("Another identity"),
    "prefer_not": _l("Prefers not to say"),
}

AGE_BANDS = {
    "under_18": _l("Under 18"),
    "age_18_29": _l("18 to 29"),
    "age_30_44": _l("30 to 44"),
    "age_45_59": _l("45 to 59"),
    "age_60_plus": _l("60 or more"),
    "prefer_not": _l("Prefers not to say"),
}

YES_NO = {
    "yes": _l("Yes"),
    "no": _l("No"),
    "prefer_not": _l("Prefers not to say"),
}

ETHNICITIES = {
    "indigenous": _l("Indigenous"),
    "afro_descendant": _l("Afro-descendant"),
    "rom": _l("Rom (Roma)"),
    "none": _l("None of these peoples"),
    "prefer_not": _l("Prefers not to say"),
}

REPRISAL_ANSWERS = {
    "yes": _l("Yes"),
    "no": _l("No"),
    "dont_know": _l("Does not know"),
    "prefer_not": _l("Prefers not to say"),
}

# Every vocabulary by name, for definitions and importers that refer to one.
VOCABULARIES: dict[str, Mapping[str, Any]] = {
    "stakeholder_groups": STAKEHOLDER_GROUPS,
    "rights": RIGHTS,
    "sectors": SECTORS,
    "involvement": INVOLVEMENT,
    "likelihood": LIKELIHOOD,
    "ungp31_answers": UNGP31_ANSWERS,
    "mechanism_types": MECHANISM_TYPES,
    "outcomes": OUTCOMES,
    "barriers": BARRIERS,
    "forced_labour_indicators": FORCED_LABOUR_INDICATORS,
    "genders": GENDERS,
    "age_bands": AGE_BANDS,
    "yes_no": YES_NO,
    "ethnicities": ETHNICITIES,
    "reprisal_answers": REPRISAL_ANSWERS,
}

URGENT_FROM = 4


def _score(value: Mapping[str, Any], part: str) -> int | None:
    score = value.get(part)
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        return None
    return score


def severity_of(value: Any) -> int | None:
    """``max(scale, scope, irremediability)`` of a severity answer; ``None`` if none is scored.

    Likelihood is not part of severity: it only breaks ties between issues.
    """
    if not isinstance(value, Mapping):
        return None
    scores = [s for s in (_score(value, p) for p in ("scale", "scope", "irremediability")) if s is not None]
    return max(scores) if scores else None


def is_urgent(value: Any) -> bool:
    """Severity ≥ 4 or irremediability ≥ 4 marks an issue urgent."""
    if not isinstance(value, Mapping):
        return False
    severity = severity_of(value)
    irremediability = _score(value, "irremediability")
    return (severity or 0) >= URGENT_FROM or (irremediability or 0) >= URGENT_FROM


# -- concepts -----------------------------------------------------------------------------------
# What a question measures, so analysis finds "the rights harmed" or "the main mechanism" by
# meaning in any instrument (built-in, JSON or XLSForm), never by a question key.

CONCEPTS = {
    "right": _l("Rights harmed or at risk"),
    "main_right": _l("Main harm"),
    "sector": _l("Sector"),
    "involvement": _l("Company involvement in the harm"),
    "severity": _l("Severity"),
    "severity:scale": _l("Severity: how serious"),
    "severity:scope": _l("Severity: how many people"),
    "severity:irremediability": _l("Severity: how hard to put right"),
    "severity:likelihood": _l("Severity: how likely"),
    "mechanism": _l("Remedy mechanisms used"),
    "main_mechanism": _l("Main remedy mechanism"),
    "outcome": _l("Remedy outcomes"),
    "barrier": _l("Barriers to remedy"),
    "ungp31": _l("Rating of the main mechanism (UNGP 31)"),
    "remedy_time": _l("Months from complaint to answer"),
    "remedy_fairness": _l("How fair or complete the remedy was"),
    "reprisal": _l("Reprisals"),
    "group": _l("Stakeholder group"),
    "locality": _l("Place"),
    "attribute:gender": _l("Gender"),
    "attribute:age_band": _l("Age"),
    "attribute:disability": _l("Disability"),
    "attribute:migrant": _l("Migrant"),
    "attribute:ethnicity": _l("Ethnic or cultural identity"),
}

# The options of a question with one of these concepts stand for codes of this vocabulary.
CONCEPT_VOCABULARIES: dict[str, Mapping[str, Any]] = {
    "right": RIGHTS,
    "main_right": RIGHTS,
    "sector": SECTORS,
    "involvement": INVOLVEMENT,
    "mechanism": MECHANISM_TYPES,
    "main_mechanism": MECHANISM_TYPES,
    "outcome": OUTCOMES,
    "barrier": BARRIERS,
    "reprisal": REPRISAL_ANSWERS,
    "group": STAKEHOLDER_GROUPS,
    "attribute:gender": GENDERS,
    "attribute:age_band": AGE_BANDS,
    "attribute:disability": YES_NO,
    "attribute:migrant": YES_NO,
    "attribute:ethnicity": ETHNICITIES,
}


def split_concept(concept: str) -> tuple[str, str | None]:
    """``"ungp31:company_grievance"`` → ``("ungp31", "company_grievance")``; ``"right"`` → ``("right", None)``."""
    kind, _, detail = concept.partition(":")
    return kind, (detail or None)


def is_known_concept(concept: Any) -> bool:
    """Whether ``concept`` is a concept code: one of ``CONCEPTS`` or ``ungp31:<mechanism type>``."""
    if not isinstance(concept, str):
        return False
    if concept in CONCEPTS:
        return True
    kind, detail = split_concept(concept)
    return kind == "ungp31" and detail in MECHANISM_TYPES


def concept_vocabulary(concept: str | None) -> Mapping[str, Any] | None:
    """The vocabulary (code → lazy label) the options of a question with ``concept`` stand for.

    ``None`` for concepts whose answers are not options (severity, UNGP 31,
    remedy time and fairness, locality) and for unknown concepts.
    """
    if concept is None:
        return None
    return CONCEPT_VOCABULARIES.get(concept)


def concept_label(concept: str) -> Any:
    """The translated name of a concept (``ungp31:company_grievance`` names its mechanism)."""
    if concept in CONCEPTS:
        return CONCEPTS[concept]
    kind, detail = split_concept(concept)
    if kind == "ungp31" and detail in MECHANISM_TYPES:
        return _l("Rating of a mechanism (UNGP 31): %(mechanism)s", mechanism=MECHANISM_TYPES[detail])
    return concept
