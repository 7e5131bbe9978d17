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


def _navigation(client, path) -> str:
    html = client.get(path).content.decode()
    start = html.index('<div id="nav-sidebar-apps"')
    return html[start:html.index("openUserLinks", start)]  # up to the user menu (it holds CSRF tokens)


def test_cached_navigation_is_the_rendered_markup(admin_client_logged_in):
    from django.template.loader import render_to_string

    from common import unfold_patches

    unfold_patches._navigation_cache.clear()
    first = _navigation(admin_client_logged_in, "/admin/orders/order/")
    assert unfold_patches._navigation_cache  # kept
    again = _navigation(admin_client_logged_in, "/admin/orders/order/?status__exact=new")
    assert again == first

    request = RequestFactory().get("/admin/orders/order/")
    request.user = admin_client_logged_in.get("/admin/").wsgi_request.user
    markup = render_to_string("admin/app_list_items.html", {"app_list": site.get_app_list(request),
                                                            "request": request})
    assert markup.strip()[:200] in first
    assert 'id="link-orders-order"' in first


def test_cached_navigation_marks_the_current_model(admin_client_logged_in):
    orders = _navigation(admin_client_logged_in, "/admin/orders/order/")
    customers = _navigation(admin_client_logged_in, "/admin/orders/customer/")
    assert orders != customers
    assert "model-order current-model" in orders and "model-customer current-model" not in orders
    assert "model-customer current-model" in customers and "model-order current-model" not in customers


def test_cached_navigation_follows_the_language(admin_client_logged_in):
    admin_client_logged_in.get("/admin/orders/order/", headers={"accept-language": "en"})
    english = _navigation(admin_client_logged_in, "/admin/orders/order/")
    admin_client_logged_in.cookies["django_language"] = "id"
    indonesian = _navigation(admin_client_logged_in, "/admin/orders/order/")
    assert "Orders" in english and "Pesanan" in indonesian
