"""Reads about sellers, always scoped to what the asking user may see."""

from django.db.models import QuerySet

from common.scoping import scope_to_user_sellers
from sellers.models import Seller, SellerUser


def seller_list(*, user, status: str | None = None) -> QuerySet[Seller]:
    """The sellers `user` may see: assigned ones, or all with "view all sellers"."""
    sellers = scope_to_user_sellers(Seller.objects.all(), user=user, seller_path="pk")
    if status:
        sellers = sellers.filter(status=status)
    return sellers.order_by("code")


def seller_get(*, user, seller_id: int) -> Seller | None:
    return seller_list(user=user).filter(pk=seller_id).first()


def seller_for_seller_user(*, user) -> Seller | None:
    """The seller a mobile-app user acts for, or None when the user is not an active seller user."""
    seller_user = SellerUser.objects.select_related("seller").filter(user_id=user.pk, is_active=True).first()
    return seller_user.seller if seller_user else None


def seller_dashboard_summary(*, seller) -> dict:
    """What the app's home screen shows: orders by status, the balance, pickups due (active, dated today or
    earlier) and open tickets. Four small queries, each on an indexed seller column."""
    from django.db.models import Count
    from django.utils import timezone

    from finance.selectors import seller_balance_get
    from logistics.models import PickupRequest, Ticket
    from logistics.services import PICKUP_ACTIVE_STATUSES, TICKET_ACTIVE_STATUSES
    from orders.models import Order, OrderStatus

    counts = dict(Order.objects.filter(seller_id=seller.pk).order_by().values_list("status")
                  .annotate(n=Count("id")).values_list("status", "n"))
    balance = seller_balance_get(seller=seller)
    return {
        "orders_by_status": {status: counts.get(status, 0) for status in OrderStatus.values},
        "orders_total": sum(counts.values()),
        "balance": {"available": balance.available, "held": balance.held},
        "pickups_due": PickupRequest.objects.filter(
            seller_id=seller.pk, status__in=PICKUP_ACTIVE_STATUSES, pickup_date__lte=timezone.localdate()
        ).count(),
        "open_tickets": Ticket.objects.filter(seller_id=seller.pk, status__in=TICKET_ACTIVE_STATUSES).count(),
    }
