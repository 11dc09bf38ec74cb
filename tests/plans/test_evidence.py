"""Evidence sentences of a small consultation built by hand: the published figures, suppression, gone facts, refusals.

The demo's whole path is in ``test_drafting.py``; these need no demo seed.
"""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from consult.analysis import services
from consult.analysis.filters import read_filter
from consult.analysis.tables import percent
from consult.plans import drafting, evidence
from consult.plans.models import EvidenceLink, Plan
from consult.responses import services as response_services
from consult.responses.models import ConsultationState, EntryMode, Response
from consult.responses.storage import NewResponse, store_many, unheld_keys


def small_consultation(create_consultation, create_version, make_definition, db, languages=("es", "en", "pt")):
    """Rural communities: 9 yes, 6 no counted (one "no" set aside); CSOs: 2 yes, 1 no (a small group)."""
    from tests.fixtures.survey_definitions import option, question

    version = create_version(
        make_definition(
            [
                question(
                    "Q1", "single_choice", options=[option("yes", "Sí", "Yes", "Sim"), option("no", "No", "No", "Não")]
                )
            ]
        )
    )
    consultation = create_consultation(groups={"rural_community": version, "cso": version}, languages=languages)
    answers = (
        [("rural_community", "yes")] * 9 + [("rural_community", "no")] * 7 + [("cso", "yes")] * 2 + [("cso", "no")]
    )
    items = []
    for group, value in answers:
        key, receipt = unheld_keys()
        items.append(
            NewResponse(
                version=version,
                group_code=group,
                language="es",
                entry_mode=EntryMode.ONLINE,
                answers={"Q1": value},
                submission_key=key,
                receipt_code_hash=receipt,
                submitted_on=date.today(),
            )
        )
    store_many(consultation, items)
    db.session.commit()
    last_no = db.session.scalars(
        select(Response).where(Response.group_code == "rural_community").order_by(Response.id.desc())
    ).first()
    last_no.is_set_aside = True
    response_services.change_state(consultation, ConsultationState.CLOSED)
    response_services.change_state(consultation, ConsultationState.ANALYSED)
    db.session.commit()
    return consultation, version


def link(kind: str, ref: dict) -> EvidenceLink:
    return EvidenceLink(plan_id=0, kind=kind, ref=ref, sentence={})


def test_question_sentences_carry_the_published_n_and_share_and_hide_small_groups(
    create_consultation, create_version, make_definition, db
):
    consultation, version = small_consultation(create_consultation, create_version, make_definition, db)
    # With a threshold of 1 nothing is hidden: 9 of the 15 counted (the set-aside answer is not counted), 60 %
    consultation.small_cell_threshold = 1
    open_facts = evidence.Facts(consultation, "en")
    rural = link("question", {"version_id": version.id, "question": "Q1", "option": "yes", "group": "rural_community"})
    evidence.render(rural, "en", open_facts)
    assert rural.n == 15 and not rural.is_suppressed and not rural.is_gone
    assert rural.sentence["en"].startswith("Test consultation, question Q1 (")
    assert rural.sentence["en"].endswith("Rural or farming community (n=15): 60 % chose “Yes”")

    # At the usual 5, the CSOs' 3 are hidden, and so is every figure that would give them away
    # (as on the public page: the row total minus the rural count would be the CSOs' count).
    consultation.small_cell_threshold = 5
    facts = evidence.Facts(consultation, "en")
    with force_locale("en"):
        ctx = services.context(consultation, "en")
        page = services.results_page(ctx, read_filter({}, consultation), published=True, pictures_too=False)
    view = page.sections[0].questions[0][1][0][1]
    columns = [key for key, _label in view.columns]
    for group in ("rural_community", "cso"):
        shown = link("question", {"version_id": version.id, "question": "Q1", "option": "yes", "group": group})
        evidence.render(shown, "en", facts)
        index = columns.index(group)
        base, cell = view.bases[index], view.lines[0].cells[index]
        if base.is_hidden or cell.is_hidden:
            assert shown.is_suppressed and shown.n is None and "fewer than 5" in shown.sentence["en"]
            assert "n=" not in shown.sentence["en"]
        else:
            assert shown.n == base.count and f"(n={base.count}): {percent(cell.share)}" in shown.sentence["en"]
    cso = link("question", {"version_id": version.id, "question": "Q1", "option": "yes", "group": "cso"})
    evidence.render(cso, "en", facts)
    assert cso.is_suppressed and cso.n is None
    evidence.render(rural, "en", facts)

    # a second language is added beside the first (a new dict), in that language's words
    es_facts = evidence.Facts(consultation, "es")
    evidence.render(rural, "es", es_facts)
    assert set(rural.sentence) == {"en", "es"} and "Consulta de prueba" in rural.sentence["es"]
    assert rural.sentence["en"] != rural.sentence["es"]

    # facts that do not exist are "gone", never a made-up figure
    for kind, ref in [
        ("question", {"version_id": version.id, "question": "Q9", "option": "yes", "group": "cso"}),
        ("question", {"version_id": "x"}),
        ("excerpt", {"excerpt_id": 999999}),
        ("theme", {"theme": "nothing"}),
        ("nonsense", {}),
    ]:
        gone = link(kind, ref)
        evidence.render(gone, "en", facts)
        assert gone.is_gone and gone.n is None, (kind, ref)
    excerpt = link("excerpt", {"excerpt_id": 999999})
    evidence.render(excerpt, "en", facts)
    assert excerpt.sentence["en"] == "This testimony is no longer available."
    assert evidence.sentence(link("salience", {}), "en").startswith("No evidence sentence yet")

    # nothing salient, no remedy: the facts say so without a count
    salience = link("salience", {"right": "water_sanitation", "sector": None, "place": None})
    evidence.render(salience, "en", facts)
    assert salience.n == 0 and "no report" in salience.sentence["en"]
    barrier = link("remedy", {"figure": "barrier", "barrier": "language"})
    evidence.render(barrier, "en", facts)
    assert barrier.n == 0


def test_generate_refuses_what_cannot_be_drafted_and_drafts_a_content_only_language(
    create_consultation, create_version, make_definition, create_user, db
):
    open_one = create_consultation()
    official = create_user(roles={open_one.territory: ["official"]})
    with pytest.raises(drafting.PlanError) as refused:
        drafting.generate(open_one, "es", official)
    with force_locale("en"):
        assert str(refused.value.message).startswith("A plan can be drafted only from an analysed consultation")
    assert db.session.scalar(select(Plan).where(Plan.consultation_id == open_one.id)) is None

    consultation, version = small_consultation(
        create_consultation, create_version, make_definition, db, languages=("es", "qu")
    )
    with pytest.raises(drafting.PlanError):
        drafting.generate(consultation, "pt", official)
    # Quechua has no interface catalogue: generated words are in the fallback language's interface (Spanish)
    plan = drafting.generate(consultation, "qu", official)
    db.session.commit()
    assert plan.language == "qu" and plan.version == 1
    assert all(section.body.get("qu") for section in plan.sections)
    methodology = next(s for s in plan.sections if s.key == "methodology")
    # the participation table as the public page publishes it: the CSOs' 3 hidden, and the rural 15 with them
    # (the total of 18 is shown, so the one group left would give the other away)
    assert "| 18 |" in methodology.body["qu"]
    assert "| 3 |" not in methodology.body["qu"] and "| 15 |" not in methodology.body["qu"]
    assert methodology.body["qu"].count("fewer than 5") + methodology.body["qu"].count("menos de 5") >= 2
    assert consultation.state == ConsultationState.ANALYSED


def test_gaps_in_plan_texts_are_written_as_the_reader_writes_numbers(app):
    from flask_babel import force_locale

    from consult.plans.evidence import signed_points

    with app.test_request_context("/"):
        with force_locale("es"):
            assert (signed_points(12.5), signed_points(-3.25), signed_points(0)) == ("+12,5", "-3,25", "+0")
        with force_locale("en"):
            assert signed_points(12.5) == "+12.5"
