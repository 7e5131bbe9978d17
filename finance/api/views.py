import datetime as dt
from zoneinfo import ZoneInfo

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from common.api_views import SellerScopedMixin
from common.exceptions import TransitionNotAllowed
from common.models import EventSource
from finance.api.serializers import (
    BalanceSerializer,
    BankAccountCreateSerializer,
    BankAccountSerializer,
    LedgerEntrySerializer,
    WithdrawalCancelSerializer,
    WithdrawalCreateSerializer,
    WithdrawalSerializer,
)
from finance.models import BankAccount, LedgerEntry, Withdrawal
from finance.selectors import seller_balance_get
from finance.services import bank_account_add, bank_account_set_default, withdrawal_cancel, withdrawal_request

WIB = ZoneInfo("Asia/Jakarta")


class BalanceView(SellerScopedMixin, generics.GenericAPIView):
    serializer_class = BalanceSerializer

    @extend_schema(tags=["finance"], summary="Available and held balance")
    def get(self, request):
        balance = seller_balance_get(seller=self.seller)
        return Response(BalanceSerializer(balance).data)


class LedgerFilter(django_filters.FilterSet):
    entry_type = django_filters.MultipleChoiceFilter(choices=LedgerEntry.Type.choices)
    date_from = django_filters.DateFilter(method="filter_date_from", label=_("On or after this day (WIB)"))
    date_to = django_filters.DateFilter(method="filter_date_to", label=_("On or before this day (WIB)"))

    class Meta:
        model = LedgerEntry
        fields = ["entry_type", "date_from", "date_to"]

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(created_at__gte=dt.datetime.combine(value, dt.time.min, tzinfo=WIB))

    def filter_date_to(self, queryset, name, value):
        if value >= dt.date.max:
            return queryset
        return queryset.filter(created_at__lt=dt.datetime.combine(value + dt.timedelta(days=1), dt.time.min,
                                                                  tzinfo=WIB))


class LedgerListView(SellerScopedMixin, generics.ListAPIView):
    serializer_class = LedgerEntrySerializer
    filterset_class = LedgerFilter

    def get_queryset(self):
        return LedgerEntry.objects.filter(seller_id=self.seller_id)

    @extend_schema(tags=["finance"], summary="Ledger statement, newest first")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class BankAccountQuerysetMixin(SellerScopedMixin):
    def get_queryset(self):
        return BankAccount.objects.filter(seller_id=self.seller_id, is_active=True)


class BankAccountListView(BankAccountQuerysetMixin, generics.ListCreateAPIView):
    def get_serializer_class(self):
        return BankAccountCreateSerializer if self.request.method == "POST" else BankAccountSerializer

    @extend_schema(tags=["finance"], summary="The seller's active bank accounts")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=["finance"], request=BankAccountCreateSerializer, responses={201: BankAccountSerializer},
                   summary="Add a bank account (unverified until staff verify it; honours Idempotency-Key)")
    def post(self, request, *args, **kwargs):
        return self.idempotent(self._create)

    def _create(self):
        serializer = BankAccountCreateSerializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        account = bank_account_add(seller=self.seller, acting_user=self.request.user, **serializer.validated_data)
        return Response(BankAccountSerializer(account).data, status=status.HTTP_201_CREATED)


class BankAccountDetailView(BankAccountQuerysetMixin, generics.RetrieveAPIView):
    serializer_class = BankAccountSerializer

    @extend_schema(tags=["finance"], summary="A bank account")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class BankAccountSetDefaultView(BankAccountQuerysetMixin, generics.GenericAPIView):
    serializer_class = BankAccountSerializer

    @extend_schema(tags=["finance"], request=None, responses=BankAccountSerializer,
                   summary="Make this the default account for payouts")
    def post(self, request, pk):
        account = bank_account_set_default(bank_account=self.get_object(), acting_user=request.user)
        return Response(BankAccountSerializer(account).data)


class WithdrawalFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Withdrawal.Status.choices)

    class Meta:
        model = Withdrawal
        fields = ["status"]


class WithdrawalQuerysetMixin(SellerScopedMixin):
    def get_queryset(self):
        return Withdrawal.objects.filter(seller_id=self.seller_id).select_related("bank_account")


class WithdrawalListView(WithdrawalQuerysetMixin, generics.ListCreateAPIView):
    filterset_class = WithdrawalFilter

    def get_serializer_class(self):
        return WithdrawalCreateSerializer if self.request.method == "POST" else WithdrawalSerializer

    @extend_schema(tags=["finance"], summary="Withdrawals, newest first")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=["finance"], request=WithdrawalCreateSerializer, responses={201: WithdrawalSerializer},
                   summary="Ask to pay out part of the available balance (honours Idempotency-Key)")
    def post(self, request, *args, **kwargs):
        return self.idempotent(self._create)

    def _create(self):
        serializer = WithdrawalCreateSerializer(data=self.request.data, seller=self.seller)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        withdrawal = withdrawal_request(seller=self.seller, bank_account=data["bank_account"], amount=data["amount"],
                                        notes=data["notes"], acting_user=self.request.user, source=EventSource.API)
        return Response(WithdrawalSerializer(self.get_queryset().get(pk=withdrawal.pk)).data,
                        status=status.HTTP_201_CREATED)


class WithdrawalDetailView(WithdrawalQuerysetMixin, generics.RetrieveAPIView):
    serializer_class = WithdrawalSerializer

    @extend_schema(tags=["finance"], summary="A withdrawal")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class WithdrawalCancelView(WithdrawalQuerysetMixin, generics.GenericAPIView):
    serializer_class = WithdrawalCancelSerializer

    @extend_schema(tags=["finance"], request=WithdrawalCancelSerializer, responses=WithdrawalSerializer,
                   summary="Cancel a withdrawal that is still requested; the held amount is released")
    def post(self, request, pk):
        withdrawal = self.get_object()
        serializer = WithdrawalCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if withdrawal.status != Withdrawal.Status.REQUESTED:
            # The app may cancel only before staff start the review.
            raise TransitionNotAllowed(record=withdrawal, current=withdrawal.get_status_display(),
                                       target=Withdrawal.Status.CANCELED.label)
        withdrawal_cancel(withdrawal=withdrawal, acting_user=request.user, source=EventSource.API,
                          note=serializer.validated_data["note"])
        return Response(WithdrawalSerializer(self.get_queryset().get(pk=withdrawal.pk)).data)
