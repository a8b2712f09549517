"""Weekly board-pack subscriptions: what they are, who may manage which,
when each is due, and where they are kept.

A subscription sends one scope's board pack (the company or a brand, PPTX
or PDF) to its recipients once a week, at a weekday and time of the
company's time zone (`company.timezone`, else UTC). `delivery.py` sends
them (`purpose-metrics deliver`); the Subscriptions page manages them.

Who may do what (the roles of access.py):
- an admin (and the person at the keyboard in local mode) sees and manages
  every subscription, for any scope;
- an executive or a brand role creates, changes and deletes their own, only
  for scopes their access sees;
- a viewer (and an anonymous reader) has none.

Rows live in the `subscriptions` and `deliveries` tables
(sql/subscriptions.sql), made by `init` or, in a database made before them,
at the first write (as the audit log's). Reading a database without them
finds no subscription. This module never imports Streamlit.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from . import connections, sqltext
from .access import Access
from .calendars import is_utc, to_local, zone_info
from .errors import UsageError
from .periods import week_label, week_start

FORMATS = ("pptx", "pdf")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_RECIPIENTS = 20
# A plain address: no display name, no spaces, commas or angle brackets (so
# nothing can be smuggled into a mail header).
_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
SUBSCRIBING_ROLES = ("executive", "brand")

_meta = sa.MetaData()
SUBSCRIPTIONS = sa.Table(
    "subscriptions",
    _meta,
    sa.Column("subscription_id", sa.Text, primary_key=True),
    sa.Column("owner", sa.Text),
    sa.Column("owner_groups", sa.Text),
    sa.Column("scope", sa.Text),
    sa.Column("file_format", sa.Text),
    sa.Column("weekday", sa.Integer),
    sa.Column("send_time", sa.Text),
    sa.Column("recipients", sa.Text),
    sa.Column("created_at", sa.DateTime),
    sa.Column("updated_at", sa.DateTime),
)
DELIVERIES = sa.Table(
    "deliveries",
    _meta,
    sa.Column("subscription_id", sa.Text, primary_key=True),
    sa.Column("delivery_week", sa.Text, primary_key=True),
    sa.Column("pack_week", sa.Text),
    sa.Column("status", sa.Text),
    sa.Column("attempts", sa.Integer),
    sa.Column("updated_at", sa.DateTime),
    sa.Column("detail", sa.Text),
)


def utc_now() -> dt.datetime:
    """Now in UTC, naive (as every stored timestamp)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Subscription:
    """One weekly pack: `scope`'s board pack as `file_format`, every
    `weekday` (0 Monday) at `send_time` (HH:MM, company time), to `recipients`."""

    subscription_id: str
    owner: str
    scope: str
    file_format: str
    weekday: int
    send_time: str
    recipients: tuple[str, ...]
    created_at: dt.datetime
    updated_at: dt.datetime
    owner_groups: tuple[str, ...] = ()

    def schedule_text(self, zone: str | None) -> str:
        """'Mondays at 08:00 (Europe/Berlin)'."""
        return f"{WEEKDAYS[self.weekday]}s at {self.send_time} ({zone or 'UTC'})"


# --- checking what a person typed -------------------------------------------------------


def parse_recipients(text: str) -> tuple[str, ...]:
    """Addresses separated by commas, semicolons or new lines, lower-cased,
    each once; UsageError names the first that is not a plain address."""
    found: list[str] = []
    for part in re.split(r"[,;\s]+", text or ""):
        if not part:
            continue
        if not _EMAIL.match(part) or len(part) > 254:
            raise UsageError(f"recipient {part[:60]!r} is not an email address (name@example.com)")
        if part.lower() not in found:
            found.append(part.lower())
    if not found:
        raise UsageError("a subscription needs at least one recipient")
    if len(found) > MAX_RECIPIENTS:
        raise UsageError(f"{len(found)} recipients: a subscription sends to at most {MAX_RECIPIENTS}")
    return tuple(found)


def check(scope: str, file_format: str, weekday: int, send_time: str, known_scopes: Sequence[str]) -> None:
    """UsageError naming the field that is wrong."""
    if scope not in known_scopes:
        raise UsageError(f"unknown scope {scope[:40]!r} (known: {', '.join(known_scopes)})")
    if file_format not in FORMATS:
        raise UsageError(f"format must be {' or '.join(FORMATS)}, not {file_format[:20]!r}")
    if not isinstance(weekday, int) or not 0 <= weekday <= 6:
        raise UsageError(f"weekday must be 0 (Monday) to 6 (Sunday), not {weekday!r}")
    if not isinstance(send_time, str) or not _TIME.match(send_time):
        raise UsageError(f"time must be HH:MM (00:00 to 23:59), not {str(send_time)[:20]!r}")


# --- who may do what --------------------------------------------------------------------


def may_subscribe(me: Access) -> bool:
    """Admins (and local mode), executives and brand roles; not viewers or anonymous readers."""
    return me.admin or me.role in SUBSCRIBING_ROLES


def may_manage(me: Access, sub: Subscription) -> bool:
    """Admins manage every subscription; the others their own."""
    return me.admin or (may_subscribe(me) and sub.owner == me.who)


def scopes_for(me: Access, scopes: Iterable[str]) -> list[str]:
    """The scopes `me` may subscribe to (an admin: every one)."""
    return list(scopes) if me.admin else (me.visible(scopes) if may_subscribe(me) else [])


def visible_to(me: Access, subs: Iterable[Subscription]) -> list[Subscription]:
    return [s for s in subs if may_manage(me, s)]


# --- when a pack is due -----------------------------------------------------------------


def scheduled_at(sub: Subscription, now: dt.datetime, zone: str | None) -> tuple[str, dt.datetime]:
    """(the ISO week of sending, the scheduled UTC instant) for the local
    week holding `now` (UTC, naive): that week's weekday and time in `zone`."""
    local_now = to_local(now, zone)
    monday = week_start(local_now.date())
    day = monday + dt.timedelta(days=sub.weekday)
    hours, minutes = (int(p) for p in sub.send_time.split(":"))
    local_at = dt.datetime.combine(day, dt.time(hours, minutes))
    if is_utc(zone):
        return week_label(monday), local_at
    # A time a clock change skips (02:30 on the spring-forward night) falls
    # an hour later; one it repeats, at its first occurrence (fold=0).
    at_utc = local_at.replace(tzinfo=zone_info(zone)).astimezone(dt.UTC).replace(tzinfo=None)  # type: ignore[arg-type]
    return week_label(monday), at_utc


def is_due_now(sub: Subscription, now: dt.datetime, zone: str | None) -> tuple[bool, str]:
    """(due by its schedule, the week of sending): this week's day and time
    have passed, and it was made before them (a new subscription waits for
    its next time instead of sending at once)."""
    week, at = scheduled_at(sub, now, zone)
    return (at <= now and sub.created_at <= at), week


def next_send(sub: Subscription, now: dt.datetime, zone: str | None, sent_this_week: bool) -> dt.datetime:
    """The next scheduled UTC instant (this week's, unless passed or sent)."""
    week, at = scheduled_at(sub, now, zone)
    if at > now and not sent_this_week and sub.created_at <= at:
        return at
    _, later = scheduled_at(sub, now + dt.timedelta(days=7), zone)
    return later


# --- storage ----------------------------------------------------------------------------


def ensure_tables(engine: Engine) -> None:
    """The two tables (CREATE ... IF NOT EXISTS: running it again changes nothing)."""
    with engine.begin() as conn:
        for statement in sqltext.statements(sqltext.render("subscriptions.sql")):
            conn.exec_driver_sql(statement)


def _write(engine: Engine, statement: sa.Executable, params: list[dict] | dict | None = None) -> int:
    """Run one write in a transaction of its own; a database made before the
    tables gets them first. The rows it touched."""
    try:
        with engine.begin() as conn:
            return conn.execute(statement, params).rowcount
    except sa.exc.IntegrityError:
        raise
    except sa.exc.SQLAlchemyError:
        ensure_tables(engine)
        with engine.begin() as conn:
            return conn.execute(statement, params).rowcount


def _row(r: sa.Row) -> Subscription:
    return Subscription(
        subscription_id=r.subscription_id, owner=r.owner, scope=r.scope, file_format=r.file_format,
        weekday=int(r.weekday), send_time=r.send_time, recipients=tuple((r.recipients or "").split()),
        created_at=r.created_at, updated_at=r.updated_at, owner_groups=tuple((r.owner_groups or "").splitlines()),
    )  # fmt: skip


def load(engine: Engine) -> list[Subscription]:
    """Every subscription, oldest first ([] in a database without the table)."""
    t = SUBSCRIPTIONS
    query = sa.select(*t.c).order_by(t.c.created_at, t.c.subscription_id)
    try:
        with connections.connect(engine) as conn:
            return [_row(r) for r in conn.execute(query)]
    except sa.exc.SQLAlchemyError:
        if _has_table(engine):
            raise
        return []


def _has_table(engine: Engine) -> bool:
    try:
        with engine.connect() as conn:
            conn.execute(sa.select(sa.func.count()).select_from(SUBSCRIPTIONS))
    except sa.exc.SQLAlchemyError:
        return False
    return True


def get(engine: Engine, subscription_id: str) -> Subscription | None:
    return next((s for s in load(engine) if s.subscription_id == subscription_id), None)


def create(
    engine: Engine, me: Access, scope: str, file_format: str, weekday: int, send_time: str,
    recipients: str | Sequence[str], known_scopes: Sequence[str], *, groups: Sequence[str] = (),
    now: dt.datetime | None = None,
) -> Subscription:  # fmt: skip
    """A new subscription owned by `me`. UsageError for a wrong field,
    AccessDenied for a scope or role that does not allow it."""
    from .access import AccessDenied

    if not may_subscribe(me):
        raise AccessDenied(f"the {me.role} role has no subscriptions")
    allowed = scopes_for(me, known_scopes)
    if scope in known_scopes and scope not in allowed:
        raise AccessDenied(f"no access to {scope!r}")
    check(scope, file_format, weekday, send_time, known_scopes)
    emails = parse_recipients(recipients if isinstance(recipients, str) else "\n".join(recipients))
    at = now or utc_now()
    sub = Subscription(
        "s" + secrets.token_hex(6), me.who, scope, file_format, weekday, send_time, emails, at, at,
        tuple(str(g) for g in groups),
    )  # fmt: skip
    _write(engine, sa.insert(SUBSCRIPTIONS), [_values(sub)])
    return sub


def _values(sub: Subscription) -> dict:
    return {
        "subscription_id": sub.subscription_id, "owner": sub.owner, "owner_groups": "\n".join(sub.owner_groups),
        "scope": sub.scope, "file_format": sub.file_format, "weekday": sub.weekday, "send_time": sub.send_time,
        "recipients": "\n".join(sub.recipients), "created_at": sub.created_at, "updated_at": sub.updated_at,
    }  # fmt: skip


def update(
    engine: Engine, me: Access, sub: Subscription, *, scope: str, file_format: str, weekday: int,
    send_time: str, recipients: str | Sequence[str], known_scopes: Sequence[str], now: dt.datetime | None = None,
) -> Subscription:  # fmt: skip
    """`sub` changed (its owner and creation time kept); the same checks as `create`."""
    from .access import AccessDenied

    if not may_manage(me, sub):
        raise AccessDenied(f"subscription {sub.subscription_id} is not yours to change")
    if scope in known_scopes and scope not in scopes_for(me, known_scopes):
        raise AccessDenied(f"no access to {scope!r}")
    check(scope, file_format, weekday, send_time, known_scopes)
    emails = parse_recipients(recipients if isinstance(recipients, str) else "\n".join(recipients))
    changed = Subscription(
        sub.subscription_id, sub.owner, scope, file_format, weekday, send_time, emails, sub.created_at,
        now or utc_now(), sub.owner_groups,
    )  # fmt: skip
    values = _values(changed)
    t = SUBSCRIPTIONS
    statement = sa.update(t).where(t.c.subscription_id == sub.subscription_id).values(
        **{k: v for k, v in values.items() if k not in ("subscription_id", "owner", "owner_groups", "created_at")}
    )  # fmt: skip
    if _write(engine, statement) != 1:
        raise UsageError(f"subscription {sub.subscription_id} no longer exists")
    return changed


def delete(engine: Engine, me: Access, sub: Subscription) -> None:
    """Remove `sub` and its deliveries, in one transaction."""
    from .access import AccessDenied

    if not may_manage(me, sub):
        raise AccessDenied(f"subscription {sub.subscription_id} is not yours to delete")
    with engine.begin() as conn:
        conn.execute(sa.delete(DELIVERIES).where(DELIVERIES.c.subscription_id == sub.subscription_id))
        conn.execute(sa.delete(SUBSCRIPTIONS).where(SUBSCRIPTIONS.c.subscription_id == sub.subscription_id))


@dataclass(frozen=True)
class Delivery:
    """One row of `deliveries`."""

    subscription_id: str
    delivery_week: str
    pack_week: str | None
    status: str  # sending | sent | failed
    attempts: int
    updated_at: dt.datetime
    detail: str | None


def deliveries(engine: Engine, subscription_ids: Iterable[str] | None = None) -> list[Delivery]:
    """The deliveries (of `subscription_ids`, else all), newest week first."""
    t = DELIVERIES
    query = sa.select(*t.c).order_by(t.c.delivery_week.desc(), t.c.subscription_id)
    if subscription_ids is not None:
        query = query.where(t.c.subscription_id.in_(list(subscription_ids)))
    try:
        with connections.connect(engine) as conn:
            rows = list(conn.execute(query))
    except sa.exc.SQLAlchemyError:
        if _has_table(engine):
            raise
        return []
    return [
        Delivery(
            r.subscription_id, r.delivery_week, r.pack_week, r.status, int(r.attempts), r.updated_at, r.detail
        )
        for r in rows
    ]


def latest_delivery(engine: Engine, ids: Iterable[str]) -> dict[str, Delivery]:
    """Each subscription's delivery of its latest week of sending."""
    out: dict[str, Delivery] = {}
    for d in deliveries(engine, ids):
        out.setdefault(d.subscription_id, d)
    return out
