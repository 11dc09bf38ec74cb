"""The second login step, setting up and managing the second factor, and the throttle's answers.

After a correct password a person who has (or must have) a second factor is *not* logged in: the
session only holds "password accepted for this account, awaiting the second factor" for a few
minutes. The code page (or, for someone who must set one up, the set-up page) completes the login.
"""

from __future__ import annotations

import math
import time
from typing import Any

from flask import flash, make_response, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user

from consult.accounts import bp, security, services, twofactor
from consult.accounts.access import login_view, public_view
from consult.accounts.forms import RecoveryCodesForm, SecondFactorForm, SecondFactorOffForm, SecondFactorSetupForm
from consult.accounts.models import User
from consult.core.errors import render_error
from consult.core.security import is_safe_next
from consult.extensions import db, limiter

#: The session key of the half-done login.
PENDING = "pending_login"
#: How long the half-done login waits for the second factor (setting one up takes longer).
PENDING_SECONDS = {"code": 5 * 60, "setup": 15 * 60}


# -- answers shared with the login view -------------------------------------------------------------


def too_many_attempts(retry_after: int):
    """The 429 page with ``Retry-After``: the same for every account name, known or not."""
    minutes = max(1, math.ceil(retry_after / 60))
    body, code = render_error(
        429,
        ngettext(
            "Too many unsuccessful attempts for this account. Please wait %(num)d minute before trying again.",
            "Too many unsuccessful attempts for this account. Please wait %(num)d minutes before trying again.",
            minutes,
        ),
    )
    response = make_response(body, code)
    response.headers["Retry-After"] = str(retry_after)
    return response


@bp.after_request
def _retry_after(response):
    """The address limiter's 429 says when to come back, as the per-account lock does."""
    if response.status_code == 429 and "Retry-After" not in response.headers:
        now = time.time()
        waits = [limit.reset_at - now for limit in limiter.current_limits if limit.breached or limit.remaining <= 0]
        response.headers["Retry-After"] = str(max(1, math.ceil(max(waits, default=60))))
    return response


def _keep_language_and_clear() -> None:
    # A new session at each login step: nothing set before (by anyone) survives, except the language.
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


def complete_login(user: User, next_url: str | None):
    """Log ``user`` in on a fresh session, forget their failed attempts, and go on."""
    _keep_language_and_clear()
    login_user(user)
    security.clear_failures(user.email)
    db.session.commit()
    return redirect(next_url if is_safe_next(next_url) else url_for("accounts.home"))


def password_accepted(user: User, next_url: str | None):
    """After a correct password: log in, or ask for the second factor, or send to set one up."""
    if user.has_second_factor:
        step = "code"
    elif twofactor.second_factor_required(user):
        step = "setup"
    else:
        return complete_login(user, next_url)
    _keep_language_and_clear()
    session[PENDING] = {
        "user": user.id,
        "token": user.session_token,
        "step": step,
        "at": int(time.time()),
        "next": next_url if is_safe_next(next_url) else None,
    }
    db.session.commit()
    return redirect(url_for("accounts.login_code" if step == "code" else "accounts.two_factor_setup"))


def _pending(step: str) -> tuple[User, dict[str, Any]] | None:
    """The user whose password was accepted for ``step``, if that was recent and still valid."""
    state = session.get(PENDING)
    if not isinstance(state, dict) or state.get("step") != step:
        return None
    if time.time() - int(state.get("at", 0)) > PENDING_SECONDS[step]:
        session.pop(PENDING, None)
        return None
    user = db.session.get(User, state.get("user"))
    # A password change or a logout elsewhere since the password step ends the half-done login too.
    if user is None or not user.is_active or user.session_token != state.get("token"):
        session.pop(PENDING, None)
        return None
    return user, state


def _log_in_again():
    flash(_("Please log in again."), "info")
    return redirect(url_for("accounts.login"))


# -- the second login step ----------------------------------------------------------------------


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit("10 per minute;50 per hour", methods=["POST"])
@public_view
def login_code():
    """The second step of the login: a code of the authenticator app, or a recovery code."""
    pending = _pending("code")
    if pending is None:
        return _log_in_again()
    user, state = pending
    form = SecondFactorForm()
    if form.validate_on_submit():
        locked = security.check_locked(user.email)
        if locked is not None:
            return too_many_attempts(locked.retry_after)
        recovery = not form.code.data.strip().isdigit()
        if twofactor.verify_second_factor(user, form.code.data):
            left = twofactor.remaining_recovery_codes(user) if recovery else None
            response = complete_login(user, state.get("next"))
            # After the login: it starts a fresh session, which would drop a message flashed before.
            if left is not None:
                flash(
                    _(
                        "You used a recovery code; %(count)d are left. Make new ones from your account page.",
                        count=left,
                    ),
                    "info",
                )
            return response
        security.record_failure(user.email)
        db.session.commit()
        form.code.errors.append(_("This code is not correct, or it has already been used."))
    return render_template("accounts/login_code.html", form=form)


# -- setting up and managing the second factor -----------------------------------------------------


@bp.route("/account/two-factor/setup", methods=["GET", "POST"])
@limiter.limit("10 per minute;50 per hour", methods=["POST"])
@public_view
def two_factor_setup():
    """Set up an authenticator app: the QR code, the secret as text, and a code to confirm it.

    Open to a logged-in person (who types the password again) and to one whose password was just
    accepted but who must set up a second factor before being logged in.
    """
    state: dict[str, Any] | None = None
    if current_user.is_authenticated:
        user = current_user._get_current_object()
    else:
        pending = _pending("setup")
        if pending is None:
            return _log_in_again()
        user, state = pending
    form = SecondFactorSetupForm()
    if state is not None:
        # The password was checked a moment ago, in this same half-done login.
        del form.password
    secret = twofactor.pending_secret(user)
    db.session.commit()
    if form.validate_on_submit():
        if state is None and not services.password_matches(user, form.password.data):
            form.password.errors.append(_("The password is not correct."))
        else:
            codes = twofactor.confirm_enrolment(user, form.code.data)
            if codes is None:
                form.code.errors.append(_("This code is not correct. Check the clock of your phone and try again."))
            else:
                if state is not None:
                    complete_login(user, state.get("next"))
                    next_url = state.get("next") if is_safe_next(state.get("next")) else url_for("accounts.home")
                else:
                    db.session.commit()
                    next_url = url_for("accounts.two_factor")
                # Shown once, in this answer only: nothing keeps them in clear afterwards.
                return render_template("accounts/recovery_codes.html", codes=codes, next_url=next_url)
    uri = twofactor.provisioning_uri(user, secret)
    return render_template(
        "accounts/two_factor_setup.html",
        form=form,
        qr=twofactor.qr_svg(uri),
        secret=twofactor.grouped(secret),
        required=twofactor.second_factor_required(user),
    )


@bp.route("/account/two-factor")
@login_view
def two_factor():
    """The state of one's second factor, and the forms that change it."""
    return _two_factor_page(current_user._get_current_object())


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@limiter.limit("10 per minute;50 per hour")
@login_view
def two_factor_recovery_codes():
    """New recovery codes (the old ones stop working), after the password."""
    user = current_user._get_current_object()
    if not user.has_second_factor:
        return redirect(url_for("accounts.two_factor"))
    form = RecoveryCodesForm()
    if form.validate_on_submit():
        if services.password_matches(user, form.password.data):
            codes = twofactor.regenerate_recovery_codes(user)
            db.session.commit()
            return render_template("accounts/recovery_codes.html", codes=codes, next_url=url_for("accounts.two_factor"))
        form.password.errors.append(_("The password is not correct."))
    return _two_factor_page(user, codes_form=form), 400


@bp.route("/account/two-factor/disable", methods=["POST"])
@limiter.limit("10 per minute;50 per hour")
@login_view
def two_factor_disable():
    """Turn the second factor off, after the password; refused where it is required."""
    user = current_user._get_current_object()
    if twofactor.second_factor_required(user):
        flash(_("Your account must keep a second factor. To move it to a new phone, set it up again."), "error")
        return redirect(url_for("accounts.two_factor"))
    form = SecondFactorOffForm()
    if form.validate_on_submit():
        if services.password_matches(user, form.off_password.data):
            twofactor.disable(user)
            db.session.commit()
            flash(_("The second factor has been turned off."), "success")
            return redirect(url_for("accounts.two_factor"))
        form.off_password.errors.append(_("The password is not correct."))
    return _two_factor_page(user, off_form=form), 400


def _two_factor_page(
    user: User, codes_form: RecoveryCodesForm | None = None, off_form: SecondFactorOffForm | None = None
):
    # Only the form that was sent reads the request; the other one starts empty.
    return render_template(
        "accounts/two_factor.html",
        enabled=user.has_second_factor,
        required=twofactor.second_factor_required(user),
        remaining=twofactor.remaining_recovery_codes(user) if user.has_second_factor else 0,
        codes_form=codes_form or RecoveryCodesForm(formdata=None),
        off_form=off_form or SecondFactorOffForm(formdata=None),
    )
