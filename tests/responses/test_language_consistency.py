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
def test_the_facilitator_form_is_all_in_the_language_chosen_for_it(
    client, community_consultation, create_user, language
):
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
    quechua = create_consultation(
        territory, slug="runasimi-2026", languages=("es", "qu"), groups={"rural_community": version}
    )
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


# The printed invitation sheet -------------------------------------------------------------------

SHEET_WORDS = {
    "es": ("Consulta de prueba", "Está invitado", "Código QR del enlace para responder", "de marzo de 2031"),
    "en": ("Test consultation", "You are invited to take part", "QR code of the link to answer", "March"),
}


@pytest.fixture
def sheet_official(create_territory, create_user, client, db):
    territory = create_territory("salta", "Salta", "AR")
    official = create_user("funcionaria@salta.example", roles={territory: ["official"]})
    client.login(official.email)
    return territory


def _make_link(client, consultation, sheet_language=None):
    base = f"/t/{consultation.territory.slug}/consultations/{consultation.id}"
    data = {
        "group_code": "rural_community",
        "organisation": "",
        "label": "",
        "expires_on": "2031-03-12",
        "max_uses": "",
    }
    if sheet_language:
        data["sheet_language"] = sheet_language
    response = client.submit(f"{base}/invitations", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response.headers["Location"]


def _words_present(text: str, lang: str) -> None:
    from consult.i18n import interface_language_for

    title, lead, caption, date = SHEET_WORDS[interface_language_for(lang)] if lang in SHEET_WORDS else SHEET_WORDS["es"]
    if lang in SHEET_WORDS:
        assert title in text
    assert caption in text and date in text
    with force_locale(interface_language_for(lang)):
        from flask_babel import gettext

        assert (
            gettext("You are invited to take part. Scan the code with a phone's camera, or type the address below.")
            in text
        )
        assert str(STAKEHOLDER_GROUPS["rural_community"]) in text


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_invitation_sheet_is_all_in_the_language_chosen_for_it(
    client, sheet_official, create_consultation, language
):
    consultation = create_consultation(sheet_official)
    own = _other(language)
    client.get(f"/t/salta/consultations/{consultation.id}/invitations?lang={own}")  # the official reads the other one
    listing = client.get(f"/t/salta/consultations/{consultation.id}/invitations")
    assert 'name="sheet_language"' in listing.get_data(as_text=True)
    sheet = client.get(_make_link(client, consultation, language))
    raw = sheet.get_data(as_text=True)
    text = _text(sheet)
    assert _html_lang(sheet) == language
    assert f"<title>{SHEET_WORDS[language][0]}" in raw
    _words_present(text, language)
    # Nothing of the other language: title, instructions, QR caption, group.
    other_title, other_lead, other_caption, _date = SHEET_WORDS[own]
    assert other_title not in text and other_lead not in text and other_caption not in raw
    with force_locale(own):
        assert str(STAKEHOLDER_GROUPS["rural_community"]) not in text
    if language == "es":
        assert not untranslated_strings(text, "es")


def test_a_reissued_sheet_and_the_public_sheet_take_the_language_asked_for(
    client, sheet_official, create_consultation, db
):
    from consult.responses.models import Invitation

    consultation = create_consultation(sheet_official)
    base = f"/t/salta/consultations/{consultation.id}"
    _make_link(client, consultation, "es")
    invitation = db.session.scalars(__import__("sqlalchemy").select(Invitation)).one()
    reissued = client.submit(
        f"{base}/invitations/{invitation.id}/reissue?lang=es",
        {"language": "en"},
        form_url=f"{base}/invitations?lang=es",
    )
    sheet = client.get(reissued.headers["Location"])
    assert _html_lang(sheet) == "en"
    _words_present(_text(sheet), "en")
    for language in ("en", "es"):
        public = client.get(f"{base}/sheet?language={language}")
        assert _html_lang(public) == language
        text = _text(public)
        assert SHEET_WORDS[language][0] in text and SHEET_WORDS[_other(language)][0] not in text
        assert SHEET_WORDS[language][2] in public.get_data(as_text=True)


def test_a_sheet_in_a_content_only_language_has_the_spanish_interface(client, sheet_official, create_consultation):
    consultation = create_consultation(sheet_official, languages=("es", "qu"))
    client.get(f"/t/salta/consultations/{consultation.id}/invitations?lang=en")
    sheet = client.get(_make_link(client, consultation, "qu"))
    assert _html_lang(sheet) == "es"
    text = _text(sheet)
    _words_present(text, "qu")
    assert not untranslated_strings(text, "es")
    assert "You are invited" not in text and "QR code of the link" not in sheet.get_data(as_text=True)
