"""A territory's languages: rows named from CLDR/IANA data, the service's checks, the screen, the migration."""

from __future__ import annotations

import re
from datetime import datetime

import flask_migrate
import pytest
import sqlalchemy as sa

from consult import create_app
from consult.accounts import languages
from consult.accounts.models import Territory, TerritoryLanguage
from consult.extensions import db
from consult.responses import services as consultations
from tests.fixtures.database import PG_URL, scratch_postgres_url


@pytest.fixture
def salta(create_territory):
    return create_territory("salta", "Salta", "AR", enabled_languages=["es", "en"])


@pytest.fixture
def official(create_user, salta):
    return create_user("official@salta.example", roles={salta: ["official"]})


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


# -- the service ------------------------------------------------------------------------------------


def test_a_language_added_by_its_code_is_named_from_the_registries(app, salta):
    row = languages.add_language(salta, languages.LanguageInput(code="mzh"))
    db.session.commit()
    assert (row.code, row.position) == ("mzh", 2)
    assert row.endonym.startswith("Wichí") and row.name_es.startswith("Wichí")
    assert salta.enabled_languages == ["es", "en", "mzh"]
    with app.test_request_context("/?lang=en"):
        assert languages.label_for(salta, "mzh").startswith("Wichí")
        assert languages.endonym_for(salta, "mzh") == row.endonym
        # A code outside the territory is still named, never an error.
        assert languages.label_for(salta, "quy") == "Ayacucho Quechua" or "Quechua" in languages.label_for(salta, "quy")
        assert languages.label_for(salta, "12345") == "12345"


def test_names_typed_by_the_territory_win_over_the_suggestions(app, salta):
    data = languages.LanguageInput(code="MZH", endonym="Wichí Lhämtes", name_en="Wichi", interface_language="es")
    row = languages.add_language(salta, data)
    assert row.code == "mzh"  # the standard form of the code
    assert (row.endonym, row.name_en) == ("Wichí Lhämtes", "Wichi")
    assert row.name_pt  # left empty: suggested
    languages.edit_language(salta, "mzh", languages.LanguageInput(code="mzh", endonym="Wichí", interface_language="pt"))
    assert salta.language("mzh").endonym == "Wichí"
    assert languages.interface_for(salta, "mzh") == "pt"


@pytest.mark.parametrize("typed", ["", "xx-not", "qaa", "zzz", "mzh!"])
def test_a_code_that_names_no_language_is_refused(app, salta, typed):
    with app.test_request_context("/?lang=en"):
        with pytest.raises(languages.LanguageError) as error:
            languages.add_language(salta, languages.LanguageInput(code=typed))
        assert error.value.field == "code"
        assert "code" in str(error.value.message)
    assert salta.enabled_languages == ["es", "en"]


def test_a_language_twice_is_refused(app, salta):
    with pytest.raises(languages.LanguageError, match="already"):
        languages.add_language(salta, languages.LanguageInput(code="en"))


def test_a_language_in_use_cannot_be_removed(app, salta):
    languages.add_language(salta, languages.LanguageInput(code="mzh"))
    languages.add_language(salta, languages.LanguageInput(code="gn"))
    consultations.create_consultation(
        salta, slug="agua-2026", title={"es": "Agua"}, languages=["es", "mzh"], fallback_language="es"
    )
    db.session.commit()
    with app.test_request_context("/?lang=en"):
        with pytest.raises(languages.LanguageError, match="default language"):
            languages.remove_language(salta, "es")
        with pytest.raises(languages.LanguageError, match="Agua"):
            languages.remove_language(salta, "mzh")
    languages.remove_language(salta, "gn")
    db.session.commit()
    assert salta.enabled_languages == ["es", "en", "mzh"]
    assert [row.position for row in salta.languages] == [0, 1, 2]


def test_a_consultation_in_a_new_language_adds_it_to_its_territory(app, salta):
    consultations.create_consultation(
        salta, slug="agua-2026", title={"es": "Agua"}, languages=["es", "quy"], fallback_language="es"
    )
    assert "quy" in salta.enabled_languages
    with pytest.raises(consultations.ConsultationError):
        consultations.create_consultation(
            salta, slug="agua-2027", title={"es": "Agua"}, languages=["es", "qaa"], fallback_language="es"
        )


def test_territories_created_with_a_code_outside_the_old_six(app, create_territory):
    territory = create_territory("chaco", "Chaco", "AR", enabled_languages=["es", "tob", "mzh"])
    assert territory.enabled_languages == ["es", "tob", "mzh"]
    assert all(row.endonym for row in territory.languages)


# -- the screen --------------------------------------------------------------------------------------


def test_the_screen_suggests_names_adds_edits_and_removes(client, official, salta):
    client.login(official.email)
    home = _text(client.get("/t/salta/?lang=en"))
    assert "Languages" in home
    page = client.get("/t/salta/languages?lang=en")
    assert page.status_code == 200 and "Add a language" in _text(page)
    # "Suggest names" fills the names in from the code, nothing saved yet.
    suggested = client.submit("/t/salta/languages?lang=en", {"code": "mzh", "action": "suggest"})
    html = suggested.get_data(as_text=True)
    assert suggested.status_code == 200 and 'value="Wichí' in html
    assert db.session.scalar(sa.select(TerritoryLanguage).where(TerritoryLanguage.code == "mzh")) is None
    added = client.submit(
        "/t/salta/languages?lang=en",
        {"code": "mzh", "endonym": "Wichí Lhämtes", "name_es": "", "name_en": "Wichi", "name_pt": "", "action": "add"},
    )
    assert added.status_code == 302
    listing = client.get("/t/salta/languages?lang=en").get_data(as_text=True)
    assert '<td lang="mzh">Wichí Lhämtes</td>' in listing
    edited = client.submit(
        "/t/salta/languages/mzh?lang=en",
        {"endonym": "Wichí", "name_es": "Wichí", "name_en": "Wichí", "name_pt": "Wichí", "interface_language": "pt"},
    )
    assert edited.status_code == 302
    row = db.session.scalar(sa.select(TerritoryLanguage).where(TerritoryLanguage.code == "mzh"))
    assert (row.endonym, row.interface_language) == ("Wichí", "pt")
    removed = client.submit("/t/salta/languages/mzh/remove?lang=en", {}, form_url="/t/salta/languages?lang=en")
    assert removed.status_code == 302
    assert db.session.get(Territory, salta.id).enabled_languages == ["es", "en"]


def test_the_screen_says_why_a_code_is_refused_and_keeps_what_was_typed(client, official, salta):
    client.login(official.email)
    response = client.submit(
        "/t/salta/languages?lang=en", {"code": "wichi", "endonym": "Wichí Lhämtes", "action": "add"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "is not a valid language code" in _text(response)
    assert 'value="Wichí Lhämtes"' in html and 'value="wichi"' in html
    refused = client.submit("/t/salta/languages/es/remove?lang=en", {}, form_url="/t/salta/languages?lang=en")
    assert refused.status_code == 302
    assert "default language" in _text(client.get("/t/salta/languages?lang=en"))


def test_only_officials_and_network_admins_manage_languages(client, create_user, salta):
    analyst = create_user("analyst@salta.example", roles={salta: ["analyst"]})
    client.login(analyst.email)
    assert client.get("/t/salta/languages").status_code == 403
    assert "/t/salta/languages" not in client.get("/t/salta/").get_data(as_text=True)


def test_a_territory_made_on_the_web_starts_with_its_default_language_only(client, create_user):
    admin = create_user("admin@network.example", is_network_admin=True)
    client.login(admin.email)
    response = client.submit(
        "/admin/territories?lang=en",
        {"name": "Jujuy", "slug": "jujuy", "country_code": "AR", "subdivision_code": "", "default_language": "es"},
    )
    assert response.status_code == 302
    territory = db.session.scalar(sa.select(Territory).where(Territory.slug == "jujuy"))
    assert territory.enabled_languages == ["es"]


# -- the migration -----------------------------------------------------------------------------------


def test_the_migration_copies_each_territorys_languages_into_rows(tmp_path):
    url = scratch_postgres_url(PG_URL) if PG_URL else f"sqlite:///{tmp_path / 'languages.sqlite3'}"
    app = create_app({"env": "testing", "database_url": url})
    with app.app_context():
        flask_migrate.upgrade(revision="5d6246aa9e44")
        territories = sa.table(
            "territories",
            sa.column("slug", sa.String),
            sa.column("name", sa.String),
            sa.column("country_code", sa.String),
            sa.column("default_language", sa.String),
            sa.column("enabled_languages", sa.JSON),
            sa.column("created_at", sa.DateTime),
        )
        now = datetime(2026, 11, 29, 12, 0)
        with db.engine.begin() as connection:
            connection.execute(
                territories.insert(),
                [
                    {
                        "slug": "salta",
                        "name": "Salta",
                        "country_code": "AR",
                        "default_language": "es",
                        "enabled_languages": ["es", "qu", "gn"],
                        "created_at": now,
                    },
                    {
                        "slug": "brasilia",
                        "name": "Brasília",
                        "country_code": "BR",
                        "default_language": "pt",
                        "enabled_languages": ["es"],
                        "created_at": now,
                    },
                ],
            )
        flask_migrate.upgrade(revision="a12000000001")
        with db.engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "select t.slug, l.code, l.position, l.endonym, l.name_en from territory_languages l "
                    "join territories t on t.id = l.territory_id order by t.slug, l.position"
                )
            ).all()
            columns = {c["name"] for c in sa.inspect(connection).get_columns("territories")}
        assert [(r[0], r[1], r[2]) for r in rows] == [
            ("brasilia", "pt", 0),
            ("brasilia", "es", 1),
            ("salta", "es", 0),
            ("salta", "qu", 1),
            ("salta", "gn", 2),
        ]
        assert dict(((r[0], r[1]), r[4]) for r in rows)[("salta", "gn")] == "Guarani"
        assert "enabled_languages" not in columns
        flask_migrate.downgrade(revision="5d6246aa9e44")
        with db.engine.connect() as connection:
            back = dict(connection.execute(sa.select(territories.c.slug, territories.c.enabled_languages)).all())
        assert back == {"salta": ["es", "qu", "gn"], "brasilia": ["pt", "es"]}
        flask_migrate.downgrade(revision="base")
        db.engine.dispose()
