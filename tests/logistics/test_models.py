"""Database constraints of the logistics tables."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from logistics.models import PickupRequest, TrackingEvent
from tests.factories import (
    ClaimFactory,
    CourierFactory,
    PickupRequestFactory,
    PlatformAccountFactory,
    ReturnFactory,
    ShipmentFactory,
    TicketFactory,
    TrackingEventFactory,
)

pytestmark = pytest.mark.django_db


def test_awb_is_unique_per_courier():
    first = ShipmentFactory(awb="JNE0001")
    with pytest.raises(IntegrityError), transaction.atomic():
        ShipmentFactory(courier=first.courier, awb="JNE0001")


def test_same_awb_is_allowed_for_another_courier():
    ShipmentFactory(awb="X0001", courier=CourierFactory(code="jne", name="JNE"))
    other = ShipmentFactory(awb="X0001", courier=CourierFactory(code="jnt", name="J&T"))
    assert other.pk


def test_many_shipments_of_one_courier_may_have_no_awb_yet():
    first = ShipmentFactory(awb="")
    second = ShipmentFactory(awb="", courier=first.courier)
    assert second.pk


def test_shipment_cod_amount_cannot_be_negative():
    with pytest.raises(IntegrityError), transaction.atomic():
        ShipmentFactory(cod_amount=Decimal("-1"))


@pytest.mark.parametrize(
    "factory",
    [ShipmentFactory, TrackingEventFactory, PickupRequestFactory, ReturnFactory, TicketFactory, ClaimFactory],
)
def test_external_id_is_unique_per_account(factory):
    account = PlatformAccountFactory()
    factory(account=account, external_id="EXT-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(account=account, external_id="EXT-1")


def test_same_external_id_is_allowed_on_another_account_and_without_account():
    ShipmentFactory(account=PlatformAccountFactory(), external_id="EXT-1")
    ShipmentFactory(account=PlatformAccountFactory(), external_id="EXT-1")
    ShipmentFactory(account=None, external_id="EXT-1")
    ShipmentFactory(account=None, external_id="EXT-1")


@pytest.mark.parametrize(("start", "end"), [("12:00", "09:00"), ("10:00", "10:00")])
def test_pickup_window_must_be_ordered(start, end):
    with pytest.raises(IntegrityError), transaction.atomic():
        PickupRequestFactory(time_from=start, time_to=end)
    assert not PickupRequest.objects.exists()


def test_pickup_needs_a_warehouse_or_an_address():
    with pytest.raises(IntegrityError), transaction.atomic():
        PickupRequestFactory(address="", warehouse=None)


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5000")])
def test_claim_amount_must_be_positive(amount):
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimFactory(amount=amount)


def test_return_rts_fee_cannot_be_negative():
    with pytest.raises(IntegrityError), transaction.atomic():
        ReturnFactory(rts_fee=Decimal("-1"))


def test_tracking_event_dedup_key_is_unique_per_shipment():
    event = TrackingEventFactory(dedup_key="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        TrackingEventFactory(shipment=event.shipment, dedup_key="same")
    TrackingEventFactory(dedup_key="same")  # another shipment may have the same key
    assert TrackingEvent.objects.filter(dedup_key="same").count() == 2


def test_ticket_number_is_unique():
    TicketFactory(number="TCK-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        TicketFactory(number="TCK-1")


def test_pickup_window_constraint_gives_a_readable_message_in_full_clean():
    pickup = PickupRequestFactory.build(time_from=dt.time(12), time_to=dt.time(9), seller=None)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as excinfo:
        pickup.validate_constraints()
    assert "The pickup window must start before it ends." in str(excinfo.value)
