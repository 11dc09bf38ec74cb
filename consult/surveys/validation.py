"""Validation of instrument definitions: the JSON Schema, then the semantic checks.

``validate_definition(data)`` returns every problem found, each with where it
is and a translated message; ``[]`` means the definition is valid. It never
raises, whatever JSON it is given: a broken definition is refused with a list
an official can act on, never discovered by a respondent.

``completeness(definition)`` reports, per declared language, the texts that
still lack a translation: an incomplete language is not an error.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l

from consult.i18n.languages import is_content_language
from consult.surveys import rules
from consult.surveys.engine import iter_text_nodes, parse_question
from consult.surveys.types import TYPES
from consult.surveys.validation_concepts import concept_problems
from consult.surveys.validation_schema import schema_problems

SCHEMA_PATH = Path(__file__).with_name("schema.json")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition.

    ``path`` says where (``sections[0].pages[1].questions[2] (A4)``; empty for
    the whole document), ``message`` what (a lazy translated string), ``code``
    a stable name of the check for programs and tests.
    """

    path: str
    message: Any
    code: str = "invalid"

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else str(self.message)


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the definition format."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


#: Bounds on a definition's size, checked before any other check so that a huge one is refused at once
#: (a 20,000-question definition took 23 s to check). Real instruments stay far below: field forms run to
#: some 6,000 questions.
MAX_SECTIONS = 500
MAX_PAGES = 2_000
MAX_QUESTIONS = 10_000
MAX_OPTIONS = 50_000


def size_problems(data: Any) -> list[Problem]:
    """The bounds a definition exceeds (sections, pages, questions, options, depth, control characters).

    Counts without recursion and without trusting the shape: anything that is not
    the expected list is left for the schema checks to name.
    """
    from consult.core.uploads import UploadRefused, check_value

    try:
        check_value(data)
    except UploadRefused as refused:
        return [Problem("", refused.message, "too_large")]
    if not isinstance(data, Mapping):
        return []
    sections = _list(data.get("sections"))
    pages = [p for s in sections if isinstance(s, Mapping) for p in _list(s.get("pages"))]
    questions = [q for p in pages if isinstance(p, Mapping) for q in _list(p.get("questions"))]
    options = sum(len(_list(q.get("options"))) for q in questions if isinstance(q, Mapping))
    found = []
    if len(sections) > MAX_SECTIONS:
        message = _l(
            "The definition has %(n)d sections; at most %(limit)d are allowed.", n=len(sections), limit=MAX_SECTIONS
        )
        found.append(Problem("", message, "too_large"))
    if len(pages) > MAX_PAGES:
        message = _l("The definition has %(n)d pages; at most %(limit)d are allowed.", n=len(pages), limit=MAX_PAGES)
        found.append(Problem("", message, "too_large"))
    if len(questions) > MAX_QUESTIONS:
        message = _l(
            "The definition has %(n)d questions; at most %(limit)d are allowed.", n=len(questions), limit=MAX_QUESTIONS
        )
        found.append(Problem("", message, "too_large"))
    if options > MAX_OPTIONS:
        message = _l(
            "The definition has %(n)d answer options; at most %(limit)d are allowed.", n=options, limit=MAX_OPTIONS
        )
        found.append(Problem("", message, "too_large"))
    return found


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def validate_definition(data: Any) -> list[Problem]:
    """Every problem of a definition (schema, then semantics); ``[]`` when it is valid.

    A definition beyond the size bounds (``size_problems``) gets only those problems, at once.
    """
    too_large = size_problems(data)
    if too_large:
        return too_large
    problems = [Problem(path, message, code) for path, message, code in schema_problems(data, schema())]
    if isinstance(data, Mapping):
        bad_paths = {p.path.split(" (")[0] for p in problems}
        problems += _Semantics(data, bad_paths).run()
    return problems


# -- semantic checks --------------------------------------------------------------------------


@dataclass
class _Entry:
    """A section, page or question found in the document, with where it is."""

    kind: str
    path: str
    key: str | None
    raw: Mapping[str, Any]
    page_index: int = -1
    order: int = -1  # questions: position in the instrument

    @property
    def label(self) -> str:
        return f"{self.path} ({self.key})" if self.key else self.path


def _items(node: Any, member: str) -> list[tuple[int, Mapping[str, Any]]]:
    value = node.get(member) if isinstance(node, Mapping) else None
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, Mapping)]


def _key(node: Mapping[str, Any]) -> str | None:
    key = node.get("key")
    return key if isinstance(key, str) else None


class _Semantics:
    """The checks a schema cannot express; each adds problems and never raises."""

    def __init__(self, data: Mapping[str, Any], bad_paths: set[str]) -> None:
        self.data = data
        self.bad_paths = bad_paths
        self.problems: list[Problem] = []
        self.sections: list[_Entry] = []
        self.pages: list[_Entry] = []
        self.questions: list[_Entry] = []
        for si, section in _items(data, "sections"):
            spath = f"sections[{si}]"
            self.sections.append(_Entry("section", spath, _key(section), section))
            for pi, page in _items(section, "pages"):
                ppath = f"{spath}.pages[{pi}]"
                page_index = len(self.pages)
                self.pages.append(_Entry("page", ppath, _key(page), page, page_index))
                for qi, question in _items(page, "questions"):
                    qpath = f"{ppath}.questions[{qi}]"
                    self.questions.append(
                        _Entry("question", qpath, _key(question), question, page_index, len(self.questions))
                    )
        self.question_by_key = {}
        for entry in self.questions:
            if entry.key is not None:
                self.question_by_key.setdefault(entry.key, entry)
        self.page_by_key = {}
        for entry in self.pages:
            if entry.key is not None:
                self.page_by_key.setdefault(entry.key, entry)

    def add(self, where: str, key: str | None, message: Any, code: str) -> None:
        self.problems.append(Problem(f"{where} ({key})" if key else where, message, code))

    def _is_broken(self, path: str) -> bool:
        return any(bad == path or bad.startswith(path + ".") or bad.startswith(path + "[") for bad in self.bad_paths)

    def run(self) -> list[Problem]:
        for check in (
            self.languages,
            self.unique_keys,
            self.types,
            self.concepts,
            self.conditions,
            self.routing,
            self.fallback_texts,
        ):
            try:
                check()
            except Exception:  # noqa: BLE001 - a check that trips on junk must not hide the others' findings
                if not self.problems and not self.bad_paths:
                    self.add("", None, _l("This definition could not be checked completely."), "unchecked")
        return self.problems

    # languages ----------------------------------------------------------------------------
    def languages(self) -> None:
        declared = self.data.get("languages")
        if not isinstance(declared, list):
            return
        seen: set[str] = set()
        for i, code in enumerate(declared):
            if not isinstance(code, str):
                continue
            if not is_content_language(code):
                self.add(
                    f"languages[{i}]",
                    None,
                    _l(
                        "“%(code)s” is not a valid language code (ISO 639 or BCP 47, such as gn or mzh).",
                        code=code,
                    ),
                    "unknown_language",
                )
            if code in seen:
                self.add(
                    f"languages[{i}]",
                    None,
                    _l("The language “%(code)s” is listed twice.", code=code),
                    "duplicate_language",
                )
            seen.add(code)
        fallback = self.data.get("fallback_language")
        if isinstance(fallback, str) and fallback not in seen:
            self.add(
                "fallback_language",
                None,
                _l("The fallback language “%(code)s” is not one of the declared languages.", code=fallback),
                "fallback_not_declared",
            )

    # keys ---------------------------------------------------------------------------------
    def unique_keys(self) -> None:
        first: dict[str, _Entry] = {}
        for entry in self.sections + self.pages + self.questions:
            if entry.key is None:
                continue
            if entry.key in first:
                self.add(
                    entry.path,
                    entry.key,
                    _l(
                        "The key “%(key)s” is already used at %(other)s; keys must be unique in the whole instrument.",
                        key=entry.key,
                        other=first[entry.key].path,
                    ),
                    "duplicate_key",
                )
            else:
                first[entry.key] = entry

    # type-specific members ----------------------------------------------------------------
    def types(self) -> None:
        for entry in self.questions:
            kind = TYPES.get(entry.raw.get("type"))  # type: ignore[arg-type]
            if kind is None or self._is_broken(entry.path):
                continue
            for member, message, code in kind.check_definition(entry.raw):
                self.add(f"{entry.path}.{member}", entry.key, message, code)

    # concepts -----------------------------------------------------------------------------
    def concepts(self) -> None:
        for where, key, message, code in concept_problems(self.questions):
            self.add(where, key, message, code)

    # conditions ---------------------------------------------------------------------------
    def conditions(self) -> None:
        for entry in self.questions:
            if entry.raw.get("when") is not None:
                # A question's condition sees the questions before it (on its page too).
                self.condition(entry.raw["when"], f"{entry.path}.when", entry.key, lambda q, e=entry: q.order < e.order)
        for entry in self.pages:
            if entry.raw.get("when") is not None:
                # A page's condition sees the questions of earlier pages.
                self.condition(
                    entry.raw["when"], f"{entry.path}.when", entry.key, lambda q, e=entry: q.page_index < e.page_index
                )
            for ri, route in _items(entry.raw, "routing"):
                if route.get("when") is not None:
                    # Routing runs after the page is answered: its own questions count too.
                    self.condition(
                        route["when"],
                        f"{entry.path}.routing[{ri}].when",
                        entry.key,
                        lambda q, e=entry: q.page_index <= e.page_index,
                    )

    def condition(self, condition: Any, where: str, key: str | None, is_earlier) -> None:
        if self._is_broken(where):
            return  # the schema already reported it
        for problem_where, message, code in self._condition_problems(condition, where, is_earlier):
            self.add(problem_where, key, message, code)

    def _condition_problems(self, condition: Any, where: str, is_earlier) -> Iterator[tuple[str, Any, str]]:
        try:
            operator, arguments = rules.split(condition)
        except rules.RuleError:
            yield from self._malformed(condition, where)
            return
        if operator in rules.LOGICAL_OPERATORS:
            if not arguments and operator != "not":
                yield where, _l("“%(operator)s” needs at least one condition.", operator=operator), "malformed_rule"
            for i, argument in enumerate(arguments):
                yield from self._condition_problems(argument, f"{where}.{operator}[{i}]", is_earlier)
            return
        for i, argument in enumerate(arguments):
            if isinstance(argument, Mapping):
                yield from self._reference_problems(argument, f"{where}.{operator}[{i}]", is_earlier)
            elif isinstance(argument, list) and any(isinstance(a, (Mapping, list)) for a in argument):
                yield f"{where}.{operator}[{i}]", _l("A list in a condition holds plain values only."), "malformed_rule"
        if operator in ("in",) and not isinstance(arguments[1], list):
            yield (
                where,
                _l("“%(operator)s” compares an answer with a list of values.", operator=operator),
                "malformed_rule",
            )
        for op, qkey, part, literal in rules.literal_comparisons(condition):
            yield from self._literal_problems(op, qkey, part, literal, where)

    def _malformed(self, condition: Any, where: str) -> Iterator[tuple[str, Any, str]]:
        if not isinstance(condition, Mapping) or len(condition) != 1:
            yield (
                where,
                _l(
                    'A condition is an object with exactly one operator, for example {"==": [{"answer": "A1"}, "yes"]}.'
                ),
                "malformed_rule",
            )
            return
        ((operator, arguments),) = condition.items()
        if operator not in rules.OPERATORS:
            yield (
                where,
                _l(
                    "“%(operator)s” is not an operator; use one of %(allowed)s.",
                    operator=str(operator),
                    allowed=" ".join(sorted(rules.OPERATORS)),
                ),
                "unknown_operator",
            )
            return
        count = len(arguments) if isinstance(arguments, list) else 1
        needed = rules.VALUE_OPERATORS[operator][0] if operator in rules.VALUE_OPERATORS else 1
        yield (
            where,
            _l("“%(operator)s” needs %(n)d argument(s), not %(count)d.", operator=operator, n=needed, count=count),
            "malformed_rule",
        )

    def _reference_problems(
        self, argument: Mapping[str, Any], where: str, is_earlier
    ) -> Iterator[tuple[str, Any, str]]:
        qkey, part = argument.get("answer"), argument.get("part")
        if (
            not isinstance(qkey, str)
            or set(argument) - {"answer", "part"}
            or not (part is None or isinstance(part, str))
        ):
            yield where, _l('An answer is referred to as {"answer": "KEY"}, with an optional "part".'), "malformed_rule"
            return
        target = self.question_by_key.get(qkey)
        if target is None:
            yield (
                where,
                _l("The rule refers to “%(key)s”, which is not a question of this instrument.", key=qkey),
                "unknown_question",
            )
            return
        if not is_earlier(target):
            yield where, _l("The rule refers to “%(key)s”, which does not come before it.", key=qkey), "later_question"
            return
        kind = TYPES.get(target.raw.get("type"))  # type: ignore[arg-type]
        if kind is None or self._is_broken(target.path):
            return
        if kind.name == "info":
            yield (
                where,
                _l("The rule refers to “%(key)s”, an information text that has no answer.", key=qkey),
                "info_question",
            )
            return
        if part is not None:
            parts = kind.rule_parts(self._question(target))
            if part not in parts:
                yield (
                    where,
                    _l(
                        "“%(key)s” has no part “%(part)s” (its parts: %(parts)s).",
                        key=qkey,
                        part=part,
                        parts=", ".join(sorted(parts)) or "—",
                    ),
                    "unknown_part",
                )

    def _literal_problems(
        self, operator: str, qkey: str, part: str | None, literal: Any, where: str
    ) -> Iterator[tuple[str, Any, str]]:
        target = self.question_by_key.get(qkey)
        kind = TYPES.get(target.raw.get("type")) if target else None  # type: ignore[arg-type]
        if target is None or kind is None or self._is_broken(target.path):
            return
        question = self._question(target)
        if part is not None and part not in kind.rule_parts(question):
            return
        allowed = kind.rule_values(question, part)
        if allowed is None or operator not in ("==", "!=", "in", "any-in", "all-in"):
            return
        values = literal if isinstance(literal, list) else [literal]
        for value in values:
            if not isinstance(value, (str, int, float)) or isinstance(value, bool) or value not in allowed:
                yield (
                    where,
                    _l("“%(value)s” is not an answer option of “%(key)s”.", value=str(value), key=qkey),
                    "unknown_option",
                )

    @staticmethod
    def _question(entry: _Entry):
        return parse_question(entry.raw, index=entry.order)

    # routing ------------------------------------------------------------------------------
    def routing(self) -> None:
        for entry in self.pages:
            routes = _items(entry.raw, "routing")
            for position, (ri, route) in enumerate(routes):
                where = f"{entry.path}.routing[{ri}]"
                goto = route.get("goto")
                if isinstance(goto, str) and goto != "end":
                    target = self.page_by_key.get(goto)
                    if target is None:
                        self.add(
                            where,
                            entry.key,
                            _l("The route goes to “%(page)s”, which is not a page of this instrument.", page=goto),
                            "unknown_page",
                        )
                    elif target.page_index <= entry.page_index:
                        self.add(
                            where,
                            entry.key,
                            _l("The route goes back to “%(page)s”; routes may only go forward.", page=goto),
                            "backward_route",
                        )
                is_last = position == len(routes) - 1
                if route.get("when") is None and not is_last:
                    self.add(
                        where,
                        entry.key,
                        _l(
                            "This route has no condition, so the routes after it are never used; put the default "
                            "route last."
                        ),
                        "default_route_not_last",
                    )
            if routes and routes[-1][1].get("when") is not None:
                self.add(
                    f"{entry.path}.routing[{routes[-1][0]}]",
                    entry.key,
                    _l("The last route must have no condition: it is the default route."),
                    "no_default_route",
                )

    # texts --------------------------------------------------------------------------------
    def fallback_texts(self) -> None:
        fallback = self.data.get("fallback_language")
        if not isinstance(fallback, str):
            return
        for where, key, text in _positional_texts(self.data):
            if isinstance(text, Mapping) and not (isinstance(text.get(fallback), str) and text[fallback].strip()):
                self.add(
                    where,
                    key,
                    _l("This text has no version in the fallback language “%(code)s”.", code=fallback),
                    "missing_fallback_text",
                )


def _positional_texts(data: Mapping[str, Any]) -> Iterator[tuple[str, str | None, Any]]:
    """Every text node with a positional path and the key of the entity holding it."""
    for name in ("title", "description"):
        if name in data:
            yield name, None, data[name]
    for si, section in _items(data, "sections"):
        spath = f"sections[{si}]"
        if "title" in section:
            yield f"{spath}.title", _key(section), section["title"]
        for pi, page in _items(section, "pages"):
            ppath = f"{spath}.pages[{pi}]"
            if "title" in page:
                yield f"{ppath}.title", _key(page), page["title"]
            for qi, question in _items(page, "questions"):
                qpath, qkey = f"{ppath}.questions[{qi}]", _key(question)
                for name in ("text", "help", "unit"):
                    if name in question:
                        yield f"{qpath}.{name}", qkey, question[name]
                for member in ("options", "points"):
                    for i, item in _items(question, member):
                        if "label" in item:
                            yield f"{qpath}.{member}[{i}].label", qkey, item["label"]
                other = question.get("other")
                if isinstance(other, Mapping) and "label" in other:
                    yield f"{qpath}.other.label", qkey, other["label"]
                messages = question.get("messages")
                if isinstance(messages, Mapping):
                    for name, text in messages.items():
                        yield f"{qpath}.messages.{name}", qkey, text


# -- completeness -----------------------------------------------------------------------------


def completeness(definition: Any) -> dict[str, dict[str, Any]]:
    """Per declared language: how many texts there are and which lack that language.

    ``{"qu": {"total": 42, "missing": ["pages.p1.questions.A1.text", ...]}}``;
    the paths are those of ``Instrument.iter_texts``. Never raises.
    """
    if not isinstance(definition, Mapping):
        return {}
    declared = definition.get("languages")
    languages = [code for code in declared if isinstance(code, str)] if isinstance(declared, list) else []
    nodes = list(iter_text_nodes(definition))
    report: dict[str, dict[str, Any]] = {}
    for code in dict.fromkeys(languages):
        missing = [path for path, text in nodes if not (isinstance(text.get(code), str) and text[code].strip())]
        report[code] = {"total": len(nodes), "missing": missing}
    return report
