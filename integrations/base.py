"""What the rest of the project may know about external platforms: frozen dataclasses and the
protocols an adapter implements. Platform JSON never crosses this line; mappers translate both ways."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
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


@dataclass(frozen=True, slots=True)
class ProductPayload:
    name: str
    description: str
    variants: tuple[VariantPayload, ...]
    category: str = ""
    external_id: str = ""  # set for updates


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

    def iter_order_pages(self, *, since: datetime, until: datetime) -> Iterator[OrderPage]: ...

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
