"""Core: database base, security headers, error pages, logging and the home page."""

from flask import Blueprint, Flask

bp = Blueprint("core", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the core blueprint, hooks and error handlers."""
    from consult.core import errors, logging, security, views  # noqa: F401  (views registers routes)

    app.jinja_env.add_extension("jinja2.ext.do")
    logging.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    app.register_blueprint(bp)
