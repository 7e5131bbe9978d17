"""Mitrabunso JSON <-> our dataclasses. The only module that knows Mitrabunso's field names.

Readings of the document (shared/seeds/001, reference/mitrabunso.md) made here:
- Two order shapes. The list / print_order row is the order *document* ({customer, sender, order,
  details[], + status, createdAt, …}); create / details answer a *stored row* (data.order[0], flat
  camelCase, plus data.products[]) that lacks the phone, the region and totalCost: those come from its
  ``order_first_state`` (a JSON string of the submitted document). Both map to ExternalOrder.
- Money: ``order.totalCost`` is the goods total (every sample: the sum of details[].totalPrice, shipping
  excluded), so grand_total = totalCost + shippingCost and discount = sum(lines) - totalCost when positive.
  Amounts come as ints, digit strings and "10.000" strings: all through parse_rupiah.
- Times: "YYYY-MM-DD HH:MM:SS" strings carry no zone; the stored rows say Asia/Bangkok (UTC+7 = WIB), so a
  naive time is read as Asia/Jakarta and returned in UTC.
- Payment: the document has no payment field. A courier name that says "COD" (marketplace style,
  "Reguler (COD)-J&T Express") means cash on delivery; anything else ("(Cashless)", plain names) is paid
  through the marketplace: e_payment (the adapter may override the default per account).
- Items carry no SKU anywhere in the document: sku is "" and external_product_id is Mitrabunso's productId.
- order_no is ``order.invoice`` (what we send and what find_order searches); invoice_no prefers
  ``updatedInvoice`` and awb prefers ``updatedAWB`` (undocumented "updated" values) over the originals.
"""

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from common.money import parse_rupiah
from common.phones import normalize_phone
from integrations.base import ExternalCustomer, ExternalOrder, ExternalOrderItem, OrderPayload
from integrations.exceptions import ProviderContractChanged
from integrations.mitrabunso.endpoints import PLATFORM, SERVER_TIMEZONE

SERVER_TZ = ZoneInfo(SERVER_TIMEZONE)
ZERO = Decimal("0")

PAYMENT_METHODS = ("cod", "bank_transfer", "e_payment")
DEFAULT_PAYMENT_METHOD = "e_payment"

# Our courier code -> (how the platform's courier names spell it, the name we send)
COURIERS: tuple[tuple[str, str, str], ...] = (
    ("jnt", r"j\s*&\s*t(?:\s*express)?|\bjnt(?:\s*express)?", "J&T Express"),
    ("jne", r"\bjne", "JNE"),
    ("sicepat", r"\bsicepat(?:\s*ekspres|\s*express)?", "SiCepat"),
    ("anteraja", r"\banter\s*aja", "AnterAja"),
    ("idexpress", r"\bid\s*express", "ID Express"),
    ("ninja", r"\bninja(?:\s*xpress|\s*express)?", "Ninja Xpress"),
    ("sap", r"\bsap(?:\s*express)?\b", "SAP Express"),
    ("pos", r"\bpos(?:\s*indonesia)?\b", "Pos Indonesia"),
    ("lion", r"\blion(?:\s*parcel)?", "Lion Parcel"),
    ("gosend", r"\bgo-?send", "GoSend"),
    ("grab", r"\bgrab(?:\s*express)?", "GrabExpress"),
    ("tiki", r"\btiki\b", "TIKI"),
    ("wahana", r"\bwahana\b", "Wahana"),
    ("spx", r"\bshopee\s*express|\bspx(?:\s*express)?", "Shopee Express"),
)
_COURIER_PATTERNS = tuple((code, re.compile(pattern, re.IGNORECASE)) for code, pattern, _ in COURIERS)
COURIER_NAMES = {code: name for code, _, name in COURIERS}
_COD = re.compile(r"\bCOD\b", re.IGNORECASE)
_SERVICE_NOISE = re.compile(r"\((?:cod|cashless)\)|\bcod\b|\bcourier\b|[()\[\]]", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ProcessedBatch:
    """One processing batch from processed_list: the labels made at one time, waiting to be sent."""

    processed: str  # the platform's own timestamp text: the key print_order needs, unchanged
    processed_at: datetime | None
    label_count: int
    print_status: int


# Small readers ---------------------------------------------------------------------------------------


def _contract(message: str, payload: Any) -> ProviderContractChanged:
    return ProviderContractChanged(message, platform=PLATFORM, payload=payload)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def money(value: Any, default: Decimal = ZERO) -> Decimal:
    """Rupiah from an int, a digit string or "10.000"; None and "" are `default`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    return parse_rupiah(value)


def quantity(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"not a quantity: {value!r}")
    if isinstance(value, int):
        return value
    amount = parse_rupiah(value)
    if amount != amount.to_integral_value():
        raise ValueError(f"not a whole quantity: {value!r}")
    return int(amount)


def phone(value: Any) -> str:
    """E.164, or "" when the platform's phone is empty or not a phone (the order still maps)."""
    return _phone(_text(value))


@lru_cache(maxsize=65536)  # phonenumbers is the slowest step of a page; customers and senders repeat
def _phone(text: str) -> str:
    try:
        return normalize_phone(text)
    except ValueError:
        return ""


def parse_time(value: Any) -> datetime | None:
    """"2022-09-20 05:36:50", "2022-10-11 15:08:14.000000" or a PHP DateTime object
    {"date": …, "timezone": "Asia/Bangkok"} -> an aware UTC datetime. Naive times are WIB (UTC+7)."""
    if value is None or value == "":
        return None
    zone = SERVER_TZ
    if isinstance(value, Mapping):
        text = _text(value.get("date"))
        if not text:
            return None
        name = _text(value.get("timezone"))
        if name:
            try:
                zone = ZoneInfo(name)
            except (KeyError, ValueError):
                zone = SERVER_TZ
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise ValueError(f"not a time: {value!r}")
    parsed = datetime.fromisoformat(text.replace("T", " ", 1))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def format_time(value: datetime) -> str:
    """An aware datetime as the platform writes it (WIB, no zone)."""
    return value.astimezone(SERVER_TZ).strftime("%Y-%m-%d %H:%M:%S")


@lru_cache(maxsize=1024)
def courier_from_name(name: str) -> tuple[str, str]:
    """("JNE(OKE)") -> ("jne", "OKE"); ("Reguler (Cashless)-J&T Express") -> ("jnt", "Reguler");
    an unknown courier keeps its whole name as the code (the sync normalises codes)."""
    text = (name or "").strip()
    if not text:
        return "", ""
    for code, pattern in _COURIER_PATTERNS:
        if pattern.search(text):
            rest = _SERVICE_NOISE.sub(" ", pattern.sub(" ", text, count=1))
            service = " ".join(rest.replace("-", " ").split())
            return code, service
    return text, ""


def payment_method_from(courier_name: str, default: str = DEFAULT_PAYMENT_METHOD) -> str:
    return "cod" if _COD.search(_text(courier_name)) else default


def _join_notes(*notes: Any) -> str:
    return "\n".join(text for text in (_text(n) for n in notes) if text)


# Inbound: orders --------------------------------------------------------------------------------------


def _customer(doc: Mapping) -> ExternalCustomer:
    return ExternalCustomer(
        name=_text(doc.get("name")),
        phone=phone(doc.get("phone")),
        address=_text(doc.get("address")),
        district=_text(doc.get("districtName")),
        city=_text(doc.get("cityName")),
        province=_text(doc.get("provinceName")),
        postal_code=_text(doc.get("postCode")),
    )


def _document_item(line: Mapping) -> ExternalOrderItem:
    qty = quantity(line["qty"])
    unit = money(line.get("productPrice"))
    total = line.get("totalPrice")
    return ExternalOrderItem(
        sku="",
        name=_text(line.get("productName")),
        quantity=qty,
        unit_price=unit,
        line_total=money(total) if total not in (None, "") else unit * qty,
        external_product_id=_text(line.get("productId")),
    )


def _totals(items: Sequence[ExternalOrderItem], total_cost: Any, shipping: Decimal) -> dict:
    lines = sum((item.line_total for item in items), ZERO)
    goods = money(total_cost, default=lines)
    subtotal = lines if items else goods
    discount = subtotal - goods if subtotal > goods else ZERO
    return {"subtotal": subtotal, "discount": discount, "shipping_cost": shipping,
            "grand_total": goods + shipping}


def order_external_id(row: Any) -> str:
    """A list row's order id, without mapping the row ("" when it has none)."""
    order = row.get("order") if isinstance(row, Mapping) else None
    return _text(order.get("order_id")) if isinstance(order, Mapping) else ""


def listed_created_at(row: Any) -> datetime | None:
    """A list row's creation time, without mapping the row."""
    return parse_time(row.get("createdAt")) if isinstance(row, Mapping) else None


def order_from_document(row: Mapping, *, default_payment_method: str = DEFAULT_PAYMENT_METHOD,
                        default_status: str = "") -> ExternalOrder:
    """A list row (or a print_order row: the same document without status and times)."""
    try:
        order = row["order"]
        external_id = _text(order["order_id"])
        invoice = _text(order["invoice"])
        status = _text(row.get("status")) or default_status
        if not external_id or not status:
            raise ValueError("order_id or status missing")
        items = tuple(_document_item(line) for line in row.get("details") or ())
        courier_name = _text(order.get("courierName"))
        courier_code, service = courier_from_name(courier_name)
        created = parse_time(row.get("createdAt"))
        times = [t for t in (created, parse_time(row.get("processedAt")), parse_time(row.get("sentAt"))) if t]
        return ExternalOrder(
            external_id=external_id,
            order_no=invoice,
            status=status,
            payment_method=payment_method_from(courier_name, default_payment_method),
            customer=_customer(row.get("customer") or {}),
            items=items,
            **_totals(items, order.get("totalCost"), money(order.get("shippingCost"))),
            invoice_no=_text(row.get("updatedInvoice")) or invoice,
            courier_code=courier_code,
            courier_service=service,
            awb=_text(row.get("updatedAWB")) or _text(order.get("awb")),
            notes=_join_notes(order.get("customerNote"), order.get("adminNote")),
            created_at=created,
            updated_at=max(times) if times else None,
            items_complete="details" in row,
            raw=dict(row),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _contract(f"cannot map an order row: {exc}", row) from exc


def _first_state(stored: Mapping) -> dict:
    text = stored.get("order_first_state")
    if isinstance(text, Mapping):
        return dict(text)
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def order_from_details(data: Mapping, *, default_payment_method: str = DEFAULT_PAYMENT_METHOD) -> ExternalOrder:
    """The ``data`` of a details (or create) answer: ``order[0]`` stored row + ``products[]``."""
    try:
        rows = data["order"]
        stored = rows[0] if isinstance(rows, list) else rows
        first = _first_state(stored)
        first_customer = first.get("customer") or {}
        first_order = first.get("order") or {}
        external_id = _text(stored["id"])
        status = _text(stored["status"])
        if not external_id or not status:
            raise ValueError("id or status missing")
        items = tuple(
            ExternalOrderItem(
                sku="",
                name=_text(p.get("productName")),
                quantity=quantity(p["qty"]),
                unit_price=money(p.get("productPrice")),
                line_total=money(p.get("productPrice")) * quantity(p["qty"]),
                external_product_id=_text(p.get("productId")),
            )
            for p in data.get("products") or ()
        )
        if not items and first.get("details"):
            items = tuple(_document_item(line) for line in first["details"])
        customer = _customer({
            **first_customer,
            "name": stored.get("customerName") or first_customer.get("name"),
            "address": stored.get("customerAddress") or first_customer.get("address"),
        })
        total_cost = stored.get("totalPrice")
        if total_cost is None:
            total_cost = first_order.get("totalCost")
        courier_name = _text(stored.get("courierName")) or _text(first_order.get("courierName"))
        courier_code, service = courier_from_name(courier_name)
        created = parse_time(stored.get("created"))
        times = [t for t in (created, parse_time(stored.get("updated")), parse_time(stored.get("processed")),
                             parse_time(stored.get("sent"))) if t]
        invoice = _text(stored.get("invoice")) or _text(first_order.get("invoice"))
        return ExternalOrder(
            external_id=external_id,
            order_no=invoice,
            status=status,
            payment_method=payment_method_from(courier_name, default_payment_method),
            customer=customer,
            items=items,
            **_totals(items, total_cost, money(stored.get("shippingCost"))),
            invoice_no=invoice,
            courier_code=courier_code,
            courier_service=service,
            awb=_text(stored.get("awb")) or _text(first_order.get("awb")),
            notes=_join_notes(stored.get("customerNote"), stored.get("adminNote")),
            created_at=created,
            updated_at=max(times) if times else None,
            items_complete=True,
            raw=dict(data),
        )
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        raise _contract(f"cannot map an order detail: {exc}", data) from exc


# Inbound: envelopes -----------------------------------------------------------------------------------


def list_page(response: Mapping) -> tuple[list[dict], int | None]:
    """The rows and the reported total of a list answer."""
    rows = response.get("data")
    if rows is None:
        rows = []
    if not isinstance(rows, list):
        raise _contract("list answer's data is not a list", response)
    total = response.get("total")
    try:
        total = int(total) if total is not None else None
    except (TypeError, ValueError) as exc:
        raise _contract("list answer's total is not a number", response) from exc
    return rows, total


def created_order_id(response: Mapping) -> str:
    try:
        rows = response["data"]["order"]
        stored = rows[0] if isinstance(rows, list) else rows
        external_id = _text(stored["id"])
    except (KeyError, IndexError, TypeError) as exc:
        raise _contract("create answer has no data.order[0].id", response) from exc
    if not external_id:
        raise _contract("create answer has an empty order id", response)
    return external_id


def batch_order_ids(response: Mapping, *, expected: int) -> list[str]:
    """The new order ids of a batch_create answer: ``data.invoices`` (ids, despite the name), in order."""
    try:
        ids = [_text(value) for value in response["data"]["invoices"]]
    except (KeyError, TypeError) as exc:
        raise _contract("batch_create answer has no data.invoices", response) from exc
    if len(ids) != expected or not all(ids):
        raise _contract(f"batch_create answered {len(ids)} ids for {expected} orders", response)
    return ids


def summary_counts(response: Mapping) -> dict[str, int]:
    data = response.get("data")
    if not isinstance(data, Mapping):
        raise _contract("total_summary answer's data is not an object", response)
    try:
        return {str(word): int(count) for word, count in data.items()}
    except (TypeError, ValueError) as exc:
        raise _contract("total_summary counts are not numbers", response) from exc


def processed_batches(response: Mapping) -> list[ProcessedBatch]:
    rows = response.get("data") or []
    try:
        return [
            ProcessedBatch(
                processed=_text(row["processed"]),
                processed_at=parse_time(row["processed"]),
                label_count=quantity(row.get("totalLabels") or 0),
                print_status=quantity(row.get("printStatus") or 0),
            )
            for row in rows
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise _contract(f"cannot map a processed batch: {exc}", response) from exc


def print_orders(response: Mapping, *, default_payment_method: str = DEFAULT_PAYMENT_METHOD
                 ) -> list[ExternalOrder]:
    """The orders of a print_order answer (``data.data[]``). Their rows carry no status: a batch
    waiting to be sent is PROCESSED."""
    try:
        rows = response["data"]["data"] or []
    except (KeyError, TypeError) as exc:
        raise _contract("print_order answer has no data.data", response) from exc
    return [order_from_document(row, default_payment_method=default_payment_method,
                                default_status="PROCESSED") for row in rows]


# Outbound ---------------------------------------------------------------------------------------------


def _platform_phone(value: str) -> str:
    """+6281… -> 6281… (the document's MSISDN form); anything unparseable is sent as typed."""
    text = _text(value)
    if not text:
        return ""
    e164 = phone(text)
    return e164[1:] if e164 else text


def _whole(amount: Decimal) -> int:
    return int(Decimal(amount).to_integral_value())


def courier_name_for(payload: OrderPayload) -> str:
    name = COURIER_NAMES.get(payload.courier_code.lower(), payload.courier_code.upper())
    text = " ".join(part for part in (name, payload.courier_service) if part)
    return f"{text} (COD)" if payload.payment_method == "cod" else text


def document_from_payload(payload: OrderPayload, *, shop_id: str | None = None, shop_name: str = "",
                          courier_ids: Mapping[str, str] | None = None) -> dict:
    """Our order as Mitrabunso's order document (the ``data`` of create, an item of ``batchData``).

    Region codes (PR…/C…/D…), courierId and shopId are Mitrabunso master data this document has no
    endpoint for: the codes are sent as null with the names (as the list sample shows), courierId and
    shopId come from the account's options (null when unset). COD is said in the courier name."""
    c = payload.customer
    goods = payload.subtotal - payload.discount
    return {
        "customer": {
            "name": c.name,
            "phone": _platform_phone(c.phone),
            "address": ", ".join(part for part in (c.address, c.subdistrict) if part),
            "provinceCode": None,
            "provinceName": c.province,
            "cityCode": None,
            "cityName": c.city,
            "districtCode": None,
            "districtName": c.district,
            "postCode": c.postal_code or None,
        },
        "sender": {"name": payload.sender_name, "phone": _platform_phone(payload.sender_phone)},
        "order": {
            "invoice": payload.order_no,
            "courierId": (courier_ids or {}).get(payload.courier_code.lower()) or None,
            "courierName": courier_name_for(payload),
            "shopId": shop_id or None,
            "shopName": shop_name,
            "shippingCost": str(_whole(payload.shipping_cost)),
            "awb": None,
            "adminNote": payload.notes or None,
            "customerNote": "",
            "totalCost": _whole(goods),
            "labelImage": None,
            "printType": "2",
            "assign": None,
        },
        "details": [
            {
                "productId": item.external_product_id or None,
                "qty": item.quantity,
                "productPrice": _whole(item.unit_price),
                "totalPrice": _whole(item.unit_price * item.quantity),
                "productName": item.name or item.sku,
            }
            for item in payload.items
        ],
    }
