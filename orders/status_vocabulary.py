"""Every status word the platform documents list, and the state of ours each one means.

Seeded into StatusMapping by migration orders/0002 (idempotent: update_or_create on platform + kind + word);
staff can edit the rows in the admin afterwards. Sources: shared/reference/{komship,komship-wire,mitrabunso,
ngorder,scalev}.md, which inventory the seeds' enums. Words are stored exactly as documented; lookups compare
them case-insensitively after trimming (orders.selectors.map_platform_status).

Kinds: "order" and "progress" map to our Order states, "payment" to our payment states, "shipment" to our
Shipment states.

Judgement calls, so that they can be revisited:
- Komship "Hilang" (lost) as an *order* status maps to "shipped": the order did leave; the loss lives on the
  Shipment ("lost") and is settled by a Claim. We add no order state for it.
- Komship "Retur" maps to "returning"; its sub-state `is_retur` 2 "Retur Diterima" to "returned".
- Scalev "completed" (delivered / done) and "closed" (final admin state) both map to "completed".
  Scalev "confirmed" is still "new" (accepted, nobody is packing yet); "in_process" is "processing".
- Scalev payment "conflict" (amount or proof mismatch) maps to "unpaid" until staff resolve it; "settled" is
  "paid" (the money also reached the seller).
- Ngorder `order_status` is an accept/reject flag; the order's progress is in `order_progress_status`.
  ACCEPTED/ACCEPT map to "new" so that progress (when known) decides the rest.
"""

from logistics.models import ShipmentStatus
from orders.models import OrderStatus, PaymentStatus

SHIPMENT_STATES = tuple(ShipmentStatus.values)

KOMSHIP, MITRABUNSO, NGORDER, SCALEV = "komship", "mitrabunso", "ngorder", "scalev"
ORDER, PAYMENT, PROGRESS, SHIPMENT = "order", "payment", "progress", "shipment"

S = OrderStatus
P = PaymentStatus

# (platform, kind, platform status exactly as documented, our status, what the document says)
STATUS_VOCABULARY: tuple[tuple[str, str, str, str, str], ...] = (
    # ---------------------------------------------------------------- Komship (Komerce): order_status
    (KOMSHIP, ORDER, "0", S.NEW, "order_status 0 = Diajukan (submitted)"),
    (KOMSHIP, ORDER, "1", S.SHIPPED, "order_status 1 = Dikirim (shipped)"),
    (KOMSHIP, ORDER, "2", S.DELIVERED, "order_status 2 = Diterima (delivered)"),
    (KOMSHIP, ORDER, "3", S.RETURNING, "order_status 3 = Retur (return; see is_retur)"),
    (KOMSHIP, ORDER, "4", S.CANCELED, "order_status 4 = Batal (canceled)"),
    (KOMSHIP, ORDER, "Diajukan", S.NEW, "Submitted"),
    (KOMSHIP, ORDER, "Dipacking", S.PROCESSING, "Being packed (dashboard label, not in the 0–4 filter)"),
    (KOMSHIP, ORDER, "Dikirim", S.SHIPPED, "Shipped"),
    (KOMSHIP, ORDER, "Diterima", S.DELIVERED, "Delivered to the buyer"),
    (KOMSHIP, ORDER, "Retur", S.RETURNING, "Return (in transit unless is_retur = 2)"),
    (KOMSHIP, ORDER, "Retur Dalam Perjalanan", S.RETURNING, "is_retur 1: return in transit"),
    (KOMSHIP, ORDER, "Retur Diterima", S.RETURNED, "is_retur 2: return received by the seller"),
    (KOMSHIP, ORDER, "Batal", S.CANCELED, "Canceled"),
    (KOMSHIP, ORDER, "Hilang", S.SHIPPED, "Package lost: the shipment is lost, the order stays shipped "
                                           "until a claim settles it"),
    # Komship: the same labels and the delivery API's webhook / tracking words, for the Shipment
    (KOMSHIP, SHIPMENT, "Diajukan", "pending", "Submitted, not yet picked up"),
    (KOMSHIP, SHIPMENT, "Dipacking", "pending", "Being packed"),
    (KOMSHIP, SHIPMENT, "Dijemput", "picked_up", "Picked up by the courier (delivery API webhook)"),
    (KOMSHIP, SHIPMENT, "Dikirim", "in_transit", "In transit"),
    (KOMSHIP, SHIPMENT, "Diterima", "delivered", "Delivered"),
    (KOMSHIP, SHIPMENT, "Selesai", "delivered", "Done (delivery API webhook)"),
    (KOMSHIP, SHIPMENT, "Retur", "returning", "Returning to the seller"),
    (KOMSHIP, SHIPMENT, "Retur Dalam Perjalanan", "returning", "is_retur 1: return in transit"),
    (KOMSHIP, SHIPMENT, "Retur Diterima", "returned", "is_retur 2: return received"),
    (KOMSHIP, SHIPMENT, "Batal", "canceled", "Canceled"),
    (KOMSHIP, SHIPMENT, "Dibatalkan", "canceled", "Canceled (delivery API webhook)"),
    (KOMSHIP, SHIPMENT, "Hilang", "lost", "Package lost"),
    (KOMSHIP, SHIPMENT, "Created", "pending", "Delivery API cancel rule: created"),
    (KOMSHIP, SHIPMENT, "Packing", "pending", "Delivery API cancel rule: packing"),
    (KOMSHIP, SHIPMENT, "Pickup Scheduled", "pickup_requested", "Delivery API docs: pickup scheduled"),
    (KOMSHIP, SHIPMENT, "Out for Pickup", "pickup_requested", "Delivery API docs: courier on the way"),
    (KOMSHIP, SHIPMENT, "Shipped", "in_transit", "Delivery API cancel rule: shipped"),
    (KOMSHIP, SHIPMENT, "In Transit", "in_transit", "Delivery API cancel rule: in transit"),
    (KOMSHIP, SHIPMENT, "Delivered", "delivered", "Delivery API cancel rule: delivered"),
    (KOMSHIP, SHIPMENT, "Canceled", "canceled", "Delivery API cancel rule: canceled"),
    # ---------------------------------------------------------------- Mitrabunso: order status
    (MITRABUNSO, ORDER, "DRAFT", S.DRAFT, "Incomplete order (e.g. from smart order)"),
    (MITRABUNSO, ORDER, "NEW", S.NEW, "Created"),
    (MITRABUNSO, ORDER, "PROCESSED", S.PROCESSING, "In a processing batch, waiting to be sent"),
    (MITRABUNSO, ORDER, "SENT", S.SHIPPED, "Sent (sentAt set)"),
    # ---------------------------------------------------------------- Ngorder / Smartseller
    (NGORDER, ORDER, "ACCEPTED", S.NEW, "order_status in lists: accepted"),
    (NGORDER, ORDER, "ACCEPT", S.NEW, "order_status in the details view: accepted"),
    (NGORDER, ORDER, "REJECTED", S.CANCELED, "order_status: rejected (storefront / private order)"),
    (NGORDER, ORDER, "CANCELED", S.CANCELED, "order_status: canceled"),
    (NGORDER, ORDER, "CANCEL", S.CANCELED, "canceled-list type: canceled"),
    (NGORDER, ORDER, "EXPIRED", S.CANCELED, "canceled-list type: payment expired"),
    (NGORDER, PROGRESS, "UNPAID", S.NEW, "order_progress_status: waiting for payment"),
    (NGORDER, PROGRESS, "INSTALLMENT", S.NEW, "order_progress_status (filter): partly paid"),
    (NGORDER, PROGRESS, "UNPROCESSED", S.NEW, "order_progress_status (filter): not processed yet"),
    (NGORDER, PROGRESS, "NO AWB", S.PROCESSING, "order_progress_status: paid, waiting for an AWB"),
    (NGORDER, PROGRESS, "ON PROCESS", S.SHIPPED, "order_progress_status: AWB assigned, in transit"),
    (NGORDER, PROGRESS, "DELIVERED", S.DELIVERED, "order_progress_status: delivered"),
    (NGORDER, PAYMENT, "UNPAID", P.UNPAID, "payment_status: unpaid"),
    (NGORDER, PAYMENT, "PAID", P.PAID, "payment_status: paid"),
    (NGORDER, PAYMENT, "INSTALLMENT", P.PARTIALLY_PAID, "payment_status: paid in instalments, not settled"),
    (NGORDER, PAYMENT, "FAIL", P.UNPAID, "payment_status: payment failed"),
    (NGORDER, PAYMENT, "WAITING_CONFIRMATION", P.UNPAID, "payment_status: transfer waiting for confirmation"),
    (NGORDER, PAYMENT, "WAITING PAYMENT", P.UNPAID, "payment_status: waiting for payment"),
    (NGORDER, PAYMENT, "REFUND_REJECTED", P.PAID, "payment_status: refund rejected, the money stays paid"),
    (NGORDER, PAYMENT, "EXPIRED", P.UNPAID, "payment_status: payment expired"),
    (NGORDER, PAYMENT, "C", P.PAID, "quick-payment response code C (completed)"),
    (NGORDER, PAYMENT, "Confirmed Pay", P.PAID, "private-order payment_status (code 3)"),
    (NGORDER, PAYMENT, "Waiting for Payment", P.UNPAID, "private-order payment_status (code 4)"),
    (NGORDER, SHIPMENT, "READY_TO_SHIP", "pending", "Shipment list: ready to ship, waiting for pickup"),
    (NGORDER, SHIPMENT, "PICKUP_REQUEST", "pickup_requested", "Shipment list: pickup requested"),
    (NGORDER, SHIPMENT, "DROPOFF", "pickup_requested", "Shipment list: to be dropped off at the courier"),
    (NGORDER, SHIPMENT, "UNPICK", "pickup_requested", "Shipment list: not picked up yet"),
    (NGORDER, SHIPMENT, "ON_PROCESS", "in_transit", "Shipment list: on the way"),
    (NGORDER, SHIPMENT, "DELIVERED", "delivered", "Shipment list / tracking: delivered"),
    (NGORDER, SHIPMENT, "RETURNED", "returned", "Shipment list: returned"),
    (NGORDER, SHIPMENT, "LOST", "lost", "Shipment list: lost"),
    (NGORDER, SHIPMENT, "INVALID", "problem", "Shipment list: invalid"),
    (NGORDER, SHIPMENT, "SHIPMENT_PROBLEM", "problem", "Shipment list: shipment problem"),
    (NGORDER, SHIPMENT, "PICKREQ", "pickup_requested", "Tracking history code: pickup requested"),
    (NGORDER, SHIPMENT, "IN", "in_transit", "Tracking history code: in (arrived at a hub)"),
    (NGORDER, SHIPMENT, "OUT", "in_transit", "Tracking history code: out (left a hub)"),
    (NGORDER, SHIPMENT, "ANT", "in_transit", "Tracking history code: out for delivery (antar)"),
    # ---------------------------------------------------------------- Scalev
    (SCALEV, ORDER, "draft", S.DRAFT, "Created but incomplete"),
    (SCALEV, ORDER, "pending", S.NEW, "Awaiting payment or confirmation"),
    (SCALEV, ORDER, "confirmed", S.NEW, "Confirmed (paid or COD accepted)"),
    (SCALEV, ORDER, "in_process", S.PROCESSING, "Being packed"),
    (SCALEV, ORDER, "ready", S.READY_TO_SHIP, "Ready to ship / pickup requested"),
    (SCALEV, ORDER, "shipped", S.SHIPPED, "Handed to the courier"),
    (SCALEV, ORDER, "shipped_rts", S.RETURNING, "Shipped, now returning to the sender (read-only)"),
    (SCALEV, ORDER, "completed", S.COMPLETED, "Delivered / done"),
    (SCALEV, ORDER, "rts", S.RETURNED, "Returned to the sender"),
    (SCALEV, ORDER, "canceled", S.CANCELED, "Canceled"),
    (SCALEV, ORDER, "closed", S.COMPLETED, "Closed (final admin state)"),
    (SCALEV, PAYMENT, "unpaid", P.UNPAID, "Not paid"),
    (SCALEV, PAYMENT, "paid", P.PAID, "Paid"),
    (SCALEV, PAYMENT, "settled", P.PAID, "Paid and settled to the business"),
    (SCALEV, PAYMENT, "conflict", P.UNPAID, "Amount or proof mismatch: unpaid until staff resolve it"),
    (SCALEV, SHIPMENT, "unavailable", "pending", "awb_ca_status: no AWB yet"),
    (SCALEV, SHIPMENT, "pending", "pending", "awb_ca_status: AWB requested"),
    (SCALEV, SHIPMENT, "waiting", "pending", "awb_ca_status: waiting for the courier aggregator"),
    (SCALEV, SHIPMENT, "failed", "problem", "awb_ca_status: AWB creation failed"),
    (SCALEV, SHIPMENT, "created", "awb_created", "awb_ca_status: AWB created"),
    (SCALEV, SHIPMENT, "canceled", "canceled", "awb_ca_status: AWB canceled"),
)


def our_states_for_kind(kind: str) -> tuple[str, ...]:
    """The states of ours a mapping of `kind` may point at."""
    if kind == PAYMENT:
        return tuple(PaymentStatus.values)
    if kind == SHIPMENT:
        return SHIPMENT_STATES
    return tuple(OrderStatus.values)


def status_vocabulary_seed(*, mapping_model) -> tuple[int, int]:
    """Add the rows of STATUS_VOCABULARY missing from `mapping_model` (the real or the historical
    StatusMapping). Rows that exist are left as they are, so staff edits survive. Returns (created,
    already present)."""
    existing = {
        (platform, kind, word.strip().lower())
        for platform, kind, word in mapping_model.objects.values_list("platform", "kind", "platform_status")
    }
    missing = [
        mapping_model(platform=platform, kind=kind, platform_status=word, our_status=str(ours),
                      description=description)
        for platform, kind, word, ours, description in STATUS_VOCABULARY
        if (platform, kind, word.strip().lower()) not in existing
    ]
    mapping_model.objects.bulk_create(missing)
    return len(missing), len(STATUS_VOCABULARY) - len(missing)
