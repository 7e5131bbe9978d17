"""Orders between our database and the platforms: the batched, idempotent mirror of pulled orders and
the push of orders created here.

A pull writes one page per transaction: it looks up the page's orders by (account, external_id), skips
the ones whose payload hash did not change, and writes the rest with a constant number of queries per
page (customers, orders, items, events), whatever the page size. Platform statuses go through the
StatusMapping table; an unknown word flags the order (`status_unmapped`) instead of being guessed.
"""

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from catalog.models import Listing, Variant
from common.models import EventSource
from integrations.base import ExternalOrder
from integrations.models import PlatformAccount
from logistics.models import Courier
from orders.models import Customer, Order, OrderEvent, OrderItem, OrderStatus, PaymentStatus
from orders.selectors import status_mapping_table
from orders.services import ORDER_SYNC_TRANSITIONS

# Fields a pull may overwrite on an existing order (never the seller, the customer link or the number).
MIRRORED_FIELDS = (
    "order_no", "invoice_no", "status", "platform_status", "status_unmapped", "payment_method",
    "payment_status", "subtotal", "discount", "shipping_cost", "cod_fee", "other_costs", "grand_total", "courier",
    "courier_service", "notes",
    "payload_hash", "platform_created_at", "platform_updated_at", "updated_at",
)


COUNT_NAMES = ("fetched", "created", "updated", "unchanged", "failed")


@dataclass
class UpsertCounts:
    fetched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    flagged: list[str] = field(default_factory=list)  # external ids with an unknown platform status

    def add(self, other: "UpsertCounts") -> None:
        for name in COUNT_NAMES:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.flagged.extend(other.flagged)

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNT_NAMES}


def order_payload_hash(order: ExternalOrder) -> str:
    """A fingerprint of everything we mirror from the platform (not the raw JSON, whose key order and
    volatile fields would make every pull look like a change)."""
    data = asdict(order)
    data.pop("raw", None)
    data.pop("items_complete", None)
    text = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class StatusMapper:
    """The platform's words → ours, loaded once per pull."""

    def __init__(self, platform: str) -> None:
        self.platform = platform
        self.table = status_mapping_table(platform=platform)

    def order_status(self, word: str) -> str | None:
        return self.table.get(("order", word.strip().lower())) if word else None

    def payment_status(self, word: str) -> str | None:
        return self.table.get(("payment", word.strip().lower())) if word else None


class CourierMap:
    """Courier codes as platforms write them ("JNE", "jnt", "J&T") → our Courier, created when new."""

    def __init__(self) -> None:
        self.by_code = {c.code: c for c in Courier.objects.all()}

    @staticmethod
    def normalise(code: str) -> str:
        return "".join(ch for ch in code.lower() if ch.isalnum())[:32]

    def get(self, code: str) -> Courier | None:
        key = self.normalise(code or "")
        if not key:
            return None
        courier = self.by_code.get(key)
        if courier is None:
            courier, _created = Courier.objects.get_or_create(code=key, defaults={"name": code.strip()[:100]})
            self.by_code[key] = courier
        return courier


def _mirror_values(ext: ExternalOrder, *, mapper: StatusMapper, couriers: CourierMap,
                   current_status: str | None) -> dict:
    ours = mapper.order_status(ext.status)
    payment = mapper.payment_status(ext.payment_status) if ext.payment_status else None
    unmapped = ours is None or (bool(ext.payment_status) and payment is None)
    if ours is None:
        status = current_status or OrderStatus.NEW
    elif current_status in (None, ours) or ours in ORDER_SYNC_TRANSITIONS.get(current_status, ()):
        status = ours
    else:
        status = current_status  # the platform went backwards: keep ours, the word stays visible
    return {
        "order_no": ext.order_no[:64],
        "invoice_no": ext.invoice_no[:64],
        "status": status,
        "platform_status": ext.status[:64],
        "status_unmapped": unmapped,
        "payment_method": ext.payment_method,
        "payment_status": payment or PaymentStatus.UNPAID,
        "subtotal": ext.subtotal,
        "discount": ext.discount,
        "shipping_cost": ext.shipping_cost,
        "cod_fee": ext.cod_fee,
        # Whatever the platform adds beyond our columns, so that the total still adds up.
        "other_costs": ext.grand_total - (ext.subtotal - ext.discount + ext.shipping_cost + ext.cod_fee),
        "grand_total": ext.grand_total,
        "courier": couriers.get(ext.courier_code),
        "courier_service": ext.courier_service[:40],
        "notes": ext.notes,
        "platform_created_at": ext.created_at,
        "platform_updated_at": ext.updated_at,
    }


def _customers_for(*, seller, orders: Sequence[ExternalOrder]) -> dict[str, Customer]:
    """One Customer per phone (per seller); orders without a phone each get their own. Two queries."""
    phones = {o.customer.phone for o in orders if o.customer.phone}
    known: dict[str, Customer] = {}
    for customer in Customer.objects.filter(seller=seller, phone__in=phones).order_by("-id"):
        known[customer.phone] = customer
    new: dict[str, Customer] = {}
    for ext in orders:
        key = ext.customer.phone or f"order:{ext.external_id}"
        if key in known or key in new:
            continue
        c = ext.customer
        new[key] = Customer(
            seller=seller, name=(c.name or "-")[:200], phone=c.phone, email=c.email[:254], address=c.address,
            subdistrict=c.subdistrict[:100], district=c.district[:100], city=c.city[:100],
            province=c.province[:100], postal_code=c.postal_code[:10],
        )
    if new:
        Customer.objects.bulk_create(new.values())
    return {**known, **new}


def _items_for(orders: dict[int, ExternalOrder], *, account: PlatformAccount) -> list[OrderItem]:
    """Items matched to our variants by SKU, or by the platform's variant id through the account's
    listings when the platform sends no SKU (Ngorder's order lists). Two queries."""
    skus = {item.sku for ext in orders.values() for item in ext.items if item.sku}
    variants = dict(Variant.objects.filter(seller=account.seller, sku__in=skus).values_list("sku", "id"))
    platform_ids = {item.external_variant_id for ext in orders.values() for item in ext.items
                    if not item.sku and item.external_variant_id}
    listed = dict(
        Listing.objects.filter(account=account, external_id__in=platform_ids, variant__isnull=False)
        .values_list("external_id", "variant_id")
    ) if platform_ids else {}
    return [
        OrderItem(
            order_id=order_id,
            variant_id=variants.get(item.sku) if item.sku else listed.get(item.external_variant_id),
            sku=(item.sku or item.external_variant_id or "-")[:64],
            name=(item.name or item.sku or "-")[:255], quantity=max(item.quantity, 1),
            unit_price=item.unit_price, discount=item.discount, line_total=item.line_total,
            weight_grams=item.weight_grams,
        )
        for order_id, ext in orders.items()
        for item in ext.items
    ]


def orders_upsert_page(*, account: PlatformAccount, orders: Sequence[ExternalOrder], mapper: StatusMapper,
                       couriers: CourierMap) -> UpsertCounts:
    """Mirror one page of platform orders. Idempotent: a second call with the same page writes nothing.
    Runs in one transaction; the account row is locked so two pulls of one account never interleave."""
    counts = UpsertCounts(fetched=len(orders))
    if not orders:
        return counts
    seller = account.seller
    by_id: dict[str, ExternalOrder] = {}
    for ext in orders:
        by_id[ext.external_id] = ext  # a page that repeats an order keeps its last copy
    with transaction.atomic():
        PlatformAccount.objects.select_for_update().filter(pk=account.pk).values_list("pk", flat=True).get()
        existing = {
            external_id: (pk, payload_hash, status)
            for external_id, pk, payload_hash, status in Order.objects.filter(
                account=account, external_id__in=list(by_id)
            ).values_list("external_id", "id", "payload_hash", "status")
        }
        hashes = {external_id: order_payload_hash(ext) for external_id, ext in by_id.items()}
        changed = [ext for eid, ext in by_id.items()
                   if eid not in existing or existing[eid][1] != hashes[eid]]
        counts.unchanged = len(by_id) - len(changed)
        counts.fetched = len(orders)
        if not changed:
            return counts
        now = timezone.now()
        new_orders, updated_orders, events = [], [], []
        customers = _customers_for(seller=seller,
                                   orders=[e for e in changed if e.external_id not in existing])
        for ext in changed:
            current = existing.get(ext.external_id)
            values = _mirror_values(ext, mapper=mapper, couriers=couriers,
                                    current_status=current[2] if current else None)
            values["payload_hash"] = hashes[ext.external_id]
            if values["status_unmapped"]:
                counts.flagged.append(ext.external_id)
            if current is None:
                customer = customers[ext.customer.phone or f"order:{ext.external_id}"]
                new_orders.append(Order(account=account, external_id=ext.external_id, seller=seller,
                                        customer=customer, created_at=ext.created_at or now, **values))
            else:
                order = Order(pk=current[0], account=account, external_id=ext.external_id, updated_at=now,
                              **values)
                updated_orders.append(order)
                if values["status"] != current[2]:
                    events.append(OrderEvent(order_id=current[0], source=EventSource.SYNC,
                                             from_status=current[2], to_status=values["status"],
                                             note=f"{account.platform}: {ext.status}"))
        if new_orders:
            Order.objects.bulk_create(new_orders, batch_size=500)
            events.extend(
                OrderEvent(order_id=o.pk, source=EventSource.SYNC, from_status="", to_status=o.status,
                           note=f"{account.platform}: {o.platform_status}")
                for o in new_orders
            )
        if updated_orders:
            Order.objects.bulk_update(updated_orders, MIRRORED_FIELDS, batch_size=500)
            OrderItem.objects.filter(order_id__in=[o.pk for o in updated_orders]).delete()
        written = {o.pk: by_id[o.external_id] for o in [*new_orders, *updated_orders]}
        OrderItem.objects.bulk_create(_items_for(written, account=account), batch_size=1000)
        if events:
            OrderEvent.objects.bulk_create(events, batch_size=1000)
        counts.created, counts.updated = len(new_orders), len(updated_orders)
    return counts


def pull_window(*, account: PlatformAccount, since: datetime | None, until: datetime | None,
                overlap: timedelta) -> tuple[datetime, datetime]:
    """The time window of the next pull: explicit, or from where the last complete pull ended (minus an
    overlap, so late writes on the platform are seen), or the account's history depth."""
    until = until or timezone.now()
    if since is None:
        synced_until = (account.options or {}).get("orders_synced_until")
        if synced_until:
            since = datetime.fromisoformat(synced_until) - overlap
        else:
            since = until - timedelta(days=account.history_days)
    return since, until


def orders_pull(*, account: PlatformAccount, adapter, since: datetime, until: datetime,
                on_page: Callable[[UpsertCounts, str], None] | None = None) -> UpsertCounts:
    """Pull every page of `account`'s orders in [since, until] and mirror them. Orders whose list row
    lacks items are completed through the detail call. Raises the adapter's IntegrationError; what was
    written before stays written (each page is its own transaction), and a re-run skips it by hash."""
    mapper, couriers = StatusMapper(account.platform), CourierMap()
    total = UpsertCounts()
    for page in adapter.iter_order_pages(since=since, until=until):
        orders = [ext if ext.items_complete else adapter.get_order(ext.external_id) for ext in page.orders]
        counts = orders_upsert_page(account=account, orders=orders, mapper=mapper, couriers=couriers)
        total.add(counts)
        if on_page is not None:
            on_page(counts, page.cursor)
    return total


def orders_mark_synced(*, account: PlatformAccount, until: datetime) -> None:
    options = dict(account.options or {})
    options["orders_synced_until"] = until.isoformat()
    PlatformAccount.objects.filter(pk=account.pk).update(options=options)
    account.options = options


def external_ids(orders: Iterable[ExternalOrder]) -> set[str]:
    return {o.external_id for o in orders}
