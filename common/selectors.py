"""Reads for the admin home page (the dashboard).

Each function runs one aggregate query (two for the pickup list) over an indexed filter, never a query
per row, and sees only the sellers the user may see (common.scoping). "Today" is the WIB calendar day."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils import timezone

from common.scoping import scope_to_user_sellers

WIB = ZoneInfo("Asia/Jakarta")
OPEN_TICKET_STATUSES = ("open", "in_progress", "waiting")
PICKUP_DUE_STATUSES = ("requested", "scheduled")
WITHDRAWAL_REVIEW_STATUSES = ("requested", "on_review")
WITHDRAWAL_PAYMENT_STATUSES = ("approved",)


def wib_day(now: datetime | None = None) -> tuple[datetime, datetime]:
    """Start and end (exclusive) of the WIB calendar day that contains `now`."""
    local = (now or timezone.now()).astimezone(WIB)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def dashboard_orders_today(*, user, now: datetime | None = None) -> dict:
    """Orders created today (WIB), counted per status, in one query."""
    from orders.models import Order, OrderStatus

    start, end = wib_day(now)
    queryset = scope_to_user_sellers(
        Order.objects.filter(created_at__gte=start, created_at__lt=end), user=user, seller_path="seller"
    )
    counts = queryset.aggregate(
        total=Count("id"), **{status: Count("id", filter=Q(status=status)) for status in OrderStatus.values}
    )
    return {
        "total": counts["total"],
        "by_status": [(status, label, counts[status]) for status, label in OrderStatus.choices],
        "since": start,
        "until": end,
    }


def dashboard_unmapped_orders(*, user) -> int:
    """Orders whose platform status has no mapping yet (a partial index keeps this cheap)."""
    from orders.models import Order

    return scope_to_user_sellers(
        Order.objects.filter(status_unmapped=True), user=user, seller_path="seller"
    ).count()


def dashboard_pickups_due_today(*, user, now: datetime | None = None, limit: int = 10) -> dict:
    """Pickups still to happen today (requested or scheduled): their count and the first `limit`."""
    from logistics.models import PickupRequest

    today = wib_day(now)[0].date()
    queryset = scope_to_user_sellers(
        PickupRequest.objects.filter(pickup_date=today, status__in=PICKUP_DUE_STATUSES),
        user=user,
        seller_path="seller",
    )
    items = list(
        queryset.select_related("seller", "courier", "warehouse")
        .annotate(order_count=Count("orders"))
        .order_by("time_from", "id")[:limit]
    )
    count = len(items) if len(items) < limit else queryset.count()
    return {"count": count, "items": items, "date": today}


def dashboard_withdrawals(*, user, now: datetime | None = None) -> dict:
    """Withdrawals waiting for review (requested, on review) and for payment (approved): count, total,
    and the oldest request, in one query."""
    from finance.models import Withdrawal

    now = now or timezone.now()
    review = Q(status__in=WITHDRAWAL_REVIEW_STATUSES)
    payment = Q(status__in=WITHDRAWAL_PAYMENT_STATUSES)
    queryset = scope_to_user_sellers(
        Withdrawal.objects.filter(status__in=WITHDRAWAL_REVIEW_STATUSES + WITHDRAWAL_PAYMENT_STATUSES),
        user=user,
        seller_path="seller",
    )
    row = queryset.aggregate(
        review_count=Count("id", filter=review),
        review_total=Sum("amount", filter=review),
        review_oldest=Min("created_at", filter=review),
        payment_count=Count("id", filter=payment),
        payment_total=Sum("amount", filter=payment),
        payment_oldest=Min("created_at", filter=payment),
    )
    result = {}
    for key in ("review", "payment"):
        oldest = row[f"{key}_oldest"]
        result[key] = {
            "count": row[f"{key}_count"],
            "total": row[f"{key}_total"] or 0,
            "oldest": oldest,
            "oldest_age": (now - oldest) if oldest else None,
        }
    return result


def dashboard_tickets_by_sla(*, user, now: datetime | None = None) -> dict:
    """Open tickets (open, in progress, waiting) by SLA: overdue, due later today (WIB), due later
    (or without an SLA), in one query."""
    from logistics.models import Ticket

    now = now or timezone.now()
    end_of_day = wib_day(now)[1]
    queryset = scope_to_user_sellers(
        Ticket.objects.filter(status__in=OPEN_TICKET_STATUSES), user=user, seller_path="seller"
    )
    return queryset.aggregate(
        total=Count("id"),
        overdue=Count("id", filter=Q(sla_due_at__lt=now)),
        due_today=Count("id", filter=Q(sla_due_at__gte=now, sla_due_at__lt=end_of_day)),
        later=Count("id", filter=Q(sla_due_at__gte=end_of_day) | Q(sla_due_at__isnull=True)),
    )


def dashboard_failed_syncs(*, user, now: datetime | None = None, hours: int = 24) -> dict:
    """Sync runs that failed in the last `hours`: how many, and when the latest one started."""
    from integrations.models import SyncRun

    since = (now or timezone.now()) - timedelta(hours=hours)
    queryset = scope_to_user_sellers(
        SyncRun.objects.filter(status=SyncRun.Status.FAILED, created_at__gte=since),
        user=user,
        seller_path="account__seller",
    )
    row = queryset.aggregate(count=Count("id"), latest=Max("created_at"))
    return {"count": row["count"], "latest": row["latest"], "since": since, "hours": hours,
            **dashboard_account_alerts(user=user, now=now)}


def dashboard_account_alerts(*, user, now: datetime | None = None, expiry_days: int = 30) -> dict:
    """Enabled platform accounts whose last call failed (no success since), and accounts whose
    credentials expire within `expiry_days` (Ngorder keys change yearly). One query."""
    from integrations.models import PlatformAccount

    now = now or timezone.now()
    expiry = now + timedelta(days=expiry_days)
    failing_now = Q(last_error_at__isnull=False) & (
        Q(last_success_at__isnull=True) | Q(last_error_at__gt=F("last_success_at"))
    )
    accounts = scope_to_user_sellers(
        PlatformAccount.objects.filter(is_enabled=True).filter(failing_now | Q(credentials_expire_at__lte=expiry)),
        user=user, seller_path="seller",
    ).order_by("platform", "name")
    failing, expiring = [], []
    for account in accounts:
        last_ok = account.last_success_at
        if account.last_error_at and (last_ok is None or account.last_error_at > last_ok):
            failing.append(account)
        if account.credentials_expire_at and account.credentials_expire_at <= expiry:
            expiring.append(account)
    return {"failing_accounts": failing, "expiring_accounts": expiring}


def dashboard_low_stock(*, user, threshold: int | None = None) -> dict:
    """Variants with a stock level at or below LOW_STOCK_THRESHOLD available in some warehouse."""
    from catalog.models import StockLevel

    threshold = settings.LOW_STOCK_THRESHOLD if threshold is None else threshold
    queryset = scope_to_user_sellers(
        StockLevel.objects.filter(available__lte=threshold), user=user, seller_path="variant__seller"
    )
    row = queryset.aggregate(levels=Count("id"), variants=Count("variant_id", distinct=True))
    return {"variants": row["variants"], "levels": row["levels"], "threshold": threshold}


# Which permission a user needs to see each part of the dashboard.
DASHBOARD_SECTIONS = {
    "orders": "orders.view_order",
    "unmapped_orders": "orders.view_order",
    "pickups": "logistics.view_pickuprequest",
    "withdrawals": "finance.view_withdrawal",
    "tickets": "logistics.view_ticket",
    "failed_syncs": "integrations.view_syncrun",
    "low_stock": "catalog.view_stocklevel",
}


def dashboard_summary(*, user, now: datetime | None = None) -> dict:
    """Every dashboard figure the user may see (by view permission), scoped to their sellers."""
    now = now or timezone.now()
    readers = {
        "orders": lambda: dashboard_orders_today(user=user, now=now),
        "unmapped_orders": lambda: dashboard_unmapped_orders(user=user),
        "pickups": lambda: dashboard_pickups_due_today(user=user, now=now),
        "withdrawals": lambda: dashboard_withdrawals(user=user, now=now),
        "tickets": lambda: dashboard_tickets_by_sla(user=user, now=now),
        "failed_syncs": lambda: dashboard_failed_syncs(user=user, now=now),
        "low_stock": lambda: dashboard_low_stock(user=user),
    }
    return {name: read() for name, read in readers.items() if user.has_perm(DASHBOARD_SECTIONS[name])}
