"""NgorderAdapter: orders pull / push, status and cancel push, products and stock, over NgorderClient.

Account options (all optional):
  language          Accept-Language, "en" (default) or "id"
  auth_header       "bearer" (default: `Authorization: Bearer <key>`, seed 002) or "token" (seed 003's row)
  page_size         order page size, clamped to PAGE_SIZE_MAX (100)
  include_canceled  also walk GET /order-cancel (CANCEL, REJECTED, EXPIRED) in a pull; default True
  shop_id, user_id, supplier_id   defaults for pushes; otherwise read once from GET /shop
  sender_customer_id   Ngorder customer used as the sender of pushed orders (default: the receiver, or a
                       dropshipper customer created from payload.sender_name / sender_phone)
  default_district_id  region id used when a customer's district is not found by GET /region
  expedition_id     expedition id sent on create (default 99, the documented "manual input")
  order_source_id   sales channel of pushed orders
  stock_warehouse_id   when set, push_stock adjusts that warehouse with update-stock (delta from
                       check-stock); otherwise it sets the variant's stock with sync-stock
  find_window_days  how far back find_order looks (default 7 days)
"""

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from integrations.base import (
    ExternalCustomer,
    ExternalOrder,
    ExternalProduct,
    KnownListings,
    ListedRows,
    OrderPage,
    OrderPayload,
    ProductPage,
    ProductPayload,
    StockUpdate,
)
from integrations.exceptions import (
    IntegrationError,
    ProviderAuthFailed,
    ProviderContractChanged,
    ProviderRejected,
    ProviderUnavailable,
)
from integrations.ngorder import mappers
from integrations.ngorder.client import NgorderClient
from integrations.ngorder.endpoints import (
    CANCELED_PAGE_SIZE_MAX,
    CANCELED_TYPES,
    DEFAULT_BASE_URL,
    PAGE_SIZE_MAX,
    PRODUCT_PAGE_SIZE_MAX,
)

CANCELED_WORDS = {"CANCELED", "CANCEL", "REJECTED", "EXPIRED"}
EARLIEST_DATE = "2015-01-01"  # lower bound of "any time" look-ups by id


class NgorderAdapter:
    platform = "ngorder"

    def __init__(self, *, base_url: str, credentials: dict, external_account_id: str = "",
                 options: dict | None = None, rate_limiter=None, on_credentials_changed=None,
                 timeout: tuple[float, float] | None = None) -> None:
        options = dict(options or {})
        key = credentials.get("token") or credentials.get("api_key") or credentials.get("key") or ""
        if not key:
            raise ProviderAuthFailed("no API key in the account's credentials", platform=self.platform)
        self.client = NgorderClient(
            base_url=base_url or DEFAULT_BASE_URL, api_key=key, language=options.get("language", "en"),
            auth_header=options.get("auth_header", "bearer"), timeout=timeout, rate_limiter=rate_limiter,
        )
        self.options = options
        self.external_account_id = external_account_id
        self.on_credentials_changed = on_credentials_changed  # keys are pasted by staff; nothing to refresh
        self.page_size = max(1, min(int(options.get("page_size", PAGE_SIZE_MAX)), PAGE_SIZE_MAX))
        self.include_canceled = bool(options.get("include_canceled", True))
        self._shop: dict | None = None

    # Connection -----------------------------------------------------------------------------------
    def check_connection(self) -> None:
        today = datetime.now(UTC)
        self.client.list_orders(start_date=mappers.wib_date(today - timedelta(days=30)),
                                end_date=mappers.wib_date(today), per_page=1)

    # Orders pull ------------------------------------------------------------------------------------
    def iter_order_pages(self, *, since: datetime, until: datetime,
                         known_listings: KnownListings | None = None) -> Iterator[OrderPage]:
        """Active orders (GET /order) and then, unless include_canceled is off, canceled / rejected /
        expired ones (GET /order-cancel), all by local order date in [since, until]. Rows that
        `known_listings` knows are listed as unchanged, not mapped."""
        start, end = mappers.window_dates(since, until)

        def active(page: int) -> dict:
            return self.client.list_orders(start_date=start, end_date=end, page=page, per_page=self.page_size)

        yield from self._walk_orders("order", active, known_listings)
        if not self.include_canceled:
            return
        for kind in CANCELED_TYPES:
            def canceled(page: int, kind: str = kind) -> dict:
                return self.client.list_canceled_orders(start_date=start, end_date=end, type=kind, page=page,
                                                        per_page=CANCELED_PAGE_SIZE_MAX)

            yield from self._walk_orders(f"order-cancel:{kind}", canceled, known_listings)

    def _walk_orders(self, label: str, fetch: Callable[[int], dict],
                     known_listings: KnownListings | None) -> Iterator[OrderPage]:
        for page, rows, total in walk_pages(fetch):
            listed = ListedRows.of(rows, external_id=mappers.order_external_id, mappers=mappers,
                                   known_listings=known_listings)
            orders = tuple(mappers.order_from_json(row) for row in rows
                           if mappers.order_external_id(row) not in listed.known)
            yield OrderPage(orders=orders, cursor=f"{label}:{page + 1}", total=total, unchanged=listed.known_in_order(),
                            listing_digests=listed.digests)

    def get_order(self, external_id: str) -> ExternalOrder:
        try:
            body = self.client.get_order_detail(external_id)
        except ProviderRejected as exc:
            if isinstance(exc, ProviderAuthFailed) or exc.status_code != 404:
                raise
            # 002 does not document GET /order/detail: fall back to the list rows.
            row = self._find_row_by_id(external_id)
            if row is None:
                raise
            return mappers.order_from_json(row)
        data = body.get("data") if isinstance(body, dict) else None
        return mappers.order_from_json(data)

    def _find_row_by_id(self, external_id: str) -> dict | None:
        today = mappers.wib_date(datetime.now(UTC) + timedelta(days=1))
        body = self.client.list_orders(start_date=EARLIEST_DATE, end_date=today, per_page=PAGE_SIZE_MAX,
                                       keyword=str(external_id), type="ORDER_ID")
        for row in mappers.list_rows(body):
            if str(row.get("order_id")) == str(external_id):
                return row
        for kind in CANCELED_TYPES:
            def fetch(page: int, kind: str = kind) -> dict:
                return self.client.list_canceled_orders(start_date=EARLIEST_DATE, end_date=today, type=kind,
                                                        page=page, per_page=CANCELED_PAGE_SIZE_MAX)

            for _page, rows, _total in walk_pages(fetch):
                for row in rows:
                    if str(row.get("order_id")) == str(external_id):
                        return row
        return None

    # Orders push ------------------------------------------------------------------------------------
    def create_order(self, payload: OrderPayload) -> str:
        body = self._order_body(payload)
        return mappers.order_from_create_response(self.client.create_order(body))

    def find_order(self, order_no: str) -> str | None:
        """The Ngorder id of an order we pushed (our number is in its note), or None. Looks at the last
        `find_window_days` days: first a keyword search, then the whole window, then the canceled list."""
        now = datetime.now(UTC)
        start = mappers.wib_date(now - timedelta(days=int(self.options.get("find_window_days", 7))))
        end = mappers.wib_date(now + timedelta(days=1))

        def matching(rows: list) -> str | None:
            for row in rows:
                if mappers.note_has_reference(row.get("note"), order_no):
                    return str(row["order_id"])
            return None

        searches: list[Callable[[int], dict]] = [
            lambda page: self.client.list_orders(start_date=start, end_date=end, page=page,
                                                 per_page=PAGE_SIZE_MAX, keyword=order_no),
            lambda page: self.client.list_orders(start_date=start, end_date=end, page=page,
                                                 per_page=PAGE_SIZE_MAX),
            lambda page: self.client.list_canceled_orders(start_date=start, end_date=end, page=page,
                                                          per_page=CANCELED_PAGE_SIZE_MAX),
        ]
        for fetch in searches:
            for _page, rows, _total in walk_pages(fetch):
                found = matching(rows)
                if found:
                    return found
        return None

    def update_order(self, external_id: str, payload: OrderPayload) -> None:
        """PATCH /order with the payload; lines are flagged EDIT / NEW / DELETE against the current order."""
        current = self.get_order(external_id)
        body = self._order_body(payload)
        current_ids = {item.external_variant_id for item in current.items}
        wanted_ids = {str(line["id"]) for line in body["products"]}
        for line in body["products"]:
            line["flag"] = "EDIT" if str(line["id"]) in current_ids else "NEW"
        for variant_id in sorted(current_ids - wanted_ids):
            if variant_id:
                body["products"].append({"id": int(variant_id), "qty": 0, "product_status": "S",
                                         "flag": "DELETE"})
        body.pop("order_date", None)  # not listed among Update Order's parameters
        self.client.update_order({"order_id": int(external_id), **body})

    def update_order_status(self, external_id: str, our_status: str) -> None:
        """Ngorder has no settable status: `canceled` cancels (POST /order/cancel); `new` / `processing`
        on a canceled order returns it to the active list (POST /order-cancel/return). Progress (paid, AWB,
        delivered) follows payments and the AWB on the platform: use add_awb for `shipped`."""
        if our_status == "canceled":
            self.cancel_order(external_id)
            return
        if our_status in ("new", "processing"):
            current = self.get_order(external_id)
            if current.status.upper() in CANCELED_WORDS:
                self.client.return_canceled_order(external_id)
            return
        raise ProviderRejected(f"Ngorder documents no way to set an order to '{our_status}'",
                               platform=self.platform)

    def cancel_order(self, external_id: str, reason: str = "") -> None:
        """POST /order/cancel (no reason field is documented). A retry after a timeout is harmless: an
        order that is already canceled counts as done."""
        try:
            self.client.cancel_order(external_id)
        except ProviderRejected as exc:
            if isinstance(exc, ProviderAuthFailed):
                raise
            try:
                current = self.get_order(external_id)
            except IntegrationError:
                raise exc from None
            if current.status.upper() not in CANCELED_WORDS:
                raise

    def delete_order(self, external_id: str) -> None:
        """Ngorder deletes canceled orders only (DELETE /order-cancel/{id}): an active order is canceled
        first."""
        current = self.get_order(external_id)
        if current.status.upper() not in CANCELED_WORDS:
            self.cancel_order(external_id)
        self.client.delete_canceled_order(external_id)

    def add_awb(self, external_id: str, awb_number: str) -> None:
        self.client.add_awb(external_id, awb_number)

    def _order_body(self, payload: OrderPayload) -> dict:
        if not payload.items:
            raise ProviderRejected("an order needs at least one item", platform=self.platform)
        shop = self._shop_defaults()
        receiver_id = self._customer_id(payload.customer, category="N")
        sender_id = self.options.get("sender_customer_id")
        if not sender_id and payload.sender_name and payload.sender_phone:
            sender = ExternalCustomer(name=payload.sender_name, phone=mappers.phone(payload.sender_phone),
                                      address=payload.customer.address, district=payload.customer.district,
                                      subdistrict=payload.customer.subdistrict, city=payload.customer.city,
                                      province=payload.customer.province)
            sender_id = self._customer_id(sender, category="D")
        variant_ids = [self._variant_id(item.external_variant_id, item.sku) for item in payload.items]
        return mappers.order_body(
            payload, sender_id=int(sender_id or receiver_id), receiver_id=receiver_id,
            supplier_id=int(self.options.get("supplier_id") or shop["supplier_id"]), variant_ids=variant_ids,
            order_date=mappers.wib_date(datetime.now(UTC)),
            expedition_id=int(self.options.get("expedition_id", 99)),
            order_source_id=self.options.get("order_source_id"),
        )

    def _customer_id(self, customer: ExternalCustomer, *, category: str) -> int:
        """An existing Ngorder customer with the same phone and name, or a new one."""
        if customer.phone:
            local = "0" + customer.phone[3:] if customer.phone.startswith("+62") else customer.phone
            body = self.client.list_customers(keyword=local, type="PHONE", per_page=PAGE_SIZE_MAX)
            for row in mappers.list_rows(body):
                if (mappers.phone(row.get("phone")) == customer.phone
                        and str(row.get("name", "")).strip().lower() == customer.name.strip().lower()):
                    return int(row["id"])
        district_id = self._district_id(customer)
        created = self.client.create_customer(mappers.customer_body(customer, district_id=district_id,
                                                                    category=category))
        data = created.get("data") if isinstance(created, dict) else None
        if not isinstance(data, dict) or data.get("customer_id") in (None, ""):
            raise ProviderContractChanged("create customer answered without data.customer_id",
                                          platform=self.platform, payload=created)
        return int(data["customer_id"])

    def _district_id(self, customer: ExternalCustomer) -> int:
        keyword = mappers.region_keyword(customer)
        if keyword:
            rows = mappers.list_rows(self.client.list_regions(keyword=keyword, per_page=1))
            if rows:
                return int(rows[0]["id"])
        if self.options.get("default_district_id"):
            return int(self.options["default_district_id"])
        raise ProviderRejected(f"no Ngorder region matches '{keyword}'", platform=self.platform)

    def _variant_id(self, external_variant_id: str, sku: str) -> int:
        if external_variant_id:
            return int(external_variant_id)
        if sku:
            body = self.client.search_products(keyword=sku, per_page=PRODUCT_PAGE_SIZE_MAX)
            for row in mappers.list_rows(body):
                for variation in row.get("variations") or []:
                    if str(variation.get("sku", "")).strip().lower() == sku.strip().lower():
                        return int(variation["id"])
        raise ProviderRejected(f"SKU '{sku}' is not on Ngorder", platform=self.platform)

    def _shop_defaults(self) -> dict:
        if self._shop is None:
            rows = mappers.list_rows(self.client.get_shop())
            if not rows:
                raise ProviderContractChanged("GET /shop returned no shop", platform=self.platform)
            shop = rows[0]
            users = shop.get("users") or [{}]
            self._shop = {
                "shop_id": shop.get("id"),
                "user_id": users[0].get("id"),
                "supplier_id": (shop.get("active_supplier") or {}).get("id"),
            }
        return self._shop

    def _shop_value(self, key: str) -> int:
        value = self.options.get(key)
        if key == "shop_id" and not value and str(self.external_account_id).isdigit():
            value = self.external_account_id
        return int(value or self._shop_defaults()[key] or 0)

    # Products ---------------------------------------------------------------------------------------
    def iter_product_pages(self) -> Iterator[ProductPage]:
        def fetch(page: int) -> dict:
            return self.client.search_products(page=page, per_page=PRODUCT_PAGE_SIZE_MAX)

        for page, rows, total in walk_pages(fetch):
            products = tuple(mappers.product_from_json(row) for row in rows)
            yield ProductPage(products=products, cursor=str(page + 1), total=total)

    def get_product(self, external_id: str) -> ExternalProduct:
        body = self.client.get_product(external_id)
        return mappers.product_from_json(body.get("data") if isinstance(body, dict) else None)

    def create_product(self, payload: ProductPayload) -> ExternalProduct:
        body = mappers.product_body(payload, shop_id=self._shop_value("shop_id"),
                                    user_id=self._shop_value("user_id"),
                                    category_id=int(self.options.get("category_id", 0)))
        product_id, _variant_ids = mappers.product_ids_from_save(self.client.create_product(body))
        return self.get_product(product_id)

    def update_product(self, payload: ProductPayload) -> ExternalProduct:
        """PATCH /product. Variants are matched to the current ones by id, then by SKU; current variants the
        payload no longer has are sent with flag DELETE."""
        if not payload.external_id:
            raise ProviderRejected("update_product needs payload.external_id", platform=self.platform)
        current = self.get_product(payload.external_id)
        by_sku = {v.sku.lower(): v.external_id for v in current.variants}
        variants = []
        for variant in payload.variants:
            if not variant.external_id and variant.sku.lower() in by_sku:
                variant = replace(variant, external_id=by_sku[variant.sku.lower()])
            variants.append(variant)
        kept = {v.external_id for v in variants}
        deleted = [v.external_id for v in current.variants if v.external_id not in kept]
        payload = replace(payload, variants=tuple(variants))
        body = mappers.product_body(payload, shop_id=self._shop_value("shop_id"),
                                    user_id=self._shop_value("user_id"),
                                    category_id=int(current.raw.get("category_id") or 0),
                                    deleted_variant_ids=deleted)
        self.client.update_product(body)
        return self.get_product(payload.external_id)

    def delete_product(self, external_id: str) -> None:
        self.client.delete_products([int(external_id)])

    def generate_skus(self, items: list[dict]) -> list[dict]:
        """items: [{"name": ..., "color": ..., "size": ..., "old_sku": ...}] -> the same with "sku"."""
        return mappers.generated_skus(self.client.generate_skus(items))

    def validate_sku(self, sku: str, external_variant_id: str) -> bool:
        return mappers.sku_validation(self.client.validate_sku(sku, external_variant_id))

    def push_stock(self, updates: tuple[StockUpdate, ...]) -> None:
        """sync-stock (absolute) per variant, or update-stock (delta from check-stock) on the warehouse in
        options["stock_warehouse_id"]. Every update is tried; failures are raised together afterwards
        (ProviderUnavailable when any could succeed on a retry)."""
        warehouse = self.options.get("stock_warehouse_id")
        failures: list[tuple[str, IntegrationError]] = []
        for update in updates:
            try:
                variation_id = self._variant_id(update.external_variant_id, update.sku)
                if warehouse is None:
                    self.client.sync_stock(variation_id, max(0, update.quantity))
                    continue
                current = mappers.check_stock_amount(self.client.check_stock(variation_id, warehouse))
                delta = max(0, update.quantity) - current
                if delta:
                    self.client.update_stock(mappers.stock_update_body(
                        str(variation_id), delta=delta, warehouse_id=int(warehouse),
                        description="Sinkron stok dari back office"))
            except IntegrationError as exc:
                failures.append((update.sku or update.external_variant_id, exc))
        if not failures:
            return
        summary = "; ".join(f"{sku}: {exc.message}" for sku, exc in failures)[:1000]
        payload = [{"sku": sku, "error": str(exc)} for sku, exc in failures]
        if any(exc.retryable for _sku, exc in failures):
            raise ProviderUnavailable(f"stock push failed for {len(failures)} variant(s): {summary}",
                                      platform=self.platform, payload=payload)
        raise ProviderRejected(f"stock push failed for {len(failures)} variant(s): {summary}",
                               platform=self.platform, payload=payload)

    # Carrier: quotes, tracking, pickups --------------------------------------------------------------
    def _region_id(self, text: str, *, fallback_option: str = "") -> int:
        text = (text or "").strip()
        if text.isdigit():
            return int(text)
        if not text and fallback_option and self.options.get(fallback_option):
            return int(self.options[fallback_option])
        for term in [text, *[part.strip() for part in text.split(",") if part.strip()]]:
            rows = mappers.list_rows(self.client.list_regions(keyword=term, per_page=1)) if term else []
            if rows:
                return int(rows[0]["id"])
        raise ProviderRejected(f"no Ngorder region matches {text!r}", platform=self.platform)

    def shipping_rates(self, *, origin: str, destination: str, weight_grams: int, cod_value, item_value):
        """Get Cost. `origin` is a region id or name (default: options["origin_district_id"])."""
        body = self.client.expedition_cost(
            origin_id=self._region_id(origin, fallback_option="origin_district_id"),
            destination_id=self._region_id(destination), weight=int(weight_grams),
            price=int(item_value or cod_value or 0))
        return mappers.shipping_rates(body)

    def track(self, *, awb: str, courier_code: str = "", external_order_id: str = ""):
        from integrations.ngorder.endpoints import EXPEDITION_IDS

        code = (courier_code or "").lower().replace("&", "").replace(" ", "")
        expedition_id = EXPEDITION_IDS.get(code) or EXPEDITION_IDS.get(code.split("-")[0]) or 99
        body = self.client.expedition_tracking(awb_number=awb, expedition_id=expedition_id,
                                               order_id=external_order_id)
        return mappers.tracking_timeline(body, awb=awb)

    def create_pickup(self, payload):
        """pickup-request for every order at once (Ngorder takes no date or time: the courier comes on its
        own round); the orders left out of success_data are refused."""
        from integrations.base import PickupResult

        service = "DROP_OFF" if self.options.get("pickup_service") == "DROP_OFF" else "PICKUP"
        body = self.client.pickup_request([{"id": int(i), "service": service} for i in payload.external_order_ids])
        accepted = mappers.pickup_accepted(body)
        refused = tuple((i, "not accepted for pickup") for i in payload.external_order_ids if i not in accepted)
        return PickupResult(external_id="", accepted=accepted, refused=refused)

    def cancel_pickup(self, external_order_id: str, reason: str = "") -> None:
        self.client.cancel_pickup(external_order_id, reason)


    # Finance: OrderPay balance and withdraw (finance/sync.py) ---------------------------------------------
    def get_balance(self):
        """GET /payment/orderpay-balance as an ExternalBalance."""
        return mappers.balance_from_orderpay(self.client.orderpay_balance())

    def request_withdraw(self, *, bank_code: str, nominal: int, holder_name: str, account_number: str) -> None:
        """POST /payment/withdraw. Ngorder answers no id and the call is never retried: a timeout leaves the
        outcome unknown (ProviderUnavailable), which the caller must not treat as "not sent"."""
        from integrations.ngorder.endpoints import WITHDRAW_MIN, XENDIT_BANK_IDS

        ids = {**XENDIT_BANK_IDS, **(self.options.get("xendit_bank_ids") or {})}
        if bank_code not in ids:
            raise ProviderRejected(f"no Xendit bank id for bank {bank_code!r}", platform="ngorder")
        if nominal < WITHDRAW_MIN:
            raise ProviderRejected(f"Ngorder withdraws at least Rp{WITHDRAW_MIN:,}".replace(",", "."),
                                   platform="ngorder")
        self.client.withdraw(xendit_bank_id=ids[bank_code], nominal=nominal, holder_name=holder_name,
                             account_number=int(account_number))

def walk_pages(fetch: Callable[[int], dict]) -> Iterator[tuple[int, list, int | None]]:
    """Page-number pagination (per_page + pagination_offset): ask for page 1, 2, … rebuilt from the
    parameters (links.next is unreliable). Stops at an empty page or once the rows received reach the
    reported total; never assumes the server honoured the requested page size."""
    page, received = 1, 0
    while True:
        body = fetch(page)
        rows = mappers.list_rows(body)
        meta = mappers.pagination(body)
        total = _optional_int(meta.get("total"))
        if not rows:
            return
        received += len(rows)
        yield page, rows, total
        if total is not None and received >= total:
            return
        total_pages = _optional_int(meta.get("total_pages"))
        if total is None and total_pages is not None and page >= total_pages:
            return
        page += 1


def _optional_int(value: Any) -> int | None:
    try:
        return None if value in (None, "") else int(value)
    except (TypeError, ValueError):
        return None
