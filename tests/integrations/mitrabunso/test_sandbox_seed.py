"""The sandbox's seed: deterministic, realistic, every status, and the live demo ticks (no HTTP here)."""

from collections import Counter

from integrations.mitrabunso import mappers
from integrations.mitrabunso.endpoints import ORDER_STATUSES
from integrations.mitrabunso.sandbox import MitrabunsoSandbox
from integrations.sandbox_kit import SeedPlan


def _seeded(orders=2000, seed=5, live=False) -> MitrabunsoSandbox:
    box = MitrabunsoSandbox()
    box.reset(SeedPlan(orders=orders, products=60, seed=seed, live=live))
    return box


def test_seed_is_deterministic_and_ordered():
    one, two = _seeded(), _seeded()
    assert [o.id for o in one.orders] == [o.id for o in two.orders]
    assert [one._list_row(o)["order"]["invoice"] for o in one.orders[:50]] == [
        two._list_row(o)["order"]["invoice"] for o in two.orders[:50]]
    assert [o.created for o in one.orders] == sorted(o.created for o in one.orders)
    assert len(one.by_id) == 2000
    assert _seeded(seed=6).orders[0].id != one.orders[0].id


def test_seed_covers_the_vocabulary_cod_and_realistic_data():
    box = _seeded()
    assert set(Counter(o.status for o in box.orders)) == set(ORDER_STATUSES)
    span_days = (box.orders[-1].created - box.orders[0].created) / 86400
    assert 85 < span_days <= 90
    orders = [mappers.order_from_document(box._list_row(o)) for o in box.orders]
    assert {o.payment_method for o in orders} == {"cod", "e_payment"}
    assert {"jne", "jnt", "sicepat", "anteraja"} <= {o.courier_code for o in orders}
    phones = [o.customer.phone for o in orders]
    assert all(p.startswith("+62") for p in phones)
    raw_phones = {box._list_row(o)["customer"]["phone"][:2] for o in box.orders}
    assert raw_phones == {"62", "08"}
    assert all(o.grand_total == o.subtotal + o.shipping_cost for o in orders)
    sent = [o for o in box.orders if o.status == "SENT"]
    assert all(o.processed and o.sent and o.created < o.processed < o.sent for o in sent)
    assert all(o.processed is None for o in box.orders if o.status in ("NEW", "DRAFT"))


def test_a_large_seed():
    box = _seeded(orders=20000)
    assert len(box.orders) == 20000


def test_live_tick_adds_new_orders_every_20_seconds():
    box = _seeded(orders=10, live=True)
    box.tick()
    assert len(box.orders) == 10  # too soon
    box._last_live -= 21
    box.tick()
    added = box.orders[10:]
    assert 1 <= len(added) <= 3 and {o.status for o in added} == {"NEW"}
    assert added[-1].created >= box.orders[9].created
