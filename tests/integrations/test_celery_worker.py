"""Sync through a real Celery worker process and RabbitMQ; a worker killed mid-pull loses nothing."""

import signal

import pytest

from integrations.models import SyncRun
from integrations.syncing import sync_run_queue
from orders.models import Order
from tests.integrations.engine_support import reset_sandbox, sandbox_account, whole_history
from tests.integrations.test_sync_engine import platform_order_ids
from tests.integrations.worker import celery_worker, purge, start_worker, stop_worker, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("celery-worker")]


def finished(run_id: int) -> SyncRun | None:
    run = SyncRun.objects.get(pk=run_id)
    return run if run.status not in (SyncRun.Status.QUEUED, SyncRun.Status.RUNNING) else None


def test_sync_now_is_run_by_the_worker_of_the_platform_queue(live_server):
    reset_sandbox("mitrabunso", orders=40)
    account = sandbox_account("mitrabunso", live_server.url)
    purge(["mitrabunso"])

    with celery_worker(["mitrabunso"], name="sync-now"):
        run = sync_run_queue(account=account, kind=SyncRun.Kind.ORDERS_PULL)
        done = wait_for(lambda: finished(run.pk), timeout=120, what="the queued sync")

    assert done.status == SyncRun.Status.SUCCEEDED, done.error
    assert Order.objects.filter(account=account).count() == 40


def test_a_worker_killed_after_the_first_page_is_finished_by_the_next_worker(live_server):
    sandbox = reset_sandbox("ngorder", orders=1500)
    # A slow shared rate limit (1 request/s after a burst of 10) keeps the pull going long enough to kill it.
    account = sandbox_account("ngorder", live_server.url, rate_limit_per_minute=60)
    account.history_days = 120
    account.save()
    purge(["ngorder"])
    first_worker = start_worker(["ngorder"], name="killed")
    sandbox.stats.clear()
    run = sync_run_queue(account=account, kind=SyncRun.Kind.ORDERS_PULL)

    wait_for(lambda: sandbox.stats["served"] >= 1, timeout=120, what="the first page")
    stop_worker(first_worker, sig=signal.SIGKILL)
    assert SyncRun.objects.get(pk=run.pk).status == SyncRun.Status.RUNNING  # it really died mid-pull

    with celery_worker(["ngorder"], name="restarted"):
        done = wait_for(lambda: finished(run.pk), timeout=240, what="the redelivered sync")

    assert done.status == SyncRun.Status.SUCCEEDED, done.error
    mirrored = list(Order.objects.filter(account=account).values_list("external_id", flat=True))
    assert len(mirrored) == len(set(mirrored)) == 1500
    assert set(mirrored) == platform_order_ids(account, *whole_history())
