"""Invented remedy testimonies for the demo, the same every time (a fixed seed per consultation).

Each goes through the real intake (a draft sealed, then sent), so it is
encrypted, its consents are recorded and, when the person allows counting it,
its structured rows are stored like any testimony's. Answers follow the
built-in remedy testimony's paths: the place people complained (or
"nowhere", and then why not), what they got, how long it took, how they rate
the main mechanism against the UNGP 31 criteria, the affected group (B3)
and, sometimes, the person's gender. Nothing describes a real person or company.
"""

from __future__ import annotations

import random
from typing import Any

from consult.accounts.models import Organisation
from consult.responses.models import Consultation
from consult.testimonies import intake

SEED = 20260402
STATE_MECHANISMS = ("state_judicial", "ombudsman_nhri", "labour_inspection", "other_state_agency", "community_justice")
UNGP31 = (
    "legitimate",
    "accessible",
    "predictable",
    "equitable",
    "transparent",
    "rights_compatible",
    "continuous_learning",
)
STORIES = [
    "Desde que llegó la mina, el agua de la quebrada baja sucia y ya no se puede usar para cocinar.",
    "Nos sacaron de la finca donde vivíamos hace veinte años para hacer la vía y no nos pagaron lo prometido.",
    "Cuando formamos el sindicato, despidieron a los que firmamos el acta.",
    "Las fumigaciones del cultivo nos enferman a los niños y a los mayores.",
    "A mi hermano lo amenazaron por denunciar el relleno del humedal.",
    "Trabajamos doce horas diarias en la planta sin pago de horas extras.",
    "La represa inundó el camino y las parcelas, y la empresa dice que no es su responsabilidad.",
    "En la empresa de vigilancia nos obligaban a firmar renuncias en blanco.",
]
GROUPS = {
    "indigenous_people": 4,
    "afro_descendant": 3,
    "rural_community": 5,
    "trade_union": 3,
    "womens_organisation": 2,
    "human_rights_defender": 2,
    "cso": 1,
}
RIGHTS = {
    "water_sanitation": 5,
    "environment_health": 5,
    "land_housing": 4,
    "working_conditions": 4,
    "indigenous_rights": 3,
    "freedom_of_association": 2,
    "defenders_civic_space": 2,
    "occupational_safety": 2,
    "security_forces": 1,
}
SECTORS = {"mining": 5, "agro_industry": 4, "energy": 3, "infrastructure": 2, "oil_gas": 1, "private_security": 1}
MECHANISMS = {
    "company_grievance": 6,
    "ombudsman_nhri": 4,
    "labour_inspection": 4,
    "state_judicial": 3,
    "community_justice": 1,
    "other_state_agency": 2,
    "media_advocacy": 1,
}
OUTCOMES = {
    "pending": 6,
    "none": 5,
    "agreement_not_honoured": 3,
    "financial_compensation": 2,
    "apology": 2,
    "restitution": 1,
    "sanctions": 1,
    "non_repetition": 1,
}
BARRIERS = {
    "fear_of_reprisal": 5,
    "distrust": 4,
    "unaware": 4,
    "distance": 3,
    "cost": 2,
    "lack_of_information": 3,
    "language": 1,
    "gendered_barriers": 2,
}
WISHES = [
    "Que reparen el daño y que nos consulten antes.",
    "Que la empresa reconozca lo que pasó.",
    "Que alguien del gobierno venga a ver.",
    "Que nos devuelvan la tierra.",
]


class _Draw:
    def __init__(self, seed: str) -> None:
        self.rng = random.Random(seed)

    def one(self, weights: dict[str, float]) -> str:
        keys = list(weights)
        return self.rng.choices(keys, weights=[weights[k] for k in keys])[0]

    def some(self, weights: dict[str, float], low: int, high: int) -> list[str]:
        pool, chosen = dict(weights), []
        for _ in range(min(self.rng.randint(low, high), len(pool))):
            chosen.append(self.one(pool))
            pool.pop(chosen[-1])
        return chosen

    def chance(self, p: float) -> bool:
        return self.rng.random() < p


def _ordered(options: tuple[str, ...], chosen: list[str]) -> list[str]:
    return sorted(chosen, key=options.index)


def story(d: _Draw, localities: list[dict[str, str]]) -> dict[str, Any]:
    """One invented testimony's answers (the built-in remedy testimony's keys)."""
    consent = ["aggregate"] + (["quote"] if d.chance(0.6) else [])
    group = d.one(GROUPS)
    answers: dict[str, Any] = {
        "A1": consent,
        "B1": d.one({"community": 5, "self": 4, "family": 1}),
        "B3": group,
        "C1": d.one({"still_happening": 5, "period_ended": 3, "one_day": 1}),
    }
    if answers["B1"] == "community":
        answers["B2"] = d.rng.randint(15, 600)
    if d.chance(0.65):
        answers["B4"] = d.one({"woman": 50, "man": 42, "another_identity": 2, "prefer_not": 6})
    if localities:
        answers["C5"] = d.rng.choice(localities)
    answers["D1"] = d.rng.choice(STORIES)
    answers["D2"] = d.some(RIGHTS, 1, 3)
    answers["D4"] = d.one(SECTORS)
    answers["D5"] = d.one({"causes": 6, "contributes": 2, "directly_linked": 1, "unknown": 2})
    answers["D6"] = {
        "scale": d.rng.randint(3, 5),
        "scope": d.rng.randint(2, 5),
        "irremediability": d.rng.randint(2, 5),
        "likelihood": d.rng.randint(2, 5),
    }
    if d.chance(0.25):
        answers["E1"] = ["nowhere"]
        answers["E2"] = d.some(BARRIERS, 1, 3)
    else:
        used = d.some(MECHANISMS, 1, 2)
        answers["E1"] = used
        main = used[0]
        answers["E3"] = d.some(OUTCOMES, 1, 2)
        answers["E4"] = d.rng.randint(1, 36)
        answers["E5"] = main
        rating = {c: d.one({"yes": 2, "partly": 3, "no": 4, "dont_know": 1}) for c in UNGP31}
        if main == "company_grievance":
            answers["E7"] = {**rating, "engagement": d.one({"yes": 1, "partly": 2, "no": 4})}
        else:
            answers["E6"] = rating
        answers["E8"] = d.rng.randint(1, 4)
    answers["F1"] = d.one({"no": 6, "yes": 3, "prefer_not": 1})
    if answers["F1"] == "yes":
        answers["F3"] = d.some({"threats": 5, "stigmatisation": 3, "job_loss": 2, "surveillance": 1}, 1, 2)
    answers["F4"] = d.rng.choice(WISHES)
    return answers


def _tidy(version, answers: dict[str, Any]) -> dict[str, Any]:
    instrument = version.parsed()
    for key, value in answers.items():
        if isinstance(value, list):
            answers[key] = _ordered(tuple(instrument.question(key).option_values), value)
    return {k: v for k, v in answers.items() if instrument.has_question(k)}


def add_testimonies(
    consultation: Consultation, stories: list[dict[str, Any]], count: int, cso: Organisation | None
) -> int:
    """Send ``stories`` (scripted) and ``count`` invented testimonies through the real intake; returns how many."""
    version = intake.testimony_version(consultation)
    if version is None:
        return 0
    d = _Draw(f"{SEED}:{consultation.slug}")
    places = [
        {"locality": loc.code, **({"area": loc.area} if loc.area else {})} for loc in consultation.territory.localities
    ]
    everything = list(stories) + [story(d, places[:60]) for _ in range(count)]
    for number, answers in enumerate(everything):
        by_cso = (
            cso if (number % 4 == 0 and cso is not None and cso.territory_id == consultation.territory_id) else None
        )
        draft, token = intake.start_draft(consultation, version, "es", by_cso)
        notes = {
            "on_behalf_of": "community",
            "people_count": 80,
            "notes": "Contacto a través de la junta de acción comunal.",
        }
        intake.save_draft(draft, {"answers": _tidy(version, answers), "cso": notes if by_cso else None})
        intake.submit_draft(draft, token, lang="es")
    return len(everything)
