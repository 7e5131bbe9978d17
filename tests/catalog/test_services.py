"""Stock changes and SKU rules of catalog.services."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from catalog.models import StockLevel, StockMovement, Variant
from catalog.selectors import stock_level_list_low, stock_reserved_for_reference
from catalog.services import (
    SkuAlreadyExists,
    StockAdjustmentRefused,
    VariantInvalid,
    product_create,
    stock_adjust,
    stock_release,
    stock_reserve,
    stock_set_on_hand,
    stock_ship,
    variant_create,
    variant_update,
)
from tests.factories import ProductFactory, SellerFactory, StockLevelFactory, VariantFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


def _level(variant, warehouse) -> StockLevel:
    return StockLevel.objects.get(variant=variant, warehouse=warehouse)


def test_stock_adjust_creates_the_missing_level_and_writes_a_movement(staff_user):
    variant, warehouse = VariantFactory(), WarehouseFactory()
    level = stock_adjust(variant=variant, warehouse=warehouse, on_hand_delta=12,
                         reason=StockMovement.Reason.RECEIPT, reference="PO-1", acting_user=staff_user)
    assert (level.on_hand, level.reserved, level.available) == (12, 0, 12)
    movement = StockMovement.objects.get()
    assert (movement.on_hand_delta, movement.reserved_delta, movement.reason, movement.reference,
            movement.actor) == (12, 0, "receipt", "PO-1", staff_user)


def test_stock_adjust_refuses_negative_on_hand_and_changes_nothing(staff_user):
    level = StockLevelFactory(on_hand=3)
    with pytest.raises(StockAdjustmentRefused) as refusal:
        stock_adjust(variant=level.variant, warehouse=level.warehouse, on_hand_delta=-5,
                     reason=StockMovement.Reason.ADJUSTMENT, acting_user=staff_user)
    message = refusal.value.message
    assert level.variant.sku in message and level.warehouse.code in message
    assert "3 on hand" in message and "-5" in message
    level.refresh_from_db()
    assert level.on_hand == 3
    assert not StockMovement.objects.exists()


def test_stock_adjust_refuses_negative_reserved_and_changes_nothing():
    level = StockLevelFactory(on_hand=3, reserved=1)
    with pytest.raises(StockAdjustmentRefused, match="Reserved stock"):
        stock_adjust(variant=level.variant, warehouse=level.warehouse, reserved_delta=-2,
                     reason=StockMovement.Reason.RELEASE)
    level.refresh_from_db()
    assert (level.on_hand, level.reserved) == (3, 1)
    assert not StockMovement.objects.exists()


def test_stock_adjust_refuses_reserving_more_than_on_hand():
    level = StockLevelFactory(on_hand=3, reserved=2)
    with pytest.raises(StockAdjustmentRefused, match="Not enough stock"):
        stock_reserve(variant=level.variant, warehouse=level.warehouse, quantity=2)
    level.refresh_from_db()
    assert level.reserved == 2
    assert not StockMovement.objects.exists()


def test_stock_adjust_refuses_lowering_on_hand_below_reserved():
    level = StockLevelFactory(on_hand=5, reserved=4)
    with pytest.raises(StockAdjustmentRefused):
        stock_adjust(variant=level.variant, warehouse=level.warehouse, on_hand_delta=-2,
                     reason=StockMovement.Reason.ADJUSTMENT)
    level.refresh_from_db()
    assert level.on_hand == 5


def test_refused_adjustment_of_a_missing_level_leaves_no_row():
    variant, warehouse = VariantFactory(), WarehouseFactory()
    with pytest.raises(StockAdjustmentRefused):
        stock_adjust(variant=variant, warehouse=warehouse, on_hand_delta=-1, reason="adjustment")
    assert not StockLevel.objects.exists()


def test_stock_adjust_refuses_zero_change_and_unknown_reason():
    level = StockLevelFactory()
    with pytest.raises(StockAdjustmentRefused, match="both changes are zero"):
        stock_adjust(variant=level.variant, warehouse=level.warehouse, reason="adjustment")
    with pytest.raises(StockAdjustmentRefused, match="not a stock movement reason"):
        stock_adjust(variant=level.variant, warehouse=level.warehouse, on_hand_delta=1, reason="gift")
    assert not StockMovement.objects.exists()


def test_stock_adjust_refuses_another_sellers_private_warehouse():
    variant = VariantFactory()
    warehouse = WarehouseFactory(kind="private", seller=SellerFactory())
    with pytest.raises(StockAdjustmentRefused, match="private warehouse"):
        stock_adjust(variant=variant, warehouse=warehouse, on_hand_delta=1, reason="receipt")


def test_reserve_release_and_ship_move_on_hand_and_reserved():
    level = StockLevelFactory(on_hand=10)
    variant, warehouse = level.variant, level.warehouse
    assert stock_reserve(variant=variant, warehouse=warehouse, quantity=4, reference="INV-1").available == 6
    assert stock_release(variant=variant, warehouse=warehouse, quantity=1, reference="INV-1").reserved == 3
    shipped = stock_ship(variant=variant, warehouse=warehouse, quantity=3, reference="INV-1")
    assert (shipped.on_hand, shipped.reserved) == (7, 0)
    assert list(StockMovement.objects.order_by("id").values_list("reason", flat=True)) == [
        "reservation", "release", "shipment"]
    assert stock_reserved_for_reference(reference="INV-1") == {}


def test_reserve_refuses_a_non_positive_quantity():
    level = StockLevelFactory()
    with pytest.raises(StockAdjustmentRefused, match="more than zero"):
        stock_reserve(variant=level.variant, warehouse=level.warehouse, quantity=0)


def test_stock_reserved_for_reference_sums_what_is_still_held():
    level = StockLevelFactory(on_hand=10)
    stock_reserve(variant=level.variant, warehouse=level.warehouse, quantity=4, reference="INV-9")
    stock_release(variant=level.variant, warehouse=level.warehouse, quantity=1, reference="INV-9")
    assert stock_reserved_for_reference(reference="INV-9") == {(level.variant_id, level.warehouse_id): 3}


def test_set_on_hand_records_the_difference_and_nothing_when_equal(staff_user):
    level = StockLevelFactory(on_hand=10)
    stock_set_on_hand(variant=level.variant, warehouse=level.warehouse, on_hand=7, acting_user=staff_user)
    assert StockMovement.objects.get().on_hand_delta == -3
    stock_set_on_hand(variant=level.variant, warehouse=level.warehouse, on_hand=7, acting_user=staff_user)
    assert StockMovement.objects.count() == 1


def test_low_stock_selector_uses_the_threshold(settings):
    settings.LOW_STOCK_THRESHOLD = 5
    low = StockLevelFactory(on_hand=5)
    StockLevelFactory(on_hand=6)
    assert list(stock_level_list_low()) == [low]


@pytest.mark.django_db(transaction=True)
def test_concurrent_reservations_never_oversell():
    level = StockLevelFactory(on_hand=5)
    outcomes = []

    def reserve():
        try:
            stock_reserve(variant=level.variant, warehouse=level.warehouse, quantity=1, reference="race")
            outcomes.append("ok")
        except StockAdjustmentRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=reserve) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    level.refresh_from_db()
    assert outcomes.count("ok") == 5 and outcomes.count("refused") == 3
    assert level.reserved == 5
    assert StockMovement.objects.filter(reference="race").count() == 5


# ------------------------------------------------------------------------------------------- products, SKUs


def test_variant_create_trims_the_sku_and_copies_the_seller():
    product = ProductFactory()
    variant = variant_create(product=product, sku="  KAOS-XL  ", price="Rp 85.000", weight_grams=200)
    assert variant.sku == "KAOS-XL"
    assert variant.seller_id == product.seller_id
    assert variant.price == Decimal("85000")


def test_variant_create_refuses_a_duplicate_sku_of_the_same_seller():
    existing = VariantFactory(sku="KAOS-XL")
    product = ProductFactory(seller=existing.seller)
    with pytest.raises(SkuAlreadyExists) as refusal:
        variant_create(product=product, sku=" KAOS-XL", price=1000, weight_grams=100)
    assert refusal.value.message == f"SKU KAOS-XL already exists for seller {existing.seller}."
    assert Variant.objects.count() == 1


def test_variant_create_refuses_blank_sku_negative_price_and_zero_weight():
    product = ProductFactory()
    with pytest.raises(VariantInvalid, match="SKU must not be empty"):
        variant_create(product=product, sku="   ", price=1000, weight_grams=100)
    with pytest.raises(VariantInvalid, match="cannot be negative"):
        variant_create(product=product, sku="A", price=-1, weight_grams=100)
    with pytest.raises(VariantInvalid, match="more than zero grams"):
        variant_create(product=product, sku="A", price=1, weight_grams=0)
    assert not Variant.objects.exists()


def test_variant_update_refuses_taking_another_variants_sku():
    first = VariantFactory(sku="A-1")
    second = VariantFactory(product=first.product, sku="A-2")
    with pytest.raises(SkuAlreadyExists):
        variant_update(variant=second, sku="A-1")
    second.refresh_from_db()
    assert second.sku == "A-2"
    assert variant_update(variant=second, sku=" A-3 ", price=5000).sku == "A-3"


def test_product_create_with_variants_is_all_or_nothing():
    seller = SellerFactory()
    product = product_create(seller=seller, name="Kemeja Batik", variants=[
        {"sku": "BTK-M", "price": 150000, "weight_grams": 300, "name": "M"},
        {"sku": "BTK-L", "price": 150000, "weight_grams": 320, "name": "L"},
    ])
    assert sorted(product.variants.values_list("sku", flat=True)) == ["BTK-L", "BTK-M"]
    with pytest.raises(SkuAlreadyExists):
        product_create(seller=seller, name="Kemeja Lain", variants=[
            {"sku": "NEW-1", "price": 1, "weight_grams": 1},
            {"sku": "BTK-M", "price": 1, "weight_grams": 1},
        ])
    assert not Variant.objects.filter(sku="NEW-1").exists()
    assert seller.products.count() == 1


def test_product_create_refuses_the_same_sku_twice_in_one_call():
    with pytest.raises(SkuAlreadyExists, match="given twice"):
        product_create(seller=SellerFactory(), name="X", variants=[
            {"sku": "D", "price": 1, "weight_grams": 1}, {"sku": " D", "price": 1, "weight_grams": 1}])
