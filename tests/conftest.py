"""Test set-up lives in fixture modules, one concern each."""

pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.app",
    "tests.fixtures.factories",
    "tests.fixtures.strict",
    "tests.fixtures.browser",
    "tests.fixtures.surveys",
    "tests.fixtures.responses",
    "tests.fixtures.testimonies",
    "tests.fixtures.queries",
]
