"""Survey rows as consult questions.

Plain XLSForm types map directly (``integer``/``decimal`` → number, ``text`` →
short text or, with ``appearance`` multiline, long text, ``date``, ``note`` →
information, ``select_one``/``select_multiple`` → single/multiple choice). The
``bind::consult:type`` marker written by our export rebuilds the types XLSForm
lacks (scale, stakeholder group, consent, territory, severity, UNGP 31, date
range). Rows consult does not collect are skipped with a warning that says why.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from consult.i18n import INTERFACE_LANGUAGES
from consult.surveys import labels
from consult.surveys.pictograms import PICTOGRAMS
from consult.surveys.types.base import OTHER_LABEL
from consult.surveys.xlsform import cells
from consult.surveys.xlsform.cells import Context
from consult.surveys.xlsform.choices import ChoiceList
from consult.surveys.xlsform.concepts import read_concept
from consult.surveys.xlsform.constraints import read_constraint
from consult.surveys.xlsform.expressions import Untranslatable, parse
from consult.surveys.xlsform.tree import Node

COMPOSITE = {"severity": labels.SEVERITY_PARTS, "ungp31": labels.UNGP31_CRITERIA, "date_range": ("start", "end")}

_PRIVACY = _l(
    "consult does not record the device, the person's accounts, phone number or the time of answering, "
    "to protect respondents"
)
METADATA_TYPES = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "device id",
        "get device id",
        "imei",
        "uri:deviceid",
        "subscriberid",
        "subscriber id",
        "get subscriber id",
        "uri:subscriberid",
        "simserial",
        "sim id",
        "get sim id",
        "uri:simserial",
        "phonenumber",
        "phone number",
        "get phone number",
        "uri:phonenumber",
        "username",
        "uri:username",
        "email",
        "uri:email",
        "audit",
        "start time",
        "end time",
        "get start time",
        "get end time",
        "get today",
        "start-geopoint",
        "background-audio",
        "background-geopoint",
    }
)
_LOCATION = _l("consult does not collect locations, to protect respondents")
_MEDIA = _l("consult does not collect photos, recordings or files")
_CALCULATED = _l("consult does not compute values within a form")
_NO_TYPE = _l("consult has no question of this type")
UNSUPPORTED_TYPES = {
    **dict.fromkeys(("geopoint", "geotrace", "geoshape", "gps", "location", "osm"), _LOCATION),
    **dict.fromkeys(("image", "photo", "audio", "video", "file", "big-image"), _MEDIA),
    **dict.fromkeys(("calculate", "hidden"), _CALCULATED),
    **dict.fromkeys(
        (
            "time",
            "datetime",
            "date time",
            "datetime-local",
            "barcode",
            "acknowledge",
            "rank",
            "trigger",
            "xml-external",
            "csv-external",
            "select_one_external",
            "select_multiple_external",
            "percentage",
        ),
        _NO_TYPE,
    ),
}


def read_questions(root: Node, ctx: Context) -> None:
    """Give every node its role, and every question node its question dict."""
    for node in root.walk():
        if node.row is None:
            continue
        if node.parent is not None and node.parent.role == "composite":
            continue
        if node.parent is not None and node.parent.role == "skipped" and node.parent.is_group:
            node.role = "skipped"  # inside a repeat, which is left out whole (reported on its row)
            continue
        if node.spec.word == "begin repeat":
            node.role = "skipped"
            continue
        if node.is_group:
            if node.marker in COMPOSITE:
                _read_composite(node, ctx)
            else:
                node.role = "group"
            continue
        _read_row(node, ctx)


def _read_row(node: Node, ctx: Context) -> None:
    word = node.spec.word
    if word not in METADATA_TYPES and word not in UNSUPPORTED_TYPES and word.split(" ")[0] in UNSUPPORTED_TYPES:
        word = word.split(" ")[0]  # "rank colours", "select_one_external towns"
    name = node.name or "?"
    if word in METADATA_TYPES:
        ctx.warn(
            node, _l("%(type)s (%(name)s) is not imported: %(reason)s.", type=word, name=name, reason=_PRIVACY), "type"
        )
        node.role = "skipped"
        return
    if word == "calculate" and node.marker == "routing":
        node.role = "route"
        return
    if word in UNSUPPORTED_TYPES:
        ctx.warn(
            node,
            _l(
                "%(type)s (%(name)s) is not imported: %(reason)s.", type=word, name=name, reason=UNSUPPORTED_TYPES[word]
            ),
            "type",
        )
        node.role = "skipped"
        return
    if not node.name:
        ctx.error(node, _l("The question has no name."), "name")
        node.role = "skipped"
        return
    if word == "text" and _fold_other(node, ctx):
        return
    question: dict[str, Any] = {"key": node.key}
    choice_list = None
    if word == "note":
        question["type"] = "info"
    elif word == "text":
        question["type"] = "territory" if node.marker == "territory" else _text_type(node, ctx)
    elif word in ("integer", "decimal"):
        question["type"] = "number"
        if word == "decimal":
            question["decimal"] = True
    elif word == "range":
        question["type"] = "number"
        _range(node, question, ctx)
    elif word == "date":
        question["type"] = "date"
    elif word.startswith("select_"):
        choice_list = _select(node, question, ctx)
        if choice_list is None:
            node.role = "skipped"
            return
    else:
        ctx.error(
            node,
            _l("The type “%(type)s” is not an XLSForm question type consult knows.", type=node.get("type")),
            "type",
        )
        node.role = "skipped"
        return
    text = cells.label(node, ctx, "note" if word == "note" else "question")
    if text is None:
        node.role = "skipped"
        return
    question["text"] = text
    cells.appearance(node, ctx, _USED_APPEARANCE.get(question["type"], ()))
    hint = cells.hint(node, ctx)
    if hint:
        question["help"] = hint
    if question["type"] != "info" and cells.required(node, ctx):
        question["required"] = True
    cells.messages(node, question, ctx)
    cells.apply_data(node, question)
    read_concept(node, question, ctx, choice_list)
    node.question = question
    node.role = "question"


_USED_APPEARANCE = {"long_text": ("multiline", "multi-line"), "scale": ("likert",)}


def _text_type(node: Node, ctx: Context) -> str:
    appearance = node.get("appearance").lower().split()
    return "long_text" if "multiline" in appearance or "multi-line" in appearance else "short_text"


def _range(node: Node, question: dict[str, Any], ctx: Context) -> None:
    params = dict(re.findall(r"(\w+)\s*=\s*(-?\d+(?:\.\d+)?)", node.get("parameters")))
    numbers = {k: float(v) for k, v in params.items()}
    start, end = numbers.get("start", 1.0), numbers.get("end", 10.0)
    decimal = any(not v.is_integer() for v in numbers.values())
    low, high = sorted((start, end))
    question["min"], question["max"] = (low, high) if decimal else (int(low), int(high))
    if decimal:
        question["decimal"] = True
    ctx.warn(
        node,
        _l(
            "The range %(name)s is imported as a number question from %(min)s to %(max)s (no slider).",
            name=node.name,
            min=question["min"],
            max=question["max"],
        ),
    )


def _choice_list(node: Node, ctx: Context) -> ChoiceList | None:
    spec = node.spec
    list_name = spec.list_name or ""
    if spec.word.endswith("_from_file"):
        stem = re.sub(r"\.(csv|xml|geojson)$", "", list_name, flags=re.IGNORECASE)
        found = ctx.lists.get(stem) or ctx.lists.get(list_name)
        if found is None:
            # pyxform converts it (the file travels with the form); consult leaves the question out.
            ctx.warn(
                node,
                _l(
                    "%(name)s is not imported: its options come from the file %(file)s, which is not in the "
                    "workbook; copy its rows into the choices sheet with list_name %(list)s to import it.",
                    name=node.name,
                    file=list_name,
                    list=stem,
                ),
                "type",
            )
        return found
    found = ctx.lists.get(list_name)
    if found is None:
        ctx.error(
            node,
            _l("The list %(list)s of %(name)s is not in the choices sheet.", list=list_name, name=node.name),
            "type",
        )
    return found


def _select(node: Node, question: dict[str, Any], ctx: Context) -> ChoiceList | None:
    """Fill in a select question from its list; the list, or ``None`` when the row cannot be read."""
    choice_list = _choice_list(node, ctx)
    if choice_list is None:
        return None
    choice_list.used = True
    multiple = node.spec.word.startswith("select_multiple")
    if node.get("choice_filter"):
        ctx.warn(
            node,
            _l(
                "The choice filter of %(name)s is not imported: consult shows every option of the list.", name=node.name
            ),
            "choice_filter",
        )
    appearance = [w.lower() for w in node.get("appearance").split()]
    integers = [c for c in choice_list.choices if re.fullmatch(r"-?\d+", c.name)]
    others = [c for c in choice_list.choices if c not in integers]
    is_scale = (
        not multiple
        and (node.marker == "scale" or "likert" in appearance)
        and integers
        and all(c.value == "dont_know" for c in others)
    )
    if node.marker == "scale" and not is_scale:
        ctx.error(node, _l("The scale %(name)s needs choices named by whole numbers (and dont_know).", name=node.name))
        return None
    if is_scale:
        node.values = {c.name: int(c.name) for c in integers} | {c.name: "dont_know" for c in others}
        question["type"] = "scale"
        question["points"] = [{"value": int(c.name), "label": _choice_label(c, choice_list, ctx)} for c in integers]
        if others:
            question["dont_know"] = True
        return choice_list
    node.values = dict(choice_list.values)
    if node.spec.or_other:
        node.values["other"] = "other"
    if node.marker == "stakeholder_group" and not multiple:
        question["type"] = "stakeholder_group"
        groups = [c.value for c in choice_list.choices]
        if groups != list(labels.STAKEHOLDER_GROUPS):
            question["groups"] = groups
        return choice_list
    question["type"] = (
        "consent" if node.marker == "consent" and multiple else ("multiple_choice" if multiple else "single_choice")
    )
    question["options"] = [_option(c, choice_list, ctx) for c in choice_list.choices]
    if node.spec.or_other:
        # pyxform labels it "Other"; we give the engine's word in each language that has a catalogue.
        question["other"] = {"label": _other_label(ctx.languages.declared, ctx.languages.fallback)}
    return choice_list


def _option(choice: Any, choice_list: ChoiceList, ctx: Context) -> dict[str, Any]:
    """An option of the definition from a choice row; a known ``pictogram`` goes with it, another is reported."""
    option: dict[str, Any] = {"value": choice.value, "label": _choice_label(choice, choice_list, ctx)}
    name = (getattr(choice, "pictogram", "") or "").strip().lower()
    if name in PICTOGRAMS:
        option["pictogram"] = name
    elif name:
        ctx.reporter.warn(
            ctx.choices_sheet,
            choice.row,
            _l(
                "The pictogram “%(name)s” is not one consult draws (%(known)s); the choice is shown without it.",
                name=name,
                known=", ".join(PICTOGRAMS),
            ),
        )
    return option


def _other_label(languages: list[str], fallback: str) -> dict[str, str]:
    """The engine's "Other" in each language with a catalogue (and, in English, in a fallback without one)."""

    texts = {}
    for code in languages:
        if code in INTERFACE_LANGUAGES or code == fallback:
            with force_locale(code if code in INTERFACE_LANGUAGES else "en"):
                texts[code] = str(OTHER_LABEL)
    return texts


def _choice_label(choice: Any, choice_list: ChoiceList, ctx: Context) -> dict[str, str]:
    fallback = ctx.languages.fallback
    label = dict(choice.label)
    if fallback not in label:
        # pyxform accepts it (ODK shows the name, or another language); consult needs the default language.
        label = {fallback: label[next(iter(label))], **label} if label else {fallback: choice.name}
        if not getattr(choice, "reported", False):
            choice.reported = True
            ctx.reporter.warn(
                ctx.choices_sheet,
                choice.row,
                _l(
                    "The choice %(name)s of list %(list)s has no label in the default language (%(code)s); "
                    "%(shown)s is shown until it is translated.",
                    name=choice.name,
                    list=choice_list.name,
                    code=fallback,
                    shown=label[fallback],
                ),
            )
    return label


def _fold_other(node: Node, ctx: Context) -> bool:
    """Merge a "please specify" text row into the choice question before it; True when merged."""
    siblings = node.parent.children if node.parent else []
    index = siblings.index(node)
    previous = siblings[index - 1] if index else None
    question = previous.question if previous is not None and previous.role == "question" else None
    fits = question is not None and question["type"] in ("single_choice", "multiple_choice") and "other" not in question
    option = next((o for o in question["options"] if o["value"] == "other"), None) if fits else None
    if node.marker == "other":
        if option is None:
            ctx.error(
                node,
                _l(
                    "The “other, please specify” row %(name)s must follow a choice question that has a choice named "
                    "other.",
                    name=node.name,
                ),
            )
            node.role = "skipped"
            return True
    elif option is None or not _tests_other(node.get("relevant"), previous.name):
        return False
    question["options"].remove(option)
    question["other"] = {} if node.data.get("engine_label") else {"label": option["label"]}
    node.role = "folded"
    node.question = question
    node.key = previous.key
    if node.marker != "other":
        ctx.warn(
            node,
            _l(
                "%(name)s becomes the “other, please specify” box of %(question)s; its own label and settings are "
                "not used.",
                name=node.name,
                question=previous.name,
            ),
        )
    return True


def _tests_other(relevant: str, name: str) -> bool:
    try:
        tree = parse(relevant) if relevant else None
    except Untranslatable:
        return False
    return tree in (
        ("call", "selected", [("ref", name), ("str", "other")]),
        ("cmp", "=", ("ref", name), ("str", "other")),
    )


def _read_composite(node: Node, ctx: Context) -> None:
    """A severity, UNGP 31 or date range written by our export: a group of its parts."""
    kind = node.marker
    allowed = COMPOSITE[kind]
    prefix = f"{node.name}__"
    parts = []
    for child in node.children:
        part = child.name[len(prefix) :] if child.name.startswith(prefix) else ""
        if part not in allowed or child.is_group or part in parts:
            ctx.reporter.error(
                ctx.sheet.name,
                child.number,
                _l(
                    "The group %(group)s holds a %(kind)s question, whose rows are named %(names)s; %(name)s is not "
                    "one of them.",
                    group=node.name,
                    kind=kind,
                    names=", ".join(prefix + p for p in allowed),
                    name=child.name or "?",
                ),
            )
            continue
        child.role = "part"
        parts.append(part)
        if child.spec.list_name in ctx.lists:
            ctx.lists[child.spec.list_name].used = True  # the engine's own labels: shown from its catalogue
    node.role = "composite"
    text = cells.label(node, ctx, "group")
    if not parts or text is None:
        if not parts:
            ctx.error(
                node, _l("The group %(group)s holds no parts of its %(kind)s question.", group=node.name, kind=kind)
            )
        node.role = "skipped"
        return
    question: dict[str, Any] = {"key": node.key, "type": kind, "text": text}
    hint = cells.hint(node, ctx)
    if hint:
        question["help"] = hint
    first = next(c for c in node.children if c.role == "part")
    if any(cells.required(c, ctx) for c in node.children if c.role == "part"):
        question["required"] = True
    if kind == "severity" and parts != list(allowed):
        question["parts"] = parts
    if kind == "ungp31" and parts != list(allowed):
        question["criteria"] = parts
    if kind == "date_range":
        for child in node.children:
            if child.role == "part" and child.get("constraint"):
                bounds = read_constraint(child.get("constraint"), "date_range")
                question.update(bounds.members)
    cells.appearance(node, ctx)
    cells.messages(first, question, ctx)
    cells.apply_data(node, question)
    read_concept(node, question, ctx)
    node.question = question
