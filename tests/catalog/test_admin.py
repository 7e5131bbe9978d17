"""Catalog admin screens: every page opens with data present; stock and SKU rules hold through the forms."""

import pytest
from django.urls import reverse

from catalog.models import Category, Listing, Product, StockLevel, StockMovement, Variant, Warehouse
from catalog.services import stock_adjust
from tests.factories import (
    CategoryFactory,
    PlatformAccountFactory,
    ProductFactory,
    StockLevelFactory,
    VariantFactory,
    WarehouseFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog_data():
    level = StockLevelFactory(on_hand=10)
    stock_adjust(variant=level.variant, warehouse=level.warehouse, on_hand_delta=2, reason="receipt",
                 reference="PO-7")
    child = CategoryFactory(parent=level.variant.product.category, name="Anak")
    return {"level": level, "variant": level.variant, "product": level.variant.product,
            "warehouse": level.warehouse, "category": child, "movement": StockMovement.objects.get()}


def _url(model, action, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


@pytest.mark.parametrize(("model", "key"), [
    (Category, "category"), (Warehouse, "warehouse"), (Product, "product"), (Variant, "variant"),
    (StockLevel, "level"), (StockMovement, "movement"),
])
def test_catalog_admin_pages_open(admin_client_logged_in, catalog_data, model, key):
    client = admin_client_logged_in
    assert client.get(_url(model, "changelist")).status_code == 200
    assert client.get(_url(model, "change", catalog_data[key].pk)).status_code == 200
    if model is not StockMovement:
        assert client.get(_url(model, "add")).status_code == 200


def test_listing_admin_pages_open(admin_client_logged_in):
    variant = VariantFactory()
    listing = Listing.objects.create(account=PlatformAccountFactory(), product=variant.product,
                                     variant=variant, external_id="L-1", last_error="HTTP 500 dari platform")
    client = admin_client_logged_in
    response = client.get(_url(Listing, "changelist"))
    assert response.status_code == 200 and "HTTP 500 dari platform" in response.content.decode()
    assert client.get(_url(Listing, "change", listing.pk)).status_code == 200
    assert client.get(_url(Listing, "add")).status_code == 200


def test_stock_movements_are_read_only_in_the_admin(admin_client_logged_in, catalog_data):
    assert admin_client_logged_in.get(_url(StockMovement, "add")).status_code == 403
    response = admin_client_logged_in.post(_url(StockMovement, "delete", catalog_data["movement"].pk),
                                           {"post": "yes"})
    assert response.status_code == 403
    assert StockMovement.objects.count() == 1


def test_stock_movement_search_by_reference_and_sku(admin_client_logged_in, catalog_data):
    url = _url(StockMovement, "changelist")
    assert admin_client_logged_in.get(url, {"q": "PO-7"}).context["cl"].result_count == 1
    assert admin_client_logged_in.get(url, {"q": catalog_data["variant"].sku}).context["cl"].result_count == 1
    assert admin_client_logged_in.get(url, {"q": "PO-"}).context["cl"].result_count == 0


def test_editing_on_hand_writes_a_stock_movement(admin_client_logged_in, catalog_data, superuser):
    level = catalog_data["level"]
    response = admin_client_logged_in.post(_url(StockLevel, "change", level.pk),
                                           {"on_hand": "7", "reason": "adjustment", "note": "stock opname"})
    assert response.status_code == 302
    level.refresh_from_db()
    assert level.on_hand == 7
    movement = StockMovement.objects.latest("id")
    assert (movement.on_hand_delta, movement.reason, movement.note, movement.actor) == (
        -5, "adjustment", "stock opname", superuser)


def test_negative_on_hand_is_refused_with_a_message(admin_client_logged_in, catalog_data):
    level = catalog_data["level"]
    response = admin_client_logged_in.post(_url(StockLevel, "change", level.pk),
                                           {"on_hand": "-1", "reason": "adjustment"})
    assert response.status_code == 200
    assert "Stock cannot be negative" in response.content.decode()
    level.refresh_from_db()
    assert level.on_hand == 12
    assert StockMovement.objects.count() == 1


def test_on_hand_below_reserved_is_refused(admin_client_logged_in):
    level = StockLevelFactory(on_hand=5, reserved=4)
    response = admin_client_logged_in.post(_url(StockLevel, "change", level.pk),
                                           {"on_hand": "3", "reason": "adjustment"})
    assert response.status_code == 200
    assert "below what is reserved" in response.content.decode()
    level.refresh_from_db()
    assert level.on_hand == 5


def test_adding_a_stock_level_records_the_initial_count(admin_client_logged_in):
    variant, warehouse = VariantFactory(), WarehouseFactory()
    response = admin_client_logged_in.post(_url(StockLevel, "add"), {
        "variant": variant.pk, "warehouse": warehouse.pk, "on_hand": "9", "reason": "adjustment"})
    assert response.status_code == 302
    assert StockLevel.objects.get(variant=variant, warehouse=warehouse).on_hand == 9
    assert StockMovement.objects.get().reason == "initial"


def test_low_stock_filter(admin_client_logged_in, settings):
    settings.LOW_STOCK_THRESHOLD = 3
    low = StockLevelFactory(on_hand=2)
    StockLevelFactory(on_hand=50)
    response = admin_client_logged_in.get(_url(StockLevel, "changelist"), {"low_stock": "low"})
    assert list(response.context["cl"].result_list) == [low]


def test_variant_admin_refuses_a_duplicate_sku(admin_client_logged_in):
    existing = VariantFactory(sku="KAOS-01")
    product = ProductFactory(seller=existing.seller)
    response = admin_client_logged_in.post(_url(Variant, "add"), {
        "product": product.pk, "sku": " KAOS-01 ", "name": "", "option_values": "{}", "price": "1000",
        "weight_grams": "100", "is_active": "on"})
    assert response.status_code == 200
    assert f"SKU KAOS-01 already exists for seller {existing.seller}" in response.content.decode()
    assert Variant.objects.count() == 1


def test_variant_admin_creates_through_the_service(admin_client_logged_in):
    product = ProductFactory()
    response = admin_client_logged_in.post(_url(Variant, "add"), {
        "product": product.pk, "sku": " KAOS-02 ", "name": "Biru", "option_values": "{}", "price": "1000",
        "weight_grams": "100", "is_active": "on"})
    assert response.status_code == 302
    variant = Variant.objects.get()
    assert (variant.sku, variant.seller_id) == ("KAOS-02", product.seller_id)


def _product_form(product_fields: dict, variants: list[dict], initial: int = 0) -> dict:
    data = {**product_fields, "variants-TOTAL_FORMS": str(len(variants)),
            "variants-INITIAL_FORMS": str(initial), "variants-MIN_NUM_FORMS": "0",
            "variants-MAX_NUM_FORMS": "1000"}
    for index, variant in enumerate(variants):
        for key, value in variant.items():
            data[f"variants-{index}-{key}"] = value
    return data


def test_product_add_with_variant_inline_copies_the_seller(admin_client_logged_in):
    seller = VariantFactory().seller
    data = _product_form(
        {"seller": seller.pk, "name": "Kemeja", "description": "", "brand": "", "status": "active"},
        [{"sku": " KMJ-M ", "name": "M", "option_values": "{}", "price": "120000", "weight_grams": "250",
          "is_active": "on"}],
    )
    response = admin_client_logged_in.post(_url(Product, "add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    variant = Variant.objects.get(sku="KMJ-M")
    assert variant.seller_id == seller.pk


def test_product_inline_refuses_a_duplicate_sku(admin_client_logged_in):
    existing = VariantFactory(sku="DUP-1")
    data = _product_form(
        {"seller": existing.seller.pk, "name": "Kemeja", "description": "", "brand": "", "status": "active"},
        [{"sku": "DUP-1", "name": "", "option_values": "{}", "price": "1", "weight_grams": "1",
          "is_active": "on"}],
    )
    response = admin_client_logged_in.post(_url(Product, "add"), data)
    assert response.status_code == 200
    assert "SKU DUP-1 already exists for seller" in response.content.decode()
    assert Product.objects.count() == 1
