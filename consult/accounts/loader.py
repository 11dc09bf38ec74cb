"""Flask-Login wiring: sessions carry the user id and the password's session token."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from consult.accounts.models import User
from consult.extensions import db, login_manager


def _load_user(identifier: str) -> User | None:
    user_id, _, token = identifier.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_token != token:
        return None
    return user


def init_login(app: Flask) -> None:
    """Bind the login manager."""
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.login_message_category = "info"
    # Flask-Login's own protection compares a hash of address and agent; we do
    # not want either kept in the session, and the session token already ends
    # stolen sessions on a password change.
    login_manager.session_protection = None
    # Flask-Login would also put a hash of the address and user agent in the
    # session cookie; consult keeps neither, hashed or not.
    login_manager._session_identifier_generator = lambda: ""
