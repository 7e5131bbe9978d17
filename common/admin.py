"""Building blocks every admin screen uses: estimated counts on big tables, seller scoping, state
transition actions that report success and refusals, Rupiah columns."""

import functools
import json

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.paginator import Paginator
from django.db import connections, models
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin
from unfold import admin as unfold_admin
from unfold.admin import ModelAdmin

from common.exceptions import ApplicationError
from common.money import format_rupiah
from common.scoping import scope_to_user_sellers


class EstimatedCount(int):
    """A row count taken from PostgreSQL's statistics, not from COUNT(*). It is an int for paging, and prints
    as "≈ 152000" wherever the admin shows it (the result count, "Select all …", "All … selected"), so an
    estimate is never read as an exact figure."""

    def __str__(self) -> str:
        return f"≈ {int(self)}"


def _three_significant_digits(number: int) -> int:
    digits = len(str(number))
    return round(number, 3 - digits) if digits > 3 else number


class EstimatedCountPaginator(Paginator):
    """Big lists count with PostgreSQL's estimates instead of COUNT(*), which reads every matching row:
    the table's reltuples when unfiltered, the planner's row estimate when filtered, rounded to three
    significant digits and shown as approximate (EstimatedCount). Lists estimated below
    ADMIN_ESTIMATED_COUNT_THRESHOLD (and every list on other databases) keep the exact count."""

    @cached_property
    def count(self) -> int:
        query = getattr(self.object_list, "query", None)
        if query is not None:
            estimate = _table_rows(self.object_list) if not query.where else _planned_rows(self.object_list)
            if estimate is not None and estimate >= settings.ADMIN_ESTIMATED_COUNT_THRESHOLD:
                return EstimatedCount(_three_significant_digits(estimate))
        return super().count


def _table_rows(queryset) -> int | None:
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                       [queryset.model._meta.db_table])
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] and row[0] > 0 else None


def _planned_rows(queryset) -> int | None:
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class BaseAdmin(SimpleHistoryAdmin, ModelAdmin):
    """Unfold look, django-simple-history "History" button, seller scoping.

    `seller_path` is the lookup from this model to its Seller ("seller", "order__seller"); None means
    the model is not seller-owned (couriers, categories, settings)."""

    seller_path: str | None = None
    list_per_page = 50
    show_full_result_count = False  # the "N total" link would run a second COUNT(*)
    show_facets = admin.ShowFacets.NEVER
    warn_unsaved_form = True
    compressed_fields = True
    # unfold's row template reads this once per row; left undefined, every read falls back to a dir() of the
    # whole admin class inside Django's template lookup (~5 ms a page).
    list_sections = ()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")  # Django 6's default, chosen now
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def history_view(self, request, object_id, extra_context=None):
        # Models without django-simple-history fall back to Django's own action log.
        if not hasattr(self.model, "history"):
            return ModelAdmin.history_view(self, request, object_id, extra_context=extra_context)
        return super().history_view(request, object_id, extra_context=extra_context)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.seller_path:
            queryset = scope_to_user_sellers(queryset, user=request.user, seller_path=self.seller_path)
        return queryset


_CHECKBOX_PK = "__pk__"


@functools.cache
def _row_checkbox_html() -> str:
    return unfold_admin.checkbox.render(helpers.ACTION_CHECKBOX_NAME, _CHECKBOX_PK)


class BigTableAdmin(BaseAdmin):
    """For tables that reach millions of rows: estimated counts, no unbounded "show all", and a row
    checkbox rendered once per process instead of once per row (a widget template per row costs
    about 1 ms, a fifth of a 50-row page)."""

    paginator = EstimatedCountPaginator
    list_max_show_all = 200
    # Each row costs about 1 ms to render (unfold's cell markup); 25 rows keep a page near 100 ms at
    # millions of rows. Filters and exact search are how staff reach a row, not paging.
    list_per_page = 25

    @admin.display(description=mark_safe(unfold_admin.checkbox.render("action_toggle_all", 1)))
    def action_checkbox(self, obj):
        return mark_safe(_row_checkbox_html().replace(_CHECKBOX_PK, escape(str(obj.pk))))


class ReadOnlyAdminMixin:
    """Append-only records (ledger, stock movements, tracking, events): viewable, never edited here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def run_for_each(modeladmin, request, queryset, operation, *, done_message: str) -> None:
    """Apply `operation(obj)` to every selected row. Each refusal is reported with the row it concerns;
    refused rows change nothing (each operation is its own transaction in the service)."""
    done, refused = 0, []
    for obj in queryset:
        try:
            operation(obj)
        except ApplicationError as exc:
            refused.append(f"{obj}: {exc.message}")
        else:
            done += 1
    if done:
        modeladmin.message_user(request, done_message % {"count": done}, messages.SUCCESS)
    for text in refused[:20]:
        modeladmin.message_user(request, text, messages.ERROR)
    if len(refused) > 20:
        modeladmin.message_user(
            request,
            ngettext("…and %(count)d more refused.", "…and %(count)d more refused.", len(refused) - 20)
            % {"count": len(refused) - 20},
            messages.ERROR,
        )
    if not done and not refused:
        modeladmin.message_user(request, _("Nothing was selected."), messages.WARNING)


def rupiah(field_name: str, description, *, ordering: str | None = None):
    """A list_display column showing a money field as Rp 1.250.000."""

    @admin.display(description=description, ordering=ordering or field_name)
    def column(obj):
        return format_rupiah(getattr(obj, field_name))

    column.__name__ = f"{field_name}_rupiah"
    return column
