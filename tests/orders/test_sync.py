from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from integrations.base import ExternalCustomer, ExternalOrder, ExternalOrderItem
from orders.models import Customer, Order, OrderEvent, OrderItem
from orders.sync import CourierMap, StatusMapper, orders_upsert_page
from tests.factories import PlatformAccountFactory, SellerFactory, VariantFactory

pytestmark = pytest.mark.django_db


def external_order(n: int, *, status: str = "ACCEPTED", payment: str = "PAID", sku: str = "KAOS-HTM-M",
                   phone: str | None = None) -> ExternalOrder:
    return ExternalOrder(
        external_id=str(1000 + n), order_no=f"INV.2026.11.{n:04d}", status=status, payment_status=payment,
        payment_method="cod",
        customer=ExternalCustomer(name=f"Pembeli {n}", phone=phone if phone is not None else f"+62812000{n:05d}",
                                  city="Bandung", province="Jawa Barat"),
        items=(ExternalOrderItem(sku=sku, name="Kaos Hitam M", quantity=2, unit_price=Decimal("50000"),
                                 line_total=Decimal("100000")),),
        subtotal=Decimal("100000"), shipping_cost=Decimal("12000"), grand_total=Decimal("112000"),
        courier_code="JNE", courier_service="REG", created_at=datetime(2026, 11, 1, 3, 0, tzinfo=UTC),
    )


@pytest.fixture
def account():
    return PlatformAccountFactory(platform="ngorder", seller=SellerFactory())


def upsert(account, orders):
    return orders_upsert_page(account=account, orders=orders, mapper=StatusMapper(account.platform),
                              couriers=CourierMap())


def test_pulled_orders_are_created_with_items_customers_and_events(account):
    variant = VariantFactory(product__seller=account.seller, sku="KAOS-HTM-M")
    counts = upsert(account, [external_order(1), external_order(2)])

    assert (counts.created, counts.updated, counts.unchanged) == (2, 0, 0)
    order = Order.objects.get(account=account, external_id="1001")
    assert order.seller == account.seller
    assert order.status == "new" and order.payment_status == "paid" and not order.status_unmapped
    assert order.grand_total == Decimal("112000") and order.courier.code == "jne"
    assert list(order.items.values_list("sku", "variant_id", "quantity")) == [("KAOS-HTM-M", variant.pk, 2)]
    assert OrderEvent.objects.filter(order=order, to_status="new", source="sync").count() == 1
    assert Customer.objects.filter(seller=account.seller).count() == 2


def test_the_same_page_twice_writes_nothing_the_second_time(account):
    upsert(account, [external_order(n) for n in range(5)])
    before = (Order.objects.count(), OrderItem.objects.count(), OrderEvent.objects.count(), Customer.objects.count())

    with CaptureQueriesContext(connection) as ctx:
        counts = upsert(account, [external_order(n) for n in range(5)])

    assert (counts.created, counts.updated, counts.unchanged) == (0, 0, 5)
    assert before == (Order.objects.count(), OrderItem.objects.count(), OrderEvent.objects.count(),
                      Customer.objects.count())
    writes = [q["sql"] for q in ctx.captured_queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []


def test_a_changed_order_is_updated_and_its_status_change_recorded(account):
    upsert(account, [external_order(1)])
    changed = replace(external_order(1), progress_status="", status="CANCELED", notes="dibatalkan pembeli")

    counts = upsert(account, [changed])

    order = Order.objects.get(external_id="1001")
    assert (counts.created, counts.updated) == (0, 1)
    assert order.status == "canceled" and order.notes == "dibatalkan pembeli"
    assert list(order.events.values_list("from_status", "to_status")) == [("", "new"), ("new", "canceled")]
    assert order.items.count() == 1


def test_an_unknown_platform_status_is_flagged_not_guessed(account):
    counts = upsert(account, [external_order(1, status="TELEPORTED")])

    order = Order.objects.get(external_id="1001")
    assert order.status_unmapped and order.platform_status == "TELEPORTED"
    assert counts.flagged == ["1001"]


def test_orders_of_one_phone_share_one_customer(account):
    upsert(account, [external_order(1, phone="+6281299990000"), external_order(2, phone="+6281299990000"),
                     external_order(3, phone="")])

    assert Customer.objects.filter(phone="+6281299990000").count() == 1
    assert Customer.objects.filter(seller=account.seller).count() == 2


def test_queries_per_page_do_not_grow_with_the_page(account):
    upsert(account, [external_order(0)])  # couriers and mappings warm
    with CaptureQueriesContext(connection) as small:
        upsert(account, [external_order(n) for n in range(1, 6)])
    with CaptureQueriesContext(connection) as large:
        upsert(account, [external_order(n) for n in range(100, 200)])
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.django_db
def test_stock_deltas_give_the_same_levels_in_one_statement_or_row_by_row():
    from catalog.models import StockLevel
    from orders.sync import stock_apply_deltas, stock_apply_deltas_per_row
    from tests.factories import StockLevelFactory

    one, two = StockLevelFactory(on_hand=10, reserved=2), StockLevelFactory(on_hand=5, reserved=0)
    stock_apply_deltas({(one.variant_id, one.warehouse_id): (0, 3), (two.variant_id, two.warehouse_id): (-1, 0)})
    stock_apply_deltas_per_row([(one.variant_id, one.warehouse_id, -2, -2), (two.variant_id, two.warehouse_id, 0, 4)])
    levels = {level.pk: (level.on_hand, level.reserved) for level in StockLevel.objects.all()}
    assert levels == {one.pk: (8, 3), two.pk: (4, 4)}
