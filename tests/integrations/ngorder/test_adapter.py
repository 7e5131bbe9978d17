"""NgorderAdapter and NgorderClient against the sandbox over real HTTP."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from integrations.base import (
    Catalog,
    ExternalCustomer,
    OrderItemPayload,
    OrderPayload,
    OrderSink,
    OrderSource,
    ProductPayload,
    StockUpdate,
    VariantPayload,
)
from integrations.exceptions import ProviderAuthFailed, ProviderRejected, ProviderUnavailable
from integrations.ngorder import mappers
from integrations.ngorder.sandbox import sandbox
from integrations.sandbox_kit import FaultPlan
from tests.integrations.ngorder.conftest import fault_seed, make_adapter, make_client

pytestmark = pytest.mark.urls("tests.integrations.ngorder.urls")

SINCE = datetime.now(UTC) - timedelta(days=100)
UNTIL = datetime.now(UTC) + timedelta(days=1)


def pulled_ids(adapter, since=SINCE, until=UNTIL) -> list[str]:
    return [order.external_id for page in adapter.iter_order_pages(since=since, until=until)
            for order in page.orders]


def test_adapter_implements_the_protocols(ngorder):
    adapter = make_adapter(ngorder)
    assert isinstance(adapter, OrderSource) and isinstance(adapter, OrderSink) and isinstance(adapter, Catalog)
    adapter.check_connection()


def test_full_pull_returns_every_order_exactly_once(ngorder):
    adapter = make_adapter(ngorder)
    pages = list(adapter.iter_order_pages(since=SINCE, until=UNTIL))
    ids = [order.external_id for page in pages for order in page.orders]
    assert len(ids) == 237 and set(ids) == {str(i) for i in sandbox.orders}
    assert pages[0].cursor == "order:2" and pages[0].total == len(sandbox.active.keys)
    assert len(pages[0].orders) == 100  # the largest documented page size
    assert {o.status for page in pages for o in page.orders} >= {"ACCEPTED", "CANCELED"}
    assert all(o.items_complete and o.items for page in pages for o in page.orders)


def test_pull_when_the_server_serves_fewer_rows_than_requested(ngorder):
    sandbox.page_cap = 7
    ids = pulled_ids(make_adapter(ngorder))
    assert len(ids) == 237 and set(ids) == {str(i) for i in sandbox.orders}
    assert sandbox.stats["served"] >= 237 // 7


def test_pull_with_a_time_window(ngorder):
    since = datetime.now(UTC) - timedelta(days=40)
    until = datetime.now(UTC) - timedelta(days=10)
    start, end = mappers.window_dates(since, until)
    expected = {str(o["id"]) for o in (sandbox.orders[i] for i in list(sandbox.orders))
                if start <= o["order_date"] <= end}
    ids = pulled_ids(make_adapter(ngorder, page_size=25), since, until)
    assert 0 < len(ids) < 237 and len(ids) == len(set(ids)) and set(ids) == expected


def test_pull_can_skip_canceled_orders(ngorder):
    ids = pulled_ids(make_adapter(ngorder, include_canceled=False))
    assert set(ids) == {str(key[2]) for key in sandbox.active.keys}


def test_wrong_key_is_refused(ngorder):
    with pytest.raises(ProviderAuthFailed) as excinfo:
        make_adapter(ngorder, token="wrong").check_connection()
    assert "API key is wrong" in str(excinfo.value)


def test_the_003_token_header_is_accepted(ngorder):
    make_adapter(ngorder, auth_header="token").check_connection()


@pytest.mark.parametrize("kind", ["500", "429", "slow", "reset"])
def test_a_get_is_retried_through_each_fault(ngorder, kind):
    sandbox.set_faults(FaultPlan(error_rate=0.5, kinds=(kind,), retry_after=1, slow_seconds=1.0,
                                 seed=fault_seed(kind)))
    client = make_client(ngorder, timeout=(2, 0.5))
    body = client.list_orders(start_date="2000-01-01", end_date="2100-01-01", per_page=5)
    assert len(body["data"]) == 5
    assert sandbox.stats[f"fault_{kind}"] == 1
    assert sandbox.stats["requests"] == 2


def test_a_create_is_not_retried(ngorder):
    sandbox.set_faults(FaultPlan(error_rate=1.0, kinds=("500",)))
    with pytest.raises(ProviderUnavailable):
        make_client(ngorder).create_order({"order_date": "2026-01-01"})
    assert sandbox.stats["requests"] == 1 and sandbox.stats["fault_500"] == 1


def _payload(order_no="SO-TEST-1", **overrides) -> OrderPayload:
    variation = sandbox.variations[next(iter(sandbox.variations))]
    values = dict(
        order_no=order_no, payment_method="cod",
        customer=ExternalCustomer(name="Siti Wulandari", phone="+6281311112222", address="Jl. Mawar No. 3",
                                  district="Tebet", city="Kota Jakarta Selatan", province="DKI Jakarta"),
        items=(OrderItemPayload(sku=variation["sku"], name="Kaos", quantity=2,
                                unit_price=Decimal(variation["price"]), weight_grams=200),),
        subtotal=Decimal(variation["price"] * 2), grand_total=Decimal(variation["price"] * 2 + 12000),
        shipping_cost=Decimal("12000"), courier_code="jne", courier_service="reg", notes="Titip satpam",
    )
    values.update(overrides)
    return OrderPayload(**values)


def test_order_round_trip(ngorder):
    adapter = make_adapter(ngorder)
    payload = _payload()
    external_id = adapter.create_order(payload)
    assert adapter.find_order("SO-TEST-1") == external_id
    assert adapter.find_order("SO-NEVER-SENT") is None
    assert external_id in pulled_ids(adapter, datetime.now(UTC) - timedelta(days=1), UNTIL)

    order = adapter.get_order(external_id)
    assert order.status == "ACCEPTED" and order.progress_status == "UNPAID"
    assert order.items[0].sku == payload.items[0].sku and order.items[0].quantity == 2
    assert order.customer.phone == "+6281311112222" and order.customer.district == "Tebet"
    assert order.shipping_cost == Decimal("12000") and order.courier_code == "JNE"

    # a second order for the same customer reuses the Ngorder customer
    customers = len(sandbox.customers)
    adapter.create_order(_payload("SO-TEST-2"))
    assert len(sandbox.customers) == customers

    other = sandbox.variations[list(sandbox.variations)[1]]
    adapter.update_order(external_id, _payload(items=(
        OrderItemPayload(sku=other["sku"], name="x", quantity=1, unit_price=Decimal(other["price"]),
                         weight_grams=100),)))
    updated = adapter.get_order(external_id)
    assert [item.sku for item in updated.items] == [other["sku"]]

    adapter.add_awb(external_id, "JNE0012345678")
    assert adapter.get_order(external_id).awb == "JNE0012345678"

    adapter.update_order_status(external_id, "canceled")
    assert adapter.get_order(external_id).status == "CANCELED"
    adapter.cancel_order(external_id, "retry after a timeout")  # already canceled: done, no error
    canceled_page = next(p for p in adapter.iter_order_pages(since=SINCE, until=UNTIL)
                         if p.cursor.startswith("order-cancel:CANCEL"))
    assert external_id in {o.external_id for o in canceled_page.orders}

    adapter.update_order_status(external_id, "new")
    assert adapter.get_order(external_id).status == "ACCEPTED"
    with pytest.raises(ProviderRejected):
        adapter.update_order_status(external_id, "delivered")

    adapter.delete_order(external_id)
    assert int(external_id) not in sandbox.orders
    with pytest.raises(ProviderRejected) as excinfo:
        adapter.get_order(external_id)
    assert excinfo.value.status_code == 404


def test_get_order_falls_back_to_the_list_without_the_003_detail(ngorder, monkeypatch):
    adapter = make_adapter(ngorder)
    external_id = str(sandbox.active.keys[5][2])

    def missing(order_id):
        raise ProviderRejected("Not Found", platform="ngorder", status_code=404)

    monkeypatch.setattr(adapter.client, "get_order_detail", missing)
    order = adapter.get_order(external_id)
    assert order.external_id == external_id and order.items


def test_create_order_validation_error_is_rejected_with_the_message(ngorder):
    client = make_client(ngorder)
    with pytest.raises(ProviderRejected) as excinfo:
        client.create_order({"order_date": "2026-01-01", "source": "FAX"})
    assert excinfo.value.status_code == 422
    assert "customer_sender_id: The customer sender id field is required." in excinfo.value.message


def test_products_pull_create_update_delete(ngorder):
    adapter = make_adapter(ngorder)
    sandbox.page_cap = 5
    pages = list(adapter.iter_product_pages())
    ids = [p.external_id for page in pages for p in page.products]
    assert len(ids) == 12 == len(set(ids)) and pages[0].total == 12
    sandbox.page_cap = None

    payload = ProductPayload(name="Kaos Lengan Panjang", description="Katun combed", variants=(
        VariantPayload(sku="KLP-HTM-M", name="Hitam M", price=Decimal("65000"), stock=10, weight_grams=220,
                       options=(("Warna", "Hitam"), ("Ukuran", "M"))),
        VariantPayload(sku="KLP-HTM-L", name="Hitam L", price=Decimal("65000"), stock=4, weight_grams=230,
                       options=(("Warna", "Hitam"), ("Ukuran", "L"))),
    ))
    created = adapter.create_product(payload)
    assert created.name == "Kaos Lengan Panjang"
    assert [(v.sku, v.stock, v.options) for v in created.variants] == [
        ("KLP-HTM-M", 10, (("color", "Hitam"), ("size", "M"))),
        ("KLP-HTM-L", 4, (("color", "Hitam"), ("size", "L")))]

    update = ProductPayload(name="Kaos Lengan Panjang Premium", description="Katun", external_id=created.external_id,
                            variants=(
        VariantPayload(sku="KLP-HTM-M", name="Hitam M", price=Decimal("70000"), stock=8, weight_grams=220,
                       options=(("Warna", "Hitam"), ("Ukuran", "M"))),
        VariantPayload(sku="KLP-PTH-M", name="Putih M", price=Decimal("70000"), stock=3, weight_grams=220,
                       options=(("Warna", "Putih"), ("Ukuran", "M"))),
    ))
    updated = adapter.update_product(update)
    assert updated.name == "Kaos Lengan Panjang Premium"
    assert {(v.sku, v.price, v.stock) for v in updated.variants} == {
        ("KLP-HTM-M", Decimal("70000"), 8), ("KLP-PTH-M", Decimal("70000"), 3)}
    assert updated.variants[0].external_id == created.variants[0].external_id  # edited in place

    with pytest.raises(ProviderRejected):  # SKU taken by another product
        adapter.create_product(ProductPayload(name="Dup", description="d", variants=(
            VariantPayload(sku="KLP-HTM-M", name="x", price=Decimal("1"), stock=1, weight_grams=1),)))

    adapter.delete_product(created.external_id)
    with pytest.raises(ProviderRejected):
        adapter.get_product(created.external_id)


def test_push_stock_with_sync_stock_and_update_stock(ngorder):
    adapter = make_adapter(ngorder)
    first, second = list(sandbox.variations)[:2]
    adapter.push_stock((
        StockUpdate(external_product_id="", external_variant_id=str(first), sku="", quantity=17),
        StockUpdate(external_product_id="", external_variant_id="", sku=sandbox.variations[second]["sku"],
                    quantity=0),
    ))
    assert sum(sandbox.variations[first]["stock"].values()) == 17
    assert sum(sandbox.variations[second]["stock"].values()) == 0

    warehouse = make_adapter(ngorder, stock_warehouse_id=0)
    warehouse.push_stock((StockUpdate(external_product_id="", external_variant_id=str(first), sku="", quantity=5),))
    assert sandbox.variations[first]["stock"][0] == 5
    warehouse.push_stock((StockUpdate(external_product_id="", external_variant_id=str(first), sku="", quantity=9),))
    assert sandbox.variations[first]["stock"][0] == 9

    with pytest.raises(ProviderRejected) as excinfo:
        adapter.push_stock((StockUpdate(external_product_id="", external_variant_id="", sku="NOPE", quantity=1),
                            StockUpdate(external_product_id="", external_variant_id=str(first), sku="",
                                        quantity=2)))
    assert "NOPE" in excinfo.value.message
    assert sum(sandbox.variations[first]["stock"].values()) == 2  # the good one went through


def test_sku_generate_and_validate(ngorder):
    adapter = make_adapter(ngorder)
    [generated] = adapter.generate_skus([{"name": "Sepatu", "color": "Putih"}])
    assert generated["sku"].startswith("SEP-PUT-") and generated["name"] == "Sepatu"
    first, second = list(sandbox.variations)[:2]
    own_sku = sandbox.variations[first]["sku"]
    assert adapter.validate_sku(own_sku, str(first)) is True
    assert adapter.validate_sku(own_sku, str(second)) is False
    assert adapter.validate_sku("BRAND-NEW-SKU", str(second)) is True


def test_client_master_data_and_variation_delete(ngorder):
    client = make_client(ngorder)
    assert client.get_shop()["data"][0]["active_supplier"]["id"]
    assert client.list_regions(keyword="Gubeng")["data"][0]["id"] == 4011
    created = client.create_customer({"name": "Dewi", "phone": "085712345678", "district_id": 4011,
                                      "address": "Jl. Kartini 2", "category": "N", "is_active": "Y"})
    found = client.list_customers(keyword="085712345678", type="PHONE")
    assert [row["id"] for row in found["data"]] == [created["data"]["customer_id"]]
    product = next(iter(sandbox.products.values()))
    variation_id = product["variation_ids"][0]
    assert client.check_stock(variation_id, warehouse_id=0)["data"]["stock"] >= 0
    client.delete_variations([variation_id])
    assert variation_id not in sandbox.variations
    with pytest.raises(ProviderRejected):
        client.delete_variations([variation_id])
    canceled = client.list_canceled_orders(start_date="2000-01-01", end_date="2100-01-01", type="REJECTED")
    assert all(row["order_status"] == "REJECTED" for row in canceled["data"])
