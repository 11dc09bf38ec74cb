"""Uploads read within bounds (issue 11, findings 6 and 7): deep or NUL-bearing JSON, zip bombs and huge
definitions are refused at once with a clear message, at every entry point; never a 500 or a traceback."""

from __future__ import annotations

import io
import json
import time
import zipfile

import openpyxl
import pytest
from sqlalchemy import func, select

from consult.core import uploads
from consult.responses import import_files
from consult.surveys import content_i18n, services
from consult.surveys.models import Instrument
from consult.surveys.services import SurveyError
from tests.surveys.store_helpers import definition, make_instrument  # noqa: F401  (fixture)

DEEP = b'{"key": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"


def _nul_definition() -> bytes:
    data = definition()
    data["title"]["es"] = "Encuesta\x00del agua"
    return json.dumps(data).encode()


def _huge_definition(questions: int = 20_000) -> dict:
    data = definition()
    page = data["sections"][0]["pages"][0]
    page["questions"] = [{"key": f"Q{n}", "type": "text", "text": {"es": f"Pregunta {n}"}} for n in range(questions)]
    return data


def bomb(expanded: int = 5_000_000, name: str = "xl/worksheets/sheet1.xml") -> bytes:
    """A small zip that declares a workbook and one entry expanding thousands of times its size."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr(name, b"<x/>" + b" " * expanded)
    return buffer.getvalue()


# -- the shared functions -------------------------------------------------------------------------


def test_load_json_refuses_deep_nul_and_large_documents_with_a_message(app):
    for data, text in (
        (DEEP, "nested more than"),
        (b'{"a": ' + b"[" * 70 + b"1" + b"]" * 70 + b"}", "nested more than"),
        (b'{"a": "x\\u0000y"}', "control character (U+0000)"),
        (b'{"a\\u0007": 1}', "control character (U+0007)"),
        (b"\xff\xfe", "not UTF-8"),
        (b'{"a": ', "not valid JSON"),
    ):
        with pytest.raises(uploads.UploadRefused) as refused:
            uploads.load_json(data)
        assert text in str(refused.value.message)
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.load_json(b"[" + b"1," * 600 + b"1]", max_bytes=1000)
    assert "larger than" in str(refused.value.message)
    assert uploads.load_json('{"a": "line\\nbreak\\tand tab", "b": [[[1]]]}') == {
        "a": "line\nbreak\tand tab",
        "b": [[[1]]],
    }


def test_check_zip_refuses_a_bomb_from_its_declared_sizes(app):
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.check_zip(bomb(), max_bytes=10_000_000, max_expanded_bytes=100_000_000)
    assert "expands to more than" in str(refused.value.message)
    with pytest.raises(uploads.UploadRefused):
        uploads.check_zip(b"PK\x03\x04broken", max_bytes=10_000_000, max_expanded_bytes=100_000_000)
    book = io.BytesIO()
    openpyxl.Workbook().save(book)
    assert uploads.check_zip(book.getvalue(), max_bytes=10_000_000, max_expanded_bytes=100_000_000)


# -- finding 6: deep and NUL JSON at every JSON entry point ------------------------------------


def test_a_deep_json_definition_is_refused_in_the_web_import_not_a_500(client, create_user, create_territory, db):
    salta = create_territory("salta", "Salta", "AR", enabled_languages=["es", "en", "pt"])
    official = create_user("official@salta.example", roles={salta: ["official"]})
    client.login(official.email)
    client.get("/t/salta/instruments?lang=en")
    for data, text in ((DEEP, "nested more than"), (_nul_definition(), "control character (U+0000)")):
        response = client.submit(
            "/t/salta/instruments/import-json",
            {"file": (io.BytesIO(data), "def.json")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 200
        assert text in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Instrument.id))) == 0


def test_a_deep_json_definition_is_reported_by_surveys_validate_without_a_traceback(runner, tmp_path):
    for name, data, text in (
        ("deep.json", DEEP, "nested more than"),
        ("nul.json", _nul_definition(), "U+0000"),
    ):
        path = tmp_path / name
        path.write_bytes(data)
        result = runner.invoke(args=["surveys", "validate", str(path)])
        assert result.exit_code == 1, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert text in result.output and "Traceback" not in result.output


def test_nul_and_deep_json_are_refused_by_the_service_and_the_kobo_path(app):
    for data in (DEEP, _nul_definition()):
        with pytest.raises(SurveyError):
            services.import_json(data)
    kobo = {"content": {"survey": [{"type": "text", "name": "q", "label": ["Nombre\x00"]}], "translations": [None]}}
    with pytest.raises(SurveyError) as refused:
        services.import_json(json.dumps(kobo).encode())
    assert "U+0000" in str(refused.value.message)
    deep_kobo = b'{"content": {"survey": [' + b"[" * 5000 + b"]" * 5000 + b"]}}"
    with pytest.raises(SurveyError):
        services.import_xlsform_file(deep_kobo)


# -- finding 7: zip bombs and huge definitions refused at once -----------------------------------


def test_a_zip_bomb_is_refused_at_once_by_the_answer_import(app, monkeypatch):
    opened = []
    monkeypatch.setattr(import_files.openpyxl, "load_workbook", lambda *a, **k: opened.append(a))
    started = time.perf_counter()
    with pytest.raises(import_files.ImportFileError) as refused:
        import_files.read_table(bomb(), "answers.xlsx")
    assert "expands to more than" in str(refused.value.message) and opened == []
    assert time.perf_counter() - started < 2


def test_a_zip_bomb_is_refused_at_once_by_the_translation_upload(db, make_instrument, monkeypatch):
    version = make_instrument()
    opened = []
    monkeypatch.setattr(content_i18n, "load_workbook", lambda *a, **k: opened.append(a))
    with pytest.raises(SurveyError) as refused:
        content_i18n.import_translations(version, bomb(), "en")
    assert "expands to more than" in str(refused.value.message) and opened == []


def test_a_po_file_with_a_nul_byte_is_refused(db, make_instrument):
    version = make_instrument()
    po = b'msgid ""\nmsgstr ""\n"Language: en\\n"\n\nmsgctxt "title"\nmsgid "Encuesta"\nmsgstr "Sur\x00vey"\n'
    with pytest.raises(SurveyError) as refused:
        content_i18n.import_translations(version, po, "en")
    assert "U+0000" in str(refused.value.message)


def test_a_20000_question_definition_is_refused_at_once_with_its_count(app, db):
    data = json.dumps(_huge_definition()).encode()
    started = time.perf_counter()
    with pytest.raises(SurveyError) as refused:
        services.import_json(data)
    assert time.perf_counter() - started < 3
    assert "questions; at most 10000 are allowed" in " ".join(str(p.message) for p in refused.value.problems)
    assert db.session.scalar(select(func.count(Instrument.id))) == 0
