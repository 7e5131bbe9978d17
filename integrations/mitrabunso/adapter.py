"""Mitrabunso for the rest of the project: orders only (the document has no product API).

Options (PlatformAccount.options), all optional:
  page_size             list page size to request (default and maximum: endpoints.PAGE_SIZE_MAX)
  body_encoding         "json" (default: {"data": …}) or "form" (data=<json text>) for create / batch_create
  list_order            "newest_first" (default: stop paging once past `since`) or "scan" (read every page)
  shop_id, shop_name    the Mitrabunso shop our pushed orders belong to (order.shopId / shopName)
  courier_ids           {"jne": "<Mitrabunso courier UUID>", …} for order.courierId
  default_payment_method  payment method of orders whose courier name does not say COD (default e_payment)
"""

import itertools
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime

from integrations.base import ExternalOrder, KnownListings, ListedRows, OrderPage, OrderPayload
from integrations.exceptions import ProviderContractChanged, ProviderRejected
from integrations.http import RateLimiter
from integrations.mitrabunso import mappers
from integrations.mitrabunso.client import MitrabunsoClient
from integrations.mitrabunso.endpoints import PAGE_SIZE_MAX, PLATFORM


class MitrabunsoAdapter:
    platform = PLATFORM

    def __init__(self, *, base_url: str, credentials: dict, external_account_id: str = "",
                 options: dict | None = None, rate_limiter: RateLimiter | None = None,
                 on_credentials_changed: Callable[[dict], None] | None = None,
                 timeout: tuple[float, float] | None = None, **client_kwargs) -> None:
        credentials = dict(credentials or {})
        self.options = dict(options or {})
        self.id_user = (external_account_id or credentials.get("id_user") or "").strip()
        self.on_credentials_changed = on_credentials_changed  # no refresh is documented: never called
        self.client = MitrabunsoClient(
            base_url=base_url,
            token=credentials.get("token") or credentials.get("api_key") or "",
            id_user=self.id_user,
            body_encoding=self.options.get("body_encoding", "json"),
            rate_limiter=rate_limiter,
            timeout=timeout,
            **client_kwargs,
        )
        self.page_size = max(1, min(int(self.options.get("page_size") or PAGE_SIZE_MAX), PAGE_SIZE_MAX))
        self.list_order = self.options.get("list_order", "newest_first")
        self.default_payment_method = self.options.get("default_payment_method",
                                                       mappers.DEFAULT_PAYMENT_METHOD)
        if self.default_payment_method not in mappers.PAYMENT_METHODS:
            raise ValueError(f"default_payment_method must be one of {mappers.PAYMENT_METHODS}")

    # Reading -----------------------------------------------------------------------------------------
    def check_connection(self) -> None:
        self.client.list_orders(offset=0, limit=1)

    def iter_order_pages(self, *, since: datetime, until: datetime, status: str = "", q: str = "",
                         known_listings: KnownListings | None = None) -> Iterator[OrderPage]:
        """Orders created in [since, until), one OrderPage per list page.

        The list has no date filter, so the window is ours: rows outside it are dropped, and paging stops
        at an empty page, at the reported total, or (list_order "newest_first") after a page that is in
        newest-first order and whose last row is older than `since`. Offsets advance by the rows actually
        received. An order seen twice in one run (rows shift down when new orders arrive during the pull)
        is yielded once. Rows that `known_listings` knows are listed as unchanged, not mapped."""
        offset = 0
        seen: set[str] = set()
        while True:
            response = self.client.list_orders(offset=offset, limit=self.page_size, status=status, q=q)
            rows, total = mappers.list_page(response)
            if not rows:
                return
            offset += len(rows)
            listed = ListedRows.of(rows, external_id=mappers.order_external_id, mappers=mappers,
                                   known_listings=known_listings)
            in_window, unchanged, times = [], [], []
            for row in rows:
                external_id = mappers.order_external_id(row)
                if external_id in listed.known:
                    order, created = None, mappers.listed_created_at(row)
                else:
                    order = self._map_row(row)
                    external_id, created = order.external_id, order.created_at
                if created is not None:
                    times.append(created)
                if external_id in seen or (created is not None and not since <= created < until):
                    continue
                seen.add(external_id)
                if order is None:
                    unchanged.append(external_id)
                else:
                    in_window.append(order)
            yield OrderPage(orders=tuple(in_window), cursor=str(offset), total=total, unchanged=tuple(unchanged),
                            listing_digests=listed.digests)
            if total is not None and offset >= total:
                return
            if self.list_order == "newest_first" and self._past_window(times, since):
                return

    @staticmethod
    def _past_window(times: list[datetime], since: datetime) -> bool:
        if not times:
            return False
        newest_first = all(a >= b for a, b in itertools.pairwise(times))
        return newest_first and times[-1] < since

    def _map_row(self, row: dict) -> ExternalOrder:
        return mappers.order_from_document(row, default_payment_method=self.default_payment_method)

    def get_order(self, external_id: str) -> ExternalOrder:
        response = self.client.order_details(external_id)
        data = response.get("data")
        if not isinstance(data, dict):
            raise ProviderContractChanged("details answer's data is not an object", platform=PLATFORM,
                                          payload=response)
        return mappers.order_from_details(data, default_payment_method=self.default_payment_method)

    def order_summary(self) -> dict[str, int]:
        """Orders per platform status word (total_summary)."""
        return mappers.summary_counts(self.client.total_summary())

    def find_order(self, order_no: str) -> str | None:
        """The id of the order whose invoice is `order_no`, searched with the list's `q` (newest first)."""
        wanted = (order_no or "").strip()
        if not wanted:
            return None
        offset = 0
        while True:
            rows, total = mappers.list_page(self.client.list_orders(offset=offset, limit=self.page_size,
                                                                    q=wanted))
            for row in rows:
                order = self._map_row(row)
                if order.order_no == wanted:
                    return order.external_id
            offset += len(rows)
            if not rows or (total is not None and offset >= total):
                return None

    # Writing -----------------------------------------------------------------------------------------
    def _document(self, payload: OrderPayload) -> dict:
        if not payload.items:
            raise ProviderRejected("an order needs at least one item", platform=PLATFORM)
        return mappers.document_from_payload(
            payload,
            shop_id=self.options.get("shop_id"),
            shop_name=self.options.get("shop_name", ""),
            courier_ids=self.options.get("courier_ids") or {},
        )

    def create_order(self, payload: OrderPayload) -> str:
        """Create one order; returns its Mitrabunso id. Not retried: after a timeout, call find_order."""
        return mappers.created_order_id(self.client.create_order(self._document(payload)))

    def create_orders(self, payloads: Sequence[OrderPayload]) -> list[str]:
        """batch_create: the new ids in the order of `payloads` (read from data.invoices)."""
        if not payloads:
            return []
        documents = [self._document(p) for p in payloads]
        return mappers.batch_order_ids(self.client.batch_create(documents), expected=len(documents))

    # Labels (for the later AWB / label work) --------------------------------------------------------
    def processed_batches(self, *, q: str = "") -> list[mappers.ProcessedBatch]:
        return mappers.processed_batches(self.client.processed_list(q=q))

    def print_batch(self, batch: mappers.ProcessedBatch | str, *, print_status: int) -> list[ExternalOrder]:
        """The orders of a processed batch for label printing; records `print_status` on the platform."""
        key = batch.processed if isinstance(batch, mappers.ProcessedBatch) else batch
        response = self.client.print_order(timestamp=key, print_status=print_status)
        return mappers.print_orders(response, default_payment_method=self.default_payment_method)
