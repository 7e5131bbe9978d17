"""Platform accounts (credentials write-only) and the sync-run operations console."""

from datetime import timedelta

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from unfold.contrib.filters.admin import RangeDateTimeFilter, RelatedDropdownFilter

from common.admin import BaseAdmin, BigTableAdmin, ReadOnlyAdminMixin
from integrations.forms import PlatformAccountForm, credential_field_name
from integrations.models import PlatformAccount, SyncRun
from integrations.services import CREDENTIAL_KEYS

CREDENTIALS_WARNING_DAYS = 30


@admin.register(PlatformAccount)
class PlatformAccountAdmin(BaseAdmin):
    form = PlatformAccountForm
    seller_path = "seller"
    list_display = ["name", "platform", "seller", "is_enabled", "last_success_at", "last_error_at",
                    "credentials_expiry"]
    list_filter = ["platform", "is_enabled", ("seller", RelatedDropdownFilter)]
    list_filter_submit = True
    search_fields = ["name", "external_account_id__exact"]
    list_select_related = ["seller"]
    autocomplete_fields = ["seller"]
    readonly_fields = ["last_success_at", "last_error_at", "last_error", "created_at", "updated_at"]

    def get_fieldsets(self, request, obj=None):
        return [
            (None, {"fields": ["platform", "name", "seller", "base_url", "external_account_id",
                               "is_enabled"]}),
            (_("Credentials (write-only)"), {
                "fields": [*(credential_field_name(key) for key in CREDENTIAL_KEYS), "credentials_expire_at"],
                "description": _("Stored encrypted. Values are never shown; type a value only to replace "
                                 "it."),
            }),
            (_("Sync"), {"fields": ["rate_limit_per_minute", "history_days", "options"]}),
            (_("Health"), {"fields": self.readonly_fields}),
        ]

    @admin.display(description=_("credentials expire at"), ordering="credentials_expire_at")
    def credentials_expiry(self, obj):
        if obj.credentials_expire_at is None:
            return "–"
        shown = timezone.localtime(obj.credentials_expire_at).strftime("%Y-%m-%d %H:%M")
        if obj.credentials_expire_at <= timezone.now() + timedelta(days=CREDENTIALS_WARNING_DAYS):
            return format_html(
                '<span class="font-semibold text-red-600 dark:text-red-400" title="{}">⚠ {}</span>',
                _("Expires within 30 days: renew the credentials."), shown,
            )
        return shown


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdminMixin, BigTableAdmin):
    """The operations console: what ran against which platform, how much it did, and what failed."""

    def history_view(self, request, object_id, extra_context=None):
        # Sync runs have no simple-history table: Django's own (empty) history page.
        return super(SimpleHistoryAdmin, self).history_view(request, object_id, extra_context)

    seller_path = "account__seller"
    list_display = ["id", "account", "kind", "status", "created_at", "fetched", "created", "updated",
                    "unchanged", "failed", "duration", "error_excerpt"]
    list_display_links = ["id", "account"]
    list_filter = ["account__platform", "kind", "status", ("created_at", RangeDateTimeFilter)]
    list_filter_submit = True
    list_select_related = ["account"]
    search_fields = ["account__name"]

    @admin.display(description=_("duration"))
    def duration(self, obj):
        if not (obj.started_at and obj.finished_at):
            return "–"
        seconds = (obj.finished_at - obj.started_at).total_seconds()
        return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"

    @admin.display(description=_("error"))
    def error_excerpt(self, obj):
        return Truncator(obj.error).chars(80) if obj.error else ""
