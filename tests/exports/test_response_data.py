"""Response data exports: rows, codes and labels read back from each file with the tool it is meant for.

The tiny world of the analysis tests (tests/analysis/world.py) gives a
consultation where every figure is known: who was asked R1 and left it blank,
who never saw it. A second consultation holds the other question types and
answers that look like spreadsheet formulas.
"""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pyreadstat
import pytest
from sqlalchemy import select, update

from consult.core.cells import is_formula_like
from consult.exports.responses import RESPONSE_FORMATS, response_count, write_responses
from consult.exports.responses_plan import spss_names
from consult.responses.models import Response
from tests.analysis import world as tiny
from tests.fixtures.survey_definitions import make_definition, option, question, tr

FORMULAS = ['=HYPERLINK("http://evil.example","clic")', "+1+2", "@SUM(A1:A2)", "-2+3", "\tx", "=1+1"]


@pytest.fixture
def world(create_territory, create_version, create_consultation, db):
    built = tiny.build(create_territory, create_version, create_consultation)
    # Set the second indigenous response aside: it stays in the file, flagged.
    responses = tiny_responses(built)
    db.session.execute(update(Response).where(Response.id == responses[1].id).values(is_set_aside=True))
    db.session.commit()
    return built


def tiny_responses(world) -> list[Response]:
    from consult.extensions import db

    return list(
        db.session.scalars(
            select(Response).where(Response.consultation_id == world.consultation.id).order_by(Response.id)
        )
    )


def mixed_definition() -> dict:
    """Every other type: text (formula-like answers), number, scale with "I don't know", multiple choice with other,
    date range, UNGP 31 (answered in part), consent."""
    return make_definition(
        pages=[
            {
                "key": "p_one",
                "questions": [
                    question("TX", "short_text"),
                    question("N", "number"),
                    question(
                        "SC",
                        "scale",
                        dont_know=True,
                        points=[
                            {"value": 1, "label": tr("Poco", "Little", "Pouco")},
                            {"value": 2, "label": tr("Mucho", "Much", "Muito")},
                        ],
                    ),
                    question(
                        "M",
                        "multiple_choice",
                        options=[option("a", "A es", "A en", "A pt"), option("b", "B es", "B en", "B pt")],
                        other={"label": tr("Otra", "Another", "Outra")},
                    ),
                    question("DR", "date_range"),
                    question("U", "ungp31", criteria=["legitimate", "accessible"]),
                ],
            }
        ],
        key="mixed",
    )


@pytest.fixture
def mixed(create_territory, create_version, create_consultation, db):
    territory = create_territory("mixta", "Mixta", "CO")
    version = create_version(mixed_definition())
    consultation = create_consultation(territory, slug="mixta", groups={"cso": version})
    answers = [
        {
            "TX": text,
            "N": 3,
            "SC": 2,
            "M": {"options": ["a", "other"], "other": "=cmd|' /C calc'!A0"},
            "DR": {"start": "2025-01-01"},
            "U": {"legitimate": "yes"},
        }
        for text in FORMULAS
    ] + [{"SC": "dont_know", "M": ["b"]}, {}]
    stored = tiny.store(consultation, version, "cso", answers)
    return consultation, stored


def export(consultation, fmt: str, lang: str = "es", layout: str = "consult", progress=None) -> bytes:
    out = io.BytesIO()
    write_responses(consultation, fmt, out, lang=lang, layout=layout, progress=progress)
    return out.getvalue()


def csv_tables(data: bytes) -> dict[str, list[dict[str, str]]]:
    """{file name: rows as dicts} of a ZIP of CSV files."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {
        name: list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig")))) for name in archive.namelist()
    }


CODEBOOK = ("table", "column", "label", "type", "question", "value", "value label", "missing")


def codebook_of(data: bytes) -> list[dict[str, str]]:
    """The codebook's rows keyed by what each column holds (its header is in the chosen language)."""
    text = zipfile.ZipFile(io.BytesIO(data)).read("codebook.csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    return [dict(zip(CODEBOOK, row)) for row in rows[1:]]


def by_id(rows: list[dict[str, str]], key: str = "response_id") -> dict[int, dict[str, str]]:
    return {int(row[key]): row for row in rows}


def community_file(tables: dict) -> list[dict[str, str]]:
    return next(rows for name, rows in tables.items() if name.startswith("tiny_community"))


def no_formula_in_csv(data: bytes) -> None:
    archive = zipfile.ZipFile(io.BytesIO(data))
    for name in archive.namelist():
        if name.endswith(".csv"):
            for row in csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))):
                assert not any(is_formula_like(cell) for cell in row), (name, row)


def no_formula_in_xlsx(data: bytes) -> openpyxl.Workbook:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not is_formula_like(cell.value), (sheet.title, cell.coordinate, cell.value)
    return workbook


# -- the consult layout ----------------------------------------------------------------------------


def test_csv_rows_match_the_database_asked_unanswered_and_not_asked_apart(world):
    tables = csv_tables(export(world.consultation, "csv"))
    assert "codebook.csv" in tables
    rows = community_file(tables)
    responses = [r for r in tiny_responses(world) if r.instrument_version_id == world.community.id]
    assert [int(r["response_id"]) for r in rows] == [r.id for r in responses]
    i1, i2, i3, i4, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10 = (by_id(rows)[r.id] for r in responses)
    # R1 (multiple choice): one 0/1 column per option.
    assert (i1["R1.water_sanitation"], i1["R1.land_housing"], i1["R1.working_conditions"]) == ("1", "1", "0")
    assert (r7["R1.water_sanitation"], r7["R1.land_housing"]) == ("0", "1")
    # r8 was asked R1 and left it blank; i3 never saw it (K1 = no skips the page).
    assert r8["R1.water_sanitation"] == r8["R1.land_housing"] == "-99"
    assert i3["R1.water_sanitation"] == i3["R1.land_housing"] == ""
    # S1 is shown only when R1 is answered: r3 saw it and left it blank, r8 did not see it.
    assert r3["S1.scale"] == "-99" and r8["S1.scale"] == ""
    assert (
        i1["S1.scale"],
        i1["S1.scope"],
        i1["S1.irremediability"],
        i1["S1.likelihood"],
        i1["S1.severity"],
        i1["S1.urgent"],
    ) == ("2", "3", "4", "1", "4", "1")
    assert i4["V1"] == "-99" and i3["V1"] == "yes"
    # Set aside: in the file, flagged.
    assert i2["is_set_aside"] == "1" and i1["is_set_aside"] == "0"
    assert (i1["stakeholder_group"], i1["locality"], i1["area"], i1["language"], i1["entry_mode"]) == (
        "indigenous_people",
        tiny.CAFAYATE,
        tiny.AREA,
        "es",
        "online",
    )
    assert i1["submitted_on"] == tiny.DAY.isoformat() and i1["instrument_version"] == "1"
    assert (i1["is_collective"], i1["people_represented"]) == ("0", "")
    # Nothing a person holds, no time of day.
    header = list(rows[0])
    assert not any(word in " ".join(header) for word in ("receipt", "invitation", "organisation", "mandate", "ip"))


def test_the_codebook_labels_columns_and_codes_in_the_chosen_language(world):
    for lang, rights, water, asked in (
        ("es", "¿Qué derechos?", "Agua", "Se preguntó"),
        ("en", "Which rights were harmed?", "Water", "Asked"),
        ("pt", "Quais direitos?", "Água", None),
    ):
        data = export(world.consultation, "csv", lang=lang)
        header = next(
            csv.reader(io.StringIO(zipfile.ZipFile(io.BytesIO(data)).read("codebook.csv").decode("utf-8-sig")))
        )
        # The codebook is for people: its own header is in the chosen language too.
        assert header[1] == {"es": "columna", "en": "column", "pt": "coluna"}[lang]
        codebook = codebook_of(data)
        column = next(r for r in codebook if r["column"] == "R1.water_sanitation" and r["label"])
        assert column["label"] == f"{rights}: {water}" and column["question"] == "R1"
        values = {
            r["value"]: (r["value label"], r["missing"])
            for r in codebook
            if r["column"] == "R1.water_sanitation" and r["value"]
        }
        assert set(values) == {"1", "0", "-99"} and values["-99"][1] == "1" and values["1"][1] == "0"
        if asked:
            assert values["-99"][0].startswith(asked)
        k1 = {r["value"]: r["value label"] for r in codebook if r["column"] == "K1" and r["value"]}
        assert k1["yes"] == {"es": "Sí", "en": "Yes", "pt": "Sim"}[lang]


def test_xlsx_has_a_sheet_per_instrument_and_a_codebook_with_the_csv_figures(world):
    workbook = no_formula_in_xlsx(export(world.consultation, "xlsx", lang="en"))
    assert workbook.sheetnames[-1] == "codebook" and len(workbook.sheetnames) == 3
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    header = rows[0]
    expected = community_file(csv_tables(export(world.consultation, "csv", lang="en")))
    assert len(rows) - 1 == len(expected)
    for got, want in zip(rows[1:], expected):
        assert {h: ("" if v is None else str(v)) for h, v in zip(header, got)} == want
    # Numbers are numbers: a 0/1 column and the asked-not-answered code.
    line = dict(zip(header, rows[12]))  # r8: asked R1, left it blank
    assert line["R1.water_sanitation"] == -99 and isinstance(line["response_id"], int)


def test_sav_has_variable_and_value_labels_and_user_missing_codes(world):
    data = export(world.consultation, "sav", lang="en")
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = [n for n in archive.namelist() if n.endswith(".sav")]
    assert len(names) == 2 and "codebook.csv" in archive.namelist()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "community.sav"
        path.write_bytes(archive.read(next(n for n in names if n.startswith("tiny_community"))))
        frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
        labelled, _meta = pyreadstat.read_sav(str(path), apply_value_formats=True)
        plain, _meta = pyreadstat.read_sav(str(path))
    responses = [r for r in tiny_responses(world) if r.instrument_version_id == world.community.id]
    assert list(frame["response_id"].astype(int)) == [r.id for r in responses]
    assert meta.column_names_to_labels["R1.water_sanitation"] == "Which rights were harmed?: Water"
    assert meta.variable_value_labels["R1.water_sanitation"] == {
        1.0: "Chosen",
        0.0: "Not chosen",
        -99.0: "Asked, not answered",
    }
    assert meta.missing_ranges["R1.water_sanitation"] == [{"lo": -99.0, "hi": -99.0}]
    assert meta.variable_value_labels["K1"]["yes"] == "Yes"
    r8, i3 = responses[11], responses[2]
    at = {r.id: n for n, r in enumerate(responses)}
    assert frame["R1.water_sanitation"][at[r8.id]] == -99  # asked, not answered: user-missing, kept when asked
    assert plain["R1.water_sanitation"].isna()[at[r8.id]]  # and missing for SPSS
    assert plain["R1.water_sanitation"].isna()[at[i3.id]]  # not asked: system-missing
    assert frame["R1.water_sanitation"][0] == 1 and labelled["K1"][0] == "Yes"
    assert frame["is_set_aside"][1] == 1
    assert str(frame["submitted_on"][0])[:10] == tiny.DAY.isoformat()


def test_other_types_scales_and_formula_like_answers(mixed):
    consultation, stored = mixed
    data = export(consultation, "csv")
    no_formula_in_csv(data)
    rows = by_id(
        csv_tables(data)["mixed.csv"]
        if "mixed.csv" in csv_tables(data)
        else next(v for k, v in csv_tables(data).items() if k != "codebook.csv")
    )
    first = rows[stored[0].id]
    assert first["TX"] == "'" + FORMULAS[0]  # written as text, never as a formula
    assert rows[stored[3].id]["TX"] == "'-2+3"
    assert (first["N"], first["SC"], first["M.a"], first["M.b"], first["M.other"]) == ("3", "2", "1", "0", "1")
    assert first["M.other.text"] == "'=cmd|' /C calc'!A0"
    assert (first["DR.start"], first["DR.end"]) == ("2025-01-01", "")  # still going on: not a missing code
    assert (first["U.legitimate"], first["U.accessible"]) == ("yes", "-99")  # a block answered in part
    dont_know = rows[stored[len(FORMULAS)].id]
    assert dont_know["SC"] == "-98" and dont_know["M.b"] == "1" and dont_know["TX"] == "-99"
    blank = rows[stored[-1].id]
    assert blank["M.a"] == blank["SC"] == blank["U.legitimate"] == "-99"
    workbook = no_formula_in_xlsx(export(consultation, "xlsx"))
    sheet = workbook.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(2, header.index("TX") + 1).value == "'" + FORMULAS[0]
    with tempfile.TemporaryDirectory() as folder:
        archive = zipfile.ZipFile(io.BytesIO(export(consultation, "sav")))
        name = next(n for n in archive.namelist() if n.endswith(".sav"))
        path = Path(folder) / "m.sav"
        path.write_bytes(archive.read(name))
        frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    assert meta.missing_ranges["SC"] == [{"lo": -99.0, "hi": -99.0}, {"lo": -98.0, "hi": -98.0}]
    assert meta.variable_value_labels["SC"][-98.0]
    assert list(frame["SC"][: len(FORMULAS) + 1]) == [2] * len(FORMULAS) + [-98]


def test_kobo_layout_uses_group_paths_option_names_and_meta_columns(world):
    for fmt in ("csv", "xlsx"):
        data = export(world.consultation, fmt, layout="kobo")
        if fmt == "csv":
            no_formula_in_csv(data)
            rows = community_file(csv_tables(data))
        else:
            sheet = no_formula_in_xlsx(data).worksheets[0]
            values = list(sheet.iter_rows(values_only=True))
            rows = [{h: "" if v is None else str(v) for h, v in zip(values[0], line)} for line in values[1:]]
        header = list(rows[0])
        assert header[-6:] == ["_id", "_uuid", "_submission_time", "_validation_status", "__version__", "_index"]
        first, second = rows[0], rows[1]
        assert first["s1/p_harm/R1"] == "water_sanitation land_housing"
        assert (first["s1/p_harm/R1/water_sanitation"], first["s1/p_harm/R1/working_conditions"]) == ("1", "0")
        assert first["s1/p_harm/R2"] == "water_sanitation"
        assert first["s1/p_harm/S1/S1__scale"] == "2"
        assert first["s1/p_who/T1"] == tiny.CAFAYATE
        assert first["_submission_time"] == tiny.DAY.isoformat() and first["_index"] == "1"
        assert second["_validation_status"] == "validation_status_not_approved" and first["_validation_status"] == ""
        assert len(first["_uuid"]) == 36 and first["_uuid"] != second["_uuid"]
        not_asked = next(r for r in rows if r["s1/p_who/K1"] == "no")
        assert not_asked["s1/p_harm/R1"] == not_asked["s1/p_harm/R1/water_sanitation"] == ""


def test_unknown_combinations_are_refused(world):
    for fmt, layout in (("sav", "kobo"), ("pdf", "consult"), ("csv", "odk")):
        with pytest.raises(ValueError):
            export(world.consultation, fmt, layout=layout)


def test_progress_is_reported_up_to_the_total(world):
    seen = []
    export(world.consultation, "csv", progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (response_count(world.consultation), response_count(world.consultation)) == (19, 19)


def test_spss_names_are_valid_and_distinct():
    names = spss_names(["a.b", "to", "1x", "x" * 70, "x" * 70 + "y", "A.B", "bad-name", "end."])
    assert (
        names[0] == "a.b"
        and names[1] == "to_"
        and names[2] == "v_1x"
        and names[6] == "bad_name"
        and names[7] == "end._"
    )
    assert all(len(n.encode()) <= 64 for n in names) and len({n.lower() for n in names}) == len(names)


# -- every demo consultation -----------------------------------------------------------------------


@pytest.fixture
def seeded(app, db):
    # Imported here, not at collection: importing a demo module registers its step.
    from consult.demo import seed_demo
    from consult.responses.models import Consultation

    seed_demo()
    return list(db.session.scalars(select(Consultation).order_by(Consultation.id)))


def test_every_demo_consultation_exports_in_every_format_and_layout(seeded):
    exported = 0
    for consultation in seeded:
        total = response_count(consultation)
        if not total:
            continue
        exported += 1
        for fmt in RESPONSE_FORMATS:
            data = export(consultation, fmt, lang=consultation.fallback_language)
            if fmt == "csv":
                no_formula_in_csv(data)
                rows = sum(len(v) for k, v in csv_tables(data).items() if k != "codebook.csv")
            elif fmt == "xlsx":
                workbook = no_formula_in_xlsx(data)
                rows = sum(s.max_row - 1 for s in workbook.worksheets if s.title != "codebook")
            else:
                archive = zipfile.ZipFile(io.BytesIO(data))
                rows = 0
                with tempfile.TemporaryDirectory() as folder:
                    for name in (n for n in archive.namelist() if n.endswith(".sav")):
                        path = Path(folder) / name
                        path.write_bytes(archive.read(name))
                        frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
                        assert meta.variable_value_labels and meta.missing_ranges
                        rows += len(frame)
            assert rows == total, (consultation.slug, fmt)
        for fmt in ("csv", "xlsx"):
            data = export(consultation, fmt, lang="en", layout="kobo")
            if fmt == "csv":
                no_formula_in_csv(data)
            else:
                no_formula_in_xlsx(data)
    assert exported >= 2


def same_rows_both_ways(consultation) -> int:
    """The fast cells (responses_fast) equal the question types' cells, row by row; returns the rows compared."""
    from consult.exports.responses import iter_rows, make_layout
    from consult.exports.responses_plan import build_tables

    layout = make_layout(consultation, "es", "consult")
    compared = 0
    for table in build_tables(consultation, layout):
        fast = list(iter_rows(consultation, table, layout))
        slow = list(iter_rows(consultation, table, layout, fast=False))
        assert fast == slow, table.name
        compared += len(fast)
    return compared


def test_the_fast_cells_are_the_question_types_cells(world, mixed):
    assert same_rows_both_ways(world.consultation) == 19
    assert same_rows_both_ways(mixed[0]) == len(FORMULAS) + 2


def test_the_fast_cells_are_the_question_types_cells_on_the_demo(seeded):
    assert sum(same_rows_both_ways(c) for c in seeded) > 100
