from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.fields import EncryptedTextField
from common.models import BaseModel, PlatformMirror, TransitionEvent


class Bank(models.TextChoices):
    BCA = "bca", "BCA"
    BNI = "bni", "BNI"
    BRI = "bri", "BRI"
    MANDIRI = "mandiri", "Mandiri"
    BSI = "bsi", "BSI"
    CIMB = "cimb", "CIMB Niaga"
    PERMATA = "permata", "Permata"
    DANAMON = "danamon", "Danamon"
    BTN = "btn", "BTN"
    JAGO = "jago", "Bank Jago"
    SEABANK = "seabank", "SeaBank"
    OTHER = "other", _("Other")


class BankAccount(BaseModel):
    seller = models.ForeignKey("sellers.Seller", verbose_name=_("seller"), on_delete=models.PROTECT,
                               related_name="bank_accounts")
    bank_code = models.CharField(_("bank"), max_length=16, choices=Bank.choices)
    account_number = EncryptedTextField(_("account number"))
    account_number_last4 = models.CharField(_("last 4 digits"), max_length=4, editable=False)
    holder_name = models.CharField(_("account holder"), max_length=200)
    is_verified = models.BooleanField(_("verified"), default=False)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("verified by"),
                                    on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    is_default = models.BooleanField(_("default"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    # Any change of number, bank or holder starts a cooling-off period for payouts to this account.
    changed_at = models.DateTimeField(_("details changed at"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["account_number"])

    class Meta:
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")
        ordering = ["seller", "-is_default", "id"]
        constraints = [
            models.UniqueConstraint(fields=["seller"], condition=Q(is_default=True),
                                    name="finance_bankaccount_one_default_per_seller"),
        ]

    def __str__(self) -> str:
        return f"{self.get_bank_code_display()} {self.masked_number} a.n. {self.holder_name}"

    @property
    def masked_number(self) -> str:
        return f"••••{self.account_number_last4}"


class LedgerEntry(models.Model):
    """Append-only. Never updated or deleted; a mistake is corrected by a reversing entry."""

    class Type(models.TextChoices):
        COD_CREDIT = "cod_credit", _("COD credited")
        SHIPPING_FEE = "shipping_fee", _("Shipping fee")
        SHIPPING_FEE_REFUND = "shipping_fee_refund", _("Shipping fee refund")
        WITHDRAWAL_HOLD = "withdrawal_hold", _("Withdrawal held")
        WITHDRAWAL_RELEASE = "withdrawal_release", _("Withdrawal hold released")
        WITHDRAWAL = "withdrawal", _("Withdrawal paid")
        TOP_UP = "top_up", _("Top-up")
        RTS_CHARGE = "rts_charge", _("Return (RTS) charge")
        CLAIM_PAYOUT = "claim_payout", _("Claim payout")
        COMPENSATION = "compensation", _("Lost / damaged compensation")
        ADJUSTMENT = "adjustment", _("Adjustment")
        REVERSAL = "reversal", _("Reversal")

    seller = models.ForeignKey("sellers.Seller", verbose_name=_("seller"), on_delete=models.PROTECT,
                               related_name="ledger_entries")
    entry_type = models.CharField(_("type"), max_length=24, choices=Type.choices)
    # Signed: what the entry adds to (or takes from) the available balance / the held balance.
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    held_amount = models.DecimalField(_("held change"), max_digits=14, decimal_places=2, default=0)
    posting_key = models.CharField(_("posting key"), max_length=120, unique=True,
                                   help_text=_("e.g. withdrawal:42:payout; a retry cannot post twice."))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    memo = models.CharField(_("memo"), max_length=255, blank=True)
    balance_after = models.DecimalField(_("available after"), max_digits=14, decimal_places=2)
    held_after = models.DecimalField(_("held after"), max_digits=14, decimal_places=2)
    reverses = models.OneToOneField("self", verbose_name=_("reverses"), on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="reversed_by")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0) | ~Q(held_amount=0),
                                   name="finance_ledgerentry_not_empty"),
            models.CheckConstraint(condition=Q(balance_after__gte=0) & Q(held_after__gte=0),
                                   name="finance_ledgerentry_after_not_negative"),
        ]
        indexes = [
            models.Index(fields=["seller", "-id"], name="finance_ledger_seller_id"),
            models.Index(fields=["entry_type", "-id"], name="finance_ledger_type_id"),
            models.Index(fields=["reference"], name="finance_ledger_reference"),
            models.Index(fields=["created_at"], name="finance_ledger_created"),
        ]

    def __str__(self) -> str:
        return f"{self.posting_key} {self.amount:+}"


class SellerBalance(models.Model):
    """The running balance; changed only in the same transaction as a LedgerEntry."""

    seller = models.OneToOneField("sellers.Seller", verbose_name=_("seller"), on_delete=models.PROTECT,
                                  related_name="balance", primary_key=True)
    available = models.DecimalField(_("available"), max_digits=14, decimal_places=2, default=0)
    held = models.DecimalField(_("held"), max_digits=14, decimal_places=2, default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("seller balance")
        verbose_name_plural = _("seller balances")
        constraints = [
            models.CheckConstraint(condition=Q(available__gte=0),
                                   name="finance_balance_available_not_negative"),
            models.CheckConstraint(condition=Q(held__gte=0), name="finance_balance_held_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.seller_id}: {self.available} (+{self.held} held)"


class Withdrawal(PlatformMirror, BaseModel):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ON_REVIEW = "on_review", _("On review")
        APPROVED = "approved", _("Approved")
        COMPLETED = "completed", _("Completed")
        REJECTED = "rejected", _("Rejected")
        CANCELED = "canceled", _("Canceled")

    account = models.ForeignKey("integrations.PlatformAccount", verbose_name=_("platform account"),
                                on_delete=models.PROTECT, null=True, blank=True, related_name="withdrawals")
    seller = models.ForeignKey("sellers.Seller", verbose_name=_("seller"), on_delete=models.PROTECT,
                               related_name="withdrawals")
    bank_account = models.ForeignKey(BankAccount, verbose_name=_("bank account"), on_delete=models.PROTECT,
                                     related_name="withdrawals")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    notes = models.TextField(_("notes"), blank=True)
    transfer_proof = models.FileField(_("transfer proof"), upload_to="withdrawals/%Y/%m/", blank=True)
    transfer_reference = models.CharField(_("transfer reference"), max_length=100, blank=True)
    possible_duplicate = models.BooleanField(_("possible duplicate"), default=False)
    # The status the platform last reported or accepted from us (Komship admin desk, Ngorder withdraw).
    platform_status = models.CharField(_("platform status"), max_length=32, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                     on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"),
                                    on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"),
                                    on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("paid by"), on_delete=models.PROTECT,
                                null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("withdrawal")
        verbose_name_plural = _("withdrawals")
        ordering = ["-id"]
        permissions = [
            ("review_withdrawal", _("Can put withdrawals on review")),
            ("approve_withdrawal", _("Can approve or reject withdrawals")),
            ("pay_withdrawal", _("Can mark withdrawals paid")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["account", "external_id"],
                                    condition=Q(account__isnull=False) & ~Q(external_id=""),
                                    name="finance_withdrawal_unique_external"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="finance_withdrawal_amount_positive"),
            models.CheckConstraint(
                condition=(Q(paid_by__isnull=True) | Q(approved_by__isnull=True)
                           | ~Q(paid_by=models.F("approved_by"))),
                name="finance_withdrawal_maker_checker",
            ),
        ]
        indexes = [models.Index(fields=["status", "-id"], name="finance_withdrawal_status"),
                   models.Index(fields=["seller", "-id"], name="finance_withdrawal_seller")]

    def __str__(self) -> str:
        return f"WD-{self.pk} {self.seller_id} {self.amount}"


class WithdrawalEvent(TransitionEvent):
    withdrawal = models.ForeignKey(Withdrawal, verbose_name=_("withdrawal"), on_delete=models.CASCADE,
                                   related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("withdrawal event")
        verbose_name_plural = _("withdrawal events")


class CodRemittance(BaseModel):
    """A courier's or platform's COD payout, matched line by line to our shipments."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        MATCHED = "matched", _("Matched")
        POSTED = "posted", _("Posted to ledger")

    courier = models.ForeignKey("logistics.Courier", verbose_name=_("courier"), on_delete=models.PROTECT,
                                null=True, blank=True, related_name="remittances")
    account = models.ForeignKey("integrations.PlatformAccount", verbose_name=_("platform account"),
                                on_delete=models.PROTECT, null=True, blank=True, related_name="remittances")
    reference = models.CharField(_("reference"), max_length=100, unique=True)
    remitted_on = models.DateField(_("remitted on"))
    total_amount = models.DecimalField(_("total amount"), max_digits=14, decimal_places=2)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    source_file = models.FileField(_("source file"), upload_to="remittances/%Y/%m/", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("COD remittance")
        verbose_name_plural = _("COD remittances")
        ordering = ["-remitted_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(total_amount__gte=0),
                                   name="finance_remittance_total_not_negative"),
        ]

    def __str__(self) -> str:
        return self.reference


class CodRemittanceLine(models.Model):
    class Match(models.TextChoices):
        PENDING = "pending", _("Not matched yet")
        MATCHED = "matched", _("Matched")
        SHORT = "short", _("Short")
        OVER = "over", _("Over")
        UNKNOWN_AWB = "unknown_awb", _("Unknown AWB")

    remittance = models.ForeignKey(CodRemittance, verbose_name=_("remittance"), on_delete=models.CASCADE,
                                   related_name="lines")
    awb = models.CharField(_("AWB"), max_length=64)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    shipment = models.ForeignKey("logistics.Shipment", verbose_name=_("shipment"), on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="remittance_lines")
    match = models.CharField(_("match"), max_length=16, choices=Match.choices, default=Match.PENDING)
    expected_amount = models.DecimalField(_("expected"), max_digits=14, decimal_places=2, null=True,
                                          blank=True)

    class Meta:
        verbose_name = _("COD remittance line")
        verbose_name_plural = _("COD remittance lines")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["remittance", "awb"], name="finance_remittanceline_unique_awb"),
            models.CheckConstraint(condition=Q(amount__gte=0),
                                   name="finance_remittanceline_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["awb"], name="finance_remittanceline_awb")]

    def __str__(self) -> str:
        return f"{self.awb} {self.amount}"


class PlatformBalance(models.Model):
    """The balance a platform reports for one account, as last pulled (the reconciliation compares it)."""

    account = models.OneToOneField("integrations.PlatformAccount", verbose_name=_("platform account"),
                                   on_delete=models.CASCADE, related_name="platform_balance", primary_key=True)
    seller = models.ForeignKey("sellers.Seller", verbose_name=_("seller"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="platform_balances")
    available = models.DecimalField(_("available on the platform"), max_digits=14, decimal_places=2)
    pending = models.DecimalField(_("pending on the platform"), max_digits=14, decimal_places=2, default=0)
    fetched_at = models.DateTimeField(_("fetched at"))

    class Meta:
        verbose_name = _("platform balance")
        verbose_name_plural = _("platform balances")
        ordering = ["account"]

    def __str__(self) -> str:
        return f"{self.account}: {self.available}"


class PlatformTransaction(PlatformMirror):
    """One balance transaction as the platform lists it (Komship #160), typed like our ledger."""

    seller = models.ForeignKey("sellers.Seller", verbose_name=_("seller"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="platform_transactions")
    entry_type = models.CharField(_("type"), max_length=24, choices=LedgerEntry.Type.choices)
    platform_type = models.CharField(_("platform type"), max_length=16, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    occurred_at = models.DateTimeField(_("at"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    fetched_at = models.DateTimeField(_("fetched at"), auto_now=True)

    class Meta:
        verbose_name = _("platform transaction")
        verbose_name_plural = _("platform transactions")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "external_id"], name="finance_platformtx_unique_external"),
        ]
        indexes = [models.Index(fields=["seller", "-occurred_at"], name="finance_platformtx_seller")]

    def __str__(self) -> str:
        return f"{self.external_id} {self.amount:+}"
