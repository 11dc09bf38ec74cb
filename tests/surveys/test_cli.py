"""``flask surveys …``: exit codes and what the operator reads."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from consult.surveys.models import Instrument, InstrumentVersion
from tests.surveys.store_helpers import definition, make_instrument, xlsform_with_warnings  # noqa: F401  (fixture)


def _xlsform(tmp_path, name="form.xlsx", **changes):
    """An XLSForm written by our own exporter from the test definition."""
    from consult.surveys.xlsform import export_xlsform

    path = tmp_path / name
    path.write_bytes(export_xlsform(definition(**changes)))
    return path


def test_import_xlsform_prints_the_new_id_and_refuses_bad_files(runner, db, create_territory, tmp_path):
    create_territory("salta", country="AR")
    result = runner.invoke(args=["surveys", "import-xlsform", str(_xlsform(tmp_path)), "--territory", "salta"])
    assert result.exit_code == 0, result.output
    instrument = db.session.scalar(select(Instrument))
    assert f"Instrument {instrument.id} (water_survey): new instrument, version 1 (draft)." in result.output
    again = runner.invoke(args=["surveys", "import-xlsform", str(_xlsform(tmp_path)), "--territory", "salta"])
    assert again.exit_code == 0 and "unchanged" in again.output
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"this is not a workbook")
    refused = runner.invoke(args=["surveys", "import-xlsform", str(bad), "--territory", "salta"])
    assert refused.exit_code == 1 and "Error:" in refused.output
    missing = runner.invoke(args=["surveys", "import-xlsform", str(_xlsform(tmp_path)), "--territory", "nowhere"])
    assert missing.exit_code == 2 and "No territory nowhere" in missing.output
    assert db.session.scalar(select(func.count(InstrumentVersion.id))) == 1


def test_import_xlsform_prints_every_warning(runner, create_territory, tmp_path):
    create_territory("salta", country="AR")
    path = tmp_path / "kobo.xlsx"
    path.write_bytes(xlsform_with_warnings())
    result = runner.invoke(args=["surveys", "import-xlsform", str(path), "--territory", "salta"])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 2 and all("sheet survey, row 2" in line for line in warnings)
    result = runner.invoke(args=["surveys", "validate", str(path)])
    assert result.exit_code == 0 and result.output.count("warning: ") == 2 and "kobo.xlsx: valid." in result.output


def test_import_xlsform_refusal_lists_every_error_with_sheet_and_row(runner, db, create_territory, tmp_path):
    from openpyxl import Workbook

    create_territory("salta", country="AR")
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label"])
    survey.append(["select_one nowhere", "q1", "Question one"])
    survey.append(["begin repeat", "r1", "A repeat"])
    survey.append(["end repeat", "", ""])
    book.create_sheet("choices").append(["list_name", "name", "label"])
    path = tmp_path / "refused.xlsx"
    book.save(path)
    result = runner.invoke(args=["surveys", "import-xlsform", str(path), "--territory", "salta"])
    assert result.exit_code == 1
    assert "survey" in result.output and "row 2" in result.output.lower()
    assert db.session.scalar(select(func.count(Instrument.id))) == 0


def test_export_xlsform_by_id_and_version(runner, make_instrument, tmp_path):
    version = make_instrument()
    out = tmp_path / "out.xlsx"
    result = runner.invoke(args=["surveys", "export-xlsform", str(version.instrument_id), str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:2] == b"PK" and "version 1" in result.output
    result = runner.invoke(args=["surveys", "export-xlsform", f"{version.instrument_id}:1", str(out)])
    assert result.exit_code == 0, result.output
    for reference in (f"{version.instrument_id}:9", "999", "abc"):
        result = runner.invoke(args=["surveys", "export-xlsform", reference, str(out)])
        assert result.exit_code == 2, (reference, result.output)


def test_validate_prints_every_problem_with_where(runner, tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(definition()), encoding="utf-8")
    result = runner.invoke(args=["surveys", "validate", str(good)])
    assert result.exit_code == 0 and "good.json: valid." in result.output
    broken = definition()
    broken["sections"][1]["pages"][1]["questions"][0]["key"] = "Q1"
    broken["sections"][1]["pages"][1]["routing"] = [{"goto": "nowhere"}]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(broken), encoding="utf-8")
    result = runner.invoke(args=["surveys", "validate", str(bad)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if ": " in line and not line.startswith("bad.json")]
    assert len(lines) >= 2 and all(line.split(": ", 1)[0] for line in lines), result.output
    not_json = tmp_path / "broken.json"
    not_json.write_text("{", encoding="utf-8")
    result = runner.invoke(args=["surveys", "validate", str(not_json)])
    assert result.exit_code == 1 and "not valid JSON" in result.output
    assert runner.invoke(args=["surveys", "validate", str(_xlsform(tmp_path))]).exit_code == 0


def test_load_library_is_idempotent_and_publishes_on_request(runner, db):
    first = runner.invoke(args=["surveys", "load-library", "--publish"])
    assert first.exit_code == 0, first.output
    assert "community_risk: created" in first.output and "published" in first.output
    count = db.session.scalar(select(func.count(InstrumentVersion.id)))
    second = runner.invoke(args=["surveys", "load-library"])
    assert second.exit_code == 0 and "community_risk: unchanged" in second.output
    assert db.session.scalar(select(func.count(InstrumentVersion.id))) == count


def test_import_json_needs_an_owner(runner, tmp_path, db):
    path = tmp_path / "water.json"
    path.write_text(json.dumps(definition()), encoding="utf-8")
    assert runner.invoke(args=["surveys", "import-json", str(path)]).exit_code == 2
    result = runner.invoke(args=["surveys", "import-json", str(path), "--library"])
    assert result.exit_code == 0 and "new instrument" in result.output
    assert db.session.scalar(select(Instrument)).is_library


def test_demo_step_loads_and_publishes_the_library_idempotently(db):
    from consult.surveys.demo import seed_surveys

    seed_surveys()
    db.session.commit()
    versions = db.session.scalars(select(InstrumentVersion)).all()
    assert len(versions) == 3 and all(v.is_published for v in versions)
    seed_surveys()
    db.session.commit()
    assert db.session.scalar(select(func.count(InstrumentVersion.id))) == 3
