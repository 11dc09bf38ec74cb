"""Translated error pages that never show a traceback."""

from __future__ import annotations

from flask import Flask, current_app, g, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException, InternalServerError

from consult.extensions import db, login_manager

# Seconds a client is asked to wait after a 429 or a 503 that does not say (every limit counts per minute).
DEFAULT_RETRY_AFTER = {429: 60, 503: 5}

ERROR_TEXTS = {
    400: (
        _l("The request could not be understood"),
        _l("Something in what was sent is not valid. Go back, check the form and try again."),
    ),
    403: (
        _l("You do not have access to this page"),
        _l(
            "Your account does not have a role that allows this here. If you think it should, ask an official of the "
            "territory."
        ),
    ),
    404: (
        _l("Page not found"),
        _l("The page does not exist or is no longer available. Check the address or go back to the start."),
    ),
    405: (
        _l("This action is not allowed here"),
        _l("The page cannot be used this way. Go back and use the buttons on the page."),
    ),
    413: (_l("The file is too large"), _l("What you sent is larger than this site accepts. Try a smaller file.")),
    429: (_l("Too many attempts"), _l("Please wait a minute before trying again.")),
    503: (
        _l("The site is busy"),
        _l(
            "Too many people are using the site right now, or it cannot reach its database. Nothing you had already "
            "saved or sent is lost. Please wait a moment and try again."
        ),
    ),
    500: (
        _l("Something went wrong on our side"),
        _l("Nothing you did caused this. What you had already saved is safe. Please try again in a moment."),
    ),
}


def render_error(code: int, detail: str | None = None):
    """Render the translated page for ``code``."""
    title, text = ERROR_TEXTS.get(code, ERROR_TEXTS[500])
    return render_template("errors/error.html", code=code, title=title, text=detail or text), code


def _http_error(error: HTTPException):
    code = error.code or 500
    if code not in ERROR_TEXTS:
        return error
    body, status = render_error(code)
    if code in DEFAULT_RETRY_AFTER:
        # A refused request says when to come back (werkzeug's 429 and 503 carry it when they know).
        retry_after = getattr(error, "retry_after", None) or DEFAULT_RETRY_AFTER[code]
        return body, status, {"Retry-After": str(retry_after)}
    return body, status


def _database_unavailable(error: Exception):
    """The database cannot be reached (down, restarting, locked past its timeout): 503, never a traceback."""
    current_app.logger.error("Database unavailable (%s) on endpoint %s", type(error).__name__, request.endpoint)
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is gone; the session is thrown away with the request
        pass
    # The page must not need the database: the user in the page header is not looked up again.
    if "_login_user" not in g:
        g._login_user = login_manager.anonymous_user()
    body, status = render_error(503)
    return body, status, {"Retry-After": str(DEFAULT_RETRY_AFTER[503])}


def _csrf_error(error: CSRFError):

    return render_error(
        400,
        _("The form had expired or was sent from another page. Your page has been reloaded: please send it again."),
    )


def _unexpected(error: Exception):
    # Log the exception type and the endpoint only: request bodies may hold answers.

    # Tracebacks only in tests: a database error's message can quote the values sent.
    current_app.logger.error(
        "Unhandled %s on endpoint %s",
        type(error).__name__,
        request.endpoint,
        exc_info=error if current_app.testing else None,
    )
    return render_error(500)


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _http_error)
    for database_error in (OperationalError, InterfaceError, PoolTimeoutError):
        app.register_error_handler(database_error, _database_unavailable)
    app.register_error_handler(Exception, _unexpected)
