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
import getpass
import io
import ipaddress
import socket
import ssl
from email import policy
from types import SimpleNamespace

import polars as pl
import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pptx import Presentation

from purpose_metrics import audit, db, delivery, reading
from purpose_metrics import subscriptions as subs
from purpose_metrics.access import Access, AccessDenied, parse_roles
from purpose_metrics.cli import main
from purpose_metrics.errors import UsageError

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
    """The SMTP server's handler: every mail it accepted, and whether the
    connection that brought it was TLS."""

    def __init__(self) -> None:
        self.envelopes = []
        self.over_tls = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.envelopes.append(envelope)
        self.over_tls.append(on_tls(server))
        return "250 OK"

    @property
    def mails(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]


def on_tls(server) -> bool:
    """Whether aiosmtpd's connection is TLS now (from the first byte or after STARTTLS)."""
    return server.transport.get_extra_info("ssl_object") is not None


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


def test_two_runs_cannot_claim_the_same_week(example_engine):
    """On each database: the key's insert, and the update of a failed or released row, win once."""
    made = subs.create(example_engine, CEO, "company", "pptx", 0, "08:00", "a@example.com", SCOPES, now=MADE)
    (due,) = delivery.plan(example_engine, MONDAY_W27, None)
    assert delivery._claim(example_engine, due, MONDAY_W27) == 1
    assert delivery._claim(example_engine, due, MONDAY_W27) is None
    delivery._finish(example_engine, due, "failed", None, "could not connect (attempt 1 of 3)")
    (retry,) = delivery.plan(example_engine, MONDAY_W27, None)
    assert retry.state == "retry"
    assert delivery._claim(example_engine, retry, MONDAY_W27) == 2
    assert delivery._claim(example_engine, retry, MONDAY_W27) is None
    # Left there by a run that died, released, then claimed by two runs: one wins.
    delivery.release(example_engine, ADMIN, made, None, now=MONDAY_W27 + delivery.STUCK_AFTER)
    (released,) = delivery.plan(example_engine, MONDAY_W27, None)
    assert released.state == "released"
    assert delivery._claim(example_engine, released, MONDAY_W27) == 1
    assert delivery._claim(example_engine, released, MONDAY_W27) is None


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


# --- TLS ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls(tmp_path_factory) -> SimpleNamespace:
    """A private CA (ca.pem) and the certificate it signed for `localhost`,
    with the server's TLS context; made here, trusted by nothing on the machine."""
    folder = tmp_path_factory.mktemp("tls")
    now = dt.datetime.now(dt.UTC)

    def certificate(subject, issuer, public_key, signer, *extensions):
        builder = (
            x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
        )  # fmt: skip
        for extension, critical in extensions:
            builder = builder.add_extension(extension, critical=critical)
        return builder.sign(signer, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Purpose Metrics test CA")])
    ca = certificate(
        ca_name, ca_name, ca_key.public_key(), ca_key,
        (x509.BasicConstraints(ca=True, path_length=0), True),
        (x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                       data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                       encipher_only=False, decipher_only=False), True),
        (x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False),
    )  # fmt: skip
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = certificate(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]), ca_name, key.public_key(), ca_key,
        (x509.SubjectAlternativeName([x509.DNSName("localhost")]), False),
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False),
        (x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False),
    )  # fmt: skip
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "localhost.pem", folder / "localhost.key"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_file, key_file)
    return SimpleNamespace(ca=str(ca_file), server=server)


class Logins:
    """aiosmtpd's authenticator: every (user, password, over TLS) it was given; accepts all."""

    def __init__(self) -> None:
        self.seen = []

    def __call__(self, server, session, envelope, mechanism, data):
        self.seen.append((data.login.decode(), data.password.decode(), on_tls(server)))
        return AuthResult(success=True)


def tls_server(start, tls, kind: str, logins: Logins) -> int:
    """A server on 127.0.0.1 with implicit TLS (`smtps`) or one that requires STARTTLS (`smtp`); its port."""
    port = free_port()
    if kind == "smtps":
        # (Implicit TLS is not STARTTLS to aiosmtpd, which offers AUTH there only when told it need not wait for one.)
        start(port, ssl_context=tls.server, authenticator=logins, auth_require_tls=False)
    else:
        start(port, tls_context=tls.server, require_starttls=True, authenticator=logins)
    return port


def over(kind: str, port: int, host: str = "localhost") -> delivery.SmtpSettings:
    return delivery.SmtpSettings(
        kind, host, port, "reports@example.com", username="mailer", password="s3cret"
    )


@pytest.mark.parametrize("kind", ["smtps", "smtp"])
def test_a_certificate_nobody_trusts_is_refused_with_its_reason_and_nothing_sent(
    example_duck, smtp, tls, monkeypatch, kind
):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    inbox, start = smtp
    logins = Logins()
    port = tls_server(start, tls, kind, logins)
    subs.create(example_duck, CEO, "company", "pptx", 0, "08:00", "a@example.com", SCOPES, now=MADE)
    (o,) = delivery.deliver(
        example_duck, over(kind, port), now=MONDAY_W27, load=lambda: reading.load_dataset(example_duck)
    )
    said = (
        f"localhost:{port}'s certificate is not trusted (unable to get local issuer certificate), so nothing "
        "was sent: a private CA's certificate goes in the file SSL_CERT_FILE names (README, Weekly delivery)"
    )
    assert (o.status, o.detail) == ("failed", f"{said} (attempt 1 of 3)")
    (row,) = subs.deliveries(example_duck)
    assert (row.status, row.detail) == ("failed", f"{said} (attempt 1 of 3)")
    assert inbox.envelopes == [] and logins.seen == []  # neither the pack nor the password went


@pytest.mark.parametrize("kind", ["smtps", "smtp"])
def test_trusting_the_ca_through_ssl_cert_file_sends_the_pack_and_password_over_tls(
    example_duck, smtp, tls, monkeypatch, kind
):
    """SSL_CERT_FILE is OpenSSL's, read by Python's default context: no setting of our own."""
    monkeypatch.setenv("SSL_CERT_FILE", tls.ca)
    inbox, start = smtp
    logins = Logins()
    port = tls_server(start, tls, kind, logins)
    subs.create(example_duck, CEO, "company", "pptx", 0, "08:00", "a@example.com", SCOPES, now=MADE)
    (o,) = delivery.deliver(
        example_duck, over(kind, port), now=MONDAY_W27, load=lambda: reading.load_dataset(example_duck)
    )
    assert o.status == "sent"
    assert logins.seen == [("mailer", "s3cret", True)] and inbox.over_tls == [True]
    (mail,) = inbox.mails
    assert attachment(mail)[0] == "board-pack-2026-W25-company.pptx"


def test_the_certificate_must_name_the_host_of_the_url(example_duck, smtp, tls, monkeypatch):
    """Trusted CA, but the URL says 127.0.0.1 and the certificate names localhost only."""
    monkeypatch.setenv("SSL_CERT_FILE", tls.ca)
    inbox, start = smtp
    logins = Logins()
    port = tls_server(start, tls, "smtps", logins)
    subs.create(example_duck, CEO, "company", "pptx", 0, "08:00", "a@example.com", SCOPES, now=MADE)
    (o,) = delivery.deliver(example_duck, over("smtps", port, "127.0.0.1"), now=MONDAY_W27,
                            load=lambda: reading.load_dataset(example_duck))  # fmt: skip
    assert (o.status, o.detail) == ("failed", (
        f"127.0.0.1:{port}'s certificate is not for 127.0.0.1 (IP address mismatch, certificate is not valid "
        "for '127.0.0.1'), so nothing was sent: name the host the certificate names in "
        "PURPOSE_METRICS_SMTP_URL (attempt 1 of 3)"
    ))  # fmt: skip
    assert inbox.envelopes == [] and logins.seen == []


def other_address() -> str:
    """This machine's address that is not a loopback one (the interface of its default route)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.123", 9))  # a UDP "connect" sends nothing: it only picks the route
        except OSError:
            pytest.skip("this machine has no network interface but loopback")
        address = s.getsockname()[0]
    if ipaddress.ip_address(address).is_loopback:
        pytest.skip("this machine has no network interface but loopback")
    return address


def test_without_starttls_only_a_server_on_this_machine_gets_the_mail_and_password(example_duck, smtp):
    """A server that offers no STARTTLS (or an attacker who strips the offer) on another address gets
    neither the password nor the pack; on 127.0.0.1 both go, in clear (a local relay)."""
    inbox, start = smtp
    logins = Logins()
    elsewhere, here = other_address(), free_port()
    far = free_port()
    controller = Controller(inbox, hostname=elsewhere, port=far, authenticator=logins, auth_require_tls=False)
    controller.start()
    try:
        start(here, authenticator=logins, auth_require_tls=False)
        subs.create(example_duck, CEO, "company", "pptx", 0, "08:00", "a@example.com", SCOPES, now=MADE)
        load = lambda: reading.load_dataset(example_duck)  # noqa: E731
        (o,) = delivery.deliver(example_duck, over("smtp", far, elsewhere), now=MONDAY_W27, load=load)
        assert o.detail == (
            f"{elsewhere}:{far} offers no STARTTLS, so neither the pack nor a password is sent in clear: "
            "use smtps://, or a relay on this machine (attempt 1 of 3)"
        )
        # No password at all: the pack still does not go in clear.
        anonymous = delivery.SmtpSettings("smtp", elsewhere, far, "reports@example.com")
        (o,) = delivery.deliver(example_duck, anonymous, now=MONDAY_W27 + dt.timedelta(minutes=15), load=load)
        assert o.status == "failed" and "offers no STARTTLS" in o.detail
        assert inbox.envelopes == [] and logins.seen == []
        (o,) = delivery.deliver(
            example_duck,
            over("smtp", here, "127.0.0.1"),
            now=MONDAY_W27 + dt.timedelta(minutes=30),
            load=load,
        )
        assert (
            o.status == "sent" and logins.seen == [("mailer", "s3cret", False)] and inbox.over_tls == [False]
        )
    finally:
        controller.stop()


@pytest.mark.parametrize(
    ("host", "here"),
    [("localhost", True), ("LOCALHOST.", True), ("127.0.0.1", True), ("127.1.2.3", True), ("::1", True),
     ("192.0.2.2", False), ("mail.example.com", False), ("localhost.example.com", False)],
)  # fmt: skip
def test_which_hosts_are_this_machine(host, here):
    assert delivery.is_loopback(host) is here


class RudeGoodbye(Inbox):
    """Takes the mail, then answers QUIT with an error."""

    async def handle_QUIT(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        return "421 4.3.2 shutting down"


def test_an_error_after_the_mail_was_taken_is_not_a_failure_to_send_again(example_duck):
    port = free_port()
    inbox = RudeGoodbye()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        subs.create(example_duck, CEO, "company", "pptx", 0, "08:00", "a@example.com", SCOPES, now=MADE)
        (o,) = run(example_duck, port, MONDAY_W27)
        assert o.status == "sent" and len(inbox.envelopes) == 1
        assert run(example_duck, port, MONDAY_W27 + dt.timedelta(minutes=15)) == []
        assert len(inbox.envelopes) == 1
    finally:
        controller.stop()


def test_a_company_time_zone_that_cannot_be_read_is_not_taken_for_utc(
    example_duck, example_templates, tmp_path
):
    """Guessing UTC would send every pack at the wrong hour: the run stops before claiming anything."""
    subs.create(example_duck, CEO, "company", "pptx", 0, "08:00", "a@example.com", SCOPES, now=MADE)
    with example_duck.begin() as conn:
        conn.exec_driver_sql("UPDATE company SET timezone = 'Mars/Olympus_Mons'")
    with pytest.raises(UsageError, match="company.timezone 'Mars/Olympus_Mons' is not an IANA time zone"):
        run(example_duck, free_port(), MONDAY_W27)
    assert subs.deliveries(example_duck) == []
    # The company table gone (SQLite lets it be renamed; DuckDB's foreign keys do not).
    engine = db.make_engine(example_templates.copy("sqlite", tmp_path / "renamed.sqlite"))
    try:
        subs.create(engine, CEO, "company", "pptx", 0, "08:00", "a@example.com", SCOPES, now=MADE)
        with engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE company RENAME TO company_kept")
        with pytest.raises(sa.exc.OperationalError, match="no such table: company"):
            run(engine, free_port(), MONDAY_W27)
        assert subs.deliveries(engine) == []
    finally:
        engine.dispose()


# --- sending a week again ----------------------------------------------------------------


ADMIN = Access(who="ops@example.com", role="admin", admin=True)


def claim_left_by_a_dead_run(engine, sub, week: str, at: dt.datetime) -> None:
    with engine.begin() as conn:
        conn.execute(sa.insert(subs.DELIVERIES), [{
            "subscription_id": sub.subscription_id, "delivery_week": week, "pack_week": None,
            "status": "sending", "attempts": 1, "updated_at": at, "detail": None,
        }])  # fmt: skip


def test_an_admin_releases_a_dead_run_s_claim_and_the_next_run_sends_it_once(example_engine, smtp):
    inbox, start = smtp
    port = free_port()
    start(port)
    made = subs.create(example_engine, CEO, "company", "pptx", 0, "08:00", "a@example.com", SCOPES, now=MADE)
    claim_left_by_a_dead_run(example_engine, made, "2026-W27", MONDAY_W27)
    assert run(example_engine, port, MONDAY_W27 + dt.timedelta(minutes=15)) == []  # never resent by itself

    # 29 minutes on, its run may still be sending it; at 30 it is a run that died.
    with pytest.raises(
        UsageError, match="claimed week 2026-W27 at 08:00 UTC and may still be sending it: try again in 1 min"
    ):
        delivery.release(example_engine, ADMIN, made, None, now=MONDAY_W27 + dt.timedelta(minutes=29))
    with pytest.raises(AccessDenied, match="only an admin can send a pack again"):
        delivery.release(example_engine, CEO, made, None, now=MONDAY_W27 + dt.timedelta(minutes=30))
    was = delivery.release(example_engine, ADMIN, made, None, now=MONDAY_W27 + dt.timedelta(minutes=30))
    assert (was.status, was.attempts) == ("sending", 1)
    (row,) = subs.deliveries(example_engine)
    assert (row.status, row.attempts, row.detail) == (
        "released",
        0,
        "released by ops@example.com (was sending, try 1 of 3)",
    )
    assert [d.state for d in delivery.plan(example_engine, MONDAY_W27 + dt.timedelta(minutes=31), None)] == [
        "released"
    ]

    (o,) = run(example_engine, port, MONDAY_W27 + dt.timedelta(minutes=45))
    assert o.status == "sent" and len(inbox.envelopes) == 1
    assert run(example_engine, port, MONDAY_W27 + dt.timedelta(hours=1)) == []
    assert len(inbox.envelopes) == 1
    (row,) = subs.deliveries(example_engine)
    assert (row.status, row.attempts, row.pack_week) == ("sent", 1, "2026-W25")
    with pytest.raises(UsageError, match="nothing to send again, week 2026-W27 was sent"):
        delivery.release(example_engine, ADMIN, made, None, now=MONDAY_W27 + dt.timedelta(hours=2))


def test_a_week_given_up_and_released_gets_three_fresh_tries(example_duck, smtp):
    inbox, start = smtp
    port = free_port()
    made = subs.create(example_duck, CEO, "company", "pptx", 0, "08:00", "a@example.com", SCOPES, now=MADE)
    with pytest.raises(UsageError, match="this week's pack has not been tried yet: it goes at its time"):
        delivery.release(example_duck, ADMIN, made, None, now=MONDAY_W27)
    run(example_duck, port, MONDAY_W27)  # nothing listens: a failure
    with pytest.raises(UsageError, match=r"week 2026-W27 is tried again by the next run \(1 of 3 tries\)"):
        delivery.release(example_duck, ADMIN, made, None, now=MONDAY_W27 + dt.timedelta(minutes=1))
    run(example_duck, port, MONDAY_W27 + dt.timedelta(minutes=15))
    run(example_duck, port, MONDAY_W27 + dt.timedelta(minutes=30))
    assert [d.state for d in delivery.plan(example_duck, MONDAY_W27 + dt.timedelta(minutes=31), None)] == [
        "gave-up"
    ]

    delivery.release(example_duck, ADMIN, made, None, now=MONDAY_W27 + dt.timedelta(minutes=40))
    (o,) = run(example_duck, port, MONDAY_W27 + dt.timedelta(minutes=45))  # still nobody listening
    assert o.status == "failed" and o.detail.endswith("(attempt 1 of 3)")
    start(port)
    (o,) = run(example_duck, port, MONDAY_W27 + dt.timedelta(hours=1))
    assert o.status == "sent" and len(inbox.envelopes) == 1
    assert run(example_duck, port, MONDAY_W27 + dt.timedelta(hours=2)) == [] and len(inbox.envelopes) == 1


def test_deliver_retry_releases_one_subscription_audited_and_sends_it_on_that_run(
    example_duck, monkeypatch, capsys, smtp
):
    inbox, start = smtp
    port = free_port()
    start(port)
    # Mondays 00:00 UTC, made long ago: this week's time has passed whenever the test runs (the real clock).
    made = subs.create(example_duck, CEO, "company", "pptx", 0, "00:00", "a@example.com", SCOPES, now=MADE)
    now = subs.utc_now()
    week = subs.scheduled_at(made, now, None)[0]
    claim_left_by_a_dead_run(example_duck, made, week, now - dt.timedelta(hours=1))
    url = example_duck.url.render_as_string(hide_password=False)
    example_duck.dispose()
    monkeypatch.setenv(delivery.ENV_SMTP_URL, f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv(delivery.ENV_SMTP_FROM, "reports@example.com")

    assert main(["--db", url, "deliver"]) == 0
    assert "0 sent, 0 failed" in capsys.readouterr().out and inbox.envelopes == []
    assert main(["--db", url, "deliver", "--retry", "s-nope"]) == 2
    assert (
        capsys.readouterr().err
        == "purpose-metrics: no subscription 's-nope' (deliver --dry-run lists them)\n"
    )
    assert (
        main(["--db", url, "deliver", "--retry", made.subscription_id, "--dry-run"]) == 2
    )  # argparse says why

    capsys.readouterr()
    assert main(["--db", url, "deliver", "--retry", made.subscription_id]) == 0
    out = capsys.readouterr().out
    assert f"released: {made.subscription_id} week {week} (was sending): tried again on this run" in out
    assert "1 sent, 0 failed" in out and len(inbox.envelopes) == 1

    assert main(["--db", url, "deliver", "--retry", made.subscription_id]) == 2
    assert f"nothing to send again, week {week} was sent" in capsys.readouterr().err
    assert main(["--db", url, "deliver"]) == 0 and len(inbox.envelopes) == 1

    engine = db.make_engine(url)
    try:
        log = audit.recent(engine).filter(pl.col("action") == "deliver")
        by_cli = log.filter(pl.col("who") == f"cli:{getpass.getuser()}").select("outcome", "detail").rows()
    finally:
        engine.dispose()
    assert by_cli == [
        (
            "failed",
            f"send again: subscription {made.subscription_id}: nothing to send again, week {week} was sent",
        ),
        ("ok", f"released {made.subscription_id} {week} to send again (was sending, try 1 of 3)"),
    ]
