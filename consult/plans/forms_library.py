"""Forms of the action library (network administrators add and edit actions, in es, en and pt).

The forms only carry what was typed; ``library.validate`` decides what is
valid, so the same rules hold for the form, the shipped file and any script.
Choice lists are filled in the view, in the language of the request.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField

from consult.i18n import LANGUAGE_NAMES
from consult.plans.library import LANGUAGES

#: Labels of the per-language text fields; the language name is added in the label.
TEXT_LABELS = {
    "title": lambda name: _l("Title in %(language)s", language=name),
    "description": lambda name: _l("Description in %(language)s", language=name),
    "indicator": lambda name: _l("Indicator in %(language)s", language=name),
    "lead_entity": lambda name: _l("Lead entity in %(language)s", language=name),
    "partners": lambda name: _l("Partners in %(language)s", language=name),
}


class Many(SelectMultipleField):
    """Several codes shown as checkboxes; unknown codes are refused by ``library.validate`` with its message."""

    def pre_validate(self, form):  # noqa: D102
        return None


class LibraryActionForm(FlaskForm):
    """An action of the shared library: codes, indicator unit and texts in Spanish, English and Portuguese."""

    code = StringField(
        _l("Code"),
        description=_l(
            "A stable identifier: lowercase letters, digits and underscores, for example water_monitoring. It cannot "
            "be changed later."
        ),
    )
    pillar = SelectField(_l("Pillar"), validate_choice=False)
    rights = Many(_l("Rights it answers"))
    barriers = Many(_l("Remedy barriers the action answers"))
    sectors = Many(_l("Sectors"), description=_l("Leave all unticked if the action fits any sector."))
    ungp_principles = StringField(
        _l("UN Guiding Principles"),
        description=_l(
            "Numbers separated by commas, for example 25, 27. Pillar I: 1 to 10; pillar II: 11 to 24; pillar III: 25 "
            "to 31."
        ),
    )
    sdg_targets = Many(_l("SDG targets"))
    gender_marker = SelectField(_l("Gender marker"), validate_choice=False)
    indicator_unit = StringField(_l("Unit of the indicator"), description=_l("For example: inspections, people, days."))


def _add_text_fields() -> None:
    # One field per language and text, named ``<field>_<lang>`` like LibraryError.field.
    for lang in LANGUAGES:
        name = LANGUAGE_NAMES[lang]
        for field, label in TEXT_LABELS.items():
            if field == "description":
                widget = TextAreaField(label(name), render_kw={"rows": 4, "lang": lang})
            else:
                widget = StringField(label(name), render_kw={"lang": lang})
            setattr(LibraryActionForm, f"{field}_{lang}", widget)


_add_text_fields()


class ToggleForm(FlaskForm):
    """Switch an action on or off (a button with the CSRF token)."""
