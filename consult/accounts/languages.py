"""A territory's languages: listing, adding, editing and removing them, and naming them for other rooms.

Any language with a valid BCP 47 / ISO 639 code may be one (``consult.i18n.languages`` checks codes
and suggests names from CLDR/IANA data). The territory records the name its speakers write (the
endonym) and its names in the interface languages, and may choose which interface language (es, en
or pt) people answering in it see. Rooms above this one name a territory's language with
``endonym_for`` (for respondents choosing a language) and ``label_for`` (for staff, in the interface
language).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from consult.accounts.models import Territory, TerritoryLanguage
from consult.extensions import db
from consult.i18n import language_name
from consult.i18n.languages import INTERFACE_CODES, default_interface_language, normalise, suggested_names

#: Language columns elsewhere (responses, testimonies, exports, plans) hold up to 8 characters:
#: ``mzh``, ``es-419`` and ``zh-Hant`` fit; longer tags are refused here rather than failing later.
MAX_STORED_CODE = 8
NAME_LENGTH = 100


class LanguageError(Exception):
    """A territory language that cannot be saved; ``field`` names the form field at fault."""

    def __init__(self, message: object, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


@dataclass(frozen=True)
class LanguageInput:
    """What a person typed for a language; names left empty are filled with suggestions."""

    code: str
    endonym: str = ""
    name_es: str = ""
    name_en: str = ""
    name_pt: str = ""
    interface_language: str | None = None


def checked_code(typed: str | None) -> str:
    """The standard form of a typed code, or a ``LanguageError`` saying why it is not one."""
    text = (typed or "").strip()
    if not text:
        raise LanguageError(_l("Enter the language's code, for example mzh for Wichí."), "code")
    code = normalise(text)
    if code is None:
        raise LanguageError(
            _l(
                "“%(code)s” is not a valid language code. Use an ISO 639 code or a BCP 47 tag, such as gn, quy or mzh.",
                code=text,
            ),
            "code",
        )
    if len(code) > MAX_STORED_CODE:
        raise LanguageError(
            _l("“%(code)s” is too long: use a code of at most 8 characters, such as es-419.", code=code), "code"
        )
    return code


def suggestions(typed: str | None) -> dict[str, str] | None:
    """The names to prefill for a typed code (endonym, es, en, pt), or ``None`` when it is not a code."""
    code = normalise((typed or "").strip())
    if code is None:
        return None
    return {"code": code, **suggested_names(code)}


def _apply(row: TerritoryLanguage, data: LanguageInput) -> None:
    names = suggested_names(row.code)
    row.endonym = (data.endonym or "").strip()[:NAME_LENGTH] or names["endonym"]
    row.name_es = (data.name_es or "").strip()[:NAME_LENGTH] or names["es"]
    row.name_en = (data.name_en or "").strip()[:NAME_LENGTH] or names["en"]
    row.name_pt = (data.name_pt or "").strip()[:NAME_LENGTH] or names["pt"]
    interface = data.interface_language or None
    if interface is not None and interface not in INTERFACE_CODES:
        raise LanguageError(_l("Choose Spanish, English or Portuguese for the interface."), "interface_language")
    row.interface_language = interface


def list_languages(territory: Territory) -> list[TerritoryLanguage]:
    """The territory's languages, in their order."""
    return list(territory.languages)


def add_language(territory: Territory, data: LanguageInput) -> TerritoryLanguage:
    """Add a language to ``territory`` (names left empty are suggested from the code)."""
    code = checked_code(data.code)
    if territory.language(code) is not None:
        raise LanguageError(_l("This territory already has the language %(code)s.", code=code), "code")
    row = TerritoryLanguage(code=code, position=len(territory.languages))
    _apply(row, data)
    territory.languages.append(row)
    db.session.flush()
    return row


def ensure_languages(territory: Territory, codes: list[str]) -> None:
    """Make every valid code of ``codes`` one of the territory's languages (named as suggested).

    A consultation's languages are always among its territory's: the set-up form offers only those,
    and a consultation made otherwise (the command line, the demo, an import) adds what it needs.
    """
    missing = [code for code in dict.fromkeys(codes) if territory.language(code) is None]
    for code in missing:
        add_language(territory, LanguageInput(code=code))


def edit_language(territory: Territory, code: str, data: LanguageInput) -> TerritoryLanguage:
    """Change the names and interface language of one of the territory's languages (its code stays)."""
    row = territory.language(code)
    if row is None:
        raise LanguageError(_l("This territory has no such language."), "code")
    _apply(row, data)
    db.session.flush()
    return row


#: Rooms above accounts (consultations, instruments) say what of theirs uses a territory's language:
#: imports flow downward, so they register a check here rather than being imported.
_USE_CHECKS: list[Callable[[Territory, str], list[str]]] = []


def register_language_use(check: Callable[[Territory, str], list[str]]) -> None:
    """Add a check giving, for (territory, code), a sentence per thing that uses the language."""
    if check not in _USE_CHECKS:
        _USE_CHECKS.append(check)


def uses_of(territory: Territory, code: str) -> list[str]:
    """What keeps ``code`` in use in the territory: its default language, and whatever rooms report."""
    uses: list[str] = []
    if territory.default_language == code:
        uses.append(str(_l("it is the territory's default language")))
    for check in _USE_CHECKS:
        uses.extend(check(territory, code))
    return uses


def remove_language(territory: Territory, code: str) -> None:
    """Remove a language the territory no longer offers; refused while the default or a consultation uses it."""
    row = territory.language(code)
    if row is None:
        raise LanguageError(_l("This territory has no such language."), "code")
    uses = uses_of(territory, code)
    if uses:
        raise LanguageError(
            _l(
                "%(language)s cannot be removed: %(uses)s.",
                language=row.name_in(interface_language()),
                uses="; ".join(uses),
            )
        )
    territory.languages.remove(row)
    for position, other in enumerate(territory.languages):
        other.position = position
    db.session.flush()


def interface_language() -> str:
    """The interface language of this request (es, en or pt)."""
    try:
        locale = str(get_locale())
    except RuntimeError:
        return "en"
    return locale if locale in INTERFACE_CODES else "es"


def endonym_for(territory: Territory | None, code: str) -> str:
    """The name of ``code`` in itself, as the territory writes it (else as CLDR/IANA do)."""
    row = territory.language(code) if territory is not None else None
    if row is not None and row.endonym:
        return row.endonym
    from consult.i18n.languages import endonym

    return endonym(code)


def label_for(territory: Territory | None, code: str, interface: str | None = None) -> str:
    """The name of ``code`` in the interface language, as the territory writes it (else as CLDR/IANA do)."""
    interface = interface or interface_language()
    row = territory.language(code) if territory is not None else None
    if row is not None:
        return row.name_in(interface)
    return str(language_name(code, interface))


def interface_for(territory: Territory | None, code: str) -> str:
    """The interface language people answering in ``code`` see: the territory's choice, else the nearest."""
    if code in INTERFACE_CODES:
        return code
    row = territory.language(code) if territory is not None else None
    if row is not None and row.interface_language in INTERFACE_CODES:
        return row.interface_language
    return default_interface_language(code)


def find_territory_language(territory_id: int, code: str) -> TerritoryLanguage | None:
    """The row of ``code`` in the territory with ``territory_id``."""
    return db.session.scalar(
        select(TerritoryLanguage).where(TerritoryLanguage.territory_id == territory_id, TerritoryLanguage.code == code)
    )
