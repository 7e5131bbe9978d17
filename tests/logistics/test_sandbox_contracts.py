"""The logistics sandboxes' envelopes, keys and types against every sample the documents print, over real
HTTP: Ngorder (003: Get Cost, Tracking, Pickup Request, Cancel Pickup Request), Scalev (openapi.json:
shipping costs, courier services, locations, generate / cancel AWB, receipt upload, shipment history),
Komship (seed request samples #65 print label and #74 store pickup; history items as the delivery API's
History AWB sample, wire §3.9)."""

import json
from datetime import date, time
from pathlib import Path

import pytest
import requests

from integrations.base import PickupPayload
from integrations.komship import mappers as komship_mappers
from tests.integrations.contract import assert_same_shape
from tests.integrations.engine_support import reset_sandbox
from tests.integrations.scalev import openapi_check

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str):
    return json.loads((SAMPLES / f"{name}.json").read_text())


@pytest.fixture
def ngorder(live_server):
    sandbox = reset_sandbox("ngorder", orders=30)
    return sandbox, f"{live_server.url}/sandbox/ngorder/api/open"


def ngorder_call(base, method, path, **kwargs):
    response = requests.request(method, f"{base}{path}", headers={"Authorization": "Bearer demo-ngorder-token"},
                                timeout=10, **kwargs)
    return response.status_code, response.json()


@pytest.mark.django_db
def test_ngorder_expedition_cost_matches_the_sample(ngorder):
    _sandbox, base = ngorder
    status, body = ngorder_call(base, "GET", "/expedition/cost",
                                params={"origin_id": 346, "destination_id": 2101, "weight": 1200, "price": 120000})
    assert status == 200
    assert_same_shape(body, sample("ngorder_expedition_cost_response"))
    status, body = ngorder_call(base, "GET", "/expedition/cost", params={"origin_id": 346})
    assert status == 422 and body["response"] == "Failed" and "destination_id" in body["message"]


@pytest.mark.django_db
def test_ngorder_tracking_matches_the_sample(ngorder):
    sandbox, base = ngorder
    order_id = next(iter(sandbox.orders.keys()))
    sandbox.give_awb(order_id, "00046512912705")
    sandbox.add_tracking(order_id, "PICKREQ", "Terima permintaan pick up dari [Tokopedia]")
    status, body = ngorder_call(base, "GET", "/expedition/tracking",
                                params={"awb_number": "00046512912705", "expedition_id": 4, "order_id": order_id})
    assert status == 200
    assert_same_shape(body, sample("ngorder_expedition_tracking_response"))


@pytest.mark.django_db
def test_ngorder_pickup_request_and_cancel_match_the_samples(ngorder):
    sandbox, base = ngorder
    order_id = next(iter(sandbox.orders.keys()))
    sandbox.give_awb(order_id, "00046512912706")
    sandbox.orders[order_id]["logistic"] = "SiCepat"
    documented = sample("ngorder_pickup_request_request")
    documented["pickup_request"] = [{**documented["pickup_request"][1], "id": order_id}]
    status, body = ngorder_call(base, "POST", "/shipping/pickup-request", json=documented)
    assert status == 200 and body["success_data"] == [order_id]
    assert_same_shape(body, sample("ngorder_pickup_request_response"))
    status, body = ngorder_call(base, "POST", "/shipping/cancel-pickup", json={"id": order_id})
    assert status == 200
    assert_same_shape(body, sample("ngorder_cancel_pickup_response"))


# --- Scalev against the current public spec ------------------------------------------------------------


@pytest.fixture
def scalev(live_server):
    sandbox = reset_sandbox("scalev", orders=30)
    return sandbox, f"{live_server.url}/sandbox/scalev"


def scalev_call(base, method, path, **kwargs):
    response = requests.request(method, f"{base}{path}", headers={"Authorization": "Bearer demo-scalev-token"},
                                timeout=10, **kwargs)
    return response.status_code, response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("path, body", [
    ("/v3/shipping-costs", {"courier_codes": ["jne", "sicepat"], "location_id": 3502, "warehouse_id": 1,
                            "weight": 1200}),
    ("/v3/shipping-costs/search-courier-service", {"location_id": 3502, "warehouse_id": 1, "weight": 1200,
                                                   "payment_method": "cod", "store_id": 1}),
])
def test_scalev_shipping_lookups_match_the_spec(scalev, path, body):
    _sandbox, base = scalev
    assert openapi_check.validate_request("POST", f"http://x{path}", body=body) == path
    status, answer = scalev_call(base, "POST", path, json=body)
    openapi_check.validate_response("POST", path, status, answer)
    assert answer["data"]


@pytest.mark.django_db
def test_scalev_locations_awb_receipts_and_history_match_the_spec(scalev):
    sandbox, base = scalev
    status, answer = scalev_call(base, "GET", "/v3/locations", params={"search": "coblong"})
    openapi_check.validate_response("GET", "/v3/locations", status, answer)
    assert answer["data"][0]["subdistrict_name"] == "Coblong"

    with sandbox.lock:
        records = [sandbox._record(ident) for _created, ident in sandbox.order_keys]
    ready = next(r for r in records if r["status"] in ("confirmed", "in_process", "ready"))
    ready["receipt"] = None
    for path in ("/v3/orders/generate-awb", "/v3/orders/cancel-awb"):
        status, answer = scalev_call(base, "POST", path, json={"ids": [ready["id"]]})
        openapi_check.validate_response("POST", path, status, answer)
        assert ready["id"] in answer["successes"]

    csv_text = f"order_id,shipment_receipt\n{ready['order_id']},JNE0001\n"
    response = requests.post(f"{base}/v3/orders/upload-receipt", headers={"Authorization": "Bearer demo-scalev-token"},
                             files={"file": ("r.csv", csv_text, "text/csv")}, timeout=10)
    openapi_check.validate_response("POST", "/v3/orders/upload-receipt", response.status_code, response.json())
    assert response.json()["data"][0]["shipment_receipt"] == "JNE0001"

    sandbox.add_shipment_status(ready["id"], "shipped", "Paket diserahkan ke kurir")
    status, answer = scalev_call(base, "GET", f"/v3/orders/{ready['id']}")
    openapi_check.validate_response("GET", f"/v3/orders/{ready['id']}", status, answer)
    assert answer["shipment_status_history"][0]["status"] == "shipped"


# --- Komship: the seed's request samples, the delivery API's history item --------------------------------


def test_komship_store_pickup_body_has_the_seed_keys():
    payload = PickupPayload(external_order_ids=("5627",), pickup_date=date(2026, 12, 1), time_from=time(9),
                            vehicle="motor", contact_name="Andi", contact_phone="+6281298765432",
                            address="Jl. Soekarno-Hatta 590", address_id="12")
    body = komship_mappers.pickup_body(payload, partner_name="Toko Berkah Jaya", order_id="5627")
    documented = sample("komship_pickup_store_request")
    assert set(body) == set(documented)
    # Documented deviation (wire §2.3 #74): the dashboard sends partner_name as the user's name, a string.
    assert_same_shape({**body, "partner_name": 0}, documented)


@pytest.mark.django_db
def test_komship_label_and_history_answers(live_server):
    sandbox = reset_sandbox("komship", orders=5)
    base = f"{live_server.url}/sandbox/komship"
    headers = {"Authorization": "Bearer demo-komship-token"}
    order = sandbox.orders[0]
    documented = sample("komship_print_label_request")
    fields = {key: (None, str(value)) for key, value in {**documented, "order_id": order["order_id"],
                                                        "print_date": 1}.items()}
    answer = requests.post(f"{base}/v2/generate/print-label", headers=headers, files=fields, timeout=10).json()
    assert answer["status"] == "success" and set(answer["data"]) == {"path", "base_64"}

    sandbox.give_awb(order["order_id"], "KOMERKOM0001")
    sandbox.add_tracking("KOMERKOM0001", "PICKUP", "Paket telah di pickup")
    answer = requests.get(f"{base}/v1/check-awb/KOMERKOM0001", headers=headers, timeout=10).json()
    documented_item = sample("komship_delivery_history_awb_response")["data"]["history"][0]
    assert answer["status"] == "success" and answer["code"] == 200
    for item in answer["data"]:
        assert_same_shape(item, documented_item)
    unknown = requests.get(f"{base}/v1/check-awb/NOPE", headers=headers, timeout=10)
    assert unknown.status_code == 400 and unknown.json()["message"] == "invalid cnote/airway bill"
