"""The digest as an e-mail: multipart/alternative (plain text, then HTML), UTF-8, with a Message-ID that
depends only on the digest and its period, so every retry of one period carries the same id."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from monitor.digests.plain_text import header_text
from monitor.digests.render import RenderedDigest

# CRLF line ends for SMTP; 7-bit transfer encodings (quoted-printable or base64, whichever is shorter) so the
# mail survives any relay, with or without 8BITMIME.
MAIL_POLICY = policy.SMTP.clone(cte_type="7bit")
FALLBACK_DOMAIN = "monitor.invalid"


def envelope_address(sender: str) -> str:
    """The bare address of `Name <addr>` or `addr`."""
    return parseaddr(sender)[1] or sender.strip()


def message_id_for(digest_id: str, period_at: datetime, sender: str) -> str:
    """`<digest.nl-team.20260329T060000Z.1a2b3c4d5e6f@example.org>`: the same for every retry of a period."""
    moment = period_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    token = hashlib.sha256(f"{digest_id}\x00{moment}".encode()).hexdigest()[:12]
    domain = envelope_address(sender).rpartition("@")[2].strip().lower()
    if not domain or not all(char.isalnum() or char in ".-" for char in domain):
        domain = FALLBACK_DOMAIN
    safe_id = "".join(char if char.isalnum() or char in "-_" else "-" for char in digest_id)[:64]
    return f"<digest.{safe_id}.{moment}.{token}@{domain}>"


def _from_header(sender: str) -> Address:
    name, address = parseaddr(sender)
    local, _, domain = (address or sender.strip()).rpartition("@")
    return Address(display_name=header_text(name, 80), username=local, domain=domain)


def build_message(
    rendered: RenderedDigest,
    *,
    sender: str,
    recipients: Sequence[str],
    message_id: str,
    date: datetime,
) -> EmailMessage:
    """The e-mail of one digest period; headers only from sanitised single-line text."""
    message = EmailMessage(policy=MAIL_POLICY)
    message["Subject"] = header_text(rendered.subject, limit=180)
    message["From"] = _from_header(sender)
    message["To"] = ", ".join(recipients)
    message["Date"] = format_datetime(date.astimezone(UTC))
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message.set_content(rendered.text, subtype="plain", charset="utf-8")
    message.add_alternative(rendered.html, subtype="html", charset="utf-8")
    return message


def message_bytes(message: EmailMessage) -> bytes:
    """The wire form (CRLF line ends) that is stored and sent unchanged on every attempt."""
    return message.as_bytes(policy=MAIL_POLICY)
