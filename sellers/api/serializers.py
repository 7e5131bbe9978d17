from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from orders.models import OrderStatus
from sellers.models import Seller, SellerUser


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(required=False, allow_blank=True, max_length=254,
                                     help_text=_("Username or email address."))
    email = serializers.EmailField(required=False, allow_blank=True, help_text=_("Instead of username."))
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})

    def validate(self, attrs):
        login = (attrs.get("username") or attrs.get("email") or "").strip()
        if not login:
            raise serializers.ValidationError({"username": [_("Give a username or an email address.")]})
        attrs["login"] = login
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class SellerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Seller
        fields = ["id", "code", "name", "status", "contact_name", "phone", "email", "address", "city", "province",
                  "postal_code"]
        read_only_fields = fields


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    role = serializers.ChoiceField(choices=SellerUser.Role.choices, source="seller_user.role")
    seller = SellerSerializer(source="seller_user.seller")


class BalanceSummarySerializer(serializers.Serializer):
    available = serializers.DecimalField(max_digits=14, decimal_places=2)
    held = serializers.DecimalField(max_digits=14, decimal_places=2)


class OrdersByStatusSerializer(serializers.Serializer):
    def get_fields(self):
        return {status: serializers.IntegerField() for status in OrderStatus.values}


class DashboardSerializer(serializers.Serializer):
    orders_by_status = OrdersByStatusSerializer()
    orders_total = serializers.IntegerField()
    balance = BalanceSummarySerializer()
    pickups_due = serializers.IntegerField(help_text=_("Active pickups dated today or earlier."))
    open_tickets = serializers.IntegerField(help_text=_("Tickets open, in progress or waiting."))
