"""Catalog screens. Stock changes and SKU rules go through catalog.services; nothing here writes stock."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Prefetch
from django.forms.models import BaseInlineFormSet
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.contrib.filters.admin import AutocompleteSelectFilter, RangeDateTimeFilter
from unfold.widgets import UnfoldAdminSelectWidget, UnfoldAdminTextareaWidget

from catalog.models import Category, Listing, Product, StockLevel, StockMovement, Variant, Warehouse
from catalog.services import stock_set_on_hand, variant_create, variant_update
from common.admin import BaseAdmin, BigTableAdmin, ReadOnlyAdminMixin, rupiah
from common.exceptions import ApplicationError
from integrations.models import PlatformAccount, SyncRun
from integrations.syncing import SUPPORTED_KINDS, sync_run_queue

VARIANT_FORM_FIELDS = ["sku", "name", "option_values", "price", "weight_grams", "length_cm", "width_cm",
                       "height_cm", "is_active"]


def _sku_taken_message(sku: str, seller) -> str:
    return gettext("SKU %(sku)s already exists for seller %(seller)s.") % {"sku": sku, "seller": seller}


def _adopt(target, saved) -> None:
    """Make the admin's unsaved `target` the row a service created, so the admin redirects and logs it."""
    target.__dict__.update({k: v for k, v in saved.__dict__.items() if k != "_state"})
    target._state.adding = False
    target._state.db = saved._state.db


@admin.register(Category)
class CategoryAdmin(BaseAdmin):
    list_display = ["full_path", "slug", "parent"]
    list_select_related = ["parent__parent__parent"]
    search_fields = ["name", "slug"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["parent__name", "name"]

    @admin.display(description=_("category"), ordering="name")
    def full_path(self, obj: Category) -> str:
        return str(obj)


@admin.register(Warehouse)
class WarehouseAdmin(BaseAdmin):
    list_display = ["code", "name", "kind", "seller", "city", "province", "is_active"]
    list_select_related = ["seller"]
    list_filter = ["kind", "is_active", "province"]
    search_fields = ["code__exact", "name", "city"]
    autocomplete_fields = ["seller"]


# -------------------------------------------------------------------------------------- products, variants


class VariantInlineFormSet(BaseInlineFormSet):
    """SKUs must be unique for the product's seller: checked across the forms and against the database,
    so a duplicate is reported on its row instead of failing on the constraint."""

    def clean(self):
        super().clean()
        seller = getattr(self.instance, "seller", None) if self.instance.seller_id else None
        seen: dict[str, forms.Form] = {}
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or form.cleaned_data.get("DELETE"):
                continue
            sku = (form.cleaned_data.get("sku") or "").strip()
            if not sku:
                continue
            form.cleaned_data["sku"] = sku
            if sku in seen:
                form.add_error("sku", gettext("SKU %(sku)s is given twice for this product.") % {"sku": sku})
                continue
            seen[sku] = form
            if seller is None:
                continue
            clash = Variant.objects.filter(seller=seller, sku=sku)
            if form.instance.pk:
                clash = clash.exclude(pk=form.instance.pk)
            if clash.exists():
                form.add_error("sku", _sku_taken_message(sku, seller))


class VariantInline(TabularInline):
    model = Variant
    formset = VariantInlineFormSet
    fields = ["sku", "name", "option_values", "price", "weight_grams", "is_active"]
    extra = 0
    can_delete = False  # variants that were ordered or stocked are kept; archive with "active" instead
    show_change_link = True


def _catalog_accounts(products):
    """Enabled accounts of the products' sellers whose platform holds products (Komship, Ngorder, Scalev)."""
    platforms = [p for p, kinds in SUPPORTED_KINDS.items() if SyncRun.Kind.PRODUCTS_PULL in kinds]
    return (PlatformAccount.objects.filter(seller_id__in=products.values("seller_id"), is_enabled=True,
                                           platform__in=platforms).order_by("platform", "name"))


def _queue_catalog_sync(modeladmin, request, products, kind: str) -> None:
    """Queue `kind` once per account (an account that already has one waiting is not queued again)."""
    queued, waiting = [], []
    for account in _catalog_accounts(products):
        if SyncRun.objects.filter(account=account, kind=kind, status=SyncRun.Status.QUEUED).exists():
            waiting.append(str(account))
        else:
            sync_run_queue(account=account, kind=kind)
            queued.append(str(account))
    if queued:
        modeladmin.message_user(request, gettext("Queued for %(accounts)s. Follow it in Sync runs.")
                                % {"accounts": ", ".join(queued)}, messages.SUCCESS)
    if waiting:
        modeladmin.message_user(request, gettext("Already waiting to run for %(accounts)s.")
                                % {"accounts": ", ".join(waiting)}, messages.INFO)
    if not queued and not waiting:
        modeladmin.message_user(request, gettext("The sellers of these products have no enabled account on a "
                                                 "platform that holds products."), messages.WARNING)


@admin.register(Product)
class ProductAdmin(BaseAdmin):
    seller_path = "seller"
    list_display = ["name", "seller", "category", "brand", "status", "platforms", "created_at"]
    actions = ["push_to_platforms", "pull_now"]
    list_select_related = ["seller", "category__parent"]
    list_filter = ["status", ("seller", AutocompleteSelectFilter), ("category", AutocompleteSelectFilter)]
    list_filter_submit = True
    search_fields = ["name", "variants__sku__exact"]
    autocomplete_fields = ["seller", "category"]
    inlines = [VariantInline]

    def get_readonly_fields(self, request, obj=None):
        # The seller is copied onto every variant (SKU uniqueness); it is fixed once the product exists.
        return ["seller"] if obj else []

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(Prefetch(
            "listings", queryset=Listing.objects.filter(variant__isnull=True).select_related("account")
            .order_by("account__platform", "account__name"), to_attr="product_listings"))

    @admin.display(description=_("on platforms"))
    def platforms(self, obj: Product) -> str:
        listings = getattr(obj, "product_listings", None)
        if listings is None:
            listings = obj.listings.filter(variant__isnull=True).select_related("account")
        return ", ".join(f"{row.account.name}: {row.get_sync_state_display()}" for row in listings) or "—"

    @admin.action(description=_("Push to platforms"), permissions=["change"])
    def push_to_platforms(self, request, queryset):
        """Queue a products push for every enabled account of the selected products' sellers (unchanged
        products are skipped by the push itself)."""
        _queue_catalog_sync(self, request, queryset, SyncRun.Kind.PRODUCTS_PUSH)

    @admin.action(description=_("Pull now"), permissions=["change"])
    def pull_now(self, request, queryset):
        _queue_catalog_sync(self, request, queryset, SyncRun.Kind.PRODUCTS_PULL)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Variant:
            return super().save_formset(request, form, formset, change)
        product = form.instance
        formset.save(commit=False)
        created = []
        try:
            for variant_form in formset.forms:
                if not variant_form.has_changed() or variant_form in formset.deleted_forms:
                    continue
                values = {name: variant_form.cleaned_data.get(name) for name in formset.form.base_fields
                          if name in VARIANT_FORM_FIELDS}
                if variant_form.instance.pk:
                    variant_update(variant=variant_form.instance, acting_user=request.user, **values)
                else:
                    created.append(variant_create(product=product, acting_user=request.user, **values))
        except ApplicationError as exc:
            # The formset was validated already; only a concurrent edit lands here. Roll the whole save back.
            transaction.set_rollback(True)
            self.message_user(request, exc.message, messages.ERROR)
        formset.new_objects = created


class VariantAdminForm(forms.ModelForm):
    class Meta:
        model = Variant
        fields = ["product", *VARIANT_FORM_FIELDS]

    def clean_sku(self):
        return (self.cleaned_data.get("sku") or "").strip()

    def clean(self):
        cleaned = super().clean()
        product = cleaned.get("product") or (self.instance.product if self.instance.product_id else None)
        sku = cleaned.get("sku")
        if product and sku:
            clash = Variant.objects.filter(seller_id=product.seller_id, sku=sku)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("sku", _sku_taken_message(sku, product.seller))
        return cleaned


@admin.register(Variant)
class VariantAdmin(BaseAdmin):
    form = VariantAdminForm
    seller_path = "seller"
    list_display = ["sku", "name", "product", "seller", rupiah("price", _("price")), "weight_grams",
                    "is_active"]
    list_select_related = ["product", "seller"]
    list_filter = ["is_active"]
    search_fields = ["sku__exact"]
    autocomplete_fields = ["product"]

    def get_readonly_fields(self, request, obj=None):
        return ["product", "seller"] if obj else []

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in VARIANT_FORM_FIELDS if name in form.cleaned_data}
        if change:
            variant_update(variant=obj, acting_user=request.user, **values)
        else:
            created = variant_create(product=form.cleaned_data["product"], acting_user=request.user, **values)
            _adopt(obj, created)


# ---------------------------------------------------------------------------------------------------- stock


class LowStockFilter(admin.SimpleListFilter):
    title = _("stock")
    parameter_name = "low_stock"

    def lookups(self, request, model_admin):
        return [
            ("low", _("Low (available ≤ %(threshold)d)") % {"threshold": settings.LOW_STOCK_THRESHOLD}),
            ("out", _("Out of stock (nothing available)")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "low":
            return queryset.filter(available__lte=settings.LOW_STOCK_THRESHOLD)
        if self.value() == "out":
            return queryset.filter(available__lte=0)
        return queryset


ADJUSTMENT_REASONS = [
    (StockMovement.Reason.ADJUSTMENT, StockMovement.Reason.ADJUSTMENT.label),
    (StockMovement.Reason.INITIAL, StockMovement.Reason.INITIAL.label),
    (StockMovement.Reason.RECEIPT, StockMovement.Reason.RECEIPT.label),
    (StockMovement.Reason.RETURN_RESTOCK, StockMovement.Reason.RETURN_RESTOCK.label),
]


class StockLevelForm(forms.ModelForm):
    """On-hand is typed as the counted figure; the service records the difference as a StockMovement."""

    reason = forms.ChoiceField(label=_("reason"), choices=ADJUSTMENT_REASONS,
                               initial=StockMovement.Reason.ADJUSTMENT, widget=UnfoldAdminSelectWidget)
    note = forms.CharField(label=_("note"), required=False,
                           widget=UnfoldAdminTextareaWidget(attrs={"rows": 2}))

    class Meta:
        model = StockLevel
        fields = ["variant", "warehouse", "on_hand"]

    def clean_on_hand(self):
        on_hand = self.cleaned_data["on_hand"]
        if on_hand is not None and on_hand < 0:
            raise forms.ValidationError(
                gettext("Stock cannot be negative: %(value)d on hand was asked for.") % {"value": on_hand}
            )
        return on_hand

    def clean(self):
        cleaned = super().clean()
        on_hand = cleaned.get("on_hand")
        if self.instance.pk and on_hand is not None and on_hand < self.instance.reserved:
            self.add_error("on_hand", gettext(
                "On hand cannot be set below what is reserved for orders: %(reserved)d reserved, %(value)d "
                "asked for.") % {"reserved": self.instance.reserved, "value": on_hand})
        variant, warehouse = cleaned.get("variant"), cleaned.get("warehouse")
        if variant and warehouse and warehouse.seller_id and warehouse.seller_id != variant.seller_id:
            self.add_error("warehouse", gettext("This is the private warehouse of another seller."))
        return cleaned


@admin.register(StockLevel)
class StockLevelAdmin(BaseAdmin):
    form = StockLevelForm
    seller_path = "variant__seller"
    list_display = ["variant", "warehouse", "on_hand", "reserved", "available", "updated_at"]
    list_select_related = ["variant__product", "warehouse"]
    list_filter = [LowStockFilter, "warehouse"]
    search_fields = ["variant__sku__exact"]
    autocomplete_fields = ["variant", "warehouse"]
    fields = ["variant", "warehouse", "on_hand", "reserved", "available", "reason", "note"]

    def get_readonly_fields(self, request, obj=None):
        return ["variant", "warehouse", "reserved", "available"] if obj else ["reserved", "available"]

    def save_model(self, request, obj, form, change):
        variant = obj.variant if change else form.cleaned_data["variant"]
        warehouse = obj.warehouse if change else form.cleaned_data["warehouse"]
        reason = form.cleaned_data["reason"]
        if not change and reason == StockMovement.Reason.ADJUSTMENT:
            reason = StockMovement.Reason.INITIAL
        try:
            level = stock_set_on_hand(variant=variant, warehouse=warehouse,
                                      on_hand=form.cleaned_data["on_hand"], reason=reason,
                                      note=form.cleaned_data.get("note", ""), acting_user=request.user)
        except ApplicationError as exc:  # validated above; a concurrent reservation can still refuse it
            self.message_user(request, exc.message, messages.ERROR)
            if change:
                obj.refresh_from_db()
            return
        _adopt(obj, level)


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdminMixin, BigTableAdmin):
    seller_path = "variant__seller"
    list_display = ["created_at", "variant", "warehouse", "on_hand_delta", "reserved_delta", "reason",
                    "reference", "actor"]
    list_select_related = ["variant__product", "warehouse", "actor"]
    list_filter = ["reason", "warehouse", ("created_at", RangeDateTimeFilter)]
    list_filter_submit = True
    search_fields = ["reference__exact", "variant__sku__exact"]


class ListingErrorFilter(admin.SimpleListFilter):
    title = _("last error")
    parameter_name = "has_error"

    def lookups(self, request, model_admin):
        return [("yes", _("With an error")), ("no", _("Without error"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(last_error="")
        if self.value() == "no":
            return queryset.filter(last_error="")
        return queryset


class ListingLevelFilter(admin.SimpleListFilter):
    title = _("level")
    parameter_name = "level"

    def lookups(self, request, model_admin):
        return [("product", _("Product")), ("variant", _("Variant"))]

    def queryset(self, request, queryset):
        if self.value() == "product":
            return queryset.filter(variant__isnull=True)
        if self.value() == "variant":
            return queryset.filter(variant__isnull=False)
        return queryset


@admin.register(Listing)
class ListingAdmin(BaseAdmin):
    seller_path = "product__seller"
    list_display = ["product", "variant", "account", "external_id", "sync_state", "last_synced_at",
                    "pushed_stock", "last_error_short"]
    list_select_related = ["product", "variant__product", "account"]
    list_filter = ["sync_state", ListingErrorFilter, ListingLevelFilter, "account__platform", "account",
                   ("last_synced_at", RangeDateTimeFilter)]
    list_filter_submit = True
    search_fields = ["external_id__exact", "variant__sku__exact", "product__name"]
    autocomplete_fields = ["product", "variant", "account"]
    readonly_fields = ["last_pushed_hash", "last_pulled_hash", "last_synced_at", "last_error"]

    @admin.display(description=_("stock on the platform"))
    def pushed_stock(self, obj: Listing) -> str:
        """What the platform last held for a variant listing (pulled or pushed), "—" when unknown."""
        text = obj.last_pushed_hash if obj.variant_id else ""
        return text.removeprefix("stock:") if text.startswith("stock:") else "—"

    @admin.display(description=_("last error"))
    def last_error_short(self, obj: Listing) -> str:
        return Truncator(obj.last_error).chars(80)
