"""Reads of orders, customers and the platform-status mapping."""

from django.db.models import QuerySet

from common.scoping import scope_to_user_sellers
from orders.models import Order, StatusMapping


def _normalise_word(platform_status) -> str:
    return str(platform_status if platform_status is not None else "").strip()


def map_platform_status(*, platform: str, kind: str, platform_status) -> str | None:
    """Our status for a platform's status word (compared case-insensitively after trimming), or None when
    the word has no mapping: an unknown status is never guessed; callers flag the record instead."""
    word = _normalise_word(platform_status)
    if not word:
        return None
    row = (
        StatusMapping.objects.filter(platform=platform, kind=kind, platform_status__iexact=word)
        .values_list("our_status", flat=True)
        .first()
    )
    return row or None


def status_mapping_table(*, platform: str) -> dict[tuple[str, str], str]:
    """(kind, lower-cased word) → our status for one platform, in one query, for batch sync."""
    rows = StatusMapping.objects.filter(platform=platform).values_list("kind", "platform_status",
                                                                       "our_status")
    return {(kind, word.strip().lower()): ours for kind, word, ours in rows}


def order_list(*, user, status: str | None = None) -> QuerySet[Order]:
    orders = Order.objects.select_related("seller", "customer", "courier", "account")
    orders = scope_to_user_sellers(orders, user=user, seller_path="seller")
    if status:
        orders = orders.filter(status=status)
    return orders.order_by("-id")


def order_get(*, user, order_id: int) -> Order | None:
    return order_list(user=user).filter(pk=order_id).first()
