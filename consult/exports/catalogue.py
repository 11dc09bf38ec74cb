"""What can be exported: each kind with its formats, layouts, file types, who may ask, and its writer.

The one place for "who may export what": the exports page, the start of a job,
the job page and the download all ask ``Kind.allows`` / ``kinds_for``.

The writers live in modules of their own (``summary``, ``responses``,
``excerpts``); they are imported when an export runs, not when this module is,
so the catalogue (and the page) works without loading pandas, WeasyPrint or
pyreadstat.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, BinaryIO, Callable, Optional

from flask_babel import lazy_gettext as _l

from consult.accounts.access import NETWORK_ADMIN, has_role
from consult.accounts.models import Role, Territory
from consult.accounts.permissions import roles_for
from consult.exports.excerpts import write_excerpts
from consult.exports.progress import Progress
from consult.exports.responses import write_responses
from consult.exports.summary import write_summary

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP = "application/zip"
PDF = "application/pdf"
CSV = "text/csv"

#: A writer as the jobs call it, whatever the kind: every argument by name but the first three.
Writer = Callable[..., None]


@dataclass(frozen=True)
class FileType:
    """What a format produces: the file extension (without the dot) and its media type."""

    extension: str
    mimetype: str


@dataclass(frozen=True)
class Kind:
    """One kind of export."""

    code: str
    label: Any
    description: Any
    #: Role values (or ``NETWORK_ADMIN``) that may make this export in a territory.
    roles: tuple[str, ...]
    #: format code -> its translated label, in the order offered.
    formats: dict[str, Any]
    #: layout code -> its translated label; the first is the default.
    layouts: dict[str, Any]
    #: (format, layout) -> file type; a pair not listed here is refused.
    files: dict[tuple[str, str], FileType]
    #: ``writer(consultation, fmt, out, *, lang, layout, user, progress)``.
    writer: Writer
    #: True when the kind needs counted responses (a summary of nothing is not offered).
    needs_responses: bool = False

    @property
    def default_layout(self) -> str:
        """The layout used when none is chosen."""
        return next(iter(self.layouts))

    def allows(self, fmt: str, layout: str | None = None) -> bool:
        """True when ``fmt`` in ``layout`` (default layout when None) is a file this kind writes."""
        return (fmt, layout or self.default_layout) in self.files

    def file_type(self, fmt: str, layout: str | None = None) -> FileType:
        """The file ``fmt`` in ``layout`` produces (KeyError when the pair is not allowed)."""
        return self.files[(fmt, layout or self.default_layout)]

    def may_export(self, user: Any, territory: Territory) -> bool:
        """True when ``user`` may make this export in ``territory``."""
        return has_role(user, territory, self.roles)


def _summary(
    consultation, fmt: str, out: BinaryIO, *, lang: str, layout: str, user, progress: Optional[Progress]
) -> None:

    write_summary(consultation, fmt, out, lang=lang, progress=progress)


def _responses(
    consultation, fmt: str, out: BinaryIO, *, lang: str, layout: str, user, progress: Optional[Progress]
) -> None:

    write_responses(consultation, fmt, out, lang=lang, layout=layout, progress=progress)


def _excerpts(
    consultation, fmt: str, out: BinaryIO, *, lang: str, layout: str, user, progress: Optional[Progress]
) -> None:

    write_excerpts(consultation, fmt, out, lang=lang, user=user, progress=progress)


FORMAT_LABELS = {
    "xlsx": _l("Excel workbook (XLSX)"),
    "csv": _l("CSV files"),
    "pdf": _l("PDF report"),
    "datapackage": _l("Open data package (Frictionless Data)"),
    "sav": _l("SPSS data files (SAV)"),
}

_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Add (or replace) a kind of export. Tests use it to try the machinery with a small writer."""
    _KINDS[kind.code] = kind
    return kind


def unregister(code: str) -> None:
    """Remove a kind registered with ``register`` (tests clean up with it)."""
    _KINDS.pop(code, None)


def kinds() -> list[Kind]:
    """Every kind of export, in the order the page shows them."""
    return list(_KINDS.values())


def get(code: str) -> Kind | None:
    """The kind with ``code``, or None."""
    return _KINDS.get(code)


def kinds_for(user: Any, territory: Territory) -> list[Kind]:
    """The kinds ``user`` may export in ``territory``."""
    return [kind for kind in _KINDS.values() if kind.may_export(user, territory)]


def languages_of(consultation) -> list[str]:
    """The languages an export of ``consultation`` may be written in: the consultation's own."""
    return list(consultation.languages or [consultation.fallback_language])


register(
    Kind(
        code="summary",
        label=_l("Consultation summary"),
        description=_l(
            "The suppressed results per question and group, participation, salience, divergence, remedy and "
            "themes, for ministers, partners and the public; as a workbook, CSV files, a PDF report or open data."
        ),
        roles=(Role.OFFICIAL.value, Role.ANALYST.value, NETWORK_ADMIN),
        formats={code: FORMAT_LABELS[code] for code in ("xlsx", "csv", "pdf", "datapackage")},
        layouts={"consult": _l("consult")},
        files={
            ("xlsx", "consult"): FileType("xlsx", XLSX),
            ("csv", "consult"): FileType("zip", ZIP),
            ("pdf", "consult"): FileType("pdf", PDF),
            ("datapackage", "consult"): FileType("zip", ZIP),
        },
        writer=_summary,
        needs_responses=True,
    )
)

register(
    Kind(
        code="responses",
        label=_l("Response data"),
        description=_l(
            "One row per response, for statisticians: columns named by question keys, labels in the chosen "
            "language, set-aside responses flagged, dates only. Only for officials and analysts of the territory."
        ),
        roles=(Role.OFFICIAL.value, Role.ANALYST.value),
        formats={code: FORMAT_LABELS[code] for code in ("csv", "xlsx", "sav")},
        layouts={
            "consult": _l("consult (a codebook beside the data)"),
            "kobo": _l("KoboToolbox / ODK (CSV or XLSX only)"),
        },
        files={
            ("csv", "consult"): FileType("zip", ZIP),
            ("xlsx", "consult"): FileType("xlsx", XLSX),
            ("sav", "consult"): FileType("zip", ZIP),
            ("csv", "kobo"): FileType("zip", ZIP),
            ("xlsx", "kobo"): FileType("xlsx", XLSX),
        },
        writer=_responses,
    )
)

register(
    Kind(
        code="excerpts",
        label=_l("Testimony excerpts"),
        description=_l(
            "Approved, redacted excerpts of testimonies whose consent covers this use. Opening them is recorded."
        ),
        roles=(Role.OFFICIAL.value, Role.ANALYST.value),
        formats={code: FORMAT_LABELS[code] for code in ("csv", "xlsx")},
        layouts={"consult": _l("consult")},
        files={
            ("csv", "consult"): FileType("csv", CSV),
            ("xlsx", "consult"): FileType("xlsx", XLSX),
        },
        writer=_excerpts,
    )
)

#: Who may open the exports page at all: anyone who may make at least one kind.
PAGE_ROLES = roles_for("exports.use")


def file_name(consultation, kind: Kind, fmt: str, layout: str, lang: str) -> str:
    """The download name: ``<slug>-<kind>[-<format>][-<layout>]-<lang>.<ext>``, plain ASCII."""
    file_type = kind.file_type(fmt, layout)
    parts = [consultation.slug, kind.code]
    if fmt != file_type.extension:
        parts.append(fmt)
    if layout != kind.default_layout:
        parts.append(layout)
    parts.append(lang)
    return "-".join(parts) + "." + file_type.extension
