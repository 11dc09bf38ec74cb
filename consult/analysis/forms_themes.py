"""Forms of the themes pages: a theme, deleting one, the tags of a page of answers, the group filter.

Labels are lazy so they follow the request's language. The tags form is built
per request: one checkbox group per answer shown, named ``answer_<id>``.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from consult.analysis.themes import (
    BAD_CODE,
    CODE_LENGTH,
    DESCRIPTION_LENGTH,
    LABEL_LENGTH,
    LONG_DESCRIPTION,
    LONG_LABEL,
    NO_LABEL,
)

UNKNOWN_CHOICE = _l("Choose themes from the list.")


class ThemeForm(FlaskForm):
    """Create or rename a theme."""

    code = StringField(
        _l("Code"),
        description=_l("Lowercase letters, digits and underscores, for example water_pollution. Exports use it."),
        validators=[
            DataRequired(BAD_CODE),
            Length(max=CODE_LENGTH, message=BAD_CODE),
            Regexp(r"^[a-z0-9_]+$", message=BAD_CODE),
        ],
    )
    label = StringField(_l("Name"), validators=[DataRequired(NO_LABEL), Length(max=LABEL_LENGTH, message=LONG_LABEL)])
    description = TextAreaField(
        _l("Description"),
        description=_l("Optional: what belongs under this theme, so that analysts code alike."),
        validators=[Length(max=DESCRIPTION_LENGTH, message=LONG_DESCRIPTION)],
    )


class DeleteThemeForm(FlaskForm):
    """Confirm deleting a theme (the CSRF token is all it carries)."""


class ThemeChoices(SelectMultipleField):
    """Checkboxes of themes whose "not in the list" error is our translated sentence."""

    def pre_validate(self, form):  # noqa: D102
        allowed = {str(choice.value) for choice in self.choices}
        if any(str(value) not in allowed for value in self.data or ()):
            raise ValidationError(str(UNKNOWN_CHOICE))


class TagsFormBase(FlaskForm):
    """The fixed part of the tags form: the ids of the answers shown, comma-separated."""

    shown = HiddenField()


def parse_ids(text: str | None) -> list[int] | None:
    """``"4,7,9"`` as ``[4, 7, 9]``; ``None`` when it is not such a list."""
    parts = [part.strip() for part in (text or "").split(",") if part.strip()]
    if not parts or not all(part.isdigit() and len(part) < 12 for part in parts):
        return None
    return [int(part) for part in parts]


def tags_form(answer_ids: list[int], themes: list[tuple[int, str]]) -> type[TagsFormBase]:
    """A form class with one ``ThemeChoices`` field ``answer_<id>`` per answer; ``themes`` are ``(id, label)``."""
    choices = [SelectChoice(str(theme_id), label) for theme_id, label in themes]
    fields = {f"answer_{answer_id}": ThemeChoices(_l("Themes"), choices=choices) for answer_id in answer_ids}
    return type("TagsForm", (TagsFormBase,), fields)


class GroupFilterForm(FlaskForm):
    """Narrow a page to one stakeholder group (a GET form: the URL can be shared)."""

    class Meta:
        csrf = False

    group = SelectField(_l("Stakeholder group"))
