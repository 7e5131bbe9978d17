"""Database constraints of the catalog: each one refuses the bad row on its own."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from catalog.models import Listing, Product, StockLevel, StockMovement
from tests.factories import (
    CategoryFactory,
    PlatformAccountFactory,
    ProductFactory,
    SellerFactory,
    StockLevelFactory,
    VariantFactory,
    WarehouseFactory,
)

pytestmark = pytest.mark.django_db


def _refused(create) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_sku_is_unique_per_seller():
    variant = VariantFactory(sku="KAOS-01")
    _refused(lambda: VariantFactory(product=ProductFactory(seller=variant.seller), sku="KAOS-01"))


def _refused_at_commit(create) -> None:
    """Foreign keys are checked when the transaction commits; SET CONSTRAINTS checks them now."""
    from django.db import connection

    def create_and_check():
        create()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    _refused(create_and_check)


def test_a_variant_carries_its_products_seller_and_an_existing_product():
    product = ProductFactory()
    VariantFactory(product=product)
    _refused_at_commit(lambda: VariantFactory(product=product, seller=SellerFactory()))
    _refused_at_commit(lambda: VariantFactory(product=Product(pk=product.pk + 1000, seller=product.seller)))


def test_same_sku_is_allowed_for_another_seller():
    VariantFactory(sku="KAOS-01")
    assert VariantFactory(sku="KAOS-01").pk


def test_variant_price_weight_and_sku_are_checked():
    _refused(lambda: VariantFactory(price=Decimal("-1")))
    _refused(lambda: VariantFactory(weight_grams=0))
    _refused(lambda: VariantFactory(sku=""))


def test_stock_level_is_unique_per_variant_and_warehouse():
    level = StockLevelFactory()
    _refused(lambda: StockLevelFactory(variant=level.variant, warehouse=level.warehouse))


def test_stock_level_on_hand_cannot_be_negative():
    _refused(lambda: StockLevelFactory(on_hand=-1))


def test_stock_level_reserved_cannot_be_negative():
    _refused(lambda: StockLevelFactory(on_hand=5, reserved=-1))


def test_stock_level_cannot_reserve_more_than_on_hand():
    _refused(lambda: StockLevelFactory(on_hand=2, reserved=3))


def test_stock_level_available_is_computed_by_the_database():
    level = StockLevelFactory(on_hand=10, reserved=3)
    level.refresh_from_db()
    assert level.available == 7
    assert StockLevel.objects.filter(available=7).count() == 1


def test_stock_movement_must_change_something():
    level = StockLevelFactory()
    _refused(lambda: StockMovement.objects.create(variant=level.variant, warehouse=level.warehouse,
                                                  reason=StockMovement.Reason.ADJUSTMENT))


def test_private_warehouse_needs_a_seller_and_fulfilment_has_none():
    _refused(lambda: WarehouseFactory(kind="private", seller=None))
    _refused(lambda: WarehouseFactory(kind="fulfilment", seller=SellerFactory()))
    assert WarehouseFactory(kind="private", seller=SellerFactory()).pk


def test_category_name_is_unique_within_its_parent():
    parent = CategoryFactory(name="Pakaian")
    CategoryFactory(parent=parent, name="Kaos")
    _refused(lambda: CategoryFactory(parent=parent, name="Kaos"))


def test_category_cannot_be_its_own_parent():
    category = CategoryFactory()
    category.parent_id = category.pk
    _refused(lambda: category.save())


def test_listing_external_id_is_unique_per_account():
    account = PlatformAccountFactory()
    variant = VariantFactory()
    Listing.objects.create(account=account, product=variant.product, variant=variant, external_id="P-1")
    other = VariantFactory(product=variant.product)
    _refused(lambda: Listing.objects.create(account=account, product=variant.product, variant=other,
                                            external_id="P-1"))


def test_listing_is_unique_per_account_and_variant():
    account = PlatformAccountFactory()
    variant = VariantFactory()
    Listing.objects.create(account=account, product=variant.product, variant=variant)
    _refused(lambda: Listing.objects.create(account=account, product=variant.product, variant=variant))
