"""What every question type shares: answer rows, field specs, the parsing context, messages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from consult.i18n import language_dir, language_name
from consult.surveys.engine import Instrument, Question, Text

# Default validation messages. A definition overrides one per language with
# ``"messages": {"required": {"es": "...", ...}}`` on the question.
MESSAGES = {
    "required": _l("Please answer this question."),
    "invalid": _l("Choose one of the options shown."),
    "other": _l(
        "You wrote something under “%(other)s” but chose another answer. Choose “%(other)s” or clear the text."
    ),
    "exclusive": _l("“%(option)s” cannot be chosen together with other answers."),
    "max_choices": _l("Choose at most %(n)d answers."),
    "integer": _l("Enter a whole number, for example 12."),
    "decimal": _l("Enter a number, for example 12.5."),
    "min": _l("Enter %(min)s or more."),
    "max": _l("Enter %(max)s or less."),
    "max_length": _l("Write at most %(n)d characters; you wrote %(count)d."),
    "date": _l("Enter a real date, for example 31/12/2025."),
    "date_min": _l("Enter a date on or after %(min)s."),
    "date_max": _l("Enter a date on or before %(max)s."),
    "date_order": _l("The end date must be the same as or after the start date."),
    "locality": _l("That place is not in the area you chose."),
}
OTHER_LABEL = _l("Other")
OTHER_SPECIFY = _l("Please say what")
DONT_KNOW = _l("I don't know")


class AnswerRow(NamedTuple):
    """One atomic value of an answer, as stored for ``GROUP BY`` counting."""

    part: str | None = None
    option: str | None = None
    number: float | int | None = None
    text: str | None = None


@dataclass(frozen=True)
class Content:
    """A text ready to show, and the ``lang`` attribute it needs (``None`` when it is the page's language).

    ``fallback`` is the language the text is shown in when it has no translation into the language
    asked for (``None`` when it is in that language): the page marks such texts as shown in it.
    """

    text: str
    lang: str | None = None
    fallback: str | None = None

    def __str__(self) -> str:
        return self.text

    def __html__(self) -> str:
        if self.lang or self.fallback:
            return Markup("<span%s>%s</span>%s") % (self.lang_attr, self.text, self.note)
        return str(escape(self.text))

    @property
    def lang_attr(self) -> Markup:
        """`` lang="xx"`` (and ``dir``, and the fallback mark) to put inside an opening tag, or nothing."""
        attrs = Markup("")
        if self.lang:
            attrs += Markup(' lang="%s"') % self.lang
            if language_dir(self.lang) == "rtl":
                attrs += Markup(' dir="rtl"')
        if self.fallback:
            attrs += Markup(' data-fallback="%s"') % self.fallback
        return attrs

    @property
    def note(self) -> Markup:
        """A visible "(shown in Spanish)" after a text shown in the fallback language, else nothing."""
        if not self.fallback:
            return Markup("")
        # The note is in the interface language, whatever language the element around it declares.
        return Markup(' <span class="fallback-note" lang="%s">(%s)</span>') % (
            str(get_locale() or "es"),
            _("shown in %(language)s", language=language_name(self.fallback)),
        )


@dataclass(frozen=True)
class Choice:
    """An option of a field: its value, its label, and the group it is listed under."""

    value: str
    label: Content
    exclusive: bool = False
    group: str | None = None


@dataclass
class FieldSpec:
    """One form field of a question: a whole question, one of its parts, or an "other" text.

    ``widget`` is ``radio``, ``checkbox``, ``select``, ``text``, ``number``,
    ``date`` or ``textarea``; ``label`` is ``None`` for the main field (the
    question's own text labels it).
    """

    name: str
    widget: str
    part: str | None = None
    label: Content | None = None
    choices: list[Choice] = field(default_factory=list)
    render_kw: dict[str, Any] = field(default_factory=dict)
    is_other: bool = False
    suffix: Content | None = None  # shown after the input, e.g. a number's unit

    def unbound(self, default: Any = None, label: str | None = None):
        """The WTForms field for this spec, carrying ``default`` (the stored answer).

        ``label`` names the field in error summaries; the template shows the spec's contents.
        """
        choices = [
            SelectChoice(
                c.value, c.label.text, render_kw={"lang": c.label.lang} if c.label.lang else {}, optgroup=c.group
            )
            for c in self.choices
        ]
        label = label if label is not None else (self.label.text if self.label else "")
        # Validation is the question type's (with our messages), so WTForms checks nothing.
        common = {"default": default, "render_kw": dict(self.render_kw)}
        if self.widget == "radio":
            return RadioField(label, choices=choices, validate_choice=False, **common)
        if self.widget == "checkbox":
            return SelectMultipleField(
                label,
                choices=choices,
                validate_choice=False,
                widget=ListWidget(prefix_label=False),
                option_widget=CheckboxInput(),
                **common,
            )
        if self.widget == "select":
            return SelectField(label, choices=[SelectChoice("", "")] + choices, validate_choice=False, **common)
        if self.widget == "textarea":
            return TextAreaField(label, **common)
        return StringField(label, **common)


def field_name(key: str, part: str | None = None) -> str:
    """The form field name of a question (``q-A1``) or of one of its parts (``q-A1-scale``).

    The prefix keeps question keys such as ``data`` or ``errors`` from colliding
    with the form's own attributes.
    """
    return f"q-{key}" if part is None else f"q-{key}-{part}"


@dataclass
class FieldContext:
    """What parsing and field building need besides the question.

    ``lang`` is the content language; ``interface_lang`` the language the page
    is in (a ``lang`` attribute marks content in any other); ``localities`` the
    territory's places (``{"code", "name", "area"}``) for territory questions.
    """

    instrument: Instrument
    lang: str
    interface_lang: str = "es"
    localities: Sequence[Mapping[str, Any]] = ()

    def content(self, text: Text | None) -> Content:
        """Survey content in the content language (or its fallback), marked with the language shown."""
        value, shown = self.instrument.text_and_language(text, self.lang)
        fallback = shown if value and shown != self.lang else None
        return Content(value, None if shown == self.interface_lang else shown, fallback)

    def interface(self, text: Any) -> Content:
        """An interface string (gettext), in the page's language.

        It is marked with that language when the content is in another one, so that it
        reads right even inside a container that declares the content language.
        """
        return Content(str(text), self.interface_lang if self.lang != self.interface_lang else None)

    def message(self, question: Question, name: str, **params: Any) -> str:
        """A validation message: the definition's override in the content language, else ours."""
        override = question.messages.get(name)
        if override:
            text = self.instrument.text(override, self.lang)
            try:
                return text % params if params else text
            except (TypeError, ValueError, KeyError):
                return text
        return str(MESSAGES[name]) % params if params else str(MESSAGES[name])


@dataclass
class Parsed:
    """The value read from a question's fields (``None`` if unanswered) and errors by field name."""

    value: Any = None
    errors: dict[str, list[str]] = field(default_factory=dict)

    def error(self, name: str, message: str) -> None:
        """Add an error to field ``name``."""
        self.errors.setdefault(name, []).append(message)


def clean_text(value: Any) -> str:
    """Submitted text, stripped; anything not text is empty."""
    return value.strip() if isinstance(value, str) else ""


class QuestionType:
    """A question type: its fields, its validation, its rows, its export columns.

    Subclasses set ``name``, ``summary_kind`` (``categorical``, ``multi``,
    ``numeric``, ``text``, ``date``, ``parts`` or ``None`` for ``info``) and
    ``layout`` (how ``_questions.html`` lays the fields out: ``info``,
    ``choices``, ``input``, ``fieldset`` or ``parts``).
    """

    name = ""
    summary_kind: str | None = None
    layout = "input"

    # -- definition ---------------------------------------------------------------------------
    def check_definition(self, raw: Mapping[str, Any]) -> list[tuple[str, Any, str]]:
        """Semantic problems of this type's members: ``(member path, lazy message, code)``.

        Called only when the JSON Schema found nothing wrong in the question.
        """
        return []

    def rule_parts(self, question: Question) -> frozenset[str]:
        """Parts a rule may refer to with ``{"answer": KEY, "part": P}``."""
        return frozenset()

    def rule_values(self, question: Question, part: str | None = None) -> frozenset[Any] | None:
        """The codes a whole answer can take, to check rule literals; ``None``: not checked."""
        return None

    # -- form ---------------------------------------------------------------------------------
    def fields(self, question: Question, ctx: FieldContext) -> list[FieldSpec]:
        """The form fields that ask the question, main field first."""
        return []

    def form_data(self, question: Question, value: Any) -> dict[str, Any]:
        """Field data that shows ``value`` again (answers kept when moving back)."""
        return {}

    def parse(self, question: Question, data: Mapping[str, Any], ctx: FieldContext) -> Parsed:
        """Validate submitted field data ({field name: data}) into a value, or errors."""
        return Parsed()

    def _required(self, question: Question, parsed: Parsed, ctx: FieldContext) -> Parsed:
        if question.required and parsed.value is None and not parsed.errors:
            parsed.error(field_name(question.key), ctx.message(question, "required"))
        return parsed

    # -- storage and export -------------------------------------------------------------------
    def to_rows(self, question: Question, value: Any) -> list[AnswerRow]:
        """The answer as rows (see "Answer rows" in the format documentation)."""
        return []

    def from_rows(self, question: Question, rows: Iterable[Any]) -> Any:
        """The answer value back from its rows (``None`` when there are none)."""
        return None

    def export_columns(self, question: Question) -> list[str]:
        """Flat spreadsheet column names: ``KEY`` or ``KEY.part`` / ``KEY.option``."""
        return [question.key]

    def export_values(self, question: Question, value: Any) -> list[Any]:
        """One cell per column of ``export_columns``; empty cells are ``None``."""
        return [None] * len(self.export_columns(question))

    # -- display ------------------------------------------------------------------------------
    def choices(self, question: Question, ctx: FieldContext, part: str | None = None) -> list[Choice]:
        """The categories of an answer (or of one part), in order, for analysis and review."""
        return []

    def parts(self, question: Question, ctx: FieldContext) -> list[tuple[str, Content]]:
        """The parts of a multi-part answer with their labels (``summary_kind == "parts"``)."""
        return []

    def display(self, question: Question, value: Any, ctx: FieldContext) -> str:
        """The answer in words, for the review page."""
        if value is None:
            return ""
        return str(value)


def row_field(row: Any, name: str) -> Any:
    """A member of an answer row: an ``AnswerRow``, a model object or a mapping."""
    if isinstance(row, Mapping):
        return row.get(name)
    return getattr(row, name, None)


def choice_label(choices: Sequence[Choice], value: Any) -> str:
    """The label of the choice with this value (the value itself if unknown)."""
    for choice in choices:
        if choice.value == value:
            return choice.label.text
    return str(value)
