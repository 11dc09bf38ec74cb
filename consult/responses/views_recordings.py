"""Recorded survey answers for staff: the list of a consultation's, listening, transcribing.

Moderators and officials of the consultation's territory listen (the same
people who read testimonies); moderators write transcripts. Another territory's
consultation, or a recording of another consultation, is a 404. Sound and pages
are never cached.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

from consult.accounts.access import get_in_territory, territory_view
from consult.accounts.models import Territory
from consult.accounts.permissions import MODERATOR, OFFICIAL, can
from consult.core.audio import sound_response
from consult.extensions import db
from consult.i18n import content_language
from consult.responses import bp, recordings
from consult.responses.models import Consultation
from consult.surveys.models import InstrumentVersion

NO_STORE = {"Cache-Control": "no-store"}
LISTENERS = (MODERATOR, OFFICIAL)


class TranscriptForm(FlaskForm):
    """A moderator writes down a recorded answer (sealed)."""

    text = TextAreaField(
        _l("Transcript"),
        description=_l("Write down what is said in the recording. Leave it empty to remove the transcript."),
        validators=[Length(max=recordings.TRANSCRIPT_LIMIT, message=_l("Write at most %(max)d characters."))],
    )


def _recording(territory: Territory, consultation_id: int, recording_id: int):
    consultation = get_in_territory(Consultation, consultation_id, territory)
    recording = recordings.find(consultation, recording_id)
    if recording is None:
        abort(404)
    return consultation, recording


def _list_page(territory: Territory, consultation: Consultation, status: int = 200, bad_form=None):
    rows = recordings.of_consultation(consultation)
    transcripts = recordings.transcripts(rows)
    lang = content_language()
    texts = {}
    parsed: dict[int, object] = {}
    for row in rows:
        version_id = row.response.instrument_version_id if row.response else None
        if version_id is None:
            continue
        if version_id not in parsed:
            parsed[version_id] = db.session.get(InstrumentVersion, version_id).parsed()
        instrument = parsed[version_id]
        if instrument.has_question(row.question_key):
            texts[row.id] = instrument.text(instrument.question(row.question_key).text, lang)
    forms = {
        row.id: TranscriptForm(
            formdata=None, prefix=f"transcript-{row.id}", data={"text": transcripts.get(row.id) or ""}
        )
        for row in rows
    }
    if bad_form is not None:
        forms[bad_form[0]] = bad_form[1]
    return (
        render_template(
            "responses/recordings.html",
            territory=territory,
            consultation=consultation,
            rows=rows,
            transcripts=transcripts,
            texts=texts,
            forms=forms,
            is_moderator=can(current_user, territory, "testimonies.moderate"),
        ),
        status,
        NO_STORE,
    )


@bp.route("/t/<territory>/consultations/<int:consultation_id>/recordings")
@territory_view(*LISTENERS)
def answer_recordings(territory: Territory, consultation_id: int):
    """The consultation's answers given by voice, with a player and their transcripts."""
    consultation = get_in_territory(Consultation, consultation_id, territory)
    return _list_page(territory, consultation)


@bp.route("/t/<territory>/consultations/<int:consultation_id>/recordings/<int:recording_id>")
@territory_view(*LISTENERS)
def answer_recording_sound(territory: Territory, consultation_id: int, recording_id: int):
    """The recorded answer's sound (Ogg Opus), decrypted for this request; byte ranges for players."""
    _consultation, recording = _recording(territory, consultation_id, recording_id)
    data = recordings.sound_of(recording)
    return sound_response(data)


@bp.route(
    "/t/<territory>/consultations/<int:consultation_id>/recordings/<int:recording_id>/transcript", methods=["POST"]
)
@territory_view(MODERATOR)
def answer_recording_transcript(territory: Territory, consultation_id: int, recording_id: int):
    """A moderator writes down (or corrects, or removes) a recorded answer's transcript."""
    consultation, recording = _recording(territory, consultation_id, recording_id)
    form = TranscriptForm(prefix=f"transcript-{recording.id}")
    if form.validate_on_submit():
        recordings.transcribe(recording, form.text.data, current_user)
        db.session.commit()
        flash(_("The transcript has been saved."), "success")
        return redirect(
            url_for("responses.answer_recordings", territory=territory.slug, consultation_id=consultation.id)
            + f"#recording-{recording.id}"
        )
    return _list_page(territory, consultation, status=400, bad_form=(recording.id, form))
