"""Security headers and safe redirects.

Written by hand rather than with Flask-Talisman: we need a few fixed headers and
no HTTPS redirect logic (TLS ends at the reverse proxy, see docs/deploy.md), so a
library would add more surface than it removes. Production adds
Strict-Transport-Security (``CONSULT_HSTS_SECONDS``, one year by default), so a
browser that has been here once never again asks for the site over plain http,
where a network in the middle could read a session or a code.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _set_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    hsts = current_app.config.get("CONSULT_HSTS_SECONDS") or 0
    if hsts:
        headers.setdefault("Strict-Transport-Security", f"max-age={int(hsts)}; includeSubDomains")
    if request.endpoint != "static" and "Cache-Control" not in headers and response.mimetype == "text/html":
        # Pages may show who is logged in; shared caches must not keep them.
        headers["Cache-Control"] = "private, no-cache"
    return response


def is_safe_next(target: str | None) -> bool:
    """True when ``target`` is a path inside this site (no scheme, no host, no ``//``)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and all(ord(c) >= 32 for c in target)


def _refuse_nul_bytes() -> None:
    # No form of ours takes a NUL character, and PostgreSQL refuses to store
    # one: a 400 here beats a database error later.
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        for values in request.form.listvalues():
            if any("\x00" in value for value in values):
                abort(400)


def init_app(app: Flask) -> None:
    """Add the security headers to every response; refuse NUL bytes in forms."""
    app.before_request(_refuse_nul_bytes)
    app.after_request(_set_headers)
