"""Surveys: instrument definitions, rules, paths, content translation, XLSForm."""

from flask import Blueprint, Flask

bp = Blueprint("surveys", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the surveys blueprint."""
    app.register_blueprint(bp)
