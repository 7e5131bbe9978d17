"""The sync engine: one SyncRun per pull or push, the same code for Celery tasks, "Sync now" in the admin
and `manage.py sync`. Each kind is a function of (account, run, progress) that does the work through an
app's sync module; this module only records what happened."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from integrations.exceptions import IntegrationError
from integrations.models import PlatformAccount, SyncRun
from integrations.registry import adapter_for
from integrations.services import sync_run_finish, sync_run_start

ProgressFn = Callable[[SyncRun, str], None]

# What `manage.py sync <what>` and the schedules mean, per platform (DESIGN §1 capability table).
K = SyncRun.Kind
KIND_BY_NAME = {
    "orders": K.ORDERS_PULL,
    "products": K.PRODUCTS_PULL,
    "stock": K.STOCK_PUSH,
    "shipments": K.SHIPMENTS,
    "tracking": K.TRACKING_PULL,
    "pickups": K.PICKUPS,
    "tickets": K.TICKETS,
    "withdrawals": K.WITHDRAWALS,
    "balances": K.BALANCES,
}
_CATALOG_KINDS = (K.ORDERS_PULL, K.PRODUCTS_PULL, K.PRODUCTS_PUSH, K.STOCK_PUSH)
SUPPORTED_KINDS = {
    "komship": (*_CATALOG_KINDS, K.SHIPMENTS, K.TRACKING_PULL, K.PICKUPS, K.TICKETS, K.WITHDRAWALS, K.BALANCES),
    "ngorder": (*_CATALOG_KINDS, K.TRACKING_PULL, K.WITHDRAWALS, K.BALANCES),
    "scalev": (*_CATALOG_KINDS, K.SHIPMENTS, K.TRACKING_PULL),
    "mitrabunso": (K.ORDERS_PULL,),
}
ORDERS_OVERLAP = timedelta(hours=2)  # a pull starts this long before the previous one ended
STOCK_PUSH_LOCK = 73_101  # first key of the advisory lock that serialises stock_push_soon per account


@dataclass(frozen=True)
class SyncRequest:
    since: datetime | None = None
    until: datetime | None = None


def kinds_for(account: PlatformAccount, name: str) -> tuple[str, ...]:
    """The SyncRun kinds `name` ("orders", "products", "stock" or "all") stands for on this account;
    empty when the platform does not support it."""
    supported = SUPPORTED_KINDS.get(account.platform, ())
    if name == "all":
        return tuple(kind for kind in KIND_BY_NAME.values() if kind in supported)
    kind = KIND_BY_NAME[name]
    return (kind,) if kind in supported else ()


def _interrupt_stale_runs(*, account: PlatformAccount, kind: str) -> None:
    """A worker killed mid-run leaves its SyncRun "running"; the next run of the same kind closes it."""
    SyncRun.objects.filter(account=account, kind=kind, status=SyncRun.Status.RUNNING).update(
        status=SyncRun.Status.FAILED, finished_at=timezone.now(), error="interrupted (the worker stopped)",
    )


PROGRESS_SAVE_SECONDS = 1.0  # a run's counts are saved at most this often while it goes (and when it ends)


def _page_recorder(run: SyncRun, progress: ProgressFn | None):
    """Add one page's counts to the run and save them now and then (the first page, then at most every
    PROGRESS_SAVE_SECONDS), so the console shows a pull as it goes without a write for every page;
    sync_run_finish saves the final counts."""
    saved_at = [None]

    def on_page(counts, cursor: str, total: int | None = None) -> None:
        if total:
            run.expected_total = total  # what the platform says there is: drives the progress bar
        for name, value in counts.as_dict().items():
            setattr(run, name, getattr(run, name) + value)
        run.flagged += len(counts.flagged)
        run.cursor = cursor[:200]
        now = time.monotonic()
        if saved_at[0] is None or now - saved_at[0] >= PROGRESS_SAVE_SECONDS:
            run.save(update_fields=["fetched", "created", "updated", "unchanged", "failed", "flagged", "cursor"])
            saved_at[0] = now
        if progress is not None:
            progress(run, cursor)

    return on_page


def _record_totals(run: SyncRun, counts) -> None:
    for name, value in counts.as_dict().items():
        setattr(run, name, value)


def _run_orders_pull(account, run, request, progress) -> None:
    from orders.sync import orders_mark_synced, orders_pull, pull_window

    since, until = pull_window(account=account, since=request.since, until=request.until,
                               overlap=ORDERS_OVERLAP)
    orders_pull(account=account, adapter=adapter_for(account), since=since, until=until,
                on_page=_page_recorder(run, progress))
    orders_mark_synced(account=account, until=until)


def _run_products_pull(account, run, request, progress) -> None:
    from catalog.sync import products_pull

    products_pull(account=account, adapter=adapter_for(account), on_page=_page_recorder(run, progress))


def _run_products_push(account, run, request, progress) -> None:
    from catalog.sync import products_push

    _record_totals(run, products_push(account=account, adapter=adapter_for(account)))


def _run_stock_push(account, run, request, progress) -> None:
    from catalog.sync import stock_push

    _record_totals(run, stock_push(account=account, adapter=adapter_for(account)))




# Logistics kinds: the work is in logistics.sync (tickets: logistics.ticket_sync).
def _run_shipments(account, run, request, progress) -> None:
    from logistics.sync import shipments_sync

    shipments_sync(account=account, adapter=adapter_for(account), on_page=_page_recorder(run, progress))


def _run_tracking_pull(account, run, request, progress) -> None:
    from logistics.sync import tracking_pull

    tracking_pull(account=account, adapter=adapter_for(account), on_page=_page_recorder(run, progress))


def _run_pickups(account, run, request, progress) -> None:
    from logistics.sync import pickups_pull

    pickups_pull(account=account, adapter=adapter_for(account), on_page=_page_recorder(run, progress))


def _run_tickets(account, run, request, progress) -> None:
    """Tickets and claims (Komship): first what is still waiting to be pushed, then the pull."""
    from contextlib import suppress

    from logistics.ticket_sync import pending_pushes, push_one, tickets_pull, tickets_pull_window

    adapter = adapter_for(account)
    for what, pk in pending_pushes(account=account):
        with suppress(IntegrationError):  # written on the record; the pull below still runs
            push_one(what=what, pk=pk, adapter=adapter)
    since, until = tickets_pull_window(account=account, since=request.since, until=request.until)
    tickets_pull(account=account, adapter=adapter, since=since, until=until, on_page=_page_recorder(run, progress))




# Finance kinds: the work is in finance.sync.
def _run_withdrawals(account, run, request, progress) -> None:
    from finance.sync import withdrawals_sync

    withdrawals_sync(account=account, adapter=adapter_for(account), since=request.since, until=request.until,
                     on_page=_page_recorder(run, progress))


def _run_balances(account, run, request, progress) -> None:
    from finance.sync import balances_pull

    balances_pull(account=account, adapter=adapter_for(account), since=request.since, until=request.until,
                  on_page=_page_recorder(run, progress))


RUNNERS: dict[str, Callable[[PlatformAccount, SyncRun, SyncRequest, ProgressFn | None], None]] = {
    K.ORDERS_PULL: _run_orders_pull,
    K.PRODUCTS_PULL: _run_products_pull,
    K.PRODUCTS_PUSH: _run_products_push,
    K.STOCK_PUSH: _run_stock_push,
    K.SHIPMENTS: _run_shipments,
    K.TRACKING_PULL: _run_tracking_pull,
    K.PICKUPS: _run_pickups,
    K.TICKETS: _run_tickets,
    K.WITHDRAWALS: _run_withdrawals,
    K.BALANCES: _run_balances,
}


def sync_run_execute(*, account: PlatformAccount, kind: str, request: SyncRequest | None = None,
                     progress: ProgressFn | None = None, run: SyncRun | None = None) -> SyncRun:
    """Run one sync of `kind` on `account` and return its finished SyncRun.

    Integration errors are recorded on the run (and the account's health), not raised; the caller
    decides whether to retry (`run.retryable`)."""
    runner = RUNNERS.get(kind)
    if runner is None:
        raise ValueError(f"{kind} is not a sync kind this engine runs")
    _interrupt_stale_runs(account=account, kind=kind)
    if run is None:
        run = sync_run_start(account=account, kind=kind)
    else:
        SyncRun.objects.filter(pk=run.pk).update(status=SyncRun.Status.RUNNING, started_at=timezone.now())
    run.retryable = False
    try:
        runner(account, run, request or SyncRequest(), progress)
    except IntegrationError as exc:
        run.retryable = exc.retryable
        return sync_run_finish(run=run, error=str(exc))
    return sync_run_finish(run=run)


def sync_run_queue(*, account: PlatformAccount, kind: str) -> SyncRun:
    """Queue a sync for the Celery worker of the account's platform, after the current transaction
    commits (so the worker finds the SyncRun row)."""
    from integrations.tasks import sync_account_task

    run = SyncRun.objects.create(account=account, kind=kind, status=SyncRun.Status.QUEUED)
    transaction.on_commit(lambda: sync_account_task.apply_async(
        args=[account.pk, kind], kwargs={"run_id": run.pk}, queue=account.platform,
    ))
    return run


def stock_push_soon(*, account: PlatformAccount) -> SyncRun:
    """Debounced stock push: at most one QUEUED stock push per account at a time, sent to the worker
    STOCK_PUSH_DEBOUNCE_SECONDS after the current transaction commits. Every reservation in between is
    covered by that one run, which reads the availability when it starts. A queued run that never started
    (its message was lost) is closed after a while and replaced."""
    from integrations.tasks import sync_account_task

    delay = int(getattr(settings, "STOCK_PUSH_DEBOUNCE_SECONDS", 30))
    kind = SyncRun.Kind.STOCK_PUSH
    with transaction.atomic():
        # Serialises concurrent callers for this account without locking the account row (two pulls of
        # two accounts queueing for each other must not deadlock). SQLite (the demo) has one writer anyway.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [STOCK_PUSH_LOCK, account.pk])
        queued = SyncRun.objects.filter(account=account, kind=kind, status=SyncRun.Status.QUEUED)
        stale_before = timezone.now() - timedelta(seconds=max(delay * 10, 600))
        queued.filter(created_at__lt=stale_before).update(
            status=SyncRun.Status.FAILED, finished_at=timezone.now(),
            error=gettext("Never started: the queued message was lost."))
        run = queued.order_by("id").first()
        if run is not None:
            return run
        run = SyncRun.objects.create(account=account, kind=kind, status=SyncRun.Status.QUEUED)
    transaction.on_commit(lambda: sync_account_task.apply_async(
        args=[account.pk, kind], kwargs={"run_id": run.pk}, queue=account.platform, countdown=delay,
    ))
    return run
