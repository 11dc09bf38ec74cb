"""Spoken accounts for staff: listening (audited, role and territory checked) and transcribing.

Who hears a recording is who reads the testimony (``testimonies.queue``:
moderators and officials of its territory); only moderators transcribe. Another
territory's testimony, or a recording of another testimony, is a 404.
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.accounts.access import get_in_territory, territory_view
from consult.accounts.models import Territory
from consult.accounts.permissions import roles_for
from consult.core.audio import sound_response
from consult.extensions import db
from consult.testimonies import bp, recordings
from consult.testimonies.errors import TestimonyError
from consult.testimonies.forms import TranscriptForm
from consult.testimonies.models import Testimony

READERS = roles_for("testimonies.queue")


def _recording(territory: Territory, testimony_id: int, recording_id: int):
    from flask import abort

    testimony = get_in_territory(Testimony, testimony_id, territory)
    recording = recordings.find(testimony, recording_id)
    if recording is None:
        abort(404)
    return testimony, recording


@bp.route("/t/<territory>/testimonies/<int:testimony_id>/recordings/<int:recording_id>")
@territory_view(*READERS)
def listen(territory: Territory, testimony_id: int, recording_id: int):
    """The recording's sound (Ogg Opus), decrypted for this request only; never cached."""
    _testimony, recording = _recording(territory, testimony_id, recording_id)
    asked = request.headers.get("Range")
    # A player asks for the start, then for pieces (to seek, to learn the length): one
    # audit entry per listening, written when the start is asked.
    first = asked is None or asked.strip() in ("bytes=0-", "bytes=0-1")
    heard = recordings.listen(recording, current_user, audit_it=first)
    db.session.commit()
    return sound_response(heard.data)


@bp.route("/t/<territory>/testimonies/<int:testimony_id>/recordings/<int:recording_id>/transcript", methods=["POST"])
@territory_view("testimonies.moderate")
def transcribe(territory: Territory, testimony_id: int, recording_id: int):
    """A moderator writes down (or corrects, or removes) the transcript of a recording."""
    from consult.testimonies.views_staff import _read_page

    testimony, recording = _recording(territory, testimony_id, recording_id)
    form = TranscriptForm(prefix=f"transcript-{recording.id}")
    if form.validate_on_submit():
        try:
            recordings.transcribe(recording, form.text.data, current_user)
        except TestimonyError as error:
            form.text.errors.append(str(error.message))
        else:
            db.session.commit()
            flash(_("The transcript has been saved."), "success")
            return redirect(
                url_for("testimonies.read", territory=territory.slug, testimony_id=testimony.id)
                + f"#recording-{recording.id}"
            )
    db.session.rollback()
    return _read_page(
        territory,
        testimony,
        status=400,
        transcript_form=(recording.id, form),
        transcript_error=(
            recording.id,
            [str(e) for e in form.text.errors] or [_("The transcript could not be saved.")],
        ),
    )
