"""The payload hash of a pulled order must not change with how it is computed: every order we hold carries
one, and a different text would make the next pull rewrite all of them."""

import hashlib
from dataclasses import fields
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from integrations.base import ExternalCustomer, ExternalOrder, ExternalOrderItem
from orders.sync import order_payload_hash

HASHED = tuple(f.name for f in fields(ExternalOrder) if f.name not in ("raw", "items_complete"))


def reference_hash(order: ExternalOrder) -> str:
    """The definition: SHA-256 of repr() of the tuple of the hashed fields."""
    return hashlib.sha256(repr(tuple(getattr(order, name) for name in HASHED)).encode()).hexdigest()


def item(n: int) -> ExternalOrderItem:
    return ExternalOrderItem(sku=f"SKU-{n}", name=f"Kaos 'Hitam' \"{n}\"", quantity=n, unit_price=Decimal("50000.50"),
                             line_total=Decimal(50000 * n), discount=Decimal("0"), weight_grams=200 * n,
                             external_product_id=str(n), external_variant_id=f"v{n}")


@pytest.mark.parametrize("n_items", [0, 1, 2, 5])
@pytest.mark.parametrize("created", [None, datetime(2026, 11, 1, 3, 0, 15, 123456, tzinfo=UTC)])
def test_payload_hash_is_the_repr_of_the_hashed_fields(n_items, created):
    order = ExternalOrder(
        external_id="1000", order_no="INV/2026/11/0001", status="ACCEPTED", payment_status="PAID",
        payment_method="cod",
        customer=ExternalCustomer(name="Siti \\ O'Neil", phone="+6281200000001", address="Jl. Merdeka\nNo. 1"),
        items=tuple(item(n) for n in range(1, n_items + 1)),
        subtotal=Decimal("100000"), shipping_cost=Decimal("12000.00"), grand_total=Decimal("112000"),
        courier_code="JNE", courier_service="REG", notes="tolong cepat 🙏", created_at=created,
        updated_at=created, raw={"ignored": True}, items_complete=bool(n_items),
    )
    assert order_payload_hash(order) == reference_hash(order)


def test_payload_hash_changes_with_a_mirrored_field_and_not_with_raw():
    base = ExternalOrder(external_id="1", order_no="A", status="NEW", payment_method="cod",
                         customer=ExternalCustomer(name="A"), items=(item(1),), subtotal=Decimal("1"),
                         grand_total=Decimal("1"), raw={"a": 1})
    from dataclasses import replace

    assert order_payload_hash(replace(base, raw={"a": 2})) == order_payload_hash(base)
    assert order_payload_hash(replace(base, status="PAID")) != order_payload_hash(base)
    assert order_payload_hash(replace(base, customer=ExternalCustomer(name="B"))) != order_payload_hash(base)
    assert order_payload_hash(replace(base, items=(item(2),))) != order_payload_hash(base)
