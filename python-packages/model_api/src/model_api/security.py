"""Password hashes and access tokens.

Argon2 (through pwdlib) for passwords; HS256 JWTs carrying the username and an expiry. The
role is deliberately not in the token: it is read from the user record, so demoting or
disabling someone takes effect without waiting for their tokens to expire.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from functools import cache

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

ALGORITHM = "HS256"

# Argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): argon2-cffi's default
# (64 MiB, 3 passes, 4 lanes) takes 350 ms of CPU per login on a 2-core host, which makes the
# login route a denial-of-service lever. The parameters are stored in each hash, so raising
# them later keeps existing hashes valid.
_hasher = PasswordHash((Argon2Hasher(time_cost=2, memory_cost=19 * 1024, parallelism=1),))


class InvalidTokenError(Exception):
    """A token that is missing its claims, forged, malformed or expired; the text says which."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    return _hasher.hash("not a password anybody has")


def verify_password(password: str, password_hash: str | None) -> bool:
    """Check a password; with no hash (unknown user) spend the same time and answer False.

    Answering an unknown username faster than a wrong password would tell an attacker which
    usernames exist.
    """
    if password_hash is None:
        _hasher.verify(password, _dummy_hash())
        return False
    return _hasher.verify(password, password_hash)


def create_access_token(username: str, key: str, lifetime: timedelta) -> str:
    now = datetime.now(UTC)
    claims = {"sub": username, "iat": now, "exp": now + lifetime}
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def _verified_claims(token: str, key: str) -> dict[str, object]:
    try:
        claims = jwt.decode(
            token, key, algorithms=[ALGORITHM], options={"require": ["sub", "exp", "iat"]}
        )
    except jwt.ExpiredSignatureError as error:
        raise InvalidTokenError("token expired") from error
    except jwt.InvalidSignatureError as error:
        raise InvalidTokenError("token signature is invalid") from error
    except jwt.InvalidTokenError as error:
        raise InvalidTokenError(f"invalid token: {error}") from error
    return claims


class VerifiedTokens:
    """Tokens already verified by this process, each with its username and expiry.

    Verifying a JWT (parsing, HMAC, claims) is a fifth of a prediction request's CPU time.
    A token string this process has verified with its key stays valid until its `exp`, so
    later requests with it only compare the clock; expired tokens are verified again, which
    raises. Bounded: when full, it starts over.
    """

    def __init__(self, key: str, max_tokens: int = 10_000) -> None:
        self._key = key
        self._max_tokens = max_tokens
        self._known: dict[str, tuple[str, float]] = {}

    def username(self, token: str) -> str:
        """The username a valid token was issued to; InvalidTokenError says why not."""
        known = self._known.get(token)
        if known is not None and time.time() < known[1]:
            return known[0]
        claims = _verified_claims(token, self._key)
        if len(self._known) >= self._max_tokens:
            self._known.clear()
        username, expires = str(claims["sub"]), float(claims["exp"])  # type: ignore[arg-type]
        self._known[token] = (username, expires)
        return username
