"""Logistics between our models and the platform adapters: tracking pulls, AWBs, pickups.

- Tracking: every shipment of the account that has an AWB and is not final is asked for its timeline;
  each checkpoint is recorded once (tracking_event_record deduplicates), the shipment walks forward through
  SHIPMENT_TRANSITIONS to what the platform reports, and its order follows through the order state machine.
  A shipment reported "returning" gets a Return (recorded from tracking) when it has none open.
- AWBs: Komship issues them (read from the order), Scalev generates them (generate-awb), Ngorder and
  Komship take the AWB staff typed (add AWB / update airway bill).
- Pickups: a new pickup request is pushed to Komship (store pickup, one order per request) or Ngorder
  (pickup-request) after it commits; Ngorder pickups are canceled with the reason its couriers require;
  Komship's pickup history moves our pickup requests to what the platform reports.

Integration errors on one shipment are counted as failed and the pull goes on; a pull is idempotent."""

import datetime as dt
from collections import deque
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from common.exceptions import ApplicationError
from common.models import EventSource
from integrations.base import PickupPayload
from integrations.exceptions import IntegrationError
from integrations.models import PlatformAccount, SyncRun
from logistics.models import PickupRequest, Return, Shipment, ShipmentStatus

S = ShipmentStatus
P = PickupRequest.Status
TRACKING_PLATFORMS = ("komship", "ngorder", "scalev")
PICKUP_PLATFORMS = ("komship", "ngorder")
PICKUP_CANCEL_PLATFORMS = ("ngorder",)
FINAL_SHIPMENT_STATUSES = (S.DELIVERED, S.RETURNED, S.LOST, S.CANCELED)
TRACK_BATCH = 100
# What an order does when its shipment reaches a state (orders.models.OrderStatus values).
ORDER_FOLLOWS = {
    S.PICKED_UP: "shipped",
    S.IN_TRANSIT: "shipped",
    S.PROBLEM: "shipped",
    S.DELIVERED: "delivered",
    S.RETURNING: "returning",
    S.RETURNED: "returned",
}


class PickupCancelRefused(ApplicationError):
    code = "pickup_cancel_refused"


class AwbRefused(ApplicationError):
    code = "awb_refused"


@dataclass
class LogisticsCounts:
    fetched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    flagged: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"fetched": self.fetched, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "failed": self.failed}


# --- state machines ----------------------------------------------------------------------------------


def shipment_path(current: str, target: str) -> list[str]:
    """The shortest walk through SHIPMENT_TRANSITIONS from `current` to `target` (excluding current);
    [] when already there or when the machine has no way (a final state, or backwards)."""
    from logistics.services import SHIPMENT_TRANSITIONS

    if current == target:
        return []
    queue, seen = deque([(current, [])]), {current}
    while queue:
        state, walked = queue.popleft()
        for nxt in sorted(SHIPMENT_TRANSITIONS.get(state, ())):
            if nxt in seen or nxt == S.CANCELED:
                continue
            if nxt == target:
                return [*walked, nxt]
            seen.add(nxt)
            queue.append((nxt, [*walked, nxt]))
    return []


def shipment_advance(*, shipment: Shipment, target: str, platform_status: str = "", acting_user=None,
                     source: str = EventSource.SYNC, note: str = "") -> bool:
    """Walk the shipment forward to `target` (every step an event row), then let its order and its return
    follow. Returns True when the shipment moved."""
    from logistics.services import shipment_transition

    steps = shipment_path(shipment.status, target) if target else []
    with transaction.atomic():
        if platform_status and platform_status[:64] != shipment.platform_status:
            Shipment.objects.filter(pk=shipment.pk).update(platform_status=platform_status[:64])
            shipment.platform_status = platform_status[:64]
        for step in steps:
            shipment = shipment_transition(shipment=shipment, to_status=step, acting_user=acting_user,
                                           source=source, note=note)
        if steps:
            order_follow_shipment(shipment=shipment, acting_user=acting_user, source=source)
            return_follow_shipment(shipment=shipment, acting_user=acting_user, source=source)
    return bool(steps)


def order_follow_shipment(*, shipment: Shipment, acting_user=None, source: str = EventSource.SYNC) -> None:
    """Move the shipment's order where the parcel is, if the order state machine allows it (never back)."""
    from orders.models import Order
    from orders.services import order_follow

    target = ORDER_FOLLOWS.get(shipment.status)
    if target:
        order_follow(order=Order.objects.get(pk=shipment.order_id), to_status=target, acting_user=acting_user,
                     source=source, note=_("shipment %(awb)s") % {"awb": shipment.awb or shipment.pk})


def return_follow_shipment(*, shipment: Shipment, acting_user=None, source: str = EventSource.SYNC) -> None:
    """A parcel going back gets a Return (from tracking); one back at the seller is received."""
    from logistics.services import return_receive, return_record

    open_return = Return.objects.filter(order_id=shipment.order_id).exclude(status=Return.Status.INSPECTED).first()
    if shipment.status in (S.RETURNING, S.RETURNED) and open_return is None:
        open_return = return_record(order=shipment.order, shipment=shipment, reason=_("reported by tracking"),
                                    acting_user=acting_user, source=source)
    if shipment.status == S.RETURNED and open_return is not None and open_return.status == Return.Status.RETURNING:
        return_receive(ret=open_return, acting_user=acting_user, source=source, note=_("reported by tracking"))


# --- tracking ----------------------------------------------------------------------------------------


def shipments_of(account: PlatformAccount) -> QuerySet[Shipment]:
    return Shipment.objects.filter(Q(account=account) | Q(account__isnull=True, order__account=account))


def shipments_to_track(*, account: PlatformAccount) -> QuerySet[Shipment]:
    return (shipments_of(account).exclude(status__in=(*FINAL_SHIPMENT_STATUSES, S.PENDING)).exclude(awb="")
            .select_related("order", "courier").order_by("id"))


def shipment_track(*, shipment: Shipment, adapter, account: PlatformAccount | None = None,
                   counts: LogisticsCounts | None = None) -> LogisticsCounts:
    """Pull one shipment's timeline: record new checkpoints, then advance the shipment."""
    from logistics.services import tracking_event_record

    counts = counts if counts is not None else LogisticsCounts()
    timeline = adapter.track(awb=shipment.awb, courier_code=shipment.courier.code,
                             external_order_id=shipment.order.external_id)
    new = 0
    for checkpoint in timeline.checkpoints:
        result = tracking_event_record(
            shipment=shipment, occurred_at=checkpoint.occurred_at, description=checkpoint.description,
            status_code=checkpoint.status_code, location=checkpoint.location, source=EventSource.SYNC,
            account=account,
        )
        counts.fetched += 1
        new += result.created
    if new:
        counts.created += new
    target = timeline.shipment_status
    moved = shipment_advance(shipment=shipment, target=target, platform_status=timeline.platform_status)
    if moved:
        counts.updated += 1
    elif not new:
        counts.unchanged += 1
    return counts


def tracking_pull(*, account: PlatformAccount, adapter, on_page=None) -> LogisticsCounts:
    """Pull the timelines of every shipment of `account` that still travels, in batches."""
    total = LogisticsCounts()
    last_id = 0
    while True:
        batch = list(shipments_to_track(account=account).filter(id__gt=last_id)[:TRACK_BATCH])
        if not batch:
            return total
        page = LogisticsCounts()
        for shipment in batch:
            try:
                shipment_track(shipment=shipment, adapter=adapter, account=account, counts=page)
            except (IntegrationError, ApplicationError) as exc:
                page.failed += 1
                page.errors.append(f"{shipment.awb}: {exc}")
        last_id = batch[-1].pk
        for name, value in page.as_dict().items():
            setattr(total, name, getattr(total, name) + value)
        total.errors.extend(page.errors)
        if on_page is not None:
            on_page(page, str(last_id))


def shipments_stuck(*, days: int | None = None, now: dt.datetime | None = None) -> QuerySet[Shipment]:
    """Shipments on the way whose parcel has not moved for SHIPMENT_STUCK_DAYS (or `days`)."""
    days = settings.SHIPMENT_STUCK_DAYS if days is None else days
    before = (now or timezone.now()) - dt.timedelta(days=days)
    moving = (S.PICKED_UP, S.IN_TRANSIT, S.PROBLEM, S.RETURNING)
    return Shipment.objects.filter(status__in=moving).filter(
        Q(last_movement_at__lt=before) | Q(last_movement_at__isnull=True, shipped_at__lt=before)
        | Q(last_movement_at__isnull=True, shipped_at__isnull=True, created_at__lt=before)
    )


# --- AWBs --------------------------------------------------------------------------------------------


def _account_for(shipment: Shipment) -> PlatformAccount | None:
    return shipment.account or shipment.order.account


def shipment_awb_from_platform(*, shipment: Shipment, acting_user=None, adapter=None) -> Shipment:
    """Get the shipment's AWB from its platform: Komship's issued AWB, Scalev's generate-awb."""
    from integrations.registry import adapter_for
    from logistics.services import shipment_set_awb

    account = _account_for(shipment)
    if account is None or not shipment.order.external_id:
        raise AwbRefused(_("Order %(order)s is not on a platform; type the AWB instead.")
                         % {"order": shipment.order.order_no})
    if account.platform not in ("komship", "scalev"):
        raise AwbRefused(_("%(platform)s does not issue AWBs; type the AWB instead.")
                         % {"platform": account.get_platform_display()})
    adapter = adapter or adapter_for(account)
    try:
        if account.platform == "komship":
            awb = adapter.fetch_awb(shipment.order.external_id)
            error = "" if awb else _("Komship has not issued an AWB for this order yet.")
        else:
            result = adapter.generate_awb([shipment.order.external_id])[0]
            awb, error = result.awb, result.error
    except IntegrationError as exc:
        raise AwbRefused(str(exc), extra={"retryable": exc.retryable}) from exc
    if error:
        raise AwbRefused(_("%(platform)s refused the AWB of %(order)s: %(error)s")
                         % {"platform": account.get_platform_display(), "order": shipment.order.order_no,
                            "error": error})
    return shipment_set_awb(shipment=shipment, awb=awb, acting_user=acting_user,
                            source=EventSource.SYNC if acting_user is None else EventSource.STAFF)


def shipment_awb_push(*, shipment: Shipment, awb: str, acting_user=None, adapter=None) -> Shipment:
    """Set an AWB staff typed, on the platform first (Komship update airway bill, Ngorder add AWB, Scalev
    receipt upload), then here. Nothing changes here when the platform refuses."""
    from integrations.registry import adapter_for
    from logistics.services import shipment_awb_validate, shipment_set_awb

    awb = shipment_awb_validate(shipment=shipment, awb=awb)
    account = _account_for(shipment)
    if account is not None and shipment.order.external_id and account.platform in ("komship", "ngorder", "scalev"):
        adapter = adapter or adapter_for(account)
        try:
            if account.platform == "komship":
                adapter.update_awb(shipment.order.external_id, awb)
            elif account.platform == "ngorder":
                adapter.add_awb(shipment.order.external_id, awb)
            else:
                adapter.upload_receipts([(shipment.order.order_no, awb)])
        except IntegrationError as exc:
            raise AwbRefused(
                _("%(platform)s refused AWB %(awb)s: %(error)s")
                % {"platform": account.get_platform_display(), "awb": awb, "error": exc.message},
                extra={"retryable": exc.retryable},
            ) from exc
    return shipment_set_awb(shipment=shipment, awb=awb, acting_user=acting_user)


def shipment_awb_cancel(*, shipment: Shipment, acting_user=None, adapter=None) -> Shipment:
    """Scalev cancel-awb, then the shipment is canceled here (a new one can be made for the order)."""
    from integrations.registry import adapter_for
    from logistics.services import shipment_transition

    account = _account_for(shipment)
    if account is None or account.platform != "scalev" or not shipment.order.external_id:
        raise AwbRefused(_("Only Scalev documents canceling an AWB."))
    adapter = adapter or adapter_for(account)
    try:
        result = adapter.cancel_awb([shipment.order.external_id])[0]
    except IntegrationError as exc:
        raise AwbRefused(str(exc)) from exc
    if result.error:
        raise AwbRefused(_("Scalev refused to cancel the AWB: %(error)s") % {"error": result.error})
    return shipment_transition(shipment=shipment, to_status=S.CANCELED, acting_user=acting_user,
                               note=_("AWB %(awb)s canceled on Scalev") % {"awb": shipment.awb})


def shipments_sync(*, account: PlatformAccount, adapter, on_page=None) -> LogisticsCounts:
    """The `shipments` kind: pending shipments of Komship / Scalev orders get their platform AWB."""
    counts = LogisticsCounts()
    if account.platform not in ("komship", "scalev"):
        return counts
    pending = shipments_of(account).filter(status=S.PENDING, awb="").exclude(order__external_id="")
    for shipment in pending.select_related("order", "courier", "account").order_by("id"):
        counts.fetched += 1
        try:
            shipment_awb_from_platform(shipment=shipment, adapter=adapter)
            counts.updated += 1
        except AwbRefused as exc:
            if exc.extra.get("retryable"):
                counts.failed += 1
                counts.errors.append(f"{shipment.order.order_no}: {exc.message}")
            else:
                counts.unchanged += 1
    if on_page is not None:
        on_page(counts, "")
    return counts


# --- pickups -----------------------------------------------------------------------------------------


def pickup_account(*, orders) -> PlatformAccount | None:
    """The one platform account the orders live on (None when they are ours only)."""
    ids = {o.account_id for o in orders}
    if len(ids) != 1 or None in ids:
        return None
    return PlatformAccount.objects.filter(pk=ids.pop()).first()


@dataclass
class PickupPushOutcome:
    pickup: PickupRequest
    sent: bool
    message: str = ""


def pickup_push(*, pickup: PickupRequest, acting_user=None, adapter=None) -> PickupPushOutcome:
    """Send a requested pickup to its platform. Accepted: "scheduled" with the platform's id; orders the
    platform refused leave the pickup (their shipments wait for another one); nothing accepted: "failed".
    Recorded as a SyncRun of kind pickups."""
    from integrations.registry import adapter_for
    from integrations.services import sync_run_finish, sync_run_start
    from logistics.services import SHIPMENT_TRANSITIONS, pickup_transition, shipment_transition

    pickup = PickupRequest.objects.select_related("account", "seller").get(pk=pickup.pk)
    account = pickup.account
    if account is None or account.platform not in PICKUP_PLATFORMS or pickup.status != P.REQUESTED:
        return PickupPushOutcome(pickup=pickup, sent=False)
    orders = {o.external_id: o for o in pickup.orders.all() if o.external_id}
    payload = PickupPayload(
        external_order_ids=tuple(orders), pickup_date=pickup.pickup_date, time_from=pickup.time_from,
        vehicle=pickup.vehicle, contact_name=pickup.contact_name, contact_phone=pickup.contact_phone,
        address=pickup.address or (pickup.warehouse.address if pickup.warehouse_id else ""),
        address_id=str((account.options or {}).get("partner_address_id") or ""),
    )
    run = sync_run_start(account=account, kind=SyncRun.Kind.PICKUPS)
    try:
        result = (adapter or adapter_for(account)).create_pickup(payload)
    except IntegrationError as exc:
        sync_run_finish(run=run, error=str(exc))
        pickup_transition(pickup=pickup, to_status=P.FAILED, acting_user=acting_user, source=EventSource.SYNC,
                          note=exc.message)
        return PickupPushOutcome(pickup=pickup, sent=False, message=exc.message)
    run.fetched, run.created, run.failed = len(orders), len(result.accepted), len(result.refused)
    refusals = "; ".join(f"{orders[i].order_no if i in orders else i}: {msg}" for i, msg in result.refused)
    if not result.accepted:
        sync_run_finish(run=run, error=refusals[:1000] or "refused")
        pickup_transition(pickup=pickup, to_status=P.FAILED, acting_user=acting_user, source=EventSource.SYNC,
                          note=refusals or _("refused by the platform"))
        return PickupPushOutcome(pickup=pickup, sent=False, message=refusals)
    with transaction.atomic():
        refused_orders = [orders[i] for i, _msg in result.refused if i in orders]
        if refused_orders:
            pickup.orders.remove(*refused_orders)
            for shipment in Shipment.objects.filter(order__in=refused_orders, status=S.PICKUP_REQUESTED):
                if S.AWB_CREATED in SHIPMENT_TRANSITIONS[shipment.status]:
                    shipment_transition(shipment=shipment, to_status=S.AWB_CREATED, acting_user=acting_user,
                                        source=EventSource.SYNC, note=refusals[:255])
        PickupRequest.objects.filter(pk=pickup.pk).update(external_id=result.external_id)
        pickup.external_id = result.external_id
        pickup_transition(pickup=pickup, to_status=P.SCHEDULED, acting_user=acting_user, source=EventSource.SYNC,
                          note=refusals[:255])
    sync_run_finish(run=run)
    return PickupPushOutcome(pickup=pickup, sent=True, message=refusals)


def pickup_push_after_commit(pickup: PickupRequest, acting_user=None) -> None:
    transaction.on_commit(lambda: pickup_push(pickup=pickup, acting_user=acting_user))


def pickup_cancel(*, pickup: PickupRequest, reason: str = "", acting_user=None, adapter=None) -> PickupRequest:
    """Cancel a pickup: on Ngorder every order's pickup request is canceled (a reason is required when a
    courier is JNE); other platforms document no cancel, so the pickup is canceled here only."""
    from integrations.registry import adapter_for
    from logistics.services import PICKUP_ACTIVE_STATUSES, pickup_transition

    reason = (reason or "").strip()
    if pickup.status not in PICKUP_ACTIVE_STATUSES:
        raise PickupCancelRefused(_("Pickup request #%(id)s is “%(status)s”; it cannot be canceled.")
                                  % {"id": pickup.pk, "status": pickup.get_status_display()})
    account = pickup.account
    if account is not None and account.platform in PICKUP_CANCEL_PLATFORMS and pickup.status == P.SCHEDULED:
        couriers = set(Shipment.objects.filter(order__pickups=pickup).values_list("courier__code", flat=True))
        if not reason and any((code or "").lower().startswith("jne") for code in couriers):
            raise PickupCancelRefused(_("JNE needs a reason to cancel a pickup; give one."),
                                      extra={"field": "reason"})
        adapter = adapter or adapter_for(account)
        for order in pickup.orders.exclude(external_id=""):
            try:
                adapter.cancel_pickup(order.external_id, reason)
            except IntegrationError as exc:
                raise PickupCancelRefused(
                    _("%(platform)s refused to cancel the pickup of %(order)s: %(error)s")
                    % {"platform": account.get_platform_display(), "order": order.order_no, "error": exc.message}
                ) from exc
    return pickup_transition(pickup=pickup, to_status=P.CANCELED, acting_user=acting_user,
                             note=reason or _("canceled by staff"))


def _pickup_follow(*, pickup: PickupRequest, target: str, note: str) -> bool:
    from logistics.services import PICKUP_TRANSITIONS, pickup_transition

    moved = False
    for step in (P.SCHEDULED, target) if pickup.status == P.REQUESTED and target != P.SCHEDULED else (target,):
        if step != pickup.status and step in PICKUP_TRANSITIONS.get(pickup.status, set()):
            pickup = pickup_transition(pickup=pickup, to_status=step, source=EventSource.SYNC, note=note)
            moved = True
    return moved


def pickups_pull(*, account: PlatformAccount, adapter, on_page=None) -> LogisticsCounts:
    """Komship pickup history: our pickup requests (matched on the platform's id) follow its status. An
    unknown status word is flagged, never guessed."""
    counts = LogisticsCounts()
    if not hasattr(adapter, "iter_pickups"):
        return counts
    known = {p.external_id: p for p in PickupRequest.objects.filter(account=account).exclude(external_id="")}
    for page, _total in adapter.iter_pickups():
        page_counts = LogisticsCounts()
        for external in page:
            page_counts.fetched += 1
            pickup = known.get(external.external_id)
            if pickup is None:
                page_counts.unchanged += 1
                continue
            if not external.our_status:
                page_counts.flagged.append(external.external_id)
                continue
            try:
                moved = _pickup_follow(pickup=pickup, target=external.our_status, note=external.status)
            except ApplicationError as exc:
                page_counts.failed += 1
                page_counts.errors.append(f"{external.external_id}: {exc}")
                continue
            page_counts.updated += moved
            page_counts.unchanged += not moved
        for name, value in page_counts.as_dict().items():
            setattr(counts, name, getattr(counts, name) + value)
        counts.flagged.extend(page_counts.flagged)
        if on_page is not None:
            on_page(page_counts, "")
    return counts


def pickup_refresh(*, pickup: PickupRequest, adapter=None) -> PickupRequest:
    """Read one pickup's detail from Komship and follow its status."""
    from integrations.registry import adapter_for

    if pickup.account is None or not pickup.external_id or pickup.account.platform != "komship":
        raise PickupCancelRefused(_("Only pickups sent to Komship can be refreshed."))
    try:
        external = (adapter or adapter_for(pickup.account)).get_pickup(pickup.external_id)
    except IntegrationError as exc:
        raise PickupCancelRefused(str(exc)) from exc
    if external.our_status:
        _pickup_follow(pickup=pickup, target=external.our_status, note=external.status)
    pickup.refresh_from_db()
    return pickup
