"""Orders made here, sent to a platform; and our status changes sent after them.

Creating an order on a platform is not idempotent on the wire, so the push makes it so:

- before a create, the platform is asked for the order by our number (`adapter.find_order`); an order
  found there is adopted instead of created again;
- a create that gets no answer (timeout, reset, 5xx) may still have happened: the order is looked for
  again, after short waits (ORDERS_PUSH_FIND_DELAYS), and adopted when found. When it is not found the
  outcome is "uncertain": nothing changes here, and the next push looks for it first;
- the platform's id is stored on the order (account + external_id, in its own transaction) as soon as
  the platform answers, before success is reported; a later pull then updates this same order, since
  pulls match on (account, external_id);
- an order that is already on a platform is refused;
- one push of one order at a time (a PostgreSQL advisory lock per order), so a double click cannot
  create twice.

Each push that talks to a platform is recorded as a SyncRun of kind orders_push (the operations console).
Refusals by our own rules (already sent, wrong seller, canceled order) are reported without a SyncRun:
nothing was asked of the platform.

Status changes: after staff move an order that lives on a platform, `order_push_status` sends the new
state where the platform documents a way (STATUS_PUSH). It never undoes our move: a refusal is reported
and written on the order's history as a note.
"""

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from catalog.models import Listing
from common.exceptions import ApplicationError
from common.models import EventSource
from integrations.base import ExternalCustomer, OrderItemPayload, OrderPayload
from integrations.exceptions import IntegrationError, ProviderRejected, ProviderUnavailable
from integrations.models import PlatformAccount, SyncRun
from integrations.registry import adapter_for
from integrations.services import sync_run_finish, sync_run_start
from orders.models import Order, OrderEvent, OrderStatus

S = OrderStatus

# States in which an order made here may be sent to a platform.
PUSHABLE_STATES = frozenset({S.NEW, S.PROCESSING, S.READY_TO_SHIP})

# After a create got no answer: wait this long (seconds) before each new look for the order.

# Our state -> what to call on the platform's adapter. Platforms and states not listed have no documented
# way to take the change (DESIGN §1): they are skipped with a note.
# - Komship documents no status change for partner orders; a cancellation deletes the order (only
#   orders not yet shipped: Komship refuses the others).
# - Ngorder has no settable status; a cancellation is POST /order/cancel.
# - Scalev change-status takes every state it has a word for (mappers.STATUS_TO_SCALEV).
# - Mitrabunso documents no status call at all.
STATUS_PUSH: dict[str, dict[str, str]] = {
    "komship": {S.CANCELED: "delete"},
    "ngorder": {S.CANCELED: "cancel"},
    "scalev": {S.NEW: "status", S.PROCESSING: "status", S.READY_TO_SHIP: "status", S.SHIPPED: "status",
               S.DELIVERED: "status", S.COMPLETED: "status", S.RETURNED: "status", S.CANCELED: "cancel"},
    "mitrabunso": {},
}

_LOCK_NAMESPACE = 7_301  # first key of pg_try_advisory_lock(int, int): "order push"
_sleep = time.sleep  # tests may replace it


class OrderPushRefused(ApplicationError):
    code = "order_push_refused"
    http_status = 409


class OrderPushUncertain(OrderPushRefused):
    """The create was sent and no answer came back; the order may still appear on the platform."""

    code = "order_push_uncertain"
    http_status = 503


@dataclass(frozen=True)
class PushOutcome:
    order: Order
    result: str  # created | adopted | refused | uncertain
    message: str
    external_id: str = ""

    CREATED = "created"
    ADOPTED = "adopted"
    REFUSED = "refused"
    UNCERTAIN = "uncertain"

    @property
    def ok(self) -> bool:
        return self.result in (self.CREATED, self.ADOPTED)


@dataclass(frozen=True)
class StatusPushOutcome:
    order: Order
    result: str  # sent | skipped | refused
    message: str

    SENT = "sent"
    SKIPPED = "skipped"
    REFUSED = "refused"


def _platform_name(account: PlatformAccount) -> str:
    return account.get_platform_display()


# ------------------------------------------------------------------------------------------------ payload


def order_payload(*, order: Order, account: PlatformAccount) -> OrderPayload:
    """The order, its customer and items as the platform-neutral payload. Items carry the platform's
    product and variant ids from the account's listings (Komship, Ngorder and Scalev need them).

    Item discounts are folded into the order's discount, so that subtotal = Σ unit price × quantity and
    grand total = subtotal − discount + shipping + COD fee + other costs, as the platforms count."""
    items = list(order.items.select_related("variant").order_by("id"))
    variant_ids = {item.variant_id for item in items if item.variant_id}
    variant_listings: dict[int, Listing] = {}
    product_listings: dict[int, str] = {}
    if variant_ids:
        for listing in Listing.objects.filter(account=account, variant_id__in=variant_ids):
            variant_listings[listing.variant_id] = listing
        product_ids = {item.variant.product_id for item in items if item.variant_id}
        product_listings = dict(Listing.objects.filter(account=account, variant__isnull=True,
                                                       product_id__in=product_ids)
                                .exclude(external_id="").values_list("product_id", "external_id"))
    lines = []
    for item in items:
        listing = variant_listings.get(item.variant_id) if item.variant_id else None
        unit_weight = item.variant.weight_grams if item.variant_id else item.weight_grams // max(item.quantity, 1)
        lines.append(OrderItemPayload(
            sku=item.sku, name=item.name, quantity=item.quantity, unit_price=item.unit_price,
            weight_grams=unit_weight,
            external_product_id=product_listings.get(item.variant.product_id, "") if item.variant_id else "",
            external_variant_id=(listing.external_variant_id or listing.external_id) if listing else "",
        ))
    c = order.customer
    subtotal = sum((item.unit_price * item.quantity for item in items), Decimal(0))
    line_discounts = sum((item.discount for item in items), Decimal(0))
    seller = order.seller
    return OrderPayload(
        order_no=order.order_no,
        payment_method=order.payment_method,
        customer=ExternalCustomer(name=c.name, phone=c.phone, email=c.email, address=c.address,
                                  subdistrict=c.subdistrict, district=c.district, city=c.city,
                                  province=c.province, postal_code=c.postal_code),
        items=tuple(lines),
        subtotal=subtotal,
        grand_total=order.grand_total,
        discount=order.discount + line_discounts,
        shipping_cost=order.shipping_cost,
        cod_fee=order.cod_fee,
        courier_code=order.courier.code if order.courier_id else "",
        courier_service=order.courier_service,
        notes=order.notes,
        sender_name=seller.name,
        sender_phone=seller.phone,
    )


# ------------------------------------------------------------------------------------------- the rules


def _refusal(order: Order, account: PlatformAccount) -> str:
    """Why `order` may not be sent to `account`, or "" when it may."""
    if order.account_id or order.external_id:
        where = order.account.get_platform_display() if order.account_id else _("a platform")
        return _("Order %(order)s is already on %(platform)s as %(id)s; it is not sent again.") % {
            "order": order, "platform": where, "id": order.external_id or "?"}
    if account.seller_id != order.seller_id:
        return _("%(account)s is not an account of seller %(seller)s.") % {"account": account,
                                                                          "seller": order.seller}
    if not account.is_enabled:
        return _("%(account)s is disabled.") % {"account": account}
    if order.status not in PUSHABLE_STATES:
        return _("Order %(order)s is “%(status)s”; only new, processing and ready-to-ship orders are sent.") % {
            "order": order, "status": order.get_status_display()}
    if not order.items.exists():
        return _("Order %(order)s has no items.") % {"order": order}
    return ""


class _PushLocks:
    """Session-level advisory locks, one per order, so two requests never push the same order at once."""

    def __init__(self) -> None:
        self.held: list[int] = []
        self.enabled = connection.vendor == "postgresql"

    def acquire(self, order_id: int) -> bool:
        if not self.enabled:
            return True
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_LOCK_NAMESPACE, order_id])
            got = bool(cursor.fetchone()[0])
        if got:
            self.held.append(order_id)
        return got

    def release_all(self) -> None:
        if not self.enabled:
            return
        with connection.cursor() as cursor:
            for order_id in self.held:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_NAMESPACE, order_id])
        self.held.clear()


# ------------------------------------------------------------------------------------------ storing ids


def _store_platform_id(*, order: Order, account: PlatformAccount, external_id: str, acting_user,
                       adopted: bool) -> Order:
    """Link the order to the platform's order, in its own transaction, before anyone is told it worked.
    Raises OrderPushRefused when another order here already mirrors that platform order."""
    platform = _platform_name(account)
    values = {"order": order, "platform": platform, "id": external_id}
    clash_message = _("%(platform)s order %(id)s is already mirrored here as another order; order %(order)s "
                      "stays unlinked. Cancel one of the two.") % values
    try:
        with transaction.atomic():
            locked = Order.objects.select_for_update().get(pk=order.pk)
            if locked.account_id or locked.external_id:
                raise OrderPushRefused(_("Order %(order)s was linked to a platform meanwhile.") % values)
            if Order.objects.filter(account=account, external_id=external_id).exists():
                raise OrderPushRefused(clash_message)
            locked.account, locked.external_id = account, external_id
            locked.save(update_fields=["account", "external_id", "updated_at"])
            note = (_("Found on %(platform)s as %(id)s (an earlier try had reached it); linked, not created "
                      "again.") if adopted else _("Sent to %(platform)s as %(id)s.")) % values
            OrderEvent.objects.create(order=locked, actor=acting_user, source=EventSource.STAFF,
                                      from_status=locked.status, to_status=locked.status, note=note)
    except IntegrityError:
        raise OrderPushRefused(clash_message) from None
    order.account, order.external_id = account, external_id
    return order


# ------------------------------------------------------------------------------------------------- push


def _find_delays() -> tuple[float, ...]:
    return tuple(settings.ORDERS_PUSH_FIND_DELAYS)


def _find_after_failure(adapter, order_nos: Iterable[str]) -> dict[str, str]:
    """Look for orders whose create got no answer, waiting a little between looks (the platform may still
    be writing them). Returns order_no -> platform id for those found; look-ups that fail count as not
    found."""
    missing, found = list(order_nos), {}
    for delay in _find_delays():
        if not missing:
            break
        if delay:
            _sleep(delay)
        for order_no in list(missing):
            try:
                external_id = adapter.find_order(order_no)
            except IntegrationError:
                continue
            if external_id:
                found[order_no] = str(external_id)
                missing.remove(order_no)
    return found


class _Batch:
    """One push of some orders to one account: outcomes and the SyncRun counts."""

    def __init__(self, *, account: PlatformAccount, adapter, acting_user) -> None:
        self.account, self.adapter, self.acting_user = account, adapter, acting_user
        self.platform = _platform_name(account)
        self.outcomes: dict[int, PushOutcome] = {}

    def refuse(self, order: Order, message: str) -> None:
        self.outcomes[order.pk] = PushOutcome(order=order, result=PushOutcome.REFUSED, message=message)

    def uncertain(self, order: Order, exc: Exception) -> None:
        message = _("%(platform)s did not answer while order %(order)s was being created (%(error)s). It may "
                    "still appear there: send it again in a minute; the retry looks for it first and never "
                    "creates it twice.") % {"platform": self.platform, "order": order, "error": exc}
        self.outcomes[order.pk] = PushOutcome(order=order, result=PushOutcome.UNCERTAIN, message=message)

    def link(self, order: Order, external_id: str, *, adopted: bool) -> None:
        try:
            _store_platform_id(order=order, account=self.account, external_id=external_id,
                               acting_user=self.acting_user, adopted=adopted)
        except OrderPushRefused as exc:
            self.refuse(order, exc.message)
            return
        values = {"order": order, "platform": self.platform, "id": external_id}
        if adopted:
            message = _("Order %(order)s was already on %(platform)s as %(id)s (an earlier try had reached "
                        "it); linked, not created again.") % values
        else:
            message = _("Order %(order)s sent to %(platform)s as %(id)s.") % values
        self.outcomes[order.pk] = PushOutcome(order=order, result=PushOutcome.ADOPTED if adopted
                                              else PushOutcome.CREATED, message=message, external_id=external_id)

    def rejected(self, order: Order, exc: IntegrationError) -> None:
        self.refuse(order, _("%(platform)s refused order %(order)s: %(error)s") % {
            "platform": self.platform, "order": order, "error": exc.message})

    # -- steps

    def find_existing(self, orders: list[Order]) -> list[Order]:
        """Adopt the orders the platform already has (sent before, answer lost); return the others."""
        to_create = []
        for order in orders:
            try:
                found = self.adapter.find_order(order.order_no)
            except IntegrationError as exc:
                self.refuse(order, _("%(platform)s did not answer the look-up of order %(order)s (%(error)s); "
                                     "nothing was sent. Try again.") % {
                    "platform": self.platform, "order": order, "error": exc})
                continue
            if found:
                self.link(order, str(found), adopted=True)
            else:
                to_create.append(order)
        return to_create

    def create_one(self, order: Order, payload: OrderPayload) -> None:
        try:
            external_id = self.adapter.create_order(payload)
        except ProviderRejected as exc:
            self.rejected(order, exc)
        except IntegrationError as exc:  # no answer, or an answer we could not read: it may exist
            found = _find_after_failure(self.adapter, [order.order_no])
            if order.order_no in found:
                self.link(order, found[order.order_no], adopted=True)
            else:
                self.uncertain(order, exc)
        else:
            self.link(order, str(external_id), adopted=False)

    def create_many(self, orders: list[Order], payloads: list[OrderPayload]) -> None:
        """The platform's batch create; after any failure, each order is looked for, since part of the
        batch may have been stored."""
        try:
            ids = list(self.adapter.create_orders(payloads))
            if len(ids) != len(orders):
                raise ProviderRejected(f"batch create answered {len(ids)} ids for {len(orders)} orders",
                                       platform=self.account.platform)
        except IntegrationError as exc:
            found = _find_after_failure(self.adapter, [o.order_no for o in orders])
            for order in orders:
                if order.order_no in found:
                    self.link(order, found[order.order_no], adopted=True)
                elif isinstance(exc, ProviderRejected):
                    self.rejected(order, exc)
                else:
                    self.uncertain(order, exc)
            return
        for order, external_id in zip(orders, ids, strict=True):
            self.link(order, str(external_id), adopted=False)


def _adapter(account: PlatformAccount, adapter):
    return adapter if adapter is not None else adapter_for(account)


def orders_push_batch(*, orders: Sequence[Order], account: PlatformAccount, acting_user,
                      adapter=None) -> list[PushOutcome]:
    """Send local orders to `account`'s platform: with its batch call where it has one (Mitrabunso
    batch_create, Komship mass order) and more than one order goes, else one by one. Returns one
    outcome per order, in the given order; never raises for one order's refusal."""
    orders = list(orders)
    locks = _PushLocks()
    try:
        ready: list[Order] = []
        early: dict[int, PushOutcome] = {}
        for order in orders:
            if not locks.acquire(order.pk):
                early[order.pk] = PushOutcome(order=order, result=PushOutcome.REFUSED, message=_(
                    "Order %(order)s is being sent by someone else right now.") % {"order": order})
                continue
            order.refresh_from_db()
            reason = _refusal(order, account)
            if reason:
                early[order.pk] = PushOutcome(order=order, result=PushOutcome.REFUSED, message=reason)
            else:
                ready.append(order)
        if ready:
            early.update(_push_ready(ready, account=account, adapter=adapter, acting_user=acting_user))
        return [early[order.pk] for order in orders]
    finally:
        locks.release_all()


def _push_ready(orders: list[Order], *, account: PlatformAccount, adapter, acting_user) -> dict[int, PushOutcome]:
    run = sync_run_start(account=account, kind=SyncRun.Kind.ORDERS_PUSH)
    try:
        adapter = _adapter(account, adapter)
    except IntegrationError as exc:
        sync_run_finish(run=run, counts={"fetched": len(orders), "failed": len(orders)}, error=str(exc))
        message = _("%(account)s cannot be used: %(error)s") % {"account": account, "error": exc}
        return {o.pk: PushOutcome(order=o, result=PushOutcome.REFUSED, message=message) for o in orders}
    batch = _Batch(account=account, adapter=adapter, acting_user=acting_user)
    if not hasattr(adapter, "create_order"):
        for order in orders:
            batch.refuse(order, _("%(platform)s does not take orders from us.") % {"platform": batch.platform})
    else:
        payloads = {}
        for order in orders:
            payloads[order.pk] = order_payload(order=order, account=account)
        to_create = batch.find_existing(orders)
        if len(to_create) > 1 and hasattr(adapter, "create_orders"):
            batch.create_many(to_create, [payloads[o.pk] for o in to_create])
        else:
            for order in to_create:
                batch.create_one(order, payloads[order.pk])
    outcomes = batch.outcomes
    counts = {
        "fetched": len(orders),
        "created": sum(o.result == PushOutcome.CREATED for o in outcomes.values()),
        "unchanged": sum(o.result == PushOutcome.ADOPTED for o in outcomes.values()),
        "failed": sum(not o.ok for o in outcomes.values()),
    }
    error = "\n".join(o.message for o in outcomes.values() if not o.ok)
    sync_run_finish(run=run, counts=counts, cursor=orders[-1].order_no[:200], error=error)
    return outcomes


def order_push(*, order: Order, account: PlatformAccount, acting_user, adapter=None) -> Order:
    """Send one local order to `account`'s platform and link it to the platform's order. Refusals raise
    OrderPushRefused (OrderPushUncertain when the create got no answer and the order was not found),
    with nothing changed here."""
    (outcome,) = orders_push_batch(orders=[order], account=account, acting_user=acting_user, adapter=adapter)
    if outcome.result == PushOutcome.UNCERTAIN:
        raise OrderPushUncertain(outcome.message)
    if not outcome.ok:
        raise OrderPushRefused(outcome.message)
    order.account, order.external_id = outcome.order.account, outcome.order.external_id
    return order


# --------------------------------------------------------------------------------------------- statuses


def _note(order: Order, *, acting_user, note: str) -> None:
    OrderEvent.objects.create(order=order, actor=acting_user, source=EventSource.SYSTEM,
                              from_status=order.status, to_status=order.status, note=note)


def order_push_status(*, order: Order, acting_user, adapter=None) -> StatusPushOutcome:
    """Send the order's current state to its platform where the platform documents a way (STATUS_PUSH).
    Never raises for the platform's refusal and never undoes our state: the outcome says what happened
    and the order's history gets a note."""
    order = Order.objects.select_related("account").get(pk=order.pk)
    if not order.account_id or not order.external_id:
        return StatusPushOutcome(order=order, result=StatusPushOutcome.SKIPPED,
                                 message=_("Order %(order)s is not on a platform.") % {"order": order})
    account = order.account
    platform = _platform_name(account)
    values = {"order": order, "platform": platform, "status": order.get_status_display(),
              "id": order.external_id}
    action = STATUS_PUSH.get(account.platform, {}).get(order.status)
    if action is None:
        message = _("%(platform)s has no documented way to take “%(status)s”: order %(order)s keeps it here "
                    "only.") % values
        _note(order, acting_user=acting_user, note=message)
        return StatusPushOutcome(order=order, result=StatusPushOutcome.SKIPPED, message=message)
    run = sync_run_start(account=account, kind=SyncRun.Kind.ORDERS_PUSH)
    try:
        client = _adapter(account, adapter)
        if action == "delete":
            _delete_on_platform(client, order.external_id)
        elif action == "cancel":
            client.cancel_order(order.external_id)
        else:
            client.update_order_status(order.external_id, order.status)
    except IntegrationError as exc:
        values["error"] = exc.message
        if isinstance(exc, ProviderUnavailable):
            message = _("%(platform)s did not answer when order %(order)s (%(id)s) was set to “%(status)s”: "
                        "%(error)s. The order is “%(status)s” here; check it on %(platform)s.") % values
        else:
            message = _("%(platform)s refused to set order %(order)s (%(id)s) to “%(status)s”: %(error)s. The "
                        "order stays “%(status)s” here.") % values
        sync_run_finish(run=run, counts={"fetched": 1, "failed": 1}, cursor=order.order_no[:200], error=message)
        _note(order, acting_user=acting_user, note=message)
        return StatusPushOutcome(order=order, result=StatusPushOutcome.REFUSED, message=message)
    sync_run_finish(run=run, counts={"fetched": 1, "updated": 1}, cursor=order.order_no[:200])
    message = (_("Order %(order)s deleted on %(platform)s (canceled here).") if action == "delete"
               else _("%(platform)s set order %(order)s (%(id)s) to “%(status)s”.")) % values
    _note(order, acting_user=acting_user, note=message)
    return StatusPushOutcome(order=order, result=StatusPushOutcome.SENT, message=message)


def _delete_on_platform(adapter, external_id: str) -> None:
    """Delete the order; one that is already gone (our earlier delete whose answer was lost) counts as
    deleted."""
    try:
        adapter.delete_order(external_id)
    except ProviderRejected as exc:
        if exc.status_code != 404:
            raise
        try:
            adapter.get_order(external_id)
        except ProviderRejected:
            return  # gone
        raise  # it is still there: the 404 meant something else

