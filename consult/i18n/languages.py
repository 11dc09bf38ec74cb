"""Any human language, by its code: checking codes, naming languages, and the nearest interface.

Survey content may be written in any language with a valid BCP 47 tag whose language subtag is a
registered ISO 639 language (``mzh`` Wichí, ``quy`` Ayacucho Quechua, ``ht`` Haitian Creole...).
The names come from the CLDR and IANA data that ``langcodes`` and ``language_data`` maintain: consult
keeps no list of the world's languages of its own. A territory may record better names for its
languages (the endonym its speakers write); these functions give the defaults and suggestions.

The interface itself has catalogues only in Spanish, English and Portuguese: a content language
shows the interface in the nearest of those (Portuguese for languages of Brazil and other
Portuguese-speaking countries, Spanish otherwise), which a territory can override per language.
"""

from __future__ import annotations

import re
from functools import lru_cache

import langcodes

INTERFACE_CODES: tuple[str, ...] = ("es", "en", "pt")
# Countries where Portuguese is the language of administration: their languages show the interface
# in Portuguese. Everywhere else the network's working language, Spanish, is the nearest default.
_PORTUGUESE_COUNTRIES = frozenset({"BR", "PT", "AO", "MZ", "CV", "GW", "ST", "TL"})
_TRAILING_CODE = re.compile(r"\(\s*([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\s*\)\s*$")
MAX_CODE_LENGTH = 35


@lru_cache(maxsize=4096)
def normalise(code: str | None) -> str | None:
    """The standard form of a language tag (``pt-br`` → ``pt-BR``), or ``None`` when it names no language.

    Accepted: well-formed BCP 47 tags whose language subtag is a registered language with a name
    (``mzh``, ``es-419``, ``zh-Hant``). Refused: empty text, private-use and reserved codes
    (``x-…``, ``qaa``–``qtz``), ``und`` and anything langcodes cannot parse.
    """
    if not code or not isinstance(code, str):
        return None
    text = code.strip().replace("_", "-")
    if not text or len(text) > MAX_CODE_LENGTH or not re.fullmatch(r"[A-Za-z0-9-]+", text):
        return None
    try:
        if not langcodes.tag_is_valid(text):
            return None
        tag = langcodes.standardize_tag(text)
        language = langcodes.Language.get(tag)
    except (ValueError, LookupError):
        return None
    subtag = language.language
    if not subtag or subtag in {"und", "mul", "zxx", "mis"} or "qaa" <= subtag <= "qtz":
        return None
    # has_name_data() only covers CLDR's languages; the IANA registry names the rest (mzh, guc).
    if langcodes.Language.get(subtag).display_name().startswith("Unknown language"):
        return None
    return tag


def is_content_language(code: str | None) -> bool:
    """Whether ``code`` is already a standard tag that survey content may be written in."""
    return code is not None and normalise(code) == code


def _capitalised(name: str) -> str:
    # CLDR writes many autonyms in lower case ("español", "avañe’ẽ"); in a list of languages they
    # start a line, and consult shows them as people write a name on its own.
    return name[:1].upper() + name[1:] if name else name


@lru_cache(maxsize=4096)
def endonym(code: str) -> str:
    """The language's name in itself (``mzh`` → "Wichí Lhamtés Güisnay"), or its code when unknown."""
    tag = normalise(code)
    if tag is None:
        return code
    language = langcodes.Language.get(tag)
    name = language.autonym()
    if not name or name.startswith("Unknown language"):
        name = language.display_name()
    return _capitalised(name)


@lru_cache(maxsize=4096)
def name_in(code: str, display_language: str) -> str:
    """The language's name in ``display_language`` (``gn`` in ``es`` → "Guaraní"), or its code when unknown."""
    tag = normalise(code)
    if tag is None:
        return code
    return _capitalised(langcodes.Language.get(tag).display_name(display_language))


def suggested_names(code: str) -> dict[str, str]:
    """Names to offer when a language is added: its endonym and its names in es, en and pt."""
    return {"endonym": endonym(code), **{lang: name_in(code, lang) for lang in INTERFACE_CODES}}


@lru_cache(maxsize=1024)
def code_for_name(name: str | None) -> str | None:
    """The code of a language written as a name, when the mapping is certain; ``None`` otherwise.

    Understands a code (``en``), a code in brackets after a name (``English (en)``) and a language's
    name in English or in the language itself (``English``, ``Español``, ``Chinese``). A name that
    langcodes does not know (a local spelling such as "Wichi") is not guessed.
    """
    if not name or not isinstance(name, str):
        return None
    text = name.strip()
    match = _TRAILING_CODE.search(text)
    if match:
        return normalise(match.group(1))
    if re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*", text):
        tag = normalise(text)
        if tag is not None:
            return tag
    try:
        found = langcodes.find(text)
    except (LookupError, ValueError):
        return None
    return normalise(str(found))


@lru_cache(maxsize=4096)
def script_of(code: str) -> str | None:
    """The script (ISO 15924) ``code`` is usually written in (``ar`` → ``Arab``), or ``None`` when unknown."""
    tag = normalise(code)
    if tag is None:
        return None
    language = langcodes.Language.get(tag)
    return language.script or language.maximize().script


@lru_cache(maxsize=4096)
def default_interface_language(code: str) -> str:
    """The interface language nearest to content in ``code``: itself if es/en/pt, else by where it is spoken."""
    tag = normalise(code)
    if tag is None:
        return "es"
    language = langcodes.Language.get(tag)
    if language.language in INTERFACE_CODES:
        return language.language
    territory = language.territory or language.maximize().territory
    return "pt" if territory in _PORTUGUESE_COUNTRIES else "es"
