"""A parsed, read-only view of an instrument definition.

The definition is JSON data (see ``docs/instrument-format.md``). ``Instrument``
wraps a *valid* definition (check it first with
``consult.surveys.validation.validate_definition``) in small frozen objects
that the path finder, the form builder and the templates walk.

Texts are ``{language: string}`` objects; ``Instrument.text`` picks the
language asked for, else the fallback, else the first one present, so content
never shows empty because one translation is missing.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from consult.surveys import labels

Text = Mapping[str, str]

# The concept a question of these types measures when its definition names none.
IMPLIED_CONCEPTS = {"severity": "severity", "ungp31": "ungp31", "stakeholder_group": "group", "territory": "locality"}


@dataclass(frozen=True)
class Option:
    """An answer option: a stable ``value`` code and its ``label`` text.

    ``concept`` is the vocabulary code the option stands for when its value is
    not that code itself (``agua`` standing for ``water_sanitation``).
    """

    value: str
    label: Text
    exclusive: bool = False
    concept: str | None = None


@dataclass(frozen=True)
class Route:
    """A routing rule of a page: go to ``goto`` (a page key or ``"end"``) when ``when`` holds."""

    goto: str
    when: Mapping[str, Any] | None = None


@dataclass(frozen=True, eq=False)
class Question:
    """A question (or an information text) with the members of its definition.

    Members common to every type are attributes; type-specific members
    (``min``, ``max_length``, ``points``, ``parts``...) are read with ``get``.
    ``concept`` says what the question measures (docs/instrument-format.md,
    "Concepts"): the one written, else the one its type implies, else ``None``.
    """

    key: str
    type: str
    text: Text
    help: Text | None
    required: bool
    when: Mapping[str, Any] | None
    messages: Mapping[str, Text]
    flags: tuple[str, ...]
    options: tuple[Option, ...]
    other: Text | None
    page_key: str
    section_key: str
    index: int  # position among all questions of the instrument
    raw: Mapping[str, Any] = field(repr=False)
    concept: str | None = None

    def get(self, name: str, default: Any = None) -> Any:
        """A member of the question's definition, or ``default``."""
        return self.raw.get(name, default)

    def option(self, value: str) -> Option | None:
        """The option with this value, if the question has it."""
        for option in self.options:
            if option.value == value:
                return option
        return None

    @property
    def option_values(self) -> tuple[str, ...]:
        """The codes of the question's own options (``other`` not included)."""
        return tuple(option.value for option in self.options)

    def has_flag(self, flag: str) -> bool:
        """Whether the definition flags the question, e.g. ``expert_review``."""
        return flag in self.flags

    @property
    def concept_kind(self) -> str | None:
        """The concept before its ``:`` (``severity`` for ``severity:scale``), or ``None``."""
        return labels.split_concept(self.concept)[0] if self.concept else None

    @property
    def concept_detail(self) -> str | None:
        """The concept after its ``:`` (``company_grievance`` for ``ungp31:company_grievance``), or ``None``."""
        return labels.split_concept(self.concept)[1] if self.concept else None

    def option_code(self, value: Any) -> str | None:
        """The vocabulary code an answer option stands for, or ``None`` when it stands for none.

        The option's own ``concept`` if it has one; else the value itself when it
        is a code of the question concept's vocabulary (``none``, ``dont_know``,
        ``other`` and the like are simply not coded).
        """
        if not isinstance(value, str):
            return None
        option = self.option(value)
        if option is not None and option.concept:
            return option.concept
        vocabulary = labels.concept_vocabulary(self.concept)
        if vocabulary is not None and value in vocabulary:
            return value
        return None


@dataclass(frozen=True, eq=False)
class Page:
    """A page (block) of questions shown together."""

    key: str
    title: Text | None
    when: Mapping[str, Any] | None
    routing: tuple[Route, ...]
    questions: tuple[Question, ...]
    section_key: str
    index: int  # position among all pages of the instrument


@dataclass(frozen=True, eq=False)
class Section:
    """A titled group of pages."""

    key: str
    title: Text | None
    pages: tuple[Page, ...]


def _freeze(value: Any) -> Any:
    """Read-only copies of nested dicts and lists, so a view cannot be edited by accident."""
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """Plain JSON-compatible dicts and lists from a frozen value (the inverse of freezing)."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [thaw(v) for v in value]
    return value


class Instrument:
    """A parsed, read-only instrument definition.

    Build it with ``Instrument.from_dict(definition)``; the definition is
    copied, so later edits of the dict do not change the view.
    """

    def __init__(self, definition: Mapping[str, Any]) -> None:
        self.definition: Mapping[str, Any] = _freeze(copy.deepcopy(dict(definition)))
        d = self.definition
        self.format: int = d.get("format", 1)
        self.key: str = d.get("key", "")
        self.title: Text = d.get("title") or {}
        self.description: Text | None = d.get("description")
        self.audience: str = d.get("audience", "any")
        self.languages: tuple[str, ...] = tuple(d.get("languages") or ())
        self.fallback_language: str = d.get("fallback_language") or (self.languages[0] if self.languages else "es")
        sections, pages, questions = [], [], []
        for raw_section in d.get("sections") or ():
            section_pages = []
            for raw_page in raw_section.get("pages") or ():
                page_questions = []
                for raw_question in raw_page.get("questions") or ():
                    question = parse_question(raw_question, raw_page["key"], raw_section["key"], len(questions))
                    questions.append(question)
                    page_questions.append(question)
                page = Page(
                    key=raw_page["key"],
                    title=raw_page.get("title"),
                    when=raw_page.get("when"),
                    routing=tuple(Route(goto=r["goto"], when=r.get("when")) for r in raw_page.get("routing") or ()),
                    questions=tuple(page_questions),
                    section_key=raw_section["key"],
                    index=len(pages),
                )
                pages.append(page)
                section_pages.append(page)
            sections.append(Section(key=raw_section["key"], title=raw_section.get("title"), pages=tuple(section_pages)))
        self.sections: tuple[Section, ...] = tuple(sections)
        self.pages: tuple[Page, ...] = tuple(pages)
        self.questions: tuple[Question, ...] = tuple(questions)
        self._pages = {page.key: page for page in pages}
        self._questions = {question.key: question for question in questions}
        self._sections = {section.key: section for section in sections}
        self._by_concept: dict[str, list[Question]] = {}
        for question in questions:
            if question.concept:
                self._by_concept.setdefault(question.concept, []).append(question)
                if question.concept_detail is not None:
                    self._by_concept.setdefault(question.concept_kind or "", []).append(question)

    @classmethod
    def from_dict(cls, definition: Mapping[str, Any]) -> Instrument:
        """Parse a valid definition."""
        return cls(definition)

    def __repr__(self) -> str:
        return f"<Instrument {self.key} {len(self.pages)} pages {len(self.questions)} questions>"

    def to_dict(self) -> dict[str, Any]:
        """The definition as plain JSON-compatible data (a fresh copy)."""
        return thaw(self.definition)

    def page(self, key: str) -> Page:
        """The page with this key (``KeyError`` if there is none)."""
        return self._pages[key]

    def question(self, key: str) -> Question:
        """The question with this key (``KeyError`` if there is none)."""
        return self._questions[key]

    def section(self, key: str) -> Section:
        """The section with this key (``KeyError`` if there is none)."""
        return self._sections[key]

    def has_page(self, key: str) -> bool:
        """Whether a page has this key."""
        return key in self._pages

    def has_question(self, key: str) -> bool:
        """Whether a question has this key."""
        return key in self._questions

    def questions_with_concept(self, concept: str) -> tuple[Question, ...]:
        """The questions measuring ``concept``, in instrument order.

        A concept without ``:`` matches its whole kind (``severity`` finds the
        severity questions and the ``severity:scale`` ones); with ``:`` it
        matches exactly (``ungp31:company_grievance``, ``attribute:gender``).
        """
        return tuple(self._by_concept.get(concept, ()))

    def question_with_concept(self, concept: str) -> Question | None:
        """The first question measuring ``concept`` (see ``questions_with_concept``), or ``None``."""
        found = self._by_concept.get(concept)
        return found[0] if found else None

    def section_of(self, page: Page) -> Section:
        """The section a page belongs to."""
        return self._sections[page.section_key]

    def page_of(self, question: Question) -> Page:
        """The page a question is on."""
        return self._pages[question.page_key]

    def text_and_language(self, text: Text | None, lang: str) -> tuple[str, str]:
        """The text in ``lang``, else in the fallback, else the first present; with the language used."""
        if not text:
            return "", lang
        for code in (lang, self.fallback_language):
            value = text.get(code)
            if value:
                return value, code
        for code, value in text.items():
            if value:
                return value, code
        return "", lang

    def text(self, text: Text | None, lang: str) -> str:
        """The text in ``lang``, else in the fallback language, else the first language present."""
        return self.text_and_language(text, lang)[0]

    def iter_texts(self) -> Iterator[tuple[str, Text]]:
        """Every text node as ``(path, text)``, in document order (see ``iter_text_nodes``)."""
        yield from iter_text_nodes(self.definition)


def parse_question(raw: Mapping[str, Any], page_key: str = "", section_key: str = "", index: int = 0) -> Question:
    """A ``Question`` from its definition (which must have ``key`` and ``type``)."""
    options = tuple(
        Option(
            value=o["value"],
            label=o.get("label") or {},
            exclusive=bool(o.get("exclusive")),
            concept=o.get("concept") if isinstance(o.get("concept"), str) else None,
        )
        for o in raw.get("options") or ()
    )
    concept = raw.get("concept")
    if not isinstance(concept, str) or not concept:
        concept = IMPLIED_CONCEPTS.get(raw.get("type"))  # type: ignore[arg-type]
    other = raw.get("other")
    return Question(
        key=raw["key"],
        type=raw["type"],
        text=raw.get("text") or {},
        help=raw.get("help"),
        required=bool(raw.get("required", False)),
        when=raw.get("when"),
        messages=raw.get("messages") or MappingProxyType({}),
        flags=tuple(raw.get("flags") or ()),
        options=options,
        other=other.get("label") if isinstance(other, Mapping) else None,
        page_key=page_key,
        section_key=section_key,
        index=index,
        raw=raw,
        concept=concept,
    )


# -- text nodes -------------------------------------------------------------------------------


def _is_text(value: Any) -> bool:
    return isinstance(value, Mapping)


def iter_text_nodes(definition: Any) -> Iterator[tuple[str, Any]]:
    """Every text node of a definition as ``(path, text)``, in document order.

    Paths are stable strings built from keys, never list positions, so they
    survive reordering and name the same text in every version:

    ``title``, ``description``, ``sections.S.title``, ``pages.P.title``,
    ``pages.P.questions.Q.text`` (also ``.help``, ``.unit``), ``...Q.options.V.label``,
    ``...Q.other.label``, ``...Q.points.N.label``, ``...Q.messages.NAME``.

    The text objects yielded are the definition's own dicts (not copies), so
    an importer of translations may write into them. Junk is skipped, never
    raised on: this runs on definitions that may not be valid yet.
    """
    if not isinstance(definition, Mapping):
        return
    for name in ("title", "description"):
        if _is_text(definition.get(name)):
            yield name, definition[name]
    sections = definition.get("sections")
    for section in sections if isinstance(sections, (list, tuple)) else ():
        if not isinstance(section, Mapping):
            continue
        if _is_text(section.get("title")):
            yield f"sections.{section.get('key')}.title", section["title"]
        pages = section.get("pages")
        for page in pages if isinstance(pages, (list, tuple)) else ():
            if not isinstance(page, Mapping):
                continue
            prefix = f"pages.{page.get('key')}"
            if _is_text(page.get("title")):
                yield f"{prefix}.title", page["title"]
            questions = page.get("questions")
            for question in questions if isinstance(questions, (list, tuple)) else ():
                if isinstance(question, Mapping):
                    yield from _question_texts(f"{prefix}.questions.{question.get('key')}", question)


def _question_texts(prefix: str, question: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    for name in ("text", "help", "unit"):
        if _is_text(question.get(name)):
            yield f"{prefix}.{name}", question[name]
    for member, key_name in (("options", "value"), ("points", "value")):
        items = question.get(member)
        for item in items if isinstance(items, (list, tuple)) else ():
            if isinstance(item, Mapping) and _is_text(item.get("label")):
                yield f"{prefix}.{member}.{item.get(key_name)}.label", item["label"]
    other = question.get("other")
    if isinstance(other, Mapping) and _is_text(other.get("label")):
        yield f"{prefix}.other.label", other["label"]
    messages = question.get("messages")
    if isinstance(messages, Mapping):
        for name, text in messages.items():
            if _is_text(text):
                yield f"{prefix}.messages.{name}", text


def find_text(definition: Any, path: str) -> Any:
    """The text object at ``path`` in a definition (see ``iter_text_nodes``), or ``None``."""
    for node_path, text in iter_text_nodes(definition):
        if node_path == path:
            return text
    return None
