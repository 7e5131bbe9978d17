import django_filters
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from common.api_views import SellerScopedMixin
from common.exceptions import ApplicationError, TransitionNotAllowed
from common.models import EventSource
from logistics import quotes
from logistics.api.serializers import (
    NoteSerializer,
    PickupCreateSerializer,
    PickupSerializer,
    ShippingQuoteRequestSerializer,
    ShippingQuoteSerializer,
    TicketCreateSerializer,
    TicketDetailSerializer,
    TicketReplySerializer,
    TicketSerializer,
)
from logistics.models import PickupRequest, Ticket, TicketMessage
from logistics.services import (
    pickup_request_create,
    pickup_transition,
    ticket_create,
    ticket_reply,
    ticket_transition,
)
from orders.models import Order

# --- shipping quote ---------------------------------------------------------------------------------


class ShippingQuoteView(SellerScopedMixin, generics.GenericAPIView):
    serializer_class = ShippingQuoteRequestSerializer

    @extend_schema(tags=["logistics"], request=ShippingQuoteRequestSerializer,
                   responses={200: ShippingQuoteSerializer},
                   summary="Shipping options and costs for an order, or for origin, destination and weight")
    def post(self, request):
        accounts = quotes.quote_accounts_for(seller=self.seller)
        serializer = ShippingQuoteRequestSerializer(data=request.data, seller=self.seller, accounts=accounts)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["order"] is not None:
            return Response(ShippingQuoteSerializer(
                {"options": quotes.order_shipping_quote(order=data["order"]), "errors": []}).data)
        options, errors = [], []
        chosen = [data["account"]] if data["account"] is not None else list(accounts)
        for account in chosen:
            try:
                options += quotes.shipping_quote(
                    account=account, origin=data["origin"], destination=data["destination"],
                    weight_grams=data["weight_grams"], cod_value=data["cod_value"], item_value=data["item_value"],
                )
            except ApplicationError as exc:
                if data["account"] is not None:
                    raise
                errors.append({"account": account.pk, "code": exc.code, "message": exc.message})
        return Response(ShippingQuoteSerializer({"options": options, "errors": errors}).data)


# --- pickups ----------------------------------------------------------------------------------------


class PickupFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=PickupRequest.Status.choices)
    date_from = django_filters.DateFilter(field_name="pickup_date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="pickup_date", lookup_expr="lte")

    class Meta:
        model = PickupRequest
        fields = ["status", "date_from", "date_to"]


class PickupQuerysetMixin(SellerScopedMixin):
    def get_queryset(self):
        return (PickupRequest.objects.filter(seller_id=self.seller_id).select_related("courier")
                .prefetch_related(Prefetch("orders", queryset=Order.objects.only("id").order_by("id"))))


class PickupListView(PickupQuerysetMixin, generics.ListCreateAPIView):
    filterset_class = PickupFilter

    def get_serializer_class(self):
        return PickupCreateSerializer if self.request.method == "POST" else PickupSerializer

    @extend_schema(tags=["logistics"], summary="Pickup requests, newest first")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=["logistics"], request=PickupCreateSerializer, responses={201: PickupSerializer},
                   summary="Request a pickup of chosen orders (honours Idempotency-Key)")
    def post(self, request, *args, **kwargs):
        return self.idempotent(self._create)

    def _create(self):
        serializer = PickupCreateSerializer(data=self.request.data, seller=self.seller)
        serializer.is_valid(raise_exception=True)
        pickup = pickup_request_create(seller=self.seller, acting_user=self.request.user, source=EventSource.API,
                                       **serializer.validated_data)
        return Response(PickupSerializer(self.get_queryset().get(pk=pickup.pk)).data, status=status.HTTP_201_CREATED)


class PickupDetailView(PickupQuerysetMixin, generics.RetrieveAPIView):
    serializer_class = PickupSerializer

    @extend_schema(tags=["logistics"], summary="A pickup request")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PickupCancelView(PickupQuerysetMixin, generics.GenericAPIView):
    serializer_class = NoteSerializer

    @extend_schema(tags=["logistics"], request=NoteSerializer, responses=PickupSerializer,
                   summary="Cancel a pickup that has not been picked up")
    def post(self, request, pk):
        pickup = self.get_object()
        serializer = NoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pickup_transition(pickup=pickup, to_status=PickupRequest.Status.CANCELED, acting_user=request.user,
                          source=EventSource.API, note=serializer.validated_data["note"])
        return Response(PickupSerializer(self.get_queryset().get(pk=pickup.pk)).data)


# --- tickets ----------------------------------------------------------------------------------------


class TicketFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Ticket.Status.choices)
    type = django_filters.ChoiceFilter(choices=Ticket.Type.choices)
    order = django_filters.NumberFilter(field_name="order_id")

    class Meta:
        model = Ticket
        fields = ["status", "type", "order"]


class TicketQuerysetMixin(SellerScopedMixin):
    def get_queryset(self):
        return Ticket.objects.filter(seller_id=self.seller_id).select_related("order")


class TicketListView(TicketQuerysetMixin, generics.ListCreateAPIView):
    filterset_class = TicketFilter
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_serializer_class(self):
        return TicketCreateSerializer if self.request.method == "POST" else TicketSerializer

    @extend_schema(tags=["tickets"], summary="Support tickets, newest first")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=["tickets"], request=TicketCreateSerializer,
                   responses={201: TicketDetailSerializer},
                   summary="Open a ticket, optionally with an attachment (honours Idempotency-Key)")
    def post(self, request, *args, **kwargs):
        return self.idempotent(self._create)

    def _create(self):
        serializer = TicketCreateSerializer(data=self.request.data, seller=self.seller)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        ticket = ticket_create(
            seller=self.seller, subject=data["subject"], message=data["message"], attachment=data["attachment"],
            order=data["order"], category=data["category"], priority=data["priority"],
            acting_user=self.request.user, source=EventSource.API,
        )
        return Response(TicketDetailSerializer(ticket_detail_queryset(self.seller_id).get(pk=ticket.pk),
                                               context={"request": self.request}).data,
                        status=status.HTTP_201_CREATED)


def ticket_detail_queryset(seller_id):
    messages = TicketMessage.objects.order_by("created_at", "id")
    return (Ticket.objects.filter(seller_id=seller_id).select_related("order")
            .prefetch_related(Prefetch("messages", queryset=messages)))


class TicketDetailView(SellerScopedMixin, generics.RetrieveAPIView):
    serializer_class = TicketDetailSerializer

    def get_queryset(self):
        return ticket_detail_queryset(self.seller_id)

    @extend_schema(tags=["tickets"], summary="A ticket with its messages")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class TicketReplyView(TicketQuerysetMixin, generics.GenericAPIView):
    serializer_class = TicketReplySerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(tags=["tickets"], request=TicketReplySerializer, responses={201: TicketDetailSerializer},
                   summary="Reply to a ticket, optionally with an attachment (honours Idempotency-Key)")
    def post(self, request, pk):
        ticket = self.get_object()
        return self.idempotent(lambda: self._reply(ticket))

    def _reply(self, ticket):
        serializer = TicketReplySerializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        ticket_reply(ticket=ticket, body=serializer.validated_data["message"],
                     attachment=serializer.validated_data["attachment"], acting_user=self.request.user,
                     source=EventSource.API)
        return Response(TicketDetailSerializer(ticket_detail_queryset(self.seller_id).get(pk=ticket.pk),
                                               context={"request": self.request}).data,
                        status=status.HTTP_201_CREATED)


class TicketCloseView(TicketQuerysetMixin, generics.GenericAPIView):
    serializer_class = NoteSerializer

    @extend_schema(tags=["tickets"], request=NoteSerializer, responses=TicketDetailSerializer,
                   summary="Close a ticket: a resolved one is closed, an open one is canceled by the seller")
    def post(self, request, pk):
        ticket = self.get_object()
        serializer = NoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        target = Ticket.Status.CLOSED if ticket.status == Ticket.Status.RESOLVED else Ticket.Status.CANCELED
        if ticket.status in (Ticket.Status.CLOSED, Ticket.Status.CANCELED):
            raise TransitionNotAllowed(record=ticket, current=ticket.get_status_display(),
                                       target=Ticket.Status(target).label)
        ticket_transition(ticket=ticket, to_status=target, acting_user=request.user, source=EventSource.API,
                          note=serializer.validated_data["note"])
        return Response(TicketDetailSerializer(ticket_detail_queryset(self.seller_id).get(pk=ticket.pk),
                                               context={"request": request}).data)


