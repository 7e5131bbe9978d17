"""Database constraints of orders: each one refuses the bad row on its own."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from orders.models import StatusMapping
from tests.factories import CustomerFactory, OrderFactory, OrderItemFactory, PlatformAccountFactory

pytestmark = pytest.mark.django_db


def _refused(create) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_grand_total_must_add_up():
    # 170.000 − 0 + 18.000 + 5.000 = 193.000; anything else is refused by the database.
    assert OrderFactory(grand_total=Decimal("193000")).pk
    _refused(lambda: OrderFactory(grand_total=Decimal("190000")))
    _refused(lambda: OrderFactory(discount=Decimal("3000"), grand_total=Decimal("193000")))
    assert OrderFactory(discount=Decimal("3000"), grand_total=Decimal("190000")).pk


def test_order_amounts_cannot_be_negative():
    _refused(lambda: OrderFactory(subtotal=Decimal("-1"), shipping_cost=Decimal("0"), cod_fee=Decimal("0"),
                                  grand_total=Decimal("-1")))
    _refused(lambda: OrderFactory(shipping_cost=Decimal("-5000"), cod_fee=Decimal("0"),
                                  grand_total=Decimal("165000")))


def test_order_number_of_a_local_order_is_unique_per_seller():
    first = OrderFactory(order_no="INV/1")
    _refused(lambda: OrderFactory(order_no="INV/1", seller=first.seller, customer=first.customer))
    assert OrderFactory(order_no="INV/1").pk  # another seller may use the same number


def test_platform_orders_keep_the_platform_number_even_when_two_accounts_share_it():
    first = OrderFactory(order_no="INV.2021.01.18.505", account=PlatformAccountFactory(), external_id="1")
    second = OrderFactory(order_no="INV.2021.01.18.505", account=PlatformAccountFactory(), external_id="1",
                          seller=first.seller, customer=first.customer)
    assert second.pk != first.pk


def test_external_id_is_unique_per_account():
    account = PlatformAccountFactory()
    OrderFactory(account=account, external_id="KOM-1")
    _refused(lambda: OrderFactory(account=account, external_id="KOM-1"))
    assert OrderFactory(account=PlatformAccountFactory(), external_id="KOM-1").pk


def test_external_id_may_repeat_without_an_account_or_when_blank():
    OrderFactory(external_id="X-1")
    assert OrderFactory(external_id="X-1").pk
    account = PlatformAccountFactory()
    OrderFactory(account=account, external_id="")
    assert OrderFactory(account=account, external_id="").pk


def test_customer_phone_must_be_e164():
    _refused(lambda: CustomerFactory(phone="081234567890"))
    assert CustomerFactory(phone="").pk
    assert CustomerFactory(phone="+6281234567890").pk


def test_order_item_quantity_must_be_positive_and_amounts_not_negative():
    _refused(lambda: OrderItemFactory(quantity=0))
    _refused(lambda: OrderItemFactory(unit_price=Decimal("-1")))
    _refused(lambda: OrderItemFactory(line_total=Decimal("-1")))


def test_status_mapping_is_unique_per_platform_kind_and_word_ignoring_case():
    StatusMapping.objects.create(platform="komship", kind="order", platform_status="Zzz", our_status="new")
    _refused(lambda: StatusMapping.objects.create(platform="komship", kind="order", platform_status="Zzz",
                                                  our_status="shipped"))
    _refused(lambda: StatusMapping.objects.create(platform="komship", kind="order", platform_status="zZZ",
                                                  our_status="shipped"))
    assert StatusMapping.objects.create(platform="komship", kind="shipment", platform_status="Zzz",
                                        our_status="pending").pk
    assert StatusMapping.objects.create(platform="scalev", kind="order", platform_status="Zzz",
                                        our_status="new").pk
