"""Every allowed and every refused move of the Shipment, PickupRequest, Ticket, Claim and Return state
machines: an allowed one writes the state and one event row; a refused one changes nothing."""

import itertools

import pytest

from common.exceptions import TransitionNotAllowed
from logistics import services
from logistics.models import (
    Claim,
    ClaimEvent,
    PickupEvent,
    PickupRequest,
    Return,
    ReturnEvent,
    Shipment,
    ShipmentEvent,
    Ticket,
    TicketEvent,
)
from tests.factories import ClaimFactory, PickupRequestFactory, ReturnFactory, ShipmentFactory, TicketFactory

pytestmark = pytest.mark.django_db


def all_moves(statuses, allowed):
    return [
        pytest.param(current, target, target in allowed[current], id=f"{current}->{target}")
        for current, target in itertools.product(statuses, statuses)
        if current != target
    ]


MACHINES = {
    "shipment": (Shipment, ShipmentEvent, "shipment", ShipmentFactory, services.shipment_transition,
                 services.SHIPMENT_TRANSITIONS),
    "pickup": (PickupRequest, PickupEvent, "pickup", PickupRequestFactory, services.pickup_transition,
               services.PICKUP_TRANSITIONS),
    "ticket": (Ticket, TicketEvent, "ticket", TicketFactory, services.ticket_transition,
               services.TICKET_TRANSITIONS),
    "claim": (Claim, ClaimEvent, "claim", ClaimFactory, services.claim_transition,
              services.CLAIM_TRANSITIONS),
}


def test_every_status_has_an_entry_in_its_transition_table():
    for model, _event, _field, _factory, _service, allowed in MACHINES.values():
        assert set(allowed) == set(model.Status.values)


def check_move(machine, current, target, ok, staff_user):
    _model, event_model, field, factory, service, _allowed = MACHINES[machine]
    obj = factory(status=current)
    if ok:
        service(**{field: obj}, to_status=target, acting_user=staff_user, note="checked")
        obj.refresh_from_db()
        assert obj.status == target
        event = event_model.objects.get(**{field: obj})
        assert (event.from_status, event.to_status, event.actor, event.note) == (
            current, target, staff_user, "checked",
        )
    else:
        with pytest.raises(TransitionNotAllowed):
            service(**{field: obj}, to_status=target, acting_user=staff_user)
        obj.refresh_from_db()
        assert obj.status == current
        assert not event_model.objects.filter(**{field: obj}).exists()


@pytest.mark.parametrize(("current", "target", "ok"), all_moves(Shipment.Status.values,
                                                                services.SHIPMENT_TRANSITIONS))
def test_shipment_moves(current, target, ok, staff_user):
    check_move("shipment", current, target, ok, staff_user)


@pytest.mark.parametrize(("current", "target", "ok"), all_moves(PickupRequest.Status.values,
                                                                services.PICKUP_TRANSITIONS))
def test_pickup_moves(current, target, ok, staff_user):
    check_move("pickup", current, target, ok, staff_user)


@pytest.mark.parametrize(("current", "target", "ok"),
                         all_moves(Ticket.Status.values, services.TICKET_TRANSITIONS))
def test_ticket_moves(current, target, ok, staff_user):
    check_move("ticket", current, target, ok, staff_user)


@pytest.mark.parametrize(("current", "target", "ok"),
                         all_moves(Claim.Status.values, services.CLAIM_TRANSITIONS))
def test_claim_moves(current, target, ok, staff_user):
    check_move("claim", current, target, ok, staff_user)


def test_refused_move_names_both_states():
    shipment = ShipmentFactory(status=Shipment.Status.DELIVERED)
    with pytest.raises(TransitionNotAllowed, match=r"Delivered.*Picked up"):
        services.shipment_transition(shipment=shipment, to_status=Shipment.Status.PICKED_UP)


def test_shipment_delivery_and_pickup_stamp_their_times():
    shipment = ShipmentFactory(status=Shipment.Status.AWB_CREATED)
    services.shipment_transition(shipment=shipment, to_status=Shipment.Status.PICKED_UP)
    services.shipment_transition(shipment=shipment, to_status=Shipment.Status.IN_TRANSIT)
    services.shipment_transition(shipment=shipment, to_status=Shipment.Status.DELIVERED)
    shipment.refresh_from_db()
    assert shipment.shipped_at is not None
    assert shipment.delivered_at is not None


def test_claim_decision_time_is_recorded():
    claim = ClaimFactory()
    services.claim_transition(claim=claim, to_status=Claim.Status.REJECTED)
    claim.refresh_from_db()
    assert claim.decided_at is not None


def test_return_is_received_then_inspected_with_outcome_and_inspector(staff_user):
    ret = ReturnFactory()
    services.return_receive(ret=ret, acting_user=staff_user)
    ret.refresh_from_db()
    assert ret.status == Return.Status.RECEIVED and ret.received_at is not None
    services.return_inspect(ret=ret, outcome=Return.Outcome.DAMAGED, acting_user=staff_user)
    ret.refresh_from_db()
    assert (ret.status, ret.outcome, ret.inspected_by) == (Return.Status.INSPECTED, "damaged", staff_user)
    assert ret.inspected_at is not None
    assert list(ReturnEvent.objects.filter(ret=ret).values_list("from_status", "to_status")) == [
        ("returning", "received"), ("received", "inspected"),
    ]


def test_return_not_received_can_only_be_recorded_as_lost():
    ret = ReturnFactory()
    with pytest.raises(services.ReturnRefused, match="not been received"):
        services.return_inspect(ret=ret, outcome=Return.Outcome.SELLABLE)
    ret.refresh_from_db()
    assert ret.status == Return.Status.RETURNING and ret.outcome == Return.Outcome.PENDING
    services.return_inspect(ret=ret, outcome=Return.Outcome.LOST)
    ret.refresh_from_db()
    assert (ret.status, ret.outcome) == (Return.Status.INSPECTED, Return.Outcome.LOST)


@pytest.mark.parametrize("status", [Return.Status.RECEIVED, Return.Status.INSPECTED])
def test_return_cannot_be_received_twice(status):
    ret = ReturnFactory(status=status)
    with pytest.raises(TransitionNotAllowed):
        services.return_receive(ret=ret)
    assert not ReturnEvent.objects.filter(ret=ret).exists()


def test_return_inspection_refuses_an_unknown_outcome():
    ret = ReturnFactory(status=Return.Status.RECEIVED)
    with pytest.raises(services.ReturnRefused, match="Unknown inspection outcome"):
        services.return_inspect(ret=ret, outcome="pending")
    ret.refresh_from_db()
    assert ret.status == Return.Status.RECEIVED


def test_inspected_return_cannot_be_inspected_again():
    ret = ReturnFactory(status=Return.Status.INSPECTED, outcome=Return.Outcome.SELLABLE)
    with pytest.raises(TransitionNotAllowed):
        services.return_inspect(ret=ret, outcome=Return.Outcome.DAMAGED)
    ret.refresh_from_db()
    assert ret.outcome == Return.Outcome.SELLABLE
