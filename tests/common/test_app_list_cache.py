import pytest
from django.contrib.admin import site
from django.contrib.auth.models import Permission
from django.test import RequestFactory

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _models(user) -> set[str]:
    request = RequestFactory().get("/admin/")
    request.user = type(user).objects.get(pk=user.pk)  # a fresh object: no permission cache
    return {m["object_name"] for app in site.get_app_list(request) for m in app["models"]}


def test_app_list_follows_a_change_of_permissions():
    user = UserFactory(is_staff=True)
    assert "Order" not in _models(user)
    user.user_permissions.add(Permission.objects.get(codename="view_order"))
    assert "Order" in _models(user)
    user.user_permissions.clear()
    assert "Order" not in _models(user)


def test_callers_get_copies():
    user = UserFactory(is_staff=True, is_superuser=True)
    request = RequestFactory().get("/admin/")
    request.user = user
    first = site.get_app_list(request)
    first[0]["models"][0]["name"] = "changed by a template"
    assert site.get_app_list(request)[0]["models"][0]["name"] != "changed by a template"


def test_names_are_cached_per_language():
    from django.utils import translation

    user = UserFactory(is_staff=True, is_superuser=True)
    request = RequestFactory().get("/admin/")
    request.user = user

    def order_names():
        return [m["name"] for app in site.get_app_list(request) for m in app["models"] if m["object_name"] == "Order"]

    with translation.override("en"):
        assert order_names() == ["Orders"]
    with translation.override("id"):
        assert order_names() == ["Pesanan"]
    with translation.override("en"):
        assert order_names() == ["Orders"]
