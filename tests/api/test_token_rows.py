"""Token rows kept per process for API_TOKEN_CACHE_SECONDS: changes made through the models apply at once,
changes the process cannot see (another process, raw SQL) within the kept time."""

import pytest
from django.db import connection
from django.test import override_settings

from common import api_auth


@pytest.fixture(autouse=True)
def _no_kept_rows():
    api_auth.forget_token_rows()
    yield
    api_auth.forget_token_rows()


def _delete_behind_the_models_back(key):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM authtoken_token WHERE key = %s", [key])


@override_settings(API_TOKEN_CACHE_SECONDS=5)
def test_a_token_deleted_elsewhere_stops_working_once_its_row_is_older_than_the_setting(world_a, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(api_auth.time, "monotonic", lambda: now[0])
    assert world_a.client.get("/api/v1/orders/").status_code == 200
    _delete_behind_the_models_back(world_a.token)
    now[0] += 4.9
    assert world_a.client.get("/api/v1/orders/").status_code == 200  # the kept row, as another worker would
    now[0] += 0.2
    assert world_a.client.get("/api/v1/orders/").status_code == 401


@override_settings(API_TOKEN_CACHE_SECONDS=0)
def test_with_no_keeping_every_request_reads_the_token(world_a):
    assert world_a.client.get("/api/v1/orders/").status_code == 200
    _delete_behind_the_models_back(world_a.token)
    assert world_a.client.get("/api/v1/orders/").status_code == 401


@override_settings(API_TOKEN_CACHE_SECONDS=60)
def test_logout_and_deactivation_apply_at_once(world_a, world_b):
    assert world_a.client.get("/api/v1/orders/").status_code == 200
    assert world_a.client.post("/api/v1/auth/logout/").status_code == 204
    assert world_a.client.get("/api/v1/orders/").status_code == 401
    assert world_b.client.get("/api/v1/orders/").status_code == 200
    world_b.user.is_active = False
    world_b.user.save()
    assert world_b.client.get("/api/v1/orders/").status_code == 401


@override_settings(API_TOKEN_CACHE_SECONDS=60)
def test_unknown_tokens_are_not_kept(anon_client, db):
    anon_client.credentials(HTTP_AUTHORIZATION="Token " + "1" * 40)
    assert anon_client.get("/api/v1/orders/").status_code == 401
    assert api_auth._token_rows == {}
