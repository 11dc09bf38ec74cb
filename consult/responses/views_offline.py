"""Offline answering on a phone: the app's page, its manifest and service worker, its bundle, and sending.

The answering pages never load any of this: only a person who asks for offline
use (the link on the landing page) opens ``/c/<slug>/offline``, whose page loads
the app's script and registers the service worker. Everything lives under
``/c/<slug>/offline/`` so that the worker's scope covers the app and nothing else.
See ``consult.responses.offline`` for what is sent and how it is stored.
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import abort, current_app, jsonify, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import generate_csrf

from consult.accounts.access import public_view
from consult.core.uploads import UploadRefused, load_json
from consult.extensions import limiter
from consult.responses import bp, flow, offline

_NO_CACHE = {"Cache-Control": "no-cache"}


def _offered(slug: str):
    consultation = flow.public_consultation(slug)
    if not offline.offers_offline(consultation):
        abort(404)
    return consultation


@bp.route("/c/<slug>/offline")
@public_view
def offline_page(slug: str):
    """The offline app's page: what offline answering is, and the app (with JavaScript) below it."""
    consultation = _offered(slug)
    lang = flow.language(consultation)
    return (
        render_template(
            "responses/offline.html",
            consultation=consultation,
            lang=lang,
            groups=offline.offline_groups(consultation),
        ),
        200,
        _NO_CACHE,
    )


@bp.route("/c/<slug>/offline/manifest.webmanifest")
@public_view
def offline_manifest(slug: str):
    """The web app manifest: installing the offline page on the phone's home screen."""
    consultation = _offered(slug)
    lang = flow.language(consultation)
    title = consultation.title_in(lang)
    body = {
        "name": title,
        "short_name": title[:30],
        "lang": lang,
        "start_url": url_for("responses.offline_page", slug=slug),
        # The service worker's scope: the page itself and what lies under it.
        "scope": url_for("responses.offline_page", slug=slug),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1d4e89",
        "icons": [
            {"src": url_for("static", filename="offline/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            # PNGs too: phones' install prompts ask for a 192 and a 512 pixel icon.
            {"src": url_for("static", filename="offline/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": url_for("static", filename="offline/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    return current_app.response_class(
        json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json", headers=_NO_CACHE
    )


@bp.route("/c/<slug>/offline/sw.js")
@public_view
def offline_worker(slug: str):
    """The service worker, served from under the app's address so that its scope covers the app.

    Its first line lists what it keeps; a change to that list or to the worker's
    code changes the file, so phones take the new worker.
    """
    consultation = _offered(slug)
    code = (Path(current_app.static_folder) / "offline" / "sw.js").read_text(encoding="utf-8")
    config = {"urls": offline.cached_urls(consultation), "shell": url_for("responses.offline_page", slug=slug)}
    body = "self.CONSULT_OFFLINE = " + json.dumps(config) + ";\n" + code
    # The page is ``/c/<slug>/offline`` (no trailing slash), just above the worker's own folder:
    # the scope is allowed up to it, and no further.
    headers = {**_NO_CACHE, "Service-Worker-Allowed": url_for("responses.offline_page", slug=slug)}
    return current_app.response_class(body, mimetype="text/javascript", headers=headers)


@bp.route("/c/<slug>/offline/bundle.json")
@public_view
def offline_bundle(slug: str):
    """Everything to answer offline: texts, groups, languages, interface strings, rules, each page's questions."""
    consultation = _offered(slug)
    data = offline.bundle(consultation)
    response = jsonify(data)
    response.headers["Cache-Control"] = "no-cache"
    response.set_etag(data["version"])
    return response.make_conditional(request)


@bp.route("/c/<slug>/offline/token")
@public_view
def offline_token(slug: str):
    """A CSRF token for sending (the phone asks for one just before it sends)."""
    flow.public_consultation(slug)
    response = jsonify({"csrf_token": generate_csrf()})
    response.headers["Cache-Control"] = "no-store"
    return response


#: A response is a few kilobytes; a phone's whole questionnaire with long texts stays far below this.
MAX_BODY = 2 * 1024 * 1024


@bp.route("/c/<slug>/offline/responses", methods=["POST"])
@limiter.limit("120 per minute")
@public_view
def offline_responses(slug: str):
    """Store one response answered offline (CSRF checked from the X-CSRFToken header); its receipt code."""
    consultation = flow.public_consultation(slug)
    try:
        # Bounded like every JSON consult reads: depth, count and control characters (a 400, never a 500).
        try:
            payload = load_json(request.get_data(cache=False), max_bytes=MAX_BODY)
        except UploadRefused:
            raise offline.OfflineError(400, _l("The answers sent are not in the expected form.")) from None
        synced = offline.sync(consultation, payload)
    except offline.OfflineError as error:
        response = jsonify(error.to_json())
        response.status_code = error.status
    else:
        response = jsonify({"receipt_code": synced.receipt_code, "created": synced.created})
        response.status_code = 201 if synced.created else 200
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_global("offers_offline")
def offers_offline_global(consultation) -> bool:
    """Whether the landing page offers the offline app (see ``offline.offers_offline``)."""
    return offline.offers_offline(consultation)
