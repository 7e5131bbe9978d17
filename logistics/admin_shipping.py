"""Shipping screens in the admin: quotes, AWBs, labels and pickups on the order list; AWB, label, tracking
actions and the "stuck" filter on shipments; cancel / refresh on pickups; the pickup monitor.

Thin: every action parses input, calls a service (logistics.quotes, logistics.sync, logistics.labels,
logistics.services) and reports each refusal with its row."""

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Q
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from unfold.widgets import (
    UnfoldAdminDateWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
    UnfoldAdminTimeWidget,
)

from catalog.models import Warehouse
from common.admin import BaseAdmin, run_for_each
from common.exceptions import ApplicationError
from common.money import format_rupiah
from integrations.exceptions import IntegrationError
from integrations.models import PlatformAccount
from logistics import labels as label_service
from logistics import quotes, selectors, services
from logistics import sync as logistics_sync
from logistics.models import PickupMonitor, PickupRequest, Shipment

# --- forms -------------------------------------------------------------------------------------------


class PickupForm(forms.Form):
    pickup_date = forms.DateField(label=_("pickup date"), widget=UnfoldAdminDateWidget)
    time_from = forms.TimeField(label=_("from"), widget=UnfoldAdminTimeWidget)
    time_to = forms.TimeField(label=_("until"), widget=UnfoldAdminTimeWidget)
    vehicle = forms.ChoiceField(label=_("vehicle"), choices=PickupRequest.Vehicle.choices,
                                widget=UnfoldAdminSelectWidget)
    contact_name = forms.CharField(label=_("contact person"), max_length=200, widget=UnfoldAdminTextInputWidget)
    contact_phone = forms.CharField(label=_("contact phone"), max_length=20, widget=UnfoldAdminTextInputWidget)
    warehouse = forms.ModelChoiceField(label=_("warehouse"), queryset=Warehouse.objects.none(), required=False,
                                       widget=UnfoldAdminSelectWidget)
    address = forms.CharField(label=_("pickup address"), required=False, widget=UnfoldAdminTextareaWidget,
                              help_text=_("Leave empty when the courier picks up at the warehouse."))

    def __init__(self, *args, seller, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = Warehouse.objects.filter(is_active=True).filter(
            Q(seller=seller) | Q(seller__isnull=True)).order_by("code")
        if not self.is_bound:
            self.initial.setdefault("pickup_date", timezone.localdate() + dt.timedelta(days=1))
            self.initial.setdefault("time_from", dt.time(9))
            self.initial.setdefault("time_to", dt.time(12))
            self.initial.setdefault("contact_name", seller.contact_name)
            self.initial.setdefault("contact_phone", seller.phone)


class QuoteForm(forms.Form):
    account = forms.ModelChoiceField(label=_("platform account"), queryset=PlatformAccount.objects.none(),
                                     empty_label=None, widget=UnfoldAdminSelectWidget)
    origin = forms.CharField(label=_("origin"), required=False, widget=UnfoldAdminTextInputWidget,
                             help_text=_("The platform's id of the pickup point; empty for the account's default."))
    destination = forms.CharField(label=_("destination"), widget=UnfoldAdminTextInputWidget,
                                  help_text=_("District, city or the platform's destination id."))
    weight_grams = forms.IntegerField(label=_("weight (g)"), min_value=1, widget=UnfoldAdminTextInputWidget)
    cod_value = forms.DecimalField(label=_("COD value"), required=False, min_value=0, decimal_places=2,
                                   widget=UnfoldAdminTextInputWidget)
    item_value = forms.DecimalField(label=_("item value"), required=False, min_value=0, decimal_places=2,
                                    widget=UnfoldAdminTextInputWidget)

    def __init__(self, *args, seller, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = quotes.quote_accounts_for(seller=seller)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), required=False, max_length=255, widget=UnfoldAdminTextInputWidget,
                             help_text=_("Required by JNE; shown to the courier."))


def _render(modeladmin, request, template: str, *, objects, action: str, intro, form, submit, **extra):
    context = {
        **modeladmin.admin_site.each_context(request), "opts": modeladmin.model._meta, "title": intro,
        "intro": intro, "objects": objects, "action": action, "form": form, "submit": submit,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME, **extra,
    }
    return TemplateResponse(request, template, context)


def _one_seller(modeladmin, request, orders) -> bool:
    if len({o.seller_id for o in orders}) != 1:
        modeladmin.message_user(request, gettext("Select orders of one seller."), messages.ERROR)
        return False
    return True


def _pdf(batch) -> HttpResponse:
    response = HttpResponse(batch.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{batch.filename}"'
    return response


def _label_message(modeladmin, request, batch) -> None:
    modeladmin.message_user(request, gettext("%(printed)d labels printed, %(reprinted)d reprinted.")
                            % {"printed": batch.printed, "reprinted": batch.reprinted}, messages.SUCCESS)


# --- order actions -----------------------------------------------------------------------------------


@admin.action(description=_("Request pickup…"), permissions=["request_pickup"])
def request_pickup(modeladmin, request, queryset):
    """Intermediate page: date, time, vehicle, contact and place; the pickup is refused with the reason
    (and nothing sent) or created and pushed to the orders' platform."""
    orders = list(queryset.select_related("seller", "account").order_by("id"))
    if not _one_seller(modeladmin, request, orders):
        return None
    seller = orders[0].seller
    form = PickupForm(request.POST if "apply" in request.POST else None, seller=seller)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            pickup = services.pickup_request_create(
                seller=seller, orders=orders, pickup_date=data["pickup_date"], time_from=data["time_from"],
                time_to=data["time_to"], vehicle=data["vehicle"], contact_name=data["contact_name"],
                contact_phone=data["contact_phone"], warehouse=data["warehouse"], address=data["address"],
                acting_user=request.user,
            )
        except ApplicationError as exc:
            field = exc.extra.get("field")
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            pickup.refresh_from_db()
            level = messages.ERROR if pickup.status == PickupRequest.Status.FAILED else messages.SUCCESS
            text = gettext("Pickup request #%(id)s for %(count)d orders: %(status)s.") % {
                "id": pickup.pk, "count": len(orders), "status": pickup.get_status_display()}
            if pickup.failure_reason:
                text = f"{text} {pickup.failure_reason}"
            modeladmin.message_user(request, text, level)
            return None
    return _render(modeladmin, request, "admin/logistics/action_form.html", objects=orders, action="request_pickup",
                   intro=ngettext("Request a pickup of %(count)d order of %(seller)s.",
                                  "Request a pickup of %(count)d orders of %(seller)s.", len(orders))
                   % {"count": len(orders), "seller": seller},
                   form=form, submit=gettext("Request pickup"),
                   rows=[f"{o.order_no} · {o.customer}" for o in orders])


@admin.action(description=_("Print shipping labels (PDF)"), permissions=["view"])
def print_order_labels(modeladmin, request, queryset):
    shipments = Shipment.objects.filter(order__in=queryset).exclude(status=Shipment.Status.CANCELED)
    try:
        batch = label_service.labels_print(shipments=shipments, acting_user=request.user)
    except ApplicationError as exc:
        modeladmin.message_user(request, exc.message, messages.ERROR)
        return None
    return _pdf(batch)


@admin.action(description=_("Get AWB from the platform"), permissions=["change"])
def get_order_awbs(modeladmin, request, queryset):
    shipments = Shipment.objects.filter(order__in=queryset, status=Shipment.Status.PENDING).select_related(
        "order__account", "account", "courier")
    run_for_each(modeladmin, request, shipments,
                 lambda s: logistics_sync.shipment_awb_from_platform(shipment=s, acting_user=request.user),
                 done_message=gettext("%(count)d AWBs received."))


@admin.action(description=_("Shipping quote…"), permissions=["view"])
def shipping_quote(modeladmin, request, queryset):
    """The courier services and costs for the selected order (its place, weight and COD value), and a form
    for an ad-hoc parcel."""
    orders = list(queryset.select_related("seller", "customer", "account", "warehouse")[:2])
    if len(orders) != 1:
        modeladmin.message_user(request, gettext("Select one order to quote."), messages.ERROR)
        return None
    order = orders[0]
    form = QuoteForm(request.POST if "apply" in request.POST else None, seller=order.seller, initial={
        "destination": quotes.order_destination(order), "weight_grams": quotes.order_weight_grams(order),
        "item_value": order.subtotal, "cod_value": order.grand_total if order.payment_method == "cod" else 0,
        "account": order.account if order.account_id and order.account.platform in quotes.QUOTE_PLATFORMS else None,
    })
    options, error = [], ""
    try:
        if form.is_bound:
            if form.is_valid():
                data = form.cleaned_data
                options = quotes.shipping_quote(
                    account=data["account"], origin=data["origin"], destination=data["destination"],
                    weight_grams=data["weight_grams"], cod_value=data["cod_value"] or 0,
                    item_value=data["item_value"] or 0)
        else:
            options = quotes.order_shipping_quote(order=order)
    except ApplicationError as exc:
        error = exc.message
    rows = [{"courier_name": o.courier_name, "service_name": o.service_name, "cost_text": format_rupiah(o.cost),
             "cod_fee_text": format_rupiah(o.cod_fee), "total_text": format_rupiah(o.total), "etd": o.etd}
            for o in options]
    return _render(modeladmin, request, "admin/logistics/shipping_quote.html", objects=[order],
                   action="shipping_quote", intro=gettext("Shipping quote for %(order)s") % {"order": order.order_no},
                   form=form, submit=gettext("Quote"), options=rows, error=error,
                   quote_title=gettext("Courier services, cheapest first"))


def _install_order_actions() -> None:
    from orders.admin import OrderAdmin

    OrderAdmin.actions = [*OrderAdmin.actions, shipping_quote, get_order_awbs, request_pickup, print_order_labels]
    # Who may ask a courier to come is whoever may add pickup requests (the warehouse too), not order editors.
    OrderAdmin.has_request_pickup_permission = (
        lambda self, request: request.user.has_perm("logistics.add_pickuprequest"))


# --- shipments ---------------------------------------------------------------------------------------


class StuckFilter(admin.SimpleListFilter):
    title = _("movement")
    parameter_name = "stuck"

    def lookups(self, request, model_admin):
        return [("yes", _("Stuck (no movement for %(days)d days)") % {"days": settings.SHIPMENT_STUCK_DAYS})]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(pk__in=logistics_sync.shipments_stuck().values("pk"))
        return queryset


@admin.action(description=_("Get AWB from the platform"), permissions=["change"])
def get_awb(modeladmin, request, queryset):
    run_for_each(modeladmin, request, queryset.select_related("order__account", "account", "courier"),
                 lambda s: logistics_sync.shipment_awb_from_platform(shipment=s, acting_user=request.user),
                 done_message=gettext("%(count)d AWBs received."))


@admin.action(description=_("Print labels (PDF)"), permissions=["view"])
def print_labels(modeladmin, request, queryset):
    try:
        batch = label_service.labels_print(shipments=queryset, acting_user=request.user)
    except ApplicationError as exc:
        modeladmin.message_user(request, exc.message, messages.ERROR)
        return None
    return _pdf(batch)


@admin.action(description=_("Fetch the Komship label"), permissions=["change"])
def fetch_komship_label(modeladmin, request, queryset):
    run_for_each(modeladmin, request, queryset.select_related("order__account", "account"),
                 lambda s: label_service.shipment_label_fetch(shipment=s),
                 done_message=gettext("%(count)d labels stored."))


@admin.action(description=_("Cancel the AWB (Scalev)"), permissions=["change"])
def cancel_awb(modeladmin, request, queryset):
    run_for_each(modeladmin, request, queryset.select_related("order__account", "account"),
                 lambda s: logistics_sync.shipment_awb_cancel(shipment=s, acting_user=request.user),
                 done_message=gettext("%(count)d AWBs canceled."))


@admin.action(description=_("Track now"), permissions=["change"])
def track_now(modeladmin, request, queryset):
    from integrations.registry import adapter_for

    def track(shipment):
        account = shipment.account or shipment.order.account
        if account is None or account.platform not in logistics_sync.TRACKING_PLATFORMS or not shipment.awb:
            raise ApplicationError(gettext("Only shipments with an AWB on Komship, Ngorder or Scalev can be tracked."))
        try:
            logistics_sync.shipment_track(shipment=shipment, adapter=adapter_for(account), account=account)
        except IntegrationError as exc:
            raise ApplicationError(str(exc)) from exc

    run_for_each(modeladmin, request, queryset.select_related("order__account", "account", "courier"), track,
                 done_message=gettext("%(count)d shipments tracked."))


def _install_shipment_admin() -> None:
    from logistics.admin import ShipmentAdmin

    ShipmentAdmin.actions = [*ShipmentAdmin.actions, get_awb, print_labels, fetch_komship_label, cancel_awb,
                             track_now]
    ShipmentAdmin.list_filter = [*ShipmentAdmin.list_filter, StuckFilter]
    ShipmentAdmin.list_display = [*ShipmentAdmin.list_display, "print_count"]


# --- pickups -----------------------------------------------------------------------------------------


@admin.action(description=_("Cancel on the platform…"), permissions=["change"])
def cancel_pickup(modeladmin, request, queryset):
    """Intermediate page for the reason (JNE requires one on Ngorder), then each pickup is canceled."""
    pickups = list(queryset.select_related("account", "seller"))
    form = ReasonForm(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        run_for_each(modeladmin, request, pickups,
                     lambda p: logistics_sync.pickup_cancel(pickup=p, reason=form.cleaned_data["reason"],
                                                            acting_user=request.user),
                     done_message=gettext("%(count)d pickups canceled."))
        return None
    return _render(modeladmin, request, "admin/logistics/action_form.html", objects=pickups, action="cancel_pickup",
                   intro=ngettext("Cancel %(count)d pickup.", "Cancel %(count)d pickups.", len(pickups))
                   % {"count": len(pickups)}, form=form, submit=gettext("Cancel pickups"),
                   rows=[str(p) for p in pickups])


@admin.action(description=_("Refresh from Komship"), permissions=["change"])
def refresh_pickup(modeladmin, request, queryset):
    run_for_each(modeladmin, request, queryset.select_related("account"),
                 lambda p: logistics_sync.pickup_refresh(pickup=p),
                 done_message=gettext("%(count)d pickups refreshed."))


@admin.action(description=_("Send to the platform"), permissions=["change"])
def push_pickup(modeladmin, request, queryset):
    def push(pickup):
        outcome = logistics_sync.pickup_push(pickup=pickup, acting_user=request.user)
        if not outcome.sent:
            raise ApplicationError(outcome.message or gettext("Not sent: no Komship or Ngorder account, or the "
                                                              "pickup is no longer requested."))

    run_for_each(modeladmin, request, queryset, push, done_message=gettext("%(count)d pickups sent."))


def _install_pickup_admin() -> None:
    from logistics.admin import PickupRequestAdmin

    PickupRequestAdmin.actions = [*PickupRequestAdmin.actions, cancel_pickup, refresh_pickup, push_pickup]


# --- the pickup monitor ------------------------------------------------------------------------------

MONITOR_ROWS = 50


@admin.register(PickupMonitor)
class PickupMonitorAdmin(BaseAdmin):
    """Pickups due today, late and failed; orders waiting for a pickup; shipments that stopped moving."""

    seller_path = "seller"
    change_list_template = "admin/logistics/monitor.html"
    list_display = ["__str__", "seller", "status", "pickup_date", "time_from", "time_to", "failure_reason"]
    list_select_related = ["seller"]
    search_fields = ["seller__code__exact", "external_id__exact"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status__in=services.PICKUP_ACTIVE_STATUSES)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        user = request.user
        today = timezone.localdate()
        pickups_url = reverse("admin:logistics_pickuprequest_changelist")
        shipments_url = reverse("admin:logistics_shipment_changelist")

        def pickup_rows(pickups):
            return [{"url": reverse("admin:logistics_pickuprequest_change", args=[p.pk]), "cells": [
                f"#{p.pk}", p.seller.name, p.pickup_date.isoformat(), f"{p.time_from:%H:%M}–{p.time_to:%H:%M}",
                p.get_status_display(), p.failure_reason or "—"]} for p in pickups[:MONITOR_ROWS]]

        def shipment_rows(shipments):
            return [{"url": reverse("admin:logistics_shipment_change", args=[s.pk]), "cells": [
                s.awb or f"#{s.pk}", s.order.order_no, s.order.seller.name, s.courier.name, s.get_status_display(),
                timezone.localtime(s.last_movement_at).strftime("%Y-%m-%d %H:%M") if s.last_movement_at else "—"]}
                for s in shipments[:MONITOR_ROWS]]

        pickup_headers = [gettext("Pickup"), gettext("Seller"), gettext("Date"), gettext("Window"),
                          gettext("Status"), gettext("Reason")]
        shipment_headers = [gettext("AWB"), gettext("Order"), gettext("Seller"), gettext("Courier"),
                            gettext("Status"), gettext("Last movement")]
        due = selectors.pickup_list_due(user=user)
        late = selectors.pickup_list_late(user=user)
        failed = selectors.pickup_list_failed(user=user)
        waiting = selectors.shipments_waiting_for_pickup(user=user)
        stuck = logistics_sync.shipments_stuck().select_related("order__seller", "courier").order_by("last_movement_at")
        sections = [
            {"key": "due", "title": gettext("Pickups due today"), "count": due.count(), "headers": pickup_headers,
             "rows": pickup_rows(due), "empty": gettext("No pickups due today."),
             "url": f"{pickups_url}?pickup_date={today.isoformat()}"},
            {"key": "late", "title": gettext("Late pickups (window passed, not picked up)"), "count": late.count(),
             "headers": pickup_headers, "rows": pickup_rows(late), "empty": gettext("No late pickups.")},
            {"key": "failed", "title": gettext("Failed pickups (last 7 days)"), "count": failed.count(),
             "headers": pickup_headers, "rows": pickup_rows(failed), "empty": gettext("No failed pickups."),
             "url": f"{pickups_url}?status__exact=failed"},
            {"key": "waiting", "title": gettext("Orders waiting for a pickup"), "count": waiting.count(),
             "headers": shipment_headers, "rows": shipment_rows(waiting),
             "empty": gettext("No order waits for a pickup."), "url": f"{shipments_url}?status__exact=awb_created"},
            {"key": "stuck", "title": gettext("Stuck shipments (no movement for %(days)d days)")
             % {"days": settings.SHIPMENT_STUCK_DAYS}, "count": stuck.count(), "headers": shipment_headers,
             "rows": shipment_rows(stuck), "empty": gettext("No stuck shipments."),
             "url": f"{shipments_url}?stuck=yes"},
        ]
        context = {"title": gettext("Pickup monitor"), "sections": sections,
                   "mitrabunso_url": reverse("admin:logistics_pickupmonitor_mitrabunso"), **(extra_context or {})}
        return super().changelist_view(request, extra_context=context)

    def get_urls(self):
        from django.urls import path

        return [path("mitrabunso/", self.admin_site.admin_view(self.mitrabunso_view),
                     name="logistics_pickupmonitor_mitrabunso"), *super().get_urls()]

    def mitrabunso_view(self, request):
        """Mitrabunso's processed batches with their print status; "Print" fetches a batch (its print status
        goes up on Mitrabunso) and answers one PDF of our shipments' labels."""
        from integrations.mitrabunso.mappers import ProcessedBatch

        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        accounts = PlatformAccount.objects.filter(platform="mitrabunso", is_enabled=True).order_by("name")
        if request.method == "POST":
            account = accounts.filter(pk=request.POST.get("account")).first()
            try:
                print_status = int(request.POST.get("print_status") or 0)
            except ValueError:
                print_status = 0
            if account is not None:
                batch = ProcessedBatch(processed=request.POST.get("processed", ""), processed_at=None, label_count=0,
                                       print_status=print_status)
                try:
                    result = label_service.mitrabunso_batch_print(account=account, batch=batch,
                                                                  acting_user=request.user)
                except ApplicationError as exc:
                    self.message_user(request, exc.message, messages.ERROR)
                else:
                    return _pdf(result)
        rows = []
        for account in accounts:
            row = {"pk": account.pk, "name": str(account), "batches": [], "error": ""}
            try:
                row["batches"] = label_service.mitrabunso_batches(account=account)
            except ApplicationError as exc:
                row["error"] = exc.message
            rows.append(row)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": gettext("Mitrabunso label batches"), "accounts": rows}
        return TemplateResponse(request, "admin/logistics/mitrabunso_batches.html", context)


_install_order_actions()
_install_shipment_admin()
_install_pickup_admin()
