"""Feed tokens: created with `secrets.token_urlsafe(32)`, stored as SHA-256 hashes, checked in constant time.

A token is shown once, when it is created; afterwards it is known by its id, the first 12 hex digits of its
hash (`monitor feeds list`). A token opens exactly one scope: "all" or one rule id.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, bindparam, insert, select, update

from monitor.store.feed_models import ALL_SCOPE, FeedToken

TOKEN_BYTES = 32
MAX_TOKEN_CHARS = 128
ID_CHARS = 12
MIN_PREFIX_CHARS = 6

_LOOKUP = select(FeedToken.token_hash, FeedToken.scope, FeedToken.revoked).where(
    FeedToken.token_hash == bindparam("token_hash")
)


@dataclass(frozen=True)
class TokenInfo:
    token_id: str
    scope: str
    created_at: datetime
    revoked: bool


class TokenError(ValueError):
    """A revoke request that names no token, or more than one."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(engine: Engine, scope: str = ALL_SCOPE) -> str:
    """A new token for `scope`; only its hash is stored, so the caller must show it now."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with engine.begin() as connection:
        connection.execute(
            insert(FeedToken).values(
                token_hash=hash_token(token), scope=scope, created_at=datetime.now(UTC), revoked=False
            )
        )
    return token


def token_opens(connection: Connection, token: str, scope: str) -> bool:
    """True when `token` is known, not revoked and made for exactly `scope`.

    The lookup is by hash (timing reveals nothing about the token itself) and the stored hash is compared
    again with `hmac.compare_digest`, so the final check takes the same time whatever the input.
    """
    if not token or len(token) > MAX_TOKEN_CHARS:
        return False
    wanted = hash_token(token)
    row = connection.execute(_LOOKUP, {"token_hash": wanted}).first()
    if row is None:
        return False
    same = hmac.compare_digest(row.token_hash.encode(), wanted.encode())
    return same and not row.revoked and row.scope == scope


def list_tokens(engine: Engine) -> list[TokenInfo]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(FeedToken.token_hash, FeedToken.scope, FeedToken.created_at, FeedToken.revoked).order_by(
                FeedToken.created_at, FeedToken.token_hash
            )
        ).all()
    return [TokenInfo(row.token_hash[:ID_CHARS], row.scope, row.created_at, row.revoked) for row in rows]


def revoke_token(engine: Engine, prefix_or_token: str) -> TokenInfo:
    """Revoke the one token whose id starts with `prefix_or_token` (at least 6 hex digits), or the token
    itself when the whole token is given; raises TokenError when that names no token or several."""
    argument = prefix_or_token.strip()
    lowered = argument.lower()
    if len(lowered) >= MIN_PREFIX_CHARS and all(ch in "0123456789abcdef" for ch in lowered):
        condition = FeedToken.token_hash.startswith(lowered, autoescape=True)
    elif len(argument) > 2 * ID_CHARS:
        condition = FeedToken.token_hash == hash_token(argument)
    else:
        raise TokenError(f"give at least {MIN_PREFIX_CHARS} hex digits of a token id (see `monitor feeds list`)")
    with engine.begin() as connection:
        rows = connection.execute(
            select(FeedToken.token_hash, FeedToken.scope, FeedToken.created_at).where(condition).limit(2)
        ).all()
        if not rows:
            raise TokenError("no token has that id")
        if len(rows) > 1:
            raise TokenError("that prefix names more than one token; give more digits")
        row = rows[0]
        connection.execute(update(FeedToken).where(FeedToken.token_hash == row.token_hash).values(revoked=True))
    return TokenInfo(row.token_hash[:ID_CHARS], row.scope, row.created_at, True)
