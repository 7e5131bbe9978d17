"""Writes for integrations: account health, credentials, and the SyncRun rows the sync engine keeps."""

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from integrations.models import PlatformAccount, SyncRun

CREDENTIAL_KEYS = ("token", "username", "password", "id_user", "api_key")
ERROR_MAX_CHARS = 4000
COUNT_FIELDS = ("fetched", "created", "updated", "unchanged", "failed")


def account_record_success(*, account: PlatformAccount, at=None) -> PlatformAccount:
    """The platform answered: remember when. The last error stays visible with its time."""
    at = at or timezone.now()
    PlatformAccount.objects.filter(pk=account.pk).update(last_success_at=at)
    account.last_success_at = at
    return account


def account_record_failure(*, account: PlatformAccount, error, at=None) -> PlatformAccount:
    """The platform refused or did not answer. `error` is shown to staff: never pass credentials in it."""
    at = at or timezone.now()
    text = str(error)[:ERROR_MAX_CHARS]
    PlatformAccount.objects.filter(pk=account.pk).update(last_error_at=at, last_error=text)
    account.last_error_at, account.last_error = at, text
    return account


def account_merge_credentials(*, current: Mapping | None, typed: Mapping[str, str]) -> dict:
    """Write-only credentials: a key is replaced only when a new value was typed; empty inputs keep
    the stored value."""
    merged = dict(current or {})
    for key, value in typed.items():
        if value:
            merged[key] = value
    return merged


def sync_run_start(*, account: PlatformAccount, kind: str) -> SyncRun:
    return SyncRun.objects.create(account=account, kind=kind, status=SyncRun.Status.RUNNING,
                                  started_at=timezone.now())


def sync_run_finish(
    *, run: SyncRun, counts: Mapping[str, int] | None = None, cursor: str = "", error: str = "",
    status: str | None = None,
) -> SyncRun:
    """Close a run with its counts. Without an explicit status: an error with nothing done is
    "failed", an error or failed rows after some progress is "partial", otherwise "succeeded".
    The account's health fields follow."""
    counts = dict(counts or {})
    for name in COUNT_FIELDS:
        setattr(run, name, int(counts.get(name, getattr(run, name)) or 0))
    if status is None:
        progressed = run.created or run.updated or run.unchanged
        if error and not progressed:
            status = SyncRun.Status.FAILED
        elif error or run.failed:
            status = SyncRun.Status.PARTIAL
        else:
            status = SyncRun.Status.SUCCEEDED
    run.status = status
    run.error = str(error)[:ERROR_MAX_CHARS]
    run.cursor = cursor or run.cursor
    run.finished_at = timezone.now()
    if run.started_at is None:
        run.started_at = run.finished_at
    with transaction.atomic():
        run.save(update_fields=[*COUNT_FIELDS, "flagged", "status", "error", "cursor", "finished_at", "started_at"])
        if status == SyncRun.Status.FAILED:
            account_record_failure(account=run.account, error=run.error, at=run.finished_at)
        else:
            account_record_success(account=run.account, at=run.finished_at)
            if error:
                account_record_failure(account=run.account, error=run.error, at=run.finished_at)
    return run


def account_store_credentials(new_credentials: Mapping, *, account: PlatformAccount) -> None:
    """Keep credentials a platform handed back (a refreshed token) without touching anything else."""
    merged = {**(account.credentials or {}), **dict(new_credentials)}
    account.credentials = merged
    account.save(update_fields=["credentials", "updated_at"])


# Default schedules per sync kind (minutes); staff edit them under Periodic tasks in the admin.
K = SyncRun.Kind
DEFAULT_SCHEDULE_MINUTES = {
    K.ORDERS_PULL: 10, K.PRODUCTS_PULL: 60,
    # Parcels move over hours, pickups over the day.
    K.TRACKING_PULL: 60, K.PICKUPS: 30, K.SHIPMENTS: 30,
    # Tickets have an SLA and withdrawals wait on a reviewer; balances are for reconciliation.
    K.TICKETS: 15, K.WITHDRAWALS: 15, K.BALANCES: 60,
}


def account_schedule_syncs(*, account: PlatformAccount) -> list:
    """Create (once) the django-celery-beat schedules of `account`: one periodic sync task per kind the
    platform supports, on the platform's queue. Existing schedules keep their edited intervals.

    A schedule belongs to the account by its arguments (account id, kind), not by its name: a renamed
    account keeps its schedule (renamed with it) instead of getting a second one, and a new account that
    reuses the name of a deleted one takes over that schedule instead of leaving it pointed at the old id."""
    import json

    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    from integrations.syncing import SUPPORTED_KINDS

    task_name = "integrations.tasks.sync_account_task"
    tasks = []
    for kind, minutes in DEFAULT_SCHEDULE_MINUTES.items():
        if kind not in SUPPORTED_KINDS.get(account.platform, ()):
            continue
        name = f"sync {kind} · {account.platform}:{account.name}"
        args = json.dumps([account.pk, kind])
        task = (PeriodicTask.objects.filter(task=task_name, args=args).order_by("id").first()
                or PeriodicTask.objects.filter(name=name).first())
        if task is None:
            interval, _created = IntervalSchedule.objects.get_or_create(every=minutes,
                                                                        period=IntervalSchedule.MINUTES)
            task = PeriodicTask.objects.create(name=name, task=task_name, interval=interval, args=args,
                                               queue=account.platform, enabled=account.is_enabled)
        elif (task.name, task.args, task.queue) != (name, args, account.platform):
            if not PeriodicTask.objects.filter(name=name).exclude(pk=task.pk).exists():
                task.name = name
            task.task, task.args, task.queue = task_name, args, account.platform
            task.save()
        tasks.append(task)
    return tasks


# Schedules that belong to no account: (name, task, every N minutes). Created once; staff may edit them.
SYSTEM_SCHEDULES = [
    ("requeue stale webhook deliveries", "integrations.tasks.inbound_events_requeue_task", 5),
]


def system_schedules_ensure() -> None:
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    for name, task_name, minutes in SYSTEM_SCHEDULES:
        if PeriodicTask.objects.filter(task=task_name).exists():
            continue
        interval, _created = IntervalSchedule.objects.get_or_create(every=minutes, period=IntervalSchedule.MINUTES)
        PeriodicTask.objects.create(name=name, task=task_name, interval=interval, queue="default")


def account_test_connection(*, account: PlatformAccount) -> None:
    """Read one row of the platform's order list with the stored credentials; record the outcome on the
    account's health and re-raise the IntegrationError when the platform refuses."""
    from integrations.exceptions import IntegrationError
    from integrations.registry import adapter_for

    try:
        adapter_for(account).check_connection()
    except IntegrationError as exc:
        account_record_failure(account=account, error=exc)
        raise
    account_record_success(account=account)
