"""The plan as a document (HTML, PDF, DOCX): every section, the evidence, nothing dropped, script- and formula-safe."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile

from consult.plans.models import Pillar, PlanAction, PlanStatus

SENTENCE = "Consulta de prueba, pregunta Q1, comunidades rurales (n=12): 50 % responde «sí»"
SENTENCE_EN = "Test consultation, question Q1, rural communities (n=12): 50 % answer yes"
FORMULA = '=HYPERLINK("http://example.org/x","click")'


def said(lang: str, msgid: str) -> str:
    """``msgid`` as the interface says it in ``lang`` (the catalogues are complete)."""
    from flask_babel import force_locale, gettext

    with force_locale(lang):
        return gettext(msgid)


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _pdf_text(data: bytes, path) -> str:
    path.write_bytes(data)
    return _words(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout)


def _with_extras(plan, db):
    """The hand plan plus a dropped action, a script in a section, English texts and a formula-like lead entity."""
    db.session.add(
        PlanAction(
            plan_id=plan.id,
            position=2,
            pillar=Pillar.RESPECT,
            title={"es": "Acción descartada"},
            is_dropped=True,
            drop_reason={"es": "Fuera de mandato."},
        )
    )
    sections = {s.key: s for s in plan.sections}
    sections["mandate"].body = {"es": "Mandato <script>alert('x')</script>\n\n- uno\n- dos", "en": "Our mandate."}
    sections["governance"].body = {"es": FORMULA}
    plan.languages = ["es", "en"]
    plan.title = {"es": "Plan de acción de prueba", "en": "Test action plan"}
    for section in plan.sections:
        section.title = {"es": f"Sección {section.key}", "en": f"Section {section.key}"}
    protect = next(a for a in plan.actions if a.pillar == Pillar.PROTECT)
    protect.lead_entity = {"es": "=cmd|' /C calc'!A0"}
    protect.indicator_name = {"es": "Inspecciones realizadas"}
    protect.indicator_unit = "inspecciones"
    protect.indicator_baseline, protect.indicator_target = 0, 12
    protect.budget, protect.budget_currency = 25000, "COP"
    protect.sdg_targets, protect.ungp_principles = ["8.8"], ["1", "3"]
    for link in protect.evidence + plan.priorities[0].evidence:
        link.sentence = {"es": SENTENCE, "en": SENTENCE_EN}
    db.session.commit()
    return plan


def test_the_html_document_holds_every_section_the_evidence_and_nothing_dropped(hand_plan, db):
    from consult.plans import documents

    plan = _with_extras(hand_plan[0], db)
    html = documents.render_html(plan, "es")
    for section in plan.sections:
        assert f"Sección {section.key}" in html
    assert SENTENCE.replace("«", "&laquo;") in html or SENTENCE in html
    assert html.count(said("es", "No evidence cited")) == 1  # the remedy action cites nothing
    assert "Intérpretes en la Defensoría" in html and "Programa de inspección" in html
    assert "Acción descartada" not in html and "Fuera de mandato" not in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<li>uno</li>" in html  # Markdown rendered
    assert "Draft" in html or "Borrador" in html
    assert "<svg" in html and said("es", "Actions per pillar") in html
    # The annex numbers the one fact once, with both the priority and the action that cite it.
    annex = html[html.index('class="annex"') :]
    assert annex.count('id="evidence-') == 1 and "Agua y saneamiento" in annex and "Programa de inspección" in annex
    # In English the English texts, the rest falling back to Spanish.
    english = documents.render_html(plan, "en")
    assert "Test action plan" in english and "Section mandate" in english and SENTENCE_EN in english
    assert "Intérpretes en la Defensoría" in english  # no English title: the main language's
    assert '<html lang="en">' in english


def test_the_pdf_reads_in_spanish_and_english(hand_plan, db, tmp_path):
    from consult.plans import documents

    plan = _with_extras(hand_plan[0], db)
    for lang, sentence, title in (("es", SENTENCE, "Sección"), ("en", SENTENCE_EN, "Section")):
        data = documents.render_pdf(plan, lang)
        assert data.startswith(b"%PDF")
        path = tmp_path / f"plan-{lang}.pdf"
        text = _pdf_text(data, path)
        for section in plan.sections:
            assert f"{title} {section.key}" in text, (lang, section.key)
        assert _words(sentence) in text
        assert said(lang, "No evidence cited") in text and "Acción descartada" not in text
        assert lang != "es" or "<script>" in text  # shown as the text it is
        pages = int(
            re.search(
                r"Pages:\s+(\d+)",
                subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout,
            ).group(1)
        )
        assert re.search(rf"\b1 ?/ ?{pages}\b", text) and re.search(rf"\b{pages} ?/ ?{pages}\b", text)
        # The pages render to images (looked at by hand while writing the layout).
        subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / f"page-{lang}")], check=True)
        assert len(list(tmp_path.glob(f"page-{lang}-*.png"))) == pages


def test_the_docx_has_headings_evidence_fields_and_no_formula(hand_plan, db):
    from docx import Document

    from consult.plans import documents

    plan = _with_extras(hand_plan[0], db)
    data = documents.render_docx(plan, "es")
    docx = Document(io.BytesIO(data))
    headings = [p.text for p in docx.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    for section in plan.sections:
        assert f"Sección {section.key}" in headings
    assert "Plan de acción de prueba" in headings
    assert any(
        h.startswith(said("es", "Action %(number)s: %(title)s").split("%")[0] + "1") and "Programa de inspección" in h
        for h in headings
    )
    paragraphs = [p.text for p in docx.paragraphs]
    assert f"[1] {SENTENCE}" in paragraphs
    assert said("es", "No evidence cited") in paragraphs
    assert FORMULA in paragraphs  # a section body stays literal text
    assert not any("Acción descartada" in p for p in paragraphs)
    cells = [cell.text for table in docx.tables for row in table.rows for cell in row.cells]
    assert "Inspecciones realizadas (inspecciones)" in cells and "12 inspecciones" in cells
    assert "25,000 COP" in cells or "25.000 COP" in cells
    assert "'=cmd|' /C calc'!A0" in cells  # a formula-like cell is written as text
    assert SENTENCE in cells  # the annex
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "instrText" not in xml and "fldSimple" not in xml
    assert any(name.startswith("word/media/") for name in zipfile.ZipFile(io.BytesIO(data)).namelist())  # chart


def test_who_may_download_the_plan_documents(hand_plan, app, create_user, create_territory, db):
    plan, official = hand_plan
    territory = plan.territory
    client = app.test_client()
    base = f"/t/{territory.slug}/plans/{plan.id}/document"
    slug = plan.consultation.slug

    assert client.get(base + ".pdf?lang=es").status_code == 302  # anonymous: to the login page
    assert client.get(f"/c/{slug}/plan/document.pdf?lang=es").status_code == 404  # a draft is not public

    client.login(official.email)
    response = client.get(base + ".html")
    assert response.status_code == 302 and "lang=" in response.headers["Location"]
    response = client.get(base + ".html?lang=es")
    assert response.status_code == 200 and "Plan de acción de prueba" in response.get_data(as_text=True)
    assert "script-src" not in response.headers["Content-Security-Policy"]
    assert "style-src 'sha256-" in response.headers["Content-Security-Policy"]
    response = client.get(base + ".pdf?lang=es")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    disposition = response.headers["Content-Disposition"]
    assert disposition.isascii() and disposition.startswith("attachment;") and "-draft-" in disposition
    response = client.get(base + ".docx?lang=en")
    assert response.status_code == 200 and response.data.startswith(b"PK")
    assert client.get(base + ".exe?lang=es").status_code == 404

    client = app.test_client()
    analyst = create_user(roles={territory: ["analyst"]})
    client.login(analyst.email)
    assert client.get(base + ".docx?lang=es").status_code == 200

    client = app.test_client()
    elsewhere = create_user(roles={create_territory("elsewhere"): ["official"]})
    client.login(elsewhere.email)
    assert client.get(f"/t/elsewhere/plans/{plan.id}/document.pdf?lang=es").status_code == 404

    client = app.test_client()
    plan.status = PlanStatus.COMMENT
    db.session.commit()
    response = client.get(f"/c/{slug}/plan/document.html?lang=es")
    assert response.status_code == 200 and "Borrador" not in response.get_data(as_text=True)
    response = client.get(f"/c/{slug}/plan/document.docx?lang=es")
    assert response.status_code == 200 and response.data.startswith(b"PK")
    assert client.get(f"/c/{slug}/plan/document.docx").status_code == 302


def test_a_generated_plan_from_the_demo_prints_with_its_evidence(app, db, create_user, tmp_path):
    """One demo seed: generate, adopt, add English; the PDF and DOCX show every section and each evidence sentence."""
    from docx import Document
    from sqlalchemy import select

    from consult.demo import seed_demo
    from consult.plans import documents, drafting, evidence
    from consult.responses.models import Consultation, ConsultationState

    seed_demo()
    consultation = db.session.scalar(select(Consultation).where(Consultation.slug == "dialogo-antioquia-2025"))
    consultation.state = ConsultationState.ANALYSED
    official = create_user(roles={consultation.territory: ["official"]})
    plan = drafting.generate(consultation, "es", official)
    if "en" in (consultation.languages or []):
        drafting.add_language(plan, "en", official)
    plan.status = PlanStatus.FINAL
    db.session.commit()
    kept = [a for a in plan.actions if not a.is_dropped]
    assert kept and plan.priorities
    for lang in [code for code in ("es", "en") if code in plan.languages]:
        sentences = [
            _words(evidence.sentence(link, lang, plan.language))
            for item in [*plan.priorities, *kept]
            if not getattr(item, "is_dropped", False)
            for link in item.evidence
        ]
        text = _pdf_text(documents.render_pdf(plan, lang), tmp_path / f"demo-{lang}.pdf")
        for section in plan.sections:
            assert _words(plan.text(section.title, lang)) in text, section.key
        assert sentences and sentences[0] in text
        assert "<!--" not in text  # drafting's block markers are not printed
        docx = Document(io.BytesIO(documents.render_docx(plan, lang)))
        words = " ".join(
            [p.text for p in docx.paragraphs] + [c.text for t in docx.tables for r in t.rows for c in r.cells]
        )
        assert all(sentence in _words(words) for sentence in sentences)
        headings = [p.text for p in docx.paragraphs if p.style.name.startswith("Heading")]
        assert all(plan.text(s.title, lang) in headings for s in plan.sections)


def test_an_action_cites_by_number_what_a_priority_printed_in_full(hand_plan, app):
    """The sentence both the priority and the action cite is printed once in the body (and once in the annex)."""
    from flask_babel import force_locale

    from consult.plans.documents import render_html

    plan, _official = hand_plan
    with app.test_request_context(), force_locale("es"):
        html = render_html(plan, "es")
    sentence = "Consulta de prueba, pregunta Q1, comunidades rurales (n=12): 50 % responde «sí»"
    assert html.count(sentence) == 2  # under the priority, and in the annex
    assert 'class="evidence-above"' in html and 'href="#evidence-1"' in html


def test_drafting_markers_never_print():
    from consult.plans.markdown import to_blocks, to_html

    text = "Antes.\n\n<!-- participation -->\n| a | b |\n|---|---|\n| 1 | 2 |\n<!-- /participation -->\n\nDespués."
    assert "participation" not in to_html(text)
    assert all("participation" not in words for _kind, words in to_blocks(text))
