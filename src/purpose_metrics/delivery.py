"""Sending the packs that are due: `purpose-metrics deliver`, run from cron
or a systemd timer (README, "Weekly delivery").

A subscription is due when this week's weekday and time (company time,
subscriptions.py) have passed and this week's pack was not sent. Each due
pack is the latest complete week's board pack of the subscription's scope,
built with what its owner may see TODAY (the roles file read again; an
owner it no longer names, or who lost the scope, gets a failure and no
mail), and mailed by SMTP to its recipients.

Nothing is sent twice for one week. Before a mail goes, its delivery row
(subscription × week of sending, the table's primary key) is claimed and
committed as `sending`; it becomes `sent` or `failed` after. A run that
stops between the two (a crash, a killed process) leaves `sending`, which
no later run sends again: this errs towards a missed pack over a repeated
one, because a missed pack shows on the Subscriptions page and is one
download away on the home page, while a board that received the pack twice
cannot be unsent. A `failed` delivery is tried again by the next runs, up
to MAX_ATTEMPTS tries in all; two runs at once cannot both claim one (the
insert of the key, or the update of a failed row, succeeds for one only).

An admin decides otherwise for one week (`release`: the Subscriptions
page's "Send this week's pack again", or `deliver --retry ID`): a claim
left `sending` for STUCK_AFTER or more, or a week given up, becomes
`released`, which the next run claims like a failure, with MAX_ATTEMPTS
fresh tries.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
import os
import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from . import audit, db, formatting
from . import subscriptions as subs
from .access import COMPANY, Access, AccessDenied, Roles, load_roles, roles_path
from .calendars import is_zone
from .errors import UsageError
from .subscriptions import DELIVERIES, Delivery, Subscription

ENV_SMTP_URL = "PURPOSE_METRICS_SMTP_URL"
ENV_SMTP_FROM = "PURPOSE_METRICS_SMTP_FROM"
MAX_ATTEMPTS = 3  # the first try and two retries, one per run of `deliver`
# A claim this old belongs to a run that died: one pack is built and mailed
# within minutes (the PDF at 1M orders in well under one; SMTP gives up on a
# silent server after SMTP_TIMEOUT_SECONDS), so a younger one may still be
# on its way, and releasing it could send the pack twice.
STUCK_AFTER = dt.timedelta(minutes=30)
SMTP_TIMEOUT_SECONDS = 60
DEFAULT_PORTS = {"smtp": 587, "smtps": 465}
MISMATCH_CODES = (62, 64)  # OpenSSL's X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH
MIME = {
    "pptx": ("application", "vnd.openxmlformats-officedocument.presentationml.presentation"),
    "pdf": ("application", "pdf"),
}


class SendError(Exception):
    """A mail that did not go (the message says why, without the password)."""


# --- the SMTP server ---------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpSettings:
    """Where mail goes: `smtp://user:pass@host:port` (STARTTLS when the
    server offers it; 587 by default) or `smtps://` (TLS from the first
    byte; 465 by default), and the From address."""

    scheme: str
    host: str
    port: int
    sender: str
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)

    @property
    def shown(self) -> str:
        """The server without its password: 'smtps://mailer@mail.example.com:465'."""
        user = f"{self.username}@" if self.username else ""
        return f"{self.scheme}://{user}{self.host}:{self.port}"


def smtp_settings(environ: Mapping[str, str] | None = None) -> SmtpSettings:
    """The SMTP server of $PURPOSE_METRICS_SMTP_URL and the sender of
    $PURPOSE_METRICS_SMTP_FROM; UsageError (one sentence) when either is
    missing or wrong."""
    env = os.environ if environ is None else environ
    url = env.get(ENV_SMTP_URL, "").strip()
    if not url:
        raise UsageError(f"no mail server: set {ENV_SMTP_URL} to smtp://user:password@host:port or smtps://…")
    hint = f"{ENV_SMTP_URL} must look like smtp://user:password@host:port or smtps://host"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UsageError(f"{hint} (the port is not a number from 1 to 65535)") from None
    if parts.scheme not in DEFAULT_PORTS:
        raise UsageError(f"{hint}, not {parts.scheme or 'no'} scheme")
    if not parts.hostname:
        raise UsageError(f"{hint} (it names no host)")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise UsageError(f"{hint} (nothing after the host and port)")
    sender = env.get(ENV_SMTP_FROM, "").strip()
    if not sender:
        raise UsageError(f"no sender: set {ENV_SMTP_FROM} to the From address (reports@example.com)")
    try:
        subs.parse_recipients(sender)
    except UsageError:
        raise UsageError(f"{ENV_SMTP_FROM} is not an email address (reports@example.com)") from None
    return SmtpSettings(
        parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme], sender,
        unquote(parts.username) if parts.username else None,
        unquote(parts.password) if parts.password is not None else None,
    )  # fmt: skip


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine (localhost, 127.0.0.0/8, ::1): the one
    place mail may go without TLS (a relay such as Postfix on the same host)."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def send(settings: SmtpSettings, message: EmailMessage) -> list[str]:
    """Hand `message` to the server; the recipients it refused while taking
    the others ([] normally). SendError when it took nobody.

    Nothing leaves this machine without TLS: `smtps://` speaks it from the
    first byte; `smtp://` must get STARTTLS from a server elsewhere (a
    stripped offer must not send the pack, or the password, in clear), and
    only a server on this machine may go without. The server's certificate
    is checked against the system's CAs, or the file SSL_CERT_FILE names (a
    private CA), and must name the host of the URL."""
    where = f"{settings.host}:{settings.port}"
    context = ssl.create_default_context()  # OpenSSL's defaults: SSL_CERT_FILE / SSL_CERT_DIR when set
    server: smtplib.SMTP | None = None
    try:
        if settings.scheme == "smtps":
            server = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=SMTP_TIMEOUT_SECONDS, context=context
            )
        else:
            server = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT_SECONDS)
        server.ehlo()
        if settings.scheme == "smtp":
            if server.has_extn("starttls"):
                server.starttls(context=context)
                server.ehlo()
            elif not is_loopback(settings.host):
                raise SendError(
                    f"{where} offers no STARTTLS, so neither the pack nor a password is sent in clear: "
                    "use smtps://, or a relay on this machine"
                )
        if settings.username:
            server.login(settings.username, settings.password or "")
        refused = server.send_message(message)
        _hang_up(server)
    except SendError:
        raise
    except ssl.SSLCertVerificationError as exc:
        if exc.verify_code in MISMATCH_CODES:
            raise SendError(
                f"{where}'s certificate is not for {settings.host} ({exc.verify_message.rstrip('.')}), so "
                f"nothing was sent: name the host the certificate names in {ENV_SMTP_URL}"
            ) from None
        raise SendError(
            f"{where}'s certificate is not trusted ({exc.verify_message}), so nothing was sent: a private "
            "CA's certificate goes in the file SSL_CERT_FILE names (README, Weekly delivery)"
        ) from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise SendError(f"{where} refused every recipient ({_codes(exc.recipients)})") from None
    except smtplib.SMTPAuthenticationError as exc:
        raise SendError(f"{where} refused the user name or password ({exc.smtp_code})") from None
    except smtplib.SMTPResponseException as exc:
        said = (
            exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        )
        raise SendError(f"{where} answered {exc.smtp_code} {' '.join(str(said).split())[:120]}") from None
    except (smtplib.SMTPException, ssl.SSLError) as exc:
        raise SendError(f"{where}: {type(exc).__name__}: {' '.join(str(exc).split())[:120]}") from None
    except TimeoutError:
        raise SendError(f"{where} did not answer within {SMTP_TIMEOUT_SECONDS} s") from None
    except OSError as exc:
        raise SendError(f"could not connect to {where}: {exc.strerror or exc}") from None
    finally:
        if server is not None:
            server.close()  # (after QUIT, or at once when something failed)
    return sorted(refused)


def _hang_up(server: smtplib.SMTP) -> None:
    """QUIT, whatever the answer: the server has taken the mail, and a bad
    goodbye must not record a failure (the next run would send it again)."""
    try:
        server.quit()
    except (smtplib.SMTPException, OSError):
        pass


def _codes(recipients: Mapping[str, tuple[int, bytes]]) -> str:
    return ", ".join(f"{who}: {code}" for who, (code, _) in sorted(recipients.items()))


# --- the mail ----------------------------------------------------------------------------


def message(settings: SmtpSettings, sub: Subscription, pack, body: bytes, zone: str | None) -> EmailMessage:
    """The mail of one delivery: a few lines saying what it is and why it
    came, and the pack attached."""
    msg = EmailMessage()
    scope = "" if sub.scope == COMPANY else f", {pack.scope_name}"
    msg["Subject"] = f"{pack.company}: board pack {pack.week}{scope}"
    msg["From"] = settings.sender
    msg["To"] = ", ".join(sub.recipients)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=settings.sender.split("@")[-1])
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    as_of = f"{pack.as_of:%Y-%m-%d %H:%M} UTC" if pack.as_of else "no data"
    by = "the dashboard's local user" if sub.owner == "local" else sub.owner
    msg.set_content(
        f"The board pack of {pack.scope_name} for week {pack.week} ({pack.period_text}) is attached "
        f"({sub.file_format.upper()}). Data as of {as_of}.\n\n"
        f"You receive it because {by} subscribed you on Purpose Metrics: "
        f"{sub.schedule_text(zone)}.\nTo stop it, ask them or an admin to change the subscription "
        "on the dashboard's Subscriptions page.\n"
    )
    maintype, subtype = MIME[sub.file_format]
    name = f"board-pack-{pack.week}-{sub.scope}.{sub.file_format}"
    msg.add_attachment(body, maintype=maintype, subtype=subtype, filename=name)
    return msg


# --- who the owner is today --------------------------------------------------------------


def configured_roles() -> Roles | None:
    """The roles file of $PURPOSE_METRICS_ACCESS, read now (None: local
    mode, no roles file); UsageError when set but unreadable or wrong."""
    path = roles_path()
    return None if path is None else load_roles(path)


def owner_access(sub: Subscription, roles: Roles | None) -> tuple[Access | None, str | None]:
    """(the owner's access today, None) or (None, why they may not receive
    this pack). Without a roles file (local mode) the owner has everything."""
    if roles is None:
        return Access(who=sub.owner, role="admin", admin=True), None
    found = roles.resolve(sub.owner, sub.owner_groups)
    if found is None:
        return None, f"the owner {sub.owner} is no longer named in the roles file: nothing sent"
    if not subs.may_subscribe(found):
        return None, f"the owner {sub.owner} is now a {found.role}, who has no subscriptions: nothing sent"
    if not found.sees(sub.scope):
        return None, f"the owner {sub.owner} no longer has access to {sub.scope!r}: nothing sent"
    return found, None


# --- what is due -------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """A subscription's state for the week holding `now`."""

    sub: Subscription
    week: str  # the ISO week of sending
    state: str  # due | retry | released | sent | not-yet | gave-up | sending
    attempts: int = 0
    scheduled: dt.datetime | None = None  # UTC

    @property
    def to_send(self) -> bool:
        return self.state in ("due", "retry", "released")


def company_zone(engine: Engine) -> str | None:
    """The company's time zone (company.timezone), or None (UTC; a database
    made before the column). A failed read raises: guessing UTC would send
    every pack at the wrong hour. UsageError for a name that is no zone."""
    company = db.SA_TABLES["company"]
    with engine.connect() as conn:
        if "timezone" not in db.stored_columns(conn, "company"):
            return None
        zones = [r[0] for r in conn.execute(sa.select(company.c.timezone)) if r[0]]
    if zones and not is_zone(zones[0]):
        raise UsageError(f"company.timezone {zones[0][:60]!r} is not an IANA time zone such as Europe/Berlin")
    return zones[0] if zones else None


def plan(engine: Engine, now: dt.datetime, zone: str | None) -> list[Due]:
    """Every subscription's state at `now` (UTC, naive), oldest first."""
    everything = subs.load(engine)
    rows = {(d.subscription_id, d.delivery_week): d for d in subs.deliveries(engine)}
    out = []
    for sub in everything:
        due, week = subs.is_due_now(sub, now, zone)
        _, at = subs.scheduled_at(sub, now, zone)
        done = rows.get((sub.subscription_id, week))
        if done is None:
            state = "due" if due else "not-yet"
        elif done.status == "failed":
            state = "retry" if done.attempts < MAX_ATTEMPTS else "gave-up"
        elif done.status == "released":
            state = "released"
        else:
            state = done.status  # sent, or sending (claimed by a run that has not finished: never sent again)
        out.append(Due(sub, week, state, done.attempts if done else 0, at))
    return out


# --- the run -----------------------------------------------------------------------------


@dataclass
class Outcome:
    sub: Subscription
    week: str
    status: str  # sent | failed | skipped (claimed by another run meanwhile)
    detail: str = ""


def _claim(engine: Engine, due: Due, now: dt.datetime) -> int | None:
    """Claim this week's delivery (committed before anything is sent); the
    attempt's number, or None when another run holds it."""
    t = DELIVERIES
    key = (t.c.subscription_id == due.sub.subscription_id) & (t.c.delivery_week == due.week)
    if due.state == "due":
        row = {"subscription_id": due.sub.subscription_id, "delivery_week": due.week, "pack_week": None,
               "status": "sending", "attempts": 1, "updated_at": now, "detail": None}  # fmt: skip
        try:
            with engine.begin() as conn:
                conn.execute(sa.insert(t), [row])
        except sa.exc.IntegrityError:
            return None
        return 1
    with engine.begin() as conn:
        taken = conn.execute(
            sa.update(t)
            .where(key & t.c.status.in_(("failed", "released")) & (t.c.attempts < MAX_ATTEMPTS))
            .values(status="sending", attempts=t.c.attempts + 1, updated_at=now, detail=None)
        ).rowcount
    return due.attempts + 1 if taken == 1 else None


def _finish(engine: Engine, due: Due, status: str, pack_week: str | None, detail: str | None) -> None:
    t = DELIVERIES
    key = (t.c.subscription_id == due.sub.subscription_id) & (t.c.delivery_week == due.week)
    with engine.begin() as conn:
        conn.execute(
            sa.update(t).where(key).values(
                status=status, pack_week=pack_week, updated_at=subs.utc_now(), detail=detail and detail[:300]
            )
        )  # fmt: skip


def deliver(
    engine: Engine,
    settings: SmtpSettings,
    *,
    now: dt.datetime | None = None,
    roles: Roles | None = None,
    load: Callable[[], object],
    report: Callable[[str], None] = lambda line: None,
) -> list[Outcome]:
    """Send every pack due at `now`; one Outcome per due subscription.
    `load()` gives the data set (read only when something is due);
    `roles` is the roles file read for this run (None: local mode)."""
    from .export.deck import build_pack, deck_bytes

    subs.ensure_tables(engine)
    real_clock = now is None  # then each claim records its own moment (release() reads its age)
    now = now or subs.utc_now()
    zone = company_zone(engine)
    todo = [d for d in plan(engine, now, zone) if d.to_send]
    data = None
    packs: dict[tuple, object] = {}
    files: dict[tuple, bytes] = {}
    outcomes = []
    for due in todo:
        sub = due.sub
        attempt = _claim(engine, due, subs.utc_now() if real_clock else now)
        if attempt is None:
            outcomes.append(Outcome(sub, due.week, "skipped", "claimed by another run"))
            continue
        tries = f"attempt {attempt} of {MAX_ATTEMPTS}"
        me, refusal = owner_access(sub, roles)
        pack_week = None
        if me is None:
            outcome = Outcome(sub, due.week, "failed", refusal or "")
        else:
            try:
                if data is None:
                    data = load()
                brands = None if me.brands is None else tuple(sorted(me.brands))
                content = (sub.scope, brands, me.people)
                if content not in packs:
                    focus = None if sub.scope == COMPANY else sub.scope
                    packs[content] = build_pack(data, None, focus, brands=brands, people=me.people)
                pack = packs[content]
                pack_week = pack.week
                if (content, sub.file_format) not in files:
                    files[(content, sub.file_format)] = deck_bytes(pack, f".{sub.file_format}")
                refused = send(
                    settings, message(settings, sub, pack, files[(content, sub.file_format)], zone)
                )
                detail = f"to {len(sub.recipients) - len(refused)} recipient(s)"
                if refused:
                    detail += f"; refused: {', '.join(refused)}"
                outcome = Outcome(sub, due.week, "sent", detail)
            except SendError as exc:
                outcome = Outcome(sub, due.week, "failed", str(exc))
            except UsageError as exc:  # no data, a brand gone
                outcome = Outcome(sub, due.week, "failed", f"the pack could not be built: {exc}")
            except Exception as exc:  # noqa: BLE001 - one bad pack must not stop the others
                outcome = Outcome(
                    sub, due.week, "failed", f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:300]
                )
        if outcome.status == "failed":
            outcome.detail = f"{outcome.detail} ({tries})"
        _finish(engine, due, outcome.status, pack_week, outcome.detail)
        audit.record(engine, audit.Entry(
            sub.owner, me.role if me else "none", "deliver", "ok" if outcome.status == "sent" else "failed",
            sub.scope, f"{sub.subscription_id} {due.week} {sub.file_format.upper()}: {outcome.detail}",
        ))  # fmt: skip
        report(line(outcome, pack_week))
        outcomes.append(outcome)
    return outcomes


# --- sending a week again ----------------------------------------------------------------


def this_week(engine: Engine, sub: Subscription, now: dt.datetime, zone: str | None) -> Delivery | None:
    """`sub`'s delivery of the week of sending that holds `now` (None: none yet)."""
    week, _ = subs.scheduled_at(sub, now, zone)
    return next((d for d in subs.deliveries(engine, [sub.subscription_id]) if d.delivery_week == week), None)


def why_not_release(found: Delivery | None, now: dt.datetime) -> str | None:
    """None when an admin may send this delivery's week again; else why not."""
    if found is None:
        return "this week's pack has not been tried yet: it goes at its time"
    if found.status == "sending":
        if found.updated_at > now - STUCK_AFTER:
            wait = math.ceil((found.updated_at + STUCK_AFTER - now).total_seconds() / 60)
            return (
                f"a run claimed week {found.delivery_week} at {found.updated_at:%H:%M} UTC and may still be "
                f"sending it: try again in {wait} min"
            )
        return None
    if found.status == "failed" and found.attempts >= MAX_ATTEMPTS:
        return None
    if found.status == "failed":
        return f"week {found.delivery_week} is tried again by the next run ({found.attempts} of {MAX_ATTEMPTS} tries)"
    if found.status == "released":
        return f"week {found.delivery_week} is already released: the next run sends it"
    return f"week {found.delivery_week} was sent"


def release(
    engine: Engine, me: Access, sub: Subscription, zone: str | None, *, now: dt.datetime | None = None
) -> Delivery:
    """Let the next run send `sub`'s pack of this week again: a claim left
    `sending` for STUCK_AFTER or more (a run that died), or a week given up
    after MAX_ATTEMPTS failures. Admins only (AccessDenied); UsageError
    saying why when there is nothing to release. The delivery as it was."""
    if not me.admin:
        raise AccessDenied("only an admin can send a pack again")
    now = now or subs.utc_now()
    found = this_week(engine, sub, now, zone)
    reason = why_not_release(found, now)
    if reason is not None or found is None:
        raise UsageError(f"subscription {sub.subscription_id}: nothing to send again, {reason}")
    t = DELIVERIES
    was = f"{found.status}, try {found.attempts} of {MAX_ATTEMPTS}"
    # The same conditions as why_not_release, in the update itself: a run that
    # finished (or claimed again) meanwhile keeps its row.
    stuck = (t.c.status == "sending") & (t.c.updated_at <= now - STUCK_AFTER)
    gave_up = (t.c.status == "failed") & (t.c.attempts >= MAX_ATTEMPTS)
    with engine.begin() as conn:
        changed = conn.execute(
            sa.update(t)
            .where((t.c.subscription_id == sub.subscription_id) & (t.c.delivery_week == found.delivery_week))
            .where(stuck | gave_up)
            .values(
                status="released",
                attempts=0,
                updated_at=now,
                detail=f"released by {me.who} (was {was})"[:300],
            )
        ).rowcount
    if changed != 1:
        raise UsageError(
            f"subscription {sub.subscription_id}: its week {found.delivery_week} changed meanwhile"
        )
    return found


def line(outcome: Outcome, pack_week: str | None = None) -> str:
    """One line of the run's report."""
    sub = outcome.sub
    week = f"pack {pack_week}, " if pack_week else ""
    return (
        f"{outcome.status}: {sub.subscription_id} {sub.scope} {sub.file_format.upper()} "
        f"({week}week {outcome.week}) — {outcome.detail}"
    )


def describe(due: Due, zone: str | None) -> str:
    """One line of `deliver --dry-run`."""
    sub = due.sub
    when = f"{formatting.day_month_year_time(due.scheduled)} UTC" if due.scheduled else ""
    what = {
        "due": "due",
        "retry": f"due again (attempt {due.attempts + 1} of {MAX_ATTEMPTS})",
        "released": f"released by an admin: due again (attempt 1 of {MAX_ATTEMPTS})",
        "sent": "sent",
        "not-yet": "not yet",
        "gave-up": f"failed {due.attempts} times: not tried again this week",
        "sending": "claimed by a run that did not finish: not sent again unless an admin releases it",
    }[due.state]
    return (
        f"{what}: {sub.subscription_id} {sub.scope} {sub.file_format.upper()} to {', '.join(sub.recipients)} "
        f"by {sub.owner}, {sub.schedule_text(zone)}, week {due.week} ({when})"
    )
