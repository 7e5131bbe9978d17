from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from catalog.models import Warehouse
from common.api_schema import LocalTimeField
from logistics.models import Courier, PickupRequest, Ticket, TicketMessage
from orders.models import Order

MAX_WEIGHT_GRAMS = 1_000_000


def _seller_warehouses(seller):
    return Warehouse.objects.filter(Q(seller=seller) | Q(seller__isnull=True), is_active=True)


# --- shipping quote ---------------------------------------------------------------------------------


class ShippingQuoteRequestSerializer(serializers.Serializer):
    order = serializers.PrimaryKeyRelatedField(
        queryset=Order.objects.none(), required=False, allow_null=True, default=None,
        help_text=_("Quote for this order (its addresses and weight); the other fields are then ignored."),
    )
    account = serializers.PrimaryKeyRelatedField(
        queryset=Order.objects.none(), required=False, allow_null=True, default=None,
        help_text=_("The platform account to ask; all of the seller's quoting accounts when empty."),
    )
    origin = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="",
        help_text=_("Origin area: postal code, district or the platform's area id; empty for the account's "
                    "own pickup origin where the platform has one."),
    )
    destination = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    weight_grams = serializers.IntegerField(min_value=1, max_value=MAX_WEIGHT_GRAMS, required=False,
                                            allow_null=True, default=None)
    cod_value = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, default=0)
    item_value = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, default=0)

    def __init__(self, *args, seller=None, accounts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if seller is not None:
            self.fields["order"].queryset = Order.objects.filter(seller=seller)
        if accounts is not None:
            self.fields["account"].queryset = accounts

    def validate(self, attrs):
        if attrs.get("order") is None:
            errors = {}
            for name in ("destination", "weight_grams"):  # origin: the platform's default when empty
                if not attrs.get(name):
                    errors[name] = [_("Required when no order is given.")]
            if errors:
                raise serializers.ValidationError(errors)
        return attrs


class ShippingOptionSerializer(serializers.Serializer):
    platform = serializers.CharField()
    courier_code = serializers.CharField()
    courier_name = serializers.CharField()
    service_code = serializers.CharField()
    service_name = serializers.CharField()
    cost = serializers.DecimalField(max_digits=14, decimal_places=2)
    cod_fee = serializers.DecimalField(max_digits=14, decimal_places=2)
    etd = serializers.CharField(allow_blank=True)


class ShippingQuoteErrorSerializer(serializers.Serializer):
    account = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()


class ShippingQuoteSerializer(serializers.Serializer):
    options = ShippingOptionSerializer(many=True)
    errors = ShippingQuoteErrorSerializer(many=True, help_text=_("Accounts that could not quote, and why."))


# --- pickups ----------------------------------------------------------------------------------------


class PickupSerializer(serializers.ModelSerializer):
    courier = serializers.CharField(source="courier.code", read_only=True, allow_null=True, default=None)
    time_from = LocalTimeField(read_only=True)
    time_to = LocalTimeField(read_only=True)
    orders = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = PickupRequest
        fields = ["id", "status", "pickup_date", "time_from", "time_to", "vehicle", "contact_name",
                  "contact_phone", "warehouse", "address", "courier", "orders", "failure_reason", "created_at",
                  "updated_at"]
        read_only_fields = fields


class PickupCreateSerializer(serializers.Serializer):
    orders = serializers.ListField(child=serializers.PrimaryKeyRelatedField(queryset=Order.objects.none()),
                                   allow_empty=False, max_length=500, help_text=_("Ids of orders with an AWB."))
    pickup_date = serializers.DateField()
    time_from = LocalTimeField(help_text=_("Start of the pickup window, WIB."))
    time_to = LocalTimeField(help_text=_("End of the pickup window, WIB."))
    vehicle = serializers.ChoiceField(choices=PickupRequest.Vehicle.choices, default=PickupRequest.Vehicle.MOTOR)
    contact_name = serializers.CharField(max_length=200)
    contact_phone = serializers.CharField(max_length=20)
    warehouse = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects.none(), required=False,
                                                   allow_null=True, default=None)
    address = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    courier = serializers.SlugRelatedField(slug_field="code", queryset=Courier.objects.filter(is_active=True),
                                           required=False, allow_null=True, default=None)

    def __init__(self, *args, seller=None, **kwargs):
        super().__init__(*args, **kwargs)
        if seller is not None:
            self.fields["orders"].child.queryset = Order.objects.filter(seller=seller)
            self.fields["warehouse"].queryset = _seller_warehouses(seller)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


# --- tickets ----------------------------------------------------------------------------------------


class TicketSerializer(serializers.ModelSerializer):
    order_no = serializers.CharField(source="order.order_no", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Ticket
        fields = ["id", "number", "subject", "type", "priority", "status", "order", "order_no", "awb",
                  "last_message_at", "created_at", "updated_at"]
        read_only_fields = fields


class TicketMessageSerializer(serializers.ModelSerializer):
    attachment = serializers.FileField(read_only=True, allow_null=True, use_url=True)

    class Meta:
        model = TicketMessage
        fields = ["id", "author_name", "is_from_staff", "body", "attachment", "created_at"]
        read_only_fields = fields


class TicketDetailSerializer(TicketSerializer):
    messages = TicketMessageSerializer(many=True, read_only=True)

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "messages"]
        read_only_fields = fields


class TicketCreateSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=255)
    message = serializers.CharField(max_length=5000)
    attachment = serializers.FileField(required=False, allow_null=True, default=None,
                                       help_text=_("JPG, PNG or PDF."))
    order = serializers.PrimaryKeyRelatedField(queryset=Order.objects.none(), required=False, allow_null=True,
                                               default=None)
    category = serializers.ChoiceField(choices=Ticket.Type.choices, required=False, default=Ticket.Type.OTHER)
    priority = serializers.ChoiceField(choices=Ticket.Priority.choices, required=False, allow_null=True,
                                       default=None)

    def __init__(self, *args, seller=None, **kwargs):
        super().__init__(*args, **kwargs)
        if seller is not None:
            self.fields["order"].queryset = Order.objects.filter(seller=seller)


class TicketReplySerializer(serializers.Serializer):
    message = serializers.CharField(max_length=5000)
    attachment = serializers.FileField(required=False, allow_null=True, default=None,
                                       help_text=_("JPG, PNG or PDF."))
