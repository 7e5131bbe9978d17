"""The OpenAPI document and the server agree: schemathesis (4.x) drives every operation as the demo seller
(`seller1` of the demo data) and finds no server error and no response outside the schema."""

import io

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.django_db  # also makes pytest-django set up the test database for this module

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def demo_seller(django_db_setup, django_db_blocker):
    """The demo data, loaded once for this module and rolled back afterwards; the demo seller user."""
    from django.contrib.auth import get_user_model
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    # As Django's test client does: the end of a request must not close the connection that holds the
    # test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(DEMO_ENABLED=True):
                call_command("load_demo_data", stdout=io.StringIO())
            yield get_user_model().objects.get(username="seller1")
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


@pytest.fixture
def auth_header(demo_seller, db):
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = {"user": "100000/min", "ip": "100000/min", "login": "100000/min"}
    yield lambda: {"Authorization": f"Token {Token.objects.get_or_create(user=demo_seller)[0].key}"}
    SimpleRateThrottle.THROTTLE_RATES = original


# Loaded in-process from the WSGI application: requests go through the full Django stack of this process,
# inside the test's transaction.
schema = schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler())


@schema.parametrize()
@settings(max_examples=20, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_api_matches_its_schema(case, demo_seller, auth_header):
    case.call_and_validate(headers=auth_header(), checks=CHECKS)


def test_demo_seller_logs_in_with_the_demo_password(demo_seller, client):
    from common.demo import demo_password

    response = client.post("/api/v1/auth/login/", {"username": "seller1", "password": demo_password()},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {response.json()['token']}"
    assert client.get("/api/v1/me/").json()["username"] == "seller1"
