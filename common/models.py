from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """Timestamps on every table; admin lists and sync cursors rely on them."""

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class EventSource(models.TextChoices):
    STAFF = "staff", _("Staff")
    SYNC = "sync", _("Sync")
    WEBHOOK = "webhook", _("Webhook")
    API = "api", _("Mobile API")
    SYSTEM = "system", _("System")


class TransitionEvent(models.Model):
    """One state change of a record: who, from where, from which state to which, and why."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=16, choices=EventSource.choices, default=EventSource.STAFF)
    from_status = models.CharField(_("from"), max_length=32, blank=True)
    to_status = models.CharField(_("to"), max_length=32)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, editable=False)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


class PlatformMirror(models.Model):
    """A record that may mirror one on an external platform: `account` is empty for records that exist
    only here; `external_id` is the platform's id as a plain string, unique per account."""

    account = models.ForeignKey(
        "integrations.PlatformAccount", verbose_name=_("platform account"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    external_id = models.CharField(_("external id"), max_length=64, blank=True)

    class Meta:
        abstract = True


class IdempotencyRecord(models.Model):
    """The first answer to a creating API request sent with an `Idempotency-Key` header.

    A replay of the key by the same user returns this answer and creates nothing; the unique constraint on
    (user, key) makes two concurrent requests with one key serialise (the second waits for the first)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="+")
    key = models.CharField(_("idempotency key"), max_length=255)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=500)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64,
                                   help_text=_("SHA-256 of the method, path and request body."))
    status_code = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response_body = models.JSONField(_("response body"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="common_idempotency_unique_key")]
        indexes = [models.Index(fields=["created_at"], name="common_idempotency_created")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
