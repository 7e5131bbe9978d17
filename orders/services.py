"""Writes of orders: creation, the order state machine, cancellation (with its stock), platform statuses.

Every status change goes through common.transitions.transition with ORDER_TRANSITIONS (staff, API) or
ORDER_SYNC_TRANSITIONS (the platform's own word, which may skip states but never goes back), writes an
OrderEvent, and moves the order's reserved stock in the same transaction:

- an order that becomes live (created as, or moved to, "new") with a warehouse reserves its items' stock;
- "canceled" releases whatever the order still holds;
- "shipped" turns the reservation into goods that left the warehouse.

What an order holds is read from the stock movements written with its order number as reference, so orders
that never reserved (imported without a warehouse, or items without a matching variant) release nothing.
"""

import secrets
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import StockMovement, Variant, Warehouse
from catalog.selectors import stock_reserved_for_reference, variant_map_by_sku
from catalog.services import stock_release, stock_reserve, stock_ship
from common.exceptions import ApplicationError
from common.models import EventSource
from common.money import parse_rupiah
from common.phones import normalize_phone
from common.transitions import transition
from orders.models import Customer, Order, OrderEvent, OrderItem, OrderStatus, PaymentMethod, PaymentStatus
from orders.selectors import map_platform_status

S = OrderStatus

ORDER_TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.NEW, S.CANCELED},
    S.NEW: {S.PROCESSING, S.CANCELED},
    S.PROCESSING: {S.READY_TO_SHIP, S.CANCELED},
    # Back to packing is allowed: the AWB was canceled or the parcel has to be repacked before pickup.
    S.READY_TO_SHIP: {S.SHIPPED, S.PROCESSING, S.CANCELED},
    S.SHIPPED: {S.DELIVERED, S.RETURNING},
    S.DELIVERED: {S.COMPLETED, S.RETURNING},
    S.RETURNING: {S.RETURNED},
    S.RETURNED: set(),
    S.COMPLETED: set(),
    S.CANCELED: set(),
}

# States an order holds stock in (reserved, not yet shipped).
LIVE_STATES = {S.NEW, S.PROCESSING, S.READY_TO_SHIP}


def _reachable(allowed: dict[str, set[str]]) -> dict[str, set[str]]:
    closure = {}
    for start in allowed:
        seen, frontier = set(), list(allowed[start])
        while frontier:
            state = frontier.pop()
            if state not in seen:
                seen.add(state)
                frontier.extend(allowed.get(state, ()))
        closure[start] = seen - {start}
    return closure


# A platform may report a later state without the ones between (Komship goes Diajukan → Dikirim): sync may
# jump to any state reachable in the staff graph, never to one that is not.
ORDER_SYNC_TRANSITIONS: dict[str, set[str]] = _reachable(ORDER_TRANSITIONS)


class OrderInvalid(ApplicationError):
    code = "order_invalid"


class OrderAlreadyExists(ApplicationError):
    code = "order_already_exists"
    http_status = 409


# ------------------------------------------------------------------------------------------------- stock


def _reference(order: Order) -> str:
    return order.order_no


def _order_reserve_stock(*, order: Order, acting_user) -> None:
    """Reserve the items' stock in the order's warehouse, once (a second call reserves nothing)."""
    if not order.warehouse_id:
        return
    reservations = StockMovement.objects.filter(reference=_reference(order),
                                                reason=StockMovement.Reason.RESERVATION)
    if reservations.exists():
        return
    quantities: dict[int, int] = {}
    items = order.items.filter(variant__isnull=False).values_list("variant_id", "quantity")
    for variant_id, quantity in items:
        quantities[variant_id] = quantities.get(variant_id, 0) + quantity
    if not quantities:
        return
    warehouse = order.warehouse
    variants = Variant.objects.in_bulk(list(quantities))
    for variant_id in sorted(quantities):  # a fixed order of locks: no deadlock between two orders
        stock_reserve(variant=variants[variant_id], warehouse=warehouse, quantity=quantities[variant_id],
                      reference=_reference(order), acting_user=acting_user)


def _order_move_held_stock(*, order: Order, acting_user, ship: bool) -> None:
    """Release (cancel) or ship everything the order still holds."""
    held = stock_reserved_for_reference(reference=_reference(order))
    if not held:
        return
    variants = Variant.objects.in_bulk([variant_id for variant_id, _wh in held])
    warehouses = Warehouse.objects.in_bulk([warehouse_id for _v, warehouse_id in held])
    move = stock_ship if ship else stock_release
    for (variant_id, warehouse_id), quantity in sorted(held.items()):
        move(variant=variants[variant_id], warehouse=warehouses[warehouse_id], quantity=quantity,
             reference=_reference(order), acting_user=acting_user)


def _after_move(*, order: Order, acting_user) -> None:
    if order.status == S.CANCELED:
        _order_move_held_stock(order=order, acting_user=acting_user, ship=False)
    elif order.status == S.SHIPPED:
        _order_move_held_stock(order=order, acting_user=acting_user, ship=True)
    elif order.status in LIVE_STATES:
        _order_reserve_stock(order=order, acting_user=acting_user)


# ------------------------------------------------------------------------------------------- transitions


def _move(*, order: Order, to_status: str, allowed, acting_user, source: str, note: str,
          updates=None) -> Order:
    with transaction.atomic():
        moved = transition(instance=order, to_status=to_status, allowed=allowed, event_model=OrderEvent,
                           event_field="order", actor=acting_user, source=source, note=note, updates=updates)
        _after_move(order=moved, acting_user=acting_user)
    return moved


def order_transition(*, order: Order, to_status: str, acting_user, source: str = EventSource.STAFF,
                     note: str = "") -> Order:
    """Move `order` to `to_status` if ORDER_TRANSITIONS allows it from its current state (read under a row
    lock); writes an OrderEvent. Refusal: TransitionNotAllowed, nothing changed."""
    return _move(order=order, to_status=to_status, allowed=ORDER_TRANSITIONS, acting_user=acting_user,
                 source=source, note=note)


def order_follow(*, order: Order, to_status: str, acting_user=None, source: str = EventSource.SYNC,
                 note: str = "") -> Order:
    """Move `order` where a platform or its parcel says it is, along ORDER_SYNC_TRANSITIONS (forward only;
    stock held or shipped as any other move). No-op when it is there already or the move would go back."""
    if to_status == order.status or to_status not in ORDER_SYNC_TRANSITIONS.get(order.status, set()):
        return order
    return _move(order=order, to_status=to_status, allowed=ORDER_SYNC_TRANSITIONS, acting_user=acting_user,
                 source=source, note=note)


def order_cancel(*, order: Order, acting_user, source: str = EventSource.STAFF, note: str = "") -> Order:
    """Cancel an order that has not shipped and release the stock it holds, in one transaction."""
    return order_transition(order=order, to_status=S.CANCELED, acting_user=acting_user, source=source,
                            note=note)


def order_apply_platform_status(*, order: Order, platform: str, platform_status, kind: str = "order",
                                acting_user=None, source: str = EventSource.SYNC) -> Order:
    """Mirror the platform's status word on `order`.

    Unknown word: the order keeps its state, stores the word and is flagged `status_unmapped` (shown in the
    admin) — never guessed. Known word: the order moves there if ORDER_SYNC_TRANSITIONS allows it, else
    TransitionNotAllowed (a platform going backwards is for staff to look at)."""
    word = str(platform_status if platform_status is not None else "").strip()[:64]
    ours = map_platform_status(platform=platform, kind=kind, platform_status=word)
    with transaction.atomic():
        if ours is None or ours == order.status:
            order.platform_status, order.status_unmapped = word, ours is None
            order.save(update_fields=["platform_status", "status_unmapped", "updated_at"])
            return order
        note = _("%(platform)s reported “%(word)s”.") % {"platform": platform, "word": word}
        return _move(order=order, to_status=ours, allowed=ORDER_SYNC_TRANSITIONS, acting_user=acting_user,
                     source=source, note=note, updates={"platform_status": word, "status_unmapped": False})


def order_apply_platform_payment_status(*, order: Order, platform: str, platform_status) -> Order:
    """Mirror the platform's payment status word; an unknown word flags the order like an unknown status."""
    ours = map_platform_status(platform=platform, kind="payment", platform_status=platform_status)
    if ours is None:
        order.status_unmapped = True
        order.save(update_fields=["status_unmapped", "updated_at"])
    elif ours != order.payment_status:
        order.payment_status = ours
        order.save(update_fields=["payment_status", "updated_at"])
    return order


# ----------------------------------------------------------------------------------------------- creation


def _amount(value, *, label: str) -> Decimal:
    try:
        amount = parse_rupiah(value if value is not None else 0)
    except ValueError as exc:
        raise OrderInvalid(
            _("%(label)s is not an amount: %(value)s.") % {"label": label, "value": value}
        ) from exc
    if amount < 0:
        raise OrderInvalid(_("%(label)s cannot be negative.") % {"label": label})
    return amount


def _phone(value) -> str:
    try:
        return normalize_phone(value)
    except ValueError as exc:
        raise OrderInvalid(_("%(phone)s is not a valid phone number.") % {"phone": value}) from exc


def _customer_for(*, seller, customer) -> Customer:
    if isinstance(customer, Customer):
        if customer.seller_id != seller.pk:
            raise OrderInvalid(_("Customer %(customer)s belongs to another seller.") % {"customer": customer})
        return customer
    data = dict(customer or {})
    name = (data.pop("name", "") or "").strip()
    if not name:
        raise OrderInvalid(_("The customer's name is missing."))
    phone = _phone(data.pop("phone", ""))
    known = {f.name for f in Customer._meta.concrete_fields} - {"id", "seller", "created_at", "updated_at"}
    unknown = set(data) - known
    if unknown:
        raise OrderInvalid(_("Unknown customer fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    details = {key: (value or "").strip() for key, value in data.items()}
    if phone:
        existing = Customer.objects.filter(seller=seller, phone=phone).order_by("id").first()
        if existing:
            return existing
    return Customer.objects.create(seller=seller, name=name, phone=phone, **details)


def _order_items(*, seller, items: Iterable[dict]) -> list[OrderItem]:
    specs = list(items or [])
    if not specs:
        raise OrderInvalid(_("An order needs at least one item."))
    variants = variant_map_by_sku(seller=seller, skus=[spec.get("sku") for spec in specs])
    lines = []
    for spec in specs:
        sku = (spec.get("sku") or "").strip()
        if not sku:
            raise OrderInvalid(_("Every item needs a SKU."))
        variant = variants.get(sku)
        try:
            quantity = int(spec.get("quantity", 0))
        except (TypeError, ValueError) as exc:
            raise OrderInvalid(_("The quantity of SKU %(sku)s is not a number.") % {"sku": sku}) from exc
        if quantity <= 0:
            raise OrderInvalid(_("The quantity of SKU %(sku)s must be at least 1.") % {"sku": sku})
        unit_price = spec.get("unit_price")
        if unit_price is None:
            if variant is None:
                raise OrderInvalid(
                    _("SKU %(sku)s is not in the catalog; give its unit price.") % {"sku": sku}
                )
            unit_price = variant.price
        unit_price = _amount(unit_price, label=_("The unit price of SKU %(sku)s") % {"sku": sku})
        line_discount = _amount(spec.get("discount", 0),
                                label=_("The discount of SKU %(sku)s") % {"sku": sku})
        line_total = unit_price * quantity - line_discount
        if line_total < 0:
            raise OrderInvalid(_("The discount of SKU %(sku)s is larger than the line.") % {"sku": sku})
        name = (spec.get("name") or "").strip()
        if not name and variant is not None:
            name = f"{variant.product.name} {variant.name}".strip()
        name = name or sku
        lines.append(OrderItem(
            variant=variant, sku=sku, name=name[:255], quantity=quantity, unit_price=unit_price,
            discount=line_discount, line_total=line_total,
            weight_grams=(variant.weight_grams * quantity) if variant else int(spec.get("weight_grams") or 0),
        ))
    return lines


def _new_order_no(seller) -> str:
    while True:
        candidate = f"{seller.code}-{timezone.localdate():%y%m%d}-{secrets.token_hex(3).upper()}"
        if not Order.objects.filter(order_no=candidate).exists():
            return candidate


@transaction.atomic
def order_create(
    *,
    seller,
    customer,
    items: Iterable[dict],
    payment_method: str,
    shipping_cost=0,
    cod_fee=0,
    discount=0,
    acting_user=None,
    source: str = EventSource.STAFF,
    status: str = S.NEW,
    payment_status: str = PaymentStatus.UNPAID,
    order_no: str = "",
    invoice_no: str = "",
    warehouse: Warehouse | None = None,
    courier=None,
    courier_service: str = "",
    notes: str = "",
    account=None,
    external_id: str = "",
    platform_status: str = "",
    platform_created_at=None,
) -> Order:
    """Create an order with its customer (found by E.164 phone within the seller, else created) and items
    (matched to the seller's variants by SKU). Amounts: subtotal = Σ line totals; grand total = subtotal −
    discount + shipping cost + COD fee. A live order with a warehouse reserves its stock."""
    if payment_method not in PaymentMethod.values:
        raise OrderInvalid(_("“%(method)s” is not a payment method.") % {"method": payment_method})
    if status not in S.values:
        raise OrderInvalid(_("“%(status)s” is not an order status.") % {"status": status})
    if payment_status not in PaymentStatus.values:
        raise OrderInvalid(_("“%(status)s” is not a payment status.") % {"status": payment_status})
    if warehouse is not None and warehouse.seller_id and warehouse.seller_id != seller.pk:
        raise OrderInvalid(_("Warehouse %(warehouse)s is the private warehouse of another seller.")
                           % {"warehouse": warehouse.code})
    external_id = (external_id or "").strip()
    if account is not None and external_id and Order.objects.filter(account=account,
                                                                     external_id=external_id).exists():
        raise OrderAlreadyExists(_("Order %(external_id)s of %(account)s already exists.")
                                 % {"external_id": external_id, "account": account})
    order_no = (order_no or "").strip() or _new_order_no(seller)
    if Order.objects.filter(order_no=order_no).exists():
        raise OrderAlreadyExists(_("Order number %(order_no)s already exists.") % {"order_no": order_no})

    lines = _order_items(seller=seller, items=items)
    subtotal = sum((line.line_total for line in lines), Decimal("0"))
    discount = _amount(discount, label=_("The discount"))
    shipping_cost = _amount(shipping_cost, label=_("The shipping cost"))
    cod_fee = _amount(cod_fee, label=_("The COD fee"))
    grand_total = subtotal - discount + shipping_cost + cod_fee
    if grand_total < 0:
        raise OrderInvalid(_("The discount (%(discount)s) is larger than the order (%(total)s).")
                           % {"discount": discount, "total": subtotal + shipping_cost + cod_fee})

    order = Order.objects.create(
        seller=seller, customer=_customer_for(seller=seller, customer=customer), warehouse=warehouse,
        order_no=order_no, invoice_no=(invoice_no or "").strip(), status=status,
        payment_method=payment_method, payment_status=payment_status, subtotal=subtotal, discount=discount,
        shipping_cost=shipping_cost,
        cod_fee=cod_fee, grand_total=grand_total, courier=courier, courier_service=courier_service,
        notes=notes, account=account, external_id=external_id, platform_status=platform_status,
        platform_created_at=platform_created_at,
    )
    for line in lines:
        line.order = order
    OrderItem.objects.bulk_create(lines)
    OrderEvent.objects.create(order=order, actor=acting_user, source=source, from_status="", to_status=status,
                              note=_("Order created."))
    if status in LIVE_STATES:
        _order_reserve_stock(order=order, acting_user=acting_user)
    return order


@transaction.atomic
def order_recalculate_totals(*, order: Order, acting_user=None) -> Order:
    """Subtotal from the items, grand total from the order's amounts (after staff edited items)."""
    locked = Order.objects.select_for_update().get(pk=order.pk)
    subtotal = sum(locked.items.values_list("line_total", flat=True), Decimal("0"))
    grand_total = subtotal - locked.discount + locked.shipping_cost + locked.cod_fee
    if grand_total < 0:
        raise OrderInvalid(_("The discount of order %(order)s is larger than its total.") % {"order": locked})
    locked.subtotal, locked.grand_total = subtotal, grand_total
    locked.save(update_fields=["subtotal", "grand_total", "updated_at"])
    order.subtotal, order.grand_total = subtotal, grand_total
    return order


def order_record_entry(*, order: Order, acting_user, source: str = EventSource.STAFF) -> OrderEvent:
    """The creation event of an order typed in by staff (the admin's add page)."""
    return OrderEvent.objects.create(order=order, actor=acting_user, source=source, from_status="",
                                     to_status=order.status, note=_("Order entered by staff."))
