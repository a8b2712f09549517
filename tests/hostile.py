"""Hostile text, shared by every test of a surface that shows data.

Imported names, purposes and labels that try to become a link, an image, a
formula, a colour, HTML or a spreadsheet formula (issue 20, item 1 and 4).
`hostile_folder` writes the worked example (tests/data/small/data) with the
brand "alpine" and its rows carrying them; `hostile_database` imports that
folder, as a user's files go in.

What a surface must do with each: show it as written. The checks below say
what "as written" means for Markdown (every character Markdown reads as
markup arrives backslash-escaped, so no fragment of markup survives), for
Plotly (HTML-like markup arrives as entities) and for CSV (a cell starting
with a formula character arrives behind a quote).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import polars as pl

from purpose_metrics import db

EXAMPLE = Path(__file__).resolve().parent / "data" / "small" / "data"
REPLACED_BRAND = "alpine"

# A spreadsheet formula as a brand id (at most 64 characters, the contract's limit).
BRAND_ID = '=HYPERLINK("http://127.0.0.1:9/x","click")'
BRAND_NAME = "Evil [phish](http://127.0.0.1:9/login) **BOLD** :red[RED]"
BRAND_PURPOSE = (
    "Shop [here](http://127.0.0.1:9/p) ![b](http://127.0.0.1:9/b.png) $\\frac{1}{2}$ "
    "<img src='http://127.0.0.1:9/i.png'> mail evil@example.com"
)
COMPANY_NAME = "Holdout <b>Goods</b> :blue[co] $x$"
COMPANY_PURPOSE = "# Help [people](http://127.0.0.1:9/c) buy less, better :material/warning:"
INITIATIVE = "<a href='http://127.0.0.1:9/x'>CLICKME</a> <b>B</b>"
INITIATIVE_LAUNCH = "2026-05-04"  # inside the latest week's sparkline (2026-W25) and trend
TEAM = "ops [t](http://127.0.0.1:9/t) <i>it</i>"
REGION = "north <a href='http://127.0.0.1:9/r'>R</a> :red[x]"
SEGMENT = "+loyal ![s](http://127.0.0.1:9/s.png)"
CUSTOMER_PURPOSE = "replace <b>gift</b> [x](http://127.0.0.1:9/g)"
CAUSE = "@SUM(1+1) <a href='http://127.0.0.1:9/k'>k</a>"

TEXTS = {
    "brand name": BRAND_NAME,
    "brand purpose": BRAND_PURPOSE,
    "company name": COMPANY_NAME,
    "company purpose": COMPANY_PURPOSE,
    "initiative": INITIATIVE,
    "team": TEAM,
    "region": REGION,
    "segment": SEGMENT,
    "customer purpose": CUSTOMER_PURPOSE,
}

# Markup that must never reach a Markdown renderer unescaped: each is a piece
# of the texts above that would form a link, an image, emphasis, a heading,
# HTML, LaTeX or a Streamlit directive. None holds a backslash, so it can be
# looked for in Markdown with every escaped character taken out (`live`).
MARKDOWN_LIVE = (
    "[phish](", "![b](", "**BOLD**", ":red[RED]", "{1}{2}$", "<img", "[here](", ":blue[co]", "$x$",
    "# Help", "[people](", ":material/warning:", "<a href", "<b>", "<i>", "[t](", ":red[x]",
    "![s](", "[x](", "evil@example.com",
)  # fmt: skip
# What Streamlit rewrites in the text itself, after escapes are read: GFM's
# autolink literals (URLs, e-mail addresses) and :shortcode: / :material/…:
# icons. Looked for in the text Markdown shows (`as_text`).
TEXT_LIVE = ("http://127.0.0.1", "evil@example.com", ":material/warning:")
WORD_JOINER = "\u2060"  # invisible; breaks those patterns
# Plotly's HTML-like markup from the texts above (a chart's own <b> and <br>
# are not data, so only data's tags are looked for).
PLOTLY_LIVE = ("<a href", "<b>B</b>", "<b>Goods</b>", "<i>it</i>", "<b>gift</b>", "<img", "$x$")
# HTML's markup among them (an HTML page reads no LaTeX).
HTML_LIVE = tuple(fragment for fragment in PLOTLY_LIVE if fragment.startswith("<"))


def live(markdown: str) -> str:
    """Markdown with every backslash-escaped character taken out: what is
    left is what a Markdown renderer could read as markup."""
    return re.sub(r"\\.", "", markdown, flags=re.DOTALL)


def as_text(markdown: str) -> str:
    """The text Markdown holds once escapes are read (each escaped character
    without its backslash): what Streamlit's text rewrites see."""
    return re.sub(r"\\(.)", r"\1", markdown, flags=re.DOTALL)


def shown(markdown: str) -> str:
    """What a person reads: the text without its invisible word joiners."""
    return as_text(markdown).replace(WORD_JOINER, "")


def live_markdown(markdown: str) -> list[str]:
    """The fragments of MARKDOWN_LIVE and TEXT_LIVE that would render as
    markup, a link or an icon."""
    rest, text = live(markdown), as_text(markdown)
    return [f for f in MARKDOWN_LIVE if f in rest] + [f for f in TEXT_LIVE if f in text]


def live_plotly(text: str) -> list[str]:
    """The fragments of PLOTLY_LIVE that Plotly would render as markup."""
    return [fragment for fragment in PLOTLY_LIVE if fragment in text]


def strings_of(node: object) -> list[str]:
    """Every string in a figure's dict (or any nest of dicts and lists)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in strings_of(value)]
    if isinstance(node, list | tuple):
        return [s for value in node for s in strings_of(value)]
    return []


def as_plotly_text(text: str) -> str:
    """How a text must arrive in a Plotly label: HTML-escaped, "$" as its entity."""
    return html.escape(text, quote=False).replace("$", "&#36;")


def _replace(frame: pl.DataFrame, column: str, mapping: dict[str, str]) -> pl.DataFrame:
    return frame.with_columns(pl.col(column).replace(mapping))


def hostile_folder(folder: Path) -> Path:
    """The worked example in `folder`, with brand "alpine" renamed to
    BRAND_ID / BRAND_NAME and its purpose, the company, an initiative, a
    team, a region, a segment, a customer purpose and a cause hostile."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in sorted(EXAMPLE.glob("*.csv")):
        frame = pl.read_csv(source, infer_schema=False)  # every column as text: written back as read
        if "brand_id" in frame.columns:
            frame = _replace(frame, "brand_id", {REPLACED_BRAND: BRAND_ID})
        table = source.stem
        if table == "brands":
            alpine = pl.col("brand_id") == BRAND_ID
            frame = frame.with_columns(
                name=pl.when(alpine).then(pl.lit(BRAND_NAME)).otherwise("name"),
                purpose_statement=pl.when(alpine).then(pl.lit(BRAND_PURPOSE)).otherwise("purpose_statement"),
            )
        elif table == "company":
            frame = frame.with_columns(name=pl.lit(COMPANY_NAME), purpose_statement=pl.lit(COMPANY_PURPOSE))
        elif table == "initiatives":
            mine = pl.col("brand_id") == BRAND_ID
            frame = frame.with_columns(
                name=pl.when(mine).then(pl.lit(INITIATIVE)).otherwise("name"),
                launched_at=pl.when(mine).then(pl.lit(INITIATIVE_LAUNCH)).otherwise("launched_at"),
            )
        elif table == "employee_surveys":
            frame = _replace(frame, "team", {"ops": TEAM})
        elif table == "customers":
            frame = _replace(_replace(frame, "region", {"north": REGION}), "segment", {"loyal": SEGMENT})
        elif table == "customer_surveys":
            frame = _replace(frame, "customer_purpose", {"replace": CUSTOMER_PURPOSE})
        elif table == "orders":
            frame = _replace(frame, "cause", {"ocean": CAUSE})
        frame.write_csv(folder / source.name)
    return folder


def hostile_database(path: Path) -> str:
    """A DuckDB file at `path` holding `hostile_folder`'s tables, imported
    through the importer; returns its URL."""
    from purpose_metrics.validation import import_folder

    url = f"duckdb:///{path}"
    engine = db.make_engine(url, create=True)
    db.create_schema(engine)
    import_folder(engine, hostile_folder(path.parent / f"{path.stem}-csv"))
    engine.dispose()
    return url
