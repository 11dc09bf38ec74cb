"""The ``choices`` sheet: option lists, with names made into consult option codes.

Option codes are ``[a-z0-9_]+``. XLSForm names are freer (``Yes``, ``no-answer``,
``1.5``, ``señal``), so a name that is not a code is normalised (lower case,
accents dropped, other characters to ``_``) and reported; rules that compare
with it are rewritten through ``ChoiceList.values``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from consult.surveys.xlsform import workbook
from consult.surveys.xlsform.columns import TextColumns
from consult.surveys.xlsform.report import Reporter
from consult.surveys.xlsform.workbook import Sheet

_CODE = re.compile(r"^[a-z0-9_]+$")


@dataclass
class Choice:
    """One row of the choices sheet."""

    name: str
    value: str
    label: dict[str, str]
    row: int
    concept: str = ""
    #: The ``pictogram`` column (``face-1`` … ``face-5``), checked where the options are made.
    pictogram: str = ""


@dataclass
class ChoiceList:
    """The choices of one ``list_name``, in sheet order; ``values`` maps names as written to codes."""

    name: str
    row: int
    choices: list[Choice] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)
    used: bool = False


def option_code(name: str) -> str:
    """``"Sí, a veces"`` → ``"si_a_veces"``; ``""`` when nothing usable is left."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9_]", "_", plain)).strip("_")


def read_choices(
    sheet: Sheet | None, texts: TextColumns | None, reporter: Reporter, *, allow_duplicates: bool = False
) -> dict[str, ChoiceList]:
    """Every option list of the choices sheet by its name (``{}`` without a choices sheet).

    A choice name repeated in a list follows pyxform's rule: refused, unless the settings say
    ``allow_choice_duplicates: yes``; then the first is kept and each repeat is reported and left
    out (a consult answer stores the name, so two options with one name could not be told apart).
    """
    lists: dict[str, ChoiceList] = {}
    if sheet is None:
        return lists
    if sheet.rows and not {"list_name", "name"} <= set(sheet.headers):
        missing = [c for c in ("list_name", "name") if c not in sheet.headers]
        reporter.error(
            sheet.name,
            sheet.header_row,
            _l(
                "The choices sheet needs the columns list_name and name; %(missing)s is missing.",
                missing=", ".join(missing),
            ),
        )
        return lists
    if sheet.too_long:
        limit = workbook.MAX_ROWS
        reporter.error(
            sheet.name,
            limit + 1,
            _l("The sheet has more than %(n)d rows; consult reads forms up to that size.", n=limit),
        )
    for row in sheet.rows:
        list_name, name = row.get("list_name"), row.get("name")
        if not list_name or not name:
            reporter.error(
                sheet.name,
                row.number,
                _l("The choice has no list_name.")
                if not list_name
                else _l("The choice in list %(list)s has no name.", list=list_name),
            )
            continue
        choice_list = lists.setdefault(list_name, ChoiceList(list_name, row.number))
        if name in choice_list.values and allow_duplicates:
            first = next(c for c in choice_list.choices if c.name == name)
            reporter.warn(
                sheet.name,
                row.number,
                _l(
                    "The list %(list)s has the choice %(name)s again (first in row %(row)d); answers store the name, "
                    "so only the first is imported.",
                    list=list_name,
                    name=name,
                    row=first.row,
                ),
            )
            continue
        if name in choice_list.values:
            reporter.error(
                sheet.name,
                row.number,
                _l("The list %(list)s has the choice %(name)s twice.", list=list_name, name=name),
            )
            continue
        value = name if _CODE.match(name) else option_code(name)
        if not value:
            reporter.error(
                sheet.name,
                row.number,
                _l(
                    "The choice name “%(name)s” in list %(list)s has no letters or digits consult can use as a code.",
                    name=name,
                    list=list_name,
                ),
            )
            continue
        clash = next((c for c in choice_list.choices if c.value == value), None)
        if clash is not None:
            # pyxform keeps "Sí" and "si" apart; consult's codes would merge them, so this one gets its own.
            number = 2
            while any(c.value == f"{value}_{number}" for c in choice_list.choices):
                number += 1
            reporter.warn(
                sheet.name,
                row.number,
                _l(
                    "In list %(list)s, the choices “%(name)s” and “%(other)s” (row %(row)d) would both become the "
                    "code %(value)s; this one is stored as %(unique)s.",
                    list=list_name,
                    name=name,
                    other=clash.name,
                    row=clash.row,
                    value=value,
                    unique=f"{value}_{number}",
                ),
            )
            value = f"{value}_{number}"
            choice_list.values[name] = value
            choice_list.choices.append(
                Choice(
                    name,
                    value,
                    texts.text(row, "label") if texts else {},
                    row.number,
                    row.get("concept"),
                    row.get("pictogram"),
                )
            )
            continue
        if value != name:
            reporter.warn(
                sheet.name,
                row.number,
                _l(
                    "The choice name “%(name)s” in list %(list)s is stored as %(value)s (codes use a-z, 0-9 and _); "
                    "conditions that use it are rewritten.",
                    name=name,
                    list=list_name,
                    value=value,
                ),
            )
        choice_list.values[name] = value
        choice_list.choices.append(
            Choice(
                name,
                value,
                texts.text(row, "label") if texts else {},
                row.number,
                row.get("concept"),
                row.get("pictogram"),
            )
        )
    return lists
