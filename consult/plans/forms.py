"""Forms of the officials' plan screens: texts per language, an action's fields, drops, lifecycle dates.

Labels are lazy so they follow the request's language; choices that depend on
the plan (its priorities, the territory's localities, the library) are filled
in by the view. Every type or choice error is a translated sentence, and what
was typed comes back in the form.
"""

from __future__ import annotations

import math
import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FloatField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

# The same translated sentences and date field as the consultation forms.
from consult.responses.forms import REQUIRED, Date

NUMBER = _l("Write a number, for example 1500 or 12.5.")
NOT_IN_LIST = _l("Choose from the list.")
CURRENCY_RE = re.compile(r"^[A-Za-z]{3}$")


class Number(FloatField):
    """A decimal number (a comma as decimal mark is accepted); type errors are our translated sentence."""

    def process_formdata(self, valuelist):  # noqa: D102
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        raw = str(valuelist[0]).strip().replace(" ", "")
        if raw.count(",") == 1 and "." not in raw:
            raw = raw.replace(",", ".")
        try:
            value = float(raw)
        except ValueError:
            self.data = None
            raise ValueError(str(NUMBER)) from None
        if math.isnan(value) or math.isinf(value) or abs(value) > 1e15:
            self.data = None
            raise ValueError(str(NUMBER))
        self.data = value

    def _value(self):  # keep what was typed when it was not a number
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else (f"{self.data:g}" if abs(self.data) < 1e15 else str(self.data))


class Choice(SelectField):
    """A select whose "not in the list" error is our translated sentence."""

    def pre_validate(self, form):  # noqa: D102
        if self.data not in {str(value) for value, *_ in self.choices}:
            raise ValidationError(str(NOT_IN_LIST))


class Choices(SelectMultipleField):
    """Several choices (shown as checkboxes); an unknown code is refused with our translated sentence."""

    def pre_validate(self, form):  # noqa: D102
        known = {str(value) for value, *_ in self.choices}
        if any(str(value) not in known for value in self.data or []):
            raise ValidationError(str(NOT_IN_LIST))


class SectionForm(FlaskForm):
    """A section's title and Markdown body in one language."""

    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=300)])
    body = TextAreaField(
        _l("Text"),
        description=_l("Markdown: a blank line between paragraphs, ## for a heading, - for a list."),
        validators=[Length(max=100000)],
        render_kw={"rows": 14},
    )


class PriorityForm(FlaskForm):
    """A priority's title and justification in one language."""

    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=300)])
    justification = TextAreaField(
        _l("Justification"), description=_l("Markdown."), validators=[Length(max=50000)], render_kw={"rows": 8}
    )


class DropForm(FlaskForm):
    """Why an action or a priority is left out (required: it is published)."""

    reason = TextAreaField(
        _l("Reason for leaving it out"),
        description=_l("Published with the plan and on the page that tells participants what became of their input."),
        validators=[DataRequired(_l("Say why it is left out.")), Length(max=2000)],
        render_kw={"rows": 4},
    )


class ActionForm(FlaskForm):
    """Every field of an action (DESIGN.md); texts in one language, choices filled by the view."""

    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=300)])
    description = TextAreaField(
        _l("Description"), description=_l("Markdown."), validators=[Length(max=20000)], render_kw={"rows": 6}
    )
    pillar = Choice(_l("Pillar"))
    ungp_principles = Choices(_l("UN Guiding Principles"))
    priority_ids = Choices(_l("Priorities it answers"))
    rights = Choices(_l("Rights"))
    sectors = Choices(_l("Sectors"))
    places = Choices(_l("Places"))
    target_groups = Choices(_l("Target groups"))
    lead_entity = StringField(_l("Lead entity"), validators=[Length(max=300)])
    partners = StringField(_l("Partners"), validators=[Length(max=1000)])
    indicator_name = StringField(_l("Indicator"), validators=[Length(max=500)])
    indicator_unit = StringField(_l("Unit of the indicator"), validators=[Length(max=40)])
    indicator_baseline = Number(_l("Baseline value"), validators=[Optional()])
    indicator_target = Number(_l("Target value"), validators=[Optional()])
    indicator_source = StringField(_l("Source of the indicator"), validators=[Length(max=500)])
    starts_on = Date(_l("Start date"), validators=[Optional()])
    ends_on = Date(_l("End date"), validators=[Optional()])
    budget = Number(_l("Budget"), validators=[Optional()])
    budget_currency = StringField(
        _l("Currency"), description=_l("Three-letter code, for example COP, USD or EUR."), validators=[Length(max=3)]
    )
    sdg_targets = Choices(_l("SDG targets"))
    gender_marker = Choice(_l("Gender marker"))
    status = Choice(_l("Status"))

    def validate_budget_currency(self, field):  # noqa: D102
        if field.data and not CURRENCY_RE.match(field.data.strip()):
            raise ValidationError(str(_l("Write a three-letter currency code, for example COP.")))

    def validate_budget(self, field):  # noqa: D102
        if field.data is not None and field.data < 0:
            raise ValidationError(str(_l("A budget cannot be negative.")))

    def validate_ends_on(self, field):  # noqa: D102
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(str(_l("The end date must not be before the start date.")))


class NewActionForm(FlaskForm):
    """A blank action: its pillar and title."""

    pillar = Choice(_l("Pillar"))
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=300)])


class LibraryActionForm(FlaskForm):
    """An action copied from the library."""

    code = Choice(_l("Action from the library"))


class EvidenceForm(FlaskForm):
    """Evidence of a priority for an action to cite."""

    evidence = Choice(_l("Evidence to cite"))


class GenerateForm(FlaskForm):
    """Draft the plan in one of the consultation's languages."""

    language = Choice(_l("Language of the draft"))


class LanguageForm(FlaskForm):
    """Draft the plan in another language of the consultation."""

    language = Choice(_l("Draft the plan in another language"))


class PublishForm(FlaskForm):
    """The public comment period."""

    opens_on = Date(_l("Comments open on"), validators=[InputRequired(REQUIRED)])
    closes_on = Date(_l("Comments close on"), validators=[InputRequired(REQUIRED)])


class AdoptForm(FlaskForm):
    """Adopt the plan; confirm closing the comment period early when it still runs."""

    close_early = BooleanField(_l("Close the comment period early"))
