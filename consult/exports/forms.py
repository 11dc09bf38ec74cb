"""The form of each kind of export: format, layout (where there is a choice) and language.

One form per kind on the exports page, each with its own prefix so ids stay
unique. The choices come from the catalogue and the consultation; what was sent
is checked by ``consult.exports.jobs.check_choice`` (one place for the rules),
whose reasons are attached to the fields here.
"""

from __future__ import annotations

from typing import Any, Optional

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField

from consult.exports import catalogue
from consult.exports.catalogue import Kind
from consult.i18n import LANGUAGE_NAMES


class ExportForm(FlaskForm):
    """Format, layout and language of one kind of export.

    No per-form CSRF field: ``CSRFProtect`` checks every POST and the template
    sends a plain ``csrf_token`` input (a prefixed field would be renamed).
    """

    class Meta:
        csrf = False

    # The choices are checked by ``jobs.check_choice``, whose messages say what to do.
    format = SelectField(_l("Format"), validate_choice=False)
    layout = SelectField(_l("Layout"), validate_choice=False)
    lang = SelectField(_l("Language of labels and texts"), validate_choice=False)


def export_form(kind: Kind, consultation, lang: str, formdata: Optional[Any] = None) -> ExportForm:
    """The form for ``kind`` of ``consultation``; the language preselected is ``lang`` when the consultation has it."""
    form = ExportForm(formdata=formdata, prefix=kind.code)
    form.format.choices = [(code, str(label)) for code, label in kind.formats.items()]
    languages = catalogue.languages_of(consultation)
    form.lang.choices = [
        (code, f"{LANGUAGE_NAMES[code]} ({code})" if code in LANGUAGE_NAMES else code) for code in languages
    ]
    if formdata is None:
        form.lang.data = lang if lang in languages else consultation.fallback_language
    if len(kind.layouts) > 1:
        form.layout.choices = [(code, str(label)) for code, label in kind.layouts.items()]
        if formdata is None:
            form.layout.data = kind.default_layout
    else:
        del form.layout
    return form
