"""Ngorder JSON <-> our dataclasses. The only module that knows Ngorder's field names.

Shapes accepted (all printed in seeds 002/003):
- GET /order list row (flat sender/receiver names, products[] {product_meta_id, name, price, quantity});
- GET /order-cancel row (002: the same plus invoice, receiver_phone, shipping_cost, cod_status, products[].sku);
- GET /order/detail single order (003: sender/receiver objects, order_detail[] with variation_detail.sku);
- GET /order/details row (customer/receiver objects, shipping {...}, products[] with string numbers,
  awb {number}, ISO / Mongo $date timestamps, payment.payment_histoy[] (sic)).
Timestamps without a zone are WIB (Asia/Jakarta); money goes through parse_rupiah; phones through
normalize_phone ("" when unparseable)."""

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
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
    VariantPayload,
)
from integrations.exceptions import ProviderContractChanged

WIB = ZoneInfo("Asia/Jakarta")
PLATFORM = "ngorder"

# Our payment codes.
COD, BANK_TRANSFER, E_PAYMENT = "cod", "bank_transfer", "e_payment"
_E_PAYMENT_PROVIDERS = {"saldo", "xendit", "shopee", "ovo", "dana", "gopay", "shopeepay", "linkaja"}


class _Unmappable(Exception):
    pass


def _contract(message: str, payload: Any) -> ProviderContractChanged:
    return ProviderContractChanged(message, platform=PLATFORM, payload=payload)


# Scalars ----------------------------------------------------------------------------------------------


def parse_time(value: Any) -> datetime | None:
    """Aware UTC datetime from every form the documents print:
    "2020-10-08", "2020-10-08 09:26:45" (WIB), "2021-08-09T10:44:08+07:00", "2020-06-23T04:46:15.755000Z",
    {"$date": {"$numberLong": "1592816651000"}} (epoch ms) and epoch numbers."""
    if value in (None, ""):
        return None
    if isinstance(value, Mapping):
        inner = value.get("$date", value)
        if isinstance(inner, Mapping):
            inner = inner.get("$numberLong")
        if inner is None:
            raise ValueError(f"not a timestamp: {value!r}")
        return datetime.fromtimestamp(int(inner) / 1000, tz=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10**11 else value
        return datetime.fromtimestamp(seconds, tz=UTC)
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip().replace("Z", "+00:00")
        moment = datetime.fromisoformat(text)
    else:
        raise ValueError(f"not a timestamp: {value!r}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=WIB)
    return moment.astimezone(UTC)


def wib_date(moment: datetime) -> str:
    """yyyy-mm-dd of an aware datetime in WIB (the API's date filters are local dates)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(WIB).date().isoformat()


def money(value: Any) -> Decimal:
    if value in (None, ""):
        return Decimal("0")
    return parse_rupiah(value)


def phone(value: Any) -> str:
    if value in (None, ""):
        return ""
    try:
        return normalize_phone(str(value))
    except ValueError:
        return ""


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _int(value: Any) -> int:
    if value in (None, ""):
        return 0
    if isinstance(value, str):
        return int(Decimal(value.strip()))
    return int(value)


# Orders ---------------------------------------------------------------------------------------------------


def pagination(body: Any) -> dict:
    """meta.pagination of a list response ({} when absent)."""
    if not isinstance(body, Mapping):
        raise _contract("list response is not an object", body)
    meta = body.get("meta") or {}
    return (meta.get("pagination") or {}) if isinstance(meta, Mapping) else {}


def list_rows(body: Any) -> list:
    if not isinstance(body, Mapping) or not isinstance(body.get("data"), list):
        raise _contract("list response without a data array", body)
    return body["data"]


def payment_method(row: Mapping) -> str:
    """Our payment code. Ngorder's order rows carry no payment method: COD shows as cod_status (canceled
    list) or expedition.is_cod (shipment list); e-payments as a gateway / marketplace on the payment
    history or the Shopee block; everything else is a manual bank transfer (the API's default flow)."""
    if row.get("cod_status") is True or (row.get("expedition") or {}).get("is_cod") is True:
        return COD
    shopee = row.get("shopee")
    if isinstance(shopee, Mapping) and shopee.get("payment_method"):
        method = str(shopee["payment_method"]).lower()
        return COD if "cod" in method else E_PAYMENT
    payment = row.get("payment")
    if isinstance(payment, Mapping):
        for entry in payment.get("payment_histoy") or payment.get("payment_history") or []:
            provider = _text((entry or {}).get("pg_provider")).lower()
            if provider in _E_PAYMENT_PROVIDERS or (entry or {}).get("va_no"):
                return E_PAYMENT
    return BANK_TRANSFER


def _customer_from_object(obj: Mapping | None, fallback_name: str = "") -> ExternalCustomer:
    obj = obj or {}
    return ExternalCustomer(
        name=_text(obj.get("name")) or fallback_name,
        phone=phone(obj.get("phone")),
        email=_text(obj.get("email")),
        address=_text(obj.get("address")),
        district=_text(obj.get("district")),  # Ngorder's "district" is the kecamatan (e.g. "Srono")
        city=_text(obj.get("city")),
        province=_text(obj.get("province")),
        postal_code=_text(obj.get("postal_code")),
    )


def _list_items(products: Iterable) -> tuple[ExternalOrderItem, ...]:
    items = []
    for line in products:
        quantity = _int(line.get("quantity"))
        price = money(line.get("price"))
        discount = money(line.get("discount_nominal")) if line.get("discount_nominal") not in (None, "") else 0
        items.append(ExternalOrderItem(
            sku=_text(line.get("sku")),
            name=_text(line.get("name")),
            quantity=quantity,
            unit_price=price,
            line_total=price * quantity - Decimal(discount),
            discount=Decimal(discount),
            external_variant_id=_text(line.get("product_meta_id")),
        ))
    return tuple(items)


def _detail_items(lines: Iterable) -> tuple[ExternalOrderItem, ...]:
    items = []
    for line in lines:
        variation = line.get("variation_detail") or {}
        quantity = _int(line.get("qty"))
        price = money(line.get("price"))
        discount = money(line.get("nominal"))
        if _text(line.get("type")).upper() == "PERCENTAGE":
            discount = (price * quantity * money(line.get("percentage")) / 100).quantize(Decimal("1"))
        options = " ".join(x for x in (_text(variation.get("color")), _text(variation.get("size"))) if x)
        name = _text(variation.get("name"))
        items.append(ExternalOrderItem(
            sku=_text(variation.get("sku")),
            name=f"{name} {options}".strip() if options else name,
            quantity=quantity,
            unit_price=price,
            line_total=price * quantity - discount,
            discount=discount,
            weight_grams=_int(variation.get("weight")),
            external_product_id=_text(variation.get("product_id")),
            external_variant_id=_text(line.get("variation_id") or variation.get("variation_id")),
        ))
    return tuple(items)


def _discount_from_costs(costs: Any, subtotal: Decimal) -> Decimal:
    total = Decimal("0")
    for cost in costs or []:
        if _text(cost.get("category")).upper() != "DISCOUNT":
            continue
        is_percentage = cost.get("is_percentage") is True or _text(cost.get("type")).upper() == "PERCENTAGE"
        if is_percentage:
            total += (subtotal * money(cost.get("percentage")) / 100).quantize(Decimal("1"))
        else:
            total += money(cost.get("nominal"))
    return total


def order_from_json(row: Any) -> ExternalOrder:
    """Any of the four documented order shapes -> ExternalOrder."""
    if not isinstance(row, Mapping) or row.get("order_id") in (None, ""):
        raise _contract("order without order_id", row)
    try:
        if "order_detail" in row:
            return _order_from_single_detail(row)
        if isinstance(row.get("receiver"), Mapping) or isinstance(row.get("customer"), Mapping):
            return _order_from_details_row(row)
        return _order_from_list_row(row)
    except ProviderContractChanged:
        raise
    except (ValueError, TypeError, AttributeError, ArithmeticError) as exc:
        raise _contract(f"order {row.get('order_id')}: {exc}", row) from exc


def order_external_id(row: Any) -> str:
    """A list row's order id, without mapping the row ("" when it has none)."""
    return _text(row.get("order_id")) if isinstance(row, Mapping) else ""


def _common(row: Mapping) -> dict:
    return {
        "external_id": _text(row["order_id"]),
        "order_no": _text(row.get("po_number")),
        "status": _text(row.get("order_status")),
        "payment_status": _text(row.get("payment_status")),
        "progress_status": _text(row.get("order_progress_status")),
        "payment_method": payment_method(row),
        "invoice_no": _text(row.get("invoice")),
        "notes": _text(row.get("note")),
        "created_at": parse_time(row.get("created_at")) or parse_time(row.get("order_date")),
        "updated_at": parse_time(row.get("updated_at")),
        "grand_total": money(row.get("total_amount")),
        "raw": dict(row),
    }


def _order_from_list_row(row: Mapping) -> ExternalOrder:
    products = row.get("products")
    items = _list_items(products or [])
    subtotal = sum((item.line_total for item in items), Decimal("0"))
    customer = ExternalCustomer(name=_text(row.get("receiver_name")), phone=phone(row.get("receiver_phone")),
                                address=_text(row.get("receiver_address")))
    return ExternalOrder(
        **_common(row),
        customer=customer,
        items=items,
        subtotal=subtotal,
        shipping_cost=money(row.get("shipping_cost")),
        courier_code=_text(row.get("shipping_logistic")),
        courier_service=_text(row.get("shipping_rate")),
        awb=_text(row.get("awb_number")),
        discount=_discount_from_costs(row.get("order_cost"), subtotal),
        items_complete=bool(products),
    )


def _order_from_single_detail(row: Mapping) -> ExternalOrder:
    items = _detail_items(row.get("order_detail") or [])
    subtotal = sum((item.line_total for item in items), Decimal("0"))
    return ExternalOrder(
        **_common(row),
        customer=_customer_from_object(row.get("receiver")),
        items=items,
        subtotal=subtotal,
        shipping_cost=money(row.get("shipping_cost")),
        courier_code=_text(row.get("shipping_logistic")),
        courier_service=_text(row.get("shipping_rate")),
        awb=_text(row.get("awb_number")),
        discount=_discount_from_costs(row.get("order_cost"), subtotal),
        items_complete=bool(items),
    )


def _order_from_details_row(row: Mapping) -> ExternalOrder:
    products = row.get("products")
    items = _list_items(products or [])
    subtotal = sum((item.line_total for item in items), Decimal("0"))
    shipping = row.get("shipping") or {}
    awb = row.get("awb") or {}
    receiver = row.get("receiver") or row.get("customer")
    discount = (money(row.get("discount_amount")) if row.get("discount_amount") not in (None, "")
                else _discount_from_costs(row.get("order_cost"), subtotal))
    return ExternalOrder(
        **_common(row),
        customer=_customer_from_object(receiver),
        items=items,
        subtotal=subtotal,
        shipping_cost=money(shipping.get("cost")),
        courier_code=_text(shipping.get("logistic_name")),
        courier_service=_text(shipping.get("rate_name")),
        awb=_text(awb.get("number") if isinstance(awb, Mapping) else awb) or _text(row.get("awb_number")),
        discount=discount,
        items_complete=bool(products),
    )


def order_from_create_response(body: Any) -> str:
    data = body.get("data") if isinstance(body, Mapping) else None
    if not isinstance(data, Mapping) or data.get("order_id") in (None, ""):
        raise _contract("create order answered without data.order_id", body)
    return str(data["order_id"])


def order_reference(order_no: str) -> str:
    """How our order number is written into Ngorder's `note` (the API has no client reference field)."""
    return f"[{order_no}]"


def note_has_reference(note: Any, order_no: str) -> bool:
    return order_reference(order_no) in _text(note)


# Order push ------------------------------------------------------------------------------------------


def customer_body(customer: ExternalCustomer, *, district_id: int, category: str = "N") -> dict:
    """POST /customer/create body. `phone` is numeric in the document: we send the local 08… form."""
    local = customer.phone
    if local.startswith("+62"):
        local = "0" + local[3:]
    body = {
        "name": customer.name,
        "phone": local,
        "district_id": int(district_id),
        "address": customer.address,
        "category": category,
        "is_active": "Y",
    }
    if customer.postal_code:
        body["postal_code"] = customer.postal_code
    if customer.email:
        body["email"] = customer.email
    return body


def region_keyword(customer: ExternalCustomer) -> str:
    """Region search takes a (kecamatan) district name."""
    return customer.district or customer.subdistrict or customer.city


def order_body(payload: OrderPayload, *, sender_id: int, receiver_id: int, supplier_id: int,
               variant_ids: list[int], order_date: str, expedition_id: int = 99, product_status: str = "S",
               source: str = "WEB", order_source_id: int | None = None) -> dict:
    """POST /order (and PATCH /order) body from our payload.

    Choices: expedition id 99 is the documented "manual input" courier (a real rate id needs a quote from
    /expedition/cost); payment is UNPAID (OrderPayload has no paid flag; COD is settled by the courier and
    transfers are confirmed later with quick-payment); discounts go in as a DISCOUNT order cost; the COD fee
    as an OTHER COST; our order number is written into the note so find_order can look it up."""
    products = []
    for item, variant_id in zip(payload.items, variant_ids, strict=True):
        products.append({"id": int(variant_id), "qty": int(item.quantity), "product_status": product_status})
    order_costs = []
    if payload.discount:
        order_costs.append({"name": "Diskon", "category": "DISCOUNT", "type": "NOMINAL",
                            "nominal": int(payload.discount)})
    if payload.cod_fee:
        order_costs.append({"name": "Biaya COD", "category": "OTHER COST", "type": "NOMINAL",
                            "nominal": int(payload.cod_fee)})
    courier = " ".join(x for x in (payload.courier_code.upper(), payload.courier_service.upper()) if x)
    note = " ".join(x for x in (order_reference(payload.order_no), payload.notes) if x)
    if payload.payment_method == COD:
        note = f"{note} COD"
    body = {
        "customer_sender_id": int(sender_id),
        "customer_receiver_id": int(receiver_id),
        "supplier_id": int(supplier_id),
        "order_date": order_date,
        "order_source_id": int(order_source_id) if order_source_id is not None else None,
        "note": note,
        "is_print": False,
        "products": products,
        "expedition": {"id": int(expedition_id), "rate": int(payload.shipping_cost),
                       "name": courier or "Manual", "auto_pickup": False},
        "payment": {"status": "UNPAID"},
        "source": source,
    }
    if order_costs:
        body["order_cost"] = order_costs
    return body


# Products ------------------------------------------------------------------------------------------------

_COLOR_KEYS = {"color", "colour", "warna"}
_SIZE_KEYS = {"size", "ukuran"}


def variant_name(product_name: str, color: str, size: str) -> str:
    extra = " / ".join(x for x in (color, size) if x)
    return f"{product_name} - {extra}" if extra else product_name


def product_from_json(row: Any) -> ExternalProduct:
    """GET /product/search row or GET /product/{id}/detail data -> ExternalProduct."""
    if not isinstance(row, Mapping) or row.get("id") in (None, ""):
        raise _contract("product without id", row)
    try:
        name = _text(row.get("name"))
        variants = []
        own_stock = _text(row.get("product_type")).upper() in ("", "S")
        for variation in row.get("variations") or []:
            color, size = _text(variation.get("color")), _text(variation.get("size"))
            options = tuple((k, v) for k, v in (("color", color), ("size", size)) if v)
            stock = variation.get("stock_quantity")
            variants.append(ExternalVariant(
                external_id=_text(variation.get("id")),
                sku=_text(variation.get("sku")),
                name=variant_name(name, color, size),
                price=money(variation.get("price")),
                stock=_int(stock) if own_stock and stock is not None else None,
                weight_grams=_int(variation.get("weight") or row.get("weight")),
                options=options,
            ))
        return ExternalProduct(
            external_id=_text(row["id"]),
            name=name,
            variants=tuple(variants),
            description=_text(row.get("description")),
            is_active=_text(row.get("publish_status")).upper() != "N",
            raw=dict(row),
        )
    except (ValueError, TypeError, AttributeError, ArithmeticError) as exc:
        raise _contract(f"product {row.get('id')}: {exc}", row) from exc


def _split_options(options: tuple[tuple[str, str], ...]) -> tuple[str, str]:
    """Ngorder variants have exactly two attributes, color and size. Named options go where their name
    says (color/warna, size/ukuran); other options fill what is left, color first."""
    color = size = ""
    rest = []
    for key, value in options:
        lowered = key.strip().lower()
        if lowered in _COLOR_KEYS and not color:
            color = value
        elif lowered in _SIZE_KEYS and not size:
            size = value
        else:
            rest.append(value)
    for value in rest:
        if not color:
            color = value
        elif not size:
            size = value
    return color, size


def variation_body(variant: VariantPayload, *, with_id: bool) -> dict:
    color, size = _split_options(variant.options)
    price = int(variant.price)
    body = {
        "sku": variant.sku,
        "images": [],
        "primary_image": 0,
        "weight": int(variant.weight_grams),
        "price_buy": 0,
        "price": price,
        "price_reseller": price,
        "price1": price,
        "price2": price,
        "price3": price,
        "size": size,
        "color": color,
        "stock_quantity": max(0, int(variant.stock)),
        "stock": "Y" if variant.stock > 0 else "N",
    }
    if with_id and variant.external_id:
        body["id"] = str(variant.external_id)  # "id | string | Product variant ID" (Variations Data)
    if not with_id:
        body["warehouse_stock"] = []
    return body


def product_body(payload: ProductPayload, *, shop_id: int, user_id: int, category_id: int = 0,
                 deleted_variant_ids: Iterable[str] = ()) -> dict:
    """POST /product (no external_id) or PATCH /product (external_id set) body.

    Choices: product_type S (own stock: stock_quantity is what we push); publish_status Y for an active
    product and N otherwise; show_stock Y; price1-3 and the reseller price equal the price (custom tiers are
    managed on the platform); price_buy 0 (our cost price stays ours)."""
    updating = bool(payload.external_id)
    variants = [variation_body(v, with_id=updating) for v in payload.variants]
    variants += [{"id": str(vid), "flag": "DELETE"} for vid in deleted_variant_ids]
    has_variation = len(payload.variants) > 1 or any(v.options for v in payload.variants)
    body = {
        "name": payload.name,
        "product_type": "S",
        "category_id": int(category_id),
        "description": payload.description or payload.name,
        "shop_id": int(shop_id),
        "user_id": int(user_id),
        "discount": 0,
        "weight": int(payload.variants[0].weight_grams) if payload.variants else 0,
        "wholesale_status": "N",
        "is_warehouse": 0,
        "publish_status": "Y" if payload.is_active else "N",
        "show_stock": "Y",
        "has_variation": "Y" if has_variation else "N",
        "variations": variants,
    }
    if updating:
        body["id"] = int(payload.external_id)
    return body


def product_ids_from_save(body: Any) -> tuple[str, list[str]]:
    data = body.get("data") if isinstance(body, Mapping) else None
    if not isinstance(data, Mapping) or data.get("product_id") in (None, ""):
        raise _contract("product save answered without data.product_id", body)
    return str(data["product_id"]), [str(i) for i in data.get("product_meta_id") or []]


def check_stock_amount(body: Any) -> int:
    data = body.get("data") if isinstance(body, Mapping) else None
    if not isinstance(data, Mapping) or "stock" not in data:
        raise _contract("check-stock answered without data.stock", body)
    return _int(data["stock"])


def stock_update_body(variation_id: str, *, delta: int, warehouse_id: int, description: str) -> dict:
    return {
        "variation_id": int(variation_id),
        "stock": [{"amount": abs(int(delta)), "status": "ADD" if delta > 0 else "SUB",
                   "warehouse_id": int(warehouse_id)}],
        "move_warehouse_stock": False,
        "description": description,
    }


def generated_skus(body: Any) -> list[dict]:
    """[{name, color, size, sku, old_sku}] from GET /product/sku/generate-new."""
    return [
        {k: _text(row.get(k)) for k in ("name", "color", "size", "sku", "old_sku")}
        for row in list_rows(body)
    ]


def sku_validation(body: Any) -> bool:
    data = body.get("data") if isinstance(body, Mapping) else None
    if not isinstance(data, Mapping) or "status" not in data:
        raise _contract("SKU validation answered without data.status", body)
    return bool(data["status"])


def first_id(body: Any, key: str = "id") -> int | None:
    rows = list_rows(body)
    return int(rows[0][key]) if rows else None


def window_dates(since: datetime, until: datetime) -> tuple[str, str]:
    """The API filters by local order dates, inclusive: [since, until) -> WIB dates. `until` is exclusive, so
    an until at local midnight does not pull the next day."""
    end = until - timedelta(microseconds=1) if until > since else until
    return wib_date(since), wib_date(end)


# Finance: OrderPay balance ---------------------------------------------------------------------------------


def balance_from_orderpay(response: Any):
    """GET /payment/orderpay-balance: available = withdrawal_allowed, pending = onhold_total."""
    from integrations.base import ExternalBalance
    from integrations.exceptions import ProviderContractChanged

    data = response.get("data") if isinstance(response, Mapping) else None
    if not isinstance(data, Mapping) or "withdrawal_allowed" not in data:
        raise ProviderContractChanged("orderpay-balance answered no data.withdrawal_allowed",
                                      platform="ngorder", payload=response)
    return ExternalBalance(available=money(data.get("withdrawal_allowed")), pending=money(data.get("onhold_total")))


# Logistics --------------------------------------------------------------------------------------------------


def shipping_rates(body: Any) -> tuple:
    """Get Cost: data {regular[], express[], trucking[]}; `status.code` 1 is success."""
    from integrations.base import ShippingRate

    if not isinstance(body, Mapping) or not isinstance(body.get("data"), Mapping):
        raise _contract("expedition cost without a data object", body)
    status = body.get("status")
    if isinstance(status, Mapping) and status.get("code") not in (1, "1"):
        from integrations.exceptions import ProviderRejected

        raise ProviderRejected(_text(status.get("message")) or "no cost", platform=PLATFORM, payload=body)
    rates = []
    for group in ("regular", "express", "trucking"):
        for row in body["data"].get(group) or []:
            if not isinstance(row, Mapping) or not row.get("name"):
                raise _contract(f"expedition cost `{group}` row without name", row)
            low, high = _int(row.get("min_day")), _int(row.get("max_day"))
            etd = "" if not (low or high) else (str(low) if low == high else f"{low}-{high}")
            name = _text(row["name"])
            rates.append(ShippingRate(
                courier_code=name.lower().replace("&", "").replace(" ", ""), courier_name=name,
                service_code=_text(row.get("rate_name")), service_name=_text(row.get("rate_name")),
                cost=money(row.get("finalRate")), etd=etd, external_id=_text(row.get("rate_id")),
            ))
    return tuple(rates)


def tracking_timeline(body: Any, *, awb: str):
    from integrations.base import TrackingCheckpoint, TrackingTimeline
    from integrations.ngorder.endpoints import TRACKING_CODES

    data = body.get("data") if isinstance(body, Mapping) else None
    if not isinstance(data, Mapping) or not isinstance(data.get("history"), list):
        raise _contract("tracking without data.history", body)
    checkpoints = []
    for row in data["history"]:
        when = parse_time(row.get("date")) if isinstance(row, Mapping) else None
        if when is None:
            raise _contract("tracking history item without a date", row)
        code = _text(row.get("desc")).upper()
        checkpoints.append(TrackingCheckpoint(
            occurred_at=when, description=_text(row.get("location")) or code, status_code=code,
            shipment_status=TRACKING_CODES.get(code, ""),
        ))
    checkpoints.sort(key=lambda c: c.occurred_at)
    moving = [c for c in checkpoints if c.shipment_status]
    word = _text(data.get("status")).upper()
    return TrackingTimeline(awb=_text(data.get("awb_number")) or awb, checkpoints=tuple(checkpoints),
                            platform_status=word, shipment_status=TRACKING_CODES.get(word, "") or (
                                moving[-1].shipment_status if moving else ""))


def pickup_accepted(body: Any) -> tuple[str, ...]:
    if not isinstance(body, Mapping) or not isinstance(body.get("success_data"), list):
        raise _contract("pickup request without success_data", body)
    return tuple(str(i) for i in body["success_data"])
