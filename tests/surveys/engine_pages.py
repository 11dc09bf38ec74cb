"""A minimal answering page for the engine's tests: one route that shows a page of an
instrument with ``render_questions`` and keeps the answers in memory.

The real answering flow lives in ``consult.responses``; this only lets the engine's
tests see its forms and macro the way a person does (through the checked test client
or the browser), without depending on that room.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template_string, request

from consult.accounts.access import public_view
from consult.i18n import content_language
from consult.surveys.engine import Instrument
from consult.surveys.forms import page_form
from consult.surveys.paths import next_page

PAGE = """{% extends "base.html" %}
{% from "macros/forms.html" import error_summary %}
{% from "surveys/_questions.html" import render_questions %}
{% block title %}{{ title }}{% endblock %}
{% block content %}
<h1{% if title_lang %} lang="{{ title_lang }}"{% endif %}>{{ title }}</h1>
{{ error_summary(form) }}
<form method="post" action="{{ request.full_path }}" novalidate>
{{ form.hidden_tag() }}
{{ render_questions(form, instrument, page, lang) }}
<div class="actions"><button type="submit">{{ _("Continue") }}</button></div>
</form>
{% endblock %}"""


def install_survey_pages(app, definition: dict[str, Any], localities: list[dict[str, Any]]) -> dict[str, Any]:
    """Serve ``/engine-test/<page>`` for ``definition``; returns the dict the answers are kept in."""
    instrument = Instrument.from_dict(definition)
    answers: dict[str, Any] = {}

    @public_view
    def show(page_key: str):
        page = instrument.page(page_key)
        lang = content_language()
        form = page_form(instrument, page, lang, answers, {"localities": localities})()
        if request.method == "POST" and form.validate():
            for key in form.cleared():
                answers.pop(key, None)
            answers.update(form.answers())
            if form.newly_visible():
                return redirect(request.full_path)
            following = next_page(instrument, answers, page_key)
            return redirect(f"/engine-test/{following.key}" if following else "/engine-test-done")
        title, title_lang = instrument.text_and_language(page.title, lang)
        return render_template_string(
            PAGE,
            form=form,
            instrument=instrument,
            page=page,
            lang=lang,
            title=title,
            title_lang=title_lang if title_lang != form.context.interface_lang else None,
        )

    app.add_url_rule("/engine-test/<page_key>", "engine_test_page", show, methods=["GET", "POST"])
    return answers
