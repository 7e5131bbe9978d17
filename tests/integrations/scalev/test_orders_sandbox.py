"""The Scalev client and adapter against the sandbox over real HTTP (orders). Every request they send
is validated against openapi.json by the `sent_requests` fixture."""

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from integrations.base import ExternalCustomer, OrderItemPayload, OrderPayload
from integrations.exceptions import ProviderAuthFailed, ProviderRejected, ProviderUnavailable
from integrations.sandbox_kit import FaultPlan

pytestmark = pytest.mark.urls("tests.integrations.scalev.urls")

WIDE_SINCE = datetime.now(UTC) - timedelta(days=91)


def _until():
    return datetime.now(UTC) + timedelta(minutes=1)


def _sandbox_ids(sandbox):
    return {ident for _created, ident in sandbox.order_keys}


def _payload(sandbox, order_no="BO-2026-000123", payment_method="cod"):
    variant = next(iter(sandbox.products.values()))["variants"][0]
    return OrderPayload(
        order_no=order_no,
        payment_method=payment_method,
        customer=ExternalCustomer(name="Siti Rahmawati", phone="+6281234567890", email="siti@example.com",
                                  address="Jl. Kenanga No. 5", district="Tebet", city="Kota Jakarta Selatan",
                                  province="DKI Jakarta", postal_code="12810"),
        items=(OrderItemPayload(sku=variant["sku"], name=variant["name"], quantity=2,
                                unit_price=Decimal(str(variant["price"])), weight_grams=variant["weight"],
                                external_variant_id=variant["unique_id"]),),
        subtotal=Decimal(str(variant["price"] * 2)),
        grand_total=Decimal(str(variant["price"] * 2 + 15000)),
        shipping_cost=Decimal("15000"),
        cod_fee=Decimal("3000"),
        notes="Tolong packing rapi",
    )


def test_check_connection_reads_one_order(adapter, scalev_sandbox):
    adapter.check_connection()
    assert scalev_sandbox.stats["served"] == 1


def test_wrong_api_key_is_auth_failed(make_adapter):
    with pytest.raises(ProviderAuthFailed) as caught:
        make_adapter(token="sk_wrong").check_connection()
    assert caught.value.status_code == 401
    assert "Invalid API key" in caught.value.message


def test_full_pull_returns_each_order_exactly_once(adapter, scalev_sandbox):
    pages = list(adapter.iter_order_pages(since=WIDE_SINCE, until=_until()))
    ids = [order.external_id for page in pages for order in page.orders]
    assert len(ids) == 237
    assert set(ids) == _sandbox_ids(scalev_sandbox)
    assert len(pages) == 10  # 25 per page, the documented maximum
    assert all(page.cursor for page in pages[:-1]) and pages[-1].cursor == ""
    assert all(not order.items_complete and order.items == () for page in pages for order in page.orders)


def test_full_pull_when_the_server_serves_fewer_rows_than_asked(adapter, scalev_sandbox):
    scalev_sandbox.server_page_cap = 7
    pages = list(adapter.iter_order_pages(since=WIDE_SINCE, until=_until()))
    ids = [order.external_id for page in pages for order in page.orders]
    assert len(ids) == len(set(ids)) == 237
    assert set(ids) == _sandbox_ids(scalev_sandbox)
    assert len(pages) == 34  # ceil(237 / 7)


def test_pull_honours_the_time_window(adapter, scalev_sandbox):
    now = datetime.now(UTC)
    since, until = now - timedelta(days=60), now - timedelta(days=30)
    expected = {ident for created, ident in scalev_sandbox.order_keys
                if since.timestamp() <= created <= until.timestamp()}
    assert 30 < len(expected) < 237
    ids = [o.external_id for page in adapter.iter_order_pages(since=since, until=until) for o in page.orders]
    assert len(ids) == len(set(ids))
    assert set(ids) == expected
    # the walk stopped soon after `since` instead of reading the whole history
    assert scalev_sandbox.stats["served"] <= len(expected) // 25 + 3


def test_detail_has_items_money_and_phone(adapter, scalev_sandbox):
    first = next(iter(adapter.iter_order_pages(since=WIDE_SINCE, until=_until()))).orders[0]
    order = adapter.get_order(first.external_id)
    assert order.items_complete and order.items
    assert order.order_no == first.order_no and order.status == first.status
    assert all(item.sku and item.quantity > 0 and item.unit_price > 0 for item in order.items)
    assert order.subtotal == sum(item.line_total for item in order.items)
    assert order.customer.phone.startswith("+62")
    assert order.grand_total == first.grand_total
    assert order.created_at.tzinfo is not None


def test_unknown_order_is_rejected_with_404(adapter):
    with pytest.raises(ProviderRejected) as caught:
        adapter.get_order("01948092-9b80-7f91-b23d-1a8686278331")
    assert caught.value.status_code == 404


def test_create_find_list_detail_status_cancel_delete_round_trip(adapter, scalev_sandbox):
    payload = _payload(scalev_sandbox)
    external_id = adapter.create_order(payload)
    assert adapter.find_order(payload.order_no) == external_id
    assert adapter.find_order("BO-NEVER-SENT") is None

    newest = next(iter(adapter.iter_order_pages(since=datetime.now(UTC) - timedelta(hours=1), until=_until())))
    assert external_id in {o.external_id for o in newest.orders}

    order = adapter.get_order(external_id)
    assert order.status == "pending" and order.payment_method == "cod"
    assert order.customer.phone == "+6281234567890" and order.customer.name == "Siti Rahmawati"
    assert order.items[0].quantity == 2 and order.items[0].sku == payload.items[0].sku
    assert order.shipping_cost == Decimal("15000") and order.cod_fee == Decimal("3000")
    assert order.notes == "Tolong packing rapi"

    adapter.update_order_status(external_id, "processing")
    assert adapter.get_order(external_id).status == "in_process"
    adapter.cancel_order(external_id, "customer asked")
    assert adapter.get_order(external_id).status == "canceled"
    adapter.delete_order(external_id)
    with pytest.raises(ProviderRejected):
        adapter.get_order(external_id)


def test_status_without_a_scalev_word_is_refused_before_sending(adapter, scalev_sandbox):
    some_id = scalev_sandbox.order_keys[0][1]
    with pytest.raises(ProviderRejected):
        adapter.update_order_status(some_id, "returning")
    assert scalev_sandbox.stats["requests"] == 0


def test_create_with_unknown_variant_is_rejected(adapter, scalev_sandbox):
    payload = _payload(scalev_sandbox)
    item = payload.items[0]
    bad = OrderPayload(**{**{f: getattr(payload, f) for f in payload.__dataclass_fields__},
                          "items": (OrderItemPayload(sku=item.sku, name=item.name, quantity=1,
                                                     unit_price=item.unit_price, weight_grams=100,
                                                     external_variant_id="variant_doesnotexist"),)})
    with pytest.raises(ProviderRejected) as caught:
        adapter.create_order(bad)
    assert caught.value.status_code == 400
    assert "variant_unique_id" in caught.value.message


def _seed_fault_first_then_ok(kind: str) -> int:
    """A FaultPlan seed whose first request is a fault and whose second is not (rate 0.5)."""
    for seed in range(1000):
        rng = random.Random(seed)
        if rng.random() < 0.5:
            rng.choice([kind])
            if rng.random() >= 0.5:
                return seed
    raise AssertionError("no seed")


@pytest.mark.parametrize("kind", ["500", "429", "slow", "reset"])
def test_get_is_retried_after_a_fault_and_succeeds(make_adapter, scalev_sandbox, kind):
    adapter = make_adapter(timeout=(2, 0.5) if kind == "slow" else (2, 5))
    slept: list[float] = []
    adapter.client.sleep = lambda seconds: slept.append(seconds)
    scalev_sandbox.set_faults(FaultPlan(error_rate=0.5, kinds=(kind,), retry_after=1, slow_seconds=1.0,
                                        seed=_seed_fault_first_then_ok(kind)))
    pages = list(adapter.iter_order_pages(since=WIDE_SINCE, until=_until()))
    scalev_sandbox.set_faults(FaultPlan(error_rate=0))
    ids = [o.external_id for page in pages for o in page.orders]
    assert len(ids) == len(set(ids)) == 237
    assert scalev_sandbox.stats[f"fault_{kind}"] >= 1
    assert slept, "the client backed off before retrying"
    if kind == "429":
        assert 1.0 in slept  # Retry-After honoured (plain-text 429 body)


def test_post_create_is_not_retried(adapter, scalev_sandbox):
    scalev_sandbox.set_faults(FaultPlan(error_rate=1.0, kinds=("500",)))
    before = len(scalev_sandbox.order_keys)
    with pytest.raises(ProviderUnavailable):
        adapter.create_order(_payload(scalev_sandbox))
    scalev_sandbox.set_faults(FaultPlan(error_rate=0))
    assert scalev_sandbox.stats["requests"] == 1
    assert scalev_sandbox.stats["fault_500"] == 1
    assert len(scalev_sandbox.order_keys) == before
