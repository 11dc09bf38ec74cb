"""Completeness, draft marks and the PO/XLSX round trips work for a language outside the first six (Wichí)."""

from __future__ import annotations

import io

import polib
from openpyxl import load_workbook

from consult.surveys import content_i18n, services, texts
from tests.surveys.store_helpers import make_instrument  # noqa: F401  (fixture)

Q1_TEXT = "pages.p_group.questions.Q1.text"


def test_a_po_file_in_wichi_goes_out_and_comes_back(db, make_instrument):
    version = make_instrument()
    services.add_language(version, "mzh")
    db.session.commit()
    assert [r.language for r in services.completeness(version)][-1] == "mzh"
    po = polib.pofile(content_i18n.export_po(version, "mzh").decode("utf-8"))
    assert po.metadata["Language"] == "mzh"
    for entry in po:
        if entry.msgctxt == Q1_TEXT:
            entry.msgstr = "Q1 [mzh]"
    result = content_i18n.import_translations(version, str(po).encode("utf-8"))
    db.session.commit()
    assert result.language == "mzh" and result.applied == [Q1_TEXT]
    report = next(r for r in services.completeness(version) if r.language == "mzh")
    assert report.translated == 1 and Q1_TEXT not in report.missing


def test_an_xlsx_file_in_wichi_goes_out_and_comes_back(db, make_instrument):
    version = make_instrument()
    services.add_language(version, "mzh")
    sheet_file = io.BytesIO(content_i18n.export_xlsx(version, "mzh"))
    workbook = load_workbook(sheet_file)
    sheet = workbook.active
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == Q1_TEXT:
            row[2].value = "Q1 [mzh]"
    out = io.BytesIO()
    workbook.save(out)
    result = content_i18n.import_translations(version, out.getvalue(), "mzh")
    db.session.commit()
    assert result.applied == [Q1_TEXT]


def test_drafts_are_reported_and_a_text_saved_again_counts_as_checked(db, make_instrument):
    version = make_instrument()
    services.add_language(version, "mzh")
    services.update_texts(version, "mzh", {Q1_TEXT: "Q1 [mzh]", "title": "Título [mzh]"})
    definition = dict(version.definition)
    definition["meta"] = {texts.DRAFT_KEY: {"mzh": "*"}}
    version.definition = definition
    db.session.commit()
    report = next(r for r in services.completeness(version) if r.language == "mzh")
    assert sorted(report.drafts) == sorted([Q1_TEXT, "title"])
    services.update_texts(version, "mzh", {Q1_TEXT: "Q1 [mzh], checked"})
    db.session.commit()
    report = next(r for r in services.completeness(version) if r.language == "mzh")
    assert report.drafts == ["title"]
    assert version.definition["meta"][texts.DRAFT_KEY] == {"mzh": ["title"]}


def test_the_completeness_report_shows_draft_translations_to_officials(client, db, create_user, create_territory):
    from consult.surveys.services import load_library

    territory = create_territory("salta", "Salta", "AR", enabled_languages=["es", "gn"])
    official = create_user(roles={territory: ["official"]})
    community = {load.key: load.version for load in load_library()}["community_risk"]
    db.session.commit()
    client.login(official.email)
    url = f"/t/salta/instruments/{community.instrument_id}/versions/{community.number}/completeness?lang=en"
    html = client.get(url).get_data(as_text=True)
    assert "draft translation" in html and "Draft translations (" in html
    assert '<span lang="gn">' in html
