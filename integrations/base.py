"""What the rest of the project may know about external platforms: frozen dataclasses and the
protocols an adapter implements. Platform JSON never crosses this line; mappers translate both ways."""

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Protocol, runtime_checkable

# Orders ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExternalCustomer:
    name: str
    phone: str = ""  # E.164, normalised by the mapper
    email: str = ""
    address: str = ""
    subdistrict: str = ""
    district: str = ""
    city: str = ""
    province: str = ""
    postal_code: str = ""


@dataclass(frozen=True, slots=True)
class ExternalOrderItem:
    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    line_total: Decimal
    discount: Decimal = Decimal("0")
    weight_grams: int = 0
    external_product_id: str = ""
    external_variant_id: str = ""


@dataclass(frozen=True, slots=True)
class ExternalOrder:
    """An order as a platform reports it, in our units. Statuses stay the platform's own words: the
    sync maps them through StatusMapping so that an unknown word is flagged, never guessed."""

    external_id: str
    order_no: str
    status: str  # the platform's order-status word (kind "order")
    payment_method: str  # ours: cod, bank_transfer, e_payment
    customer: ExternalCustomer
    items: tuple[ExternalOrderItem, ...]
    subtotal: Decimal
    grand_total: Decimal
    discount: Decimal = Decimal("0")
    shipping_cost: Decimal = Decimal("0")
    cod_fee: Decimal = Decimal("0")
    payment_status: str = ""  # the platform's payment word (kind "payment"), "" when it has none
    progress_status: str = ""  # Ngorder's order_progress_status (kind "progress")
    invoice_no: str = ""
    courier_code: str = ""
    courier_service: str = ""
    awb: str = ""
    notes: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    items_complete: bool = True  # False when a list row lacks items and the detail call must fill them
    raw: dict = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class OrderPage:
    orders: tuple[ExternalOrder, ...]
    cursor: str = ""  # where the next page starts (page number, offset or cursor), for the SyncRun
    total: int | None = None  # what the platform reports, when it does
    # Listed orders the caller already holds from the very same list row (see KnownListings): not mapped.
    unchanged: tuple[str, ...] = ()
    listing_digests: Mapping[str, str] = field(default_factory=dict)  # external id -> its list row's digest


# Given {external id: digest of its list row}, the ids whose stored digest is the same. A pull hands it to
# iter_order_pages so that rows it already mirrored from the very same row are not mapped again.
KnownListings = Callable[[dict[str, str]], set[str]]


@cache
def mapper_fingerprint(mappers: ModuleType) -> bytes:
    """The platform's mapper source: part of every listing digest, so a changed mapper maps every row again."""
    return hashlib.blake2b(Path(mappers.__file__).read_bytes(), digest_size=16).digest()


def listing_digest(row, mappers: ModuleType) -> str:
    """A digest of one decoded list row (repr of JSON's dicts, lists and scalars is deterministic) and of the
    mapper that reads it: the same digest means the same ExternalOrder, without mapping the row."""
    return hashlib.blake2b(mapper_fingerprint(mappers) + repr(row).encode(), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class ListedRows:
    """One list page's rows by external id, split into those to map and those the caller already holds."""

    digests: dict[str, str]
    known: frozenset[str]

    @classmethod
    def of(cls, rows: Iterable, *, external_id: Callable[[object], str], mappers: ModuleType,
           known_listings: KnownListings | None) -> "ListedRows":
        """`external_id` reads a row's id without mapping it ("" when it has none: such a row is mapped, and
        its mapper says what is wrong with it)."""
        digests = {eid: listing_digest(row, mappers) for row in rows if (eid := external_id(row))}
        known = known_listings(digests) if known_listings is not None and digests else set()
        return cls(digests=digests, known=frozenset(known))

    def known_in_order(self) -> tuple[str, ...]:
        """The known ids in the order of the rows."""
        return tuple(eid for eid in self.digests if eid in self.known)


@dataclass(frozen=True, slots=True)
class OrderItemPayload:
    sku: str
    name: str
    quantity: int
    unit_price: Decimal
    weight_grams: int
    external_product_id: str = ""
    external_variant_id: str = ""


@dataclass(frozen=True, slots=True)
class OrderPayload:
    """An order created here, to be sent to a platform."""

    order_no: str
    payment_method: str
    customer: ExternalCustomer
    items: tuple[OrderItemPayload, ...]
    subtotal: Decimal
    grand_total: Decimal
    discount: Decimal = Decimal("0")
    shipping_cost: Decimal = Decimal("0")
    cod_fee: Decimal = Decimal("0")
    courier_code: str = ""
    courier_service: str = ""
    notes: str = ""
    sender_name: str = ""
    sender_phone: str = ""


# Products -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExternalVariant:
    external_id: str
    sku: str
    name: str
    price: Decimal
    stock: int | None = None
    weight_grams: int = 0
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ExternalProduct:
    external_id: str
    name: str
    variants: tuple[ExternalVariant, ...]
    description: str = ""
    is_active: bool = True
    updated_at: datetime | None = None
    raw: dict = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class ProductPage:
    products: tuple[ExternalProduct, ...]
    cursor: str = ""
    total: int | None = None


@dataclass(frozen=True, slots=True)
class VariantPayload:
    sku: str
    name: str
    price: Decimal
    stock: int
    weight_grams: int
    options: tuple[tuple[str, str], ...] = ()
    external_id: str = ""
    length_cm: Decimal | None = None  # None: not recorded
    width_cm: Decimal | None = None
    height_cm: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ProductPayload:
    name: str
    description: str
    variants: tuple[VariantPayload, ...]
    category: str = ""
    external_id: str = ""  # set for updates
    is_active: bool = True  # published / sellable on the platform


@dataclass(frozen=True, slots=True)
class StockUpdate:
    external_product_id: str
    external_variant_id: str
    sku: str
    quantity: int


# Protocols ------------------------------------------------------------------------------------------


@runtime_checkable
class OrderSource(Protocol):
    """Every platform: read orders."""

    def iter_order_pages(self, *, since: datetime, until: datetime,
                         known_listings: KnownListings | None = None) -> Iterator[OrderPage]: ...

    def get_order(self, external_id: str) -> ExternalOrder: ...

    def check_connection(self) -> None:
        """Read one row of the order list; raise an IntegrationError when refused."""
        ...


@runtime_checkable
class OrderSink(Protocol):
    """Platforms that accept orders (and, where documented, status changes and cancellation)."""

    def create_order(self, payload: OrderPayload) -> str:
        """Create the order; return the platform's id."""
        ...

    def find_order(self, order_no: str) -> str | None:
        """The platform's id of an order we sent before (a retry after a timeout), or None."""
        ...


@runtime_checkable
class Catalog(Protocol):
    """Platforms that hold our products."""

    def iter_product_pages(self) -> Iterator[ProductPage]: ...

    def create_product(self, payload: ProductPayload) -> ExternalProduct: ...

    def update_product(self, payload: ProductPayload) -> ExternalProduct: ...

    def delete_product(self, external_id: str) -> None: ...

    def push_stock(self, updates: tuple[StockUpdate, ...]) -> None: ...


# Finance: balances, balance transactions, withdrawals ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExternalBalance:
    available: Decimal  # what the seller may withdraw now
    pending: Decimal = Decimal("0")  # held or not yet settled on the platform


@dataclass(frozen=True, slots=True)
class ExternalTransaction:
    external_id: str
    entry_type: str  # a finance LedgerEntry.Type value
    amount: Decimal  # signed: + credits the seller
    occurred_at: datetime | None = None
    description: str = ""
    reference: str = ""
    platform_type: str = ""  # the platform's own code, kept for the reconciliation screen


@dataclass(frozen=True, slots=True)
class TransactionPage:
    transactions: tuple[ExternalTransaction, ...]
    cursor: str = ""
    total: int | None = None


@dataclass(frozen=True, slots=True)
class ExternalWithdrawal:
    external_id: str
    status: str  # the platform's status word, unchanged
    amount: Decimal
    bank_name: str = ""
    account_name: str = ""
    account_number: str = ""
    partner_id: str = ""  # whose withdrawal (an admin list holds every partner's)
    notes: str = ""
    requested_at: datetime | None = None
    updated_at: datetime | None = None
    transfer_proof_url: str = ""


@dataclass(frozen=True, slots=True)
class WithdrawalPage:
    withdrawals: tuple[ExternalWithdrawal, ...]
    cursor: str = ""
    total: int | None = None


@runtime_checkable
class BalanceSource(Protocol):
    def get_balance(self) -> ExternalBalance: ...


@runtime_checkable
class WithdrawalDesk(Protocol):
    """The platform's withdrawal review desk (Komship admin): list, detail, and status updates."""

    def iter_withdrawal_pages(self, *, since: datetime, until: datetime,
                              status: str = "") -> Iterator[WithdrawalPage]: ...

    def get_withdrawal(self, external_id: str) -> ExternalWithdrawal: ...

    def update_withdrawal(self, external_id: str, *, status: str, notes: str = "",
                          transfer_proof: tuple[str, bytes, str] | None = None) -> ExternalWithdrawal: ...


# Logistics: quotes, AWB and labels, tracking, pickups -----------------------------------------------


@dataclass(frozen=True, slots=True)
class ShippingRate:
    """One courier service a platform offers for a parcel, in our units (rupiah, grams)."""

    courier_code: str  # lower case: jne, jnt, sicepat, sap, ...
    courier_name: str
    service_code: str
    service_name: str
    cost: Decimal
    cod_fee: Decimal = Decimal("0")
    etd: str = ""  # "2-3" days, as the platform words it
    external_id: str = ""  # the platform's rate / courier-service id, when it has one


@dataclass(frozen=True, slots=True)
class TrackingCheckpoint:
    """One step of a parcel's timeline. `shipment_status` is ours (logistics ShipmentStatus value), mapped by
    the platform's mapper; "" when the step says nothing about the state (a hub scan)."""

    occurred_at: datetime
    description: str
    status_code: str = ""
    location: str = ""
    shipment_status: str = ""


@dataclass(frozen=True, slots=True)
class TrackingTimeline:
    awb: str
    checkpoints: tuple[TrackingCheckpoint, ...]
    platform_status: str = ""  # the platform's last status word, shown as is
    shipment_status: str = ""  # ours, mapped from the last status the platform reports


@dataclass(frozen=True, slots=True)
class AwbResult:
    external_order_id: str
    awb: str = ""
    error: str = ""  # the platform's message when it refused this order

    @property
    def ok(self) -> bool:
        return bool(self.awb) and not self.error


@dataclass(frozen=True, slots=True)
class PickupPayload:
    """A pickup we ask a platform for: the orders (platform ids) and when, where and how."""

    external_order_ids: tuple[str, ...]
    pickup_date: date
    time_from: time
    vehicle: str  # ours: motor, mobil, truk
    contact_name: str
    contact_phone: str  # E.164
    address: str = ""
    address_id: str = ""
    courier_code: str = ""


@dataclass(frozen=True, slots=True)
class PickupResult:
    external_id: str  # the platform's pickup id ("" when the platform has none, e.g. Ngorder)
    accepted: tuple[str, ...]  # platform order ids the platform took
    refused: tuple[tuple[str, str], ...] = ()  # (platform order id, message)


@dataclass(frozen=True, slots=True)
class ExternalPickup:
    external_id: str
    status: str  # the platform's word
    our_status: str  # logistics PickupRequest.Status value, "" when the word is unknown
    pickup_date: date | None = None
    pickup_time: str = ""
    vehicle: str = ""
    external_order_ids: tuple[str, ...] = ()
    raw: dict = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class LabelFile:
    content: bytes  # a PDF
    filename: str = "label.pdf"


@runtime_checkable
class Carrier(Protocol):
    """Platforms that quote shipping and track parcels (DESIGN §1)."""

    def shipping_rates(self, *, origin: str, destination: str, weight_grams: int, cod_value: Decimal,
                       item_value: Decimal) -> tuple[ShippingRate, ...]: ...

    def track(self, *, awb: str, courier_code: str, external_order_id: str) -> TrackingTimeline: ...


# Tickets and claims (Support) -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str
    content: bytes = field(repr=False)
    content_type: str


@dataclass(frozen=True, slots=True)
class ExternalTicketMessage:
    external_id: str
    body: str
    from_us: bool  # written from our side of the platform (the seller's partner account)
    author_name: str = ""
    attachment_urls: tuple[str, ...] = ()
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ExternalClaim:
    external_id: str
    status: str  # ours: on_review, accepted, rejected ("" when the platform's word is unknown)
    platform_status: str
    notes: str = ""
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ExternalTicket:
    """A support ticket as the platform reports it. A list row carries no thread (`complete` False);
    the detail does."""

    external_id: str
    number: str
    status: str  # ours (open, in_progress, waiting, resolved, canceled); "" when the word is unknown
    platform_status: str
    type: str  # ours (delivery, pickup, return, damaged, lost, cod, other)
    priority: str  # ours (normal, high)
    awb: str = ""
    courier_code: str = ""
    customer_name: str = ""
    partner_ref: str = ""  # the platform's partner id, on lists that serve several partners
    description: str = ""
    attachment_urls: tuple[str, ...] = ()
    unread: bool = False  # the other side wrote something our side has not read yet
    created_at: datetime | None = None
    updated_at: datetime | None = None
    messages: tuple[ExternalTicketMessage, ...] = ()
    claim: ExternalClaim | None = None
    complete: bool = False
    raw: dict = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class TicketPage:
    tickets: tuple[ExternalTicket, ...]
    cursor: str = ""
    total: int | None = None


@dataclass(frozen=True, slots=True)
class TicketPayload:
    reference: str  # our ticket number: lets a lost create be found again
    awb: str
    type: str
    description: str
    customer_name: str = ""
    partner_name: str = ""
    attachments: tuple[Attachment, ...] = ()


@runtime_checkable
class Support(Protocol):
    """Platforms with support tickets and return claims (Komship)."""

    def iter_ticket_pages(self, *, since: datetime, until: datetime) -> Iterator[TicketPage]: ...

    def get_ticket(self, external_id: str) -> ExternalTicket: ...

    def create_ticket(self, payload: TicketPayload) -> str: ...

    def reply_ticket(self, external_id: str, body: str, attachments: tuple[Attachment, ...] = ()) -> str: ...

    def cancel_ticket(self, external_id: str) -> None: ...

    def set_ticket_priority(self, external_id: str, priority: str) -> None: ...

    def submit_claim(self, ticket_external_id: str, notes: str,
                     evidence: tuple[Attachment, ...] = ()) -> ExternalClaim: ...
