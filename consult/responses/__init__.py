"""Responses: consultations, invitations, the answering flow, receipts, assisted entry."""

from flask import Blueprint, Flask

bp = Blueprint("responses", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the responses blueprint."""
    app.register_blueprint(bp)
