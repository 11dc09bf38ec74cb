"""The built-in instrument library and the demo territories' localities.

The three instruments must be valid, complete in Spanish, English and Portuguese,
use DESIGN.md's vocabulary codes, and skip what does not apply to a respondent.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from consult.surveys import labels
from consult.surveys.engine import Instrument
from consult.surveys.paths import on_path_answers, path_pages, visible_questions

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = ROOT / "consult" / "surveys" / "library"
LOCALITIES = ROOT / "consult" / "accounts" / "data" / "localities"
KEYS = ["community_risk", "company_self_assessment", "remedy_testimony"]
LANGUAGES = {"es", "en", "pt"}
TEXT_MEMBERS = {"title", "description", "text", "help", "label", "unit"}


def load(key: str) -> dict:
    return json.loads((LIBRARY / f"{key}.json").read_text(encoding="utf-8"))


def questions(definition: dict) -> list[dict]:
    return [q for s in definition["sections"] for p in s["pages"] for q in p["questions"]]


def question(definition: dict, key: str) -> dict:
    (found,) = [q for q in questions(definition) if q["key"] == key]
    return found


def codes(q: dict) -> list[str]:
    return [o["value"] for o in q.get("options", [])]


def iter_texts(node, path=""):
    """Every text object of a definition: values of the text members, option and point labels, messages."""
    if isinstance(node, dict):
        for name, value in node.items():
            here = f"{path}.{name}" if path else name
            if name in TEXT_MEMBERS and isinstance(value, dict):
                yield here, value
            elif name == "messages":
                for message, text in value.items():
                    yield f"{here}.{message}", text
            elif name == "other" and isinstance(value, dict):
                yield f"{here}.label", value["label"]
            else:
                yield from iter_texts(value, here)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from iter_texts(item, f"{path}[{i}]")


# -- the library files ------------------------------------------------------------------------


def test_library_holds_the_three_instruments():
    assert sorted(p.stem for p in LIBRARY.glob("*.json")) == sorted(KEYS)


@pytest.mark.parametrize("key", KEYS)
def test_instrument_loads_and_declares_its_languages(key):
    definition = load(key)
    assert definition["format"] == 1
    assert definition["key"] == key
    # es, en and pt in full; the community survey also offers Guarani (gn), partly and as drafts.
    assert LANGUAGES <= set(definition["languages"])
    assert definition["fallback_language"] == "es"
    instrument = Instrument.from_dict(definition)
    assert len(instrument.pages) >= 8


@pytest.mark.parametrize("key", KEYS)
def test_instrument_validates_with_no_problems(key):
    from consult.surveys.validation import validate_definition

    assert validate_definition(load(key)) == []


@pytest.mark.parametrize("key", KEYS)
def test_every_language_is_complete(key):
    from consult.surveys.texts import completeness

    definition = load(key)
    reports = {r.language: r for r in completeness(definition, {})}
    assert set(reports) == set(definition["languages"])
    for report in reports.values():
        if report.language not in LANGUAGES:
            # A language beyond es/en/pt is partial, and every text in it is marked as a draft translation.
            assert report.drafts and len(report.drafts) == report.translated, report.language
            continue
        assert report.is_complete, (report.language, report.missing[:5])
        assert report.percent == 100
        assert report.total > 50


@pytest.mark.parametrize("key", KEYS)
def test_every_text_has_spanish_english_and_portuguese(key):
    definition = load(key)
    found = list(iter_texts(definition))
    assert len(found) > 50
    for path, text in found:
        assert LANGUAGES <= set(text) <= set(definition["languages"]), path
        for lang, value in text.items():
            assert value.strip() == value and value, (path, lang)
        # A translation is not the Spanish copied over (short labels such as "No" or "Radio" may coincide).
        if len(text["es"]) > 25:
            assert text["en"] != text["es"] and text["pt"] != text["es"], path


@pytest.mark.parametrize("key", KEYS)
def test_keys_are_unique_and_stable_looking(key):
    definition = load(key)
    keys = [s["key"] for s in definition["sections"]]
    keys += [p["key"] for s in definition["sections"] for p in s["pages"]]
    keys += [q["key"] for q in questions(definition)]
    assert len(keys) == len(set(keys))
    # Question keys are a section letter and a number: A1, C4 ... (what evidence links cite).
    for q in questions(definition):
        assert re.fullmatch(r"[A-F][0-9]", q["key"]), q["key"]
        values = codes(q)
        assert len(values) == len(set(values)), q["key"]
        assert all(re.fullmatch(r"[a-z][a-z0-9_]*", v) for v in values), q["key"]


@pytest.mark.parametrize("key", KEYS)
def test_nothing_is_required_but_the_testimony_consent(key):
    required = [q["key"] for q in questions(load(key)) if q.get("required")]
    assert required == (["A1"] if key == "remedy_testimony" else [])


@pytest.mark.parametrize("key", KEYS)
def test_pages_are_short_enough_for_a_phone(key):
    for section in load(key)["sections"]:
        for page in section["pages"]:
            asked = [q for q in page["questions"] if q["type"] != "info"]
            assert len(asked) <= 3, page["key"]


def test_vocabulary_codes_are_designs():
    """Rights, sectors, mechanisms, outcomes, barriers and ILO indicators use the engine's codes."""
    community, testimony, company = load("community_risk"), load("remedy_testimony"), load("company_self_assessment")
    rights = set(labels.RIGHTS)
    assert set(codes(question(community, "C1"))) == rights | {"none", "prefer_not"}
    assert set(codes(question(community, "C2"))) == rights
    assert set(codes(question(testimony, "D2"))) == rights | {"not_sure"}
    assert set(codes(question(company, "B2"))) == rights | {"none"}
    assert set(codes(question(community, "B1"))) == set(labels.SECTORS) | {"dont_know"}
    assert set(codes(question(company, "A3"))) == set(labels.SECTORS)
    assert set(codes(question(testimony, "D4"))) == set(labels.SECTORS) | {"dont_know"}
    assert set(codes(question(testimony, "D5"))) == set(labels.INVOLVEMENT)
    assert set(codes(question(testimony, "E1"))) == set(labels.MECHANISM_TYPES) | {"nowhere"}
    assert set(codes(question(testimony, "E5"))) == set(labels.MECHANISM_TYPES)
    assert set(codes(question(testimony, "E2"))) == set(labels.BARRIERS)
    assert set(codes(question(testimony, "E3"))) == set(labels.OUTCOMES)
    assert set(codes(question(community, "C4"))) == set(labels.FORCED_LABOUR_INDICATORS)
    engaged = set(codes(question(company, "B4"))) - {"none"}
    assert engaged <= set(labels.STAKEHOLDER_GROUPS)
    for definition, key in ((community, "A2"), (company, "A1")):
        assert set(question(definition, key)["groups"]) <= set(labels.STAKEHOLDER_GROUPS)


def test_exclusive_options():
    community, testimony = load("community_risk"), load("remedy_testimony")
    exclusive = {o["value"] for o in question(community, "C1")["options"] if o.get("exclusive")}
    assert exclusive == {"none", "prefer_not"}
    assert {o["value"] for o in question(testimony, "E1")["options"] if o.get("exclusive")} == {"nowhere"}
    assert question(community, "E1")["max_choices"] == 3
    assert "other" in question(community, "E1")


def test_forced_labour_indicators_are_flagged_for_expert_review():
    """The flag sits on the question (the format has no per-option flags), so every
    indicator ticked goes to an expert, and the question holds nothing but the 11."""
    instrument = Instrument.from_dict(load("community_risk"))
    indicators = instrument.question("C4")
    assert indicators.has_flag("expert_review")
    assert indicators.option_values == tuple(labels.FORCED_LABOUR_INDICATORS)
    assert indicators.other is None
    flagged = [q.key for q in instrument.questions if q.has_flag("expert_review")]
    assert flagged == ["C4"]


def test_testimony_consent_is_required_with_the_four_uses():
    consent = question(load("remedy_testimony"), "A1")
    assert consent["type"] == "consent"
    assert consent["required"] is True
    assert codes(consent) == ["aggregate", "quote", "publish", "share_authorities"]


def test_built_in_block_types_are_used():
    used = {q["type"] for key in KEYS for q in questions(load(key))}
    assert {"territory", "stakeholder_group", "severity", "ungp31", "consent", "info"} <= used


# -- skip logic ---------------------------------------------------------------------------------


def page_keys(key: str, answers: dict) -> list[str]:
    return [p.key for p in path_pages(Instrument.from_dict(load(key)), answers)]


def test_community_harm_pages_follow_the_rights_harmed():
    nothing = page_keys("community_risk", {"C1": ["none"]})
    for skipped in ("p_main_harm", "p_severity", "p_forced_labour", "p_who_harmed"):
        assert skipped not in nothing
    water = page_keys("community_risk", {"C1": ["water_sanitation"], "C2": "water_sanitation"})
    assert {"p_main_harm", "p_severity", "p_who_harmed"} <= set(water)
    assert "p_forced_labour" not in water
    work = page_keys("community_risk", {"C1": ["water_sanitation", "working_conditions"]})
    assert "p_forced_labour" in work
    # An indicator answered before the work-related right was unticked no longer counts.
    instrument = Instrument.from_dict(load("community_risk"))
    counted = on_path_answers(instrument, {"C1": ["water_sanitation"], "C4": ["deception"]})
    assert "C4" not in counted


def test_community_safe_path_only_when_threats_are_reported():
    assert "p_defenders_safe" not in page_keys("community_risk", {"D2": "no"})
    assert "p_defenders_safe" not in page_keys("community_risk", {"D2": "prefer_not"})
    instrument = Instrument.from_dict(load("community_risk"))
    page = instrument.page("p_defenders_safe")
    assert page in path_pages(instrument, {"D2": "yes"})
    assert all("safe_path" in q.flags for q in page.questions)


def test_company_rates_its_mechanism_only_if_it_has_one():
    assert "p_mechanism_rating" not in page_keys("company_self_assessment", {"D1": "no"})
    assert "p_grievance_numbers" not in page_keys("company_self_assessment", {})
    keys = page_keys("company_self_assessment", {"D1": "workers_only"})
    assert {"p_mechanism_rating", "p_grievance_numbers"} <= set(keys)
    rating = question(load("company_self_assessment"), "D2")
    assert "engagement" in rating["criteria"]
    for number in ("D3", "D4"):
        assert question(load("company_self_assessment"), number)["min"] == 0


def test_testimony_follows_where_help_was_sought():
    nowhere = page_keys("remedy_testimony", {"E1": ["nowhere"]})
    assert "p_barriers" in nowhere
    for skipped in ("p_outcomes", "p_time", "p_main_mechanism", "p_mechanism_rating", "p_remedy_complete"):
        assert skipped not in nowhere
    court = page_keys("remedy_testimony", {"E1": ["state_judicial", "company_grievance"], "E5": "state_judicial"})
    assert "p_barriers" not in court
    assert {"p_outcomes", "p_time", "p_main_mechanism", "p_mechanism_rating", "p_remedy_complete"} <= set(court)


def test_testimony_rates_engagement_only_for_a_company_mechanism():
    instrument = Instrument.from_dict(load("remedy_testimony"))
    page = instrument.page("p_mechanism_rating")
    answers = {"E1": ["company_grievance"], "E5": "company_grievance"}
    assert [q.key for q in visible_questions(instrument, page, answers)] == ["E7"]
    assert "engagement" in instrument.question("E7").get("criteria")
    answers = {"E1": ["ombudsman_nhri"], "E5": "ombudsman_nhri"}
    assert [q.key for q in visible_questions(instrument, page, answers)] == ["E6"]
    assert "engagement" not in instrument.question("E6").get("criteria")


def test_testimony_dates_and_authority_follow_earlier_answers():
    instrument = Instrument.from_dict(load("remedy_testimony"))
    dates = instrument.page("p_dates")
    assert dates not in path_pages(instrument, {"C1": "dont_remember"})
    assert [q.key for q in visible_questions(instrument, dates, {"C1": "period_ended"})] == ["C3"]
    assert [q.key for q in visible_questions(instrument, dates, {"C1": "still_happening"})] == ["C4"]
    assert "p_authority" not in page_keys("remedy_testimony", {"A1": ["aggregate", "quote"]})
    assert "p_authority" in page_keys("remedy_testimony", {"A1": ["aggregate", "share_authorities"]})
    assert "p_reprisals_detail" in page_keys("remedy_testimony", {"F1": "yes"})
    assert "p_reprisals_detail" not in page_keys("remedy_testimony", {"F1": "prefer_not"})


# -- localities ---------------------------------------------------------------------------------

ANTIOQUIA_SUBREGIONS = {
    "Valle de Aburrá": 10,
    "Bajo Cauca": 6,
    "Magdalena Medio": 6,
    "Nordeste": 10,
    "Norte": 17,
    "Occidente": 19,
    "Oriente": 23,
    "Suroeste": 23,
    "Urabá": 11,
}


def read_rows(name: str) -> list[dict]:
    with open(LOCALITIES / name, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["code", "name", "area"]
        return list(reader)


def test_antioquia_has_its_125_municipalities_with_dane_codes():
    rows = read_rows("antioquia.csv")
    assert len(rows) == 125
    assert len({r["code"] for r in rows}) == 125
    assert len({r["name"] for r in rows}) == 125
    assert all(re.fullmatch(r"05\d{3}", r["code"]) for r in rows)
    by_code = {r["code"]: r for r in rows}
    assert by_code["05001"]["name"] == "Medellín" and by_code["05001"]["area"] == "Valle de Aburrá"
    assert by_code["05045"]["name"] == "Apartadó" and by_code["05045"]["area"] == "Urabá"
    assert by_code["05154"]["name"] == "Caucasia" and by_code["05154"]["area"] == "Bajo Cauca"
    assert by_code["05615"]["name"] == "Rionegro" and by_code["05615"]["area"] == "Oriente"
    assert by_code["05895"]["name"] == "Zaragoza"
    counts = {area: sum(r["area"] == area for r in rows) for area in ANTIOQUIA_SUBREGIONS}
    assert counts == ANTIOQUIA_SUBREGIONS


def test_salta_has_its_23_departments_with_indec_codes():
    rows = read_rows("salta.csv")
    assert len(rows) == 23
    assert len({r["code"] for r in rows}) == 23
    # INDEC numbers Salta's departments 66007, 66014, ... 66161, in alphabetical order.
    assert [r["code"] for r in rows] == [f"66{n:03d}" for n in range(7, 162, 7)]
    by_code = {r["code"]: r for r in rows}
    assert by_code["66028"]["name"] == "Capital" and by_code["66028"]["area"] == "Valle de Lerma"
    assert by_code["66105"]["name"] == "Los Andes" and by_code["66105"]["area"] == "Puna"
    assert by_code["66021"]["area"] == "Valles Calchaquíes"
    assert {r["area"] for r in rows} == {
        "Valle de Lerma",
        "Valles Calchaquíes",
        "Puna",
        "Norte y Chaco salteño",
        "Sur",
        "Anta",
    }


@pytest.mark.parametrize("name,count", [("antioquia.csv", 125), ("salta.csv", 23)])
def test_localities_import_through_the_officials_importer(create_territory, db, name, count):
    from consult.accounts.services import import_localities

    territory = create_territory(Path(name).stem)
    data = (LOCALITIES / name).read_text(encoding="utf-8")
    result = import_localities(territory, data)
    db.session.commit()
    assert (result.created, result.updated, result.errors) == (count, 0, [])
    assert len(territory.localities) == count
    again = import_localities(territory, data)
    assert (again.created, again.updated, again.errors) == (0, count, [])


def test_demo_territories_get_their_localities_once(app, db):
    from consult.accounts.demo import seed_accounts
    from consult.accounts.models import Territory

    seed_accounts()
    db.session.commit()
    seed_accounts()
    db.session.commit()
    counts = {t.slug: len(t.localities) for t in db.session.scalars(db.select(Territory))}
    assert counts == {"antioquia": 125, "salta": 23}
    antioquia = db.session.scalar(db.select(Territory).where(Territory.slug == "antioquia"))
    medellin = next(loc for loc in antioquia.localities if loc.code == "05001")
    assert (medellin.name, medellin.area) == ("Medellín", "Valle de Aburrá")


def test_library_loads_into_the_shared_library(app, db):
    from consult.surveys import services

    loads = services.load_library()
    assert sorted(load.key for load in loads) == sorted(KEYS)
    again = services.load_library()
    assert {load.action for load in again} == {"unchanged"}


@pytest.mark.parametrize("key", KEYS)
def test_every_page_previews_in_spanish_english_and_portuguese(app, client, create_territory, create_user, key):
    """An official previews each page in each language and reads its questions in that language."""
    from markupsafe import escape

    from consult.surveys import services

    (load_,) = [load for load in services.load_library() if load.key == key]
    territory = create_territory("antioquia")
    official = create_user(roles={territory: ["official"]})
    client.login(official.email)
    definition = load(key)
    base = f"/t/antioquia/instruments/{load_.version.instrument_id}/versions/{load_.version.number}/preview"
    for section in definition["sections"]:
        for page in section["pages"]:
            for lang in sorted(LANGUAGES):
                response = client.get(f"{base}?page={page['key']}&lang={lang}")
                assert response.status_code == 200, (page["key"], lang)
                html = response.get_data(as_text=True)
                assert escape(page["title"][lang]) in html, (page["key"], lang)
                for q in page["questions"]:
                    assert escape(q["text"][lang]) in html, (q["key"], lang)
                    for option in q.get("options", []):
                        assert escape(option["label"][lang]) in html, (q["key"], option["value"], lang)


@pytest.mark.parametrize("key", KEYS)
def test_instrument_exports_as_an_xlsform_pyxform_accepts_and_imports_back(app, tmp_path, key):
    from pyxform.xls2xform import convert

    from consult.surveys.xlsform import export_xlsform
    from consult.surveys.xlsform.reader import import_xlsform

    definition = load(key)
    data = export_xlsform(definition)
    path = tmp_path / f"{key}.xlsx"
    path.write_bytes(data)
    assert "<h:html" in convert(xlsform=str(path)).xform
    result = import_xlsform(data, filename=path.name)
    assert (result.errors, result.warnings) == ([], [])
    back = {q["key"]: q for q in questions(result.definition)}
    for q in questions(definition):
        assert back[q["key"]]["type"] == q["type"], q["key"]
        assert back[q["key"]].get("when") == q.get("when"), q["key"]
        assert codes(back[q["key"]]) == codes(q), q["key"]


def test_localities_csv_has_no_stray_whitespace():
    for name in ("antioquia.csv", "salta.csv"):
        text = (LOCALITIES / name).read_text(encoding="utf-8")
        rows = list(csv.reader(io.StringIO(text)))
        assert all(cell == cell.strip() and cell for row in rows for cell in row), name
