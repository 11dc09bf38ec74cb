"""Instrument operations: each checks, changes state, flushes, and returns what it made.

Definitions are validated whenever they enter the store or are published, and
refused with the whole list of problems. A frozen version (published, or used
by a consultation) is never changed: editing works on a new draft copied from it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult.accounts.models import Territory
from consult.core.db import utcnow
from consult.core.uploads import UploadRefused, load_json
from consult.extensions import db
from consult.i18n.languages import is_content_language
from consult.surveys import texts
from consult.surveys.models import Instrument, InstrumentVersion, VersionStatus
from consult.surveys.validation import validate_definition
from consult.surveys.xlsform import XLSFormError, import_xlsform

LIBRARY_DIR = Path(__file__).resolve().parent / "library"


@dataclass(frozen=True)
class Issue:
    """One problem or warning, with where it is (a definition path, or a sheet and row)."""

    where: str
    message: str


class SurveyError(ValueError):
    """A request that cannot be carried out: a translated message and, often, every problem found."""

    def __init__(self, message: Any, problems: Iterable[Issue] = (), field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.problems = list(problems)
        #: The form field the message belongs next to, when there is one.
        self.field = field


@dataclass
class ImportOutcome:
    """What storing a definition did: the version, and whether the instrument or version is new."""

    version: InstrumentVersion
    created_instrument: bool = False
    unchanged: bool = False
    warnings: list[Issue] = field(default_factory=list)


# -- validation ---------------------------------------------------------------------------------


def problem_issue(problem: Any) -> Issue:
    """An ``Issue`` from the engine's ``Problem(path, message)`` or an XLSForm report item."""
    sheet = getattr(problem, "sheet", None)
    row = getattr(problem, "row", None)
    path = getattr(problem, "path", None)
    column = getattr(problem, "column", None)
    if sheet and row:
        where = str(_l("sheet %(sheet)s, row %(row)s", sheet=sheet, row=row))
    elif sheet:
        where = str(_l("sheet %(sheet)s", sheet=sheet))
    else:
        where = str(path or "")
    if column:
        where = f"{where}, {column}" if where else str(column)
    return Issue(where, str(getattr(problem, "message", problem)))


def definition_problems(definition: Any) -> list[Issue]:
    """Every problem of ``definition`` (JSON Schema and semantic checks); ``[]`` when valid."""
    if not isinstance(definition, dict):
        return [Issue("", str(_l("The definition must be a JSON object.")))]

    return [problem_issue(p) for p in validate_definition(definition)]


def _refuse_if_invalid(definition: Any) -> None:
    problems = definition_problems(definition)
    if problems:
        raise SurveyError(_l("The definition has problems (%(n)d); nothing was saved.", n=len(problems)), problems)


def parse_json_definition(data: bytes | str) -> dict[str, Any]:
    """The definition in a JSON file, read within bounds (``consult.core.uploads.load_json``).

    ``SurveyError`` naming the line and column if it is not JSON, and with a clear
    message when it is too large, nested too deep or holds control characters.
    """
    try:
        definition = load_json(data)
    except UploadRefused as refused:
        raise SurveyError(refused.message, field="file") from None
    if not isinstance(definition, dict):
        raise SurveyError(_l("The definition must be a JSON object."))
    return definition


# -- finding ------------------------------------------------------------------------------------


def find_instrument(key: str, territory: Territory | None) -> Instrument | None:
    """The instrument with ``key`` in ``territory`` (``None``: the shared library)."""
    owner = Instrument.territory_id.is_(None) if territory is None else Instrument.territory_id == territory.id
    return db.session.scalar(select(Instrument).where(owner, Instrument.key == key))


def territory_instruments(territory: Territory) -> list[Instrument]:
    """A territory's own instruments, by key."""
    return list(
        db.session.scalars(
            select(Instrument)
            .where(Instrument.territory_id == territory.id)
            .order_by(Instrument.key)
            .options(selectinload(Instrument.versions))  # the list shows each one's versions: no query per row
        )
    )


def library_instruments() -> list[Instrument]:
    """The shared network library, by key."""
    return list(
        db.session.scalars(
            select(Instrument)
            .where(Instrument.territory_id.is_(None))
            .order_by(Instrument.key)
            .options(selectinload(Instrument.versions))
        )
    )


def resolve_version(instrument: Instrument, number: int | None = None) -> InstrumentVersion:
    """Version ``number`` of ``instrument``, or its latest; ``SurveyError`` if there is none."""
    version = instrument.latest_version if number is None else instrument.version(number)
    if version is None:
        raise SurveyError(_l("This instrument has no version %(n)s.", n=number if number is not None else ""))
    return version


# -- creating -----------------------------------------------------------------------------------


def _add_version(instrument: Instrument, definition: dict[str, Any], review: dict | None = None) -> InstrumentVersion:
    previous = instrument.latest_version
    if review is None:
        review = texts.initial_review(
            definition, previous.definition if previous else None, previous.translation_review if previous else None
        )
    version = InstrumentVersion(
        instrument=instrument,
        number=(previous.number + 1) if previous else 1,
        definition=copy.deepcopy(definition),
        translation_review=review,
        status=VersionStatus.DRAFT,
    )
    db.session.add(version)
    instrument.title = dict(definition.get("title") or {})
    db.session.flush()
    return version


def create_instrument(definition: dict[str, Any], territory: Territory | None = None) -> InstrumentVersion:
    """A new instrument (in ``territory``, or the library) with ``definition`` as its draft version 1.

    Refused with every problem when the definition is invalid, or when the key is taken.
    """
    _refuse_if_invalid(definition)
    if find_instrument(definition["key"], territory) is not None:
        raise SurveyError(
            _l("There is already an instrument with the key %(key)s here.", key=definition["key"]), field="file"
        )
    instrument = Instrument(key=definition["key"], territory=territory, title=dict(definition.get("title") or {}))
    db.session.add(instrument)
    return _add_version(instrument, definition)


def import_definition(definition: dict[str, Any], territory: Territory | None = None) -> ImportOutcome:
    """Store a definition: a new instrument, or a new draft version of the one with the same key.

    A definition identical to an existing version of that instrument adds nothing.
    """
    _refuse_if_invalid(definition)
    instrument = find_instrument(definition["key"], territory)
    if instrument is None:
        return ImportOutcome(create_instrument(definition, territory), created_instrument=True)
    same = next((v for v in reversed(instrument.versions) if v.definition == definition), None)
    if same is not None:
        return ImportOutcome(same, unchanged=True)
    return ImportOutcome(_add_version(instrument, definition))


def import_json(data: bytes | str, territory: Territory | None = None) -> ImportOutcome:
    """Store the definition in a JSON file (see ``import_definition``)."""
    return import_definition(parse_json_definition(data), territory)


def import_xlsform_file(
    data: bytes, territory: Territory | None = None, languages: dict[str, str] | None = None
) -> ImportOutcome:
    """Store the instrument in an XLSForm workbook (or KoboToolbox form JSON); refused with every error found.

    The outcome carries the converter's warnings: what was imported differently
    or left out, each with its sheet and row. ``languages`` gives the codes of
    language columns the converter cannot name with certainty (``{"Wichi": "mzh"}``);
    a refusal lists those still unknown in ``error.unknown_languages``.
    """

    try:
        result = import_xlsform(data, languages=languages)
    except XLSFormError as error:
        raise SurveyError(error.message, field="file") from None
    errors = [problem_issue(e) for e in result.errors or []]
    warnings = [problem_issue(w) for w in result.warnings or []]
    if errors or result.definition is None:
        refused = SurveyError(_l("The XLSForm could not be imported; nothing was saved."), errors)
        refused.unknown_languages = list(result.unknown_languages)
        raise refused
    outcome = import_definition(result.definition, territory)
    outcome.warnings = warnings
    return outcome


def new_draft(version: InstrumentVersion) -> InstrumentVersion:
    """A new draft version of the same instrument, copied from ``version`` (translation state included)."""
    return _add_version(version.instrument, version.definition, copy.deepcopy(version.translation_review))


def draft_to_edit(version: InstrumentVersion) -> InstrumentVersion:
    """``version`` itself while it is an unfrozen draft, else a new draft copied from it."""
    return new_draft(version) if version.is_frozen else version


def copy_to_territory(instrument: Instrument, territory: Territory) -> InstrumentVersion:
    """Copy a library instrument into ``territory``: its latest published version (else its latest)
    becomes draft version 1 of a territory instrument with the same key."""
    if not instrument.is_library:
        raise SurveyError(_l("Only instruments of the shared library can be copied."))
    source = instrument.latest_published or resolve_version(instrument)
    if find_instrument(instrument.key, territory) is not None:
        raise SurveyError(_l("This territory already has an instrument with the key %(key)s.", key=instrument.key))
    copied = Instrument(key=instrument.key, territory=territory, title=dict(instrument.title or {}))
    db.session.add(copied)
    return _add_version(copied, source.definition, copy.deepcopy(source.translation_review))


# -- editing ------------------------------------------------------------------------------------


def _refuse_if_frozen(version: InstrumentVersion) -> None:
    if version.is_frozen:
        raise SurveyError(
            _l("Version %(n)d is frozen and cannot be changed. Make a new draft to edit it.", n=version.number)
        )


def add_language(version: InstrumentVersion, lang: str) -> InstrumentVersion:
    """Declare one more content language in a draft (its texts start missing)."""
    _refuse_if_frozen(version)
    if not is_content_language(lang):
        raise SurveyError(_l("This language is not available."), field="language")
    if lang in version.languages:
        raise SurveyError(_l("The instrument already has this language."), field="language")
    definition = copy.deepcopy(version.definition)
    definition["languages"] = list(definition.get("languages") or []) + [lang]
    version.definition = definition
    db.session.flush()
    return version


@dataclass
class TextUpdate:
    """What ``update_texts`` changed."""

    changed: list[str] = field(default_factory=list)
    reviewed: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def update_texts(
    version: InstrumentVersion, lang: str, values: dict[str, str], reviewed: Iterable[str] = ()
) -> TextUpdate:
    """Set ``lang``'s text at each path of ``values`` in a draft.

    A changed source (fallback-language) text marks the other languages'
    translations of it as needing review; a translation written (or, for the
    paths in ``reviewed``, confirmed) counts as made from the current source.
    Emptying a source text is refused with a problem per path.
    """
    _refuse_if_frozen(version)
    if lang not in version.languages:
        raise SurveyError(_l("The instrument has no language %(lang)s.", lang=lang), field="language")
    fallback = version.fallback_language
    if lang == fallback:
        emptied = [path for path, value in values.items() if not (value or "").strip()]
        if emptied:
            raise SurveyError(
                _l("A text in the source language cannot be empty."),
                [Issue(path, str(_l("A text in the source language cannot be empty."))) for path in emptied],
            )
    old = texts.text_index(version.definition)
    definition, changed, unknown = texts.with_texts(version.definition, lang, values)
    new = texts.text_index(definition)
    review = copy.deepcopy(version.translation_review or {})
    result = TextUpdate(changed=changed, unknown=unknown)
    for path in changed:
        if lang == fallback:
            # Translations without a record were made from the old source: record
            # that, so the new source leaves them needing review.
            old_hash = texts.source_hash(old[path].text.get(fallback) or "")
            for other, value in new[path].text.items():
                if other != fallback and value:
                    review.setdefault(other, {}).setdefault(path, old_hash)
        elif new[path].text.get(lang):
            review.setdefault(lang, {})[path] = texts.source_hash(new[path].text.get(fallback) or "")
        else:
            review.get(lang, {}).pop(path, None)
    if lang != fallback:
        for path in reviewed:
            if path in new and path not in changed and new[path].text.get(lang):
                review.setdefault(lang, {})[path] = texts.source_hash(new[path].text.get(fallback) or "")
                result.reviewed.append(path)
    version.definition = definition
    version.translation_review = review
    if "title" in changed and version.instrument.latest_version is version:
        version.instrument.title = dict(definition.get("title") or {})
    db.session.flush()
    return result


def completeness(version: InstrumentVersion) -> list[texts.LanguageCompleteness]:
    """Per declared language: how many texts, which are missing, which need review."""
    return texts.completeness(version.definition, version.translation_review or {})


# -- publishing and freezing -------------------------------------------------------------------


def publish(version: InstrumentVersion) -> InstrumentVersion:
    """Publish ``version`` (which freezes it) after validating it; refused with every problem."""
    if version.is_published:
        raise SurveyError(_l("Version %(n)d is already published.", n=version.number))
    problems = definition_problems(version.definition)
    if problems:
        raise SurveyError(
            _l("Version %(n)d cannot be published: problems found (%(count)d).", n=version.number, count=len(problems)),
            problems,
        )
    now = utcnow()
    version.status = VersionStatus.PUBLISHED
    version.published_at = now
    if version.frozen_at is None:
        version.frozen_at = now
    db.session.flush()
    return version


def freeze_version(version: InstrumentVersion) -> InstrumentVersion:
    """Freeze ``version`` (a consultation uses it from now on); idempotent."""
    if version.frozen_at is None:
        version.frozen_at = utcnow()
        db.session.flush()
    return version


# -- the built-in library -----------------------------------------------------------------------


@dataclass
class LibraryLoad:
    """What loading one library file did: ``created``, ``new_version`` or ``unchanged``."""

    key: str
    version: InstrumentVersion
    action: str


def load_library(directory: Path | None = None) -> list[LibraryLoad]:
    """Load every ``*.json`` definition of the built-in library into the shared library.

    Idempotent: a definition already stored as some version of its instrument
    adds nothing; a changed one becomes a new draft version. An invalid file
    stops the load with its problems, each prefixed with the file name.
    """
    loads = []
    for path in sorted((directory or LIBRARY_DIR).glob("*.json")):
        definition = parse_json_definition(path.read_bytes())
        problems = definition_problems(definition)
        if problems:
            raise SurveyError(
                _l("The library file %(name)s is not a valid instrument.", name=path.name),
                [Issue(f"{path.name}: {p.where}", p.message) for p in problems],
            )
        outcome = import_definition(definition, None)
        action = "created" if outcome.created_instrument else "unchanged" if outcome.unchanged else "new_version"
        loads.append(LibraryLoad(definition["key"], outcome.version, action))
    return loads
