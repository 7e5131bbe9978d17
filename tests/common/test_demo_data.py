"""`manage.py load_demo_data`: refused outside the local demo, idempotent, and the data it builds keeps
every rule of the domain (amounts add up, stock is explained by movements, the ledger equals the balances,
every state is present)."""

import io
from collections import defaultdict
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Sum
from django.test import override_settings

from catalog.models import Product, StockLevel, StockMovement, Variant, Warehouse
from common.demo import DEMO_SELLER_CODES, build_users, demo_password
from finance.models import BankAccount, LedgerEntry, SellerBalance, Withdrawal
from integrations.models import PlatformAccount, SyncRun
from logistics.models import Claim, PickupRequest, Return, Shipment, Ticket, TicketMessage, TrackingEvent
from orders.models import Order, OrderEvent, OrderItem
from sellers.models import Seller, SellerUser, StaffAssignment

User = get_user_model()
PROJECT_APPS = ("sellers", "catalog", "orders", "logistics", "finance", "integrations")


def load_demo() -> str:
    out = io.StringIO()
    with override_settings(DEMO_ENABLED=True):
        call_command("load_demo_data", stdout=out)
    return out.getvalue()


def model_counts() -> dict[str, int]:
    models = [m for m in apps.get_models() if m._meta.app_label in (*PROJECT_APPS, "auth")]
    return {m._meta.label: m._default_manager.count() for m in models}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for the read-only tests of this module and rolled back afterwards."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield load_demo()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.mark.django_db
def test_load_demo_data_is_refused_unless_the_demo_is_enabled():
    # The test settings, like production, leave DEMO_ENABLED off.
    with pytest.raises(CommandError, match="DEMO_ENABLED"):
        call_command("load_demo_data", stdout=io.StringIO())

    assert not User.objects.filter(username__in=["admin", "cs", "seller1"]).exists()
    assert not Seller.objects.filter(code__in=DEMO_SELLER_CODES).exists()


@pytest.mark.django_db
def test_load_demo_data_twice_adds_nothing_the_second_time():
    first_output = load_demo()
    after_first = model_counts()

    second_output = load_demo()

    assert model_counts() == after_first
    assert after_first["orders.Order"] >= 1000
    assert "already there, skipped" in second_output
    assert "admin" in first_output and "seller1" in second_output


@pytest.mark.django_db
def test_demo_password_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "rahasia-demo-2026")
    from common.demo import DemoContext

    build_users(DemoContext(now=None))

    assert demo_password() == "rahasia-demo-2026"
    assert User.objects.get(username="finance").check_password("rahasia-demo-2026")


@pytest.mark.django_db
def test_demo_users_have_their_roles_sellers_and_the_demo_password(demo):
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["admin", "cs", "warehouse", "finance", "approver", "seller1"]
        )
    }
    assert users["admin"].is_superuser and users["admin"].check_password("admin")
    for username, group in [
        ("cs", "Customer Service"),
        ("warehouse", "Warehouse"),
        ("finance", "Finance"),
        ("approver", "Finance Approver"),
    ]:
        assert users[username].is_staff and not users[username].is_superuser
        assert list(users[username].groups.values_list("name", flat=True)) == [group]
    assert not users["seller1"].is_staff
    assert SellerUser.objects.get(user=users["seller1"]).seller.code == DEMO_SELLER_CODES[0]
    assigned = {
        name: set(StaffAssignment.objects.filter(user=users[name]).values_list("seller__code", flat=True))
        for name in ("cs", "warehouse", "finance", "approver")
    }
    assert 0 < len(assigned["cs"]) < len(DEMO_SELLER_CODES)
    assert 0 < len(assigned["warehouse"]) < len(DEMO_SELLER_CODES)
    assert assigned["finance"] == assigned["approver"] == set(DEMO_SELLER_CODES)
    for line in ("| admin", "| cs", "| seller1"):
        assert line in demo


@pytest.mark.django_db
def test_demo_has_the_promised_volume(demo):
    assert Seller.objects.filter(code__in=DEMO_SELLER_CODES).count() >= 5
    assert Product.objects.count() >= 100
    assert Variant.objects.count() > Product.objects.count()
    assert Warehouse.objects.values("kind").distinct().count() == 2
    assert Order.objects.count() >= 1000
    assert set(Order.objects.values_list("payment_method", flat=True)) == {
        "cod",
        "bank_transfer",
        "e_payment",
    }
    assert TrackingEvent.objects.exists() and BankAccount.objects.exists() and LedgerEntry.objects.exists()
    assert set(PlatformAccount.objects.values_list("name", flat=True)) >= {
        "demo-komship",
        "demo-ngorder",
        "demo-scalev",
        "demo-mitrabunso",
    }
    assert set(SyncRun.objects.values_list("status", flat=True)) >= {"succeeded", "failed"}
    komship = PlatformAccount.objects.get(name="demo-komship")
    assert komship.base_url.startswith("http://127.0.0.1:") and komship.base_url.endswith("/sandbox/komship")
    assert komship.credentials["token"] == "demo-komship-token"


@pytest.mark.django_db
def test_demo_covers_every_state_of_every_state_machine(demo):
    expected = {
        Order: Order.Status.values,
        Shipment: Shipment.Status.values,
        PickupRequest: PickupRequest.Status.values,
        Ticket: Ticket.Status.values,
        Claim: Claim.Status.values,
        Withdrawal: Withdrawal.Status.values,
    }
    for model, statuses in expected.items():
        assert set(model.objects.values_list("status", flat=True)) == set(statuses), model.__name__
    assert set(Order.objects.values_list("payment_status", flat=True)) == set(Order.PaymentStatus.values)


@pytest.mark.django_db
def test_demo_orders_add_up_and_their_payment_fits_their_state(demo):
    assert not Order.objects.exclude(
        grand_total=F("subtotal") - F("discount") + F("shipping_cost") + F("cod_fee")
    ).exists()
    assert not OrderItem.objects.filter(variant__isnull=True).exists()
    assert not OrderItem.objects.exclude(sku=F("variant__sku")).exists()
    assert (
        not Order.objects.filter(payment_method="cod", status__in=["delivered", "completed"])
        .exclude(payment_status="paid")
        .exists()
    )
    assert not Order.objects.filter(status="canceled", payment_status="paid").exists()
    assert not Order.objects.exclude(payment_method="cod").exclude(cod_fee=0).exists()
    # Each order's events end in its current status.
    last_event = {}
    for order_id, to_status in OrderEvent.objects.order_by("order_id", "created_at", "id").values_list(
        "order_id", "to_status"
    ):
        last_event[order_id] = to_status
    assert last_event == dict(Order.objects.values_list("id", "status"))


@pytest.mark.django_db
def test_demo_shipments_match_their_orders(demo):
    shipped_states = ["ready_to_ship", "shipped", "delivered", "completed", "returning", "returned"]
    assert not Order.objects.filter(status__in=shipped_states, shipments__isnull=True).exists()
    assert not Shipment.objects.filter(order__status__in=shipped_states, awb="").exists()
    duplicates = (
        Shipment.objects.exclude(awb="").values("courier", "awb").annotate(n=Count("id")).filter(n__gt=1)
    )
    assert not duplicates.exists()
    assert (
        not Shipment.objects.filter(order__status__in=["delivered", "completed"])
        .exclude(status="delivered")
        .exists()
    )
    assert not Shipment.objects.filter(
        status__in=["in_transit", "delivered", "returned"], tracking_events__isnull=True
    ).exists()
    assert set(Return.objects.values_list("order__status", flat=True)) == {"returning", "returned"}
    assert PickupRequest.orders.through.objects.exists()
    assert TicketMessage.objects.values("ticket").annotate(n=Count("id")).filter(n__lt=2).count() == 0
    assert TicketMessage.objects.filter(is_from_staff=True).exists()
    assert TicketMessage.objects.filter(is_from_staff=False, author__username="seller1").exists()


@pytest.mark.django_db
def test_demo_stock_levels_equal_the_sum_of_their_movements(demo):
    moved = defaultdict(lambda: [0, 0])
    for variant_id, warehouse_id, on_hand, reserved in StockMovement.objects.values_list(
        "variant_id", "warehouse_id"
    ).annotate(Sum("on_hand_delta"), Sum("reserved_delta")):
        moved[(variant_id, warehouse_id)] = [on_hand, reserved]
    for level in StockLevel.objects.all():
        assert moved[(level.variant_id, level.warehouse_id)] == [level.on_hand, level.reserved]
    assert StockMovement.objects.filter(reason="initial").exists()


@pytest.mark.django_db
def test_demo_ledger_equals_the_balances_and_never_goes_negative(demo):
    for balance in SellerBalance.objects.all():
        entries = list(LedgerEntry.objects.filter(seller_id=balance.seller_id).order_by("id"))
        available = held = Decimal(0)
        for entry in entries:
            available += entry.amount
            held += entry.held_amount
            assert (entry.balance_after, entry.held_after) == (available, held), entry.posting_key
            assert available >= 0 and held >= 0
        assert (balance.available, balance.held) == (available, held)
    for withdrawal in Withdrawal.objects.all():
        keys = set(
            LedgerEntry.objects.filter(posting_key__startswith=f"withdrawal:{withdrawal.pk}:").values_list(
                "posting_key", flat=True
            )
        )
        suffix = {
            "completed": {"hold", "payout"},
            "rejected": {"hold", "release"},
            "canceled": {"hold", "release"},
        }.get(withdrawal.status, {"hold"})
        assert keys == {f"withdrawal:{withdrawal.pk}:{s}" for s in suffix}
        if withdrawal.status == "completed":
            assert withdrawal.paid_by_id and withdrawal.approved_by_id != withdrawal.paid_by_id
    cod_keys = LedgerEntry.objects.filter(entry_type="cod_credit").values_list("posting_key", flat=True)
    assert all(key.startswith("shipment:") and key.endswith(":cod") for key in cod_keys)
    assert not LedgerEntry.objects.filter(entry_type="shipping_fee", amount__gte=0).exists()
