"""Page forms and the questions macro, as a person sees them: labels in es/en/pt, errors
next to the question with the typed value kept, answers kept when coming back."""

from __future__ import annotations

import re

import pytest
from werkzeug.datastructures import MultiDict

from consult.surveys.engine import Instrument
from consult.surveys.forms import page_form
from tests.fixtures.survey_definitions import LOCALITIES, YES_NO, make_definition, question
from tests.surveys.engine_pages import install_survey_pages


@pytest.fixture
def answers(app, client, sample_definition):
    """The sample instrument served at /engine-test/<page>; the dict holds what was saved."""
    app.config["WTF_CSRF_ENABLED"] = True
    return install_survey_pages(app, sample_definition, LOCALITIES)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "es",
            [
                "¿Dónde vive?",
                "Piense en los últimos cinco años.",
                "Otra respuesta",
                "Sindicato",
                "Municipio o localidad",
                "(obligatoria)",
            ],
        ),
        (
            "en",
            [
                "Where do you live?",
                "Think of the last five years.",
                "Another answer",
                "Trade union",
                "Municipality or locality",
                "(required)",
            ],
        ),
        (
            "pt",
            [
                "Onde você mora?",
                "Pense nos últimos cinco anos.",
                "Outra resposta",
                "Sindicato",
                "Município ou localidade",
                "(obrigatória)",
            ],
        ),
    ],
)
def test_questions_show_in_the_chosen_language(client, answers, lang, words):
    response = client.get(f"/engine-test/p_who?lang={lang}")
    assert response.status_code == 200
    page = text_of(response)
    for word in words:
        assert word in page
    html = response.get_data(as_text=True)
    # Choice groups are fieldsets with a legend, the hint is tied to the group.
    assert re.search(r'<fieldset id="q-A3" aria-describedby="q-A3-hint">\s*<legend>', html)
    assert '<optgroup label="Urabá"><option value="05045">Apartadó</option>' in html


def test_errors_show_next_to_the_question_and_typed_values_stay(client, answers):
    url = "/engine-test/p_views?lang=es"
    response = client.submit(
        url, {"q-D1": "3", "q-D2": "200", "q-D3": "Junta de acción comunal", "q-D4": "Agua limpia"}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # The definition's own message for "max", in Spanish, tied to the input.
    assert '<p class="error" id="q-D2-error">Como máximo 50 personas. </p>' in html
    assert re.search(r'<input aria-describedby="q-D2-error q-D2-unit" aria-invalid="true"[^>]*value="200"', html)
    # What else the person typed or chose is still there.
    assert 'value="Junta de acción comunal"' in html and "Agua limpia</textarea>" in html
    assert re.search(r'<input checked id="q-D1-2" name="q-D1" type="radio" value="3">', html)
    # The error summary at the top links to the question.
    assert '<a href="#q-D2">' in html
    assert answers == {}


def test_a_required_question_left_empty_is_refused_in_the_person_language(client, answers):
    response = client.submit("/engine-test/p_who?lang=pt", {"q-A2": "cso"})
    html = response.get_data(as_text=True)
    assert '<p class="error" id="q-A3-error">' in html
    assert re.search(r'<fieldset id="q-A3" aria-describedby="q-A3-hint q-A3-error">', html)
    assert "Responda a esta pergunta, por favor." in text_of(response)
    assert answers == {}


def test_exclusive_options_cannot_be_combined(client, answers):
    response = client.submit("/engine-test/p_harm?lang=en", {"q-B1": ["water", "none"]})
    assert "“None” cannot be chosen together with other answers." in text_of(response)
    response = client.submit("/engine-test/p_harm?lang=es", {"q-B1": ["water", "none"]})
    assert "“Ninguno” no se puede elegir junto con otras respuestas." in text_of(response)


def test_answers_are_kept_when_coming_back(client, answers):
    response = client.submit("/engine-test/p_who?lang=en", {"q-A1-area": "", "q-A1-locality": "05837", "q-A3": "yes"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/engine-test/p_harm")
    assert answers == {"A1": {"area": "Urabá", "locality": "05837"}, "A3": "yes"}
    html = client.get("/engine-test/p_who?lang=en").get_data(as_text=True)
    assert '<option selected value="05837">Turbo</option>' in html
    assert '<input checked id="q-A3-0" name="q-A3" type="radio" value="yes">' in html


def test_routing_and_a_question_revealed_on_the_same_page(client, answers):
    # "no" routes past the harm pages; "yes" does not.
    response = client.submit("/engine-test/p_who?lang=en", {"q-A3": "no"})
    assert response.headers["Location"].endswith("/engine-test/p_views")
    response = client.submit("/engine-test/p_who?lang=en", {"q-A3": "yes"})
    assert response.headers["Location"].endswith("/engine-test/p_harm")
    # B2 (severity) shows only once B1 is answered without "none": the same page comes back with it.
    response = client.submit("/engine-test/p_harm?lang=en", {"q-B1": ["water"]})
    assert response.status_code == 302 and response.headers["Location"].endswith("/engine-test/p_harm?lang=en")
    html = client.get("/engine-test/p_harm?lang=en").get_data(as_text=True)
    assert '<fieldset class="part" id="q-B2-scale">' in html and "How many people does it affect?" in html
    response = client.submit(
        "/engine-test/p_harm?lang=en", {"q-B1": ["water"], "q-B2-scale": "5", "q-B2-irremediability": "4"}
    )
    assert response.headers["Location"].endswith("/engine-test/p_remedy")
    assert answers["B2"] == {"scale": 5, "irremediability": 4}


def test_content_in_a_language_without_interface_is_marked(client, app, sample_definition):
    sample_definition["languages"].append("qu")
    sample_definition["sections"][2]["pages"][0]["questions"][0]["text"]["qu"] = "¿Confiankichu?"
    install_survey_pages(app, sample_definition, LOCALITIES)
    html = client.get("/engine-test/p_views?lang=qu").get_data(as_text=True)
    assert '<html lang="es"' in html
    assert '<legend lang="qu">¿Confiankichu?</legend>' in html
    # The interface's own words inside the content (here "I don't know") are marked as Spanish.
    assert '<label for="q-D1-4" lang="es">No sé</label>' in html
    # Texts not yet in Quechua show in the fallback, Spanish, like the interface: no lang needed, but
    # they are marked as shown in Spanish, visibly, so nobody takes them for the Quechua.
    assert (
        '<label for="q-D3" data-fallback="es">¿De qué organización es? <span class="fallback-note" lang="es">(' in html
    )


def test_optional_unanswered_questions_yield_no_key(app, sample_definition):
    instrument = Instrument.from_dict(sample_definition)
    with app.test_request_context("/", method="POST"):
        form = page_form(instrument, instrument.page("p_views"), "es", {})(
            formdata=MultiDict({"q-D3": "  "}), meta={"csrf": False}
        )
        assert form.validate()
        assert form.answers() == {}
        assert form.cleared() == ["D1", "D2", "D3", "D4"]


def test_a_question_hidden_by_an_answer_on_its_own_page_is_dropped(app):
    definition = make_definition(
        [
            question("Q1", "single_choice", options=YES_NO),
            question("Q2", "short_text", required=True, when={"==": [{"answer": "Q1"}, "yes"]}),
        ]
    )
    instrument = Instrument.from_dict(definition)
    page = instrument.page("p1")
    with app.test_request_context("/", method="POST"):
        # Q2 was shown (Q1 was "yes"); now Q1 changes to "no" and Q2 is left empty: no error.
        form = page_form(instrument, page, "es", {"Q1": "yes"})(
            formdata=MultiDict({"q-Q1": "no", "q-Q2": ""}), meta={"csrf": False}
        )
        assert form.validate(), form.errors
        assert form.answers() == {"Q1": "no"}
        assert [v.key for v in form.views()] == ["Q1"]


def test_the_form_asks_only_visible_questions(app, sample_definition):
    instrument = Instrument.from_dict(sample_definition)
    with app.test_request_context("/"):
        form = page_form(instrument, instrument.page("p_harm"), "en", {"B1": ["none"]})(meta={"csrf": False})
        assert [q.key for q in form.questions] == ["B1", "B3"]
        assert "q-B2-scale" not in form
        assert form["q-B1"].data == ["none"]
