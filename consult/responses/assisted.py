"""Assisted and paper entry: a facilitator types in answers gathered on paper or read aloud in a meeting.

Why the whole instrument on one page. A facilitator copies a stack of paper
forms, or fills in the answers a person gives aloud, from top to bottom; the
community survey has seventeen pages, and seventeen round trips per form
would make a stack of forms an afternoon. So the entry form holds every
question of every page, in order, under the page titles, and is worked with
the keyboard alone: Tab from question to question (arrow keys inside a radio
group, Space for a checkbox), the first question to fill has the ``autofocus``
attribute (no JavaScript), and Enter or the one button at the end saves.

Rules are honoured when the form is saved, not while typing (which would need
JavaScript or a page per block): questions and pages that the instrument asks
only after some answers are marked so on the form, and on saving only the
answers on the person's path count — the path finder decides exactly as for
an online respondent. Answers off the path are left out and the facilitator
is told how many. A required question is required only when it is on the path.
The same question types parse and validate every field, with the same
translated messages, next to the question, keeping what was typed.

What is stored. The response records its entry mode (assisted or paper), the
group, the language, the locality and (optionally) the organisation; never the
facilitator. How many each facilitator entered is counted apart, in
``FacilitatorTally`` (see ``capture_models``). In assisted mode the person is
there, so the saved response's receipt code is shown once for the facilitator
to hand over; a paper response gets a receipt code nobody holds.

"Save and start the next one" is idempotent: the form carries a random token
(the response's submission key is its hash), so a double press or a resent
request stores one response.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import Length, NumberRange, Optional

from consult.accounts.models import Locality, Organisation, Territory, User
from consult.extensions import db
from consult.responses import tallies
from consult.responses.drafts import MAX_PEOPLE_REPRESENTED
from consult.responses.forms import Integer
from consult.responses.models import Consultation, ConsultationGroup, EntryMode, Response
from consult.responses.sending import missing_required
from consult.responses.services import ConsultationError
from consult.responses.storage import NewResponse, keys_for_token, store_response, unheld_keys
from consult.responses.survey import localities_of
from consult.surveys.engine import Instrument, Page
from consult.surveys.forms import page_form
from consult.surveys.models import InstrumentVersion
from consult.surveys.paths import on_path_answers
from consult.surveys.types import Content, FieldContext

#: The modes a facilitator enters in (online answers come through the public flow).
ENTRY_MODES = (EntryMode.ASSISTED, EntryMode.PAPER)
#: Key of the one page of the entry form (never shown; instrument keys are letters, digits and "_").
ENTRY_PAGE = "facilitator-entry"


@dataclass(frozen=True)
class EntrySetup:
    """What stays the same from one form to the next: consultation, group, mode, language, place, organisation."""

    consultation: Consultation
    group: ConsultationGroup
    entry_mode: EntryMode
    language: str
    locality: Locality | None = None
    organisation: Organisation | None = None

    def query(self) -> dict[str, Any]:
        """The setup as the entry page's URL arguments (``language``, never ``lang``: that would switch the
        interface).
        """
        args: dict[str, Any] = {"mode": self.entry_mode.value, "language": self.language}
        if self.locality is not None:
            args["locality"] = self.locality.code
        if self.organisation is not None:
            args["organisation"] = self.organisation.id
        return args


def small_int(value: Any) -> int | None:
    """A record id from a form or a URL argument, or ``None`` (a huge number would overflow PostgreSQL's integer)."""
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) <= 9 else None


def accepting_consultations(territory: Territory) -> list[Consultation]:
    """The territory's consultations that accept answers today, newest first."""
    found = db.session.scalars(
        select(Consultation).where(Consultation.territory_id == territory.id).order_by(Consultation.id.desc())
    )
    return [c for c in found if c.is_accepting]


def territory_organisations(territory: Territory) -> list[Organisation]:
    """Organisations of the territory, by name."""
    return list(
        db.session.scalars(
            select(Organisation).where(Organisation.territory_id == territory.id).order_by(Organisation.name)
        )
    )


def make_setup(
    consultation: Consultation,
    group_code: str | None,
    mode: str | None,
    language: str | None,
    locality_code: str | None = None,
    organisation_id: Any = None,
) -> EntrySetup:
    """Check a setup; raises ``ConsultationError`` (with the field it belongs to) when it cannot be used."""
    if not consultation.is_accepting:
        raise ConsultationError(_l("This consultation is not accepting answers."), "target")
    group = consultation.group(group_code)
    if group is None:
        raise ConsultationError(_l("Choose a consultation and group from the list."), "target")
    try:
        entry_mode = EntryMode(mode)
    except ValueError:
        raise ConsultationError(_l("Choose how the answers were collected."), "entry_mode") from None
    if entry_mode not in ENTRY_MODES:
        raise ConsultationError(_l("Choose how the answers were collected."), "entry_mode")
    if language not in consultation.languages:
        raise ConsultationError(_l("This consultation is not offered in that language."), "language")
    locality = None
    if locality_code:
        locality = db.session.scalar(
            select(Locality).where(
                Locality.territory_id == consultation.territory_id, Locality.code == str(locality_code)
            )
        )
        if locality is None:
            raise ConsultationError(_l("Choose a locality of this territory."), "locality")
    organisation = None
    if organisation_id not in (None, ""):
        number = small_int(organisation_id)
        organisation = db.session.get(Organisation, number) if number is not None else None
        if organisation is None or organisation.territory_id != consultation.territory_id:
            raise ConsultationError(_l("Choose an organisation of this territory."), "organisation")
    return EntrySetup(consultation, group, entry_mode, language, locality, organisation)


def entry_instrument(instrument: Instrument) -> Instrument:
    """The instrument as one page holding every question, without rules (they are applied on saving)."""
    definition = instrument.to_dict()
    questions = []
    for section in definition.get("sections") or ():
        for page in section.get("pages") or ():
            for question in page.get("questions") or ():
                question = dict(question)
                question.pop("when", None)
                questions.append(question)
    definition["sections"] = [{"key": ENTRY_PAGE, "pages": [{"key": ENTRY_PAGE, "questions": questions}]}]
    return Instrument.from_dict(definition)


@dataclass
class EntryPart:
    """A page of the instrument on the entry form: its title, whether rules may skip it, its questions."""

    key: str
    title: Content
    conditional: bool
    slice: PageSlice


class PageSlice:
    """The questions of one instrument page, out of the entry form, for ``render_questions``.

    The macro only calls ``views()``; this one also puts ``autofocus`` on the
    first field to fill, so the cursor is there when the page opens.
    """

    def __init__(self, form: Any, keys: set[str], focus_key: str | None) -> None:
        self.form = form
        self.keys = keys
        self.focus_key = focus_key

    def views(self) -> list[Any]:
        """The form's question views of this page."""
        views = [view for view in self.form.views() if view.key in self.keys]
        for view in views:
            if view.key == self.focus_key and view.fields:
                _autofocus(view.fields[0])
        return views


def _autofocus(field_view: Any) -> None:
    target = field_view.options[0][0] if field_view.options else field_view.field
    target.render_kw = {**(target.render_kw or {}), "autofocus": True}


@dataclass
class EntryForm:
    """The entry form and what the template needs to lay it out."""

    setup: EntrySetup
    instrument: Instrument
    flat: Instrument
    form: Any
    context: FieldContext
    parts: list[EntryPart] = field(default_factory=list)
    answers: dict[str, Any] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)

    @property
    def page(self) -> Page:
        """The one page of the flattened instrument."""
        return self.flat.page(ENTRY_PAGE)

    @property
    def has_errors(self) -> bool:
        """Whether any field shows an error."""
        return any(f.errors for f in self.form)


def _extras(base: type) -> type:
    """The page form plus the token and the collective fields of the entry form."""
    return type(
        "FacilitatorEntryForm",
        (base,),
        {
            "submission_token": HiddenField(),
            "is_collective": BooleanField(
                _l(
                    "This answer speaks for a collective (an indigenous or Afro-descendant authority, a union, a "
                    "community organisation)"
                )
            ),
            "mandate_reference": StringField(
                _l("Mandate of the collective answer"),
                description=_l("For example: minutes of the assembly of 3 March 2026."),
                validators=[Optional(), Length(max=300)],
            ),
            "people_represented": Integer(
                _l("Number of people the collective answer speaks for"),
                validators=[Optional(), NumberRange(2, MAX_PEOPLE_REPRESENTED, _l("Write a number of at least 2."))],
            ),
        },
    )


def prefilled_answers(setup: EntrySetup, instrument: Instrument) -> dict[str, Any]:
    """Answers the setup already gives: the group (stakeholder-group questions) and the place (territory questions)."""
    answers: dict[str, Any] = {}
    for question in instrument.questions:
        if question.type == "stakeholder_group":
            allowed = question.get("groups") or ()
            if not allowed or setup.group.group_code in allowed:
                answers[question.key] = setup.group.group_code
        elif question.type == "territory" and setup.locality is not None:
            value = {"locality": setup.locality.code}
            if setup.locality.area:
                value["area"] = setup.locality.area
            if question.get("level") == "area":
                value.pop("locality")
            answers[question.key] = value
    return answers


def build_entry(setup: EntrySetup, formdata: Any = None, *, interface_lang: str = "es") -> EntryForm:
    """The entry form, blank (``formdata=None``, the setup's answers filled in) or with what was submitted."""
    instrument = db.session.get(InstrumentVersion, setup.group.instrument_version_id).parsed()
    flat = entry_instrument(instrument)
    localities = localities_of(setup.consultation)
    prefilled = prefilled_answers(setup, instrument)
    form_class = _extras(page_form(flat, flat.page(ENTRY_PAGE), setup.language, prefilled, localities=localities))
    form = form_class(formdata=formdata)
    if formdata is None:
        form.submission_token.data = secrets.token_urlsafe(32)
    context = FieldContext(flat, setup.language, interface_lang, localities)
    return EntryForm(setup, instrument, flat, form, context, answers=dict(prefilled))


def lay_out(entry: EntryForm) -> EntryForm:
    """Group the form's questions under their instrument pages and choose the field that gets the focus."""
    instrument, form = entry.instrument, entry.form
    focus = None
    views = form.views()
    with_errors = [v.key for v in views if v.errors]
    if with_errors:
        focus = with_errors[0]
    else:
        prefilled = set(prefilled_answers(entry.setup, instrument)) if not form.is_submitted() else set()
        focus = next((v.key for v in views if v.layout != "info" and v.key not in prefilled), None)
    entry.parts = []
    for page in instrument.pages:
        keys = {q.key for q in page.questions}
        if not keys:
            continue
        section = instrument.section_of(page)
        title = entry.context.content(page.title or section.title)
        conditional = bool(page.when) or any(q.when for q in page.questions) or _routed_over(instrument, page)
        entry.parts.append(EntryPart(page.key, title, conditional, PageSlice(form, keys, focus)))
    return entry


def _routed_over(instrument: Instrument, page: Page) -> bool:
    # A page that an earlier page's routing can jump over is also asked only after some answers.
    for earlier in instrument.pages[: page.index]:
        for route in earlier.routing:
            target = len(instrument.pages) if route.goto == "end" else instrument.page(route.goto).index
            if target > page.index:
                return True
    return False


def read_entry(entry: EntryForm) -> EntryForm:
    """Validate a submitted entry form: each question by its type, required ones only where on the path.

    Afterwards ``entry.answers`` holds the answers that count and
    ``entry.dropped`` the keys of answers given but off the person's path.
    """
    form = entry.form
    form.validate()
    given = form.answers()
    counted = on_path_answers(entry.instrument, given)
    missing = {m.question.key for m in missing_required(entry.instrument, given)}
    for question in entry.flat.questions:
        if not question.required or question.key in missing:
            continue
        required = entry.context.message(question, "required")
        for spec in form.specs.get(question.key, ()):
            form[spec.name].errors = [e for e in form[spec.name].errors if e != required]
    if form.is_collective.data:
        if not (form.mandate_reference.data or "").strip():
            form.mandate_reference.errors = list(form.mandate_reference.errors) + [
                str(_l("Write the mandate the collective answer rests on, for example the assembly's minutes."))
            ]
        if form.people_represented.data is None and not form.people_represented.errors:
            form.people_represented.errors = list(form.people_represented.errors) + [
                str(_l("Write a number of at least 2."))
            ]
    entry.answers = counted
    entry.dropped = [key for key in given if key not in counted]
    return entry


@dataclass
class SavedEntry:
    """The outcome of saving: the response, the receipt code to hand over (assisted only), whether it is new."""

    response: Response
    receipt_code: str | None
    created: bool
    dropped: int = 0


def _token(form: Any) -> str:
    token = form.submission_token.data or ""
    # A token that a form of ours could not have sent is replaced: the save still
    # works, only without the protection against a double press.
    if not 20 <= len(token) <= 100:
        token = secrets.token_urlsafe(32)
    return token


def save_entry(entry: EntryForm, user: User) -> SavedEntry:
    """Store the validated entry as one response (once per form token) and count it for ``user``; flushes."""
    setup, form = entry.setup, entry.form
    if not setup.consultation.is_accepting:
        raise ConsultationError(_l("This consultation is not accepting answers any more."))
    if entry.has_errors:
        raise ConsultationError(_l("Some answers need checking."))
    token = _token(form)
    submission_key, receipt_hash, code = keys_for_token(token)
    existing = db.session.scalar(select(Response).where(Response.submission_key == submission_key))
    if existing is not None:
        return SavedEntry(existing, code if setup.entry_mode == EntryMode.ASSISTED else None, created=False)
    if setup.entry_mode != EntryMode.ASSISTED:
        # Nobody is there to take a receipt code: keep one that no one holds.
        receipt_hash = unheld_keys()[1]
    collective = bool(form.is_collective.data)
    item = NewResponse(
        version=db.session.get(InstrumentVersion, setup.group.instrument_version_id),
        group_code=setup.group.group_code,
        language=setup.language,
        entry_mode=setup.entry_mode,
        answers=dict(entry.answers),
        submission_key=submission_key,
        receipt_code_hash=receipt_hash,
        organisation_id=setup.organisation.id if setup.organisation else None,
        is_collective=collective,
        mandate_reference=(form.mandate_reference.data or "").strip()[:300] if collective else None,
        people_represented=form.people_represented.data if collective else None,
    )
    try:
        with db.session.begin_nested():
            response = store_response(setup.consultation, item)
            if response.locality_id is None and setup.locality is not None:
                response.locality_id = setup.locality.id
            tallies.count_entry(setup.consultation, user, setup.entry_mode)
    except IntegrityError:
        existing = db.session.scalar(select(Response).where(Response.submission_key == submission_key))
        if existing is None:
            raise
        return SavedEntry(existing, code if setup.entry_mode == EntryMode.ASSISTED else None, created=False)
    return SavedEntry(
        response, code if setup.entry_mode == EntryMode.ASSISTED else None, created=True, dropped=len(entry.dropped)
    )
