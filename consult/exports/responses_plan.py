"""The tables of a response-data export: one per instrument, its columns, their labels and codes.

An instrument of a consultation may have been answered on several of its
versions; its table holds the union of their questions in instrument order (the
newest version's order, a key only an older version has placed after the key
it followed there) and the union of their columns. Each version keeps its own
map from a question's export cells to the table's columns, so a response is
laid out by the version it was given on.

What a question's columns are and what goes in them is the question type's
(``export_columns`` / ``export_values``, docs/instrument-format.md, "Export
columns") in the consult layout; the KoboToolbox layout has its own mapping
(``responses_kobo``). Both layouts share this plan: ``Layout`` says how.

Codes (consult layout, documented in every codebook):

- an empty cell: the question was **not asked** (off the person's path or hidden by its rule);
- ``-99``: **asked, not answered** (shown and left blank); in every column of the question, and in
  the part columns left blank of a severity or UNGP 31 block that was answered in part;
- ``-98``: "I don't know" on a scale (the scale's column is numeric).

In SPSS both codes are user-missing values with value labels.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from consult.accounts.models import Locality
from consult.extensions import db
from consult.i18n import LANGUAGE_NAMES, interface_language_for
from consult.responses.models import ENTRY_MODE_LABELS, Consultation, ConsultationGroup, Response
from consult.surveys.engine import Instrument, Question
from consult.surveys.labels import STAKEHOLDER_GROUPS
from consult.surveys.models import AskedSet, AskedSetQuestion, InstrumentVersion
from consult.surveys.types import FieldContext, QuestionType, question_type
from consult.surveys.types.blocks import AREA_LABEL, LOCALITY_LABEL
from consult.surveys.types.simple import RANGE_LABELS

ASKED_NOT_ANSWERED = -99
DONT_KNOW = -98
#: Types whose parts are all shown together: a part left blank in an answered block was asked, not answered.
RATED_TYPES = frozenset({"severity", "ungp31"})


@dataclass
class Column:
    """One column of a table: its header, its label and what its cells can hold."""

    name: str
    label: str
    numeric: bool = False
    #: Value labels {code: label}.
    values: dict[Any, str] = field(default_factory=dict)
    #: Codes declared missing in this column (SPSS user-missing).
    missing: tuple[Any, ...] = ()
    #: The question key (``None`` for a column describing the response).
    key: str | None = None

    @property
    def asked_code(self) -> Any:
        """What an asked-but-unanswered cell holds (``None`` where the layout does not say it)."""
        if ASKED_NOT_ANSWERED in self.missing:
            return ASKED_NOT_ANSWERED
        if str(ASKED_NOT_ANSWERED) in self.missing:
            return str(ASKED_NOT_ANSWERED)
        return None


@dataclass
class Entry:
    """One question of one version: the table columns its cells go to."""

    question: Question
    kind: QuestionType
    #: Table column (among the question columns) of each cell the layout gives; ``None``: dropped.
    indices: tuple[int | None, ...]
    #: Per cell: a blank cell in an answered question is "asked, not answered".
    fill: tuple[bool, ...]


@dataclass
class VersionPlan:
    """One instrument version of a table: its number and its questions by key."""

    number: int
    entries: dict[str, Entry]


@dataclass
class Table:
    """One instrument's table: its columns (response columns, then or after the question columns)."""

    name: str
    title: str
    instrument: Instrument
    version_ids: list[int]
    versions: dict[int, VersionPlan]
    meta: list[Column]
    questions: list[Column]
    meta_first: bool
    #: {asked_set_id: question keys}
    asked: dict[int, frozenset[str]] = field(default_factory=dict)
    _templates: dict[tuple[int, int | None], list[Any]] = field(default_factory=dict)

    @property
    def columns(self) -> list[Column]:
        """Every column in file order."""
        return self.meta + self.questions if self.meta_first else self.questions + self.meta

    def template(self, version_id: int, asked_set_id: int | None) -> list[Any]:
        """The question cells of a response before its answers: the asked-not-answered code where it was asked."""
        key = (version_id, asked_set_id)
        found = self._templates.get(key)
        if found is None:
            found = [None] * len(self.questions)
            keys = self.asked.get(asked_set_id, frozenset()) if asked_set_id is not None else frozenset()
            for question_key in keys:
                entry = self.versions[version_id].entries.get(question_key)
                if entry is None:
                    continue
                for index in entry.indices:
                    if index is not None:
                        found[index] = self.questions[index].asked_code
            self._templates[key] = found
        return found


class Layout:
    """How a table is laid out: its response columns and each question's columns and cells."""

    name = ""
    meta_first = True

    def __init__(self, consultation: Consultation, lang: str, places: dict[int, tuple[str, str | None, str]]) -> None:
        self.consultation = consultation
        self.lang = lang
        self.places = places

    def meta_columns(self, table: Table) -> list[Column]:
        """The columns describing each response."""
        raise NotImplementedError

    def meta_cells(self, table: Table, response: Sequence[Any], index: int) -> list[Any]:
        """The response columns' cells of one response row (``index`` counts from 1)."""
        raise NotImplementedError

    def question_columns(self, question: Question, kind: QuestionType, ctx: FieldContext) -> list[tuple[Column, bool]]:
        """The question's columns, each with whether a blank cell in an answered question is asked-not-answered."""
        raise NotImplementedError

    def cells(self, question: Question, kind: QuestionType, value: Any) -> list[Any]:
        """The cells of an answer, one per column of ``question_columns``."""
        raise NotImplementedError


# -- the consult layout ----------------------------------------------------------------------------


class ConsultLayout(Layout):
    """Columns named by question keys (the question types' export columns), codes in the cells, labels in
    the codebook.
    """

    name = "consult"

    def meta_columns(self, table: Table) -> list[Column]:
        """Response id, instrument version, date, language, group, place, entry mode, collective, set aside."""
        groups = {code: str(label) for code, label in STAKEHOLDER_GROUPS.items()}
        languages = {code: str(LANGUAGE_NAMES.get(code, code)) for code in self.consultation.languages}
        modes = {mode.value: str(label) for mode, label in ENTRY_MODE_LABELS.items()}
        localities = {code: name for code, _area, name in self.places.values()}
        yes_no = {1: _("Yes"), 0: _("No")}
        return [
            Column("response_id", _("Response number"), numeric=True),
            Column("instrument_version", _("Version of the instrument answered"), numeric=True),
            Column("submitted_on", _("Date sent")),
            Column("language", _("Language answered in"), values=languages),
            Column("stakeholder_group", _("Stakeholder group"), values=groups),
            Column("locality", _("Municipality or locality (code)"), values=localities),
            Column("area", _("Area or subregion")),
            Column("entry_mode", _("How the answers were entered"), values=modes),
            Column("is_collective", _("Answered on behalf of a collective"), numeric=True, values=yes_no),
            Column("people_represented", _("People the collective speaks for"), numeric=True),
            Column("is_set_aside", _("Set aside from analysis by an official"), numeric=True, values=yes_no),
        ]

    def meta_cells(self, table: Table, response: Sequence[Any], index: int) -> list[Any]:
        """See ``meta_columns``; ``response`` is a row of ``RESPONSE_COLUMNS``."""
        (rid, version_id, submitted, language, group, locality_id, mode, collective, people, aside, _asked) = response
        place = self.places.get(locality_id) if locality_id is not None else None
        return [
            rid,
            table.versions[version_id].number,
            submitted.isoformat() if submitted else None,
            language,
            group,
            place[0] if place else None,
            place[1] if place else None,
            getattr(mode, "value", mode),
            1 if collective else 0,
            people,
            1 if aside else 0,
        ]

    def question_columns(self, question: Question, kind: QuestionType, ctx: FieldContext) -> list[tuple[Column, bool]]:
        """The type's export columns, labelled; numbers typed as numbers; missing codes declared."""
        text = ctx.content(question.text).text or question.key
        found = []
        parts = dict(kind.parts(question, ctx)) if kind.summary_kind == "parts" else {}
        for name in kind.export_columns(question):
            suffix = name[len(question.key) + 1 :] if name != question.key else None
            column = Column(name, text, key=question.key)
            fill = question.type in RATED_TYPES and suffix in parts
            _describe(column, question, kind, ctx, suffix, parts)
            column.label = f"{text}: {column.label}" if suffix is not None else text
            column.missing = (
                (ASKED_NOT_ANSWERED, DONT_KNOW)
                if question.type == "scale"
                else ((ASKED_NOT_ANSWERED,) if column.numeric else (str(ASKED_NOT_ANSWERED),))
            )
            column.values[column.asked_code] = _("Asked, not answered")
            found.append((column, fill))
        return found

    def cells(self, question: Question, kind: QuestionType, value: Any) -> list[Any]:
        """The type's export values; a scale's "I don't know" as ``DONT_KNOW``."""
        cells = kind.export_values(question, value)
        if question.type == "scale" and cells and cells[0] == "dont_know":
            cells[0] = DONT_KNOW
        return cells


def _describe(
    column: Column, question: Question, kind: QuestionType, ctx: FieldContext, suffix: str | None, parts: dict[str, Any]
) -> None:
    """Set the column's label (after the question text), type and value labels from what it holds."""
    yes_no = {1: _("Chosen"), 0: _("Not chosen")}
    other_label = ctx.content(question.other).text if question.other else _("Other")
    if question.type == "number":
        column.numeric = True
    elif question.type == "scale":
        column.numeric = True
        column.values = {
            int(p["value"]): ctx.content(p.get("label")).text or str(p["value"]) for p in question.get("points") or ()
        }
        column.values[DONT_KNOW] = _("I don't know")
    elif question.type in ("single_choice", "stakeholder_group") and suffix is None:
        column.values = {c.value: c.label.text for c in kind.choices(question, ctx)}
    elif question.type in ("multiple_choice", "consent") and suffix is not None and suffix != "other.text":
        column.numeric = True
        column.values = dict(yes_no)
        option = question.option(suffix)
        column.label = ctx.content(option.label).text if option is not None else other_label
        return
    if suffix is None:
        return
    if suffix == "other.text":
        column.label = _("%(other)s (text written)", other=other_label)
    elif suffix in parts:
        column.label = str(parts[suffix])
        if question.type == "severity":
            column.numeric = True
            column.values = {int(c.value): c.label.text for c in kind.choices(question, ctx, suffix)}
        elif question.type == "ungp31":
            column.values = {c.value: c.label.text for c in kind.choices(question, ctx, suffix)}
        elif question.type == "territory" and suffix == "locality":
            column.values = {c.value: c.label.text for c in kind.choices(question, ctx)}
    elif suffix == "severity":
        column.label, column.numeric = _("Severity (the highest of scale, scope and irremediability)"), True
    elif suffix == "urgent":
        column.label, column.numeric = _("Urgent (severity or irremediability 4 or more)"), True
        column.values = {1: _("Yes"), 0: _("No")}
    elif suffix in RANGE_LABELS:
        column.label = str(RANGE_LABELS[suffix])
    elif suffix == "area":
        column.label = str(AREA_LABEL)
    elif suffix == "locality":
        column.label = str(LOCALITY_LABEL)
    else:
        column.label = suffix


# -- building the tables ---------------------------------------------------------------------------

#: What is read of each response, in this order (``Layout.meta_cells`` unpacks it).
RESPONSE_COLUMNS = (
    Response.id,
    Response.instrument_version_id,
    Response.submitted_on,
    Response.language,
    Response.group_code,
    Response.locality_id,
    Response.entry_mode,
    Response.is_collective,
    Response.people_represented,
    Response.is_set_aside,
    Response.asked_set_id,
)


def used_versions(consultation: Consultation) -> list[InstrumentVersion]:
    """The instrument versions the consultation's groups answer or its responses were given on."""
    ids = set(
        db.session.scalars(
            select(ConsultationGroup.instrument_version_id).where(ConsultationGroup.consultation_id == consultation.id)
        )
    )
    ids |= set(
        db.session.scalars(
            select(Response.instrument_version_id).where(Response.consultation_id == consultation.id).distinct()
        )
    )
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(InstrumentVersion).where(InstrumentVersion.id.in_(ids)).order_by(InstrumentVersion.id)
        )
    )


def places_of(consultation: Consultation) -> dict[int, tuple[str, str | None, str]]:
    """{locality id: (code, area, name)} of the consultation's territory."""
    rows = db.session.execute(
        select(Locality.id, Locality.code, Locality.area, Locality.name).where(
            Locality.territory_id == consultation.territory_id
        )
    ).all()
    return {lid: (code, area, name) for lid, code, area, name in rows}


def merged_keys(instruments: Sequence[Instrument]) -> list[str]:
    """Question keys of several versions, newest first in ``instruments``: its order, older keys after their
    predecessor.
    """
    order: list[str] = []
    for instrument in instruments:
        previous = None
        for question in instrument.questions:
            if question.key not in order:
                order.insert(order.index(previous) + 1 if previous is not None else 0, question.key)
            previous = question.key
    return order


def build_tables(consultation: Consultation, layout: Layout) -> list[Table]:
    """One table per instrument the consultation uses, in the order its versions were first made."""
    by_instrument: dict[int, list[InstrumentVersion]] = {}
    for version in used_versions(consultation):
        by_instrument.setdefault(version.instrument_id, []).append(version)
    interface = interface_language_for(layout.lang)
    localities = [{"code": c, "name": n, "area": a} for c, a, n in layout.places.values()]
    tables, names = [], set()
    for versions in by_instrument.values():
        newest_first = sorted(versions, key=lambda v: v.number, reverse=True)
        parsed = [v.parsed() for v in newest_first]
        newest = parsed[0]
        columns: list[Column] = []
        at: dict[str, int] = {}
        plans = {v.id: VersionPlan(v.number, {}) for v in newest_first}
        for key in merged_keys(parsed):
            for version, instrument in zip(newest_first, parsed):
                if not instrument.has_question(key):
                    continue
                question = instrument.question(key)
                kind = question_type(question.type)
                ctx = FieldContext(instrument, layout.lang, interface, localities)
                indices, fills = [], []
                for column, fill in layout.question_columns(question, kind, ctx):
                    if column.name not in at:
                        at[column.name] = len(columns)
                        columns.append(column)
                    indices.append(at[column.name])
                    fills.append(fill)
                if indices:
                    plans[version.id].entries[key] = Entry(question, kind, tuple(indices), tuple(fills))
        name = _unique(newest.key or "instrument", names)
        title = newest.text(newest.title, layout.lang) or name
        table = Table(name, title, newest, [v.id for v in newest_first], plans, [], columns, layout.meta_first)
        table.meta = layout.meta_columns(table)
        _rename_clashes(table)
        table.asked = asked_sets(table.version_ids)
        tables.append(table)
    return tables


def asked_sets(version_ids: list[int]) -> dict[int, frozenset[str]]:
    """{asked set id: question keys} of the versions' asked sets (a small table: a few paths per version)."""
    found: dict[int, set[str]] = {}
    rows = db.session.execute(
        select(AskedSetQuestion.asked_set_id, AskedSetQuestion.question_key)
        .join(AskedSet, AskedSet.id == AskedSetQuestion.asked_set_id)
        .where(AskedSet.instrument_version_id.in_(version_ids))
    )
    for set_id, key in rows:
        found.setdefault(set_id, set()).add(key)
    return {k: frozenset(v) for k, v in found.items()}


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate.lower() in taken:
        candidate, n = f"{name}_{n}", n + 1
    taken.add(candidate.lower())
    return candidate


def _rename_clashes(table: Table) -> None:
    """A question column named like a response column (a question keyed ``language``) gets ``_2``."""
    taken = {c.name.lower() for c in table.meta}
    for column in table.questions:
        if column.name.lower() in taken:
            column.name = _unique(column.name, taken)
        else:
            taken.add(column.name.lower())


# -- SPSS names ------------------------------------------------------------------------------------

_RESERVED = frozenset({"all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with"})
_NOT_NAME = re.compile(r"[^A-Za-z0-9_.@#$]")


def spss_names(names: Sequence[str], limit: int = 64) -> list[str]:
    """Valid, distinct SPSS variable names for ``names``: changed only where SPSS needs it.

    Characters SPSS does not allow become ``_``; a name not starting with a
    letter gets ``v_`` before it; a reserved word (``TO``, ``AND``…) or a name
    ending in ``.`` gets ``_`` after it; a name longer than 64 bytes is cut and
    ends in a short hash; a clash (names are case-insensitive) gets ``_2``…
    The codebook lists every column under its file name.
    """

    taken: set[str] = set()
    found = []
    for name in names:
        candidate = _NOT_NAME.sub("_", name)
        if not candidate[:1].isalpha() or not candidate[:1].isascii():
            candidate = "v_" + candidate
        if candidate.lower() in _RESERVED or candidate.endswith("."):
            candidate += "_"
        if len(candidate.encode()) > limit:
            digest = hashlib.sha1(name.encode()).hexdigest()[:6]
            candidate = candidate[: limit - 7] + "_" + digest
        base, n = candidate, 2
        while candidate.lower() in taken:
            suffix = f"_{n}"
            candidate, n = base[: limit - len(suffix)] + suffix, n + 1
        taken.add(candidate.lower())
        found.append(candidate)
    return found
