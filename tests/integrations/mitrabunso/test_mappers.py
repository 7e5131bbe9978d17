"""Mappers against every sample the document prints for the endpoints the client uses."""

import copy
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from integrations.base import ExternalCustomer, OrderItemPayload, OrderPayload
from integrations.exceptions import ProviderContractChanged
from integrations.mitrabunso import mappers
from tests.integrations.contract import assert_same_shape
from tests.integrations.mitrabunso.conftest import sample
from tests.integrations.mitrabunso.test_sandbox_contract import nullable_sample


def test_list_row_sample_maps_to_an_external_order():
    response = sample("list_response")
    rows, total = mappers.list_page(response)
    assert total == 23645
    order = mappers.order_from_document(rows[0])
    assert order.external_id == "b5d588bc-afc5-45f5-a6d5-dde8ef3a20b0"
    assert order.order_no == "INV20220505MPL22907777"
    assert order.invoice_no == "INV20220505MPL2290502811"  # updatedInvoice wins for the invoice number
    assert order.status == "NEW"
    assert order.payment_method == "e_payment"
    assert order.customer == ExternalCustomer(
        name="Luthfi", phone="+6285223177777",
        address=("Jl. Raya Barat, Kp.Ciputri Gang Bintang Cell RT.03/RW.07 Desa.Singasari. Kec.Singaparna, "
                 "Kab.Tasikmalaya, Jawa Barat.\r\nSingaparna 46412"),
    )
    assert order.courier_code == "jne" and order.courier_service == "OKE"
    assert order.awb == "TJE2348621107726"
    assert order.subtotal == order.grand_total == Decimal("70000")
    assert order.shipping_cost == order.discount == Decimal("0")
    assert order.created_at == datetime(2022, 9, 19, 22, 36, 50, tzinfo=UTC)  # 05:36:50 WIB
    assert order.updated_at == order.created_at
    assert order.items_complete is True
    (item,) = order.items
    assert item.sku == ""  # the document has no SKU
    assert item.external_product_id == "01768bec-0bfe-4a40-97c5-48ecfc93d5ca"
    assert (item.name, item.quantity, item.unit_price, item.line_total) == (
        "Silicone Cover Iphone XR Pink (Phone Case)", 1, Decimal("70000"), Decimal("70000"))
    assert order.notes == ""


@pytest.mark.parametrize("name", ["details_response", "create_response"])
def test_stored_order_samples_map_with_the_first_state_filling_the_gaps(name):
    data = sample(name)["data"]
    order = mappers.order_from_details(data)
    assert order.status == "NEW"
    assert order.order_no == order.invoice_no == "ANDI2022101115075801"
    assert order.customer.name == "Order Test #1"
    assert order.customer.address == "a"
    assert order.customer.phone.startswith("+62813")  # only order_first_state carries the phone
    assert order.courier_code == "jnt" and order.courier_service == "Reguler"
    assert order.subtotal == order.grand_total == Decimal("10000")
    (item,) = order.items
    assert (item.quantity, item.unit_price, item.line_total) == (1, Decimal("10000"), Decimal("10000"))
    assert item.external_product_id == "02ca87fa-069a-473f-88f9-daf04407398d"
    assert order.created_at.tzinfo is not None and order.created_at.hour == 8  # 15:08 Asia/Bangkok
    assert order.awb == ""


def test_details_sample_ids():
    assert mappers.order_from_details(sample("details_response")["data"]).external_id == (
        "c0aaa297-b030-4fd2-910b-4ada38c28ed0")
    assert mappers.created_order_id(sample("create_response")) == "d8e9a7f7-f0f7-4fb9-af5b-c80841b068a4"


def test_batch_create_sample_ids_come_from_invoices():
    assert mappers.batch_order_ids(sample("batch_create_response"), expected=1) == [
        "e83ebf28-8999-4b83-a2c0-c5f1c0a35e97"]
    with pytest.raises(ProviderContractChanged):
        mappers.batch_order_ids(sample("batch_create_response"), expected=2)


def test_total_summary_sample():
    assert mappers.summary_counts(sample("total_summary_response")) == {
        "NEW": 10, "PROCESSED": 76, "SENT": 18591, "DRAFT": 15}


def test_processed_list_sample():
    batches = mappers.processed_batches(sample("processed_list_response"))
    assert len(batches) == 20
    first = batches[0]
    assert first.processed == "2022-09-02 16:11:21"  # kept verbatim: print_order's path needs it
    assert first.processed_at == datetime(2022, 9, 2, 9, 11, 21, tzinfo=UTC)
    assert (first.label_count, first.print_status) == (18, 2)
    assert sum(b.label_count for b in batches) == 186


def test_print_order_sample():
    (order,) = mappers.print_orders(sample("print_order_response"))
    assert order.external_id == "7e676736-a970-4e8d-be81-e3a84875c137"
    assert order.status == "PROCESSED"  # print rows carry no status: a batch waiting to be sent
    assert order.courier_code == "gosend" and order.courier_service == "Instant"
    assert order.shipping_cost == Decimal("51000")
    assert order.subtotal == Decimal("105000") and order.grand_total == Decimal("156000")
    assert order.awb == ""
    assert order.notes == "PEMBELI BUTUH CEPAT"
    assert order.customer == ExternalCustomer(
        name="Deasy", phone="+6282210177777", address="Perum Mahkota Simprug, Jl. Mahkota V blok C2 no 8",
        district="Ciledug", city="Kota Tangerang", province="Banten", postal_code="15153")
    assert order.created_at is None


def test_batch_request_sample_courier_and_totals_read_back():
    document = copy.deepcopy(sample("batch_create_request_batchData")[0])
    document["order"]["order_id"] = "e83ebf28-8999-4b83-a2c0-c5f1c0a35e97"
    document["status"] = "NEW"
    order = mappers.order_from_document(document)
    assert order.courier_code == "jnt" and order.courier_service == "Reguler"
    assert order.payment_method == "e_payment"  # "(Cashless)"
    assert order.grand_total == Decimal("60000") and order.shipping_cost == Decimal("10000")
    assert order.awb == "JP7638199648"
    assert order.items_complete


def _payload(**overrides) -> OrderPayload:
    values = dict(
        order_no="SO-2026-000123", payment_method="cod",
        customer=ExternalCustomer(name="Siti Rahmawati", phone="+6281234567890", address="Jl. Merdeka No. 5",
                                  district="Coblong", city="Kota Bandung", province="Jawa Barat",
                                  postal_code="40132"),
        items=(OrderItemPayload(sku="KAOS-HTM-M", name="Kaos Polos Hitam M", quantity=2,
                                unit_price=Decimal("45000"), weight_grams=200,
                                external_product_id="01768bec-0bfe-4a40-97c5-48ecfc93d5ca"),),
        subtotal=Decimal("90000"), grand_total=Decimal("100000"), shipping_cost=Decimal("10000"),
        courier_code="jne", courier_service="REG", notes="Titip di pos satpam", sender_name="Toko Kita",
        sender_phone="081298765432",
    )
    values.update(overrides)
    return OrderPayload(**values)


def test_outbound_document_has_the_documented_shape():
    document = mappers.document_from_payload(_payload(), shop_id="06d48eba-b46c-439f-b82a-212456a97f2f",
                                             shop_name="CESING HOKI",
                                             courier_ids={"jne": "a9727718-2ab9-4a90-8b94-d2ca8ded9b8a"})
    assert_same_shape(document, nullable_sample(sample("batch_create_request_batchData")[0]))
    # The create example omits customerNote, which the batch example has.
    assert_same_shape(document, nullable_sample(sample("create_request_data")), exact_keys=False)
    assert document["customer"]["phone"] == "6281234567890"
    assert document["sender"]["phone"] == "6281298765432"
    assert document["order"]["courierName"] == "JNE REG (COD)"
    assert document["order"]["courierId"] == "a9727718-2ab9-4a90-8b94-d2ca8ded9b8a"
    assert document["order"]["shippingCost"] == "10000" and document["order"]["totalCost"] == 90000
    assert document["details"] == [{"productId": "01768bec-0bfe-4a40-97c5-48ecfc93d5ca", "qty": 2,
                                    "productPrice": 45000, "totalPrice": 90000,
                                    "productName": "Kaos Polos Hitam M"}]


def test_outbound_document_reads_back_the_same():
    document = mappers.document_from_payload(_payload(discount=Decimal("5000")))
    document["order"]["order_id"] = "x-1"
    document["status"] = "NEW"
    order = mappers.order_from_document(document)
    assert order.payment_method == "cod"
    assert (order.courier_code, order.courier_service) == ("jne", "REG")
    assert order.subtotal == Decimal("90000") and order.discount == Decimal("5000")
    assert order.grand_total == Decimal("95000")
    assert order.customer.phone == "+6281234567890"


@pytest.mark.parametrize(("name", "code", "service"), [
    ("JNE(OKE)", "jne", "OKE"),
    ("Reguler (Cashless)-J&T Express", "jnt", "Reguler"),
    ("Reguler (COD)-J&T Express", "jnt", "Reguler"),
    ("JNT Reguler", "jnt", "Reguler"),
    ("Lion Parcel", "lion", ""),
    ("GoSendInstant Courier", "gosend", "Instant"),
    ("SiCepat REG (COD)", "sicepat", "REG"),
    ("AnterAja Reguler", "anteraja", "Reguler"),
    ("Kurir Toko", "Kurir Toko", ""),
    ("", "", ""),
])
def test_courier_names(name, code, service):
    assert mappers.courier_from_name(name) == (code, service)


def test_cod_is_read_from_the_courier_name():
    assert mappers.payment_method_from("SiCepat REG (COD)") == "cod"
    assert mappers.payment_method_from("Reguler (Cashless)-J&T Express") == "e_payment"
    assert mappers.payment_method_from("JNE(REG)", "bank_transfer") == "bank_transfer"


def test_money_phones_and_times():
    assert mappers.money("10.000") == Decimal("10000")
    assert mappers.money(None) == Decimal("0")
    assert mappers.phone("08123456789") == "+628123456789"
    assert mappers.phone("not a phone") == ""
    assert mappers.parse_time("2022-10-11 15:08:14.000000") == datetime(2022, 10, 11, 8, 8, 14, tzinfo=UTC)
    assert mappers.parse_time({"date": "2022-10-11 15:08:14.000000", "timezone_type": 3,
                               "timezone": "Asia/Bangkok"}) == datetime(2022, 10, 11, 8, 8, 14, tzinfo=UTC)
    assert mappers.parse_time(None) is None


def test_unparseable_phone_keeps_the_order():
    row = copy.deepcopy(sample("list_response")["data"][0])
    row["customer"]["phone"] = "-"
    assert mappers.order_from_document(row).customer.phone == ""


@pytest.mark.parametrize("breakage", ["no_order", "no_id", "bad_qty", "bad_money", "bad_time"])
def test_rows_we_cannot_map_raise_contract_changed(breakage):
    row = copy.deepcopy(sample("list_response")["data"][0])
    if breakage == "no_order":
        del row["order"]
    elif breakage == "no_id":
        del row["order"]["order_id"]
    elif breakage == "bad_qty":
        row["details"][0]["qty"] = "satu"
    elif breakage == "bad_money":
        row["order"]["shippingCost"] = "gratis"
    else:
        row["createdAt"] = "kemarin"
    with pytest.raises(ProviderContractChanged) as info:
        mappers.order_from_document(row)
    assert info.value.payload == row


def test_details_we_cannot_map_raise_contract_changed():
    with pytest.raises(ProviderContractChanged):
        mappers.order_from_details({"order": [], "products": []})
