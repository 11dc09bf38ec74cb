"""Coding free text: themes of a consultation, tags on answers, and theme counts per stakeholder group.

Free text is what people typed in a ``short_text``/``long_text`` question or
beside an "other, please specify" choice. Question keys are unique only within
an instrument, and a consultation's groups may answer different instruments, so
a question is always named by ``(instrument_version_id, question_key)``.

Answers are read only through ``consult.responses.queries`` (counted responses:
a set-aside batch is neither listed nor counted); tags live in this room's own
tables and never change an answer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from consult.analysis.models import AnswerTheme, Theme
from consult.core.db import utctoday
from consult.extensions import db
from consult.responses.models import Answer, Consultation, Response
from consult.responses.queries import NO_FILTER, ResponseFilter, counted_answers
from consult.surveys.engine import Question
from consult.surveys.models import InstrumentVersion
from consult.surveys.types import question_type

CODE_PATTERN = re.compile(r"[a-z0-9_]+")
CODE_LENGTH = 40
LABEL_LENGTH = 200
DESCRIPTION_LENGTH = 2000
PER_PAGE = 50
OTHER = "other"

BAD_CODE = _l("A theme code has 1 to 40 lowercase letters, digits or underscores, for example water_pollution.")
DUPLICATE_CODE = _l("This consultation already has a theme with this code.")
NO_LABEL = _l("Give the theme a name.")
LONG_LABEL = _l("A theme name has at most %(n)d characters.", n=LABEL_LENGTH)
LONG_DESCRIPTION = _l("A description has at most %(n)d characters.", n=DESCRIPTION_LENGTH)
UNKNOWN_ANSWER = _l("One of the answers is not a free-text answer counted in this consultation.")
UNKNOWN_THEME = _l("One of the themes does not belong to this consultation.")


class ThemeError(ValueError):
    """A change that cannot be made; ``message`` is translated text, ``field`` the form field it concerns."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


# -- themes ---------------------------------------------------------------------------------


def themes_of(consultation: Consultation) -> list[Theme]:
    """The consultation's themes, by code."""
    return list(db.session.scalars(select(Theme).where(Theme.consultation_id == consultation.id).order_by(Theme.code)))


def get_theme(consultation: Consultation, theme_id: int) -> Theme | None:
    """The theme with ``theme_id`` if it belongs to ``consultation``."""
    theme = db.session.get(Theme, theme_id)
    return theme if theme is not None and theme.consultation_id == consultation.id else None


def _checked(
    consultation: Consultation, code: str, label: str, description: str, theme: Theme | None = None
) -> tuple[str, str, str]:
    code, label, description = (code or "").strip(), (label or "").strip(), (description or "").strip()
    if len(code) > CODE_LENGTH or not CODE_PATTERN.fullmatch(code):
        raise ThemeError(BAD_CODE, "code")
    if not label:
        raise ThemeError(NO_LABEL, "label")
    if len(label) > LABEL_LENGTH:
        raise ThemeError(LONG_LABEL, "label")
    if len(description) > DESCRIPTION_LENGTH:
        raise ThemeError(LONG_DESCRIPTION, "description")
    clash = select(Theme.id).where(Theme.consultation_id == consultation.id, Theme.code == code)
    if theme is not None:
        clash = clash.where(Theme.id != theme.id)
    if db.session.scalar(clash) is not None:
        raise ThemeError(DUPLICATE_CODE, "code")
    return code, label, description


def create_theme(consultation: Consultation, code: str, label: str, description: str = "") -> Theme:
    """Add a theme to ``consultation`` (``ThemeError`` for a bad or duplicate code); flushed, not committed."""
    code, label, description = _checked(consultation, code, label, description)
    theme = Theme(consultation_id=consultation.id, code=code, label=label, description=description)
    db.session.add(theme)
    db.session.flush()
    return theme


def update_theme(theme: Theme, code: str, label: str, description: str = "") -> Theme:
    """Rename a theme: its code, name and description (its tags stay); flushed, not committed."""
    theme.code, theme.label, theme.description = _checked(theme.consultation, code, label, description, theme)
    db.session.flush()
    return theme


def delete_theme(theme: Theme) -> None:
    """Delete a theme and its tags (the answers stay as they were); flushed, not committed."""
    db.session.execute(delete(AnswerTheme).where(AnswerTheme.theme_id == theme.id))
    db.session.delete(theme)
    db.session.flush()


# -- free-text questions --------------------------------------------------------------------


@dataclass(frozen=True)
class FreeTextQuestion:
    """A question whose answers hold free text, in one instrument version of the consultation."""

    version: InstrumentVersion
    question: Question
    #: ``"text"`` for a text question, ``"other"`` for the text beside an "other" choice.
    kind: str
    group_codes: tuple[str, ...]

    @property
    def version_id(self) -> int:
        """The instrument version's id (half of the question's identity)."""
        return self.version.id

    @property
    def key(self) -> str:
        """The question's key (the other half)."""
        return self.question.key

    def text_in(self, lang: str) -> str:
        """The question's text in ``lang`` (else the instrument's fallback language)."""
        return self.version.parsed().text(self.question.text, lang)

    def instrument_title_in(self, lang: str) -> str:
        """The title of the question's instrument in ``lang``."""
        return self.version.instrument.title_in(lang)


def _kind(question: Question) -> str | None:
    if question.type in ("short_text", "long_text"):
        return "text"
    if getattr(question_type(question.type), "allows_other", False) and question.other is not None:
        return OTHER
    return None


def free_text_questions(consultation: Consultation) -> list[FreeTextQuestion]:
    """The free-text questions of every instrument version the consultation's groups answer, in order."""
    groups: dict[int, list[str]] = {}
    for group in consultation.groups:
        groups.setdefault(group.instrument_version_id, []).append(group.group_code)
    if not groups:
        return []
    versions = db.session.scalars(
        select(InstrumentVersion).where(InstrumentVersion.id.in_(groups)).order_by(InstrumentVersion.id)
    )
    found = []
    for version in versions:
        for question in version.parsed().questions:
            kind = _kind(question)
            if kind is not None:
                found.append(FreeTextQuestion(version, question, kind, tuple(groups[version.id])))
    return found


def find_free_text_question(consultation: Consultation, version_id: int, question_key: str) -> FreeTextQuestion | None:
    """The free-text question ``(version_id, question_key)`` of the consultation, if there is one."""
    return next(
        (q for q in free_text_questions(consultation) if q.version_id == version_id and q.key == question_key), None
    )


def _text_answers_query(consultation: Consultation, question: FreeTextQuestion, where: ResponseFilter, *columns):
    query = counted_answers(consultation.id, where, *columns).where(
        Response.instrument_version_id == question.version_id,
        Answer.question_key == question.key,
        Answer.text.is_not(None),
        Answer.text != "",
    )
    if question.kind == OTHER:
        query = query.where(Answer.option == OTHER)
    return query


def answer_counts(consultation: Consultation, where: ResponseFilter = NO_FILTER) -> dict[tuple[int, str], int]:
    """How many counted free-text answers each ``(version_id, question_key)`` has (one GROUP BY)."""
    rows = db.session.execute(
        counted_answers(
            consultation.id, where, Response.instrument_version_id, Answer.question_key, func.count(Answer.id)
        )
        .where(Answer.text.is_not(None), Answer.text != "")
        .group_by(Response.instrument_version_id, Answer.question_key)
    )
    return {(version_id, key): count for version_id, key, count in rows}


# -- answers and their tags -----------------------------------------------------------------


@dataclass
class TextAnswer:
    """A counted free-text answer and the ids of the themes it is tagged with."""

    answer_id: int
    response_id: int
    group_code: str
    text: str
    theme_ids: set[int] = field(default_factory=set)


@dataclass
class TextAnswerPage:
    """One page of a question's free-text answers."""

    items: list[TextAnswer]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one)."""
        return max(1, math.ceil(self.total / self.per_page))


def text_answers(
    consultation: Consultation,
    version_id: int,
    question_key: str,
    where: ResponseFilter = NO_FILTER,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> TextAnswerPage:
    """The counted free-text answers of question ``(version_id, question_key)``, a page at a time, with their themes.

    A page past the last one shows the last one. One query counts, one reads
    the page, one reads the page's tags.
    """
    question = find_free_text_question(consultation, version_id, question_key)
    per_page = max(1, per_page)
    if question is None:
        return TextAnswerPage([], 0, 1, per_page)
    total = db.session.scalar(_text_answers_query(consultation, question, where, func.count(Answer.id))) or 0
    page = min(max(1, page), max(1, math.ceil(total / per_page)))
    rows = db.session.execute(
        _text_answers_query(
            consultation, question, where, Answer.id, Answer.response_id, Response.group_code, Answer.text
        )
        .order_by(Answer.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    items = [TextAnswer(answer_id, response_id, group, text) for answer_id, response_id, group, text in rows]
    by_id = {item.answer_id: item for item in items}
    if by_id:
        for answer_id, theme_id in db.session.execute(
            select(AnswerTheme.answer_id, AnswerTheme.theme_id).where(AnswerTheme.answer_id.in_(by_id))
        ):
            by_id[answer_id].theme_ids.add(theme_id)
    return TextAnswerPage(items, total, page, per_page)


def set_tags_many(consultation: Consultation, tags: Mapping[int, Iterable[int]]) -> None:
    """Make each answer's themes exactly ``tags[answer_id]`` (``ThemeError`` if an id is not this consultation's).

    Every answer must be a counted free-text answer of the consultation and
    every theme one of its themes; nothing changes otherwise. Tags kept keep
    their date. Flushed, not committed.
    """
    wanted = {int(answer_id): {int(t) for t in theme_ids} for answer_id, theme_ids in tags.items()}
    if not wanted:
        return
    known_answers = set(
        db.session.scalars(
            counted_answers(consultation.id, NO_FILTER, Answer.id).where(
                Answer.id.in_(wanted), Answer.text.is_not(None), Answer.text != ""
            )
        )
    )
    if known_answers != set(wanted):
        raise ThemeError(UNKNOWN_ANSWER)
    theme_ids = set().union(*wanted.values())
    if theme_ids:
        known_themes = set(
            db.session.scalars(
                select(Theme.id).where(Theme.consultation_id == consultation.id, Theme.id.in_(theme_ids))
            )
        )
        if known_themes != theme_ids:
            raise ThemeError(UNKNOWN_THEME)
    current: dict[int, set[int]] = {answer_id: set() for answer_id in wanted}
    for answer_id, theme_id in db.session.execute(
        select(AnswerTheme.answer_id, AnswerTheme.theme_id).where(AnswerTheme.answer_id.in_(wanted))
    ):
        current[answer_id].add(theme_id)
    today = utctoday()
    for answer_id, themes in wanted.items():
        removed = current[answer_id] - themes
        if removed:
            db.session.execute(
                delete(AnswerTheme).where(AnswerTheme.answer_id == answer_id, AnswerTheme.theme_id.in_(removed))
            )
        db.session.add_all(
            AnswerTheme(answer_id=answer_id, theme_id=theme_id, tagged_on=today)
            for theme_id in themes - current[answer_id]
        )
    db.session.flush()


def set_tags(consultation: Consultation, answer_id: int, theme_ids: Iterable[int]) -> None:
    """Make one answer's themes exactly ``theme_ids`` (see ``set_tags_many``)."""
    set_tags_many(consultation, {answer_id: theme_ids})


# -- counts ---------------------------------------------------------------------------------

COUNT_COLUMNS = ["theme_id", "code", "label", "group_code", "responses"]


def theme_counts(consultation: Consultation, where: ResponseFilter = NO_FILTER) -> pd.DataFrame:
    """Distinct counted responses per ``(theme, group_code)``, from one GROUP BY.

    Long format, one row per theme and group that has at least one response,
    columns ``theme_id, code, label, group_code, responses``, ordered by code
    and group. A response with two tagged answers under one theme counts once.
    """
    query = (
        counted_answers(
            consultation.id,
            where,
            Theme.id,
            Theme.code,
            Theme.label,
            Response.group_code,
            func.count(func.distinct(Response.id)),
        )
        .join(AnswerTheme, AnswerTheme.answer_id == Answer.id)
        .join(Theme, Theme.id == AnswerTheme.theme_id)
        .where(Theme.consultation_id == consultation.id)
        .group_by(Theme.id, Theme.code, Theme.label, Response.group_code)
        .order_by(Theme.code, Response.group_code)
    )
    rows = db.session.execute(query).all()
    frame = pd.DataFrame([tuple(row) for row in rows], columns=COUNT_COLUMNS)
    return frame.astype({"theme_id": "int64", "responses": "int64"})


def theme_table(consultation: Consultation, where: ResponseFilter = NO_FILTER) -> pd.DataFrame:
    """``theme_counts`` as a table: one row per theme (index: theme id, by code), one column per group, zeros filled.

    Columns are the consultation's group codes in its order (narrowed to
    ``where.group`` when set); every theme has a row, tagged or not.
    """
    groups = [g.group_code for g in consultation.groups if where.group is None or g.group_code == where.group]
    themes = themes_of(consultation)
    counts = theme_counts(consultation, where)
    table = counts.pivot(index="theme_id", columns="group_code", values="responses")
    table = table.reindex(index=[t.id for t in themes], columns=groups).fillna(0).astype("int64")
    table.columns.name = None
    return table
