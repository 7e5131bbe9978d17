"""Accounts pointed at the sandboxes served by pytest-django's live_server (project URLs)."""

from datetime import timedelta

from django.utils import timezone

from integrations.models import PlatformAccount
from integrations.sandbox_kit import FaultPlan, SeedPlan
from integrations.sandbox_urls import sandbox_for
from tests.factories import SellerFactory

PLATFORMS = ("komship", "ngorder", "scalev", "mitrabunso")
BASE_PATHS = {
    "komship": "/sandbox/komship",
    "ngorder": "/sandbox/ngorder/api/open",
    "scalev": "/sandbox/scalev",
    "mitrabunso": "/sandbox/mitrabunso/public",
}
ID_USER = "3f6d2a0e-5b1c-4e8a-9d7f-2c4b6a8e0f13"
CREDENTIALS = {
    "komship": {"token": "demo-komship-token"},
    "ngorder": {"token": "demo-ngorder-token"},
    "scalev": {"token": "demo-scalev-token", "webhook_secret": "whsec-test"},
    "mitrabunso": {"token": "demo-mitrabunso-token", "id_user": ID_USER},
}
EXTERNAL_IDS = {"komship": "10021", "ngorder": "7", "scalev": "biz-1", "mitrabunso": ID_USER}
OPTIONS = {"scalev": {"store_unique_id": "store-1"}}


def reset_sandbox(platform: str, *, orders: int, products: int = 10, seed: int = 2026, faults=None):
    sandbox = sandbox_for(platform)
    sandbox.reset(SeedPlan(orders=orders, products=products, seed=seed))
    sandbox.set_faults(faults or FaultPlan(error_rate=0.0))
    return sandbox


def sandbox_account(platform: str, live_server_url: str, **fields) -> PlatformAccount:
    fields.setdefault("rate_limit_per_minute", 60000)
    return PlatformAccount.objects.create(
        platform=platform, name=f"test-{platform}", seller=fields.pop("seller", None) or SellerFactory(),
        base_url=f"{live_server_url}{BASE_PATHS[platform]}", credentials=dict(CREDENTIALS[platform]),
        external_account_id=EXTERNAL_IDS[platform], options=dict(OPTIONS.get(platform, {})), **fields,
    )


def whole_history():
    until = timezone.now() + timedelta(minutes=5)
    return until - timedelta(days=120), until
