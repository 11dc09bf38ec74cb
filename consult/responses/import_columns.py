"""Which question (and which field of it) a spreadsheet column of answers fills.

Three spellings are understood, so that a file comes straight from where the
answers were gathered:

* consult's own names: ``KEY`` for a whole answer and the flat export columns
  of each question type (``KEY.option`` 0/1 per option of a multiple choice,
  ``KEY.part`` for a severity, UNGP 31, territory or date-range part,
  ``KEY.other.text``);
* the names of an exported KoboToolbox or ODK data file for a form made from
  the instrument (``docs/xlsform.md``): groups as path prefixes
  (``section/page/KEY``, or ``section-page-KEY`` from ODK Central), a
  select_multiple as space-separated codes in ``KEY`` and/or one 0/1 column
  per option ``KEY/option``, parts as ``KEY__part``, "other" texts as
  ``KEY__other``;
* the question texts of a KoboToolbox export made with "labels" rather than
  "XML values and headers" (``Household/Do you have water at home?``, and
  ``Uses/Drinking`` for the 0/1 column of an option), in any language of the
  instrument, when a text names one question only; the cells may then hold
  option labels instead of codes (``ColumnMap.code``);
* the reserved columns ``group``, ``language`` and ``entry_mode``.

Metadata columns of the collection tools (``start``, ``end``, ``_uuid``,
``_submission_time``, ``_index``, ``meta/instanceID``…) are recognised and
left out: consult does not record when, where or on which device a person
answered. Every column whose name starts with ``_`` (KoboToolbox's ``_id``,
``_index``, ``_validation_status``, ``_submitted_by``, ``_notes``, ``_tags``...)
is such metadata. Columns computed from others (``KEY.severity``, ``PAGE__route``) are
left out too. The submission id (``_uuid`` or ``instanceID``) serves only to
refuse importing the same submission twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from consult.surveys.engine import Instrument, Question
from consult.surveys.types import field_name

SPECIAL = ("group", "language", "entry_mode")
SUBMISSION_ID_COLUMNS = ("_uuid", "meta/instanceID", "meta-instanceID", "instanceID", "KEY")
META_COLUMNS = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "subscriberid",
        "simserial",
        "phonenumber",
        "username",
        "email",
        "audit",
        "instanceName",
        "__version__",
        "SubmissionDate",
        "SubmitterID",
        "SubmitterName",
        "AttachmentsPresent",
        "AttachmentsExpected",
        "Status",
        "ReviewState",
        "DeviceID",
        "Edits",
        "FormVersion",
        "start-geopoint",
        "background-audio",
    }
)
META_PREFIXES = ("_", "meta/", "meta-", "formhub/", "formhub-")
CHOICE_TYPES = frozenset(
    {"single_choice", "multiple_choice", "consent", "stakeholder_group", "scale", "ungp31", "severity"}
)


@dataclass(frozen=True)
class Target:
    """What a column fills: a field of a question, and how the cell is read.

    ``how``: ``value`` (the cell is the field's value), ``list`` (codes separated
    by spaces or commas), ``flag`` (1/0 for ``option``), ``place`` (a locality
    or area by code or name), ``computed`` (left out).
    """

    question_key: str
    field: str
    how: str = "value"
    option: str | None = None
    #: The cell holds option codes, compared without regard to case.
    is_code: bool = False


def _names(question: Question) -> dict[str, Target]:
    key, kind = question.key, question.type
    found: dict[str, Target] = {}

    def add(target: Target, *names: str) -> None:
        if kind in CHOICE_TYPES and target.how in ("value", "list") and not target.field.endswith("-other"):
            target = Target(target.question_key, target.field, target.how, target.option, is_code=True)
        for name in names:
            found.setdefault(name, target)

    if kind == "info":
        return found
    if kind in ("multiple_choice", "consent"):
        add(Target(key, field_name(key), "list"), key)
        options = list(question.option_values) + (["other"] if question.other is not None and kind != "consent" else [])
        for option in options:
            add(Target(key, field_name(key), "flag", option), f"{key}.{option}", f"{key}/{option}")
    elif kind == "territory":
        add(Target(key, field_name(key), "place"), key)
        for part in ("area", "locality"):
            add(Target(key, field_name(key, part)), f"{key}.{part}", f"{key}__{part}")
    elif kind in ("severity", "ungp31", "date_range"):
        parts = {"severity": ("scale", "scope", "irremediability", "likelihood"), "date_range": ("start", "end")}.get(
            kind
        ) or (
            "legitimate",
            "accessible",
            "predictable",
            "equitable",
            "transparent",
            "rights_compatible",
            "continuous_learning",
            "engagement",
        )
        for part in parts:
            add(Target(key, field_name(key, part)), f"{key}.{part}", f"{key}__{part}")
        if kind == "severity":
            add(Target(key, "", "computed"), f"{key}.severity", f"{key}.urgent")
    else:
        add(Target(key, field_name(key)), key)
    if kind == "single_choice" and question.other is not None:
        add(Target(key, field_name(key, "other")), f"{key}.other.text", f"{key}__other")
    if kind == "multiple_choice" and question.other is not None:
        add(Target(key, field_name(key, "other")), f"{key}.other.text", f"{key}__other")
    return found


class ColumnMap:
    """The columns an instrument understands, by every spelling above."""

    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        self.names: dict[str, Target] = {}
        for question in instrument.questions:
            for name, target in _names(question).items():
                self.names.setdefault(name, target)
        lowered: dict[str, list[Target]] = {}
        for name, target in self.names.items():
            lowered.setdefault(name.lower(), []).append(target)
        for name, target in _label_names(instrument).items():
            if name not in self.names:
                lowered.setdefault(name.lower(), []).append(target)
        self._labels = _option_labels(instrument)
        # A case-insensitive spelling is accepted only when it names one thing.
        self._lowered = {name: targets[0] for name, targets in lowered.items() if len(targets) == 1}

    def code(self, question_key: str, text: str) -> str:
        """An option's code for a cell holding its label (a Kobo "labels" export); the cell itself otherwise."""
        return self._labels.get(question_key, {}).get(_fold(text), text)

    def _lookup(self, name: str) -> Target | None:
        return self.names.get(name) or self._lowered.get(name.lower())

    def target(self, header: str) -> Target | None:
        """The target of a column header, or ``None`` when no question of the instrument has that name."""
        header = header.strip()
        if not header:
            return None
        found = self._lookup(header) or self._lookup(_fold(header))
        if found is not None:
            return found
        if header.endswith("__route"):
            return None
        for separator in ("/", "-"):
            parts = [p for p in header.split(separator) if p]
            if len(parts) < 2:
                continue
            # The option column first: ``KEY/option`` must not be read as a question named like the option.
            found = (
                self._lookup(f"{parts[-2]}/{parts[-1]}")
                or self._lookup(f"{_fold(parts[-2])}/{_fold(parts[-1])}")
                or self._lookup(parts[-1])
                or self._lookup(_fold(parts[-1]))
            )
            if found is not None:
                return found
        return None


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _label_names(instrument: Instrument) -> dict[str, Target]:
    """Question texts (and ``text/option label`` for 0/1 option columns) → targets, in every language.

    A text two questions share is left out by ``ColumnMap`` (a case-insensitive spelling names one thing).
    """
    found: dict[str, Target] = {}
    for question in instrument.questions:
        whole = next((t for n, t in _names(question).items() if n == question.key), None)
        if whole is None:
            continue
        for text in set((question.text or {}).values()):
            name = _fold(text)
            if not name or "/" in name:
                continue
            found.setdefault(name, whole)
            if whole.how == "list":
                for option in question.options:
                    for label in set(option.label.values()):
                        target = Target(question.key, whole.field, "flag", option.value)
                        found.setdefault(f"{name}/{_fold(label)}", target)
                        found.setdefault(f"{question.key.lower()}/{_fold(label)}", target)
    return found


def _option_labels(instrument: Instrument) -> dict[str, dict[str, str]]:
    """Each choice question's option labels (folded, every language) → codes, for labels that name one option."""
    labels: dict[str, dict[str, str]] = {}
    for question in instrument.questions:
        seen: dict[str, set[str]] = {}
        for option in question.options:
            for label in option.label.values():
                seen.setdefault(_fold(label), set()).add(option.value)
        labels[question.key] = {label: codes.pop() for label, codes in seen.items() if len(codes) == 1}
    return labels


def column_kind(header: str) -> str | None:
    """``special``, ``submission_id``, ``meta`` or ``computed`` for the columns that are not answers; else ``None``."""
    name = header.strip()
    if name.lower() in SPECIAL:
        return "special"
    if name in SUBMISSION_ID_COLUMNS:
        return "submission_id"
    if name in META_COLUMNS or name.startswith(META_PREFIXES) or name.lower() in {m.lower() for m in META_COLUMNS}:
        return "meta"
    if name.endswith("__route"):
        return "computed"
    return None


def template_columns(instrument: Instrument) -> list[str]:
    """The answer columns of a blank import template for ``instrument``, in consult's own spelling.

    One column per whole answer (codes separated by spaces for a multiple
    choice, a locality code or name for a territory), one per part of a
    severity, UNGP 31 or date range, and the "other" texts.
    """
    columns: list[str] = []
    for question in instrument.questions:
        for name, target in _names(question).items():
            if target.how in ("flag", "computed") or "/" in name or "__" in name:
                continue
            if question.type == "territory" and target.how != "place":
                continue
            if name not in columns:
                columns.append(name)
    return columns
