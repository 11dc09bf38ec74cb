"""XLSForm expressions (a subset of XPath) read into a small tree, and written back.

We read only what consult's rules and bounds can mean: references ``${name}``,
``.``, text and number literals, ``= != > < >= <=``, ``and``, ``or``,
parentheses and a handful of functions (``selected``, ``not``,
``count-selected``, ``string-length``, ``date``). Anything else (arithmetic,
other functions, paths) raises ``Untranslatable`` with the reason in words, so
the importer can say exactly what it left out.

Trees are tuples: ``("ref", name)``, ``("self",)``, ``("str", text)``,
``("num", number)``, ``("call", name, [args])``, ``("cmp", op, left, right)``,
``("and", [items])``, ``("or", [items])``.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l


class Untranslatable(ValueError):
    """An expression, or a part of one, that consult cannot express; ``reason`` says why."""

    def __init__(self, reason: Any) -> None:
        super().__init__(str(reason))
        self.reason = reason


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<ref>\$\{\s*(?P<refname>[^}\s]*)\s*\})
      | (?P<str>'[^']*'|"[^"]*")
      | (?P<num>\d+(?:\.\d+)?|\.\d+)
      | (?P<op>!=|>=|<=|=|>|<|\(|\)|,|\+|-|\*|\||/|\[|\]|@)
      | (?P<self>\.\.?)
      | (?P<name>[A-Za-z_][A-Za-z0-9_.:-]*)
    )""",
    re.VERBOSE,
)
_COMPARISONS = ("=", "!=", ">", "<", ">=", "<=")
FLIPPED = {"=": "=", "!=": "!=", ">": "<", "<": ">", ">=": "<=", "<=": ">="}
_FUNCTIONS = frozenset({"selected", "not", "count-selected", "string-length", "date"})


def _tokens(text: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise Untranslatable(_l("it cannot be read (check the brackets and quotes)"))
        position = match.end()
        if match.group("ref") is not None:
            tokens.append(("ref", match.group("refname")))
        elif match.group("str") is not None:
            tokens.append(("str", match.group("str")[1:-1]))
        elif match.group("num") is not None:
            number = float(match.group("num"))
            tokens.append(("num", int(number) if number.is_integer() else number))
        elif match.group("op") is not None:
            tokens.append(("op", match.group("op")))
        elif match.group("self") is not None:
            if match.group("self") == "..":
                raise Untranslatable(_l("it uses a path (..), which consult rules cannot express"))
            tokens.append(("self", "."))
        else:
            tokens.append(("name", match.group("name")))
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, Any]], functions: frozenset[str]) -> None:
        self.tokens = tokens
        self.position = 0
        self.functions = functions

    def peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, Any]:
        token = self.peek()
        if token is None:
            raise Untranslatable(_l("it ends too early (check the brackets and quotes)"))
        self.position += 1
        return token

    def expect(self, value: str) -> None:
        if self.take() != ("op", value):
            raise Untranslatable(_l("it cannot be read (check the brackets and quotes)"))

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token is not None and token[0] == "name" and token[1] == word:
            self.position += 1
            return True
        return False

    def expression(self) -> tuple:
        items = [self.conjunction()]
        while self.keyword("or"):
            items.append(self.conjunction())
        return items[0] if len(items) == 1 else ("or", items)

    def conjunction(self) -> tuple:
        items = [self.comparison()]
        while self.keyword("and"):
            items.append(self.comparison())
        return items[0] if len(items) == 1 else ("and", items)

    def comparison(self) -> tuple:
        left = self.primary()
        token = self.peek()
        if token is not None and token[0] == "op" and token[1] in _COMPARISONS:
            self.position += 1
            right = self.primary()
            after = self.peek()
            if after is not None and after[0] == "op" and after[1] in _COMPARISONS:
                raise Untranslatable(_l("it chains comparisons, which consult rules cannot express"))
            return ("cmp", token[1], left, right)
        return left

    def primary(self) -> tuple:
        kind, value = self.take()
        if kind == "ref":
            if not value:
                raise Untranslatable(_l("it has an empty reference ${}"))
            node: tuple = ("ref", value)
        elif kind in ("str", "num"):
            node = (kind, value)
        elif kind == "self":
            node = ("self",)
        elif kind == "op" and value == "(":
            node = self.expression()
            self.expect(")")
        elif kind == "op" and value == "-" and self.peek() is not None and self.peek()[0] == "num":
            node = ("num", -self.take()[1])
        elif kind == "name" and self.peek() == ("op", "("):
            node = self.call(value)
        elif kind == "name" and value in ("div", "mod"):
            raise Untranslatable(_l("it uses arithmetic, which consult rules cannot express"))
        elif kind == "op" and value in ("+", "-", "*"):
            raise Untranslatable(_l("it uses arithmetic, which consult rules cannot express"))
        elif kind == "op" and value in ("/", "[", "]", "@", "|"):
            raise Untranslatable(_l("it uses a path, which consult rules cannot express"))
        else:
            raise Untranslatable(_l("it cannot be read (check the brackets and quotes)"))
        token = self.peek()
        if (
            token is not None
            and token[0] == "op"
            and token[1] in ("+", "-", "*")
            or token in (("name", "div"), ("name", "mod"))
        ):
            raise Untranslatable(_l("it uses arithmetic, which consult rules cannot express"))
        return node

    def call(self, name: str) -> tuple:
        self.expect("(")
        if name.lower() not in self.functions:
            raise Untranslatable(_l("it uses the function %(name)s(), which consult rules cannot express", name=name))
        args: list[tuple] = []
        if self.peek() != ("op", ")"):
            args.append(self.expression())
            while self.peek() == ("op", ","):
                self.position += 1
                args.append(self.expression())
        self.expect(")")
        return ("call", name.lower(), args)


def parse(text: str, *, also: frozenset[str] = frozenset()) -> tuple:
    """The tree of an XLSForm expression, or ``Untranslatable`` with the reason.

    ``also`` admits more functions (``if`` for our own routing calculations).
    """
    parser = _Parser(_tokens(text), _FUNCTIONS | also)
    tree = parser.expression()
    if parser.peek() is not None:
        raise Untranslatable(_l("it cannot be read (check the brackets and quotes)"))
    return tree


def conjuncts(tree: tuple) -> list[tuple]:
    """The parts of a top-level ``and`` (the tree itself when it is not one)."""
    return list(tree[1]) if tree[0] == "and" else [tree]


def references(tree: tuple) -> set[str]:
    """Every ``${name}`` a tree refers to."""
    if tree[0] == "ref":
        return {tree[1]}
    if tree[0] in ("and", "or"):
        return set().union(*(references(item) for item in tree[1]))
    if tree[0] == "call":
        return set().union(set(), *(references(item) for item in tree[2]))
    if tree[0] == "cmp":
        return references(tree[2]) | references(tree[3])
    return set()


def quote(text: str) -> str:
    """An XPath string literal for ``text`` (``Untranslatable`` if it holds both kinds of quote)."""
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    raise Untranslatable(_l("a text holds both kinds of quotation mark"))


def to_text(tree: tuple) -> str:
    """A tree written back as an XLSForm expression (for messages and exports)."""
    kind = tree[0]
    if kind == "ref":
        return "${%s}" % tree[1]
    if kind == "self":
        return "."
    if kind == "str":
        return quote(tree[1])
    if kind == "num":
        return repr(tree[1]) if isinstance(tree[1], float) else str(tree[1])
    if kind == "call":
        return f"{tree[1]}({', '.join(to_text(arg) for arg in tree[2])})"
    if kind == "cmp":
        return f"{to_text(tree[2])} {tree[1]} {to_text(tree[3])}"
    joined = f" {kind} ".join(f"({to_text(item)})" if item[0] in ("and", "or") else to_text(item) for item in tree[1])
    return joined
