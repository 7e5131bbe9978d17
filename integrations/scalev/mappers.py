"""Scalev JSON <-> our dataclasses. The only place Scalev field names appear.

Shapes accepted (both documents):
- order ids: integers (seed 004) or UUIDv7 strings (current spec `OrderPrimaryKey`); kept as strings;
- payment_method: seed `"va"` + `sub_payment_method: "BCA"`, or the current flat `"va_bca"`;
- money: JSON numbers (list rows, orderlines) or decimal strings ("168724.00" in detail/webhooks);
- list rows without `orderlines` (the default list) -> items_complete=False; detail, create responses
  and the webhook's order snapshot carry `orderlines`.

Choices where the documents are silent:
- Scalev's `subdistrict` is a kecamatan (e.g. "Gayungan", Kota Surabaya), so it goes to our
  `district`; our `subdistrict` (kelurahan) stays empty.
- payment methods onto ours: `cod` -> cod; `bank_transfer` and `no_payment` (nothing to collect) ->
  bank_transfer; every gateway method (va, va_*, qris, card, invoice, payment_link, ewallet, ovo, dana,
  shopeepay, linkaja, gopay, alfamart, indomaret) and `marketplace` (paid through the marketplace)
  -> e_payment; a missing method (drafts) -> bank_transfer; any other word -> ProviderContractChanged.
- `discount` = product_discount + shipping_discount + discount_code_discount + unique_code_discount;
  `cod_fee` = other_income on COD orders (the store's COD surcharge), else 0. `grand_total` is
  Scalev's `gross_revenue` as reported (never recomputed).
- timestamps without a zone are read as WIB (Asia/Jakarta).
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from common.money import parse_rupiah
from common.phones import normalize_phone
from integrations.base import (
    ExternalCustomer,
    ExternalOrder,
    ExternalOrderItem,
    ExternalProduct,
    ExternalVariant,
    OrderPayload,
    ProductPayload,
    StockUpdate,
    VariantPayload,
)
from integrations.exceptions import ProviderContractChanged
from integrations.scalev.endpoints import METADATA_ORDER_NO_KEY, METADATA_STOCK_KEY

WIB = ZoneInfo("Asia/Jakarta")
PLATFORM = "scalev"

E_PAYMENT_METHODS = frozenset({
    "va", "qris", "card", "invoice", "payment_link", "ewallet", "ovo", "dana", "shopeepay", "linkaja", "gopay",
    "alfamart", "indomaret", "marketplace",
})
BANK_TRANSFER_METHODS = frozenset({"bank_transfer", "no_payment"})

# our OrderStatus -> the word change-status accepts (spec OrderChangeStatusBody.status). Our "new" is an
# accepted order waiting to be worked on: Scalev "confirmed". "returning" has no settable word
# (`shipped_rts` is read-only), so it is absent and refused by the adapter.
STATUS_TO_SCALEV = {
    "draft": "draft",
    "new": "confirmed",
    "processing": "in_process",
    "ready_to_ship": "ready",
    "shipped": "shipped",
    "delivered": "completed",
    "completed": "completed",
    "returned": "rts",
    "canceled": "canceled",
}


class MappingError(ValueError):
    """A value in a Scalev payload we cannot read; the caller wraps it in ProviderContractChanged."""


# Scalars --------------------------------------------------------------------------------------------

def money(value: Any) -> Decimal:
    if value is None or value == "":
        return Decimal("0")
    try:
        return parse_rupiah(value)
    except ValueError as exc:
        raise MappingError(str(exc)) from exc


def phone(value: Any) -> str:
    try:
        return normalize_phone(str(value) if value is not None else "")
    except ValueError:
        return ""  # an unparseable phone must not fail the order


def timestamp(value: Any) -> datetime | None:
    if not value:
        return None
    if not isinstance(value, str):
        raise MappingError(f"not a timestamp: {value!r}")
    text = value.strip().replace("Z", "+00:00")
    if " " in text and "T" not in text:
        text = text.replace(" ", "T", 1)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise MappingError(f"not a timestamp: {value!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=WIB)
    return parsed.astimezone(UTC)


def to_json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _int(value: Any) -> int:
    if value is None or value == "":
        return 0
    try:
        return int(Decimal(str(value)))
    except ArithmeticError as exc:
        raise MappingError(f"not a number: {value!r}") from exc


def payment_method_ours(method: Any, sub_method: Any = None) -> str:
    """Scalev's payment method (flat `va_bca`, or the seed's `va` + sub_payment_method) -> ours."""
    word = _text(method).strip().lower()
    if not word:
        return "bank_transfer"
    if word == "cod":
        return "cod"
    if word in BANK_TRANSFER_METHODS:
        return "bank_transfer"
    if word in E_PAYMENT_METHODS or word.startswith("va_"):
        return "e_payment"
    raise MappingError(f"unknown payment_method {method!r} (sub_payment_method {sub_method!r})")


# Orders ---------------------------------------------------------------------------------------------

def _customer(row: Mapping) -> ExternalCustomer:
    address = row.get("destination_address") or {}
    customer = row.get("customer") or {}
    return ExternalCustomer(
        name=_text(address.get("name") or customer.get("name")),
        phone=phone(address.get("phone") or customer.get("phone")),
        email=_text(address.get("email") or customer.get("email")),
        address=_text(address.get("address")),
        district=_text(address.get("subdistrict")),
        city=_text(address.get("city")),
        province=_text(address.get("province")),
        postal_code=_text(address.get("postal_code")),
    )


def _item(line: Mapping) -> ExternalOrderItem:
    quantity = _int(line.get("quantity"))
    unit_price = money(line.get("variant_price"))
    line_total = money(line.get("product_price")) if line.get("product_price") is not None else unit_price * quantity
    if not unit_price and quantity:
        unit_price = line_total / quantity
    options = [line.get(f"variant_option{n}_value") for n in (1, 2, 3)]
    name = _text(line.get("product_name"))
    option_text = " / ".join(str(o) for o in options if o)
    variant = line.get("variant_unique_id") or line.get("variant")
    return ExternalOrderItem(
        sku=_text(line.get("variant_sku")),
        name=f"{name} - {option_text}" if option_text else name,
        quantity=quantity,
        unit_price=unit_price,
        line_total=line_total,
        discount=money(line.get("discount")),
        weight_grams=_int(line.get("weight")),
        external_variant_id=_text(variant),
    )


def order_from_scalev(row: Mapping) -> ExternalOrder:
    """A list row, an order detail, a create response or a webhook's order snapshot -> ExternalOrder."""
    if not isinstance(row, Mapping) or row.get("id") in (None, ""):
        raise ProviderContractChanged("scalev order without an id", platform=PLATFORM, payload=row)
    try:
        lines = row.get("orderlines")
        items = tuple(_item(line) for line in lines) if isinstance(lines, list) else ()
        method = payment_method_ours(row.get("payment_method"), row.get("sub_payment_method"))
        courier_service = row.get("courier_service") or {}
        courier = courier_service.get("courier") or {}
        discount = sum((money(row.get(k)) for k in ("product_discount", "shipping_discount",
                                                    "discount_code_discount", "unique_code_discount")),
                       Decimal("0"))
        return ExternalOrder(
            external_id=str(row["id"]),
            order_no=_text(row.get("order_id")),
            status=_text(row.get("status")),
            payment_method=method,
            customer=_customer(row),
            items=items,
            subtotal=money(row.get("product_price")),
            grand_total=money(row.get("gross_revenue")),
            discount=discount,
            shipping_cost=money(row.get("shipping_cost")),
            cod_fee=money(row.get("other_income")) if method == "cod" else Decimal("0"),
            payment_status=_text(row.get("payment_status")),
            invoice_no=_text(row.get("order_id")),
            courier_code=_text(courier.get("code")),
            courier_service=_text(courier_service.get("name") or courier_service.get("code")),
            awb=_text(row.get("shipment_receipt")),
            notes=_text(row.get("notes")),
            created_at=timestamp(row.get("created_at") or row.get("draft_time")),
            updated_at=timestamp(row.get("last_updated_at")),
            items_complete=isinstance(lines, list),
            raw=dict(row),
        )
    except (MappingError, AttributeError, TypeError) as exc:
        raise ProviderContractChanged(f"scalev order {row.get('id')!r}: {exc}", platform=PLATFORM,
                                      payload=row) from exc


def order_metadata_no(row: Mapping) -> str:
    metadata = row.get("metadata")
    return _text(metadata.get(METADATA_ORDER_NO_KEY)) if isinstance(metadata, Mapping) else ""


def _scalev_phone(value: str) -> str:
    """E.164 +62… -> the 62… form Scalev prints ("62812345678")."""
    return value.lstrip("+")


def order_create_body(payload: OrderPayload, *, store_unique_id: str, options: Mapping[str, Any]) -> dict:
    """OrderPayload -> spec OrderCreateBody. Raises MappingError for an item without a Scalev variant."""
    ordervariants = []
    for item in payload.items:
        if not item.external_variant_id:
            raise MappingError(f"item {item.sku!r} has no Scalev variant id (variant_unique_id)")
        ordervariants.append({"quantity": int(item.quantity), "variant_unique_id": item.external_variant_id})
    method = {
        "cod": "cod",
        "bank_transfer": "bank_transfer",
        "e_payment": options.get("e_payment_method", "invoice"),
    }.get(payload.payment_method)
    if method is None:
        raise MappingError(f"unknown payment method {payload.payment_method!r}")
    customer = payload.customer
    address = ", ".join(p for p in (customer.address, customer.subdistrict, customer.district, customer.city,
                                     customer.province) if p)
    body: dict[str, Any] = {
        "store_unique_id": store_unique_id,
        "customer_name": customer.name,
        "ordervariants": ordervariants,
        "payment_method": method,
        "shipping_cost": to_json_number(payload.shipping_cost),
        "metadata": {METADATA_ORDER_NO_KEY: payload.order_no},
    }
    if customer.phone:
        body["customer_phone"] = _scalev_phone(customer.phone)
    if customer.email:
        body["customer_email"] = customer.email
    if address:
        body["address"] = address
    if customer.postal_code:
        body["postal_code"] = customer.postal_code
    if payload.discount:
        body["product_discount"] = to_json_number(payload.discount)
    if payload.cod_fee:
        body["other_income"] = to_json_number(payload.cod_fee)
        body["other_income_name"] = options.get("cod_fee_name", "Biaya COD")
    if payload.notes:
        body["notes"] = payload.notes
    for option, field in (("warehouse_unique_id", "warehouse_unique_id"), ("location_id", "location_id")):
        if options.get(option):
            body[field] = int(options[option]) if field == "location_id" else str(options[option])
    if payload.sender_name:
        body["is_dropshipping"] = True
        body["dropshipper_name"] = payload.sender_name
        if payload.sender_phone:
            body["dropshipper_phone"] = _scalev_phone(phone(payload.sender_phone) or payload.sender_phone)
    return body


def scalev_status(our_status: str) -> str:
    try:
        return STATUS_TO_SCALEV[our_status]
    except KeyError as exc:
        raise MappingError(f"no Scalev status to set for {our_status!r}") from exc


# Products -------------------------------------------------------------------------------------------

def variant_external_id(variant: Mapping) -> str:
    return _text(variant.get("unique_id") or variant.get("id"))


def _variant(row: Mapping, option_names: tuple[str, ...]) -> ExternalVariant:
    metadata = row.get("metadata") if isinstance(row.get("metadata"), Mapping) else {}
    stock = metadata.get(METADATA_STOCK_KEY)
    options = tuple((name, _text(row.get(f"option{n}_value")))
                    for n, name in enumerate(option_names, start=1) if name and row.get(f"option{n}_value"))
    return ExternalVariant(
        external_id=variant_external_id(row),
        sku=_text(row.get("sku")),
        name=_text(row.get("fullname") or row.get("name")),
        price=money(row.get("price")),
        stock=int(stock) if isinstance(stock, int | float) and not isinstance(stock, bool) else None,
        weight_grams=_int(row.get("weight")),
        options=options,
    )


def product_from_scalev(row: Mapping) -> ExternalProduct:
    """A product detail (or create/update response) -> ExternalProduct. List rows work too, but their
    variants carry no sku or price (spec listProducts), so the adapter maps details."""
    if not isinstance(row, Mapping) or row.get("id") in (None, ""):
        raise ProviderContractChanged("scalev product without an id", platform=PLATFORM, payload=row)
    try:
        option_names = tuple(_text(row.get(f"option{n}_name")) for n in (1, 2, 3))
        variants = tuple(_variant(v, option_names) for v in row.get("variants") or ())
        return ExternalProduct(
            external_id=str(row["id"]),
            name=_text(row.get("name")),
            variants=variants,
            description=_text(row.get("description")),
            is_active=any(v.get("is_checked", True) for v in row.get("variants") or ()) or not variants,
            updated_at=timestamp(row.get("last_updated_at")),
            raw=dict(row),
        )
    except (MappingError, AttributeError, TypeError) as exc:
        raise ProviderContractChanged(f"scalev product {row.get('id')!r}: {exc}", platform=PLATFORM,
                                      payload=row) from exc


def _option_names(payload: ProductPayload) -> list[str]:
    names: list[str] = []
    for variant in payload.variants:
        for name, _value in variant.options:
            if name not in names:
                names.append(name)
    return names[:3]


def variant_body(variant: VariantPayload, option_names: list[str]) -> dict:
    """VariantPayload -> spec ProductVariantMutationFields (create needs price and weight)."""
    body: dict[str, Any] = {
        "sku": variant.sku,
        "price": to_json_number(variant.price),
        "weight": int(variant.weight_grams),
    }
    values = dict(variant.options)
    for n, name in enumerate(option_names, start=1):
        if values.get(name):
            body[f"option{n}_value"] = values[name]
    return body


def product_create_body(payload: ProductPayload) -> dict:
    """ProductPayload -> spec CreateRequestProduct (physical goods). Option names are not part of the
    current create body; the adapter sets them with a product update afterwards."""
    names = _option_names(payload)
    body: dict[str, Any] = {
        "name": payload.name,
        "item_type": "physical",
        "is_inventory": True,
        "is_multiple": len(payload.variants) > 1 or bool(names),
        "variants": [variant_body(v, names) for v in payload.variants],
    }
    if payload.description:
        body["description"] = payload.description
    return body


def product_update_body(payload: ProductPayload, *, with_option_names: bool = True) -> dict:
    """ProductPayload -> spec updateProduct body (name, description, option names; no variants)."""
    body: dict[str, Any] = {"name": payload.name, "item_type": "physical"}
    if payload.description:
        body["description"] = payload.description
    if with_option_names:
        for n, name in enumerate(_option_names(payload), start=1):
            body[f"option{n}_name"] = name
    return body


def product_option_names(payload: ProductPayload) -> list[str]:
    return _option_names(payload)


def stock_body(update: StockUpdate, current_metadata: Mapping | None) -> dict:
    """A stock push through the variant update: sellable flag + quantity kept in metadata (see
    endpoints.py: no document has a stock field on business variants)."""
    metadata = dict(current_metadata or {})
    metadata[METADATA_STOCK_KEY] = int(update.quantity)
    return {"is_checked": update.quantity > 0, "metadata": metadata}


# Logistics ------------------------------------------------------------------------------------------------


def shipping_rates(body: Any, *, cod_only: bool = False) -> tuple:
    """ShippingCostResult / CourierServiceResult items -> ShippingRate (COD fee not quoted by Scalev: 0);
    `cod_only` drops courier services whose is_cod is false."""
    from integrations.base import ShippingRate

    if not isinstance(body, Mapping) or not isinstance(body.get("data"), list):
        raise ProviderContractChanged("shipping costs: no `data` list", platform=PLATFORM, payload=body)
    rates = []
    for row in body["data"]:
        service = row.get("courier_service") if isinstance(row, Mapping) else None
        courier = service.get("courier") if isinstance(service, Mapping) else None
        if not isinstance(courier, Mapping) or row.get("cost") is None:
            raise ProviderContractChanged("shipping cost item without courier_service.courier or cost",
                                          platform=PLATFORM, payload=row)
        if cod_only and row.get("is_cod") is False:
            continue
        rates.append(ShippingRate(
            courier_code=_text(courier.get("code")).lower(), courier_name=_text(courier.get("name")),
            service_code=_text(service.get("code")), service_name=_text(service.get("name")),
            cost=money(row.get("cost")), etd=_text(row.get("etd")), external_id=_text(service.get("id")),
        ))
    return tuple(rates)


def location_id(body: Any) -> str:
    if not isinstance(body, Mapping) or not isinstance(body.get("data"), list):
        raise ProviderContractChanged("locations: no `data` list", platform=PLATFORM, payload=body)
    return _text(body["data"][0].get("id")) if body["data"] else ""


def awb_results(body: Any) -> list:
    from integrations.base import AwbResult

    if not isinstance(body, Mapping):
        raise ProviderContractChanged("generate/cancel AWB answered no object", platform=PLATFORM, payload=body)
    results = [AwbResult(external_order_id=str(k), awb=_text(v)) for k, v in (body.get("successes") or {}).items()]
    results += [AwbResult(external_order_id=str(k), error=_text(v) or "refused")
                for k, v in (body.get("failures") or {}).items()]
    return results


def receipts_csv(rows: list[tuple[str, str]]) -> str:
    """receipt_template.csv: order_id, shipment_receipt (inventory §1 CSV templates)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["order_id", "shipment_receipt"])
    writer.writerows(rows)
    return buffer.getvalue()


def tracking_timeline(row: Any, *, awb: str):
    """shipment_status_history of an order detail; `status` is an order status (inventory §4.4)."""
    from integrations.base import TrackingCheckpoint, TrackingTimeline
    from integrations.scalev.endpoints import SHIPMENT_HISTORY_STATUSES

    if not isinstance(row, Mapping) or not isinstance(row.get("shipment_status_history") or [], list):
        raise ProviderContractChanged("order detail without shipment_status_history", platform=PLATFORM,
                                      payload=row)
    checkpoints = []
    for item in row.get("shipment_status_history") or []:
        when = timestamp(item.get("timestamp")) if isinstance(item, Mapping) else None
        if when is None:
            raise ProviderContractChanged("shipment status history item without timestamp", platform=PLATFORM,
                                          payload=item)
        status = _text(item.get("status")).lower()
        checkpoints.append(TrackingCheckpoint(
            occurred_at=when, description=_text(item.get("description")) or status, status_code=status,
            shipment_status=SHIPMENT_HISTORY_STATUSES.get(status, ""),
        ))
    checkpoints.sort(key=lambda c: c.occurred_at)
    moving = [c for c in checkpoints if c.shipment_status]
    return TrackingTimeline(awb=_text(row.get("shipment_receipt")) or awb, checkpoints=tuple(checkpoints),
                            platform_status=_text(row.get("shipment_status")) or _text(row.get("status")),
                            shipment_status=moving[-1].shipment_status if moving else "")
