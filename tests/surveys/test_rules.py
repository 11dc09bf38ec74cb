"""The operator table: truth tables, missing answers, parts, malformed conditions."""

from __future__ import annotations

import pytest

from consult.surveys.rules import OPERATORS, RuleError, evaluate, references

A = {"answer": "A"}
B = {"answer": "B"}

ANSWERS = {
    "A": "yes",
    "N": 7,
    "F": 2.5,
    "M": ["water", "land"],
    "S": {"scale": 4, "scope": 2},
    "R": {"start": "2024-01-01", "end": "2024-03-01"},
    "O": {"option": "other", "other": "gold mine"},
    "MO": {"options": ["water", "other"], "other": "fishing"},
    "E": "",
    "EL": [],
}


VALUE_CASES = [
    # == and !=
    ({"==": [{"answer": "A"}, "yes"]}, True),
    ({"==": [{"answer": "A"}, "no"]}, False),
    ({"==": ["yes", {"answer": "A"}]}, True),
    ({"==": [{"answer": "N"}, 7]}, True),
    ({"==": [{"answer": "N"}, 7.0]}, True),
    ({"==": [{"answer": "N"}, "7"]}, False),
    ({"==": [{"answer": "missing"}, "yes"]}, False),
    ({"==": [{"answer": "E"}, ""]}, False),
    ({"==": [{"answer": "M"}, ["land", "water"]]}, True),
    ({"!=": [{"answer": "A"}, "no"]}, True),
    ({"!=": [{"answer": "A"}, "yes"]}, False),
    ({"!=": [{"answer": "missing"}, "yes"]}, False),
    # in
    ({"in": [{"answer": "A"}, ["yes", "maybe"]]}, True),
    ({"in": [{"answer": "A"}, ["no"]]}, False),
    ({"in": [{"answer": "missing"}, ["yes"]]}, False),
    ({"in": [{"answer": "N"}, [1, 7]]}, True),
    ({"in": [{"answer": "A"}, "yes"]}, False),
    # any-in / all-in
    ({"any-in": [{"answer": "M"}, ["land", "air"]]}, True),
    ({"any-in": [{"answer": "M"}, ["air"]]}, False),
    ({"any-in": [{"answer": "A"}, ["yes"]]}, True),
    ({"any-in": [{"answer": "missing"}, ["air"]]}, False),
    ({"any-in": [{"answer": "EL"}, ["air"]]}, False),
    ({"all-in": [{"answer": "M"}, ["land", "water"]]}, True),
    ({"all-in": [{"answer": "M"}, ["land"]]}, True),
    ({"all-in": [{"answer": "M"}, ["land", "air"]]}, False),
    ({"all-in": [{"answer": "M"}, []]}, False),
    ({"all-in": [{"answer": "missing"}, ["land"]]}, False),
    # numeric comparisons
    ({">": [{"answer": "N"}, 5]}, True),
    ({">": [{"answer": "N"}, 7]}, False),
    ({">=": [{"answer": "N"}, 7]}, True),
    ({"<": [{"answer": "F"}, 3]}, True),
    ({"<=": [{"answer": "F"}, 2.5]}, True),
    ({"<=": [{"answer": "F"}, 2]}, False),
    ({">": [{"answer": "missing"}, 0]}, False),
    ({"<": [{"answer": "missing"}, 0]}, False),
    ({">": [{"answer": "A"}, 0]}, False),
    ({">": [{"answer": "N"}, True]}, False),
    ({"<": [{"answer": "N"}, "9"]}, False),
    # dates compare too
    ({">": [{"answer": "R", "part": "end"}, "2024-02-01"]}, True),
    ({"<": [{"answer": "R", "part": "start"}, "2023-12-31"]}, False),
    # answered / not-answered
    ({"answered": [{"answer": "A"}]}, True),
    ({"answered": {"answer": "A"}}, True),
    ({"answered": [{"answer": "missing"}]}, False),
    ({"answered": [{"answer": "E"}]}, False),
    ({"answered": [{"answer": "EL"}]}, False),
    ({"not-answered": [{"answer": "missing"}]}, True),
    ({"not-answered": [{"answer": "A"}]}, False),
    ({"answered": [{"answer": "S", "part": "scope"}]}, True),
    ({"answered": [{"answer": "S", "part": "likelihood"}]}, False),
    # parts
    ({">=": [{"answer": "S", "part": "scale"}, 4]}, True),
    ({">=": [{"answer": "S", "part": "scope"}, 4]}, False),
    ({"==": [{"answer": "A", "part": "scale"}, 4]}, False),
    # "other, please specify" answers compare by their codes; the text is the part "other"
    ({"==": [{"answer": "O"}, "other"]}, True),
    ({"==": [{"answer": "O", "part": "other"}, "gold mine"]}, True),
    ({"any-in": [{"answer": "MO"}, ["other"]]}, True),
    ({"all-in": [{"answer": "MO"}, ["water", "other"]]}, True),
    # literals only
    ({"==": [1, 1]}, True),
    ({"==": [None, None]}, True),
]


@pytest.mark.parametrize(("condition", "expected"), VALUE_CASES)
def test_value_operators(condition, expected):
    assert evaluate(condition, ANSWERS) is expected


T = {"==": [{"answer": "A"}, "yes"]}
F = {"==": [{"answer": "A"}, "no"]}
MISSING = {"==": [{"answer": "missing"}, "x"]}


LOGICAL_CASES = [
    ({"and": [T, T]}, True),
    ({"and": [T, F]}, False),
    ({"and": [F, T]}, False),
    ({"and": [F, F]}, False),
    ({"and": [T, MISSING]}, False),
    ({"and": []}, True),
    ({"or": [T, T]}, True),
    ({"or": [T, F]}, True),
    ({"or": [F, T]}, True),
    ({"or": [F, F]}, False),
    ({"or": [F, MISSING]}, False),
    ({"or": []}, False),
    ({"not": [T]}, False),
    ({"not": [F]}, True),
    ({"not": F}, True),
    ({"not": [MISSING]}, True),
    ({"and": [T, {"or": [F, {"not": [F]}]}]}, True),
]


@pytest.mark.parametrize(("condition", "expected"), LOGICAL_CASES)
def test_logical_operators(condition, expected):
    assert evaluate(condition, ANSWERS) is expected


def test_no_condition_always_holds():
    assert evaluate(None, {}) is True


def _operators(condition) -> set[str]:
    if isinstance(condition, dict):
        found = set(condition)
        for value in condition.values():
            for item in value if isinstance(value, list) else [value]:
                found |= _operators(item)
        return found
    return set()


def test_every_operator_is_exercised_by_the_cases_above():
    """Each operator the engine knows appears in at least one case with its expected result."""
    exercised = set().union(*(_operators(condition) for condition, _ in VALUE_CASES + LOGICAL_CASES))
    assert OPERATORS <= exercised, sorted(OPERATORS - exercised)


@pytest.mark.parametrize("operator", sorted(OPERATORS - {"and", "or", "not"}))
def test_a_missing_answer_never_raises(operator):
    arity = 1 if operator in ("answered", "not-answered") else 2
    arguments = [{"answer": "nobody"}, {"answer": "nothing", "part": "scale"}][:arity]
    assert evaluate({operator: arguments}, {}) is (operator == "not-answered")


@pytest.mark.parametrize(
    "condition",
    [
        {},
        {"==": [1]},
        {"==": [1, 2, 3]},
        {"like": [1, 2]},
        {"==": [1, 2], "!=": [1, 2]},
        "yes",
        [1],
        {"not": [T, F]},
        {"==": [{"answer": 3}, 1]},
        {"==": [{"question": "A"}, 1]},
    ],
)
def test_malformed_conditions_raise_rule_error(condition):
    with pytest.raises(RuleError):
        evaluate(condition, ANSWERS)


def test_references_lists_every_question_and_part():
    condition = {"and": [{"==": [{"answer": "A"}, "x"]}, {"not": {">": [{"answer": "S", "part": "scale"}, 3]}}]}
    assert list(references(condition)) == [("A", None), ("S", "scale")]
