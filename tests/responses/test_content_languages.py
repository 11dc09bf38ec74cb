"""Content in any language: a respondent answers in Wichí (mzh) with a Spanish interface, texts not yet
translated show in the fallback language marked as such, every content text carries its own ``lang``,
and the name lookups of the other rooms never fail on a code outside the first six."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from consult.accounts import languages
from consult.extensions import db
from consult.responses.models import Response
from tests.fixtures.survey_definitions import make_definition, option, question


def _definition(extra: str = "mzh") -> dict:
    """One page: Q1 (translated into ``extra``, as are its first option and the page title), Q2 (not)."""
    definition = make_definition(
        [
            question(
                "Q1",
                "single_choice",
                "¿Hay agua limpia?",
                "Is there clean water?",
                "Há água limpa?",
                options=[option("yes", "Sí", "Yes", "Sim"), option("no", "No", "No", "Não")],
                help={"es": "Piense en el último año.", "en": "Think of the last year.", "pt": "Pense no último ano."},
            ),
            question("Q2", "short_text", "¿De qué comunidad es?", "Which community?", "Qual comunidade?"),
        ],
        languages=["es", "en", "pt", extra],
    )
    page = definition["sections"][0]["pages"][0]
    page["title"][extra] = f"Página [{extra}]"
    q1 = page["questions"][0]
    q1["text"][extra] = f"Pregunta uno [{extra}]"
    q1["options"][0]["label"][extra] = f"Sí [{extra}]"
    return definition


@pytest.fixture
def wichi(create_territory, create_version, create_consultation):
    territory = create_territory("salta", "Salta", "AR", enabled_languages=["es", "en"])
    languages.add_language(territory, languages.LanguageInput(code="mzh", endonym="Wichí Lhämtes"))
    version = create_version(_definition())
    consultation = create_consultation(
        territory, groups={"rural_community": version}, languages=("es", "mzh"), slug="agua-wichi"
    )
    consultation.title = {"es": "Consulta del agua", "mzh": "Lhämtes [mzh]"}
    db.session.commit()
    return consultation


def _start(client, slug: str, lang: str) -> str:
    client.get(f"/c/{slug}/?lang={lang}")
    client.submit(f"/c/{slug}/start", form_url=f"/c/{slug}/")
    response = client.submit(f"/c/{slug}/group", {"group_code": "rural_community"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response.headers["Location"]


def test_the_landing_page_offers_the_consultations_languages_by_their_own_names(client, wichi):
    html = client.get("/c/agua-wichi/?lang=mzh").get_data(as_text=True)
    assert '<html lang="es"' in html  # Wichí has no interface catalogue: the nearest is Spanish
    assert '<h1 lang="mzh">Lhämtes [mzh]</h1>' in html
    assert re.search(r'<a href="[^"]*lang=mzh" lang="mzh" hreflang="mzh" aria-current="true">Wichí Lhämtes</a>', html)
    assert re.search(r'<a href="[^"]*lang=es" lang="es" hreflang="es">Español</a>', html)
    # The purpose has no Wichí: it shows in Spanish, marked as shown in the fallback language.
    assert re.search(r'<p class="lead" data-fallback="es">Para probar\. <span class="fallback-note" lang="es">', html)


def test_a_respondent_answers_in_wichi_with_a_spanish_interface(client, wichi):
    first = _start(client, "agua-wichi", "mzh")
    page = client.get(first)
    html = page.get_data(as_text=True)
    assert page.headers["Content-Language"] == "es" and '<html lang="es"' in html
    assert '<h1 lang="mzh">Página [mzh]</h1>' in html
    assert '<legend lang="mzh">Pregunta uno [mzh]' in html
    assert re.search(r'<label for="q-Q1-0" lang="mzh">Sí \[mzh\]</label>', html)
    # Untranslated texts: in Spanish like the interface (no lang needed), marked visibly as the fallback.
    assert re.search(r'<label for="q-Q1-1" data-fallback="es">No</label>', html)
    assert re.search(
        r'<p class="hint" id="[^"]+" data-fallback="es">Piense en el último año\. <span class="fallback-note"', html
    )
    assert re.search(r'<label for="q-Q2" data-fallback="es">¿De qué comunidad es\? <span class="fallback-note"', html)
    # The language buttons on every page, each in its own language.
    assert re.search(r'<span class="button secondary" lang="mzh" aria-current="true">Wichí Lhämtes</span>', html)
    response = client.submit(first, {"q-Q1": "yes", "q-Q2": "Misión La Paz", "action": "next"})
    assert response.status_code == 302
    review = client.get("/c/agua-wichi/review").get_data(as_text=True)
    assert '<dt lang="mzh">Pregunta uno [mzh]</dt>' in review
    token = re.search(r'name="submission_token" value="([^"]+)"', review).group(1)
    client.submit("/c/agua-wichi/send", {"submission_token": token}, form_url="/c/agua-wichi/review")
    stored = db.session.scalar(select(Response).where(Response.consultation_id == wichi.id))
    assert stored is not None and stored.language == "mzh"


def test_the_territory_chooses_the_interface_of_a_language(client, wichi):
    languages.edit_language(
        wichi.territory, "mzh", languages.LanguageInput(code="mzh", endonym="Wichí Lhämtes", interface_language="pt")
    )
    db.session.commit()
    html = client.get("/c/agua-wichi/?lang=mzh").get_data(as_text=True)
    assert '<html lang="pt"' in html and '<h1 lang="mzh">' in html


def test_a_language_the_consultation_does_not_offer_falls_back_to_its_own(client, wichi):
    html = client.get("/c/agua-wichi/?lang=quy").get_data(as_text=True)
    assert "<h1>Consulta del agua</h1>" in html


def test_right_to_left_content_carries_dir(client, create_territory, create_version, create_consultation):
    territory = create_territory("madrid", "Madrid", "ES", enabled_languages=["es", "ar"])
    version = create_version(_definition("ar"))
    create_consultation(territory, groups={"rural_community": version}, languages=("es", "ar"), slug="agua-ar")
    first = _start(client, "agua-ar", "ar")
    html = client.get(first).get_data(as_text=True)
    assert '<html lang="es" dir="ltr"' in html
    assert '<legend lang="ar" dir="rtl">Pregunta uno [ar]' in html


def test_officials_see_any_language_named_everywhere(client, create_user, wichi):
    official = create_user(roles={wichi.territory: ["official", "analyst"]})
    client.login(official.email)
    slug, cid = wichi.territory.slug, wichi.id
    form = client.get(f"/t/{slug}/consultations/{cid}/edit?lang=en")
    # Named as the territory names it in English (here the registry's suggestion, kept), with its code.
    assert form.status_code == 200 and re.search(r">Wichí[^<]* \(mzh\)</label>", form.get_data(as_text=True))
    for url in (
        f"/t/{slug}/consultations/{cid}?lang=en",
        f"/t/{slug}/consultations/{cid}/invitations?lang=en",
        f"/t/{slug}/analysis/{cid}?lang=en",
        f"/t/{slug}/exports/{cid}?lang=en",
    ):
        response = client.get(url)
        assert response.status_code in (200, 302, 404), (url, response.status_code)
        assert response.status_code != 500


def test_the_consultation_form_offers_the_territorys_languages_only(client, create_user, wichi):
    official = create_user(roles={wichi.territory: ["official"]})
    client.login(official.email)
    html = client.get(f"/t/{wichi.territory.slug}/consultations/new?lang=en").get_data(as_text=True)
    assert 'value="mzh"' in html and 'value="pt"' not in html


def test_names_of_any_code_in_the_lookups_of_other_rooms(app):
    from consult.analysis.breakdowns import LANGUAGE_NAMES  # the rooms' shared lookup

    with app.test_request_context("/?lang=en"):
        assert str(LANGUAGE_NAMES["mzh"]).startswith("Wichí")
        assert str(LANGUAGE_NAMES.get("guc", "guc")) == "Wayuu"
        assert LANGUAGE_NAMES.get("qaa", "qaa") == "qaa"
        assert "xx-yy" not in LANGUAGE_NAMES


def test_the_facilitators_form_in_wichi(client, create_territory, create_user, create_consultation, db):
    from consult.accounts.services import import_localities
    from consult.surveys.services import load_library
    from tests.responses.test_assisted import start

    territory = create_territory("salta", "Salta", "AR", enabled_languages=["es", "mzh"])
    import_localities(territory, "code,name,area\n66028,Cafayate,Valles Calchaquíes\n")
    community = {load.key: load.version for load in load_library()}["community_risk"]
    consultation = create_consultation(
        territory, groups={"rural_community": community}, languages=("es", "mzh"), slug="riesgos-wichi"
    )
    facilitator = create_user(roles={territory: ["facilitator"]})
    client.login(facilitator.email)
    url = start(client, consultation, language="mzh")
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<html lang="es"' in html
    # The community survey's first blocks are in Wichí (drafts); the rest shows in Spanish, marked.
    assert 'lang="mzh"' in html and 'data-fallback="es"' in html
