"""Mappers against the request and response samples printed in seeds 002/003."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from integrations.base import ExternalCustomer, OrderItemPayload, OrderPayload, ProductPayload, VariantPayload
from integrations.exceptions import ProviderContractChanged
from integrations.ngorder import mappers
from integrations.ngorder.client import describe_message, flatten_query
from tests.integrations.contract import assert_same_shape
from tests.integrations.ngorder.conftest import sample


def test_list_rows_map_to_orders():
    first, second = (mappers.order_from_json(row) for row in sample("order_list_response")["data"])
    assert first.external_id == "1115" and first.order_no == "10576"
    assert (first.status, first.progress_status, first.payment_status) == ("ACCEPTED", "NO AWB", "PAID")
    assert first.grand_total == Decimal("141000")
    assert first.courier_code == "Lion Parcel" and first.courier_service == "REGPACK"
    assert first.created_at == datetime(2020, 10, 8, 2, 26, 45, tzinfo=UTC)  # 09:26:45 WIB
    assert first.payment_method == "bank_transfer"
    assert first.items[0].external_variant_id == "7978133" and first.items[0].quantity == 1
    assert first.items_complete is True
    assert first.customer.name == "Tusfendi" and first.customer.address == "srono"
    assert second.awb == "" and second.payment_status == "UNPAID"
    assert second.items[0].line_total == Decimal("20000") and second.subtotal == Decimal("20000")


def test_list_row_without_products_is_incomplete():
    row = dict(sample("order_list_response")["data"][0], products=[])
    assert mappers.order_from_json(row).items_complete is False


def test_single_order_detail_maps_skus_customer_and_costs():
    order = mappers.order_from_json(sample("order_detail_response")["data"])
    assert order.external_id == "1352" and order.order_no == "10746"
    assert order.customer.phone == "+6282336440033"
    assert (order.customer.district, order.customer.city, order.customer.province) == (
        "Srono", "Kabupaten Banyuwangi", "Jawa Timur")
    assert order.customer.postal_code == "68471" and order.customer.email == "tusfendi@gmail.com"
    [item] = order.items
    assert item.sku == "P039V01" and item.quantity == 2 and item.unit_price == Decimal("2000")
    assert item.external_variant_id == "8055898" and item.external_product_id == "1244"
    assert item.weight_grams == 200
    assert order.shipping_cost == Decimal("2000") and order.discount == Decimal("2000")
    assert order.grand_total == Decimal("24000")
    assert order.created_at == datetime(2020, 11, 19, 1, 29, 15, tzinfo=UTC)


def test_orders_details_row_maps_nested_shape():
    order = mappers.order_from_json(sample("order_details_response")["data"][0])
    assert order.external_id == "34481623" and order.status == "ACCEPT"
    assert order.customer.phone == "+628123456789" and order.customer.city == "Kota Bandung"
    assert order.courier_code == "J&T" and order.courier_service == "EZ"
    assert order.awb == "JP8507716855"
    assert order.shipping_cost == Decimal("2000")
    assert order.items[0].unit_price == Decimal("109900") and order.items[0].quantity == 1
    assert order.created_at == datetime(2020, 6, 22, 9, 4, 1, 919000, tzinfo=UTC)
    assert order.payment_method == "e_payment"  # Shopee Wallet


def test_canceled_rows_map_with_invoice_phone_and_sku():
    orders = [mappers.order_from_json(row) for row in sample("order_cancel_list_response")["data"]]
    assert orders[0].status == "CANCELED" and orders[0].invoice_no == "INV.2021.01.18.505"
    assert orders[0].customer.phone == "+62812345678"
    assert orders[0].payment_method == "bank_transfer"
    assert orders[0].items[0].name == "Kaos Yes Biru" and orders[0].items[0].sku == ""
    cod_row = dict(sample("order_cancel_list_response")["data"][0], cod_status=True)
    assert mappers.order_from_json(cod_row).payment_method == "cod"


def test_unmappable_rows_raise_contract_changed():
    with pytest.raises(ProviderContractChanged) as excinfo:
        mappers.order_from_json({"po_number": 1})
    assert excinfo.value.payload == {"po_number": 1}
    with pytest.raises(ProviderContractChanged):
        mappers.order_from_json({"order_id": 1, "products": [{"price": "abc", "quantity": 1}]})


def test_unparseable_phone_becomes_empty():
    row = dict(sample("order_cancel_list_response")["data"][0], receiver_phone="12")
    assert mappers.order_from_json(row).customer.phone == ""


@pytest.mark.parametrize(("value", "expected"), [
    ("2020-10-08", datetime(2020, 10, 7, 17, 0, tzinfo=UTC)),
    ("2020-10-08 09:26:45", datetime(2020, 10, 8, 2, 26, 45, tzinfo=UTC)),
    ("2021-08-09T10:44:08+07:00", datetime(2021, 8, 9, 3, 44, 8, tzinfo=UTC)),
    ("2020-06-23T04:46:15.755000Z", datetime(2020, 6, 23, 4, 46, 15, 755000, tzinfo=UTC)),
    ({"$date": {"$numberLong": "1592816651000"}}, datetime(2020, 6, 22, 9, 4, 11, tzinfo=UTC)),
    (None, None),
])
def test_parse_time_accepts_every_documented_form(value, expected):
    assert mappers.parse_time(value) == expected


def test_money_accepts_display_strings():
    assert mappers.money("Rp100.000") == Decimal("100000")
    assert mappers.money("109900") == Decimal("109900")
    assert mappers.money(None) == Decimal("0")


def _payload(**overrides) -> OrderPayload:
    values = dict(
        order_no="SO-2026-0001", payment_method="cod",
        customer=ExternalCustomer(name="Siti Wulandari", phone="+6281234567890", address="Jl. Mawar No. 3",
                                  district="Tebet", city="Kota Jakarta Selatan", province="DKI Jakarta",
                                  postal_code="12810"),
        items=(OrderItemPayload(sku="KAOS-HTM-M", name="Kaos", quantity=2, unit_price=Decimal("49000"),
                                weight_grams=200),),
        subtotal=Decimal("98000"), grand_total=Decimal("110000"), discount=Decimal("2000"),
        shipping_cost=Decimal("12000"), cod_fee=Decimal("2000"), courier_code="jne", courier_service="reg",
        notes="Titip satpam",
    )
    values.update(overrides)
    return OrderPayload(**values)


def test_order_body_fits_the_create_order_sample():
    documented = sample("order_create_request")
    body = mappers.order_body(_payload(), sender_id=1, receiver_id=2, supplier_id=3, variant_ids=[7978133],
                              order_date="2026-01-05")
    allowed = {"customer_sender_id", "customer_receiver_id", "supplier_id", "order_date", "order_source_id", "note",
               "is_print", "products", "expedition", "payment", "order_cost", "awb_number", "send_sms",
               "marketplace_awb", "source"}
    assert set(body) <= allowed and set(documented) <= allowed
    shared = {key: body[key] for key in documented if key in body and key != "order_cost"}
    # every key we send (nested too) is in the example, with the example's type; the example's optional
    # keys we leave out (warehouse_id, payment.date / bank_id for UNPAID) are allowed to be missing
    assert_same_shape({key: documented[key] for key in shared}, shared, exact_keys=False)
    assert body["products"] == [{"id": 7978133, "qty": 2, "product_status": "S"}]
    assert body["expedition"] == {"id": 99, "rate": 12000, "name": "JNE REG", "auto_pickup": False}
    assert body["payment"] == {"status": "UNPAID"}
    assert {c["category"] for c in body["order_cost"]} == {"DISCOUNT", "OTHER COST"}
    for cost in body["order_cost"]:  # the example's first line is a NOMINAL one, like ours
        assert_same_shape(cost, documented["order_cost"][0])
    assert mappers.note_has_reference(body["note"], "SO-2026-0001")
    assert body["source"] in ("MOBILE", "WEB")


def test_create_response_gives_the_order_id():
    assert mappers.order_from_create_response(sample("order_create_response")) == "123"
    with pytest.raises(ProviderContractChanged):
        mappers.order_from_create_response(sample("order_create_error_response"))


def test_customer_body_sends_local_phone():
    body = mappers.customer_body(_payload().customer, district_id=2101)
    assert body["phone"] == "081234567890" and body["district_id"] == 2101 and body["category"] == "N"
    assert body["is_active"] == "Y"


def test_products_map_from_search_and_detail_samples():
    [product] = [mappers.product_from_json(row) for row in sample("product_search_response")["data"]]
    assert product.external_id == "1" and product.name == "Sepatu" and product.is_active is False
    assert [v.sku for v in product.variants] == ["SEP-MER-KhC", "SEP-PUT-KhX"]
    assert product.variants[0].stock == 5 and product.variants[0].price == Decimal("5000")
    assert product.variants[0].options == (("color", "merah"),)
    assert product.variants[0].weight_grams == 100
    detail = mappers.product_from_json(sample("product_detail_response")["data"])
    assert detail.external_id == "2950570" and detail.variants[0].sku == "JEB-OYCAAA"
    assert detail.variants[0].stock == 0 and detail.is_active is True


def test_product_body_fits_the_create_and_update_samples():
    payload = ProductPayload(name="Sepatu", description="Sepatu Bagus", variants=(
        VariantPayload(sku="SEP-MER-KhC", name="Sepatu merah", price=Decimal("5000"), stock=5, weight_grams=100,
                       options=(("Warna", "merah"),)),
        VariantPayload(sku="SEP-PUT-KhX", name="Sepatu putih", price=Decimal("5000"), stock=3, weight_grams=100,
                       options=(("Warna", "putih"),)),
    ))
    body = mappers.product_body(payload, shop_id=1, user_id=1)
    documented = sample("product_create_request")
    assert set(body) <= set(documented) | {"is_warehouse", "wholesale"}
    documented_variation = documented["variations"][0]
    assert set(body["variations"][0]) <= set(documented_variation)
    assert body["variations"][0]["color"] == "merah" and body["variations"][0]["stock_quantity"] == 5
    assert body["has_variation"] == "Y" and body["product_type"] == "S"
    update = mappers.product_body(
        ProductPayload(name="Sepatu", description="x", external_id="1", variants=(
            VariantPayload(sku="SEP-MER-KHC", name="m", price=Decimal("5000"), stock=10, weight_grams=100,
                           external_id="1"),)),
        shop_id=1, user_id=1, deleted_variant_ids=["2"])
    assert update["id"] == 1 and update["variations"][0]["id"] == "1"
    assert update["variations"][1] == {"id": "2", "flag": "DELETE"}
    assert set(update["variations"][0]) <= set(sample("product_update_request")["variations"][0])
    assert mappers.product_ids_from_save(sample("product_create_response")) == ("1", ["1", "2"])
    assert body["publish_status"] == "Y"
    hidden = ProductPayload(name="Sepatu", description="x", is_active=False, variants=payload.variants)
    assert mappers.product_body(hidden, shop_id=1, user_id=1)["publish_status"] == "N"


def test_stock_bodies_fit_the_samples():
    body = mappers.stock_update_body("123", delta=-4, warehouse_id=1, description="Tambahan stok bulan ini")
    assert_same_shape(body, sample("stock_update_request"))
    assert body["stock"] == [{"amount": 4, "status": "SUB", "warehouse_id": 1}]
    assert mappers.check_stock_amount(sample("product_check_stock_response")) == 10


def test_sku_samples():
    assert flatten_query("products", sample("sku_generate_request")["products"]) == {"products[0][name]": "Sepatu"}
    assert mappers.generated_skus(sample("sku_generate_response"))[0]["sku"] == "SEP-Pq2"
    assert mappers.sku_validation(sample("sku_validation_response")) is True


def test_error_messages_are_decoded():
    text = describe_message(sample("order_create_error_response")["message"])
    assert "payment.cost_of_goods_sales: The payment.cost of goods sales field is required" in text
    assert "products.0.product_status" in text
    text = describe_message(sample("quick_payment_error_response")["message"])
    assert "Order has been paid" in text and "maximum amount: 0" in text
    assert describe_message(sample("quick_payment_response")["message"]) == "Payment Updated"


def test_window_dates_are_wib_and_until_is_exclusive():
    since = datetime(2026, 1, 1, 17, 0, tzinfo=UTC)  # 2026-01-02 00:00 WIB
    until = datetime(2026, 1, 3, 17, 0, tzinfo=UTC)  # 2026-01-04 00:00 WIB, exclusive
    assert mappers.window_dates(since, until) == ("2026-01-02", "2026-01-03")
