"""Properties: validation never raises on any JSON; answers survive rows and come back the same;
the path finder is stable on its own output."""

from __future__ import annotations

import copy
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consult.surveys.engine import Instrument
from consult.surveys.paths import on_path_answers, path_pages
from consult.surveys.types import question_type
from consult.surveys.validation import completeness, validate_definition
from tests.fixtures.survey_definitions import SAMPLE_DEFINITION, make_definition
from tests.surveys.test_question_types import QUESTIONS

SETTINGS = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=25,
)


@SETTINGS
@given(json_values)
def test_validation_never_raises_on_random_json(data):
    problems = validate_definition(data)
    assert isinstance(problems, list)
    assert all(isinstance(p.path, str) for p in problems)
    completeness(data)


def _slots(node, path=()):
    """Every place in a document where a value could be replaced."""
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _slots(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _slots(value, (*path, index))


SAMPLE_SLOTS = [slot for slot in _slots(SAMPLE_DEFINITION) if slot]


@SETTINGS
@given(
    st.sampled_from(SAMPLE_SLOTS), json_values | st.sampled_from(["A1", "p_views", "end", "yes", "es", "single_choice"])
)
def test_validation_never_raises_on_a_damaged_definition(slot, junk):
    definition = copy.deepcopy(SAMPLE_DEFINITION)
    node = definition
    for step in slot[:-1]:
        node = node[step]
    node[slot[-1]] = junk
    problems = validate_definition(definition)
    assert isinstance(problems, list)
    if not problems:
        # Whatever validation lets through, the engine can walk.
        instrument = Instrument.from_dict(definition)
        path_pages(instrument, {})


INSTRUMENT = Instrument.from_dict(make_definition(QUESTIONS))
codes = st.text(alphabet=string.ascii_lowercase + string.digits + "_", min_size=1, max_size=12)
words = st.text(min_size=1, max_size=60).map(str.strip).filter(bool)
iso_dates = st.dates().map(lambda d: d.isoformat())


def _subset(options):
    return st.lists(st.sampled_from(options), min_size=1, unique=True).map(
        lambda chosen: [o for o in options if o in chosen]
    )


def _parts(parts, scores):
    return st.dictionaries(st.sampled_from(parts), scores, min_size=1)


VALUES = {
    "SC": st.sampled_from(["yes", "no", "dont_know", "other"]) | words.map(lambda t: {"option": "other", "other": t}),
    "SG": st.sampled_from(["trade_union", "cso"]),
    "MC": _subset(["a", "b", "c", "other"])
    | st.tuples(_subset(["a", "b", "c"]), words).map(lambda pair: {"options": [*pair[0], "other"], "other": pair[1]}),
    "CO": _subset(["aggregate", "quote"]),
    "SL": st.sampled_from([1, 2, "dont_know"]),
    "NI": st.integers(0, 120),
    "ND": st.floats(-5.5, 1e6, allow_nan=False),
    "ST": words,
    "LT": words,
    "DA": iso_dates,
    "DR": st.fixed_dictionaries({"start": iso_dates}, optional={"end": iso_dates}),
    "TE": st.fixed_dictionaries(
        {"locality": st.sampled_from(["05001", "05045"])}, optional={"area": st.sampled_from(["Urabá"])}
    ),
    "TA": st.fixed_dictionaries({"area": st.sampled_from(["Urabá", "Valle de Aburrá"])}),
    "SE": _parts(["scale", "scope", "irremediability", "likelihood"], st.integers(1, 5)),
    "SP": _parts(["scale", "likelihood"], st.integers(1, 5)),
    "UN": _parts(["legitimate", "accessible"], st.sampled_from(["yes", "partly", "no", "dont_know"])),
    "RQ": st.sampled_from(["yes", "no"]),
    "RS": _parts(["scale", "scope"], st.integers(1, 5)),
}


@SETTINGS
@given(st.sampled_from(sorted(VALUES)).flatmap(lambda key: st.tuples(st.just(key), VALUES[key])))
def test_rows_round_trip_valid_values(key_and_value):
    key, value = key_and_value
    question = INSTRUMENT.question(key)
    kind = question_type(question.type)
    rows = kind.to_rows(question, value)
    assert rows, "an answer gives at least one row"
    assert kind.from_rows(question, rows) == value
    assert kind.from_rows(question, list(reversed(rows))) == value
    assert len(kind.export_values(question, value)) == len(kind.export_columns(question))


SAMPLE = Instrument.from_dict(SAMPLE_DEFINITION)
sample_answers = st.fixed_dictionaries(
    {},
    optional={
        "A3": st.sampled_from(["yes", "no", "dont_know"]),
        "B1": _subset(["water", "land", "work", "none"]),
        "B2": _parts(["scale", "scope"], st.integers(1, 5)),
        "B4": st.sampled_from(["yes", "no"]),
        "B5": iso_dates,
        "D1": st.sampled_from([1, 2, 3, 4, "dont_know"]),
        "D2": st.integers(1, 50),
    },
)


@SETTINGS
@given(sample_answers)
def test_the_path_is_stable_on_its_own_answers(answers):
    counted = on_path_answers(SAMPLE, answers)
    assert set(counted) <= set(answers)
    assert on_path_answers(SAMPLE, counted) == counted
    assert [p.key for p in path_pages(SAMPLE, counted)] == [p.key for p in path_pages(SAMPLE, answers)]
