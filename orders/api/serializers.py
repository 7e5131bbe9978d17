import datetime as dt
import decimal

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from catalog.models import Warehouse
from integrations.models import Platform
from logistics.models import Courier, Shipment, TrackingEvent
from orders.models import Customer, Order, OrderItem, PaymentMethod

MAX_QUANTITY = 100_000


class CustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "name", "phone", "email", "address", "subdistrict", "district", "city", "province",
                  "postal_code"]
        read_only_fields = fields


# The order list reads these columns only (a values() query: no model instances for a page of rows).
ORDER_LIST_VALUES = {
    "id": "id", "order_no": "order_no", "invoice_no": "invoice_no", "status": "status",
    "payment_method": "payment_method", "payment_status": "payment_status", "grand_total": "grand_total",
    "customer_name": "customer__name", "customer_phone": "customer__phone", "platform": "account__platform",
    "courier_code": "courier__code", "courier_service": "courier_service", "created_at": "created_at",
}

_MONEY = serializers.DecimalField(max_digits=14, decimal_places=2)
_DATETIME = serializers.DateTimeField()
_CENTS = decimal.Decimal("0.01")


def _money_context() -> decimal.Context:
    """The context DecimalField.quantize rounds in: the current one with the field's precision."""
    context = decimal.getcontext().copy()
    context.prec = _MONEY.max_digits
    return context


def _fast_row(row: dict, tz, context: decimal.Context) -> dict:
    """OrderListSerializer.to_representation(row) for a row of ORDER_LIST_VALUES whose grand_total is a
    Decimal and created_at an aware datetime, with ISO 8601 datetimes and decimals as strings (the
    settings in use), in the current time zone `tz` and the money `context` (_money_context()); None when
    the row is not such a row."""
    total, created = row["grand_total"], row["created_at"]
    if type(total) is not decimal.Decimal or type(created) is not dt.datetime or created.tzinfo is None:
        return None
    created = created.astimezone(tz).isoformat()
    return {
        "id": row["id"], "order_no": row["order_no"], "invoice_no": row["invoice_no"], "status": row["status"],
        "payment_method": row["payment_method"], "payment_status": row["payment_status"],
        "is_cod": row["payment_method"] == PaymentMethod.COD,
        "grand_total": f"{total.quantize(_CENTS, context=context):f}",
        "customer_name": row["customer_name"], "customer_phone": row["customer_phone"], "platform": row["platform"],
        "courier": row["courier_code"], "courier_service": row["courier_service"],
        "created_at": created[:-6] + "Z" if created.endswith("+00:00") else created,
    }


class OrderListRowsSerializer(serializers.ListSerializer):
    """A page of ORDER_LIST_VALUES rows, each built by _fast_row: the time zone, the money context and the
    output settings looked up once a page, not once a field of each row."""

    def to_representation(self, data):
        if (type(self.child) is OrderListSerializer and isinstance(data, list)
                and str(api_settings.DATETIME_FORMAT).lower() == ISO_8601 and api_settings.COERCE_DECIMAL_TO_STRING
                and settings.USE_TZ and all(isinstance(row, dict) for row in data)):
            tz, context = timezone.get_current_timezone(), _money_context()
            page = [_fast_row(row, tz, context) for row in data]
            if None not in page:
                return page
        return super().to_representation(data)


class OrderListSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    customer_phone = serializers.CharField(source="customer.phone", read_only=True)
    platform = serializers.ChoiceField(source="account.platform", choices=Platform.choices, read_only=True,
                                       allow_null=True, default=None)
    courier = serializers.CharField(source="courier.code", read_only=True, allow_null=True, default=None)
    is_cod = serializers.BooleanField(read_only=True)

    class Meta:
        model = Order
        fields = ["id", "order_no", "invoice_no", "status", "payment_method", "payment_status", "is_cod",
                  "grand_total", "customer_name", "customer_phone", "platform", "courier", "courier_service",
                  "created_at"]
        read_only_fields = fields
        list_serializer_class = OrderListRowsSerializer

    def to_representation(self, instance):
        if not isinstance(instance, dict):
            return super().to_representation(instance)
        # A row of ORDER_LIST_VALUES: the same output as the declared fields, built directly (without
        # building this ModelSerializer's fields, which costs more than the page itself).
        return {
            "id": instance["id"], "order_no": instance["order_no"], "invoice_no": instance["invoice_no"],
            "status": instance["status"], "payment_method": instance["payment_method"],
            "payment_status": instance["payment_status"], "is_cod": instance["payment_method"] == PaymentMethod.COD,
            "grand_total": _MONEY.to_representation(instance["grand_total"]),
            "customer_name": instance["customer_name"], "customer_phone": instance["customer_phone"],
            "platform": instance["platform"], "courier": instance["courier_code"],
            "courier_service": instance["courier_service"],
            "created_at": _DATETIME.to_representation(instance["created_at"]),
        }


class OrderItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderItem
        fields = ["id", "variant", "sku", "name", "quantity", "unit_price", "discount", "line_total",
                  "weight_grams"]
        read_only_fields = fields


class TrackingEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrackingEvent
        fields = ["occurred_at", "status_code", "description", "location"]
        read_only_fields = fields


class ShipmentSerializer(serializers.ModelSerializer):
    courier = serializers.CharField(source="courier.code", read_only=True)
    courier_name = serializers.CharField(source="courier.name", read_only=True)
    tracking = TrackingEventSerializer(source="tracking_events", many=True, read_only=True)

    class Meta:
        model = Shipment
        fields = ["id", "courier", "courier_name", "service", "awb", "status", "weight_grams", "cod_amount",
                  "shipping_fee", "label_url", "shipped_at", "delivered_at", "last_tracked_at", "tracking"]
        read_only_fields = fields


class OrderDetailSerializer(OrderListSerializer):
    customer = CustomerSerializer(read_only=True)
    items = OrderItemSerializer(many=True, read_only=True)
    shipments = ShipmentSerializer(many=True, read_only=True)

    class Meta(OrderListSerializer.Meta):
        fields = [*OrderListSerializer.Meta.fields, "platform_status", "subtotal", "discount", "shipping_cost",
                  "cod_fee", "other_costs", "warehouse", "notes", "customer", "items", "shipments", "updated_at"]
        read_only_fields = fields


# --- create -----------------------------------------------------------------------------------------


class CustomerInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="",
                                  help_text=_("Indonesian number: 08…, 628… or +628…"))
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    subdistrict = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    district = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    province = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    postal_code = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")

    def validate_phone(self, value):
        from common.phones import normalize_phone

        try:
            return normalize_phone(value)
        except ValueError:
            raise serializers.ValidationError(_("Not a valid phone number.")) from None


class OrderItemInputSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False,
                                          help_text=_("Defaults to the variant's price."))
    discount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False,
                                        default=0)
    name = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class OrderCreateSerializer(serializers.Serializer):
    customer = CustomerInputSerializer()
    items = OrderItemInputSerializer(many=True, allow_empty=False, max_length=200)
    payment_method = serializers.ChoiceField(choices=PaymentMethod.choices)
    shipping_cost = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, default=0)
    cod_fee = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, default=0)
    discount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, default=0)
    warehouse = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects.none(), required=False,
                                                   allow_null=True, default=None)
    courier = serializers.SlugRelatedField(slug_field="code", queryset=Courier.objects.filter(is_active=True),
                                           required=False, allow_null=True, default=None)
    courier_service = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    def __init__(self, *args, seller=None, **kwargs):
        super().__init__(*args, **kwargs)
        if seller is not None:
            self.fields["warehouse"].queryset = Warehouse.objects.filter(
                Q(seller=seller) | Q(seller__isnull=True), is_active=True
            )


class OrderCancelSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
