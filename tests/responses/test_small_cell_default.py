"""A new consultation's small-cell threshold starts at the installation's CONSULT_SMALL_CELL."""

from __future__ import annotations


def test_the_installation_default_threshold_is_offered_and_used(app, client, create_territory, create_user, db):
    from consult.responses import services

    territory = create_territory("umbral", "Umbral", "CO")
    official = create_user(roles={territory: ["official"]})
    app.config["CONSULT_SMALL_CELL"] = 7
    client.login(official.email)
    page = client.get("/t/umbral/consultations/new?lang=en").get_data(as_text=True)
    assert 'name="small_cell_threshold"' in page and 'value="7"' in page
    consultation = services.create_consultation(
        territory,
        slug="umbral-2027",
        title={"es": "Umbral"},
        purpose={},
        organiser="",
        languages=["es"],
        fallback_language="es",
        opens_on=None,
        closes_on=None,
    )
    assert consultation.small_cell_threshold == 7
