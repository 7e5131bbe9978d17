"""Komship mappers against the document's request samples and the wire shapes (no HTTP)."""

from datetime import UTC, date, datetime
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
from integrations.komship import mappers
from tests.integrations.contract import assert_same_shape
from tests.integrations.komship.conftest import sample


def payload(**overrides):
    base = dict(
        order_no="SO-1", payment_method="cod",
        customer=ExternalCustomer(name="Siti", phone="+6281234567890", address="Jl. Dago 1", subdistrict="Dago",
                                  district="Coblong", city="Kota Bandung", postal_code="40135"),
        items=(OrderItemPayload(sku="KAOS-HTM-M", name="Kaos", quantity=2, unit_price=Decimal(45000),
                                weight_grams=180, external_product_id="501", external_variant_id="9001"),),
        subtotal=Decimal(90000), shipping_cost=Decimal(10000), cod_fee=Decimal(2800), grand_total=Decimal(100000),
        courier_code="jne", courier_service="REG23", notes="cepat",
    )
    base.update(overrides)
    return OrderPayload(**base)


# Requests against the seed's request samples ----------------------------------------------------------


def test_store_v3_body_has_the_sample_keys_in_order():
    body = mappers.store_order_body(payload(), cart=[3, 4], customer_destination_id=4000,
                                    order_date=date(2025, 8, 14))
    sample_body = sample("order_store_v3_request.json")
    assert_same_shape(body, sample_body)
    assert list(body) == list(sample_body)
    assert body["payment_method"] == "COD" and body["shipping"] == "JNE" and body["cart"] == [3, 4]
    assert body["customer_phone"] == "081234567890" and body["order_notes"] == "cepat [SO-1]"
    assert body["grandtotal"] == 100000 and body["service_fee"] == 2800 and body["date"] == "2025-08-14"


def test_store_v2_body_has_the_sample_keys():
    body = mappers.store_order_body(payload(payment_method="e_payment"), cart=[1], customer_destination_id=1,
                                    order_date=date(2025, 8, 14), version="v2")
    assert_same_shape(body, sample("order_store_v2_request.json"))
    assert list(body) == list(sample("order_store_v2_request.json"))
    assert body["payment_method"] == "BANK TRANSFER"


def test_cart_items_match_the_store_cart_sample():
    items = mappers.cart_items(payload())
    assert_same_shape(items[0], sample("cart_store_request.json"))
    assert items[0]["product_id"] == 501 and items[0]["variant_id"] == 9001 and items[0]["subtotal"] == 90000
    with pytest.raises(ValueError, match="no Komship product id"):
        mappers.cart_items(payload(items=(OrderItemPayload("X", "X", 1, Decimal(1), 1),)))


def test_mass_row_is_the_v3_body_with_products():
    row = mappers.mass_order_row(payload(), customer_destination_id=4000, order_date=date(2025, 8, 14))
    assert set(row) == set(sample("order_store_v3_request.json")) - {"cart"} | {"product"}
    assert row["product"] == [{"product_id": 501, "product_name": "Kaos", "variant_id": 9001, "variant_name": "",
                               "product_price": 45000, "qty": 2}]


def test_simple_product_body_matches_the_store_product_sample():
    body = mappers.product_body(ProductPayload(name="Jilbab", description="", variants=(
        VariantPayload(sku="JBB-01", name="Jilbab", price=Decimal(0), stock=0, weight_grams=100),)))
    assert_same_shape(body, sample("product_store_request.json"))
    assert_same_shape(body, sample("product_update_request.json"))
    assert body["sku"] == "JBB-01" and body["variant_option"] == ""


def test_product_body_sends_recorded_dimensions_rounded_up():
    body = mappers.product_body(ProductPayload(name="Kotak", description="", variants=(
        VariantPayload(sku="BOX-1", name="Kotak", price=Decimal(1000), stock=1, weight_grams=500,
                       length_cm=Decimal("20.2"), width_cm=Decimal("10"), height_cm=None),)))
    assert (body["length"], body["width"], body["height"]) == (21, 10, 0)


def test_variant_product_body_nests_options():
    body = mappers.product_body(ProductPayload(name="Kaos", description="", variants=tuple(
        VariantPayload(sku=f"KAOS-{c[:3].upper()}-{s}", name=f"{c}, {s}", price=Decimal(45000), stock=5,
                       weight_grams=180, options=(("Warna", c), ("Ukuran", s)))
        for c in ("Hitam", "Putih") for s in ("M", "L"))))
    assert body["sku"] == "KAOS" and body["price"] is None and body["stock"] is None
    assert body["variant_option"] == [{"val": "Warna"}, {"val": "Ukuran"}]
    assert [n["val"] for n in body["option"]] == ["Hitam", "Putih"]
    assert body["option"][0]["option"][1] == {"val": "L", "parent": "Ukuran", "stock": 5, "price": 45000,
                                              "sku": "KAOS-HIT-L"}


def test_stock_items():
    assert mappers.stock_items([StockUpdate("501", "9001", "A", 3), StockUpdate("7", "", "B", 0)]) == [
        {"product_id": 501, "variant_id": 9001, "stock": 3}, {"product_id": 7, "variant_id": 0, "stock": 0}]


# Responses --------------------------------------------------------------------------------------------


def test_v2_list_row_with_string_money_and_integer_phone():
    order = mappers.order_from_row(sample("constructed_order_row_v2.json"))
    assert order.external_id == "277876" and order.order_no == "KOM42272202508140857"
    assert order.status == "Dikirim" and order.payment_method == "cod"
    assert order.customer.phone == "+6282237739871"  # the integer lost its leading 0
    assert order.shipping_cost == Decimal(16000) and order.grand_total == Decimal(316000)
    assert order.subtotal == Decimal(300000) and order.items_complete
    assert order.items[0].name == "Jilbab - Merah, S" and order.items[0].line_total == Decimal(300000)
    assert order.items[0].external_variant_id == "9001"
    assert order.created_at == datetime(2025, 8, 14, 1, 57, 12, tzinfo=UTC)  # WIB = UTC+7
    assert order.updated_at == datetime(2025, 8, 15, 2, 0, tzinfo=UTC)
    assert mappers.row_is_order(order.raw, "SO-1") and not mappers.row_is_order(order.raw, "SO-2")


def test_v1_paginator_and_status_code_passed_through():
    rows, total = mappers.rows_and_total(sample("constructed_orders_v1_paginator.json"))
    assert total == 52 and len(rows) == 1
    order = mappers.order_from_row(rows[0])
    assert order.status == "2" and order.payment_method == "bank_transfer"  # the sync maps "2" (Diterima)
    assert order.items[0].unit_price == Decimal(50000) and order.items[0].external_variant_id == ""
    assert order.created_at == datetime(2023, 4, 26, 17, 0, tzinfo=UTC)
    assert order.customer.phone == ""  # v1 rows carry no phone


def test_detail_object():
    order = mappers.order_from_row(sample("constructed_order_detail.json"))
    assert order.grand_total == Decimal(316000) and order.subtotal == Decimal(300000)
    assert order.cod_fee == Decimal(8848) and order.courier_code == "SICEPAT" and order.awb == "004123456789"
    assert order.customer.phone == "+62822377398712" and order.customer.address.startswith("Bobotsari")
    assert order.updated_at == datetime(2025, 8, 14, 2, 10, tzinfo=UTC)


@pytest.mark.parametrize(("value", "expected"), [
    ("081234567890", "+6281234567890"), ("6281234567890", "+6281234567890"), (81234567890, "+6281234567890"),
    ("+62 812-3456-7890", "+6281234567890"), ("12", ""), ("bukan nomor", ""), (None, ""),
])
def test_phones(value, expected):
    assert mappers.phone(value) == expected


def test_unmappable_rows_raise_contract_changed():
    row = sample("constructed_order_row_v2.json")
    with pytest.raises(ProviderContractChanged):
        mappers.order_from_row({**row, "payment_method": "PAYLATER"})
    with pytest.raises(ProviderContractChanged):
        mappers.order_from_row({**row, "grand_total": "tiga ratus"})
    with pytest.raises(ProviderContractChanged):
        mappers.order_from_row({k: v for k, v in row.items() if k != "order_id"})
    with pytest.raises(ProviderContractChanged):
        mappers.rows_and_total({"status": "success", "code": 200, "data": "oops"})


def test_products_from_the_three_shapes():
    android = mappers.product_from_row(sample("constructed_product_android.json"))
    assert [(v.external_id, v.name, v.price, v.stock) for v in android.variants] == [
        ("9001", "Merah", Decimal(35000), 15), ("9002", "Hijau", Decimal(36000), 25)]
    assert android.variants[0].weight_grams == 100
    detail = mappers.product_from_row({
        "product_id": 7, "product_name": "Madu", "product_sku": "MDU", "product_description": "Murni",
        "product_weight": 700, "product_price": "95.000", "product_stock": 4, "product_is_variant": 0,
        "variants": [], "status": 0})
    assert detail.is_active is False and detail.description == "Murni"
    assert detail.variants[0].sku == "MDU" and detail.variants[0].price == Decimal(95000)
    row = mappers.product_from_row({
        "product_id": 9, "product_name": "Kaos", "sku": "KAOS", "price": 45000, "stock": 3, "sold": 1,
        "variant_option": [{"val": "Warna"}, {"val": "Ukuran"}],
        "variants": [{"variant_id": 1, "variant_name": "Hitam, M", "sku": "KAOS-HTM-M", "price": 45000, "stock": 3}]},
        is_active=True)
    assert row.variants[0].options == (("Warna", "Hitam"), ("Ukuran", "M"))


def test_check_messages():
    assert mappers.sku_is_free(sample("product_check_sku_response.json")) is True
    assert mappers.sku_is_free(sample("product_check_name_response.json")) is True
    assert mappers.sku_is_free({"status": "success", "code": 200, "message": "product sku already exist"}) is False


def test_destination_pick_prefers_the_zip():
    customer = ExternalCustomer(name="x", postal_code="64171", subdistrict="Purwokerto")
    response = {"status": "success", "code": 200, "data": [
        {"value": 67150, "label": "PURWOKERTO, KAYEN, PATI, 59171", "subdistrict_name": "PURWOKERTO"},
        {"value": 34167, "label": "PURWOKERTO, NGADILUWIH, KEDIRI, 64171", "subdistrict_name": "PURWOKERTO"}]}
    assert mappers.destination_id(response, customer) == 34167
    paginator = {"status": "success", "code": 200, "data": {"data": response["data"], "total": 2}}
    assert mappers.destination_id(paginator, customer) == 34167
