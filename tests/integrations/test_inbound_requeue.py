from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from integrations import inbound
from integrations.models import InboundEvent, PlatformAccount
from integrations.services import system_schedules_ensure
from tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


def _event(account, event_id: str, *, minutes_ago: int, status=InboundEvent.Status.RECEIVED) -> InboundEvent:
    event = InboundEvent.objects.create(account=account, platform="scalev", event_id=event_id,
                                        event_type="order.created", body="{}", status=status)
    InboundEvent.objects.filter(pk=event.pk).update(received_at=timezone.now() - timedelta(minutes=minutes_ago))
    return event


def test_requeue_queues_only_stale_received_deliveries(monkeypatch):
    account = PlatformAccount.objects.create(platform="scalev", name="s", seller=SellerFactory(),
                                             credentials={"token": "t"})
    stale = _event(account, "e1", minutes_ago=30)
    _event(account, "e2", minutes_ago=1)
    _event(account, "e3", minutes_ago=30, status=InboundEvent.Status.PROCESSED)
    queued = []
    monkeypatch.setattr(inbound, "_queue", lambda event: queued.append(event.pk))

    assert inbound.inbound_events_requeue_stale(older_than=timedelta(minutes=5)) == 1
    assert queued == [stale.pk]


def test_system_schedule_created_once():
    system_schedules_ensure()
    system_schedules_ensure()
    tasks = PeriodicTask.objects.filter(task="integrations.tasks.inbound_events_requeue_task")
    assert tasks.count() == 1
    assert tasks.get().interval.every == 5
