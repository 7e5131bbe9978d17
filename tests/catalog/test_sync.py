"""Products and stock on Komship, Ngorder and Scalev, against their sandboxes over real HTTP: pulls are
idempotent, pushes create / update / delete once, a create whose answer was lost is not made twice, stock
pushes send only what changed."""

import time
from decimal import Decimal

import pytest
from django.test import override_settings

from catalog.models import Listing, Product, StockLevel, StockMovement, Variant
from catalog.sync import products_push, stock_push
from integrations.models import SyncRun
from integrations.registry import adapter_for
from integrations.sandbox_kit import FaultPlan
from integrations.syncing import sync_run_execute
from tests.factories import ProductFactory, SellerFactory, StockLevelFactory, VariantFactory, WarehouseFactory
from tests.integrations.engine_support import reset_sandbox, sandbox_account

pytestmark = pytest.mark.django_db(transaction=True)

PRODUCT_PLATFORMS = ("komship", "ngorder", "scalev")
SIZES = ("M", "L", "XL")


# ----------------------------------------------------------------------------------------------- helpers


def seller_with_warehouse():
    seller = SellerFactory()
    warehouse = WarehouseFactory(kind="private", seller=seller)
    return seller, warehouse


def local_product(seller, warehouse, *, stem: str = "UJISYNC", quantities=(10, 20, 30)) -> Product:
    """A product of ours with one variant per size, each with stock in `warehouse`."""
    product = ProductFactory(seller=seller, category=None, name=f"Kaos Uji {stem}", description="Katun 30s")
    for size, quantity in zip(SIZES, quantities, strict=False):
        variant = VariantFactory(product=product, sku=f"{stem}-HTM-{size}", name=f"Hitam, {size}",
                                 option_values={"Warna": "Hitam", "Ukuran": size}, price=Decimal("85000"),
                                 weight_grams=250)
        StockLevelFactory(variant=variant, warehouse=warehouse, on_hand=quantity)
    return product


def platform_products(account) -> dict:
    """external id → ExternalProduct, read fault-free through the adapter's own paging."""
    return {p.external_id: p for page in adapter_for(account, rate_limited=False).iter_product_pages()
            for p in page.products}


def products_with_sku(account, sku: str) -> list:
    return [p for p in platform_products(account).values() if sku in {v.sku for v in p.variants}]


def product_listing(account, product) -> Listing:
    return Listing.objects.get(account=account, product=product, variant__isnull=True)


def catalog_snapshot(seller):
    return (
        sorted(Product.objects.filter(seller=seller).values_list("id", "name", "description", "status")),
        sorted(Variant.objects.filter(seller=seller).values_list("id", "sku", "name", "price", "weight_grams",
                                                                   "option_values", "updated_at")),
        sorted(Listing.objects.filter(product__seller=seller).values_list(
            "id", "external_id", "external_variant_id", "last_pulled_hash", "last_pushed_hash", "sync_state",
            "updated_at")),
        sorted(StockLevel.objects.filter(variant__seller=seller).values_list("id", "on_hand", "reserved")),
        StockMovement.objects.filter(variant__seller=seller).count(),
    )


def spy_push_stock(adapter) -> list:
    sent: list = []
    original = adapter.push_stock

    def push_stock(updates):
        sent.extend(updates)
        return original(updates)

    adapter.push_stock = push_stock
    return sent


def lose_create_answer(monkeypatch, account, sandbox, *, slow_seconds: float = 1.0) -> None:
    """The platform client's create_product call gets a real "slow" fault: the sandbox holds its reply
    past the client's read timeout, then stores the product anyway. Faults are on for that request only."""
    client_class = type(adapter_for(account, rate_limited=False).client)
    original = client_class.create_product

    def create_product(self, *args, **kwargs):
        sandbox.set_faults(FaultPlan(error_rate=1.0, kinds=("slow",), slow_seconds=slow_seconds))
        try:
            return original(self, *args, **kwargs)
        finally:
            sandbox.set_faults(FaultPlan(error_rate=0.0))

    monkeypatch.setattr(client_class, "create_product", create_product)


def wait_for(predicate, *, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return predicate()


# ---------------------------------------------------------------------------------------------- pull


@pytest.mark.parametrize("platform", PRODUCT_PLATFORMS)
def test_products_pull_mirrors_products_variants_and_listings_and_a_second_pull_changes_nothing(
        platform, live_server):
    reset_sandbox(platform, orders=5, products=8)
    seller, warehouse = seller_with_warehouse()
    account = sandbox_account(platform, live_server.url, seller=seller)
    remote = platform_products(account)

    first = sync_run_execute(account=account, kind=SyncRun.Kind.PRODUCTS_PULL)

    assert first.status == SyncRun.Status.SUCCEEDED, first.error
    assert first.created == len(remote) == 8 and first.failed == 0
    remote_skus = {v.sku for p in remote.values() for v in p.variants}
    assert set(Variant.objects.filter(seller=seller).values_list("sku", flat=True)) == remote_skus
    assert set(Listing.objects.filter(account=account, variant__isnull=True)
               .values_list("external_id", flat=True)) == set(remote)
    assert Listing.objects.filter(account=account, variant__isnull=False).count() == len(remote_skus)
    listed = dict(Listing.objects.filter(account=account, variant__isnull=False)
                  .values_list("variant__sku", "external_id"))
    assert listed == {v.sku: v.external_id for p in remote.values() for v in p.variants}
    # every pulled variant now has its first stock count, the platform's quantity
    stock = dict(StockLevel.objects.filter(variant__seller=seller, warehouse=warehouse)
                 .values_list("variant__sku", "on_hand"))
    assert stock == {v.sku: v.stock for p in remote.values() for v in p.variants}
    before = catalog_snapshot(seller)

    second = sync_run_execute(account=account, kind=SyncRun.Kind.PRODUCTS_PULL)

    assert second.status == SyncRun.Status.SUCCEEDED, second.error
    assert (second.created, second.updated, second.failed) == (0, 0, 0)
    assert second.unchanged == 8
    assert catalog_snapshot(seller) == before


@pytest.mark.parametrize("platform", PRODUCT_PLATFORMS)
def test_a_push_right_after_a_pull_sends_nothing(platform, live_server):
    sandbox = reset_sandbox(platform, orders=5, products=6)
    seller, _warehouse = seller_with_warehouse()
    account = sandbox_account(platform, live_server.url, seller=seller)
    sync_run_execute(account=account, kind=SyncRun.Kind.PRODUCTS_PULL)
    sandbox.stats.clear()

    push = sync_run_execute(account=account, kind=SyncRun.Kind.PRODUCTS_PUSH)
    stock = sync_run_execute(account=account, kind=SyncRun.Kind.STOCK_PUSH)

    assert push.status == stock.status == SyncRun.Status.SUCCEEDED, (push.error, stock.error)
    assert (push.created, push.updated, push.unchanged) == (0, 0, 6)
    assert stock.updated == 0
    assert sandbox.stats["requests"] == 0


def test_a_platform_product_without_skus_is_counted_failed_and_not_created(live_server):
    sandbox = reset_sandbox("ngorder", orders=5, products=2)
    for variation in sandbox.variations.values():
        variation["sku"] = ""
    seller, _warehouse = seller_with_warehouse()
    account = sandbox_account("ngorder", live_server.url, seller=seller)

    run = sync_run_execute(account=account, kind=SyncRun.Kind.PRODUCTS_PULL)

    assert run.failed == 2 and run.created == 0
    assert not Product.objects.filter(seller=seller).exists()


# ---------------------------------------------------------------------------------------------- push


@pytest.mark.parametrize("platform", PRODUCT_PLATFORMS)
def test_push_creates_then_updates_then_deletes_an_archived_product_on_the_platform(platform, live_server):
    sandbox = reset_sandbox(platform, orders=5, products=3)
    seller, warehouse = seller_with_warehouse()
    account = sandbox_account(platform, live_server.url, seller=seller)
    product = local_product(seller, warehouse)

    created = sync_run_execute(account=account, kind=SyncRun.Kind.PRODUCTS_PUSH)

    assert created.status == SyncRun.Status.SUCCEEDED, created.error
    assert created.created == 1
    listing = product_listing(account, product)
    assert listing.sync_state == Listing.SyncState.SYNCED and listing.external_id
    remote = platform_products(account)[listing.external_id]
    assert remote.name == product.name
    assert {v.sku: v.price for v in remote.variants} == {f"UJISYNC-HTM-{s}": Decimal("85000") for s in SIZES}
    variant_ids = dict(Listing.objects.filter(account=account, variant__isnull=False)
                       .values_list("variant__sku", "external_variant_id"))
    assert variant_ids == {v.sku: v.external_id for v in remote.variants}

    sandbox.stats.clear()
    again = sync_run_execute(account=account, kind=SyncRun.Kind.PRODUCTS_PUSH)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert sandbox.stats["requests"] == 0, "an unchanged product makes no call"

    product.name = "Kaos Uji Sinkron Edisi Baru"
    product.save()
    Variant.objects.filter(sku="UJISYNC-HTM-L").update(price=Decimal("99000"))
    updated = sync_run_execute(account=account, kind=SyncRun.Kind.PRODUCTS_PUSH)

    assert updated.status == SyncRun.Status.SUCCEEDED, updated.error
    assert (updated.created, updated.updated) == (0, 1)
    remote = platform_products(account)[listing.external_id]
    assert remote.name == "Kaos Uji Sinkron Edisi Baru"
    assert {v.sku: v.price for v in remote.variants}["UJISYNC-HTM-L"] == Decimal("99000")
    assert dict(Listing.objects.filter(account=account, variant__isnull=False)
                .values_list("variant__sku", "external_variant_id")) == variant_ids, "variants kept their ids"

    product.status = Product.Status.ARCHIVED
    product.save()
    deleted = sync_run_execute(account=account, kind=SyncRun.Kind.PRODUCTS_PUSH)

    assert deleted.status == SyncRun.Status.SUCCEEDED, deleted.error
    assert listing.external_id not in platform_products(account)
    listing.refresh_from_db()
    assert listing.sync_state == Listing.SyncState.DISABLED and listing.external_id == ""
    sandbox.stats.clear()
    assert sync_run_execute(account=account, kind=SyncRun.Kind.PRODUCTS_PUSH).unchanged == 1
    assert sandbox.stats["requests"] == 0


@pytest.mark.parametrize("platform", PRODUCT_PLATFORMS)
def test_a_create_whose_answer_was_lost_is_found_by_sku_and_not_created_twice(platform, live_server,
                                                                                monkeypatch):
    sandbox = reset_sandbox(platform, orders=5, products=3)
    seller, warehouse = seller_with_warehouse()
    account = sandbox_account(platform, live_server.url, seller=seller)
    product = local_product(seller, warehouse)
    lose_create_answer(monkeypatch, account, sandbox)

    with override_settings(INTEGRATIONS_HTTP_TIMEOUT=(2, 0.5)):
        lost = sync_run_execute(account=account, kind=SyncRun.Kind.PRODUCTS_PUSH)

    assert lost.status == SyncRun.Status.FAILED and lost.retryable, lost.error
    assert sandbox.stats["fault_slow"] == 1
    assert wait_for(lambda: products_with_sku(account, "UJISYNC-HTM-M")), "the platform stored it anyway"
    monkeypatch.undo()

    retried = sync_run_execute(account=account, kind=SyncRun.Kind.PRODUCTS_PUSH)

    assert retried.status == SyncRun.Status.SUCCEEDED, retried.error
    found = products_with_sku(account, "UJISYNC-HTM-M")
    assert len(found) == 1, "created once"
    listing = product_listing(account, product)
    assert listing.external_id == found[0].external_id and listing.sync_state == Listing.SyncState.SYNCED
    assert Listing.objects.filter(account=account, variant__isnull=False).count() == 3
    assert sync_run_execute(account=account, kind=SyncRun.Kind.PRODUCTS_PUSH).unchanged == 1


@pytest.mark.parametrize("platform", ["komship", "ngorder"])
def test_a_sku_the_platform_already_uses_is_refused_with_a_message(platform, live_server):
    reset_sandbox(platform, orders=5, products=3)
    seller, _warehouse = seller_with_warehouse()
    account = sandbox_account(platform, live_server.url, seller=seller)
    taken = next(v.sku for p in platform_products(account).values() for v in p.variants if v.sku)
    product = ProductFactory(seller=seller, category=None, name="Produk Bentrok")
    VariantFactory(product=product, sku=taken, option_values={})
    before = len(platform_products(account))

    run = sync_run_execute(account=account, kind=SyncRun.Kind.PRODUCTS_PUSH)

    assert run.failed == 1 and run.created == 0
    listing = product_listing(account, product)
    assert listing.sync_state == Listing.SyncState.FAILED
    assert f"SKU {taken} is already used by another product" in listing.last_error
    assert len(platform_products(account)) == before


# --------------------------------------------------------------------------------------------- stock


@pytest.mark.parametrize("platform", PRODUCT_PLATFORMS)
def test_stock_push_sends_only_changed_quantities_and_the_platform_reports_them(platform, live_server):
    reset_sandbox(platform, orders=5, products=3)
    seller, warehouse = seller_with_warehouse()
    account = sandbox_account(platform, live_server.url, seller=seller)
    product = local_product(seller, warehouse, quantities=(10, 20, 30))
    adapter = adapter_for(account, rate_limited=False)
    products_push(account=account, adapter=adapter)
    sent = spy_push_stock(adapter)

    stock_push(account=account, adapter=adapter)  # whatever the create did not already set
    sent.clear()
    second = stock_push(account=account, adapter=adapter)

    assert sent == [] and second.updated == 0 and second.unchanged == 3

    StockLevel.objects.filter(variant__sku="UJISYNC-HTM-L").update(on_hand=7)
    third = stock_push(account=account, adapter=adapter)

    assert third.updated == 1 and third.unchanged == 2
    assert [(u.sku, u.quantity) for u in sent] == [("UJISYNC-HTM-L", 7)]
    remote = platform_products(account)[product_listing(account, product).external_id]
    assert {v.sku: v.stock for v in remote.variants} == {"UJISYNC-HTM-M": 10, "UJISYNC-HTM-L": 7,
                                                          "UJISYNC-HTM-XL": 30}


def test_stock_push_leaves_variants_without_stock_levels_alone(live_server):
    reset_sandbox("komship", orders=5, products=3)
    seller, warehouse = seller_with_warehouse()
    account = sandbox_account("komship", live_server.url, seller=seller)
    local_product(seller, warehouse)
    adapter = adapter_for(account, rate_limited=False)
    products_push(account=account, adapter=adapter)
    StockLevel.objects.filter(variant__sku="UJISYNC-HTM-M").delete()
    StockLevel.objects.filter(variant__sku="UJISYNC-HTM-L").update(on_hand=3)
    sent = spy_push_stock(adapter)

    counts = stock_push(account=account, adapter=adapter)

    assert [u.sku for u in sent] == ["UJISYNC-HTM-L"]
    assert counts.fetched == 2


# --------------------------------------------------------------------------------------------- admin


@pytest.fixture
def broker_calls(monkeypatch):
    from integrations.tasks import sync_account_task

    calls = []
    monkeypatch.setattr(sync_account_task, "apply_async",
                        lambda args=None, kwargs=None, **options: calls.append((args, options)))
    return calls


def test_push_to_platforms_queues_one_products_push_per_enabled_catalog_account(admin_client_logged_in,
                                                                                  broker_calls):
    from tests.factories import PlatformAccountFactory

    seller, warehouse = seller_with_warehouse()
    product = local_product(seller, warehouse)
    komship = PlatformAccountFactory(platform="komship", seller=seller)
    scalev = PlatformAccountFactory(platform="scalev", seller=seller)
    PlatformAccountFactory(platform="mitrabunso", seller=seller)  # no product API
    PlatformAccountFactory(platform="ngorder", seller=seller, is_enabled=False)
    PlatformAccountFactory(platform="ngorder")  # another seller's

    for _ in range(2):
        response = admin_client_logged_in.post("/admin/catalog/product/", {
            "action": "push_to_platforms", "_selected_action": [product.pk]}, follow=True)
        assert response.status_code == 200

    runs = SyncRun.objects.filter(kind=SyncRun.Kind.PRODUCTS_PUSH, status=SyncRun.Status.QUEUED)
    assert sorted(runs.values_list("account_id", flat=True)) == sorted([komship.pk, scalev.pk])
    assert sorted(options["queue"] for _args, options in broker_calls) == ["komship", "scalev"]
    assert "Already waiting to run" in response.content.decode()


def test_pull_now_queues_products_pulls_and_says_so_when_there_is_no_account(admin_client_logged_in,
                                                                              broker_calls):
    from tests.factories import PlatformAccountFactory

    seller, warehouse = seller_with_warehouse()
    product = local_product(seller, warehouse)
    lonely = ProductFactory(category=None)
    ngorder = PlatformAccountFactory(platform="ngorder", seller=seller)

    response = admin_client_logged_in.post("/admin/catalog/product/", {
        "action": "pull_now", "_selected_action": [product.pk]}, follow=True)
    assert list(SyncRun.objects.values_list("account_id", "kind")) == [(ngorder.pk, SyncRun.Kind.PRODUCTS_PULL)]
    assert "Queued for" in response.content.decode()

    response = admin_client_logged_in.post("/admin/catalog/product/", {
        "action": "pull_now", "_selected_action": [lonely.pk]}, follow=True)
    assert "no enabled account" in response.content.decode()
    assert SyncRun.objects.count() == 1


def test_listing_changelist_shows_sync_state_last_error_and_platform_stock(admin_client_logged_in):
    from tests.factories import PlatformAccountFactory

    seller, warehouse = seller_with_warehouse()
    product = local_product(seller, warehouse)
    account = PlatformAccountFactory(platform="komship", seller=seller)
    Listing.objects.create(account=account, product=product, external_id="501", sync_state="failed",
                           last_error="SKU UJISYNC-HTM-M is already used by another product on Komship")
    variant = product.variants.get(sku="UJISYNC-HTM-M")
    Listing.objects.create(account=account, product=product, variant=variant, external_id="90001",
                           external_variant_id="90001", sync_state="synced", last_pushed_hash="stock:17")

    page = admin_client_logged_in.get("/admin/catalog/listing/").content.decode()
    assert "is already used by another product" in page and ">17<" in page

    failed = admin_client_logged_in.get("/admin/catalog/listing/?has_error=yes&level=product")
    assert failed.status_code == 200
    assert list(failed.context["cl"].result_list) == [Listing.objects.get(external_id="501")]
    for query in ("sync_state=synced", "account__platform__exact=komship", "level=variant", "has_error=no"):
        assert admin_client_logged_in.get(f"/admin/catalog/listing/?{query}").status_code == 200
    products = admin_client_logged_in.get("/admin/catalog/product/").content.decode()
    assert f"{account.name}: Failed" in products
