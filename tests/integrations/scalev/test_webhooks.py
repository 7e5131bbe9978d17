"""Scalev webhooks: the signature as docs/Webhooks/verifying-a-webhook-request.md computes it and the
events of payload-example.md / webhook-events.md (samples/webhook_*.json, verbatim)."""

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from integrations.exceptions import ProviderContractChanged
from integrations.scalev.webhooks import SIGNATURE_HEADER, parse_event, sign, verify_signature
from tests.integrations.scalev.conftest import SAMPLES, sample

SECRET = "whsec-demo-signing-secret"


def _envelope(event: str, data_file: str, unique_id: str = "event_abc123") -> bytes:
    data = sample(data_file)
    return json.dumps({"event": event, "unique_id": unique_id, "timestamp": "2025-01-29T20:28:25.046183Z",
                       "data": data}).encode()


def _documented_signature(raw_body: bytes, secret: str) -> str:
    # the guide's Python example, verbatim in substance
    return base64.b64encode(hmac.new(secret.encode("utf-8"), raw_body, "sha256").digest()).decode("utf-8")


def test_signature_matches_the_documented_computation():
    raw = (SAMPLES / "webhook_event_envelope.json").read_bytes()
    assert SIGNATURE_HEADER == "X-Scalev-Hmac-Sha256"
    assert sign(raw, SECRET) == _documented_signature(raw, SECRET)
    assert verify_signature(raw_body=raw, signature_header=_documented_signature(raw, SECRET), secret=SECRET)


def test_signature_is_over_the_raw_bytes():
    raw = (SAMPLES / "webhook_event_envelope.json").read_bytes()
    header = sign(raw, SECRET)
    reserialised = json.dumps(json.loads(raw)).encode()  # same JSON, other bytes
    assert raw != reserialised
    assert not verify_signature(raw_body=reserialised, signature_header=header, secret=SECRET)


@pytest.mark.parametrize("tamper", ["body", "secret", "hex", "empty", "garbage"])
def test_invalid_signatures_are_refused(tamper):
    raw = _envelope("order.created", "webhook_order_created.data.json")
    header, body, secret = sign(raw, SECRET), raw, SECRET
    if tamper == "body":
        body = raw.replace(b"168724.00", b"1.00")
    elif tamper == "secret":
        secret = "another-secret"
    elif tamper == "hex":
        header = hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    elif tamper == "empty":
        header = ""
    else:
        header = "not-base64-ä"
    assert not verify_signature(raw_body=body, signature_header=header, secret=secret)


@pytest.mark.parametrize("event", ["order.created", "order.updated"])
def test_full_snapshot_events_carry_the_order(event):
    parsed = parse_event(_envelope(event, "webhook_order_created.data.json", unique_id="event_I7fkiBF4"))
    assert parsed.event_type == event and parsed.event_id == "event_I7fkiBF4"
    assert parsed.occurred_at == datetime(2025, 1, 29, 20, 28, 25, 46183, tzinfo=UTC)
    assert parsed.order_external_id == "01948092-9b80-7f91-b23d-1a8686278331"
    assert parsed.order_no == "250130JQHFZG"
    assert parsed.order is not None and parsed.order.grand_total == Decimal("168724.00")
    assert parsed.order.items[0].sku == "BCF009"


def test_status_changed_event():
    parsed = parse_event(_envelope("order.status_changed", "webhook_order_status_changed.data.json"))
    assert parsed.status == "canceled" and parsed.order_no == "250128GGVOWU"
    assert parsed.order is None  # a partial order: the sync reads the detail
    assert parsed.order_external_id == "01948092-9b80-7f91-b23d-1a8686278331"


def test_payment_status_changed_event():
    parsed = parse_event(_envelope("order.payment_status_changed", "webhook_order_payment_status_changed.data.json"))
    assert parsed.payment_status == "paid" and parsed.order is None
    assert parsed.data["payment_method"] == "bank_transfer"


def test_deleted_event():
    parsed = parse_event(_envelope("order.deleted", "webhook_order_deleted.data.json"))
    assert parsed.event_type == "order.deleted"
    assert parsed.order_external_id == "01948092-9b80-7f91-b23d-1a8686278331" and parsed.order is None


def test_documented_envelope_sample_parses():
    parsed = parse_event((SAMPLES / "webhook_event_envelope.json").read_bytes())
    assert parsed.event_type == "order.spam_created"
    assert parsed.event_id == "event_I7fkiBF4YksYDsKbVe5ZOEyZ"
    assert parsed.order is not None and parsed.order.order_no == "250130JQHFZG"


@pytest.mark.parametrize("raw", [b"not json", b"[]", b'{"event": "order.created", "data": {}}',
                                 b'{"event": "order.created", "unique_id": "e1", "data": {"order_id": "X"}}',
                                 b'{"event": "order.created", "unique_id": "e1", "timestamp": "yesterday", '
                                 b'"data": {"id": "1"}}'])
def test_malformed_bodies_are_contract_changes(raw):
    with pytest.raises(ProviderContractChanged):
        parse_event(raw)
