"""The client and the adapter against the sandbox over real HTTP."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from integrations.base import ExternalCustomer, OrderItemPayload, OrderPayload, OrderSink, OrderSource
from integrations.exceptions import ProviderAuthFailed, ProviderRejected, ProviderUnavailable
from integrations.mitrabunso.endpoints import PAGE_SIZE_MAX
from integrations.sandbox_kit import FaultPlan

pytestmark = pytest.mark.urls("tests.integrations.mitrabunso.urls")

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
FAR = datetime(2100, 1, 1, tzinfo=UTC)


def _all_ids(sandbox) -> set[str]:
    return {o.id for o in sandbox.orders}


def _pull(adapter, since=EPOCH, until=FAR, **kwargs):
    pages = list(adapter.iter_order_pages(since=since, until=until, **kwargs))
    return pages, [o for page in pages for o in page.orders]


def _payload(order_no: str, **overrides) -> OrderPayload:
    values = dict(
        order_no=order_no, payment_method="cod",
        customer=ExternalCustomer(name="Agus Setiawan", phone="+6285712345678", address="Jl. Kenanga No. 7",
                                  district="Gubeng", city="Kota Surabaya", province="Jawa Timur",
                                  postal_code="60281"),
        items=(OrderItemPayload(sku="KAOS-HTM-M", name="Kaos Polos Hitam M", quantity=2,
                                unit_price=Decimal("45000"), weight_grams=200),
               OrderItemPayload(sku="HIJAB-VOAL-MOC", name="Hijab Segi Empat Voal Mocca", quantity=1,
                                unit_price=Decimal("35000"), weight_grams=150)),
        subtotal=Decimal("125000"), grand_total=Decimal("137000"), shipping_cost=Decimal("12000"),
        courier_code="sicepat", courier_service="REG", notes="Kirim sore", sender_name="Kaos Kita Official",
        sender_phone="+6287788990011",
    )
    values.update(overrides)
    return OrderPayload(**values)


def test_adapter_implements_the_protocols(adapter):
    assert isinstance(adapter, OrderSource) and isinstance(adapter, OrderSink)


def test_check_connection_reads_one_row(adapter, sandbox):
    adapter.check_connection()
    assert sandbox.stats["served"] == 1


def test_wrong_token_fails_auth(make_adapter):
    with pytest.raises(ProviderAuthFailed) as info:
        make_adapter(token="wrong").check_connection()
    assert info.value.status_code == 401 and "Unauthorized" in str(info.value)


def test_missing_token_fails_auth_without_a_request(make_adapter, sandbox):
    with pytest.raises(ProviderAuthFailed):
        make_adapter(token="").check_connection()
    assert sandbox.stats["requests"] == 0


def test_full_pull_returns_every_order_once_at_the_largest_page_size(adapter, sandbox):
    pages, orders = _pull(adapter)
    ids = [o.external_id for o in orders]
    assert len(ids) == len(set(ids)) == 237
    assert set(ids) == _all_ids(sandbox)
    assert adapter.page_size == PAGE_SIZE_MAX
    assert [p.cursor for p in pages] == ["237"] and pages[0].total == 237
    assert all(o.items_complete and o.items for o in orders)
    created = [o.created_at for o in orders]
    assert created == sorted(created, reverse=True)  # newest first


def test_pull_advances_by_rows_received_when_the_server_serves_fewer(make_adapter, sandbox):
    sandbox.page_size_cap = 40
    pages, orders = _pull(make_adapter())
    assert len(orders) == len({o.external_id for o in orders}) == 237
    assert [p.cursor for p in pages] == ["40", "80", "120", "160", "200", "237"]
    assert sandbox.stats["served"] == 6


def test_pull_with_a_small_requested_page(make_adapter, sandbox):
    pages, orders = _pull(make_adapter(options={"page_size": 50}))
    assert len(pages) == 5 and {o.external_id for o in orders} == _all_ids(sandbox)


def test_time_window_pull_stops_once_past_since(make_adapter, sandbox):
    now = datetime.now(UTC)
    since, until = now - timedelta(days=30), now - timedelta(days=10)
    sandbox.page_size_cap = 20
    pages, orders = _pull(make_adapter(), since=since, until=until)
    expected = {o.id for o in sandbox.orders
                if since.timestamp() <= o.created < until.timestamp()}
    assert expected and {o.external_id for o in orders} == expected
    assert len(orders) == len(expected)
    older = sum(1 for o in sandbox.orders if o.created < since.timestamp())
    assert older > 20  # so stopping early matters
    assert int(pages[-1].cursor) < 237  # stopped before reading the oldest rows
    scanned = list(make_adapter(options={"list_order": "scan"}).iter_order_pages(since=since, until=until))
    assert scanned[-1].cursor == "237"
    assert {o.external_id for p in scanned for o in p.orders} == expected


def test_status_and_search_filters(adapter, sandbox):
    _, sent = _pull(adapter, status="SENT")
    assert sent and {o.status for o in sent} == {"SENT"}
    assert len(sent) == sum(1 for o in sandbox.orders if o.status == "SENT")
    target = sandbox.orders[100]
    _, found = _pull(adapter, q=target.invoice.lower())
    assert target.id in {o.external_id for o in found}


def test_total_summary_counts(adapter, sandbox):
    counts = adapter.order_summary()
    assert set(counts) == {"NEW", "PROCESSED", "SENT", "DRAFT"} and sum(counts.values()) == 237


def test_get_order_matches_the_list_row(adapter):
    _, orders = _pull(adapter)
    listed = orders[5]
    detail = adapter.get_order(listed.external_id)
    assert detail.external_id == listed.external_id
    assert detail.order_no == listed.order_no and detail.status == listed.status
    assert detail.customer.phone == listed.customer.phone
    assert detail.subtotal == listed.subtotal and detail.grand_total == listed.grand_total
    assert [(i.name, i.quantity, i.line_total) for i in detail.items] == [
        (i.name, i.quantity, i.line_total) for i in listed.items]
    assert detail.created_at == listed.created_at


def test_unknown_order_is_rejected(adapter):
    with pytest.raises(ProviderRejected) as info:
        adapter.get_order("00000000-0000-4000-8000-000000000000")
    assert info.value.status_code == 404


@pytest.mark.parametrize("encoding", ["json", "form"])
def test_create_list_detail_and_find_round_trip(make_adapter, sandbox, encoding):
    adapter = make_adapter(options={"body_encoding": encoding, "shop_id": "06d48eba-b46c-439f-b82a-212456a97f2f",
                                    "shop_name": "Kaos Kita Official"})
    external_id = adapter.create_order(_payload("SO-2026-0001"))
    assert len(external_id) == 36 and external_id in sandbox.by_id
    assert adapter.find_order("SO-2026-0001") == external_id
    assert adapter.find_order("SO-2026-9999") is None
    newest = next(adapter.iter_order_pages(since=EPOCH, until=FAR)).orders[0]
    assert newest.external_id == external_id and newest.status == "NEW"
    detail = adapter.get_order(external_id)
    for order in (newest, detail):
        assert order.order_no == "SO-2026-0001" and order.payment_method == "cod"
        assert order.customer.phone == "+6285712345678" and order.customer.city == "Kota Surabaya"
        assert (order.courier_code, order.courier_service) == ("sicepat", "REG")
        assert order.subtotal == Decimal("125000") and order.grand_total == Decimal("137000")
        assert [(i.name, i.quantity, i.unit_price) for i in order.items] == [
            ("Kaos Polos Hitam M", 2, Decimal("45000")), ("Hijab Segi Empat Voal Mocca", 1, Decimal("35000"))]
    assert adapter.order_summary()["NEW"] == sum(1 for o in sandbox.orders if o.status == "NEW")


def test_batch_create_returns_ids_in_order(adapter, sandbox):
    ids = adapter.create_orders([_payload(f"SO-B-{n}") for n in range(3)])
    assert len(ids) == len(set(ids)) == 3
    assert [adapter.get_order(i).order_no for i in ids] == ["SO-B-0", "SO-B-1", "SO-B-2"]
    assert [adapter.find_order(f"SO-B-{n}") for n in range(3)] == ids
    assert adapter.create_orders([]) == []


def test_invalid_create_is_rejected_and_batch_is_all_or_nothing(adapter, sandbox):
    bad = _payload("", customer=ExternalCustomer(name="", address=""))
    with pytest.raises(ProviderRejected) as info:
        adapter.create_order(bad)
    assert info.value.status_code == 422 and "order.invoice" in str(info.value)
    with pytest.raises(ProviderRejected):
        adapter.create_orders([_payload("SO-OK"), bad])
    assert len(sandbox.orders) == 237


def test_processed_batches_and_print(adapter, sandbox):
    batches = adapter.processed_batches()
    assert batches and batches[0].processed_at > batches[-1].processed_at
    batch = batches[0]
    orders = adapter.print_batch(batch, print_status=batch.print_status + 1)
    assert len(orders) == batch.label_count and {o.status for o in orders} == {"PROCESSED"}
    assert adapter.processed_batches()[0].print_status == batch.print_status + 1
    one = sandbox.by_id[orders[0].external_id]
    assert [b.processed for b in adapter.processed_batches(q=one.invoice)] == [batch.processed]


# Faults: a GET is retried and succeeds; a POST is not retried ---------------------------------------


def _fault_once(sandbox, plan: FaultPlan):
    """Serve `plan` until the client backs off for the first time, then stop faulting."""
    sandbox.set_faults(plan)
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        sandbox.set_faults(FaultPlan())

    return waits, sleep


@pytest.mark.parametrize("kind", ["500", "429", "slow", "reset"])
def test_get_is_retried_through_a_fault(make_adapter, sandbox, kind):
    waits, sleep = _fault_once(sandbox, FaultPlan(error_rate=1.0, kinds=(kind,), retry_after=1,
                                                  slow_seconds=1.0))
    adapter = make_adapter(sleep=sleep, timeout=(2, 0.5))
    _pages, orders = _pull(adapter)
    assert len(orders) == 237
    assert sandbox.stats[f"fault_{kind}"] == 1 and sandbox.stats["faults"] == 1
    assert len(waits) == 1
    if kind == "429":
        assert waits == [1.0]  # Retry-After honoured


def test_post_is_not_retried(make_adapter, sandbox):
    sandbox.set_faults(FaultPlan(error_rate=1.0, kinds=("500",)))
    waits: list[float] = []
    adapter = make_adapter(sleep=waits.append)
    with pytest.raises(ProviderUnavailable):
        adapter.create_order(_payload("SO-FAULT"))
    with pytest.raises(ProviderUnavailable):
        adapter.create_orders([_payload("SO-FAULT-B")])
    with pytest.raises(ProviderUnavailable):
        adapter.print_batch("2022-09-02 16:11:21", print_status=1)
    assert sandbox.stats["requests"] == 3 and sandbox.stats["fault_500"] == 3 and waits == []


def test_retry_after_a_timeout_finds_the_order_instead_of_creating_twice(make_adapter, sandbox):
    sandbox.set_faults(FaultPlan(error_rate=1.0, kinds=("slow",), slow_seconds=1.0))
    with pytest.raises(ProviderUnavailable):
        make_adapter(timeout=(2, 0.3)).create_order(_payload("SO-SLOW"))
    sandbox.set_faults(FaultPlan())
    adapter = make_adapter()
    for _ in range(50):  # the slow reply still creates the order once the server wakes up
        if adapter.find_order("SO-SLOW"):
            break
        import time

        time.sleep(0.05)
    found = adapter.find_order("SO-SLOW")
    assert found and sum(1 for o in sandbox.orders if o.invoice == "SO-SLOW") == 1
