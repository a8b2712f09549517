"""Sign-in and brand-level access in the app (ui/access.py), with
AppTest's signed-in user (`at.user`) and an [auth] section in its secrets.

The worked example's brands are Alpine, Hearth, Stride and Tiny. Their net
revenue in 2026-W10 (2–8 March, completed orders, net of refunds), summed
by hand from tests/data/small/data/orders.csv:

    alpine 594.15 (6 orders)   hearth 352.99 (5)   stride 294.01 (3)   tiny 52.84 (2)
    company 1,293.99

A person who may see only Hearth must never receive another brand's name
or any of those other values, on any page, in any table, chart or notice,
whatever the link asks for.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from pptx import Presentation
from streamlit.testing.v1 import AppTest

from purpose_metrics import audit, db, dburl
from purpose_metrics.access import ENV_ACCESS, Access, AccessDenied
from purpose_metrics.ui import access, importer
from purpose_metrics.validation import import_file
from tests.app.conftest import DASHBOARD, TIMEOUT, chart_specs, chart_svgs, page_text

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "x" * 64,
    "client_id": "purpose-metrics",
    "client_secret": "not-used-by-apptest",
    "server_metadata_url": "http://localhost:9/.well-known/openid-configuration",
}
ROLES = """
admin_contact = "data-team@example.com"

[[grant]]
email = "ops@example.com"
role = "admin"

[[grant]]
email = "ceo@example.com"
role = "executive"

[[grant]]
group = "brand-hearth"
role = "brand"
brands = ["hearth"]

[[grant]]
email = "analyst@example.com"
role = "viewer"
brands = ["hearth", "stride"]
company = true
"""
HEARTH_LEAD = {"is_logged_in": True, "email": "lead@example.com", "groups": ["staff", "brand-hearth"]}
CEO = {"is_logged_in": True, "email": "ceo@example.com"}
ANALYST = {"is_logged_in": True, "email": "analyst@example.com"}
ADMIN = {"is_logged_in": True, "email": "ops@example.com"}

WEEK = "2026-W10"
NET_REVENUE_W10 = {"alpine": 594.15, "hearth": 352.99, "stride": 294.01, "tiny": 52.84, "company": 1293.99}
OTHER_NAMES = ("Alpine", "Stride", "Tiny")
PAGES = {
    "pages/this_week.py": {"week": WEEK},
    "pages/brands.py": {"week": WEEK, "metric": "Net revenue", "span": "1 week"},
    "pages/loyalty.py": {"week": WEEK},
    "pages/customer_purpose.py": {"week": WEEK},
    "pages/drivers.py": {},
    "pages/impact.py": {"week": WEEK},
    "pages/data.py": {},
}


def shown(amount: float) -> str:
    """An amount as the cards show it (formatting.money, by hand): cents below a thousand."""
    return f"€{amount:,.2f}" if amount < 1000 else f"€{amount:,.0f}"


@pytest.fixture(scope="module")
def access_db(tmp_path_factory, example_templates) -> str:
    """The worked example, for these tests alone (they write the audit log)."""
    return example_templates.copy("duckdb", tmp_path_factory.mktemp("access") / "access.duckdb")


@pytest.fixture
def as_user(monkeypatch, tmp_path) -> Callable[..., AppTest]:
    """as_user(url, user, page=None, **query): the app with sign-in
    configured, for that signed-in user (or {} for nobody)."""
    roles = tmp_path / "access.toml"
    roles.write_text(ROLES)
    monkeypatch.setenv(ENV_ACCESS, str(roles))

    def open_as(url: str, user: dict, page: str | None = None, **query: str) -> AppTest:
        monkeypatch.setenv(dburl.ENV_URL, url)
        at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT)
        at.secrets["auth"] = dict(AUTH)
        at.user = dict(user)
        # The link's query from the first run on, as when a browser opens it.
        at.query_params.update(query)
        at.run()
        if page is None:
            return at
        at.switch_page(page)
        at.query_params.update(query)
        return at.run()

    return open_as


def everything(at: AppTest) -> str:
    """All a browser receives of the page: text, cards, tables, widget
    options and every chart's data."""
    parts = [page_text(at)]
    parts += [df.value.to_csv() for df in at.dataframe]
    parts += [t.value.to_csv() for t in at.table]
    parts += [json.dumps(c) for c in chart_specs(at)] + chart_svgs(at)
    parts += [str(o.content) for g in at.get("button_group") for o in g.proto.options]
    parts += [str(o) for s in at.selectbox for o in s.options]
    parts += [e.proto.body for e in at.get("html")]
    return "\n".join(parts)


def audit_rows(url: str) -> list[tuple]:
    engine = db.make_engine(url)
    try:
        return audit.recent(engine).select("who", "action", "scope", "outcome").rows()
    finally:
        engine.dispose()


def test_a_brand_user_sees_their_brand_on_every_page_and_nothing_of_another(as_user, access_db):
    for page, query in PAGES.items():
        at = as_user(access_db, HEARTH_LEAD, page, **query)
        assert not at.exception, (page, at.exception)
        got = everything(at)
        for name in OTHER_NAMES:
            assert name not in got, (page, name)
        for scope in ("alpine", "stride", "tiny", "company"):
            value = NET_REVENUE_W10[scope]
            assert shown(value) not in got and f"{value}" not in got, (page, scope)
        # Not the company either: the role does not grant it.
        assert "Company" not in [str(o.content) for g in at.get("button_group") for o in g.proto.options]
    # The control: the same amounts do reach someone allowed to see them.
    ceo = as_user(access_db, CEO, "pages/this_week.py", week=WEEK, brand="Alpine")
    assert shown(NET_REVENUE_W10["alpine"]) in everything(ceo)
    lead = as_user(access_db, HEARTH_LEAD, "pages/this_week.py", week=WEEK)
    assert shown(NET_REVENUE_W10["hearth"]) in everything(lead)


def test_a_link_naming_another_brand_shows_your_own_and_is_audited(as_user, access_db):
    at = as_user(access_db, HEARTH_LEAD, None, week=WEEK, brand="alpine")
    assert not at.exception
    notices = " ".join(w.value for w in at.warning)
    assert "There is no brand “alpine” among those you can see; showing Hearth instead." in notices
    got = everything(at)
    assert not [n for n in OTHER_NAMES if n in got]
    assert ("lead@example.com", "view", "alpine", "denied") in audit_rows(access_db)


def test_people_numbers_only_for_roles_that_include_them(as_user, access_db):
    lead = as_user(access_db, HEARTH_LEAD, "pages/this_week.py", week=WEEK)
    text = everything(lead)
    assert "eNPS" not in text and "Engagement index" not in text
    ceo = as_user(access_db, CEO, "pages/people.py", week=WEEK)
    assert [t.value for t in ceo.title] == ["People"] and "eNPS" in everything(ceo)
    # The same session, now for the Hearth lead, asks for the People page
    # again: it is not among their pages, so the first page opens instead.
    ceo.user = dict(HEARTH_LEAD)
    moved = ceo.run()
    assert [t.proto.anchor for t in moved.title] == ["this-week"]  # the home page
    assert "eNPS" not in everything(moved)


def test_a_viewer_granted_the_company_compares_only_their_brands(as_user, access_db):
    at = as_user(access_db, ANALYST, "pages/brands.py", **PAGES["pages/brands.py"])
    assert not at.exception
    got = everything(at)
    assert "Hearth" in got and "Stride" in got and "Company" in got
    assert "Alpine" not in got and "Tiny" not in got


def test_without_a_session_only_the_sign_in_screen_runs(as_user, access_db):
    for page in (None, "pages/brands.py", "pages/data.py"):
        at = as_user(access_db, {}, page, week=WEEK, brand="Alpine")
        assert not at.exception
        assert [b.label for b in at.button] == ["Sign in"]
        assert [t.value for t in at.title] == ["Purpose Metrics"]
        got = everything(at)
        assert "€" not in got and not at.dataframe and not chart_specs(at)


def test_a_person_the_roles_file_does_not_name_is_told_whom_to_ask(as_user, access_db):
    stranger = {"is_logged_in": True, "email": "stranger@example.com", "groups": ["staff"]}
    at = as_user(access_db, stranger, "pages/this_week.py", week=WEEK)
    assert [e.value.replace("\u2060", "") for e in at.error] == [
        "No access. You are signed in as stranger@example.com, but the roles file does not name you or "
        "your groups. Ask data-team@example.com for access."
    ]
    assert "€" not in everything(at)
    assert ("stranger@example.com", "sign-in", None, "denied") in audit_rows(access_db)


def test_only_an_admin_gets_the_tables_the_import_and_the_audit_log(as_user, access_db):
    ceo = as_user(access_db, CEO, "pages/data.py")
    headers = [h.value for h in ceo.header]
    assert "Import a file" not in headers and "Audit log" not in headers and "Tables" not in headers
    assert not ceo.get("file_uploader")
    assert "duckdb" not in everything(ceo)  # the database URL is for admins
    admin = as_user(access_db, ADMIN, "pages/data.py")
    assert {"Tables", "Audit log", "Import a file"} <= {h.value for h in admin.header}
    log = admin.dataframe[1].value  # tables, then the audit log
    assert {"ceo@example.com", "ops@example.com"} <= set(log["who"])


def test_the_server_refuses_an_import_by_anyone_but_an_admin_and_audits_it(access_db, monkeypatch, tmp_path):
    monkeypatch.setenv(dburl.ENV_URL, access_db)
    engine = db.make_engine(access_db)

    def initiatives() -> int:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM initiatives")).scalar_one()

    before = initiatives()
    row = "initiative_id,brand_id,name,launched_at,metric_id,expected_change\n990001,hearth,Sneaky,2026-03-01,,\n"
    ceo = Access("ceo@example.com", "executive")
    with access.for_this_run(ceo), pytest.raises(AccessDenied):
        importer.run_import("initiatives", "sneaky.csv", row.encode())
    assert initiatives() == before
    assert ("ceo@example.com", "import", None, "denied") in audit_rows(access_db)
    engine.dispose()


@pytest.mark.browser
def test_the_board_pack_of_a_brand_user_holds_no_other_brand(as_user, access_db):
    at = as_user(access_db, HEARTH_LEAD, "pages/this_week.py", week=WEEK)
    at.button(key="pack_build").click().run()
    assert not at.exception
    assert [b for b in at.get("download_button") if b.proto.label.startswith("Download board pack")]
    from purpose_metrics.ui import boardpack, state

    # The pack the button hands over: cached under the person's access (their brands, no People).
    body = boardpack._pack(*state.key(), WEEK, "hearth", ".pptx", ("hearth",), False)
    deck = Presentation(io.BytesIO(body))
    text = "\n".join(
        shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame
    ) + "\n".join(
        cell.text for slide in deck.slides for shape in slide.shapes if shape.has_table
        for row in shape.table.rows for cell in row.cells
    )  # fmt: skip
    assert "Hearth" in text
    for name in OTHER_NAMES:
        assert name not in text
    assert "eNPS" not in text  # no People for this role


def test_an_import_stands_when_its_audit_row_cannot_be_written(as_user, tmp_path, example_dir):
    url = f"duckdb:///{tmp_path / 'import.duckdb'}"
    engine = db.make_engine(url, create=True)
    db.create_schema(engine)
    for table in ("company", "brands"):
        import_file(engine, table, example_dir / "data" / f"{table}.csv")
    with engine.begin() as conn:
        # A view in the table's place: every audit write now fails (and cannot be repaired).
        conn.exec_driver_sql("DROP TABLE audit_log")
        conn.exec_driver_sql("CREATE VIEW audit_log AS SELECT 1 AS one")
    engine.dispose()
    at = as_user(url, ADMIN, "pages/data.py")
    at.selectbox(key="import_table").set_value("initiatives").run()
    good = "initiative_id,brand_id,name,launched_at,metric_id,expected_change\n1,alpine,Repair,2025-10-01,,\n"
    at.file_uploader(key="import_file").upload("initiatives.csv", good.encode(), "text/csv").run()
    at.button(key="import_go").click().run()
    assert not at.exception
    assert at.success[0].value == "Imported 1 row from initiatives.csv into initiatives."
    engine = db.make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT name FROM initiatives")).scalars().all() == ["Repair"]
    engine.dispose()
    assert "Nothing recorded yet." in [i.value for i in at.info]  # the view holds no audit row


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="no pdftotext (Debian: poppler-utils)")
@pytest.mark.browser
def test_the_pdf_pack_of_a_brand_user_holds_no_other_brand(as_user, access_db, tmp_path):
    at = as_user(access_db, HEARTH_LEAD, "pages/this_week.py", week=WEEK)
    at.radio(key="pack_format").set_value("PDF").run()
    at.button(key="pack_build").click().run()
    assert not at.exception
    from purpose_metrics.ui import boardpack, state

    body = boardpack._pack(*state.key(), WEEK, "hearth", ".pdf", ("hearth",), False)
    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(body)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Hearth" in text
    assert not [name for name in OTHER_NAMES if name in text]
    assert "eNPS" not in text
