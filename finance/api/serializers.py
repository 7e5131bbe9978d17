from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from finance.models import Bank, BankAccount, LedgerEntry, Withdrawal

MAX_AMOUNT = 10**12  # what DecimalField(max_digits=14, decimal_places=2) holds, in whole rupiah


class BalanceSerializer(serializers.Serializer):
    available = serializers.DecimalField(max_digits=14, decimal_places=2)
    held = serializers.DecimalField(max_digits=14, decimal_places=2)
    updated_at = serializers.DateTimeField(allow_null=True)


class LedgerEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = LedgerEntry
        fields = ["id", "entry_type", "amount", "held_amount", "balance_after", "held_after", "reference", "memo",
                  "created_at"]
        read_only_fields = fields


class BankAccountSerializer(serializers.ModelSerializer):
    masked_number = serializers.CharField(read_only=True)

    class Meta:
        model = BankAccount
        fields = ["id", "bank_code", "masked_number", "holder_name", "is_verified", "is_default", "is_active",
                  "created_at"]
        read_only_fields = fields


class BankAccountCreateSerializer(serializers.Serializer):
    bank_code = serializers.ChoiceField(choices=Bank.choices)
    account_number = serializers.CharField(max_length=40, help_text=_("5 to 20 digits; spaces and dashes are dropped."))
    holder_name = serializers.CharField(max_length=200)
    is_default = serializers.BooleanField(required=False, default=False)


class WithdrawalSerializer(serializers.ModelSerializer):
    bank_account = BankAccountSerializer(read_only=True)

    class Meta:
        model = Withdrawal
        fields = ["id", "amount", "status", "bank_account", "notes", "transfer_reference", "created_at",
                  "approved_at", "paid_at", "updated_at"]
        read_only_fields = fields


class WithdrawalCreateSerializer(serializers.Serializer):
    bank_account = serializers.PrimaryKeyRelatedField(queryset=BankAccount.objects.none(),
                                                      help_text=_("An active, verified account of the seller."))
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=1, max_value=MAX_AMOUNT - 1)
    notes = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")

    def __init__(self, *args, seller=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.seller = seller
        if seller is not None:
            self.fields["bank_account"].queryset = BankAccount.objects.filter(seller=seller)

    def validate(self, attrs):
        from common.api import application_error_fields
        from common.exceptions import ApplicationError
        from finance.services import withdrawal_request_check

        try:
            withdrawal_request_check(seller=self.seller, bank_account=attrs["bank_account"], amount=attrs["amount"])
        except ApplicationError as exc:
            raise serializers.ValidationError(
                application_error_fields(exc) or {"non_field_errors": [exc.message]}
            ) from exc
        return attrs


class WithdrawalCancelSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
