"""Concept tags in a workbook: the survey sheet's ``concept`` column and the choices sheet's.

A question's concept (docs/instrument-format.md, "Concepts") is read from a
``concept`` column, or from ``bind::consult:concept``, which our export writes
because pyxform carries ``bind::`` columns into the XForm untouched. A choice's
``concept`` names the vocabulary code an option stands for when its name is not
that code. A concept consult does not know, or one that does not fit, refuses
the file at its row, so an official's form is never analysed by a wrong meaning.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from consult.surveys import labels
from consult.surveys.engine import IMPLIED_CONCEPTS
from consult.surveys.validation_concepts import concept_types
from consult.surveys.xlsform.cells import Context
from consult.surveys.xlsform.choices import ChoiceList
from consult.surveys.xlsform.columns import CONCEPT
from consult.surveys.xlsform.tree import Node


def _allowed() -> str:
    return ", ".join(labels.CONCEPTS)


def read_concept(node: Node, question: dict[str, Any], ctx: Context, choice_list: ChoiceList | None = None) -> None:
    """Put the row's concept (and its choices' concepts) on ``question``; errors name the row."""
    written = node.get(CONCEPT)
    column = ctx.sheet.headers.get(CONCEPT, CONCEPT)
    concept = written.lower() if written else None
    if concept is not None:
        if not labels.is_known_concept(concept):
            ctx.error(
                node,
                _l(
                    "The concept “%(concept)s” of %(name)s is not one consult knows; use one of %(allowed)s, or "
                    "ungp31:MECHANISM with a mechanism type code.",
                    concept=written,
                    name=node.name,
                    allowed=_allowed(),
                ),
                column,
            )
            return
        if question["type"] not in concept_types(concept):
            ctx.error(
                node,
                _l(
                    "The concept “%(concept)s” of %(name)s does not fit its kind of question (%(type)s); it fits: "
                    "%(types)s.",
                    concept=concept,
                    name=node.name,
                    type=question["type"],
                    types=", ".join(sorted(concept_types(concept))),
                ),
                column,
            )
            return
        question["concept"] = concept
    if choice_list is not None:
        _choice_concepts(node, question, ctx, choice_list, concept or IMPLIED_CONCEPTS.get(question["type"]))


def _choice_concepts(
    node: Node, question: dict[str, Any], ctx: Context, choice_list: ChoiceList, concept: str | None
) -> None:
    coded = [choice for choice in choice_list.choices if choice.concept]
    if not coded:
        return
    options = {option["value"]: option for option in question.get("options") or ()}
    vocabulary = labels.concept_vocabulary(concept)
    for choice in coded:
        code = choice.concept.lower()
        option = options.get(choice.value)
        if option is None:
            ctx.reporter.warn(
                ctx.choices_sheet,
                choice.row,
                _l(
                    "The concept of the choice %(name)s (list %(list)s) is not imported: the %(type)s question "
                    "%(question)s "
                    "has no options of its own.",
                    name=choice.name,
                    list=choice_list.name,
                    type=question["type"],
                    question=node.name,
                ),
                CONCEPT,
            )
        elif concept is None:
            ctx.reporter.error(
                ctx.choices_sheet,
                choice.row,
                _l(
                    "The choice %(name)s of list %(list)s has the concept %(code)s, but the question %(question)s "
                    "has no "
                    "concept; give the question one in its concept column.",
                    name=choice.name,
                    list=choice_list.name,
                    code=code,
                    question=node.name,
                ),
                CONCEPT,
            )
        elif vocabulary is None or code not in vocabulary:
            ctx.reporter.error(
                ctx.choices_sheet,
                choice.row,
                _l(
                    "The concept %(code)s of the choice %(name)s (list %(list)s) is not a code of %(concept)s, the "
                    "concept "
                    "of %(question)s; its codes are: %(allowed)s.",
                    code=choice.concept,
                    name=choice.name,
                    list=choice_list.name,
                    concept=concept,
                    question=node.name,
                    allowed=", ".join(vocabulary or ()),
                ),
                CONCEPT,
            )
        else:
            option["concept"] = code
