"""Scalev mappers against the samples printed in the documents (samples/, copied verbatim)."""

import copy
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from integrations.base import (
    ExternalCustomer,
    OrderItemPayload,
    OrderPayload,
    ProductPayload,
    StockUpdate,
    VariantPayload,
)
from integrations.exceptions import ProviderContractChanged
from integrations.scalev import mappers
from integrations.scalev.endpoints import METADATA_ORDER_NO_KEY, METADATA_STOCK_KEY
from tests.integrations.scalev import openapi_check
from tests.integrations.scalev.conftest import sample

MONEY_PLACEHOLDERS = ("gross_revenue", "net_payment_revenue", "discount_code_discount", "cogs", "scalev_fee",
                      "shipping_cost", "product_price", "product_discount", "shipping_discount", "other_income",
                      "net_revenue", "payment_fee", "unique_code_discount")


def _with_amounts(row: dict) -> dict:
    """The seed prints the type name "string" where a decimal string goes: put amounts there."""
    row = copy.deepcopy(row)
    for key in MONEY_PLACEHOLDERS:
        if row.get(key) == "string":
            row[key] = "150000.00" if key in ("gross_revenue", "net_payment_revenue") else "0.00"
    return row


def test_seed_list_row_with_placeholder_money_is_a_contract_change():
    row = sample("seed_orders_list.response.json")["data"][0]
    with pytest.raises(ProviderContractChanged) as caught:
        mappers.order_from_scalev(row)
    assert caught.value.payload is row


def test_seed_list_row_maps_with_older_shapes():
    row = _with_amounts(sample("seed_orders_list.response.json")["data"][0])
    order = mappers.order_from_scalev(row)
    assert order.external_id == "0"  # the seed's integer id, kept as text
    assert order.payment_method == "e_payment"  # "va" + sub_payment_method "BCA"
    assert order.status == "draft" and order.payment_status == "unpaid"
    assert order.items == () and order.items_complete is False  # list rows carry no orderlines
    assert order.created_at == datetime(2019, 8, 24, 14, 15, 22, tzinfo=UTC)
    assert order.customer.phone == ""  # "string" is no phone: blank, the order still maps
    assert order.grand_total == Decimal("150000.00")
    assert order.courier_code == "string" and order.awb == "string"


def test_seed_detail_maps_items():
    order = mappers.order_from_scalev(_with_amounts(sample("seed_order_detail.response.json")))
    assert order.items_complete is True and len(order.items) == 1
    item = order.items[0]
    assert item.sku == "string" and item.quantity == 0 and item.external_variant_id == "0"


def test_current_spec_shapes_uuid_and_flat_payment_method():
    row = _with_amounts(sample("seed_orders_list.response.json")["data"][0])
    row.pop("sub_payment_method")
    row.update({"id": "01948092-9b80-7f91-b23d-1a8686278331", "payment_method": "va_bca"})
    order = mappers.order_from_scalev(row)
    assert order.external_id == "01948092-9b80-7f91-b23d-1a8686278331"
    assert order.payment_method == "e_payment"


@pytest.mark.parametrize(("word", "sub", "ours"), [
    ("cod", None, "cod"), ("bank_transfer", None, "bank_transfer"), ("no_payment", None, "bank_transfer"),
    ("va", "BCA", "e_payment"), ("va_bca", None, "e_payment"), ("va_sahabat_sampoerna", None, "e_payment"),
    ("qris", None, "e_payment"), ("invoice", None, "e_payment"), ("payment_link", None, "e_payment"),
    ("ewallet", None, "e_payment"), ("indomaret", None, "e_payment"), ("marketplace", None, "e_payment"),
    (None, None, "bank_transfer"),
])
def test_payment_methods_onto_ours(word, sub, ours):
    assert mappers.payment_method_ours(word, sub) == ours


def test_unknown_payment_method_is_a_contract_change():
    row = _with_amounts(sample("seed_orders_list.response.json")["data"][0])
    row["payment_method"] = "crypto"
    with pytest.raises(ProviderContractChanged):
        mappers.order_from_scalev(row)


def test_webhook_order_snapshot_maps_fully():
    order = mappers.order_from_scalev(sample("webhook_order_created.data.json"))
    assert order.external_id == "01948092-9b80-7f91-b23d-1a8686278331"
    assert order.order_no == "250130JQHFZG"
    assert order.status == "pending" and order.payment_status == "unpaid"
    assert order.payment_method == "bank_transfer"
    assert order.customer == ExternalCustomer(
        name="Example Person", phone="+628112345678", email="testing@example.com",
        address="This is not a real address.", district="Gayungan", city="Kota Surabaya", province="Jawa Timur",
        postal_code="")
    assert order.subtotal == Decimal("150000.00") and order.grand_total == Decimal("168724.00")
    assert order.shipping_cost == Decimal("19000.00") and order.discount == Decimal("276.00")
    assert order.courier_code == "ninja" and order.courier_service == "Standard"
    (item,) = order.items
    assert (item.sku, item.quantity, item.unit_price, item.line_total, item.weight_grams) == (
        "BCF009", 1, Decimal("150000.00"), Decimal("150000.00"), 500)
    assert item.external_variant_id == "variant_Wifko5BIJbnQoo9LPAiJ63Kv"
    assert order.created_at == datetime(2025, 1, 29, 20, 28, 8, tzinfo=UTC)
    assert order.notes == "Example notes."


def test_timestamps_without_zone_are_wib_and_phones_normalise():
    assert mappers.timestamp("2025-01-29 20:28:08") == datetime(2025, 1, 29, 13, 28, 8, tzinfo=UTC)
    assert mappers.timestamp("2025-01-29T20:28:25.046183Z").tzinfo is not None
    assert mappers.phone("081234567890") == "+6281234567890"
    assert mappers.phone("6281234567890") == "+6281234567890"
    assert mappers.phone("not a phone") == ""


def _order_payload(**overrides) -> OrderPayload:
    values = dict(
        order_no="BO-1", payment_method="e_payment",
        customer=ExternalCustomer(name="Dewi Lestari", phone="+6281234567890", email="dewi@example.com",
                                  address="Jl. Melati No. 3", district="Coblong", city="Kota Bandung",
                                  province="Jawa Barat", postal_code="40132"),
        items=(OrderItemPayload(sku="KAOS-HTM-M", name="Kaos", quantity=2, unit_price=Decimal("75000"),
                                weight_grams=200, external_variant_id="variant_abc123"),),
        subtotal=Decimal("150000"), grand_total=Decimal("159000"), shipping_cost=Decimal("9000"),
        discount=Decimal("5000.50"), notes="Kirim sore",
    )
    values.update(overrides)
    return OrderPayload(**values)


def test_order_create_body_is_valid_and_uses_the_seed_request_fields():
    body = mappers.order_create_body(_order_payload(), store_unique_id="store_X1", options={})
    openapi_check.validate_request("POST", "http://x/v3/orders", body=body)
    seed_request = sample("seed_order_create.request.json")
    assert set(body) <= set(seed_request)
    assert body["customer_phone"] == "6281234567890"  # as Scalev prints phones
    assert body["payment_method"] == "invoice"  # e_payment: account option, default invoice
    assert body["ordervariants"] == [{"quantity": 2, "variant_unique_id": "variant_abc123"}]
    assert body["metadata"] == {METADATA_ORDER_NO_KEY: "BO-1"}
    assert body["shipping_cost"] == 9000 and body["product_discount"] == 5000.5
    assert "Kota Bandung" in body["address"] and body["postal_code"] == "40132"


def test_order_create_body_cod_fee_and_missing_variant():
    body = mappers.order_create_body(_order_payload(payment_method="cod", cod_fee=Decimal("4500")),
                                     store_unique_id="store_X1", options={"warehouse_unique_id": "warehouse_W"})
    openapi_check.validate_request("POST", "http://x/v3/orders", body=body)
    assert body["payment_method"] == "cod" and body["other_income"] == 4500
    assert body["warehouse_unique_id"] == "warehouse_W"
    item = OrderItemPayload(sku="X", name="X", quantity=1, unit_price=Decimal(1), weight_grams=1)
    with pytest.raises(mappers.MappingError):
        mappers.order_create_body(_order_payload(items=(item,)), store_unique_id="s", options={})


def test_seed_change_status_and_delete_requests_are_valid_against_the_current_spec():
    seed_body = sample("seed_order_change_status.request.json")
    assert seed_body["payment_method"] == "va"  # the seed's older method word: the current spec says va_<bank>
    with pytest.raises(Exception, match="is not one of"):
        openapi_check.validate_request("POST", "http://x/v3/orders/change-status", body=seed_body)
    openapi_check.validate_request("POST", "http://x/v3/orders/change-status",
                                   body={**seed_body, "payment_method": "va_bca"})
    openapi_check.validate_request("POST", "http://x/v3/orders/delete", body=sample("seed_orders_delete.request.json"))
    assert {mappers.scalev_status(s) for s in ("new", "processing", "ready_to_ship", "shipped", "completed",
                                                "returned", "canceled", "draft", "delivered")} <= {
        "draft", "pending", "confirmed", "in_process", "ready", "shipped", "completed", "canceled", "rts", "closed"}
    with pytest.raises(mappers.MappingError):
        mappers.scalev_status("returning")


def test_seed_product_detail_and_variant_map():
    product = mappers.product_from_scalev(sample("seed_product_detail.response.json"))
    assert product.external_id == "0" and product.name == "string"
    (variant,) = product.variants
    assert variant.external_id == "string" and variant.sku == "string" and variant.price == Decimal(0)
    assert variant.options == (("string", "string"), ("string", "string"), ("string", "string"))
    assert variant.stock is None  # no stock pushed yet
    listed = mappers.product_from_scalev(sample("seed_products_list.response.json")["data"][0])
    assert listed.variants[0].sku == ""  # list variants carry no sku/price: the adapter reads details


def test_product_bodies_are_valid_and_follow_the_seed_fields():
    payload = ProductPayload(name="Kopi Gayo", description="Arabika", variants=(
        VariantPayload(sku="KOPI-GAYO-BIJI", name="Biji", price=Decimal("89000"), stock=4, weight_grams=270,
                       options=(("Giling", "BIJI"),)),
        VariantPayload(sku="KOPI-GAYO-BUBUK", name="Bubuk", price=Decimal("89000"), stock=2, weight_grams=270,
                       options=(("Giling", "BUBUK"),)),
    ))
    create = mappers.product_create_body(payload)
    openapi_check.validate_request("POST", "http://x/v3/products", body=create)
    seed_create = sample("seed_product_create.request.json")
    assert set(create) <= set(seed_create) and set(create["variants"][0]) <= set(seed_create["variants"][0])
    update = mappers.product_update_body(payload)
    openapi_check.validate_request("PATCH", "http://x/v3/products/12", body=update)
    assert update["option1_name"] == "Giling"
    variant = mappers.variant_body(payload.variants[0], ["Giling"])
    openapi_check.validate_request("PATCH", "http://x/v3/variants/variant_abc", body=variant)
    openapi_check.validate_request("POST", "http://x/v3/products/12/variants", body=variant)
    assert variant == {"sku": "KOPI-GAYO-BIJI", "price": 89000, "weight": 270, "option1_value": "BIJI"}


def test_stock_body_keeps_merchant_metadata():
    update = StockUpdate(external_product_id="1", external_variant_id="variant_a", sku="A", quantity=0)
    body = mappers.stock_body(update, {"note": "x"})
    openapi_check.validate_request("PATCH", "http://x/v3/variants/variant_a", body=body)
    assert body == {"is_checked": False, "metadata": {"note": "x", METADATA_STOCK_KEY: 0}}
