"""The instrument store: versions, freezing, drafts, publishing, review marking, the library."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from consult.surveys import services
from consult.surveys.models import Instrument, InstrumentVersion, VersionStatus
from consult.surveys.services import SurveyError
from tests.surveys.store_helpers import definition, make_instrument  # noqa: F401  (fixture)

Q1_TEXT = "pages.p_group.questions.Q1.text"
Q1_YES = "pages.p_group.questions.Q1.options.yes.label"


def _count(db, model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def _report(version, lang):
    return next(r for r in services.completeness(version) if r.language == lang)


def test_a_new_instrument_is_a_draft_version_one_with_nothing_to_review(make_instrument, create_territory):
    salta = create_territory("salta", country="AR")
    version = make_instrument(salta)
    assert (version.number, version.status, version.is_frozen) == (1, VersionStatus.DRAFT, False)
    assert version.instrument.key == "water_survey" and version.instrument.territory_id == salta.id
    assert version.instrument.title["en"] == "Water survey"
    for report in services.completeness(version):
        assert report.is_complete and report.percent == 100, report


def test_an_invalid_definition_is_refused_with_every_problem_and_nothing_saved(db, create_territory):
    salta = create_territory("salta", country="AR")
    broken = definition()
    broken["sections"][1]["pages"][1]["questions"][0]["key"] = "Q1"  # a duplicate key
    broken["sections"][0]["pages"][0]["questions"][0]["options"].append({"value": "Bad Value!", "label": {"es": "x"}})
    with pytest.raises(SurveyError) as refused:
        services.create_instrument(broken, salta)
    problems = refused.value.problems
    assert len(problems) >= 2, problems
    assert all(p.message for p in problems) and any("Q1" in p.where or "Q1" in p.message for p in problems)
    db.session.rollback()
    assert _count(db, Instrument) == 0 and _count(db, InstrumentVersion) == 0


def test_keys_are_unique_per_territory_and_in_the_library(db, make_instrument, create_territory):
    salta, antioquia = create_territory("salta", country="AR"), create_territory("antioquia")
    make_instrument(salta)
    make_instrument(antioquia)
    make_instrument(None)
    with pytest.raises(SurveyError):
        services.create_instrument(definition(), salta)
    with pytest.raises(SurveyError):
        services.create_instrument(definition(), None)
    db.session.rollback()
    # The database itself refuses a second library instrument with the same key.
    db.session.add(Instrument(key="water_survey", territory_id=None, title={}))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert _count(db, Instrument) == 3


def test_publishing_freezes_and_editing_then_needs_a_new_draft(db, make_instrument):
    version = make_instrument(publish=True)
    assert version.is_published and version.is_frozen and version.published_at is not None
    with pytest.raises(SurveyError):
        services.update_texts(version, "en", {Q1_TEXT: "Changed"})
    with pytest.raises(SurveyError):
        services.publish(version)
    draft = services.draft_to_edit(version)
    assert draft is not version and draft.number == 2 and not draft.is_frozen
    services.update_texts(draft, "en", {Q1_TEXT: "Is dirty water a problem for you?"})
    db.session.commit()
    assert version.definition["sections"][0]["pages"][0]["questions"][0]["text"]["en"] == "Does dirty water affect you?"
    assert (
        draft.definition["sections"][0]["pages"][0]["questions"][0]["text"]["en"] == "Is dirty water a problem for you?"
    )
    assert services.draft_to_edit(draft) is draft
    assert [v.number for v in version.instrument.versions] == [1, 2]


def test_a_consultation_freezes_a_draft_once(db, make_instrument):
    version = make_instrument()
    services.freeze_version(version)
    first = version.frozen_at
    assert first is not None and version.status == VersionStatus.DRAFT
    services.freeze_version(version)
    assert version.frozen_at == first
    with pytest.raises(SurveyError):
        services.update_texts(version, "es", {Q1_TEXT: "Otra"})
    # A frozen draft may still be published; its definition does not change.
    services.publish(version)
    assert version.is_published and version.frozen_at == first


def test_publish_refuses_an_invalid_version_with_its_problems(db, make_instrument):
    version = make_instrument()
    broken = definition()
    broken["sections"][1]["pages"][1]["routing"] = [{"goto": "no_such_page"}]
    version.definition = broken
    db.session.flush()
    with pytest.raises(SurveyError) as refused:
        services.publish(version)
    assert refused.value.problems
    assert not version.is_published and not version.is_frozen


def test_changing_a_source_text_marks_its_translations_for_review(db, make_instrument):
    version = make_instrument()
    services.update_texts(version, "es", {Q1_TEXT: "¿El agua sucia le hace daño?"})
    assert _report(version, "en").needs_review == [Q1_TEXT]
    assert _report(version, "pt").needs_review == [Q1_TEXT]
    assert _report(version, "es").needs_review == []
    # A new English translation is made from the new source; Portuguese is confirmed as still right.
    result = services.update_texts(version, "en", {Q1_TEXT: "Does dirty water harm you?"})
    assert result.changed == [Q1_TEXT]
    assert _report(version, "en").is_complete
    assert services.update_texts(version, "pt", {}, reviewed=[Q1_TEXT]).reviewed == [Q1_TEXT]
    assert _report(version, "pt").is_complete


def test_an_emptied_translation_is_missing_and_a_source_text_cannot_be_emptied(db, make_instrument):
    version = make_instrument()
    services.update_texts(version, "pt", {Q1_YES: ""})
    assert _report(version, "pt").missing == [Q1_YES]
    with pytest.raises(SurveyError) as refused:
        services.update_texts(version, "es", {Q1_YES: "  "})
    assert [p.where for p in refused.value.problems] == [Q1_YES]
    unknown = services.update_texts(version, "en", {"pages.nowhere.title": "x"})
    assert unknown.unknown == ["pages.nowhere.title"] and unknown.changed == []


def test_a_new_version_with_a_changed_source_keeps_old_translations_for_review(db, make_instrument):
    make_instrument()
    changed = definition()
    changed["sections"][0]["pages"][0]["questions"][0]["text"]["es"] = "¿Tiene problemas con el agua?"
    changed["sections"][0]["pages"][0]["questions"][0]["text"]["pt"] = "Você tem problemas com a água?"
    outcome = services.import_definition(changed, None)
    assert not outcome.created_instrument and outcome.version.number == 2
    # English was left as it was: it needs review. Portuguese was re-translated: it does not.
    assert _report(outcome.version, "en").needs_review == [Q1_TEXT]
    assert _report(outcome.version, "pt").needs_review == []
    again = services.import_definition(changed, None)
    assert again.unchanged and again.version.number == 2


def test_adding_a_language_lists_all_its_texts_as_missing(db, make_instrument):
    version = make_instrument()
    services.add_language(version, "qu")
    report = _report(version, "qu")
    assert report.translated == 0 and len(report.missing) == report.total > 10
    with pytest.raises(SurveyError):
        services.add_language(version, "qu")
    with pytest.raises(SurveyError):
        services.add_language(version, "xx")


def test_copy_a_library_instrument_into_a_territory(db, make_instrument, create_territory):
    salta = create_territory("salta", country="AR")
    library = make_instrument(None, publish=True)
    draft = services.new_draft(library)
    services.update_texts(draft, "en", {Q1_TEXT: "Unpublished wording"})
    copied = services.copy_to_territory(library.instrument, salta)
    db.session.commit()
    assert copied.instrument.territory_id == salta.id and copied.number == 1 and not copied.is_frozen
    # The latest *published* version is what a territory copies.
    assert copied.definition == library.definition
    with pytest.raises(SurveyError):
        services.copy_to_territory(library.instrument, salta)
    with pytest.raises(SurveyError):
        services.copy_to_territory(copied.instrument, salta)


def test_the_built_in_library_loads_idempotently(db, tmp_path):
    loads = services.load_library()
    assert {load.key for load in loads} >= {"community_risk"}
    assert all(load.action == "created" for load in loads)
    for load in loads:
        assert set(load.version.languages) >= {"es", "en", "pt"}
        services.publish(load.version)
    count = _count(db, InstrumentVersion)
    assert all(load.action == "unchanged" for load in services.load_library())
    assert _count(db, InstrumentVersion) == count
    # A changed file becomes a new draft version of the same instrument.
    (tmp_path / "water.json").write_text(json.dumps(definition()), encoding="utf-8")
    assert services.load_library(tmp_path)[0].action == "created"
    changed = definition(description={"es": "Otra descripción"})
    (tmp_path / "water.json").write_text(json.dumps(changed), encoding="utf-8")
    load = services.load_library(tmp_path)[0]
    assert load.action == "new_version" and load.version.number == 2


def test_an_invalid_library_file_is_refused_with_its_name(db, tmp_path):
    (tmp_path / "broken.json").write_text(json.dumps(definition(fallback_language="qu")), encoding="utf-8")
    with pytest.raises(SurveyError) as refused:
        services.load_library(tmp_path)
    assert all(p.where.startswith("broken.json") for p in refused.value.problems)


def test_json_import_reports_where_the_syntax_breaks(db):
    with pytest.raises(SurveyError) as refused:
        services.import_json(b'{"key": "x",\n  "title": }')
    assert "line 2" in str(refused.value.message)
    with pytest.raises(SurveyError):
        services.import_json(b"[1, 2]")
    with pytest.raises(SurveyError):
        services.import_json(b"\xff\xfe\x00")
