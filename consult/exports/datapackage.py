"""Open data: the suppressed summary tables as a Frictionless Data Package (a ZIP).

Layout of the ZIP::

    datapackage.json        the descriptor (Data Package v1, tabular profile)
    data/<table name>.csv   one resource per summary table

Choices, stated once here and in the descriptor:

* Licence: ``LICENCE`` (Creative Commons Attribution 4.0): anyone may reuse the
  figures, naming the organiser. The tables hold only suppressed aggregates,
  never a response or a testimony.
* CSV files are UTF-8 without a BOM, comma separated, CRLF line ends, with the
  field names (stable, machine names) as header; titles and descriptions in the
  chosen language are in the schema.
* Counts are ``integer``, shares and medians ``number`` (percentages are 0–100).
  Missing values: an empty cell where a figure does not apply, and
  ``HIDDEN_VALUE`` where suppression withholds it; both are ``missingValues``,
  so a reader of the package gets null for either and the CSV still tells them apart.
* Text cells go through ``consult.core.cells`` like every CSV consult writes:
  a text that a spreadsheet could run as a formula starts with an apostrophe.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterable
from typing import Any, BinaryIO

from flask_babel import gettext as _

from consult.core.cells import csv_writer
from consult.core.db import utcnow
from consult.exports.summary import HIDDEN, Area, Summary, Table, method_paragraphs
from consult.i18n import LANGUAGE_NAMES

#: The licence of every open data package consult writes.
LICENCE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0",
}
#: What a suppressed cell holds in the CSV resources (declared in ``missingValues``).
HIDDEN_VALUE = "hidden"
MISSING_VALUES = ["", HIDDEN_VALUE]


def package_name(summary: Summary) -> str:
    """The package name: lowercase, digits, ``-._`` only (the spec's pattern)."""
    slug = re.sub(r"[^a-z0-9._-]+", "-", summary.consultation.slug.lower()).strip("-")
    return f"{slug}-summary-{summary.lang.lower()}"


def _field(column) -> dict[str, Any]:
    field = {"name": column.name, "type": column.type, "title": column.title}
    description = column.description
    if column.is_count:
        description = " ".join(
            filter(
                None,
                [
                    description,
                    _(
                        "A count of people or reports; empty where it does not apply, “%(mark)s” where it is hidden.",
                        mark=HIDDEN_VALUE,
                    ),
                ],
            )
        )
    if description:
        field["description"] = description
    if column.is_count:
        field["constraints"] = {"minimum": 0}
    return field


def resource(table: Table) -> dict[str, Any]:
    """The descriptor of one table's resource."""
    found = {
        "name": table.name.replace("_", "-"),
        "path": f"data/{table.name}.csv",
        "profile": "tabular-data-resource",
        "title": table.title,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": {"fields": [_field(c) for c in table.columns], "missingValues": MISSING_VALUES},
    }
    description = " ".join(filter(None, [table.description, table.note]))
    if description:
        found["description"] = description
    return found


def descriptor(summary: Summary) -> dict[str, Any]:
    """The ``datapackage.json`` of ``summary`` (after its areas were gathered)."""
    consultation = summary.consultation
    method = " ".join(method_paragraphs(summary.threshold, HIDDEN_VALUE))
    missing = _(
        "In the CSV files an empty cell means the figure does not apply and “%(mark)s” means it is hidden "
        "to protect people; both read as missing values.",
        mark=HIDDEN_VALUE,
    )
    return {
        "profile": "tabular-data-package",
        "name": package_name(summary),
        "title": _("Summary of results: %(title)s", title=summary.title),
        "description": " ".join(
            [
                _(
                    "Suppressed summary tables of the consultation “%(title)s” (%(territory)s).",
                    title=summary.title,
                    territory=consultation.territory.name,
                ),
                method,
                missing,
            ]
        ),
        "licenses": [LICENCE],
        "languages": [summary.lang],
        "language_names": {summary.lang: str(LANGUAGE_NAMES.get(summary.lang, summary.lang))},
        "keywords": ["business and human rights", "consultation", consultation.territory.name],
        "contributors": [{"title": consultation.organiser or consultation.territory.name, "role": "publisher"}],
        "created": utcnow().replace(microsecond=0).isoformat() + "Z",
        "small_cell_threshold": summary.threshold,
        "resources": [resource(table) for table in summary.tables],
    }


def _csv_value(value: Any) -> Any:
    if value is HIDDEN:
        return HIDDEN_VALUE
    return "" if value is None else value


def write_datapackage(summary: Summary, areas: Iterable[Area], out: BinaryIO) -> None:
    """Write the ZIP: a CSV per table as each area is counted, then ``datapackage.json``."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for area in areas:
            summary.areas.append(area)
            for table in area.tables:
                with archive.open(f"data/{table.name}.csv", "w") as raw:
                    stream = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                    writer = csv_writer(stream)
                    writer.writerow([column.name for column in table.columns])
                    for row in table.rows:
                        writer.writerow([_csv_value(v) for v in row])
                    stream.flush()
                    stream.detach()
        archive.writestr("datapackage.json", json.dumps(descriptor(summary), ensure_ascii=False, indent=2))
