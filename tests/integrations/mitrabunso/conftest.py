import json
from pathlib import Path

import pytest

from integrations.mitrabunso.adapter import MitrabunsoAdapter
from integrations.mitrabunso.endpoints import PAGE_SIZE_MAX
from integrations.mitrabunso.sandbox import sandbox as mitrabunso_sandbox
from integrations.sandbox_kit import FaultPlan, SeedPlan

SAMPLES = Path(__file__).parent / "samples"
TOKEN = "demo-mitrabunso-token"
ID_USER = "5f0c2a8e-6b1d-4c3e-9a7f-2d4b6c8e0a11"  # 36 characters, as documented


def sample(name: str):
    return json.loads((SAMPLES / f"{name}.json").read_text())


@pytest.fixture
def sandbox():
    mitrabunso_sandbox.reset(SeedPlan(orders=237, products=40, seed=11))
    mitrabunso_sandbox.set_faults(FaultPlan())
    yield mitrabunso_sandbox
    mitrabunso_sandbox.set_faults(FaultPlan())
    mitrabunso_sandbox.page_size_cap = PAGE_SIZE_MAX


@pytest.fixture
def base_url(live_server, sandbox):
    return f"{live_server.url}/sandbox/mitrabunso/public"


@pytest.fixture
def make_adapter(base_url):
    def make(*, token: str = TOKEN, options: dict | None = None, **kwargs) -> MitrabunsoAdapter:
        kwargs.setdefault("sleep", lambda seconds: None)
        return MitrabunsoAdapter(base_url=base_url, credentials={"token": token}, external_account_id=ID_USER,
                                 options=options or {}, timeout=kwargs.pop("timeout", (2, 5)), **kwargs)

    return make


@pytest.fixture
def adapter(make_adapter):
    return make_adapter()
