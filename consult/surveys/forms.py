"""The form of one page, generated per request from the definition.

``page_form(instrument, page, lang, answers, context)`` returns a FlaskForm
class holding a field (or a few) for each *visible* question of the page, its
labels and options in the content language ``lang``, pre-filled from
``answers``. Each question type parses and validates its own fields, with our
translated messages or the definition's overrides; the form only gathers them.

Field names are ``q-KEY`` and ``q-KEY-PART`` (see ``types.field_name``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import has_request_context
from flask_babel import get_locale
from flask_wtf import FlaskForm
from markupsafe import Markup

from consult.surveys.engine import Instrument, Page, Question
from consult.surveys.paths import visible_questions
from consult.surveys.types import Choice, Content, FieldContext, FieldSpec, question_type


@dataclass
class FieldView:
    """A bound field with what the template needs to show it accessibly."""

    spec: FieldSpec
    field: Any
    options: list[tuple[Any, Choice]] = field(default_factory=list)

    @property
    def id(self) -> str:
        """The element id: the input's, or the fieldset's for a radio or checkbox group."""
        return self.field.id

    @property
    def errors(self) -> list[str]:
        """This field's error messages."""
        return list(self.field.errors or ())

    @property
    def error_id(self) -> str:
        """Id of the element holding the errors (for aria-describedby)."""
        return f"{self.field.id}-error"


@dataclass
class QuestionView:
    """A question ready to render: its texts (with their languages), fields and errors."""

    question: Question
    layout: str
    text: Content
    help: Content | None
    fields: list[FieldView]

    @property
    def key(self) -> str:
        """The question key."""
        return self.question.key

    @property
    def id(self) -> str:
        """The anchor of the question: its main field's id (``q-KEY``)."""
        return self.fields[0].id if self.fields else f"q-{self.question.key}"

    @property
    def hint_id(self) -> str:
        """Id of the hint (for aria-describedby)."""
        return f"q-{self.question.key}-hint"

    @property
    def described_by(self) -> str:
        """Ids of the hint and of the main field's errors, for a group's aria-describedby."""
        ids = [self.hint_id] if self.help else []
        if self.main is not None and self.main.errors:
            ids.append(self.main.error_id)
        return " ".join(ids)

    @property
    def main(self) -> FieldView | None:
        """The question's main field (not a part or an "other" text), if it has one."""
        return next((f for f in self.fields if f.spec.part is None), None)

    @property
    def errors(self) -> list[str]:
        """Every error of the question's fields."""
        return [e for f in self.fields for e in f.errors]

    @property
    def required(self) -> bool:
        """Whether an answer is indispensable."""
        return self.question.required


def interface_language() -> str:
    """The language the page is shown in (an interface language)."""
    if has_request_context():
        locale = get_locale()
        if locale is not None:
            return str(locale)
    return "es"


class PageForm(FlaskForm):
    """Base of the generated page forms; see ``page_form``."""

    instrument: Instrument
    page: Page
    content_lang: str
    questions: list[Question]
    prior_answers: Mapping[str, Any]
    context: FieldContext
    specs: dict[str, list[FieldSpec]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._values: dict[str, Any] = {}
        self._hidden: set[str] = set()
        self._validated = False

    @property
    def interface_lang_attr(self) -> Markup:
        """`` lang="es"`` for interface words inside content of another language, else nothing."""
        ctx = self.context
        return Markup(' lang="%s"') % ctx.interface_lang if ctx.lang != ctx.interface_lang else Markup("")

    def _data(self, question: Question) -> dict[str, Any]:
        return {spec.name: self[spec.name].data for spec in self.specs[question.key]}

    def validate(self, extra_validators: Any = None) -> bool:
        """Validate the CSRF token and each visible question; questions that the answers
        just given hide are neither validated nor kept."""
        valid = super().validate(extra_validators)
        self._values, self._hidden = {}, set()
        for question in self.questions:
            parsed = question_type(question.type).parse(question, self._data(question), self.context)
            for name, messages in parsed.errors.items():
                self[name].errors = list(self[name].errors) + messages
            if parsed.value is not None and not parsed.errors:
                self._values[question.key] = parsed.value
        # An answer on this page may hide a later question of the page (say, "no" to
        # "did you complain?"): such a question is no longer asked.
        now_visible = {q.key for q in visible_questions(self.instrument, self.page, self._merged())}
        for question in self.questions:
            if question.key not in now_visible:
                self._hidden.add(question.key)
                self._values.pop(question.key, None)
                for spec in self.specs[question.key]:
                    self[spec.name].errors = []
        self._validated = True
        return valid and not any(self[spec.name].errors for q in self.questions for spec in self.specs[q.key])

    def excuse_empty(self, keys: Iterable[str]) -> bool:
        """Clear the errors of the questions ``keys`` left empty, answered another way (a recording kept
        for them); True if the page is then valid.

        Only an empty answer is excused: a typed answer with a problem (too long, say) keeps its error.
        Call after ``validate``.
        """
        for key in keys:
            for spec in self.specs.get(key, []):
                bound = self[spec.name]
                if not str(bound.data or "").strip():
                    bound.errors = []
        self._errors = None  # WTForms caches ``errors``: read them again
        return not any(bound.errors for bound in self)

    def _merged(self) -> dict[str, Any]:
        merged = {k: v for k, v in self.prior_answers.items() if k not in {q.key for q in self.questions}}
        merged.update(self._values)
        return merged

    def answers(self) -> dict[str, Any]:
        """``{question key: value}`` of this page after ``validate``; unanswered questions have no key."""
        if not self._validated:
            raise RuntimeError("call validate() before answers()")
        return dict(self._values)

    def cleared(self) -> list[str]:
        """Keys of this page's questions that are unanswered now (to delete any stored answer)."""
        return [q.key for q in self.page.questions if q.key not in self._values]

    def newly_visible(self) -> list[Question]:
        """Questions of the page that the answers just given reveal and that the form did not ask.

        After a valid submission, if this is not empty, save the answers and show
        the page again: its new questions appear (pages work without JavaScript).
        """
        shown = {q.key for q in self.questions}
        return [q for q in visible_questions(self.instrument, self.page, self._merged()) if q.key not in shown]

    def views(self) -> list[QuestionView]:
        """The visible questions, ready for ``render_questions`` in ``_questions.html``."""
        found = []
        for question in self.questions:
            if question.key in self._hidden:
                continue
            fields = []
            for spec in self.specs[question.key]:
                bound = self[spec.name]
                options = []
                if spec.widget in ("radio", "checkbox"):
                    by_value = {c.value: c for c in spec.choices}
                    options = [
                        (sub, by_value.get(sub.data, Choice(sub.data, Content(str(sub.label.text))))) for sub in bound
                    ]
                fields.append(FieldView(spec, bound, options))
            help_text = self.context.content(question.help) if question.help else None
            found.append(
                QuestionView(
                    question,
                    question_type(question.type).layout,
                    self.context.content(question.text),
                    help_text,
                    fields,
                )
            )
        return found


def page_form(
    instrument: Instrument,
    page: Page,
    lang: str,
    answers: Mapping[str, Any],
    context: Mapping[str, Any] | None = None,
    *,
    localities: Any = None,
) -> type[PageForm]:
    """A FlaskForm class for the visible questions of ``page``, in content language ``lang``.

    ``answers`` are the respondent's stored answers: they decide which questions
    show and pre-fill the fields. ``context`` may hold ``localities`` (a list of
    ``{"code", "name", "area"}``) for territory questions (``localities=`` works
    too), and ``interface_lang`` to override the page's language.
    """
    context = dict(context or {})
    if localities is not None:
        context["localities"] = localities
    ctx = FieldContext(
        instrument=instrument,
        lang=lang,
        interface_lang=context.get("interface_lang") or interface_language(),
        localities=list(context.get("localities") or ()),
    )
    questions = visible_questions(instrument, page, answers)
    attrs: dict[str, Any] = {}
    specs: dict[str, list[FieldSpec]] = {}
    for question in questions:
        kind = question_type(question.type)
        question_specs = kind.fields(question, ctx)
        specs[question.key] = question_specs
        stored = answers.get(question.key)
        defaults = kind.form_data(question, stored) if stored is not None else {}
        text = ctx.content(question.text).text
        for spec in question_specs:
            label = text if spec.label is None else f"{text} — {spec.label.text}"
            attrs[spec.name] = spec.unbound(defaults.get(spec.name), label)
    attrs.update(
        instrument=instrument,
        page=page,
        content_lang=lang,
        questions=questions,
        prior_answers=dict(answers),
        context=ctx,
        specs=specs,
    )
    return type(f"PageForm_{page.key}", (PageForm,), attrs)
