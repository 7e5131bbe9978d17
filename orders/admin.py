"""Order screens. State changes are actions that call orders.services; the order table is big, so filters
never run SELECT DISTINCT over it and searches use indexed, exact lookups."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.template import engines
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.contrib.filters.admin import AutocompleteSelectFilter, RangeDateTimeFilter
from unfold.widgets import UnfoldAdminSelectWidget

from common.admin import BaseAdmin, BigTableAdmin, ReadOnlyAdminMixin, run_for_each, rupiah
from common.exceptions import ApplicationError
from common.phones import normalize_phone
from integrations.models import PlatformAccount
from logistics.models import Shipment
from orders.models import Customer, Order, OrderEvent, OrderItem, OrderStatus, StatusMapping
from orders.push import PushOutcome, StatusPushOutcome, order_push_status, orders_push_batch
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
            grand_total = subtotal - discount + shipping_cost + cod_fee + self.instance.other_costs
            if grand_total < 0:
                self.add_error("discount", gettext("The discount is larger than the order."))
            else:
                self.instance.grand_total = grand_total
        return cleaned


class SendToPlatformForm(forms.Form):
    """The intermediate page of "Send to platform…": which of the seller's enabled accounts."""

    account = forms.ModelChoiceField(queryset=PlatformAccount.objects.none(), label=_("Platform account"),
                                     empty_label=None, widget=UnfoldAdminSelectWidget)

    def __init__(self, *args, seller, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = PlatformAccount.objects.filter(
            seller=seller, is_enabled=True).order_by("platform", "name")


# Kept here, next to its only action, in the look of unfold's delete confirmation. Its words come from
# gettext in the view (`texts`), so makemessages finds them in this module.
SEND_TO_PLATFORM_TEMPLATE = """{% extends "admin/base_site.html" %}
{% load l10n %}
{% block content %}
<div class="border border-base-200 rounded-default shadow-xs dark:border-base-800">
  <p class="font-semibold p-4 text-font-important-light dark:text-font-important-dark">
    {{ texts.intro }}
  </p>
  <div class="border-t border-base-200 p-4 dark:border-base-800">
    <ul class="leading-relaxed">
      {% for order in orders %}
        <li>
          {{ order.order_no }} · {{ order.customer }} · {{ order.get_status_display }}
          {% if order.account_id %} · {{ texts.already_on }} {{ order.account }}{% endif %}
        </li>
      {% endfor %}
    </ul>
  </div>
  <form method="post" class="border-t border-base-200 px-4 py-3 dark:border-base-800">
    {% csrf_token %}
    {% for order in orders %}
      <input type="hidden" name="{{ action_checkbox_name }}" value="{{ order.pk|unlocalize }}">
    {% endfor %}
    <input type="hidden" name="action" value="send_to_platform">
    <input type="hidden" name="apply" value="yes">
    {{ form.non_field_errors }}
    <div class="mb-4">{{ form.account.label_tag }} {{ form.account }} {{ form.account.errors }}</div>
    <p class="mb-4 text-sm">{{ texts.hint }}</p>
    <button type="submit" class="bg-primary-600 text-white font-semibold px-3 py-2 rounded-default">
      {{ texts.send }}
    </button>
    <a href="" class="ml-4">{{ texts.cancel }}</a>
  </form>
</div>
{% endblock %}
"""

MESSAGES_SHOWN = 20


def _report_lines(modeladmin, request, lines: list[tuple[str, int]]) -> None:
    for text, level in lines[:MESSAGES_SHOWN]:
        modeladmin.message_user(request, text, level)
    if len(lines) > MESSAGES_SHOWN:
        rest = len(lines) - MESSAGES_SHOWN
        modeladmin.message_user(request, ngettext("…and %(count)d more.", "…and %(count)d more.", rest)
                                % {"count": rest}, messages.WARNING)


def report_push_outcomes(modeladmin, request, outcomes: list[PushOutcome]) -> None:
    levels = {PushOutcome.CREATED: messages.SUCCESS, PushOutcome.ADOPTED: messages.SUCCESS,
              PushOutcome.UNCERTAIN: messages.WARNING, PushOutcome.REFUSED: messages.ERROR}
    _report_lines(modeladmin, request, [(o.message, levels[o.result]) for o in outcomes])


def report_status_pushes(modeladmin, request, outcomes: list[StatusPushOutcome]) -> None:
    """After a local move: what the platforms did with it. Refusals are warnings: our move stands."""
    sent = [o for o in outcomes if o.result == StatusPushOutcome.SENT]
    if sent:
        modeladmin.message_user(request, ngettext("%(count)d platform order updated.",
                                                  "%(count)d platform orders updated.", len(sent))
                                % {"count": len(sent)}, messages.SUCCESS)
    lines = [(o.message, messages.WARNING) for o in outcomes if o.result == StatusPushOutcome.REFUSED]
    skipped = sorted({o.message for o in outcomes if o.result == StatusPushOutcome.SKIPPED})
    lines += [(text, messages.INFO) for text in skipped]
    _report_lines(modeladmin, request, lines)


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
    actions = ["mark_processing", "mark_ready_to_ship", "cancel_orders", "send_to_platform"]
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

    def _move_and_tell_platforms(self, request, queryset, move, done_message: str) -> None:
        """Move each order here (refusals reported per order), then send the new state to the platform of
        the orders that live on one. The platform's answer is only reported: our move stands."""
        pushed = []

        def operation(order):
            moved = move(order)
            if moved.account_id and moved.external_id:
                pushed.append(order_push_status(order=moved, acting_user=request.user))
            return moved

        run_for_each(self, request, queryset, operation, done_message=done_message)
        report_status_pushes(self, request, pushed)

    def _transition(self, request, queryset, to_status: str, done_message: str) -> None:
        def move(order):
            return order_transition(order=order, to_status=to_status, acting_user=request.user)

        self._move_and_tell_platforms(request, queryset, move, done_message)

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
        self._move_and_tell_platforms(request, queryset,
                                      lambda order: order_cancel(order=order, acting_user=request.user),
                                      gettext("%(count)d order(s) canceled."))

    @admin.action(description=_("Send to platform…"), permissions=["change"])
    def send_to_platform(self, request, queryset):
        """Intermediate page: choose one of the seller's enabled platform accounts, then push the selected
        orders (the platform's batch call where it has one). Each order's outcome is reported."""
        orders = list(queryset.select_related("seller", "customer", "account").order_by("id"))
        sellers = {order.seller_id for order in orders}
        if len(sellers) != 1:
            self.message_user(request, gettext("Select orders of one seller: each seller sends through its "
                                               "own platform accounts."), messages.ERROR)
            return None
        seller = orders[0].seller
        form = SendToPlatformForm(request.POST if "apply" in request.POST else None, seller=seller)
        if not form.fields["account"].queryset.exists():
            self.message_user(request, gettext("Seller %(seller)s has no enabled platform account.")
                              % {"seller": seller}, messages.ERROR)
            return None
        if form.is_bound and form.is_valid():
            outcomes = orders_push_batch(orders=orders, account=form.cleaned_data["account"],
                                         acting_user=request.user)
            report_push_outcomes(self, request, outcomes)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Send to platform"),
            "opts": self.model._meta,
            "orders": orders,
            "seller": seller,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "texts": {
                "intro": ngettext("Send %(count)d order of %(seller)s to a platform.",
                                  "Send %(count)d orders of %(seller)s to a platform.", len(orders))
                % {"count": len(orders), "seller": seller},
                "already_on": gettext("already on"),
                "hint": gettext("Each order is looked for on the platform first, so an order sent before is "
                                "linked, never created twice."),
                "send": gettext("Send"),
                "cancel": gettext("Cancel"),
            },
        }
        return TemplateResponse(request, engines["django"].from_string(SEND_TO_PLATFORM_TEMPLATE), context)


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
