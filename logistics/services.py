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
    ClaimEvidence,
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
    with transaction.atomic():
        moved = transition(
            instance=shipment, to_status=to_status, allowed=SHIPMENT_TRANSITIONS, event_model=ShipmentEvent,
            event_field="shipment", actor=acting_user, source=source, note=note, updates=updates,
        )
        _finance_post_shipment(moved, to_status, acting_user)
    return moved


def _finance_post_shipment(shipment: Shipment, to_status: str, acting_user) -> None:
    """The ledger posting of this status (COD credit, shipping fee, fee refund): finance/postings.py."""
    from finance.postings import shipment_status_post

    shipment_status_post(shipment=shipment, to_status=to_status, acting_user=acting_user)


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
    places = {o.warehouse_id for o in orders}
    if len(places) > 1:
        raise PickupRefused(
            _("The orders ship from different pickup addresses (warehouses); request one pickup per address."),
            extra={"field": "orders"},
        )
    if warehouse is not None and places != {None} and places != {warehouse.pk}:
        raise PickupRefused(
            _("The orders ship from another warehouse than %(warehouse)s.") % {"warehouse": warehouse},
            extra={"field": "warehouse"},
        )
    if len({o.account_id for o in orders}) > 1:
        raise PickupRefused(
            _("The orders live on different platform accounts; one pickup goes to one platform."),
            extra={"field": "orders"},
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
        courier_cutoffs = [c for c in Shipment.objects.filter(order_id__in=[o.pk for o in orders])
                           .exclude(courier__pickup_cutoff=None).values_list("courier__pickup_cutoff", flat=True)]
        cutoff = min([cutoff, *courier_cutoffs])
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
    source: str = EventSource.STAFF, push: bool = True,
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
        from logistics.sync import pickup_account, pickup_push_after_commit

        pickup = PickupRequest.objects.create(
            seller=seller, courier=courier, pickup_date=pickup_date, time_from=time_from, time_to=time_to,
            vehicle=vehicle, contact_name=contact_name.strip(), contact_phone=phone, warehouse=warehouse,
            address=(address or "").strip(), account=pickup_account(orders=orders),
        )
        pickup.orders.set(orders)
        PickupEvent.objects.create(pickup=pickup, actor=acting_user, source=source, from_status="",
                                   to_status=P.REQUESTED)
        for shipment in Shipment.objects.filter(order__in=orders, status=S.AWB_CREATED).exclude(awb=""):
            shipment_transition(shipment=shipment, to_status=S.PICKUP_REQUESTED, acting_user=acting_user,
                                source=source, note=_("pickup request #%(id)s") % {"id": pickup.pk})
        if push and pickup.account_id:
            pickup_push_after_commit(pickup, acting_user=acting_user)  # the platform hears of it once it is ours
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
        from finance.postings import rts_charge_post

        rts_charge_post(ret=ret, acting_user=acting_user)  # the return charged: once (return:<id>:rts_charge)
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
    warehouse=None,
) -> Return:
    """Record what came back: sellable, damaged, or lost (the parcel never arrived). Sellable items go
    back on hand in `warehouse` (default: the order's) with a "return restocked" movement; the RTS charge
    is posted to the seller's ledger once. All of it or nothing."""
    outcomes = {Return.Outcome.SELLABLE, Return.Outcome.DAMAGED, Return.Outcome.LOST}
    if outcome not in outcomes:
        raise ReturnRefused(_("Unknown inspection outcome “%(outcome)s”.") % {"outcome": outcome})
    if outcome != Return.Outcome.LOST and ret.status == R.RETURNING:
        raise ReturnRefused(
            _("Return of %(order)s has not been received yet; only “lost” can be recorded before it arrives.")
            % {"order": ret.order}
        )
    order = ret.order
    warehouse = warehouse or order.warehouse
    items = list(order.items.select_related("variant")) if outcome == Return.Outcome.SELLABLE else []
    if items and warehouse is None:
        raise ReturnRefused(
            _("Order %(order)s has no warehouse: choose where the sellable items go back.") % {"order": order},
            extra={"field": "warehouse"},
        )
    with transaction.atomic():
        ret = transition(
            instance=ret, to_status=R.INSPECTED, allowed=RETURN_TRANSITIONS, event_model=ReturnEvent,
            event_field="ret", actor=acting_user, source=source, note=note or Return.Outcome(outcome).label,
            updates={"outcome": outcome, "inspected_at": timezone.now(), "inspected_by": acting_user},
        )
        return_restock(ret=ret, items=items, warehouse=warehouse, acting_user=acting_user)
        return_post_rts_charge(ret=ret, acting_user=acting_user)
    return ret


def return_restock(*, ret: Return, items, warehouse, acting_user=None) -> int:
    """Put a sellable return's items back on hand; items without a catalogue variant are skipped.
    Returns the number of units restocked."""
    from catalog.models import StockMovement
    from catalog.services import stock_adjust

    units = 0
    for item in items:
        if item.variant_id is None or item.quantity <= 0:
            continue
        stock_adjust(variant=item.variant, warehouse=warehouse, on_hand_delta=item.quantity,
                     reason=StockMovement.Reason.RETURN_RESTOCK, reference=f"return:{ret.pk}",
                     note=_("return of %(order)s") % {"order": ret.order.order_no}, acting_user=acting_user)
        units += item.quantity
    return units


def return_post_rts_charge(*, ret: Return, acting_user=None):
    """Charge the seller the RTS fee, once (posting key per return). None when there is no fee."""
    from finance.services import ledger_post

    if not ret.rts_fee or ret.rts_fee <= 0:
        return None
    return ledger_post(
        seller=ret.order.seller, entry_type="rts_charge", amount=-ret.rts_fee,
        posting_key=f"return:{ret.pk}:rts_charge", reference=ret.order.order_no,
        memo=_("RTS charge, return of %(order)s") % {"order": ret.order.order_no}, acting_user=acting_user,
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
        if ticket.account_id and source != EventSource.SYNC:
            ticket_push_soon(what="message", pk=message.pk)
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
    with transaction.atomic():
        moved = transition(
            instance=claim, to_status=to_status, allowed=CLAIM_TRANSITIONS, event_model=ClaimEvent,
            event_field="claim", actor=acting_user, source=source, note=note, updates=updates,
        )
        if to_status == C.ACCEPTED:
            from finance.postings import claim_payout_post

            claim_payout_post(claim=moved, acting_user=acting_user)  # once: claim:<id>:payout
    return moved


# --- tickets and claims with the platform (Komship) ----------------------------------------------------
# New tickets, replies, cancellations, priority changes and claims are written here first and pushed to
# the seller's Komship account after the transaction commits (logistics.tasks.ticket_push_task, on the
# platform's queue); logistics.ticket_sync does the pushing and the pulling.

SLA_FACTORS = {Ticket.Priority.URGENT: 0.25, Ticket.Priority.HIGH: 0.5, Ticket.Priority.NORMAL: 1,
               Ticket.Priority.LOW: 3}
CLAIM_TICKET_TYPES = {Claim.Kind.RETURN: Ticket.Type.RETURN, Claim.Kind.LOST: Ticket.Type.LOST,
                      Claim.Kind.DAMAGED: Ticket.Type.DAMAGED}
RETURN_ORDER_STATUSES = ("returning", "returned")


class TicketRefused(ApplicationError):
    code = "ticket_refused"


class ClaimRefused(ApplicationError):
    code = "claim_refused"


def ticket_sla_due(*, priority: str, opened_at: dt.datetime) -> dt.datetime:
    hours = settings.TICKET_SLA_HOURS * SLA_FACTORS.get(priority, 1)
    return opened_at + dt.timedelta(hours=hours)


def ticket_number_new() -> str:
    """TCK + date (WIB) + 6 random hex digits: unique enough to retry on the rare clash."""
    import secrets

    for _attempt in range(5):
        number = f"TCK{timezone.localdate():%y%m%d}{secrets.token_hex(3).upper()}"
        if not Ticket.objects.filter(number=number).exists():
            return number
    raise TicketRefused(_("Could not pick a free ticket number; try again."))


def komship_account_for(*, seller):
    """The seller's enabled Komship account (the oldest, when there are several), or None."""
    from integrations.models import PlatformAccount

    if seller is None:
        return None
    return (PlatformAccount.objects.filter(platform="komship", seller=seller, is_enabled=True)
            .order_by("id").first())


def ticket_push_soon(*, what: str, pk: int) -> None:
    """Queue one push (`ticket`, `message`, `status`, `priority`, `claim`) for after the commit. robust: a
    broker outage leaves the record unpushed (push_error says so in the admin, "Push again" retries)."""

    def queue():
        from logistics.tasks import ticket_push_task

        ticket_push_task.apply_async(args=[what, pk], queue="komship")

    transaction.on_commit(queue, robust=True)


def _shipment_awb(order) -> str:
    if order is None:
        return ""
    shipment = (Shipment.objects.filter(order=order).exclude(awb="").exclude(status=S.CANCELED)
                .order_by("-id").first())
    return shipment.awb if shipment else ""


def ticket_create(
    *, seller, subject: str, message: str, attachment=None, order=None, category: str = "",
    priority: str | None = None, acting_user=None, source: str = EventSource.STAFF, push: bool = True,
) -> Ticket:
    """Open a ticket with its first message. `category` is a Ticket.Type ("" = other). A ticket about a parcel
    (an order with an AWB) of a seller with a Komship account is pushed there after the commit (unless `push`
    is False: the caller pushes it itself); any other ticket stays here."""
    subject, message = (subject or "").strip(), (message or "").strip()
    if not subject:
        raise TicketRefused(_("Give the ticket a subject."), extra={"field": "subject"})
    if not message:
        raise TicketRefused(_("The message is empty."), extra={"field": "message"})
    category = category or Ticket.Type.OTHER
    if category not in Ticket.Type.values:
        raise TicketRefused(_("Unknown ticket category “%(category)s”.") % {"category": category},
                            extra={"field": "category"})
    priority = priority or Ticket.Priority.NORMAL
    if priority not in Ticket.Priority.values:
        raise TicketRefused(_("Unknown priority “%(priority)s”.") % {"priority": priority},
                            extra={"field": "priority"})
    if order is not None and order.seller_id != seller.pk:
        raise TicketRefused(_("Order %(order)s belongs to another seller.") % {"order": order.order_no},
                            extra={"field": "order"})
    if attachment:
        try:
            ticket_attachment_validate(attachment)
        except TicketReplyRefused as exc:
            raise TicketRefused(exc.message, extra={"field": "attachment"}) from None
    awb = _shipment_awb(order)
    account = komship_account_for(seller=seller) if awb else None  # Komship tickets are about a parcel
    now = timezone.now()
    is_staff = bool(acting_user is not None and acting_user.is_staff)
    with transaction.atomic():
        ticket = Ticket.objects.create(
            number=ticket_number_new(), seller=seller, order=order, awb=awb, type=category, subject=subject[:255],
            priority=priority, sla_due_at=ticket_sla_due(priority=priority, opened_at=now), account=account,
            last_message_at=now, unread_by_staff=not is_staff,
        )
        TicketEvent.objects.create(ticket=ticket, actor=acting_user, source=source, from_status="",
                                   to_status=T.OPEN)
        first = TicketMessage(ticket=ticket, author=acting_user, is_from_staff=is_staff, body=message,
                              author_name=(acting_user.get_full_name() or acting_user.get_username())
                              if acting_user is not None else seller.name)
        if attachment:
            first.attachment = attachment
        first.save()
        if account is not None and push:
            ticket_push_soon(what="ticket", pk=ticket.pk)
    return ticket


def ticket_set_priority(*, ticket: Ticket, priority: str, acting_user=None,
                        source: str = EventSource.STAFF) -> Ticket:
    """Change the priority (and the SLA due time with it); an event row keeps the status and says why."""
    if priority not in Ticket.Priority.values:
        raise TicketRefused(_("Unknown priority “%(priority)s”.") % {"priority": priority})
    if ticket.status not in TICKET_ACTIVE_STATUSES:
        raise TicketRefused(
            _("Ticket %(number)s is “%(status)s”; only open tickets change priority.")
            % {"number": ticket.number, "status": ticket.get_status_display()}
        )
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if locked.priority == priority:
            return locked
        old = locked.get_priority_display()
        locked.priority = priority
        locked.sla_due_at = ticket_sla_due(priority=priority, opened_at=locked.created_at)
        locked.save(update_fields=["priority", "sla_due_at", "updated_at"])
        TicketEvent.objects.create(
            ticket=locked, actor=acting_user, source=source, from_status=locked.status, to_status=locked.status,
            note=_("priority %(old)s → %(new)s") % {"old": old, "new": locked.get_priority_display()},
        )
        if locked.external_id and locked.account_id and source != EventSource.SYNC:
            ticket_push_soon(what="priority", pk=locked.pk)
    ticket.priority, ticket.sla_due_at = locked.priority, locked.sla_due_at
    return locked


def ticket_change_status(*, ticket: Ticket, to_status: str, acting_user=None, source: str = EventSource.STAFF,
                         note: str = "") -> Ticket:
    """ticket_transition, then the change goes to the platform: Komship lets a partner only cancel (a mitra
    account sends every status with a message)."""
    with transaction.atomic():
        result = ticket_transition(ticket=ticket, to_status=to_status, acting_user=acting_user, source=source,
                                   note=note)
        if result.external_id and result.account_id and source != EventSource.SYNC:
            role = str((result.account.options or {}).get("ticket_role") or "partner")
            if to_status == T.CANCELED or role == "mitra":
                ticket_push_soon(what="status", pk=result.pk)
    return result


def claim_validate(*, seller, order, kind: str, amount, shipment: Shipment | None = None,
                   ticket: Ticket | None = None) -> Decimal:
    """Check a claim before it is recorded; returns the amount. A return claim ("claim retur") is for a COD
    order that came back: Komship offers it for nothing else."""
    if kind not in Claim.Kind.values:
        raise ClaimRefused(_("Unknown claim kind “%(kind)s”.") % {"kind": kind}, extra={"field": "kind"})
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, TypeError, ValueError):
        raise ClaimRefused(_("The claim amount %(amount)s is not an amount.") % {"amount": amount},
                           extra={"field": "amount"}) from None
    if not value.is_finite() or value <= 0:
        raise ClaimRefused(_("The claim amount must be more than zero."), extra={"field": "amount"})
    if order.seller_id != seller.pk:
        raise ClaimRefused(_("Order %(order)s belongs to another seller.") % {"order": order.order_no},
                           extra={"field": "order"})
    if shipment is not None and shipment.order_id != order.pk:
        raise ClaimRefused(_("Shipment %(shipment)s belongs to another order.") % {"shipment": shipment},
                           extra={"field": "shipment"})
    if ticket is not None and ticket.seller_id != seller.pk:
        raise ClaimRefused(_("Ticket %(number)s belongs to another seller.") % {"number": ticket.number},
                           extra={"field": "ticket"})
    if kind == Claim.Kind.RETURN:
        if order.payment_method != "cod":
            raise ClaimRefused(
                _("Order %(order)s is not a COD order; a return claim is only for COD orders.")
                % {"order": order.order_no}, extra={"field": "order"},
            )
        is_return = order.status in RETURN_ORDER_STATUSES or Return.objects.filter(order=order).exists()
        if not is_return:
            raise ClaimRefused(
                _("Order %(order)s is not a return (it is “%(status)s”); a return claim needs a returned order.")
                % {"order": order.order_no, "status": order.get_status_display()}, extra={"field": "order"},
            )
    if Claim.objects.filter(order=order, kind=kind).exclude(status=C.REJECTED).exists():
        raise ClaimRefused(
            _("Order %(order)s already has a %(kind)s claim that was not rejected.")
            % {"order": order.order_no, "kind": Claim.Kind(kind).label}, extra={"field": "order"},
        )
    return value


def claim_create(
    *, seller, order, kind: str, amount, description: str = "", evidence=None, shipment: Shipment | None = None,
    ticket: Ticket | None = None, acting_user=None, source: str = EventSource.STAFF,
) -> Claim:
    """Record a claim "on review". `evidence` is a file or a list of files (JPG, PNG or PDF within the ticket
    attachment limit). With a Komship account the claim rides on a ticket (a new one unless given) and is
    pushed after the commit: a return claim as Komship's claim retur, lost / damaged as a ticket."""
    value = claim_validate(seller=seller, order=order, kind=kind, amount=amount, shipment=shipment, ticket=ticket)
    files = [f for f in (evidence if isinstance(evidence, list | tuple) else [evidence]) if f]
    for item in files:
        try:
            ticket_attachment_validate(item)
        except TicketReplyRefused as exc:
            raise ClaimRefused(exc.message, extra={"field": "evidence"}) from None
    if shipment is None:
        shipment = Shipment.objects.filter(order=order).exclude(awb="").order_by("-id").first()
    account = komship_account_for(seller=seller)
    description = (description or "").strip()
    try:
        with transaction.atomic():
            if ticket is None and account is not None:
                ticket = ticket_create(
                    seller=seller, order=order, category=CLAIM_TICKET_TYPES[kind],
                    subject=_("%(kind)s for %(order)s") % {"kind": Claim.Kind(kind).label, "order": order.order_no},
                    message=description or Claim.Kind(kind).label, attachment=files[0] if files else None,
                    acting_user=acting_user, source=source, push=kind != Claim.Kind.RETURN,
                )  # a return claim's push creates its ticket first
            claim = Claim(seller=seller, order=order, shipment=shipment, ticket=ticket, kind=kind, amount=value,
                          description=description,
                          account=ticket.account if ticket is not None and kind == Claim.Kind.RETURN else None)
            if files:
                claim.evidence = files[0]
            claim.save()
            for item in files[1:]:
                ClaimEvidence.objects.create(claim=claim, file=item)
            ClaimEvent.objects.create(claim=claim, actor=acting_user, source=source, from_status="",
                                      to_status=C.ON_REVIEW, note=description[:500])
            if ticket is not None and ticket.account_id and kind == Claim.Kind.RETURN:
                ticket_push_soon(what="claim", pk=claim.pk)
    except IntegrityError:
        raise ClaimRefused(
            _("Order %(order)s already has a %(kind)s claim that was not rejected.")
            % {"order": order.order_no, "kind": Claim.Kind(kind).label}, extra={"field": "order"},
        ) from None
    return claim


def claim_accept(*, claim: Claim, acting_user=None, source: str = EventSource.STAFF, note: str = "") -> Claim:
    """Accept the claim and credit the seller: claim_transition posts one ledger entry under the posting key
    claim:<id>:payout, so a second accept (a retry, the next pull) cannot credit twice."""
    return claim_transition(claim=claim, to_status=C.ACCEPTED, acting_user=acting_user, source=source, note=note)


def claim_reject(*, claim: Claim, acting_user=None, source: str = EventSource.STAFF, note: str = "") -> Claim:
    return claim_transition(claim=claim, to_status=C.REJECTED, acting_user=acting_user, source=source, note=note)


def ticket_push_again(*, ticket: Ticket) -> Ticket:
    """Staff asked to send a ticket (and its unsent replies) to the platform again, after a failure."""
    if not ticket.account_id:
        raise TicketRefused(
            _("Ticket %(number)s has no platform account; there is nothing to send.") % {"number": ticket.number}
        )
    Ticket.objects.filter(pk=ticket.pk).update(push_error="")
    ticket_push_soon(what="ticket", pk=ticket.pk)
    ticket_push_soon(what="priority", pk=ticket.pk)  # absolute on Komship: repeating it is harmless
    if ticket.status == T.CANCELED:
        ticket_push_soon(what="status", pk=ticket.pk)
    return ticket


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
