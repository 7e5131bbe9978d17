"""Order admin screens: pages open with data, the changelist stays at a constant number of queries, AWB and
phone search find the order, and the transition actions report success and refusal."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import StockLevel
from orders.models import Customer, Order, OrderEvent, OrderItem, OrderStatus, StatusMapping
from orders.services import order_create
from tests.factories import (
    CourierFactory,
    CustomerFactory,
    OrderFactory,
    OrderItemFactory,
    PlatformAccountFactory,
    SellerFactory,
    ShipmentFactory,
    StockLevelFactory,
    VariantFactory,
    WarehouseFactory,
)

pytestmark = pytest.mark.django_db


def _url(model, action, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def _full_order(awb: str | None = None, **overrides) -> Order:
    seller = SellerFactory()
    order = OrderFactory(seller=seller, courier=CourierFactory(), account=PlatformAccountFactory(),
                         warehouse=WarehouseFactory(), external_id="EXT-1", **overrides)
    OrderItemFactory(order=order, variant=VariantFactory(product__seller=seller))
    ShipmentFactory(order=order, courier=order.courier, **({"awb": awb} if awb else {}))
    OrderEvent.objects.create(order=order, from_status="", to_status=order.status)
    return order


@pytest.fixture
def order():
    return _full_order(awb="JNE0099887766")


def test_order_admin_pages_open(admin_client_logged_in, order):
    client = admin_client_logged_in
    response = client.get(_url(Order, "changelist"))
    assert response.status_code == 200
    assert "Rp 193.000" in response.content.decode()
    change = client.get(_url(Order, "change", order.pk))
    assert change.status_code == 200
    assert "JNE0099887766" in change.content.decode()  # the read-only shipment inline
    assert client.get(_url(Order, "add")).status_code == 200


@pytest.mark.parametrize("model", [Customer, OrderItem, StatusMapping])
def test_other_order_admin_pages_open(admin_client_logged_in, order, model):
    obj = {Customer: order.customer, OrderItem: order.items.first(),
           StatusMapping: StatusMapping.objects.create(platform="scalev", kind="order",
                                                       platform_status="zz-test", our_status="new")}[model]
    client = admin_client_logged_in
    assert client.get(_url(model, "changelist")).status_code == 200
    assert client.get(_url(model, "change", obj.pk)).status_code == 200
    assert client.get(_url(model, "add")).status_code == 200


def _changelist_queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url(Order, "changelist"), params or {})
    assert response.status_code == 200
    return len(queries)


def test_order_changelist_queries_do_not_grow_with_the_rows(admin_client_logged_in):
    _full_order()
    one = _changelist_queries(admin_client_logged_in)
    for _ in range(29):
        _full_order()
    assert Order.objects.count() == 30
    assert _changelist_queries(admin_client_logged_in) == one
    filtered = {"status__exact": "new", "payment_method__exact": "cod"}
    assert _changelist_queries(admin_client_logged_in, filtered) <= one + 1


def test_order_search_by_awb_finds_the_order_once(admin_client_logged_in, order):
    ShipmentFactory(order=order, courier=CourierFactory(code="sicepat", name="SiCepat"), awb="SC123")
    _full_order()
    response = admin_client_logged_in.get(_url(Order, "changelist"), {"q": "JNE0099887766"})
    assert list(response.context["cl"].result_list) == [order]
    with CaptureQueriesContext(connection) as queries:
        admin_client_logged_in.get(_url(Order, "changelist"), {"q": "SC123"})
    assert not any("DISTINCT" in query["sql"].upper() for query in queries.captured_queries)


def test_order_search_by_number_external_id_and_phone(admin_client_logged_in, order):
    _full_order()
    url = _url(Order, "changelist")
    assert list(admin_client_logged_in.get(url, {"q": order.order_no}).context["cl"].result_list) == [order]
    order.customer.phone = "+6281311112222"
    order.customer.save()
    for term in ("+6281311112222", "081311112222"):
        assert list(admin_client_logged_in.get(url, {"q": term}).context["cl"].result_list) == [order]
    assert admin_client_logged_in.get(url, {"q": "JNE00998877"}).context["cl"].result_count == 0


def test_order_filters_work(admin_client_logged_in, order):
    _full_order(status=OrderStatus.SHIPPED)
    Order.objects.filter(pk=order.pk).update(status_unmapped=True)
    url = _url(Order, "changelist")
    for params in ({"status__exact": "new"}, {"seller__id__exact": order.seller_id},
                   {"account__id__exact": order.account_id}, {"status_unmapped__exact": "1"},
                   {"account__platform__exact": "ngorder", "status__exact": "new"}):
        response = admin_client_logged_in.get(url, params)
        assert list(response.context["cl"].result_list) == [order], params


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _run_action(client, action: str, orders) -> list[str]:
    response = client.post(_url(Order, "changelist"), {
        "action": action, "_selected_action": [o.pk for o in orders]}, follow=True)
    assert response.status_code == 200
    return _messages(response)


def test_mark_processing_action_reports_success_and_refusal(admin_client_logged_in):
    ready = OrderFactory(status=OrderStatus.NEW)
    shipped = OrderFactory(status=OrderStatus.SHIPPED)
    messages = _run_action(admin_client_logged_in, "mark_processing", [ready, shipped])
    assert "1 order(s) marked processing." in messages
    assert any(shipped.order_no in m and "cannot go from" in m for m in messages)
    assert Order.objects.get(pk=ready.pk).status == OrderStatus.PROCESSING
    assert Order.objects.get(pk=shipped.pk).status == OrderStatus.SHIPPED
    assert OrderEvent.objects.filter(order=ready, to_status="processing").exists()
    assert not OrderEvent.objects.filter(order=shipped).exists()


def test_mark_ready_to_ship_action(admin_client_logged_in):
    order = OrderFactory(status=OrderStatus.PROCESSING)
    assert "1 order(s) marked ready to ship." in _run_action(admin_client_logged_in, "mark_ready_to_ship",
                                                             [order])
    assert Order.objects.get(pk=order.pk).status == OrderStatus.READY_TO_SHIP


def test_cancel_action_releases_stock_and_refuses_delivered_orders(admin_client_logged_in):
    seller, warehouse = SellerFactory(), WarehouseFactory()
    variant = VariantFactory(product__seller=seller, sku="CX-1")
    StockLevelFactory(variant=variant, warehouse=warehouse, on_hand=5)
    live = order_create(seller=seller, customer={"name": "Ani", "phone": "081298765432"},
                        items=[{"sku": "CX-1", "quantity": 2}], payment_method="bank_transfer",
                        warehouse=warehouse)
    delivered = OrderFactory(status=OrderStatus.DELIVERED)
    messages = _run_action(admin_client_logged_in, "cancel_orders", [live, delivered])
    assert "1 order(s) canceled." in messages
    assert any(delivered.order_no in m for m in messages)
    assert StockLevel.objects.get(variant=variant, warehouse=warehouse).reserved == 0
    assert Order.objects.get(pk=delivered.pk).status == OrderStatus.DELIVERED


def test_actions_need_the_change_permission(client, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", "v@example.com", "pw", is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_order"),
                                Permission.objects.get(codename="view_all_sellers"))
    client.force_login(viewer)
    order = OrderFactory(status=OrderStatus.NEW)
    response = client.get(_url(Order, "changelist"))
    assert response.status_code == 200
    assert "mark_processing" not in response.content.decode()
    client.post(_url(Order, "changelist"), {"action": "mark_processing", "_selected_action": [order.pk]})
    assert Order.objects.get(pk=order.pk).status == OrderStatus.NEW


def test_order_add_in_the_admin_writes_totals_and_an_event(admin_client_logged_in, superuser):
    customer = CustomerFactory()
    data = {
        "order_no": "MANUAL-1", "invoice_no": "", "seller": customer.seller_id, "customer": customer.pk,
        "warehouse": "", "notes": "", "payment_method": "cod", "payment_status": "unpaid", "subtotal": "0",
        "discount": "0", "shipping_cost": "10000", "cod_fee": "0", "courier": "", "courier_service": "",
        "account": "", "external_id": "", "platform_created_at_0": "", "platform_created_at_1": "",
        "platform_updated_at_0": "", "platform_updated_at_1": "",
        "items-TOTAL_FORMS": "1", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000", "items-0-sku": "MAN-1", "items-0-name": "Barang",
        "items-0-quantity": "3",
        "items-0-unit_price": "20000", "items-0-discount": "0", "items-0-variant": "",
    }
    for prefix in ("shipments", "events"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0",
                     f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
    response = admin_client_logged_in.post(_url(Order, "add"), data)
    assert response.status_code == 302, response.content.decode()[:4000]
    order = Order.objects.get(order_no="MANUAL-1")
    assert (order.subtotal, order.grand_total) == (Decimal("60000"), Decimal("70000"))
    assert OrderEvent.objects.get(order=order).actor == superuser


def test_customer_admin_refuses_an_invalid_phone_and_normalises_a_valid_one(admin_client_logged_in):
    seller = SellerFactory()
    base = {"seller": seller.pk, "name": "Budi", "email": "", "address": "", "subdistrict": "",
            "district": "", "city": "", "province": "", "postal_code": ""}
    response = admin_client_logged_in.post(_url(Customer, "add"), {**base, "phone": "12ab"})
    assert response.status_code == 200
    assert "is not a valid phone number" in response.content.decode()
    assert not Customer.objects.exists()
    response = admin_client_logged_in.post(_url(Customer, "add"), {**base, "phone": "0812-3456-7890"})
    assert response.status_code == 302
    assert Customer.objects.get().phone == "+6281234567890"


def test_status_mapping_admin_refuses_a_state_of_the_wrong_kind(admin_client_logged_in):
    data = {"platform": "komship", "kind": "payment", "platform_status": " Lunas ", "our_status": "shipped",
            "description": ""}
    response = admin_client_logged_in.post(_url(StatusMapping, "add"), data)
    assert response.status_code == 200
    assert "is not one of our states for this kind" in response.content.decode()
    assert not StatusMapping.objects.filter(platform_status__iexact="lunas").exists()
    response = admin_client_logged_in.post(_url(StatusMapping, "add"), {**data, "our_status": "paid"})
    assert response.status_code == 302
    assert StatusMapping.objects.get(platform_status="Lunas").our_status == "paid"


def test_status_mapping_admin_refuses_a_word_that_differs_only_in_case(admin_client_logged_in):
    StatusMapping.objects.create(platform="komship", kind="order", platform_status="Tes", our_status="new")
    response = admin_client_logged_in.post(_url(StatusMapping, "add"), {
        "platform": "komship", "kind": "order", "platform_status": "TES", "our_status": "new",
        "description": ""})
    assert response.status_code == 200
    assert "already mapped" in response.content.decode()
