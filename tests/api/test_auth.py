from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tests.factories import SellerUserFactory, UserFactory

LOGIN = "/api/v1/auth/login/"


@pytest.fixture
def app_user(db):
    seller_user = SellerUserFactory(user__username="sri", user__email="Sri@Toko.example")
    return seller_user.user


def test_login_by_username_returns_a_token_that_authenticates(app_user, anon_client):
    response = anon_client.post(LOGIN, {"username": "sri", "password": "pw"}, format="json")
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    assert Token.objects.get(user=app_user).key == token
    anon_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = anon_client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["seller"]["id"] == app_user.seller_user.seller_id


@pytest.mark.parametrize("payload", [{"username": "sri@toko.example"}, {"email": "SRI@toko.example"}])
def test_login_by_email_any_case(app_user, anon_client, payload):
    response = anon_client.post(LOGIN, {**payload, "password": "pw"}, format="json")
    assert response.status_code == 200, response.content


def test_wrong_password_is_401_in_the_error_format(app_user, anon_client):
    response = anon_client.post(LOGIN, {"username": "sri", "password": "nope"}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "login_failed"
    assert not Token.objects.exists()


def test_missing_fields_are_400_with_field_errors(anon_client, db):
    response = anon_client.post(LOGIN, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) >= {"password"}


def test_staff_without_seller_cannot_log_in_to_the_app(anon_client, db):
    UserFactory(username="staffer")
    response = anon_client.post(LOGIN, {"username": "staffer", "password": "pw"}, format="json")
    assert response.status_code == 401


def test_no_token_and_unknown_token_are_401(anon_client, db):
    assert anon_client.get("/api/v1/orders/").status_code == 401
    anon_client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = anon_client.get("/api/v1/orders/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert response.json()["error"]["code"] == "authentication_failed"


@override_settings(API_TOKEN_TTL_HOURS=2)
def test_expired_token_is_401_and_login_issues_a_new_one(app_user, anon_client):
    token = Token.objects.create(user=app_user)
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - timedelta(hours=2, seconds=1))
    anon_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = anon_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_expired"
    fresh = anon_client.post(LOGIN, {"username": "sri", "password": "pw"}, format="json").json()["token"]
    assert fresh != token.key
    anon_client.credentials(HTTP_AUTHORIZATION=f"Token {fresh}")
    assert anon_client.get("/api/v1/me/").status_code == 200


def test_logout_revokes_the_token(world_a):
    assert world_a.client.post("/api/v1/auth/logout/").status_code == 204
    assert not Token.objects.filter(key=world_a.token).exists()
    assert world_a.client.get("/api/v1/me/").status_code == 401


def test_inactive_seller_user_gets_403(world_a):
    world_a.user.seller_user.is_active = False
    world_a.user.seller_user.save()
    response = world_a.client.get("/api/v1/orders/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_login_is_throttled_per_ip(anon_client, db):
    from rest_framework.throttling import SimpleRateThrottle

    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = {**original, "login": "3/min"}
    try:
        responses = [anon_client.post(LOGIN, {"username": f"x{n}", "password": "y"}, format="json")
                     for n in range(4)]
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original
    assert [r.status_code for r in responses] == [401, 401, 401, 429]
    assert responses[3].json()["error"]["code"] == "throttled"
    assert int(responses[3]["Retry-After"]) > 0


def test_repeated_failures_lock_the_user_out_in_the_error_format(app_user, anon_client):
    for _ in range(3):  # AXES_FAILURE_LIMIT in the test settings
        anon_client.post(LOGIN, {"username": "sri", "password": "wrong"}, format="json")
    response = anon_client.post(LOGIN, {"username": "sri", "password": "pw"}, format="json")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "locked_out"
    assert not Token.objects.exists()


def test_user_throttle_limits_one_user(world_a, world_b):
    from rest_framework.throttling import SimpleRateThrottle

    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = {**original, "user": "2/min", "ip": "100/min"}
    try:
        codes_a = [world_a.client.get("/api/v1/me/").status_code for _ in range(3)]
        code_b = world_b.client.get("/api/v1/me/").status_code
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original
    assert codes_a == [200, 200, 429]
    assert code_b == 200  # another user from the same IP still gets through


def test_ip_throttle_limits_one_address_across_users(world_a, world_b):
    from rest_framework.throttling import SimpleRateThrottle

    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = {**original, "user": "100/min", "ip": "2/min"}
    try:
        codes = [world_a.client.get("/api/v1/me/").status_code, world_b.client.get("/api/v1/me/").status_code,
                 world_b.client.get("/api/v1/me/").status_code]
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original
    assert codes == [200, 200, 429]
