"""Server-rendered SVG charts: well-formed, accessible, escaped, deterministic, and the same figures as their table."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from consult.analysis import charts

SVG = "{http://www.w3.org/2000/svg}"
CATEGORIES = ["Water contamination", "<script>alert(1)</script>"]
GROUPS = ["Community members", "Companies"]
VALUES = {
    ("Water contamination", "Community members"): 0.61,
    ("Water contamination", "Companies"): None,
    ("<script>alert(1)</script>", "Community members"): 0.05,
    ("<script>alert(1)</script>", "Companies"): 1.0,
}
DISPLAYS = {
    ("Water contamination", "Community members"): "61\u00a0% (n=212)",
    ("Water contamination", "Companies"): "fewer than 5",
    ("<script>alert(1)</script>", "Community members"): "5\u00a0% (n=20)",
    ("<script>alert(1)</script>", "Companies"): "100\u00a0% (n=40)",
}
CRITERIA = ["Legitimate", "Rights-compatible"]
TYPES = ["State judicial", "Company grievance mechanism"]


def grouped() -> charts.Chart:
    return charts.grouped_bars("risks", "Risks by group", CATEGORIES, GROUPS, VALUES, DISPLAYS)


def coverage() -> charts.Chart:
    rows = [
        ("Community members", 210, 250, "210"),
        ("Companies", 48, 40, "48"),
        ("Indigenous peoples", None, 60, "fewer than 5"),
    ]
    return charts.coverage_bars("coverage", "Answers against targets", rows)


def matrix() -> charts.Chart:
    counts = {(s, lk): s * lk for s in range(1, 6) for lk in range(1, 6)}
    counts[(2, 4)] = None
    counts[(1, 1)] = 0
    displays = {key: "fewer than 5" if n is None else str(n) for key, n in counts.items()}
    return charts.severity_matrix("salience", "Severity and likelihood", counts, displays)


def criteria() -> charts.Chart:
    values = {
        ("State judicial", "Legitimate"): (0.5, 0.3, 0.2),
        ("State judicial", "Rights-compatible"): None,
        ("Company grievance mechanism", "Legitimate"): (1, 0, 0),
        ("Company grievance mechanism", "Rights-compatible"): (0.2, 0.2, 0.6),
    }
    displays = {key: "fewer than 5" if v is None else f"yes {round(v[0] * 100)}\u00a0%" for key, v in values.items()}
    return charts.criteria_chart("ungp31", "UNGP 31 criteria", TYPES, CRITERIA, values, displays)


ALL = [grouped, coverage, matrix, criteria]


def parse(chart: charts.Chart) -> ET.Element:
    return ET.fromstring(str(chart.svg))


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def bars(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if r.get("class") == "chart-bar"]


@pytest.mark.parametrize("build", ALL)
def test_every_chart_is_one_named_responsive_image_without_inline_style(build):
    chart = build()
    root = parse(chart)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("viewBox").startswith(f"0 0 {charts.WIDTH} ")
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.get("id") == f"{chart.id}-title" and title.text == chart.title
    assert desc.get("id") == f"{chart.id}-desc" and "table" in desc.text
    assert root.get("aria-labelledby") == f"{chart.id}-title"
    assert root.get("aria-describedby") == f"{chart.id}-desc"
    # The Content-Security-Policy has style-src 'self' and no inline scripts.
    assert not [e for e in root.iter() if "style" in e.attrib or e.tag in (f"{SVG}style", f"{SVG}script")]
    assert len(str(chart.svg)) < 20_000


@pytest.mark.parametrize("build", ALL)
def test_same_input_gives_the_same_bytes(build):
    assert str(build().svg) == str(build().svg)
    assert build().table == build().table


def test_output_does_not_depend_on_dict_order():
    reversed_values = dict(reversed(list(VALUES.items())))
    reversed_displays = dict(reversed(list(DISPLAYS.items())))
    again = charts.grouped_bars("risks", "Risks by group", CATEGORIES, GROUPS, reversed_values, reversed_displays)
    assert str(again.svg) == str(grouped().svg)


def test_a_hidden_share_draws_no_bar_and_shows_its_display_text():
    root = parse(grouped())
    assert len(bars(root)) == 3  # four values, one hidden
    assert "fewer than 5" in texts(root)
    assert "61\u00a0% (n=212)" in texts(root)
    widths = sorted(float(b.get("width")) for b in bars(root))
    bar_width = charts.WIDTH - charts.BAR_X - 2
    assert widths == pytest.approx([0.05 * bar_width, 0.61 * bar_width, bar_width], abs=0.1)


def test_labels_are_escaped():
    chart = grouped()
    assert "<script>" not in str(chart.svg)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in str(chart.svg)
    assert "<script>alert(1)</script>" in texts(parse(chart))  # read back as the plain label
    with_quote = charts.coverage_bars("q", 'A "quoted" & <b>bold</b> title', [("x", 1, None, "1")])
    assert parse(with_quote).find(f"{SVG}title").text == 'A "quoted" & <b>bold</b> title'


def test_an_id_that_is_not_a_plain_name_is_refused():
    with pytest.raises(ValueError):
        charts.coverage_bars('x" onload="alert(1)', "t", [])


def test_coverage_marks_rows_under_target_by_pattern_and_text():
    root = parse(coverage())
    fills = [b.get("fill") for b in bars(root)]
    assert fills == ["url(#coverage-under)", charts.ACCENT]  # the hidden count draws no bar
    assert root.find(f".//{SVG}pattern").get("id") == "coverage-under"
    assert "210 · target 250 · missing 40" in texts(root)
    assert "48 · target 40" in texts(root)
    assert "fewer than 5 · target 60" in texts(root)
    targets = [line for line in root.iter(f"{SVG}line") if line.get("stroke-width") == "2.5"]
    assert len(targets) == 3 + 1  # one marker per row with a target, one in the legend
    assert coverage().table.rows == (
        ("Community members", ("210", "250", "40")),
        ("Companies", ("48", "40", "0")),
        ("Indigenous peoples", ("fewer than 5", "60", "")),
    )


def test_severity_matrix_shades_cells_by_count_and_writes_every_count():
    root = parse(matrix())
    cells = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "chart-cell"]
    assert len(cells) == 25
    fills = [c.get("fill") for c in cells]
    # Severity 5 is the top row. Top left holds 5 of at most 25: the lightest shade; top right
    # holds 25: the darkest; bottom left holds 0: white.
    assert fills[0] == charts.SHADES[0] and fills[4] == charts.SHADES[-1] and fills[20] == "#fff"
    hidden = cells[3 * 5 + 3]  # severity 2, likelihood 4
    assert hidden.get("fill") == charts.SOFT and hidden.get("stroke-dasharray")
    words = texts(root)
    assert {"Severity", "Likelihood", "25", "0"} <= set(words)
    assert "fewer" in " ".join(words) and "than 5" in " ".join(words)
    assert matrix().table.rows[0] == ("Severity 5", ("5", "10", "15", "20", "25"))
    assert matrix().table.columns[0] == "Likelihood 1"


def test_criteria_chart_stacks_yes_partly_no_and_skips_hidden_rows():
    root = parse(criteria())
    segments = bars(root)
    # (0.5, 0.3, 0.2) gives three segments, (1, 0, 0) one, (0.2, 0.2, 0.6) three; the hidden pair none.
    assert len(segments) == 7
    assert [s.get("fill") for s in segments[:3]] == [charts.ACCENT, "url(#ungp31-partly)", "#fff"]
    assert "fewer than 5" in texts(root)
    assert {"Yes", "Partly", "No"} <= set(texts(root))
    assert criteria().table.columns == tuple(TYPES)
    assert criteria().table.rows[1] == ("Rights-compatible", ("fewer than 5", "yes 20\u00a0%"))


def test_wrap_keeps_numbers_with_units_and_breaks_after_hyphens():
    assert charts.wrap("Rights-compatible", 110, 13) == ["Rights-", "compatible"]
    assert charts.wrap("yes 61\u00a0% of them", 45, 13) == ["yes", "61\u00a0%", "of", "them"]
    assert all(len(line) <= 15 for line in charts.wrap("a" * 40 + " b", 110, 13))


def _contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        colour = colour.lstrip("#")
        if len(colour) == 3:
            colour = "".join(c * 2 for c in colour)
        channels = [int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b_ = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b_

    high, low = sorted([luminance(a), luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_colours_meet_wcag_aa():
    for colour in charts.GROUP_COLOURS:  # white value text sits inside long bars
        assert _contrast(colour, charts.WHITE) >= 4.5
    for shade in charts.SHADES[:-1]:  # dark count text on light cells
        assert _contrast(shade, charts.INK) >= 4.5
    assert _contrast(charts.SHADES[-1], charts.WHITE) >= 4.5
    assert _contrast(charts.MUTED, charts.SOFT) >= 4.5
    assert _contrast(charts.UNDER_INK, charts.WHITE) >= 3  # outline of an under-target bar


class TableReader(HTMLParser):
    """The caption, the header cells with their scope, and the data cells of a figure's table."""

    def __init__(self) -> None:
        super().__init__()
        self.caption = ""
        self.headers: list[tuple[str | None, str]] = []
        self.cells: list[str] = []
        self.figures = 0
        self.svgs = 0
        self._in: str | None = None
        self._scope: str | None = None
        self._text = ""
        self._body = False

    def handle_starttag(self, tag, attrs):
        if tag == "figure":
            self.figures += 1
        if tag == "svg":
            self.svgs += 1
        if tag == "tbody":
            self._body = True
        if tag in ("caption", "th") or (tag == "td" and self._body):
            self._in, self._scope, self._text = tag, dict(attrs).get("scope"), ""

    def handle_endtag(self, tag):
        if tag == self._in:
            text = " ".join(self._text.split())
            if tag == "caption":
                self.caption = text
            elif tag == "th":
                self.headers.append((self._scope, text))
            else:
                self.cells.append(self._text)
            self._in = None

    def handle_data(self, data):
        if self._in:
            self._text += data


def render_figure(app, chart: charts.Chart) -> str:
    with app.test_request_context("/?lang=en"):
        return str(app.jinja_env.get_template("analysis/_charts.html").module.figure(chart))


def test_the_macro_renders_the_chart_and_a_table_with_the_same_figures(app):
    chart = grouped()
    html = render_figure(app, chart)
    assert str(chart.svg) in html
    reader = TableReader()
    reader.feed(html)
    assert reader.figures == 1 and reader.svgs == 1
    assert reader.caption == "Figures: Risks by group"
    assert reader.headers == [
        ("col", "Answer"),
        ("col", "Community members"),
        ("col", "Companies"),
        ("row", "Water contamination"),
        ("row", "<script>alert(1)</script>"),
    ]
    assert reader.cells == [DISPLAYS[(c, g)] for c in CATEGORIES for g in GROUPS]
    assert "<script>alert" not in html


@pytest.mark.parametrize("build", ALL)
def test_every_chart_renders_as_a_figure_with_unique_ids(app, build):
    chart = build()
    html = render_figure(app, chart)
    reader = TableReader()
    reader.feed(html)
    assert reader.caption == f"Figures: {chart.title}"
    assert len(reader.cells) == sum(len(cells) for _, cells in chart.table.rows)
    assert all(scope in ("col", "row") for scope, _ in reader.headers)
    ids = [f'id="{chart.id}"', f'id="{chart.id}-title"', f'id="{chart.id}-desc"']
    assert all(html.count(i) == 1 for i in ids)


def test_a_share_of_nobody_draws_an_empty_bar():
    nan = {("a", "g"): float("nan")}
    root = parse(charts.grouped_bars("empty", "t", ["a"], ["g"], nan, {("a", "g"): "0 answers"}))
    assert [b.get("width") for b in bars(root)] == ["0"]
    assert "0 answers" in texts(root)
