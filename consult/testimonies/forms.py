"""Forms of the testimonies room. Labels are lazy; choices that depend on the request are set by views."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from consult.testimonies.models import ON_BEHALF_LABELS

REQUIRED = _l("This field is required.")


class Form(FlaskForm):
    """The base of every form here: no per-form CSRF field.

    ``CSRFProtect`` already checks the token of every POST, application-wide;
    the templates send it as a plain ``csrf_token`` input. A per-form field
    would be renamed ``<prefix>-csrf_token`` on pages with several forms and
    give every form the same element id.
    """

    class Meta:
        csrf = False


class Checkboxes(SelectMultipleField):
    """A multiple choice shown as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class Integer(IntegerField):
    """An integer field whose type error is our translated sentence."""

    def process_formdata(self, valuelist):  # noqa: D102
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(_l("Enter a whole number, for example 12."))) from None


class ConfirmForm(Form):
    """A button and its CSRF token (start, discard)."""


class OnBehalfForm(Form):
    """A CSO says who it happened to (on whose behalf it sends the testimony) and for how many people.

    Asked once: the testimony form's own "who did it happen to?" and "how many
    people?" take these answers and are not shown to a CSO (``intake.derived_answers``).
    """

    on_behalf_of = RadioField(
        _l("Who did it happen to? You send this testimony on their behalf."),
        choices=[SelectChoice(kind.value, label) for kind, label in ON_BEHALF_LABELS.items()],
        validators=[InputRequired(_l("Choose one."))],
    )
    people_count = StringField(
        _l("How many people does it speak for?"),
        description=_l("For a family or a community, roughly. Leave empty if you do not know."),
        validators=[Optional(), Length(max=10)],
    )
    notes = TextAreaField(
        _l("Notes of your organisation (optional)"),
        description=_l(
            "Only moderators of the territory and your organisation can read them, and they are encrypted. "
            "For example: how to reach the person safely."
        ),
        validators=[Optional(), Length(max=4000, message=_l("Write at most %(max)d characters."))],
    )


class ReviewForm(Form):
    """The send button; and, when sharing with an authority was allowed, which one."""

    authority = SelectField(_l("Which authority may receive it?"), validators=[Optional()])


class CodeForm(Form):
    """The receipt code, typed by the person."""

    code = StringField(
        _l("Receipt code"),
        description=_l("The code you received when you sent your testimony, for example K7M2-9QXD-4HTR-B1CE."),
        validators=[DataRequired(_l("Enter your receipt code.")), Length(max=40)],
    )


class AddInformationForm(Form):
    """Add to a testimony after sending it."""

    text = TextAreaField(
        _l("What do you want to add?"),
        description=_l("Do not write names of people unless it is necessary."),
        validators=[
            DataRequired(_l("Please write something here.")),
            Length(max=8000, message=_l("Write at most %(max)d characters.")),
        ],
    )


class ConsentForm(Form):
    """Which uses the person allows now."""

    uses = Checkboxes(_l("How may we use your testimony?"), validate_choice=True)
    authority = SelectField(_l("Which authority may receive it?"), validators=[Optional()])


class WithdrawForm(Form):
    """Withdraw the testimony, after a confirmation."""

    confirm = BooleanField(
        _l("I understand that my testimony will be deleted and cannot be recovered"),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )


def with_code(form_class: type[Form]) -> type[Form]:
    """``form_class`` carrying the receipt code in its body (follow-up pages): never in the address."""

    class Coded(form_class):  # type: ignore[misc, valid-type]
        code = HiddenField(validators=[DataRequired(), Length(max=40)])

    Coded.__name__ = f"Coded{form_class.__name__}"
    return Coded


CodedAddInformationForm = with_code(AddInformationForm)
CodedConsentForm = with_code(ConsentForm)
CodedWithdrawForm = with_code(WithdrawForm)


class ExcerptForm(Form):
    """A moderator's redacted excerpt."""

    text = TextAreaField(
        _l("Quotable excerpt"),
        description=_l(
            "Copy the passage and remove names, places, dates and anything else that could identify someone. "
            "The original testimony is not changed."
        ),
        validators=[
            DataRequired(_l("Please write something here.")),
            Length(max=2000, message=_l("Write at most %(max)d characters.")),
        ],
    )


class TranscriptForm(Form):
    """A moderator writes down a spoken account (sealed like the testimony)."""

    text = TextAreaField(
        _l("Transcript"),
        description=_l("Write down what is said in the recording. Leave it empty to remove the transcript."),
        validators=[Length(max=20000, message=_l("Write at most %(max)d characters."))],
    )


class DecisionForm(Form):
    """Approve or reject an excerpt, with a reason."""

    decision = RadioField(
        _l("Decision"),
        choices=[SelectChoice("approve", _l("Approve: it identifies nobody")), SelectChoice("reject", _l("Reject"))],
        validators=[InputRequired(_l("Choose one."))],
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(_l("Give a reason.")),
            Length(max=1000, message=_l("Write at most %(max)d characters.")),
        ],
    )


class ThemesForm(Form):
    """Themes for analysis."""

    themes = Checkboxes(_l("Themes"), validate_choice=True)


class MessageForm(Form):
    """A follow-up message to the person."""

    text = TextAreaField(
        _l("Message to the person"),
        description=_l("They will read it with their receipt code. Do not ask them to send names or contacts here."),
        validators=[
            DataRequired(_l("Please write something here.")),
            Length(max=8000, message=_l("Write at most %(max)d characters.")),
        ],
    )


class RouteFormBase(Form):
    """The fixed part of a protection route; ``route_form`` adds a name and description per language."""

    contact = StringField(
        _l("How to reach it"),
        description=_l("A telephone, an address or a web page."),
        validators=[DataRequired(REQUIRED), Length(max=300)],
    )
    position = Integer(_l("Order in the list"), default=0, validators=[InputRequired(REQUIRED), NumberRange(0, 999)])
    is_authority = BooleanField(
        _l("People may choose it as the authority their testimony is shared with"), default=True
    )
    is_active = BooleanField(_l("Shown to people"), default=True)


def route_form(languages: list[str], names: dict[str, str]) -> type[RouteFormBase]:
    """The protection route form with a name and a description field for each of ``languages``."""

    class RouteForm(RouteFormBase):
        pass

    for code in languages:
        language = names.get(code, code)
        setattr(
            RouteForm,
            f"name_{code}",
            StringField(_l("Name (%(language)s)", language=language), validators=[Optional(), Length(max=200)]),
        )
        setattr(
            RouteForm,
            f"description_{code}",
            TextAreaField(
                _l("What it does (%(language)s)", language=language), validators=[Optional(), Length(max=2000)]
            ),
        )
    return RouteForm


class SettingsForm(Form):
    """A consultation's testimony settings."""

    retention_days = Integer(
        _l("Keep testimonies for (days)"),
        description=_l("After this many days from sending, their content is deleted. Between 30 and 3650."),
        validators=[InputRequired(REQUIRED)],
    )
    instrument_version = SelectField(_l("Testimony form"), validators=[Optional()])
