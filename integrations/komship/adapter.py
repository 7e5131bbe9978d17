"""KomshipAdapter: OrderSource, OrderSink (store v2/v3, mass, delete) and Catalog over Komship's API.

Credentials: {"token"} (also "access_token"; optional "expires_at", ISO) and/or {"username", "password"}
for the documented login. A refreshed or new token is handed to on_credentials_changed as
{"token", "expires_at"}. external_account_id is the Komship partner_id used in Orderku paths; when empty,
the first partner of `GET v1/partner` is used.

Options (all optional): store_order_version "v3" (default) | "v2"; order_list_version "v2" (default,
limit/offset) | "v1" (Laravel paginator); page_size (≤ PAGE_SIZE_MAX); partner_address_id, warehouse_id
(store v3 origin); find_order_days (default 30); find_order_scan_days (default 2)."""

import contextlib
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta

from integrations.base import (
    ExternalBalance,
    ExternalOrder,
    ExternalProduct,
    ExternalWithdrawal,
    KnownListings,
    ListedRows,
    OrderPage,
    OrderPayload,
    ProductPage,
    ProductPayload,
    StockUpdate,
    TicketPage,
    TicketPayload,
    TransactionPage,
    WithdrawalPage,
)
from integrations.exceptions import ProviderContractChanged, ProviderRejected, ProviderUnavailable
from integrations.komship import mappers
from integrations.komship.client import WIB, KomshipClient, parse_expires_at
from integrations.komship.endpoints import (
    DEFAULT_BASE_URL,
    MASS_ORDER_BATCH_MAX,
    PACKAGE_RETURN_PAGE_SIZE,
    PAGE_SIZE_MAX,
    PRODUCT_PAGE_SIZE_MAX,
    STOCK_BATCH_MAX,
    TICKET_PAGE_SIZE,
)

PLATFORM = "komship"


def _chunks(seq, size):
    for start in range(0, len(seq), size):
        yield seq[start:start + size]


class KomshipAdapter:
    platform = PLATFORM

    def __init__(self, *, base_url: str, credentials: dict, external_account_id: str = "",
                 options: dict | None = None, rate_limiter=None,
                 on_credentials_changed: Callable[[dict], None] | None = None,
                 timeout: tuple[float, float] | None = None, **client_kwargs) -> None:
        creds = dict(credentials or {})
        self.options = dict(options or {})
        token = str(creds.get("token") or creds.get("access_token") or "")
        self.client = KomshipClient(
            base_url=base_url or DEFAULT_BASE_URL,
            token=token,
            expires_at=parse_expires_at(creds.get("expires_at")) if token else None,
            username=str(creds.get("username") or creds.get("username_email") or ""),
            password=str(creds.get("password") or ""),
            on_credentials_changed=on_credentials_changed,
            rate_limiter=rate_limiter,
            timeout=timeout,
            **client_kwargs,
        )
        self._partner_id = str(external_account_id or "")
        self.page_size = max(1, min(int(self.options.get("page_size") or PAGE_SIZE_MAX), PAGE_SIZE_MAX))
        self.store_version = str(self.options.get("store_order_version") or "v3")
        self.order_list_version = str(self.options.get("order_list_version") or "v2")

    # Helpers -------------------------------------------------------------------------------------------
    @property
    def partner_id(self) -> str:
        if not self._partner_id:
            ids = mappers.partner_ids(self.client.partners())
            if not ids:
                raise ProviderRejected("this Komship user has no partner", platform=PLATFORM)
            self._partner_id = ids[0]
        return self._partner_id

    @staticmethod
    def _wib_date(moment: datetime) -> str:
        return moment.astimezone(WIB).date().isoformat()

    @staticmethod
    def _today() -> date:
        return datetime.now(WIB).date()

    # OrderSource -------------------------------------------------------------------------------------
    def check_connection(self) -> None:
        today = self._today()
        self.client.list_orders(self.partner_id, limit=1, offset=0,
                                start_date=(today - timedelta(days=90)).isoformat(), end_date=today.isoformat())

    def iter_order_pages(self, *, since: datetime, until: datetime,
                         known_listings: KnownListings | None = None) -> Iterator[OrderPage]:
        """Orders whose order_date falls on the WIB days from `since` to `until` (Komship filters by date,
        so the first and last day come whole). Rows that `known_listings` knows are listed as unchanged,
        not mapped."""
        start, end = self._wib_date(since), self._wib_date(until)
        if self.order_list_version == "v1":
            yield from self._iter_v1(start, end, known_listings)
            return
        offset, seen = 0, set()
        while True:
            response = self.client.list_orders(self.partner_id, limit=self.page_size, offset=offset,
                                               start_date=start, end_date=end)
            rows, total = mappers.rows_and_total(response)
            if not rows:
                return
            offset += len(rows)
            yield self._new_orders(rows, seen, known_listings, cursor=str(offset), total=total)
            if total is not None and offset >= total:
                return

    def _iter_v1(self, start: str, end: str, known_listings: KnownListings | None) -> Iterator[OrderPage]:
        page, received, seen = 1, 0, set()
        while True:
            response = self.client.list_orders_v1(self.partner_id, page=page, start_date=start, end_date=end)
            rows, total = mappers.rows_and_total(response)
            if not rows:
                return
            received += len(rows)
            yield self._new_orders(rows, seen, known_listings, cursor=str(page + 1), total=total)
            if total is not None and received >= total:
                return
            page += 1

    @staticmethod
    def _new_orders(rows: list, seen: set, known_listings: KnownListings | None, *, cursor: str,
                    total: int | None) -> OrderPage:
        """Map a page, dropping rows already yielded (offsets shift when new orders arrive on top) and
        listing the rows `known_listings` knows as unchanged instead of mapping them."""
        listed = ListedRows.of(rows, external_id=mappers.order_external_id, mappers=mappers,
                               known_listings=known_listings)
        out, unchanged = [], []
        for row in rows:
            external_id = mappers.order_external_id(row)
            if external_id and external_id in seen:
                continue
            if external_id in listed.known:
                unchanged.append(external_id)
            else:
                order = mappers.order_from_row(row)
                if order.external_id in seen:
                    continue
                external_id = order.external_id
                out.append(order)
            seen.add(external_id)
        return OrderPage(orders=tuple(out), cursor=cursor, total=total, unchanged=tuple(unchanged),
                         listing_digests=listed.digests)

    def get_order(self, external_id: str) -> ExternalOrder:
        data = mappers.detail_data(self.client.order_detail(self.partner_id, external_id))
        data.setdefault("order_id", external_id)
        return mappers.order_from_row(data)

    # OrderSink ---------------------------------------------------------------------------------------
    def _destination_id(self, payload: OrderPayload) -> int:
        c = payload.customer
        for term in (c.postal_code, c.subdistrict, c.district, c.city):
            if term:
                found = mappers.destination_id(self.client.destinations(term), c)
                if found:
                    return found
        raise ProviderRejected(f"no Komship destination for {c.postal_code or c.city or c.address!r}",
                               platform=PLATFORM)

    def _fill_cart(self, payload: OrderPayload) -> list[int]:
        """Store the order's lines in the cart and return the new cart ids (the store bodies take ids)."""
        items = mappers.cart_items(payload)
        before = mappers.cart_ids_for(self.client.cart())
        self.client.cart_bulk_store(items)
        after = mappers.cart_ids_for(self.client.cart())
        new_ids = sorted(set(after) - set(before))
        if len(new_ids) != len(items):
            self._drop_cart(new_ids)
            raise ProviderContractChanged(f"cart grew by {len(new_ids)} rows for {len(items)} items",
                                          platform=PLATFORM)
        return new_ids

    def _drop_cart(self, cart_ids: list[int]) -> None:
        if not cart_ids:
            return
        with contextlib.suppress(ProviderRejected, ProviderUnavailable):  # best effort
            self.client.cart_delete(cart_ids)

    def create_order(self, payload: OrderPayload) -> str:
        """Store Orderku v3 (or v2). The response carries no id: the order is found again by our number."""
        try:
            destination = self._destination_id(payload)
            cart = self._fill_cart(payload)
        except ValueError as exc:
            raise ProviderRejected(str(exc), platform=PLATFORM) from exc
        body = mappers.store_order_body(
            payload, cart=cart, customer_destination_id=destination, order_date=self._today(),
            version=self.store_version, partner_address_id=int(self.options.get("partner_address_id") or 0),
            warehouse_id=int(self.options.get("warehouse_id") or 0))
        try:
            response = self.client.store_order(self.partner_id, body, version=self.store_version)
        except ProviderRejected:
            self._drop_cart(cart)
            raise
        data = response.get("data") if isinstance(response, dict) else None
        if isinstance(data, dict) and data.get("order_id"):
            return str(data["order_id"])
        found = self.find_order(payload.order_no)
        if found is None:
            raise ProviderContractChanged(f"order {payload.order_no} stored but not found in Orderku",
                                          platform=PLATFORM, payload=response)
        return found

    def create_orders(self, payloads: tuple[OrderPayload, ...] | list[OrderPayload]) -> list[str]:
        """StoreOrderMass (#57): rows submitted in batches, then each order found by our number."""
        ids: list[str] = []
        for chunk in _chunks(list(payloads), MASS_ORDER_BATCH_MAX):
            try:
                rows = [mappers.mass_order_row(p, customer_destination_id=self._destination_id(p),
                                               order_date=self._today(),
                                               partner_address_id=int(self.options.get("partner_address_id") or 0))
                        for p in chunk]
            except ValueError as exc:
                raise ProviderRejected(str(exc), platform=PLATFORM) from exc
            self.client.store_order_mass(rows)
            for payload in chunk:
                found = self.find_order(payload.order_no)
                if found is None:
                    raise ProviderContractChanged(f"mass order {payload.order_no} stored but not found",
                                                  platform=PLATFORM)
                ids.append(found)
        return ids

    def find_order(self, order_no: str) -> str | None:
        today = self._today()
        start = (today - timedelta(days=int(self.options.get("find_order_days") or 30))).isoformat()
        found = self._scan(order_no, start=start, end=today.isoformat(), search=order_no)
        if found is None:  # the server may not search order_notes: read the recent days row by row
            scan_start = (today - timedelta(days=int(self.options.get("find_order_scan_days") or 2))).isoformat()
            found = self._scan(order_no, start=scan_start, end=today.isoformat(), search="")
        return found

    def _scan(self, order_no: str, *, start: str, end: str, search: str) -> str | None:
        offset = 0
        while True:
            response = self.client.list_orders(self.partner_id, limit=self.page_size, offset=offset,
                                               start_date=start, end_date=end, search=search)
            rows, _ = mappers.rows_and_total(response)
            if not rows:
                return None
            for row in rows:
                if isinstance(row, dict) and mappers.row_is_order(row, order_no):
                    return str(row["order_id"])
            offset += len(rows)

    def delete_order(self, external_id: str) -> None:
        """Only orders not yet shipped; Komship refuses the others (ProviderRejected)."""
        self.client.delete_order(self.partner_id, external_id)

    def cancel_order(self, external_id: str, reason: str = "") -> None:
        """Komship documents no cancel for the partner API's orders: cancelling is deleting (DESIGN §1)."""
        self.delete_order(external_id)

    # Catalog -----------------------------------------------------------------------------------------
    def iter_product_pages(self) -> Iterator[ProductPage]:
        """Published (status 1) then draft (status 0) products, each list paged by limits/offset."""
        for status in (1, 0):
            offset = 0
            while True:
                response = self.client.list_products(limits=PRODUCT_PAGE_SIZE_MAX, offset=offset, status=status)
                rows, total = mappers.rows_and_total(response)
                if not rows:
                    break
                offset += len(rows)
                products = tuple(mappers.product_from_row(r, is_active=status == 1) for r in rows)
                yield ProductPage(products=products, cursor=f"{status}:{offset}", total=total)

    def get_product(self, external_id: str) -> ExternalProduct:
        data = mappers.detail_data(self.client.product_detail(external_id))
        data.setdefault("product_id", external_id)
        return mappers.product_from_row(data)

    def create_product(self, payload: ProductPayload) -> ExternalProduct:
        response = self.client.create_product(mappers.product_body(payload), status=1)
        product_id = mappers.created_product_id(response) or self._find_product(payload)
        if not product_id:
            raise ProviderContractChanged(f"product {payload.name!r} stored but not found", platform=PLATFORM,
                                          payload=response)
        return self.get_product(product_id)

    def _find_product(self, payload: ProductPayload) -> str:
        skus = {v.sku for v in payload.variants if v.sku}
        response = self.client.list_products(limits=PRODUCT_PAGE_SIZE_MAX, offset=0, name=payload.name)
        rows, _ = mappers.rows_and_total(response)
        for row in rows:
            product = mappers.product_from_row(row)
            if product.name == payload.name and (not skus or skus & {v.sku for v in product.variants}):
                return product.external_id
        return ""

    def update_product(self, payload: ProductPayload) -> ExternalProduct:
        if not payload.external_id:
            raise ProviderRejected("update_product needs the Komship product id", platform=PLATFORM)
        self.client.update_product(payload.external_id, mappers.product_body(payload))
        return self.get_product(payload.external_id)

    def delete_product(self, external_id: str) -> None:
        self.client.delete_product(external_id)

    def push_stock(self, updates: tuple[StockUpdate, ...]) -> None:
        """Update Multiple stock (#27), STOCK_BATCH_MAX items per request."""
        for chunk in _chunks(list(updates), STOCK_BATCH_MAX):
            self.client.update_multiple_stock(mappers.stock_items(chunk))

    def check_sku(self, sku: str) -> bool:
        """True when the SKU is free on Komship (Check product SKU, #26)."""
        return mappers.sku_is_free(self.client.check_product_sku(sku))

    def check_product_name(self, name: str) -> bool:
        """True when no Komship product has this name (Check product name, #24)."""
        return mappers.sku_is_free(self.client.check_product_name(name))

    # Finance: balance, transactions, admin withdrawals (finance/sync.py) -----------------------------------
    def get_balance(self) -> ExternalBalance:
        """#107 Summary Balance of this account's partner."""
        return mappers.balance_from_summary(self.client.balance_summary(self.partner_id))

    def iter_transaction_pages(self, *, since: datetime, until: datetime) -> Iterator[TransactionPage]:
        """#160 balance transactions on the WIB days from `since` to `until`, page by page."""
        from integrations.komship.endpoints import TRANSACTION_PER_PAGE_MAX

        for rows, cursor, total in self._numbered_pages(lambda page: self.client.transactions(
                self.partner_id, page=page, limits=TRANSACTION_PER_PAGE_MAX,
                start_date=self._wib_date(since), end_date=self._wib_date(until))):
            yield TransactionPage(transactions=tuple(mappers.transaction_from_row(r) for r in rows),
                                  cursor=cursor, total=total)

    def iter_withdrawal_pages(self, *, since: datetime, until: datetime,
                              status: str = "") -> Iterator[WithdrawalPage]:
        """#97 admin withdrawal list filtered by status and WIB dates, page by page."""
        from integrations.komship.endpoints import WITHDRAWAL_PER_PAGE_MAX

        per_page = max(1, min(int(self.options.get("withdrawal_page_size") or WITHDRAWAL_PER_PAGE_MAX),
                              WITHDRAWAL_PER_PAGE_MAX))
        for rows, cursor, total in self._numbered_pages(lambda page: self.client.admin_withdrawals(
                page=page, total_per_page=per_page, status=status, start_date=self._wib_date(since),
                end_date=self._wib_date(until))):
            yield WithdrawalPage(withdrawals=tuple(mappers.withdrawal_from_row(r) for r in rows),
                                 cursor=cursor, total=total)

    @staticmethod
    def _numbered_pages(fetch):
        """(rows, cursor, total) of page 1, 2, … of a page-numbered list, until an empty page or the reported
        total: advance by the rows actually received, whatever page size was asked for."""
        page, seen = 1, 0
        while True:
            rows, total = mappers.rows_and_total(fetch(page))
            if not rows:
                return
            seen += len(rows)
            yield rows, f"page {page}", total
            if total is not None and seen >= total:
                return
            page += 1

    def get_withdrawal(self, external_id: str) -> ExternalWithdrawal:
        return mappers.withdrawal_from_row(mappers.detail_data(self.client.admin_withdrawal_detail(external_id)))

    def update_withdrawal(self, external_id: str, *, status: str, notes: str = "",
                          transfer_proof: tuple[str, bytes, str] | None = None) -> ExternalWithdrawal:
        """#99 withdrawal-update: review (on_review + notes), completion (completed + transfer_proof),
        rejection (rejected + notes), cancel."""
        response = self.client.admin_withdrawal_update(external_id, status=status, notes=notes,
                                                       transfer_proof=transfer_proof)
        data = response.get("data") if isinstance(response, dict) else None
        if isinstance(data, dict) and data.get("withdrawal_id"):
            return mappers.withdrawal_from_row(data)
        return self.get_withdrawal(external_id)

    # Carrier: quotes, AWB and labels, tracking, pickups ----------------------------------------------
    def _quote_destination(self, destination: str) -> int:
        from integrations.base import ExternalCustomer

        text = (destination or "").strip()
        if text.isdigit():
            return int(text)
        for term in [text, *[part.strip() for part in text.split(",") if part.strip()]]:
            found = mappers.destination_id(self.client.destinations(term), ExternalCustomer(name=""))
            if found:
                return found
        raise ProviderRejected(f"Komship knows no destination {text!r}", platform=PLATFORM)

    def shipping_rates(self, *, origin: str, destination: str, weight_grams: int, cod_value, item_value):
        """Calculate cost shipping (#54). `origin` is the partner address id (default: options)."""
        params = mappers.calculate_params(
            destination_id=self._quote_destination(destination), weight_grams=weight_grams,
            cod_value=cod_value, item_value=item_value, partner_id=self.partner_id,
            partner_address_id=str(origin if str(origin or "").isdigit()
                                   else self.options.get("partner_address_id") or 1),
        )
        return mappers.shipping_rates(self.client.calculate(params))

    def track(self, *, awb: str, courier_code: str = "", external_order_id: str = ""):
        return mappers.tracking_timeline(self.client.awb_history(awb), awb=awb)

    def fetch_awb(self, external_order_id: str) -> str:
        """The AWB Komship issued for an order ("" while it has none)."""
        return self.get_order(external_order_id).awb

    def update_awb(self, external_order_id: str, awb: str) -> None:
        """Check the airway bill (#58), then store it on the order (#60)."""
        self.client.check_awb(awb, external_order_id)
        self.client.update_awb(self.partner_id, external_order_id, awb)

    def print_label(self, external_order_ids: list[str], *, page: str = "page_1"):
        from integrations.base import LabelFile

        content = mappers.label_pdf(self.client.print_label(list(external_order_ids), page=page))
        return LabelFile(content=content, filename=f"komship-label-{'-'.join(external_order_ids)[:60]}.pdf")

    def create_pickup(self, payload):
        """Store Pickup takes one order per request; stop after 3 refusals in a row, as the dashboard does."""
        from integrations.base import PickupResult

        name = str(self.options.get("partner_name") or payload.contact_name)
        pickup_id, accepted, refused, streak = "", [], [], 0
        for order_id in payload.external_order_ids:
            if streak >= 3:
                refused.append((order_id, "not sent: three refusals in a row"))
                continue
            try:
                response = self.client.store_pickup(self.partner_id, mappers.pickup_body(
                    payload, partner_name=name, order_id=order_id))
                got, error = mappers.pickup_outcome(response)
            except ProviderRejected as exc:
                got, error = "", exc.message
            if error:
                refused.append((order_id, error))
                streak += 1
                continue
            streak = 0
            pickup_id = pickup_id or got
            accepted.append(order_id)
        return PickupResult(external_id=pickup_id, accepted=tuple(accepted), refused=tuple(refused))

    def iter_pickups(self, *, page_size: int | None = None):
        from integrations.komship.endpoints import PICKUP_PAGE_SIZE_MAX

        size = max(1, min(page_size or PICKUP_PAGE_SIZE_MAX, PICKUP_PAGE_SIZE_MAX))
        page = 1
        while True:
            pickups, total, last_page = mappers.pickup_page(self.client.pickup_history(page=page, limits=size))
            yield pickups, total
            if not pickups or page >= last_page:
                return
            page += 1

    def get_pickup(self, external_id: str):
        return mappers.pickup_from_detail(self.client.pickup_detail(external_id), external_id)

    # Support: tickets and return claims --------------------------------------------------------------------
    # Which ticket lists an account reads (option `ticket_lists`, else by option `ticket_role`): a seller's
    # partner account its own tickets; a company-wide admin account the admin list; a mitra account the mitra
    # list and the package-return tickets.
    TICKET_LISTS_BY_ROLE = {"partner": ("partner",), "admin": ("admin",), "mitra": ("mitra", "package_return")}

    def ticket_lists(self) -> tuple[str, ...]:
        lists = self.options.get("ticket_lists")
        if lists:
            return tuple(str(name) for name in lists)
        return self.TICKET_LISTS_BY_ROLE.get(str(self.options.get("ticket_role") or "partner"), ("partner",))

    def iter_ticket_pages(self, *, since: datetime, until: datetime) -> Iterator[TicketPage]:
        """Tickets updated on the WIB days from `since` to `until` (the package-return list has no date filter
        and is read whole). Each ticket comes once per pull, whichever lists show it."""
        seen: set[str] = set()
        start, end = self._wib_date(since), self._wib_date(until)
        for which in self.ticket_lists():
            if which == "package_return":
                yield from self._iter_package_returns(seen)
                continue
            page = 1
            while True:
                response = self.client.list_tickets(which, page=page, per_page=TICKET_PAGE_SIZE,
                                                    update_start_date=start, update_end_date=end)
                rows, total = mappers.rows_and_total(response)
                if not rows:
                    break
                yield TicketPage(tickets=self._new_tickets(rows, seen), cursor=f"{which}:{page}", total=total)
                last = (response.get("data") or {}).get("last_page") if isinstance(response, dict) else None
                if isinstance(last, int) and page >= last:
                    break
                page += 1

    def _iter_package_returns(self, seen: set[str]) -> Iterator[TicketPage]:
        offset = 0
        while True:
            response = self.client.list_package_return_tickets(limit=PACKAGE_RETURN_PAGE_SIZE, offset=offset)
            rows, _ = mappers.rows_and_total(response)
            if not rows:
                return
            offset += len(rows)
            yield TicketPage(tickets=self._new_tickets(rows, seen), cursor=f"package_return:{offset}")
            if len(rows) < PACKAGE_RETURN_PAGE_SIZE:
                return

    @staticmethod
    def _new_tickets(rows: list, seen: set[str]) -> tuple:
        out = []
        for row in rows:
            ticket = mappers.ticket_from(row)
            if ticket.external_id not in seen:
                seen.add(ticket.external_id)
                out.append(ticket)
        return tuple(out)

    def get_ticket(self, external_id: str):
        data = mappers.detail_data(self.client.ticket_detail(external_id))
        data.setdefault("id", external_id)
        return mappers.ticket_from(data, complete=True)

    def create_ticket(self, payload: TicketPayload) -> str:
        """#150. The answer carries no id: the ticket is found by our reference in its description. A ticket
        found before sending (a retry after a lost answer) is not sent again."""
        found = self.find_ticket(payload.reference, awb=payload.awb)
        if found:
            return found
        self.client.store_ticket(mappers.ticket_store_fields(payload), mappers.files_out(payload.attachments))
        found = self.find_ticket(payload.reference, awb=payload.awb)
        if not found:
            raise ProviderContractChanged(f"ticket {payload.reference} stored but not found", platform=PLATFORM)
        return found

    def find_ticket(self, reference: str, *, awb: str) -> str | None:
        """Our ticket among the partner's tickets about `awb` (newest first), by the reference in the text."""
        ref = mappers.ticket_ref(reference)
        response = self.client.list_tickets("partner", page=1, per_page=TICKET_PAGE_SIZE, search=awb,
                                            search_type="no_resi")
        rows, _ = mappers.rows_and_total(response)
        for row in rows:
            ticket = mappers.ticket_from(row)
            if ticket.awb != awb:
                continue
            if ref in (ticket.description or self.get_ticket(ticket.external_id).description):
                return ticket.external_id
        return None

    def reply_ticket(self, external_id: str, body: str, attachments=()) -> str:
        """#151 (#203 for a mitra account). Answers no id: the new message is the newest of ours with this
        text in the detail's thread."""
        before = {m.external_id for m in self.get_ticket(external_id).messages}
        self.client.store_ticket_chat(external_id, body, mappers.files_out(attachments))
        after = self.get_ticket(external_id).messages
        mine = [m for m in after if m.from_us and m.body == body.strip() and m.external_id not in before]
        return mine[-1].external_id if mine else ""

    def set_ticket_status(self, external_id: str, platform_status: int, message: str) -> None:
        """A mitra changes the status while replying (#203)."""
        self.client.store_ticket_chat(external_id, message, (), ticket_status=str(platform_status))

    def cancel_ticket(self, external_id: str) -> None:
        """DELETE cancel; a ticket already cancelled on Komship counts as done (a retry after a lost answer)."""
        try:
            self.client.cancel_ticket(external_id)
        except ProviderRejected:
            if self.get_ticket(external_id).status != "canceled":
                raise

    def set_ticket_priority(self, external_id: str, priority: str) -> None:
        self.client.set_ticket_priority(external_id, mappers.priority_out(priority))

    def submit_claim(self, ticket_external_id: str, notes: str, evidence=()):
        """Claim retur: store (#186) unless the ticket already has one, upload each image (#187), submit (#189);
        returns the claim as the ticket detail then shows it."""
        claim = self.get_ticket(ticket_external_id).claim
        if claim is None:
            self.client.store_claim_retur(ticket_external_id, notes)
            claim = self.get_ticket(ticket_external_id).claim
            if claim is None or not claim.external_id:
                raise ProviderContractChanged("claim retur stored but absent from the ticket", platform=PLATFORM)
            for item in evidence:
                self.client.upload_claim_retur_image(claim.external_id, item.name, item.content, item.content_type)
            self.client.update_claim_retur(ticket_external_id)
            claim = self.get_ticket(ticket_external_id).claim
        return claim
