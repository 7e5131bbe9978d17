"""Orders between our database and the platforms: the batched, idempotent mirror of pulled orders and
the push of orders created here.

A pull writes its pages in batches of about BATCH_ORDERS orders, one transaction per batch: it looks up
the batch's orders by (account, external_id), skips the ones whose payload hash did not change, and writes
the rest with a constant number of queries per batch (customers, orders, items, events), whatever the
number of orders or pages in it. Platform statuses go through the
StatusMapping table; an unknown word flags the order (`status_unmapped`) instead of being guessed.

One stock across channels: in the same transaction, new live orders (new, processing, ready to ship)
reserve their matched items in the account's warehouse (`account_warehouse_id`), orders that leave the live
states release (canceled) or ship (shipped and later) what they hold — all in bulk: one lock query, one
UPDATE … FROM (VALUES …) and one bulk insert of StockMovement rows per batch. The other accounts of the seller
that list a touched variant get a debounced stock push (integrations.syncing.stock_push_soon).
"""

import hashlib
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from operator import attrgetter
from typing import NamedTuple

from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Listing, StockLevel, StockMovement, Variant, Warehouse
from common.bulk import build, bulk_insert, insert_rows, key_sequence
from common.models import EventSource
from integrations.base import ExternalCustomer, ExternalOrder, ExternalOrderItem
from integrations.exceptions import IntegrationError
from integrations.models import PlatformAccount, SyncRun
from logistics.models import Courier
from orders.models import Customer, Order, OrderEvent, OrderItem, OrderStatus, PaymentStatus
from orders.selectors import status_mapping_table
from orders.services import LIVE_STATES, ORDER_SYNC_TRANSITIONS

# Fields a pull may overwrite on an existing order (never the seller, the customer link or the number).
MIRRORED_FIELDS = (
    "order_no", "invoice_no", "status", "platform_status", "status_unmapped", "payment_method",
    "payment_status", "subtotal", "discount", "shipping_cost", "cod_fee", "other_costs", "grand_total", "courier",
    "courier_service", "notes",
    "payload_hash", "listing_digest", "platform_created_at", "platform_updated_at", "updated_at",
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


_HASHED_ORDER_FIELDS = tuple(f.name for f in fields(ExternalOrder) if f.name not in ("raw", "items_complete"))


_order_values = attrgetter(*_HASHED_ORDER_FIELDS)
_CUSTOMER_AT, _ITEMS_AT = _HASHED_ORDER_FIELDS.index("customer"), _HASHED_ORDER_FIELDS.index("items")
# The dataclasses' own generated __repr__, without the recursion guard wrapped around it (the guard costs
# more than the repr itself, and these values hold no cycles): the same text, so the same hashes.
_customer_repr = getattr(ExternalCustomer.__repr__, "__wrapped__", ExternalCustomer.__repr__)
_item_repr = getattr(ExternalOrderItem.__repr__, "__wrapped__", ExternalOrderItem.__repr__)


class _Verbatim(str):
    """Text that repr() leaves as it is."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


def order_payload_hash(order: ExternalOrder) -> str:
    """A fingerprint of everything we mirror from the platform (not the raw JSON, whose key order and
    volatile fields would make every pull look like a change): the SHA-256 of the repr of the tuple of
    the order's fields but raw and items_complete. The customer and items are rendered through their
    dataclasses' generated reprs directly; the text is the one repr() gives (tests hold it to that)."""
    values = list(_order_values(order))
    values[_CUSTOMER_AT] = _Verbatim(_customer_repr(order.customer))
    items = [_item_repr(item) for item in order.items]
    values[_ITEMS_AT] = _Verbatim(f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})")
    return hashlib.sha256(repr(tuple(values)).encode()).hexdigest()


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
        self.by_word: dict[str, Courier | None] = {}  # as the platform wrote it

    @staticmethod
    def normalise(code: str) -> str:
        return "".join(ch for ch in code.lower() if ch.isalnum())[:32]

    def get(self, code: str) -> Courier | None:
        try:
            return self.by_word[code]
        except KeyError:
            courier = self.by_word[code] = self._get(code)
            return courier

    def _get(self, code: str) -> Courier | None:
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


def _customers_for(*, seller, orders: Sequence[ExternalOrder]) -> tuple[dict[str, int], list[str], list[tuple]]:
    """One Customer per phone (per seller); orders without a phone each get their own. Returns the ids of
    the customers we know by phone, and the keys ("order:<external id>" when there is no phone) and rows
    (CUSTOMER_COLUMNS) of those to create. One query, none when no order has a phone."""
    phones = {o.customer.phone for o in orders if o.customer.phone}
    known: dict[str, int] = {}
    if phones:
        for phone, pk in (Customer.objects.filter(seller=seller, phone__in=phones).order_by("-id")
                          .values_list("phone", "id")):
            known[phone] = pk  # the oldest customer of a phone wins
    return (known, *_new_customers(seller=seller, orders=orders, known=known))


def _new_customers(*, seller, orders: Sequence[ExternalOrder], known: dict[str, int]) -> tuple[list[str], list[tuple]]:
    keys, rows = [], []
    seen = set(known)
    for ext in orders:
        key = ext.customer.phone or f"order:{ext.external_id}"
        if key in seen:
            continue
        seen.add(key)
        c = ext.customer
        keys.append(key)
        rows.append((seller.pk, (c.name or "-")[:200], c.phone, c.email[:254], c.address, c.subdistrict[:100],
                     c.district[:100], c.city[:100], c.province[:100], c.postal_code[:10]))
    return keys, rows


def _customers_and_keys(*, seller, orders: Sequence[ExternalOrder]):
    """_customers_for and the new keys of both tables (the customers to create and `orders`) in ONE query
    (PostgreSQL): the number of customers to create is the phones not found plus the orders without one,
    which the query can count itself. Returns (known, keys, rows, customer keys, order keys)."""
    phones = list({o.customer.phone for o in orders if o.customer.phone})
    without_phone = sum(1 for o in orders if not o.customer.phone)
    with connection.cursor() as cursor:
        customer_seq, order_seq = key_sequence(cursor, Customer), key_sequence(cursor, Order)
        cursor.execute(
            f"WITH known AS (SELECT DISTINCT ON (phone) phone, id FROM {Customer._meta.db_table} "
            "WHERE seller_id = %s AND phone = ANY(%s) ORDER BY phone, id) "
            "SELECT ARRAY(SELECT phone FROM known), ARRAY(SELECT id FROM known), "
            "ARRAY(SELECT nextval(%s::regclass) FROM generate_series(1, %s - (SELECT count(*) FROM known))), "
            "ARRAY(SELECT nextval(%s::regclass) FROM generate_series(1, %s))",
            [seller.pk, phones, customer_seq, len(phones) + without_phone, order_seq, len(orders)],
        )
        known_phones, known_ids, customer_pks, order_pks = cursor.fetchone()
    known = dict(zip(known_phones, known_ids, strict=True))
    keys, rows = _new_customers(seller=seller, orders=orders, known=known)
    return known, keys, rows, customer_pks, order_pks


class CatalogMatch:
    """Our variant ids for the platform's SKUs, and for its variant ids through the account's listings
    (when the platform sends no SKU, as Ngorder's order lists). A pull keeps one: each SKU or variant id
    is asked of the database the first time a page holds it, unmatched ones included, so the pages after
    the first ones of a pull usually need no query for this."""

    def __init__(self, account: PlatformAccount) -> None:
        self.account = account
        self.by_sku: dict[str, int | None] = {}
        self.by_listing: dict[str, int | None] = {}

    def learn(self, orders: Iterable[ExternalOrder]) -> None:
        skus, platform_ids = set(), set()
        for ext in orders:
            for item in ext.items:
                if item.sku:
                    if item.sku not in self.by_sku:
                        skus.add(item.sku)
                elif item.external_variant_id and item.external_variant_id not in self.by_listing:
                    platform_ids.add(item.external_variant_id)
        if skus:
            found = dict(Variant.objects.filter(seller_id=self.account.seller_id, sku__in=skus)
                         .values_list("sku", "id"))
            self.by_sku.update((sku, found.get(sku)) for sku in skus)
        if platform_ids:
            found = dict(Listing.objects.filter(account=self.account, external_id__in=platform_ids,
                                                variant__isnull=False).values_list("external_id", "variant_id"))
            self.by_listing.update((pid, found.get(pid)) for pid in platform_ids)


CUSTOMER_COLUMNS = ("seller_id", "name", "phone", "email", "address", "subdistrict", "district", "city", "province",
                    "postal_code")
ORDER_COLUMNS = ("account_id", "external_id", "seller_id", "customer_id", "created_at", "order_no", "invoice_no",
                 "status", "platform_status", "status_unmapped", "payment_method", "payment_status", "subtotal",
                 "discount", "shipping_cost", "cod_fee", "other_costs", "grand_total", "courier_id",
                 "courier_service", "notes", "platform_created_at", "platform_updated_at", "payload_hash",
                 "listing_digest")
EVENT_COLUMNS = ("order_id", "source", "from_status", "to_status", "note")


class Line(NamedTuple):
    """An order line as written (the columns of OrderItem, in ITEM_COLUMNS order)."""

    order_id: int
    variant_id: int | None
    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    discount: Decimal
    line_total: Decimal
    weight_grams: int


ITEM_COLUMNS = Line._fields


class NewOrder(NamedTuple):
    """What the stock and the events need of an order this page created."""

    pk: int
    order_no: str
    status: str
    status_unmapped: bool
    platform_status: str


def _items_for(orders: dict[int, ExternalOrder], *, account: PlatformAccount,
               catalog: CatalogMatch | None = None) -> list[Line]:
    """Items matched to our variants by SKU, or by the platform's variant id through the account's
    listings when the platform sends no SKU (Ngorder's order lists). Two queries at most."""
    catalog = catalog or CatalogMatch(account)
    catalog.learn(orders.values())
    variants, listed = catalog.by_sku, catalog.by_listing
    return [
        Line(order_id, variants.get(item.sku) if item.sku else listed.get(item.external_variant_id),
             (item.sku or item.external_variant_id or "-")[:64], (item.name or item.sku or "-")[:255],
             max(item.quantity, 1), item.unit_price, item.discount, item.line_total, item.weight_grams)
        for order_id, ext in orders.items()
        for item in ext.items
    ]


def _items_replacing(orders: list[Order], *, by_id: dict[str, ExternalOrder], account: PlatformAccount,
                     catalog: CatalogMatch | None = None) -> list[Line]:
    """The platform's lines for updated orders, after deleting ours. Lines of ours that are matched to
    our catalog are kept when the platform's cannot be matched (an order we pushed, read back from a
    platform without SKUs): the mirror must not lose what we know."""
    fresh = _items_for({o.pk: by_id[o.external_id] for o in orders}, account=account, catalog=catalog)
    unmatched = {item.order_id for item in fresh if item.variant_id is None}
    keep = set(
        OrderItem.objects.filter(order_id__in=unmatched, variant__isnull=False).values_list("order_id", flat=True)
    ) if unmatched else set()
    OrderItem.objects.filter(order_id__in=[o.pk for o in orders if o.pk not in keep]).delete()
    return [item for item in fresh if item.order_id not in keep]


def orders_upsert_page(*, account: PlatformAccount, orders: Sequence[ExternalOrder], mapper: StatusMapper,
                       couriers: CourierMap, commit_async: bool = True,
                       catalog: CatalogMatch | None = None, look_first: bool = False,
                       listing_digests: Mapping[str, str] | None = None) -> UpsertCounts:
    """Mirror a page or batch of platform orders (orders_pull hands it several pages at once; an order
    listed twice keeps its last copy). Idempotent: a second call with the same orders writes nothing.
    Runs in one transaction; the account row is locked so two pulls of one account never interleave.
    `commit_async` False: the caller already made this session's commits asynchronous (orders_pull);
    `catalog`: the pull's CatalogMatch (default: one for this call). `look_first`: compare the hashes
    before taking the lock, outside a transaction, and stop there when nothing changed (one query for an
    unchanged batch instead of a transaction; a changed one then costs one query more). `listing_digests`:
    external id -> digest of the list row each order came from, stored with the orders written."""
    counts = UpsertCounts(fetched=len(orders))
    listing_digests = listing_digests or {}
    if not orders:
        return counts
    seller = account.seller
    by_id: dict[str, ExternalOrder] = {}
    for ext in orders:
        by_id[ext.external_id] = ext  # an order listed twice keeps its last copy
    hashes = {external_id: order_payload_hash(ext) for external_id, ext in by_id.items()}
    if look_first and not connection.in_atomic_block:
        known = dict(_mirrored_values(account, list(by_id), "payload_hash"))
        if all(known.get(eid) == digest for eid, digest in hashes.items()):
            counts.unchanged = len(by_id)
            return counts
    with transaction.atomic():
        if commit_async and connection.vendor == "postgresql":
            # A page lost in a crash is fetched again by the next pull (the mirror is idempotent), so
            # its commit need not wait for the disk flush.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        existing = _lock_and_find(account, list(by_id))
        changed = [ext for eid, ext in by_id.items()
                   if eid not in existing or existing[eid][1] != hashes[eid]]
        counts.unchanged = len(by_id) - len(changed)
        counts.fetched = len(orders)
        if not changed:
            return counts
        now = timezone.now()
        new_rows, new_ids, updated_orders, events = [], [], [], []
        created = [e for e in changed if e.external_id not in existing]
        if connection.vendor == "postgresql" and created:
            customers, customer_keys, customer_rows, customer_pks, order_pks = _customers_and_keys(
                seller=seller, orders=created)
        else:
            customers, customer_keys, customer_rows = _customers_for(seller=seller, orders=created)
            customer_pks = order_pks = True
        customers.update(zip(customer_keys, insert_rows(Customer, CUSTOMER_COLUMNS, customer_rows,
                                                        keys=customer_pks), strict=True))
        for ext in changed:
            current = existing.get(ext.external_id)
            values = _mirror_values(ext, mapper=mapper, couriers=couriers,
                                    current_status=current[2] if current else None)
            values["payload_hash"] = hashes[ext.external_id]
            values["listing_digest"] = listing_digests.get(ext.external_id, "")
            if values["status_unmapped"]:
                counts.flagged.append(ext.external_id)
            if current is None:
                courier = values["courier"]
                new_ids.append(ext.external_id)
                new_rows.append((
                    account.pk, ext.external_id, seller.pk, customers[ext.customer.phone or f"order:{ext.external_id}"],
                    ext.created_at or now, values["order_no"], values["invoice_no"], values["status"],
                    values["platform_status"], values["status_unmapped"], values["payment_method"],
                    values["payment_status"], values["subtotal"], values["discount"], values["shipping_cost"],
                    values["cod_fee"], values["other_costs"], values["grand_total"],
                    courier.pk if courier is not None else None, values["courier_service"], values["notes"],
                    values["platform_created_at"], values["platform_updated_at"], values["payload_hash"],
                    values["listing_digest"],
                ))
            else:
                order = Order(pk=current[0], account=account, external_id=ext.external_id, updated_at=now,
                              **values)
                updated_orders.append(order)
                if values["status"] != current[2]:
                    events.append((current[0], EventSource.SYNC, current[2], values["status"],
                                   f"{account.platform}: {ext.status}"))
        new_orders = [
            NewOrder(pk, row[5], row[7], row[9], row[8])
            for pk, row in zip(insert_rows(Order, ORDER_COLUMNS, new_rows, keys=order_pks), new_rows, strict=True)
        ]
        items = _items_for({o.pk: by_id[eid] for o, eid in zip(new_orders, new_ids, strict=True)},
                           account=account, catalog=catalog)
        if updated_orders:
            # Our order number stays: an order we pushed keeps the number staff and stock movements know.
            Order.objects.bulk_update(updated_orders, [f for f in MIRRORED_FIELDS if f != "order_no"],
                                      batch_size=500)
            items.extend(_items_replacing(updated_orders, by_id=by_id, account=account, catalog=catalog))
        insert_rows(OrderItem, ITEM_COLUMNS, items)
        leaving = [o for o in updated_orders
                   if o.status not in LIVE_STATES and o.status != existing[o.external_id][2]]
        shortfalls = _move_stock(account=account, new_orders=new_orders, leaving=leaving, items=items)
        platform = account.platform
        events.extend(
            (o.pk, EventSource.SYNC, "", o.status,
             "\n".join([f"{platform}: {o.platform_status}", *shortfalls[o.pk]]) if o.pk in shortfalls
             else f"{platform}: {o.platform_status}")
            for o in new_orders
        )
        insert_rows(OrderEvent, EVENT_COLUMNS, events)
        counts.created, counts.updated = len(new_orders), len(updated_orders)
    return counts


def _mirrored(account: PlatformAccount, external_ids: list[str]):
    """The account's orders with these external ids. The condition repeats the unique index's own
    (external_id not empty), so PostgreSQL picks that index even while its statistics still describe the
    nearly empty table of a first pull; otherwise it may scan every order of the account per page."""
    return Order.objects.filter(account=account, external_id__in=external_ids).exclude(external_id="").order_by()


# One probe of the unique index (account_id, external_id) per external id ("NOT o.external_id = ''" is its
# condition; LIMIT 1 keeps each probe a subquery of its own): while a first pull grows the table its
# statistics still describe a few rows, and `external_id = ANY(…)` as a filter then got a scan of every
# order of the account, per batch, slower as the pull went on.
_PROBE = ("unnest(%s::varchar[]) AS x(external_id) CROSS JOIN LATERAL (SELECT {columns} FROM "
          f"{Order._meta.db_table} AS o WHERE o.account_id = %s AND o.external_id = x.external_id AND NOT "
          "o.external_id = '' LIMIT 1) AS o")


def _mirrored_values(account: PlatformAccount, external_ids: list[str], *columns: str) -> list[tuple]:
    """(external id, *columns) of the account's orders with these external ids, in one query."""
    if connection.vendor != "postgresql":
        return list(_mirrored(account, external_ids).values_list("external_id", *columns))
    with connection.cursor() as cursor:
        probe = _PROBE.format(columns=", ".join(f"o.{column}" for column in columns))
        cursor.execute(f"SELECT x.external_id, {', '.join(f'o.{c}' for c in columns)} FROM {probe}",
                       [external_ids, account.pk])
        return cursor.fetchall()


def _lock_and_find(account: PlatformAccount, external_ids: list[str]) -> dict[str, tuple[int, str, str]]:
    """Lock the account row (pulls of one account never interleave) and read the batch's orders we already
    have: external id -> (pk, payload hash, status). One query on PostgreSQL."""
    if connection.vendor != "postgresql":
        PlatformAccount.objects.select_for_update().filter(pk=account.pk).values_list("pk", flat=True).get()
        return {
            external_id: (pk, payload_hash, status)
            for external_id, pk, payload_hash, status in _mirrored(account, external_ids).values_list(
                "external_id", "id", "payload_hash", "status")
        }
    with connection.cursor() as cursor:
        probe = _PROBE.format(columns="o.external_id, o.id, o.payload_hash, o.status")
        cursor.execute(  # the lock, then the probes (see _PROBE)
            f"SELECT o.external_id, o.id, o.payload_hash, o.status FROM (SELECT id FROM "
            f"{PlatformAccount._meta.db_table} WHERE id = %s FOR UPDATE) AS a LEFT JOIN ({probe}) ON true",
            [account.pk, external_ids, account.pk],
        )
        rows = cursor.fetchall()
    if not rows:
        raise PlatformAccount.DoesNotExist(f"platform account {account.pk} is gone")
    return {external_id: (pk, payload_hash, status)
            for external_id, pk, payload_hash, status in rows if pk is not None}


# ------------------------------------------------------------------------------------------------ stock


def account_warehouse_id(account: PlatformAccount) -> int | None:
    """The warehouse an account's orders ship from and reserve in: options["warehouse_code"], else the
    seller's first active private warehouse, else the first active fulfilment warehouse."""
    active = Warehouse.objects.filter(is_active=True)
    code = (account.options or {}).get("warehouse_code")
    if code:
        found = (active.filter(code=code).filter(Q(seller__isnull=True) | Q(seller_id=account.seller_id))
                 .values_list("id", flat=True).first())
        if found:
            return found
    if account.seller_id:
        found = (active.filter(kind=Warehouse.Kind.PRIVATE, seller_id=account.seller_id).order_by("id")
                 .values_list("id", flat=True).first())
        if found:
            return found
    return active.filter(kind=Warehouse.Kind.FULFILMENT).order_by("id").values_list("id", flat=True).first()


def stock_apply_deltas(deltas: dict[tuple[int, int], tuple[int, int]]) -> None:
    """Add (on_hand, reserved) deltas to the stock levels keyed (variant_id, warehouse_id), in ONE
    statement. The caller has locked the rows and checked the result stays within the constraints."""
    rows = [(v, w, dh, dr) for (v, w), (dh, dr) in sorted(deltas.items()) if dh or dr]
    if not rows:
        return
    if connection.vendor != "postgresql":
        stock_apply_deltas_per_row(rows)
        return
    values = ", ".join(["(%s::bigint, %s::bigint, %s::integer, %s::integer)"] * len(rows))
    table = StockLevel._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS s SET on_hand = s.on_hand + v.dh, reserved = s.reserved + v.dr, "
            f"updated_at = %s FROM (VALUES {values}) AS v(variant_id, warehouse_id, dh, dr) "
            "WHERE s.variant_id = v.variant_id AND s.warehouse_id = v.warehouse_id",
            [timezone.now(), *[x for row in rows for x in row]],
        )


def stock_apply_deltas_per_row(rows: list[tuple[int, int, int, int]]) -> None:
    """One UPDATE per (variant, warehouse, on_hand delta, reserved delta): for databases without UPDATE … FROM
    (VALUES …) casts, i.e. the SQLite demo."""
    now = timezone.now()
    for variant_id, warehouse_id, on_hand_delta, reserved_delta in rows:
        StockLevel.objects.filter(variant_id=variant_id, warehouse_id=warehouse_id).update(
            on_hand=F("on_hand") + on_hand_delta, reserved=F("reserved") + reserved_delta, updated_at=now)


def _move_stock(*, account: PlatformAccount, new_orders: list[NewOrder], leaving: list[Order],
                items: list[Line]) -> dict[int, list[str]]:
    """Reserve for new live orders, release (canceled) or ship (shipped and later) for orders leaving the
    live states; a constant number of queries whatever the page size. Returns shortfall notes by order id.
    Orders with an unknown platform status reserve nothing (staff decide once the word is mapped)."""
    reserving = {o.pk: o for o in new_orders if o.status in LIVE_STATES and not o.status_unmapped}
    wanted: dict[int, dict[int, int]] = {}  # order id -> variant id -> quantity
    skus: dict[int, str] = {}
    for item in items:
        if item.order_id in reserving and item.variant_id:
            per_order = wanted.setdefault(item.order_id, {})
            per_order[item.variant_id] = per_order.get(item.variant_id, 0) + item.quantity
            skus[item.variant_id] = item.sku
    held: dict[str, dict[tuple[int, int], int]] = {}
    if leaving:
        rows = (StockMovement.objects.filter(reference__in={o.order_no for o in leaving},
                                             variant__seller_id=account.seller_id)
                .values("reference", "variant_id", "warehouse_id").annotate(held=Sum("reserved_delta"))
                .order_by())
        for row in rows:
            if row["held"] > 0:
                held.setdefault(row["reference"], {})[(row["variant_id"], row["warehouse_id"])] = row["held"]
    warehouse_id = account_warehouse_id(account) if wanted else None
    if not held and (not wanted or warehouse_id is None):
        return {}
    variant_ids = {v for per_order in wanted.values() for v in per_order} | {
        v for per_ref in held.values() for v, _w in per_ref}
    levels = {
        (variant_id, wh): [on_hand, reserved]
        for variant_id, wh, on_hand, reserved in StockLevel.objects.select_for_update()
        .filter(variant_id__in=variant_ids).order_by("id")
        .values_list("variant_id", "warehouse_id", "on_hand", "reserved")
    }
    deltas: dict[tuple[int, int], tuple[int, int]] = {}
    movements: list[StockMovement] = []

    def add(key, on_hand_delta, reserved_delta, *, reason, reference, note=""):
        level = levels[key]
        level[0] += on_hand_delta
        level[1] += reserved_delta
        dh, dr = deltas.get(key, (0, 0))
        deltas[key] = (dh + on_hand_delta, dr + reserved_delta)
        movements.append(build(StockMovement, variant_id=key[0], warehouse_id=key[1],
                               on_hand_delta=on_hand_delta, reserved_delta=reserved_delta, reason=reason,
                               reference=reference, note=note))

    for order in leaving:  # first give back, so that this page's new orders can use it
        ship = order.status != OrderStatus.CANCELED
        for key, quantity in sorted(held.get(order.order_no, {}).items()):
            if key not in levels:
                continue
            quantity = min(quantity, levels[key][1])
            if quantity > 0:
                add(key, -quantity if ship else 0, -quantity, reference=order.order_no,
                    reason=StockMovement.Reason.SHIPMENT if ship else StockMovement.Reason.RELEASE,
                    note=f"{account.platform}: {order.platform_status}")
    shortfalls: dict[int, list[str]] = {}
    reserved_orders: list[int] = []
    for order_id in sorted(wanted) if warehouse_id is not None else ():  # oldest first gets the stock
        order = reserving[order_id]
        for variant_id, quantity in sorted(wanted[order_id].items()):
            key = (variant_id, warehouse_id)
            level = levels.get(key)
            available = max(level[0] - level[1], 0) if level else 0
            take = min(quantity, available)
            short = ""
            if take < quantity:
                short = _("%(sku)s: %(wanted)d ordered, %(taken)d reserved, %(short)d short.") % {
                    "sku": skus[variant_id], "wanted": quantity, "taken": take, "short": quantity - take}
                shortfalls.setdefault(order_id, []).append(short)
            if take:
                add(key, 0, take, reason=StockMovement.Reason.RESERVATION, reference=order.order_no, note=short)
        reserved_orders.append(order_id)
    stock_apply_deltas(deltas)
    if movements:
        bulk_insert(movements, set_pks=False)
    if reserved_orders:
        Order.objects.filter(pk__in=reserved_orders, warehouse__isnull=True).update(warehouse_id=warehouse_id)
    touched = {key[0] for key in deltas}
    if touched:
        _queue_stock_push_elsewhere(account=account, variant_ids=touched)
    return shortfalls


def _queue_stock_push_elsewhere(*, account: PlatformAccount, variant_ids: set[int]) -> None:
    """A debounced stock push for every other enabled account of the seller listing a touched variant."""
    from integrations.syncing import SUPPORTED_KINDS, stock_push_soon

    platforms = [p for p, kinds in SUPPORTED_KINDS.items() if SyncRun.Kind.STOCK_PUSH in kinds]
    account_ids = set(
        Listing.objects.filter(variant_id__in=variant_ids, account__seller_id=account.seller_id,
                               account__is_enabled=True, account__platform__in=platforms)
        .exclude(account_id=account.pk).values_list("account_id", flat=True).distinct()
    )
    for other in PlatformAccount.objects.filter(pk__in=account_ids).order_by("pk"):
        stock_push_soon(account=other)


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


BATCH_ORDERS = 500  # a pull writes its pages in batches of about this many orders, one transaction each
BATCH_SECONDS = 2.0  # ... or of the pages fetched within this time, so a slow platform's orders still show soon
PREFETCH_PAGES = 8  # pages fetched ahead while a batch is written


class _PendingBatch:
    """Fetched pages waiting to be written together."""

    def __init__(self) -> None:
        self.pages: list = []
        self.orders = 0
        self.started = 0.0

    def add(self, page) -> None:
        if not self.pages:
            self.started = time.monotonic()
        self.pages.append(page)
        self.orders += len(page.orders) + len(page.unchanged)

    def full(self) -> bool:
        return self.orders >= BATCH_ORDERS or time.monotonic() - self.started >= BATCH_SECONDS


def orders_pull(*, account: PlatformAccount, adapter, since: datetime, until: datetime,
                on_page: Callable[[UpsertCounts, str, int | None], None] | None = None) -> UpsertCounts:
    """Pull every page of `account`'s orders in [since, until] and mirror them. Orders whose list row
    lacks items are completed through the detail call. Raises the adapter's IntegrationError.

    Pages are written in batches (BATCH_ORDERS orders, or what came within BATCH_SECONDS, or what is
    left at the end), each in ONE transaction: the fixed costs of a write (the lock and look-up, the
    COPYs, the commit) are paid per batch, not per page. `on_page` is called after each batch commits,
    with its counts and the cursor of its last page, so the run records only what is really written.
    A pull that stops (an error, a killed worker) leaves whole batches behind; the next pull fetches the
    rest again and skips what it finds by hash. When fetching fails, the pages fetched before the error
    are written first."""
    mapper, couriers, catalog = StatusMapper(account.platform), CourierMap(), CatalogMatch(account)
    total = UpsertCounts()
    batch = _PendingBatch()
    unchanged_before = True  # the last batch changed nothing: look before locking (see orders_upsert_page)
    ask_known = True  # whether to look up the stored update times of list rows without items

    def write() -> None:
        nonlocal unchanged_before, ask_known, batch
        pages, batch = batch.pages, _PendingBatch()
        listed = [ext for page in pages for ext in page.orders]
        same_listing = len({eid for page in pages for eid in page.unchanged})
        listing_digests = {eid: digest for page in pages for eid, digest in page.listing_digests.items()}
        incomplete = [o.external_id for o in listed if not o.items_complete]
        # While batches hold only orders we do not have (a first pull), the look-up finds nothing: it is
        # skipped until a batch writes something other than new orders. Skipping it costs at worst
        # detail calls that were not needed, never a wrong mirror.
        known = _known_update_times(account, incomplete) if ask_known else {}
        orders, skipped = [], 0
        for ext in listed:
            if ext.items_complete:
                orders.append(ext)
            elif ext.updated_at is not None and known.get(ext.external_id) == ext.updated_at:
                skipped += 1  # the platform says it has not changed since we stored it: no detail call
            else:
                orders.append(adapter.get_order(ext.external_id))
        counts = orders_upsert_page(account=account, orders=orders, mapper=mapper, couriers=couriers,
                                    commit_async=not session_async, catalog=catalog,
                                    look_first=unchanged_before, listing_digests=listing_digests)
        unchanged_before = counts.unchanged == counts.fetched
        # Rows listed as unchanged say a re-pull is under way: the update times are worth looking up.
        ask_known = bool(known) or same_listing > 0 or counts.created < counts.fetched
        counts.fetched += skipped + same_listing
        counts.unchanged += skipped + same_listing
        total.add(counts)
        if on_page is not None:
            on_page(counts, pages[-1].cursor, pages[-1].total)

    with asynchronous_commits() as session_async:
        try:
            pages = adapter.iter_order_pages(since=since, until=until,
                                             known_listings=partial(_same_listings, account))
            for page in prefetched(pages, depth=PREFETCH_PAGES,
                                   idle_after=BATCH_SECONDS):
                if page is not IDLE:
                    batch.add(page)
                if batch.pages and (page is IDLE or batch.full()):
                    write()
        except IntegrationError:
            if batch.pages:
                write()  # what came before the error is written; the error still ends the pull
            raise
        if batch.pages:
            write()
    if total.created >= ANALYZE_AFTER_CREATED:
        _analyze_order_tables()
    return total


@contextmanager
def asynchronous_commits() -> Iterator[bool]:
    """While a pull runs, its commits (each page, the run's progress) do not wait for the disk flush: a
    page lost in a crash is fetched again by the next pull, which skips what it finds by hash. Yields
    whether it could (PostgreSQL outside a transaction). The setting is restored afterwards, so the commit
    that records the pull as complete (orders_mark_synced) is flushed, and with it every page before it."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield False
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield True
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        except DatabaseError:
            connection.close()  # a broken connection: the next query opens one with the default setting


ANALYZE_AFTER_CREATED = 10_000  # a pull that grew the tables this much refreshes the planner's statistics


def _same_listings(account: PlatformAccount, digests: dict[str, str]) -> set[str]:
    """The external ids whose order was last written from a list row with this digest (KnownListings).
    Runs in the page-fetching thread, on that thread's own connection."""
    return {external_id for external_id, stored in _mirrored_values(account, list(digests), "listing_digest")
            if stored and stored == digests[external_id]}


def _known_update_times(account: PlatformAccount, external_ids: list[str]) -> dict[str, datetime]:
    if not external_ids:
        return {}
    rows = _mirrored_values(account, external_ids, "platform_updated_at")
    return {external_id: updated for external_id, updated in rows if updated is not None}


def _analyze_order_tables() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Order, OrderItem, OrderEvent, Customer):
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')


PREFETCH_SWITCH_INTERVAL = 0.0005  # seconds


IDLE = object()  # what prefetched() yields when no page came within its idle_after


def prefetched(pages: Iterator, *, depth: int = 1, idle_after: float | None = None) -> Iterator:
    """Iterate `pages` while a background thread already fetches the next ones (up to `depth` ahead), so
    the platform's HTTP time and our database time overlap. Errors of the fetching side are raised here,
    in order; when the consumer stops early, the fetching thread stops after the page it is on.
    `idle_after`: yield IDLE each time no page came within that many seconds (the consumer may then write
    what it holds instead of waiting on a slow platform)."""
    box: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def hand_over(item) -> bool:
        while not stop.is_set():
            try:
                box.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def fetch() -> None:
        from django.db import connections

        try:
            for page in pages:
                if not hand_over((page, None)):
                    return
            hand_over((done, None))
        except BaseException as exc:  # handed over to the consuming thread
            hand_over((None, exc))
        finally:
            connections.close_all()  # this thread's own connections (the shared rate limiter's)

    worker = threading.Thread(target=fetch, name="order-page-prefetch", daemon=True)
    # The fetching thread decodes and maps pages in Python, holding the GIL; each reply the database sends
    # this thread would wait out up to the default switch interval (5 ms) before it runs again, many
    # times per page. A shorter interval while both run hands the GIL back sooner.
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(min(switch_interval, PREFETCH_SWITCH_INTERVAL))
    worker.start()
    try:
        while True:
            try:
                page, error = box.get(timeout=idle_after)
            except queue.Empty:
                yield IDLE
                continue
            if error is not None:
                raise error
            if page is done:
                return
            yield page
    finally:
        stop.set()
        worker.join(timeout=60)
        sys.setswitchinterval(switch_interval)


def orders_mark_synced(*, account: PlatformAccount, until: datetime) -> None:
    options = dict(account.options or {})
    options["orders_synced_until"] = until.isoformat()
    PlatformAccount.objects.filter(pk=account.pk).update(options=options)
    account.options = options


def external_ids(orders: Iterable[ExternalOrder]) -> set[str]:
    return {o.external_id for o in orders}
