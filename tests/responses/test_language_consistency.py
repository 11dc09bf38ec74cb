"""Content and interface speak one language on the facilitator's form and on the printed invitation sheet.

Each page is opened by a person whose own interface language is another one
(English for a Spanish form, Spanish for an English one), which is how the
mixed pages were seen: the questions followed the form's language, the scale
labels, group names and place labels followed the browser's.
"""

from __future__ import annotations

import html
import re

import pytest
from flask_babel import force_locale

from consult.surveys.labels import SEVERITY_LABELS, STAKEHOLDER_GROUPS
from tests.fixtures.app import untranslated_strings
from tests.responses.test_assisted import start


def _text(response) -> str:
    page = response.get_data(as_text=True)
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _html_lang(response) -> str:
    return re.search(r'<html[^>]* lang="([^"]+)"', response.get_data(as_text=True)).group(1)


def _labels(lang: str) -> dict[str, list[str]]:
    """Scale labels and group names as they read in interface language ``lang``."""
    with force_locale(lang):
        return {
            "scale": [str(label) for part in SEVERITY_LABELS.values() for label in part.values()],
            "groups": [str(STAKEHOLDER_GROUPS[code]) for code in ("rural_community",)],
        }


def _other(lang: str) -> str:
    return "es" if lang == "en" else "en"


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_facilitator_form_is_all_in_the_language_chosen_for_it(client, community_consultation, create_user, language):
    territory = community_consultation.territory
    facilitator = create_user(roles={territory: ["facilitator"]})
    client.login(facilitator.email)
    own = _other(language)
    client.get(f"/t/{territory.slug}/entry?lang={own}")  # the facilitator reads the site in the other language
    url = start(client, community_consultation, language=language)
    page = client.get(url)
    assert page.status_code == 200
    text = _text(page)
    assert _html_lang(page) == language
    assert page.headers["Content-Language"] == language
    wanted, unwanted = _labels(language), _labels(own)
    # Scale labels of the severity question and the group name, in the form's language, never in the browser's.
    for label in wanted["scale"]:
        assert label in text, label
    for label in unwanted["scale"]:
        assert label not in text, label
    assert wanted["groups"][0] in text
    assert unwanted["groups"][0] not in text
    if language == "es":
        assert not untranslated_strings(text, "es")
    with force_locale(language):
        from flask_babel import gettext

        assert gettext("Save and start the next one") in text
    # After a check (a POST), still one language, and the facilitator's own choice is kept for other pages.
    checked = client.submit(url, {"action": "check"})
    assert checked.status_code == 200
    assert _html_lang(checked) == language
    assert _html_lang(client.get(f"/t/{territory.slug}/entry")) == own


def test_a_content_only_language_shows_its_content_with_the_spanish_interface(
    client, create_consultation, community_consultation, create_user, db
):
    from consult.surveys.models import InstrumentVersion

    territory = community_consultation.territory
    version = db.session.get(InstrumentVersion, community_consultation.group("rural_community").instrument_version_id)
    quechua = create_consultation(territory, slug="runasimi-2026", languages=("es", "qu"), groups={"rural_community": version})
    facilitator = create_user(roles={territory: ["facilitator"]})
    client.login(facilitator.email)
    client.get(f"/t/{territory.slug}/entry?lang=en")
    url = start(client, quechua, language="qu")
    page = client.get(url)
    assert page.status_code == 200
    text = _text(page)
    assert _html_lang(page) == "es"
    spanish, english = _labels("es"), _labels("en")
    assert all(label in text for label in spanish["scale"])
    assert not any(label in text for label in english["scale"])
    assert spanish["groups"][0] in text and english["groups"][0] not in text
    assert not untranslated_strings(text, "es")
