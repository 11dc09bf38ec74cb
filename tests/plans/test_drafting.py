"""Drafting a plan from the demo's analysed consultation: every figure of an evidence sentence is the published one.

One demo seed for the whole path (seeding costs seconds): generate in Spanish,
check the sentences against ``services.results_page(..., published=True)``
computed here independently, suppression (no count below the threshold in any
sentence), quotes only with consent and "gone" after a withdrawal, regenerate
keeping an official's text, and drafting in English and Portuguese.
"""

from __future__ import annotations

import re

import pytest
from babel.support import Translations
from flask_babel import force_locale
from sqlalchemy import select

from consult.analysis import services
from consult.analysis.filters import read_filter
from consult.analysis.tables import percent
from consult.plans import drafting, evidence, versions
from consult.plans.models import SECTION_KEYS, EvidenceLink, PlanVersion
from consult.responses.models import Consultation, ConsultationState
from consult.testimonies import consent
from consult.testimonies import services as testimony_services
from consult.testimonies.enums import Actor, ConsentUse
from consult.testimonies.models import Testimony

SLUG = "dialogo-antioquia-2025"


def published_cells(consultation, lang: str) -> dict[tuple[int, str, str, str], tuple[int | None, str | None]]:
    """(version, question, option, group) -> (people asked, share text) of the public results page; None when hidden."""
    with force_locale(lang):
        ctx = services.context(consultation, lang)
        page = services.results_page(ctx, read_filter({}, consultation), published=True, pictures_too=False)
        cells = {}
        for section in page.sections:
            for result, tables in section.questions:
                if not tables:
                    continue
                view = tables[0][1]
                for index, (group, _label) in enumerate(view.columns):
                    base = view.bases[index]
                    for line in view.lines:
                        cell = line.cells[index]
                        hidden = base.is_hidden or cell.is_hidden
                        cells[(section.source.version_id, result.question.key, line.key, group)] = (
                            None if hidden else base.count,
                            None if hidden else percent(cell.share),
                        )
        return cells


def small_counts(text: str, k: int) -> list[str]:
    """Counts of people or reports below k written in a sentence ("n=3", "3 reports", "3 obtained")."""
    found = re.findall(r"n=(\d+)\)", text) + re.findall(r"(?<![\d.,])(\d+) (?:reports|obtained|responses)", text)
    return [n for n in found if 1 <= int(n) < k]


def test_a_draft_from_the_demo_cites_the_published_figures_and_respects_consent(app, db, create_user):
    from consult.demo import seed_demo

    seed_demo()
    consultation = db.session.scalar(select(Consultation).where(Consultation.slug == SLUG))
    if consultation.state != ConsultationState.ANALYSED:
        consultation.state = ConsultationState.ANALYSED
    k = consultation.small_cell_threshold
    official = create_user(roles={consultation.territory: ["official"]})
    second_moderator = create_user(roles={consultation.territory: ["moderator"]})

    # Two approved excerpts: one whose submitter allows quotes, one whose submitter later takes that back.
    quotable = [
        t
        for t in db.session.scalars(
            select(Testimony).where(Testimony.consultation_id == consultation.id).order_by(Testimony.id)
        )
        if t.allows(ConsentUse.QUOTE)
    ]
    assert len(quotable) >= 2
    kept, refused = quotable[0], quotable[1]
    kept_text, refused_text = "El río quedó negro y nadie vino a ver.", "Nos amenazaron por hablar en la reunión."
    excerpts = {}
    for testimony, text in ((kept, kept_text), (refused, refused_text)):
        excerpt = testimony_services.propose_excerpt(testimony, text, official)
        testimony_services.decide_excerpt(excerpt, True, "Sin datos que identifiquen.", official)
        testimony_services.decide_excerpt(excerpt, True, "De acuerdo (cuatro ojos).", second_moderator)
        excerpts[testimony.id] = excerpt.id
    consent.change_consent(refused, {ConsentUse.AGGREGATE}, lang="es", actor=Actor.SUBMITTER)
    db.session.commit()

    # -- generate in Spanish
    plan = drafting.generate(consultation, "es", official)
    db.session.commit()
    assert plan.version == 1 and plan.languages == ["es"] and consultation.state == ConsultationState.ANALYSED
    assert [s.key for s in plan.sections] == list(SECTION_KEYS)
    assert all(s.body["es"].strip() for s in plan.sections)
    methodology = next(s for s in plan.sections if s.key == "methodology")
    assert "Sindicato" in methodology.body["es"] or "Trade union" in methodology.body["es"]
    assert 1 <= len(plan.priorities) <= drafting.MAX_PRIORITIES
    assert plan.actions, "the library proposes actions for the priorities' rights"
    assert all(a.title["es"] and a.lead_entity["es"] and a.indicator_name["es"] for a in plan.actions)
    priority_ids = {p.id for p in plan.priorities}
    assert all(set(a.priority_ids) <= priority_ids for a in plan.actions)

    # every question sentence: the n and the share of the published results page, same question × group
    cells = published_cells(consultation, "es")
    links = evidence.links_of(plan)
    questions = [link for link in links if link.kind == "question"]
    assert questions
    shown = suppressed = 0
    for link in questions:
        ref = link.ref
        people, share = cells[(ref["version_id"], ref["question"], ref["option"], ref["group"])]
        if people is None:
            suppressed += 1
            assert link.is_suppressed and link.n is None
            assert "n=" not in link.sentence["es"]
        else:
            shown += 1
            assert not link.is_suppressed and link.n == people
            assert f"(n={people}): {share}" in link.sentence["es"]
    assert shown and suppressed, "the demo has both shown and hidden group figures"

    # a priority cites its salience and each group's share naming its right
    first = plan.priorities[0]
    kinds = {link.kind for link in first.evidence}
    assert {"salience", "question"} <= kinds
    for link in first.evidence:
        assert link.sentence["es"]

    # no count below the threshold in any sentence, in any kind
    for link in links:
        assert not small_counts(link.sentence["es"], k), link.sentence["es"]

    # remedy figures equal the published mechanism table
    ctx = services.context(consultation, "es")
    page = services.remedy_page(ctx, read_filter({}, consultation))
    remedy = [link for link in links if link.kind == "remedy" and link.ref.get("figure") == "obtained"]
    assert remedy
    for link in remedy:
        mechanism = next(m for m in page.mechanisms if m.mechanism == link.ref["mechanism"])
        assert mechanism.with_outcome >= k
        assert link.n == mechanism.with_outcome
        assert f"{mechanism.with_outcome} " in link.sentence["es"] and f" {mechanism.obtained} " in link.sentence["es"]

    # the quotable excerpt is quoted; the one whose consent was taken back appears nowhere
    quoted = [link for link in links if link.kind == "excerpt"]
    assert [link.ref["excerpt_id"] for link in quoted] == [excerpts[kept.id]]
    assert kept_text in quoted[0].sentence["es"] and not quoted[0].is_gone
    assert all(refused_text not in s for link in links for s in link.sentence.values())
    snapshot = db.session.scalar(select(PlanVersion).where(PlanVersion.plan_id == plan.id)).snapshot
    assert refused_text not in str(snapshot)

    # -- a second plan is refused
    with pytest.raises(drafting.PlanError) as refused_again:
        drafting.generate(consultation, "es", official)
    with force_locale("es"):
        # The lead's catalogue gives the Spanish words; until then gettext returns the English msgid.
        assert str(refused_again.value.message) in (
            "Esta consulta ya tiene un plan.",
            "This consultation already has a plan.",
        )

    # -- an official edits a section; the testimony is withdrawn; regenerate
    mandate = next(s for s in plan.sections if s.key == "mandate")
    mandate.body = {**mandate.body, "es": "Texto del mandato escrito por la Secretaría."}
    versions.save(plan, official, "edit")
    consent.withdraw(kept, lang="es", actor=Actor.SUBMITTER)
    db.session.commit()
    drafting.regenerate(plan, official)
    db.session.commit()
    assert plan.version == 3
    assert (
        next(s for s in plan.sections if s.key == "mandate").body["es"]
        == "Texto del mandato escrito por la Secretaría."
    )
    gone = db.session.get(EvidenceLink, quoted[0].id)
    assert gone.is_gone and kept_text not in gone.sentence["es"]
    # The Spanish catalogue's words, read from the catalogue itself.
    spanish = Translations.load("translations", ["es"]).gettext("This testimony is no longer available.")
    assert gone.sentence["es"] == spanish != "This testimony is no longer available."
    assert evidence.sentence(gone, "es") == gone.sentence["es"]
    # the other figures are unchanged by the regeneration
    for link in questions:
        people, share = cells[(link.ref["version_id"], link.ref["question"], link.ref["option"], link.ref["group"])]
        assert db.session.get(EvidenceLink, link.id).n == people

    # -- English and Portuguese drafts
    drafting.add_language(plan, "en", official)
    drafting.add_language(plan, "pt", official)
    db.session.commit()
    assert plan.languages == ["es", "en", "pt"] and plan.version == 5
    assert all(s.body.get("en") and s.body.get("pt") for s in plan.sections)
    assert all(a.title.get("pt") for a in plan.actions)
    en_cells = published_cells(consultation, "en")
    for link in evidence.links_of(plan):
        assert link.sentence.get("en") and link.sentence.get("pt")
        assert not small_counts(link.sentence["en"], k), link.sentence["en"]
        if link.kind == "question" and not link.is_suppressed:
            people, share = en_cells[
                (link.ref["version_id"], link.ref["question"], link.ref["option"], link.ref["group"])
            ]
            assert f"(n={people}): {share}" in link.sentence["en"]
            assert consultation.title_in("en") in link.sentence["en"]
    with pytest.raises(drafting.PlanError):
        drafting.add_language(plan, "pt", official)
    with pytest.raises(drafting.PlanError):
        drafting.add_language(plan, "qu", official)
    # a plan's action without evidence is marked as such
    action = plan.actions[0]
    assert drafting.has_evidence(action)
    for link in list(action.evidence):
        db.session.delete(link)
    db.session.flush()
    db.session.expire(action, ["evidence"])
    assert not drafting.has_evidence(action)
