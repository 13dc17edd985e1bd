"""Roles: users predict, admins also reload the model and manage accounts."""

from __future__ import annotations

import pytest

from model_api.schemas import example_record


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/users"), ("POST", "/refresh"), ("GET", "/refresh"), ("PATCH", "/users/admin")],
)
def test_admin_routes_refuse_users(api, method, path):
    headers = api.user_headers()
    response = api.client.request(method, path, headers=headers, json={})
    assert response.status_code == 403
    assert "admin" in response.json()["detail"]


def test_admin_creates_lists_and_promotes_users(api):
    admin = api.admin_headers()
    created = api.client.post(
        "/users", headers=admin, json={"username": "frank", "password": "frank-password"}
    )
    assert created.status_code == 201
    assert created.json()["role"] == "user"
    assert (
        api.client.post(
            "/users", headers=admin, json={"username": "frank", "password": "frank-password"}
        ).status_code
        == 409
    )
    names = [u["username"] for u in api.client.get("/users", headers=admin).json()]
    assert names == ["admin", "frank"]

    frank = {"Authorization": f"Bearer {api.token('frank', 'frank-password')}"}
    assert api.client.get("/users", headers=frank).status_code == 403
    promoted = api.client.patch("/users/frank", headers=admin, json={"role": "admin"})
    assert promoted.json()["role"] == "admin"
    assert api.client.get("/users", headers=frank).status_code == 200  # same token, new role


def test_admin_creates_users_even_when_signup_is_off(start_api):
    api = start_api(signup_enabled=False)
    response = api.client.post(
        "/users",
        headers=api.admin_headers(),
        json={"username": "grace", "password": "grace-password", "role": "admin"},
    )
    assert response.status_code == 201
    assert api.token("grace", "grace-password")


def test_disabling_a_user_revokes_their_tokens_and_logins(api):
    user = api.user_headers("heidi")
    assert api.client.get("/secured", headers=user).status_code == 200
    admin = api.admin_headers()
    assert api.client.patch("/users/heidi", headers=admin, json={"disabled": True}).json()[
        "disabled"
    ]
    assert api.client.get("/secured", headers=user).status_code == 401
    login = api.client.post("/user/login", json={"username": "heidi", "password": "heidi-password"})
    assert login.status_code == 403
    api.client.patch("/users/heidi", headers=admin, json={"disabled": False})
    assert api.client.get("/secured", headers=user).status_code == 200


def test_admin_resets_a_password(api):
    api.user_headers("ivan")
    api.client.patch(
        "/users/ivan", headers=api.admin_headers(), json={"password": "a-brand-new-one"}
    )
    assert api.token("ivan", "a-brand-new-one")


def test_admins_cannot_lock_themselves_out(api):
    admin = api.admin_headers()
    for change in ({"role": "user"}, {"disabled": True}):
        assert api.client.patch("/users/admin", headers=admin, json=change).status_code == 409


def test_unknown_user_is_404(api):
    response = api.client.patch("/users/nobody", headers=api.admin_headers(), json={})
    assert response.status_code == 404


def test_the_service_account_may_reload_and_predict_but_not_manage_users(start_api):
    api = start_api(service_username="pipelines", service_password="a-service-password")
    headers = {"Authorization": f"Bearer {api.token('pipelines', 'a-service-password')}"}
    assert api.client.get("/users/me", headers=headers).json()["role"] == "service"
    assert api.client.post("/refresh", headers=headers).status_code == 200
    assert api.client.post("/predict", json=example_record(), headers=headers).status_code == 200
    assert api.client.get("/users", headers=headers).status_code == 403
    created = api.client.post(
        "/users", json={"username": "mallory", "password": "mallory-password"}, headers=headers
    )
    assert created.status_code == 403


def test_a_plain_user_may_not_reload_the_model(api):
    assert api.client.post("/refresh", headers=api.user_headers("bob")).status_code == 403


def test_without_a_service_password_there_is_no_service_account(api):
    users = api.client.get("/users", headers=api.admin_headers()).json()
    assert [u["username"] for u in users if u["role"] == "service"] == []
