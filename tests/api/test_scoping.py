"""Seller A never reaches seller B's records: 404 on every detail route, absent from every list."""

import pytest

from finance.models import LedgerEntry

DETAIL_ROUTES = [
    ("get", "/api/v1/products/{product}/"),
    ("get", "/api/v1/variants/{variant}/"),
    ("patch", "/api/v1/variants/{variant}/"),
    ("post", "/api/v1/variants/{variant}/stock/"),
    ("get", "/api/v1/orders/{order}/"),
    ("post", "/api/v1/orders/{order}/cancel/"),
    ("get", "/api/v1/pickups/{pickup}/"),
    ("post", "/api/v1/pickups/{pickup}/cancel/"),
    ("get", "/api/v1/tickets/{ticket}/"),
    ("post", "/api/v1/tickets/{ticket}/reply/"),
    ("post", "/api/v1/tickets/{ticket}/close/"),
    ("get", "/api/v1/bank-accounts/{bank_account}/"),
    ("post", "/api/v1/bank-accounts/{bank_account}/set-default/"),
    ("get", "/api/v1/withdrawals/{withdrawal}/"),
    ("post", "/api/v1/withdrawals/{withdrawal}/cancel/"),
]

VALID_BODIES = {
    "/api/v1/variants/{variant}/": {"price": "1000"},
    "/api/v1/variants/{variant}/stock/": {"on_hand": 3},
    "/api/v1/tickets/{ticket}/reply/": {"message": "Halo"},
}

LISTS = [
    ("/api/v1/products/", "product"),
    ("/api/v1/variants/", "variant"),
    ("/api/v1/orders/", "order"),
    ("/api/v1/pickups/", "pickup"),
    ("/api/v1/tickets/", "ticket"),
    ("/api/v1/bank-accounts/", "bank_account"),
    ("/api/v1/withdrawals/", "withdrawal"),
]


@pytest.mark.parametrize(("method", "route"), DETAIL_ROUTES)
def test_other_sellers_records_are_404_on_every_detail_route(world_a, world_b, method, route):
    ids = {name: obj.pk for name, obj in world_b.objects.items()}
    body = dict(VALID_BODIES.get(route, {}))
    if route.endswith("/stock/"):
        body["warehouse"] = world_b.objects["order"].warehouse_id
    response = getattr(world_a.client, method)(route.format(**ids), body, format="json")
    assert response.status_code == 404, response.content
    assert response.json()["error"]["code"] == "not_found"
    # ... and the owner reaches the same record (the 404 is about ownership, not a broken route).
    own = getattr(world_b.client, method)(route.format(**ids), body, format="json")
    assert own.status_code != 404, own.content


@pytest.mark.parametrize(("url", "name"), LISTS)
def test_lists_show_only_the_callers_records(world_a, world_b, url, name):
    response = world_a.client.get(url)
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert world_a.objects[name].pk in ids
    assert world_b.objects[name].pk not in ids


def test_ledger_and_balance_are_the_callers(world_a, world_b):
    ledger = world_a.client.get("/api/v1/ledger/").json()["results"]
    assert {row["id"] for row in ledger} == set(
        LedgerEntry.objects.filter(seller=world_a.seller).values_list("id", flat=True))
    balance = world_a.client.get("/api/v1/balance/").json()
    assert balance["available"] == "490000.00"  # 500,000 credited, 10,000 held for the withdrawal
    assert balance["held"] == "10000.00"


def test_search_does_not_cross_sellers(world_a, world_b):
    order_b = world_b.objects["order"]
    for q in (order_b.order_no, world_b.objects["shipment"].awb, order_b.customer.phone):
        results = world_a.client.get("/api/v1/orders/", {"q": q}).json()["results"]
        assert order_b.pk not in {row["id"] for row in results}


def test_pickup_with_another_sellers_order_is_400_and_creates_nothing(world_a, world_b):
    from logistics.models import PickupRequest

    before = PickupRequest.objects.count()
    response = world_a.client.post("/api/v1/pickups/", {
        "orders": [world_b.objects["order"].pk], "pickup_date": "2099-01-05", "time_from": "09:00",
        "time_to": "12:00", "contact_name": "Andi", "contact_phone": "081298765432", "address": "Jl. Mawar 1",
    }, format="json")
    assert response.status_code == 400
    assert "orders" in response.json()["error"]["fields"]
    assert PickupRequest.objects.count() == before
