import json
from pathlib import Path

import pytest

from integrations.komship.adapter import KomshipAdapter
from integrations.komship.client import KomshipClient
from integrations.komship.endpoints import PAGE_SIZE_MAX, PRODUCT_PAGE_SIZE_MAX
from integrations.komship.sandbox import sandbox as komship_sandbox
from integrations.sandbox_kit import FaultPlan, SeedPlan

SAMPLES = Path(__file__).parent / "samples"
DEMO_TOKEN = "demo-komship-token"


def sample(name: str):
    return json.loads((SAMPLES / name).read_text())


@pytest.fixture
def sandbox():
    """A freshly seeded Komship sandbox (237 orders, 30 products), no faults, default knobs."""
    komship_sandbox.set_faults(FaultPlan())
    komship_sandbox.page_cap = PAGE_SIZE_MAX
    komship_sandbox.product_page_cap = PRODUCT_PAGE_SIZE_MAX
    komship_sandbox.token_ttl = 365 * 24 * 3600
    komship_sandbox.reset(SeedPlan(orders=237, products=30, seed=11))
    yield komship_sandbox
    komship_sandbox.set_faults(FaultPlan())
    komship_sandbox.page_cap = PAGE_SIZE_MAX
    komship_sandbox.token_ttl = 365 * 24 * 3600


@pytest.fixture
def base_url(live_server, sandbox):
    return f"{live_server.url}/sandbox/komship"


@pytest.fixture
def make_adapter(base_url):
    def make(credentials=None, external_account_id="10021", options=None, **kwargs):
        kwargs.setdefault("timeout", (2, 5))
        return KomshipAdapter(base_url=base_url, credentials=credentials or {"token": DEMO_TOKEN},
                              external_account_id=external_account_id, options=options or {}, **kwargs)

    return make


@pytest.fixture
def adapter(make_adapter):
    return make_adapter()


@pytest.fixture
def client(base_url):
    return KomshipClient(base_url=base_url, token=DEMO_TOKEN, timeout=(2, 5), sleep=lambda s: None)
