"""The order pull of every platform against its sandbox over real HTTP: complete, idempotent, and
exact under injected faults."""

import pytest
from django.test import override_settings

from integrations.models import SyncRun
from integrations.registry import adapter_for
from integrations.sandbox_kit import FaultPlan
from integrations.syncing import SyncRequest, sync_run_execute
from orders.models import Order, OrderEvent, OrderItem
from tests.integrations.engine_support import PLATFORMS, reset_sandbox, sandbox_account, whole_history

pytestmark = pytest.mark.django_db(transaction=True)

FAST_RETRIES = {
    "INTEGRATIONS_HTTP_TIMEOUT": (2.0, 0.5),
    "INTEGRATIONS_HTTP_MAX_ATTEMPTS": 10,
    "INTEGRATIONS_HTTP_BACKOFF_BASE": 0.01,
    "INTEGRATIONS_HTTP_BACKOFF_CAP": 0.05,
}


def platform_order_ids(account, since, until) -> set[str]:
    """A second, fault-free reading of the sandbox through the adapter's own paging."""
    ids: list[str] = []
    for page in adapter_for(account, rate_limited=False).iter_order_pages(since=since, until=until):
        ids.extend(o.external_id for o in page.orders)
    assert len(ids) == len(set(ids)), "the platform listed an order twice"
    return set(ids)


def snapshot(account):
    orders = Order.objects.filter(account=account)
    return (
        sorted(orders.values_list("external_id", "payload_hash", "status", "grand_total")),
        OrderItem.objects.filter(order__account=account).count(),
        OrderEvent.objects.filter(order__account=account).count(),
    )


@pytest.mark.parametrize("platform", PLATFORMS)
def test_order_pull_mirrors_every_order_once_and_a_second_pull_changes_nothing(platform, live_server):
    reset_sandbox(platform, orders=60)
    account = sandbox_account(platform, live_server.url)
    since, until = whole_history()

    first = sync_run_execute(account=account, kind=SyncRun.Kind.ORDERS_PULL,
                             request=SyncRequest(since=since, until=until))

    assert first.status == SyncRun.Status.SUCCEEDED, first.error
    expected = platform_order_ids(account, since, until)
    assert len(expected) == 60
    assert set(Order.objects.filter(account=account).values_list("external_id", flat=True)) == expected
    assert first.created == 60 and first.fetched >= 60
    assert not Order.objects.filter(account=account, items__isnull=True).exists(), "every order has items"
    before = snapshot(account)

    second = sync_run_execute(account=account, kind=SyncRun.Kind.ORDERS_PULL,
                              request=SyncRequest(since=since, until=until))

    assert second.status == SyncRun.Status.SUCCEEDED, second.error
    assert (second.created, second.updated) == (0, 0)
    assert second.unchanged == 60
    assert snapshot(account) == before


@pytest.mark.parametrize("platform", PLATFORMS)
def test_order_pull_under_twenty_percent_faults_loses_and_doubles_nothing(platform, live_server):
    sandbox = reset_sandbox(platform, orders=80)
    account = sandbox_account(platform, live_server.url)
    since, until = whole_history()
    expected = platform_order_ids(account, since, until)
    sandbox.stats.clear()
    sandbox.set_faults(FaultPlan(error_rate=0.2, slow_seconds=1.0, retry_after=0, seed=31))

    with override_settings(**FAST_RETRIES):
        run = sync_run_execute(account=account, kind=SyncRun.Kind.ORDERS_PULL,
                               request=SyncRequest(since=since, until=until))

    sandbox.set_faults(FaultPlan(error_rate=0.0))
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    mirrored = list(Order.objects.filter(account=account).values_list("external_id", flat=True))
    assert len(mirrored) == len(set(mirrored)) == len(expected)
    assert set(mirrored) == expected
    assert sandbox.stats["faults"] > 0
    served = {kind for kind in ("500", "429", "slow", "reset") if sandbox.stats[f"fault_{kind}"]}
    assert served, dict(sandbox.stats)


def test_a_refused_token_fails_the_run_and_records_the_error_on_the_account(live_server):
    reset_sandbox("ngorder", orders=5)
    account = sandbox_account("ngorder", live_server.url)
    account.credentials = {"token": "wrong"}
    account.save()

    run = sync_run_execute(account=account, kind=SyncRun.Kind.ORDERS_PULL)

    account.refresh_from_db()
    assert run.status == SyncRun.Status.FAILED and not run.retryable
    assert account.last_error and account.last_error_at
    assert not Order.objects.filter(account=account).exists()
