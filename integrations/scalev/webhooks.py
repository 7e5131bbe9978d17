"""Scalev webhooks: signature check and event parsing (the Django view, storage and task live elsewhere).

Documents (scalevcom/dev-docs, cited as [G] by shared/reference/scalev.md §1.9):
- docs/Webhooks/verifying-a-webhook-request.md: header `X-Scalev-Hmac-Sha256` carries
  base64(HMAC-SHA256(key = signing secret, message = the raw JSON body)) — base64 of the raw digest,
  not hex. We compute it over the exact bytes received and compare with hmac.compare_digest.
- docs/Webhooks/webhook-events.md: envelope {"event", "unique_id" (the event id, for deduplication),
  "timestamp" (ISO 8601), "data"}; events order.created, order.epayment_created, order.updated,
  order.deleted, order.status_changed, order.payment_status_changed, order.spam_created.
- docs/Webhooks/payload-example.md: `data` of order.created / updated / epayment_created /
  spam_created is a full order snapshot (with orderlines); order.status_changed,
  order.payment_status_changed and order.deleted carry a partial order (id, order_id, timestamps and
  the changed fields), so no ExternalOrder is built for them: the sync reads the detail.
No timestamp header or replay window is documented: staleness is judged on the envelope's
`timestamp` by the caller, replays by `unique_id`.
"""

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from integrations.base import ExternalOrder
from integrations.exceptions import ProviderContractChanged
from integrations.scalev import mappers

SIGNATURE_HEADER = "X-Scalev-Hmac-Sha256"
ORDER_EVENTS = frozenset({
    "order.created", "order.epayment_created", "order.updated", "order.deleted", "order.status_changed",
    "order.payment_status_changed", "order.spam_created",
})
FULL_SNAPSHOT_EVENTS = frozenset({"order.created", "order.epayment_created", "order.updated", "order.spam_created"})


@dataclass(frozen=True, slots=True)
class ScalevWebhookEvent:
    event_id: str  # envelope `unique_id`
    event_type: str  # envelope `event`
    occurred_at: datetime | None  # envelope `timestamp`, aware UTC
    order_external_id: str  # data.id (UUID, or a legacy integer as text)
    order_no: str = ""  # data.order_id
    status: str = ""  # data.status when present (order.status_changed, snapshots)
    payment_status: str = ""  # data.payment_status when present
    order: ExternalOrder | None = None  # when the payload is a full order snapshot
    data: dict = field(default_factory=dict, repr=False, compare=False)


def sign(raw_body: bytes, secret: str) -> str:
    """The header value Scalev sends for `raw_body` (used by our tests and the sandbox)."""
    digest = hmac.new(secret.encode("utf-8"), raw_body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_signature(*, raw_body: bytes, signature_header: str, secret: str) -> bool:
    """True when `signature_header` is base64(HMAC-SHA256(secret, raw_body)). Constant-time compare."""
    if not secret or not signature_header or not isinstance(raw_body, bytes | bytearray):
        return False
    expected = sign(bytes(raw_body), secret).encode("ascii")
    return hmac.compare_digest(expected, signature_header.strip().encode("ascii", errors="replace"))


def parse_event(raw_body: bytes) -> ScalevWebhookEvent:
    """The envelope and its order. Raises ProviderContractChanged for a body we cannot read."""
    try:
        envelope = json.loads(raw_body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProviderContractChanged("scalev webhook body is not JSON", platform="scalev",
                                      payload=raw_body[:500]) from exc
    if not isinstance(envelope, Mapping):
        raise ProviderContractChanged("scalev webhook body is not an object", platform="scalev", payload=envelope)
    event_type, event_id, data = envelope.get("event"), envelope.get("unique_id"), envelope.get("data")
    if not isinstance(event_type, str) or not event_type or not isinstance(event_id, str) or not event_id:
        raise ProviderContractChanged("scalev webhook without event / unique_id", platform="scalev",
                                      payload=envelope)
    if not isinstance(data, Mapping):
        raise ProviderContractChanged(f"scalev webhook {event_id} without data", platform="scalev", payload=envelope)
    try:
        occurred_at = mappers.timestamp(envelope.get("timestamp"))
    except mappers.MappingError as exc:
        raise ProviderContractChanged(str(exc), platform="scalev", payload=envelope) from exc
    order_id = data.get("id")
    if event_type in ORDER_EVENTS and order_id in (None, ""):
        raise ProviderContractChanged(f"scalev webhook {event_id} without an order id", platform="scalev",
                                      payload=envelope)
    order = None
    if event_type in FULL_SNAPSHOT_EVENTS and isinstance(data.get("orderlines"), list):
        order = mappers.order_from_scalev(data)
    return ScalevWebhookEvent(
        event_id=event_id,
        event_type=event_type,
        occurred_at=occurred_at,
        order_external_id="" if order_id is None else str(order_id),
        order_no=str(data.get("order_id") or ""),
        status=str(data.get("status") or ""),
        payment_status=str(data.get("payment_status") or ""),
        order=order,
        data=dict(data),
    )
