"""Turning opened answers and consent records into lines a reader sees, in a chosen language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from flask_babel import get_locale

from consult.accounts.models import Territory
from consult.i18n import LANGUAGE_NAMES
from consult.surveys.engine import Instrument
from consult.surveys.types import Content, FieldContext, question_type
from consult.testimonies.consent import consent_wordings
from consult.testimonies.enums import ConsentUse
from consult.testimonies.models import Testimony, TestimonyConsent


@dataclass
class AnswerLine:
    """One answered question: its text (marked with its language) and the answer in words."""

    key: str
    question: Content
    answer: str
    is_long: bool


def field_context(instrument: Instrument, lang: str, territory: Territory | None) -> FieldContext:
    """The survey engine's context for showing answers of ``instrument`` in ``lang``."""
    localities = [
        {"code": loc.code, "name": loc.name, "area": loc.area} for loc in (territory.localities if territory else [])
    ]
    return FieldContext(instrument=instrument, lang=lang, interface_lang=str(get_locale()), localities=localities)


def answer_lines(
    instrument: Instrument, answers: Mapping[str, Any], lang: str, territory: Territory | None
) -> list[AnswerLine]:
    """Every answered question in the instrument's order, with the answer as the engine words it."""
    ctx = field_context(instrument, lang, territory)
    lines = []
    for question in instrument.questions:
        if question.type == "info" or question.key not in answers:
            continue
        shown = question_type(question.type).display(question, answers[question.key], ctx)
        if shown in (None, ""):
            continue
        lines.append(AnswerLine(question.key, ctx.content(question.text), str(shown), question.type == "long_text"))
    return lines


def content_language(instrument: Instrument, asked: str) -> str:
    """``asked`` if the instrument has it, else its fallback language."""
    return asked if asked in instrument.languages else instrument.fallback_language


@dataclass
class ConsentLine:
    """A use and the decision on it, worded in the page's language, with the record of what the person saw.

    ``text`` is what a reader of the page reads: the consent question's wording
    in the page's language (or the use's name when the instrument does not
    have that language). ``record`` keeps the exact words, language and text
    version the person decided on; ``shows_record`` says whether they differ
    from ``text`` and so are shown beside it.
    """

    use: ConsentUse
    text: str
    record: TestimonyConsent

    @property
    def is_granted(self) -> bool:
        """Whether the use is allowed."""
        return self.record.is_granted

    @property
    def shows_record(self) -> bool:
        """Whether the recorded wording reads differently from ``text``."""
        return self.record.wording != self.text

    @property
    def language_name(self) -> str:
        """The name of the language the person saw, in the page's language."""
        return str(LANGUAGE_NAMES.get(self.record.language, self.record.language))

    @property
    def version(self) -> str:
        """The version number of the consent text the person saw (``key@3`` → ``3``)."""
        return self.record.wording_version.rpartition("@")[2] or self.record.wording_version


def consent_lines(testimony: Testimony, lang: str | None = None) -> list[ConsentLine]:
    """The current consent decisions of ``testimony``, by use, worded in ``lang`` (default: the page's language)."""
    lang = lang or str(get_locale())
    current = testimony.current_consents()
    if not current:
        return []
    wordings = consent_wordings(testimony.instrument_version.parsed(), lang)
    lines = []
    for use in sorted(current, key=lambda u: u.value):
        wording, shown = wordings.get(use, ("", None))
        # The instrument's words when it has the page's language; else the use's name, which always has it.
        text = wording if wording and shown == lang else str(use.label)
        lines.append(ConsentLine(use, text, current[use]))
    return lines
