"""Inbound webhook deliveries: verify, store once, answer fast, process in a task (Scalev).

The delivery is stored before anything else happens, so a crash after the 2xx loses nothing, and the
unique (platform, event_id) makes a redelivery a no-op. Processing goes through the same mirror as the
pulls (orders.sync.orders_upsert_page), so a webhook and a later scan can never double an order."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from integrations.exceptions import IntegrationError, ProviderContractChanged, ProviderRejected
from integrations.models import InboundEvent, PlatformAccount
from integrations.scalev import webhooks as scalev_webhooks


@dataclass(frozen=True)
class Delivery:
    status: int
    outcome: str  # accepted, duplicate, bad_signature, stale, unreadable, not_configured
    event: InboundEvent | None = None


def scalev_delivery_receive(*, account: PlatformAccount, raw_body: bytes, signature: str) -> Delivery:
    secret = (account.credentials or {}).get("webhook_secret", "")
    if not secret:
        return Delivery(403, "not_configured")
    if not scalev_webhooks.verify_signature(raw_body=raw_body, signature_header=signature, secret=secret):
        return Delivery(401, "bad_signature")
    try:
        parsed = scalev_webhooks.parse_event(raw_body)
    except ProviderContractChanged:
        return Delivery(400, "unreadable")
    tolerance = timedelta(seconds=settings.WEBHOOK_TOLERANCE_SECONDS)
    now = timezone.now()
    if parsed.occurred_at is None or not (now - tolerance <= parsed.occurred_at <= now + tolerance):
        return Delivery(400, "stale")
    try:
        with transaction.atomic():
            event = InboundEvent.objects.create(
                account=account, platform=account.platform, event_id=parsed.event_id[:100],
                event_type=parsed.event_type[:64], body=raw_body.decode("utf-8", errors="replace"),
            )
    except IntegrityError:
        return Delivery(200, "duplicate")
    # robust: a broker outage must not turn a stored delivery into a 5xx (the platform's redelivery would
    # then be answered "duplicate" and nobody would know); the event stays "received", replayable.
    transaction.on_commit(lambda: _queue(event), robust=True)
    return Delivery(202, "accepted", event)


def _queue(event: InboundEvent) -> None:
    from integrations.tasks import inbound_event_process_task

    inbound_event_process_task.apply_async(args=[event.pk], queue=event.platform)


def inbound_event_replay(*, event: InboundEvent) -> None:
    """Staff asked to process a stored delivery again (after a fix, or to check)."""
    InboundEvent.objects.filter(pk=event.pk).update(status=InboundEvent.Status.RECEIVED, error="")
    transaction.on_commit(lambda: _queue(event), robust=True)


def inbound_events_requeue_stale(*, older_than: timedelta | None = None, limit: int = 500) -> int:
    """Queue again the deliveries still "received" some minutes after they arrived: their task was lost
    (broker down when the delivery was stored, or a worker died before it ran). Processing is idempotent,
    so an event that is merely slow gains nothing worse than one extra no-op run."""
    if older_than is None:
        older_than = timedelta(minutes=settings.INBOUND_REQUEUE_AFTER_MINUTES)
    cutoff = timezone.now() - older_than
    events = list(InboundEvent.objects.filter(status=InboundEvent.Status.RECEIVED, received_at__lt=cutoff)
                  .order_by("id")[:limit])
    for event in events:
        _queue(event)
    return len(events)


def inbound_event_process(*, event: InboundEvent) -> InboundEvent:
    """Mirror what the delivery says. A full order snapshot is upserted as it is, unless the order we hold
    was updated later on the platform (deliveries arrive out of order, and staff may replay an old one);
    a partial one (status or payment change) is completed by reading the order's detail; a deleted order
    is flagged."""
    from integrations.registry import adapter_for
    from orders.models import Order
    from orders.sync import CourierMap, StatusMapper, orders_upsert_page

    account = event.account
    event.attempts += 1
    outcome, error = InboundEvent.Status.PROCESSED, ""
    try:
        parsed = scalev_webhooks.parse_event(event.body.encode("utf-8"))
        if parsed.event_type == "order.deleted":
            Order.objects.filter(account=account, external_id=parsed.order_external_id).update(
                platform_status="deleted", status_unmapped=True, updated_at=timezone.now(),
            )
        elif parsed.event_type in scalev_webhooks.ORDER_EVENTS:
            if parsed.order is not None and _older_than_stored(account=account, order=parsed.order):
                outcome, error = InboundEvent.Status.IGNORED, gettext(
                    "Older than the order we hold (updated later on the platform); not applied.")
            else:
                order = parsed.order or adapter_for(account).get_order(parsed.order_external_id)
                orders_upsert_page(account=account, orders=[order], mapper=StatusMapper(account.platform),
                                   couriers=CourierMap())
        else:
            outcome = InboundEvent.Status.IGNORED
    except (ProviderRejected, ProviderContractChanged) as exc:
        outcome, error = InboundEvent.Status.FAILED, str(exc)[:2000]
    except IntegrationError as exc:
        event.error = str(exc)[:2000]  # stays "received": the task retries ProviderUnavailable
        event.save(update_fields=["attempts", "error"])
        raise
    event.status, event.error = outcome, error
    event.processed_at = timezone.now()
    event.save(update_fields=["status", "error", "attempts", "processed_at"])
    return event


def _older_than_stored(*, account: PlatformAccount, order) -> bool:
    from orders.models import Order

    stored = (Order.objects.filter(account=account, external_id=order.external_id)
              .values_list("platform_updated_at", flat=True).first())
    return bool(stored and order.updated_at and order.updated_at < stored)
