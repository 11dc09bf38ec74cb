"""Workbooks for the XLSForm tests, built with openpyxl the way form authors build them."""

from __future__ import annotations

import io
from typing import Any

import openpyxl


def workbook(
    survey: list[list[Any]] | None = None,
    choices: list[list[Any]] | None = None,
    settings: list[list[Any]] | None = None,
    *,
    names: tuple[str, str, str] = ("survey", "choices", "settings"),
    extra_sheets: dict[str, list[list[Any]]] | None = None,
) -> bytes:
    """An .xlsx with the given rows (first row: headers). ``None`` rows or ``[]`` make empty rows."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in zip(names, (survey, choices, settings)):
        if rows is None:
            continue
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row or []))
    for name, rows in (extra_sheets or {}).items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    if not book.worksheets:
        book.create_sheet("Sheet1")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def issues_at(issues: list, sheet: str | None, row: int | None) -> list[str]:
    """The messages (as text) of the issues at one place."""
    return [str(issue.message) for issue in issues if issue.sheet == sheet and issue.row == row]


def questions(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every question of a definition by key."""
    return {q["key"]: q for s in definition["sections"] for p in s["pages"] for q in p["questions"]}


def pages(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every page of a definition by key."""
    return {p["key"]: p for s in definition["sections"] for p in s["pages"]}


def answer(key: str, part: str | None = None) -> dict[str, str]:
    """A condition argument referring to an answer."""
    return {"answer": key, "part": part} if part else {"answer": key}


def T(es: str, en: str | None = None, pt: str | None = None) -> dict[str, str]:
    """A text in Spanish and, when given, English and Portuguese."""
    text = {"es": es}
    if en is not None:
        text["en"] = en
    if pt is not None:
        text["pt"] = pt
    return text


def every_type_definition() -> dict[str, Any]:
    """A definition using every question type, every member XLSForm must carry, skip logic and routing."""
    return {
        "format": 1,
        "key": "every_type",
        "languages": ["es", "en", "pt"],
        "fallback_language": "es",
        "title": T("Todos los tipos", "Every type", "Todos os tipos"),
        "description": T("Una prueba", "A test"),
        "audience": "community",
        "sections": [
            {
                "key": "s_about",
                "title": T("Sobre usted", "About you", "Sobre você"),
                "pages": [
                    {
                        "key": "p_intro",
                        "title": T("Inicio", "Start"),
                        "questions": [
                            {"key": "intro", "type": "info", "text": T("Bienvenida", "Welcome", "Bem-vindo")},
                            {
                                "key": "consent",
                                "type": "consent",
                                "required": True,
                                "text": T("¿Qué nos permite?", "What do you allow?"),
                                "options": [
                                    {"value": "aggregate", "label": T("Contar", "Count")},
                                    {"value": "quote", "label": T("Citar", "Quote")},
                                ],
                            },
                            {
                                "key": "group",
                                "type": "stakeholder_group",
                                "text": T("Su grupo", "Your group"),
                                "groups": ["indigenous_people", "afro_descendant", "rural_community"],
                            },
                            {"key": "place", "type": "territory", "text": T("¿Dónde?", "Where?"), "level": "area"},
                        ],
                        "routing": [
                            {"goto": "end", "when": {"not": [{"any-in": [answer("consent"), ["aggregate"]]}]}},
                            {"goto": "p_numbers"},
                        ],
                    },
                    {
                        "key": "p_numbers",
                        "title": T("Números", "Numbers"),
                        "when": {"answered": [answer("group")]},
                        "questions": [
                            {
                                "key": "age",
                                "type": "number",
                                "text": T("Edad", "Age"),
                                "min": 0,
                                "max": 120,
                                "unit": T("años", "years"),
                                "messages": {
                                    "min": T("Muy poco", "Too low"),
                                    "max": T("Mucho", "Too high"),
                                    "integer": T("Entero", "Whole"),
                                },
                            },
                            {
                                "key": "income",
                                "type": "number",
                                "decimal": True,
                                "text": T("Ingreso", "Income"),
                                "min": 0.5,
                                "help": T("En pesos", "In pesos"),
                                "flags": ["sensitive"],
                                "when": {">=": [answer("age"), 18]},
                            },
                            {
                                "key": "trust",
                                "type": "scale",
                                "text": T("Confianza", "Trust"),
                                "dont_know": True,
                                "points": [
                                    {"value": 1, "label": T("Nada", "None")},
                                    {"value": 2, "label": T("Poca", "Little")},
                                    {"value": 3, "label": T("Mucha", "Much")},
                                ],
                            },
                        ],
                    },
                ],
            },
            {
                "key": "s_harm",
                "title": T("Daños", "Harm"),
                "pages": [
                    {
                        "key": "p_harm",
                        "questions": [
                            {
                                "key": "harm",
                                "type": "single_choice",
                                "required": True,
                                "text": T("¿Hubo daño?", "Was there harm?"),
                                "options": [
                                    {"value": "yes", "label": T("Sí", "Yes")},
                                    {"value": "no", "label": T("No", "No")},
                                    {"value": "dont_know", "label": T("No sé", "Don't know")},
                                ],
                                "other": {"label": T("Otra cosa", "Something else")},
                                "messages": {"required": T("Responda por favor", "Please answer")},
                            },
                            {
                                "key": "rights",
                                "type": "multiple_choice",
                                "text": T("Derechos", "Rights"),
                                "max_choices": 2,
                                "options": [
                                    {"value": "water", "label": T("Agua", "Water")},
                                    {"value": "land", "label": T("Tierra", "Land")},
                                    {"value": "none", "label": T("Ninguno", "None"), "exclusive": True},
                                ],
                                "other": {},
                                "when": {
                                    "or": [
                                        {"==": [answer("harm"), "yes"]},
                                        {"in": [answer("harm"), ["dont_know", "other"]]},
                                    ]
                                },
                            },
                            {
                                "key": "what",
                                "type": "long_text",
                                "text": T("¿Qué pasó?", "What happened?"),
                                "max_length": 2000,
                                "when": {
                                    "and": [
                                        {"any-in": [answer("rights"), ["water", "land"]]},
                                        {"!=": [answer("harm"), "no"]},
                                    ]
                                },
                            },
                            {
                                "key": "name",
                                "type": "short_text",
                                "text": T("=Nombre", "Name"),
                                "max_length": 80,
                                "when": {"all-in": [answer("rights"), ["water", "land"]]},
                            },
                            {
                                "key": "other_text",
                                "type": "short_text",
                                "text": T("Detalle", "Detail"),
                                "when": {"answered": [answer("harm", "other")]},
                            },
                        ],
                    },
                    {
                        "key": "p_severity",
                        "questions": [
                            {
                                "key": "sev",
                                "type": "severity",
                                "text": T("¿Qué tan grave?", "How severe?"),
                                "required": True,
                            },
                            {
                                "key": "sev2",
                                "type": "severity",
                                "text": T("Otra", "Another"),
                                "parts": ["scale", "likelihood"],
                                "when": {">=": [answer("sev", "scale"), 4]},
                            },
                            {
                                "key": "when_it",
                                "type": "date",
                                "text": T("¿Cuándo?", "When?"),
                                "min": "2000-01-01",
                                "max": "2030-12-31",
                            },
                            {
                                "key": "period",
                                "type": "date_range",
                                "text": T("Periodo", "Period"),
                                "min": "1990-01-01",
                                "when": {"<": [answer("when_it"), "2025-01-01"]},
                            },
                            {
                                "key": "since",
                                "type": "short_text",
                                "text": T("Desde", "Since"),
                                "when": {"not-answered": [answer("period", "end")]},
                            },
                        ],
                    },
                    {
                        "key": "p_remedy",
                        "title": T("Reparación", "Remedy"),
                        "questions": [
                            {"key": "mech", "type": "ungp31", "text": T("El mecanismo", "The mechanism")},
                            {
                                "key": "mech2",
                                "type": "ungp31",
                                "text": T("Otro", "Other"),
                                "criteria": ["legitimate", "accessible"],
                                "when": {"==": [answer("mech", "legitimate"), "no"]},
                            },
                            {
                                "key": "bye",
                                "type": "info",
                                "text": T("Gracias", "Thanks"),
                                "when": {"==": [answer("trust"), 3]},
                            },
                        ],
                    },
                ],
            },
        ],
    }
