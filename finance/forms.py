"""Admin forms of the finance app. They parse and pre-check input with the services' own checks, so a
refusal is shown on the form with a specific message and nothing is saved."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminTextInputWidget

from common.exceptions import ApplicationError
from finance.models import BankAccount, LedgerEntry, SellerBalance, Withdrawal
from finance.services import (
    LedgerPostingInvalid,
    bank_account_holder_clean,
    bank_account_number_clean,
    withdrawal_pay_check,
    withdrawal_request_check,
)

PAY_BUTTON = "finance_withdrawal_mark_paid"


def _add_service_error(form: forms.Form, exc: ApplicationError) -> None:
    field = exc.extra.get("field")
    form.add_error(field if field in form.fields else None, exc.message)


class BankAccountAdminForm(forms.ModelForm):
    """Staff type the full number here; it is stored encrypted and never shown back."""

    new_account_number = forms.CharField(
        label=_("account number"), required=False, max_length=40, widget=UnfoldAdminTextInputWidget,
        help_text=_("Digits only, 5 to 20. Stored encrypted; on an existing account leave blank to keep it."),
    )

    class Meta:
        model = BankAccount
        fields = ["seller", "bank_code", "holder_name", "is_default", "is_active"]

    def clean_new_account_number(self):
        value = self.cleaned_data.get("new_account_number", "")
        if not value:
            if self.instance.pk is None:
                raise forms.ValidationError(_("Enter the account number."), code="required")
            return ""
        try:
            return bank_account_number_clean(value)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message, code="invalid_account_number") from exc

    def clean_holder_name(self):
        try:
            return bank_account_holder_clean(self.cleaned_data.get("holder_name"))
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message, code="invalid_holder_name") from exc


class LedgerAdjustmentForm(forms.ModelForm):
    """A manual correction of a seller's available balance (positive credits, negative debits)."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    class Meta:
        model = LedgerEntry
        fields = ["seller", "amount", "memo", "reference"]
        help_texts = {"amount": _("Positive credits the seller, negative debits the seller."),
                      "memo": _("Why the balance is adjusted; shown to finance staff.")}

    def clean_amount(self):
        amount = self.cleaned_data.get("amount")
        if amount is not None and amount == 0:
            raise forms.ValidationError(_("An adjustment cannot be zero."), code="zero")
        return amount

    def clean_memo(self):
        memo = (self.cleaned_data.get("memo") or "").strip()
        if not memo:
            raise forms.ValidationError(_("Say why the balance is adjusted."), code="required")
        return memo

    def clean(self):
        data = super().clean()
        seller, amount = data.get("seller"), data.get("amount")
        if seller is not None and amount is not None and amount < 0:
            balance = SellerBalance.objects.filter(seller_id=seller.pk).first()
            available = balance.available if balance else 0
            if available + amount < 0:
                from common.money import format_rupiah

                _add_service_error(self, LedgerPostingInvalid(
                    _("The available balance of %(seller)s is %(available)s; it cannot go below zero.")
                    % {"seller": seller, "available": format_rupiah(available)}, extra={"field": "amount"}))
        return data


class WithdrawalRequestForm(forms.ModelForm):
    class Meta:
        model = Withdrawal
        fields = ["seller", "bank_account", "amount", "notes"]

    def clean(self):
        data = super().clean()
        seller, bank_account, amount = data.get("seller"), data.get("bank_account"), data.get("amount")
        if seller is not None and bank_account is not None and amount is not None:
            try:
                withdrawal_request_check(seller=seller, bank_account=bank_account, amount=amount)
            except ApplicationError as exc:
                _add_service_error(self, exc)
        return data


class WithdrawalChangeForm(forms.ModelForm):
    """Notes are editable; on an approved withdrawal the payer fills the transfer reference (and proof)
    and presses "Mark paid". The checks of the payout run here so a refusal stays on the form."""

    request = None  # set by WithdrawalAdmin.get_form

    class Meta:
        model = Withdrawal
        fields = ["notes"]

    def clean(self):
        data = super().clean()
        paying = self.request is not None and PAY_BUTTON in self.request.POST
        reference = (data.get("transfer_reference") or "").strip()
        if paying:
            if self.instance.status != Withdrawal.Status.APPROVED:
                self.add_error(None, _("Only an approved withdrawal can be marked paid."))
                return data
            try:
                withdrawal_pay_check(withdrawal=self.instance, acting_user=self.request.user,
                                     transfer_reference=reference, transfer_proof=data.get("transfer_proof"))
            except ApplicationError as exc:
                _add_service_error(self, exc)
        elif reference or data.get("transfer_proof"):
            self.add_error("transfer_reference", _("Press “Mark paid” to record the transfer."))
        return data
