"""A small instrument definition and helpers shared by the store, translation, view and CLI tests."""

from __future__ import annotations

import copy

import pytest


def text(es: str, en: str | None = None, pt: str | None = None) -> dict[str, str]:
    """A text object; English and Portuguese only when given."""
    value = {"es": es}
    if en is not None:
        value["en"] = en
    if pt is not None:
        value["pt"] = pt
    return value


BASE_DEFINITION = {
    "format": 1,
    "key": "water_survey",
    "languages": ["es", "en", "pt"],
    "fallback_language": "es",
    "title": text("Encuesta del agua", "Water survey", "Pesquisa da água"),
    "description": text("Preguntas sobre el agua del barrio", "Questions about the water", "Perguntas sobre a água"),
    "audience": "community",
    "sections": [
        {
            "key": "about",
            "title": text("Sobre usted", "About you", "Sobre você"),
            "pages": [
                {
                    "key": "p_group",
                    "title": text("Su grupo", "Your group", "Seu grupo"),
                    "questions": [
                        {
                            "key": "Q1",
                            "type": "single_choice",
                            "text": text(
                                "¿Le afecta el agua sucia?", "Does dirty water affect you?", "A água suja afeta você?"
                            ),
                            "help": text("Elija una respuesta", "Choose one answer", "Escolha uma resposta"),
                            "options": [
                                {"value": "yes", "label": text("Sí", "Yes", "Sim")},
                                {"value": "no", "label": text("No", "No", "Não")},
                            ],
                        }
                    ],
                }
            ],
        },
        {
            "key": "harm",
            "title": text("El daño", "The harm", "O dano"),
            "pages": [
                {
                    "key": "p_how",
                    "title": text("Cómo le afecta", "How it affects you", "Como afeta você"),
                    "when": {"==": [{"answer": "Q1"}, "yes"]},
                    "questions": [
                        {
                            "key": "Q2",
                            "type": "long_text",
                            "text": text("Cuéntenos qué pasa", "Tell us what happens", "Conte o que acontece"),
                            "max_length": 2000,
                        }
                    ],
                },
                {
                    "key": "p_end",
                    "title": text("Para terminar", "To finish", "Para terminar"),
                    "questions": [
                        {
                            "key": "Q3",
                            "type": "number",
                            "text": text(
                                "¿Cuántas personas viven en su casa?",
                                "How many people live in your home?",
                                "Quantas pessoas moram na sua casa?",
                            ),
                            "min": 1,
                            "max": 50,
                        }
                    ],
                },
            ],
        },
    ],
}


def definition(**changes) -> dict:
    """A fresh copy of the base definition with top-level ``changes``."""
    result = copy.deepcopy(BASE_DEFINITION)
    result.update(changes)
    return result


@pytest.fixture
def make_instrument(db):
    """Store a definition as a new instrument: ``make_instrument(territory=None, publish=False, **changes)``."""
    from consult.surveys import services

    def make(territory=None, publish: bool = False, definition_dict: dict | None = None, **changes):
        version = services.create_instrument(definition_dict or definition(**changes), territory)
        if publish:
            services.publish(version)
        db.session.commit()
        return version

    return make


def xlsform_with_warnings() -> bytes:
    """A small Kobo-style XLSForm that imports, with an image column and an appearance consult does not use."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label::Español (es)", "label::English (en)", "image", "appearance"])
    survey.append(["select_one yn", "q1", "¿Tiene agua potable?", "Do you have drinking water?", "pic.png", "minimal"])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::Español (es)", "label::English (en)"])
    choices.append(["yn", "yes", "Sí", "Yes"])
    choices.append(["yn", "no", "No", "No"])
    settings = book.create_sheet("settings")
    settings.append(["form_id", "form_title", "default_language"])
    settings.append(["drinking_water", "Agua potable", "es"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
