"""Order creation, the order state machine and the stock it moves."""

from decimal import Decimal

import pytest

from catalog.models import StockLevel, StockMovement
from catalog.services import StockAdjustmentRefused
from common.exceptions import TransitionNotAllowed
from orders.models import Customer, Order, OrderEvent, OrderStatus
from orders.services import (
    ORDER_SYNC_TRANSITIONS,
    ORDER_TRANSITIONS,
    OrderAlreadyExists,
    OrderInvalid,
    order_apply_platform_payment_status,
    order_apply_platform_status,
    order_cancel,
    order_create,
    order_recalculate_totals,
    order_transition,
)
from tests.factories import (
    OrderFactory,
    OrderItemFactory,
    PlatformAccountFactory,
    ProductFactory,
    SellerFactory,
    StockLevelFactory,
    VariantFactory,
    WarehouseFactory,
)

pytestmark = pytest.mark.django_db

ALL = list(OrderStatus.values)
ALLOWED = [(a, b) for a, targets in ORDER_TRANSITIONS.items() for b in sorted(targets)]
REFUSED = [(a, b) for a in ALL for b in ALL if b not in ORDER_TRANSITIONS[a]]


def test_the_state_machine_covers_every_state_and_final_states_are_final():
    assert set(ORDER_TRANSITIONS) == set(ALL)
    for final in (OrderStatus.COMPLETED, OrderStatus.RETURNED, OrderStatus.CANCELED):
        assert ORDER_TRANSITIONS[final] == set()


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_allowed_transition_moves_the_order_and_writes_an_event(current, target, staff_user):
    order = OrderFactory(status=current)
    moved = order_transition(order=order, to_status=target, acting_user=staff_user, note="cek")
    order.refresh_from_db()
    assert moved.status == order.status == target
    event = OrderEvent.objects.get(order=order)
    assert (event.from_status, event.to_status, event.actor, event.source, event.note) == (
        current, target, staff_user, "staff", "cek")


@pytest.mark.parametrize(("current", "target"), REFUSED)
def test_refused_transition_changes_nothing(current, target, staff_user):
    order = OrderFactory(status=current)
    with pytest.raises(TransitionNotAllowed) as refusal:
        order_transition(order=order, to_status=target, acting_user=staff_user)
    assert order.order_no in refusal.value.message
    order.refresh_from_db()
    assert order.status == current
    assert not OrderEvent.objects.exists()


def test_sync_may_skip_states_forward_but_never_go_back():
    assert OrderStatus.SHIPPED in ORDER_SYNC_TRANSITIONS[OrderStatus.NEW]
    assert OrderStatus.COMPLETED in ORDER_SYNC_TRANSITIONS[OrderStatus.DRAFT]
    assert OrderStatus.NEW not in ORDER_SYNC_TRANSITIONS[OrderStatus.SHIPPED]
    assert ORDER_SYNC_TRANSITIONS[OrderStatus.CANCELED] == set()


# ----------------------------------------------------------------------------------------------- creation


@pytest.fixture
def stocked():
    seller = SellerFactory()
    warehouse = WarehouseFactory()
    product = ProductFactory(seller=seller, name="Kaos Polos")
    red = VariantFactory(product=product, sku="KP-RED", name="Merah", price=Decimal("85000"),
                         weight_grams=200)
    blue = VariantFactory(product=product, sku="KP-BLUE", name="Biru", price=Decimal("90000"),
                          weight_grams=210)
    StockLevelFactory(variant=red, warehouse=warehouse, on_hand=10)
    StockLevelFactory(variant=blue, warehouse=warehouse, on_hand=3)
    return {"seller": seller, "warehouse": warehouse, "red": red, "blue": blue}


def _create(stocked, **overrides):
    arguments = {
        "seller": stocked["seller"],
        "customer": {"name": "Siti", "phone": "0857-1234-5678", "city": "Bandung"},
        "items": [{"sku": "KP-RED", "quantity": 2}, {"sku": " KP-BLUE ", "quantity": 1, "discount": "5.000"}],
        "payment_method": "cod", "shipping_cost": "18.000", "cod_fee": 5000, "discount": 3000,
        "warehouse": stocked["warehouse"], "acting_user": None,
    }
    arguments.update(overrides)
    return order_create(**arguments)


def _level(variant, warehouse) -> StockLevel:
    return StockLevel.objects.get(variant=variant, warehouse=warehouse)


def test_order_create_computes_totals_normalises_the_phone_and_matches_skus(stocked):
    order = _create(stocked)
    assert order.subtotal == Decimal("255000")  # 2 × 85.000 + 90.000 − 5.000
    assert order.grand_total == Decimal("275000")  # 255.000 − 3.000 + 18.000 + 5.000
    assert order.customer.phone == "+6285712345678"
    items = {item.sku: item for item in order.items.all()}
    assert items["KP-RED"].variant == stocked["red"] and items["KP-BLUE"].variant == stocked["blue"]
    assert items["KP-RED"].weight_grams == 400
    assert items["KP-RED"].name == "Kaos Polos Merah"
    event = OrderEvent.objects.get(order=order)
    assert (event.from_status, event.to_status) == ("", "new")


def test_order_create_reserves_the_items_stock(stocked):
    order = _create(stocked)
    assert _level(stocked["red"], stocked["warehouse"]).reserved == 2
    assert _level(stocked["blue"], stocked["warehouse"]).reserved == 1
    assert set(StockMovement.objects.values_list("reference", "reason").distinct()) == {
        (order.order_no, "reservation")}


def test_order_create_does_not_match_another_sellers_sku(stocked):
    VariantFactory(sku="OTHER-1")  # another seller's variant with that SKU
    order = _create(stocked, items=[{"sku": "OTHER-1", "quantity": 1, "unit_price": 1000}])
    assert order.items.get().variant is None
    assert not StockMovement.objects.exists()


def test_order_create_reuses_the_customer_with_the_same_phone(stocked):
    first = _create(stocked)
    second = _create(stocked, customer={"name": "Siti R.", "phone": "+62 857 1234 5678"})
    assert first.customer_id == second.customer_id
    assert Customer.objects.count() == 1


def test_order_create_refuses_an_invalid_phone_and_creates_nothing(stocked):
    with pytest.raises(OrderInvalid, match="not a valid phone number"):
        _create(stocked, customer={"name": "Siti", "phone": "12"})
    assert not Order.objects.exists() and not Customer.objects.exists()


def test_order_create_refuses_an_unknown_sku_without_a_price(stocked):
    with pytest.raises(OrderInvalid, match="not in the catalog"):
        _create(stocked, items=[{"sku": "NOPE", "quantity": 1}])


def test_order_create_refuses_a_discount_larger_than_the_order(stocked):
    with pytest.raises(OrderInvalid, match="larger than the order"):
        _create(stocked, discount=1_000_000)
    assert not Order.objects.exists()


def test_order_create_refuses_bad_quantities_and_empty_orders(stocked):
    with pytest.raises(OrderInvalid, match="at least 1"):
        _create(stocked, items=[{"sku": "KP-RED", "quantity": 0}])
    with pytest.raises(OrderInvalid, match="at least one item"):
        _create(stocked, items=[])


def test_order_create_without_enough_stock_is_refused_and_leaves_nothing(stocked):
    with pytest.raises(StockAdjustmentRefused, match="KP-BLUE"):
        _create(stocked, items=[{"sku": "KP-RED", "quantity": 1}, {"sku": "KP-BLUE", "quantity": 4}])
    assert not Order.objects.exists()
    assert _level(stocked["red"], stocked["warehouse"]).reserved == 0
    assert not StockMovement.objects.exists()


def test_order_create_refuses_a_duplicate_external_order(stocked):
    account = PlatformAccountFactory()
    _create(stocked, account=account, external_id="NG-1")
    with pytest.raises(OrderAlreadyExists):
        _create(stocked, account=account, external_id="NG-1")
    assert Order.objects.count() == 1


def test_draft_order_reserves_when_it_becomes_new(stocked):
    order = _create(stocked, status=OrderStatus.DRAFT)
    assert not StockMovement.objects.exists()
    order_transition(order=order, to_status=OrderStatus.NEW, acting_user=None)
    assert _level(stocked["red"], stocked["warehouse"]).reserved == 2


# -------------------------------------------------------------------------------------------- stock moves


def test_cancel_releases_the_reserved_stock_in_the_same_transaction(stocked, staff_user):
    order = _create(stocked)
    order_transition(order=order, to_status=OrderStatus.PROCESSING, acting_user=staff_user)
    order_cancel(order=order, acting_user=staff_user, note="pembeli batal")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELED
    red, blue = _level(stocked["red"], stocked["warehouse"]), _level(stocked["blue"], stocked["warehouse"])
    assert (red.on_hand, red.reserved, blue.on_hand, blue.reserved) == (10, 0, 3, 0)
    releases = StockMovement.objects.filter(reason="release", reference=order.order_no)
    assert sorted(releases.values_list("reserved_delta", flat=True)) == [-2, -1]
    assert set(releases.values_list("actor", flat=True)) == {staff_user.pk}


def test_cancel_of_a_shipped_order_is_refused_and_keeps_the_stock(stocked, staff_user):
    order = _create(stocked)
    for status in (OrderStatus.PROCESSING, OrderStatus.READY_TO_SHIP, OrderStatus.SHIPPED):
        order_transition(order=order, to_status=status, acting_user=staff_user)
    with pytest.raises(TransitionNotAllowed):
        order_cancel(order=order, acting_user=staff_user)
    red = _level(stocked["red"], stocked["warehouse"])
    assert (red.on_hand, red.reserved) == (8, 0)  # shipped: the reservation left the warehouse
    assert not StockMovement.objects.filter(reason="release").exists()


def test_cancel_of_an_order_that_reserved_nothing_only_moves_the_state(staff_user):
    order = OrderFactory()
    OrderItemFactory(order=order, variant=VariantFactory())
    order_cancel(order=order, acting_user=staff_user)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELED
    assert not StockMovement.objects.exists()


def test_recalculate_totals_follows_the_items():
    order = OrderFactory()
    OrderItemFactory(order=order, line_total=Decimal("100000"), unit_price=Decimal("50000"))
    order_recalculate_totals(order=order)
    order.refresh_from_db()
    assert (order.subtotal, order.grand_total) == (Decimal("100000"), Decimal("123000"))


# -------------------------------------------------------------------------------------- platform statuses


def test_platform_status_moves_the_order_with_a_sync_event(status_vocabulary):
    order = OrderFactory(status=OrderStatus.NEW)
    order_apply_platform_status(order=order, platform="komship", platform_status="Dikirim")
    order.refresh_from_db()
    assert (order.status, order.platform_status, order.status_unmapped) == ("shipped", "Dikirim", False)
    event = OrderEvent.objects.get(order=order)
    assert (event.source, event.from_status, event.to_status) == ("sync", "new", "shipped")


def test_unknown_platform_status_flags_the_order_and_keeps_its_state(status_vocabulary):
    order = OrderFactory(status=OrderStatus.NEW)
    order_apply_platform_status(order=order, platform="komship", platform_status="Nyasar")
    order.refresh_from_db()
    assert (order.status, order.platform_status, order.status_unmapped) == ("new", "Nyasar", True)
    assert not OrderEvent.objects.exists()


def test_platform_status_going_backwards_is_refused(status_vocabulary):
    order = OrderFactory(status=OrderStatus.DELIVERED)
    with pytest.raises(TransitionNotAllowed):
        order_apply_platform_status(order=order, platform="komship", platform_status="Diajukan")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.DELIVERED


def test_platform_payment_status_is_mapped(status_vocabulary):
    order = OrderFactory()
    order_apply_platform_payment_status(order=order, platform="ngorder", platform_status="INSTALLMENT")
    assert Order.objects.get(pk=order.pk).payment_status == "partially_paid"
    order_apply_platform_payment_status(order=order, platform="ngorder", platform_status="???")
    assert Order.objects.get(pk=order.pk).status_unmapped is True
