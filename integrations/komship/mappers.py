"""Komship JSON <-> our dataclasses. The only module that knows Komship's field names.

Shapes accepted (reference/komship-wire.md §2.4): Orderku list rows (v2 bare array, v1 Laravel paginator,
Android `OrderItem` keys), the detail object (`grandtotal` there, `grand_total` in lists;
`customer_address` there, `detail_address` in lists), `order_status` as a label ("Diterima") or as the
seed's filter code (0–4), money as numbers or strings ("10.000", "Rp 10.000"), phones as strings or
integers (seed §1.5: integers lose the leading 0), timestamps "YYYY-MM-DD HH:MM:SS" (WIB, as the login's
`expires_at`), "YYYY-MM-DD" or ISO 8601 with a zone (Laravel's `updated_at`)."""

import math
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from common.money import parse_rupiah
from common.phones import normalize_phone
from integrations.base import (
    Attachment,
    ExternalBalance,
    ExternalClaim,
    ExternalCustomer,
    ExternalOrder,
    ExternalOrderItem,
    ExternalProduct,
    ExternalTicket,
    ExternalTicketMessage,
    ExternalTransaction,
    ExternalVariant,
    ExternalWithdrawal,
    OrderPayload,
    ProductPayload,
    StockUpdate,
    TicketPayload,
)
from integrations.exceptions import ProviderContractChanged
from integrations.komship.endpoints import (
    CLAIM_STATUS_LABELS,
    ORDER_REF_TEMPLATE,
    PAYMENT_BANK_TRANSFER,
    PAYMENT_COD,
    TICKET_REF_TEMPLATE,
    TICKET_STATUS_LABELS,
    TICKET_TYPES,
)

WIB = ZoneInfo("Asia/Jakarta")
PLATFORM = "komship"
ZERO = Decimal("0")


class _Unmappable(ValueError):
    pass


# Scalars ----------------------------------------------------------------------------------------------


def money(value: Any) -> Decimal:
    if value is None or value == "":
        return ZERO
    return parse_rupiah(value)


def phone(value: Any) -> str:
    """E.164, or "" when the value is not a phone (the order is kept, the phone is not)."""
    if value is None or value == "":
        return ""
    text = str(value).strip()
    if text.isdigit() and text.startswith("8"):
        text = "0" + text  # an integer phone (or the delivery API's "8…" form) lost its leading 0
    try:
        return normalize_phone(text)
    except ValueError:
        return ""


def local_phone(e164: str) -> str:
    """Our +62… to the 08… form Komship's dashboard samples use (seed #208 "0822377398712")."""
    if e164.startswith("+62"):
        return "0" + e164[3:]
    return e164.lstrip("+")


def timestamp(value: Any) -> datetime | None:
    """Aware UTC datetime; Komship's own strings carry no zone and are WIB."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC)
    else:
        text = str(value).strip().replace("Z", "+00:00")
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            try:
                parsed = datetime.combine(date.fromisoformat(text[:10]), datetime.min.time())
            except ValueError as exc:
                raise _Unmappable(f"not a timestamp: {value!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=WIB)
    return parsed.astimezone(UTC)


def payment_method(value: Any) -> str:
    """Komship has two: "COD" and "BANK TRANSFER" (every non-COD order)."""
    text = str(value or "").strip().upper().replace("_", " ")
    if text == "COD" or text.startswith("COD"):
        return "cod"
    if "TRANSFER" in text or text in ("BANK", "NON COD", "NONCOD"):
        return "bank_transfer"
    raise _Unmappable(f"unknown payment_method {value!r}")


def payment_method_out(ours: str) -> str:
    """Ours -> Komship. e_payment is prepaid, i.e. non-COD: Komship calls that BANK TRANSFER."""
    return PAYMENT_COD if ours == "cod" else PAYMENT_BANK_TRANSFER


def status_word(value: Any) -> str:
    """The platform's word, unchanged (a filter code 0–4 stays "0"…"4"; the sync maps both)."""
    if value is None:
        return ""
    return str(value).strip()


def _int(value: Any, default: int = 0) -> int:
    if value is None or value == "":
        return default
    try:
        return int(Decimal(str(value)))
    except ArithmeticError as exc:
        raise _Unmappable(f"not a number: {value!r}") from exc


def _str_id(value: Any) -> str:
    return "" if value is None or value == "" or value == 0 else str(value)


# Envelopes --------------------------------------------------------------------------------------------


def rows_and_total(response: Any) -> tuple[list[dict], int | None]:
    """`data` as a bare array (v2/v3 lists, v4 products) or a Laravel paginator (v1 lists)."""
    if not isinstance(response, Mapping):
        raise ProviderContractChanged("Komship answered no JSON object", platform=PLATFORM, payload=response)
    data = response.get("data")
    if data is None:
        return [], None
    if isinstance(data, list):
        return data, None
    if isinstance(data, Mapping) and isinstance(data.get("data"), list):
        total = data.get("total")
        return data["data"], int(total) if isinstance(total, int | str) and str(total).isdigit() else None
    raise ProviderContractChanged("Komship list `data` is neither an array nor a paginator", platform=PLATFORM,
                                  payload=response)


def detail_data(response: Any) -> dict:
    data = response.get("data") if isinstance(response, Mapping) else None
    if not isinstance(data, Mapping):
        raise ProviderContractChanged("Komship detail answered no `data` object", platform=PLATFORM,
                                      payload=response)
    return dict(data)


def partner_ids(response: Any) -> list[str]:
    rows, _ = rows_and_total(response)
    return [str(r["partner_id"]) for r in rows if isinstance(r, Mapping) and r.get("partner_id")]


# Orders -----------------------------------------------------------------------------------------------


def _items(row: Mapping) -> tuple[ExternalOrderItem, ...] | None:
    products = row.get("product")
    if products is None:
        products = row.get("products")
    if not isinstance(products, list):
        return None
    items = []
    for p in products:
        qty = _int(p.get("qty") if p.get("qty") is not None else p.get("quantity"), 1)
        price = money(p.get("price") if p.get("price") is not None else p.get("product_price"))
        line = money(p["subtotal"]) if p.get("subtotal") not in (None, "") else price * qty
        name = str(p.get("product_name") or "")
        variant = str(p.get("variant_name") or p.get("product_variant_name") or "").strip()
        if variant and variant != "-":
            name = f"{name} - {variant}"
        items.append(ExternalOrderItem(
            sku=str(p.get("sku") or p.get("product_sku") or ""),
            name=name,
            quantity=qty,
            unit_price=price,
            line_total=line,
            weight_grams=_int(p.get("weight") if p.get("weight") is not None else p.get("product_weight")),
            external_product_id=_str_id(p.get("product_id")),
            external_variant_id=_str_id(p.get("product_variant_id") or p.get("variant_id")),
        ))
    return tuple(items)


def order_external_id(row: Any) -> str:
    """A list row's order id, without mapping the row ("" when it has none)."""
    if not isinstance(row, Mapping) or row.get("order_id") in (None, ""):
        return ""
    return str(row["order_id"])


def order_from_row(row: Any) -> ExternalOrder:
    """An Orderku list row or detail object -> ExternalOrder. Raises ProviderContractChanged."""
    if not isinstance(row, Mapping) or row.get("order_id") in (None, ""):
        raise ProviderContractChanged("Orderku row without order_id", platform=PLATFORM, payload=row)
    try:
        items = _items(row)
        pay = payment_method(row.get("payment_method") or row.get("payment_methode"))
        line_sum = sum((i.line_total for i in items or ()), ZERO)
        subtotal = money(row["subtotal"]) if row.get("subtotal") not in (None, "") else line_sum
        grand = row.get("grand_total") if row.get("grand_total") is not None else row.get("grandtotal")
        service_fee = money(row.get("service_fee"))
        customer = ExternalCustomer(
            name=str(row.get("customer_name") or ""),
            phone=phone(row.get("customer_phone")),
            address=str(row.get("customer_address") or row.get("detail_address") or ""),
            subdistrict=str(row.get("subdistrict_name") or ""),
            district=str(row.get("district") or row.get("district_name") or ""),
            city=str(row.get("city_name") or row.get("city") or ""),
            province=str(row.get("province_name") or row.get("province") or ""),
            postal_code=str(row.get("zip_code") or ""),
        )
        return ExternalOrder(
            external_id=str(row["order_id"]),
            order_no=str(row.get("order_no") or row["order_id"]),
            status=status_word(row.get("order_status")),
            payment_method=pay,
            customer=customer,
            items=items or (),
            subtotal=subtotal,
            grand_total=money(grand) if grand not in (None, "") else subtotal,
            discount=money(row.get("discount")),
            shipping_cost=money(row.get("shipping_cost")),
            cod_fee=service_fee if pay == "cod" else ZERO,
            courier_code=str(row.get("shipping") or ""),
            courier_service=str(row.get("shipping_type") or ""),
            awb=str(row.get("airway_bill") or row.get("awb") or ""),
            notes=str(row.get("order_notes") or row.get("notes") or ""),
            created_at=timestamp(row.get("order_date") or row.get("date")),
            updated_at=timestamp(row.get("updated_at") or row.get("order_edited_date")),
            items_complete=bool(items),
            raw=dict(row),
        )
    except (_Unmappable, ValueError, TypeError, KeyError) as exc:
        raise ProviderContractChanged(f"cannot map Orderku {row.get('order_id')}: {exc}", platform=PLATFORM,
                                      payload=row) from exc


def order_ref(order_no: str) -> str:
    return ORDER_REF_TEMPLATE.format(order_no=order_no)


def row_is_order(row: Mapping, order_no: str) -> bool:
    """Is this Orderku row the order we sent as `order_no`? (our reference in order_notes, see endpoints)"""
    return str(row.get("order_no") or "") == order_no or order_ref(order_no) in str(row.get("order_notes") or "")


def cart_items(payload: OrderPayload) -> list[dict]:
    """The #35 Store Cart items for an order's lines (Komship's product and variant ids)."""
    out = []
    for item in payload.items:
        if not item.external_product_id:
            raise ValueError(f"item {item.sku or item.name} has no Komship product id: push the product first")
        out.append({
            "product_id": int(item.external_product_id),
            "product_name": item.name,
            "variant_id": int(item.external_variant_id or 0),
            "variant_name": "",
            "product_price": int(item.unit_price),
            "qty": item.quantity,
            "subtotal": int(item.unit_price * item.quantity),
        })
    return out


def cart_ids_for(cart_response: Any) -> dict[int, tuple[int, int, int]]:
    """cart_id -> (product_id, variant_id, qty) from List Cart."""
    rows, _ = rows_and_total(cart_response)
    return {int(r["cart_id"]): (_int(r.get("product_id")), _int(r.get("variant_id")), _int(r.get("qty")))
            for r in rows if isinstance(r, Mapping) and r.get("cart_id") is not None}


def destination_id(response: Any, customer: ExternalCustomer) -> int:
    """Best match from Get Data destination: same zip, else same subdistrict, else the first row."""
    rows, _ = rows_and_total(response)
    rows = [r for r in rows if isinstance(r, Mapping)]
    if not rows:
        return 0

    def key(r: Mapping) -> tuple[bool, bool, bool]:
        label = str(r.get("label") or "").upper()
        return (
            bool(customer.postal_code)
            and (str(r.get("zip_code") or "") == customer.postal_code or label.endswith(customer.postal_code)),
            bool(customer.subdistrict) and str(r.get("subdistrict_name") or "").upper() == customer.subdistrict.upper(),
            bool(customer.district) and str(r.get("district_name") or "").upper() == customer.district.upper(),
        )

    best = max(rows, key=key)
    return _int(best.get("value") if best.get("value") is not None else best.get("id"))


def _notes_with_ref(payload: OrderPayload) -> str:
    return " ".join(p for p in (payload.notes.strip(), order_ref(payload.order_no)) if p)


def _order_common(payload: OrderPayload, *, customer_destination_id: int, order_date: date) -> dict:
    c = payload.customer
    return {
        "date": order_date.isoformat(),
        "tariff_code": 0,  # CHOSEN: the rate's tariff code comes from the calculate call, not used here
        "subdistrict_name": c.subdistrict,
        "district_name": c.district,
        "city_name": c.city,
        "is_komship": 1,
        "customer_id": 0,
        "customer_name": c.name,
        "customer_phone": local_phone(c.phone),
        "customer_destination_id": customer_destination_id,
        "tracking_sales_id": 0,
        "detail_address": c.address,
        "shipping": payload.courier_code.upper(),
        "shipping_type": payload.courier_service,
        "payment_method": payment_method_out(payload.payment_method),
        "bank": "",
        "bank_account_name": "",
        "bank_account_no": "",
        "subtotal": int(payload.subtotal),
        "grandtotal": int(payload.grand_total),
        "shipping_cost": int(payload.shipping_cost),
        "service_fee": int(payload.cod_fee),
        "discount": int(payload.discount),
        "shipping_cashback": 0,
        "net_profit": int(payload.grand_total - payload.shipping_cost - payload.cod_fee),
    }


def store_order_body(payload: OrderPayload, *, cart: list[int], customer_destination_id: int,
                     order_date: date, version: str = "v3", partner_address_id: int = 0,
                     warehouse_id: int = 0) -> dict:
    """Store OrderkuV3 (#194) or V2 (#56) body, keys and order as the seed's request samples."""
    body = _order_common(payload, customer_destination_id=customer_destination_id, order_date=order_date)
    if version == "v2":
        return {**body, "cart": list(cart)}
    out = {}
    for key, value in body.items():
        out[key] = value
        if key == "is_komship":
            out["is_kompack"] = 0
            out["warehouse_id"] = warehouse_id
        if key == "detail_address":
            out["partner_address_id"] = partner_address_id
    out["order_notes"] = _notes_with_ref(payload)
    out["cart"] = list(cart)
    return out


def mass_order_row(payload: OrderPayload, *, customer_destination_id: int, order_date: date,
                   partner_address_id: int = 0) -> dict:
    """One StoreOrderMass row (CHOSEN shape, see endpoints: the v3 body with `product` for `cart`)."""
    row = store_order_body(payload, cart=[], customer_destination_id=customer_destination_id,
                           order_date=order_date, partner_address_id=partner_address_id)
    row.pop("cart")
    row["product"] = [{k: v for k, v in item.items() if k != "subtotal"} for item in cart_items(payload)]
    return row


# Products ---------------------------------------------------------------------------------------------


def _option_names(row: Mapping) -> list[str]:
    names = []
    for opt in row.get("variant_option") or ():
        if isinstance(opt, Mapping):
            names.append(str(opt.get("val") or opt.get("name") or ""))
        elif opt:
            names.append(str(opt))
    return names


def _variant(v: Mapping, names: list[str]) -> ExternalVariant:
    name = str(v.get("variant_name") or v.get("name") or "")
    values = [part.strip() for part in name.split(",")] if name else []
    if names and len(names) == len(values):
        options = tuple(zip(names, values, strict=True))
    else:
        options = (("Varian", name),) if name else ()
    return ExternalVariant(
        external_id=_str_id(v.get("variant_id") or v.get("options_id") or v.get("option_id")),
        sku=str(v.get("sku") or v.get("variant_sku") or ""),
        name=name,
        price=money(v.get("price")),
        stock=_int(v.get("stock")) if v.get("stock") is not None else None,
        weight_grams=_int(v.get("weight")),
        options=options,
    )


def product_from_row(row: Any, *, is_active: bool | None = None) -> ExternalProduct:
    """A v4 product list row or a v1 detail object (product_* keys) -> ExternalProduct."""
    if not isinstance(row, Mapping) or row.get("product_id") in (None, ""):
        raise ProviderContractChanged("product without product_id", platform=PLATFORM, payload=row)
    try:
        names = _option_names(row)
        raw_variants = row.get("variants")
        if raw_variants is None:
            raw_variants = row.get("product_variant") or ()
        variants = tuple(_variant(v, names) for v in raw_variants if isinstance(v, Mapping))
        weight = _int(row.get("weight") if row.get("weight") is not None else row.get("product_weight"))
        if weight and variants:
            variants = tuple(v if v.weight_grams else _replace_weight(v, weight) for v in variants)
        if not variants:
            price = row.get("price") if row.get("price") is not None else row.get("product_price")
            stock = row.get("stock") if row.get("stock") is not None else row.get("product_stock")
            variants = (ExternalVariant(
                external_id="",
                sku=str(row.get("sku") or row.get("product_sku") or ""),
                name=str(row.get("product_name") or ""),
                price=money(price),
                stock=_int(stock) if stock is not None else None,
                weight_grams=weight,
            ),)
        status = row.get("status", row.get("product_status"))
        active = is_active if is_active is not None else (status is None or str(status) == "1")
        return ExternalProduct(
            external_id=str(row["product_id"]),
            name=str(row.get("product_name") or ""),
            variants=variants,
            description=str(row.get("product_description") or row.get("description") or ""),
            is_active=active,
            updated_at=timestamp(row.get("updated_at")),
            raw=dict(row),
        )
    except (_Unmappable, ValueError, TypeError) as exc:
        raise ProviderContractChanged(f"cannot map product {row.get('product_id')}: {exc}", platform=PLATFORM,
                                      payload=row) from exc


def _replace_weight(v: ExternalVariant, weight: int) -> ExternalVariant:
    return ExternalVariant(v.external_id, v.sku, v.name, v.price, v.stock, weight, v.options)


def _common_sku(skus: Iterable[str]) -> str:
    skus = [s for s in skus if s]
    if not skus:
        return ""
    prefix = skus[0]
    for s in skus[1:]:
        while not s.startswith(prefix):
            prefix = prefix[:-1]
    return prefix.rstrip("-_ ") or skus[0]


def _cm(value) -> int:
    return math.ceil(value) if value else 0


def product_body(payload: ProductPayload) -> dict:
    """Store/Update product body (#19/#22). One variant without options is a simple product (the seed's
    sample, strings "" for flavours / variant_option / option); otherwise `variant_option` [{val}] and a
    nested `option` tree, price and stock at the leaves (wire §2.3 #19)."""
    variants = payload.variants
    first = variants[0] if variants else None
    weight = first.weight_grams if first else 0
    body: dict[str, Any] = {
        "product_name": payload.name,
        "sku": first.sku if first else "",
        "description": payload.description,
        "weight": weight,
        "weight_pbv": weight,
        # Whole centimetres, rounded up (a courier's volumetric weight must not be understated); 0 = unknown.
        "length": _cm(first.length_cm) if first else 0,
        "width": _cm(first.width_cm) if first else 0,
        "height": _cm(first.height_cm) if first else 0,
        "price": int(first.price) if first else 0,
        "stock": first.stock if first else 0,
        "flavours": "",
        "variant_option": "",
        "option": "",
    }
    if len(variants) == 1 and not variants[0].options:
        return body
    names: list[str] = []
    for v in variants:
        for name, _ in v.options or (("Varian", v.name),):
            if name not in names:
                names.append(name)
    tree: list[dict] = []
    for v in variants:
        values = dict(v.options) if v.options else {"Varian": v.name}
        level = tree
        for depth, name in enumerate(names):
            value = values.get(name, "-")
            node = next((n for n in level if n["val"] == value), None)
            if node is None:
                node = {"val": value, "parent": name, "stock": None, "price": None, "option": []}
                level.append(node)
            if depth == len(names) - 1:
                node.update(stock=v.stock, price=int(v.price), sku=v.sku)
                node.pop("option", None)
            level = node.get("option", [])
    body.update(sku=_common_sku(v.sku for v in variants), price=None, stock=None,
                variant_option=[{"val": n} for n in names], option=tree)
    return body


def created_product_id(response: Any) -> str:
    data = response.get("data") if isinstance(response, Mapping) else None
    if isinstance(data, Mapping) and data.get("product_id") not in (None, ""):
        return str(data["product_id"])
    return ""


def sku_is_free(response: Any) -> bool:
    """Check product SKU (#26): "product sku not found" means nobody uses it."""
    message = str((response or {}).get("message") or "").lower() if isinstance(response, Mapping) else ""
    return "not found" in message


def stock_items(updates: Iterable[StockUpdate]) -> list[dict]:
    return [{"product_id": int(u.external_product_id), "variant_id": int(u.external_variant_id or 0),
             "stock": int(u.quantity)} for u in updates]


# Finance: balance, transactions, admin withdrawals -------------------------------------------------------
# Seed #160 `filter` codes onto our ledger entry types (finance.models.LedgerEntry.Type values). The
# direction comes from the row's signed `amount`, not from the type.
TRANSACTION_TYPES = {
    1: "cod_credit",  # orderan cod diterima: COD order delivered
    2: "shipping_fee",  # ongkir noncod: non-COD shipping fee
    3: "shipping_fee_refund",  # ongkir noncod batal: fee of a canceled non-COD order back
    4: "withdrawal",  # tarik saldo: withdrawal
    5: "top_up",  # topup saldo
    6: "rts_charge",  # retur cod: COD return charge
    7: "claim_payout",  # claim retur diterima: return claim accepted
    8: "compensation",  # ganti rugi paket hilang: lost parcel compensation
    9: "compensation",  # ganti rugi paket rusak: damaged parcel compensation
    10: "adjustment",  # belanja talent: Komtim talent purchase
    11: "reversal",  # pengembalian dana komtim: Komtim refund (reverses a talent purchase)
}
# Ledger-row `description` words seen in the client (wire §2.3) for rows without a type code.
_DESCRIPTION_TYPES = {"orderku_ongkir": 2, "orderku_cancel": 3, "withdrawal": 4, "topup": 5, "orderku_done": 1,
                      "orderku_retur": 6}


def transaction_type(row: Mapping) -> tuple[str, str]:
    """(our entry type, Komship's code as text) of a #160 row."""
    code = _int(row.get("transaction_type"), 0) or _DESCRIPTION_TYPES.get(str(row.get("description") or ""), 0)
    if code not in TRANSACTION_TYPES:
        raise ProviderContractChanged(f"unknown Komship transaction type {row.get('transaction_type')!r}",
                                      platform=PLATFORM, payload=dict(row))
    return TRANSACTION_TYPES[code], str(code)


def balance_from_summary(response: Any) -> ExternalBalance:
    data = detail_data(response)
    if "balance" not in data:
        raise ProviderContractChanged("balanceSummary answered no data.balance", platform=PLATFORM,
                                      payload=response)
    return ExternalBalance(available=money(data.get("balance")), pending=money(data.get("pending_balance")))


def transaction_from_row(row: Any) -> ExternalTransaction:
    if not isinstance(row, Mapping):
        raise ProviderContractChanged("a transaction row is not an object", platform=PLATFORM, payload=row)
    entry_type, code = transaction_type(row)
    external_id = _str_id(row.get("transaction_id") or row.get("id"))
    if not external_id:
        raise ProviderContractChanged("a transaction row has no transaction_id", platform=PLATFORM, payload=row)
    return ExternalTransaction(
        external_id=external_id, entry_type=entry_type, amount=money(row.get("amount")),
        occurred_at=timestamp(row.get("created_at") or row.get("order_date")),
        description=str(row.get("description") or row.get("order_type") or "")[:255],
        reference=str(row.get("order_no") or row.get("reference") or "")[:100], platform_type=code,
    )


def withdrawal_from_row(row: Any) -> ExternalWithdrawal:
    if not isinstance(row, Mapping) or not _str_id(row.get("withdrawal_id") or row.get("id")):
        raise ProviderContractChanged("a withdrawal row has no withdrawal_id", platform=PLATFORM, payload=row)
    return ExternalWithdrawal(
        external_id=_str_id(row.get("withdrawal_id") or row.get("id")),
        status=str(row.get("status") or "").strip().lower(),
        amount=money(row.get("nominal") if row.get("nominal") is not None else row.get("withdrawal_nominal")),
        bank_name=str(row.get("bank_name") or ""), account_name=str(row.get("bank_account_name") or ""),
        account_number=str(row.get("bank_account_no") or "").strip(),
        partner_id=_str_id(row.get("partner_id")), notes=str(row.get("notes") or ""),
        requested_at=timestamp(row.get("created_at") or row.get("withdrawal_date")),
        updated_at=timestamp(row.get("updated_at")), transfer_proof_url=str(row.get("transfer_proof") or ""),
    )


# Logistics --------------------------------------------------------------------------------------------


def calculate_params(*, destination_id: int, weight_grams: int, cod_value: Decimal, item_value: Decimal,
                     partner_id: str, partner_address_id: str) -> dict:
    """Query of calculate cost shipping (seed #54)."""
    cod = cod_value > 0
    grand = int(cod_value if cod else item_value)
    return {
        "receiver_destination": destination_id, "weight": int(weight_grams),
        "payment_method": PAYMENT_COD if cod else PAYMENT_BANK_TRANSFER, "partner_id": partner_id,
        "partner_address_id": partner_address_id, "additional_cost": 0, "grandtotal": grand,
        "subtotal": int(item_value), "cart": 0, "discount": 0,
    }


def shipping_rates(response: Any) -> tuple:
    from integrations.base import ShippingRate

    data = detail_data(response)
    rates = []
    for group in ("data_regular", "data_truck"):
        for row in data.get(group) or []:
            if not isinstance(row, Mapping) or not row.get("shipment_name"):
                raise ProviderContractChanged(f"calculate `{group}` row without shipment_name", platform=PLATFORM,
                                              payload=row)
            courier = str(row["shipment_name"]).strip()
            service = str(row.get("shipping_type") or "").strip()
            rates.append(ShippingRate(
                courier_code=courier.lower(), courier_name=courier, service_code=service, service_name=service,
                cost=money(row.get("shipping_cost")), cod_fee=money(row.get("service_fee")),
                etd=str(row.get("etd") or ""), external_id=str(row.get("value") or ""),
            ))
    return tuple(rates)


def tracking_timeline(response: Any, *, awb: str):
    from integrations.base import TrackingCheckpoint, TrackingTimeline
    from integrations.komship.endpoints import TRACKING_CODES

    rows, _ = rows_and_total(response)
    checkpoints = []
    for row in rows:
        when = timestamp(row.get("date")) if isinstance(row, Mapping) else None
        if when is None or not str(row.get("desc") or "").strip():
            raise ProviderContractChanged("airway-bill history item without date or desc", platform=PLATFORM,
                                          payload=row)
        code = str(row.get("code") or "").strip().upper()
        checkpoints.append(TrackingCheckpoint(
            occurred_at=when, description=str(row["desc"]).strip(), status_code=code,
            location=str(row.get("location") or ""), shipment_status=TRACKING_CODES.get(code, ""),
        ))
    checkpoints.sort(key=lambda c: c.occurred_at)
    last = checkpoints[-1] if checkpoints else None
    last_word = str(rows[-1].get("status") or "") if rows else ""
    moving = [c for c in checkpoints if c.shipment_status]
    return TrackingTimeline(awb=awb, checkpoints=tuple(checkpoints), platform_status=last_word or (
        last.status_code if last else ""), shipment_status=moving[-1].shipment_status if moving else "")


def label_pdf(response: Any) -> bytes:
    import base64
    import binascii

    data = detail_data(response)
    try:
        content = base64.b64decode(str(data.get("base_64") or ""), validate=True)
    except (binascii.Error, ValueError):
        content = b""
    if not content.startswith(b"%PDF"):
        raise ProviderContractChanged("print-label answered no base64 PDF", platform=PLATFORM, payload=data)
    return content


def pickup_body(payload, *, partner_name: str, order_id: str) -> dict:
    from integrations.komship.endpoints import VEHICLES

    return {
        "partner_name": partner_name, "pickup_date": payload.pickup_date.isoformat(),
        "pickup_time": payload.time_from.strftime("%H:%M:%S"), "pic": payload.contact_name,
        "pic_phone": local_phone(payload.contact_phone), "vehicle": VEHICLES.get(payload.vehicle, "Motor"),
        "address_id": _int(payload.address_id), "address_detail": payload.address, "order": _int(order_id),
        "token": "",
    }


def pickup_outcome(response: Any) -> tuple[str, str]:
    """(pickup id, error message) of one Store Pickup answer; body `code` 200 is success (wire §2.3 #74)."""
    if not isinstance(response, Mapping):
        raise ProviderContractChanged("Store Pickup answered no JSON object", platform=PLATFORM, payload=response)
    code = response.get("code")
    data = response.get("data") if isinstance(response.get("data"), Mapping) else {}
    if code == 200 and str(response.get("status") or "").lower() == "success":
        return _str_id(data.get("pickup_id")), ""
    messages = {1006: "insufficient balance"}
    return "", str(response.get("message") or messages.get(code) or f"code {code}")


def _pickup(row: Mapping, orders: Iterable = ()):
    from integrations.base import ExternalPickup
    from integrations.komship.endpoints import PICKUP_STATUSES

    word = str(row.get("pickup_status") or "").strip()
    when = timestamp(row.get("pickup_date"))
    return ExternalPickup(
        external_id=_str_id(row.get("id") or row.get("pickup_id")), status=word,
        our_status=PICKUP_STATUSES.get(word, ""),
        pickup_date=when.astimezone(WIB).date() if when else None,
        pickup_time=str(row.get("pickup_time") or ""), vehicle=str(row.get("vehicle") or "").lower(),
        external_order_ids=tuple(_str_id(o.get("order_id")) for o in orders if isinstance(o, Mapping)),
        raw=dict(row),
    )


def pickup_page(response: Any) -> tuple[list, int | None, int]:
    """(pickups, total, last page) of one pickup-history page."""
    rows, total = rows_and_total(response)
    data = response.get("data") if isinstance(response, Mapping) else None
    last_page = _int(data.get("last_page"), 1) if isinstance(data, Mapping) else 1
    return [_pickup(r) for r in rows if isinstance(r, Mapping)], total, last_page


def pickup_from_detail(response: Any, pickup_id: str):
    data = detail_data(response)
    data.setdefault("id", pickup_id)
    return _pickup(data, data.get("data_order") or [])


# Tickets and return claims --------------------------------------------------------------------------------

# Komship ticket_status (endpoints.TICKET_STATUS_LABELS) -> ours. 0 "Perlu Tindak Lanjut" (needs follow-up
# from the partner) is our "waiting for reply"; 1 "Belum Diproses" open; 2 "Sedang Diproses" in progress;
# 3 "Selesai" resolved; 4 "Batal" canceled.
TICKET_STATUS_IN = {0: "waiting", 1: "open", 2: "in_progress", 3: "resolved", 4: "canceled"}
CLAIM_STATUS_IN = {0: "on_review", 1: "accepted", 2: "rejected"}
TICKET_TYPE_OUT = {"delivery": 1, "damaged": 2, "lost": 3, "return": 4, "pickup": 5, "cod": 6, "other": 7}
TICKET_TYPE_IN = {number: ours for ours, number in TICKET_TYPE_OUT.items()}
_TICKET_TYPE_BY_NAME = {name.lower(): TICKET_TYPE_IN[number] for number, name in TICKET_TYPES.items()}


def _status_code(value: Any) -> int | None:
    """ticket_status / status_claim: an int, or its digits as a string; a label is looked up."""
    if isinstance(value, bool) or value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    for table in (TICKET_STATUS_LABELS, CLAIM_STATUS_LABELS):
        for code, label in table.items():
            if label.lower() == text.lower():
                return code
    return None


def ticket_type_in(row: Mapping) -> str:
    number = row.get("ticket_type_id")
    if number in (None, "") and str(row.get("ticket_type") or "").strip().isdigit():
        number = row.get("ticket_type")
    if number not in (None, ""):
        return TICKET_TYPE_IN.get(_int(number), "other")
    return _TICKET_TYPE_BY_NAME.get(str(row.get("ticket_type") or "").strip().lower(), "other")


def ticket_type_out(ours: str) -> int:
    return TICKET_TYPE_OUT.get(ours, TICKET_TYPE_OUT["other"])


def priority_in(value: Any) -> str:
    return "high" if _int(value, 0) >= 1 else "normal"


def priority_out(ours: str) -> int:
    return 1 if ours in ("high", "urgent") else 0


def _urls(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        url = item.get("url") or item.get("file") or item.get("path") if isinstance(item, Mapping) else item
        if url:
            out.append(str(url))
    return tuple(out)


def ticket_message_from(row: Any) -> ExternalTicketMessage:
    if not isinstance(row, Mapping) or _str_id(row.get("id")) == "":
        raise ProviderContractChanged("a Komship ticket message has no id", platform=PLATFORM, payload=row)
    try:
        created = timestamp(row.get("date_created") or row.get("created_at"))
    except _Unmappable as exc:
        raise ProviderContractChanged(str(exc), platform=PLATFORM, payload=row) from exc
    return ExternalTicketMessage(
        external_id=_str_id(row["id"]), body=str(row.get("message") or "").strip(),
        from_us=str(row.get("sender") or "").strip().lower() == "partner",
        author_name=str(row.get("full_name") or row.get("sender") or "")[:200],
        attachment_urls=_urls(row.get("file")), created_at=created,
    )


def claim_from(value: Any) -> ExternalClaim | None:
    if not isinstance(value, Mapping) or not value:
        return None
    code = _status_code(value.get("status_claim"))
    try:
        created = timestamp(value.get("created_at"))
    except _Unmappable:
        created = None
    return ExternalClaim(
        external_id=_str_id(value.get("id")), status=CLAIM_STATUS_IN.get(code, "") if code is not None else "",
        platform_status=str(value.get("status_claim") if value.get("status_claim") is not None else ""),
        notes=str(value.get("notes") or ""), created_at=created,
    )


def ticket_from(row: Any, *, complete: bool = False) -> ExternalTicket:
    """A list row (any of the four lists) or the detail (`complete`: with its thread and claim)."""
    if not isinstance(row, Mapping) or _str_id(row.get("id")) == "":
        raise ProviderContractChanged("a Komship ticket has no id", platform=PLATFORM, payload=row)
    code = _status_code(row.get("ticket_status"))
    try:
        created = timestamp(row.get("date_created") or row.get("created_at"))
        updated = timestamp(row.get("date_updated") or row.get("updated_at"))
    except _Unmappable as exc:
        raise ProviderContractChanged(str(exc), platform=PLATFORM, payload=row) from exc
    history = row.get("history_ticket") if complete else None
    messages = tuple(ticket_message_from(m) for m in history) if isinstance(history, list) else ()
    if complete:
        unread = any(isinstance(m, Mapping) and str(m.get("sender") or "").lower() != "partner"
                     and not m.get("is_read") for m in history or ())
    else:
        unread = _int(row.get("history_ticket_count_mitra"), 0) > 0
    return ExternalTicket(
        external_id=_str_id(row["id"]), number=str(row.get("ticket_no") or "").strip(),
        status=TICKET_STATUS_IN.get(code, "") if code is not None else "",
        platform_status=str(row.get("ticket_status") if row.get("ticket_status") is not None else ""),
        type=ticket_type_in(row), priority=priority_in(row.get("status_priority", row.get("priority"))),
        awb=str(row.get("no_resi") or "").strip(), courier_code=str(row.get("shipping") or "").strip(),
        customer_name=str(row.get("customer_name") or "").strip(), partner_ref=_str_id(row.get("partner_id")),
        description=str(row.get("description") or "").strip(), attachment_urls=_urls(row.get("file")),
        unread=unread, created_at=created, updated_at=updated, messages=messages,
        claim=claim_from(row.get("claim_retur")) if complete else None, complete=complete, raw=dict(row),
    )


def ticket_ref(number: str) -> str:
    return TICKET_REF_TEMPLATE.format(number=number)


def ticket_store_fields(payload: TicketPayload) -> dict:
    """#150 multipart fields: the client's customer_name and the seed's partner_name both."""
    description = payload.description.strip()
    ref = ticket_ref(payload.reference)
    if ref not in description:
        description = f"{description}\n\n{ref}"
    return {"no_resi": payload.awb, "customer_name": payload.customer_name, "partner_name": payload.partner_name,
            "ticket_type": str(ticket_type_out(payload.type)), "description": description}


def files_out(attachments: Iterable[Attachment]) -> list[tuple[str, bytes, str]]:
    return [(a.name, a.content, a.content_type) for a in attachments]
