"""The shipped action library: complete in es/en/pt, valid codes, every right covered; loading and proposing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from consult.plans import library
from consult.plans.labels import SDG_TARGETS
from consult.plans.models import LibraryAction, Pillar
from consult.surveys.labels import BARRIERS, RIGHTS, SECTORS

SHIPPED = library.shipped_actions()


def _texts(values):
    return {
        lang: {"title": f"T {lang}", "description": f"D {lang}", "indicator": f"I {lang}"} for lang in library.LANGUAGES
    } | (values or {})


def _values(**overrides):
    values = {"pillar": "remedy", "rights": ["water_sanitation"], "barriers": ["language"], "texts": _texts(None)}
    values.update(overrides)
    return values


@pytest.mark.parametrize("raw", SHIPPED, ids=[raw["code"] for raw in SHIPPED])
def test_every_shipped_action_is_complete_and_valid(raw):
    assert re.fullmatch(r"[a-z][a-z0-9_]+", raw["code"])
    assert raw["pillar"] in {p.value for p in Pillar}
    assert raw["rights"] or raw["barriers"]
    assert set(raw["rights"]) <= set(RIGHTS)
    assert set(raw["barriers"]) <= set(BARRIERS)
    assert set(raw["sectors"]) <= set(SECTORS)
    assert set(raw["sdg_targets"]) <= set(SDG_TARGETS)
    assert raw["ungp_principles"] and set(raw["ungp_principles"]) <= library.PILLAR_PRINCIPLES[raw["pillar"]]
    assert raw["gender_marker"] in (0, 1, 2)
    assert raw["indicator_unit"].strip()
    for lang in ("es", "en", "pt"):
        texts = raw["texts"][lang]
        for field in library.TEXT_FIELDS:
            assert texts[field].strip(), (lang, field)
        assert 1 <= texts["description"].count(". ") + 1 <= 3, (lang, texts["description"])
    # The three languages are really three texts, not copies.
    assert len({raw["texts"][lang]["title"] for lang in ("es", "en", "pt")}) == 3
    assert library.validate(raw)["pillar"] == raw["pillar"]


def test_codes_are_unique_and_the_library_covers_every_right_and_barrier():
    codes = [raw["code"] for raw in SHIPPED]
    assert len(codes) == len(set(codes)) >= 40
    covered = {right for raw in SHIPPED for right in raw["rights"]}
    assert covered == set(RIGHTS)
    assert {barrier for raw in SHIPPED for barrier in raw["barriers"]} == set(BARRIERS)
    pillars_per_right = {right: {raw["pillar"] for raw in SHIPPED if right in raw["rights"]} for right in RIGHTS}
    # Most rights have actions in at least two pillars; every pillar has actions.
    assert sum(len(p) >= 2 for p in pillars_per_right.values()) >= len(RIGHTS) * 3 // 4, pillars_per_right
    assert {raw["pillar"] for raw in SHIPPED} == {"protect", "respect", "remedy"}


def test_ensure_shipped_is_idempotent_and_keeps_an_admins_choices(db):
    library.ensure_shipped()
    db.session.commit()
    count = db.session.scalar(select(func.count()).select_from(LibraryAction))
    assert count == len(SHIPPED)
    water = library.get_by_code("water_inspection_programme")
    assert water.is_shipped and water.is_active and water.pillar == Pillar.PROTECT
    assert library.text(water, "title", "pt").startswith("Programa de fiscalização")

    library.set_active(water, False)
    mine = library.create("my_water_action", **_values())
    db.session.commit()
    library.ensure_shipped()
    library.ensure_shipped()
    db.session.commit()
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(LibraryAction)) == count + 1
    assert library.get_by_code("water_inspection_programme").is_active is False
    mine = library.get_by_code("my_water_action")
    assert mine.is_shipped is False and library.text(mine, "title", "en") == "T en"

    # A shipped entry whose stored text drifted (an older release) is brought up to date.
    water = library.get_by_code("water_inspection_programme")
    water.texts = {"es": {"title": "viejo"}}
    db.session.commit()
    library.ensure_shipped()
    db.session.commit()
    db.session.expire_all()
    water = library.get_by_code("water_inspection_programme")
    assert library.text(water, "title", "es").startswith("Programa de inspección")
    assert water.is_active is False


def test_propose_filters_by_right_and_barrier_in_pillar_order(db):
    library.ensure_shipped()
    db.session.commit()
    proposed = library.propose(["water_sanitation"], ["language"])
    codes = [a.code for a in proposed]
    assert "water_inspection_programme" in codes and "community_environmental_monitoring" in codes
    assert "interpreters_at_the_ombudsman" in codes
    assert all("water_sanitation" in a.rights or "language" in a.barriers for a in proposed)
    order = {"protect": 0, "respect": 1, "remedy": 2}
    keys = [(order[a.pillar.value], a.code) for a in proposed]
    assert keys == sorted(keys)
    assert {a.pillar.value for a in proposed} == {"protect", "respect", "remedy"}
    assert library.propose([], []) == []
    assert library.propose(["no_such_right"]) == []

    library.set_active(library.get_by_code("water_inspection_programme"), False)
    db.session.commit()
    assert "water_inspection_programme" not in [a.code for a in library.propose(["water_sanitation"])]


def test_text_falls_back_to_spanish_then_english(db):
    entry = LibraryAction(
        code="x", pillar=Pillar.REMEDY, texts={"es": {"title": "Título"}, "en": {"title": "Title", "partners": "P"}}
    )
    assert library.text(entry, "title", "pt") == "Título"
    assert library.text(entry, "title", "en") == "Title"
    assert library.text(entry, "partners", "pt") == "P"
    assert library.text(entry, "lead_entity", "es") == ""


@pytest.mark.parametrize(
    ("code", "values", "field"),
    [
        ("Bad Code", _values(), "code"),
        ("ok_code", _values(pillar="nowhere"), "pillar"),
        ("ok_code", _values(rights=["rainbows"]), "rights"),
        ("ok_code", _values(rights=[], barriers=[]), "rights"),
        ("ok_code", _values(barriers=["too_far"]), "barriers"),
        ("ok_code", _values(sectors=["space"]), "sectors"),
        ("ok_code", _values(ungp_principles=["3"]), "ungp_principles"),
        ("ok_code", _values(ungp_principles=["40"]), "ungp_principles"),
        ("ok_code", _values(sdg_targets=["1.1"]), "sdg_targets"),
        ("ok_code", _values(gender_marker="7"), "gender_marker"),
        (
            "ok_code",
            _values(texts=_texts({"pt": {"title": "T", "description": "", "indicator": "I"}})),
            "description_pt",
        ),
        ("water_inspection_programme", _values(), "code"),
    ],
)
def test_create_refuses_bad_input_with_a_translated_message(db, code, values, field):
    with pytest.raises(library.LibraryError) as error:
        library.create(code, **values)
    assert error.value.field == field
    assert str(error.value.message)


def test_update_and_reactivate_an_admins_action(db):
    entry = library.create("legal_aid_north", **_values(ungp_principles=["26"], sectors=["mining"]))
    db.session.commit()
    library.update(entry, **_values(pillar="respect", ungp_principles=["17"], gender_marker=2))
    library.set_active(entry, False)
    library.set_active(entry, True)
    db.session.commit()
    db.session.expire_all()
    entry = library.get_by_code("legal_aid_north")
    assert entry.pillar == Pillar.RESPECT and entry.ungp_principles == ["17"] and entry.gender_marker == 2
    assert entry.sectors == [] and entry.is_active
    with pytest.raises(library.LibraryError):
        library.update(entry, **_values(pillar="respect", ungp_principles=["27"]))
