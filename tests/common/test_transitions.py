import pytest

from common.exceptions import TransitionNotAllowed
from common.models import EventSource
from common.transitions import allowed_targets, transition
from orders.models import Order, OrderEvent
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

ALLOWED = {
    Order.Status.NEW: {Order.Status.PROCESSING, Order.Status.CANCELED},
    Order.Status.PROCESSING: {Order.Status.READY_TO_SHIP, Order.Status.CANCELED},
}


def test_allowed_move_writes_the_state_and_one_event(staff_user):
    order = OrderFactory(status=Order.Status.NEW)

    moved = transition(instance=order, to_status=Order.Status.PROCESSING, allowed=ALLOWED,
                       event_model=OrderEvent, event_field="order", actor=staff_user, note="dikemas")

    assert moved.status == order.status == Order.Status.PROCESSING
    assert Order.objects.get(pk=order.pk).status == Order.Status.PROCESSING
    event = OrderEvent.objects.get(order=order)
    assert (event.from_status, event.to_status) == ("new", "processing")
    assert event.actor == staff_user
    assert event.source == EventSource.STAFF
    assert event.note == "dikemas"


def test_allowed_move_writes_extra_updates_in_the_same_save():
    order = OrderFactory(status=Order.Status.NEW, notes="")

    transition(instance=order, to_status=Order.Status.CANCELED, allowed=ALLOWED, event_model=OrderEvent,
               event_field="order", source=EventSource.SYNC, updates={"notes": "dibatalkan pembeli"})

    stored = Order.objects.get(pk=order.pk)
    assert (stored.status, stored.notes) == ("canceled", "dibatalkan pembeli")
    assert order.notes == "dibatalkan pembeli"
    assert OrderEvent.objects.get(order=order).source == EventSource.SYNC


def test_refused_move_raises_and_changes_nothing():
    order = OrderFactory(status=Order.Status.NEW)
    updated_at = Order.objects.get(pk=order.pk).updated_at

    with pytest.raises(TransitionNotAllowed) as refused:
        transition(instance=order, to_status=Order.Status.SHIPPED, allowed=ALLOWED, event_model=OrderEvent,
                   event_field="order", updates={"notes": "should not be written"})

    assert "New" in refused.value.message and "Shipped" in refused.value.message
    assert refused.value.extra == {"current": "New", "target": "Shipped"}
    stored = Order.objects.get(pk=order.pk)
    assert stored.status == Order.Status.NEW
    assert stored.notes == ""
    assert stored.updated_at == updated_at
    assert order.status == Order.Status.NEW
    assert not OrderEvent.objects.filter(order=order).exists()


def test_state_without_outgoing_moves_refuses_everything():
    order = OrderFactory(status=Order.Status.COMPLETED)

    with pytest.raises(TransitionNotAllowed):
        transition(instance=order, to_status=Order.Status.NEW, allowed=ALLOWED, event_model=OrderEvent,
                   event_field="order")

    assert not OrderEvent.objects.exists()


def test_the_check_uses_the_stored_state_not_a_stale_copy():
    order = OrderFactory(status=Order.Status.NEW)
    stale = Order.objects.get(pk=order.pk)
    transition(instance=order, to_status=Order.Status.CANCELED, allowed=ALLOWED, event_model=OrderEvent,
               event_field="order")

    assert stale.status == Order.Status.NEW  # the copy still believes "new"
    with pytest.raises(TransitionNotAllowed):
        transition(instance=stale, to_status=Order.Status.PROCESSING, allowed=ALLOWED, event_model=OrderEvent,
                   event_field="order")

    assert Order.objects.get(pk=order.pk).status == Order.Status.CANCELED
    assert OrderEvent.objects.filter(order=order).count() == 1


def test_allowed_targets_lists_the_moves_from_a_state():
    assert allowed_targets(ALLOWED, "new") == {"processing", "canceled"}
    assert allowed_targets(ALLOWED, "completed") == set()
