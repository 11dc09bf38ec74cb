"""Core: database base, security headers, error pages, logging and the home page."""

from flask import Blueprint, Flask

bp = Blueprint("core", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the core blueprint, hooks and error handlers."""
    # Every module that attaches routes or hooks to ``bp`` is imported here, and
    # only here (tests/core/test_rooms.py holds each room to it). Inside the
    # function because those modules import ``bp`` from this package.
    from consult.core import (
        converters,
        errors,
        logging,
        network,
        security,
        views,  # noqa: F401
    )

    app.jinja_env.add_extension("jinja2.ext.do")
    logging.init_app(app)
    network.init_app(app)
    converters.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    app.register_blueprint(bp)
