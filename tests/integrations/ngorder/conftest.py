import json
import random
from pathlib import Path

import pytest

from integrations.ngorder.adapter import NgorderAdapter
from integrations.ngorder.client import NgorderClient
from integrations.ngorder.sandbox import sandbox
from integrations.sandbox_kit import FaultPlan, SeedPlan

SAMPLES = Path(__file__).parent / "samples"
TOKEN = "demo-ngorder-token"


def sample(name: str):
    return json.loads((SAMPLES / f"{name}.json").read_text())


def merged_row(rows: list[dict]) -> dict:
    """The documents print list rows where one row has a string and the next a null for the same key
    (payment_date, awb_number, bank_name): the shape of "a row" is the first one with null wherever any
    printed row is null."""
    merged = dict(rows[0])
    for row in rows[1:]:
        for key, value in row.items():
            if value is None:
                merged[key] = None
    return merged


def fault_seed(kind: str, rate: float = 0.5) -> int:
    """A FaultPlan seed whose first request draws a fault and whose second does not (the kit's pick_fault
    draws random() then choice(kinds))."""
    for seed in range(1000):
        rng = random.Random(seed)
        if rng.random() < rate:
            rng.choice([kind])
            if rng.random() >= rate:
                return seed
    raise AssertionError("no seed found")


@pytest.fixture
def ngorder(live_server):
    sandbox.reset(SeedPlan(orders=237, products=12, seed=11))
    sandbox.set_faults(FaultPlan(error_rate=0.0))
    sandbox.page_cap = None
    yield f"{live_server.url}/sandbox/ngorder/api/open"
    sandbox.set_faults(FaultPlan(error_rate=0.0))
    sandbox.page_cap = None


def make_adapter(base_url: str, *, token: str = TOKEN, timeout=(2, 10), **options) -> NgorderAdapter:
    return NgorderAdapter(base_url=base_url, credentials={"token": token}, external_account_id="7",
                          options=options, timeout=timeout)


def make_client(base_url: str, *, token: str = TOKEN, timeout=(2, 10), **kwargs) -> NgorderClient:
    return NgorderClient(base_url=base_url, api_key=token, timeout=timeout, **kwargs)
