"""The monitoring form: one per action on the monitoring page (status, indicator value, date, note).

No per-form CSRF field: ``CSRFProtect`` checks every POST and the template
sends a plain ``csrf_token`` input (a prefixed field would be renamed). Each
form has the action's prefix so ids stay unique on the page. The value and the
date are read here, with translated messages, so a typo is a form error, never a 500.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Optional

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField, ValidationError
from wtforms.validators import Length
from wtforms.widgets import DateInput

from consult.plans.labels import ACTION_STATUSES
from consult.plans.monitoring import NOTE_MAX

_SPACES = re.compile(r"[\s\u00a0\u202f']")


def parse_number(text: str | None) -> float | None:
    """``text`` as a number ("12", "3,5", "1.234,5", "1 234.5"); None when empty; ValueError when not a number."""
    text = _SPACES.sub("", text or "")
    if not text:
        return None
    if "," in text and "." in text:
        # The later mark is the decimal one: "1.234,5" and "1,234.5".
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        text = text.replace("." if decimal == "," else ",", "").replace(",", ".")
    elif "," in text:
        text = text.replace(",", ".")
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return value


class UpdateForm(FlaskForm):
    """An update of one action's progress."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validate_choice=True)
    indicator_value = StringField(
        _l("Indicator value"),
        description=_l("A number, for example 12 or 3.5. Leave empty if it has not been measured."),
    )
    as_of = StringField(
        _l("Date of the update"), widget=DateInput(), description=_l("Year-month-day, for example 2026-03-31.")
    )
    note = TextAreaField(
        _l("Note"),
        validators=[Length(max=NOTE_MAX)],
        description=_l("What was done, what is next, or why the action is delayed. Shown on the public progress page."),
    )

    def validate_indicator_value(self, field) -> None:
        try:
            self.value = parse_number(field.data)
        except ValueError:
            raise ValidationError(_l("Write the indicator value as a number, for example 12 or 3.5.")) from None

    def validate_as_of(self, field) -> None:
        text = (field.data or "").strip()
        try:
            self.day = date.fromisoformat(text) if text else None
        except ValueError:
            raise ValidationError(_l("Write the date as year-month-day, for example 2026-03-31.")) from None


def update_form(action, formdata: Optional[Any] = None) -> UpdateForm:
    """The form of ``action``, prefilled with its current status (and today's date left to the person)."""
    form = UpdateForm(formdata=formdata, prefix=f"a{action.id}")
    form.status.choices = [(code, str(label)) for code, label in ACTION_STATUSES.items()]
    if formdata is None:
        form.status.data = action.status.value
    form.value = None
    form.day = None
    return form
