"""Language columns of XLSForms: ``label::Español (es)``, ``label::English``, ``hint::pt``.

XLSForm leaves the language part free. KoboToolbox and ODK write ``Name (code)``;
people also write a bare name or a bare code. We take the code in brackets when
there is one, else a name we know, else a bare code; region subtags (``es-CO``)
fold into the language, since content is held per language.
"""

from __future__ import annotations

import re
import unicodedata

from consult.i18n import CONTENT_LANGUAGES

# Names people write for the languages consult holds content in, accents removed and lower case.
_NAMES = {
    "spanish": "es",
    "espanol": "es",
    "castellano": "es",
    "english": "en",
    "ingles": "en",
    "portuguese": "pt",
    "portugues": "pt",
    "quechua": "qu",
    "runasimi": "qu",
    "runa simi": "qu",
    "kichwa": "qu",
    "guarani": "gn",
    "avane'e": "gn",
    "wayuunaiki": "guc",
    "wayuu": "guc",
}

# How an export names each language: the endonym and the code, as KoboToolbox writes them.
_CODE_IN_BRACKETS = re.compile(r"\(\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*\s*\)\s*$")
_BARE_CODE = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*$")


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip().lower()


def language_code(name: str) -> str | None:
    """The content language code a column's language part stands for, or ``None`` if unknown.

    ``"Español (es)"`` → ``"es"``, ``"English"`` → ``"en"``, ``"pt-BR"`` → ``"pt"``,
    ``"Français (fr)"`` → ``None`` (consult holds no content in French).
    """
    name = name.strip()
    match = _CODE_IN_BRACKETS.search(name)
    if match:
        code = match.group(1).lower()
        return code if code in CONTENT_LANGUAGES else None
    plain = _plain(name)
    if plain in _NAMES:
        return _NAMES[plain]
    match = _BARE_CODE.match(name)
    if match and match.group(1).lower() in CONTENT_LANGUAGES:
        return match.group(1).lower()
    return None


def column_language(code: str) -> str:
    """The language part an export writes for ``code``: ``"Español (es)"``."""
    return f"{CONTENT_LANGUAGES.get(code, code)} ({code})"
