"""Audio prompts: the sound a listen control plays, and the officials' screen to record them.

``GET /audio/<version>/<lang>/<path>`` serves a prompt (Ogg Opus). Anyone may
hear the prompts of a published version that an open consultation asks;
otherwise only the officials of the instrument's territory and network
administrators, and everyone else gets a 404 (a draft is not announced). The
address carries the recording's digest or the text's hash (``?v=``): when it
matches what is served, the sound is cached for a year; otherwise it is
revalidated with its ETag each time.

The screen ``/t/<territory>/instruments/<id>/versions/<n>/audio?language=gn``
lists a version's texts in one language with a player, what each prompt is
(recorded, synthesised, no voice) and an upload form per text.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from consult.accounts.access import public_view, territory_view
from consult.accounts.models import Territory
from consult.core.audio import AudioError
from consult.core.errors import render_error
from consult.extensions import db
from consult.surveys import bp, prompts, texts
from consult.surveys.admin_forms import ActionForm
from consult.surveys.models import InstrumentVersion
from consult.surveys.views import STAFF, instrument_url, may_edit, version_in

YEAR = 365 * 24 * 3600
TOO_LARGE = _l(
    "This recording is over the size limit for uploads. "
    "Send a shorter one, or one in a compressed format such as M4A, MP3 or Ogg."
)


@bp.route("/audio/<int:version_id>/<lang>/<path>")
@public_view
def audio(version_id: int, lang: str, path: str):
    """One prompt's sound, made on the first request when it is synthesised."""
    version = db.session.get(InstrumentVersion, version_id)
    if version is None or len(lang) > 16 or not prompts.may_hear(version, current_user):
        abort(404)
    prompt = prompts.prompt_for(version, path, lang)
    if prompt is None:
        abort(404)
    db.session.commit()  # a prompt just made is kept for the next person
    public = prompts.is_public(version)
    key = request.args.get("v", "")
    current = ("r" + prompt.digest) if prompt.is_recorded else ("s" + prompt.text_hash)
    response = Response(prompt.audio, mimetype=prompt.mime_type)
    response.set_etag(prompt.digest)
    if key == current:
        response.headers["Cache-Control"] = f"{'public' if public else 'private'}, max-age={YEAR}, immutable"
    else:
        response.headers["Cache-Control"] = f"{'public' if public else 'private'}, no-cache"
    # Byte ranges too: a browser finds an Ogg file's length by reading its last page.
    return response.make_conditional(request, accept_ranges=True, complete_length=len(prompt.audio))


def _groups(version: InstrumentVersion) -> list[tuple[str, str]]:
    """(key, title) of each group of texts: the instrument's own, then each section."""
    parsed = version.parsed()
    groups = [("", _("The instrument"))]
    for section in parsed.sections:
        groups.append((section.key, parsed.text(section.title, version.fallback_language) or section.key))
    return groups


def _may_record(territory: Territory, version: InstrumentVersion) -> bool:
    """Who may change a version's recordings.

    Whoever may change the instrument; and, for the shared library, the officials of a
    territory whose consultation asks the version (Salta records its Guarani prompts for
    the library's community survey: a recording is not a change of the definition).
    """
    if may_edit(version.instrument):
        return True
    return version.instrument.is_library and prompts.territory_uses(territory.id, version)


def _languages(territory: Territory, version: InstrumentVersion) -> list[str]:
    """The version's languages and the territory's: a language no one writes can still be recorded."""
    return list(dict.fromkeys([*version.languages, *territory.enabled_languages]))


@bp.route("/t/<territory>/instruments/<int:instrument_id>/versions/<int:number>/audio", methods=["GET", "POST"])
@territory_view(*STAFF)
def audio_prompts(territory: Territory, instrument_id: int, number: int):
    """A version's texts in one language with their prompts: listen, upload a recording, remove it."""
    version = version_in(territory, instrument_id, number)
    languages = _languages(territory, version)
    lang = request.args.get("language") or version.fallback_language
    if lang not in languages:
        abort(404)
    groups = _groups(version)
    group = request.args.get("section", "")
    if group not in {key for key, _title in groups}:
        abort(404)
    here = url_for(
        "surveys.audio_prompts",
        territory=territory.slug,
        instrument_id=instrument_id,
        number=number,
        language=lang,
        section=group,
    )
    recordable = _may_record(territory, version)
    if request.method == "POST":
        if not recordable:
            abort(403)
        return _post(version, lang, here)
    if lang not in ((version.recorded_audio or {}).get(prompts.INHERITED) or []):
        prompts.inherit_recordings(version, lang)  # recordings of earlier versions whose text is unchanged
        db.session.commit()
    entries = [e for e in texts.iter_texts(version.definition) if e.group == group]
    stored = prompts.prompts_of(version, lang)
    listener = prompts.Listener(
        version.id, lang, dict((version.recorded_audio or {}).get(lang) or {}), prompts.has_voice(lang)
    )
    rows = []
    for entry in entries:
        text = (entry.text.get(lang) or "").strip()
        prompt = stored.get(entry.path)
        if prompt is not None and prompt.is_recorded:
            state = "recorded"
        elif not listener.voice:
            state = "no_voice"
        elif not text:
            state = "no_text"
        elif prompt is not None and prompt.text_hash == texts.source_hash(text):
            state = "synthesised"
        else:
            state = "on_request"
        url = None
        if state == "recorded" or (text and listener.voice):
            url = listener.url(entry.path, text or "recorded")
        rows.append({"entry": entry, "text": text, "state": state, "prompt": prompt, "url": url})
    return render_template(
        "surveys/audio.html",
        territory=territory,
        version=version,
        lang=lang,
        languages=languages,
        groups=groups,
        group=group,
        rows=rows,
        has_voice=listener.voice,
        here=here,
        describe=texts.describe_path,
        may_edit=recordable,
        action_form=ActionForm(),
        instrument_url=instrument_url,
        max_minutes=prompts.MAX_RECORDING_SECONDS // 60,
    )


def _post(version: InstrumentVersion, lang: str, here: str):
    """Upload or remove a recording; always back to the same screen, with a message."""
    try:
        form = request.form
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        flash(str(TOO_LARGE), "error")
        return redirect(here)
    if not ActionForm().validate_on_submit():
        flash(_("The form had expired. Please try again."), "error")
        return redirect(here)
    path = form.get("path", "")
    if not prompts.path_exists(version, path):
        abort(400)
    label = texts.describe_path(path)
    if form.get("action") == "remove":
        if prompts.remove_recording(version, path, lang):
            db.session.commit()
            flash(_("The recording of “%(text)s” was removed.", text=label), "success")
        return redirect(here + "#" + _anchor(path))
    data = upload.read() if upload is not None else b""
    try:
        prompts.record(version, path, lang, data, current_user)
    except AudioError as error:
        db.session.rollback()
        flash(_("“%(text)s”: %(problem)s", text=label, problem=str(error.message)), "error")
        return redirect(here + "#" + _anchor(path))
    db.session.commit()
    flash(_("The recording of “%(text)s” was saved.", text=label), "success")
    return redirect(here + "#" + _anchor(path))


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge):
    """On the audio screen, a file over the upload limit keeps the screen, with a message.

    The limit is met before the view runs (the CSRF check reads the body), so this
    is the blueprint's handler; every other screen of the room gets the usual 413 page.
    """
    if request.endpoint != "surveys.audio_prompts":
        return render_error(413)
    flash(str(TOO_LARGE), "error")
    return redirect(request.full_path.rstrip("?"))


def _anchor(path: str) -> str:
    """The id of a text's row on the screen."""
    return "t-" + path.replace(".", "-")
