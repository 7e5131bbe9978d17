from decimal import Decimal

from catalog.models import StockLevel
from orders.models import Order, OrderEvent


def _create_body(world, **overrides):
    return {
        "customer": {"name": "Rina Kusuma", "phone": "0812-3456-7890", "city": "Bandung"},
        "items": [{"sku": world.objects["variant"].sku, "quantity": 2}],
        "payment_method": "cod",
        "shipping_cost": "15000",
        "cod_fee": "3000",
        "warehouse": world.objects["order"].warehouse_id,
        **overrides,
    }


def test_create_order_with_items_reserves_stock(world_a):
    variant = world_a.objects["variant"]
    response = world_a.client.post("/api/v1/orders/", _create_body(world_a), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    order = Order.objects.get(pk=body["id"])
    assert order.seller == world_a.seller
    assert body["grand_total"] == "188000.00"  # 2 × 85,000 + 15,000 + 3,000
    assert body["customer"]["phone"] == "+6281234567890"
    assert [item["sku"] for item in body["items"]] == [variant.sku]
    assert OrderEvent.objects.get(order=order).source == "api"
    assert StockLevel.objects.get(variant=variant).reserved == 2


def test_create_order_bad_input_is_400_with_field_errors_and_creates_nothing(world_a):
    before = Order.objects.count()
    cases = [
        ({"items": []}, "items"),
        ({"items": [{"sku": "X", "quantity": "dua"}]}, "items"),
        ({"payment_method": "barter"}, "payment_method"),
        ({"shipping_cost": "-5"}, "shipping_cost"),
        ({"customer": {"name": "A", "phone": "12"}}, "customer"),
        ({"warehouse": 999999}, "warehouse"),
    ]
    for overrides, field in cases:
        response = world_a.client.post("/api/v1/orders/", _create_body(world_a, **overrides), format="json")
        assert response.status_code == 400, (overrides, response.content)
        assert field in response.json()["error"]["fields"], (overrides, response.json())
    missing = world_a.client.post("/api/v1/orders/", {}, format="json")
    assert missing.status_code == 400
    assert {"customer", "items", "payment_method"} <= set(missing.json()["error"]["fields"])
    assert Order.objects.count() == before


def test_unknown_sku_without_price_is_refused_by_the_service(world_a):
    response = world_a.client.post("/api/v1/orders/", _create_body(world_a, items=[{"sku": "NOPE", "quantity": 1}]),
                                   format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "order_invalid"


def test_not_enough_stock_is_409_and_creates_nothing(world_a):
    before = Order.objects.count()
    body = _create_body(world_a, items=[{"sku": world_a.objects["variant"].sku, "quantity": 500}])
    response = world_a.client.post("/api/v1/orders/", body, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "stock_adjustment_refused"
    assert Order.objects.count() == before


def test_order_detail_has_items_shipment_and_tracking(world_a):
    order = world_a.objects["order"]
    body = world_a.client.get(f"/api/v1/orders/{order.pk}/").json()
    assert body["order_no"] == order.order_no
    assert len(body["items"]) == 1
    shipment = body["shipments"][0]
    assert shipment["awb"] == world_a.objects["shipment"].awb
    assert shipment["tracking"][0]["description"]


def test_cancel_order(world_a):
    created = world_a.client.post("/api/v1/orders/", _create_body(world_a), format="json").json()
    response = world_a.client.post(f"/api/v1/orders/{created['id']}/cancel/", {"note": "salah alamat"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "canceled"
    assert StockLevel.objects.get(variant=world_a.objects["variant"]).reserved == 0


def test_cancel_shipped_order_is_409(world_a):
    order = world_a.objects["order"]
    Order.objects.filter(pk=order.pk).update(status="shipped")
    response = world_a.client.post(f"/api/v1/orders/{order.pk}/cancel/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "transition_not_allowed"
    order.refresh_from_db()
    assert order.status == "shipped"


def test_order_list_filters(world_a):
    order = world_a.objects["order"]
    other = world_a.client.post("/api/v1/orders/", _create_body(world_a, payment_method="bank_transfer"),
                                format="json").json()
    Order.objects.filter(pk=other["id"]).update(status="processing")

    def ids(**params):
        response = world_a.client.get("/api/v1/orders/", params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {order.pk, other["id"]}
    assert ids(status="processing") == {other["id"]}
    assert ids(status=["processing", "new"]) == {order.pk, other["id"]}
    assert ids(cod="true") == {order.pk}
    assert ids(cod="false") == {other["id"]}
    assert ids(q=order.order_no) == {order.pk}
    assert ids(q=world_a.objects["shipment"].awb) == {order.pk}
    assert ids(q="0857-1234-5678") == {order.pk}  # the factory customer's phone, typed the local way
    assert ids(platform="komship") == set()
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    assert ids(created_from=today, created_to=today) == {order.pk, other["id"]}
    assert ids(created_to="2000-01-01") == set()


def test_order_list_bad_filter_is_400(world_a):
    response = world_a.client.get("/api/v1/orders/", {"status": "lost", "created_from": "kemarin"})
    assert response.status_code == 400
    assert {"status", "created_from"} <= set(response.json()["error"]["fields"])


def test_order_list_cursor_pages_through_everything_once(world_a):
    from tests.factories import OrderFactory

    extra = {OrderFactory(seller=world_a.seller).pk for _ in range(5)} | {world_a.objects["order"].pk}
    seen, url = [], "/api/v1/orders/?page_size=2"
    while url:
        body = world_a.client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert seen == sorted(extra, reverse=True)
    assert body["previous"]
    assert Decimal(world_a.client.get("/api/v1/orders/").json()["results"][0]["grand_total"]) > 0
