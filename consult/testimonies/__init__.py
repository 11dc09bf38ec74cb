"""Testimonies: safe intake of remedy testimonies, encryption, consent, moderation."""

from flask import Blueprint, Flask

bp = Blueprint("testimonies", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the testimonies blueprint."""
    app.register_blueprint(bp)
