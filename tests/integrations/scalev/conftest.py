import json
from pathlib import Path

import pytest
import requests

from integrations.sandbox_kit import FaultPlan, SeedPlan
from integrations.scalev.adapter import ScalevAdapter
from integrations.scalev.sandbox import sandbox as scalev_sandbox_instance
from tests.integrations.scalev import openapi_check

SAMPLES = Path(__file__).with_name("samples")
MOUNT = "/sandbox/scalev"
TOKEN = "demo-scalev-token"


def sample(name: str):
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


class RecordingSession(requests.Session):
    """A requests session that keeps every request the client sends, for validation against the spec."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request, **kwargs):
        self.sent.append(request)
        return super().send(request, **kwargs)


@pytest.fixture
def scalev_sandbox():
    scalev_sandbox_instance.set_faults(FaultPlan(error_rate=0))
    scalev_sandbox_instance.server_page_cap = None
    scalev_sandbox_instance.reset(SeedPlan(orders=237, products=30, seed=4242))
    yield scalev_sandbox_instance
    scalev_sandbox_instance.set_faults(FaultPlan(error_rate=0))
    scalev_sandbox_instance.server_page_cap = None


@pytest.fixture
def sent_requests():
    """Every request sent through `make_adapter` adapters; each is validated against openapi.json."""
    sessions: list[RecordingSession] = []
    yield sessions
    for session in sessions:
        for prepared in session.sent:
            body = json.loads(prepared.body) if prepared.body else None
            openapi_check.validate_request(prepared.method, prepared.url, base_path=MOUNT, body=body)


@pytest.fixture
def make_adapter(live_server, scalev_sandbox, sent_requests, settings):
    settings.INTEGRATIONS_HTTP_BACKOFF_BASE = 0.01
    settings.INTEGRATIONS_HTTP_BACKOFF_CAP = 2.0

    def build(*, token: str = TOKEN, options: dict | None = None, timeout=(2, 5)) -> ScalevAdapter:
        adapter = ScalevAdapter(
            base_url=f"{live_server.url}{MOUNT}", credentials={"token": token}, external_account_id="biz-1",
            options={"store_unique_id": "store_DemoBerkahJaya01", **(options or {})}, timeout=timeout,
        )
        session = RecordingSession()
        adapter.client.session = session
        sent_requests.append(session)
        return adapter

    return build


@pytest.fixture
def adapter(make_adapter):
    return make_adapter()
