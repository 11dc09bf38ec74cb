"""Testimony excerpts export: only approved excerpts whose author allows quotes, opened with an audit record."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from consult.core.cells import is_formula_like
from consult.exports.excerpts import PURPOSE, write_excerpts
from consult.testimonies import services
from consult.testimonies.consent import change_consent, withdraw
from consult.testimonies.models import Actor, ConsentUse, DecryptionEvent
from tests.fixtures.testimonies import NARRATIVE, full_answers


def _approved(testimony, text, moderator):
    from consult.accounts.services import create_user

    excerpt = services.propose_excerpt(testimony, text, moderator)
    services.decide_excerpt(excerpt, True, "Sin datos que identifiquen.", moderator)
    # Four eyes: a second, different person approves before it can be exported.
    second = create_user(f"second{excerpt.id}@example.org", "Second Moderator", "correct-horse-battery")
    services.decide_excerpt(excerpt, True, "De acuerdo.", second)
    return excerpt


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, like every CSV consult writes
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_only_consenting_approved_excerpts_are_exported_and_opening_them_is_audited(
    db, create_consultation, create_testimony, create_user
):
    consultation = create_consultation(slug="remedio-export")
    moderator = create_user(roles={consultation.territory: ["moderator"]})
    official = create_user(roles={consultation.territory: ["official"]})
    # Given: a quotable testimony (counted too), one quotable but not counted, one whose author
    # then allowed only counting, one withdrawn, one whose excerpt is only proposed
    quoted, code = create_testimony(consultation, full_answers(B3="rural_community"))
    assert quoted.group_code == "rural_community"
    _approved(quoted, '=HYPERLINK("http://x") el río quedó envenenado.', moderator)
    quote_only, _code = create_testimony(consultation, full_answers(A1=["quote"]), lang="en")
    _approved(quote_only, "They never answered our complaint.", moderator)
    narrowed, _code = create_testimony(consultation)
    _approved(narrowed, "Texto que ya no se puede citar.", moderator)
    withdrawn, _code = create_testimony(consultation)
    _approved(withdrawn, "Texto de un testimonio retirado.", moderator)
    proposed, _code = create_testimony(consultation)
    services.propose_excerpt(proposed, "Texto aún sin aprobar.", moderator)
    db.session.commit()
    change_consent(narrowed, {ConsentUse.AGGREGATE}, lang="es", actor=Actor.SUBMITTER)
    withdraw(withdrawn, lang="es", actor=Actor.SUBMITTER)
    db.session.commit()

    # When: an official exports the excerpts as CSV and as XLSX
    out = io.BytesIO()
    write_excerpts(consultation, "csv", out, lang="es", user=official)
    rows = _csv_rows(out.getvalue())
    book_out = io.BytesIO()
    write_excerpts(consultation, "xlsx", book_out, lang="en", user=official)

    # Then: the two quotable excerpts, and nothing else
    header, body = rows[0], rows[1:]
    assert len(header) == 6 and len(body) == 2
    texts = [row[0] for row in body]
    assert texts[0] == '\'=HYPERLINK("http://x") el río quedó envenenado.'  # written as text, never a formula
    assert texts[1] == "They never answered our complaint."
    everything = out.getvalue().decode("utf-8-sig")
    for absent in ("ya no se puede citar", "retirado", "sin aprobar", NARRATIVE, code, "Rosa Huanca"):
        assert absent not in everything
    # The mechanism comes from the answers kept for counting: the quote-only testimony has none
    assert body[0][1] and body[1][1] == ""
    # One testimony of its group is fewer than the threshold: the group is not named
    assert "Comunidad" not in body[0][2] and body[0][2]
    assert body[0][3] == "Español" and body[1][3] == "Inglés"
    assert body[0][4] and len(body[0][4]) == 10  # a date, no time
    assert all(row[5] == body[0][5] and row[5] for row in body)  # the consent that covers the use

    book = load_workbook(io.BytesIO(book_out.getvalue()))
    sheet = book.worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(values) == 3 and values[2][0] == "They never answered our complaint."
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
            assert not (isinstance(cell.value, str) and is_formula_like(cell.value)), cell.value
    about = " ".join(str(c.value) for row in book.worksheets[1].iter_rows() for c in row if c.value)
    assert "Quoted without names" in about

    # And: each export wrote one audit record per testimony opened, by the official, for this purpose
    events = db.session.scalars(select(DecryptionEvent).where(DecryptionEvent.purpose == PURPOSE)).all()
    assert sorted(e.testimony_id for e in events) == sorted([quoted.id, quote_only.id] * 2)
    assert {e.user_id for e in events} == {official.id}


def test_the_group_is_named_once_enough_testimonies_share_it(db, create_consultation, create_testimony, create_user):
    consultation = create_consultation(slug="remedio-grupo")
    moderator = create_user(roles={consultation.territory: ["moderator"]})
    answers = full_answers(B3="indigenous_people")
    testimonies = [create_testimony(consultation, answers)[0] for _ in range(consultation.small_cell_threshold)]
    _approved(testimonies[0], "Nadie vino a ver el río.", moderator)
    db.session.commit()
    out = io.BytesIO()
    write_excerpts(consultation, "csv", out, lang="es", user=moderator)
    body = _csv_rows(out.getvalue())[1:]
    assert len(body) == 1 and body[0][2] == "Pueblo indígena"
