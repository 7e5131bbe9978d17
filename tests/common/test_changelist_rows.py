"""The change list rows written from a per-list plan (common.unfold_patches.fast_result_rows) are the rows
unfold itself writes: same cells, classes, links (with the list's filters) and empty values."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.utils import translation
from unfold.templatetags import unfold_list

from orders.models import Order, OrderStatus
from tests.factories import CourierFactory, OrderFactory, PlatformAccountFactory, SellerFactory

pytestmark = pytest.mark.django_db


def _changelist(superuser, model, params=None):
    request = RequestFactory().get(f"/admin/{model._meta.app_label}/{model._meta.model_name}/", params or {})
    request.user = superuser
    model_admin = admin.site._registry[model]
    request.resolver_match = None
    changelist = model_admin.get_changelist_instance(request)
    changelist.formset = None
    return changelist


def _rows(changelist, items_for_result):
    return [list(items_for_result(changelist, result, None)) for result in changelist.result_list]


@pytest.fixture
def orders():
    seller = SellerFactory()
    with_everything = OrderFactory(seller=seller, courier=CourierFactory(), account=PlatformAccountFactory(),
                                   status=OrderStatus.SHIPPED)
    bare = OrderFactory(seller=seller, courier=None, account=None, status=OrderStatus.SHIPPED)
    return [with_everything, bare]


@pytest.mark.parametrize("language", ["en", "id"])
@pytest.mark.parametrize("params", [{}, {"status__exact": "shipped"}, {"status__exact": "shipped", "o": "2.-1"}])
def test_order_rows_match_unfold(superuser, orders, language, params):
    patched = unfold_list.items_for_result
    assert getattr(patched, "prepared_per_changelist", False)
    with translation.override(language):
        changelist = _changelist(superuser, Order, params)
        ours = _rows(changelist, patched)
        unfold = _rows(_changelist(superuser, Order, params), patched.unpatched)

    assert len(ours) == 2
    assert ours == unfold
    assert changelist._unfold_row_plan is not None  # the plan was used, not unfold's own function
    row = "".join(ours[0])  # the newest first: the order without courier and account
    assert f"/admin/orders/order/{orders[1].pk}/change/" in row
    assert 'class="field-courier' in row and ">-</td>" in row  # no courier: the empty value


def test_row_links_keep_the_list_filters(admin_client_logged_in, orders):
    response = admin_client_logged_in.get("/admin/orders/order/", {"status__exact": "shipped"})
    html = response.content.decode()
    for order in orders:
        assert f"/admin/orders/order/{order.pk}/change/?_changelist_filters=status__exact%3Dshipped" in html


def test_popup_lists_keep_unfold_rows(superuser, orders):
    changelist = _changelist(superuser, Order, {"_popup": "1"})
    ours = _rows(changelist, unfold_list.items_for_result)
    assert changelist._unfold_row_plan is None
    assert ours == _rows(_changelist(superuser, Order, {"_popup": "1"}), unfold_list.items_for_result.unpatched)
    assert "data-popup-opener" in "".join(ours[0])
