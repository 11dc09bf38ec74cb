"""The offline answering app's rules (consult/static/offline/rules.js) against the server's.

For each built-in instrument, the sample test instrument and every form of the XLSForm corpus,
many answer cases are made (a seeded random, every option of every choice question, blank
answers, bounds, "other" texts, wrong input now and then) as the form data a person sends page
by page. The server's side runs the real page forms (``consult.surveys.forms.page_form``, sent
again while they reveal questions, as the answering pages do) and ``consult.surveys.paths``; the
browser's side runs ``ConsultRules`` in headless Chromium on the description
``consult.surveys.offline_spec.offline_spec`` gives. The pages visited, the values read, the
fields refused, the questions shown, the path and the answers that count must be the same; so
must every condition of the instrument (and made-up ones over every operator) on every case.
"""

from __future__ import annotations

import copy
import json
import random
import re
import zlib
from html import unescape as html_unescape
from pathlib import Path
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from consult.responses.survey import shown_page
from consult.surveys import paths, rules
from consult.surveys.engine import Instrument
from consult.surveys.forms import page_form
from consult.surveys.offline_spec import offline_spec
from tests.fixtures.responses import routed_definition
from tests.fixtures.survey_definitions import make_definition, option, question, sample_definition_dict, tr

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
RULES_JS = (ROOT / "consult" / "static" / "offline" / "rules.js").read_text(encoding="utf-8")
LIBRARY = ROOT / "consult" / "surveys" / "library"
# Places with areas, and one without (its answer has no area).
PLACES = [
    {"code": "05001", "name": "Medellín", "area": "Valle de Aburrá"},
    {"code": "05088", "name": "Bello", "area": "Valle de Aburrá"},
    {"code": "05045", "name": "Apartadó", "area": "Urabá"},
    {"code": "99001", "name": "Sin área", "area": None},
]


# --- the instruments -------------------------------------------------------------------------------


def _library() -> list[tuple[str, dict]]:
    return [(path.stem, json.loads(path.read_text(encoding="utf-8"))) for path in sorted(LIBRARY.glob("*.json"))]


_CORPUS: list[tuple[str, dict]] = []


def _corpus() -> list[tuple[str, dict]]:
    """Every XLSForm of the corpus that imports, as its definition (converted once per session)."""
    if not _CORPUS:
        from consult.surveys.xlsform import import_xlsform
        from tests.fixtures.xlsforms.corpus import FORMS, HERE, build

        for name, form in FORMS.items():
            result = import_xlsform(build(name), filename=f"{name}.xlsx", languages=form.get("languages"))
            if result.definition is not None:
                _CORPUS.append((f"xlsform:{name}", result.definition))
        asset = (HERE / "kobo_asset.json").read_bytes()
        result = import_xlsform(asset, filename="kobo_asset.json")
        if result.definition is not None:
            _CORPUS.append(("xlsform:kobo_asset.json", result.definition))
    return _CORPUS


# --- the browser -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rules_page(_playwright_browser):
    """A blank page of headless Chromium with rules.js loaded (window.ConsultRules)."""
    context = _playwright_browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.set_content("<!doctype html><html><head></head><body></body></html>")
    page.add_script_tag(content=RULES_JS)
    assert page.evaluate("typeof window.ConsultRules.evaluate") == "function"
    yield page
    context.close()


# --- the cases -------------------------------------------------------------------------------------

BAD_NUMBERS = ["abc", "12..5", "1e5"]
TEXTS = ["", "  hola  ", "línea uno\nlínea dos", " \u00a0", "dos\r\nlíneas", "ok"]
DATES = ["", "2026-03-01", "1/3/2026", "31.12.2025", "2025-12-31", "15-6-2024"]
BAD_DATES = ["31/02/2026", "2026-13-01", "1899-12-31", "ayer", "١/٣/٢٠٢٦"]


def _choice(rng: random.Random, values: list[str], case: int, blank: float = 0.15) -> list[str]:
    # The first cases go through every option in turn; then a random one, or nothing.
    if not values:
        return []
    if case < len(values):
        return [values[case]]
    if rng.random() < blank:
        return [] if rng.random() < 0.5 else [""]
    return [rng.choice(values)]


def _ticked(rng: random.Random, q: dict, values: list[str], case: int) -> list[str]:
    # Checkboxes: every option alone in turn, then a few (an exclusive one alone, within max_choices).
    if case < len(values):
        return [values[case]]
    picked = [v for v in values if rng.random() < 0.3]
    exclusive = [v for v in picked if v in q.get("exclusive", ())]
    if exclusive:
        picked = exclusive[:1]
    limit = q.get("max_choices")
    if limit is not None and rng.random() < 0.9:
        picked = picked[:limit]
    if not picked and q["required"] and rng.random() < 0.95:
        picked = [rng.choice([v for v in values if v != "other"] or values)]
    rng.shuffle(picked)
    return picked


def _other_text(rng: random.Random, chosen: list[str]) -> str:
    # Text beside "other": with "other" ticked, or nothing ticked (it means "other"); rarely with another.
    if "other" in chosen or not [c for c in chosen if c]:
        return rng.choice(["", "", "  otra cosa  ", "x" * 210])
    return "no cuadra" if rng.random() < 0.03 else rng.choice(["", " "])


def _question_entries(rng: random.Random, q: dict, case: int, wrong: float) -> list[list[str]]:
    """The [name, value] entries the browser sends for one question (a name may be absent)."""
    sent: list[list[str]] = []
    chosen: list[str] = []
    if q["parse"] == "territory" and q["fields"] and rng.random() >= wrong:
        return _place_entries(rng, q, case)
    for field in q["fields"]:
        name, widget = field["name"], field["widget"]
        if field["other"]:
            sent.append([name, _other_text(rng, chosen)])
            continue
        if rng.random() < wrong:
            found = ["no-such-option"] if widget in ("radio", "select", "checkbox") else None
        else:
            found = None
        if found is None:
            found = _field_values(rng, q, field, case, wrong)
        if widget in ("radio", "checkbox"):
            chosen = found
        sent += [[name, value] for value in found]
    return sent


def _place_entries(rng: random.Random, q: dict, case: int) -> list[list[str]]:
    # A place, and its area or none (the area follows); or only an area; or nothing.
    names = {field["part"]: field["name"] for field in q["fields"]}
    code, area = q["places"][case % len(q["places"])] if rng.random() < 0.8 else ("", rng.choice(q["areas"] + [""]))
    sent = []
    if "area" in names:
        sent.append([names["area"], area if (not code or rng.random() < 0.5) and area else ""])
    if "locality" in names:
        sent.append([names["locality"], code])
    return sent


def _field_values(rng: random.Random, q: dict, field: dict, case: int, wrong: float) -> list[str]:
    widget, values = field["widget"], field["values"]
    if widget in ("radio", "select"):
        return _choice(rng, values, case, blank=0.02 if q["required"] else 0.15)
    if widget == "checkbox":
        return _ticked(rng, q, values, case)
    if widget == "number":
        pool = ["", "0", "7", " 12 ", "-3", "1.000", "12,5", "3.0", "١٢"]
        low, high = q.get("min"), q.get("max")
        pool = [t for t in pool if _within(t, q["decimal"], low, high)]
        pool += [str(b) for b in (low, high) if b is not None]
        if rng.random() < wrong:
            pool = BAD_NUMBERS + [str(b - 1) for b in (low,) if b is not None] + [str(b + 1) for b in (high,) if b]
        return [rng.choice(pool or [""])]
    if widget == "date":
        pool = DATES + ([q["min"], q["max"]] if q.get("min") and q.get("max") else [])
        pool = [
            d for d in pool if not d or ((not q.get("min") or d >= q["min"]) and (not q.get("max") or d <= q["max"]))
        ]
        if rng.random() < wrong:
            pool = BAD_DATES
        return [rng.choice(pool or [""])]
    # text or textarea
    if rng.random() < wrong:
        return ["y" * (q.get("max_length", 200) + 1)]
    return [rng.choice(TEXTS[1:] if q["required"] and rng.random() < 0.95 else TEXTS)]


def _within(text: str, decimal: bool, low: Any, high: Any) -> bool:
    from consult.surveys.types.simple import parse_number

    number = parse_number(text, decimal) if text.strip() else None
    return number is None or ((low is None or number >= low) and (high is None or number <= high))


def _cases(spec: dict, count: int, seed: int) -> list[dict]:
    """``count`` cases: for each page, the [name, value] entries the browser sends."""
    rng = random.Random(seed)
    found = []
    groups = [q for q in spec["questions"] if q["type"] == "stakeholder_group"]
    for case in range(count):
        wrong = 0.0 if case % 4 else 0.04  # a case in four may send something wrong
        entries: dict[str, list[list[str]]] = {}
        for page in spec["pages"]:
            sent: list[list[str]] = []
            for key in page["questions"]:
                q = next(x for x in spec["questions"] if x["key"] == key)
                sent += _question_entries(rng, q, case, wrong)
            entries[page["key"]] = sent
        # Half the cases start as after the group step: the group question answered and settled.
        start: dict[str, Any] = {}
        if groups and case % 2:
            question = groups[0]
            start[question["key"]] = rng.choice(question["allowed"])
        found.append({"entries": entries, "start": start})
    return found


# --- the server's side -----------------------------------------------------------------------------


def _settled(instrument: Instrument, answers: dict, group: str | None) -> frozenset[str]:
    # flow.settled_questions: the group questions holding the group declared.
    if group is None:
        return frozenset()
    return frozenset(
        q.key for q in instrument.questions if q.type == "stakeholder_group" and answers.get(q.key) == group
    )


def _save(page, answers: dict, values: dict) -> dict:
    # drafts.save_page: the page's (asked) questions replaced by what was read.
    saved = {k: v for k, v in answers.items() if k not in {q.key for q in page.questions}}
    saved.update({k: v for k, v in values.items() if v is not None})
    return saved


def _server_case(instrument: Instrument, app, case: dict) -> dict:
    answers = copy.deepcopy(case["start"])
    group = next(iter(answers.values()), None)
    settled = _settled(instrument, answers, group)
    record: dict[str, Any] = {"pages": [], "settled": sorted(settled)}
    first = paths.first_page(instrument, answers, settled)
    record["first"] = first.key if first else None
    page = first
    steps = 0
    while page is not None and steps <= len(instrument.pages):
        steps += 1
        asked = shown_page(page, settled)
        formdata = MultiDict([(name, _wire(value)) for name, value in case["entries"][page.key]])
        before = answers
        errors: list[str] = []
        values: dict[str, Any] = {}
        for _ in range(len(page.questions) + 1):
            form = page_form(instrument, asked, "es", answers, localities=PLACES)(
                formdata=formdata, meta={"csrf": False}
            )
            if not form.validate():
                errors = sorted(name for name, field in form._fields.items() if field.errors)
                break
            values = form.answers()
            reveals = bool(form.newly_visible())
            answers = _save(asked, answers, values)
            if not reveals:
                break
        entry: dict[str, Any] = {"key": page.key}
        if errors:
            entry["errors"] = errors
            record["pages"].append(entry)
            answers = before
            break
        entry["values"] = values
        entry["visible"] = [q.key for q in paths.visible_questions(instrument, page, answers, settled)]
        previous = paths.previous_page(instrument, answers, page.key, settled)
        entry["previous"] = previous.key if previous else None
        following = paths.next_page(instrument, answers, page.key, settled)
        entry["next"] = following.key if following else None
        record["pages"].append(entry)
        page = following
    record["answers"] = answers
    record["walk"] = [p.key for p in paths.path_pages(instrument, answers, settled)]
    record["counted"] = paths.on_path_answers(instrument, answers)
    return record


def _wire(value: str) -> str:
    # A form post writes every line break as CRLF: what the server reads.
    return re.sub(r"\r\n|\r|\n", "\r\n", value)


# --- the browser's side ----------------------------------------------------------------------------

JS_CASES = """([spec, cases]) => {
  const R = window.ConsultRules;
  return cases.map((c) => {
    let answers = JSON.parse(JSON.stringify(c.start));
    const group = Object.values(answers)[0];
    const settled = spec.questions.filter((q) => q.type === "stakeholder_group" && group !== undefined
      && answers[q.key] === group).map((q) => q.key);
    const record = {pages: [], settled: settled.slice().sort()};
    record.first = R.firstPage(spec, answers, settled);
    let page = record.first;
    let steps = 0;
    while (page !== null && steps <= spec.pages.length) {
      steps += 1;
      const read = R.readPage(spec, page, c.entries[page], answers, settled);
      const errors = Object.keys(read.errors).sort();
      if (errors.length) { record.pages.push({key: page, errors}); break; }
      answers = R.savePage(spec, page, answers, read.values, settled);
      const entry = {key: page, values: read.values};
      entry.visible = R.visibleQuestions(spec, answers, page, settled);
      entry.previous = R.previousPage(spec, answers, page, settled);
      entry.next = R.nextPage(spec, answers, page, settled);
      record.pages.push(entry);
      page = entry.next;
    }
    record.answers = answers;
    record.walk = R.walk(spec, answers, settled).pages;
    record.counted = R.onPathAnswers(spec, answers);
    return record;
  });
}"""

JS_CONDITIONS = """([conditions, answerSets]) => answerSets.map((answers) =>
  conditions.map((c) => { try { return window.ConsultRules.evaluate(c, answers); } catch (e) { return "error"; } }))"""


# --- conditions ------------------------------------------------------------------------------------


def _instrument_conditions(spec: dict) -> list[Any]:
    found = [p["when"] for p in spec["pages"] if p["when"]]
    found += [r["when"] for p in spec["pages"] for r in p["routing"] if r["when"]]
    found += [q["when"] for q in spec["questions"] if q["when"]]
    return found


def _made_up_conditions(spec: dict, rng: random.Random, limit: int = 60) -> list[Any]:
    """Conditions over the instrument's questions with every operator, literals from their answers."""
    found: list[Any] = []
    questions = [q for q in spec["questions"] if q["parse"] != "none"][:limit]
    for q in questions:
        ref: dict[str, Any] = {"answer": q["key"]}
        literals: list[Any] = list(q.get("allowed") or [])
        if q["parse"] == "scale":
            literals = [point[1] for point in q["points"]]
        elif q["parse"] == "number":
            literals = [0, 3, 12.5, q.get("min") if q.get("min") is not None else -1, "3"]
        elif q["parse"] in ("date", "date_range"):
            literals = ["2026-01-01", "2025-12-31", "2026-02-30"]
            if q["parse"] == "date_range":
                ref = {"answer": q["key"], "part": rng.choice(["start", "end"])}
        elif q["parse"] == "rated":
            part, codes = rng.choice(q["parts"])
            ref = {"answer": q["key"], "part": part}
            literals = [int(c) for c in codes] if q["as_int"] else list(codes)
        elif q["parse"] == "territory":
            ref = {"answer": q["key"], "part": rng.choice(["area", "locality"])}
            literals = ["Urabá", "05001", "Valle de Aburrá"]
        elif q["parse"] == "text":
            literals = ["hola", "ok", ""]
        if q.get("has_other") and rng.random() < 0.5:
            found.append({"answered": [{"answer": q["key"], "part": "other"}]})
        literal = rng.choice(literals) if literals else "x"
        some = rng.sample(literals, min(len(literals), 2)) if literals else ["x"]
        found += [
            {"==": [ref, literal]},
            {"!=": [ref, literal]},
            {"in": [ref, some]},
            {"any-in": [ref, some]},
            {"all-in": [ref, some]},
            {">": [ref, literal]},
            {"<=": [literal, ref]},
            {"answered": [ref]},
            {"not": {"not-answered": [ref]}},
            {"and": [{"answered": [ref]}, {"or": [{">=": [ref, literal]}, {"<": [ref, literal]}]}]},
        ]
    # Comparisons of two answers.
    for a, b in zip(questions, questions[1:]):
        found.append({"==": [{"answer": a["key"]}, {"answer": b["key"]}]})
    return found


def _python_evaluate(condition: Any, answers: dict) -> Any:
    try:
        return rules.evaluate(condition, answers)
    except rules.RuleError:
        return "error"


# --- the parity tests ------------------------------------------------------------------------------


def _tangle() -> dict:
    """A definition made to tangle the path finder: chains on one page, page rules, emptied pages,
    routes backwards, to nowhere and to the end, rules over parts, "other", scales, dates, numbers."""
    yes_no = [option("yes", "Sí"), option("no", "No")]
    answer = lambda key, part=None: {"answer": key, **({"part": part} if part else {})}  # noqa: E731
    pages = [
        {
            "key": "t1",
            "questions": [
                question("A", "single_choice", options=yes_no, other={"label": tr("Otra")}),
                question(
                    "B",
                    "multiple_choice",
                    options=[option("w", "Agua"), option("l", "Tierra"), option("none", "Nada", exclusive=True)],
                    when={"==": [answer("A"), "yes"]},
                ),
                question(
                    "C",
                    "scale",
                    points=[
                        {"value": 1, "label": tr("Poco")},
                        {"value": 2, "label": tr("Algo")},
                        {"value": 3, "label": tr("Mucho")},
                    ],
                    dont_know=True,
                    when={"all-in": [answer("B"), ["w"]]},
                ),
                question("D", "number", decimal=True, min=-5, max=99.5, when={"in": [answer("C"), [2, 3]]}),
            ],
            "routing": [
                {"goto": "t0", "when": {"==": [answer("A"), "no"]}},
                {"goto": "nowhere", "when": {"answered": [answer("A", "other")]}},
            ],
        },
        {"key": "t0", "questions": [question("E", "date", when={"==": [answer("A"), "no"]})]},
        {
            "key": "t2",
            "when": {"or": [{">": [answer("D"), 10]}, {"not-answered": [answer("D")]}]},
            "questions": [
                question("F", "date_range"),
                question("G", "severity", parts=["scale", "scope"], when={"<=": [answer("F", "start"), "2026-01-01"]}),
                question("H", "info", when={"==": [answer("A"), "never"]}),
            ],
            "routing": [
                {"goto": "t1", "when": {"==": [answer("G", "scale"), 5]}},
                {"goto": "end", "when": {">=": [answer("G", "scope"), 4]}},
            ],
        },
        {
            "key": "t3",
            "questions": [
                question("I", "territory", level="area", when={"any-in": [answer("B"), ["l", "none"]]}),
                question("J", "ungp31", criteria=["legitimate"], when={"!=": [answer("F", "end"), "2025-06-01"]}),
                question(
                    "K", "long_text", max_length=30, required=True, when={"==": [answer("J", "legitimate"), "no"]}
                ),
            ],
        },
        {
            "key": "t4",
            "when": {"==": [answer("E"), answer("F", "start")]},
            "questions": [question("L", "consent", options=[option("aggregate", "Contar"), option("quote", "Citar")])],
        },
        {"key": "t5", "questions": [question("M", "short_text", max_length=5)]},
    ]
    return make_definition(pages=pages, key="tangle")


def _instruments() -> list[tuple[str, dict]]:
    return [*_library(), ("sample", sample_definition_dict()), ("routed", routed_definition()), ("tangle", _tangle())]


def _check(app, rules_page, name: str, definition: dict, count: int, seed: int) -> None:
    instrument = Instrument.from_dict(definition)
    with app.test_request_context("/", method="POST"):
        spec = offline_spec(instrument, PLACES)
        json.dumps(spec)  # the description is plain JSON
        cases = _cases(spec, count, seed)
        expected = [_server_case(instrument, app, case) for case in cases]
    got = rules_page.evaluate(JS_CASES, [spec, cases])
    for case, (want, have) in enumerate(zip(expected, got, strict=True)):
        assert have == want, f"{name}, case {case}: {json.dumps(cases[case], ensure_ascii=False)[:2000]}"

    rng = random.Random(seed)
    conditions = _instrument_conditions(spec) + _made_up_conditions(spec, rng)
    answer_sets = [record["answers"] for record in expected] + [record["counted"] for record in expected]
    want_rules = [[_python_evaluate(c, answers) for c in conditions] for answers in answer_sets]
    have_rules = rules_page.evaluate(JS_CONDITIONS, [conditions, answer_sets])
    for row, (want, have) in enumerate(zip(want_rules, have_rules, strict=True)):
        for column, (w, h) in enumerate(zip(want, have, strict=True)):
            assert w == h, (name, conditions[column], answer_sets[row])
    # The cases must reach beyond the first page, or they test little.
    assert any(len(record["pages"]) > 1 for record in expected) or len(instrument.pages) == 1


@pytest.mark.parametrize("name", [name for name, _ in _instruments()])
def test_built_in_instruments_answer_alike_in_the_browser_and_on_the_server(app, rules_page, name):
    definition = dict(_instruments())[name]
    _check(app, rules_page, name, definition, count=60, seed=zlib.crc32(name.encode()))


def test_every_xlsform_of_the_corpus_answers_alike_in_the_browser_and_on_the_server(app, rules_page):
    corpus = _corpus()
    assert len(corpus) >= 10
    for number, (name, definition) in enumerate(corpus):
        questions = sum(len(p["questions"]) for s in definition["sections"] for p in s["pages"])
        _check(app, rules_page, name, definition, count=3 if questions > 500 else 30, seed=1000 + number)


# --- the operators, directly -----------------------------------------------------------------------

A = {"answer": "a"}
B = {"answer": "b"}
OPERATOR_CASES: list[tuple[Any, dict]] = [
    ({"==": [A, "x"]}, {}),
    ({"==": [A, "x"]}, {"a": "x"}),
    ({"==": [A, "x"]}, {"a": "  "}),
    ({"==": [A, None]}, {"a": None}),
    ({"!=": [A, "x"]}, {}),
    ({"!=": [A, "y"]}, {"a": "x"}),
    ({"==": [A, 3]}, {"a": 3.0}),
    ({"==": [A, 3]}, {"a": "3"}),
    ({"==": [A, True]}, {"a": 1}),
    ({"==": [A, True]}, {"a": True}),
    ({"==": [A, False]}, {"a": False}),
    ({"answered": [A]}, {"a": False}),
    ({"answered": [A]}, {"a": 0}),
    ({"answered": [A]}, {"a": []}),
    ({"answered": [A]}, {"a": {}}),
    ({"answered": [A]}, {"a": "\u00a0\u2003"}),
    ({"answered": [A]}, {"a": "\ufeff"}),
    ({"not-answered": [A]}, {"a": "\x1c"}),
    ({">": [A, 2]}, {"a": "3"}),
    ({">": [A, 2]}, {"a": 2.5}),
    ({">": [A, True]}, {"a": 2}),
    ({">=": [A, "2026-01-01"]}, {"a": "2026-01-01"}),
    ({">": [A, "2026-01-01"]}, {"a": "2026-02-30"}),
    ({">": [A, "2026-01-01"]}, {"a": "2026-1-2"}),
    ({"<": [A, "2026-01-01"]}, {"a": "0000-01-01"}),
    ({"<": [A, "2026-01-01"]}, {"a": "2025-12-31\n"}),
    ({"<": [A, "2026-01-01"]}, {"a": "٢٠٢٥-١٢-٣١"}),
    ({"<": [A, "b"]}, {"a": "a"}),
    ({"in": [A, ["x", "y"]]}, {"a": "y"}),
    ({"in": [A, "xy"]}, {"a": "x"}),
    ({"in": [A, [1, 2]]}, {"a": 2.0}),
    ({"any-in": [A, ["x", "z"]]}, {"a": ["y", "z"]}),
    ({"any-in": [A, "z"]}, {"a": ["y", "z"]}),
    ({"any-in": [A, ["other"]]}, {"a": {"options": ["y", "other"], "other": "t"}}),
    ({"all-in": [A, ["x", "y"]]}, {"a": ["y", "x", "z"]}),
    ({"all-in": [A, []]}, {"a": ["y"]}),
    ({"==": [A, ["x", "y"]]}, {"a": ["y", "x"]}),
    ({"==": [A, ["x", "x", "y"]]}, {"a": ["y", "x"]}),
    ({"==": [A, [1, "1"]]}, {"a": ["1", 1]}),
    ({"==": [A, [True]]}, {"a": [1]}),
    ({"==": [A, "other"]}, {"a": {"option": "other", "other": "t"}}),
    ({"answered": [{"answer": "a", "part": "other"}]}, {"a": {"option": "other", "other": "t"}}),
    ({"answered": [{"answer": "a", "part": "other"}]}, {"a": "other"}),
    ({"==": [{"answer": "a", "part": "scale"}, 4]}, {"a": {"scale": 4, "scope": 2}}),
    ({"==": [{"answer": "a", "part": "scale"}, 4]}, {"a": {"scope": 2}}),
    ({"==": [A, B]}, {"a": "x", "b": "x"}),
    ({"==": [A, B]}, {"a": "x"}),
    ({"==": [A, {"k": 1}]}, {"a": {"k": 1}}),
    ({"and": []}, {}),
    ({"or": []}, {}),
    ({"not": [{"answered": [A]}]}, {}),
    ({"nope": [A]}, {"a": 1}),
    ({"==": [A]}, {"a": 1}),
    ({"==": [{"answer": 3}, 1]}, {"a": 1}),
    (None, {}),
]


def test_operators_treat_missing_numbers_dates_lists_and_parts_alike(rules_page):
    want = [_python_evaluate(condition, answers) for condition, answers in OPERATOR_CASES]
    have = rules_page.evaluate(
        """(cases) => cases.map(([c, a]) => {
          try { return window.ConsultRules.evaluate(c, a); } catch (e) { return "error"; } })""",
        [[condition, answers] for condition, answers in OPERATOR_CASES],
    )
    for (condition, answers), w, h in zip(OPERATOR_CASES, want, have, strict=True):
        assert w == h, (condition, answers)


NUMBER_TEXTS = [
    "12",
    "-3",
    "+4",
    "12,5",
    "12.5",
    "1.000",
    "1,000",
    "1 000",
    "1\u00a0000",
    "1.234,5",
    "1,234.5",
    "3.0",
    "3.50",
    "007",
    "١٢",
    "1e5",
    "",
    "abc",
    "999999999999",
    "1000000000000",
    "-0",
    "1.2.3",
]
DATE_TEXTS = [
    "2026-03-01",
    " 2026-03-01 ",
    "1/3/2026",
    "01.03.2026",
    "1-3-2026",
    "29/2/2023",
    "29/2/2024",
    "1899-12-31",
    "1900-01-01",
    "٢٠٢٦-٠٣-٠١",
    "١/٣/٢٠٢٦",
    "2026-3-1",
    "32/1/2026",
    "tomorrow",
]


def test_numbers_and_dates_are_read_alike(app, rules_page):
    from consult.surveys.types.simple import parse_date, parse_number

    want_numbers = [[parse_number(t, d) for t in NUMBER_TEXTS] for d in (False, True)]
    have_numbers = rules_page.evaluate(
        "(texts) => [false, true].map((d) => texts.map((t) => window.ConsultRules.parseNumber(t, d)))", NUMBER_TEXTS
    )
    assert have_numbers == want_numbers
    want_dates = [(lambda d: d.isoformat() if d else None)(parse_date(t)) for t in DATE_TEXTS]
    have_dates = rules_page.evaluate("(texts) => texts.map((t) => window.ConsultRules.parseDate(t))", DATE_TEXTS)
    assert have_dates == want_dates


# --- the field names are the rendered ones ---------------------------------------------------------


def test_the_description_names_the_fields_the_community_survey_renders(app, client):
    """Every page of the community survey, for no answers and for the answers of a few cases (which
    reveal the questions asked only after some answers): the inputs rendered are the fields described."""
    from tests.surveys.engine_pages import install_survey_pages

    definition = dict(_library())["community_risk"]
    stored = install_survey_pages(app, definition, PLACES)
    instrument = Instrument.from_dict(definition)
    spec = offline_spec(instrument, PLACES)
    by_key = {q["key"]: q for q in spec["questions"]}
    with app.test_request_context("/", method="POST"):
        answer_sets = [{}] + [_server_case(instrument, app, case)["answers"] for case in _cases(spec, 12, 7)]
    described_seen: set[str] = set()
    for answers in answer_sets:
        stored.clear()
        stored.update(copy.deepcopy(answers))
        for page in spec["pages"]:
            html = client.get(f"/engine-test/{page['key']}").get_data(as_text=True)
            rendered = set(re.findall(r'<(?:input|select|textarea)\b[^>]*\bname="(q-[^"]+)"', html))
            visible = [q.key for q in paths.visible_questions(instrument, instrument.page(page["key"]), answers)]
            fields = {f["name"]: f for key in visible for f in by_key[key]["fields"]}
            assert rendered == set(fields), page["key"]
            described_seen |= rendered
            # Each rendered radio or checkbox value is one the description lists, and each listed one is rendered.
            rendered_values: dict[str, set[str]] = {}
            for tag in re.findall(r"<input\b[^>]*>", html):
                name, value = re.search(r'\bname="([^"]*)"', tag), re.search(r'\bvalue="([^"]*)"', tag)
                field = fields.get(name[1]) if name else None
                if field is not None and field["widget"] in ("radio", "checkbox"):
                    assert value is not None and html_unescape(value[1]) in field["values"], (name[1], tag)
                    rendered_values.setdefault(name[1], set()).add(html_unescape(value[1]))
            for name, field in fields.items():
                if field["widget"] in ("radio", "checkbox"):
                    assert rendered_values.get(name) == set(field["values"]), name
    # Every field of the survey was rendered at least once.
    assert described_seen == {f["name"] for q in spec["questions"] for f in q["fields"]}
