"""A tiny consultation for the analysis tests, small enough that every figure can be worked out by hand.

Salta (Cafayate 66028, Molinos 66035, Orán 66014). Indigenous peoples and rural
communities answer ``community_definition``; large companies answer
``company_definition``, whose keys and option values differ on purpose (``agua``
stands for ``water_sanitation``): analysis must meet them on concept codes.

The responses (``build``):

===  =========  =====  =======================================  =====  ========  ============================
id   group      place  R1 rights ticked (asked when K1 = yes)   R2     sector    S1 (scale, scope, irr, lik)
===  =========  =====  =======================================  =====  ========  ============================
i1   indig.     Caf.   water, land                              water  mining    2, 3, 4, 1 (sev 4, urgent)
i2   indig.     Caf.   water                                    water  mining    3, 2, 2, 2 (sev 3)
i3   indig.     Mol.   (K1 = no: not asked)
i4   indig.     Mol.   (K1 = no: not asked; V1 left blank)
r1   rural      Caf.   water, land, working                     land   mining    1, 3, 1, 4 (sev 3)
r2   rural      Caf.   water, land, working                     work   agro      5, 1, 1, 1 (sev 5, urgent)
r3   rural      Caf.   water, land, working
r4-6 rural      Caf.   water
r7   rural      Caf.   land
r8-9 rural      Mol.   (asked R1, left it blank: S1 not asked)
r10  rural      Mol.   (K1 = no)
c1   company    Caf.   agua                                            mining    3, 1, 1, 3 (sev 3)
c2-3 company    –      ninguno
c4   company    –      tierra, agua
c5   company    –      ninguno
===  =========  =====  =======================================  =====  ========  ============================

K1 "yes": indigenous 2 of 4, rural 9 of 10. V1 (always asked): everyone but i4 answers "yes".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from html import unescape
from html.parser import HTMLParser
from typing import Any

from sqlalchemy import select

from consult.accounts.models import Locality
from consult.responses.models import EntryMode, Response
from consult.responses.storage import NewResponse, store_many, unheld_keys
from tests.fixtures.survey_definitions import make_definition, option, question

DAY = date.today() - timedelta(days=2)
YES_NO = [option("yes", "Sí", "Yes", "Sim"), option("no", "No", "No", "Não")]
RIGHTS = [
    option("water_sanitation", "Agua", "Water", "Água"),
    option("land_housing", "Tierra", "Land", "Terra"),
    option("working_conditions", "Trabajo", "Work", "Trabalho"),
]
CAFAYATE, MOLINOS, ORAN = "66028", "66035", "66014"
AREA = "Valles"


def community_definition() -> dict:
    """p_who (T1 place, K1 harmed? required) → p_harm only when K1 = yes (R1 rights, R2 main right, SEC sector,
    S1 severity shown only when R1 is answered) → p_views (V1 yes/no, always asked)."""
    return make_definition(
        pages=[
            {
                "key": "p_who",
                "questions": [
                    question("T1", "territory", "¿Dónde vive?", "Where do you live?", "Onde mora?"),
                    question(
                        "K1",
                        "single_choice",
                        "¿Una empresa le causó daño?",
                        "Did a company harm you?",
                        "Uma empresa lhe causou dano?",
                        required=True,
                        options=YES_NO,
                    ),
                ],
            },
            {
                "key": "p_harm",
                "when": {"==": [{"answer": "K1"}, "yes"]},
                "questions": [
                    question(
                        "R1",
                        "multiple_choice",
                        "¿Qué derechos?",
                        "Which rights were harmed?",
                        "Quais direitos?",
                        concept="right",
                        options=RIGHTS,
                    ),
                    question(
                        "R2",
                        "single_choice",
                        "¿El principal?",
                        "The main harm?",
                        "O principal?",
                        concept="main_right",
                        options=RIGHTS,
                    ),
                    question(
                        "SEC",
                        "single_choice",
                        "¿Qué sector?",
                        "Which sector?",
                        "Qual setor?",
                        concept="sector",
                        options=[
                            option("mining", "Minería", "Mining", "Mineração"),
                            option("agro_industry", "Agroindustria", "Agribusiness", "Agroindústria"),
                        ],
                    ),
                    question(
                        "S1", "severity", "Gravedad", "Severity", "Gravidade", when={"answered": [{"answer": "R1"}]}
                    ),
                ],
            },
            {
                "key": "p_views",
                "questions": [
                    question(
                        "V1",
                        "single_choice",
                        "¿Confía en las empresas?",
                        "Do you trust the companies?",
                        "Confia nas empresas?",
                        options=YES_NO,
                    ),
                ],
            },
        ],
        key="tiny_community",
    )


def company_definition() -> dict:
    """An official's own company form: ``lugar`` place, ``riesgos`` rights at risk (``agua`` → water_sanitation,
    ``tierra`` → land_housing, ``ninguno`` no code), ``rubro`` sector (``mineria`` → mining), ``grav`` severity."""
    return make_definition(
        [
            question("lugar", "territory", "¿Dónde opera?", "Where do you operate?", "Onde opera?"),
            question(
                "riesgos",
                "multiple_choice",
                "¿Qué derechos están en riesgo?",
                "Which rights are at risk?",
                "Quais direitos estão em risco?",
                concept="right",
                options=[
                    option("agua", "Agua", "Water", "Água", concept="water_sanitation"),
                    option("tierra", "Tierra", "Land", "Terra", concept="land_housing"),
                    option("ninguno", "Ninguno", "None", "Nenhum", exclusive=True),
                ],
            ),
            question(
                "rubro",
                "single_choice",
                "¿Rubro?",
                "Line of business?",
                "Ramo?",
                concept="sector",
                options=[option("mineria", "Minería", "Mining", "Mineração", concept="mining")],
            ),
            question("grav", "severity", "Gravedad", "Severity", "Gravidade"),
        ],
        key="tiny_company",
    )


def place(code: str) -> dict[str, str]:
    """A territory answer for a locality of the world."""
    return {"area": AREA, "locality": code}


def severity(scale: int, scope: int, irremediability: int, likelihood: int) -> dict[str, int]:
    """A severity answer."""
    return {"scale": scale, "scope": scope, "irremediability": irremediability, "likelihood": likelihood}


WATER, LAND, WORK = "water_sanitation", "land_housing", "working_conditions"

INDIGENOUS = [
    {
        "T1": place(CAFAYATE),
        "K1": "yes",
        "R1": [WATER, LAND],
        "R2": WATER,
        "SEC": "mining",
        "S1": severity(2, 3, 4, 1),
        "V1": "yes",
    },
    {
        "T1": place(CAFAYATE),
        "K1": "yes",
        "R1": [WATER],
        "R2": WATER,
        "SEC": "mining",
        "S1": severity(3, 2, 2, 2),
        "V1": "yes",
    },
    {"T1": place(MOLINOS), "K1": "no", "V1": "yes"},
    {"T1": place(MOLINOS), "K1": "no"},
]
RURAL = (
    [
        {
            "T1": place(CAFAYATE),
            "K1": "yes",
            "R1": [WATER, LAND, WORK],
            "R2": LAND,
            "SEC": "mining",
            "S1": severity(1, 3, 1, 4),
            "V1": "yes",
        },
        {
            "T1": place(CAFAYATE),
            "K1": "yes",
            "R1": [WATER, LAND, WORK],
            "R2": WORK,
            "SEC": "agro_industry",
            "S1": severity(5, 1, 1, 1),
            "V1": "yes",
        },
        {"T1": place(CAFAYATE), "K1": "yes", "R1": [WATER, LAND, WORK], "V1": "yes"},
    ]
    + [{"T1": place(CAFAYATE), "K1": "yes", "R1": [WATER], "V1": "yes"}] * 3
    + [{"T1": place(CAFAYATE), "K1": "yes", "R1": [LAND], "V1": "yes"}]
    + [{"T1": place(MOLINOS), "K1": "yes", "V1": "yes"}] * 2
    + [{"T1": place(MOLINOS), "K1": "no", "V1": "yes"}]
)
COMPANY = [
    {"lugar": place(CAFAYATE), "riesgos": ["agua"], "rubro": "mineria", "grav": severity(3, 1, 1, 3)},
    {"riesgos": ["ninguno"]},
    {"riesgos": ["ninguno"]},
    {"riesgos": ["tierra", "agua"]},
    {"riesgos": ["ninguno"]},
]


@dataclass
class World:
    """The consultation and what tests refer to."""

    consultation: Any
    community: Any
    company: Any
    places: dict[str, int]

    @property
    def territory(self):
        """The consultation's territory."""
        return self.consultation.territory

    @property
    def url(self) -> str:
        """The base URL of the analysis views."""
        return f"/t/{self.territory.slug}/consultations/{self.consultation.id}/analysis"


def store(
    consultation,
    version,
    group: str,
    answers_list: list[dict],
    *,
    day: date = DAY,
    language: str = "es",
    mode: EntryMode = EntryMode.ONLINE,
    collective: bool = False,
    people: int | None = None,
) -> list[Response]:
    """Store responses in bulk (recording what each was asked); returns them in order."""
    from consult.extensions import db

    items = []
    for answers in answers_list:
        key, receipt = unheld_keys()
        items.append(
            NewResponse(
                version=version,
                group_code=group,
                language=language,
                entry_mode=mode,
                answers=dict(answers),
                submission_key=key,
                receipt_code_hash=receipt,
                submitted_on=day,
                is_collective=collective,
                people_represented=people,
                mandate_reference="Acta 12/2026" if collective else None,
            )
        )
    store_many(consultation, items)
    db.session.commit()
    keys = [item.submission_key for item in items]
    rows = {r.submission_key: r for r in db.session.scalars(select(Response).where(Response.submission_key.in_(keys)))}
    return [rows[k] for k in keys]


def build(
    create_territory,
    create_version,
    create_consultation,
    *,
    slug: str = "riesgos-tiny",
    territory_slug: str = "salta",
    responses: bool = True,
) -> World:
    """The world of the module docstring (targets: indigenous 10, rural 12, company 5; rural in Cafayate 8)."""
    from consult.accounts.services import import_localities
    from consult.extensions import db
    from consult.responses import services

    territory = create_territory(territory_slug, "Salta", "AR")
    import_localities(
        territory, f"code,name,area\n{CAFAYATE},Cafayate,{AREA}\n{MOLINOS},Molinos,{AREA}\n{ORAN},Orán,{AREA}\n"
    )
    db.session.commit()
    community = create_version(community_definition())
    company = create_version(company_definition())
    consultation = create_consultation(
        territory,
        slug=slug,
        groups={"indigenous_people": community, "rural_community": community, "company_large": company},
    )
    for code, target in (("indigenous_people", 10), ("rural_community", 12), ("company_large", 5)):
        services.set_group(consultation, code, None, target)
    places = dict(
        db.session.execute(select(Locality.code, Locality.id).where(Locality.territory_id == territory.id)).all()
    )
    services.set_locality_target(consultation, "rural_community", db.session.get(Locality, places[CAFAYATE]), 8)
    services.set_locality_target(consultation, "indigenous_people", db.session.get(Locality, places[MOLINOS]), 5)
    db.session.commit()
    if responses:
        store(consultation, community, "indigenous_people", INDIGENOUS)
        store(consultation, community, "rural_community", RURAL)
        store(consultation, company, "company_large", COMPANY)
    return World(consultation, community, company, places)


def context(world: World, lang: str = "es"):
    """The analysis context of the world's consultation (as a view builds it)."""
    from consult.analysis import services

    return services.context(world.consultation, lang)


def read(world: World, **args: str):
    """The filter form of ``args`` (a view's query arguments)."""
    from consult.analysis.filters import read_filter

    return read_filter(args, world.consultation)


def question_tables(page, key: str, version_id: int | None = None) -> list:
    """The shown tables ``[(title, TableView)]`` of question ``key`` on a results page."""
    for section in page.sections:
        for result, tables in section.questions:
            if result.question.key == key and version_id in (None, result.source.version_id):
                return tables
    raise AssertionError(f"no question {key}")


def line(view, key: str):
    """The line of a shown table for an answer code."""
    return next(row for row in view.lines if row.key == key)


def cells(view, key: str) -> dict[str, Any]:
    """``{column key: count}`` of one line (``None`` for hidden cells)."""
    row = line(view, key)
    return {col: cell.count for (col, _label), cell in zip(view.columns, row.cells)}


def bases(view) -> dict[str, Any]:
    """``{column key: people asked}`` of a shown table."""
    return {col: cell.count for (col, _label), cell in zip(view.columns, view.bases)}


class _Tables(HTMLParser):
    """Collects the rows of every ``<table id=...>`` of a page as lists of cell texts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self.current: str | None = None
        self.row: list[str] | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        attributes = dict(attrs)
        if tag == "table":
            self.current = attributes.get("id") or f"table-{len(self.tables)}"
            self.tables[self.current] = []
        elif tag == "tr" and self.current is not None:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(" ".join("".join(self.cell).replace("\xa0", " ").replace("\u202f", " ").split()))
            self.cell = None
        elif tag == "tr" and self.row is not None and self.current is not None:
            self.tables[self.current].append(self.row)
            self.row = None
        elif tag == "table":
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def html_tables(html: str) -> dict[str, list[list[str]]]:
    """``{table id: rows}`` of a page, each row the texts of its cells (spaces normalised)."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def page_text(html: str) -> str:
    """A page's HTML with tags removed and spaces normalised (no-break spaces too)."""
    text = re.sub(r"<[^>]+>", " ", html)
    return " ".join(unescape(text).replace("\xa0", " ").replace("\u202f", " ").split())
