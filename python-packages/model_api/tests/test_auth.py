"""Getting and using tokens: signup, JSON login, OAuth2 form, bad tokens, throttling."""

from __future__ import annotations

import time

import jwt
import pytest

from .api_support import ADMIN, JWT_SECRET


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_signup_then_login_returns_working_tokens(api):
    signup = api.client.post("/user/signup", json={"username": "alice", "password": "s3cret-pw"})
    assert signup.status_code == 201
    assert signup.json()["token_type"] == "bearer"
    login = api.client.post("/user/login", json={"username": "alice", "password": "s3cret-pw"})
    assert login.status_code == 200
    for token in (signup.json()["access_token"], login.json()["access_token"]):
        secured = api.client.get("/secured", headers=bearer(token))
        assert secured.status_code == 200
        assert "alice" in secured.json()["message"]
    me = api.client.get("/users/me", headers=bearer(login.json()["access_token"])).json()
    assert me["username"] == "alice"
    assert me["role"] == "user"
    assert "password" not in str(me)


def test_oauth2_form_token_route(api):
    response = api.client.post("/token", data={"username": ADMIN[0], "password": ADMIN[1]})
    assert response.status_code == 200
    body = response.json()
    assert body["expires_in"] == 3600
    assert api.client.get("/users/me", headers=bearer(body["access_token"])).json()["role"] == (
        "admin"
    )


def test_taken_username_is_a_conflict(api):
    api.user_headers("bob")
    again = api.client.post("/user/signup", json={"username": "bob", "password": "another-pw"})
    assert again.status_code == 409


@pytest.mark.reliability(
    kind="attack",
    case="logins with a wrong password and with a username that does not exist",
    expect="the same 401 answer, so usernames cannot be enumerated",
)
def test_wrong_password_and_unknown_user_get_the_same_answer(api):
    api.user_headers("carol")
    wrong = api.client.post("/user/login", json={"username": "carol", "password": "nope-nope"})
    unknown = api.client.post("/user/login", json={"username": "nobody", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.headers["WWW-Authenticate"] == "Bearer"


def test_signup_can_be_switched_off(start_api):
    api = start_api(signup_enabled=False)
    response = api.client.post("/user/signup", json={"username": "dave", "password": "s3cret-pw"})
    assert response.status_code == 403
    assert "disabled" in response.json()["detail"]


def _rsa_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _tampered() -> str:
    """A valid token of `alice`, its payload swapped for one naming the admin."""
    header, _, signature = jwt.encode(
        {"sub": "alice", "iat": 0, "exp": 2**33}, JWT_SECRET, "HS256"
    ).split(".")
    forged = jwt.encode({"sub": "admin", "iat": 0, "exp": 2**33}, "x" * 40, "HS256")
    return ".".join([header, forged.split(".")[1], signature])


@pytest.mark.reliability(
    kind="attack",
    case="tokens missing, garbage, Basic, signed with another key, alg none, HS512 or RS256"
    " instead of HS256, payload swapped under a valid signature, no expiry, unknown user",
    expect="401 with WWW-Authenticate: Bearer for every one",
)
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-a-jwt"},
        {"Authorization": "Basic YWRtaW46YWRtaW4="},
        bearer(jwt.encode({"sub": "admin", "iat": 0, "exp": 2**33}, "x" * 40, "HS256")),
        bearer(jwt.encode({"sub": "admin", "iat": 0, "exp": 2**33}, None, "none")),
        bearer(jwt.encode({"sub": "admin", "iat": 0}, JWT_SECRET, "HS256")),
        bearer(jwt.encode({"sub": "ghost", "iat": 0, "exp": 2**33}, JWT_SECRET, "HS256")),
        bearer(jwt.encode({"sub": "admin", "iat": 0, "exp": 2**33}, JWT_SECRET, "HS512")),
        bearer(jwt.encode({"sub": "admin", "iat": 0, "exp": 2**33}, _rsa_key(), "RS256")),
        bearer(_tampered()),
    ],
    ids=[
        "missing",
        "garbage",
        "basic",
        "forged",
        "alg-none",
        "no-expiry",
        "unknown-user",
        "hs512",
        "rs256",
        "tampered-payload",
    ],
)
def test_missing_forged_or_malformed_tokens_are_refused(api, headers):
    response = api.client.get("/secured", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.reliability(
    kind="attack",
    case="a token used after its expiry (GLS_JWT_EXPIRE_MINUTES), though verified before",
    expect="401 'token expired' (the verified-token cache does not outlive exp)",
)
def test_expired_tokens_are_refused(start_api):
    api = start_api(jwt_expire_minutes=1 / 60)
    headers = api.admin_headers()
    assert api.client.get("/secured", headers=headers).status_code == 200
    time.sleep(2.1)
    response = api.client.get("/secured", headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"] == "token expired"


@pytest.mark.reliability(
    kind="attack",
    case="GLS_LOGIN_MAX_FAILURES wrong passwords for one username from one address",
    expect="429 with Retry-After on both login routes, even with the right password; another"
    " username is not slowed down; login works again after the window",
)
def test_repeated_failures_are_throttled_per_username_and_address(start_api):
    api = start_api(login_max_failures=3, login_window_seconds=2)
    api.user_headers("erin")
    for _ in range(3):
        response = api.client.post("/user/login", json={"username": "erin", "password": "wrong"})
        assert response.status_code == 401
    throttled = api.client.post(
        "/user/login", json={"username": "erin", "password": "erin-password"}
    )
    assert throttled.status_code == 429
    assert 1 <= int(throttled.headers["Retry-After"]) <= 2
    form = api.client.post("/token", data={"username": "erin", "password": "erin-password"})
    assert form.status_code == 429
    assert api.token(*ADMIN)  # another username from the same address is not slowed down
    time.sleep(int(throttled.headers["Retry-After"]) + 0.1)
    assert api.token("erin", "erin-password")


def test_admin_is_bootstrapped_from_the_environment_and_reset_by_it(start_api):
    first = start_api()
    assert first.token(*ADMIN)
    second = start_api(admin_password="a-new-admin-password")
    assert second.token(ADMIN[0], "a-new-admin-password")
    old = second.client.post("/user/login", json={"username": ADMIN[0], "password": ADMIN[1]})
    assert old.status_code == 401


def test_a_nul_in_a_username_is_an_unknown_user_not_a_server_error(api):
    """Found by schemathesis: PostgreSQL text cannot hold NUL."""
    json_login = api.client.post("/user/login", json={"username": "a\x00b", "password": "x"})
    form_login = api.client.post("/token", data={"username": "a\x00b", "password": "x"})
    assert json_login.status_code == form_login.status_code == 401
