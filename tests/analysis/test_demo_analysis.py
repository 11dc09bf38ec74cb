"""After the demo seed, every analysis view of every demo consultation shows real tables to its official."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from consult.responses.models import Consultation

VIEWS = ("", "/results", "/coverage", "/salience", "/divergence", "/remedy", "/themes", "/themes/counts")
DEMO_PASSWORD = "consult-demo-2026"


def _rows(html: str) -> int:
    """Body rows of the page's tables."""
    return sum(len(re.findall(r"<tr[\s>]", body)) for body in re.findall(r"<tbody.*?</tbody>", html, re.S))


@pytest.fixture
def seeded(app, db):
    # Imported here, not at collection: importing a demo module registers its step,
    # and steps run in the order they are registered.
    from consult.demo import seed_demo

    seed_demo()
    return {c.slug: c for c in db.session.scalars(select(Consultation))}


def test_every_analysis_view_of_every_demo_consultation_has_tables(seeded, client):
    for slug in ("antioquia", "salta"):
        client.login(f"official.{slug}@demo.consult.example", DEMO_PASSWORD)
        for consultation in (c for c in seeded.values() if c.territory.slug == slug):
            base = f"/t/{slug}/consultations/{consultation.id}/analysis"
            for view in VIEWS:
                response = client.get(base + view)
                assert response.status_code == 200, (base + view, response.status_code)
                if view not in ("", "/themes"):
                    assert _rows(response.get_data(as_text=True)) >= 3, f"{base + view} has no table rows"
            for by in ("gender", "locality", "language", "entry_mode", "collective"):
                response = client.get(f"{base}/results?by={by}")
                assert response.status_code == 200 and _rows(response.get_data(as_text=True)) > 10, by
        client.get("/logout")


def test_the_demo_shows_the_imported_xlsform_beside_the_built_in_instruments(seeded, client):
    from consult.responses.demo_closed import SLUG

    closed = seeded[SLUG]
    client.login("official.antioquia@demo.consult.example", DEMO_PASSWORD)
    base = f"/t/antioquia/consultations/{closed.id}/analysis"
    own = closed.group("trade_union").instrument_version_id
    results = client.get(base + "/results").get_data(as_text=True)
    assert "Voces sindicales y de mujeres – Antioquia" in results  # the official's own form, beside the built-in ones
    assert "Encuesta comunitaria sobre empresas y derechos humanos" in results
    results = client.get(f"{base}/results?instrument={own}").get_data(as_text=True)
    assert "¿Qué derechos han sido afectados por esas empresas?" in results and _rows(results) > 20
    by_gender = client.get(f"{base}/results?by=gender&group=trade_union&instrument={own}").get_data(as_text=True)
    assert "Mujer" in by_gender and "Hombre" in by_gender
    collective = client.get(base + "/results?by=collective").get_data(as_text=True)
    assert _rows(collective) > 10
    # Divergence: a trade unions' share comes from the own form's "sindicato" option, coded freedom_of_association
    divergence = client.get(base + "/divergence").get_data(as_text=True)
    assert "Sindicato" in divergence and "Empresa grande" in divergence
    union_share = re.search(r"Libertad para formar sindicatos.*?</tr>", divergence, re.S)
    assert union_share and re.search(r"\(\d+/\d+\)", union_share.group(0))
    remedy = client.get(base + "/remedy").get_data(as_text=True)
    assert "Inspección del trabajo" in remedy and re.search(r"\b30\b", remedy)  # thirty testimonies counted
    # The public page of the closed consultation, in Spanish and English, with small cells hidden
    public = client.get(f"/c/{SLUG}/results")
    assert public.status_code == 200 and _rows(public.get_data(as_text=True)) > 20
    english = client.get(f"/c/{SLUG}/results?lang=en")
    assert english.status_code == 200 and 'lang="en"' in english.get_data(as_text=True)
    open_one = seeded["riesgos-antioquia-2026"]
    assert client.get(f"/c/{open_one.slug}/results").status_code == 404
