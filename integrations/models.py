from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.fields import EncryptedJSONField
from common.models import BaseModel


class Platform(models.TextChoices):
    KOMSHIP = "komship", "Komship (Komerce)"
    NGORDER = "ngorder", "Ngorder / Smartseller"
    SCALEV = "scalev", "Scalev"
    MITRABUNSO = "mitrabunso", "Mitrabunso"


class PlatformAccount(BaseModel):
    """One connection to one external platform: a seller's, or a company-wide admin account."""

    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    name = models.CharField(_("name"), max_length=100)
    seller = models.ForeignKey("sellers.Seller", verbose_name=_("seller"), on_delete=models.PROTECT,
                               null=True, blank=True, related_name="platform_accounts",
                               help_text=_("Empty for a company-wide admin account."))
    base_url = models.URLField(_("base URL"), max_length=300)
    # Tokens, passwords and API keys: encrypted at rest, write-only in the admin, never logged.
    credentials = EncryptedJSONField(_("credentials"), blank=True, default=dict)
    external_account_id = models.CharField(
        _("platform-side id"), max_length=100, blank=True,
        help_text=_("Komship partner id, Mitrabunso id_user, Scalev business, Ngorder shop."),
    )
    options = models.JSONField(_("options"), default=dict, blank=True)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    rate_limit_per_minute = models.PositiveIntegerField(_("rate limit (requests/minute)"), default=60)
    history_days = models.PositiveIntegerField(_("history depth (days)"), default=90)
    credentials_expire_at = models.DateTimeField(_("credentials expire at"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    history = HistoricalRecords(excluded_fields=["credentials", "last_success_at", "updated_at"])

    class Meta:
        verbose_name = _("platform account")
        verbose_name_plural = _("platform accounts")
        ordering = ["platform", "name"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "name"], name="integrations_account_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} · {self.name}"


class SyncRun(models.Model):
    """One pull or push against one account: what staff look at when they ask "did it sync?"."""

    class Kind(models.TextChoices):
        ORDERS_PULL = "orders_pull", _("Pull orders")
        ORDERS_PUSH = "orders_push", _("Push orders")
        PRODUCTS_PULL = "products_pull", _("Pull products")
        PRODUCTS_PUSH = "products_push", _("Push products")
        STOCK_PUSH = "stock_push", _("Push stock")
        SHIPMENTS = "shipments", _("Shipments")
        TRACKING_PULL = "tracking_pull", _("Pull tracking")
        PICKUPS = "pickups", _("Pickups")
        TICKETS = "tickets", _("Tickets")
        WITHDRAWALS = "withdrawals", _("Withdrawals")
        BALANCES = "balances", _("Balances")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        PARTIAL = "partial", _("Partly failed")
        FAILED = "failed", _("Failed")

    account = models.ForeignKey(PlatformAccount, verbose_name=_("platform account"), on_delete=models.CASCADE,
                                related_name="sync_runs")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    fetched = models.PositiveIntegerField(_("fetched"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    flagged = models.PositiveIntegerField(_("flagged"), default=0,
                                          help_text=_("Stored with an unknown platform status; see Status mappings."))
    cursor = models.CharField(_("cursor reached"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sync run")
        verbose_name_plural = _("sync runs")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["account", "kind", "-id"], name="integrations_syncrun_account"),
            models.Index(fields=["status", "-id"], name="integrations_syncrun_status"),
            models.Index(fields=["-id"], condition=Q(status="failed"), name="integrations_syncrun_failed"),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.kind} #{self.pk}"


class RateBucket(models.Model):
    """The shared token bucket of one account: every worker takes its tokens from this row, so the
    platform's rate limit holds across processes (Celery's rate_limit is per worker)."""

    account = models.OneToOneField(PlatformAccount, on_delete=models.CASCADE, primary_key=True,
                                   related_name="rate_bucket")
    tokens = models.FloatField(default=0)
    refilled_at = models.FloatField(default=0)  # epoch seconds

    class Meta:
        verbose_name = _("rate bucket")
        verbose_name_plural = _("rate buckets")

    def __str__(self) -> str:
        return f"{self.account_id}: {self.tokens:.1f}"


class InboundEvent(models.Model):
    """A webhook delivery, stored before it is processed so nothing is lost and staff can replay it."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        FAILED = "failed", _("Failed")
        IGNORED = "ignored", _("Ignored")

    account = models.ForeignKey(PlatformAccount, verbose_name=_("platform account"), on_delete=models.CASCADE,
                                related_name="inbound_events")
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    event_id = models.CharField(_("event id"), max_length=100)
    event_type = models.CharField(_("event type"), max_length=64)
    body = models.TextField(_("raw body"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbound event")
        verbose_name_plural = _("inbound events")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "event_id"], name="integrations_inbound_unique_event"),
        ]
        indexes = [models.Index(fields=["status", "-id"], name="integrations_inbound_status")]

    def __str__(self) -> str:
        return f"{self.platform} {self.event_type} {self.event_id}"
