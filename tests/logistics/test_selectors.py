"""Logistics reads: pickups due today, tickets by SLA, shipments by AWB, scoped to the staff's sellers."""

import datetime as dt

import pytest
from django.utils import timezone

from logistics.models import PickupRequest, Ticket
from logistics.selectors import pickup_list_due, shipment_get_by_awb, shipment_list, ticket_list_sla
from tests.factories import (
    CourierFactory,
    PickupRequestFactory,
    ShipmentFactory,
    StaffAssignmentFactory,
    TicketFactory,
)

pytestmark = pytest.mark.django_db


def test_pickups_due_today_are_the_active_ones_of_today(superuser):
    today = timezone.localdate()
    due = PickupRequestFactory(pickup_date=today, status=PickupRequest.Status.SCHEDULED)
    PickupRequestFactory(pickup_date=today, status=PickupRequest.Status.CANCELED)
    PickupRequestFactory(pickup_date=today + dt.timedelta(days=1))
    assert list(pickup_list_due(user=superuser)) == [due]


def test_tickets_by_sla(superuser):
    now = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(10)))  # 10:00 WIB
    overdue = TicketFactory(sla_due_at=now - dt.timedelta(minutes=1))
    TicketFactory(sla_due_at=now - dt.timedelta(days=1), status=Ticket.Status.RESOLVED)
    today = TicketFactory(sla_due_at=now + dt.timedelta(hours=13, minutes=59))  # 23:59 WIB
    TicketFactory(sla_due_at=now + dt.timedelta(hours=14))  # midnight: tomorrow
    assert list(ticket_list_sla(user=superuser, kind="overdue", now=now)) == [overdue]
    assert list(ticket_list_sla(user=superuser, kind="today", now=now)) == [today]


def test_shipment_by_awb_and_scoped_list(staff_user):
    jne = ShipmentFactory(awb="AWB-1", courier=CourierFactory(code="jne", name="JNE"))
    jnt = ShipmentFactory(awb="AWB-1", courier=CourierFactory(code="jnt", name="J&T"))
    assert shipment_get_by_awb(awb=" AWB-1 ", courier=jnt.courier) == jnt
    assert shipment_get_by_awb(awb="nope") is None
    assert list(shipment_list(user=staff_user)) == []
    StaffAssignmentFactory(user=staff_user, seller=jne.order.seller)
    assert list(shipment_list(user=staff_user)) == [jne]
