"""What the submitter's status page (receipt code) and the CSO's page share: forms and their handling.

The status page opened with a receipt code shows the status, the follow-up
messages, the consent given and the forms to add, change consent and
withdraw. It never shows the testimony itself: whoever finds the paper with
the code must not be able to read what the person wrote.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from consult.testimonies import services
from consult.testimonies.consent import change_consent, consent_wordings, withdraw
from consult.testimonies.errors import TestimonyError
from consult.testimonies.forms import (
    AddInformationForm,
    CodedAddInformationForm,
    CodedConsentForm,
    CodedWithdrawForm,
    ConsentForm,
    WithdrawForm,
)
from consult.testimonies.models import Actor, ConsentUse, Testimony
from consult.testimonies.presenting import content_language


def language_for(testimony: Testimony, asked: str) -> str:
    """The content language the page shows the testimony's texts in."""
    return content_language(testimony.instrument_version.parsed(), asked)


def _consent_choices(testimony: Testimony, lang: str) -> list[SelectChoice]:
    wordings = consent_wordings(testimony.instrument_version.parsed(), lang)
    return [SelectChoice(use.value, wording, render_kw={"lang": shown}) for use, (wording, shown) in wordings.items()]


def _authority_choices(testimony: Testimony, lang: str) -> list[SelectChoice]:
    names = services.authorities_of(testimony.territory, lang)
    current = testimony.current_consents().get(ConsentUse.SHARE_AUTHORITIES)
    if current is not None and current.authority and current.authority not in names:
        names.append(current.authority)
    return [SelectChoice("", _("Choose an authority"))] + [SelectChoice(name, name) for name in names]


def forms_for(
    testimony: Testimony, lang: str, *, code: str | None, formdata: Any = None, which: str | None = None
) -> dict:
    """The add / consent / withdraw forms; the one named ``which`` reads ``formdata``, the others start fresh."""
    coded = code is not None
    classes = {
        "add": CodedAddInformationForm if coded else AddInformationForm,
        "consent": CodedConsentForm if coded else ConsentForm,
        "withdraw": CodedWithdrawForm if coded else WithdrawForm,
    }
    forms = {}
    for name, form_class in classes.items():
        if name == which:
            form = form_class(formdata=formdata, prefix=name)
        else:
            data: dict[str, Any] = {"code": code} if coded else {}
            if name == "consent":
                current = testimony.current_consents()
                data["uses"] = [use.value for use, record in current.items() if record.is_granted]
                share = current.get(ConsentUse.SHARE_AUTHORITIES)
                data["authority"] = share.authority if share and share.authority else ""
            form = form_class(formdata=None, prefix=name, data=data)
        if name == "consent":
            form.uses.choices = _consent_choices(testimony, lang)
            form.authority.choices = _authority_choices(testimony, lang)
        forms[name] = form
    return forms


def apply(testimony: Testimony, which: str, form: Any, lang: str, actor: Actor) -> str | None:
    """Carry out a validated follow-up form; returns the message to show, or None with errors on the form."""
    try:
        if which == "add":
            services.add_information(testimony, form.text.data, actor)
            return _("Your information has been added to the testimony.")
        if which == "consent":
            granted = {ConsentUse(value) for value in form.uses.data or []}
            change_consent(testimony, granted, lang=lang, actor=actor, authority=form.authority.data or None)
            return _("Your choices have been saved.")
        if which == "withdraw":
            withdraw(testimony, lang=lang, actor=actor)
            return _("The testimony has been withdrawn and its content deleted.")
    except TestimonyError as error:
        target = (
            error.field
            if error.field and error.field in form
            else next(f.short_name for f in form if f.type not in ("CSRFTokenField", "HiddenField"))
        )
        form[target].errors.append(str(error.message))
    return None
