"""More of the synthetic demo answers: an official's own XLSForm, collective answers, words in people's own voice.

Drawn from a second seeded generator per consultation (``extras_draw``), so
adding them left the answers to the built-in instruments exactly as they were.
The own-form answers use the workbook's own option names (``agua``,
``sindicato``…); its ``concept`` columns make them meet the built-in
instruments' codes in analysis.
"""

from __future__ import annotations

from typing import Any

from consult.surveys.engine import Instrument

#: The official's own form's option names for the rights its people name most, by group (weights).
OWN_FORM_RIGHTS = {
    "trade_union": {
        "trabajo": 8,
        "sindicato": 7,
        "seguridad_laboral": 6,
        "amenazas": 3,
        "discriminacion": 2,
        "agua": 1,
    },
    "womens_organisation": {
        "discriminacion": 7,
        "trabajo": 6,
        "agua": 4,
        "tierra": 3,
        "amenazas": 2,
        "seguridad_laboral": 2,
    },
}
OWN_FORM_SECTORS = {
    "mineria": 5,
    "agroindustria": 6,
    "energia": 2,
    "confecciones": 4,
    "construccion": 3,
    "otro_sector": 1,
}
OWN_FORM_MECHANISMS = {"inspeccion": 6, "queja_empresa": 4, "defensoria": 3, "juez": 2, "ninguna_parte": 4}
OWN_FORM_OUTCOMES = {"esperando": 6, "nada": 5, "pago": 3, "sancion": 1, "disculpa": 1}
OWN_FORM_PROPOSALS = [
    "Que el Ministerio del Trabajo haga inspecciones sin avisar en las fincas bananeras.",
    "Que protejan a los dirigentes sindicales amenazados.",
    "Un protocolo contra el acoso sexual en las empresas de confecciones.",
    "Que las empresas paguen las horas extras y respeten la jornada.",
    "Guarderías para las trabajadoras de las flores.",
    "Mesas de diálogo entre sindicatos, empresas y la Gobernación.",
    "Que el agua de las veredas no se la lleve la mina.",
    "Igual salario para las mujeres que hacen el mismo trabajo.",
]
COMPANY_COMMENTS = [
    "Necesitamos una guía práctica para hacer debida diligencia en una empresa pequeña.",
    "Nos gustaría capacitación para los contratistas sobre seguridad en el trabajo.",
    "La Gobernación debería aclarar qué se espera de los proveedores.",
    "Tenemos un canal de quejas pero casi nadie de la comunidad lo usa.",
    "Pedimos espacios de diálogo con las comunidades antes de ampliar operaciones.",
    "La inspección laboral llega tarde; preferimos acompañamiento preventivo.",
]
#: Groups that sometimes answer as a collective (an assembly, a union, a council), and how often.
COLLECTIVE = {
    "indigenous_people": 0.12,
    "afro_descendant": 0.1,
    "rural_community": 0.05,
    "trade_union": 0.15,
    "cso": 0.1,
}
MANDATES = {
    "indigenous_people": "Acta de la asamblea del cabildo",
    "afro_descendant": "Acta del consejo comunitario",
    "rural_community": "Acta de la junta de acción comunal",
    "trade_union": "Resolución de la junta directiva del sindicato",
    "cso": "Acta de la asamblea de asociados",
}


def is_own_form(instrument: Instrument, form_id: str) -> bool:
    """True for the official's XLSForm instrument."""
    return instrument.key == form_id


def own_form(draw, instrument: Instrument, group: str) -> dict[str, Any]:
    """Answers to the official's XLSForm, in its own option names, as a union or women's organisation gives them."""
    answers: dict[str, Any] = {"sector_empresa": draw.some(OWN_FORM_SECTORS, 1, 2)}
    if draw.chance(0.08):
        answers["derechos"] = ["ninguno"]
    else:
        rights = draw.some(OWN_FORM_RIGHTS.get(group, OWN_FORM_RIGHTS["trade_union"]), 1, 3)
        answers["derechos"] = rights
        answers["derecho_principal"] = rights[0]
        answers["gravedad"] = draw.rng.randint(2, 5)
        answers["probabilidad"] = draw.rng.randint(2, 5)
        mechanisms = (
            ["ninguna_parte"]
            if draw.chance(0.3)
            else draw.some({k: w for k, w in OWN_FORM_MECHANISMS.items() if k != "ninguna_parte"}, 1, 2)
        )
        answers["mecanismos"] = mechanisms
        if mechanisms != ["ninguna_parte"]:
            answers["resultados"] = [draw.one(OWN_FORM_OUTCOMES)]
            answers["meses"] = draw.rng.randint(1, 30)
    if draw.chance(0.9):
        weights = (
            {"mujer": 80, "hombre": 15, "prefiero_no": 5}
            if group == "womens_organisation"
            else {"hombre": 55, "mujer": 40, "otra": 1, "prefiero_no": 4}
        )
        answers["genero"] = draw.one(weights)
    if draw.chance(0.6):
        answers["propuesta"] = draw.rng.choice(OWN_FORM_PROPOSALS)
    return _in_order(instrument, answers)


def company_comment(draw) -> str | None:
    """Sometimes, what a company adds in its own words (the self-assessment's last question)."""
    return draw.rng.choice(COMPANY_COMMENTS) if draw.chance(0.45) else None


def collective(draw, group: str) -> tuple[bool, str | None, int | None]:
    """Whether the answer is a collective's: ``(is_collective, mandate, people represented)``."""
    if not draw.chance(COLLECTIVE.get(group, 0)):
        return False, None, None
    return True, MANDATES[group], draw.rng.randint(25, 400)


def _in_order(instrument: Instrument, answers: dict[str, Any]) -> dict[str, Any]:
    for key, value in answers.items():
        if isinstance(value, list):
            order = list(instrument.question(key).option_values)
            value.sort(key=order.index)
    return {k: v for k, v in answers.items() if instrument.has_question(k)}
