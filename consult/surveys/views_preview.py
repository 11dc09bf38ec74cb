"""Preview a version page by page, in any of its languages, as a respondent sees it.

The preview walks every page in order (an official must see the pages a
condition would skip, too) with plain links, so it works with JavaScript off.
``?lang=`` picks the content language exactly as it does for a respondent:
the interface follows it when it has a catalogue, else stays in Spanish.
Nothing typed in a preview is sent anywhere.
"""

from __future__ import annotations

import copy

from flask import abort, render_template, request

from consult.accounts.access import territory_view
from consult.accounts.models import Territory
from consult.i18n import content_language
from consult.surveys import bp, services
from consult.surveys.engine import Instrument as ParsedInstrument
from consult.surveys.forms import page_form
from consult.surveys.views import STAFF, version_in


@bp.route("/t/<territory>/instruments/<int:instrument_id>/versions/<int:number>/preview")
@territory_view(*STAFF)
def preview(territory: Territory, instrument_id: int, number: int):
    """One page of a version, with links to the previous and next pages and to each language."""
    version = version_in(territory, instrument_id, number)
    problems = services.definition_problems(version.definition)
    if problems:
        # A broken draft cannot be laid out; say why instead of failing.
        return render_template("surveys/preview.html", territory=territory, version=version, problems=problems)

    parsed = version.parsed()
    asked = request.args.get("lang") or content_language()
    lang = asked if asked in parsed.languages else parsed.fallback_language
    key = request.args.get("page") or parsed.pages[0].key
    if not parsed.has_page(key):
        abort(404)
    page = parsed.page(key)
    # With no answers, questions shown only after some answer would stay hidden;
    # an official previews them all, each conditional one named below the page.
    conditional = [q for q in page.questions if q.when]
    unconditional = ParsedInstrument.from_dict(_without_question_conditions(version.definition, key))
    localities = [{"code": loc.code, "name": loc.name, "area": loc.area} for loc in territory.localities]
    form_class = page_form(unconditional, unconditional.page(key), lang, {}, {"localities": localities})
    form = form_class(formdata=None, meta={"csrf": False})
    pages = parsed.pages
    return render_template(
        "surveys/preview.html",
        territory=territory,
        version=version,
        problems=[],
        instrument=unconditional,
        page=unconditional.page(key),
        section=parsed.section_of(page),
        form=form,
        lang=lang,
        conditional=conditional,
        number_of_pages=len(pages),
        previous_page=pages[page.index - 1] if page.index > 0 else None,
        next_page=pages[page.index + 1] if page.index + 1 < len(pages) else None,
    )


def _without_question_conditions(definition: dict, page_key: str) -> dict:
    """A copy of ``definition`` in which the questions of one page have no ``when``."""
    copied = copy.deepcopy(definition)
    for section in copied.get("sections") or []:
        for page in section.get("pages") or []:
            if page.get("key") == page_key:
                for question in page.get("questions") or []:
                    question.pop("when", None)
    return copied
