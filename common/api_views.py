"""Building blocks of the mobile API views: the caller's seller, cursor pagination, idempotent creation."""

from django.conf import settings
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination

from common.api_auth import api_seller_user
from common.idempotency import idempotent


class ApiCursorPagination(CursorPagination):
    """Newest first by id (every list is index-backed on (seller, -id)); `page_size` up to 100."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        self.page_size = settings.API_PAGE_SIZE
        return super().get_page_size(request)

    def decode_cursor(self, request):
        """DRF's cursor, with a position that is not an id refused as any other tampered cursor is (404
        "Invalid cursor"), not left to fail in the query."""
        cursor = super().decode_cursor(request)
        ordering = self.ordering if isinstance(self.ordering, str) else self.ordering[0]
        if cursor is not None and cursor.position is not None and ordering.lstrip("-") == "id":
            try:
                int(cursor.position)
            except ValueError:
                raise NotFound(self.invalid_cursor_message) from None
        return cursor


class SellerScopedMixin:
    """`self.seller`: the seller of the authenticated seller user (loaded with the token, no query)."""

    @property
    def seller(self):
        seller_user = api_seller_user(self.request.user)
        return seller_user.seller  # one query the first time a view needs the whole seller row

    @property
    def seller_id(self) -> int | None:
        """The seller's id; None while the schema generator inspects the view (no user: empty querysets)."""
        seller_user = api_seller_user(self.request.user) if self.request is not None else None
        return seller_user.seller_id if seller_user is not None else None

    def idempotent(self, handler):
        return idempotent(self.request, handler)


def filters_requested(request, view) -> bool:
    """Whether the request names one of the view's filters."""
    filterset_class = getattr(view, "filterset_class", None)
    return filterset_class is not None and any(name in request.query_params for name in filterset_class.base_filters)


class ApiFilterBackend(DjangoFilterBackend):
    """django-filter, skipped when the request names none of the view's filters (the common first page of a
    list): building and validating the filter form costs more than the rest of such a request."""

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "filterset_class", None) is not None and not filters_requested(request, view):
            return queryset
        return super().filter_queryset(request, queryset, view)
