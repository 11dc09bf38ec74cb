"""Rooms: each one's routes are found from its ``__init__``, and the demo seed's order is declared, not imported."""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

import consult
from consult import demo
from consult.demo import DemoStep, step_order

ROOT = Path(consult.__file__).parent
# Rooms with a blueprint (i18n has none; consult.demo is the seed, not a room).
BLUEPRINT_ROOMS = [room for room in consult.ROOMS if hasattr(importlib.import_module(room), "bp")]


def _imported_by_init_app(room: str) -> set[str]:
    """The modules of ``room`` that its ``init_app`` imports (``from consult.x import a, b``)."""
    tree = ast.parse((ROOT / room.split(".")[1] / "__init__.py").read_text())
    init_app = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "init_app")
    names = set()
    for node in ast.walk(init_app):
        if isinstance(node, ast.ImportFrom) and node.module == room:
            names.update(f"{room}.{alias.name}" for alias in node.names)
    return names


def _modules_using_bp(room: str) -> set[str]:
    """The modules of ``room`` that import its blueprint, to attach routes, hooks or template helpers to it."""
    found = set()
    for path in sorted((ROOT / room.split(".")[1]).rglob("*.py")):
        if path.name == "__init__.py":
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == room and any(a.name == "bp" for a in node.names):
                relative = path.relative_to(ROOT).with_suffix("")
                found.add("consult." + ".".join(relative.parts))
    return found


def test_every_room_with_a_blueprint_is_checked():
    assert {
        "consult.core",
        "consult.accounts",
        "consult.surveys",
        "consult.responses",
        "consult.testimonies",
        "consult.analysis",
        "consult.exports",
        "consult.plans",
    } <= set(BLUEPRINT_ROOMS)


@pytest.mark.parametrize("room", BLUEPRINT_ROOMS)
def test_each_module_that_attaches_to_a_blueprint_is_imported_by_its_room_init_app(room):
    # A module that registers routes only because another view module imported it
    # is invisible from the room's __init__: name it there.
    missing = _modules_using_bp(room) - _imported_by_init_app(room)
    assert not missing, f"{room}.init_app does not import {sorted(missing)}"


def test_every_route_comes_from_a_module_its_room_init_app_imports(app):
    by_room = {room.split(".")[1]: _imported_by_init_app(room) for room in BLUEPRINT_ROOMS}
    for endpoint, view in app.view_functions.items():
        if "." not in endpoint:
            continue  # Flask's own static route
        blueprint = endpoint.split(".")[0]
        module = inspect.unwrap(view).__module__
        assert module in by_room[blueprint], (
            f"{endpoint} comes from {module}, which {blueprint}'s init_app does not import"
        )


def _steps(*specs: tuple[str, tuple[str, ...]]) -> dict[str, DemoStep]:
    return {name: DemoStep(name, lambda: None, after) for name, after in specs}


def test_the_demo_order_is_the_same_whatever_the_registration_order(app):
    registered = list(demo._STEPS.values())
    order = step_order()
    assert order[0] == "accounts"
    for step in registered:
        for need in step.after:
            assert order.index(need) < order.index(step.name), f"{step.name} runs before {need}"
    for seed in range(5):
        shuffled = registered[:]
        random.Random(seed).shuffle(shuffled)
        assert step_order({s.name: s for s in shuffled}) == order
    assert step_order({s.name: s for s in reversed(registered)}) == order


def test_a_step_that_needs_an_unknown_step_is_refused_by_name():
    with pytest.raises(ValueError, match="'plans' needs 'budgets'"):
        step_order(_steps(("accounts", ()), ("plans", ("accounts", "budgets"))))


def test_ready_steps_go_by_name_then_their_dependants():
    steps = _steps(("zeta", ()), ("beta", ("zeta",)), ("alpha", ()), ("gamma", ("alpha", "beta")))
    assert step_order(steps) == ["alpha", "zeta", "beta", "gamma"]
    assert step_order(dict(reversed(list(steps.items())))) == ["alpha", "zeta", "beta", "gamma"]


def test_importing_the_demo_modules_top_down_first_gives_the_same_seed_order(app, tmp_path):
    # A fresh interpreter imports the upper rooms' demo modules before anything
    # else, then builds the app: the order must not move.
    script = (
        "import json\n"
        "import consult.plans.demo, consult.responses.demo_closed, consult.testimonies.demo,"
        " consult.responses.demo_synthetic, consult.responses.demo, consult.surveys.demo, consult.accounts.demo\n"
        "from consult import create_app\n"
        "from consult.demo import step_order\n"
        f"create_app({{'env': 'testing', 'database_url': 'sqlite:///{tmp_path}/x.db'}})\n"
        "print(json.dumps(step_order()))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT.parent, check=True)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == step_order()


def test_every_demo_module_is_registered_by_create_app(app):
    # Each demo module with a step is imported by create_app (a room's init_app, or
    # consult.demo's for the one that spans rooms), so the seed never misses one.
    names = {step.run.__module__ for step in demo._STEPS.values()}
    for path in sorted(ROOT.rglob("demo*.py")):
        module = "consult." + ".".join(path.relative_to(ROOT).with_suffix("").parts)
        if "@demo_step(" in path.read_text():
            assert module in names, f"{module} declares a demo step that create_app never registers"
