"""Language parts of XLSForm columns: ``label::Español (es)``, ``label:english``, ``label::Chinese``.

XLSForm leaves the language part free. KoboToolbox and ODK write ``Name (code)``; people also
write a bare name or a bare code. ``consult.i18n.languages.code_for_name`` maps a part to a code
where the mapping is certain (a code in brackets, a code, a name langcodes knows); any other part
(a local spelling such as ``Wichi``) is asked of the person importing, who gives its code.
Region subtags (``es-CO``) fold into the language, since content is held per language.
"""

from __future__ import annotations

from consult.i18n.languages import code_for_name, endonym, normalise


def language_code(name: str, chosen: dict[str, str] | None = None) -> str | None:
    """The content language code a column's language part stands for, or ``None`` if uncertain.

    ``chosen`` holds the codes the person gave for parts that are not certain (``{"Wichi": "mzh"}``).
    ``"Español (es)"`` → ``"es"``, ``"english"`` → ``"en"``, ``"pt-BR"`` → ``"pt"``, ``"Wichi"`` → ``None``.
    """
    name = name.strip()
    given = (chosen or {}).get(name)
    if given is None:
        lowered = {k.strip().lower(): v for k, v in (chosen or {}).items()}
        given = lowered.get(name.lower())
    code = normalise(given) if given else code_for_name(name)
    if code is None:
        return None
    return code.split("-")[0]


def column_language(code: str) -> str:
    """The language part an export writes for ``code``: ``"Español (es)"``."""
    return f"{endonym(code)} ({code})"
