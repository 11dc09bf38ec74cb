"""Bulk import: a dry run reports every invalid cell; nothing is imported unless all is valid or asked for."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from consult.responses import bulk_import, import_files
from consult.responses.models import Answer, EntryMode, Response

HEADER = ["group", "language", "A1", "B1", "C1", "C2", "E1", "F1"]
ROWS = [
    [
        "rural_community",
        "es",
        "66028",
        "mining",
        "water_sanitation land_housing",
        "water_sanitation",
        "",
        "woman",
    ],  # 2 valid
    ["indigenous_people", "", "Molinos", "mining agro_industry", "land_housing", "agua", "", ""],  # 3: C2 not an option
    ["martians", "es", "", "", "none", "", "", ""],  # 4: unknown group
    [
        "rural_community",
        "fr",
        "Atlantis",
        "",
        "",
        "",
        "decent_work protect_land information access_to_remedy",
        "robot",
    ],  # 5
    [
        "Comunidad rural o campesina",
        "pt",
        "orán",
        "energy",
        "none",
        "",
        "protect_water_environment",
        "",
    ],  # 6 valid (label, name)
]


def as_csv(header, rows, delimiter=",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def as_xlsx(header, rows) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def url_of(consultation) -> str:
    return f"/t/{consultation.territory.slug}/consultations/{consultation.id}/import"


def upload(client, consultation, data: bytes, filename: str, action: str = "check", **fields):
    url = url_of(consultation)
    page = client.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    batch = re.search(r'name="batch" value="([^"]+)"', page).group(1)
    payload = {
        "csrf_token": token,
        "batch": batch,
        "action": action,
        "group": "",
        "language": "es",
        "entry_mode": "paper",
        "file": (io.BytesIO(data), filename),
        **fields,
    }
    return client.post(url, data=payload, content_type="multipart/form-data")


@pytest.fixture
def official(client, community_consultation, create_user):
    user = create_user(roles={community_consultation.territory: ["official"]})
    client.login(user.email)
    return user


def defaults(language="es", group=None):
    return bulk_import.Defaults(group, language, EntryMode.PAPER)


def test_the_dry_run_reports_every_invalid_cell_with_row_and_column(community_consultation, db):
    report, items = bulk_import.check_file(
        community_consultation, as_csv(HEADER, ROWS), "answers.csv", defaults(), batch="b" * 20, interface_lang="en"
    )
    found = {(p.row, p.column) for p in report.problems}
    assert found == {(3, "C2"), (4, "group"), (5, "language"), (5, "A1"), (5, "E1"), (5, "F1")}
    messages = {(p.row, p.column): p.message for p in report.problems}
    assert messages[(3, "C2")] == "Choose one of the options shown."
    assert messages[(5, "E1")] == "Choose at most 3 answers."
    assert "Atlantis" in messages[(5, "A1")] and "Salta" in messages[(5, "A1")]
    assert "martians" in messages[(4, "group")]
    assert (report.rows, report.valid_rows, report.invalid_rows) == (5, 2, 4 - 1)
    assert [item.group_code for item in items] == ["rural_community", "rural_community"]
    assert items[1].answers["A1"] == {"area": "Norte", "locality": "66014"} and items[1].language == "pt"
    assert db.session.scalar(select(func.count(Response.id))) == 0


def test_a_file_with_errors_imports_nothing(client, community_consultation, official, db):
    response = upload(client, community_consultation, as_csv(HEADER, ROWS), "answers.csv", action="import")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "No se ha importado nada" in html
    assert "Elija una de las opciones que se muestran." in html  # translated, next to its row and column
    assert re.search(r"<td>3</td><td>C2</td><td>agua</td>", html)
    assert db.session.scalar(select(func.count(Response.id))) == 0


def test_valid_rows_only_imports_exactly_those(client, community_consultation, official, db):
    response = upload(
        client,
        community_consultation,
        as_csv(HEADER, ROWS, delimiter=";"),
        "answers.csv",
        action="import",
        valid_rows_only="y",
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Respuestas importadas: 2." in page
    assert "3–5" in page  # the rows left out
    stored = db.session.scalars(select(Response).order_by(Response.id)).all()
    assert [(r.group_code, r.language, r.entry_mode, r.locality.code) for r in stored] == [
        ("rural_community", "es", EntryMode.PAPER, "66028"),
        ("rural_community", "pt", EntryMode.PAPER, "66014"),
    ]
    rows = sorted((a.question_key, a.part, a.option) for a in stored[0].answers)
    assert (
        ("C1", None, "land_housing") in rows
        and ("C2", None, "water_sanitation") in rows
        and ("F1", None, "woman") in rows
    )
    # A double click sends the same upload again: its rows are imported already
    assert db.session.scalar(select(func.count(Answer.id))) > 0


def test_the_same_upload_sent_twice_is_imported_once(community_consultation, db):
    data = as_csv(HEADER, [ROWS[0]])
    first = bulk_import.import_file(community_consultation, data, "a.csv", defaults(), batch="x" * 20)
    db.session.commit()
    again = bulk_import.import_file(community_consultation, data, "a.csv", defaults(), batch="x" * 20)
    assert first.imported == 1 and again.imported == 0
    assert [p.message for p in again.problems] == ["This row was imported before."]
    other_page = bulk_import.import_file(community_consultation, data, "a.csv", defaults(), batch="y" * 20)
    assert other_page.imported == 0 and other_page.needs_confirmation  # the same file on a new page: asked first
    confirmed = bulk_import.import_file(community_consultation, data, "a.csv", defaults(), batch="y" * 20, again=True)
    assert confirmed.imported == 1  # imported again, on purpose


KOBO_HEADER = [
    "start",
    "end",
    "today",
    "deviceid",
    "where/p_place/A1",
    "who/p_group/A2",
    "risks/p_business/B1",
    "risks/p_business/B1/mining",
    "risks/p_business/B1/agro_industry",
    "risks/p_business/B1/energy",
    "risks/p_rights/C1",
    "risks/p_main_harm/C2",
    "risks/p_severity/C3/C3__scale",
    "risks/p_severity/C3/C3__scope",
    "risks/p_severity/C3/C3__irremediability",
    "risks/p_severity/C3/C3__likelihood",
    "p_main_harm__route",
    "about/p_about_you/F2",
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "_index",
    "Comentario del encuestador",
]
KOBO_ROWS = [
    [
        "2026-03-01T10:00:00",
        "2026-03-01T10:20:00",
        "2026-03-01",
        "collect:abc",
        "Cafayate",
        "indigenous_people",
        "mining agro_industry",
        "1",
        "1",
        "0",
        "water_sanitation indigenous_rights",
        "water_sanitation",
        "5",
        "4",
        "5",
        "4",
        "",
        "age_30_44",
        "101",
        "0c6f1b8e-aaaa-4c1e-9a44-1b0c9d2f0001",
        "2026-03-01T10:21:00",
        "",
        "",
        "submitted_via_web",
        "",
        "v1",
        "",
        "1",
        "hablaba despacio",
    ],
    [
        "2026-03-02T11:00:00",
        "2026-03-02T11:15:00",
        "2026-03-02",
        "collect:abc",
        "66035",
        "rural_community",
        "energy",
        "0",
        "0",
        "1",
        "none",
        "",
        "",
        "",
        "",
        "",
        "",
        "prefer_not",
        "102",
        "0c6f1b8e-aaaa-4c1e-9a44-1b0c9d2f0002",
        "2026-03-02T11:16:00",
        "",
        "",
        "submitted_via_web",
        "",
        "v1",
        "",
        "2",
        "",
    ],
]


def test_a_kobo_data_export_imports(client, community_consultation, official, db):
    data = as_xlsx(KOBO_HEADER, KOBO_ROWS)
    response = upload(client, community_consultation, data, "riesgos_2026-03-05.xlsx")
    html = response.get_data(as_text=True)
    assert "No se encontraron problemas" in html
    assert "_submission_time" in html and "Comentario del encuestador" in html  # reported as not imported
    response = upload(client, community_consultation, data, "riesgos_2026-03-05.xlsx", action="import")
    assert response.status_code == 302
    stored = db.session.scalars(select(Response).order_by(Response.id)).all()
    assert [(r.group_code, r.locality.code) for r in stored] == [
        ("indigenous_people", "66028"),
        ("rural_community", "66035"),
    ]
    first = sorted((a.question_key, a.part, a.option, a.number) for a in stored[0].answers)
    assert ("C3", "scale", None, 5.0) in first and ("B1", None, "agro_industry", None) in first
    assert ("B1", None, "energy", None) not in first
    assert ("F2", None, "age_30_44", None) in first
    assert ("B1", None, "energy", None) in [(a.question_key, a.part, a.option, a.number) for a in stored[1].answers]
    # The same export imported again: every submission is recognised by its _uuid
    again = upload(client, community_consultation, data, "riesgos_2026-03-05.xlsx", action="import")
    assert again.status_code == 200 and "Esta fila ya se importó" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Response.id))) == 2


def test_consult_export_names_import(community_consultation, db):
    header = [
        "group",
        "A1.area",
        "A1.locality",
        "B1.mining",
        "B1.energy",
        "C1.water_sanitation",
        "C1.none",
        "C2",
        "C3.scale",
        "C3.scope",
        "C3.irremediability",
        "C3.likelihood",
        "C3.severity",
        "C3.urgent",
    ]
    rows = [
        [
            "rural_community",
            "Valles Calchaquíes",
            "66028",
            "1",
            "0",
            "1",
            "0",
            "water_sanitation",
            "3",
            "3",
            "2",
            "1",
            "3",
            "0",
        ]
    ]
    report = bulk_import.import_file(
        community_consultation, as_csv(header, rows), "export.csv", defaults(), batch="z" * 20
    )
    assert report.imported == 1, report.problems
    notes = {note.column for note in report.notes}
    assert notes == {"C3.severity", "C3.urgent"}


def test_the_cells_are_shown_never_run(client, community_consultation, official, db):
    rows = [["rural_community", "es", "", "", "", "<script>alert(1)</script>", "", '=HYPERLINK("http://x")']]
    response = upload(client, community_consultation, as_csv(HEADER, rows), "a.csv")
    html = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    download = upload(client, community_consultation, as_csv(HEADER, rows), "a.csv", action="download")
    assert download.mimetype == "text/csv"
    text = download.get_data(as_text=True)
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text.replace(",=", "\n=")


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "photo.png", "no es una hoja de cálculo"),
        ("grupo,B1\nrural_community,minería\n".encode("latin-1"), "a.csv", "UTF-8"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "old.xls", ".xls"),
        (b"", "a.csv", "vacío"),
        (b"group,B1\n", "a.csv", "ninguna respuesta"),
        (b"PK\x03\x04 not really a zip", "a.xlsx", "dañad"),
    ],
)
def test_bad_files_get_a_clear_message(client, community_consultation, official, db, data, filename, message):
    response = upload(client, community_consultation, data, filename)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Response.id))) == 0


def test_too_many_rows_are_refused(community_consultation, monkeypatch):
    monkeypatch.setattr(import_files, "MAX_ROWS", 3)
    report, _items = bulk_import.check_file(
        community_consultation, as_csv(HEADER, [ROWS[0]] * 4), "a.csv", defaults(), batch="b" * 20
    )
    assert "3" in str(report.file_error) and report.rows == 0


def test_only_officials_import(client, community_consultation, create_user, create_territory):
    territory = community_consultation.territory
    url = url_of(community_consultation)
    for roles in (["analyst"], ["facilitator"], ["moderator"]):
        client.login(create_user(roles={territory: roles}).email)
        assert client.get(url).status_code == 403
        client.post("/logout", data={"csrf_token": client.csrf_token("/account")})
    other = create_territory("antioquia", "Antioquia")
    client.login(create_user(roles={other: ["official"]}).email)
    assert client.get(url).status_code == 403
    assert client.get(f"/t/{other.slug}/consultations/{community_consultation.id}/import").status_code == 404


def test_no_file_chosen_is_said_next_to_the_field(client, community_consultation, official, db):
    url = url_of(community_consultation)
    response = client.submit(url, {"action": "check", "language": "es", "entry_mode": "paper", "group": ""})
    assert response.status_code == 200
    assert "Elija el archivo que quiere importar." in response.get_data(as_text=True)
