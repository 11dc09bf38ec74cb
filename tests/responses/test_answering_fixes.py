"""What a person answering on a phone without JavaScript tripped over (issue 13, "Answering").

Each test says what the person sees; each failed before its fix.
"""

from __future__ import annotations

import re

import pytest

from tests.fixtures.survey_definitions import make_definition, option, question, tr

YES_NO = [option("yes", "Sí", "Yes", "Sim"), option("no", "No", "No", "Não")]
ONLY_IF_YES = {"==": [{"answer": "Q1"}, "yes"]}


def _start(client, slug: str, lang: str = "en", group: str = "rural_community") -> str:
    """Start answering ``slug`` in ``lang`` as ``group``; returns the first page's URL."""
    client.get(f"/c/{slug}/?lang={lang}")
    client.submit(f"/c/{slug}/start", form_url=f"/c/{slug}/")
    response = client.submit(f"/c/{slug}/group", {"group_code": group})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return response.headers["Location"]


def _page(client, slug: str, key: str, data: dict):
    return client.submit(f"/c/{slug}/p/{key}", data)


def _text(html: str) -> str:
    """The page's words without tags, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# -- 1. a page whose every question is hidden is skipped ------------------------------------------


@pytest.fixture
def hidden_page_consultation(create_version, create_consultation):
    """p1 (Q1 yes/no) → p2 (Q2 and Q3, both shown only after "yes", as imported skip rules say) → p3 (Q4)."""
    definition = make_definition(
        pages=[
            {"key": "p1", "questions": [question("Q1", "single_choice", options=YES_NO)]},
            {
                "key": "p2",
                "title": tr("Detalles", "Details", "Detalhes"),
                "questions": [
                    question("Q2", "short_text", when=ONLY_IF_YES),
                    question("Q3", "short_text", when=ONLY_IF_YES),
                ],
            },
            {"key": "p3", "questions": [question("Q4", "short_text")]},
        ],
        key="imported",
    )
    return create_consultation(groups={"rural_community": create_version(definition)})


def test_a_page_whose_questions_are_all_hidden_is_skipped_forward_back_and_in_review(client, hidden_page_consultation):
    slug = hidden_page_consultation.slug
    assert _start(client, slug).endswith("/p/p1")
    # "No" hides every question of p2: Continue goes straight to p3.
    response = _page(client, slug, "p1", {"q-Q1": "no", "action": "next"})
    assert response.headers["Location"].endswith("/p/p3")
    # The empty page cannot be opened either (no page with only buttons).
    assert client.get(f"/c/{slug}/p/p2").headers["Location"].endswith("/p/p3")
    html = client.get(f"/c/{slug}/p/p3").get_data(as_text=True)
    assert "Details" not in html
    # Back from p3 returns to p1, not to the empty page.
    assert _page(client, slug, "p3", {"action": "back"}).headers["Location"].endswith("/p/p1")
    _page(client, slug, "p1", {"q-Q1": "no", "action": "next"})
    assert _page(client, slug, "p3", {"q-Q4": "fine", "action": "next"}).headers["Location"].endswith("/review")
    review = client.get(f"/c/{slug}/review").get_data(as_text=True)
    assert "Details" not in review and "/p/p2" not in review
    # "Yes" shows the page again, with its questions.
    _page(client, slug, "p1", {"q-Q1": "yes", "action": "next"})
    html = client.get(f"/c/{slug}/p/p2").get_data(as_text=True)
    assert "Details" in html and "Question Q2" in html


# -- 2. progress that does not mislead ----------------------------------------------------------


@pytest.fixture
def growing_path_consultation(create_version, create_consultation):
    """Two parts; "yes" on p1 adds two pages (p2, p3) to the path, so a "page N of M" total would grow."""
    definition = make_definition(
        sections=[
            {
                "key": "s_first",
                "title": tr("Primera parte", "First part", "Primeira parte"),
                "pages": [
                    {
                        "key": "p1",
                        "title": tr("Inicio", "Start", "Início"),
                        "questions": [question("Q1", "single_choice", options=YES_NO)],
                    },
                    {"key": "p2", "when": ONLY_IF_YES, "questions": [question("Q2", "short_text")]},
                    {"key": "p3", "when": ONLY_IF_YES, "questions": [question("Q3", "short_text")]},
                ],
            },
            {
                "key": "s_second",
                "title": tr("Segunda parte", "Second part", "Segunda parte"),
                "pages": [
                    {"key": "p4", "title": tr("Fin", "End", "Fim"), "questions": [question("Q4", "short_text")]},
                ],
            },
        ],
        key="growing",
    )
    return create_consultation(groups={"rural_community": create_version(definition)})


def test_progress_names_the_part_and_counts_what_is_left_as_the_answers_stand(client, growing_path_consultation):
    slug = growing_path_consultation.slug
    _start(client, slug)
    first = _text(client.get(f"/c/{slug}/p/p1").get_data(as_text=True))
    # No total that grows later ("Page 1 of 2" then "Page 2 of 4"): the part's total is fixed...
    assert not re.search(r"Page \d+ of \d+", first)
    assert "Part 1 of 2: First part" in first
    # ...and what is left is said to depend on the answers.
    assert "1 more page after this one, as your answers stand now: some answers add or skip questions." in first
    _page(client, slug, "p1", {"q-Q1": "yes", "action": "next"})
    second = _text(client.get(f"/c/{slug}/p/p2").get_data(as_text=True))
    assert "Part 1 of 2: First part" in second
    assert "2 more pages after this one, as your answers stand now" in second
    _page(client, slug, "p2", {"action": "next"})
    _page(client, slug, "p3", {"action": "next"})
    last = _text(client.get(f"/c/{slug}/p/p4").get_data(as_text=True))
    assert "Part 2 of 2" in last and "Last page before you check your answers." in last


# -- 4. "Other (say which)": one rule for single and multiple choice ----------------------------


@pytest.fixture
def other_consultation(create_version, create_consultation):
    """One page: a single choice and a multiple choice, each with "other, say which"."""
    definition = make_definition(
        [
            question(
                "SC",
                "single_choice",
                "¿Cuál?",
                "Which one?",
                "Qual?",
                options=YES_NO,
                other={"label": tr("Otra", "Another", "Outra")},
            ),
            question(
                "MC",
                "multiple_choice",
                "¿Cuáles?",
                "Which ones?",
                "Quais?",
                options=[
                    option("water", "Agua", "Water", "Água"),
                    option("land", "Tierra", "Land", "Terra"),
                ],
                other={"label": tr("Otro", "Something else", "Outro")},
            ),
        ],
        key="other",
    )
    return create_consultation(groups={"rural_community": create_version(definition)})


def test_other_text_with_another_option_ticked_is_refused_alike_and_kept_on_the_page(client, other_consultation, db):
    from consult.responses.models import ResponseDraft

    slug = other_consultation.slug
    _start(client, slug)
    html = _page(
        client, slug, "p1", {"q-SC": "yes", "q-MC": ["water"], "q-MC-other": "the river fish", "action": "next"}
    ).get_data(as_text=True)
    assert "You wrote something under “Something else” but chose another answer." in html
    assert 'value="the river fish"' in html  # what was typed stays
    assert db.session.query(ResponseDraft).one().answers == {}
    html = _page(client, slug, "p1", {"q-SC": "yes", "q-SC-other": "a lake", "action": "next"}).get_data(as_text=True)
    assert "You wrote something under “Another” but chose another answer." in html and 'value="a lake"' in html
    # Ticking "other" (or ticking nothing) keeps the text as the "other" answer.
    response = _page(client, slug, "p1", {"q-MC": ["water", "other"], "q-MC-other": "the river fish", "action": "next"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.query(ResponseDraft).one().answers["MC"] == {
        "options": ["water", "other"],
        "other": "the river fish",
    }


# -- 5. codes never wrap inside a group and always show their dashes ----------------------------

GROUPED = re.compile(r'class="code[^"]*">((?:<span class="code-group">[0-9A-Z]{4}-?</span>)+)</p>')


def _groups(html: str) -> list[str]:
    """The groups of the large code on the page, each from its own unbreakable span."""
    match = GROUPED.search(html)
    assert match, "the code is not written in groups"
    return re.findall(r'<span class="code-group">([0-9A-Z]{4})-?</span>', match.group(1))


def test_codes_are_written_group_by_group_with_their_dashes(app, client, other_consultation):
    slug = other_consultation.slug
    _start(client, slug)
    later = client.submit(f"/c/{slug}/p/p1", {"action": "later"})
    assert later.headers["Location"].endswith("/later")
    groups = _groups(client.get(f"/c/{slug}/later").get_data(as_text=True))
    assert len(groups) == 3
    # Typed without dashes, in lower case, in another browser: shown back as it was written down.
    other = app.test_client()
    other.get(f"/c/{slug}/")
    response = other.submit(f"/c/{slug}/resume", {"code": "".join(groups).lower()}, form_url=f"/c/{slug}/")
    assert response.status_code == 302
    html = other.get(response.headers["Location"]).get_data(as_text=True)
    written = "".join(f'<span class="code-group">{g}{"-" if i < 2 else ""}</span>' for i, g in enumerate(groups))
    assert written in html
    # The review page and the receipt code after sending, alike.
    other.submit(f"/c/{slug}/p/p1", {"action": "next"})
    review = other.get(f"/c/{slug}/review").get_data(as_text=True)
    assert written in review
    token = re.search(r'name="submission_token" value="([^"]+)"', review).group(1)
    other.submit(f"/c/{slug}/send", {"submission_token": token}, form_url=f"/c/{slug}/review")
    receipt = _groups(other.get(f"/c/{slug}/sent").get_data(as_text=True))
    assert len(receipt) >= 3 and all(len(g) == 4 for g in receipt)


# -- 6. one language switcher on answering pages, the one that keeps what was typed ---------------


def test_answering_pages_have_one_language_switcher_and_it_keeps_what_was_typed(client, growing_path_consultation, db):
    from consult.responses.models import ResponseDraft

    slug = growing_path_consultation.slug
    _start(client, slug)
    for url in (f"/c/{slug}/group", f"/c/{slug}/p/p1"):
        html = client.get(url).get_data(as_text=True)
        assert "hreflang=" not in html, url  # no header links that would reload the page and drop the answers
        assert 'name="switch_lang" value="es"' in html and 'name="switch_lang" value="pt"' in html
    # The button saves what was just answered, then shows the page in the language chosen.
    response = _page(client, slug, "p1", {"q-Q1": "yes", "switch_lang": "pt"})
    assert response.headers["Location"].endswith("/p/p1")
    html = client.get(f"/c/{slug}/p/p1").get_data(as_text=True)
    assert '<html lang="pt"' in html and re.search(r'value="yes"[^>]*checked|checked[^>]*value="yes"', html)
    assert db.session.query(ResponseDraft).one().answers == {"Q1": "yes"}
    # Review and "continue later" alike.
    _page(client, slug, "p1", {"q-Q1": "no", "action": "next"})
    for url in (f"/c/{slug}/review", f"/c/{slug}/later"):
        html = client.get(url).get_data(as_text=True)
        assert "hreflang=" not in html and 'name="switch_lang"' in html, url


# -- 3. the community survey asks the group once, and an invitation's group is said, not asked ----


def test_the_community_survey_asks_the_group_once_and_still_stores_it(client, community_consultation, db):
    from sqlalchemy import select

    from consult.responses.models import Answer, ResponseDraft

    slug = community_consultation.slug
    client.get(f"/c/{slug}/?lang=en")
    client.submit(f"/c/{slug}/start", form_url=f"/c/{slug}/")
    group_step = _text(client.get(f"/c/{slug}/group").get_data(as_text=True))
    # One title for one step: the group step is not "About you" (a part of the survey has that name).
    assert "Who answers" in group_step and "About you" not in group_step
    _text(client.submit(f"/c/{slug}/group", {"group_code": "rural_community"}).get_data(as_text=True))
    _page(client, slug, "p_intro", {"action": "next"})
    # After the place comes the next part: "Your group" is not asked again with another list.
    response = _page(client, slug, "p_place", {"q-A1-locality": "66028", "action": "next"})
    assert response.headers["Location"].endswith("/p/p_business")
    assert client.get(f"/c/{slug}/p/p_group").headers["Location"].endswith("/p/p_business")
    assert _page(client, slug, "p_business", {"action": "back"}).headers["Location"].endswith("/p/p_place")
    draft = db.session.scalar(select(ResponseDraft))
    assert draft.answers["A2"] == "rural_community"  # said once, on the group step, kept for the analysis
    # The review does not list the group question either; it says the group once, at its top.
    draft.page_key = "review"
    db.session.commit()
    review = client.get(f"/c/{slug}/review").get_data(as_text=True)
    assert "Which group do you belong to" not in review and "/p/p_group" not in review
    token = re.search(r'name="submission_token" value="([^"]+)"', review).group(1)
    client.submit(f"/c/{slug}/send", {"submission_token": token}, form_url=f"/c/{slug}/review")
    assert db.session.scalar(select(Answer.option).where(Answer.question_key == "A2")) == "rural_community"
    # The survey's last part keeps its own name; its first page has a title of its own.
    from consult.surveys import services

    community = {load.key: load.version for load in services.load_library()}["community_risk"].parsed()
    titles = [p.title["es"] for p in community.pages if p.title] + [
        s.title["es"] for s in community.sections if s.title
    ]
    assert titles.count("Sobre usted") == 1


def test_an_invitation_says_its_group_instead_of_asking_it(client, community_consultation, create_invitation, db):
    from sqlalchemy import select

    from consult.responses.models import ResponseDraft

    slug = community_consultation.slug
    _invitation, token = create_invitation(community_consultation, "indigenous_people")
    client.get(f"/c/{slug}/i/{token}")
    client.get(f"/c/{slug}/?lang=en")
    client.submit(f"/c/{slug}/start", form_url=f"/c/{slug}/")
    html = client.get(f"/c/{slug}/group").get_data(as_text=True)
    text = _text(html)
    assert "You answer as: Indigenous people. Your invitation link is for this group." in text
    assert 'type="radio"' not in html  # no one-option question, pre-checked
    assert "If you change your group" not in text  # nor a warning about changing what cannot change
    response = client.submit(f"/c/{slug}/group", {"group_code": "indigenous_people"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/p/p_intro")
    draft = db.session.scalar(select(ResponseDraft))
    assert draft.group_code == "indigenous_people" and draft.answers.get("A2") == "indigenous_people"
