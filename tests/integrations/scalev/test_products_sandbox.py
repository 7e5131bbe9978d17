"""Products, variants and stock against the sandbox over real HTTP (requests validated against the spec)."""

from decimal import Decimal

import pytest

from integrations.base import ProductPayload, StockUpdate, VariantPayload
from integrations.exceptions import ProviderRejected
from integrations.scalev.endpoints import METADATA_STOCK_KEY

pytestmark = pytest.mark.urls("tests.integrations.scalev.urls")


def _kaos(external_id: str = "", variants=None) -> ProductPayload:
    return ProductPayload(
        name="Kaos Oversize Hitam",
        description="Katun combed 24s",
        external_id=external_id,
        variants=variants or (
            VariantPayload(sku="KAOS-OVS-M", name="M", price=Decimal("89000"), stock=10, weight_grams=220,
                           options=(("Ukuran", "M"),)),
            VariantPayload(sku="KAOS-OVS-L", name="L", price=Decimal("89000"), stock=5, weight_grams=230,
                           options=(("Ukuran", "L"),)),
        ),
    )


def test_product_pages_return_each_product_once_with_skus_and_prices(make_adapter, scalev_sandbox):
    adapter = make_adapter(options={"page_size": 10})
    pages = list(adapter.iter_product_pages())
    products = [p for page in pages for p in page.products]
    assert len(pages) == 3
    assert len({p.external_id for p in products}) == len(products) == 30
    assert {p.external_id for p in products} == {str(i) for i in scalev_sandbox.products}
    variants = [v for p in products for v in p.variants]
    assert all(v.sku and v.price > 0 and v.external_id.startswith("variant_") for v in variants)
    assert all(v.stock is not None for v in variants)
    assert any(v.options for v in variants)


def test_create_update_and_delete_a_product(adapter, scalev_sandbox):
    created = adapter.create_product(_kaos())
    assert created.name == "Kaos Oversize Hitam"
    assert [v.sku for v in created.variants] == ["KAOS-OVS-M", "KAOS-OVS-L"]
    assert created.variants[0].options == (("Ukuran", "M"),)
    assert created.variants[0].price == Decimal("89000")
    medium, large = created.variants

    updated = adapter.update_product(_kaos(created.external_id, variants=(
        VariantPayload(sku="KAOS-OVS-M", name="M", price=Decimal("95000"), stock=10, weight_grams=220,
                       options=(("Ukuran", "M"),), external_id=medium.external_id),
        VariantPayload(sku="KAOS-OVS-XL", name="XL", price=Decimal("99000"), stock=3, weight_grams=250,
                       options=(("Ukuran", "XL"),)),
    )))
    by_sku = {v.sku: v for v in updated.variants}
    assert set(by_sku) == {"KAOS-OVS-M", "KAOS-OVS-XL"}
    assert by_sku["KAOS-OVS-M"].price == Decimal("95000")
    assert by_sku["KAOS-OVS-M"].external_id == medium.external_id
    assert large.external_id not in scalev_sandbox.variants

    adapter.delete_product(created.external_id)
    assert int(created.external_id) not in scalev_sandbox.products
    adapter.delete_product(created.external_id)  # already gone: a retried delete is not an error


def test_push_stock_through_the_variant_update(adapter, scalev_sandbox):
    product = next(iter(scalev_sandbox.products.values()))
    first, *rest = product["variants"]
    first["metadata"]["colour_code"] = "BLK"  # merchant metadata must survive the push
    updates = (StockUpdate(external_product_id=str(product["id"]), external_variant_id=first["unique_id"],
                           sku=first["sku"], quantity=7),)
    if rest:
        updates += (StockUpdate(external_product_id=str(product["id"]), external_variant_id=rest[0]["unique_id"],
                                sku=rest[0]["sku"], quantity=0),)
    adapter.push_stock(updates)
    assert first["metadata"] == {METADATA_STOCK_KEY: 7, "colour_code": "BLK"}
    assert first["is_checked"] is True
    if rest:
        assert rest[0]["metadata"][METADATA_STOCK_KEY] == 0 and rest[0]["is_checked"] is False
    pulled = {v.external_id: v for p in adapter.iter_product_pages() for prod in p.products for v in prod.variants}
    assert pulled[first["unique_id"]].stock == 7


def test_stock_update_without_variant_id_is_refused(adapter, scalev_sandbox):
    with pytest.raises(ProviderRejected):
        adapter.push_stock((StockUpdate(external_product_id="1", external_variant_id="", sku="X", quantity=1),))
    assert scalev_sandbox.stats["requests"] == 0
