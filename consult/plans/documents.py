"""The plan as a document: standalone HTML, PDF (WeasyPrint) and DOCX (python-docx), in any of its languages.

One reading of the plan (``build``) feeds all three formats, so they say the
same thing: a cover (title, territory, consultation, status, version, date),
every section (Markdown through ``markdown.to_html``), the prioritised issues
with their justification and evidence, the actions grouped by pillar with all
their fields and evidence ("No evidence cited" when there is none), an evidence
annex (every fact cited, numbered once, with what cites it) and a chart of the
actions per pillar. Dropped priorities and actions are left out.

Safety: in HTML and PDF every text is escaped except what ``markdown.to_html``
sanitised; the PDF fetches nothing (local fonts, a URL fetcher that refuses
everything but ``data:``). In DOCX every text is a literal run (never a field
code), stripped of the control characters XML cannot hold, and the cells of
the tables go through ``cells.safe_text`` so a value such as ``=HYPERLINK(…)``
stays text when the table is pasted into a spreadsheet.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask import current_app
from flask_babel import force_locale, format_date, format_decimal
from flask_babel import gettext as _
from markupsafe import Markup

from consult.analysis.charts import Chart, grouped_bars
from consult.core.cells import safe_text
from consult.core.db import utctoday
from consult.i18n import INTERFACE_LANGUAGES, interface_language_for
from consult.plans import evidence, markdown
from consult.plans.labels import (
    ACTION_STATUSES,
    GENDER_MARKERS,
    PILLAR_SHORT,
    PILLARS,
    PLAN_STATUSES,
    SDG_TARGETS,
    SECTION_TITLES,
    UNGP_PRINCIPLES,
)
from consult.plans.models import EvidenceLink, Pillar, Plan, PlanAction, PlanStatus

TEMPLATES = Path(__file__).parent / "templates"
CSS = TEMPLATES / "plans" / "plan.css"
#: Characters XML 1.0 cannot hold (python-docx refuses them); stripped from DOCX texts.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
PILLAR_ORDER = (Pillar.PROTECT.value, Pillar.RESPECT.value, Pillar.REMEDY.value)
DASH = "–"
#: HTML comments in generated Markdown mark blocks for regeneration (e.g. ``<!-- participation -->``); never printed.
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def _md(text: str) -> str:
    """Markdown as written, without the HTML comments drafting leaves as markers."""
    return _COMMENT.sub("", text or "").strip()


@dataclass
class AnnexEntry:
    """One fact cited in the plan, numbered once however many priorities and actions cite it."""

    number: int
    sentence: str
    kind: str
    is_gone: bool = False
    cited_by: list[str] = field(default_factory=list)


@dataclass
class Cited:
    """A priority's or an action's evidence: its annex number and sentence."""

    number: int
    sentence: str
    is_gone: bool = False
    #: Already printed in full under a priority above: an action then cites it by its number only,
    #: so a plan whose actions answer several priorities does not repeat the same sentences page after page.
    shown_above: bool = False


@dataclass
class PriorityView:
    """A prioritised issue as printed."""

    anchor: str
    title: str
    justification: str
    evidence: list[Cited]


@dataclass
class ActionView:
    """An action as printed: its fields as (label, value) pairs and its evidence."""

    anchor: str
    code: str
    title: str
    description: str
    fields: list[tuple[str, str]]
    evidence: list[Cited]


@dataclass
class PillarView:
    """The actions of one pillar."""

    code: str
    label: str
    short: str
    actions: list[ActionView]


@dataclass
class SectionView:
    """A section of the plan's text (Markdown body) and what follows it (priorities, actions, annex)."""

    key: str
    title: str
    body: str


@dataclass
class PlanDocument:
    """Everything a document of the plan shows, in one language (``build``)."""

    lang: str
    title: str
    territory: str
    consultation: str
    status: str
    is_draft: bool
    version: int
    made_on: str
    adopted_on: str
    sections: list[SectionView]
    priorities: list[PriorityView]
    pillars: list[PillarView]
    annex: list[AnnexEntry]
    chart: Chart | None
    counts: list[tuple[str, int]]
    cover: list[tuple[str, str]] = field(default_factory=list)


def _date(value: date | None) -> str:
    return format_date(value, format="long") if value else ""


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.##")


def evidence_sentence(plan: Plan, link: EvidenceLink, lang: str) -> str:
    """The sentence of an evidence link in ``lang`` (falling back to the plan's main language), or a marker."""

    return evidence.sentence(link, lang, plan.language)


def _fields(plan: Plan, action: PlanAction, lang: str, priority_titles: dict[int, str]) -> list[tuple[str, str]]:
    """The action's fields as (label, value), in a fixed order; empty values shown as a dash."""
    unit = action.indicator_unit or ""

    def with_unit(value: float | None) -> str:
        shown = _number(value)
        return f"{shown} {unit}".strip() if shown else ""

    dates = " – ".join(_date(d) for d in (action.starts_on, action.ends_on) if d)
    budget = f"{_number(action.budget)} {action.budget_currency or ''}".strip() if action.budget is not None else ""
    indicator = plan.text(action.indicator_name, lang)
    if indicator and unit:
        indicator = f"{indicator} ({unit})"
    answers = [priority_titles[i] for i in action.priority_ids or [] if i in priority_titles]
    rows = [
        (_("Issues it answers"), "; ".join(answers)),
        (_("Lead entity"), plan.text(action.lead_entity, lang)),
        (_("Partners"), plan.text(action.partners, lang)),
        (_("Indicator"), indicator),
        (_("Baseline"), with_unit(action.indicator_baseline)),
        (_("Target"), with_unit(action.indicator_target)),
        (_("Source of the indicator"), plan.text(action.indicator_source, lang)),
        (_("Dates"), dates),
        (_("Budget"), budget),
        (_("SDG targets"), "; ".join(str(SDG_TARGETS.get(c, c)) for c in action.sdg_targets or [])),
        (_("UN Guiding Principles"), "; ".join(str(UNGP_PRINCIPLES.get(c, c)) for c in action.ungp_principles or [])),
        (_("Gender marker"), str(GENDER_MARKERS.get(action.gender_marker or 0, action.gender_marker))),
        (_("Status"), str(ACTION_STATUSES.get(action.status.value, action.status.value))),
    ]
    return [(label, value or DASH) for label, value in rows]


def build(plan: Plan, lang: str) -> PlanDocument:
    """Read ``plan`` in ``lang`` (texts fall back to its main language) into what every format prints.

    Call within ``force_locale`` of the interface language wanted (``render_*`` do).
    """
    consultation = plan.consultation
    annex: list[AnnexEntry] = []
    by_fact: dict[str, AnnexEntry] = {}

    shown: set[int] = set()

    def cite(link: EvidenceLink, citer: str, *, by_priority: bool = False) -> Cited:
        # One fact cited twice (by a priority and by an action) is one entry of the annex.
        key = json.dumps([link.kind, link.ref or {}, link.is_gone], sort_keys=True, default=str)
        entry = by_fact.get(key)
        if entry is None:
            entry = AnnexEntry(len(annex) + 1, evidence_sentence(plan, link, lang), link.kind, link.is_gone)
            by_fact[key] = entry
            annex.append(entry)
        if citer not in entry.cited_by:
            entry.cited_by.append(citer)
        shown_above = not by_priority and entry.number in shown
        if by_priority:
            shown.add(entry.number)
        return Cited(entry.number, entry.sentence, entry.is_gone, shown_above)

    priorities, priority_titles = [], {}
    for priority in plan.priorities:
        if priority.is_dropped:
            continue
        title = plan.text(priority.title, lang) or priority.right
        priority_titles[priority.id] = title
        evidence = [cite(link, title, by_priority=True) for link in priority.evidence]
        priorities.append(
            PriorityView(f"priority-{priority.id}", title, _md(plan.text(priority.justification, lang)), evidence)
        )

    pillars = []
    number = 0
    for code in PILLAR_ORDER:
        views = []
        for action in plan.actions:
            if action.is_dropped or action.pillar.value != code:
                continue
            number += 1
            title = plan.text(action.title, lang)
            label = _("Action %(number)s", number=number)
            evidence = [cite(link, f"{label}: {title}") for link in action.evidence]
            views.append(
                ActionView(
                    f"action-{action.id}",
                    str(number),
                    title,
                    _md(plan.text(action.description, lang)),
                    _fields(plan, action, lang, priority_titles),
                    evidence,
                )
            )
        pillars.append(PillarView(code, str(PILLARS[code]), str(PILLAR_SHORT[code]), views))

    sections = []
    for section in plan.sections:
        title = plan.text(section.title, lang) or str(SECTION_TITLES.get(section.key, section.key))
        sections.append(SectionView(section.key, title, _md(plan.text(section.body, lang))))

    counts = [(p.short, len(p.actions)) for p in pillars]
    chart = None
    if any(n for _label, n in counts):
        most = max(n for _label, n in counts)
        # One block ("Actions") with a bar per pillar, each in its own colour and with its count written by it.
        actions_label = _("Actions")
        chart = grouped_bars(
            "plan-pillars",
            _("Actions per pillar"),
            [actions_label],
            [label for label, _n in counts],
            {(actions_label, label): n / most for label, n in counts},
            {(actions_label, label): str(n) for label, n in counts},
            description=_("Horizontal bars: the number of actions of the plan in each pillar."),
        )

    status = str(PLAN_STATUSES.get(plan.status.value, plan.status.value))
    document = PlanDocument(
        lang=lang,
        title=plan.text(plan.title, lang) or consultation.title_in(lang),
        territory=plan.territory.name,
        consultation=consultation.title_in(lang),
        status=status,
        is_draft=plan.status == PlanStatus.DRAFT,
        version=plan.version or 0,
        made_on=_date(utctoday()),
        adopted_on=_date(plan.adopted_on),
        sections=sections,
        priorities=priorities,
        pillars=pillars,
        annex=annex,
        chart=chart,
        counts=counts,
    )
    document.cover = [
        (_("Territory"), document.territory),
        (_("Consultation"), document.consultation),
        (_("Status"), status),
        (_("Version"), str(document.version)),
        (_("Adopted on"), document.adopted_on),
        (_("Date of this document"), document.made_on),
    ]
    document.cover = [(label, value) for label, value in document.cover if value]
    return document


def _locale(lang: str) -> str:
    return lang if lang in INTERFACE_LANGUAGES else interface_language_for(lang)


def _html(plan: Plan, lang: str, print_css: bool) -> str:
    with force_locale(_locale(lang)):
        document = build(plan, lang)
        # Rendered outside any request too (tests, the command line): the app's environment, its own loader.
        template = current_app.jinja_env.get_template("plans/document.html")
        return template.render(
            doc=document,
            plan=plan,
            lang=lang,
            html_lang=_locale(lang),
            css=Markup(CSS.read_text(encoding="utf-8")),
            for_print=print_css,
        )


def render_html(plan: Plan, lang: str) -> str:
    """The plan in ``lang`` as one standalone HTML document (styles inline, charts as inline SVG)."""
    return _html(plan, lang, print_css=False)


def stylesheet() -> str:
    """The document's stylesheet (the view allows exactly this inline style by its hash)."""
    return CSS.read_text(encoding="utf-8")


def _no_fetch(url: str, *args, **kwargs):
    # Nothing is fetched while printing: fonts are the system's, charts inline SVG.
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher  # lazy: WeasyPrint is heavy and only needed to print

        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError("consult does not fetch anything while printing a plan")


def render_pdf(plan: Plan, lang: str) -> bytes:
    """The plan in ``lang`` as a PDF (A4, page numbers, the document's template with its print rules)."""
    from weasyprint import HTML  # lazy: WeasyPrint is heavy and only needed to print

    html = _html(plan, lang, print_css=True)
    return HTML(string=html, base_url=str(TEMPLATES), url_fetcher=_no_fetch).write_pdf()


# -- DOCX --------------------------------------------------------------------------------------------


def _plain(text: str) -> str:
    return _XML_ILLEGAL.sub("", str(text or ""))


def _cell(text: str) -> str:
    return safe_text(_plain(text))


def _bar_chart_png(counts: list[tuple[str, int]], title: str) -> bytes | None:
    """A small bar chart of the actions per pillar as PNG (Pillow, system font), or None without Pillow."""
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError:  # pragma: no cover - Pillow ships with WeasyPrint
        return None
    scale = 2
    width, row, top = 640 * scale, 44 * scale, 50 * scale
    height = top + row * len(counts) + 16 * scale
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    try:
        font = ImageFont.truetype("DejaVuSans.ttf", 15 * scale)
        bold = ImageFont.truetype("DejaVuSans-Bold.ttf", 16 * scale)
    except OSError:
        font = bold = ImageFont.load_default()
    draw.text((0, 8 * scale), title, fill="#1b1b1b", font=bold)
    most = max([n for _label, n in counts] + [1])
    bar_x = 160 * scale
    span = width - bar_x - 60 * scale
    for index, (label, n) in enumerate(counts):
        y = top + index * row
        draw.text((0, y + 6 * scale), label, fill="#1b1b1b", font=font)
        draw.rectangle([bar_x, y, bar_x + span, y + 28 * scale], fill="#f3f4f1")
        length = int(span * n / most)
        if length:
            draw.rectangle([bar_x, y, bar_x + length, y + 28 * scale], fill="#0b5b3e")
        draw.text((bar_x + length + 8 * scale, y + 6 * scale), str(n), fill="#1b1b1b", font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _markdown_blocks(docx, text: str) -> None:
    for kind, words in markdown.to_blocks(text):
        words = _plain(words)
        if kind == "heading":
            docx.add_heading(words, level=3)
        elif kind == "bullet":
            docx.add_paragraph(words, style="List Bullet")
        elif kind == "number":
            docx.add_paragraph(words, style="List Number")
        elif kind == "quote":
            docx.add_paragraph(words, style="Quote")
        else:
            docx.add_paragraph(words)


def _table(docx, header: tuple[str, str] | None, rows: list[tuple[str, str]]):
    table = docx.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    if header:
        cells = table.add_row().cells
        for cell, text in zip(cells, header):
            cell.text = ""
            cell.paragraphs[0].add_run(_cell(text)).bold = True
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text = ""
        cells[0].paragraphs[0].add_run(_cell(label)).bold = True
        cells[1].text = _cell(value)
    return table


def _evidence_paragraphs(docx, evidence: list[Cited]) -> None:
    if not evidence:
        docx.add_paragraph(_plain(_("No evidence cited")), style="Intense Quote")
        return
    for item in evidence:
        if not item.shown_above:
            docx.add_paragraph(_plain(f"[{item.number}] {item.sentence}"), style="List Bullet")
    above = [f"[{item.number}]" for item in evidence if item.shown_above]
    if above:
        docx.add_paragraph(_plain(_("Also cited above, under the priorities: %(numbers)s", numbers=" ".join(above))))


def render_docx(plan: Plan, lang: str) -> bytes:
    """The plan in ``lang`` as a Word document: headings, paragraphs and lists, tables of the action fields."""
    # Lazy: python-docx is only needed for this download.
    from docx import Document
    from docx.shared import Mm

    with force_locale(_locale(lang)):
        doc = build(plan, lang)
        docx = Document()
        docx.core_properties.title = _plain(doc.title)[:250]
        docx.core_properties.language = lang
        if doc.is_draft:
            docx.add_paragraph(_plain(_("Draft — not adopted")), style="Intense Quote")
        docx.add_heading(_plain(doc.title), level=0)
        _table(docx, None, doc.cover)
        placed = {"priorities": False, "actions": False, "annex": False}

        def priorities_part() -> None:
            for priority in doc.priorities:
                docx.add_heading(_plain(priority.title), level=2)
                _markdown_blocks(docx, priority.justification)
                docx.add_paragraph(_plain(_("Evidence")), style="Heading 4")
                _evidence_paragraphs(docx, priority.evidence)

        def actions_part() -> None:
            if doc.chart is not None:
                png = _bar_chart_png(doc.counts, _("Actions per pillar"))
                if png:
                    docx.add_picture(io.BytesIO(png), width=Mm(140))
            _table(docx, (_("Pillar"), _("Actions")), [(label, str(n)) for label, n in doc.counts])
            for pillar in doc.pillars:
                docx.add_heading(_plain(pillar.label), level=2)
                if not pillar.actions:
                    docx.add_paragraph(_plain(_("No actions under this pillar.")))
                for action in pillar.actions:
                    docx.add_heading(
                        _plain(_("Action %(number)s: %(title)s", number=action.code, title=action.title)), level=3
                    )
                    _markdown_blocks(docx, action.description)
                    _table(docx, None, action.fields)
                    docx.add_paragraph(_plain(_("Evidence")), style="Heading 4")
                    _evidence_paragraphs(docx, action.evidence)

        def annex_part() -> None:
            if not doc.annex:
                docx.add_paragraph(_plain(_("No evidence is cited in this plan.")))
                return
            table = docx.add_table(rows=1, cols=3)
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, ("#", _("Evidence"), _("Cited by"))):
                cell.text = ""
                cell.paragraphs[0].add_run(_cell(text)).bold = True
            for entry in doc.annex:
                cells = table.add_row().cells
                cells[0].text = str(entry.number)
                cells[1].text = _cell(entry.sentence)
                cells[2].text = _cell("; ".join(entry.cited_by))

        parts = {"priorities": priorities_part, "actions": actions_part, "annex": annex_part}
        for section in doc.sections:
            docx.add_heading(_plain(section.title), level=1)
            _markdown_blocks(docx, section.body)
            if section.key in parts and not placed[section.key]:
                parts[section.key]()
                placed[section.key] = True
        for key, titled in (("priorities", "priorities"), ("actions", "actions"), ("annex", "annex")):
            if not placed[key]:
                docx.add_heading(_plain(str(SECTION_TITLES[titled])), level=1)
                parts[key]()
        out = io.BytesIO()
        docx.save(out)
        return out.getvalue()
