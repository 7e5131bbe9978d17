"""Celery entry points for logistics: load by id, call one sync function, retry only what a retry fixes."""

from celery import shared_task

from integrations.exceptions import ProviderUnavailable


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(ProviderUnavailable,),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=8,
)
def ticket_push_task(what: str, pk: int) -> None:
    """Push one ticket, reply, status or priority change, or claim to the platform (ticket_sync.push_one)."""
    from logistics.ticket_sync import push_one

    push_one(what=what, pk=pk)
