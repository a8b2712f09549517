"""Subscriptions (subscriptions.py): when one is due, who may manage which,
and their storage on DuckDB, SQLite and PostgreSQL.

The hand-worked calendar: Monday 30 Nov 2026 starts ISO week 2026-W49.
Europe/Berlin is UTC+1 in winter (CET) and UTC+2 in summer (CEST, from
29 Mar 2026 to 25 Oct 2026)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from purpose_metrics import subscriptions as subs
from purpose_metrics.access import LOCAL, Access, AccessDenied
from purpose_metrics.errors import UsageError

SCOPES = ["company", "alpine", "hearth", "stride", "tiny"]
LONG_AGO = dt.datetime(2026, 1, 1)
ADMIN = Access(who="ops@example.com", role="admin", admin=True)
CEO = Access(who="ceo@example.com", role="executive")
HEARTH = Access(
    who="lead@example.com", role="brand", brands=frozenset({"hearth"}), company=False, people=False
)
VIEWER = Access(who="analyst@example.com", role="viewer", brands=frozenset({"hearth"}))


def sub(weekday: int, at: str, created: dt.datetime = LONG_AGO, scope: str = "company") -> subs.Subscription:
    return subs.Subscription(
        "s1", "ceo@example.com", scope, "pptx", weekday, at, ("a@example.com",), created, created
    )


# --- due, to the minute ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now_utc", "due", "week"),
    [
        # Monday 08:00 Berlin (CET) is 07:00 UTC.
        (dt.datetime(2026, 11, 30, 6, 59), False, "2026-W49"),
        (dt.datetime(2026, 11, 30, 7, 0), True, "2026-W49"),
        (dt.datetime(2026, 12, 2, 12, 0), True, "2026-W49"),  # still this week's
        # Sunday 6 Dec 23:30 UTC is Monday 7 Dec 00:30 in Berlin: a new week, its 08:00 to come.
        (dt.datetime(2026, 12, 6, 23, 30), False, "2026-W50"),
        # Sunday 29 Nov 23:30 UTC is already Monday 00:30 in Berlin: W49, not due until 07:00 UTC.
        (dt.datetime(2026, 11, 29, 23, 30), False, "2026-W49"),
    ],
)
def test_due_to_the_minute_in_the_company_time_zone(now_utc, due, week):
    assert subs.is_due_now(sub(0, "08:00"), now_utc, "Europe/Berlin") == (due, week)


def test_summer_time_moves_the_utc_instant_by_an_hour():
    # Monday 6 Jul 2026 08:00 CEST is 06:00 UTC.
    assert subs.scheduled_at(sub(0, "08:00"), dt.datetime(2026, 7, 6, 12), "Europe/Berlin") == (
        "2026-W28",
        dt.datetime(2026, 7, 6, 6, 0),
    )
    assert subs.is_due_now(sub(0, "08:00"), dt.datetime(2026, 7, 6, 5, 59), "Europe/Berlin")[0] is False
    assert subs.is_due_now(sub(0, "08:00"), dt.datetime(2026, 7, 6, 6, 0), "Europe/Berlin")[0] is True


def test_without_a_time_zone_the_schedule_is_utc():
    # Sunday 23:59 UTC: the last minute of W49.
    sunday = sub(6, "23:59")
    assert subs.is_due_now(sunday, dt.datetime(2026, 12, 6, 23, 58), None) == (False, "2026-W49")
    assert subs.is_due_now(sunday, dt.datetime(2026, 12, 6, 23, 59), None) == (True, "2026-W49")
    assert subs.is_due_now(sunday, dt.datetime(2026, 12, 7, 0, 0), None) == (False, "2026-W50")


def test_a_new_subscription_waits_for_its_next_time_instead_of_sending_at_once():
    # Made on Tuesday 1 Dec for Mondays 08:00 UTC: this week's time has passed before it existed.
    made_tuesday = sub(0, "08:00", created=dt.datetime(2026, 12, 1, 9, 0))
    assert subs.is_due_now(made_tuesday, dt.datetime(2026, 12, 1, 9, 5), None) == (False, "2026-W49")
    assert subs.next_send(made_tuesday, dt.datetime(2026, 12, 1, 9, 5), None, False) == dt.datetime(
        2026, 12, 7, 8
    )
    assert subs.is_due_now(made_tuesday, dt.datetime(2026, 12, 7, 8, 0), None) == (True, "2026-W50")


# --- what a person may type --------------------------------------------------------------


def test_recipients_are_split_lower_cased_and_kept_once():
    assert subs.parse_recipients("Ana@Example.com, bo@example.org;\nana@example.com") == (
        "ana@example.com",
        "bo@example.org",
    )


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "at least one recipient"),
        ("ana@example.com, not-an-address", "'not-an-address' is not an email address"),
        ("Ana <ana@example.com>", "is not an email address"),
        ("x@example.com\r\nBcc: y@example.com", "'Bcc:' is not an email address"),
        (
            ", ".join(f"p{i}@example.com" for i in range(21)),
            "21 recipients: a subscription sends to at most 20",
        ),
    ],
)
def test_bad_recipients_are_refused_by_name(text, says):
    with pytest.raises(UsageError, match=says):
        subs.parse_recipients(text)


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("scope", "gala", "unknown scope 'gala'"),
        ("file_format", "docx", "format must be pptx or pdf"),
        ("weekday", 7, "weekday must be 0 .Monday. to 6"),
        ("send_time", "24:00", "time must be HH:MM"),
        ("send_time", "8:00", "time must be HH:MM"),
    ],
)
def test_a_wrong_field_is_named(field, value, says):
    args = {"scope": "company", "file_format": "pptx", "weekday": 0, "send_time": "08:00"} | {field: value}
    with pytest.raises(UsageError, match=says):
        subs.check(**args, known_scopes=SCOPES)


# --- who may do what ---------------------------------------------------------------------


def test_who_may_subscribe_and_to_what():
    assert subs.scopes_for(ADMIN, SCOPES) == SCOPES
    assert subs.scopes_for(LOCAL, SCOPES) == SCOPES
    assert subs.scopes_for(CEO, SCOPES) == SCOPES
    assert subs.scopes_for(HEARTH, SCOPES) == ["hearth"]  # no company: its grant has company = false
    assert subs.scopes_for(VIEWER, SCOPES) == []


def test_a_brand_role_cannot_subscribe_to_another_brand_and_a_viewer_not_at_all(engine):
    with pytest.raises(AccessDenied, match="no access to 'alpine'"):
        subs.create(engine, HEARTH, "alpine", "pptx", 0, "08:00", "a@example.com", SCOPES)
    with pytest.raises(AccessDenied, match="the viewer role has no subscriptions"):
        subs.create(engine, VIEWER, "hearth", "pptx", 0, "08:00", "a@example.com", SCOPES)
    assert subs.load(engine) == []


def test_owners_manage_their_own_and_admins_every_one(engine):
    mine = subs.create(engine, HEARTH, "hearth", "pdf", 4, "17:30", "a@example.com", SCOPES)
    ceos = subs.create(engine, CEO, "company", "pptx", 0, "08:00", "b@example.com", SCOPES)
    assert [s.subscription_id for s in subs.visible_to(HEARTH, subs.load(engine))] == [mine.subscription_id]
    assert len(subs.visible_to(ADMIN, subs.load(engine))) == 2
    assert subs.visible_to(VIEWER, subs.load(engine)) == []
    with pytest.raises(AccessDenied, match="not yours to delete"):
        subs.delete(engine, HEARTH, ceos)
    with pytest.raises(AccessDenied, match="not yours to change"):
        subs.update(engine, CEO, mine, scope="company", file_format="pdf", weekday=4, send_time="17:30",
                    recipients="a@example.com", known_scopes=SCOPES)  # fmt: skip
    subs.delete(engine, ADMIN, ceos)
    assert [s.subscription_id for s in subs.load(engine)] == [mine.subscription_id]


# --- storage -----------------------------------------------------------------------------


def test_a_subscription_is_stored_changed_and_deleted_with_its_deliveries(engine):
    made = subs.create(engine, HEARTH, "hearth", "pdf", 4, "17:30", "Ana@example.com\nbo@example.org",
                       SCOPES, groups=["staff", "brand-hearth"], now=dt.datetime(2026, 11, 2, 9, 15))  # fmt: skip
    (back,) = subs.load(engine)
    assert back == made
    assert (back.owner, back.scope, back.file_format, back.weekday, back.send_time) == (
        "lead@example.com", "hearth", "pdf", 4, "17:30",
    )  # fmt: skip
    assert back.recipients == ("ana@example.com", "bo@example.org")
    assert back.owner_groups == ("staff", "brand-hearth")
    assert back.created_at == dt.datetime(2026, 11, 2, 9, 15)

    changed = subs.update(engine, HEARTH, back, scope="hearth", file_format="pptx", weekday=0, send_time="07:05",
                          recipients="cy@example.com", known_scopes=SCOPES, now=dt.datetime(2026, 11, 3))  # fmt: skip
    (back,) = subs.load(engine)
    assert back == changed and (back.file_format, back.weekday, back.send_time) == ("pptx", 0, "07:05")
    assert back.created_at == dt.datetime(2026, 11, 2, 9, 15)  # the owner and creation stay

    with engine.begin() as conn:
        conn.execute(sa.insert(subs.DELIVERIES), [{
            "subscription_id": made.subscription_id, "delivery_week": "2026-W45", "pack_week": "2026-W44",
            "status": "sent", "attempts": 1, "updated_at": dt.datetime(2026, 11, 2, 17, 31), "detail": None,
        }])  # fmt: skip
    assert [d.delivery_week for d in subs.deliveries(engine)] == ["2026-W45"]
    subs.delete(engine, HEARTH, back)
    assert subs.load(engine) == [] and subs.deliveries(engine) == []


def test_the_key_allows_one_delivery_per_subscription_and_week(engine):
    row = {"subscription_id": "s1", "delivery_week": "2026-W49", "pack_week": None, "status": "sending",
           "attempts": 1, "updated_at": dt.datetime(2026, 11, 30, 8), "detail": None}  # fmt: skip
    with engine.begin() as conn:
        conn.execute(sa.insert(subs.DELIVERIES), [row])
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(sa.insert(subs.DELIVERIES), [row])
    with engine.begin() as conn:
        conn.execute(sa.insert(subs.DELIVERIES), [row | {"delivery_week": "2026-W50"}])
    assert len(subs.deliveries(engine)) == 2


def test_a_database_made_before_subscriptions_gets_the_tables_at_the_first_write(engine):
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE deliveries")
        conn.exec_driver_sql("DROP TABLE subscriptions")
    assert subs.load(engine) == [] and subs.deliveries(engine) == []  # reading finds none, writes nothing
    made = subs.create(engine, CEO, "company", "pptx", 0, "08:00", "a@example.com", SCOPES)
    assert subs.load(engine) == [made]
