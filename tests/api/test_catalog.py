from decimal import Decimal

from catalog.models import StockLevel, StockMovement, Variant
from tests.factories import VariantFactory, WarehouseFactory


def test_product_list_search_and_detail(world_a):
    product, variant = world_a.objects["product"], world_a.objects["variant"]
    VariantFactory(product=product, sku="KAOS-HITAM-XL")
    rows = world_a.client.get("/api/v1/products/").json()["results"]
    assert [row["id"] for row in rows] == [product.pk]
    assert {v["sku"] for v in rows[0]["variants"]} == {variant.sku, "KAOS-HITAM-XL"}
    assert world_a.client.get("/api/v1/products/", {"q": "KAOS-HITAM-XL"}).json()["results"][0]["id"] == product.pk
    assert world_a.client.get("/api/v1/products/", {"q": product.name[:6]}).json()["results"]
    assert world_a.client.get("/api/v1/products/", {"q": "tidak ada"}).json()["results"] == []
    detail = world_a.client.get(f"/api/v1/products/{product.pk}/").json()
    stock = {v["sku"]: v["stock"] for v in detail["variants"]}
    assert stock[variant.sku][0]["available"] == 10


def test_variant_list_search(world_a):
    variant = world_a.objects["variant"]
    rows = world_a.client.get("/api/v1/variants/", {"sku": variant.sku}).json()["results"]
    assert [row["id"] for row in rows] == [variant.pk]
    assert rows[0]["stock"][0]["on_hand"] == 10


def test_update_price(world_a):
    variant = world_a.objects["variant"]
    response = world_a.client.patch(f"/api/v1/variants/{variant.pk}/", {"price": "99500"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["price"] == "99500.00"
    assert Variant.objects.get(pk=variant.pk).price == Decimal("99500")


def test_bad_price_is_400_and_changes_nothing(world_a):
    variant = world_a.objects["variant"]
    for price in ("-1", "murah", None, "1" * 20):
        response = world_a.client.patch(f"/api/v1/variants/{variant.pk}/", {"price": price}, format="json")
        assert response.status_code == 400
        assert "price" in response.json()["error"]["fields"]
    assert Variant.objects.get(pk=variant.pk).price == Decimal("85000")


def test_set_stock_records_a_movement(world_a):
    variant = world_a.objects["variant"]
    warehouse = world_a.objects["order"].warehouse
    response = world_a.client.post(f"/api/v1/variants/{variant.pk}/stock/",
                                   {"warehouse": warehouse.pk, "on_hand": 25, "note": "stock opname"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["stock"][0]["on_hand"] == 25
    movement = StockMovement.objects.filter(variant=variant).latest("id")
    assert (movement.on_hand_delta, movement.actor_id) == (15, world_a.user.pk)


def test_stock_in_another_sellers_private_warehouse_is_400(world_a, world_b):
    private = WarehouseFactory(kind="private", seller=world_b.seller)
    variant = world_a.objects["variant"]
    response = world_a.client.post(f"/api/v1/variants/{variant.pk}/stock/",
                                   {"warehouse": private.pk, "on_hand": 5}, format="json")
    assert response.status_code == 400
    assert "warehouse" in response.json()["error"]["fields"]
    assert not StockLevel.objects.filter(warehouse=private).exists()


def test_stock_below_reserved_is_409(world_a):
    variant = world_a.objects["variant"]
    level = StockLevel.objects.get(variant=variant)
    StockLevel.objects.filter(pk=level.pk).update(reserved=4)
    response = world_a.client.post(f"/api/v1/variants/{variant.pk}/stock/",
                                   {"warehouse": level.warehouse_id, "on_hand": 2}, format="json")
    assert response.status_code == 409
    assert StockLevel.objects.get(pk=level.pk).on_hand == 10
