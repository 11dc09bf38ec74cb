"""What the synthetic demo answers look like: who answers where, which businesses, which harms (data only).

The weights are invented but plausible, after the public record of each
territory: gold mining in Antioquia's Nordeste and Bajo Cauca, bananas in
Urabá, hydropower in the Oriente, oil in the Magdalena Medio, textiles and
construction in the Valle de Aburrá; in Salta, tobacco and sugar
agro-industry in the Valle de Lerma, lithium in the Puna, oil, soy and
logging in the Chaco, wine and tourism in the Valles Calchaquíes.
Communities see more harm than companies report, and indigenous and
Afro-descendant peoples are the least often consulted.
"""

from __future__ import annotations

#: Responses per demo consultation.
RESPONSES = {"riesgos-antioquia-2026": 240, "riesgos-salta-2026": 190}

#: Where people answer from (area weights) and which businesses they live with there (sector weights).
AREAS = {
    "antioquia": {
        "Nordeste": (4, {"mining": 8, "private_security": 2, "logging": 1, "energy": 1}),
        "Bajo Cauca": (4, {"mining": 8, "agro_industry": 2, "private_security": 2, "logging": 1}),
        "Urabá": (3, {"agro_industry": 7, "infrastructure": 2, "private_security": 1}),
        "Oriente": (2, {"energy": 6, "infrastructure": 2, "construction": 1, "tourism": 1}),
        "Valle de Aburrá": (2, {"construction": 4, "textiles": 4, "utilities": 2, "finance": 1, "ict": 1}),
        "Suroeste": (1, {"agro_industry": 4, "mining": 3, "energy": 1}),
        "Norte": (1, {"energy": 4, "agro_industry": 2, "mining": 1}),
        "Occidente": (1, {"mining": 3, "tourism": 2, "infrastructure": 2}),
        "Magdalena Medio": (1, {"oil_gas": 6, "agro_industry": 1, "mining": 1}),
    },
    "salta": {
        "Valle de Lerma": (4, {"agro_industry": 8, "construction": 1, "tourism": 1}),
        "Norte y Chaco salteño": (3, {"oil_gas": 4, "agro_industry": 4, "logging": 4}),
        "Puna": (2, {"mining": 8, "energy": 1}),
        "Valles Calchaquíes": (2, {"tourism": 4, "agro_industry": 4, "mining": 1}),
        "Sur": (1, {"agro_industry": 4, "energy": 1}),
        "Anta": (1, {"agro_industry": 5, "logging": 4}),
    },
}

#: Community groups answering the community survey, by territory (weights).
COMMUNITY_GROUPS = {
    "antioquia": {
        "rural_community": 30,
        "afro_descendant": 18,
        "indigenous_people": 12,
        "trade_union": 9,
        "womens_organisation": 9,
        "cso": 8,
        "human_rights_defender": 6,
    },
    "salta": {
        "rural_community": 30,
        "indigenous_people": 26,
        "afro_descendant": 1,
        "trade_union": 10,
        "womens_organisation": 9,
        "cso": 8,
        "human_rights_defender": 5,
    },
}
#: Share of company answers (self-assessment) among all answers, and large vs small.
COMPANY_SHARE = 0.1
COMPANY_GROUPS = {"company_large": 2, "company_sme": 3}

#: How likely a person of each group is to report some harm (the rest tick "none").
HARM = {
    "indigenous_people": 0.93,
    "afro_descendant": 0.9,
    "rural_community": 0.84,
    "human_rights_defender": 0.96,
    "trade_union": 0.9,
    "womens_organisation": 0.86,
    "cso": 0.9,
}

#: Rights that each kind of business puts at risk, as communities see it.
SECTOR_RIGHTS = {
    "mining": {
        "water_sanitation": 6,
        "environment_health": 6,
        "land_housing": 3,
        "occupational_safety": 3,
        "security_forces": 2,
        "defenders_civic_space": 2,
        "child_labour": 1,
        "forced_labour": 1,
        "conflict_peace": 2,
        "indigenous_rights": 2,
        "corruption": 1,
    },
    "agro_industry": {
        "working_conditions": 5,
        "land_housing": 4,
        "water_sanitation": 3,
        "environment_health": 4,
        "child_labour": 2,
        "forced_labour": 2,
        "freedom_of_association": 2,
        "indigenous_rights": 2,
    },
    "oil_gas": {
        "environment_health": 5,
        "water_sanitation": 3,
        "land_housing": 3,
        "security_forces": 2,
        "indigenous_rights": 2,
        "defenders_civic_space": 1,
    },
    "energy": {
        "land_housing": 5,
        "water_sanitation": 3,
        "indigenous_rights": 3,
        "defenders_civic_space": 2,
        "environment_health": 2,
    },
    "logging": {"land_housing": 4, "indigenous_rights": 5, "environment_health": 4, "forced_labour": 1},
    "textiles": {"working_conditions": 6, "non_discrimination": 3, "freedom_of_association": 3, "forced_labour": 1},
    "construction": {"occupational_safety": 5, "working_conditions": 3, "land_housing": 2},
    "tourism": {"land_housing": 2, "working_conditions": 3, "environment_health": 2, "water_sanitation": 2},
    "infrastructure": {"land_housing": 5, "environment_health": 2, "corruption": 2},
    "private_security": {"security_forces": 5, "defenders_civic_space": 3},
    "utilities": {"consumer_rights": 5, "water_sanitation": 3, "privacy_data": 1},
    "finance": {"consumer_rights": 4, "privacy_data": 3},
    "ict": {"privacy_data": 5, "consumer_rights": 2},
}

#: What people most want the plan to do, given a harm they named.
RIGHT_PRIORITIES = {
    "water_sanitation": "protect_water_environment",
    "environment_health": "protect_water_environment",
    "land_housing": "protect_land",
    "indigenous_rights": "consult_communities",
    "working_conditions": "decent_work",
    "occupational_safety": "decent_work",
    "freedom_of_association": "decent_work",
    "child_labour": "protect_vulnerable",
    "forced_labour": "decent_work",
    "defenders_civic_space": "protect_defenders",
    "security_forces": "control_security",
    "non_discrimination": "protect_vulnerable",
    "consumer_rights": "information",
    "privacy_data": "information",
    "corruption": "control_companies",
    "conflict_peace": "repair_victims",
}

#: Was the community asked before a project started (weights), by group.
CONSULTED = {
    "indigenous_people": {
        "no": 40,
        "informed_only": 25,
        "yes_not_listened": 20,
        "yes_listened": 5,
        "no_project": 3,
        "dont_know": 7,
    },
    "afro_descendant": {
        "no": 35,
        "informed_only": 25,
        "yes_not_listened": 20,
        "yes_listened": 7,
        "no_project": 3,
        "dont_know": 10,
    },
    "default": {
        "no": 25,
        "informed_only": 20,
        "yes_not_listened": 15,
        "yes_listened": 12,
        "no_project": 10,
        "dont_know": 18,
    },
}

#: Content languages people answer in (weights). Salta's Quechua (Kolla) and Guaraní speakers live in given areas.
LANGUAGES = {
    "antioquia": {"es": 90, "en": 5, "pt": 5},
    "salta": {"es": 92, "en": 4, "pt": 4},
}
INDIGENOUS_LANGUAGES = {
    "Puna": ("qu", 0.45),
    "Valles Calchaquíes": ("qu", 0.3),
    "Norte y Chaco salteño": ("gn", 0.35),
}

#: How answers were collected (weights): communities far from town more often on paper or with a facilitator.
ENTRY_MODES = {
    "indigenous_people": {"online": 35, "assisted": 35, "paper": 30},
    "rural_community": {"online": 45, "assisted": 25, "paper": 30},
    "afro_descendant": {"online": 50, "assisted": 25, "paper": 25},
    "default": {"online": 80, "assisted": 8, "paper": 12},
}
