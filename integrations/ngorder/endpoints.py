"""Every Ngorder / SmartSeller path the client uses, in one table.

Sources: seed 002 (SmartSeller host, newer, canonical) and seed 003 (Ngorder host, Slate markdown that keeps
the nested parameter tables); inventory shared/reference/ngorder.md. Both seeds describe one API under
two hosts; paths are relative to the documented prefix ".../api/open", which is the account's base URL
(default DEFAULT_BASE_URL, overridable per account, e.g. https://api.ngorder.id/api/open).

Choices where the documents are silent (each one is repeated next to its entry below):
- Auth: `Authorization: Bearer <key>` (002) plus `Accept-Language` (002, `en` by default so messages are
  stable; we never branch on message text). 003 names the header row `token`; an account may switch to
  that form with options {"auth_header": "token"} (the sandbox accepts both).
- GET endpoints that list "Body" parameters (sku generate-new, customer list) get them as a query string;
  arrays use Laravel's bracket form (products[0][name]=...).
- Not used: GET /order/details (list with full nesting; no id filter and no SKUs either). The mappers still
  accept its rows. GET /order/detail (single, 003 only) is the detail call, with a list fallback.
- No payment method on order rows: COD shows only as cod_status (canceled list); the mapper's rules are in
  mappers.payment_method.
- Validation errors: the status code is not stated (400 or 422); the client treats every 4xx other than
  401/403/429 as ProviderRejected, and any 2xx whose `response` is "Failed" (any case) likewise.
"""

from dataclasses import dataclass

DEFAULT_BASE_URL = "https://api.smartseller.co.id/api/open"  # 002; 003: https://api.ngorder.id/api/open

PAGE_SIZE_MAX = 100  # GET /order: "per_page ... Default 10. Max 100" (002 + 003)
CANCELED_PAGE_SIZE_MAX = 50  # GET /order-cancel: "Default value: 10 . Max 50" (002)
PRODUCT_PAGE_SIZE_MAX = 100  # GET /product/search documents no per_page (see the entry)
CUSTOMER_PAGE_SIZE_MAX = 100  # GET /customer: "Default 10. Max 100"

CANCELED_TYPES = ("CANCEL", "REJECTED", "EXPIRED")  # GET /order-cancel `type` (002)


@dataclass(frozen=True, slots=True)
class Endpoint:
    name: str
    method: str
    path: str  # relative to the base URL; {placeholders} filled with str.format
    source: str
    notes: str = ""
    page_size_max: int | None = None

    def url_path(self, **params) -> str:
        return self.path.format(**params)


_ENDPOINTS = (
    # Account ---------------------------------------------------------------------------------------
    Endpoint("shop_detail", "GET", "/shop", "002 + 003 Shop > Get Detail",
             "data[0] gives the defaults product and order pushes need when the account's options lack them: "
             "shop_id (id), user_id (users[0].id) and supplier_id (active_supplier.id, the shipping origin)."),
    # Orders ----------------------------------------------------------------------------------------
    Endpoint("order_list", "GET", "/order", "002 Order > Get Orders; 003 ## Get Orders",
             "Window: start_date / end_date (yyyy-mm-dd, order_by ORDER_DATE; default 30 days ago..today, "
             "so we always send both). order_progress_status is not marked optional but is a filter: we "
             "never send it. Canceled / rejected / expired orders are not in this list (choice: the app "
             "shows them in a separate menu, GET /order-cancel), so a pull walks both. links.next is "
             "unreliable (missing /open): next pages are rebuilt from pagination_offset. Without `type`, "
             "`keyword` searches every text field (sandbox choice), which find_order relies on for the note.",
             PAGE_SIZE_MAX),
    Endpoint("order_detail", "GET", "/order/detail", "003 only: ## Get Single Order Detail (query id)",
             "The only response with line SKUs (order_detail[].variation_detail.sku). Absent from 002: on "
             "a 404 the adapter falls back to the list row (GET /order, type ORDER_ID, then /order-cancel)."),
    Endpoint("order_create", "POST", "/order", "002 + 003 Order > Create Order (nested tables from 003)",
             "Not retried (not idempotent). find_order looks for our order number, which we write into "
             "`note` as '[<order_no>]' because the API has no client reference field."),
    Endpoint("order_update", "PATCH", "/order", "002 + 003 Order > Update Order",
             "Params are listed under 'Query' but sent as a JSON body; products sub-table is empty in both "
             "seeds: create's shape plus flag EDIT/NEW/DELETE. Response undocumented (sandbox: create's)."),
    Endpoint("order_cancel", "POST", "/order/cancel", "002 Cancel Order > Cancel an Order (body id)",
             "No reason field is documented; cancel_order's reason is not sent."),
    Endpoint("order_cancel_list", "GET", "/order-cancel", "002 Cancel Order > Get Canceled Orders",
             "type CANCEL (default) / REJECTED / EXPIRED; start_date / end_date.", CANCELED_PAGE_SIZE_MAX),
    Endpoint("order_cancel_return", "POST", "/order-cancel/return",
             "002 Cancel Order > Return Canceled Order (body id)",
             "Response undocumented (sandbox: {response, message, data {order_id, po_number}})."),
    Endpoint("order_cancel_delete", "DELETE", "/order-cancel/{order_id}",
             "002 Cancel Order > Delete Canceled Order",
             "The table also lists a body `id`: we send both. Only canceled orders can be deleted "
             "(sandbox: 404 otherwise). Response undocumented (sandbox: data null)."),
    Endpoint("order_awb_add", "POST", "/order/awb-number/add", "002 + 003 Order > Add AWB Number",
             "Params documented as Query on a POST: sent as the query string. Sends a paid AWB "
             "notification to the customer."),
    # Master data needed to create an order -----------------------------------------------------------
    Endpoint("region_list", "GET", "/region", "002 + 003 Region > Get Regions",
             "per_page default 1 (sic); pagination_offset listed as required: we always send it."),
    Endpoint("customer_list", "GET", "/customer", "002 + 003 Customer > Get Customers",
             "Parameters are listed as Body on a GET: sent as the query string. `category` is not marked "
             "optional but is a filter: not sent.", CUSTOMER_PAGE_SIZE_MAX),
    Endpoint("customer_create", "POST", "/customer/create", "002 + 003 Customer > Create Customer"),
    # Products ---------------------------------------------------------------------------------------
    Endpoint("product_search", "GET", "/product/search", "002 + 003 Product > Get Products",
             "Only pagination_offset is documented; the sample's meta says per_page 10. Choice: we also send "
             "per_page=100 (the API-wide maximum) and never assume it was honoured: pages advance by the "
             "rows received and stop at an empty page or the reported total.", PRODUCT_PAGE_SIZE_MAX),
    Endpoint("product_detail", "GET", "/product/{product_id}/detail", "002 + 003 Product > Get Product Detail"),
    Endpoint("product_create", "POST", "/product", "002 + 003 Product > Create Product",
             "Response carries only ids (product_id, product_meta_id[]); the adapter reads the detail after."),
    Endpoint("product_update", "PATCH", "/product", "002 + 003 Product > Update Product",
             "Variants: with id = edit, without id = new, flag DELETE = remove (Variations Data table)."),
    Endpoint("product_delete", "DELETE", "/product", "002 + 003 Product > Delete Products (body id[])"),
    Endpoint("variation_delete", "DELETE", "/product/variation", "002 + 003 Product > Delete Variation"),
    Endpoint("sku_generate", "GET", "/product/sku/generate-new", "002 + 003 Product > Generate Product SKU",
             "GET with a Body table: sent as query products[i][name|color|size|old_sku]."),
    Endpoint("sku_validate", "POST", "/product/sku/validation", "002 + 003 Product > Validate SKU",
             "Meaning of data.status is not explained; we read true as 'this SKU may be used by "
             "product_meta_id' (unused, or already that variant's own SKU)."),
    Endpoint("stock_check", "GET", "/product/check-stock", "002 + 003 Product > Check Product Stock",
             "query variation_id, warehouse_id (optional)."),
    Endpoint("stock_update", "PATCH", "/product/update-stock", "002 + 003 Product > Update Stock",
             "Delta per warehouse: stock[{amount, status ADD|SUB, warehouse_id}] (examples use lower case; "
             "we send the documented upper case). Not idempotent: never retried."),
    Endpoint("stock_sync", "PATCH", "/product/sync-stock", "002 + 003 Product > Sync Stock",
             "Absolute set {variation_id, amount}: idempotent, so it is retried like a GET."),
)

ENDPOINTS: dict[str, Endpoint] = {endpoint.name: endpoint for endpoint in _ENDPOINTS}


# Finance: OrderPay balance, withdraw, banks ----------------------------------------------------------------
WITHDRAW_MIN = 50_000  # POST /payment/withdraw: "Min Rp50.000"
WITHDRAW_ADMIN_FEE = 45_000  # "The admin fee of Rp45.000 will be automatically added to the final nominal."
# CHOSEN: the Xendit master-data ids of our bank codes (the "Get Xendit Master Data" path is missing from
# both seeds, so the ids cannot be looked up); an account may override them with options {"xendit_bank_ids":
# {"bca": 12, ...}}. The sandbox uses the same table.
XENDIT_BANK_IDS = {"bca": 1, "bni": 2, "bri": 3, "mandiri": 4, "bsi": 5, "cimb": 6, "permata": 7, "danamon": 8,
                   "btn": 9, "jago": 10, "seabank": 11}

_FINANCE_ENDPOINTS = (
    Endpoint("orderpay_balance", "GET", "/payment/orderpay-balance", "002 + 003 Payment > OrderPay balance",
             "data {total, withdrawal_allowed, onhold_total, balance_onhold, withdrawal_onhold} (numbers). "
             "Available = withdrawal_allowed, pending = onhold_total."),
    Endpoint("withdraw", "POST", "/payment/withdraw", "002 + 003 Payment > Withdraw",
             "JSON {xendit_bank_id (int), nominal (int, min 50 000; the 45 000 fee is added by Ngorder), "
             "holder_name, account_number (int)}; answers {response: 'Success', message} and NO id. Not "
             "idempotent and not identifiable afterwards: never retried (finance/sync.py marks the withdrawal "
             "before sending and leaves an unanswered call for staff to check)."),
    Endpoint("bank_create", "POST", "/bank/create", "002 + 003 Bank > Create",
             "JSON {bank_type, account_number (numeric), holder_name, branch}; data {bank_id, name}."),
    Endpoint("bank_detail", "GET", "/bank/{bank_id}/detail", "002 + 003 Bank > Detail",
             "The object UNWRAPPED: {bank_id, bank_name, bank_type, branch, holder_name, account_number, "
             "image, type}."),
)
ENDPOINTS.update({endpoint.name: endpoint for endpoint in _FINANCE_ENDPOINTS})


# Logistics: expedition cost and tracking, pickup request and cancel (002 + 003 Expedition, Shipment) --------
# `expedition_id` of tracking and of the order list filter (003 Get Orders): courier code -> id.
EXPEDITION_IDS = {"jne": 1, "tiki": 2, "pos": 3, "sicepat": 4, "wahana": 5, "jnt": 6, "alfatrex": 7, "lion": 8,
                  "ninja": 9, "sap": 10, "rpx": 11}
# Tracking `history[].desc` holds the event code (003 sample: PICKREQ, IN, OUT, ANT, DELIVERED) and `location`
# the human text. What a code means for a Shipment; codes after DELIVERED are CHOSEN (not in the sample).
TRACKING_CODES = {"PICKREQ": "", "PICKUP": "picked_up", "IN": "in_transit", "OUT": "in_transit",
                  "ANT": "in_transit", "DELIVERED": "delivered", "PROBLEM": "problem", "RETUR": "returning",
                  "RETURNED": "returned", "LOST": "lost"}
PICKUP_SERVICES = ("PICKUP", "DROP_OFF")

_LOGISTICS_ENDPOINTS = (
    Endpoint("expedition_cost", "GET", "/expedition/cost", "002 + 003 Expedition > Get Cost",
             "Query origin_id, destination_id (Region ids), weight (CHOSEN: grams, as product weights; the "
             "answer's meta.weight is the rounded kilograms), price, is_privor, is_shipper. Answers status "
             "{code: 1, message}, data {regular[], express[], trucking[]}, meta {origin, destination, weight, "
             "is_shipper_api, use_cod}."),
    Endpoint("expedition_tracking", "GET", "/expedition/tracking", "002 + 003 Expedition > Tracking",
             "Query awb_number, expedition_id (EXPEDITION_IDS), order_id. Answers {\"0\": 200, response, data "
             "{awb_number, status, history[] {date, desc (the code), location (the text)}, logistic_name, ...}}."),
    Endpoint("pickup_request", "POST", "/shipping/pickup-request", "002 + 003 Shipment > Pickup Request",
             "Body pickup_request[] {id (order id), service PICKUP|DROP_OFF}. Answers {response, message, "
             "success_data [order ids], status 'PICKUP_REQUEST'} (no data). CHOSEN: an order without AWB or "
             "already requested is left out of success_data."),
    Endpoint("pickup_cancel", "POST", "/shipping/cancel-pickup", "002 + 003 Shipment > Cancel Pickup Request",
             "Body id (order id), reason (required when the courier is JNE). Answers message, data (the id)."),
)
ENDPOINTS.update({endpoint.name: endpoint for endpoint in _LOGISTICS_ENDPOINTS})
