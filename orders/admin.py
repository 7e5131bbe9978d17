"""Order screens. State changes are actions that call orders.services; the order table is big, so filters
never run SELECT DISTINCT over it and searches use indexed, exact lookups."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.contrib.filters.admin import AutocompleteSelectFilter, RangeDateTimeFilter

from common.admin import BaseAdmin, BigTableAdmin, ReadOnlyAdminMixin, run_for_each, rupiah
from common.exceptions import ApplicationError
from common.phones import normalize_phone
from logistics.models import Shipment
from orders.models import Customer, Order, OrderEvent, OrderItem, OrderStatus, StatusMapping
from orders.services import order_cancel, order_recalculate_totals, order_record_entry, order_transition
from orders.status_vocabulary import our_states_for_kind


def _phone_or_empty(term: str) -> str:
    try:
        return normalize_phone(term)
    except ValueError:
        return ""


# -------------------------------------------------------------------------------------------------- customer


class CustomerAdminForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = ["seller", "name", "phone", "email", "address", "subdistrict", "district", "city",
                  "province", "postal_code"]

    def clean_phone(self):
        value = self.cleaned_data.get("phone", "")
        try:
            return normalize_phone(value)
        except ValueError:
            raise forms.ValidationError(
                gettext("%(phone)s is not a valid phone number; use e.g. 081234567890 or +6281234567890.")
                % {"phone": value}
            ) from None


@admin.register(Customer)
class CustomerAdmin(BaseAdmin):
    form = CustomerAdminForm
    seller_path = "seller"
    list_display = ["name", "phone", "seller", "city", "province", "created_at"]
    list_select_related = ["seller"]
    list_filter = [("seller", AutocompleteSelectFilter), ("created_at", RangeDateTimeFilter)]
    list_filter_submit = True
    search_fields = ["phone__exact", "name"]
    autocomplete_fields = ["seller"]

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        phone = _phone_or_empty(search_term.strip())
        if phone and phone != search_term.strip():  # "0857…" finds "+62857…"
            results = results | queryset.filter(phone=phone)
        return results, may_have_duplicates


# ----------------------------------------------------------------------------------------------------- order


SEARCH_ID_LIMIT = 500  # an AWB or phone matching more rows than this is not a lookup any more


class OrderItemInlineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        seller_id = self.instance.seller_id
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            variant = data.get("variant")
            if variant is not None and seller_id and variant.seller_id != seller_id:
                form.add_error("variant",
                               gettext("SKU %(sku)s belongs to another seller.") % {"sku": variant.sku})


class OrderItemForm(forms.ModelForm):
    class Meta:
        model = OrderItem
        fields = ["variant", "sku", "name", "quantity", "unit_price", "discount"]

    def clean_sku(self):
        return (self.cleaned_data.get("sku") or "").strip()

    def clean(self):
        cleaned = super().clean()
        quantity, unit_price = cleaned.get("quantity"), cleaned.get("unit_price")
        discount = cleaned.get("discount") or 0
        if quantity is not None and unit_price is not None:
            line_total = unit_price * quantity - discount
            if line_total < 0:
                self.add_error("discount", gettext("The discount is larger than the line."))
            else:
                self.instance.line_total = line_total
        return cleaned


class OrderItemInline(TabularInline):
    model = OrderItem
    form = OrderItemForm
    formset = OrderItemInlineFormSet
    fields = ["variant", "sku", "name", "quantity", "unit_price", "discount", "line_total"]
    readonly_fields = ["line_total"]
    autocomplete_fields = ["variant"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("variant__product")


class OrderEventInline(ReadOnlyAdminMixin, TabularInline):
    model = OrderEvent
    fields = ["created_at", "from_status", "to_status", "source", "actor", "note"]
    readonly_fields = fields
    extra = 0
    verbose_name_plural = _("history of states")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class ShipmentInline(ReadOnlyAdminMixin, TabularInline):
    model = Shipment
    fields = ["awb", "courier", "service", "status", "cod_amount", "shipped_at", "delivered_at"]
    readonly_fields = fields
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("courier")


class OrderAdminForm(forms.ModelForm):
    class Meta:
        model = Order
        fields = ["order_no", "invoice_no", "seller", "customer", "warehouse", "notes", "payment_method",
                  "payment_status", "subtotal", "discount", "shipping_cost", "cod_fee", "courier",
                  "courier_service", "account", "external_id", "status_unmapped", "platform_created_at",
                  "platform_updated_at"]

    def clean(self):
        cleaned = super().clean()
        amounts = [cleaned.get(name) for name in ("subtotal", "discount", "shipping_cost", "cod_fee")]
        if all(amount is not None for amount in amounts):
            subtotal, discount, shipping_cost, cod_fee = amounts
            grand_total = subtotal - discount + shipping_cost + cod_fee
            if grand_total < 0:
                self.add_error("discount", gettext("The discount is larger than the order."))
            else:
                self.instance.grand_total = grand_total
        return cleaned


@admin.register(Order)
class OrderAdmin(BigTableAdmin):
    form = OrderAdminForm
    seller_path = "seller"
    list_display = ["order_no", "seller", "customer", "status", "payment_method", "payment_status",
                    rupiah("grand_total", _("grand total")), "courier", "account", "created_at"]
    list_select_related = ["seller", "customer", "courier", "account"]
    # Every filter reads a small table or static choices: no SELECT DISTINCT over orders (the seller filter is
    # an autocomplete that loads nothing until typed into).
    list_filter = [
        "status", "payment_method", "payment_status", ("seller", AutocompleteSelectFilter), "account",
        "account__platform", "courier", "status_unmapped", ("created_at", RangeDateTimeFilter),
    ]
    list_filter_submit = True
    # AWB and customer phone are searched in get_search_results below, through subqueries.
    search_fields = ["order_no__exact", "external_id__exact", "invoice_no__exact"]
    search_help_text = _("Order number, external id, invoice number, AWB or customer phone (exact).")
    autocomplete_fields = ["seller", "customer", "warehouse", "courier", "account"]
    readonly_fields = ["status", "grand_total", "platform_status", "created_at", "updated_at"]
    inlines = [OrderItemInline, ShipmentInline, OrderEventInline]
    actions = ["mark_processing", "mark_ready_to_ship", "cancel_orders"]
    fieldsets = [
        (None, {"fields": ["order_no", "invoice_no", "seller", "customer", "status", "warehouse", "notes"]}),
        (_("Payment"), {"fields": ["payment_method", "payment_status", "subtotal", "discount",
                                   "shipping_cost", "cod_fee", "grand_total"]}),
        (_("Shipping"), {"fields": ["courier", "courier_service"]}),
        (_("Platform"), {"fields": ["account", "external_id", "platform_status", "status_unmapped",
                                    "platform_created_at", "platform_updated_at", "created_at",
                                    "updated_at"]}),
    ]

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if not term:
            return results, may_have_duplicates
        # The AWB lives on Shipment, a to-many relation of Order. Putting "shipments__awb__exact" in
        # search_fields would make Django de-duplicate the result (DISTINCT, or an EXISTS over the whole order
        # table). The customer's phone (E.164, so "0857…" is normalised first) lives on Customer. Both are
        # looked up first, through their own indexes, and passed as literal id lists: as subqueries OR-ed
        # into the order query, PostgreSQL would test them row by row over every order.
        order_ids = list(Shipment.objects.filter(awb=term).values_list("order_id", flat=True)[:SEARCH_ID_LIMIT])
        phones = {term, _phone_or_empty(term)} - {""}
        customer_ids = list(Customer.objects.filter(phone__in=phones).values_list("id", flat=True)[:SEARCH_ID_LIMIT])
        if not order_ids and not customer_ids:
            return results, may_have_duplicates
        return results | queryset.filter(Q(id__in=order_ids) | Q(customer_id__in=customer_ids)), may_have_duplicates

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            order_record_entry(order=obj, acting_user=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if form.instance.items.exists():
            try:
                order_recalculate_totals(order=form.instance, acting_user=request.user)
            except ApplicationError as exc:
                transaction.set_rollback(True)
                self.message_user(request, exc.message, messages.ERROR)

    # -- actions: each order is its own transaction in the service; refusals are reported per order

    def _transition(self, request, queryset, to_status: str, done_message: str) -> None:
        def move(order):
            return order_transition(order=order, to_status=to_status, acting_user=request.user)

        run_for_each(self, request, queryset, move, done_message=done_message)

    @admin.action(description=_("Mark processing"), permissions=["change"])
    def mark_processing(self, request, queryset):
        self._transition(request, queryset, OrderStatus.PROCESSING,
                         gettext("%(count)d order(s) marked processing."))

    @admin.action(description=_("Mark ready to ship"), permissions=["change"])
    def mark_ready_to_ship(self, request, queryset):
        self._transition(request, queryset, OrderStatus.READY_TO_SHIP,
                         gettext("%(count)d order(s) marked ready to ship."))

    @admin.action(description=_("Cancel (releases reserved stock)"), permissions=["change"])
    def cancel_orders(self, request, queryset):
        run_for_each(self, request, queryset,
                     lambda order: order_cancel(order=order, acting_user=request.user),
                     done_message=gettext("%(count)d order(s) canceled."))


@admin.register(OrderItem)
class OrderItemAdmin(BigTableAdmin):
    form = OrderItemForm
    seller_path = "order__seller"
    list_display = ["order", "sku", "name", "quantity", rupiah("unit_price", _("unit price")),
                    rupiah("line_total", _("line total")), "variant"]
    list_select_related = ["order", "variant__product"]
    list_filter = [("created_at", RangeDateTimeFilter)]
    list_filter_submit = True
    search_fields = ["sku__exact", "order__order_no__exact"]
    autocomplete_fields = ["order", "variant"]
    readonly_fields = ["line_total"]

    def get_fields(self, request, obj=None):
        return ["order", "variant", "sku", "name", "quantity", "unit_price", "discount", "line_total"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        try:
            order_recalculate_totals(order=obj.order, acting_user=request.user)
        except ApplicationError as exc:
            transaction.set_rollback(True)
            self.message_user(request, exc.message, messages.ERROR)


# ------------------------------------------------------------------------------------------- status mapping


class StatusMappingForm(forms.ModelForm):
    class Meta:
        model = StatusMapping
        fields = ["platform", "kind", "platform_status", "our_status", "description"]

    def clean_platform_status(self):
        return (self.cleaned_data.get("platform_status") or "").strip()

    def clean(self):
        cleaned = super().clean()
        kind, ours = cleaned.get("kind"), (cleaned.get("our_status") or "").strip()
        if kind and ours:
            allowed = our_states_for_kind(kind)
            if ours not in allowed:
                message = gettext("“%(status)s” is not one of our states for this kind; use one of: "
                                  "%(allowed)s.") % {"status": ours, "allowed": ", ".join(allowed)}
                self.add_error("our_status", message)
            cleaned["our_status"] = ours
        return cleaned


@admin.register(StatusMapping)
class StatusMappingAdmin(BaseAdmin):
    form = StatusMappingForm
    list_display = ["platform", "kind", "platform_status", "our_status", "description"]
    list_filter = ["platform", "kind", "our_status"]
    search_fields = ["platform_status", "our_status", "description"]
    ordering = ["platform", "kind", "platform_status"]
