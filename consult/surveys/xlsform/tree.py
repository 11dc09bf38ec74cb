"""The survey sheet as a tree: groups holding rows, keys made from names.

``begin group``/``end group`` nest; a ``begin repeat`` is left out with its rows,
reported (consult asks each question once per respondent). Names become keys (``[A-Za-z][A-Za-z0-9_]*``,
at most 64 characters): a name that is not one is changed and reported, and two
rows that end up with the same key refuse the file.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from pyxform import aliases, constants
from pyxform.xls2json import RE_SELECT

from consult.surveys.xlsform.columns import MARKER_DATA, MARKER_TYPE
from consult.surveys.xlsform.report import Reporter
from consult.surveys.xlsform.workbook import Row, Sheet

COMPOSITE_MARKERS = frozenset({"severity", "ungp31", "date_range"})
KEY_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
_CONTROL = {
    "begin group": "begin group",
    "begin_group": "begin group",
    "end group": "end group",
    "end_group": "end group",
    "begin repeat": "begin repeat",
    "begin_repeat": "begin repeat",
    "begin loop": "begin repeat",
    "begin_loop": "begin repeat",
    "end repeat": "end repeat",
    "end_repeat": "end repeat",
    "end loop": "end repeat",
    "end_loop": "end repeat",
}
_ALIASES = {"string": "text", "int": "integer", "q note": "note", "add note prompt": "note"}
# pyxform's own type aliases (``add integer prompt`` → ``integer``, ``location`` → ``geopoint``...).
_TYPE_ALIASES = {k.lower(): v for k, v in aliases._type_alias_map.items() if isinstance(v, str)}


@dataclass
class TypeSpec:
    """A parsed ``type`` cell: the word (``select_one``, ``integer``...), the list and ``or_other``."""

    word: str
    list_name: str | None = None
    or_other: bool = False


def _select_word(command: str) -> str:
    """consult's word for pyxform's select command (``select all that apply from`` → ``select_multiple``)."""
    target = aliases.select[command]
    from_file = command in aliases.select_from_file
    if target == constants.SELECT_ONE:
        return "select_one_from_file" if from_file else "select_one"
    if target == constants.SELECT_ALL_THAT_APPLY:
        return "select_multiple_from_file" if from_file else "select_multiple"
    return command.replace(" ", "_") if target == constants.SELECT_ONE_EXTERNAL else target


def parse_type(text: str) -> TypeSpec:
    """``"select_one yes_no or_other"`` → ``TypeSpec("select_one", "yes_no", True)``.

    Select types are read with pyxform's own pattern and aliases, so every spelling pyxform
    accepts is accepted (``select one from LIST``, ``select all that apply from LIST``,
    ``... or specify other``, ``select_one LIST or_other``).
    """
    spaced = re.sub(r"\s+", " ", text.strip())
    lowered = spaced.lower()
    if lowered in _CONTROL:
        return TypeSpec(_CONTROL[lowered])
    lowered = _TYPE_ALIASES.get(lowered, lowered)
    match = RE_SELECT.match(spaced)
    if match is None:
        match = RE_SELECT.match(lowered)
        if match is not None:  # the keyword was in capitals: keep the list name as written
            words = spaced.split(" ")
            list_name = words[len(match.group("select_command").split(" "))]
            return TypeSpec(_select_word(match.group("select_command")), list_name, bool(match.group("specify_other")))
    if match is not None:
        return TypeSpec(
            _select_word(match.group("select_command")), match.group("list_name"), bool(match.group("specify_other"))
        )
    return TypeSpec(_ALIASES.get(lowered, lowered))


@dataclass(eq=False)
class Node:
    """A survey row (question, note, skipped row) or a group with its children."""

    row: Row | None
    spec: TypeSpec
    name: str = ""
    key: str = ""
    children: list[Node] = field(default_factory=list)
    marker: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    #: Filled in by the question reader: ``question`` (a question dict), ``group``,
    #: ``composite`` (severity, UNGP 31 or date range group), ``folded`` (merged into
    #: the previous question), ``route`` (our routing calculation) or ``skipped``.
    role: str = ""
    question: dict[str, Any] | None = None
    when: dict[str, Any] | None = None
    refs: set[str] = field(default_factory=set)
    parent: Node | None = None
    #: For choice questions: each choice name as written → the value consult stores.
    values: dict[str, Any] | None = None
    #: A question without a label whose hint became its text.
    hint_as_label: bool = False

    @property
    def number(self) -> int:
        """The spreadsheet row (0 for the root)."""
        return self.row.number if self.row else 0

    @property
    def is_group(self) -> bool:
        """Whether this is a ``begin group``/``begin repeat`` with its children."""
        return self.spec.word in ("begin group", "begin repeat")

    def get(self, column: str) -> str:
        """A cell of the row (``""`` for the root)."""
        return self.row.get(column) if self.row else ""

    def walk(self):
        """This node and every node inside it, in sheet order."""
        yield self
        for child in self.children:
            yield from child.walk()


def build_tree(sheet: Sheet, reporter: Reporter) -> Node:
    """The rows of the survey sheet nested by their groups (errors for unbalanced groups and repeats)."""
    root = Node(None, TypeSpec("root"))
    stack = [root]
    for row in sheet.rows:
        type_text = row.get("type")
        if not type_text:
            reporter.error(sheet.name, row.number, _l("The row has no type."), column="type")
            continue
        spec = parse_type(type_text)
        if spec.word in ("end group", "end repeat"):
            if len(stack) == 1:
                reporter.error(
                    sheet.name, row.number, _l("“%(type)s” closes a group that was never opened.", type=type_text)
                )
            else:
                opened = stack.pop()
                if (opened.spec.word == "begin repeat") != (spec.word == "end repeat"):
                    reporter.error(
                        sheet.name,
                        row.number,
                        _l(
                            "“%(type)s” does not match the “%(opened)s” of row %(row)d.",
                            type=type_text,
                            opened=opened.get("type"),
                            row=opened.number,
                        ),
                    )
            continue
        node = Node(row, spec, name=row.get("name"), marker=row.get(MARKER_TYPE).lower(), parent=stack[-1])
        node.data = _data(sheet, row, reporter)
        stack[-1].children.append(node)
        if node.is_group:
            if spec.word == "begin repeat":
                # Left out with its rows (the question reader marks them skipped); the rest of the form imports.
                reporter.warn(
                    sheet.name,
                    row.number,
                    _l(
                        "Repeats (%(name)s) are not supported: consult asks each question once per person. "
                        "Ask about the most important case, or ask how many and describe them in a text question.",
                        name=node.name or type_text,
                    ),
                )
            stack.append(node)
    for opened in stack[1:]:
        reporter.error(
            sheet.name,
            opened.number,
            _l("The group %(name)s is never closed with “end group”.", name=opened.name or "?"),
        )
    return root


def _data(sheet: Sheet, row: Row, reporter: Reporter) -> dict[str, Any]:
    text = row.get(MARKER_DATA)
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        reporter.warn(
            sheet.name,
            row.number,
            _l("The consult data in this row cannot be read; it is ignored."),
            column=MARKER_DATA,
        )
        return {}
    return data


def make_key(name: str) -> str:
    """A key from an XLSForm name: ``"1st-visit.date"`` → ``"q_1st_visit_date"``."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    key = re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9_]", "_", plain)).strip("_")
    if not key:
        key = "q"
    elif not key[0].isalpha():
        key = f"q_{key}"
    return key[:64]


def assign_keys(root: Node, sheet: Sheet, reporter: Reporter) -> set[str]:
    """Give every named row a key; report changed names and refuse duplicates. Returns the keys taken."""
    taken: dict[str, Node] = {}
    names: dict[str, Node] = {}
    for node in root.walk():
        if node.row is None or not node.name:
            continue
        first = names.get(node.name)
        if first is not None and first.parent is node.parent:
            # pyxform refuses a name twice in one group too.
            reporter.error(
                sheet.name,
                node.number,
                _l(
                    "The name %(name)s is already used in row %(row)d; every name must be different.",
                    name=node.name,
                    row=first.number,
                ),
                column="name",
            )
            continue
        names.setdefault(node.name, node)
        if node.parent is not None and node.parent.marker in COMPOSITE_MARKERS and node.parent.is_group:
            continue  # the parts of a severity, UNGP 31 or date range group are not keys of their own
        key = node.name if KEY_RE.match(node.name) else make_key(node.name)
        if key in taken:
            # pyxform accepts one name in two groups (and a.b beside a-b); consult keys are unique in a form.
            number = 2
            while f"{key[:60]}_{number}" in taken:
                number += 1
            unique = f"{key[:60]}_{number}"
            reporter.warn(
                sheet.name,
                node.number,
                _l(
                    "The name %(name)s (as the key %(key)s) is already used in row %(row)d; this row is stored as "
                    "%(unique)s, and conditions that use the name refer to the row before.",
                    name=node.name,
                    key=key,
                    row=taken[key].number,
                    unique=unique,
                ),
                column="name",
            )
            node.key = unique
            taken[unique] = node
            continue
        if key != node.name:
            reporter.warn(
                sheet.name,
                node.number,
                _l(
                    "The name %(name)s is stored as %(key)s (keys start with a letter and use A-Z, a-z, 0-9 and _, "
                    "at most 64 characters); conditions that use it are rewritten.",
                    name=node.name,
                    key=key,
                ),
                column="name",
            )
        node.key = key
        taken[key] = node
    return set(taken)
