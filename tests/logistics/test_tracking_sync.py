"""Tracking pulls against the Komship, Ngorder and Scalev sandboxes over HTTP: timelines recorded once,
shipments and orders moved through their state machines, returns opened, faults survived."""

import pytest
from django.test import override_settings

from integrations.models import SyncRun
from integrations.sandbox_kit import FaultPlan
from integrations.syncing import kinds_for, sync_run_execute
from logistics.models import Return, Shipment, ShipmentEvent, TrackingEvent
from orders.models import Order
from tests.integrations.engine_support import reset_sandbox, sandbox_account
from tests.integrations.test_sync_engine import FAST_RETRIES
from tests.logistics.sandbox_support import SCRIPTS, travelling_shipments

pytestmark = pytest.mark.django_db(transaction=True)

PLATFORMS = ("komship", "ngorder", "scalev")
STAGES = ["delivered", "transit", "returning"]


def state(shipments):
    rows = Shipment.objects.filter(pk__in=[s.pk for s in shipments]).order_by("id")
    return ([(s.status, s.order.status) for s in rows.select_related("order")],
            TrackingEvent.objects.filter(shipment__in=shipments).count(),
            ShipmentEvent.objects.filter(shipment__in=shipments).count())


@pytest.mark.parametrize("platform", PLATFORMS)
def test_tracking_pull_moves_shipments_and_orders_and_a_second_pull_changes_nothing(platform, live_server):
    sandbox = reset_sandbox(platform, orders=20)
    account = sandbox_account(platform, live_server.url)
    shipments = travelling_shipments(platform, sandbox, account, STAGES)

    run = sync_run_execute(account=account, kind=SyncRun.Kind.TRACKING_PULL)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    expected_events = sum(len(SCRIPTS[platform][stage]) for stage in STAGES)
    assert run.created == expected_events
    statuses, events, transitions = state(shipments)
    assert statuses == [
        (Shipment.Status.DELIVERED, Order.Status.DELIVERED),
        (Shipment.Status.IN_TRANSIT, Order.Status.SHIPPED),
        (Shipment.Status.RETURNING, Order.Status.RETURNING),
    ]
    assert events == expected_events
    returned = Return.objects.get(shipment=shipments[2])
    assert returned.status == Return.Status.RETURNING and returned.events.get().source == "sync"
    delivered = Shipment.objects.get(pk=shipments[0].pk)
    assert delivered.delivered_at and delivered.last_movement_at and delivered.platform_status

    again = sync_run_execute(account=account, kind=SyncRun.Kind.TRACKING_PULL)
    assert again.status == SyncRun.Status.SUCCEEDED and again.created == 0 and again.updated == 0
    assert state(shipments) == (statuses, events, transitions)
    assert Return.objects.filter(order__account=account).count() == 1


@pytest.mark.parametrize("platform", PLATFORMS)
def test_tracking_pull_under_twenty_percent_faults_records_every_event_once(platform, live_server):
    sandbox = reset_sandbox(platform, orders=20)
    account = sandbox_account(platform, live_server.url)
    shipments = travelling_shipments(platform, sandbox, account, STAGES * 3)
    sandbox.stats.clear()
    sandbox.set_faults(FaultPlan(error_rate=0.2, slow_seconds=1.0, retry_after=0, seed=17))

    with override_settings(**FAST_RETRIES):
        run = sync_run_execute(account=account, kind=SyncRun.Kind.TRACKING_PULL)
        rerun = sync_run_execute(account=account, kind=SyncRun.Kind.TRACKING_PULL)

    sandbox.set_faults(FaultPlan(error_rate=0.0))
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert rerun.created == 0
    expected = sum(len(SCRIPTS[platform][stage]) for stage in STAGES) * 3
    keys = list(TrackingEvent.objects.filter(shipment__in=shipments).values_list("shipment_id", "dedup_key"))
    assert len(keys) == len(set(keys)) == expected
    assert sandbox.stats["faults"] > 0
    assert Shipment.objects.filter(pk__in=[s.pk for s in shipments], status=Shipment.Status.DELIVERED).count() == 3


def test_a_parcel_reported_back_at_the_seller_is_received(live_server):
    sandbox = reset_sandbox("komship", orders=5)
    account = sandbox_account("komship", live_server.url)
    [shipment] = travelling_shipments("komship", sandbox, account, ["returning"])
    sandbox.add_tracking(shipment.awb, "RETURNED", "Paket retur diterima pengirim")

    sync_run_execute(account=account, kind=SyncRun.Kind.TRACKING_PULL)

    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.RETURNED
    assert shipment.order.status == Order.Status.RETURNED
    assert Return.objects.get(shipment=shipment).status == Return.Status.RECEIVED


def test_logistics_kinds_per_platform_and_all_includes_them(live_server):
    komship = sandbox_account("komship", live_server.url)
    mitrabunso = sandbox_account("mitrabunso", live_server.url)
    assert {SyncRun.Kind.SHIPMENTS, SyncRun.Kind.TRACKING_PULL, SyncRun.Kind.PICKUPS} <= set(kinds_for(komship, "all"))
    assert kinds_for(komship, "tracking") == (SyncRun.Kind.TRACKING_PULL,)
    assert kinds_for(mitrabunso, "tracking") == ()
