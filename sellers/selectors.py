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
