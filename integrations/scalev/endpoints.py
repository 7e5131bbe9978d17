"""Every Scalev path and method the client uses, in one table.

Sources: the current public spec `shared/reference/scalev/openapi.json` (OpenAPI 3.0.3, "Scalev API"
3.0.0, scalevcom/dev-docs `reference/openapi.json`; cited below as "spec <operationId>"), the older
seed `shared/seeds/004_c049e05562386b31.txt` (a ReDoc dump without paths; cited as "seed line N") and
the inventory `shared/reference/scalev.md`. Base URL: the host alone (`https://api.scalev.com`);
every path starts with /v3. Auth: `Authorization: Bearer <sk_…|rk_…>` (spec securitySchemes
apiKeyAuth; guide "authentication-with-api-key").

Choices where the documents are silent (each repeated next to its entry):
- Time window of the order list: the list has no `created_at` filter and no `draft_time_since`
  (only `draft_time_until`), and its order is fixed (`created_at` descending). We send
  `draft_time_until=<until>` and walk the cursor until a row's `created_at` is older than `since`
  (inventory §4.8). Our sandbox sets `draft_time` = `created_at` for every order.
- Stock: no document has a stock quantity on a business variant (no field in
  ProductVariantUpdateRequest, the seed or the inventory). `push_stock` uses the documented variant
  update (PATCH /v3/variants/{id}) with `is_checked` ("Mark variant as sellable") = quantity > 0 and
  the quantity kept in the variant's free-form `metadata` under METADATA_STOCK_KEY (merged with the
  metadata the variant already has, read first).
- Idempotent order create: the create body has no external or idempotency key. We put our order
  number in `metadata` (METADATA_ORDER_NO_KEY) and `find_order` scans the newest orders (the list's
  fixed newest-first order) for it, FIND_ORDER_MAX_PAGES pages or FIND_ORDER_WINDOW back at most.
"""

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class Endpoint:
    name: str
    method: str
    path: str  # template, relative to the account's base URL (the host)
    source: str
    page_size_max: int | None = None
    notes: str = ""

    def url(self, **params: str) -> str:
        return self.path.format(**params)


PAGE_SIZE_MAX = 25  # spec listOrders/listProducts `page_size` maximum 25; seed line 6 "maximum of 25"

METADATA_ORDER_NO_KEY = "backoffice_order_no"  # our choice: where our order number travels in `metadata`
METADATA_STOCK_KEY = "backoffice_stock"  # our choice: the pushed quantity in a variant's `metadata`
FIND_ORDER_MAX_PAGES = 20  # our choice: how far find_order looks back (20 × 25 newest orders) …
FIND_ORDER_WINDOW = timedelta(days=3)  # … or this far back in created_at, whichever comes first

ENDPOINTS: dict[str, Endpoint] = {
    e.name: e
    for e in (
        Endpoint("orders_list", "GET", "/v3/orders", "spec listOrders; seed line 6 (order:list)",
                 page_size_max=PAGE_SIZE_MAX,
                 notes="cursor pagination: page_size, next_cursor; sorted by created_at desc, fixed. "
                       "Window: draft_time_until + stop at created_at < since (no created_at filter)."),
        Endpoint("order_create", "POST", "/v3/orders", "spec createOrder; seed line 250 (order:create)",
                 notes="required store_unique_id (account option) and customer_name; our order number "
                       "in metadata[METADATA_ORDER_NO_KEY]. Not retried."),
        Endpoint("order_detail", "GET", "/v3/orders/{id}", "spec getOrder; seed line 885 (order:read)",
                 notes="id: UUIDv7 string, legacy numeric ids accepted (spec OrderId)"),
        Endpoint("orders_change_status", "POST", "/v3/orders/change-status",
                 "spec changeOrderStatus; seed line 715 (order:change_status)",
                 notes="bulk: {ids, status} and/or payment_status; answers {data:[{id, order_id, status, "
                       "payment_status}], is_paginated:false}"),
        Endpoint("orders_delete", "POST", "/v3/orders/delete", "spec deleteOrders; seed line 748 (order:delete)",
                 notes="bulk: {ids}; answers {data:[deleted ids], is_paginated:false}"),
        Endpoint("products_list", "GET", "/v3/products", "spec listProducts; seed line 5935 (product:list)",
                 page_size_max=PAGE_SIZE_MAX,
                 notes="sorted by id desc, fixed; list variants carry no sku/price, so the adapter reads "
                       "each product's detail"),
        Endpoint("product_create", "POST", "/v3/products", "spec createProduct; seed line 6066 (product:create)",
                 notes="required item_type, name; variants[] need price and weight (current spec)"),
        Endpoint("product_detail", "GET", "/v3/products/{id}", "spec getProduct; seed line 6324 (product:read)"),
        Endpoint("product_update", "PATCH", "/v3/products/{id}", "spec updateProduct; seed line 6463 (product:update)",
                 notes="current spec: no variants[] here (the seed's older body had them); variants go "
                       "through the variant endpoints below"),
        Endpoint("product_delete", "DELETE", "/v3/products/{id}", "spec deleteProduct; seed line 6651",
                 notes="204 No Content"),
        Endpoint("variant_create", "POST", "/v3/products/{product_id}/variants",
                 "spec createProductVariant (current spec only)", notes="required price, weight"),
        Endpoint("variant_detail", "GET", "/v3/variants/{id}", "spec getVariant; seed line 7251 (product:read)",
                 notes="id: numeric, variant_… unique id or UUID (spec BusinessVariantId)"),
        Endpoint("variant_update", "PATCH", "/v3/variants/{id}", "spec updateProductVariant (current spec only)",
                 notes="also the stock push (is_checked + metadata, see module docstring)"),
        Endpoint("variant_delete", "DELETE", "/v3/variants/{id}", "spec deleteProductVariant (current spec only)",
                 notes="204; refuses the last active variant of a product"),
    )
}


def endpoint(name: str) -> Endpoint:
    return ENDPOINTS[name]


# Logistics: shipping costs, courier services, locations, AWB, receipts, shipment history ---------------------
# Courier codes asked for when the account names none (spec ShippingCostRequest.courier_codes enum).
DEFAULT_COURIER_CODES = ("jne", "jnt", "sicepat", "sap", "ninja", "anteraja", "ide")
# shipment_status_history[].status is an ORDER status (inventory §4.4); what it means for a Shipment.
SHIPMENT_HISTORY_STATUSES = {"shipped": "in_transit", "completed": "delivered", "rts": "returning",
                             "shipped_rts": "returned", "canceled": "", "confirmed": "", "pending": ""}
ENDPOINTS.update({
    e.name: e
    for e in (
        Endpoint("shipping_costs", "POST", "/v3/shipping-costs", "spec searchShippingCosts; inventory §2.6",
                 notes="Body courier_codes[], location_id, postal_code, warehouse_id, weight (grams). Answers "
                       "{data [ShippingCostResult {cost, cost_source, courier_service {code, courier {code, "
                       "courier_type, id, name}, id, name}, etd, weight}], is_paginated false}."),
        Endpoint("courier_services", "POST", "/v3/shipping-costs/search-courier-service",
                 "spec searchCourierServices; inventory §2.6",
                 notes="Body is_show_all, location_id, payment_method, postal_code, store_id, warehouse_id, weight. "
                       "Items as shipping costs + is_cod, is_pickup, shipment_provider_code, warehouse {...}. "
                       "Used for COD quotes (payment_method 'cod')."),
        Endpoint("locations", "GET", "/v3/locations", "spec listLocations; inventory §3.10",
                 page_size_max=PAGE_SIZE_MAX, notes="search=…; cursor list like orders."),
        Endpoint("generate_awb", "POST", "/v3/orders/generate-awb", "spec generateOrderAwb; seed line 811",
                 notes="{ids: [order primary keys]} -> {successes {ID: receipt}, failures {ID: message}}."),
        Endpoint("cancel_awb", "POST", "/v3/orders/cancel-awb", "spec cancelOrderAwb; seed line 822",
                 notes="{ids: [...]} -> same shape as generate."),
        Endpoint("upload_receipt", "POST", "/v3/orders/upload-receipt", "spec uploadOrderReceipt; inventory §2.1",
                 notes="Multipart `file`: CSV (receipt_template.csv) columns order_id, shipment_receipt. Answers "
                       "{data [{id, order_id, shipment_receipt}], is_paginated false}."),
    )
})
