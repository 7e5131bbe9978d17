"""Local orders ready to be pushed to a sandbox: the account's products pulled (so items carry the
platform's product and variant ids), a customer in a place every sandbox knows."""

import time
from decimal import Decimal

from catalog.models import Listing, Variant
from catalog.sync import products_pull
from integrations.registry import adapter_for
from integrations.sandbox_kit import FaultPlan
from orders.services import order_create
from tests.factories import CourierFactory, VariantFactory
from tests.integrations.engine_support import whole_history

# Gubeng, Surabaya: a Komship destination and an Ngorder region alike.
CUSTOMER = {"name": "Siti Rahmawati", "phone": "081234567891", "address": "Jl. Kertajaya No. 7",
            "subdistrict": "Gubeng", "district": "Gubeng", "city": "Kota Surabaya", "province": "Jawa Timur",
            "postal_code": "60281"}

# The client call that carries the create, per platform (where a lost answer is simulated).
CREATE_CALLS = {"komship": "store_order", "ngorder": "create_order", "scalev": "create_order",
                "mitrabunso": "create_order"}
BATCH_CALLS = {"komship": "store_order_mass", "mitrabunso": "batch_create"}


def listed_variant(account) -> Variant:
    """A variant of the seller that the account's platform knows (its listing has the platform's ids)."""
    if account.platform == "mitrabunso":  # no product API: items go by name and price
        known = Variant.objects.filter(seller=account.seller, sku="KAOS-HTM-M").first()
        return known or VariantFactory(product__seller=account.seller, sku="KAOS-HTM-M", price=Decimal("85000"))
    products_pull(account=account, adapter=adapter_for(account, rate_limited=False))
    listing = (Listing.objects.filter(account=account, variant__isnull=False).exclude(external_variant_id="")
               .select_related("variant").order_by("id").first())
    assert listing is not None, f"{account.platform}: the sandbox's products gave no variant listing"
    return listing.variant


def local_order(account, variant, *, quantity: int = 2, payment_method: str = "cod", **fields):
    return order_create(
        seller=account.seller, customer=dict(CUSTOMER), items=[{"sku": variant.sku, "quantity": quantity}],
        payment_method=payment_method, shipping_cost=Decimal("18000"),
        cod_fee=Decimal("5000") if payment_method == "cod" else Decimal("0"),
        courier=CourierFactory(code="jne", name="JNE"), courier_service="REG", **fields,
    )


def platform_order_ids(account) -> list[str]:
    """Every order the sandbox lists for the account, read fault-free through the adapter's paging."""
    since, until = whole_history()
    ids: list[str] = []
    for page in adapter_for(account, rate_limited=False).iter_order_pages(since=since, until=until):
        ids.extend(o.external_id for o in page.orders)
    return ids


def lose_answers(adapter, sandbox, method: str, *, slow_seconds: float = 1.0) -> None:
    """Make `adapter.client.<method>` a call whose answer is lost: the sandbox holds the reply past the
    client's read timeout (a real "slow" fault), yet still does the work once the delay is over. Faults
    are on for that one request only."""
    original = getattr(adapter.client, method)

    def call(*args, **kwargs):
        sandbox.set_faults(FaultPlan(error_rate=1.0, kinds=("slow",), slow_seconds=slow_seconds))
        try:
            return original(*args, **kwargs)
        finally:
            sandbox.set_faults(FaultPlan(error_rate=0.0))

    setattr(adapter.client, method, call)


def wait_for(predicate, *, timeout: float = 5.0, step: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()
