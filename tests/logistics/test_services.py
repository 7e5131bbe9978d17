"""Logistics services: AWB rules, tracking deduplication, pickup requests, ticket replies, returns."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from logistics import services
from logistics.models import (
    PickupEvent,
    PickupRequest,
    Return,
    ReturnEvent,
    Shipment,
    ShipmentEvent,
    Ticket,
    TicketEvent,
    TicketMessage,
    TrackingEvent,
)
from tests.factories import (
    CourierFactory,
    OrderFactory,
    PickupRequestFactory,
    SellerFactory,
    ShipmentFactory,
    TicketFactory,
    UserFactory,
    WarehouseFactory,
)

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


# --- AWB ---------------------------------------------------------------------------------------------


def test_setting_awb_on_pending_shipment_moves_it_to_awb_created(staff_user):
    shipment = ShipmentFactory(status=Shipment.Status.PENDING, awb="")
    services.shipment_set_awb(shipment=shipment, awb=" JNE123 ", acting_user=staff_user)
    shipment.refresh_from_db()
    assert (shipment.awb, shipment.status) == ("JNE123", Shipment.Status.AWB_CREATED)
    event = ShipmentEvent.objects.get(shipment=shipment)
    assert (event.from_status, event.to_status, event.actor) == ("pending", "awb_created", staff_user)


def test_awb_used_by_another_shipment_of_the_courier_is_refused_naming_the_order():
    taken = ShipmentFactory(awb="JNE777", order=OrderFactory(order_no="INV/OTHER/1"))
    shipment = ShipmentFactory(status=Shipment.Status.PENDING, awb="", courier=taken.courier)
    with pytest.raises(services.ShipmentAwbTaken, match="INV/OTHER/1"):
        services.shipment_set_awb(shipment=shipment, awb="JNE777")
    shipment.refresh_from_db()
    assert (shipment.awb, shipment.status) == ("", Shipment.Status.PENDING)
    assert not ShipmentEvent.objects.filter(shipment=shipment).exists()


def test_awb_can_be_corrected_before_pickup_but_not_after():
    shipment = ShipmentFactory(status=Shipment.Status.AWB_CREATED, awb="OLD1")
    services.shipment_set_awb(shipment=shipment, awb="NEW1")
    shipment.refresh_from_db()
    assert shipment.awb == "NEW1"
    shipment = ShipmentFactory(status=Shipment.Status.IN_TRANSIT, awb="OLD2")
    with pytest.raises(services.ShipmentAwbRefused, match="cannot change any more"):
        services.shipment_set_awb(shipment=shipment, awb="NEW2")
    shipment.refresh_from_db()
    assert shipment.awb == "OLD2"


def test_empty_awb_is_refused():
    shipment = ShipmentFactory(status=Shipment.Status.PENDING, awb="")
    with pytest.raises(services.ShipmentAwbRefused, match="empty"):
        services.shipment_set_awb(shipment=shipment, awb="  ")


# --- tracking ----------------------------------------------------------------------------------------


def test_tracking_event_is_recorded_and_moves_last_movement():
    shipment = ShipmentFactory()
    at = timezone.now() - dt.timedelta(hours=2)
    result = services.tracking_event_record(
        shipment=shipment, occurred_at=at, description="Paket diterima di gudang", status_code="MANIFEST",
        location="Jakarta", source="sync",
    )
    assert result.outcome == "created"
    assert result.event.dedup_key == services.tracking_dedup_key(
        shipment_id=shipment.pk, occurred_at=at, status_code="MANIFEST",
        description="Paket diterima di gudang",
    )
    shipment.refresh_from_db()
    assert shipment.last_movement_at == at
    assert shipment.last_tracked_at is not None


def test_duplicate_tracking_event_returns_the_stored_row_and_writes_nothing():
    shipment = ShipmentFactory()
    at = timezone.now()
    first = services.tracking_event_record(shipment=shipment, occurred_at=at, description="Dikirim",
                                           status_code="SENT", location="", source="sync")
    same_instant_other_zone = at.astimezone(dt.timezone(dt.timedelta(hours=7)))
    again = services.tracking_event_record(shipment=shipment, occurred_at=same_instant_other_zone,
                                           description="Dikirim ", status_code="SENT", location="Bandung",
                                           source="webhook")
    assert again.outcome == "duplicate"
    assert again.event.pk == first.event.pk
    assert TrackingEvent.objects.filter(shipment=shipment).count() == 1
    assert TrackingEvent.objects.get(shipment=shipment).location == ""


def test_older_tracking_event_does_not_move_last_movement_back():
    shipment = ShipmentFactory()
    now = timezone.now()
    services.tracking_event_record(shipment=shipment, occurred_at=now, description="B", status_code="2",
                                   location="", source="sync")
    services.tracking_event_record(shipment=shipment, occurred_at=now - dt.timedelta(days=1), description="A",
                                   status_code="1", location="", source="sync")
    shipment.refresh_from_db()
    assert shipment.last_movement_at == now
    assert TrackingEvent.objects.filter(shipment=shipment).count() == 2


def test_same_event_text_at_another_time_is_a_new_event():
    shipment = ShipmentFactory()
    now = timezone.now()
    for minutes in (0, 5):
        services.tracking_event_record(shipment=shipment, occurred_at=now + dt.timedelta(minutes=minutes),
                                       description="Transit", status_code="T", location="", source="sync")
    assert TrackingEvent.objects.filter(shipment=shipment).count() == 2


# --- pickups -----------------------------------------------------------------------------------------


def pickup_kwargs(seller, orders, day, **overrides):
    values = {
        "seller": seller, "orders": orders, "pickup_date": day,
        "time_from": dt.time(9), "time_to": dt.time(12),
        "vehicle": PickupRequest.Vehicle.MOTOR, "contact_name": "Andi", "contact_phone": "0812-9876-5432",
        "address": "Jl. Gatot Subroto No. 5, Jakarta",
    }
    values.update(overrides)
    return values


def assert_nothing_written(order):
    assert not PickupRequest.objects.exists()
    assert not PickupEvent.objects.exists()
    assert not order.shipments.filter(status=Shipment.Status.PICKUP_REQUESTED).exists()


def test_pickup_request_is_created_with_its_orders_and_moves_their_shipments(seller, ready_order, tomorrow,
                                                                             staff_user):
    pickup = services.pickup_request_create(**pickup_kwargs(seller, [ready_order], tomorrow),
                                            acting_user=staff_user)
    assert pickup.status == PickupRequest.Status.REQUESTED
    assert pickup.contact_phone == "+6281298765432"
    assert list(pickup.orders.all()) == [ready_order]
    event = PickupEvent.objects.get(pickup=pickup)
    assert (event.from_status, event.to_status, event.actor) == ("", "requested", staff_user)
    assert ready_order.shipments.get().status == Shipment.Status.PICKUP_REQUESTED


def test_pickup_at_a_warehouse_needs_no_address(seller, ready_order, tomorrow):
    pickup = services.pickup_request_create(
        **pickup_kwargs(seller, [ready_order], tomorrow, address="", warehouse=WarehouseFactory()),
    )
    assert pickup.warehouse_id is not None


def test_pickup_of_an_order_without_awb_is_refused(seller, tomorrow):
    order = OrderFactory(seller=seller, order_no="INV/NOAWB/1")
    ShipmentFactory(order=order, awb="", status=Shipment.Status.PENDING)
    with pytest.raises(services.PickupRefused, match="INV/NOAWB/1 have no AWB"):
        services.pickup_request_create(**pickup_kwargs(seller, [order], tomorrow))
    assert_nothing_written(order)


def test_pickup_of_orders_of_different_sellers_is_refused(seller, ready_order, tomorrow):
    stranger = OrderFactory(seller=SellerFactory(), order_no="INV/STRANGER/1")
    ShipmentFactory(order=stranger)
    with pytest.raises(services.PickupRefused, match="INV/STRANGER/1 do not belong"):
        services.pickup_request_create(**pickup_kwargs(seller, [ready_order, stranger], tomorrow))
    assert_nothing_written(ready_order)


@pytest.mark.parametrize("status", [PickupRequest.Status.REQUESTED, PickupRequest.Status.SCHEDULED])
def test_pickup_of_an_order_already_in_an_active_pickup_is_refused(seller, ready_order, tomorrow, status):
    active = PickupRequestFactory(seller=seller, status=status)
    active.orders.add(ready_order)
    with pytest.raises(services.PickupRefused, match=f"already in pickup request #{active.pk}"):
        services.pickup_request_create(**pickup_kwargs(seller, [ready_order], tomorrow))
    assert PickupRequest.objects.count() == 1


@pytest.mark.parametrize("status", [PickupRequest.Status.FAILED, PickupRequest.Status.CANCELED])
def test_order_of_a_failed_or_canceled_pickup_can_be_requested_again(seller, ready_order, tomorrow, status):
    old = PickupRequestFactory(seller=seller, status=status)
    old.orders.add(ready_order)
    pickup = services.pickup_request_create(**pickup_kwargs(seller, [ready_order], tomorrow))
    assert pickup.pk != old.pk


def test_pickup_without_orders_is_refused(seller, tomorrow):
    with pytest.raises(services.PickupRefused, match="at least one order"):
        services.pickup_request_create(**pickup_kwargs(seller, [], tomorrow))
    assert not PickupRequest.objects.exists()


def test_pickup_in_the_past_is_refused(seller, ready_order):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(services.PickupRefused, match="in the past"):
        services.pickup_request_create(**pickup_kwargs(seller, [ready_order], yesterday))
    assert_nothing_written(ready_order)


def test_pickup_with_an_inverted_window_is_refused(seller, ready_order, tomorrow):
    with pytest.raises(services.PickupRefused, match="inverted"):
        services.pickup_request_create(
            **pickup_kwargs(seller, [ready_order], tomorrow, time_from=dt.time(13), time_to=dt.time(10)),
        )
    assert_nothing_written(ready_order)


def test_pickup_starting_after_the_cutoff_is_refused(seller, ready_order, tomorrow, settings):
    settings.PICKUP_CUTOFF_TIME = "15:00"
    with pytest.raises(services.PickupRefused, match="start by 15:00"):
        services.pickup_request_create(
            **pickup_kwargs(seller, [ready_order], tomorrow, time_from=dt.time(15, 30), time_to=dt.time(17)),
        )
    assert_nothing_written(ready_order)


def test_pickup_inside_the_minimum_lead_time_is_refused(seller, ready_order, tomorrow, settings):
    settings.PICKUP_MIN_LEAD_MINUTES = 3 * 24 * 60  # tomorrow is then always too soon
    with pytest.raises(services.PickupRefused, match="at least 4320 minutes ahead"):
        services.pickup_request_create(**pickup_kwargs(seller, [ready_order], tomorrow))
    assert_nothing_written(ready_order)


@pytest.mark.parametrize("phone", ["", "12", "not a phone"])
def test_pickup_with_an_invalid_contact_phone_is_refused(seller, ready_order, tomorrow, phone):
    with pytest.raises(services.PickupRefused, match="not a valid phone number"):
        services.pickup_request_create(**pickup_kwargs(seller, [ready_order], tomorrow, contact_phone=phone))
    assert_nothing_written(ready_order)


def test_pickup_without_place_is_refused(seller, ready_order, tomorrow):
    with pytest.raises(services.PickupRefused, match="warehouse or a pickup address"):
        services.pickup_request_create(**pickup_kwargs(seller, [ready_order], tomorrow, address=" "))
    assert_nothing_written(ready_order)


def test_picked_up_pickup_picks_up_its_shipments(seller, ready_order, tomorrow):
    pickup = services.pickup_request_create(**pickup_kwargs(seller, [ready_order], tomorrow))
    services.pickup_transition(pickup=pickup, to_status=PickupRequest.Status.SCHEDULED)
    services.pickup_transition(pickup=pickup, to_status=PickupRequest.Status.PICKED_UP)
    assert ready_order.shipments.get().status == Shipment.Status.PICKED_UP


def test_canceled_pickup_frees_its_shipments_and_keeps_the_reason(seller, ready_order, tomorrow):
    pickup = services.pickup_request_create(**pickup_kwargs(seller, [ready_order], tomorrow))
    services.pickup_transition(pickup=pickup, to_status=PickupRequest.Status.CANCELED, note="Seller libur")
    pickup.refresh_from_db()
    assert pickup.failure_reason == "Seller libur"
    assert ready_order.shipments.get().status == Shipment.Status.AWB_CREATED


# --- tickets -----------------------------------------------------------------------------------------


def test_staff_reply_is_added_read_and_timestamped(staff_user):
    ticket = TicketFactory(unread_by_staff=True)
    message = services.ticket_reply(ticket=ticket, body="Sedang kami cek ke kurir.", acting_user=staff_user,
                                    attachment=SimpleUploadedFile("bukti.png", PNG, content_type="image/png"))
    ticket.refresh_from_db()
    assert message.is_from_staff and message.author == staff_user
    assert message.attachment.name.endswith(".png")
    assert ticket.unread_by_staff is False
    assert ticket.last_message_at is not None


def test_seller_message_marks_the_ticket_unread():
    ticket = TicketFactory(unread_by_staff=False)
    seller_user = UserFactory(is_staff=False)
    services.ticket_reply(ticket=ticket, body="Sudah 5 hari belum sampai", acting_user=seller_user,
                          source="api")
    ticket.refresh_from_db()
    assert ticket.unread_by_staff is True
    services.ticket_mark_read(ticket=ticket)
    ticket.refresh_from_db()
    assert ticket.unread_by_staff is False


@pytest.mark.parametrize(("name", "content"), [("bukti.pdf", PDF), ("foto.jpg", JPG), ("foto.JPEG", JPG)])
def test_jpg_png_pdf_attachments_are_accepted(name, content, staff_user):
    ticket = TicketFactory()
    services.ticket_reply(ticket=ticket, body="Lampiran", acting_user=staff_user,
                          attachment=SimpleUploadedFile(name, content))
    assert TicketMessage.objects.filter(ticket=ticket).count() == 1


def test_attachment_over_the_size_limit_is_refused(staff_user, settings):
    settings.TICKET_ATTACHMENT_MAX_BYTES = 1024
    ticket = TicketFactory()
    big = SimpleUploadedFile("besar.png", PNG + b"\x00" * 2048)
    with pytest.raises(services.TicketReplyRefused, match="limit is"):
        services.ticket_reply(ticket=ticket, body="Besar", attachment=big, acting_user=staff_user)
    assert not TicketMessage.objects.exists()
    ticket.refresh_from_db()
    assert ticket.last_message_at is None


@pytest.mark.parametrize(("name", "content"), [
    ("script.exe", b"MZ\x90\x00"), ("fake.png", b"<html>not an image</html>"), ("noext", PNG),
])
def test_attachment_of_a_wrong_type_is_refused(name, content, staff_user):
    ticket = TicketFactory()
    with pytest.raises(services.TicketReplyRefused, match="not a JPG, PNG or PDF"):
        services.ticket_reply(ticket=ticket, body="x", attachment=SimpleUploadedFile(name, content),
                              acting_user=staff_user)
    assert not TicketMessage.objects.exists()


@pytest.mark.parametrize("status", [Ticket.Status.CLOSED, Ticket.Status.CANCELED])
def test_closed_ticket_takes_no_reply(status, staff_user):
    ticket = TicketFactory(status=status)
    with pytest.raises(services.TicketReplyRefused, match="cannot receive messages"):
        services.ticket_reply(ticket=ticket, body="Halo", acting_user=staff_user)
    assert not TicketMessage.objects.exists()


def test_empty_reply_is_refused(staff_user):
    with pytest.raises(services.TicketReplyRefused, match="empty"):
        services.ticket_reply(ticket=TicketFactory(), body="  ", acting_user=staff_user)


def test_ticket_is_assigned_with_an_event(staff_user):
    ticket = TicketFactory()
    services.ticket_assign(ticket=ticket, assignee=staff_user, acting_user=staff_user)
    ticket.refresh_from_db()
    assert ticket.assignee == staff_user
    event = TicketEvent.objects.get(ticket=ticket)
    assert (event.from_status, event.to_status) == ("open", "open")
    assert staff_user.username in event.note


def test_ticket_cannot_be_assigned_to_a_non_staff_user_or_when_closed(staff_user):
    ticket = TicketFactory()
    with pytest.raises(services.TicketAssignRefused, match="not an active staff member"):
        services.ticket_assign(ticket=ticket, assignee=UserFactory(is_staff=False))
    closed = TicketFactory(status=Ticket.Status.CLOSED)
    with pytest.raises(services.TicketAssignRefused, match="only open tickets"):
        services.ticket_assign(ticket=closed, assignee=staff_user)
    assert not TicketEvent.objects.exists()
    assert Ticket.objects.filter(assignee__isnull=False).count() == 0


# --- returns -----------------------------------------------------------------------------------------


def test_return_record_moves_a_travelling_shipment_to_returning(staff_user):
    shipment = ShipmentFactory(status=Shipment.Status.IN_TRANSIT)
    ret = services.return_record(order=shipment.order, shipment=shipment, reason="Alamat tidak ditemukan",
                                 rts_fee="12000", acting_user=staff_user)
    assert (ret.status, ret.rts_fee) == (Return.Status.RETURNING, Decimal("12000"))
    assert ReturnEvent.objects.get(ret=ret).to_status == "returning"
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.RETURNING
    services.return_receive(ret=ret, acting_user=staff_user)
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.RETURNED


def test_return_with_negative_fee_or_foreign_shipment_or_open_return_is_refused():
    order = OrderFactory()
    with pytest.raises(services.ReturnRefused, match="cannot be negative"):
        services.return_record(order=order, rts_fee=Decimal("-1"), reason="x")
    with pytest.raises(services.ReturnRefused, match="belongs to another order"):
        services.return_record(order=order, shipment=ShipmentFactory(courier=CourierFactory()), reason="x")
    assert not Return.objects.exists()
    services.return_record(order=order, reason="x")
    with pytest.raises(services.ReturnRefused, match="already has a return"):
        services.return_record(order=order, reason="again")
    assert Return.objects.count() == 1
