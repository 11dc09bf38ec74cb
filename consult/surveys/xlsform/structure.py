"""Groups as sections and pages, ``relevant`` as ``when``, our routing calculations as routing.

How the survey sheet's layout becomes consult's sections and pages:

- a top-level group whose rows are all groups is a **section**, each of its
  groups a **page**;
- any other top-level group is a **page** (our export writes pages as
  ``field-list`` groups);
- a group inside a page is flattened into it (reported): its questions join the
  page, and its ``relevant`` joins theirs;
- questions outside any group are gathered into pages, one page per run of
  consecutive questions, starting a new page where a question depends on an
  answer on the page being gathered (so that skip logic works on a server-rendered
  page with JavaScript off);
- pages outside sections are gathered into sections in order.

A ``relevant`` becomes the ``when`` of its question or page when our operators
can say the same thing; otherwise the question is imported without it and the
report says so, with the expression and the reason.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from consult.surveys import labels
from consult.surveys.xlsform import cells
from consult.surveys.xlsform.cells import Context
from consult.surveys.xlsform.conditions import (
    CHOICE,
    DATE,
    MULTIPLE,
    NUMBER,
    SCALE,
    SCORE,
    TEXT,
    WHOLE,
    Target,
    condition_from,
)
from consult.surveys.xlsform.expressions import Untranslatable, conjuncts, parse, references, to_text
from consult.surveys.xlsform.tree import Node

_KINDS = {
    "single_choice": CHOICE,
    "stakeholder_group": CHOICE,
    "multiple_choice": MULTIPLE,
    "consent": MULTIPLE,
    "scale": SCALE,
    "number": NUMBER,
    "short_text": TEXT,
    "long_text": TEXT,
    "date": DATE,
    "territory": WHOLE,
    "severity": WHOLE,
    "ungp31": WHOLE,
    "date_range": WHOLE,
}
_PART_KINDS = {"severity": SCORE, "ungp31": CHOICE, "date_range": DATE}
_PART_VALUES = {
    "severity": {str(n): n for n in range(1, 6)},
    "ungp31": {code: code for code in labels.UNGP31_ANSWERS},
    "date_range": None,
}


class UnknownName(Untranslatable):
    """A reference to a name no row has: the form is broken (ODK refuses it too)."""


def all_of(conditions: list[Any]) -> dict[str, Any] | None:
    """One condition requiring all of ``conditions`` (``None`` entries left out)."""
    items: list[Any] = []
    for condition in conditions:
        if condition is None:
            continue
        items.extend(condition["and"] if isinstance(condition, dict) and "and" in condition else [condition])
    if not items:
        return None
    return items[0] if len(items) == 1 else {"and": items}


class Builder:
    """Turns the read tree into the definition's sections."""

    def __init__(self, root: Node, ctx: Context, taken: set[str]) -> None:
        self.root = root
        self.ctx = ctx
        self.taken = taken
        self.targets: dict[str, tuple[Target | None, int, Any]] = {}
        self.route_names: set[str] = set()
        self.pages_by_name: dict[str, str] = {}
        for node in root.walk():
            if node.role == "group" and not node.key:
                node.key = self._new_key("group")  # pyxform insists on names; people do not always give one
        self._register()

    # -- names ------------------------------------------------------------------------------------

    def _register(self) -> None:
        for node in self.root.walk():
            if node.row is None or not node.name or node.role == "part":
                continue
            name, row = node.name, node.number
            if node.role == "question":
                question = node.question
                if question["type"] == "info":
                    self.targets[name] = (None, row, _l("%(name)s is a note, which has no answer", name=name))
                else:
                    self.targets[name] = (
                        Target(node.key, _KINDS[question["type"]], name, values=node.values),
                        row,
                        None,
                    )
                    if "other" in question and f"{name}_other" not in self.targets:
                        self.targets[f"{name}_other"] = (
                            Target(node.key, TEXT, f"{name}_other", part="other"),
                            row,
                            None,
                        )
            elif node.role == "composite":
                kind = node.question["type"]
                self.targets[name] = (Target(node.key, WHOLE, name), row, None)
                for child in node.children:
                    if child.role == "part":
                        part = child.name[len(name) + 2 :]
                        target = Target(node.key, _PART_KINDS[kind], child.name, part=part, values=_PART_VALUES[kind])
                        self.targets[child.name] = (target, child.number, None)
            elif node.role == "folded":
                self.targets[name] = (Target(node.key, TEXT, name, part="other"), row, None)
            elif node.role == "route":
                self.route_names.add(name)
                self.targets[name] = (None, row, _l("%(name)s is consult's routing, not an answer", name=name))
            elif node.role == "group":
                self.pages_by_name[name] = node.key
                self.targets[name] = (None, row, _l("%(name)s is a group, which has no answer", name=name))
            else:
                self.targets[name] = (None, row, _l("%(name)s is not imported", name=name))

    def lookup(self, at: int):
        """A lookup of names for an expression in row ``at``: only earlier questions may be used."""

        def find(name: str) -> Target:
            entry = self.targets.get(name)
            if entry is None:
                raise UnknownName(_l("${%(name)s} is not the name of any row", name=name))
            target, row, reason = entry
            if target is None:
                raise Untranslatable(reason)
            if row >= at:
                raise Untranslatable(
                    _l("%(name)s comes later in the form, and a rule may only use earlier answers", name=name)
                )
            return target

        return find

    # -- conditions -------------------------------------------------------------------------------

    def condition(self, node: Node, *, page: bool = False) -> dict[str, Any] | None:
        """The ``when`` of a row from its ``relevant`` (and the condition our export kept in its data)."""
        text = node.get("relevant")
        found = None
        if text:
            found = self._translate(node, text, page)
        kept = node.data.get("when")
        if kept is not None and not isinstance(kept, dict):
            kept = None
        return all_of([found, kept])

    def _translate(self, node: Node, text: str, page: bool) -> dict[str, Any] | None:
        try:
            tree = parse(text)
            if page and self.route_names:
                # Our export adds "${P__route} != 'X'" parts to the pages a routing rule skips; the routing
                # itself comes back from the route calculation, so those parts are left out here.
                kept = [part for part in conjuncts(tree) if not references(part) & self.route_names]
                if not kept:
                    return None
                tree = kept[0] if len(kept) == 1 else ("and", kept)
            node.refs = references(tree)
            return condition_from(tree, self.lookup(node.number))
        except UnknownName as exc:
            self.ctx.error(
                node,
                _l(
                    "The condition (relevant) of %(name)s cannot be read: %(reason)s.",
                    name=node.name,
                    reason=exc.reason,
                ),
                "relevant",
            )
        except Untranslatable as exc:
            shown = _l("the page is always shown") if page else _l("the question is always shown")
            self.ctx.warn(
                node,
                _l(
                    "The condition (relevant) %(expression)s of %(name)s is not imported: %(reason)s; %(shown)s.",
                    expression=text,
                    name=node.name,
                    reason=exc.reason,
                    shown=shown,
                ),
                "relevant",
            )
        return None

    def routing(self, page_node: Node, route: Node) -> list[dict[str, Any]]:
        """The routing rules of a page from our routing calculation: ``if(cond, 'page', ...)``."""
        rules: list[dict[str, Any]] = []
        try:
            tree = parse(route.get("calculation"), also=frozenset({"if"}))
            while tree[0] == "call" and tree[1] == "if" and len(tree[2]) == 3:
                condition, target, tree = tree[2]
                rules.append({"goto": self._goto(target), "when": condition_from(condition, self.lookup(route.number))})
            if tree != ("str", ""):
                rules.append({"goto": self._goto(tree)})
        except Untranslatable as exc:
            self.ctx.warn(
                route,
                _l(
                    "The routing of page %(page)s is not imported: %(reason)s; the page is followed by the next one.",
                    page=page_node.name,
                    reason=exc.reason,
                ),
                "calculation",
            )
            return []
        return rules

    def _goto(self, node: tuple) -> str:
        if node[0] != "str":
            raise Untranslatable(_l("%(part)s is not a page name", part=to_text(node)))
        if node[1] == "end":
            return "end"
        if node[1] not in self.pages_by_name:
            raise Untranslatable(_l("%(part)s is not a page name", part=to_text(node)))
        return self.pages_by_name[node[1]]

    # -- layout -----------------------------------------------------------------------------------

    def sections(self) -> list[dict[str, Any]]:
        """The definition's sections (see the module docstring)."""
        sections: list[dict[str, Any]] = []
        pending: list[dict[str, Any]] = []
        loose: list[Node] = []

        def flush_loose() -> None:
            pending.extend(self._loose_pages(loose))
            loose.clear()

        def flush_pending() -> None:
            flush_loose()
            if pending:
                key = self._new_key("section")
                sections.append({"key": key, "pages": list(pending)})
                pending.clear()

        for node in self.root.children:
            if node.role in ("question", "composite"):
                node.when = self.condition(node)
                loose.append(node)
            elif node.role == "group" and self._is_section(node):
                flush_pending()
                sections.append(self._section(node))
            elif node.role == "group":
                flush_loose()
                page = self._page(node, [])
                if page is not None:
                    pending.append(page)
            elif node.role == "route":
                self.ctx.warn(node, _l("The routing %(name)s is outside a page; it is not imported.", name=node.name))
        flush_pending()
        return sections

    def _is_section(self, node: Node) -> bool:
        groups = [c for c in node.children if c.role == "group"]
        return bool(groups) and len(groups) == len([c for c in node.children if c.role not in ("skipped",)])

    def _title(self, node: Node) -> dict[str, str] | None:
        title, source = cells.borrowed(self.ctx.texts.text(node.row, "label"), self.ctx.languages.fallback)
        if source is not None:
            cells.report_borrowed(node, self.ctx, "label", source)
        return title or None

    def _group_appearance(self, node: Node) -> None:
        for word in node.get("appearance").split():
            if word.lower() != "field-list":
                self.ctx.warn(
                    node,
                    _l(
                        "The appearance “%(appearance)s” of group %(name)s is not used: each group is a page.",
                        appearance=word,
                        name=node.name,
                    ),
                    "appearance",
                )

    def _section(self, node: Node) -> dict[str, Any]:
        when = self.condition(node, page=True)
        self._group_appearance(node)
        section: dict[str, Any] = {"key": node.key}
        title = self._title(node)
        if title:
            section["title"] = title
        pages = []
        for child in node.children:
            if child.role == "group":
                page = self._page(child, [when])
                if page is not None:
                    pages.append(page)
        section["pages"] = pages
        return section

    def _page(self, node: Node, inherited: list[Any]) -> dict[str, Any] | None:
        when = all_of([*inherited, self.condition(node, page=True)])
        self._group_appearance(node)
        page: dict[str, Any] = {"key": node.key}
        title = self._title(node)
        if title:
            page["title"] = title
        questions: list[dict[str, Any]] = []
        routing: list[dict[str, Any]] = []
        self._collect(node, [], questions, routing, node)
        if not questions:
            self.ctx.warn(
                node, _l("The group %(name)s has no questions consult imports; it is left out.", name=node.name)
            )
            return None
        if when is not None:
            page["when"] = when
        kept = node.data.get("routing")
        if not routing and isinstance(kept, list):
            routing = kept
        if routing:
            page["routing"] = routing
        page["questions"] = questions
        return page

    def _collect(self, group: Node, inherited: list[Any], questions: list, routing: list, page_node: Node) -> None:
        for child in group.children:
            if child.role in ("question", "composite"):
                own = self.condition(child)
                questions.append(_with_when(child.question, all_of([*inherited, own])))
            elif child.role == "route":
                if group is page_node:
                    routing.extend(self.routing(page_node, child))
                else:
                    self.ctx.warn(
                        child,
                        _l("The routing %(name)s is not directly in a page; it is not imported.", name=child.name),
                    )
            elif child.role == "group":
                self.ctx.warn(
                    child,
                    _l(
                        "The group %(name)s is inside the group %(outer)s; consult pages do not nest, so its questions "
                        "are shown on the page of %(outer)s.",
                        name=child.name,
                        outer=group.name,
                    ),
                )
                self._group_appearance(child)
                self._collect(child, [*inherited, self.condition(child, page=True)], questions, routing, page_node)

    def _loose_pages(self, nodes: list[Node]) -> list[dict[str, Any]]:
        pages: list[dict[str, Any]] = []
        current: list[Node] = []
        for node in nodes:
            names_on_page = {n.name for n in current} | {c.name for n in current for c in n.children}
            if current and node.refs & names_on_page:
                pages.append(self._loose_page(current))
                current = []
            current.append(node)
        if current:
            pages.append(self._loose_page(current))
        return pages

    def _loose_page(self, nodes: list[Node]) -> dict[str, Any]:
        return {"key": self._new_key("page"), "questions": [_with_when(n.question, n.when) for n in nodes]}

    def _new_key(self, base: str) -> str:
        n = 1
        while f"{base}_{n}" in self.taken:
            n += 1
        key = f"{base}_{n}"
        self.taken.add(key)
        return key


def _with_when(question: dict[str, Any], when: dict[str, Any] | None) -> dict[str, Any]:
    result = dict(question)
    if when is not None:
        result["when"] = when
    return result
