"""Celery entry points: load by id, call the sync engine, retry only what a retry can fix."""

from celery import shared_task
from celery.utils.log import get_task_logger

from integrations.exceptions import ProviderUnavailable
from integrations.models import PlatformAccount, SyncRun

logger = get_task_logger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(ProviderUnavailable,),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def sync_account_task(self, account_id: int, kind: str, run_id: int | None = None) -> int | None:
    """Run one sync. Routed to the account's platform queue by whoever queues it."""
    from integrations.syncing import sync_run_execute

    account = PlatformAccount.objects.filter(pk=account_id, is_enabled=True).select_related("seller").first()
    if account is None:
        logger.info("account %s is gone or disabled; nothing to sync", account_id)
        return None
    run = SyncRun.objects.filter(pk=run_id).first() if run_id and not self.request.retries else None
    run = sync_run_execute(account=account, kind=kind, run=run)
    if run.status == SyncRun.Status.FAILED and getattr(run, "retryable", False):
        raise ProviderUnavailable(run.error, platform=account.platform)
    return run.pk


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(ProviderUnavailable,),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=8,
)
def inbound_event_process_task(event_id: int) -> None:
    from integrations.inbound import inbound_event_process
    from integrations.models import InboundEvent

    event = InboundEvent.objects.select_related("account__seller").filter(pk=event_id).first()
    if event is not None and event.status == InboundEvent.Status.RECEIVED:
        inbound_event_process(event=event)


@shared_task(acks_late=True)
def inbound_events_requeue_task() -> int:
    from integrations.inbound import inbound_events_requeue_stale

    return inbound_events_requeue_stale()
