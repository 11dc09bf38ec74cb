"""Translated error pages that never show a traceback."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

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
    return render_error(code)


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
    app.register_error_handler(Exception, _unexpected)
