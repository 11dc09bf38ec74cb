"""Locale selection: interface languages, content languages and the switch.

Interface strings come from gettext catalogues (es, en, pt). Survey content may
be in other languages (Quechua, Guaraní, Wayuunaiki...) that have no interface
catalogue: choosing one keeps it as the *content* language and shows the
interface in Spanish.

The chain, first match wins: ``?lang=`` → session → user preference →
Accept-Language → territory default → Spanish.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from urllib.parse import urlencode

from flask import Flask, g, has_request_context, request, session
from flask_babel import LazyString, get_locale
from flask_login import current_user

from consult.extensions import babel
from consult.i18n.languages import INTERFACE_CODES, default_interface_language, name_in, normalise, script_of

INTERFACE_LANGUAGES: dict[str, str] = {"es": "Español", "en": "English", "pt": "Português"}
FALLBACK_INTERFACE = "es"
# Scripts written right to left (ISO 15924): content in them carries dir="rtl".
_RTL_SCRIPTS = frozenset({"Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm", "Rohg", "Samr", "Mand", "Yezi"})


def language_name(code: str | None, interface: str | None = None) -> str:
    """The name of the language ``code`` in ``interface`` (default: this request's interface language).

    Any valid code is named from CLDR/IANA data; a code that names nothing is returned as it is,
    never an error. A territory's own names are in ``consult.accounts.languages.label_for``.
    """
    if not code:
        return ""
    if interface is None:
        # The locale of the moment: the request's, or the one an export forces (``force_locale``).
        try:
            locale = get_locale()
        except RuntimeError:  # outside any application context
            locale = None
        interface = str(locale) if locale is not None else "en"
    return name_in(code, interface if interface in INTERFACE_CODES else FALLBACK_INTERFACE)


class LanguageNames(Mapping[str, LazyString]):
    """Names of any language by code, in the interface language of the moment they are shown.

    ``LANGUAGE_NAMES.get(code, code)`` and ``LANGUAGE_NAMES[code]`` name every valid code (``mzh`` →
    "Wichí"), lazily so that a name made at import time follows the request's language. A code that
    names nothing is not in it (``get`` gives the default). Iterating gives the interface languages
    only: the world's languages are not listed, they are looked up.
    """

    def __getitem__(self, code: str) -> LazyString:
        if not isinstance(code, str) or normalise(code) is None:
            raise KeyError(code)
        return LazyString(language_name, code)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and normalise(code) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(INTERFACE_LANGUAGES)

    def __len__(self) -> int:
        return len(INTERFACE_LANGUAGES)


LANGUAGE_NAMES = LanguageNames()


def language_dir(code: str | None) -> str:
    """``rtl`` for a language written right to left (``ar``, ``he``, ``fa``...), else ``ltr``."""
    tag = normalise(code) if code else None
    if tag is None:
        return "ltr"
    return "rtl" if script_of(tag) in _RTL_SCRIPTS else "ltr"


def interface_language_for(code: str | None) -> str:
    """The interface language that shows for a requested language ``code``.

    es, en and pt are themselves; any other language shows the interface its territory chose for it
    (when the request has a territory), else the nearest (pt for Brazil's languages, es otherwise).
    """
    if code in INTERFACE_LANGUAGES:
        return code
    if not code or normalise(code) is None:
        return FALLBACK_INTERFACE
    territory = getattr(g, "territory", None) if has_request_context() else None
    row = territory.language(code) if territory is not None and hasattr(territory, "language") else None
    if row is not None and row.interface_language in INTERFACE_LANGUAGES:
        return row.interface_language
    return default_interface_language(code)


def _accepted(code: str | None) -> str | None:
    """``code`` in its standard form when it is a language content may be in, else ``None``."""
    if not code or not isinstance(code, str):
        return None
    return normalise(code)


def requested_language() -> str | None:
    """The first language the chain yields, which may be a content-only language (any valid code).

    Whether a consultation offers it is for the consultation to decide (it falls back to its own
    fallback language); the interface is always es, en or pt (``interface_language_for``).
    """
    asked = _accepted(request.args.get("lang"))
    if asked:
        return asked
    stored = _accepted(session.get("lang"))
    if stored:
        return stored

    if current_user and current_user.is_authenticated:
        preferred = _accepted(getattr(current_user, "preferred_language", None))
        if preferred:
            return preferred
    territory = getattr(g, "territory", None)
    offered = list(INTERFACE_LANGUAGES)
    if territory is not None:
        offered += [code for code in getattr(territory, "enabled_languages", []) if code not in offered]
    header = request.accept_languages.best_match(offered)
    if header:
        return header
    if territory is not None and _accepted(territory.default_language):
        return territory.default_language
    return None


def select_locale() -> str:
    """Flask-Babel's locale selector: always an interface language.

    Outside a request (CLI commands) the operator reads English, like the rest
    of the command output; exports and jobs choose theirs with ``force_locale``.
    """
    if not has_request_context():
        return "en"
    return interface_language_for(content_language())


def content_language() -> str:
    """The language survey content should be shown in for this request."""
    if "content_language" not in g:
        g.content_language = requested_language() or FALLBACK_INTERFACE
    return g.content_language


def _remember_choice() -> None:
    asked = _accepted(request.args.get("lang"))
    if asked and session.get("lang") != asked:
        session["lang"] = asked
        g.pop("content_language", None)


def switch_links() -> list[dict[str, str | bool]]:
    """Links to the current page in each interface language (and the query kept)."""
    current = str(get_locale())
    links = []
    for code, name in INTERFACE_LANGUAGES.items():
        args = request.args.to_dict(flat=False)
        args["lang"] = [code]
        query = urlencode([(k, v) for k, values in args.items() for v in values])
        links.append({"code": code, "name": name, "url": f"{request.path}?{query}", "current": code == current})
    return links


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with consult's locale chain and expose helpers to templates."""

    babel.init_app(app, locale_selector=select_locale)
    app.before_request(_remember_choice)

    # Globals, not context: macros imported without context (``responses/_macros.html``) use them too.
    app.jinja_env.globals.update(
        language_dir=language_dir, language_name=language_name, interface_language=lambda: str(get_locale())
    )

    @app.context_processor
    def _i18n_context() -> dict:
        locale = str(get_locale())
        return {
            "html_lang": locale,
            "html_dir": language_dir(locale),
            "language_links": switch_links,
            "content_language": content_language,
        }

    @app.after_request
    def _content_language(response):
        if response.mimetype == "text/html":
            response.headers["Content-Language"] = str(get_locale())
            response.vary.add("Accept-Language")
            response.vary.add("Cookie")
        return response
