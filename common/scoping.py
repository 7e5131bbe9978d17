"""Which sellers a staff user may see: the assigned ones, unless they hold "view all sellers"."""

from django.db.models import QuerySet

VIEW_ALL_SELLERS = "sellers.view_all_sellers"


def user_sees_all_sellers(user) -> bool:
    return bool(user.is_active and (user.is_superuser or user.has_perm(VIEW_ALL_SELLERS)))


def scope_to_user_sellers(queryset: QuerySet, *, user, seller_path: str) -> QuerySet:
    """Filter `queryset` to rows whose `seller_path` (e.g. "seller", "order__seller") is assigned to
    `user`. One subquery, no extra round trip; rows without a seller stay visible only to "see all"."""
    if user_sees_all_sellers(user):
        return queryset
    from sellers.models import StaffAssignment

    assigned = StaffAssignment.objects.filter(user_id=user.pk).values("seller_id")
    return queryset.filter(**{f"{seller_path}__in": assigned})
