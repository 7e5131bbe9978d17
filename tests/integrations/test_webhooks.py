"""Scalev webhooks end to end: POST /webhooks/scalev/<account_id>/ → verified, stored once, answered
fast without calling the platform, queued after commit, processed by the task into the order mirror
(reading the order's detail from the Scalev sandbox over real HTTP when the event is partial)."""

import json
import uuid
from datetime import UTC, timedelta

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from integrations.exceptions import ProviderUnavailable
from integrations.inbound import inbound_event_process
from integrations.models import InboundEvent
from integrations.registry import adapter_for
from integrations.sandbox_kit import FaultPlan
from integrations.scalev.webhooks import SIGNATURE_HEADER, sign
from integrations.tasks import inbound_event_process_task
from orders.models import Order, OrderEvent, OrderItem, OrderStatus
from tests.integrations.engine_support import CREDENTIALS, reset_sandbox, sandbox_account
from tests.integrations.scalev.conftest import sample

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = CREDENTIALS["scalev"]["webhook_secret"]
SAMPLE_ORDER_ID = "01948092-9b80-7f91-b23d-1a8686278331"  # the id in the documented payload examples


@pytest.fixture
def queued(monkeypatch):
    """What the view's on_commit hook hands to Celery (kept here instead of going to the shared broker)."""
    calls = []
    monkeypatch.setattr(inbound_event_process_task, "apply_async", lambda **kwargs: calls.append(kwargs))
    return calls


@pytest.fixture
def sandbox():
    return reset_sandbox("scalev", orders=12, products=3)


@pytest.fixture
def account(sandbox, live_server):
    return sandbox_account("scalev", live_server.url)


def iso(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def envelope(event: str, data: dict, *, unique_id: str | None = None, at=None) -> bytes:
    return json.dumps({
        "event": event, "unique_id": unique_id or f"event_{uuid.uuid4().hex[:24]}",
        "timestamp": iso(at or timezone.now()), "data": data,
    }).encode()


def deliver(client, account, raw: bytes, *, signature: str | None = None):
    headers = {} if signature == "" else {SIGNATURE_HEADER: sign(raw, SECRET) if signature is None else signature}
    return client.post(reverse("webhook-scalev", args=[account.pk]), data=raw, content_type="application/json",
                       headers=headers)


def sandbox_order(sandbox, status: str) -> dict:
    """A seeded order of the sandbox in `status` (materialised, as its detail call would serve it)."""
    for _created, ident in reversed(sandbox.order_keys):
        record = sandbox._record(ident)
        if record["status"] == status:
            return record
    raise AssertionError(f"the sandbox seeded no {status} order")


def test_a_signed_order_created_is_stored_answered_fast_and_processed_into_the_order(
        client, sandbox, account, queued):
    data = sample("webhook_order_created.data.json")  # the documented full snapshot, verbatim
    raw = envelope("order.created", data, unique_id="event_I7fkiBF4YksYDsKbVe5ZOEyZ")
    served_before = sandbox.stats["requests"]

    response = deliver(client, account, raw)

    assert response.status_code == 202
    assert response.json() == {"status": "accepted"}
    assert sandbox.stats["requests"] == served_before, "the view must not call the platform"
    event = InboundEvent.objects.get()
    assert (event.account, event.platform, event.event_type, event.event_id, event.status) == (
        account, "scalev", "order.created", "event_I7fkiBF4YksYDsKbVe5ZOEyZ", InboundEvent.Status.RECEIVED)
    assert event.body == raw.decode()
    assert queued == [{"args": [event.pk], "queue": "scalev"}], "queued on the platform queue after commit"
    assert not Order.objects.exists(), "nothing is mirrored before the task runs"

    inbound_event_process_task(event.pk)

    event.refresh_from_db()
    assert (event.status, event.attempts, event.error) == (InboundEvent.Status.PROCESSED, 1, "")
    assert event.processed_at is not None
    order = Order.objects.get(account=account, external_id=SAMPLE_ORDER_ID)
    assert (order.order_no, order.platform_status, order.status) == ("250130JQHFZG", "pending", OrderStatus.NEW)
    assert str(order.grand_total) == "168724.00"
    assert list(order.items.values_list("sku", "quantity")) == [("BCF009", 1)]
    assert order.customer.phone == "+628112345678"
    assert sandbox.stats["requests"] == served_before, "a full snapshot needs no detail call"


def test_a_status_change_reads_the_detail_from_the_platform_and_updates_the_order(
        client, sandbox, account, queued):
    record = sandbox_order(sandbox, "pending")
    created = envelope("order.created", sandbox.order_detail(record))
    assert deliver(client, account, created).status_code == 202
    inbound_event_process_task(InboundEvent.objects.get().pk)
    order = Order.objects.get(account=account, external_id=record["id"])
    assert (order.status, order.platform_status) == (OrderStatus.NEW, "pending")

    adapter_for(account, rate_limited=False).cancel_order(record["id"])  # staff cancel it on Scalev
    partial = {**sample("webhook_order_status_changed.data.json"), "id": record["id"],
               "order_id": record["order_id"]}
    raw = envelope("order.status_changed", partial)
    served_before = sandbox.stats["requests"]

    response = deliver(client, account, raw)

    assert response.status_code == 202
    assert sandbox.stats["requests"] == served_before
    event = InboundEvent.objects.get(event_type="order.status_changed")
    inbound_event_process_task(event.pk)
    event.refresh_from_db()
    assert event.status == InboundEvent.Status.PROCESSED, event.error
    assert sandbox.stats["requests"] == served_before + 1, "one detail call completes the partial order"
    order.refresh_from_db()
    assert (order.status, order.platform_status) == (OrderStatus.CANCELED, "canceled")
    assert Order.objects.filter(account=account).count() == 1
    assert OrderEvent.objects.filter(order=order, from_status=OrderStatus.NEW,
                                     to_status=OrderStatus.CANCELED).count() == 1


@pytest.mark.parametrize("tamper", ["wrong secret", "body changed", "hex digest", "missing header"])
def test_a_bad_signature_is_refused_with_401_and_nothing_is_stored(client, sandbox, account, queued, tamper):
    import base64
    import hashlib
    import hmac

    raw = envelope("order.created", sample("webhook_order_created.data.json"))
    body, signature = raw, sign(raw, SECRET)
    if tamper == "wrong secret":
        signature = sign(raw, "whsec-someone-else")
    elif tamper == "body changed":
        body = raw.replace(b"168724.00", b"1.00")
    elif tamper == "hex digest":
        signature = hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
        assert signature != base64.b64encode(hmac.new(SECRET.encode(), raw, hashlib.sha256).digest()).decode()
    else:
        signature = ""

    response = deliver(client, account, body, signature=signature)

    assert response.status_code == 401
    assert response.json() == {"status": "bad_signature"}
    assert not InboundEvent.objects.exists() and queued == []


def test_a_stale_delivery_is_refused_with_400_and_nothing_is_stored(client, sandbox, account, queued):
    tolerance = timedelta(seconds=settings.WEBHOOK_TOLERANCE_SECONDS)
    data = sample("webhook_order_created.data.json")
    for moment in (timezone.now() - tolerance - timedelta(seconds=30),
                   timezone.now() + tolerance + timedelta(seconds=30)):
        response = deliver(client, account, envelope("order.created", data, at=moment))
        assert response.status_code == 400
        assert response.json() == {"status": "stale"}
    assert not InboundEvent.objects.exists() and queued == []

    inside = deliver(client, account, envelope("order.created", data,
                                               at=timezone.now() - tolerance + timedelta(seconds=30)))
    assert inside.status_code == 202


def test_a_replayed_delivery_answers_duplicate_and_is_processed_once(client, sandbox, account, queued):
    raw = envelope("order.created", sample("webhook_order_created.data.json"), unique_id="event_replay_1")
    assert deliver(client, account, raw).status_code == 202
    event = InboundEvent.objects.get()
    inbound_event_process_task(event.pk)
    counts = (Order.objects.count(), OrderItem.objects.count(), OrderEvent.objects.count())

    again = deliver(client, account, raw)
    resent = deliver(client, account, envelope("order.updated", sample("webhook_order_created.data.json"),
                                               unique_id="event_replay_1"))

    assert again.status_code == resent.status_code == 200
    assert again.json() == resent.json() == {"status": "duplicate"}
    assert InboundEvent.objects.count() == 1
    assert queued == [{"args": [event.pk], "queue": "scalev"}], "queued once only"
    inbound_event_process_task(event.pk)  # a redelivered task for a processed event does nothing
    event.refresh_from_db()
    assert (event.status, event.attempts) == (InboundEvent.Status.PROCESSED, 1)
    assert (Order.objects.count(), OrderItem.objects.count(), OrderEvent.objects.count()) == counts == (1, 1, 1)


def test_an_unknown_event_type_is_stored_and_ignored(client, sandbox, account, queued):
    raw = envelope("business.updated", {"id": 42, "username": "toko-budi"})
    response = deliver(client, account, raw)
    assert response.status_code == 202
    event = InboundEvent.objects.get()
    assert event.event_type == "business.updated" and queued == [{"args": [event.pk], "queue": "scalev"}]

    inbound_event_process_task(event.pk)

    event.refresh_from_db()
    assert (event.status, event.error) == (InboundEvent.Status.IGNORED, "")
    assert event.processed_at is not None
    assert not Order.objects.exists()


def test_order_deleted_flags_the_local_order(client, sandbox, account, queued):
    assert deliver(client, account, envelope("order.created", sample("webhook_order_created.data.json"))
                   ).status_code == 202
    inbound_event_process_task(InboundEvent.objects.get().pk)
    order = Order.objects.get(external_id=SAMPLE_ORDER_ID)
    assert not order.status_unmapped
    served_before = sandbox.stats["requests"]

    assert deliver(client, account, envelope("order.deleted", sample("webhook_order_deleted.data.json"))
                   ).status_code == 202
    event = InboundEvent.objects.get(event_type="order.deleted")
    inbound_event_process_task(event.pk)

    event.refresh_from_db()
    order.refresh_from_db()
    assert event.status == InboundEvent.Status.PROCESSED
    assert (order.platform_status, order.status_unmapped) == ("deleted", True)
    assert order.status == OrderStatus.NEW, "our status is not guessed; staff see the flag"
    assert sandbox.stats["requests"] == served_before


def test_a_valid_signature_on_an_unreadable_body_is_refused_with_400(client, sandbox, account, queued):
    response = deliver(client, account, b'{"event": "order.created", "data": {}}')
    assert response.status_code == 400 and response.json() == {"status": "unreadable"}
    assert not InboundEvent.objects.exists() and queued == []


def test_an_account_without_a_webhook_secret_refuses_deliveries(client, sandbox, account, queued):
    account.credentials = {"token": CREDENTIALS["scalev"]["token"]}
    account.save()
    response = deliver(client, account, envelope("order.created", sample("webhook_order_created.data.json")))
    assert response.status_code == 403 and response.json() == {"status": "not_configured"}
    assert not InboundEvent.objects.exists()


def test_only_enabled_scalev_accounts_have_a_webhook_endpoint(client, sandbox, account, queued, live_server):
    other = sandbox_account("ngorder", live_server.url, seller=account.seller)
    raw = envelope("order.created", sample("webhook_order_created.data.json"))
    assert deliver(client, other, raw).status_code == 404
    account.is_enabled = False
    account.save()
    assert deliver(client, account, raw).status_code == 404
    assert client.get(reverse("webhook-scalev", args=[account.pk])).status_code == 405
    assert not InboundEvent.objects.exists()


def test_admin_replay_requeues_and_reprocessing_is_idempotent(
        admin_client_logged_in, client, sandbox, account, queued):
    record = sandbox_order(sandbox, "pending")
    assert deliver(client, account, envelope("order.created", sandbox.order_detail(record))).status_code == 202
    event = InboundEvent.objects.get()
    inbound_event_process(event=event)
    before = (Order.objects.count(), OrderItem.objects.count(), OrderEvent.objects.count())
    queued.clear()

    response = admin_client_logged_in.post(reverse("admin:integrations_inboundevent_changelist"),
                                           {"action": "replay", "_selected_action": [event.pk]}, follow=True)

    assert response.status_code == 200
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["1 delivery(ies) queued again."]
    event.refresh_from_db()
    assert (event.status, event.error) == (InboundEvent.Status.RECEIVED, "")
    assert queued == [{"args": [event.pk], "queue": "scalev"}]

    inbound_event_process_task(event.pk)

    event.refresh_from_db()
    assert (event.status, event.attempts) == (InboundEvent.Status.PROCESSED, 2)
    assert (Order.objects.count(), OrderItem.objects.count(), OrderEvent.objects.count()) == before
    assert Order.objects.get().external_id == record["id"]


def test_a_broker_outage_still_answers_202_and_keeps_the_delivery_for_replay(
        client, sandbox, account, monkeypatch):
    from kombu.exceptions import OperationalError

    def broker_down(**kwargs):
        raise OperationalError("[Errno 111] Connection refused")

    monkeypatch.setattr(inbound_event_process_task, "apply_async", broker_down)
    raw = envelope("order.created", sample("webhook_order_created.data.json"))

    response = deliver(client, account, raw)

    assert response.status_code == 202, "a stored delivery is acknowledged even when it cannot be queued"
    event = InboundEvent.objects.get()
    assert event.status == InboundEvent.Status.RECEIVED
    assert deliver(client, account, raw).json() == {"status": "duplicate"}
    inbound_event_process_task(event.pk)  # what the admin replay (or a worker) does later
    assert Order.objects.filter(external_id=SAMPLE_ORDER_ID).exists()


def test_replaying_an_old_snapshot_does_not_undo_a_later_change(admin_client_logged_in, client, sandbox, account,
                                                               queued):
    record = sandbox_order(sandbox, "pending")
    assert deliver(client, account, envelope("order.created", sandbox.order_detail(record))).status_code == 202
    created = InboundEvent.objects.get()
    inbound_event_process_task(created.pk)
    adapter_for(account, rate_limited=False).cancel_order(record["id"])
    partial = {"id": record["id"], "order_id": record["order_id"], "status": "canceled"}
    assert deliver(client, account, envelope("order.status_changed", partial)).status_code == 202
    inbound_event_process_task(InboundEvent.objects.get(event_type="order.status_changed").pk)
    order = Order.objects.get()
    assert order.platform_status == "canceled"
    state = (order.status, order.platform_status, order.payload_hash, OrderEvent.objects.count())

    action = admin_client_logged_in.post(reverse("admin:integrations_inboundevent_changelist"),
                                         {"action": "replay", "_selected_action": [created.pk]})
    assert action.status_code == 302
    inbound_event_process_task(created.pk)

    created.refresh_from_db()
    order.refresh_from_db()
    assert created.status == InboundEvent.Status.IGNORED and "Older than the order we hold" in created.error
    assert (order.status, order.platform_status, order.payload_hash, OrderEvent.objects.count()) == state


@override_settings(INTEGRATIONS_HTTP_MAX_ATTEMPTS=2, INTEGRATIONS_HTTP_BACKOFF_BASE=0.01,
                   INTEGRATIONS_HTTP_BACKOFF_CAP=0.02)
def test_a_platform_outage_while_processing_keeps_the_delivery_for_the_retry(client, sandbox, account, queued):
    record = sandbox_order(sandbox, "pending")
    partial = {"id": record["id"], "order_id": record["order_id"], "status": "pending"}
    assert deliver(client, account, envelope("order.status_changed", partial)).status_code == 202
    event = InboundEvent.objects.get()
    sandbox.set_faults(FaultPlan(error_rate=1.0, kinds=("500",)))

    with pytest.raises(ProviderUnavailable):
        inbound_event_process(event=event)

    event.refresh_from_db()
    assert (event.status, event.attempts) == (InboundEvent.Status.RECEIVED, 1)
    assert "server error" in event.error
    assert sandbox.stats["fault_500"] == 2
    assert not Order.objects.exists()
    sandbox.set_faults(FaultPlan(error_rate=0.0))

    inbound_event_process_task(event.pk)  # the retry

    event.refresh_from_db()
    assert (event.status, event.attempts, event.error) == (InboundEvent.Status.PROCESSED, 2, "")
    assert Order.objects.get().external_id == record["id"]


def test_a_status_change_for_an_order_the_platform_does_not_know_fails_visibly(client, sandbox, account, queued):
    raw = envelope("order.status_changed", sample("webhook_order_status_changed.data.json"))
    assert deliver(client, account, raw).status_code == 202
    event = InboundEvent.objects.get()

    inbound_event_process_task(event.pk)

    event.refresh_from_db()
    assert event.status == InboundEvent.Status.FAILED
    assert "404" in event.error
    assert not Order.objects.exists()
