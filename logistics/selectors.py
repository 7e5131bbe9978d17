"""Reads for logistics: what staff lists, the dashboard and the sync engine ask for."""

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from common.scoping import scope_to_user_sellers
from logistics.models import PickupRequest, Shipment, Ticket, TrackingEvent
from logistics.services import PICKUP_ACTIVE_STATUSES, TICKET_ACTIVE_STATUSES


def shipment_list(*, user, status: str | None = None) -> QuerySet[Shipment]:
    shipments = scope_to_user_sellers(
        Shipment.objects.select_related("order", "courier"), user=user, seller_path="order__seller",
    )
    if status:
        shipments = shipments.filter(status=status)
    return shipments.order_by("-id")


def shipment_get_by_awb(*, awb: str, courier=None) -> Shipment | None:
    shipments = Shipment.objects.select_related("order", "courier").filter(awb=awb.strip())
    if courier is not None:
        shipments = shipments.filter(courier=courier)
    return shipments.first()


def tracking_event_list(*, shipment: Shipment) -> QuerySet[TrackingEvent]:
    return TrackingEvent.objects.filter(shipment=shipment).order_by("-occurred_at", "-id")


def pickup_list_due(*, user, on: dt.date | None = None) -> QuerySet[PickupRequest]:
    """Active pickups due on a day (today by default): the warehouse's list for the day."""
    on = on or timezone.localdate()
    pickups = PickupRequest.objects.select_related("seller", "warehouse", "courier").filter(
        pickup_date=on, status__in=PICKUP_ACTIVE_STATUSES,
    )
    return scope_to_user_sellers(pickups, user=user, seller_path="seller").order_by("time_from", "id")


def ticket_filter_sla(
    tickets: QuerySet[Ticket], *, kind: str, now: dt.datetime | None = None,
) -> QuerySet[Ticket]:
    """Narrow to active tickets whose SLA is `overdue` (due before now) or `today` (due between now and
    the end of today, local time)."""
    now = now or timezone.now()
    tickets = tickets.filter(status__in=TICKET_ACTIVE_STATUSES)
    if kind == "overdue":
        return tickets.filter(sla_due_at__lt=now)
    if kind == "today":
        local = timezone.localtime(now)
        end_of_day = local.replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
        return tickets.filter(sla_due_at__gte=now, sla_due_at__lt=end_of_day)
    raise ValueError(f"unknown SLA kind {kind!r}")


def ticket_list_sla(*, user, kind: str, now: dt.datetime | None = None) -> QuerySet[Ticket]:
    tickets = ticket_filter_sla(Ticket.objects.select_related("seller", "assignee"), kind=kind, now=now)
    return scope_to_user_sellers(tickets, user=user, seller_path="seller").order_by("sla_due_at")


# --- pickup monitoring ---------------------------------------------------------------------------------


def pickup_list_late(*, user, now: dt.datetime | None = None) -> QuerySet[PickupRequest]:
    """Active pickups whose window has passed: an earlier day, or today after its end time."""
    from django.db.models import Q

    local = timezone.localtime(now or timezone.now())
    pickups = PickupRequest.objects.select_related("seller", "warehouse", "courier").filter(
        status__in=PICKUP_ACTIVE_STATUSES,
    ).filter(Q(pickup_date__lt=local.date()) | Q(pickup_date=local.date(), time_to__lt=local.time()))
    return scope_to_user_sellers(pickups, user=user, seller_path="seller").order_by("pickup_date", "time_from")


def pickup_list_failed(*, user, days: int = 7, now: dt.datetime | None = None) -> QuerySet[PickupRequest]:
    since = timezone.localdate(now or timezone.now()) - dt.timedelta(days=days)
    pickups = PickupRequest.objects.select_related("seller", "warehouse", "courier").filter(
        status=PickupRequest.Status.FAILED, pickup_date__gte=since,
    )
    return scope_to_user_sellers(pickups, user=user, seller_path="seller").order_by("-pickup_date", "-id")


def shipments_waiting_for_pickup(*, user) -> QuerySet[Shipment]:
    """Shipments with an AWB that no active pickup takes yet."""
    from django.db.models import Exists, OuterRef

    busy = PickupRequest.orders.through.objects.filter(
        order_id=OuterRef("order_id"), pickuprequest__status__in=PICKUP_ACTIVE_STATUSES)
    shipments = (Shipment.objects.select_related("order__seller", "courier")
                 .filter(status=Shipment.Status.AWB_CREATED).exclude(awb="").filter(~Exists(busy)))
    return scope_to_user_sellers(shipments, user=user, seller_path="order__seller").order_by("created_at", "id")


def shipping_dashboard(*, user, now: dt.datetime | None = None) -> dict:
    """The dashboard's shipping card: shipments stuck, orders waiting for a pickup, late pickups."""
    from logistics.sync import shipments_stuck

    stuck = scope_to_user_sellers(shipments_stuck(now=now), user=user, seller_path="order__seller")
    return {"stuck": stuck.count(), "waiting": shipments_waiting_for_pickup(user=user).count(),
            "late": pickup_list_late(user=user, now=now).count()}
