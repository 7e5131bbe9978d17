import datetime as dt
from zoneinfo import ZoneInfo

import django_filters
from django.db.models import F, Prefetch, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from common.api_queries import CompiledQuery
from common.api_views import SellerScopedMixin, filters_requested
from common.models import EventSource
from common.phones import normalize_phone
from integrations.models import Platform
from logistics.models import Shipment, TrackingEvent
from orders.api.serializers import (
    ORDER_LIST_VALUES,
    OrderCancelSerializer,
    OrderCreateSerializer,
    OrderDetailSerializer,
    OrderListSerializer,
)
from orders.models import Customer, Order, OrderStatus, PaymentMethod, PaymentStatus
from orders.services import order_cancel, order_create

WIB = ZoneInfo("Asia/Jakarta")


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=WIB)


class OrderFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=OrderStatus.choices)
    payment_status = django_filters.ChoiceFilter(choices=PaymentStatus.choices)
    created_from = django_filters.DateFilter(method="filter_created_from",
                                             label=_("Created on or after this day (WIB)"))
    created_to = django_filters.DateFilter(method="filter_created_to", label=_("Created on or before this day (WIB)"))
    platform = django_filters.ChoiceFilter(field_name="account__platform", choices=Platform.choices)
    cod = django_filters.BooleanFilter(method="filter_cod", label=_("Cash on delivery only (true) or none (false)"))
    q = django_filters.CharFilter(method="filter_search", max_length=64,
                                  label=_("Exact order number, AWB or customer phone"))

    class Meta:
        model = Order
        fields = ["status", "payment_status", "created_from", "created_to", "platform", "cod", "q"]

    def filter_created_from(self, queryset, name, value):
        return queryset.filter(created_at__gte=_day_start(value))

    def filter_created_to(self, queryset, name, value):
        if value >= dt.date.max:
            return queryset
        return queryset.filter(created_at__lt=_day_start(value + dt.timedelta(days=1)))

    def filter_cod(self, queryset, name, value):
        if value:
            return queryset.filter(payment_method=PaymentMethod.COD)
        return queryset.exclude(payment_method=PaymentMethod.COD)

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        match = Q(order_no=value) | Q(invoice_no=value) | Q(
            pk__in=Shipment.objects.filter(awb=value).values("order_id")
        )
        try:
            phone = normalize_phone(value)
        except ValueError:
            phone = ""
        if phone:
            match |= Q(customer_id__in=Customer.objects.filter(phone=phone).values("pk"))
        return queryset.filter(match)


class OrderQuerysetMixin(SellerScopedMixin):
    def get_queryset(self):
        return Order.objects.filter(seller_id=self.seller_id).select_related("customer", "courier", "account")


def order_list_values(queryset):
    """`queryset` as the order list's rows: the columns of ORDER_LIST_VALUES, no model instances."""
    values = {alias: F(path) for alias, path in ORDER_LIST_VALUES.items() if alias != path}
    names = [name for name, path in ORDER_LIST_VALUES.items() if name == path]
    return queryset.values(*names, **values)


# The unfiltered list's four query shapes (newest or oldest first; from the start or from a cursor position),
# compiled once. Index-backed: orders_order_seller_id (seller, -id) serves the filter, the order and the cursor.
def _page_query(ordering: str, bound: str | None) -> CompiledQuery:
    def build(seller_id, position=None):
        queryset = Order.objects.filter(seller_id=seller_id)
        if bound is not None:
            queryset = queryset.filter(**{f"id__{bound}": position})
        return order_list_values(queryset).order_by(ordering)

    parameters = {"seller_id": int} if bound is None else {"seller_id": int, "position": int}
    return CompiledQuery(build, parameters)


ORDER_PAGE_QUERIES = {(ordering, bound): _page_query(ordering, bound)
                      for ordering in ("-id", "id") for bound in (None, "lt", "gt")}
_BIGINT = range(-(2**63), 2**63)


class OrderListRows:
    """The unfiltered order list of one seller, as the cursor paginator uses a queryset (order_by, one
    filter on id, a slice); the slice runs a compiled query. Anything else falls back to the queryset."""

    def __init__(self, seller_id: int, queryset_factory, ordering: str = "-id", bound: tuple | None = None):
        self.seller_id = seller_id
        self.queryset_factory = queryset_factory
        self.ordering = ordering
        self.bound = bound

    def order_by(self, *fields):
        return OrderListRows(self.seller_id, self.queryset_factory, fields[0] if len(fields) == 1 else fields,
                             self.bound)

    def filter(self, **kwargs):
        if self.bound is not None or len(kwargs) != 1:
            return self._queryset().filter(**kwargs)
        ((lookup, value),) = kwargs.items()
        return OrderListRows(self.seller_id, self.queryset_factory, self.ordering, (lookup, value))

    def _queryset(self):
        queryset = self.queryset_factory()
        ordering = self.ordering if isinstance(self.ordering, tuple) else (self.ordering,)
        queryset = queryset.order_by(*ordering)
        if self.bound is not None:
            queryset = queryset.filter(**{self.bound[0]: self.bound[1]})
        return queryset

    def _compiled_query(self) -> tuple[CompiledQuery | None, dict]:
        if self.bound is None:
            return ORDER_PAGE_QUERIES.get((self.ordering, None)), {}
        lookup, value = self.bound
        if lookup not in ("id__lt", "id__gt"):
            return None, {}
        position = Order._meta.pk.get_prep_value(value)  # the queryset's own conversion (and its error)
        if position not in _BIGINT:  # the queryset knows what an out-of-range bound means
            return None, {}
        return ORDER_PAGE_QUERIES.get((self.ordering, lookup[4:])), {"position": position}

    def __getitem__(self, item):
        query, params = self._compiled_query()
        if (query is None or not isinstance(item, slice) or item.step is not None or item.start is None
                or item.stop is None or not 0 <= item.start <= item.stop):
            return self._queryset()[item]
        return query.dicts(limit=item.stop - item.start, offset=item.start, seller_id=self.seller_id, **params)


class OrderListView(OrderQuerysetMixin, generics.ListCreateAPIView):
    filterset_class = OrderFilter

    def get_serializer_class(self):
        return OrderCreateSerializer if self.request.method == "POST" else OrderListSerializer

    def get_queryset(self):
        return order_list_values(Order.objects.filter(seller_id=self.seller_id))

    def list(self, request, *args, **kwargs):
        if filters_requested(request, self):
            return super().list(request, *args, **kwargs)
        # No filter: the compiled page queries (the common request of the app's list screen).
        page = self.paginate_queryset(OrderListRows(self.seller_id, self.get_queryset))
        if page is None:
            return super().list(request, *args, **kwargs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(tags=["orders"], summary="Orders, newest first; filter by status, dates, platform, COD, search")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=["orders"], request=OrderCreateSerializer, responses={201: OrderDetailSerializer},
                   summary="Create an order with its items (honours Idempotency-Key)")
    def post(self, request, *args, **kwargs):
        return self.idempotent(self._create)

    def _create(self):
        serializer = OrderCreateSerializer(data=self.request.data, seller=self.seller)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        items = [{key: value for key, value in item.items() if value not in ("", None)} for item in data.pop("items")]
        order = order_create(seller=self.seller, items=items, acting_user=self.request.user, source=EventSource.API,
                             **data)
        return Response(OrderDetailSerializer(order_detail_queryset(self.seller_id).get(pk=order.pk)).data,
                        status=status.HTTP_201_CREATED)


def order_detail_queryset(seller_id):
    shipments = Shipment.objects.select_related("courier").order_by("id").prefetch_related(
        Prefetch("tracking_events", queryset=TrackingEvent.objects.order_by("-occurred_at", "-id"))
    )
    return (Order.objects.filter(seller_id=seller_id).select_related("customer", "courier", "account")
            .prefetch_related("items", Prefetch("shipments", queryset=shipments)))


class OrderDetailView(SellerScopedMixin, generics.RetrieveAPIView):
    serializer_class = OrderDetailSerializer

    def get_queryset(self):
        return order_detail_queryset(self.seller_id)

    @extend_schema(tags=["orders"], summary="An order with its customer, items, shipments and tracking")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class OrderCancelView(OrderQuerysetMixin, generics.GenericAPIView):
    serializer_class = OrderCancelSerializer

    @extend_schema(tags=["orders"], request=OrderCancelSerializer, responses=OrderDetailSerializer,
                   summary="Cancel an order that has not shipped; its reserved stock is released")
    def post(self, request, pk):
        order = self.get_object()
        serializer = OrderCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order_cancel(order=order, acting_user=request.user, source=EventSource.API,
                     note=serializer.validated_data["note"])
        return Response(OrderDetailSerializer(order_detail_queryset(self.seller_id).get(pk=order.pk)).data)
