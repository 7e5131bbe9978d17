"""Scalev adapter: OrderSource + OrderSink (create, find, change-status, cancel, delete) + Catalog
(products, variants, stock through the variant update). HTTP in client.py, field names in mappers.py."""

from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta

from integrations.base import (
    ExternalOrder,
    ExternalProduct,
    KnownListings,
    OrderPage,
    OrderPayload,
    ProductPage,
    ProductPayload,
    StockUpdate,
)
from integrations.exceptions import ProviderAuthFailed, ProviderContractChanged, ProviderRejected
from integrations.scalev import mappers
from integrations.scalev.client import ScalevClient
from integrations.scalev.endpoints import FIND_ORDER_MAX_PAGES, FIND_ORDER_WINDOW, PAGE_SIZE_MAX

PLATFORM = "scalev"


def iso_utc(value: datetime) -> str:
    """An aware datetime as the ISO 8601 the list filters take, in UTC, to the microsecond
    ("2025-01-29T20:28:08.046183Z"), so that a bound never cuts off part of a second."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=mappers.WIB)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class ScalevAdapter:
    """Options (PlatformAccount.options): `store_unique_id` (required to create orders: spec
    OrderCreateBody), `warehouse_unique_id`, `location_id`, `e_payment_method` (default "invoice"),
    `cod_fee_name`, `page_size` (≤ 25; for tests and benchmarks)."""

    platform = PLATFORM

    def __init__(self, *, base_url: str, credentials: dict, external_account_id: str = "",
                 options: dict | None = None, rate_limiter=None,
                 on_credentials_changed: Callable[[dict], None] | None = None,
                 timeout: tuple[float, float] | None = None) -> None:
        token = (credentials or {}).get("token") or (credentials or {}).get("api_key") or ""
        if not token:
            raise ProviderAuthFailed("no Scalev API key (credentials['token'])", platform=PLATFORM)
        self.options = dict(options or {})
        self.external_account_id = external_account_id
        self.on_credentials_changed = on_credentials_changed  # Scalev API keys are not refreshed
        self.client = ScalevClient(base_url=base_url, api_key=token, timeout=timeout, rate_limiter=rate_limiter)
        self.page_size = max(1, min(int(self.options.get("page_size") or PAGE_SIZE_MAX), PAGE_SIZE_MAX))

    # Helpers ---------------------------------------------------------------------------------------
    @staticmethod
    def _rows(data, what: str) -> list:
        if not isinstance(data, Mapping) or not isinstance(data.get("data"), list):
            raise ProviderContractChanged(f"{what}: no `data` list in the answer", platform=PLATFORM, payload=data)
        return data["data"]

    def _walk_orders(self, **filters) -> Iterator[tuple[list, dict]]:
        """Every page of GET /v3/orders with `filters`, rebuilt from parameters + next_cursor."""
        cursor: str | None = None
        seen_cursors: set[str] = set()
        while True:
            data = self.client.list_orders(page_size=self.page_size, next_cursor=cursor, **filters)
            rows = self._rows(data, "orders list")
            yield rows, data
            next_cursor = data.get("next_cursor")
            if not rows or not data.get("has_next") or not next_cursor:
                return
            if next_cursor in seen_cursors:
                raise ProviderContractChanged("orders list repeated a cursor", platform=PLATFORM, payload=data)
            seen_cursors.add(next_cursor)
            cursor = next_cursor

    # OrderSource -----------------------------------------------------------------------------------
    def check_connection(self) -> None:
        data = self.client.list_orders(page_size=1)
        self._rows(data, "orders list")

    def iter_order_pages(self, *, since: datetime, until: datetime,
                         known_listings: KnownListings | None = None) -> Iterator[OrderPage]:
        """The window [since, until] on created_at: `draft_time_until=until` on the server (the list
        has no created_at filter, see endpoints.py), newest first, stopping at the first row older
        than `since`, at an empty page or when has_next is false. `known_listings` is not consulted:
        Scalev's list rows carry no items, and the pull already skips their detail calls by update time."""
        since_utc = since.astimezone(UTC) if since.tzinfo else since.replace(tzinfo=mappers.WIB).astimezone(UTC)
        until_utc = until.astimezone(UTC) if until.tzinfo else until.replace(tzinfo=mappers.WIB).astimezone(UTC)
        seen: set[str] = set()
        for rows, data in self._walk_orders(draft_time_until=iso_utc(until_utc)):
            orders: list[ExternalOrder] = []
            reached_older = False
            for row in rows:
                order = mappers.order_from_scalev(row)
                if order.created_at is not None and order.created_at < since_utc:
                    reached_older = True
                    continue
                if order.created_at is not None and order.created_at > until_utc:
                    continue
                if order.external_id in seen:
                    continue
                seen.add(order.external_id)
                orders.append(order)
            yield OrderPage(orders=tuple(orders), cursor=str(data.get("next_cursor") or ""), total=None)
            if reached_older:
                return

    def get_order(self, external_id: str) -> ExternalOrder:
        return mappers.order_from_scalev(self.client.get_order(external_id))

    # OrderSink -------------------------------------------------------------------------------------
    def create_order(self, payload: OrderPayload) -> str:
        store = self.options.get("store_unique_id")
        if not store:
            raise ProviderRejected("account option store_unique_id is required to create Scalev orders",
                                   platform=PLATFORM)
        try:
            body = mappers.order_create_body(payload, store_unique_id=str(store), options=self.options)
        except mappers.MappingError as exc:
            raise ProviderRejected(str(exc), platform=PLATFORM) from exc
        data = self.client.create_order(body)
        if not isinstance(data, Mapping) or data.get("id") in (None, ""):
            raise ProviderContractChanged("create order answered without an id", platform=PLATFORM, payload=data)
        return str(data["id"])

    def find_order(self, order_no: str) -> str | None:
        """The id of the order we created with `order_no` (kept in its metadata), looking through the
        newest orders only: a retry after a timeout comes soon after the lost answer."""
        now = datetime.now(UTC)
        oldest = now - FIND_ORDER_WINDOW
        # the upper bound allows for the platform's clock running ahead of ours
        for pages, (rows, _data) in enumerate(self._walk_orders(draft_time_until=iso_utc(now + timedelta(hours=1))),
                                              start=1):
            for row in rows:
                if mappers.order_metadata_no(row) == order_no:
                    return str(row["id"])
            created = [mappers.timestamp(r.get("created_at")) for r in rows if r.get("created_at")]
            if pages >= FIND_ORDER_MAX_PAGES or (created and min(created) < oldest):
                return None
        return None

    def update_order_status(self, external_id: str, our_status: str) -> None:
        try:
            status = mappers.scalev_status(our_status)
        except mappers.MappingError as exc:
            raise ProviderRejected(str(exc), platform=PLATFORM) from exc
        self._change_status(external_id, status)

    def cancel_order(self, external_id: str, reason: str = "") -> None:
        """change-status to `canceled`. The body has no reason field; the reason stays with us."""
        self._change_status(external_id, "canceled")

    def _change_status(self, external_id: str, status: str) -> None:
        data = self.client.change_status([external_id], status=status)
        rows = self._rows(data, "change-status")
        if not any(str(r.get("id")) == str(external_id) or str(r.get("order_id")) == str(external_id)
                   for r in rows):
            raise ProviderRejected(f"Scalev did not change the status of order {external_id}",
                                   platform=PLATFORM, payload=data)

    def delete_order(self, external_id: str) -> None:
        data = self.client.delete_orders([external_id])
        if str(external_id) not in {str(i) for i in self._rows(data, "delete orders")}:
            raise ProviderRejected(f"Scalev did not delete order {external_id}", platform=PLATFORM, payload=data)

    # Catalog ---------------------------------------------------------------------------------------
    def iter_product_pages(self) -> Iterator[ProductPage]:
        """GET /v3/products page by page; list variants lack sku and price, so each product is read
        through its detail."""
        cursor: str | None = None
        seen_cursors: set[str] = set()
        while True:
            data = self.client.list_products(page_size=self.page_size, next_cursor=cursor)
            rows = self._rows(data, "products list")
            products = tuple(self._product(row["id"]) for row in rows)
            next_cursor = data.get("next_cursor")
            yield ProductPage(products=products, cursor=str(next_cursor or ""), total=None)
            if not rows or not data.get("has_next") or not next_cursor:
                return
            if next_cursor in seen_cursors:
                raise ProviderContractChanged("products list repeated a cursor", platform=PLATFORM, payload=data)
            seen_cursors.add(next_cursor)
            cursor = next_cursor

    def _product(self, product_id) -> ExternalProduct:
        return mappers.product_from_scalev(self.client.get_product(str(product_id)))

    def create_product(self, payload: ProductPayload) -> ExternalProduct:
        data = self.client.create_product(mappers.product_create_body(payload))
        if not isinstance(data, Mapping) or data.get("id") in (None, ""):
            raise ProviderContractChanged("create product answered without an id", platform=PLATFORM, payload=data)
        if mappers.product_option_names(payload):
            data = self.client.update_product(str(data["id"]), mappers.product_update_body(payload))
        return mappers.product_from_scalev(data)

    def update_product(self, payload: ProductPayload) -> ExternalProduct:
        """PATCH the product, then its variants one by one (the current spec moved variants out of
        the product update): update known ones, create new ones, delete those no longer sent."""
        if not payload.external_id:
            raise ProviderRejected("update_product needs the Scalev product id", platform=PLATFORM)
        product_id = payload.external_id
        self.client.update_product(product_id, mappers.product_update_body(payload))
        current = self.client.get_product(product_id)
        names = mappers.product_option_names(payload)
        existing = {mappers.variant_external_id(v): v for v in current.get("variants") or ()}
        by_sku = {v.get("sku"): mappers.variant_external_id(v) for v in current.get("variants") or () if v.get("sku")}
        kept: set[str] = set()
        for variant in payload.variants:
            variant_id = variant.external_id or by_sku.get(variant.sku, "")
            body = mappers.variant_body(variant, names)
            if variant_id and variant_id in existing:
                self.client.update_variant(variant_id, body)
                kept.add(variant_id)
            else:
                created = self.client.create_variant(product_id, body)
                kept.add(mappers.variant_external_id(created))
        for variant_id in existing:
            if variant_id not in kept:
                self.client.delete_variant(variant_id)
        return self._product(product_id)

    def delete_product(self, external_id: str) -> None:
        try:
            self.client.delete_product(external_id)
        except ProviderRejected as exc:
            if exc.status_code != 404 or isinstance(exc, ProviderAuthFailed):
                raise  # a 404 means it is gone already (e.g. our retried DELETE had succeeded)

    def push_stock(self, updates: tuple[StockUpdate, ...]) -> None:
        """One variant update per variant (the last quantity wins): is_checked = quantity > 0 and the
        quantity in the variant's metadata, merged with what the variant holds (read first)."""
        latest: dict[str, StockUpdate] = {}
        for update in updates:
            if not update.external_variant_id:
                raise ProviderRejected(f"stock update for {update.sku!r} has no Scalev variant id",
                                       platform=PLATFORM)
            latest[update.external_variant_id] = update
        for variant_id, update in latest.items():
            current = self.client.get_variant(variant_id)
            metadata = current.get("metadata") if isinstance(current, Mapping) else None
            self.client.update_variant(variant_id, mappers.stock_body(update, metadata))

    # Carrier: quotes, AWB and receipts, tracking -----------------------------------------------------
    def _location_id(self, text: str) -> int:
        text = (text or "").strip()
        if text.isdigit():
            return int(text)
        for term in [text, *[part.strip() for part in text.split(",") if part.strip()]]:
            found = mappers.location_id(self.client.list_locations(search=term)) if term else ""
            if found.isdigit():
                return int(found)
        raise ProviderRejected(f"Scalev knows no location {text!r}", platform=PLATFORM)

    def shipping_rates(self, *, origin: str, destination: str, weight_grams: int, cod_value, item_value):
        """shipping-costs for the account's couriers; a COD parcel asks the courier-service search with
        payment_method "cod" (only COD-capable services). `origin` is a warehouse id (default: options)."""
        from integrations.scalev.endpoints import DEFAULT_COURIER_CODES

        warehouse = str(origin).strip() if str(origin or "").strip().isdigit() else self.options.get("warehouse_id")
        if not str(warehouse or "").isdigit():
            raise ProviderRejected("Scalev needs a warehouse id as origin (options['warehouse_id'])",
                                   platform=PLATFORM)
        location = self._location_id(destination)
        if cod_value and cod_value > 0:
            body = self.client.courier_services({
                "is_show_all": False, "location_id": location, "payment_method": "cod",
                "store_id": int(self.options.get("store_id") or 0) or None, "warehouse_id": int(warehouse),
                "weight": int(weight_grams)})
            return mappers.shipping_rates(body, cod_only=True)
        codes = list(self.options.get("courier_codes") or DEFAULT_COURIER_CODES)
        body = self.client.shipping_costs({"courier_codes": codes, "location_id": location,
                                           "warehouse_id": int(warehouse), "weight": int(weight_grams)})
        return mappers.shipping_rates(body)

    def track(self, *, awb: str, courier_code: str = "", external_order_id: str = ""):
        return mappers.tracking_timeline(self.client.get_order(external_order_id), awb=awb)

    def generate_awb(self, external_order_ids: list[str]) -> list:
        return mappers.awb_results(self.client.generate_awb(list(external_order_ids)))

    def cancel_awb(self, external_order_ids: list[str]) -> list:
        return mappers.awb_results(self.client.cancel_awb(list(external_order_ids)))

    def upload_receipts(self, rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """Set shipment receipts (AWBs) by CSV: rows (order_id as Scalev shows it, receipt)."""
        body = self.client.upload_receipt(mappers.receipts_csv(rows))
        data = self._rows(body, "upload-receipt")
        return [(str(r.get("order_id") or ""), str(r.get("shipment_receipt") or "")) for r in data]
