"""The change list's filter sidebar is kept per list, language, user and selected filters: paging does not
render it again, and choosing another filter or language does."""

import pytest

from orders.models import OrderStatus
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

SIDEBAR = "unfold/helpers/change_list_filter_sidebar.html"
URL = "/admin/orders/order/"


def _rendered(response) -> set[str]:
    return {template.name for template in response.templates}


def _sidebar(response) -> str:
    html = response.content.decode()
    start = html.index('id="changelist-filter"')
    return html[start:html.index("</form>", start)]


@pytest.fixture
def orders(db):
    return [OrderFactory(status=status) for status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED)]


def test_the_same_filters_reuse_the_sidebar_across_pages(admin_client_logged_in, orders):
    first = admin_client_logged_in.get(URL, {"status__exact": "shipped"})
    again = admin_client_logged_in.get(URL, {"status__exact": "shipped", "p": "1"})

    assert SIDEBAR in _rendered(first)
    assert SIDEBAR not in _rendered(again)
    assert _sidebar(again) == _sidebar(first)


def test_another_filter_renders_its_own_sidebar(admin_client_logged_in, orders):
    shipped = admin_client_logged_in.get(URL, {"status__exact": "shipped"})
    delivered = admin_client_logged_in.get(URL, {"status__exact": "delivered"})

    assert SIDEBAR in _rendered(delivered)
    assert _sidebar(delivered) != _sidebar(shipped)


def test_each_language_has_its_own_sidebar(admin_client_logged_in, orders):
    english = admin_client_logged_in.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    indonesian = admin_client_logged_in.get(URL, HTTP_ACCEPT_LANGUAGE="id")

    assert SIDEBAR in _rendered(indonesian)
    assert _sidebar(indonesian) != _sidebar(english)
