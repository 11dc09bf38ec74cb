"""Files that are not XLSForms get a clear message, never a traceback."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consult.surveys.xlsform import XLSFormError, import_xlsform
from consult.surveys.xlsform import workbook as workbook_module
from tests.surveys.xlsform_helpers import workbook

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"", "The file is empty."),
        (PNG, "not an Excel workbook (.xlsx)"),
        (b"type,name,label\ntext,q1,Name\n", "not an Excel workbook (.xlsx)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel file (.xls)"),
        (_zip({"word/document.xml": b"<w/>"}), "not an Excel workbook (.xlsx)"),
        (_zip({"xl/workbook.xml": b"<not really>", "[Content_Types].xml": b"junk"}), "damaged"),
    ],
)
def test_files_that_are_not_workbooks_raise_a_clear_error(app, data, text):
    with pytest.raises(XLSFormError) as raised:
        import_xlsform(data, filename="form.xlsx")
    assert text in str(raised.value.message)


def test_a_truncated_workbook_is_refused(app):
    data = workbook([["type", "name", "label"], ["text", "q", "Q"]])
    with pytest.raises(XLSFormError):
        import_xlsform(data[: len(data) // 2])


def test_a_workbook_that_expands_too_much_is_refused_before_it_is_read(app, monkeypatch):
    monkeypatch.setattr(workbook_module, "MAX_EXPANDED_BYTES", 100_000)
    data = _zip({"xl/workbook.xml": b"<workbook/>", "xl/sharedStrings.xml": b"0" * 200_000})

    with pytest.raises(XLSFormError) as raised:
        import_xlsform(data)
    assert "expands to more than" in str(raised.value.message)


def test_a_zip_bomb_is_refused_from_its_declared_sizes_without_expanding_it(app, monkeypatch):
    # 5 MB of zeros compress to a few kilobytes: a ratio no spreadsheet has, refused before anything is read.
    data = _zip({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"0" * 5_000_000})
    read = []
    monkeypatch.setattr(workbook_module, "get_xlsform", lambda *a, **k: read.append(a))

    with pytest.raises(XLSFormError) as raised:
        import_xlsform(data)
    assert "expands to more than" in str(raised.value.message) and read == []


def test_a_form_longer_than_5000_rows_imports(app):
    rows = [["type", "name", "label"]] + [["integer", f"q{n}", f"Question {n}"] for n in range(5_200)]

    result = import_xlsform(workbook(rows))

    assert result.errors == [] and len(result.definition["sections"][0]["pages"][0]["questions"]) == 5_200


def test_a_file_too_large_is_refused(app, monkeypatch):
    monkeypatch.setattr(workbook_module, "MAX_BYTES", 1000)
    with pytest.raises(XLSFormError) as raised:
        import_xlsform(workbook([["type", "name", "label"]] + [["text", f"q{i}", "Q"] for i in range(200)]))
    assert "larger than" in str(raised.value.message)


def test_an_empty_workbook_has_no_survey_sheet(app):
    result = import_xlsform(workbook())

    assert result.definition is None
    assert [str(e) for e in result.errors] == [
        "The workbook has no sheet named “survey”; an XLSForm keeps its questions there."
    ]


def test_a_survey_sheet_without_type_and_name_columns_is_refused(app):
    result = import_xlsform(workbook([["question", "label"], ["What?", "Qué"]]))

    assert result.definition is None
    assert [(e.sheet, e.row) for e in result.errors] == [("survey", 1)]
    assert "missing: type, name" in str(result.errors[0].message)


def test_a_survey_sheet_with_only_headers_is_refused(app):
    result = import_xlsform(workbook([["type", "name", "label"], [], []]))

    assert result.definition is None
    assert "has no questions" in str(result.errors[0].message)


def test_a_form_with_nothing_consult_imports_is_refused(app):
    result = import_xlsform(workbook([["type", "name", "label"], ["start", "start"], ["geopoint", "gps", "Where"]]))

    assert result.definition is None
    assert "no question consult can import" in str(result.errors[0].message)
    assert len(result.warnings) == 2


def test_too_many_rows_are_refused(app, monkeypatch):
    monkeypatch.setattr(workbook_module, "MAX_ROWS", 10)
    result = import_xlsform(workbook([["type", "name", "label"]] + [["text", f"q{i}", "Q"] for i in range(20)]))

    assert result.definition is None
    assert "more than 10 rows" in str(result.errors[0].message)


def test_values_in_a_column_without_a_heading_are_not_read(app):
    # pyxform, which reads the workbook, leaves out columns without a heading, as ODK and Kobo do.
    result = import_xlsform(workbook([["type", "name", "label"], ["text", "q", "Q", "stray"]]))

    assert result.errors == [] and result.definition["sections"][0]["pages"][0]["questions"][0]["text"] == {"es": "Q"}


def test_a_sheet_whose_headings_are_not_in_the_first_row_is_refused_as_pyxform_refuses_it(app):
    result = import_xlsform(workbook([[], [], ["type", "name", "label"], ["text", "q", "Q"]]))

    assert result.definition is None
    assert "needs the columns type and name" in str(result.errors[0].message)


CELLS = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "text",
            "integer",
            "note",
            "begin group",
            "end group",
            "begin repeat",
            "select_one l",
            "select_multiple l or_other",
            "calculate",
            "start",
            "${a}",
            "${a} = 'x'",
            "selected(${b}, 'y')",
            "yes",
            "a",
            "b",
            "x",
            "y",
            ". > 3",
            "(",
            "'",
            "label::fr",
            "l",
        ]
    ),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),
    st.integers(-5, 5),
    st.booleans(),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    survey=st.lists(st.lists(CELLS, max_size=6), max_size=8),
    choices=st.lists(st.lists(CELLS, max_size=4), max_size=5),
)
def test_any_readable_workbook_gives_a_result_with_located_issues(app, survey, choices):
    header = ["type", "name", "label", "relevant", "constraint", "required"]
    # A readable workbook never raises, not even the catch-all XLSFormError that hides a bug from the person.
    result = import_xlsform(workbook([header] + survey, [["list_name", "name", "label"]] + choices))
    assert (result.definition is None) == bool(result.errors)
    for issue in result.errors + result.warnings:
        assert str(issue)
