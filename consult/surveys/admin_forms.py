"""Forms of the officials' instrument screens (the respondents' page forms are in ``forms.py``)."""

from __future__ import annotations

import hashlib

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

REQUIRED = _l("This field is required.")
CHOOSE_FILE = _l("Choose a file to upload.")
#: The longest single text accepted (long explanatory texts fit comfortably).
MAX_TEXT = 10_000


class XLSFormUploadForm(FlaskForm):
    """An XLSForm workbook to import."""

    file = FileField(
        _l("XLSForm file (.xlsx)"),
        description=_l("A workbook with the sheets survey, choices and settings, as KoboToolbox or ODK use."),
        validators=[FileRequired(CHOOSE_FILE), FileAllowed(["xlsx"], _l("The file must be an .xlsx workbook."))],
    )
    to_library = BooleanField(_l("Add it to the shared library of the network instead of this territory"))


class JsonUploadForm(FlaskForm):
    """A JSON instrument definition to import."""

    file = FileField(
        _l("Definition file (.json)"),
        description=_l("An instrument definition in consult's JSON format."),
        validators=[FileRequired(CHOOSE_FILE), FileAllowed(["json"], _l("The file must be a .json file."))],
    )
    to_library = BooleanField(_l("Add it to the shared library of the network instead of this territory"))


class TranslationUploadForm(FlaskForm):
    """A translated PO or XLSX file to import into a version."""

    file = FileField(
        _l("Translation file (.po or .xlsx)"),
        description=_l("A file downloaded from this page and filled in by a translator."),
        validators=[
            FileRequired(CHOOSE_FILE),
            FileAllowed(["po", "xlsx"], _l("The file must be a .po or .xlsx file.")),
        ],
    )
    language = SelectField(_l("Language of the translation"), validators=[Optional()])


class PublishForm(FlaskForm):
    """The confirmation asked before publishing."""

    confirm = BooleanField(
        _l("I understand that a published version can no longer be changed"), validators=[DataRequired(REQUIRED)]
    )


class ActionForm(FlaskForm):
    """A button that changes something (new draft, copy): only the CSRF token."""


class AddLanguageForm(FlaskForm):
    """A content language to add to a draft."""

    language = SelectField(_l("Language to add"), validators=[DataRequired(REQUIRED)])


def field_name(path: str, prefix: str = "t") -> str:
    """A short, HTML-safe form field name for a text path (stable for the same path)."""
    return f"{prefix}-{hashlib.sha1(path.encode('utf-8')).hexdigest()[:12]}"


def texts_form(paths: list[str], is_source: bool, review_paths: list[str]) -> type[FlaskForm]:
    """A form class with one text area per path, and a "still right" box per translation needing review.

    Source-language texts may not be emptied; translations may (the text is then missing).
    """

    class TextsForm(FlaskForm):
        """Texts of one language of an instrument version."""

    validators = (
        [InputRequired(_l("A text in the source language cannot be empty.")), Length(max=MAX_TEXT)]
        if is_source
        else [Optional(), Length(max=MAX_TEXT)]
    )
    for path in paths:
        setattr(TextsForm, field_name(path), TextAreaField(path, validators=validators))
    for path in review_paths:
        setattr(TextsForm, field_name(path, "r"), BooleanField(_l("The translation is still right"), default=False))
    return TextsForm
