"""SMTP transport against aiosmtpd: STARTTLS, implicit TLS, login, and the password never in logs or errors."""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from monitor.digests import SmtpOptions, run_digest
from monitor.digests.smtp import deliver
from monitor.store.database import open_store
from monitor.store.digest_models import DigestRecipient, DigestSend
from tests.digests.seed import NOW, RULES, kr_digest, mail_channel
from tests.digests.smtp_server import SmtpServer

MESSAGE = b"Subject: test\r\nFrom: monitor@example.org\r\nTo: a@example.org\r\n\r\nhello\r\n"
PASSWORD = "s3cr3t-Pa55word-never-logged"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1."""
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture
def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


@pytest.fixture
def client_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certificate[0]))


@pytest.fixture
def starttls_server(server_context: ssl.SSLContext) -> Iterator[SmtpServer]:
    with SmtpServer(tls_context=server_context, credentials=("monitor", PASSWORD)) as server:
        yield server


def test_starttls_with_login(starttls_server: SmtpServer, client_context: ssl.SSLContext) -> None:
    channel = mail_channel(starttls_server.port, security="starttls", username="monitor",
                           password_env="MONITOR_TEST_SMTP_PASSWORD")
    outcome = deliver(channel, ["a@example.org"], MESSAGE, env={"MONITOR_TEST_SMTP_PASSWORD": PASSWORD},
                      ssl_context=client_context)
    assert outcome.delivered == ("a@example.org",) and outcome.error is None
    assert starttls_server.received[0].data.endswith(b"hello\r\n")


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_tls_with_login(server_context: ssl.SSLContext, client_context: ssl.SSLContext) -> None:
    with SmtpServer(ssl_context=server_context, credentials=("monitor", PASSWORD)) as server:
        channel = mail_channel(server.port, security="tls", username="monitor", password=PASSWORD)
        outcome = deliver(channel, ["a@example.org"], MESSAGE, ssl_context=client_context)
    assert outcome.delivered == ("a@example.org",), outcome
    assert len(server.received) == 1


def test_an_untrusted_certificate_is_refused(starttls_server: SmtpServer) -> None:
    channel = mail_channel(starttls_server.port, security="starttls")
    outcome = deliver(channel, ["a@example.org"], MESSAGE)
    assert outcome.delivered == () and "CERTIFICATE_VERIFY_FAILED" in (outcome.error or "")
    assert starttls_server.received == []


def test_starttls_required_but_not_offered_is_an_error_not_plain_text() -> None:
    with SmtpServer() as server:
        outcome = deliver(mail_channel(server.port, security="starttls"), ["a@example.org"], MESSAGE)
    assert outcome.error and "STARTTLS" in outcome.error and server.received == []


def test_unset_password_variable_is_named(starttls_server: SmtpServer, client_context: ssl.SSLContext) -> None:
    channel = mail_channel(starttls_server.port, security="starttls", username="monitor",
                           password_env="MONITOR_TEST_UNSET_PASSWORD")
    outcome = deliver(channel, ["a@example.org"], MESSAGE, env={}, ssl_context=client_context)
    assert "MONITOR_TEST_UNSET_PASSWORD is not set" in (outcome.error or "")


def test_the_password_never_reaches_logs_errors_or_the_store(
    starttls_server: SmtpServer, client_context: ssl.SSLContext, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.digests.test_runner import seed_news

    engine = open_store(f"sqlite:///{tmp_path / 'monitor.db'}")
    seed_news(engine)
    wrong = PASSWORD + "-but-wrong"
    channel = mail_channel(starttls_server.port, security="starttls", username="monitor", password=wrong)
    with caplog.at_level(logging.DEBUG):
        result = run_digest(engine, kr_digest(), {"mail": channel}, RULES, now=NOW,
                            smtp=SmtpOptions(ssl_context=client_context))
    assert result.status == "pending" and "535" in (result.error or "")
    with engine.connect() as connection:
        stored = [*connection.execute(select(DigestSend.last_error)).scalars(),
                  *connection.execute(select(DigestRecipient.last_error)).scalars()]
    assert stored and all(text and "535" in text for text in stored)
    for text in (caplog.text, result.error or "", repr(channel), *stored):
        assert PASSWORD not in text
    assert starttls_server.received == []
    engine.dispose()
