"""Segments side by side (views/segments.py), on a hand-built data set."""

from __future__ import annotations

import pytest
from builders import dataset, day, frame, order, wilson

from purpose_metrics import catalog, views
from purpose_metrics.periods import Periods

P = Periods(day("2026-03-02"), day("2026-03-09"))


def _orders() -> list[dict]:
    out, oid = [], 0

    def add(brand: str, channel: str, n: int, donating: int) -> None:
        nonlocal oid
        for i in range(n):
            oid += 1
            out.append(
                order(
                    oid,
                    None,
                    brand,
                    "2026-03-03 10:00",
                    channel=channel,
                    donation_amount=1.0 if i < donating else 0.0,
                )
            )

    add("a", "web", 20, 18)  # 90 %
    add("a", "app", 20, 2)  # 10 %
    add("b", "web", 5, 5)  # five orders: fewer than 10, not shown
    add("b", "app", 12, 6)  # 50 %
    return out


def _data():
    data = dataset(orders=_orders())
    data.frames["brands"] = frame(
        "brands", [{"brand_id": "a", "name": "Alpha"}, {"brand_id": "b", "name": "Beta"}]
    ).lazy()
    return data


def test_the_matrix_holds_each_brand_and_channel_with_its_interval():
    m = views.segment_matrix(_data(), "cause_participation_rate", P, "channel", ["company", "a", "b"])
    cells = {(r["scope"], r["segment"]): r for r in m.iter_rows(named=True)}
    assert set(cells) == {(s, c) for s in ("company", "a", "b") for c in ("app", "web")}
    assert cells[("a", "web")]["value"] == pytest.approx(90.0)
    assert (cells[("a", "web")]["ci_low"], cells[("a", "web")]["ci_high"]) == pytest.approx(wilson(18, 20))
    assert cells[("company", "web")]["value"] == pytest.approx(100 * 23 / 25)
    assert cells[("company", "app")]["n"] == 32
    # b/web: 5 orders, under the minimum of 10: suppressed, its n still shown.
    small = cells[("b", "web")]
    assert (small["value"], small["ci_low"], small["suppressed"], small["n"]) == (None, None, True, 5)


def test_pairs_within_a_brand_use_the_interval_rule():
    m = views.segment_matrix(_data(), "cause_participation_rate", P, "channel", ["company", "a", "b"])
    pairs = views.segment_pairs(m, "cause_participation_rate", "EUR")
    verdicts = {(r["scope"], r["brand_a"], r["brand_b"]): r["verdict"] for r in pairs.iter_rows(named=True)}
    # a: web 90 % [wilson(18, 20)] against app 10 % [wilson(2, 20)]: apart.
    assert wilson(18, 20)[0] > wilson(2, 20)[1]
    assert verdicts[("a", "web", "app")] == "differs"
    # b: web is suppressed: cannot compare.
    assert [v for (s, *_), v in verdicts.items() if s == "b"] == ["cannot compare"]
    shown = [
        r
        for r in views.pairs_display(pairs, "cause_participation_rate", "EUR").to_dicts()
        if r["Brand"] == "Alpha"
    ]
    assert shown[0]["Higher"].startswith("Web: 90.0") and shown[0]["Lower"].startswith("App: 10.0")


def test_the_display_says_why_a_cell_is_empty():
    m = views.segment_matrix(_data(), "cause_participation_rate", P, "channel", ["company", "a", "b"])
    table = {r["Segment"]: r for r in views.matrix_display(m, "cause_participation_rate", "EUR").to_dicts()}
    assert table["Web"]["Beta"] == "fewer than 10 (n = 5)"
    assert table["Web"]["Alpha"].startswith("90.0 %  [")


def test_a_dimension_that_does_not_reach_a_metric_is_said_so():
    assert views.can_split(catalog.get("cause_participation_rate"), "channel")
    assert not views.can_split(catalog.get("nps"), "channel")  # surveys have no channel
    assert views.can_split(catalog.get("nps"), "customer_purpose")
    assert not views.can_split(catalog.get("enps"), "region")
