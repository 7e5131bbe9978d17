"""The admin home page: what staff need to see first thing in the morning.

unfold calls `dashboard_callback` (settings UNFOLD["DASHBOARD_CALLBACK"]) for the index page; the figures
come from common.selectors, already scoped to the user's sellers; templates/admin/index.html shows them as
cards that link to the filtered changelists."""

from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from common.money import format_rupiah
from common.selectors import (
    OPEN_TICKET_STATUSES,
    PICKUP_DUE_STATUSES,
    WITHDRAWAL_REVIEW_STATUSES,
    dashboard_summary,
    wib_day,
)


def changelist_url(app_label: str, model_name: str, **params) -> str | None:
    """The admin changelist URL with a filter query string, or None while that admin is not registered."""
    try:
        url = reverse(f"admin:{app_label}_{model_name}_changelist")
    except NoReverseMatch:
        return None
    query = urlencode({key: value for key, value in params.items() if value is not None})
    return f"{url}?{query}" if query else url


def _iso(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def dashboard_context(*, user, now=None) -> dict:
    """The dashboard's figures with display strings (Rupiah, ages) and links, ready for the template."""
    now = now or timezone.now()
    data = dashboard_summary(user=user, now=now)
    context: dict = {}

    if "orders" in data:
        orders = data["orders"]
        since = _iso(orders["since"])
        context["orders"] = {
            "total": orders["total"],
            "url": changelist_url("orders", "order", created_at__gte=since),
            "by_status": [
                {
                    "status": status,
                    "label": label,
                    "count": count,
                    "url": changelist_url("orders", "order", status__exact=status, created_at__gte=since),
                }
                for status, label, count in orders["by_status"]
            ],
        }
    if "unmapped_orders" in data:
        context["unmapped_orders"] = {
            "count": data["unmapped_orders"],
            "url": changelist_url("orders", "order", status_unmapped__exact=1),
        }
    if "pickups" in data:
        pickups = data["pickups"]
        context["pickups"] = {
            "count": pickups["count"],
            "url": changelist_url(
                "logistics",
                "pickuprequest",
                pickup_date=pickups["date"].isoformat(),
                status__in=",".join(PICKUP_DUE_STATUSES),
            ),
            "rows": [
                {
                    "seller": p.seller.name,
                    "courier": p.courier.name if p.courier_id else "—",
                    "window": f"{p.time_from:%H:%M}–{p.time_to:%H:%M}",
                    "status": p.get_status_display(),
                    "orders": p.order_count,
                    "url": _change_url("logistics", "pickuprequest", p.pk),
                }
                for p in pickups["items"]
            ],
        }
    if "withdrawals" in data:
        withdrawals = data["withdrawals"]
        context["withdrawals"] = {
            key: {
                "count": figures["count"],
                "total": format_rupiah(figures["total"]),
                "oldest_age": timesince(figures["oldest"], now, depth=1) if figures["oldest"] else "",
                "url": changelist_url(
                    "finance",
                    "withdrawal",
                    status__in=",".join(WITHDRAWAL_REVIEW_STATUSES) if key == "review" else None,
                    status__exact="approved" if key == "payment" else None,
                ),
            }
            for key, figures in withdrawals.items()
        }
    if "tickets" in data:
        tickets = data["tickets"]
        open_statuses = ",".join(OPEN_TICKET_STATUSES)
        end_of_day = _iso(wib_day(now)[1])
        context["tickets"] = {
            "total": tickets["total"],
            "url": changelist_url("logistics", "ticket", status__in=open_statuses),
            "buckets": [
                {
                    "key": "overdue",
                    "label": _("Overdue"),
                    "count": tickets["overdue"],
                    "url": changelist_url(
                        "logistics", "ticket", status__in=open_statuses, sla_due_at__lt=_iso(now)
                    ),
                },
                {
                    "key": "due_today",
                    "label": _("Due today"),
                    "count": tickets["due_today"],
                    "url": changelist_url(
                        "logistics",
                        "ticket",
                        status__in=open_statuses,
                        sla_due_at__gte=_iso(now),
                        sla_due_at__lt=end_of_day,
                    ),
                },
                {
                    "key": "later",
                    "label": _("Later"),
                    "count": tickets["later"],
                    "url": changelist_url("logistics", "ticket", status__in=open_statuses),
                },
            ],
        }
    if "failed_syncs" in data:
        syncs = data["failed_syncs"]
        context["failed_syncs"] = {
            "count": syncs["count"],
            "hours": syncs["hours"],
            "latest_age": timesince(syncs["latest"], now, depth=1) if syncs["latest"] else "",
            "url": changelist_url(
                "integrations", "syncrun", status__exact="failed", created_at__gte=_iso(syncs["since"])
            ),
            "failing_accounts": syncs["failing_accounts"],
            "expiring_accounts": syncs["expiring_accounts"],
        }
    if "low_stock" in data:
        low = data["low_stock"]
        context["low_stock"] = {
            "variants": low["variants"],
            "levels": low["levels"],
            "threshold": low["threshold"],
            "url": changelist_url("catalog", "stocklevel", available__lte=low["threshold"]),
        }
    if user.has_perm("logistics.view_shipment"):
        from logistics.selectors import shipping_dashboard

        context["shipping"] = {**shipping_dashboard(user=user, now=now),
                               "url": reverse("admin:logistics_pickupmonitor_changelist"),
                               "stuck_url": changelist_url("logistics", "shipment", stuck="yes")}
    return context


def _change_url(app_label: str, model_name: str, pk) -> str | None:
    try:
        return reverse(f"admin:{app_label}_{model_name}_change", args=[pk])
    except NoReverseMatch:
        return None


def dashboard_callback(request, context):
    context["dashboard"] = dashboard_context(user=request.user)
    return context


def environment_callback(request):
    from django.conf import settings

    if settings.DEMO_ENABLED:
        return ["Demo", "warning"]
    return None
