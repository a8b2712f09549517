"""The front-line brief (`purpose-metrics brief`), on the worked example.

Expected numbers are counted here from the example's CSV files, not taken
from the engine.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import polars as pl
import pytest

from purpose_metrics.brief import BRIEF_GROUP_MIN, sparkline
from purpose_metrics.cli import main

WEEK = "2026-W10"  # 2-8 Mar 2026; breakdowns pool 9 Feb - 8 Mar 2026
START, END = dt.datetime(2026, 2, 9), dt.datetime(2026, 3, 9)


@pytest.fixture(scope="module")
def brief_md(example_db, tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("brief") / "alpine.md"
    assert main(["--db", example_db, "brief", "--brand", "alpine", "--week", WEEK, "--out", str(out)]) == 0
    return out.read_text(encoding="utf-8")


def _section(text: str, heading: str) -> list[str]:
    lines = text.split("\n")
    i = next(k for k, line in enumerate(lines) if line.startswith("## ") and heading in line)
    out = []
    for line in lines[i + 2 :]:
        if not line.startswith("- "):
            break
        out.append(line[2:])
    return out


def test_the_brief_has_every_section_for_the_brand_and_week(brief_md):
    assert brief_md.startswith(f"# Alpine: front-line brief, {WEEK}")
    for heading in (
        "Furthest below target",
        "Purposes least often achieved",
        "Late deliveries by region",
        "First-contact resolution by channel",
        "What brings customers back",
    ):
        assert f"## {heading}" in brief_md
    assert f"fewer than {BRIEF_GROUP_MIN} customers is withheld" in brief_md


def test_first_contact_resolution_by_channel_counted_by_hand(brief_md, example_dir):
    data = example_dir / "data"
    orders = pl.read_csv(data / "orders.csv").select("order_id", "channel")
    tickets = (
        pl.read_csv(data / "support_tickets.csv", try_parse_dates=True)
        .filter(
            (pl.col("brand_id") == "alpine") & (pl.col("opened_at") >= START) & (pl.col("opened_at") < END)
        )
        .join(orders, on="order_id", how="left")
        .with_columns(pl.col("channel").fill_null("no order"))
    )
    expected = []
    for (channel,), part in sorted(tickets.group_by("channel"), key=lambda g: g[0][0]):
        customers = part["customer_id"].drop_nulls().n_unique()
        if customers < BRIEF_GROUP_MIN:
            expected.append(f"{channel}: withheld: fewer than 10 customers ({customers:,})")
        else:
            resolved = part.filter(pl.col("resolved_at").is_not_null())
            one = resolved.filter(pl.col("contacts") == 1).height
            expected.append(f"{channel}: {100 * one / resolved.height:.1f} % at first contact")
    assert _section(brief_md, "First-contact resolution") == (expected or ["No support ticket."])


def test_late_deliveries_by_region_withhold_small_groups(brief_md, example_dir):
    data = example_dir / "data"
    customers = pl.read_csv(data / "customers.csv").select("customer_id", "region")
    orders = (
        pl.read_csv(data / "orders.csv", try_parse_dates=True)
        .filter(
            (pl.col("brand_id") == "alpine") & (pl.col("status") == "completed")
            & (pl.col("ordered_at") >= START) & (pl.col("ordered_at") < END)
        )
        .join(customers, on="customer_id", how="inner")
    )  # fmt: skip
    lines = _section(brief_md, "Late deliveries by region")
    for (region,), part in orders.group_by("region"):
        if region is None:
            continue
        who = part["customer_id"].n_unique()
        line = next(x for x in lines if x.startswith(f"{region.capitalize()}:"))
        if who < BRIEF_GROUP_MIN:
            assert line.endswith(f"withheld: fewer than 10 customers ({who:,})")
        else:
            both = part.filter(
                pl.col("promised_delivery_date").is_not_null() & pl.col("delivered_at").is_not_null()
            )
            late = both.filter(pl.col("delivered_at").dt.date() > pl.col("promised_delivery_date")).height
            assert line == f"{region.capitalize()}: {100 * late / both.height:.1f} % late"


def test_no_customer_is_named(brief_md, example_dir):
    ids = pl.read_csv(example_dir / "data" / "customers.csv")["customer_id"].cast(pl.String).to_list()
    words = set(brief_md.replace(",", " ").replace("(", " ").replace(")", " ").split())
    assert not [i for i in ids if len(i) >= 4 and i in words]


@pytest.mark.browser
def test_the_pdf_is_one_page(example_db, tmp_path):
    out = tmp_path / "alpine.pdf"
    assert main(["--db", example_db, "brief", "--brand", "alpine", "--week", WEEK, "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
        assert re.search(r"^Pages:\s+1$", info, re.M) and "Alpine: front-line brief" in info


@pytest.mark.parametrize(
    "args",
    [
        ["--brand", "nosuch", "--out", "x.md"],
        ["--brand", "alpine", "--out", "x.docx"],
        ["--brand", "alpine", "--week", "2026-W99", "--out", "x.md"],
    ],
)
def test_bad_input_exits_2_and_writes_nothing(example_db, tmp_path, capsys, args):
    args = [a if not a.startswith("x.") else str(tmp_path / a) for a in args]
    assert main(["--db", example_db, "brief", *args]) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_sparkline():
    assert sparkline([1.0, None, 3.0, 2.0]) == "▁·█▅"
    assert sparkline([None, None]) == ""
