"""`purpose-metrics deliver` (delivery.py) against a real SMTP server on
localhost (aiosmtpd): what arrives, once per week, what a refusal leaves,
and what an owner who lost access gets.

The worked example's data run to Sunday 28 Jun 2026, 14:26 UTC (week
2026-W26 still open), so the latest complete week, the pack's, is 2026-W25.
Monday 29 Jun 2026 starts ISO week 2026-W27; Monday 6 Jul, 2026-W28. The
example's company has no time zone: schedules are UTC."""

from __future__ import annotations

import datetime as dt
import email
import io
import socket
from email import policy

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from pptx import Presentation

from purpose_metrics import audit, delivery, reading
from purpose_metrics import subscriptions as subs
from purpose_metrics.access import Access, parse_roles
from purpose_metrics.cli import main

SCOPES = ["company", "alpine", "hearth", "stride", "tiny"]
MADE = dt.datetime(2026, 6, 1, 12, 0)
MONDAY_W27 = dt.datetime(2026, 6, 29, 8, 0)
CEO = Access(who="ceo@example.com", role="executive")
ROLES = """
[[grant]]
email = "ceo@example.com"
role = "executive"

[[grant]]
group = "brand-hearth"
role = "brand"
brands = ["hearth"]
"""
HEARTH_LEAD = Access(
    who="lead@example.com", role="brand", brands=frozenset({"hearth"}), company=False, people=False
)


class Inbox:
    """The SMTP server's handler: every mail it accepted."""

    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.envelopes.append(envelope)
        return "250 OK"

    @property
    def mails(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    """(inbox, start(port) -> the server, settings for a port)."""
    inbox = Inbox()
    running = []

    def start(port: int, **kw) -> Controller:
        controller = Controller(inbox, hostname="127.0.0.1", port=port, **kw)
        controller.start()
        running.append(controller)
        return controller

    yield inbox, start
    for c in running:
        c.stop()


def settings(port: int, **kw) -> delivery.SmtpSettings:
    return delivery.SmtpSettings("smtp", "127.0.0.1", port, "reports@example.com", **kw)


def run(engine, port, now, roles=None, **kw):
    return delivery.deliver(
        engine, settings(port, **kw), now=now, roles=roles, load=lambda: reading.load_dataset(engine)
    )


def attachment(mail) -> tuple[str, bytes]:
    (part,) = list(mail.iter_attachments())
    return part.get_filename(), part.get_content()


def slide_texts(data: bytes) -> list[str]:
    prs = Presentation(io.BytesIO(data))
    return ["\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame) for slide in prs.slides]


def test_a_due_pack_arrives_once_a_week_with_the_pptx_attached(example_engine, smtp):
    inbox, start = smtp
    port = free_port()
    start(port)
    made = subs.create(example_engine, CEO, "company", "pptx", 0, "08:00", "a@example.com, b@example.com",
                       SCOPES, now=MADE)  # fmt: skip

    # A minute early: nothing; on the minute: the pack.
    assert run(example_engine, port, MONDAY_W27 - dt.timedelta(minutes=1)) == []
    (outcome,) = run(example_engine, port, MONDAY_W27)
    assert outcome.status == "sent" and outcome.week == "2026-W27"
    (mail,) = inbox.mails
    assert inbox.envelopes[0].rcpt_tos == ["a@example.com", "b@example.com"]
    assert mail["From"] == "reports@example.com" and mail["To"] == "a@example.com, b@example.com"
    assert mail["Subject"] == "Holdout Goods: board pack 2026-W25"
    name, data = attachment(mail)
    assert name == "board-pack-2026-W25-company.pptx"
    texts = slide_texts(data)
    assert "Holdout Goods" in texts[0] and "2026-W25" in texts[0]
    assert "Summary — Company, 2026-W25" in texts[1]

    # The same week again, later that Monday and on Friday: nothing more.
    assert run(example_engine, port, MONDAY_W27 + dt.timedelta(hours=1)) == []
    assert run(example_engine, port, MONDAY_W27 + dt.timedelta(days=4)) == []
    assert len(inbox.envelopes) == 1
    (row,) = subs.deliveries(example_engine)
    assert (row.subscription_id, row.delivery_week, row.pack_week, row.status, row.attempts) == (
        made.subscription_id, "2026-W27", "2026-W25", "sent", 1,
    )  # fmt: skip
    # The next Monday: the next week's delivery.
    (outcome,) = run(example_engine, port, MONDAY_W27 + dt.timedelta(days=7))
    assert outcome.week == "2026-W28" and len(inbox.envelopes) == 2


def test_a_refused_connection_is_recorded_then_sent_once_on_the_next_run(example_engine, smtp):
    inbox, start = smtp
    port = free_port()  # nothing listens there yet
    subs.create(example_engine, CEO, "company", "pptx", 0, "08:00", "a@example.com", SCOPES, now=MADE)

    (first,) = run(example_engine, port, MONDAY_W27)
    assert first.status == "failed"
    assert first.detail.startswith(f"could not connect to 127.0.0.1:{port}: ")
    assert first.detail.endswith("(attempt 1 of 3)")
    (row,) = subs.deliveries(example_engine)
    assert (row.status, row.attempts) == ("failed", 1)
    assert [d.state for d in delivery.plan(example_engine, MONDAY_W27 + dt.timedelta(minutes=15), None)] == [
        "retry"
    ]

    start(port)
    (second,) = run(example_engine, port, MONDAY_W27 + dt.timedelta(minutes=15))
    assert second.status == "sent" and len(inbox.envelopes) == 1
    (row,) = subs.deliveries(example_engine)
    assert (row.status, row.attempts, row.detail) == ("sent", 2, "to 1 recipient(s)")
    assert run(example_engine, port, MONDAY_W27 + dt.timedelta(minutes=30)) == []
    assert len(inbox.envelopes) == 1
    logged = [r for r in audit.recent(example_engine).rows(named=True) if r["action"] == "deliver"]
    assert [(r["who"], r["outcome"]) for r in logged] == [
        ("ceo@example.com", "ok"),
        ("ceo@example.com", "failed"),
    ]


def test_after_three_failed_tries_the_week_is_given_up(example_duck, smtp):
    inbox, start = smtp
    port = free_port()
    subs.create(example_duck, CEO, "company", "pptx", 0, "08:00", "a@example.com", SCOPES, now=MADE)
    for minutes, attempt in ((0, 1), (15, 2), (30, 3)):
        (o,) = run(example_duck, port, MONDAY_W27 + dt.timedelta(minutes=minutes))
        assert o.status == "failed" and o.detail.endswith(f"(attempt {attempt} of 3)")
    start(port)
    assert run(example_duck, port, MONDAY_W27 + dt.timedelta(minutes=45)) == []
    assert inbox.envelopes == []
    assert [d.state for d in delivery.plan(example_duck, MONDAY_W27 + dt.timedelta(minutes=45), None)] == [
        "gave-up"
    ]


def test_a_claim_left_by_a_run_that_stopped_is_never_sent_again(example_duck, smtp):
    """The crash between sending and recording: the claim was committed
    first, so a later run sends nothing (a missed pack, not a doubled one)."""
    inbox, start = smtp
    port = free_port()
    start(port)
    made = subs.create(example_duck, CEO, "company", "pptx", 0, "08:00", "a@example.com", SCOPES, now=MADE)
    with example_duck.begin() as conn:
        conn.execute(sa.insert(subs.DELIVERIES), [{
            "subscription_id": made.subscription_id, "delivery_week": "2026-W27", "pack_week": None,
            "status": "sending", "attempts": 1, "updated_at": MONDAY_W27, "detail": None,
        }])  # fmt: skip
    assert run(example_duck, port, MONDAY_W27 + dt.timedelta(hours=1)) == []
    assert inbox.envelopes == []
    assert [d.state for d in delivery.plan(example_duck, MONDAY_W27, None)] == ["sending"]


def test_two_runs_cannot_claim_the_same_week(example_duck):
    subs.create(example_duck, CEO, "company", "pptx", 0, "08:00", "a@example.com", SCOPES, now=MADE)
    (due,) = delivery.plan(example_duck, MONDAY_W27, None)
    assert delivery._claim(example_duck, due, MONDAY_W27) == 1
    assert delivery._claim(example_duck, due, MONDAY_W27) is None


def test_an_owner_who_lost_access_gets_a_failure_and_no_mail(example_engine, smtp, tmp_path):
    inbox, start = smtp
    port = free_port()
    start(port)
    roles = parse_roles(ROLES)
    made = subs.create(example_engine, HEARTH_LEAD, "hearth", "pptx", 0, "08:00", "a@example.com", SCOPES,
                       groups=["brand-hearth"], now=MADE)  # fmt: skip
    # The grant now names Stride instead of Hearth.
    moved = parse_roles(ROLES.replace('brands = ["hearth"]', 'brands = ["stride"]'))
    (o,) = run(example_engine, port, MONDAY_W27, roles=moved)
    assert o.status == "failed"
    assert (
        o.detail
        == "the owner lead@example.com no longer has access to 'hearth': nothing sent (attempt 1 of 3)"
    )
    # Their group's grant gone altogether.
    gone = parse_roles(ROLES.split("[[grant]]\ngroup")[0])
    (o,) = run(example_engine, port, MONDAY_W27 + dt.timedelta(minutes=15), roles=gone)
    assert o.detail.startswith("the owner lead@example.com is no longer named in the roles file")
    assert inbox.envelopes == []
    (row,) = subs.deliveries(example_engine)
    assert (row.subscription_id, row.status, row.attempts) == (made.subscription_id, "failed", 2)
    # Access back: the third try sends.
    (o,) = run(example_engine, port, MONDAY_W27 + dt.timedelta(minutes=30), roles=roles)
    assert o.status == "sent" and len(inbox.envelopes) == 1


def test_a_brand_subscription_holds_that_brand_only(example_duck, smtp):
    inbox, start = smtp
    port = free_port()
    start(port)
    subs.create(example_duck, HEARTH_LEAD, "hearth", "pptx", 0, "08:00", "a@example.com", SCOPES,
                groups=["brand-hearth"], now=MADE)  # fmt: skip
    (o,) = run(example_duck, port, MONDAY_W27, roles=parse_roles(ROLES))
    assert o.status == "sent"
    (mail,) = inbox.mails
    assert mail["Subject"] == "Holdout Goods: board pack 2026-W25, Hearth"
    name, data = attachment(mail)
    assert name == "board-pack-2026-W25-hearth.pptx"
    everything = "\n".join(slide_texts(data))
    assert "Hearth" in everything
    for other in ("Alpine", "Stride", "Tiny"):
        assert other not in everything
    # The grant has people = false: no People slide.
    assert not any(t.startswith("People —") for t in slide_texts(data))


def test_a_company_time_zone_moves_the_minute(example_duck, smtp):
    """Tokyo is UTC+9 all year: Monday 08:00 there is Sunday 23:00 UTC."""
    inbox, start = smtp
    port = free_port()
    start(port)
    with example_duck.begin() as conn:
        conn.exec_driver_sql("UPDATE company SET timezone = 'Asia/Tokyo'")
    subs.create(example_duck, CEO, "company", "pptx", 0, "08:00", "a@example.com", SCOPES, now=MADE)
    sunday_utc = dt.datetime(2026, 6, 28, 23, 0)
    assert [
        d.state for d in delivery.plan(example_duck, sunday_utc - dt.timedelta(minutes=1), "Asia/Tokyo")
    ] == ["not-yet"]
    assert run(example_duck, port, sunday_utc - dt.timedelta(minutes=1)) == []
    (o,) = run(example_duck, port, sunday_utc)
    assert o.status == "sent" and o.week == "2026-W27"  # the week of Monday 29 Jun in Tokyo


def test_the_url_s_user_and_password_log_in(example_duck, smtp):
    inbox, start = smtp
    port = free_port()
    seen = []

    def check(server, session, envelope, mechanism, data):
        seen.append((data.login.decode(), data.password.decode()))
        return AuthResult(success=True)

    start(port, authenticator=check, auth_require_tls=False)
    env = {
        delivery.ENV_SMTP_URL: f"smtp://mailer:p%40ss%3Aword@127.0.0.1:{port}",
        delivery.ENV_SMTP_FROM: "r@example.com",
    }
    config = delivery.smtp_settings(env)
    assert (config.username, config.password, config.port) == ("mailer", "p@ss:word", port)
    subs.create(example_duck, CEO, "company", "pptx", 0, "08:00", "a@example.com", SCOPES, now=MADE)
    (o,) = delivery.deliver(
        example_duck, config, now=MONDAY_W27, load=lambda: reading.load_dataset(example_duck)
    )
    assert o.status == "sent" and seen == [("mailer", "p@ss:word")] and len(inbox.envelopes) == 1


@pytest.mark.browser
def test_a_pdf_subscription_attaches_a_pdf(example_duck, smtp):
    inbox, start = smtp
    port = free_port()
    start(port)
    subs.create(example_duck, CEO, "company", "pdf", 0, "08:00", "a@example.com", SCOPES, now=MADE)
    (o,) = run(example_duck, port, MONDAY_W27)
    assert o.status == "sent"
    (mail,) = inbox.mails
    name, data = attachment(mail)
    assert name == "board-pack-2026-W25-company.pdf" and data.startswith(b"%PDF-")


# --- the command -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({}, "no mail server: set PURPOSE_METRICS_SMTP_URL"),
        ({delivery.ENV_SMTP_URL: "http://mail.example.com"}, "not http scheme"),
        ({delivery.ENV_SMTP_URL: "smtp://mail.example.com:99999"}, "the port is not a number"),
        ({delivery.ENV_SMTP_URL: "smtps://"}, "it names no host"),
        (
            {delivery.ENV_SMTP_URL: "smtp://u:secret@mail.example.com"},
            "no sender: set PURPOSE_METRICS_SMTP_FROM",
        ),
        (
            {delivery.ENV_SMTP_URL: "smtp://mail.example.com", delivery.ENV_SMTP_FROM: "me"},
            "is not an email address",
        ),
    ],
)
def test_bad_mail_settings_exit_2_with_one_sentence(example_db, monkeypatch, capsys, env, says):
    monkeypatch.delenv(delivery.ENV_SMTP_URL, raising=False)
    monkeypatch.delenv(delivery.ENV_SMTP_FROM, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert main(["--db", example_db, "deliver"]) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err and "secret" not in err
    assert len(err.strip().splitlines()) == 1


def test_the_command_exits_1_when_a_send_failed_and_lists_what_is_due(
    example_duck, monkeypatch, capsys, smtp
):
    # Mondays 00:00 UTC, made long ago: due at any moment of any week (the real clock is used).
    subs.create(example_duck, CEO, "company", "pptx", 0, "00:00", "a@example.com", SCOPES, now=MADE)
    url = example_duck.url.render_as_string(hide_password=False)
    example_duck.dispose()
    assert main(["--db", url, "deliver", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "due: s" in out and "1 of 1 subscription(s) due now" in out
    port = free_port()
    monkeypatch.setenv(delivery.ENV_SMTP_URL, f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv(delivery.ENV_SMTP_FROM, "reports@example.com")
    assert main(["--db", url, "deliver"]) == 1
    assert "0 sent, 1 failed" in capsys.readouterr().out
    inbox, start = smtp
    start(port)
    assert main(["--db", url, "deliver"]) == 0
    assert "1 sent, 0 failed" in capsys.readouterr().out and len(inbox.envelopes) == 1
