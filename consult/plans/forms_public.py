"""Forms of the public side of a plan: a comment, a company statement, a receipt code, moderation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from consult.plans.comments import MAX_LENGTH, MAX_REASON

#: Shown when a required text is left empty.
REQUIRED = _l("This cannot be empty.")
TOO_LONG = _l("This is too long: at most %(max)s characters.", max=MAX_LENGTH)


class CommentForm(FlaskForm):
    """A comment on one section or action; each form on the page has its own prefix (``target``)."""

    class Meta:
        # Several of these forms share a page, each with a prefix; the app-wide CSRFProtect checks
        # the page's one ``csrf_token`` on every POST, so the form does not add a prefixed one.
        csrf = False

    body = TextAreaField(
        _l("Your comment"),
        description=_l(
            "Comments are read by a moderator before they are published. Do not write names or anything that "
            "identifies a person."
        ),
        validators=[DataRequired(REQUIRED), Length(max=MAX_LENGTH, message=TOO_LONG)],
    )
    language = SelectField(_l("Language of your comment"), validators=[DataRequired(REQUIRED)])


class StatementForm(FlaskForm):
    """A company's statement in reply to a priority or one of its evidence sentences."""

    target = SelectField(_l("What your statement replies to"), validators=[DataRequired(REQUIRED)])
    body = TextAreaField(
        _l("Your statement"),
        description=_l("It is published under your company's name, beside the evidence, after moderation."),
        validators=[DataRequired(REQUIRED), Length(max=MAX_LENGTH, message=TOO_LONG)],
    )
    language = SelectField(_l("Language of your statement"), validators=[DataRequired(REQUIRED)])


class ModerateForm(FlaskForm):
    """Publish or not publish a comment or statement (a reason is required to not publish)."""

    class Meta:
        # Several of these forms share a page, each with a prefix; the app-wide CSRFProtect checks
        # the page's one ``csrf_token`` on every POST, so the form does not add a prefixed one.
        csrf = False

    reason = StringField(
        _l("Reason for not publishing"),
        description=_l("Required to not publish. The sender can read it."),
        validators=[Length(max=MAX_REASON)],
    )


class AnswerForm(FlaskForm):
    """The officials' public answer to a published comment."""

    class Meta:
        # Several of these forms share a page, each with a prefix; the app-wide CSRFProtect checks
        # the page's one ``csrf_token`` on every POST, so the form does not add a prefixed one.
        csrf = False

    answer = TextAreaField(
        _l("Public answer"), validators=[DataRequired(REQUIRED), Length(max=MAX_LENGTH, message=TOO_LONG)]
    )
