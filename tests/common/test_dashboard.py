"""The admin home page: figures computed right on a small known dataset, scoped to the user's sellers,
with a bounded number of queries, rendered for a superuser."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.utils import timezone

from common.dashboard import dashboard_context
from common.money import format_rupiah
from common.selectors import (
    DASHBOARD_SECTIONS,
    dashboard_failed_syncs,
    dashboard_low_stock,
    dashboard_orders_today,
    dashboard_pickups_due_today,
    dashboard_summary,
    dashboard_tickets_by_sla,
    dashboard_unmapped_orders,
    dashboard_withdrawals,
    wib_day,
)
from integrations.models import SyncRun
from orders.models import Order
from tests.factories import (
    OrderFactory,
    PickupRequestFactory,
    PlatformAccountFactory,
    SellerFactory,
    StaffAssignmentFactory,
    StockLevelFactory,
    SyncRunFactory,
    TicketFactory,
    UserFactory,
    VariantFactory,
    WarehouseFactory,
    WithdrawalFactory,
)

WIB = ZoneInfo("Asia/Jakarta")
# A fixed moment, 10:00 WIB, so "today", "overdue" and "due today" never depend on when the tests run.
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=WIB)


def platform_account(seller):
    return PlatformAccountFactory(name=f"akun-{seller.code if seller else 'pusat'}", seller=seller)


def build_dataset(now):
    """Two sellers, A with most of the figures and B with one of each, plus rows that must not count."""
    day_start, day_end = wib_day(now)
    seller_a, seller_b = SellerFactory(code="SELLER-A"), SellerFactory(code="SELLER-B")

    for status in ["new", "new", "processing", "canceled"]:
        OrderFactory(seller=seller_a, status=status, created_at=day_start + timedelta(minutes=5))
    OrderFactory(seller=seller_a, status="new", created_at=day_start - timedelta(minutes=1))  # yesterday
    OrderFactory(seller=seller_a, status="new", created_at=day_end)  # tomorrow
    OrderFactory(
        seller=seller_a,
        status="new",
        status_unmapped=True,
        platform_status="ON_HOLD",
        created_at=now - timedelta(days=3),
    )
    OrderFactory(seller=seller_b, status="new", created_at=now - timedelta(hours=1))
    OrderFactory(
        seller=seller_b, status="delivered", status_unmapped=True, created_at=now - timedelta(days=2)
    )

    today = day_start.date()
    PickupRequestFactory(
        seller=seller_a, pickup_date=today, status="requested", time_from=time(13), time_to=time(16)
    )
    PickupRequestFactory(
        seller=seller_a, pickup_date=today, status="scheduled", time_from=time(9), time_to=time(12)
    )
    PickupRequestFactory(seller=seller_a, pickup_date=today, status="picked_up")
    PickupRequestFactory(seller=seller_a, pickup_date=today + timedelta(days=1), status="requested")
    PickupRequestFactory(seller=seller_b, pickup_date=today, status="requested")

    WithdrawalFactory(
        seller=seller_a, status="requested", amount=Decimal("100000"), created_at=now - timedelta(days=3)
    )
    WithdrawalFactory(
        seller=seller_a, status="on_review", amount=Decimal("250000"), created_at=now - timedelta(days=1)
    )
    WithdrawalFactory(
        seller=seller_a, status="approved", amount=Decimal("400000"), created_at=now - timedelta(hours=5)
    )
    WithdrawalFactory(
        seller=seller_a, status="completed", amount=Decimal("50000"), created_at=now - timedelta(days=9)
    )
    WithdrawalFactory(
        seller=seller_b, status="requested", amount=Decimal("70000"), created_at=now - timedelta(days=6)
    )

    TicketFactory(seller=seller_a, status="open", sla_due_at=now - timedelta(hours=1))
    TicketFactory(seller=seller_a, status="in_progress", sla_due_at=now + timedelta(hours=2))
    TicketFactory(seller=seller_a, status="waiting", sla_due_at=day_end + timedelta(hours=3))
    TicketFactory(seller=seller_a, status="open", sla_due_at=None)
    TicketFactory(
        seller=seller_a, status="resolved", sla_due_at=now - timedelta(hours=5)
    )  # closed: not counted
    TicketFactory(seller=seller_b, status="open", sla_due_at=now - timedelta(hours=2))

    account_a, account_b, company_account = (platform_account(s) for s in (seller_a, seller_b, None))
    runs = [
        (account_a, SyncRun.Status.FAILED, timedelta(hours=2)),
        (account_a, SyncRun.Status.FAILED, timedelta(hours=30)),  # too old
        (account_a, SyncRun.Status.SUCCEEDED, timedelta(hours=1)),
        (account_b, SyncRun.Status.FAILED, timedelta(hours=1)),
        (company_account, SyncRun.Status.FAILED, timedelta(hours=3)),  # no seller: only "see all" users
    ]
    for account, status, age in runs:
        run = SyncRunFactory(account=account, status=status)
        SyncRun.objects.filter(pk=run.pk).update(created_at=now - age)  # created_at is auto_now_add

    warehouse_1, warehouse_2 = WarehouseFactory(), WarehouseFactory()
    low_once = VariantFactory(product__seller=seller_a)
    StockLevelFactory(variant=low_once, warehouse=warehouse_1, on_hand=5, reserved=2)  # 3 available
    StockLevelFactory(variant=low_once, warehouse=warehouse_2, on_hand=10)
    low_twice = VariantFactory(product__seller=seller_a)
    StockLevelFactory(variant=low_twice, warehouse=warehouse_1, on_hand=0)
    StockLevelFactory(variant=low_twice, warehouse=warehouse_2, on_hand=4)
    enough = VariantFactory(product__seller=seller_a)
    StockLevelFactory(variant=enough, warehouse=warehouse_1, on_hand=6)
    StockLevelFactory(variant=VariantFactory(product__seller=seller_b), warehouse=warehouse_1, on_hand=1)
    return seller_a, seller_b


@pytest.fixture
def dataset(db, settings):
    settings.LOW_STOCK_THRESHOLD = 5
    return build_dataset(NOW)


@pytest.fixture
def staff_of_seller_a(dataset):
    user = UserFactory(username="staff-a")
    user.save()  # the factory sets the password after saving; keep the session hash valid for force_login
    StaffAssignmentFactory(user=user, seller=dataset[0])
    codenames = [perm.split(".")[1] for perm in set(DASHBOARD_SECTIONS.values())]
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def by_status(orders):
    return {status: count for status, _label, count in orders["by_status"]}


def test_todays_orders_are_counted_per_status_within_the_wib_day(dataset, superuser):
    orders = dashboard_orders_today(user=superuser, now=NOW)

    assert orders["total"] == 5
    assert by_status(orders) == {
        "draft": 0,
        "new": 3,
        "processing": 1,
        "ready_to_ship": 0,
        "shipped": 0,
        "delivered": 0,
        "completed": 0,
        "returning": 0,
        "returned": 0,
        "canceled": 1,
    }


def test_wib_day_starts_at_midnight_in_jakarta_not_utc():
    start, end = wib_day(datetime(2026, 3, 9, 18, 30, tzinfo=ZoneInfo("UTC")))  # 01:30 WIB on the 10th

    assert start == datetime(2026, 3, 10, 0, 0, tzinfo=WIB)
    assert end - start == timedelta(days=1)


def test_unmapped_orders_are_counted_whatever_their_date(dataset, superuser):
    assert dashboard_unmapped_orders(user=superuser) == 2


def test_pickups_due_today_are_requested_or_scheduled_today_listed_by_time(dataset, superuser):
    pickups = dashboard_pickups_due_today(user=superuser, now=NOW)

    assert pickups["count"] == 3
    assert pickups["items"][0].time_from == time(9)
    assert all(p.status in ("requested", "scheduled") for p in pickups["items"])


def test_pickup_count_is_exact_when_the_list_is_cut(dataset, superuser):
    pickups = dashboard_pickups_due_today(user=superuser, now=NOW, limit=2)

    assert pickups["count"] == 3
    assert len(pickups["items"]) == 2


def test_withdrawals_awaiting_review_and_payment_have_counts_totals_and_the_oldest_age(dataset, superuser):
    withdrawals = dashboard_withdrawals(user=superuser, now=NOW)

    assert withdrawals["review"]["count"] == 3
    assert withdrawals["review"]["total"] == Decimal("420000")
    assert withdrawals["review"]["oldest_age"] == timedelta(days=6)
    assert withdrawals["payment"]["count"] == 1
    assert withdrawals["payment"]["total"] == Decimal("400000")
    assert withdrawals["payment"]["oldest_age"] == timedelta(hours=5)


def test_open_tickets_are_split_into_overdue_due_today_and_later(dataset, superuser):
    tickets = dashboard_tickets_by_sla(user=superuser, now=NOW)

    assert tickets == {"total": 5, "overdue": 2, "due_today": 1, "later": 2}


def test_failed_syncs_count_only_the_last_24_hours(dataset, superuser):
    syncs = dashboard_failed_syncs(user=superuser, now=NOW)

    assert syncs["count"] == 3
    assert syncs["latest"] == NOW - timedelta(hours=1)


def test_low_stock_counts_variants_once_whatever_the_number_of_warehouses(dataset, superuser):
    low = dashboard_low_stock(user=superuser)

    assert low == {"variants": 3, "levels": 4, "threshold": 5}


def test_staff_assigned_to_seller_a_see_only_seller_a(staff_of_seller_a):
    summary = dashboard_summary(user=staff_of_seller_a, now=NOW)

    assert summary["orders"]["total"] == 4
    assert summary["unmapped_orders"] == 1
    assert summary["pickups"]["count"] == 2
    assert summary["withdrawals"]["review"]["count"] == 2
    assert summary["withdrawals"]["review"]["total"] == Decimal("350000")
    assert summary["withdrawals"]["review"]["oldest_age"] == timedelta(days=3)
    assert summary["tickets"] == {"total": 4, "overdue": 1, "due_today": 1, "later": 2}
    assert summary["failed_syncs"]["count"] == 1  # neither seller B's nor the company-wide account's
    assert summary["low_stock"]["variants"] == 2


def test_staff_see_only_the_parts_they_may_view(dataset):
    user = UserFactory(username="orders-only")
    user.user_permissions.add(Permission.objects.get(codename="view_order", content_type__app_label="orders"))
    StaffAssignmentFactory(user=user, seller=dataset[1])

    summary = dashboard_summary(user=user, now=NOW)

    assert set(summary) == {"orders", "unmapped_orders"}
    assert summary["orders"]["total"] == 1


def test_staff_with_no_assignment_see_zeros(dataset):
    user = UserFactory(username="unassigned")
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_order", "view_withdrawal"]))

    summary = dashboard_summary(user=user, now=NOW)

    assert summary["orders"]["total"] == 0
    assert summary["withdrawals"]["review"]["count"] == 0
    assert summary["withdrawals"]["review"]["total"] == 0


def test_dashboard_queries_are_bounded(staff_of_seller_a, superuser, django_assert_max_num_queries):
    staff_of_seller_a.get_all_permissions()  # the permission cache is loaded once per request anyway
    # 8 for the cards before the shipping card, 3 for it (stuck, waiting for pickup, late pickups)
    with django_assert_max_num_queries(11):
        dashboard_context(user=staff_of_seller_a, now=NOW)
    with django_assert_max_num_queries(11):
        dashboard_context(user=superuser, now=NOW)


def test_dashboard_context_formats_rupiah_and_links_to_filtered_changelists(dataset, superuser):
    context = dashboard_context(user=superuser, now=NOW)

    assert context["withdrawals"]["review"]["total"] == "Rp 420.000"
    assert context["withdrawals"]["payment"]["oldest_age"] == "5\xa0hours"
    if admin.site.is_registered(Order):
        new = next(row for row in context["orders"]["by_status"] if row["status"] == "new")
        assert new["url"].startswith("/admin/orders/order/?status__exact=new&created_at__gte=2026-03-10T00")
        assert context["unmapped_orders"]["url"] == "/admin/orders/order/?status_unmapped__exact=1"
    else:
        assert context["orders"]["url"] is None


def test_admin_index_renders_the_dashboard_for_a_superuser(admin_client_logged_in, settings):
    settings.LOW_STOCK_THRESHOLD = 5
    build_dataset(timezone.now())

    response = admin_client_logged_in.get("/admin/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="dashboard-orders"' in page
    assert "Withdrawals awaiting review" in page
    assert format_rupiah(Decimal("420000")) in page
    assert "Pickups due today: 3" in page


def test_admin_index_of_staff_with_one_seller_does_not_show_other_sellers_totals(client, staff_of_seller_a):
    client.force_login(staff_of_seller_a)

    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Rp 350.000" in page  # seller A's review total (the fixed-date dataset has no "today" orders)
    assert "Rp 420.000" not in page


@pytest.mark.django_db
def test_failing_accounts_and_expiring_credentials_are_alerted(superuser, client):
    now = timezone.now()
    failing = PlatformAccountFactory(name="gagal", last_success_at=now - timedelta(hours=2),
                                     last_error_at=now - timedelta(minutes=5))
    recovered = PlatformAccountFactory(name="pulih", last_success_at=now, last_error_at=now - timedelta(hours=1))
    expiring = PlatformAccountFactory(name="kunci-lama", credentials_expire_at=now + timedelta(days=10))
    PlatformAccountFactory(name="kunci-baru", credentials_expire_at=now + timedelta(days=300))

    figures = dashboard_failed_syncs(user=superuser, now=now)

    assert figures["failing_accounts"] == [failing]
    assert figures["expiring_accounts"] == [expiring]
    assert recovered not in figures["failing_accounts"]
    client.force_login(superuser)
    page = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-alert="failing-accounts"' in page and "gagal" in page
    assert 'data-alert="expiring-credentials"' in page and "kunci-lama" in page
