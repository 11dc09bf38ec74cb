"""Filters of every analysis view, read from the URL so a view can be shared as a link.

``?group=indigenous_people&locality=12&language=es&mode=paper&from=2026-03-01&to=2026-03-31&by=gender``.
A value that is not valid is reported in words and ignored; the rest of the
filter still applies, and the form shows what the person typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from consult.accounts.models import Locality
from consult.analysis.breakdowns import BREAKDOWNS
from consult.extensions import db
from consult.responses.models import Consultation, EntryMode
from consult.responses.queries import ResponseFilter

PARAMETERS = ("group", "locality", "language", "mode", "from", "to")


@dataclass
class FilterForm:
    """The filter as typed (to show it again), the filter applied, and what could not be understood."""

    values: dict[str, str]
    where: ResponseFilter
    by: str = "group"
    errors: dict[str, str] = field(default_factory=dict)

    def args(self, **changes: str | None) -> dict[str, str]:
        """The URL arguments of this view, with ``changes`` (``None`` removes one)."""
        args = {k: v for k, v in self.values.items() if v}
        if self.by != "group":
            args["by"] = self.by
        for key, value in changes.items():
            if value is None:
                args.pop(key, None)
            else:
                args[key] = value
        return args


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def read_filter(args, consultation: Consultation) -> FilterForm:
    """The filter in ``args`` (a request's query arguments) for ``consultation``."""
    values = {name: (args.get(name) or "").strip()[:40] for name in PARAMETERS}
    errors: dict[str, str] = {}
    group = values["group"] or None
    if group is not None and consultation.group(group) is None:
        errors["group"] = _("This group does not take part in the consultation.")
        group = None
    locality_id = None
    if values["locality"]:
        locality_id = db.session.scalar(
            select(Locality.id).where(
                Locality.territory_id == consultation.territory_id,
                Locality.id == (int(values["locality"]) if values["locality"].isdigit() else -1),
            )
        )
        if locality_id is None:
            errors["locality"] = _("Choose a place of this territory.")
    language = values["language"] or None
    if language is not None and language not in consultation.languages:
        errors["language"] = _("The consultation is not in this language.")
        language = None
    mode = None
    if values["mode"]:
        try:
            mode = EntryMode(values["mode"])
        except ValueError:
            errors["mode"] = _("Choose one of the listed ways of answering.")
    date_from = _date(values["from"]) if values["from"] else None
    if values["from"] and date_from is None:
        errors["from"] = _("Write the date as year-month-day, for example 2026-03-31.")
    date_to = _date(values["to"]) if values["to"] else None
    if values["to"] and date_to is None:
        errors["to"] = _("Write the date as year-month-day, for example 2026-03-31.")
    if date_from and date_to and date_from > date_to:
        errors["to"] = _("The end date is before the start date.")
        date_to = None
    by = args.get("by") or "group"
    if by not in BREAKDOWNS:
        by = "group"
    where = ResponseFilter(
        group=group, locality_id=locality_id, language=language, entry_mode=mode, date_from=date_from, date_to=date_to
    )
    return FilterForm(values=values, where=where, by=by, errors=errors)
