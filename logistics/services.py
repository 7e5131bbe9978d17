"""Writes for logistics: shipments and their tracking, pickups, returns, tickets and claims.

Every state change goes through common.transitions.transition with the `<MODEL>_TRANSITIONS` dict
below, so the row is locked, the move is checked and an event row is written in one transaction."""

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common.exceptions import ApplicationError
from common.models import EventSource
from common.phones import normalize_phone
from common.transitions import transition
from logistics.models import (
    Claim,
    ClaimEvent,
    PickupEvent,
    PickupRequest,
    Return,
    ReturnEvent,
    Shipment,
    ShipmentEvent,
    ShipmentStatus,
    Ticket,
    TicketEvent,
    TicketMessage,
    TrackingEvent,
)

S = ShipmentStatus
SHIPMENT_TRANSITIONS: dict[str, set[str]] = {
    S.PENDING: {S.AWB_CREATED, S.CANCELED},
    S.AWB_CREATED: {S.PICKUP_REQUESTED, S.PICKED_UP, S.CANCELED},
    S.PICKUP_REQUESTED: {S.PICKED_UP, S.AWB_CREATED, S.CANCELED},
    S.PICKED_UP: {S.IN_TRANSIT, S.PROBLEM},
    S.IN_TRANSIT: {S.DELIVERED, S.PROBLEM, S.RETURNING, S.LOST},
    S.PROBLEM: {S.IN_TRANSIT, S.RETURNING, S.LOST, S.DELIVERED},
    S.RETURNING: {S.RETURNED, S.LOST},
    S.DELIVERED: set(),
    S.RETURNED: set(),
    S.LOST: set(),
    S.CANCELED: set(),
}

P = PickupRequest.Status
PICKUP_TRANSITIONS: dict[str, set[str]] = {
    P.REQUESTED: {P.SCHEDULED, P.FAILED, P.CANCELED},
    P.SCHEDULED: {P.PICKED_UP, P.FAILED, P.CANCELED},
    P.PICKED_UP: set(),
    P.FAILED: set(),
    P.CANCELED: set(),
}
PICKUP_ACTIVE_STATUSES = (P.REQUESTED, P.SCHEDULED)

T = Ticket.Status
TICKET_TRANSITIONS: dict[str, set[str]] = {
    T.OPEN: {T.IN_PROGRESS, T.WAITING, T.RESOLVED, T.CANCELED},
    T.IN_PROGRESS: {T.WAITING, T.RESOLVED, T.CANCELED},
    T.WAITING: {T.IN_PROGRESS, T.RESOLVED, T.CANCELED},
    T.RESOLVED: {T.CLOSED, T.OPEN},  # resolved → open is a reopen
    T.CLOSED: set(),
    T.CANCELED: set(),
}
TICKET_ACTIVE_STATUSES = (T.OPEN, T.IN_PROGRESS, T.WAITING)

C = Claim.Status
CLAIM_TRANSITIONS: dict[str, set[str]] = {
    C.ON_REVIEW: {C.ACCEPTED, C.REJECTED},
    C.ACCEPTED: {C.PAID},
    C.REJECTED: set(),
    C.PAID: set(),
}

R = Return.Status
RETURN_TRANSITIONS: dict[str, set[str]] = {
    R.RETURNING: {R.RECEIVED, R.INSPECTED},  # straight to inspected only to record it as lost
    R.RECEIVED: {R.INSPECTED},
    R.INSPECTED: set(),
}

TICKET_ATTACHMENT_TYPES = {
    # extension: (content type, the file's first bytes)
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "pdf": ("application/pdf", (b"%PDF-",)),
}


class ShipmentAwbTaken(ApplicationError):
    code = "awb_taken"
    http_status = 409


class ShipmentAwbRefused(ApplicationError):
    code = "awb_refused"


class PickupRefused(ApplicationError):
    code = "pickup_refused"


class TicketReplyRefused(ApplicationError):
    code = "ticket_reply_refused"


class TicketAssignRefused(ApplicationError):
    code = "ticket_assign_refused"


class ReturnRefused(ApplicationError):
    code = "return_refused"


# --- shipments -------------------------------------------------------------------------------------


def shipment_transition(
    *, shipment: Shipment, to_status: str, acting_user=None, source: str = EventSource.STAFF, note: str = "",
) -> Shipment:
    """Move a shipment along SHIPMENT_TRANSITIONS; stamps shipped_at / delivered_at on the way."""
    updates: dict[str, object] = {}
    now = timezone.now()
    if to_status == S.PICKED_UP and not shipment.shipped_at:
        updates["shipped_at"] = now
    if to_status == S.DELIVERED:
        updates["delivered_at"] = now
    return transition(
        instance=shipment, to_status=to_status, allowed=SHIPMENT_TRANSITIONS, event_model=ShipmentEvent,
        event_field="shipment", actor=acting_user, source=source, note=note, updates=updates,
    )


def _awb_taken_error(*, other: Shipment, awb: str) -> ShipmentAwbTaken:
    return ShipmentAwbTaken(
        _("AWB %(awb)s of %(courier)s is already used by order %(order)s.")
        % {"awb": awb, "courier": other.courier, "order": other.order.order_no},
        extra={"awb": awb, "order_no": other.order.order_no, "shipment_id": other.pk},
    )


def shipment_awb_validate(*, shipment: Shipment, awb: str) -> str:
    """Check an AWB for a shipment: not empty, not used by another shipment of the same courier, and
    the shipment not picked up yet. Returns the cleaned AWB."""
    awb = (awb or "").strip()
    if not awb:
        raise ShipmentAwbRefused(_("The AWB is empty."))
    if shipment.pk and shipment.status not in (S.PENDING, S.AWB_CREATED, S.PICKUP_REQUESTED):
        raise ShipmentAwbRefused(
            _("The AWB of shipment %(shipment)s cannot change any more: it is “%(status)s”.")
            % {"shipment": shipment, "status": shipment.get_status_display()}
        )
    other = (
        Shipment.objects.select_related("order", "courier")
        .filter(courier_id=shipment.courier_id, awb=awb).exclude(pk=shipment.pk).first()
    )
    if other is not None:
        raise _awb_taken_error(other=other, awb=awb)
    return awb


def shipment_set_awb(
    *, shipment: Shipment, awb: str, acting_user=None, source: str = EventSource.STAFF,
) -> Shipment:
    """Give a shipment its airway bill. A pending shipment moves to "AWB created"; one that has not
    been picked up yet may have its AWB corrected. An AWB is unique per courier."""
    awb = shipment_awb_validate(shipment=shipment, awb=awb)
    try:
        with transaction.atomic():
            if shipment.status == S.PENDING:
                return transition(
                    instance=shipment, to_status=S.AWB_CREATED, allowed=SHIPMENT_TRANSITIONS,
                    event_model=ShipmentEvent, event_field="shipment", actor=acting_user, source=source,
                    note=_("AWB %(awb)s") % {"awb": awb}, updates={"awb": awb},
                )
            shipment.awb = awb
            shipment.save(update_fields=["awb", "updated_at"])
            return shipment
    except IntegrityError:  # another request took the AWB between our check and our write
        other = Shipment.objects.select_related("order", "courier").get(
            courier_id=shipment.courier_id, awb=awb
        )
        raise _awb_taken_error(other=other, awb=awb) from None


@dataclass(frozen=True)
class TrackingResult:
    event: TrackingEvent
    outcome: str  # "created" or "duplicate"

    @property
    def created(self) -> bool:
        return self.outcome == "created"


def tracking_dedup_key(
    *, shipment_id: int, occurred_at: dt.datetime, status_code: str, description: str,
) -> str:
    """Platforms rarely give tracking events an id: the same shipment, instant, code and text is the
    same event, whichever time zone the platform wrote the time in."""
    instant = occurred_at.astimezone(dt.UTC).isoformat()
    raw = "\x1f".join([str(shipment_id), instant, status_code.strip(), description.strip()])
    return hashlib.sha256(raw.encode()).hexdigest()


def tracking_event_record(
    *, shipment: Shipment, occurred_at: dt.datetime, description: str, status_code: str = "",
    location: str = "", source: str = EventSource.SYNC, account=None, external_id: str = "",
) -> TrackingResult:
    """Record one tracking event; recording the same event again returns the stored row with outcome
    "duplicate" and writes nothing. A newer event moves shipment.last_movement_at forward."""
    if timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)
    description = description.strip()
    status_code = (status_code or "").strip()
    key = tracking_dedup_key(shipment_id=shipment.pk, occurred_at=occurred_at, status_code=status_code,
                             description=description)
    with transaction.atomic():
        event, created = TrackingEvent.objects.get_or_create(
            shipment=shipment, dedup_key=key,
            defaults={
                "occurred_at": occurred_at, "description": description[:500], "status_code": status_code,
                "location": (location or "")[:200], "source": source, "account": account,
                "external_id": external_id,
            },
        )
        now = timezone.now()
        Shipment.objects.filter(pk=shipment.pk).update(last_tracked_at=now)
        if created:
            Shipment.objects.filter(pk=shipment.pk).filter(
                Q(last_movement_at__isnull=True) | Q(last_movement_at__lt=occurred_at)
            ).update(last_movement_at=occurred_at)
    shipment.refresh_from_db(fields=["last_movement_at", "last_tracked_at"])
    return TrackingResult(event=event, outcome="created" if created else "duplicate")


# --- pickups ---------------------------------------------------------------------------------------


def _cutoff_time() -> dt.time:
    return dt.time.fromisoformat(settings.PICKUP_CUTOFF_TIME)


def pickup_request_validate(
    *, seller, orders, pickup_date: dt.date, time_from: dt.time, time_to: dt.time, vehicle: str,
    contact_name: str, contact_phone: str, warehouse=None, address: str = "", pickup=None,
    check_times: bool = True,
) -> str:
    """Check a pickup request; raise PickupRefused with the first problem found. Returns the contact
    phone in E.164. `pickup` is the request being edited (its own orders are not "already in a pickup")."""
    orders = list(orders)
    if not orders:
        raise PickupRefused(_("Choose at least one order to be picked up."), extra={"field": "orders"})
    foreign = [o.order_no for o in orders if o.seller_id != seller.pk]
    if foreign:
        raise PickupRefused(
            _("Orders %(orders)s do not belong to seller %(seller)s; one pickup serves one seller.")
            % {"orders": ", ".join(foreign), "seller": seller.code}, extra={"field": "orders"},
        )
    with_awb = set(
        Shipment.objects.filter(order_id__in=[o.pk for o in orders]).exclude(awb="")
        .exclude(status=S.CANCELED).values_list("order_id", flat=True)
    )
    missing = [o.order_no for o in orders if o.pk not in with_awb]
    if missing:
        raise PickupRefused(
            _("Orders %(orders)s have no AWB yet; create the AWB before requesting a pickup.")
            % {"orders": ", ".join(missing)}, extra={"field": "orders"},
        )
    busy = PickupRequest.orders.through.objects.filter(
        order_id__in=[o.pk for o in orders], pickuprequest__status__in=PICKUP_ACTIVE_STATUSES,
    )
    if pickup is not None and pickup.pk:
        busy = busy.exclude(pickuprequest_id=pickup.pk)
    busy = busy.select_related("order", "pickuprequest").first()
    if busy is not None:
        raise PickupRefused(
            _("Order %(order)s is already in pickup request #%(pickup)s (%(status)s).")
            % {"order": busy.order.order_no, "pickup": busy.pickuprequest_id,
               "status": busy.pickuprequest.get_status_display()}, extra={"field": "orders"},
        )
    if time_from >= time_to:
        raise PickupRefused(
            _("The pickup window is inverted: %(start)s is not before %(end)s.")
            % {"start": time_from.strftime("%H:%M"), "end": time_to.strftime("%H:%M")},
            extra={"field": "time_to"},
        )
    if check_times:
        now = timezone.localtime()
        if pickup_date < now.date():
            raise PickupRefused(
                _("The pickup date %(date)s is in the past.") % {"date": pickup_date.isoformat()},
                extra={"field": "pickup_date"},
            )
        cutoff = _cutoff_time()
        if time_from > cutoff:
            raise PickupRefused(
                _("Pickups must start by %(cutoff)s (couriers' cut-off); %(start)s is too late.")
                % {"cutoff": cutoff.strftime("%H:%M"), "start": time_from.strftime("%H:%M")},
                extra={"field": "time_from"},
            )
        lead = dt.timedelta(minutes=settings.PICKUP_MIN_LEAD_MINUTES)
        starts_at = timezone.make_aware(dt.datetime.combine(pickup_date, time_from))
        if starts_at < now + lead:
            raise PickupRefused(
                _("A pickup must be requested at least %(minutes)d minutes ahead; the earliest start now is "
                  "%(earliest)s.")
                % {"minutes": settings.PICKUP_MIN_LEAD_MINUTES,
                   "earliest": timezone.localtime(now + lead).strftime("%Y-%m-%d %H:%M")},
                extra={"field": "time_from"},
            )
    if vehicle not in PickupRequest.Vehicle.values:
        raise PickupRefused(_("Unknown vehicle “%(vehicle)s”.") % {"vehicle": vehicle},
                            extra={"field": "vehicle"})
    if not (contact_name or "").strip():
        raise PickupRefused(_("Give the name of the contact person for the courier."),
                            extra={"field": "contact_name"})
    try:
        phone = normalize_phone(contact_phone)
    except ValueError:
        phone = ""
    if not phone:
        raise PickupRefused(
            _("%(phone)s is not a valid phone number for the pickup contact.")
            % {"phone": contact_phone or "“”"}, extra={"field": "contact_phone"},
        )
    if warehouse is None and not (address or "").strip():
        raise PickupRefused(_("Give a warehouse or a pickup address."), extra={"field": "address"})
    return phone


def pickup_request_create(
    *, seller, orders, pickup_date: dt.date, time_from: dt.time, time_to: dt.time, vehicle: str,
    contact_name: str, contact_phone: str, warehouse=None, address: str = "", courier=None, acting_user=None,
    source: str = EventSource.STAFF,
) -> PickupRequest:
    """Request a pickup of orders that have an AWB; their shipments move to "pickup requested".
    Nothing is written when a rule refuses."""
    orders = list(orders)
    phone = pickup_request_validate(
        seller=seller, orders=orders, pickup_date=pickup_date, time_from=time_from, time_to=time_to,
        vehicle=vehicle, contact_name=contact_name, contact_phone=contact_phone, warehouse=warehouse,
        address=address,
    )
    with transaction.atomic():
        pickup = PickupRequest.objects.create(
            seller=seller, courier=courier, pickup_date=pickup_date, time_from=time_from, time_to=time_to,
            vehicle=vehicle, contact_name=contact_name.strip(), contact_phone=phone, warehouse=warehouse,
            address=(address or "").strip(),
        )
        pickup.orders.set(orders)
        PickupEvent.objects.create(pickup=pickup, actor=acting_user, source=source, from_status="",
                                   to_status=P.REQUESTED)
        for shipment in Shipment.objects.filter(order__in=orders, status=S.AWB_CREATED).exclude(awb=""):
            shipment_transition(shipment=shipment, to_status=S.PICKUP_REQUESTED, acting_user=acting_user,
                                source=source, note=_("pickup request #%(id)s") % {"id": pickup.pk})
    return pickup


def pickup_transition(
    *, pickup: PickupRequest, to_status: str, acting_user=None, source: str = EventSource.STAFF,
    note: str = "",
) -> PickupRequest:
    """Move a pickup along PICKUP_TRANSITIONS. Picked up: its shipments are picked up. Failed or
    canceled: shipments waiting for it go back to "AWB created" so they can join another pickup."""
    updates = {"failure_reason": note[:255]} if to_status in (P.FAILED, P.CANCELED) and note else {}
    with transaction.atomic():
        result = transition(
            instance=pickup, to_status=to_status, allowed=PICKUP_TRANSITIONS, event_model=PickupEvent,
            event_field="pickup", actor=acting_user, source=source, note=note, updates=updates,
        )
        shipments = Shipment.objects.filter(order__pickups=pickup)
        if to_status == P.PICKED_UP:
            moving, target = shipments.filter(status__in=[S.AWB_CREATED, S.PICKUP_REQUESTED]), S.PICKED_UP
        elif to_status in (P.FAILED, P.CANCELED):
            moving, target = shipments.filter(status=S.PICKUP_REQUESTED), S.AWB_CREATED
        else:
            moving, target = shipments.none(), None
        for shipment in moving:
            shipment_transition(shipment=shipment, to_status=target, acting_user=acting_user, source=source,
                                note=_("pickup request #%(id)s") % {"id": pickup.pk})
    return result


# --- returns ---------------------------------------------------------------------------------------


def return_validate(*, order, shipment: Shipment | None = None, rts_fee=Decimal("0")) -> Decimal:
    """Check a return before it is recorded; returns the RTS charge as a Decimal."""
    try:
        fee = Decimal(str(rts_fee if rts_fee not in (None, "") else "0"))
    except InvalidOperation:
        raise ReturnRefused(_("The RTS charge %(fee)s is not an amount.") % {"fee": rts_fee}) from None
    if fee < 0:
        raise ReturnRefused(_("The RTS charge cannot be negative."))
    if shipment is not None and shipment.order_id != order.pk:
        raise ReturnRefused(
            _("Shipment %(shipment)s belongs to another order than %(order)s.")
            % {"shipment": shipment, "order": order.order_no}
        )
    if Return.objects.filter(order=order).exclude(status=R.INSPECTED).exists():
        raise ReturnRefused(
            _("Order %(order)s already has a return that is not inspected yet.") % {"order": order.order_no}
        )
    return fee


def return_record(
    *, order, shipment: Shipment | None = None, reason: str = "", rts_fee=Decimal("0"), acting_user=None,
    source: str = EventSource.STAFF,
) -> Return:
    """Record a return to sender. A shipment still travelling towards the buyer moves to "returning"."""
    fee = return_validate(order=order, shipment=shipment, rts_fee=rts_fee)
    with transaction.atomic():
        ret = Return.objects.create(order=order, shipment=shipment, reason=(reason or "").strip()[:255],
                                    rts_fee=fee)
        ReturnEvent.objects.create(ret=ret, actor=acting_user, source=source, from_status="",
                                   to_status=R.RETURNING, note=ret.reason)
        if shipment is not None and S.RETURNING in SHIPMENT_TRANSITIONS.get(shipment.status, set()):
            shipment_transition(shipment=shipment, to_status=S.RETURNING, acting_user=acting_user,
                                source=source, note=ret.reason)
    return ret


def return_receive(
    *, ret: Return, acting_user=None, source: str = EventSource.STAFF, note: str = "",
) -> Return:
    """The returned parcel arrived at the seller or warehouse; its shipment is "returned"."""
    with transaction.atomic():
        ret = transition(
            instance=ret, to_status=R.RECEIVED, allowed=RETURN_TRANSITIONS, event_model=ReturnEvent,
            event_field="ret", actor=acting_user, source=source, note=note,
            updates={"received_at": timezone.now()},
        )
        if ret.shipment_id:
            shipment = Shipment.objects.get(pk=ret.shipment_id)
            if S.RETURNED in SHIPMENT_TRANSITIONS.get(shipment.status, set()):
                shipment_transition(shipment=shipment, to_status=S.RETURNED, acting_user=acting_user,
                                    source=source)
    return ret


def return_inspect(
    *, ret: Return, outcome: str, acting_user=None, source: str = EventSource.STAFF, note: str = "",
) -> Return:
    """Record what came back: sellable, damaged, or lost (the parcel never arrived)."""
    outcomes = {Return.Outcome.SELLABLE, Return.Outcome.DAMAGED, Return.Outcome.LOST}
    if outcome not in outcomes:
        raise ReturnRefused(_("Unknown inspection outcome “%(outcome)s”.") % {"outcome": outcome})
    if outcome != Return.Outcome.LOST and ret.status == R.RETURNING:
        raise ReturnRefused(
            _("Return of %(order)s has not been received yet; only “lost” can be recorded before it arrives.")
            % {"order": ret.order}
        )
    return transition(
        instance=ret, to_status=R.INSPECTED, allowed=RETURN_TRANSITIONS, event_model=ReturnEvent,
        event_field="ret", actor=acting_user, source=source, note=note or Return.Outcome(outcome).label,
        updates={"outcome": outcome, "inspected_at": timezone.now(), "inspected_by": acting_user},
    )


# --- tickets ---------------------------------------------------------------------------------------


def ticket_transition(
    *, ticket: Ticket, to_status: str, acting_user=None, source: str = EventSource.STAFF, note: str = "",
) -> Ticket:
    return transition(
        instance=ticket, to_status=to_status, allowed=TICKET_TRANSITIONS, event_model=TicketEvent,
        event_field="ticket", actor=acting_user, source=source, note=note,
    )


def ticket_assign(*, ticket: Ticket, assignee, acting_user=None, source: str = EventSource.STAFF) -> Ticket:
    """Give the ticket to a staff member (or nobody). Writes an event row that keeps the status."""
    if assignee is not None and not (assignee.is_active and assignee.is_staff):
        raise TicketAssignRefused(
            _("%(user)s is not an active staff member and cannot be assigned tickets.") % {"user": assignee}
        )
    if ticket.status not in TICKET_ACTIVE_STATUSES:
        raise TicketAssignRefused(
            _("Ticket %(number)s is “%(status)s”; only open tickets can be assigned.")
            % {"number": ticket.number, "status": ticket.get_status_display()}
        )
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        locked.assignee = assignee
        locked.save(update_fields=["assignee", "updated_at"])
        TicketEvent.objects.create(
            ticket=locked, actor=acting_user, source=source, from_status=locked.status,
            to_status=locked.status,
            note=(_("assigned to %(user)s") % {"user": assignee}) if assignee else _("unassigned"),
        )
    ticket.assignee = assignee
    return ticket


def ticket_attachment_validate(attachment) -> None:
    """Refuse an attachment that is too large or not a JPG, PNG or PDF (checked by name and content)."""
    limit = settings.TICKET_ATTACHMENT_MAX_BYTES
    if attachment.size > limit:
        raise TicketReplyRefused(
            _("The attachment is %(size).1f MB; the limit is %(limit).1f MB.")
            % {"size": attachment.size / 1024 / 1024, "limit": limit / 1024 / 1024}
        )
    name = attachment.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = TICKET_ATTACHMENT_TYPES.get(extension)
    head = b""
    if allowed is not None:
        position = attachment.tell() if hasattr(attachment, "tell") else 0
        attachment.seek(0)
        head = attachment.read(16)
        attachment.seek(position)
    if allowed is None or not any(head.startswith(magic) for magic in allowed[1]):
        raise TicketReplyRefused(
            _("%(name)s is not a JPG, PNG or PDF file; only those can be attached.") % {"name": name}
        )


def ticket_reply(
    *, ticket: Ticket, body: str, attachment=None, acting_user=None, source: str = EventSource.STAFF,
    author_name: str = "",
) -> TicketMessage:
    """Add a message to a ticket's thread. A staff reply marks the ticket read; a seller's marks it unread."""
    body = (body or "").strip()
    if not body:
        raise TicketReplyRefused(_("The message is empty."))
    if ticket.status in (T.CLOSED, T.CANCELED):
        raise TicketReplyRefused(
            _("Ticket %(number)s is “%(status)s”; it cannot receive messages.")
            % {"number": ticket.number, "status": ticket.get_status_display()}
        )
    if attachment:
        ticket_attachment_validate(attachment)
    is_staff = bool(acting_user is not None and acting_user.is_staff)
    now = timezone.now()
    with transaction.atomic():
        message = TicketMessage(
            ticket=ticket, author=acting_user, is_from_staff=is_staff, body=body,
            author_name=author_name or (acting_user.get_full_name() or acting_user.get_username()
                                        if acting_user is not None else ""),
        )
        if attachment:
            message.attachment = attachment
        message.save()
        Ticket.objects.filter(pk=ticket.pk).update(last_message_at=now, unread_by_staff=not is_staff,
                                                   updated_at=now)
    ticket.last_message_at, ticket.unread_by_staff = now, not is_staff
    return message


def ticket_mark_read(*, ticket: Ticket, acting_user=None) -> Ticket:
    Ticket.objects.filter(pk=ticket.pk).update(unread_by_staff=False)
    ticket.unread_by_staff = False
    return ticket


# --- claims ----------------------------------------------------------------------------------------


def claim_transition(
    *, claim: Claim, to_status: str, acting_user=None, source: str = EventSource.STAFF, note: str = "",
) -> Claim:
    updates = {"decided_at": timezone.now()} if to_status in (C.ACCEPTED, C.REJECTED) else {}
    return transition(
        instance=claim, to_status=to_status, allowed=CLAIM_TRANSITIONS, event_model=ClaimEvent,
        event_field="claim", actor=acting_user, source=source, note=note, updates=updates,
    )


# ------------------------------------------------------------------------------------------ bulk AWB import


@transaction.atomic
def shipment_create_for_order(*, order, courier, service: str = "", acting_user=None,
                              source: str = EventSource.STAFF) -> Shipment:
    """A pending shipment of `order` with `courier` (for an AWB that arrives before any shipment exists,
    e.g. from an AWB import). Carries the order's weight and, for COD, its amount."""
    if order.status in ("canceled", "returned", "completed"):
        raise ShipmentAwbRefused(_("Order %(order)s is %(status)s; it gets no shipment.")
                                 % {"order": order, "status": order.get_status_display()})
    weight = sum(order.items.values_list("weight_grams", flat=True))
    shipment = Shipment.objects.create(
        order=order, courier=courier, service=(service or order.courier_service or "")[:40],
        weight_grams=weight, cod_amount=order.grand_total if order.is_cod else 0,
        shipping_fee=order.shipping_cost,
    )
    ShipmentEvent.objects.create(shipment=shipment, actor=acting_user, source=source, from_status="",
                                 to_status=shipment.status, note=_("Shipment created."))
    return shipment
