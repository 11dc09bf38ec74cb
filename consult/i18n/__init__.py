"""Locale selection: interface languages, content languages and the switch.

Interface strings come from gettext catalogues (es, en, pt). Survey content may
be in other languages (Quechua, Guaraní, Wayuunaiki...) that have no interface
catalogue: choosing one keeps it as the *content* language and shows the
interface in Spanish.

The chain, first match wins: ``?lang=`` → session → user preference →
Accept-Language → territory default → Spanish.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, g, has_request_context, request, session
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from consult.extensions import babel

INTERFACE_LANGUAGES: dict[str, str] = {"es": "Español", "en": "English", "pt": "Português"}
# Languages accepted for survey content, with their own names (endonyms).
CONTENT_LANGUAGES: dict[str, str] = {
    **INTERFACE_LANGUAGES,
    "qu": "Runasimi",
    "gn": "Avañe'ẽ",
    "guc": "Wayuunaiki",
}
FALLBACK_INTERFACE = "es"
RTL_LANGUAGES: frozenset[str] = frozenset({"ar", "he", "fa", "ur"})

LANGUAGE_NAMES = {
    "es": _l("Spanish"),
    "en": _l("English"),
    "pt": _l("Portuguese"),
    "qu": _l("Quechua"),
    "gn": _l("Guarani"),
    "guc": _l("Wayuunaiki"),
}


def interface_language_for(code: str | None) -> str:
    """The interface language that shows for a requested language ``code``."""
    if code in INTERFACE_LANGUAGES:
        return code
    return FALLBACK_INTERFACE


def requested_language() -> str | None:
    """The first language the chain yields, which may be a content-only language."""
    asked = request.args.get("lang")
    if asked in CONTENT_LANGUAGES:
        return asked
    stored = session.get("lang")
    if stored in CONTENT_LANGUAGES:
        return stored

    if current_user and current_user.is_authenticated:
        preferred = getattr(current_user, "preferred_language", None)
        if preferred in CONTENT_LANGUAGES:
            return preferred
    header = request.accept_languages.best_match(list(CONTENT_LANGUAGES))
    if header:
        return header
    territory = getattr(g, "territory", None)
    if territory is not None and territory.default_language in CONTENT_LANGUAGES:
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
    asked = request.args.get("lang")
    if asked in CONTENT_LANGUAGES and session.get("lang") != asked:
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

    @app.context_processor
    def _i18n_context() -> dict:
        locale = str(get_locale())
        return {
            "html_lang": locale,
            "html_dir": "rtl" if locale in RTL_LANGUAGES else "ltr",
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
