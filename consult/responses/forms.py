"""Forms of the responses room: officials' set-up forms and the public group, code and receipt forms.

Labels are lazy so they follow the request's language; choices that depend on
the territory or the consultation are filled in by the view.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from consult.i18n import LANGUAGE_NAMES

REQUIRED = _l("This field is required.")
WHOLE_NUMBER = _l("Write a whole number, for example 25.")
DATE = _l("Write a date as year-month-day, for example 2026-03-31.")


class Integer(IntegerField):
    """An integer field whose type error is our translated sentence."""

    def process_formdata(self, valuelist):  # noqa: D102
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(WHOLE_NUMBER)) from None


class Date(DateField):
    """A date field whose format error is our translated sentence."""

    def process_formdata(self, valuelist):  # noqa: D102
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(DATE)) from None


class Choice(RadioField):
    """Radio buttons whose "not in the list" error is our translated sentence."""

    def pre_validate(self, form):  # noqa: D102
        if self.data in (None, ""):
            return  # "required" says it
        if self.data not in {choice.value if hasattr(choice, "value") else choice[0] for choice in self.choices}:
            raise ValidationError(str(_l("Choose one of the groups in the list.")))


class ConsultationFormBase(FlaskForm):
    """The fixed part of the consultation form; ``consultation_form`` adds a title and purpose per language."""

    slug = StringField(
        _l("Short name for the public address"),
        description=_l(
            "Lowercase letters, digits and hyphens, for example risks-2026. It cannot change after opening."
        ),
        validators=[DataRequired(REQUIRED), Length(max=64)],
    )
    organiser = StringField(
        _l("Who runs the consultation"),
        description=_l(
            "As the public should read it, for example the Government of Antioquia, Secretariat of Government."
        ),
        validators=[DataRequired(REQUIRED), Length(max=200)],
    )
    languages = SelectMultipleField(
        _l("Languages offered"), validators=[DataRequired(_l("Choose at least one language."))]
    )
    fallback_language = SelectField(
        _l("Fallback language"), description=_l("Shown when a text is missing in the language a person chose.")
    )
    opens_on = Date(_l("Opening date"), validators=[Optional()])
    closes_on = Date(_l("Closing date"), validators=[Optional()])
    small_cell_threshold = Integer(
        _l("Smallest group shown in published results"),
        description=_l(
            "Results for fewer people than this are hidden in anything published or exported. 5 is the usual value."
        ),
        # The installation's default (CONSULT_SMALL_CELL); each consultation may set its own.
        default=lambda: current_app.config.get("CONSULT_SMALL_CELL", 5),
        validators=[InputRequired(REQUIRED), NumberRange(1, 100, _l("Write a number between 1 and 100."))],
    )


def consultation_form(languages: list[str], names: dict[str, str] | None = None) -> type[ConsultationFormBase]:
    """The consultation form with a title and a purpose field for each of ``languages`` (named by ``names``)."""

    class ConsultationForm(ConsultationFormBase):
        pass

    for code in languages:
        name = (names or {}).get(code) or LANGUAGE_NAMES.get(code, code)
        setattr(
            ConsultationForm,
            f"title_{code}",
            StringField(_l("Title (%(language)s)", language=name), validators=[Optional(), Length(max=200)]),
        )
        setattr(
            ConsultationForm,
            f"purpose_{code}",
            TextAreaField(
                _l("Purpose (%(language)s)", language=name),
                description=_l("What the consultation is for and how its results will be used, in plain words."),
                validators=[Optional(), Length(max=4000)],
            ),
        )
    return ConsultationForm


class GroupForm(FlaskForm):
    """A stakeholder group, the instrument version it answers and its target."""

    group_code = SelectField(_l("Stakeholder group"))
    instrument_version = SelectField(_l("Instrument it answers"))
    target = Integer(
        _l("Target number of participants"),
        validators=[Optional(), NumberRange(0, 10_000_000, _l("Write a number of 0 or more."))],
    )
    is_invitation_only = BooleanField(
        _l("Only through invitation links"),
        description=_l("The public address will not offer this group. Use it for companies, so each is invited once."),
    )


class LocalityTargetForm(FlaskForm):
    """A target for one group in one locality."""

    group_code = SelectField(_l("Stakeholder group"))
    locality = SelectField(_l("Locality"))
    target = Integer(
        _l("Target number of participants"),
        validators=[InputRequired(REQUIRED), NumberRange(0, 10_000_000, _l("Write a number of 0 or more."))],
    )


class InvitationForm(FlaskForm):
    """A new invitation link."""

    group_code = SelectField(_l("Who answers through this link"))
    organisation = SelectField(_l("Organisation (optional)"), validators=[Optional()])
    label = StringField(
        _l("Name of the link"),
        description=_l("For you, to tell links apart, for example: assembly in Segovia, 12 March."),
        validators=[Optional(), Length(max=200)],
    )
    expires_on = Date(_l("Valid until (optional)"), validators=[Optional()])
    max_uses = Integer(
        _l("Most answers allowed (optional)"),
        validators=[Optional(), NumberRange(1, 1_000_000, _l("Write a number of 1 or more."))],
    )


class ConfirmForm(FlaskForm):
    """A button that changes something (state, revoke, re-issue, remove): only the CSRF token."""


class GroupStepForm(FlaskForm):
    """The public group step: who the person answers as, and whether for a collective."""

    group_code = Choice(
        _l("Which group do you belong to?"), validators=[InputRequired(_l("Choose one of the groups."))]
    )
    is_collective = BooleanField(
        _l(
            "I answer on behalf of a collective (an indigenous or Afro-descendant authority, a union, a community "
            "organisation)"
        )
    )
    mandate_reference = StringField(
        _l("What gives you the mandate to answer for it?"),
        description=_l("For example: minutes of the assembly of 3 March 2026, or the union's board resolution."),
        validators=[Optional(), Length(max=300)],
    )
    people_represented = Integer(
        _l("How many people do you speak for?"),
        validators=[Optional(), NumberRange(2, 10_000_000, _l("Write a number of at least 2."))],
    )


class CodeForm(FlaskForm):
    """A code the person wrote down (resume or receipt)."""

    code = StringField(
        _l("Your code"),
        description=_l("For example K7M2-9QXD-4HTR. Capital or small letters, with or without hyphens."),
        validators=[DataRequired(REQUIRED), Length(max=64)],
    )
