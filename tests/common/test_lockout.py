import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN_URL = "/admin/login/"


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("kasir", "kasir@example.com", "benar-sekali", is_staff=True)


def post_login(client, password):
    return client.post(LOGIN_URL, {"username": "kasir", "password": password, "next": "/admin/"})


def test_login_page_is_not_under_a_language_prefix():
    assert reverse("admin:login") == LOGIN_URL


def test_correct_password_before_the_limit_logs_in(client, staff):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert post_login(client, "salah").status_code == 200  # the form again, with its error

    response = post_login(client, "benar-sekali")

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert not AccessAttempt.objects.filter(username="kasir").exists()  # reset on success


def test_after_the_failure_limit_even_the_right_password_is_refused_with_the_lockout_page(client, staff):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "salah")

    response = post_login(client, "benar-sekali")

    assert response.status_code == 429
    assert "admin/lockout.html" in [t.name for t in response.templates]
    body = response.content.decode()
    assert "This account is locked." in body
    assert f"There were {settings.AXES_FAILURE_LIMIT} failed login attempts in a row." in body
    assert "logging in is blocked for 1 hour." in body
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still sent to the login page


def test_lockout_page_says_how_many_hours_the_block_lasts(client, staff, settings):
    settings.AXES_COOLOFF_TIME = 2
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "salah")

    response = post_login(client, "salah")

    assert response.status_code == 429
    assert "logging in is blocked for 2 hours." in response.content.decode()
