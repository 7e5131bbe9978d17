"""One stock across channels: an order pulled from one platform reserves stock in bulk, and the other
accounts listing the variant get one debounced stock push that sends the new availability."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Listing, StockLevel, StockMovement
from integrations.base import ExternalCustomer, ExternalOrder, ExternalOrderItem, OrderItemPayload, OrderPayload
from integrations.models import SyncRun
from integrations.registry import adapter_for
from integrations.syncing import SyncRequest, stock_push_soon, sync_run_execute
from integrations.tasks import sync_account_task
from orders.models import Order, OrderEvent, StatusMapping
from orders.status_vocabulary import status_vocabulary_seed
from orders.sync import CourierMap, StatusMapper, account_warehouse_id, orders_upsert_page
from tests.catalog.test_sync import local_product, platform_products, product_listing, seller_with_warehouse
from tests.factories import (
    PlatformAccountFactory,
    ProductFactory,
    SellerFactory,
    StockLevelFactory,
    VariantFactory,
    WarehouseFactory,
)
from tests.integrations.engine_support import reset_sandbox, sandbox_account, whole_history


@pytest.fixture
def status_words(db):
    status_vocabulary_seed(mapping_model=StatusMapping)  # flushed by transactional tests


@pytest.fixture
def queued_tasks(monkeypatch):
    """What would have gone to the broker: (args, kwargs, options) per apply_async."""
    calls = []
    monkeypatch.setattr(sync_account_task, "apply_async",
                        lambda args=None, kwargs=None, **options: calls.append((args, kwargs, options)))
    return calls


def ext_order(n: int, *, sku: str, quantity: int = 1, status: str = "ACCEPTED") -> ExternalOrder:
    total = Decimal(85000 * quantity)
    return ExternalOrder(
        external_id=f"NG-{n}", order_no=f"PO-{n}", status=status, payment_method="cod",
        customer=ExternalCustomer(name=f"Pembeli {n}", phone=f"+62812{n:08d}", city="Kota Bandung"),
        items=(ExternalOrderItem(sku=sku, name="Kaos", quantity=quantity, unit_price=Decimal(85000),
                                 line_total=total),),
        subtotal=total, grand_total=total, payment_status="UNPAID", created_at=timezone.now(),
    )


def upsert(account, orders):
    return orders_upsert_page(account=account, orders=orders, mapper=StatusMapper(account.platform),
                              couriers=CourierMap())


def shop(*, on_hand: int = 10, listed_elsewhere: bool = True):
    """A seller with a private warehouse, one variant in stock, an Ngorder account that sells it and (when
    asked) a Komship account that lists it too."""
    seller = SellerFactory()
    warehouse = WarehouseFactory(kind="private", seller=seller)
    variant = VariantFactory(product=ProductFactory(seller=seller), sku="KAOS-HTM-M")
    StockLevelFactory(variant=variant, warehouse=warehouse, on_hand=on_hand)
    ngorder = PlatformAccountFactory(platform="ngorder", seller=seller)
    komship = PlatformAccountFactory(platform="komship", seller=seller)
    if listed_elsewhere:
        Listing.objects.create(account=komship, product=variant.product, variant=variant, external_id="90001",
                               external_variant_id="90001", sync_state=Listing.SyncState.SYNCED)
    return seller, warehouse, variant, ngorder, komship


def level(variant, warehouse) -> tuple[int, int]:
    row = StockLevel.objects.get(variant=variant, warehouse=warehouse)
    return row.on_hand, row.reserved


# -------------------------------------------------------------------------------- reservation (no HTTP)


def test_new_live_orders_reserve_stock_in_the_accounts_warehouse_with_a_movement_each(status_words):
    _seller, warehouse, variant, ngorder, komship = shop(on_hand=10)

    upsert(ngorder, [ext_order(1, sku=variant.sku, quantity=2), ext_order(2, sku=variant.sku, quantity=3)])

    assert level(variant, warehouse) == (10, 5)
    movements = StockMovement.objects.filter(reason=StockMovement.Reason.RESERVATION).order_by("reference")
    assert [(m.reference, m.reserved_delta, m.warehouse_id) for m in movements] == [
        ("PO-1", 2, warehouse.pk), ("PO-2", 3, warehouse.pk)]
    assert set(Order.objects.values_list("warehouse_id", flat=True)) == {warehouse.pk}
    assert SyncRun.objects.filter(account=komship, kind=SyncRun.Kind.STOCK_PUSH,
                                  status=SyncRun.Status.QUEUED).count() == 1
    assert not SyncRun.objects.filter(account=ngorder).exists(), "the selling account is not pushed"


def test_a_reservation_never_exceeds_on_hand_and_the_shortfall_is_noted(status_words):
    _seller, warehouse, variant, ngorder, _komship = shop(on_hand=4)

    upsert(ngorder, [ext_order(1, sku=variant.sku, quantity=3), ext_order(2, sku=variant.sku, quantity=3),
                     ext_order(3, sku=variant.sku, quantity=1)])

    assert level(variant, warehouse) == (4, 4)
    movements = {m.reference: m for m in StockMovement.objects.filter(reason=StockMovement.Reason.RESERVATION)}
    assert movements["PO-1"].reserved_delta == 3 and movements["PO-1"].note == ""
    assert movements["PO-2"].reserved_delta == 1
    assert "KAOS-HTM-M: 3 ordered, 1 reserved, 2 short." in movements["PO-2"].note
    assert "PO-3" not in movements, "nothing was left: no movement"
    event = OrderEvent.objects.get(order__order_no="PO-3")
    assert "KAOS-HTM-M: 1 ordered, 0 reserved, 1 short." in event.note


def test_canceled_orders_release_and_shipped_orders_ship_what_they_hold(status_words):
    _seller, warehouse, variant, ngorder, _komship = shop(on_hand=10)
    upsert(ngorder, [ext_order(1, sku=variant.sku, quantity=2), ext_order(2, sku=variant.sku, quantity=3)])
    SyncRun.objects.all().delete()

    upsert(ngorder, [ext_order(1, sku=variant.sku, quantity=2, status="CANCELED")])

    assert level(variant, warehouse) == (10, 3)
    release = StockMovement.objects.get(reason=StockMovement.Reason.RELEASE)
    assert (release.reference, release.reserved_delta, release.on_hand_delta) == ("PO-1", -2, 0)
    assert SyncRun.objects.filter(kind=SyncRun.Kind.STOCK_PUSH, status=SyncRun.Status.QUEUED).count() == 1

    StatusMapping.objects.create(platform="ngorder", kind="order", platform_status="TEST-SHIPPED",
                                 our_status="shipped")
    upsert(ngorder, [ext_order(2, sku=variant.sku, quantity=3, status="TEST-SHIPPED")])

    assert level(variant, warehouse) == (7, 0)
    ship = StockMovement.objects.get(reason=StockMovement.Reason.SHIPMENT)
    assert (ship.reference, ship.reserved_delta, ship.on_hand_delta) == ("PO-2", -3, -3)
    upsert(ngorder, [ext_order(1, sku=variant.sku, quantity=2, status="CANCELED")])  # again: nothing more
    assert StockMovement.objects.filter(reason=StockMovement.Reason.RELEASE).count() == 1


def test_orders_that_are_not_live_or_unmapped_or_unmatched_reserve_nothing(status_words):
    _seller, warehouse, variant, ngorder, komship = shop(on_hand=10)

    upsert(ngorder, [ext_order(1, sku=variant.sku, status="CANCELED"),
                     ext_order(2, sku=variant.sku, status="SOMETHING-NEW"),
                     ext_order(3, sku="NOT-OURS")])

    assert level(variant, warehouse) == (10, 0)
    assert not StockMovement.objects.exists()
    assert not SyncRun.objects.filter(account=komship).exists()


def test_without_listings_elsewhere_the_pull_queues_no_stock_push(status_words):
    _seller, warehouse, variant, ngorder, _komship = shop(on_hand=10, listed_elsewhere=False)

    upsert(ngorder, [ext_order(1, sku=variant.sku, quantity=2)])

    assert level(variant, warehouse) == (10, 2)
    assert not SyncRun.objects.exists()


def test_the_accounts_warehouse_is_its_option_else_the_sellers_private_one_else_fulfilment(db):
    seller = SellerFactory()
    fulfilment = WarehouseFactory(kind="fulfilment")
    account = PlatformAccountFactory(seller=seller)
    assert account_warehouse_id(account) == fulfilment.pk
    private = WarehouseFactory(kind="private", seller=seller)
    assert account_warehouse_id(account) == private.pk
    chosen = WarehouseFactory(kind="fulfilment", code="WH-CGK")
    account.options = {"warehouse_code": "WH-CGK"}
    assert account_warehouse_id(account) == chosen.pk
    WarehouseFactory(kind="private", seller=SellerFactory(), code="WH-OTHER")
    account.options = {"warehouse_code": "WH-OTHER"}  # another seller's: not used
    assert account_warehouse_id(account) == private.pk


@pytest.mark.parametrize("action", ["reserve", "release"])
def test_queries_per_page_do_not_grow_with_the_orders_on_it(status_words, action):
    counts = []
    for size in (5, 100):
        _seller, _warehouse, variant, ngorder, _komship = shop(on_hand=1000)
        SyncRun.objects.all().delete()
        orders = [ext_order(n, sku=variant.sku, quantity=2) for n in range(size)]
        if action == "release":
            upsert(ngorder, orders)
            SyncRun.objects.all().delete()
            orders = [ext_order(n, sku=variant.sku, quantity=2, status="CANCELED") for n in range(size)]
        mapper, couriers = StatusMapper("ngorder"), CourierMap()
        with CaptureQueriesContext(connection) as queries:
            orders_upsert_page(account=ngorder, orders=orders, mapper=mapper, couriers=couriers)
        expected_reserved = 0 if action == "release" else 2 * size
        assert StockLevel.objects.get(variant=variant).reserved == expected_reserved
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# ------------------------------------------------------------------------------------------ debounce


@pytest.mark.django_db(transaction=True)
@override_settings(STOCK_PUSH_DEBOUNCE_SECONDS=45)
def test_stock_push_soon_queues_one_run_per_account_with_the_debounce_countdown(queued_tasks):
    account = PlatformAccountFactory(platform="scalev", seller=SellerFactory())

    first = stock_push_soon(account=account)
    second = stock_push_soon(account=account)

    assert first.pk == second.pk and first.status == SyncRun.Status.QUEUED
    assert SyncRun.objects.filter(account=account, kind=SyncRun.Kind.STOCK_PUSH).count() == 1
    assert queued_tasks == [([account.pk, SyncRun.Kind.STOCK_PUSH], {"run_id": first.pk},
                             {"queue": "scalev", "countdown": 45})]

    sync_run_execute(account=account, kind=SyncRun.Kind.STOCK_PUSH, run=first)  # it started (and ended)
    third = stock_push_soon(account=account)
    assert third.pk != first.pk and len(queued_tasks) == 2


# ------------------------------------------------------------------------------- across the sandboxes


def ngorder_order(order_no: str, sku: str, price: Decimal, quantity: int) -> OrderPayload:
    return OrderPayload(
        order_no=order_no, payment_method="cod",
        customer=ExternalCustomer(name="Siti Wulandari", phone="+6281311112222", address="Jl. Mawar No. 3",
                                  district="Tebet", city="Kota Jakarta Selatan", province="DKI Jakarta"),
        items=(OrderItemPayload(sku=sku, name="Kaos Uji", quantity=quantity, unit_price=price, weight_grams=250),),
        subtotal=price * quantity, grand_total=price * quantity + 12000, shipping_cost=Decimal(12000),
        courier_code="JNE", courier_service="REG",
    )


def remote_stock(account, product, sku: str) -> int | None:
    remote = platform_products(account)[product_listing(account, product).external_id]
    return {v.sku: v.stock for v in remote.variants}[sku]


@pytest.mark.django_db(transaction=True)
def test_an_order_pulled_from_ngorder_reserves_stock_and_pushes_it_to_komship_and_scalev(live_server,
                                                                                         queued_tasks):
    status_vocabulary_seed(mapping_model=StatusMapping)
    for platform in ("komship", "scalev"):
        reset_sandbox(platform, orders=5, products=3)
    # No seeded Ngorder orders: their lines name variation ids that the sandbox gives our new variants.
    reset_sandbox("ngorder", orders=0, products=3)
    seller, warehouse = seller_with_warehouse()
    accounts = {p: sandbox_account(p, live_server.url, seller=seller) for p in ("komship", "ngorder", "scalev")}
    product = local_product(seller, warehouse, quantities=(10, 20, 30))
    for account in accounts.values():
        pushed = sync_run_execute(account=account, kind=SyncRun.Kind.PRODUCTS_PUSH)
        assert pushed.created == 1, pushed.error
        assert sync_run_execute(account=account, kind=SyncRun.Kind.STOCK_PUSH).status == SyncRun.Status.SUCCEEDED
    sku = "UJISYNC-HTM-M"
    variant = product.variants.get(sku=sku)
    assert remote_stock(accounts["komship"], product, sku) == remote_stock(accounts["scalev"], product, sku) == 10
    ngorder = adapter_for(accounts["ngorder"], rate_limited=False)
    ngorder.create_order(ngorder_order("SO-STOCK-1", sku, variant.price, 3))
    since, until = whole_history()

    first = sync_run_execute(account=accounts["ngorder"], kind=SyncRun.Kind.ORDERS_PULL,
                             request=SyncRequest(since=since, until=until))

    assert first.status == SyncRun.Status.SUCCEEDED, first.error
    order = Order.objects.get(account=accounts["ngorder"], items__variant=variant)
    assert order.warehouse_id == warehouse.pk and order.status == Order.Status.NEW
    assert level(variant, warehouse) == (10, 3)
    assert StockMovement.objects.get(reason=StockMovement.Reason.RESERVATION).reference == order.order_no

    ngorder.create_order(ngorder_order("SO-STOCK-2", sku, variant.price, 2))
    until = timezone.now() + timedelta(minutes=5)
    second = sync_run_execute(account=accounts["ngorder"], kind=SyncRun.Kind.ORDERS_PULL,
                              request=SyncRequest(since=since, until=until))

    assert second.status == SyncRun.Status.SUCCEEDED and second.created == 1, second.error
    assert level(variant, warehouse) == (10, 5)
    queued = SyncRun.objects.filter(kind=SyncRun.Kind.STOCK_PUSH, status=SyncRun.Status.QUEUED)
    assert sorted(queued.values_list("account__platform", flat=True)) == ["komship", "scalev"], "one each"
    assert sorted(options["queue"] for _args, _kwargs, options in queued_tasks) == ["komship", "scalev"]
    assert {options["countdown"] for _args, _kwargs, options in queued_tasks} == {30}

    for platform in ("komship", "scalev"):
        run = sync_run_execute(account=accounts[platform], kind=SyncRun.Kind.STOCK_PUSH,
                               run=queued.get(account=accounts[platform]))
        assert run.status == SyncRun.Status.SUCCEEDED and run.updated == 1, run.error
        assert remote_stock(accounts[platform], product, sku) == 5
        assert remote_stock(accounts[platform], product, "UJISYNC-HTM-L") == 20
    assert not queued.exists()
