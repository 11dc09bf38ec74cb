"""The form of a territory's language. Labels are lazy so they follow the request's language."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

NAME_HINT = _l("Leave empty to use the suggested name.")


class TerritoryLanguageForm(FlaskForm):
    """A language's code, its own name, its names in the interface languages and its interface language."""

    code = StringField(
        _l("Language code"),
        description=_l("An ISO 639 code or a BCP 47 tag, for example mzh (Wichí), quy (Quechua) or gn (Guarani)."),
        validators=[Length(max=35)],
    )
    endonym = StringField(
        _l("Name in the language itself"),
        description=_l("As its speakers write it. Leave empty to use the suggested name."),
        validators=[Optional(), Length(max=100)],
    )
    name_es = StringField(_l("Name in Spanish"), description=NAME_HINT, validators=[Optional(), Length(max=100)])
    name_en = StringField(_l("Name in English"), description=NAME_HINT, validators=[Optional(), Length(max=100)])
    name_pt = StringField(_l("Name in Portuguese"), description=NAME_HINT, validators=[Optional(), Length(max=100)])
    interface_language = SelectField(
        _l("Interface for people answering in this language"),
        description=_l("Buttons and instructions have no translation into most languages: choose the nearest."),
        validators=[Optional()],
    )
