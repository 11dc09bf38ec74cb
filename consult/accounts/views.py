"""Login, logout, the account pages, territory dashboards and members, territory admin."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from wtforms.fields.choices import SelectChoice

from consult.accounts import bp, services
from consult.accounts.access import admin_view, login_view, public_view, territory_view
from consult.accounts.forms import LoginForm, MemberForm, PasswordChangeForm, PreferencesForm, TerritoryForm
from consult.accounts.homes import home_sections
from consult.accounts.models import Role, Territory
from consult.accounts.views_security import password_accepted, too_many_attempts
from consult.extensions import db, limiter
from consult.i18n import INTERFACE_LANGUAGES, language_name


@bp.route("/")
@public_view
def home():
    """What consult is; for a logged-in person, their work: territories for staff, a CSO's or a company's own."""
    sections = home_sections(current_user) if current_user.is_authenticated else []
    return render_template("accounts/home.html", sections=sections)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute;50 per hour", methods=["POST"])
@public_view
def login():
    """Log in with email and password; then the second factor when the account has or needs one."""
    form = LoginForm()
    next_url = request.args.get("next")
    if form.validate_on_submit():
        attempt = services.attempt_login(form.email.data, form.password.data)
        # Keep the count of failures even though nothing else is saved.
        db.session.commit()
        if attempt.locked is not None:
            return too_many_attempts(attempt.locked.retry_after)
        if attempt.user is None:
            form.password.errors.append(_("The email or the password is not correct."))
        else:
            return password_accepted(attempt.user, next_url)
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_view
def logout():
    """End the session, on the server too: a copy of the session cookie no longer logs in."""
    # CSRFProtect has already checked the token: a third-party page cannot log people out.
    # A new session token ends every session of the account (this one and any other device's):
    # the cookie is signed but kept by the browser, so forgetting it here alone would not end it.
    services.end_sessions(current_user._get_current_object())
    db.session.commit()
    language = session.get("lang")
    logout_user()
    session.clear()
    if language:
        session["lang"] = language
    flash(_("You have logged out."), "info")
    return redirect(url_for("accounts.home"))


@bp.route("/account", methods=["GET", "POST"])
@login_view
def account():
    """The person's own account: preferred language."""
    form = PreferencesForm()
    form.language.choices = [SelectChoice("", _("As the browser asks"))] + [
        SelectChoice(code, language_name(code)) for code in INTERFACE_LANGUAGES
    ]
    if request.method == "GET":
        form.language.data = current_user.preferred_language or ""
    if form.validate_on_submit():
        services.set_preferred_language(current_user, form.language.data or None)
        session.pop("lang", None)
        db.session.commit()
        flash(_("Your preferences have been saved."), "success")
        return redirect(url_for("accounts.account"))
    return render_template("accounts/account.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_view
def change_password():
    """Change one's password; other sessions end."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.new.data)
        except services.AccountError as error:
            getattr(form, error.field or "new").errors.append(str(error.message))
        else:
            db.session.commit()
            # Keep this session alive with the new token.
            login_user(current_user._get_current_object())
            flash(_("Your password has been changed. Other sessions have been closed."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/password.html", form=form)


@bp.route("/t/<territory>/")
@territory_view("territory.home")
def territory_home(territory: Territory):
    """A territory's start page for its staff."""
    roles = sorted(role.label for role in current_user.roles_in(territory))
    return render_template("accounts/territory.html", territory=territory, roles=roles)


@bp.route("/t/<territory>/members", methods=["GET", "POST"])
@territory_view("members.manage")
def members(territory: Territory):
    """Who holds which role in the territory; officials add people."""
    form = MemberForm()
    if form.validate_on_submit():
        try:
            user = services.find_user_by_email(form.email.data)
            if user is None:
                if not form.name.data or not form.password.data:
                    raise services.AccountError(_("A new account needs a name and a temporary password."), "name")
                user = services.create_user(form.email.data, form.name.data, form.password.data)
            services.grant_role(user, territory, Role(form.role.data))
        except services.AccountError as error:
            getattr(form, error.field or "email").errors.append(str(error.message))
        else:
            db.session.commit()
            flash(_("The role has been given."), "success")
            return redirect(url_for("accounts.members", territory=territory.slug))
    return render_template(
        "accounts/members.html", territory=territory, memberships=services.members_of(territory), form=form
    )


@bp.route("/admin/territories", methods=["GET", "POST"])
@admin_view
def territories():
    """Network administrators list and add territories."""
    form = TerritoryForm()
    # A new territory starts with its default language; its officials add the others on its languages screen.
    form.default_language.choices = [SelectChoice(code, language_name(code)) for code in INTERFACE_LANGUAGES]
    if form.validate_on_submit():
        try:
            territory = services.create_territory(
                form.slug.data,
                form.name.data,
                form.country_code.data,
                subdivision_code=form.subdivision_code.data,
                default_language=form.default_language.data,
                enabled_languages=[form.default_language.data],
            )
        except services.AccountError as error:
            getattr(form, error.field or "slug").errors.append(str(error.message))
        else:
            db.session.commit()
            flash(_("The territory %(name)s has been added.", name=territory.name), "success")
            return redirect(url_for("accounts.territories"))
    all_territories = db.session.scalars(db.select(Territory).order_by(Territory.name)).all()
    return render_template("accounts/territories.html", territories=all_territories, form=form)
