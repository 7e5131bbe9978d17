"""Seeding: deterministic, realistic, fast; live mode adds orders."""

import time
from collections import Counter

from integrations.ngorder.sandbox import NgorderSandbox
from integrations.sandbox_kit import SeedPlan


def test_seed_is_deterministic_and_covers_the_vocabulary(monkeypatch):
    # Seeds place their orders back from the clock: both resets see the same second.
    frozen = time.time()
    monkeypatch.setattr(time, "time", lambda: frozen)  # the sandbox reads time.time()
    first, second = NgorderSandbox(), NgorderSandbox()
    first.reset(SeedPlan(orders=2000, products=30, seed=5))
    second.reset(SeedPlan(orders=2000, products=30, seed=5))
    rows = [first.render_list_row(first.orders[i]) for i in list(first.orders)[:50]]
    assert rows == [second.render_list_row(second.orders[i]) for i in list(second.orders)[:50]]
    orders = [first.orders[i] for i in list(first.orders)]
    assert {first._status_word(o) for o in orders} == {"ACCEPTED", "CANCELED", "REJECTED", "EXPIRED"}
    assert {o["progress"] for o in orders} == {"UNPAID", "NO AWB", "ON PROCESS", "DELIVERED"}
    assert {o["payment"] for o in orders} == {"UNPAID", "PAID", "INSTALLMENT"}
    assert Counter(o["cod"] for o in orders)[True] > 300
    assert {o["logistic"] for o in orders} >= {"JNE", "J&T", "SiCepat", "AnterAja"}
    phones = [c["phone"] for c in first.customers.values()]
    assert any(p.startswith("08") for p in phones) and any(p.startswith("62") for p in phones)
    assert any(v["sku"] == "KAOS-HTM-M" or v["sku"].startswith("KAOS-") for v in first.variations.values())
    dates = sorted(o["order_date"] for o in orders)
    assert dates[0] < dates[-1]


def test_a_100k_orders_seed():
    sandbox = NgorderSandbox()
    sandbox.reset(SeedPlan(orders=100_000, products=200, seed=1))
    assert len(sandbox.orders) == 100_000 and len(sandbox.products) == 200


def test_live_tick_adds_new_orders():
    sandbox = NgorderSandbox()
    sandbox.reset(SeedPlan(orders=10, products=5, seed=1, live=True))
    sandbox.tick()
    assert len(sandbox.orders) == 10  # less than 20 s since the seed
    sandbox._last_tick -= 21
    sandbox.tick()
    assert 11 <= len(sandbox.orders) <= 13
    newest = sandbox.orders[sandbox.active.keys[-1][2]]
    assert newest["progress"] == "UNPAID" and newest["cancel_type"] is None
