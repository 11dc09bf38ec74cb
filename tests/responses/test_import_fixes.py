"""Bulk import fixes (issue 13): the checked file is kept for the next step, a file or rows imported before are
imported again only after a confirmation (and the capture signals flag the copies), group codes are shown."""

from __future__ import annotations

import io
import re
import stat
import time

import pytest
from flask_babel import force_locale, format_date, gettext
from sqlalchemy import func, select

from consult.responses import bulk_import, capture, import_store
from consult.responses.import_models import ImportRecord
from consult.responses.models import EntryMode, Response
from tests.responses.test_bulk_import import HEADER, ROWS, as_csv

VALID = [
    ["rural_community", "es", "66028", b1, "water_sanitation land_housing", "water_sanitation", "", "woman"]
    for b1 in ("mining", "energy", "agro_industry", "mining energy", "energy agro_industry", "mining agro_industry")
]


def url_of(consultation) -> str:
    return f"/t/{consultation.territory.slug}/consultations/{consultation.id}/import"


def send(client, consultation, action: str, data: bytes | None = None, filename: str = "answers.csv", **fields):
    """Post the import form as a browser would; without ``data`` no file is attached."""
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
        **fields,
    }
    if data is not None:
        payload["file"] = (io.BytesIO(data), filename)
    return client.post(url, data=payload, content_type="multipart/form-data")


def confirm(client, consultation, page_html: str):
    """Press "Import again anyway" on the confirmation page: post its form as it stands."""
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)"[^>]*value="([^"]*)"', page_html))
    fields["action"] = "import"
    return client.post(url_of(consultation), data=fields, content_type="multipart/form-data")


def es(msgid: str, **values) -> str:
    """The Spanish page's text for ``msgid`` (the English one until the catalogue has it)."""
    with force_locale("es"):
        return gettext(msgid, **values)


def count(db) -> int:
    return db.session.scalar(select(func.count(Response.id)))


@pytest.fixture
def kept_dir(app, tmp_path):
    app.config["CONSULT_IMPORTS_DIR"] = str(tmp_path / "imports")
    return tmp_path / "imports"


@pytest.fixture
def official(client, community_consultation, create_user):
    user = create_user(roles={community_consultation.territory: ["official"]})
    client.login(user.email)
    return user


def test_import_after_check_needs_no_second_upload(client, community_consultation, official, kept_dir, db):
    checked = send(client, community_consultation, "check", as_csv(HEADER, VALID[:2]))
    html = checked.get_data(as_text=True)
    assert "No se encontraron problemas" in html
    assert "answers.csv" in html  # the page says which checked file is kept
    files = list(kept_dir.iterdir())
    assert files and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    with client.session_transaction() as session:
        token = session[import_store.SESSION_KEY][str(community_consultation.id)]
    assert token not in html  # the token stays in the signed session, never in the page or a URL
    imported = send(client, community_consultation, "import")  # no file attached
    assert imported.status_code == 302
    assert "Respuestas importadas: 2." in client.get(imported.headers["Location"]).get_data(as_text=True)
    assert count(db) == 2
    assert list(kept_dir.iterdir()) == []  # deleted after the import


def test_download_every_problem_after_check(client, community_consultation, official, kept_dir, db):
    send(client, community_consultation, "check", as_csv(HEADER, ROWS))
    download = send(client, community_consultation, "download")  # no file attached
    assert download.mimetype == "text/csv"
    text = download.get_data(as_text=True)
    assert "martians" in text and "C2" in text


def test_the_checked_file_expires(client, community_consultation, official, kept_dir, db):
    send(client, community_consultation, "check", as_csv(HEADER, VALID[:1]))
    assert len(list(kept_dir.iterdir())) == 2
    assert import_store.purge_expired(now=time.time() + import_store.KEEP_SECONDS + 1) == 1
    assert list(kept_dir.iterdir()) == []
    again = send(client, community_consultation, "import")
    assert "Elija el archivo que quiere importar." in again.get_data(as_text=True)
    assert count(db) == 0


def test_the_checked_file_is_only_for_its_account(client, community_consultation, official, kept_dir, create_user, db):
    send(client, community_consultation, "check", as_csv(HEADER, VALID[:1]))
    client.post("/logout", data={"csrf_token": client.csrf_token("/account")})
    client.login(create_user(roles={community_consultation.territory: ["official"]}).email)
    response = send(client, community_consultation, "import")
    assert "Elija el archivo que quiere importar." in response.get_data(as_text=True)
    assert count(db) == 0


def test_the_same_file_twice_asks_before_importing_again(client, community_consultation, official, kept_dir, db):
    data = as_csv(HEADER, VALID[:3])
    assert send(client, community_consultation, "import", data).status_code == 302
    assert count(db) == 3
    record = db.session.scalar(select(ImportRecord))
    with force_locale("es"):
        day = format_date(record.imported_at.date(), "long")
    said = es("This file was imported on %(date)s by %(who)s: %(n)d responses.", date=day, who=official.name, n=3)
    checked = send(client, community_consultation, "check", data).get_data(as_text=True)
    assert said in checked
    asked = send(client, community_consultation, "import")
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and said in html
    assert es("Import again anyway") in html
    assert count(db) == 3  # nothing until confirmed
    done = confirm(client, community_consultation, html)
    assert done.status_code == 302
    assert count(db) == 6
    records = db.session.scalars(select(ImportRecord).order_by(ImportRecord.id)).all()
    assert [(r.imported, r.imported_by_name) for r in records] == [(3, official.name), (3, official.name)]


def test_rows_imported_before_in_another_file_are_asked_and_flagged(
    client, community_consultation, official, kept_dir, db
):
    first = as_csv(HEADER, VALID)
    report = bulk_import.import_file(
        community_consultation,
        first,
        "a.csv",
        bulk_import.Defaults(None, "es", EntryMode.PAPER),
        batch="a" * 20,
        user=official,
    )
    db.session.commit()
    assert report.imported == 6
    assert not [f for f in capture.find_flags(community_consultation) if f.why == "repeats"]
    # The same rows, columns in another order and one new row: another file
    order = [2, 0, 1, 3, 4, 5, 6, 7]
    other = as_csv([HEADER[i] for i in order], [[row[i] for i in order] for row in VALID + [ROWS[4]]])
    asked = send(client, community_consultation, "import", other, "b.csv")
    html = asked.get_data(as_text=True)
    assert es("Rows %(rows)s have the same group, place and answers as rows imported before.", rows="2–7") in html
    assert count(db) == 6
    assert confirm(client, community_consultation, html).status_code == 302
    assert count(db) == 13
    flags = [f for f in capture.find_flags(community_consultation) if f.why == "repeats"]
    assert len(flags) == 1 and len(flags[0].response_ids) == 6
    page = client.get(f"/t/{community_consultation.territory.slug}/consultations/{community_consultation.id}/capture")
    label = capture.SOURCE_LABELS[capture.SourceKind.ENTRY]
    with force_locale("es"):
        expected = gettext("%(source)s: answers repeated from earlier responses", source=str(label))
    assert expected in page.get_data(as_text=True)


def test_group_errors_list_the_valid_codes_and_the_page_shows_them(client, community_consultation, official, kept_dir):
    report, _items = bulk_import.check_file(
        community_consultation,
        as_csv(HEADER, [ROWS[2]]),
        "a.csv",
        bulk_import.Defaults(None, "es", EntryMode.PAPER),
        batch="b" * 20,
        interface_lang="en",
    )
    message = next(p.message for p in report.problems if p.column == "group")
    for group in community_consultation.groups:
        assert group.group_code in message
    assert "rural_community (" in message
    page = client.get(url_of(community_consultation)).get_data(as_text=True)
    for group in community_consultation.groups:
        assert f"<code>{group.group_code}</code>" in page
    assert "<code>66028</code>" in page
    template = client.get(url_of(community_consultation) + "/template.xlsx")
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(template.get_data()))
    assert [c.value for c in workbook.worksheets[0][1]][:4] == ["group", "language", "entry_mode", "A1"]
    headers = [c.value for c in workbook.worksheets[0][1]]
    one_row_per_group = [[g.group_code] for g in community_consultation.groups]
    filled, _items = bulk_import.check_file(
        community_consultation,
        as_csv(headers, one_row_per_group),
        "t.csv",
        bulk_import.Defaults(None, "es", EntryMode.PAPER),
        batch="c" * 20,
    )
    assert filled.file_error is None and filled.notes == []  # every column of the template is understood
    codes = [row[0] for row in workbook.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert codes == [g.group_code for g in community_consultation.groups]
    places = [row[0] for row in workbook.worksheets[2].iter_rows(min_row=2, values_only=True)]
    assert "66028" in places
