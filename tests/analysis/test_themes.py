"""Themes: analysts code free-text answers through the pages, and theme counts per group leave set-aside answers out."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event, select

from consult.analysis import themes
from consult.analysis.models import AnswerTheme, Theme
from consult.responses.models import Answer, EntryMode, Response
from consult.responses.queries import ResponseFilter
from consult.responses.storage import NewResponse, store_many, unheld_keys
from tests.fixtures.survey_definitions import option, question, tr

DAY = date(2026, 3, 1)


@pytest.fixture
def coded(create_territory, create_version, create_consultation, make_definition, db):
    """Salta's consultation: rural communities and CSOs answer version A (T1 long text, C1 choice with "other",
    N1 number); indigenous peoples answer version B, whose T1 is another question (short text).

    Responses: r1 rural (T1, C1 other), r2 rural (T1 with markup), r3 cso (T1), r4 rural set aside (T1),
    r5 indigenous (B's T1).
    """
    territory = create_territory("salta", "Salta", "AR")
    version_a = create_version(
        make_definition(
            [
                question("T1", "long_text", "¿Qué daño vio?", "What harm did you see?", "Que dano viu?"),
                question(
                    "C1",
                    "single_choice",
                    "¿Qué sector?",
                    "Which sector?",
                    "Qual setor?",
                    options=[option("mining", "Minería", "Mining", "Mineração")],
                    other={"label": tr("Otro", "Other", "Outro")},
                ),
                question("N1", "number", "¿Cuántos?", "How many?", "Quantos?"),
            ]
        )
    )
    version_b = create_version(
        make_definition([question("T1", "short_text", "¿Qué pide?", "What do you ask for?", "O que pede?")])
    )
    consultation = create_consultation(
        territory,
        groups={"rural_community": version_a, "cso": version_a, "indigenous_people": version_b},
        slug="riesgos",
    )
    answers = [
        (
            version_a,
            "rural_community",
            {"T1": "Agua contaminada por la mina", "C1": {"option": "other", "other": "Ruido"}, "N1": 3},
        ),
        (version_a, "rural_community", {"T1": "<script>alert(1)</script> el río"}),
        (version_a, "cso", {"T1": "Despidos sin pago", "C1": "mining"}),
        (version_a, "rural_community", {"T1": "Texto apartado"}),
        (version_b, "indigenous_people", {"T1": "Territorio ancestral"}),
    ]
    items = []
    for version, group, values in answers:
        key, receipt = unheld_keys()
        items.append(
            NewResponse(
                version=version,
                group_code=group,
                language="es",
                entry_mode=EntryMode.ONLINE,
                answers=values,
                submission_key=key,
                receipt_code_hash=receipt,
                submitted_on=DAY,
            )
        )
    store_many(consultation, items)
    db.session.commit()
    responses = db.session.scalars(select(Response).order_by(Response.id)).all()
    responses[3].is_set_aside = True
    db.session.commit()
    ids = {}
    for number, response in enumerate(responses, 1):
        for answer in response.answers:
            ids[(f"r{number}", answer.question_key)] = answer.id
    return {"territory": territory, "consultation": consultation, "a": version_a, "b": version_b, "ids": ids}


@pytest.fixture
def analyst(coded, create_user, client):
    user = create_user("analista@salta.example", roles={coded["territory"]: ["analyst"]})
    client.login(user.email)
    return user


def _base(coded) -> str:
    return f"/t/salta/consultations/{coded['consultation'].id}/analysis/themes"


def _create(client, coded, code, label, description=""):
    return client.submit(f"{_base(coded)}?lang=en", {"code": code, "label": label, "description": description})


def _tag(client, coded, version, tags: dict[int, list[int]], key="T1"):
    url = f"{_base(coded)}/questions/{version.id}/{key}?lang=en"
    data = {"shown": ",".join(str(i) for i in tags)}
    data.update({f"answer_{answer_id}": [str(t) for t in theme_ids] for answer_id, theme_ids in tags.items()})
    return client.submit(url, data)


def _theme_ids(db) -> dict[str, int]:
    return {theme.code: theme.id for theme in db.session.scalars(select(Theme))}


def test_an_analyst_creates_themes_and_codes_answers_through_the_pages(analyst, coded, client, db):
    ids = coded["ids"]
    # Given an analyst on the themes page
    html = client.get(f"{_base(coded)}?lang=en").get_data(as_text=True)
    assert "No theme yet." in html
    assert "What harm did you see?" in html and "Which sector?" in html and "What do you ask for?" in html
    assert "How many?" not in html  # a number is not free text
    # When they add two themes
    assert _create(client, coded, "water", "Water pollution", "Rivers and wells").status_code == 302
    assert _create(client, coded, "labour", "Labour rights").status_code == 302
    themes_by_code = _theme_ids(db)
    water, labour = themes_by_code["water"], themes_by_code["labour"]
    html = client.get(f"{_base(coded)}?lang=en").get_data(as_text=True)
    assert "Water pollution" in html and "Rivers and wells" in html

    # The answers page of version A's T1 lists the counted answers, escaped, and not the set-aside one
    page_url = f"{_base(coded)}/questions/{coded['a'].id}/T1?lang=en"
    html = client.get(page_url).get_data(as_text=True)
    assert "Agua contaminada por la mina" in html and "Despidos sin pago" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; el río" in html and "<script>alert(1)" not in html
    assert "Texto apartado" not in html and "Territorio ancestral" not in html
    assert f'name="shown" type="hidden" value="{ids["r1", "T1"]},{ids["r2", "T1"]},{ids["r3", "T1"]}"' in html

    # When they tick themes on the page and save it
    response = _tag(
        client,
        coded,
        coded["a"],
        {ids["r1", "T1"]: [water], ids["r2", "T1"]: [water, labour], ids["r3", "T1"]: [labour]},
    )
    assert response.status_code == 302
    tags = set(db.session.execute(select(AnswerTheme.answer_id, AnswerTheme.theme_id)).all())
    assert tags == {
        (ids["r1", "T1"], water),
        (ids["r2", "T1"], water),
        (ids["r2", "T1"], labour),
        (ids["r3", "T1"], labour),
    }
    assert all(tag.tagged_on for tag in db.session.scalars(select(AnswerTheme)))
    html = client.get(page_url).get_data(as_text=True)
    assert html.count(" checked") == 4

    # Unticking clears a tag; the "other" text of C1 and version B's T1 are coded on their own pages
    assert _tag(client, coded, coded["a"], {ids["r2", "T1"]: [water]}).status_code == 302
    assert (ids["r2", "T1"], labour) not in set(
        db.session.execute(select(AnswerTheme.answer_id, AnswerTheme.theme_id)).all()
    )
    other = client.get(f"{_base(coded)}/questions/{coded['a'].id}/C1?lang=en").get_data(as_text=True)
    assert "Ruido" in other and "Despidos" not in other
    assert _tag(client, coded, coded["a"], {ids["r1", "C1"]: [water]}, key="C1").status_code == 302
    assert _tag(client, coded, coded["b"], {ids["r5", "T1"]: [water]}).status_code == 302

    # The counts page shows distinct responses per theme and group
    html = client.get(f"{_base(coded)}/counts?lang=en").get_data(as_text=True)
    rows = {
        m[0]: re.findall(r"<td>(\d+)</td>", m[1])
        for m in re.findall(r'<span class="code">(\w+)</span></th>(.*?)</tr>', html)
    }
    # columns: rural_community, cso, indigenous_people (the consultation's order)
    assert rows == {"labour": ["0", "1", "0"], "water": ["2", "0", "1"]}


def test_tagging_a_set_aside_or_foreign_answer_is_refused(analyst, coded, client, db):
    ids = coded["ids"]
    _create(client, coded, "water", "Water")
    water = _theme_ids(db)["water"]
    html = _tag(client, coded, coded["a"], {ids["r4", "T1"]: [water]}).get_data(as_text=True)
    assert "One of the answers is not a free-text answer counted in this consultation." in html
    html = _tag(client, coded, coded["a"], {ids["r1", "N1"]: [water]}).get_data(as_text=True)
    assert "One of the answers is not a free-text answer counted in this consultation." in html
    html = _tag(client, coded, coded["a"], {ids["r1", "T1"]: [water + 999]}).get_data(as_text=True)
    assert "Choose themes from the list." in html
    response = client.submit(
        f"{_base(coded)}/questions/{coded['a'].id}/T1?lang=en", {"shown": "../etc", "answer_1": "x"}
    )
    assert response.status_code == 200 and "The list of answers was not understood." in response.get_data(as_text=True)
    assert db.session.scalars(select(AnswerTheme)).all() == []
    with pytest.raises(themes.ThemeError):
        themes.set_tags(coded["consultation"], ids["r4", "T1"], [water])
    assert client.get(f"{_base(coded)}/questions/{coded['a'].id}/NOPE?lang=en").status_code == 404
    assert client.get(f"{_base(coded)}/questions/{coded['b'].id + 999}/T1?lang=en").status_code == 404


def test_theme_counts_by_hand(coded, db):
    consultation, ids = coded["consultation"], coded["ids"]
    water = themes.create_theme(consultation, "water", "Water")
    labour = themes.create_theme(consultation, "labour", "Labour")
    themes.set_tags_many(
        consultation,
        {
            ids["r1", "T1"]: [water.id],
            ids["r1", "C1"]: [water.id],  # one response, two answers: counted once
            ids["r2", "T1"]: [water.id, labour.id],
            ids["r3", "T1"]: [labour.id],
            ids["r5", "T1"]: [water.id],
        },
    )
    # A tag on a set-aside response's answer (made before it was set aside) is not counted.
    db.session.add(AnswerTheme(answer_id=ids["r4", "T1"], theme_id=water.id, tagged_on=DAY))
    db.session.commit()

    frame = themes.theme_counts(consultation)
    assert list(frame.columns) == ["theme_id", "code", "label", "group_code", "responses"]
    got = {(row.code, row.group_code): row.responses for row in frame.itertuples()}
    assert got == {
        ("labour", "cso"): 1,
        ("labour", "rural_community"): 1,
        ("water", "indigenous_people"): 1,
        ("water", "rural_community"): 2,
    }
    rural = themes.theme_counts(consultation, ResponseFilter(group="rural_community"))
    assert set(zip(rural.code, rural.responses)) == {("labour", 1), ("water", 2)}

    table = themes.theme_table(consultation)
    assert list(table.columns) == ["rural_community", "cso", "indigenous_people"]
    assert table.loc[water.id].tolist() == [2, 0, 1] and table.loc[labour.id].tolist() == [1, 1, 0]
    empty = themes.create_theme(consultation, "unused", "Unused")
    assert themes.theme_table(consultation).loc[empty.id].tolist() == [0, 0, 0]


def test_text_answers_reads_a_page_in_three_queries(coded, db):
    consultation, ids = coded["consultation"], coded["ids"]
    water = themes.create_theme(consultation, "water", "Water")
    themes.set_tags(consultation, ids["r2", "T1"], [water.id])
    db.session.commit()
    statements = []
    with _counting(db, statements):
        page = themes.text_answers(consultation, coded["a"].id, "T1", per_page=2)
    texts = [item.text for item in page.items]
    assert texts == ["Agua contaminada por la mina", "<script>alert(1)</script> el río"]
    assert [item.theme_ids for item in page.items] == [set(), {water.id}]
    assert (page.total, page.pages) == (3, 2)
    # count + page + tags (the instrument version is read to know the question)
    assert len([s for s in statements if "answer" in s.lower()]) == 3
    last = themes.text_answers(consultation, coded["a"].id, "T1", page=99, per_page=2)
    assert (last.page, [item.text for item in last.items]) == (2, ["Despidos sin pago"])


@contextmanager
def _counting(db, statements):
    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def test_a_duplicate_or_bad_code_is_refused_and_what_was_typed_kept(analyst, coded, client, db):
    _create(client, coded, "water", "Water")
    html = _create(client, coded, "water", "Agua y ríos").get_data(as_text=True)
    assert "This consultation already has a theme with this code." in html and 'value="Agua y ríos"' in html
    html = _create(client, coded, "Bad Code!", "Something").get_data(as_text=True)
    assert "A theme code has 1 to 40 lowercase letters" in html and 'value="Something"' in html
    assert db.session.scalars(select(Theme.code)).all() == ["water"]
    # Spanish, the default language, translates the message when the catalogue has it; the page never fails.
    assert _create(client, coded, "water", "Agua").status_code == 200


def test_renaming_and_deleting_a_theme_keeps_answers(analyst, coded, client, db):
    ids = coded["ids"]
    _create(client, coded, "water", "Water")
    _create(client, coded, "land", "Land")
    found = _theme_ids(db)
    _tag(client, coded, coded["a"], {ids["r1", "T1"]: [found["water"], found["land"]]})
    edit = f"{_base(coded)}/{found['water']}?lang=en"
    html = client.submit(edit, {"code": "land", "label": "Water"}).get_data(as_text=True)
    assert "This consultation already has a theme with this code." in html
    assert client.submit(edit, {"code": "water_pollution", "label": "Water pollution"}).status_code == 302
    assert db.session.get(Theme, found["water"]).code == "water_pollution"
    response = client.submit(
        f"{_base(coded)}/{found['land']}/delete?lang=en", {}, form_url=f"{_base(coded)}/{found['land']}?lang=en"
    )
    assert response.status_code == 302
    assert db.session.get(Theme, found["land"]) is None
    assert set(db.session.execute(select(AnswerTheme.answer_id, AnswerTheme.theme_id)).all()) == {
        (ids["r1", "T1"], found["water"])
    }
    assert db.session.get(Answer, ids["r1", "T1"]).text == "Agua contaminada por la mina"


@pytest.mark.parametrize("role", ["moderator", "facilitator"])
def test_moderators_and_facilitators_are_refused(coded, create_user, client, role):
    user = create_user(f"{role}@salta.example", roles={coded["territory"]: [role]})
    client.login(user.email)
    base = _base(coded)
    for url in (base, f"{base}/counts", f"{base}/questions/{coded['a'].id}/T1"):
        assert client.get(url).status_code == 403


def test_an_analyst_of_another_territory_is_refused(coded, create_territory, create_user, create_consultation, client):
    other = create_territory("jujuy", "Jujuy", "AR")
    user = create_user("analista@jujuy.example", roles={other: ["analyst"]})
    client.login(user.email)
    assert client.get(_base(coded)).status_code == 403
    # Their own territory's slug with Salta's consultation id: not found.
    assert client.get(f"/t/jujuy/consultations/{coded['consultation'].id}/analysis/themes").status_code == 404
    assert client.get(f"/t/jujuy/consultations/{coded['consultation'].id}/analysis/themes/counts").status_code == 404


def test_officials_may_code_too(coded, create_user, client):
    user = create_user("oficial@salta.example", roles={coded["territory"]: ["official"]})
    client.login(user.email)
    assert client.get(f"{_base(coded)}/counts").status_code == 200


def test_the_themes_pages_survive_a_crawl_and_hostile_forms(analyst, coded, client, db):
    # The demo-wide crawl (tests/core/test_crawl_fuzz.py) reaches these pages only through links other
    # rooms add; this one stays on them and feeds every form hostile input.
    import random

    from tests.core.test_crawl_fuzz import ROUNDS, FormParser, _fuzz_payload, _same_site

    _create(client, coded, "water", "Water")
    base, rng = _base(coded), random.Random(7)
    queue, seen, posted = [f"{base}/questions/{coded['a'].id}/T1"], set(), set()
    while queue:
        path = queue.pop(0)
        if path in seen or not path.startswith(base):
            continue
        seen.add(path)
        response = client.get(path)
        assert response.status_code in (200, 404), path  # a fuzzed delete may have removed a theme
        parser = FormParser()
        parser.feed(response.get_data(as_text=True))
        queue += [target for href in parser.links if (target := _same_site(path, href))]
        for form in parser.forms:
            action = _same_site(path, form["action"])
            if (
                form["method"] != "post"
                or not (action or "").startswith(base)
                or (action, tuple(form["fields"])) in posted
            ):
                continue
            posted.add((action, tuple(form["fields"])))
            for _ in range(ROUNDS):
                assert client.post(action, data=_fuzz_payload(form, rng)).status_code < 500, action
    assert len(seen) >= 4 and len(posted) >= 3
    assert (
        db.session.scalar(select(Answer.text).where(Answer.id == coded["ids"]["r1", "T1"]))
        == "Agua contaminada por la mina"
    )
