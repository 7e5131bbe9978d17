"""Every Komship call this package makes, in one table.

The internal contract (seeds/000_af2b99447bfdebbb.txt, "Api Contract Komship 1.0.0"; operation numbers
#1…#217 as in reference/komship.md) shows NO paths or verbs. Paths below come from
reference/komship-wire.md §2.3, which recovers them from the public clients of the API
(e-gconsulting/partner.komerce, the partner dashboard; nunutech40/mitra-komerce-android). Where no client
was seen calling an operation, the path is our choice, marked CHOSEN, and the sandbox serves the same
path. Every path is relative to the account's base URL, which is the API root (".../api"): the full form
is ".../api/v1/...". An account overrides the base URL; DEFAULT_BASE_URL is only the default.

Envelope (seed §1.3, wire §2.4): {"status": "success", "code": 200, "message"?: str, "data"?: ...}.
Errors (wire §4.2: not documented; clients see HTTP errors carrying `message`, and HTTP 2xx bodies with
`code` 400): CHOSEN error body {"status": "failed" | "error", "code": <http status>, "message": str,
"errors"?: {...}}; 401 is {"status": "error", "code": 401, "message": "Unauthenticated."} (Laravel
Passport's message, the backend the token shape points to). The client treats both ways as failures.
"""

from dataclasses import dataclass

# Base URLs (wire §2.1, from the dashboard's environment files). Production (2023) is the default.
DEFAULT_BASE_URL = "https://api.komship.komerce.pw/api"
STAGING_BASE_URL = "https://staging.komship.komerce.my.id/api"
DEVELOPMENT_BASE_URL = "https://dev.komship.komerce.my.id/api"

# Page sizes. The seed documents `limit`/`offset` (#41–#43) and `limits`/`offset` (#17) but NO maximum.
# CHOSEN: 100 per page for both; the sandbox clamps larger requests to it, as a real server would.
PAGE_SIZE_MAX = 100  # Orderku list (v2/order), `limit`
PRODUCT_PAGE_SIZE_MAX = 100  # product list (v4/product), `limits`
# CHOSEN: the v1 Orderku list is a Laravel paginator with a server-side page size (the Android client
# sends only `page`); the sandbox serves Laravel's default, 15.
ORDER_V1_PER_PAGE = 15
# CHOSEN: items per "Update Multiple stock" request (#27 documents an array, no maximum).
STOCK_BATCH_MAX = 100
# CHOSEN: rows per StoreOrderMass submit (#57 documents `data` as an array, no maximum).
MASS_ORDER_BATCH_MAX = 100

# Orderku `order_status` (seed #41–#43 filter enum; wire §2.4 response labels). Passed through unchanged.
ORDER_STATUS_FILTER = {0: "Diajukan", 1: "Dikirim", 2: "Diterima", 3: "Retur", 4: "Batal"}
ORDER_STATUS_LABELS = ("Diajukan", "Dipacking", "Dikirim", "Diterima", "Retur", "Batal", "Hilang")
# CHOSEN (seed: "delete orderku" #61 has no rule; our rule and the delivery API's cancel rule: only
# orders not yet shipped): statuses whose orders may be deleted.
DELETABLE_STATUSES = ("Diajukan", "Dipacking")

PAYMENT_COD = "COD"
PAYMENT_BANK_TRANSFER = "BANK TRANSFER"  # Komship's word for every non-COD order

# Store-order request (#55/#56/#194) has no field for our order number and its response carries no id
# (seed sample: message only). CHOSEN: our order number travels in `order_notes` as "[<order_no>]" and
# find_order looks for it (list `search`, then a scan of the recent window).
ORDER_REF_TEMPLATE = "[{order_no}]"


@dataclass(frozen=True, slots=True)
class Endpoint:
    name: str
    method: str
    path: str  # relative to the API root; {placeholders} filled by path_for()
    source: str  # where the method + path come from
    notes: str = ""
    page_size_max: int | None = None


_ENDPOINTS = (
    # Auth ---------------------------------------------------------------------------------------------
    Endpoint("login", "POST", "v1/login",
             "wire §2.3 #1 (client config loginKomshipEndpoint); body from seed #1",
             "JSON {username_email, password, login_from, fcm_token}; data.access_token, token_type, "
             "expires_at ('YYYY-MM-DD HH:MM:SS', WIB), user_id, username (wire §2.2)."),
    Endpoint("refresh_token", "POST", "v1/refresh-token",
             "CHOSEN: path not seen in any client (wire §4.3); named after the seed title 'refresh-token' #6 "
             "like the seen v1/forgot-password, v1/change-password",
             "Bearer = the current (possibly expired) access token, no body (seed #6: no parameters). "
             "Answers a top-level `access_token` and no expiry: its JWT `exp` claim is read instead."),
    Endpoint("partners", "GET", "v1/partner", "wire §2.3 #40 (Android)",
             "Rows partner_id, partner_user_id, partner_name: the partner_id used in Orderku paths when the "
             "account does not set one."),
    # Orderku ------------------------------------------------------------------------------------------
    Endpoint("orders", "GET", "v2/order/{partner_id}",
             "wire §2.3 #41–#43 (web client); filters from seed #41–#43",
             "limit/offset, start_date/end_date (dates, WIB, inclusive), order_status (0–4 or label), "
             "payment_method, search. `data` is a bare array, no total: page until an empty page. "
             "CHOSEN: newest first (order_date desc, order_id desc).",
             page_size_max=PAGE_SIZE_MAX),
    Endpoint("orders_v1", "GET", "v1/order/{partner_id}", "wire §2.3 #41–#43 (Android)",
             "page + start_date/end_date; `data` is a Laravel paginator (current_page, data[], last_page, "
             "per_page, total, …). Used when the account option order_list_version = 'v1'.",
             page_size_max=ORDER_V1_PER_PAGE),
    Endpoint("order_detail", "GET", "v1/order/{partner_id}/detail/{order_id}", "wire §2.3 #45 (exact)",
             "Keys: wire §2.4 'Order detail'."),
    Endpoint("order_store_v2", "POST", "v2/order/{partner_id}/store",
             "CHOSEN by analogy: #56 Store OrderkuV2 was not seen in clients (wire §4.3); v1 is "
             "v1/order/{partner_id}/store (#55) and v3 is v3/order/{partner_id}/store (#194)",
             "Body: seed #56 (no order_notes, no partner_address_id). Response: message only."),
    Endpoint("order_store_v3", "POST", "v3/order/{partner_id}/store", "wire §2.3 #194 (exact)",
             "Body: seed #194. Response: message only ('Order stored successfully')."),
    Endpoint("order_store_mass", "POST", "v1/order/sheet/save-submit",
             "wire §2.3 #57 [inf: the Order Massal sheet submit]; body from seed #57",
             "JSON {options: 'submit', data: [rows]}. CHOSEN row shape: the v3 store body with "
             "`product` [{product_id, variant_id, product_name, variant_name, product_price, qty}] in place "
             "of `cart`. CHOSEN: all-or-nothing (422 names the bad rows)."),
    Endpoint("order_delete", "DELETE", "v1/order/{partner_id}/delete/{order_id}", "wire §2.3 #61/#62 (exact)",
             "CHOSEN rule: only orders not yet shipped (Diajukan, Dipacking); otherwise HTTP 400 "
             "{status: failed, code: 400, message}."),
    # Cart (the store bodies carry `cart`: the ids of cart rows) ---------------------------------------
    Endpoint("cart", "GET", "v1/cart", "wire §2.3 #34",
             "Rows cart_id, partner_id, product_id, product_name, product_image, variant_id, variant_name, "
             "product_price, product_weight, qty, stock, subtotal."),
    Endpoint("cart_bulk_store", "POST", "v1/cart/bulk-store", "wire §2.3 #36",
             "JSON array of #35 items {product_id, product_name, variant_id, variant_name, product_price, "
             "qty, subtotal}; answers message + data {} (no ids): the ids are read back from v1/cart."),
    Endpoint("cart_delete", "DELETE", "v1/cart/delete", "wire §2.3 #38 ('JSON body')",
             "CHOSEN body {\"cart_id\": [ids]} (seed: an 'Array' of integers, no name)."),
    Endpoint("destinations", "GET", "v1/destination", "wire §2.3 #49",
             "search=<zip / subdistrict / district / city>; items value, label, subdistrict_name, "
             "district_name, city_name ('limit 10'). The seed's sample has `data` as an array, the Android "
             "client saw a Laravel paginator: the sandbox follows the seed, the mapper reads both. Gives "
             "customer_destination_id for store bodies."),
    # Products -----------------------------------------------------------------------------------------
    Endpoint("products", "GET", "v4/product", "wire §2.3 #17 (web client v4)",
             "limits/offset, status (1 publish, 0 draft), name. `data` is a bare array. CHOSEN: ordered by "
             "product_id ascending; rows product_id, product_name, product_image, sku, price, stock, sold, "
             "variants[] {variant_id, variant_name ('Hitam, M'), sku, price, stock, weight}, "
             "variant_option[] {val}.",
             page_size_max=PRODUCT_PAGE_SIZE_MAX),
    Endpoint("product_detail", "GET", "v1/product/detail/{product_id}", "wire §2.3 #18",
             "Keys product_name, product_sku, product_description, product_weight, product_pbv, "
             "product_length/width/height, product_price, product_stock, product_is_variant, "
             "product_image[].images_path, variants[]."),
    Endpoint("product_create", "POST", "v1/product/create/{status}", "wire §2.3 #19",
             "status 1 publish / 0 draft. Body seed #19; with variants `variant_option` [{val}] and `option` "
             "[{val, parent, stock, price, option: [...]}] (wire). CHOSEN: leaves also carry `sku`. "
             "Answers data.product_id (client source; the seed sample shows the message only)."),
    Endpoint("product_update", "PUT", "v1/product/update/{product_id}", "wire §2.3 #22 (exact)",
             "Body as create. CHOSEN: variants keep their ids when their combination is unchanged."),
    Endpoint("product_delete", "DELETE", "v1/product/delete/{product_id}", "wire §2.3 #23 (exact)"),
    Endpoint("product_check_name", "GET", "v1/product/check-name", "wire §2.3 #24 (exact)",
             "product_name=...; 'product not found' means the name is free (seed #24)."),
    Endpoint("product_check_sku", "GET", "v1/product/check-sku", "wire §2.3 #26 (exact)",
             "product_sku=...; 'product sku not found' means the SKU is free (seed #26). CHOSEN: a used SKU "
             "answers 'product sku already exist' with data {product_id, variant_id}. No SKU *generation* "
             "call is documented."),
    Endpoint("stock_multiple", "PUT", "v1/product/update-multiple-stock",
             "CHOSEN: #27 'Update Multiple stock' was not seen in clients (wire §2.3, §4.3)",
             "JSON array (seed #27: an array of collapsed objects). CHOSEN items {product_id, variant_id "
             "(0 for a product without variants), stock}; absolute stock, so a retry is safe (sent "
             "idempotent). Answers 'Successfully update stock'."),
)

ENDPOINTS: dict[str, Endpoint] = {e.name: e for e in _ENDPOINTS}


def path_for(name: str, **params) -> str:
    return ENDPOINTS[name].path.format(**params)


# Finance: balance, transactions, admin withdrawals, bank accounts ------------------------------------------
# Admin withdrawal statuses (seed #97 filter enum) and the statuses #99 withdrawal-update accepts.
WITHDRAWAL_STATUSES = ("requested", "canceled", "on_review", "completed", "rejected")
WITHDRAWAL_UPDATE_STATUSES = ("canceled", "on_review", "completed", "rejected")
# CHOSEN: rows per page of the admin withdrawal list when total_per_page is not sent (Laravel's default).
WITHDRAWAL_PER_PAGE_DEFAULT = 15
WITHDRAWAL_PER_PAGE_MAX = 100
TRANSACTION_PER_PAGE_MAX = 100
# Seed #160 `filter`: 1=orderan cod diterima, 2=ongkir noncod, 3=ongkir noncod batal, 4=tarik saldo,
# 5=topup saldo, 6=retur cod, 7=claim retur diterima, 8=ganti rugi paket hilang, 9=ganti rugi paket rusak,
# 10=belanja talent, 11=pengembalian dana komtim. The ledger type of each is in mappers.TRANSACTION_TYPES.
TRANSACTION_TYPE_CODES = tuple(range(1, 12))
# CHOSEN: transfer proofs the sandbox accepts on withdrawal-update (the seed says "binary" only).
TRANSFER_PROOF_MAX_BYTES = 5 * 1024 * 1024

_FINANCE_ENDPOINTS = (
    Endpoint("balance_summary", "GET", "v1/dashboard/partner/balanceSummary", "wire §2.3 #107 (exact)",
             "partner_id (query). data.balance, data.pending_balance (integers, rupiah)."),
    Endpoint("transactions", "GET", "v2/partner/order-transaction-balance", "wire §2.3 #160 (exact)",
             "partner_id, start_date, end_date (YYYY-MM-DD, WIB), page, limits, search, filter (codes 1–11, "
             "comma-separated). Laravel paginator. Rows order_date, order_type, grand_total, shipping_cost, "
             "service_fee, amount (signed string). CHOSEN extra keys: transaction_id (stable id), "
             "transaction_type (the filter code), description, created_at.",
             page_size_max=TRANSACTION_PER_PAGE_MAX),
    Endpoint("admin_withdrawals", "GET", "v1/admin/withdrawal",
             "CHOSEN path: #97 withdrawal-list; the admin paths appear in no public client (wire §2.3)",
             "search, status (enum WITHDRAWAL_STATUSES), start_date, end_date (YYYY-MM-DD, WIB, on created_at), "
             "total_per_page; CHOSEN: `page` (Laravel reads it) and a Laravel paginator in `data`, newest "
             "first. CHOSEN row keys: withdrawal_id, partner_id, user_id, fullname, email, bank_name, "
             "bank_account_name, bank_account_no (string), nominal (int), status, notes, transfer_proof "
             "(URL or null), created_at, updated_at ('YYYY-MM-DD HH:MM:SS', WIB).",
             page_size_max=WITHDRAWAL_PER_PAGE_MAX),
    Endpoint("admin_withdrawal_detail", "GET", "v1/admin/withdrawal/detail/{withdrawal_id}",
             "CHOSEN path: #98 withdrawal-detail", "data {} = a list row plus balance (int) of the partner."),
    Endpoint("admin_withdrawal_update", "POST", "v1/admin/withdrawal/update/{withdrawal_id}",
             "CHOSEN path: #99 withdrawal-update (seed: POST/PUT; POST chosen for multipart)",
             "status in the QUERY (enum WITHDRAWAL_UPDATE_STATUSES); multipart `notes` (review / reject) and "
             "`transfer_proof` (binary; CHOSEN required for completed, image or PDF, at most "
             "TRANSFER_PROOF_MAX_BYTES). CHOSEN rules: requested → on_review | rejected | canceled; on_review "
             "→ completed | rejected | canceled; repeating the current status answers 200 and changes "
             "nothing (so a retried push is safe); anything else 400. Answers 'Withdrawal successfully "
             "updated.' with data {} = the row."),
    Endpoint("bank_accounts", "GET", "v1/bank-account", "wire §2.3 #9 (exact)",
             "Rows bank_account_id (int), account_name, bank_name, account_no (string), is_default (int)."),
    Endpoint("bank_account_store", "POST", "v1/bank-account/store", "wire §2.3 #11 [inf]",
             "JSON {bank_name, account_name, account_no (integer), note}; message only (seed)."),
    Endpoint("bank_account_update", "POST", "v1/bank-account/update/{bank_account_id}", "wire §2.3 #14 (exact)",
             "JSON as store; message only."),
    Endpoint("bank_account_delete", "DELETE", "v1/bank-account/delete/{bank_account_id}",
             "wire §2.3 #15 (exact)", "Refused (400) for the default account (seed rule)."),
)
ENDPOINTS.update({e.name: e for e in _FINANCE_ENDPOINTS})


# Logistics: quotes, AWB and labels, tracking, pickups ------------------------------------------------
# Seed #53/#54 (calculate), #58–#60 (airway bill), #65/#66 (print label), #67–#74 (pickup). Response bodies are
# collapsed in the seed (`data []` / `data {}`); the keys below come from wire §2.3 where clients read them.
PICKUP_PAGE_SIZE_MAX = 50  # CHOSEN: `limits` of the pickup history (#67: `page` + `limit`, no maximum)
# CHOSEN: Komship has no code for "our" vehicles; the dashboard offers these words (wire §3.5: Motor/Mobil/Truk).
VEHICLES = {"motor": "Motor", "mobil": "Mobil", "truk": "Truk"}
# CHOSEN: a pickup history row carries `pickup_status` (the Monitoring Pickup filter #93 speaks of
# "Belum Dipickup"); the words and what they mean for PickupRequest.Status.
PICKUP_STATUSES = {
    "Belum Dipickup": "scheduled",
    "Sudah Dipickup": "picked_up",
    "Gagal Pickup": "failed",
    "Dibatalkan": "canceled",
}
# CHOSEN: airway-bill history `code` words (the delivery API's history item {desc, date, code, status},
# wire §3.9, whose codes are not listed) and what they mean for a Shipment.
TRACKING_CODES = {
    "PICKREQ": "",
    "PICKUP": "picked_up",
    "MANIFEST": "in_transit",
    "DEPARTURE": "in_transit",
    "ARRIVAL": "in_transit",
    "DELIVERY": "in_transit",
    "DELIVERED": "delivered",
    "PROBLEM": "problem",
    "RETURN": "returning",
    "RETURNED": "returned",
    "LOST": "lost",
}

_LOGISTICS_ENDPOINTS = (
    Endpoint("calculate", "GET", "v2/calculate", "wire §2.3 #54 (v2 and v3 coexist)",
             "Query (seed #54): receiver_destination (destination id from #49), weight (grams), payment_method "
             "('COD' / 'BANK TRANSFER'), partner_id, partner_address_id, additional_cost, grandtotal, subtotal, "
             "cart, discount. CHOSEN: cart 0 with a weight quotes an ad-hoc parcel. Answers data {data_regular[], "
             "data_truck[], data_shipping {coverage_cod_sap}}; option keys shipment_name, shipping_type, "
             "shipping_cost, service_fee (COD fee), grandtotal, weight, value, image_path; CHOSEN etd ('2-3')."),
    Endpoint("check_awb", "GET", "v1/check-awb/{awb}/{order_id}", "wire §2.3 #58 (exact)",
             "Answers status success/failed + message (seed #58 data {}). Used before updating an AWB."),
    Endpoint("awb_history", "GET", "v1/check-awb/{awb}",
             "CHOSEN: #59 'Check airway_bill' (awb only, data [] tracking history); path not seen in clients",
             "data [] of {desc, date ('YYYY-MM-DD HH:MM:SS' WIB), code, status} (the delivery API's history "
             "item, wire §3.9); codes in TRACKING_CODES. Unknown AWB: 400 'invalid cnote/airway bill'."),
    Endpoint("awb_update", "PUT", "v1/order/{partner_id}/update/{order_id}", "wire §2.3 #60 (exact)",
             "Form field airway_bill (seed #60). Answers 'order updated successfully.'"),
    Endpoint("print_label", "POST", "v2/generate/print-label",
             "wire §2.3 #65/#66 (label service; CHOSEN: relative to options.label_base_url, default the API root)",
             "Multipart order_id (comma list), page ('page_1'…), print_date 1. Answers data {base_64 (a PDF), "
             "path}."),
    Endpoint("pickup_store", "POST", "v4/pickup/{partner_id}/store", "wire §2.3 #74 (exact; v3 also)",
             "JSON partner_name (string), pickup_date 'YYYY-MM-DD', pickup_time 'HH:MM:SS', pic, pic_phone "
             "(08…), vehicle (VEHICLES), address_id, address_detail, order (ONE order id per request), token. "
             "Result read from body code: 200 ok, 500/1002 failed, 1006 insufficient balance. CHOSEN: success "
             "carries data {pickup_id}; requests with the same date, time, vehicle and address join one pickup."),
    Endpoint("pickup_history", "GET", "v3/pickup/history", "wire §2.3 #67–#69 (v3, Laravel paginator)",
             "page, limits. Rows id, date_submission, time_submission, pickup_date, pickup_time, shipping, "
             "vehicle, total_product, total_order, warehouse_type, warehouse; CHOSEN pickup_status "
             "(PICKUP_STATUSES).",
             page_size_max=PICKUP_PAGE_SIZE_MAX),
    Endpoint("pickup_detail", "GET", "v3/pickup/history/detail/{pickup_id}", "wire §2.3 #70",
             "data {address_name, address_detail, pickup_date, pickup_time 'HH:MM:SS', vehicle, data_order[] "
             "{order_id, order_no, airway_bill, shipping}, total_qty, total_order}; CHOSEN pickup_status."),
)
ENDPOINTS.update({e.name: e for e in _LOGISTICS_ENDPOINTS})


# Tickets and return claims ----------------------------------------------------------------------------
# Seed #150–#153, #186–#189, #198, #200–#203 (reference/komship.md §2.21, §2.22, §2.38, §2.43, §2.45) and the
# paths the partner dashboard calls (wire §2.3 "Tickets"). The seed prints NO response for the lists and the
# detail (#152: none; #198, #200: `{}`; #201: `data []`), so every row key below is CHOSEN from the columns
# and detail keys the dashboard reads (wire §2.3, komship.md Appendix B), plus `id` (the dashboard opens
# detail/{id}).

# `ticket_status` (Appendix B, the partner UI's labels; the seed's "0 / 1" filter has no labels).
TICKET_STATUS_LABELS = {0: "Perlu Tindak Lanjut", 1: "Belum Diproses", 2: "Sedang Diproses", 3: "Selesai",
                        4: "Batal"}
TICKET_STATUS_CANCELED = 4
# `claim_retur.status_claim` (Appendix B).
CLAIM_STATUS_LABELS = {0: "Claim on Review", 1: "Claim Sukses", 2: "Claim Ditolak"}
# `ticket_type`: an id in the create form (wire #150: "type id") and the mitra filter (#200), a name in the
# lists. The values are undocumented (komship.md gap 29). CHOSEN table (what `ticket-type/list` answers in
# the sandbox): id -> name.
TICKET_TYPES = {1: "Paket Belum Diterima", 2: "Paket Rusak", 3: "Paket Hilang", 4: "Retur", 5: "Pickup",
                6: "COD / Pencairan Dana", 7: "Lainnya"}
TICKET_PAGE_SIZE = 50  # CHOSEN `total_per_page` we ask for (the lists are Laravel paginators, no maximum given)
TICKET_PAGE_SIZE_MAX = 100  # CHOSEN: the sandbox clamps larger pages to it
PACKAGE_RETURN_PAGE_SIZE = 50  # #201 `limit` (no maximum documented)
# CHOSEN: our ticket number travels at the end of the description as "[<number>]", so that a create whose
# answer was lost (the create answers no id) is found again instead of being sent twice.
TICKET_REF_TEMPLATE = "[{number}]"
# CHOSEN (Appendix B: the dashboard offers "claim retur" only for COD orders in "Retur" or "Diterima" without
# a claim yet): the sandbox refuses a claim retur on any other order with HTTP 400.
CLAIM_RETUR_ORDER_STATUSES = ("Retur", "Diterima")

_TICKET_ENDPOINTS = (
    Endpoint("ticket_partner_list", "GET", "v1/ticket-partner/list", "wire §2.3 Tickets (partner list, not in seed)",
             "start_date, end_date, update_start_date, update_end_date (dates, WIB), ticket_status, ticket_type "
             "(comma lists), search + search_type, is_claim_retur, unread, total_per_page, page. `data` is a "
             "Laravel paginator. CHOSEN row keys: id, ticket_no, no_resi, shipping, customer_name, ticket_type "
             "(name), ticket_type_id, ticket_status (int), status_priority (0/1), date_created, date_updated "
             "('YYYY-MM-DD HH:MM:SS' WIB), history_ticket_count_mitra (unread messages from the other side). "
             "CHOSEN order: date_updated desc, id desc.", page_size_max=TICKET_PAGE_SIZE_MAX),
    Endpoint("ticket_admin_list", "GET", "v1/ticket-admin/list", "seed #198; path wire §2.3 #198",
             "Seed filters start_date, end_date, search_key, search, ticket_status, sort_*; wire: also "
             "total_per_page, page (paginator). CHOSEN: rows as the partner list plus partner_id, partner_name; "
             "also accepts update_start_date/update_end_date.", page_size_max=TICKET_PAGE_SIZE_MAX),
    Endpoint("ticket_mitra_list", "GET", "v1/ticket-mitra/list",
             "seed #200; CHOSEN path (no client seen), named like ticket-partner / ticket-admin",
             "Seed filters search, start_date, end_date, ticket_status, ticket_type (int), shipping, unread "
             "(bool), prioritas. CHOSEN: paginator with total_per_page/page like the other lists; rows as the "
             "partner list plus brand_name, partner_id, partner_name.", page_size_max=TICKET_PAGE_SIZE_MAX),
    Endpoint("ticket_package_return_list", "GET", "v1/ticket-mitra/package-return",
             "seed #201; CHOSEN path (no client seen)",
             "status (int: ticket_status), limit, offset, priority (int: status_priority). `data` is a bare array "
             "(seed sample); no date filter: the whole list is read. Rows as the mitra list.",
             page_size_max=TICKET_PAGE_SIZE_MAX),
    Endpoint("ticket_detail", "GET", "v2/ticket-partner/detail/{ticket_id}",
             "seed #152 (the one path the seed prints); the dashboard calls v1/…, which the sandbox also serves",
             "CHOSEN keys (Appendix B): id, ticket_no, ticket_status, ticket_type, ticket_type_id, order_id, "
             "order_status, payment_method, customer_name, description, partner_name, brand_name, shipping, "
             "no_resi, file [urls], status_priority, date_created, date_updated, rating_user, ticket_claim_retur "
             "(0/1), claim_retur (null or {id, status_claim, notes, created_at, images [urls]}), history_ticket "
             "[{id, sender: partner|admin|mitra, full_name, message, file [urls], is_read, date_created}]."),
    Endpoint("ticket_store", "POST", "v2/ticket-partner/store", "seed #150; path wire §2.3 #150",
             "multipart no_resi, customer_name (the client) and partner_name (the seed), ticket_type (type id), "
             "description, file[] (0..n). Answers the seed's message only, no id: the ticket is found again by "
             "TICKET_REF_TEMPLATE in its description."),
    Endpoint("ticket_mitra_store", "POST", "v1/ticket-mitra/store", "seed #202; CHOSEN path (no client seen)",
             "multipart as #150 plus brand_name (the seller's brand the mitra handles). Answers the seed's "
             "message only."),
    Endpoint("ticket_store_chat", "POST", "v2/ticket-partner/store-chat", "seed #151; path wire §2.3 #151",
             "multipart ticket_id (string), message, file[] (0..n). Answers the seed's message only."),
    Endpoint("ticket_mitra_store_chat", "POST", "v1/ticket-mitra/store-chat",
             "seed #203; CHOSEN path (no client seen)",
             "multipart ticket_id, message, file[], ticket_status (string): a mitra may change the status while "
             "replying; a partner may not (#151)."),
    Endpoint("ticket_cancel", "DELETE", "v1/ticket-partner/cancel/{ticket_id}", "wire §2.3 (exact)",
             "The only status change a partner can make. CHOSEN: a finished (3) or cancelled (4) ticket answers "
             "HTTP 400; cancelling twice is refused, so the adapter reads the detail before retrying."),
    Endpoint("ticket_set_priority", "POST", "v1/ticket-partner/set-priority/{ticket_id}", "wire §2.3 (exact)",
             "CHOSEN body (undocumented): form status_priority 1 (priority) / 0. Absolute, so sent idempotent."),
    Endpoint("ticket_types", "GET", "v1/ticket-partner/ticket-type/list", "wire §2.3 (exact)",
             "CHOSEN rows {id, name} (TICKET_TYPES)."),
    Endpoint("claim_retur_store", "POST", "v1/ticket-partner/claim-retur/store/{ticket_id}",
             "seed #186; path wire §2.3 (exact)",
             "Seed: path ticket_id only, no body documented. CHOSEN form field `notes` (the detail's "
             "claim_retur.notes). Answers 'Successfuly store Claim Retur', data \"\": the claim id is read from "
             "the ticket detail (claim_retur.id). Refused (400) per CLAIM_RETUR_ORDER_STATUSES / non-COD."),
    Endpoint("claim_retur_upload_image", "POST", "v1/ticket-partner/claim-retur/upload/image-temp",
             "seed #187; path wire §2.3 (exact)", "multipart file (required), claim_retur_id (required)."),
    Endpoint("claim_retur_delete_image", "DELETE", "v1/ticket-partner/claim-retur/delete/image/{image_temp_id}",
             "seed #188; path wire §2.3 (exact)", "Not used by the sync; served by the sandbox."),
    Endpoint("claim_retur_update", "PUT", "v1/ticket-partner/claim-retur/update/{ticket_id}",
             "seed #189; path wire §2.3 (exact)",
             "Submits the claim with its uploaded images ('Successfully Claim Retur!!'); then on review (0)."),
    Endpoint("claim_retur_info", "GET", "v1/ticket-admin/claim-retur/{ticket_id}",
             "seed #153 'Get claim retur information' (admin); CHOSEN path and parameter (the seed shows none)",
             "data {id, ticket_id, status_claim, notes, created_at, images}."),
)
ENDPOINTS.update({e.name: e for e in _TICKET_ENDPOINTS})
