"""Forms of assisted entry, bulk import and the capture page.

Labels are lazy so they follow the request's language; choices that depend on
the territory or the consultation are filled in by the view.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

REQUIRED = _l("This field is required.")


class EntrySetupForm(FlaskForm):
    """What stays the same for a stack of forms: consultation and group, mode, language, place, organisation."""

    target = SelectField(_l("Consultation and group"), validators=[InputRequired(REQUIRED)])
    entry_mode = RadioField(
        _l("How were the answers collected?"), validators=[InputRequired(_l("Choose how the answers were collected."))]
    )
    language = SelectField(
        _l("Language of the questions"),
        description=_l("The language the paper form was in, or the person answered in."),
        validators=[InputRequired(REQUIRED)],
    )
    locality = SelectField(
        _l("Locality (optional)"),
        description=_l("Where the meeting was or the forms come from; it fills in the place question."),
    )
    organisation = SelectField(
        _l("Organisation (optional)"), description=_l("Only if the forms came through an organisation.")
    )


class ImportForm(FlaskForm):
    """A spreadsheet of answers to check (dry run) or import."""

    file = FileField(
        _l("Spreadsheet (CSV or XLSX)"),
        description=_l("One row per response. The first row names the columns."),
    )
    group = SelectField(
        _l("Stakeholder group of rows without a “group” column"),
        description=_l("Leave empty when the file has a “group” column or the group question is answered."),
    )
    language = SelectField(_l("Language of rows without a “language” column"))
    entry_mode = SelectField(_l("Entry mode of rows without an “entry_mode” column"))
    valid_rows_only = BooleanField(
        _l("Import the valid rows only"),
        description=_l("Without this, nothing is imported while any cell has a problem."),
    )


class SetAsideForm(FlaskForm):
    """Set a flagged batch aside from analysis."""

    reason = TextAreaField(
        _l("Why set this batch aside?"),
        description=_l("Kept in the log with your name and the date."),
        validators=[DataRequired(_l("Write the reason: it is kept in the log.")), Length(max=2000)],
    )


class RestoreForm(FlaskForm):
    """Take a set-aside batch back into analysis."""

    reason = TextAreaField(
        _l("Why take this batch back into analysis?"),
        validators=[DataRequired(_l("Write the reason: it is kept in the log.")), Length(max=2000)],
    )
