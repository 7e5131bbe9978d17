from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.admin import TabularInline
from unfold.contrib.filters.admin import AutocompleteSelectFilter, RangeDateFilter, RangeDateTimeFilter
from unfold.decorators import action as unfold_action

from common.admin import BaseAdmin, BigTableAdmin, ReadOnlyAdminMixin, run_for_each, rupiah
from common.exceptions import ApplicationError
from common.models import EventSource
from finance.forms import (
    PAY_BUTTON,
    BankAccountAdminForm,
    LedgerAdjustmentForm,
    WithdrawalChangeForm,
    WithdrawalRequestForm,
)
from finance.models import (
    BankAccount,
    CodRemittance,
    CodRemittanceLine,
    LedgerEntry,
    SellerBalance,
    Withdrawal,
    WithdrawalEvent,
)
from finance.services import (
    bank_account_add,
    bank_account_change_details,
    bank_account_holder_warning,
    bank_account_set_active,
    bank_account_set_default,
    bank_account_verify,
    cod_remittance_match,
    ledger_adjust,
    ledger_reverse,
    withdrawal_approve,
    withdrawal_cancel,
    withdrawal_pay,
    withdrawal_reject,
    withdrawal_request,
    withdrawal_review,
)


def _adopt(obj, created) -> None:
    """Make the admin's unsaved `obj` stand for the row a service created (redirects and log entries)."""
    for name, value in created.__dict__.items():
        if name != "_state":
            obj.__dict__[name] = value
    obj._state.adding = False
    obj._state.db = created._state.db


class ServiceSavedAdminMixin:
    """save_model calls a service; when the service refuses at that last moment (a race the form could not
    see), the refusal is shown, nothing is logged and the form page is shown again."""

    def _refuse(self, request, obj, exc: ApplicationError) -> None:
        obj._service_refused = True
        self.message_user(request, exc.message, messages.ERROR)

    def log_addition(self, request, obj, message):
        if not getattr(obj, "_service_refused", False):
            return super().log_addition(request, obj, message)
        return None

    def log_change(self, request, obj, message):
        if not getattr(obj, "_service_refused", False):
            return super().log_change(request, obj, message)
        return None

    def save_related(self, request, form, formsets, change):
        if not getattr(form.instance, "_service_refused", False):
            super().save_related(request, form, formsets, change)

    def response_add(self, request, obj, post_url_continue=None):
        if getattr(obj, "_service_refused", False):
            return HttpResponseRedirect(request.path)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if getattr(obj, "_service_refused", False):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)


# --- bank accounts --------------------------------------------------------------------------------------

@admin.register(BankAccount)
class BankAccountAdmin(ServiceSavedAdminMixin, BaseAdmin):
    form = BankAccountAdminForm
    seller_path = "seller"
    list_display = ["__str__", "seller", "bank_code", "masked_number_column", "holder_name", "is_verified",
                    "is_default", "is_active", "changed_at"]
    list_select_related = ["seller"]
    list_filter = ["bank_code", "is_verified", "is_default", "is_active",
                   ("seller", AutocompleteSelectFilter)]
    list_filter_submit = True
    search_fields = ["seller__code__exact", "account_number_last4__exact", "holder_name"]
    autocomplete_fields = ["seller"]
    actions = ["verify", "make_default"]

    @admin.display(description=gettext_lazy("account number"))
    def masked_number_column(self, obj):
        return obj.masked_number

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            fields = ["seller", "bank_code", "new_account_number", "holder_name", "is_default"]
        else:
            fields = ["seller", "bank_code", "masked_number_column", "new_account_number", "holder_name",
                      "is_active", "is_default", "is_verified", "verified_by", "verified_at", "changed_at",
                      "created_at", "updated_at"]
        return [(None, {"fields": fields})]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["seller", "masked_number_column", "is_default", "is_verified", "verified_by", "verified_at",
                "changed_at", "created_at", "updated_at"]

    def has_delete_permission(self, request, obj=None):
        return False  # withdrawals point at accounts; deactivate instead

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if not change:
                created = bank_account_add(
                    seller=data["seller"], bank_code=data["bank_code"],
                    account_number=data["new_account_number"], holder_name=data["holder_name"],
                    is_default=data.get("is_default", False),
                    acting_user=request.user,
                )
                _adopt(obj, created)
                self._warn_holder(request, created.pk)
                return
            original = BankAccount.objects.get(pk=obj.pk)
            bank_account_change_details(
                bank_account=original, acting_user=request.user, bank_code=data.get("bank_code"),
                account_number=data.get("new_account_number") or None, holder_name=data.get("holder_name"),
            )
            if "is_active" in form.changed_data:
                bank_account_set_active(bank_account=original, is_active=data["is_active"],
                                        acting_user=request.user)
            _adopt(obj, BankAccount.objects.get(pk=obj.pk))
        except ApplicationError as exc:
            self._refuse(request, obj, exc)
            return
        self._warn_holder(request, obj.pk)

    def _warn_holder(self, request, pk) -> None:
        warning = bank_account_holder_warning(bank_account=BankAccount.objects.select_related("seller").get(pk=pk))
        if warning:
            self.message_user(request, warning, messages.WARNING)

    def has_verify_permission(self, request):
        return request.user.has_perm("finance.change_bankaccount")

    @admin.action(description=gettext_lazy("Verify selected bank accounts"), permissions=["verify"])
    def verify(self, request, queryset):
        run_for_each(self, request, queryset,
                     lambda account: bank_account_verify(bank_account=account, acting_user=request.user),
                     done_message=_("Bank accounts verified: %(count)d."))

    @admin.action(description=gettext_lazy("Make default account of its seller"), permissions=["change"])
    def make_default(self, request, queryset):
        run_for_each(self, request, queryset,
                     lambda account: bank_account_set_default(bank_account=account, acting_user=request.user),
                     done_message=_("Default bank accounts set: %(count)d."))


# --- ledger ---------------------------------------------------------------------------------------------

@admin.register(LedgerEntry)
class LedgerEntryAdmin(ServiceSavedAdminMixin, ReadOnlyAdminMixin, BigTableAdmin):
    """Append-only: rows are never edited. "Add" is the adjustment form; "Reverse" posts the opposite."""

    seller_path = "seller"
    list_display = ["id", "created_at", "seller", "entry_type", rupiah("amount", gettext_lazy("amount")),
                    rupiah("held_amount", gettext_lazy("held change")),
                    rupiah("balance_after", gettext_lazy("available after")),
                    rupiah("held_after", gettext_lazy("held after")), "posting_key", "reference"]
    list_select_related = ["seller"]
    list_filter = ["entry_type", ("seller", AutocompleteSelectFilter), ("created_at", RangeDateTimeFilter)]
    list_filter_submit = True
    search_fields = ["posting_key__exact", "reference__exact"]
    autocomplete_fields = ["seller"]
    actions = ["reverse_entries"]

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm("finance.add_ledgerentry")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = LedgerAdjustmentForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(gettext_lazy("Balance adjustment"),
                     {"fields": ["seller", "amount", "memo", "reference", "idempotency_key"]})]
        return super().get_fieldsets(request, obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            entry = ledger_adjust(
                seller=data["seller"], amount=data["amount"], memo=data["memo"],
                reference=data.get("reference", ""),
                posting_key=f"adjustment:{data['idempotency_key']}", acting_user=request.user,
            )
        except ApplicationError as exc:
            self._refuse(request, obj, exc)
            return
        _adopt(obj, entry)

    @admin.action(description=gettext_lazy("Reverse selected entries"), permissions=["add"])
    def reverse_entries(self, request, queryset):
        run_for_each(self, request, queryset.select_related("seller"),
                     lambda entry: ledger_reverse(entry=entry, acting_user=request.user,
                                                  memo=_("Reversed by %(user)s") % {"user": request.user}),
                     done_message=_("Entries reversed: %(count)d."))


@admin.register(SellerBalance)
class SellerBalanceAdmin(ReadOnlyAdminMixin, BaseAdmin):
    seller_path = "seller"
    list_display = ["seller", rupiah("available", gettext_lazy("available")),
                    rupiah("held", gettext_lazy("held")), "updated_at"]
    list_select_related = ["seller"]
    search_fields = ["seller__code__exact"]
    list_filter = [("seller", AutocompleteSelectFilter)]
    list_filter_submit = True
    ordering = ["seller__code"]

    # Buttons above the balances list that open the finance screens.
    actions_list = ["open_dashboard", "open_statement", "open_reconciliation", "open_cod_variances",
                    "post_missing"]

    def has_post_missing_permission(self, request):
        return request.user.has_perm("finance.add_ledgerentry")

    @unfold_action(description=gettext_lazy("Post missing ledger postings"), url_path="post-missing",
                   permissions=["post_missing"])
    def post_missing(self, request):
        """COD credits, fees, RTS charges and claim payouts still owed (e.g. a debit deferred for a low
        balance): finance.postings.ledger_catch_up, each once by its posting key."""
        from django.urls import reverse

        from finance.postings import ledger_catch_up

        result = ledger_catch_up()
        self.message_user(request, _("Ledger postings made: %(posted)d; still waiting for balance: %(deferred)d.")
                          % result, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:finance_sellerbalance_changelist"))

    def _open(self, name):
        from django.urls import reverse

        return HttpResponseRedirect(reverse(f"admin:finance_sellerbalance_{name}"))

    @unfold_action(description=gettext_lazy("Finance dashboard"), url_path="open-dashboard")
    def open_dashboard(self, request):
        return self._open("dashboard")

    @unfold_action(description=gettext_lazy("Seller statement"), url_path="open-statement")
    def open_statement(self, request):
        return self._open("statement")

    @unfold_action(description=gettext_lazy("Ledger and platform balances"), url_path="open-reconciliation")
    def open_reconciliation(self, request):
        return self._open("reconciliation")

    @unfold_action(description=gettext_lazy("COD variances"), url_path="open-cod-variances")
    def open_cod_variances(self, request):
        return self._open("cod_variances")

    def get_urls(self):
        """The finance screens live under the balances (finance/admin_views.py)."""
        from django.urls import path

        from finance import admin_views

        def screen(view):
            return self.admin_site.admin_view(lambda request: view(self, request))

        return [
            path("dashboard/", screen(admin_views.dashboard_view), name="finance_sellerbalance_dashboard"),
            path("statement/", screen(admin_views.statement_view), name="finance_sellerbalance_statement"),
            path("reconciliation/", screen(admin_views.reconciliation_view),
                 name="finance_sellerbalance_reconciliation"),
            path("cod-variances/", screen(admin_views.cod_variances_view),
                 name="finance_sellerbalance_cod_variances"),
            *super().get_urls(),
        ]


# --- withdrawals ----------------------------------------------------------------------------------------

class WithdrawalEventInline(ReadOnlyAdminMixin, TabularInline):
    model = WithdrawalEvent
    extra = 0
    fields = ["created_at", "from_status", "to_status", "actor", "source", "note"]
    readonly_fields = fields
    can_delete = False


_WITHDRAWAL_DETAIL_FIELDS = [
    "seller", "bank_account", "amount_display", "status", "possible_duplicate", "account", "external_id",
    "platform_status",
    "requested_by", "reviewed_by", "approved_by", "approved_at", "paid_by", "paid_at", "created_at",
    "updated_at",
]


@admin.register(Withdrawal)
class WithdrawalAdmin(ServiceSavedAdminMixin, BaseAdmin):
    seller_path = "seller"
    list_display = ["__str__", "seller", "bank_account", rupiah("amount", gettext_lazy("amount")), "status",
                    "possible_duplicate", "created_at", "approved_by", "paid_by", "paid_at", "platform_status"]
    list_select_related = ["seller", "bank_account", "approved_by", "paid_by"]
    list_filter = ["status", ("seller", AutocompleteSelectFilter), "possible_duplicate",
                   ("created_at", RangeDateTimeFilter)]
    list_filter_submit = True
    search_fields = ["transfer_reference__exact", "external_id__exact", "seller__code__exact"]
    autocomplete_fields = ["seller", "bank_account"]
    inlines = [WithdrawalEventInline]
    actions = ["review", "approve", "reject", "cancel"]
    actions_submit_line = ["mark_paid"]

    @admin.display(description=gettext_lazy("amount"))
    def amount_display(self, obj):
        return rupiah("amount", "")(obj)

    # Forms: "add" requests a withdrawal (held on the ledger); "change" edits notes and records payouts.
    def _payable(self, request, obj) -> bool:
        return (obj is not None and obj.status == Withdrawal.Status.APPROVED
                and request.user.has_perm("finance.pay_withdrawal"))

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = WithdrawalRequestForm
            return super().get_form(request, obj, change, **kwargs)
        kwargs["form"] = type("WithdrawalChangeForm", (WithdrawalChangeForm,), {"request": request})
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["seller", "bank_account", "amount", "account", "notes"]})]
        payout = ["transfer_reference", "transfer_proof"]
        return [
            (None, {"fields": _WITHDRAWAL_DETAIL_FIELDS}),
            (gettext_lazy("Payout"), {"fields": payout,
                                      "description": gettext_lazy(
                                          "Enter the bank's transfer reference (and the proof) and press "
                                          "“Mark paid”.") if self._payable(request, obj) else ""}),
            (gettext_lazy("Notes"), {"fields": ["notes"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        fields = list(_WITHDRAWAL_DETAIL_FIELDS)
        if not self._payable(request, obj):
            fields += ["transfer_reference", "transfer_proof"]
        return fields

    def has_delete_permission(self, request, obj=None):
        return False  # the ledger refers to withdrawals; cancel or reject instead

    def get_actions_submit_line(self, request, object_id):
        if not object_id:
            return []
        obj = self.get_object(request, object_id)
        if not self._payable(request, obj):
            return []
        return super().get_actions_submit_line(request, object_id)

    @unfold_action(description=gettext_lazy("Mark paid"), permissions=["pay"])
    def mark_paid(self, request, obj):
        """Rendered as a form button; the payout itself happens in save_model."""

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            try:
                created = withdrawal_request(
                    seller=data["seller"], bank_account=data["bank_account"], amount=data["amount"],
                    acting_user=request.user, source=EventSource.STAFF, notes=data.get("notes", ""),
                    account=data.get("account"),
                )
            except ApplicationError as exc:
                self._refuse(request, obj, exc)
                return
            _adopt(obj, created)
            return
        if "notes" in form.changed_data:
            obj.save(update_fields=["notes", "updated_at"])
        if PAY_BUTTON in request.POST:
            try:
                withdrawal_pay(withdrawal=obj, acting_user=request.user,
                               transfer_reference=data.get("transfer_reference", ""),
                               transfer_proof=data.get("transfer_proof") or None)
            except ApplicationError as exc:
                self._refuse(request, obj, exc)
                return
            self.message_user(request, _("%(withdrawal)s marked paid.") % {"withdrawal": obj},
                              messages.SUCCESS)

    def has_review_permission(self, request, obj=None):
        return request.user.has_perm("finance.review_withdrawal")

    def has_approve_permission(self, request, obj=None):
        return request.user.has_perm("finance.approve_withdrawal")

    def has_pay_permission(self, request, obj=None):
        return request.user.has_perm("finance.pay_withdrawal")

    def has_cancel_permission(self, request, obj=None):
        return request.user.has_perm("finance.change_withdrawal")

    def _run(self, request, queryset, service, done_message):
        run_for_each(self, request, queryset,
                     lambda withdrawal: service(withdrawal=withdrawal, acting_user=request.user,
                                                source=EventSource.STAFF),
                     done_message=done_message)

    @admin.action(description=gettext_lazy("Put on review"), permissions=["review"])
    def review(self, request, queryset):
        self._run(request, queryset, withdrawal_review, _("Withdrawals put on review: %(count)d."))

    @admin.action(description=gettext_lazy("Approve"), permissions=["approve"])
    def approve(self, request, queryset):
        self._run(request, queryset, withdrawal_approve, _("Withdrawals approved: %(count)d."))

    @admin.action(description=gettext_lazy("Reject and release the held amount"), permissions=["approve"])
    def reject(self, request, queryset):
        self._run(request, queryset, withdrawal_reject, _("Withdrawals rejected: %(count)d."))

    @admin.action(description=gettext_lazy("Cancel and release the held amount"), permissions=["cancel"])
    def cancel(self, request, queryset):
        self._run(request, queryset, withdrawal_cancel, _("Withdrawals canceled: %(count)d."))


# --- COD remittances ------------------------------------------------------------------------------------

class CodRemittanceLineInline(ReadOnlyAdminMixin, TabularInline):
    model = CodRemittanceLine
    extra = 0
    fields = ["awb", "amount", "shipment", "match", "expected_amount"]
    readonly_fields = fields
    can_delete = False


@admin.register(CodRemittance)
class CodRemittanceAdmin(BaseAdmin):
    """Remittances are entered or uploaded through the plain entry form (cod_remittance_create checks every
    line first); here they are read and matched. Lines never change after entry."""

    list_display = ["reference", "remitted_on", "courier", "account",
                    rupiah("total_amount", gettext_lazy("total")), "status", "created_at"]
    list_select_related = ["courier", "account"]
    list_filter = ["status", "courier", ("remitted_on", RangeDateFilter)]
    list_filter_submit = True
    search_fields = ["reference__exact"]
    readonly_fields = ["reference", "remitted_on", "courier", "account", "total_amount", "status", "source_file",
                       "created_by", "created_at", "updated_at"]
    inlines = [CodRemittanceLineInline]
    actions = ["match_and_post"]

    def get_urls(self):
        from django.urls import path

        from finance import admin_views

        entry = self.admin_site.admin_view(lambda request: admin_views.remittance_entry_view(self, request))
        return [path("entry/", entry, name="finance_codremittance_entry"), *super().get_urls()]

    # Added through the entry form only (the button above the list), never the model form.
    actions_list = ["open_entry"]

    def has_add_permission(self, request):
        return False

    def has_open_entry_permission(self, request):
        return request.user.has_perm("finance.add_codremittance")

    @unfold_action(description=gettext_lazy("Enter or upload a COD remittance"), url_path="open-entry",
                   permissions=["open_entry"])
    def open_entry(self, request):
        from django.urls import reverse

        return HttpResponseRedirect(reverse("admin:finance_codremittance_entry"))

    def has_delete_permission(self, request, obj=None):
        return False  # matched lines carry ledger postings

    @admin.action(description=gettext_lazy("Match and post the COD credits"), permissions=["change"])
    def match_and_post(self, request, queryset):
        run_for_each(self, request, queryset,
                     lambda remittance: cod_remittance_match(remittance=remittance, acting_user=request.user),
                     done_message=_("Remittances matched: %(count)d."))
