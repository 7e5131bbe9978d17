"""Platform accounts (credentials write-only) and the sync-run operations console."""

from datetime import timedelta

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import RangeDateTimeFilter, RelatedDropdownFilter

from common.admin import BaseAdmin, BigTableAdmin, ReadOnlyAdminMixin
from integrations.exceptions import IntegrationError
from integrations.forms import PlatformAccountForm, credential_field_name
from integrations.inbound import inbound_event_replay
from integrations.models import InboundEvent, PlatformAccount, SyncRun
from integrations.scalev import webhooks as scalev_webhooks
from integrations.services import CREDENTIAL_KEYS, account_schedule_syncs, account_test_connection
from integrations.syncing import SUPPORTED_KINDS, sync_run_queue


def _queue_syncs(modeladmin, request, pairs) -> None:
    """Queue (account, kind) syncs and say which were queued, which the platform cannot do, and which
    accounts are disabled (their worker would skip the task and the run would stay "queued" for ever)."""
    queued, skipped, disabled = 0, [], []
    for account, kind in pairs:
        if not account.is_enabled:
            disabled.append(str(account))
        elif kind in SUPPORTED_KINDS.get(account.platform, ()):
            sync_run_queue(account=account, kind=kind)
            queued += 1
        else:
            skipped.append(str(account))
    if queued:
        modeladmin.message_user(
            request, _("%(count)d sync(s) queued. Follow them in Sync runs.") % {"count": queued}, messages.SUCCESS,
        )
    if skipped:
        modeladmin.message_user(
            request, _("Not supported by the platform of: %(accounts)s.") % {"accounts": ", ".join(skipped)},
            messages.WARNING,
        )
    if disabled:
        modeladmin.message_user(
            request, _("Not queued, the account is disabled: %(accounts)s.") % {"accounts": ", ".join(disabled)},
            messages.WARNING,
        )

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
    actions = ["test_connection", "sync_orders_now", "pull_products_now", "push_products_now", "push_stock_now"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        account_schedule_syncs(account=obj)

    @admin.action(description=_("Test connection"), permissions=["view"])
    def test_connection(self, request, queryset):
        for account in queryset:
            try:
                account_test_connection(account=account)
            except IntegrationError as exc:
                self.message_user(request, _("%(account)s: refused — %(error)s") % {"account": account,
                                                                                    "error": exc}, messages.ERROR)
            else:
                self.message_user(request, _("%(account)s: the connection works.") % {"account": account},
                                  messages.SUCCESS)

    @admin.action(description=_("Sync orders now"), permissions=["change"])
    def sync_orders_now(self, request, queryset):
        _queue_syncs(self, request, [(a, SyncRun.Kind.ORDERS_PULL) for a in queryset])

    @admin.action(description=_("Pull products now"), permissions=["change"])
    def pull_products_now(self, request, queryset):
        _queue_syncs(self, request, [(a, SyncRun.Kind.PRODUCTS_PULL) for a in queryset])

    @admin.action(description=_("Push products to the platform"), permissions=["change"])
    def push_products_now(self, request, queryset):
        _queue_syncs(self, request, [(a, SyncRun.Kind.PRODUCTS_PUSH) for a in queryset])

    @admin.action(description=_("Push stock to the platform"), permissions=["change"])
    def push_stock_now(self, request, queryset):
        _queue_syncs(self, request, [(a, SyncRun.Kind.STOCK_PUSH) for a in queryset])

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

    seller_path = "account__seller"
    list_display = ["id", "account", "kind", "status", "created_at", "fetched", "created", "updated",
                    "unchanged", "failed", "flagged", "duration", "error_excerpt"]
    actions = ["run_again"]

    def has_run_again_permission(self, request):
        return request.user.has_perm("integrations.change_platformaccount")

    @admin.action(description=_("Run again now (retry)"), permissions=["run_again"])
    def run_again(self, request, queryset):
        pairs = {(run.account_id, run.kind): (run.account, run.kind) for run in queryset.select_related("account")}
        _queue_syncs(self, request, pairs.values())
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


class InboundEventTypeFilter(admin.SimpleListFilter):
    """The documented event types, not a DISTINCT over the whole (large, append-only) table."""

    title = _("event type")
    parameter_name = "event_type"

    def lookups(self, request, model_admin):
        return [(name, name) for name in sorted(scalev_webhooks.ORDER_EVENTS)]

    def queryset(self, request, queryset):
        return queryset.filter(event_type=self.value()) if self.value() else queryset


@admin.register(InboundEvent)
class InboundEventAdmin(ReadOnlyAdminMixin, BaseAdmin):
    """Webhook deliveries as received; a stored delivery can be processed again."""

    seller_path = "account__seller"
    list_display = ["id", "platform", "event_type", "event_id", "account", "status", "attempts", "received_at",
                    "processed_at"]
    list_filter = ["platform", "status", InboundEventTypeFilter, ("received_at", RangeDateTimeFilter)]
    list_filter_submit = True
    list_select_related = ["account"]
    search_fields = ["event_id__exact"]
    actions = ["replay"]

    def has_replay_permission(self, request):
        return request.user.has_perm("integrations.change_platformaccount")

    @admin.action(description=_("Process again (replay)"), permissions=["replay"])
    def replay(self, request, queryset):
        count = 0
        for event in queryset:
            inbound_event_replay(event=event)
            count += 1
        self.message_user(request, _("%(count)d delivery(ies) queued again.") % {"count": count}, messages.SUCCESS)
