"""Every Mitrabunso path the client uses, in one table, with where each comes from and the choices made
where the document is silent.

Source: shared/seeds/001_28793e35dc7ce056.txt ("Pada halaman ini, akan dijelaskan penggunaaan API untuk
modul order"), inventoried in shared/reference/mitrabunso.md. Paths are relative to the account's base
URL, which is the documented prefix ``http://apiv2.mitrabunso.com/public`` (so paths start at ``order/…``).

Auth (every endpoint, seed "HEAD | Authorization | YA | Bearer Token | Bearer Token Login"):
``Authorization: Bearer <token>``. No login endpoint is documented: the token is given to us and stored in
the account's credentials["token"]. ``{id_user}`` (36-character user id) is in every path: the account's
external_account_id, or credentials["id_user"].

Choices where the document is silent (each one is a second reading the sandbox shares):
- Error shapes (none documented). Every error keeps the success envelope, ``{"message": str, "data": null}``,
  with the HTTP status telling what happened: 401 for a missing / wrong token ("Unauthorized"), 404 for an
  unknown order id or processed batch ("Data not found"), 422 for an invalid body or path parameter, with
  the reasons in ``"errors": {"<field path>": ["<reason>", …]}``; 405 for a wrong verb; 500 / 429 likewise.
- Request bodies: the tables say "POST | data | JSON" and "POST | batchData | JSON". We send a JSON body
  ``{"data": {…order document…}}`` / ``{"batchData": [ … ]}`` by default; options["body_encoding"] = "form"
  sends the PHP-style form field instead (``data=<json text>``). The sandbox accepts both, and also a bare
  order document (the third possible reading).
- Pagination: ``offsite`` is a row offset; ``limit`` the page size. No maximum is documented: we choose
  PAGE_SIZE_MAX = 500 (an account may lower it with options["page_size"]); the sandbox clamps a larger
  ``limit`` to it, as a real server would. ``total`` counts every row matching q / status; ``show`` is taken
  to be the number of rows in this response (the sample has one row and ``"show": 1``).
- Order of the list: newest first by ``createdAt`` (then by insertion). There is NO date filter, so the
  adapter bounds the time window itself: it filters rows by ``createdAt`` and stops paging once a page is
  in newest-first order and its last row is older than ``since`` (see adapter.iter_order_pages).
- ``status`` filter: one of the four words of total_summary (NEW, PROCESSED, SENT, DRAFT), compared
  without regard to case; an unknown word yields an empty list. ``q``: case-insensitive substring of the
  invoice, updatedInvoice, AWB, customer name or customer phone.
- Duplicate invoices are accepted (the document says nothing): find_order() is what keeps a retry after a
  timeout from creating twice.
- batch_create is all-or-nothing: one invalid document rejects the whole batch with 422; the ids in
  ``data.invoices`` (order ids, despite the name) are in the order of ``batchData``.
- print_order is a POST with a side effect (it records ``print_status`` on the batch's orders), so it is
  never retried automatically. The timestamp path segment is the batch's ``processed`` value, URL-encoded.
- processed_list lists the batches of orders still in PROCESSED ("menunggu dikirim"), newest first.
"""

from dataclasses import dataclass

PLATFORM = "mitrabunso"
DEFAULT_BASE_URL = "http://apiv2.mitrabunso.com/public"

# Not documented; our choice (see above). The adapter requests this, the sandbox clamps to it.
PAGE_SIZE_MAX = 500

# The order-status words, from total_summary (the only place the document enumerates them).
ORDER_STATUSES = ("NEW", "PROCESSED", "SENT", "DRAFT")

# Server time zone: the stored rows say "timezone": "Asia/Bangkok" (UTC+7, the same offset as WIB).
SERVER_TIMEZONE = "Asia/Jakarta"


@dataclass(frozen=True, slots=True)
class Endpoint:
    name: str
    method: str
    path: str  # relative to the base URL ".../public"; {placeholders} are filled by the client
    source: str
    notes: str = ""
    page_size_max: int | None = None


ENDPOINTS: dict[str, Endpoint] = {
    e.name: e
    for e in (
        Endpoint(
            "list", "GET", "order/orders/list/{id_user}/{offsite}/{limit}",
            "seed 001 'API List'; reference/mitrabunso.md §5.1",
            "query q (search), status (NEW|PROCESSED|SENT|DRAFT); envelope message, data[], total, show; "
            "offsite = row offset; newest first (our reading); no date filter",
            page_size_max=PAGE_SIZE_MAX,
        ),
        Endpoint(
            "total_summary", "GET", "order/orders/total_summary/{id_user}",
            "seed 001 'API Total Sumarry Order'; reference §5.2",
            "data = {NEW, PROCESSED, SENT, DRAFT: count}",
        ),
        Endpoint(
            "create", "POST", "order/orders/create/{id_user}",
            "seed 001 'API Create'; reference §5.3",
            "body {'data': order document} (JSON; form field data=<json> with options body_encoding=form); "
            "answers data.order[0] (stored row, id = order id) and data.products[]",
        ),
        Endpoint(
            "batch_create", "POST", "order/orders/batch_create/{id_user}",
            "seed 001 'API Create Batch'; reference §5.4",
            "body {'batchData': [documents]}; answers data.invoices = [order ids] (NOT invoice numbers) "
            "in request order, total = count; all-or-nothing (our reading)",
        ),
        Endpoint(
            "details", "GET", "order/orders/details/{id_user}/{id_order}",
            "seed 001 'API Details'; reference §5.5",
            "same data shape as create: order[0] stored row (no phone / region / totals: those are in the "
            "JSON string order_first_state) and products[]; 404 for an unknown id (our choice)",
        ),
        Endpoint(
            "processed_list", "GET", "order/orders/processed_list/{id_user}",
            "seed 001 'API Proccessed List'; reference §5.7",
            "query q; data[] = batches {totalLabels, printStatus, processed}; no pagination",
        ),
        Endpoint(
            "print_order", "POST", "order/orders/print_order/{id_user}/{timestamp}/{print_status}",
            "seed 001 'API Print Order'; reference §5.8",
            "no body; timestamp = a batch's 'processed' value, URL-encoded; side effect: records "
            "print_status on the batch's orders; never retried; 404 for an unknown batch (our choice)",
        ),
    )
}

# Documented but not used by the client (a marketplace-export parser, not an order source):
#   POST order path smartorder/fetch/{id_user}  (seed 001 'API SMART Order'; reference §5.6)
