"""Forms of the accounts room. Labels are lazy so they follow the request's language."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from consult.accounts.models import ROLE_LABELS

REQUIRED = _l("This field is required.")


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField(_l("Email"), validators=[DataRequired(REQUIRED), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=500)])


class PasswordChangeForm(FlaskForm):
    """Current password, and the new one twice."""

    current = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED), Length(max=500)])
    new = PasswordField(_l("New password"), validators=[DataRequired(REQUIRED), Length(max=500)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(REQUIRED), EqualTo("new", message=_l("The two new passwords do not match."))],
    )


class PreferencesForm(FlaskForm):
    """The interface language a user prefers."""

    language = SelectField(_l("Preferred language"), validators=[Optional()])


class TerritoryForm(FlaskForm):
    """A new territory."""

    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=200)])
    slug = StringField(
        _l("Short name for addresses"),
        description=_l("Lowercase letters, digits and hyphens, for example salta."),
        validators=[DataRequired(REQUIRED), Length(max=64)],
    )
    country_code = StringField(
        _l("Country (ISO 3166 code)"),
        description=_l("For example CO or AR."),
        validators=[DataRequired(REQUIRED), Length(max=2)],
    )
    subdivision_code = StringField(
        _l("Subdivision (ISO 3166-2 code)"),
        description=_l("For example CO-ANT. Leave empty for a city."),
        validators=[Optional(), Length(max=6)],
    )
    default_language = SelectField(_l("Default language"))


class MemberForm(FlaskForm):
    """Give a role in the territory to a person, creating their account if needed."""

    email = EmailField(
        _l("Email"), validators=[DataRequired(REQUIRED), Email(_l("Enter a valid email address.")), Length(max=254)]
    )
    name = StringField(
        _l("Name"), description=_l("Needed only for a new account."), validators=[Optional(), Length(max=200)]
    )
    role = SelectField(_l("Role"), choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()])
    password = PasswordField(
        _l("Temporary password"),
        description=_l("Needed only for a new account; give it to the person in a safe way."),
        validators=[Optional(), Length(max=500)],
    )
    confirm = BooleanField(
        _l("I have checked that this person should have this role"), validators=[DataRequired(REQUIRED)]
    )


class SecondFactorForm(FlaskForm):
    """The code of the authenticator app, or one recovery code, after the password."""

    code = StringField(
        _l("Code"),
        description=_l("The 6-digit code your authenticator app shows, or one of your recovery codes."),
        validators=[DataRequired(REQUIRED), Length(max=40)],
    )


class SecondFactorSetupForm(FlaskForm):
    """Confirm a new authenticator with one of its codes (and the password when already logged in)."""

    password = PasswordField(_l("Your password"), validators=[DataRequired(REQUIRED), Length(max=500)])
    code = StringField(
        _l("Code from the app"),
        description=_l("The 6-digit code the app shows now."),
        validators=[DataRequired(REQUIRED), Length(max=20)],
    )


class RecoveryCodesForm(FlaskForm):
    """The password again, before making new recovery codes."""

    password = PasswordField(_l("Your password"), validators=[DataRequired(REQUIRED), Length(max=500)])


class SecondFactorOffForm(FlaskForm):
    """The password again, before turning the second factor off (its own field id on the shared page)."""

    off_password = PasswordField(_l("Your password"), validators=[DataRequired(REQUIRED), Length(max=500)])
