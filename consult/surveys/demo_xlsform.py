"""Demo: an official's own instrument, written as an XLSForm workbook and imported through the real importer.

Antioquia's labour and gender office wrote a short form for trade unions and
women's organisations the way KoboToolbox users write them: its own option
names (``agua``, ``tierra``, ``sindicato``…), Spanish and English labels, and a
``concept`` column on both sheets saying what each question measures and which
right, sector, mechanism or gender each of its options stands for. That is what
lets its answers meet the built-in instruments' in results, salience and
divergence.

The workbook is built here with openpyxl (package data holds only JSON and
CSV) and imported with ``import_xlsform_file``, as an official's upload is.
"""

from __future__ import annotations

import io

import openpyxl
from sqlalchemy import select

from consult.accounts.models import Territory
from consult.extensions import db
from consult.surveys import services
from consult.surveys.models import Instrument, InstrumentVersion

FORM_ID = "voces_sindicales_mujeres_ant"

SURVEY = [
    ["type", "name", "label::Español (es)", "label::English (en)", "required", "relevant", "constraint", "concept"],
    [
        "note",
        "intro",
        "Esta encuesta es de la Gobernación de Antioquia para sindicatos y organizaciones de mujeres.",
        "This survey is from the Government of Antioquia for trade unions and women's organisations.",
        None,
        None,
        None,
        None,
    ],
    [
        "select_multiple sectores",
        "sector_empresa",
        "¿Con qué empresas trabaja o convive su organización?",
        "Which businesses does your organisation work with or live near?",
        "yes",
        None,
        None,
        "sector",
    ],
    [
        "select_multiple derechos",
        "derechos",
        "¿Qué derechos han sido afectados por esas empresas?",
        "Which rights have those businesses harmed?",
        "yes",
        None,
        None,
        "right",
    ],
    [
        "select_one derechos",
        "derecho_principal",
        "De esos, ¿cuál es el más grave?",
        "Of those, which is the most serious?",
        None,
        "not(selected(${derechos}, 'ninguno'))",
        None,
        "main_right",
    ],
    [
        "integer",
        "gravedad",
        "¿Qué tan grave es ese daño? (1 poco, 5 muy grave)",
        "How serious is that harm? (1 a little, 5 very)",
        None,
        "not(selected(${derechos}, 'ninguno'))",
        ". >= 1 and . <= 5",
        "severity:scale",
    ],
    [
        "integer",
        "probabilidad",
        "¿Qué tan probable es que vuelva a pasar? (1 poco, 5 mucho)",
        "How likely is it to happen again? (1 unlikely, 5 very likely)",
        None,
        "not(selected(${derechos}, 'ninguno'))",
        ". >= 1 and . <= 5",
        "severity:likelihood",
    ],
    [
        "select_multiple mecanismos",
        "mecanismos",
        "¿Dónde se quejaron?",
        "Where did you complain?",
        None,
        "not(selected(${derechos}, 'ninguno'))",
        None,
        "mechanism",
    ],
    [
        "select_multiple resultados",
        "resultados",
        "¿Qué obtuvieron?",
        "What did you get?",
        None,
        "count-selected(${mecanismos}) > 0 and not(selected(${mecanismos}, 'ninguna_parte'))",
        None,
        "outcome",
    ],
    [
        "integer",
        "meses",
        "¿Cuántos meses esperaron una respuesta?",
        "How many months did you wait for an answer?",
        None,
        "count-selected(${mecanismos}) > 0 and not(selected(${mecanismos}, 'ninguna_parte'))",
        ". >= 0 and . <= 240",
        "remedy_time",
    ],
    [
        "select_one genero",
        "genero",
        "¿Quién responde? Usted es:",
        "Who is answering? You are:",
        None,
        None,
        None,
        "attribute:gender",
    ],
    [
        "text",
        "propuesta",
        "¿Qué le pediría al plan de acción?",
        "What would you ask of the action plan?",
        None,
        None,
        None,
        None,
    ],
]
CHOICES = [
    ["list_name", "name", "label::Español (es)", "label::English (en)", "concept"],
    ["sectores", "mineria", "Minería", "Mining", "mining"],
    [
        "sectores",
        "agroindustria",
        "Agroindustria (banano, flores, café)",
        "Agro-industry (bananas, flowers, coffee)",
        "agro_industry",
    ],
    ["sectores", "energia", "Hidroeléctricas y energía", "Hydropower and energy", "energy"],
    ["sectores", "confecciones", "Confecciones y textiles", "Garments and textiles", "textiles"],
    ["sectores", "construccion", "Construcción", "Construction", "construction"],
    ["sectores", "otro_sector", "Otro", "Other", None],
    ["derechos", "trabajo", "Condiciones de trabajo y salario", "Working conditions and pay", "working_conditions"],
    ["derechos", "sindicato", "Libertad sindical", "Freedom to organise", "freedom_of_association"],
    [
        "derechos",
        "seguridad_laboral",
        "Accidentes y salud en el trabajo",
        "Accidents and health at work",
        "occupational_safety",
    ],
    ["derechos", "discriminacion", "Discriminación y acoso", "Discrimination and harassment", "non_discrimination"],
    ["derechos", "agua", "Agua", "Water", "water_sanitation"],
    ["derechos", "tierra", "Tierra y vivienda", "Land and housing", "land_housing"],
    ["derechos", "amenazas", "Amenazas a líderes", "Threats to leaders", "defenders_civic_space"],
    ["derechos", "ninguno", "Ninguno", "None", None],
    ["mecanismos", "inspeccion", "Inspección del trabajo", "Labour inspection", "labour_inspection"],
    [
        "mecanismos",
        "queja_empresa",
        "Oficina de quejas de la empresa",
        "The company's complaints office",
        "company_grievance",
    ],
    ["mecanismos", "defensoria", "Defensoría del Pueblo", "Ombudsman's Office", "ombudsman_nhri"],
    ["mecanismos", "juez", "Un juez (tutela)", "A judge (tutela)", "state_judicial"],
    ["mecanismos", "ninguna_parte", "En ninguna parte", "Nowhere", None],
    ["resultados", "pago", "Nos pagaron lo debido", "We were paid what we were owed", "financial_compensation"],
    ["resultados", "disculpa", "Una disculpa", "An apology", "apology"],
    ["resultados", "sancion", "Sanción a la empresa", "A sanction on the company", "sanctions"],
    ["resultados", "esperando", "Seguimos esperando", "Still waiting", "pending"],
    ["resultados", "nada", "Nada", "Nothing", "none"],
    ["genero", "mujer", "Mujer", "Woman", "woman"],
    ["genero", "hombre", "Hombre", "Man", "man"],
    ["genero", "otra", "Otra identidad", "Another identity", "another_identity"],
    ["genero", "prefiero_no", "Prefiero no decirlo", "Prefer not to say", "prefer_not"],
]
SETTINGS = [
    ["form_title", "form_id", "default_language"],
    ["Voces sindicales y de mujeres – Antioquia", FORM_ID, "Español (es)"],
]


def workbook() -> bytes:
    """The official's XLSForm as .xlsx bytes, built the way a form author fills the sheets."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in (("survey", SURVEY), ("choices", CHOICES), ("settings", SETTINGS)):
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def official_instrument(territory: Territory) -> InstrumentVersion:
    """The territory's imported XLSForm instrument, published (imported the first time only)."""
    instrument = db.session.scalar(
        select(Instrument).where(Instrument.key == FORM_ID, Instrument.territory_id == territory.id)
    )
    if instrument is not None and instrument.latest_published is not None:
        return instrument.latest_published
    version = services.import_xlsform_file(workbook(), territory).version
    if not version.is_published:
        services.publish(version)
    return version
