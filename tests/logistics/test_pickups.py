"""Pickups: the refusals (nothing written, nothing sent), the push to Komship and Ngorder after commit,
Ngorder's cancel with the reason JNE requires, and Komship's pickup history moving our requests."""

import datetime as dt

import pytest
from django.utils import timezone

from integrations.models import SyncRun
from integrations.syncing import sync_run_execute
from logistics import services
from logistics.models import PickupEvent, PickupRequest, Shipment
from logistics.sync import PickupCancelRefused, pickup_cancel, pickup_refresh
from tests.factories import CourierFactory, OrderFactory, ShipmentFactory, WarehouseFactory
from tests.integrations.engine_support import reset_sandbox, sandbox_account
from tests.logistics.sandbox_support import sandbox_order_ids
from tests.logistics.test_services import pickup_kwargs


def assert_nothing_written():
    assert not PickupRequest.objects.exists()
    assert not PickupEvent.objects.exists()
    assert not Shipment.objects.filter(status=Shipment.Status.PICKUP_REQUESTED).exists()


def test_orders_from_different_warehouses_are_refused(seller, tomorrow):
    orders = [OrderFactory(seller=seller, warehouse=WarehouseFactory()) for _ in range(2)]
    for order in orders:
        ShipmentFactory(order=order)
    with pytest.raises(services.PickupRefused, match="different pickup addresses") as caught:
        services.pickup_request_create(**pickup_kwargs(seller, orders, tomorrow))
    assert caught.value.extra["field"] == "orders"
    assert_nothing_written()


def test_a_warehouse_other_than_the_orders_is_refused(seller, tomorrow):
    order = OrderFactory(seller=seller, warehouse=WarehouseFactory())
    ShipmentFactory(order=order)
    with pytest.raises(services.PickupRefused, match="another warehouse"):
        services.pickup_request_create(**pickup_kwargs(seller, [order], tomorrow, warehouse=WarehouseFactory()))
    assert_nothing_written()


def test_orders_on_different_platform_accounts_are_refused(seller, tomorrow):
    from tests.factories import PlatformAccountFactory

    orders = [OrderFactory(seller=seller, account=PlatformAccountFactory(seller=seller), external_id=str(i))
              for i in range(2)]
    for order in orders:
        ShipmentFactory(order=order)
    with pytest.raises(services.PickupRefused, match="different platform accounts"):
        services.pickup_request_create(**pickup_kwargs(seller, orders, tomorrow))
    assert_nothing_written()


def test_a_courier_cutoff_earlier_than_the_setting_is_enforced(seller, tomorrow, settings):
    settings.PICKUP_CUTOFF_TIME = "16:00"
    order = OrderFactory(seller=seller)
    ShipmentFactory(order=order, courier=CourierFactory(code="sicepat", name="SiCepat", pickup_cutoff=dt.time(11)))
    with pytest.raises(services.PickupRefused, match="11:00") as caught:
        services.pickup_request_create(**pickup_kwargs(seller, [order], tomorrow, time_from=dt.time(13),
                                                       time_to=dt.time(15)))
    assert caught.value.extra["field"] == "time_from"
    assert_nothing_written()


# --- against the sandboxes ----------------------------------------------------------------------------


def platform_orders(platform, sandbox, account, count, courier_code="jne"):
    courier = CourierFactory(code=courier_code, name=courier_code.upper())
    orders = []
    for index, external_id in enumerate(sandbox_order_ids(platform, sandbox, count)):
        awb = f"PK{platform[:2].upper()}{index:03d}{external_id[-6:]}"
        if platform == "ngorder":
            sandbox.give_awb(int(external_id), awb)
        order = OrderFactory(seller=account.seller, account=account, external_id=external_id)
        ShipmentFactory(order=order, courier=courier, awb=awb, account=account)
        orders.append(order)
    return orders


@pytest.mark.django_db(transaction=True)
def test_komship_pickup_is_stored_on_the_platform_then_follows_its_history(live_server):
    sandbox = reset_sandbox("komship", orders=10)
    account = sandbox_account("komship", live_server.url)
    orders = platform_orders("komship", sandbox, account, 3)
    day = timezone.localdate() + dt.timedelta(days=1)

    pickup = services.pickup_request_create(**pickup_kwargs(account.seller, orders, day))

    pickup.refresh_from_db()
    assert pickup.status == PickupRequest.Status.SCHEDULED and pickup.account == account
    stored = sandbox.pickups[int(pickup.external_id)]
    assert sorted(stored["orders"]) == sorted(int(o.external_id) for o in orders)
    assert stored["key"][:3] == (day.isoformat(), "09:00:00", "Motor")
    push_run = SyncRun.objects.get(account=account, kind=SyncRun.Kind.PICKUPS)
    assert push_run.status == SyncRun.Status.SUCCEEDED and push_run.created == 3

    sandbox.set_pickup_status(int(pickup.external_id), "Sudah Dipickup")
    run = sync_run_execute(account=account, kind=SyncRun.Kind.PICKUPS)

    assert run.status == SyncRun.Status.SUCCEEDED and run.updated == 1
    pickup.refresh_from_db()
    assert pickup.status == PickupRequest.Status.PICKED_UP
    assert set(Shipment.objects.filter(order__in=orders).values_list("status", flat=True)) == {"picked_up"}
    again = sync_run_execute(account=account, kind=SyncRun.Kind.PICKUPS)
    assert again.updated == 0


@pytest.mark.django_db(transaction=True)
def test_komship_pickup_refused_by_the_platform_fails_and_frees_the_shipments(live_server):
    sandbox = reset_sandbox("komship", orders=10)
    account = sandbox_account("komship", live_server.url)
    orders = platform_orders("komship", sandbox, account, 1)
    sandbox.by_id[int(orders[0].external_id)]["order_status"] = "Batal"

    pickup = services.pickup_request_create(**pickup_kwargs(account.seller, orders,
                                                            timezone.localdate() + dt.timedelta(days=1)))

    pickup.refresh_from_db()
    assert pickup.status == PickupRequest.Status.FAILED and "cannot be picked up" in pickup.failure_reason
    assert orders[0].shipments.get().status == Shipment.Status.AWB_CREATED
    assert not sandbox.pickups


@pytest.mark.django_db(transaction=True)
def test_komship_pickup_refresh_reads_the_detail(live_server):
    sandbox = reset_sandbox("komship", orders=10)
    account = sandbox_account("komship", live_server.url)
    orders = platform_orders("komship", sandbox, account, 1)
    pickup = services.pickup_request_create(**pickup_kwargs(account.seller, orders,
                                                            timezone.localdate() + dt.timedelta(days=1)))
    pickup.refresh_from_db()
    sandbox.set_pickup_status(int(pickup.external_id), "Gagal Pickup")
    assert pickup_refresh(pickup=pickup).status == PickupRequest.Status.FAILED


@pytest.mark.django_db(transaction=True)
def test_ngorder_pickup_request_and_cancel_with_the_reason_jne_requires(live_server):
    sandbox = reset_sandbox("ngorder", orders=10)
    account = sandbox_account("ngorder", live_server.url)
    orders = platform_orders("ngorder", sandbox, account, 2)
    for order in orders:
        sandbox.orders[int(order.external_id)]["logistic"] = "JNE"

    pickup = services.pickup_request_create(**pickup_kwargs(account.seller, orders,
                                                            timezone.localdate() + dt.timedelta(days=1)))
    pickup.refresh_from_db()
    assert pickup.status == PickupRequest.Status.SCHEDULED
    assert all(sandbox.orders[int(o.external_id)]["pickup"] == 1 for o in orders)

    requests_before = sandbox.stats["requests"]
    with pytest.raises(PickupCancelRefused, match="JNE needs a reason"):
        pickup_cancel(pickup=pickup, reason="  ")
    assert sandbox.stats["requests"] == requests_before
    pickup.refresh_from_db()
    assert pickup.status == PickupRequest.Status.SCHEDULED

    pickup_cancel(pickup=pickup, reason="Toko tutup hari ini")

    pickup.refresh_from_db()
    assert pickup.status == PickupRequest.Status.CANCELED and pickup.failure_reason == "Toko tutup hari ini"
    assert all(sandbox.orders[int(o.external_id)]["pickup"] == 0 for o in orders)
    assert set(Shipment.objects.filter(order__in=orders).values_list("status", flat=True)) == {"awb_created"}


@pytest.mark.django_db(transaction=True)
def test_a_refused_pickup_sends_nothing(live_server):
    sandbox = reset_sandbox("ngorder", orders=5)
    account = sandbox_account("ngorder", live_server.url)
    orders = platform_orders("ngorder", sandbox, account, 1)
    sandbox.stats.clear()
    with pytest.raises(services.PickupRefused):
        services.pickup_request_create(**pickup_kwargs(account.seller, orders, timezone.localdate()
                                                       - dt.timedelta(days=1)))
    assert sandbox.stats["requests"] == 0
    assert_nothing_written()
