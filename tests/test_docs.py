"""docs/metrics.md: the repository's metric reference, generated from the
catalog, is never stale, and says what the product contract says."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from purpose_metrics import catalog
from purpose_metrics.docs import render_metrics_doc

DOC = Path(__file__).resolve().parents[1] / "docs" / "metrics.md"
REGENERATE = "python -m purpose_metrics.docs > docs/metrics.md"

# The anchors code comments cite instead of the product spec: a section per
# convention the code relies on, and the rules for cohorts, targets and output.
CITED_ANCHORS = [
    "periods", "completed-orders", "guests", "the-earlier-rule", "scope",
    "surveys-tickets-and-messages", "monthly-tables", "empty-sets", "arithmetic",
    "as-of-and-immaturity", "small-samples-and-suppression", "intervals",
    "targets-and-status", "cohorts", "sales-lift", "what-n-counts", "output-columns",
]  # fmt: skip

# GRI disclosure and SDG target of every metric that has one, typed out by
# hand from the product spec's metric tables (not from the catalog).
STANDARDS = {
    "turnover_rate": ("GRI 401-1", None),
    "training_hours_per_employee": ("GRI 404-1", None),
    "ghg_intensity": ("GRI 305-4", "13.2"),
    "delivery_co2e_per_order": ("GRI 305-3", "13.2"),
    "recycled_packaging_share": ("GRI 301-2", "12.5"),
    "waste_diversion_rate": ("GRI 306-4", "12.5"),
    "renewable_energy_share": ("GRI 302-1", "7.2"),
    "energy_intensity": ("GRI 302-3", "7.3"),
    "community_investment_share": ("GRI 201-1", "17.17"),
    "local_procurement_share": ("GRI 204-1", "12.7"),
    "privacy_complaints": ("GRI 418-1", "16.10"),
}


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def _entry(doc: str, metric_id: str) -> str:
    """The text of one metric's section: from its anchor to the next anchor or heading of level 1-3."""
    start = doc.index(f'<a id="metric-{metric_id}"></a>')
    rest = doc[start + 1 :]
    ends = [m.start() for m in re.finditer(r"^(<a id=|#{1,3} )", rest, flags=re.M)]
    return rest[: ends[0]] if ends else rest


def _github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower().replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def test_the_doc_is_what_the_catalog_renders(doc: str) -> None:
    assert doc == render_metrics_doc(), f"docs/metrics.md is stale: run `{REGENERATE}`"


def test_the_command_in_the_doc_prints_the_doc(doc: str) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "purpose_metrics.docs"], capture_output=True, text=True, check=True
    ).stdout
    assert out == doc


def test_the_first_lines_say_how_to_regenerate(doc: str) -> None:
    assert REGENERATE in "\n".join(doc.splitlines()[:6]).replace("\n", " ")


def test_every_metric_has_one_entry_in_catalog_order(doc: str) -> None:
    anchors = re.findall(r'<a id="metric-([a-z0-9_]+)"></a>', doc)
    assert anchors == [m.id for m in catalog.METRICS]


def test_each_entry_states_its_standards_as_the_spec_does(doc: str) -> None:
    for m in catalog.METRICS:
        entry = _entry(doc, m.id)
        gri, sdg = STANDARDS.get(m.id, (None, None))
        assert (f"**GRI disclosure:** {gri} — " in entry) if gri else ("**GRI disclosure:** none" in entry), (
            m.id
        )
        assert f"**SDG target:** {sdg or 'none'}\n" in entry, m.id


def test_each_entry_says_what_n_counts_and_its_survey_minimum(doc: str) -> None:
    minimums = {"purpose_achieved_rate": 10, "csat": 10, "customer_effort": 10, "nps": 10,
                "enps": 5, "engagement_index": 5, "purpose_alignment": 5}  # fmt: skip
    for m in catalog.METRICS:
        entry = _entry(doc, m.id)
        assert f"**`n` counts:** {m.population} (`{m.n}`)" in entry, m.id
        expected = f"{minimums[m.id]} responses" if m.id in minimums else "none"
        assert f"**Survey minimum:** {expected}" in entry, m.id


def test_empty_sets_give_zero_sums_over_orders(doc: str) -> None:
    section = doc[doc.index("### Empty sets") : doc.index("### Arithmetic")]
    assert "`recycled_packaging_share` has numerator 0 and denominator 0" in section
    assert "numerator and denominator are 0" in _entry(doc, "recycled_packaging_share")
    assert "numerator and denominator are 0" in _entry(doc, "delivery_co2e_per_order")


def test_conventions_state_the_numbers_of_the_spec(doc: str) -> None:
    assert "customer surveys, 10 responses" in doc
    assert "employee surveys, 5 responses" in doc
    assert "z = 1.959964" in doc
    assert "target − 0.1 × |target|" in doc
    assert "(`to` + 90 days)" in doc


def test_every_link_inside_the_doc_has_a_target(doc: str) -> None:
    explicit = re.findall(r'<a id="([^"]+)"></a>', doc)
    slugs = [_github_slug(h) for h in re.findall(r"^#{1,4} (.+)$", doc, flags=re.M)]
    anchors = explicit + slugs
    links = set(re.findall(r"\]\(#([^)]+)\)", doc))
    assert links <= set(anchors), links - set(anchors)
    linked = [a for a in anchors if a in links]
    assert len(linked) == len(set(linked)), "an anchor that is linked to is not unique"


def test_the_anchors_code_will_cite_exist(doc: str) -> None:
    slugs = {_github_slug(h) for h in re.findall(r"^#{2,3} (.+)$", doc, flags=re.M)}
    assert set(CITED_ANCHORS) <= slugs, set(CITED_ANCHORS) - slugs
