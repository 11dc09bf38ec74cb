"""The action library shared across the network of territories.

consult ships a library of actions for territorial business and human rights
action plans (``library_data/actions.json``), complete in Spanish, English and
Portuguese. ``ensure_shipped`` loads it into ``plan_library_actions``; network
administrators add their own actions and may switch any action off. Drafting
asks ``propose`` for the actions that answer the rights and remedy barriers a
consultation found.

The texts of an action are content (written per language), not interface
strings: they live in ``LibraryAction.texts`` as ``{lang: {field: str}}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from consult.extensions import db
from consult.plans.labels import SDG_TARGETS, UNGP_PRINCIPLES
from consult.plans.models import LibraryAction, Pillar
from consult.surveys.labels import BARRIERS, RIGHTS, SECTORS

#: Where the shipped library lives (installed as package data).
SHIPPED_PATH = Path(__file__).parent / "library_data" / "actions.json"

#: The languages every library action is written in.
LANGUAGES = ("es", "en", "pt")
#: The text fields of an action, per language.
TEXT_FIELDS = ("title", "description", "indicator", "lead_entity", "partners")
#: Text fields that must be filled in every language.
REQUIRED_TEXT_FIELDS = ("title", "description", "indicator")

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,63}$")

#: UNGP principles that belong to each pillar (foundational and operational).
PILLAR_PRINCIPLES = {
    Pillar.PROTECT.value: {str(n) for n in range(1, 11)},
    Pillar.RESPECT.value: {str(n) for n in range(11, 25)},
    Pillar.REMEDY.value: {str(n) for n in range(25, 32)},
}

_PILLAR_ORDER = {Pillar.PROTECT.value: 0, Pillar.RESPECT.value: 1, Pillar.REMEDY.value: 2}

# Length limits, so a form never tries to store what the column cannot hold.
_MAX_TITLE = 200
_MAX_TEXT = 2000
_MAX_UNIT = 40

_SCALARS = (
    "pillar",
    "rights",
    "barriers",
    "sectors",
    "ungp_principles",
    "sdg_targets",
    "gender_marker",
    "indicator_unit",
)


class LibraryError(Exception):
    """A library action that cannot be saved as given; ``.message`` is translated, ``.field`` names the input.

    ``field`` is a form field name: ``code``, ``pillar``, ``rights``, ``barriers``,
    ``sectors``, ``ungp_principles``, ``sdg_targets``, ``gender_marker``,
    ``indicator_unit`` or ``<field>_<lang>`` for a text (``title_pt``).
    """

    def __init__(self, message: Any, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


def _pillar_value(pillar: Any) -> str:
    return pillar.value if isinstance(pillar, Pillar) else str(pillar)


@lru_cache(maxsize=1)
def shipped_actions() -> tuple[dict[str, Any], ...]:
    """The actions shipped with consult, as read from ``actions.json`` (cached)."""
    with SHIPPED_PATH.open(encoding="utf-8") as handle:
        data = json.load(handle)
    return tuple(data["actions"])


def text(entry: LibraryAction, field: str, lang: str) -> str:
    """``field`` of ``entry`` in ``lang``; falls back to Spanish, then English, then any language that has it."""
    texts = entry.texts or {}
    for candidate in (lang, "es", "en", *texts.keys()):
        value = (texts.get(candidate) or {}).get(field)
        if value:
            return value
    return ""


def _clean_list(values: Any) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    seen: list[str] = []
    for value in values:
        value = str(value).strip()
        if value and value not in seen:
            seen.append(value)
    return seen


def validate(values: Mapping[str, Any]) -> dict[str, Any]:
    """Check and normalise the fields of an action; returns the cleaned values or raises ``LibraryError``.

    ``values`` holds ``pillar``, ``rights``, ``barriers``, ``sectors``,
    ``ungp_principles``, ``sdg_targets``, ``gender_marker``, ``indicator_unit``
    and ``texts`` (``{lang: {field: str}}``).
    """
    pillar = _pillar_value(values.get("pillar") or "")
    if pillar not in _PILLAR_ORDER:
        raise LibraryError(_l("Choose the pillar of the action."), "pillar")
    rights = _clean_list(values.get("rights"))
    barriers = _clean_list(values.get("barriers"))
    if not rights and not barriers:
        raise LibraryError(_l("Choose at least one right or one barrier to remedy that the action answers."), "rights")
    unknown = [r for r in rights if r not in RIGHTS]
    if unknown:
        raise LibraryError(_l("Unknown right: %(code)s.", code=", ".join(unknown)), "rights")
    unknown = [b for b in barriers if b not in BARRIERS]
    if unknown:
        raise LibraryError(_l("Unknown barrier to remedy: %(code)s.", code=", ".join(unknown)), "barriers")
    sectors = _clean_list(values.get("sectors"))
    unknown = [s for s in sectors if s not in SECTORS]
    if unknown:
        raise LibraryError(_l("Unknown sector: %(code)s.", code=", ".join(unknown)), "sectors")
    principles = _clean_list(values.get("ungp_principles"))
    unknown = [p for p in principles if p not in UNGP_PRINCIPLES]
    if unknown:
        raise LibraryError(_l("Unknown UN Guiding Principle: %(code)s.", code=", ".join(unknown)), "ungp_principles")
    wrong = [p for p in principles if p not in PILLAR_PRINCIPLES[pillar]]
    if wrong:
        raise LibraryError(
            _l("These Guiding Principles belong to another pillar: %(numbers)s.", numbers=", ".join(wrong)),
            "ungp_principles",
        )
    principles.sort(key=int)
    sdgs = _clean_list(values.get("sdg_targets"))
    unknown = [s for s in sdgs if s not in SDG_TARGETS]
    if unknown:
        raise LibraryError(_l("Unknown SDG target: %(code)s.", code=", ".join(unknown)), "sdg_targets")
    marker = values.get("gender_marker", 0)
    try:
        marker = int(marker if marker not in (None, "") else 0)
    except (TypeError, ValueError):
        marker = -1
    if marker not in (0, 1, 2):
        raise LibraryError(_l("The gender marker is 0, 1 or 2."), "gender_marker")
    unit = str(values.get("indicator_unit") or "").strip()
    if len(unit) > _MAX_UNIT:
        raise LibraryError(_l("Keep the indicator unit under %(max)s characters.", max=_MAX_UNIT), "indicator_unit")
    raw_texts = values.get("texts") or {}
    texts: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES:
        given = raw_texts.get(lang) or {}
        texts[lang] = {}
        for field in TEXT_FIELDS:
            value = str(given.get(field) or "").strip()
            if field in REQUIRED_TEXT_FIELDS and not value:
                raise LibraryError(
                    _l("Write this text in every language (Spanish, English and Portuguese)."), f"{field}_{lang}"
                )
            limit = _MAX_TITLE if field == "title" else _MAX_TEXT
            if len(value) > limit:
                raise LibraryError(_l("Keep this text under %(max)s characters.", max=limit), f"{field}_{lang}")
            texts[lang][field] = value
    return {
        "pillar": pillar,
        "rights": rights,
        "barriers": barriers,
        "sectors": sectors,
        "ungp_principles": principles,
        "sdg_targets": sdgs,
        "gender_marker": marker,
        "indicator_unit": unit,
        "texts": texts,
    }


def _apply(entry: LibraryAction, cleaned: Mapping[str, Any]) -> None:
    entry.pillar = Pillar(cleaned["pillar"])
    for name in _SCALARS[1:]:
        setattr(entry, name, cleaned[name])
    entry.texts = cleaned["texts"]


def ensure_shipped() -> None:
    """Insert or update the shipped actions by code, idempotently.

    Shipped entries are rewritten from ``actions.json`` (an upgrade may improve
    their texts) but keep ``is_active``: an action a network admin switched off
    stays off. Actions added by network admins are never touched; a code an
    admin already uses is left alone. Flushes; the caller commits.
    """
    existing = {a.code: a for a in db.session.scalars(select(LibraryAction))}
    changed = False
    for raw in shipped_actions():
        cleaned = validate(raw)
        entry = existing.get(raw["code"])
        if entry is None:
            entry = LibraryAction(code=raw["code"], is_shipped=True, is_active=True)
            _apply(entry, cleaned)
            db.session.add(entry)
            changed = True
            continue
        if not entry.is_shipped:
            continue
        if _differs(entry, cleaned):
            _apply(entry, cleaned)
            changed = True
    if changed:
        db.session.flush()


def _differs(entry: LibraryAction, cleaned: Mapping[str, Any]) -> bool:
    if _pillar_value(entry.pillar) != cleaned["pillar"]:
        return True
    if any(getattr(entry, name) != cleaned[name] for name in _SCALARS[1:]):
        return True
    return (entry.texts or {}) != cleaned["texts"]


def propose(rights: Iterable[str], barriers: Iterable[str] = ()) -> list[LibraryAction]:
    """Active actions answering any of ``rights`` or remedy ``barriers``, ordered pillar I, II, III, then code.

    Call ``ensure_shipped`` first (drafting and the library page do).
    """
    wanted_rights = set(rights or ())
    wanted_barriers = set(barriers or ())
    if not wanted_rights and not wanted_barriers:
        return []
    found = [
        a
        for a in db.session.scalars(select(LibraryAction).where(LibraryAction.is_active.is_(True)))
        if wanted_rights & set(a.rights or ()) or wanted_barriers & set(a.barriers or ())
    ]
    return sorted(found, key=sort_key)


def sort_key(entry: LibraryAction) -> tuple[int, str]:
    """The library's stable order: pillar I, II, III, then code."""
    return (_PILLAR_ORDER.get(_pillar_value(entry.pillar), 9), entry.code)


def all_actions(
    *, pillar: str | None = None, right: str | None = None, include_inactive: bool = True
) -> list[LibraryAction]:
    """Every library action (optionally of one pillar and answering one right), in the library's order."""
    query = select(LibraryAction)
    if pillar in _PILLAR_ORDER:
        query = query.where(LibraryAction.pillar == Pillar(pillar))
    if not include_inactive:
        query = query.where(LibraryAction.is_active.is_(True))
    found = list(db.session.scalars(query))
    if right:
        found = [a for a in found if right in (a.rights or ())]
    return sorted(found, key=sort_key)


def get_by_code(code: str) -> LibraryAction | None:
    """The library action with ``code``, or ``None``."""
    return db.session.scalar(select(LibraryAction).where(LibraryAction.code == code))


def create(code: str, user: Any = None, **values: Any) -> LibraryAction:
    """Add a network admin's action (``is_shipped`` false) after validating it; flushes, the caller commits.

    ``values`` are the fields ``validate`` takes. Raises ``LibraryError`` for a
    malformed or already used code and for any invalid field.
    """
    code = (code or "").strip()
    if not CODE_PATTERN.match(code):
        raise LibraryError(
            _l(
                "Use 2 to 64 lowercase letters, digits or underscores, starting with a letter (for example "
                "water_monitoring)."
            ),
            "code",
        )
    if get_by_code(code) is not None or any(raw["code"] == code for raw in shipped_actions()):
        raise LibraryError(_l("Another action already uses this code."), "code")
    cleaned = validate(values)
    entry = LibraryAction(code=code, is_shipped=False, is_active=True, created_by_id=getattr(user, "id", None))
    _apply(entry, cleaned)
    db.session.add(entry)
    db.session.flush()
    return entry


def update(entry: LibraryAction, **values: Any) -> LibraryAction:
    """Change an action's fields (the code never changes) after validating them; flushes, the caller commits.

    Shipped actions are refused: ``ensure_shipped`` keeps them as consult ships
    them, so an edit would silently come back. Admins who want their own wording
    add their own action (the library page offers the shipped one as a starting
    point) and switch the shipped one off.
    """
    if entry.is_shipped:
        raise LibraryError(
            _l(
                "Actions shipped with consult cannot be edited; add your own action from this one and switch this "
                "one off."
            ),
            None,
        )
    cleaned = validate(values)
    _apply(entry, cleaned)
    db.session.flush()
    return entry


def set_active(entry: LibraryAction, active: bool) -> LibraryAction:
    """Switch an action on or off; an inactive action is never proposed. Flushes, the caller commits."""
    entry.is_active = bool(active)
    db.session.flush()
    return entry


def values_of(entry: LibraryAction) -> dict[str, Any]:
    """The fields of ``entry`` in the shape ``validate``/``update`` take (for forms and copies)."""
    return {
        "pillar": _pillar_value(entry.pillar),
        "rights": list(entry.rights or ()),
        "barriers": list(entry.barriers or ()),
        "sectors": list(entry.sectors or ()),
        "ungp_principles": list(entry.ungp_principles or ()),
        "sdg_targets": list(entry.sdg_targets or ()),
        "gender_marker": entry.gender_marker or 0,
        "indicator_unit": entry.indicator_unit or "",
        "texts": {lang: dict((entry.texts or {}).get(lang) or {}) for lang in LANGUAGES},
    }
