"""Logistics screens: couriers, shipments and tracking, pickups, returns, tickets and claims.

Transitions are actions that call the services through run_for_each (each refusal is reported with its
row); forms that create or change records with rules validate through the same service checks."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import StackedInline, TabularInline
from unfold.contrib.filters.admin import RangeDateFilter, RangeDateTimeFilter, RelatedDropdownFilter

from common.admin import BaseAdmin, BigTableAdmin, ReadOnlyAdminMixin, run_for_each, rupiah
from common.exceptions import ApplicationError
from common.forms import model_formfield
from logistics import services
from logistics.models import (
    Claim,
    ClaimEvent,
    ClaimEvidence,
    Courier,
    CourierService,
    LabelPrint,
    PickupEvent,
    PickupRequest,
    Return,
    ReturnEvent,
    Shipment,
    ShipmentEvent,
    Ticket,
    TicketEvent,
    TicketMessage,
    TrackingEvent,
)
from logistics.selectors import ticket_filter_sla

# --- shared pieces -----------------------------------------------------------------------------------


def transition_action(*, name: str, service, field: str, to_status: str, description, done_message):
    """An admin action that moves every selected row to `to_status` through `service`."""

    @admin.action(description=description, permissions=["change"])
    def action(modeladmin, request, queryset):
        run_for_each(
            modeladmin, request, queryset,
            lambda obj: service(**{field: obj}, to_status=to_status, acting_user=request.user),
            done_message=done_message,
        )

    action.__name__ = name
    return action


def _checked_attachment(upload):
    """A form field's file, checked as a ticket attachment (type and size); a refusal is the field's error."""
    if upload:
        try:
            services.ticket_attachment_validate(upload)
        except ApplicationError as exc:
            raise ValidationError(exc.message) from None
    return upload


class NoHistoryMixin:
    """For models without django-simple-history (append-only rows): Django's own history page."""

    def history_view(self, request, object_id, extra_context=None):
        return super(SimpleHistoryAdmin, self).history_view(request, object_id, extra_context)


class ReadOnlyTabularInline(ReadOnlyAdminMixin, TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class EventInline(ReadOnlyTabularInline):
    fields = ["created_at", "from_status", "to_status", "actor", "source", "note"]
    readonly_fields = fields
    ordering = ["-created_at", "-id"]


def refusal_to_validation_error(exc: ApplicationError, field: str | None = None) -> ValidationError:
    return ValidationError({field: exc.message} if field else exc.message)


class CodFilter(admin.SimpleListFilter):
    title = _("COD")
    parameter_name = "cod"

    def lookups(self, request, model_admin):
        return [("yes", _("COD")), ("no", _("Not COD"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(cod_amount__gt=0)
        if self.value() == "no":
            return queryset.filter(cod_amount=0)
        return queryset


# --- couriers ----------------------------------------------------------------------------------------


class CourierServiceInline(TabularInline):
    model = CourierService
    fields = ["code", "name", "is_active"]
    extra = 0


@admin.register(Courier)
class CourierAdmin(BaseAdmin):
    list_display = ["code", "name", "is_active", "supports_cod", "pickup_cutoff"]
    list_filter = ["is_active", "supports_cod"]
    search_fields = ["code", "name"]
    inlines = [CourierServiceInline]


# --- shipments ---------------------------------------------------------------------------------------


class TrackingEventInline(ReadOnlyTabularInline):
    model = TrackingEvent
    fields = ["occurred_at", "status_code", "description", "location", "source"]
    readonly_fields = fields
    ordering = ["-occurred_at", "-id"]
    verbose_name_plural = _("tracking")


class ShipmentEventInline(EventInline):
    model = ShipmentEvent


class LabelPrintInline(ReadOnlyTabularInline):
    model = LabelPrint
    fields = ["printed_at", "printed_by", "is_reprint"]
    readonly_fields = fields


class ShipmentAdminForm(forms.ModelForm):
    class Meta:
        model = Shipment
        formfield_callback = model_formfield
        fields = ["order", "courier", "service", "awb", "account", "external_id", "weight_grams",
                  "cod_amount", "shipping_fee", "label", "label_url"]

    def clean(self):
        cleaned = super().clean()
        awb = (cleaned.get("awb") or "").strip()
        if awb and "awb" in self.changed_data and cleaned.get("courier"):
            probe = Shipment(pk=self.instance.pk, courier=cleaned["courier"], status=self.instance.status)
            try:
                cleaned["awb"] = services.shipment_awb_validate(shipment=probe, awb=awb)
            except ApplicationError as exc:
                raise refusal_to_validation_error(exc, "awb") from None
        return cleaned


@admin.register(Shipment)
class ShipmentAdmin(BigTableAdmin):
    form = ShipmentAdminForm
    seller_path = "order__seller"
    list_display = ["__str__", "order", "courier", "service", "status", rupiah("cod_amount", _("COD amount")),
                    "shipped_at", "last_movement_at", "created_at"]
    list_filter = ["status", "courier", CodFilter, ("created_at", RangeDateTimeFilter)]
    list_filter_submit = True
    search_fields = ["awb__exact", "external_id__exact", "order__order_no__exact"]
    list_select_related = ["order", "courier"]
    autocomplete_fields = ["order", "account"]
    readonly_fields = ["status", "platform_status", "printed_at", "print_count", "shipped_at", "delivered_at",
                       "last_tracked_at", "last_movement_at", "created_at", "updated_at"]
    inlines = [TrackingEventInline, ShipmentEventInline, LabelPrintInline]
    actions = [
        transition_action(name="mark_picked_up", service=services.shipment_transition, field="shipment",
                          to_status=Shipment.Status.PICKED_UP, description=_("Mark picked up"),
                          done_message=_("%(count)d shipments marked picked up.")),
        transition_action(name="mark_in_transit", service=services.shipment_transition, field="shipment",
                          to_status=Shipment.Status.IN_TRANSIT, description=_("Mark in transit"),
                          done_message=_("%(count)d shipments marked in transit.")),
        transition_action(name="mark_delivered", service=services.shipment_transition, field="shipment",
                          to_status=Shipment.Status.DELIVERED, description=_("Mark delivered"),
                          done_message=_("%(count)d shipments marked delivered.")),
        transition_action(name="mark_problem", service=services.shipment_transition, field="shipment",
                          to_status=Shipment.Status.PROBLEM, description=_("Mark as problem"),
                          done_message=_("%(count)d shipments marked as problem.")),
    ]

    def save_model(self, request, obj, form, change):
        """The AWB goes through shipment_set_awb, which moves a pending shipment to "AWB created"."""
        new_awb = obj.awb if "awb" in form.changed_data else None
        if new_awb is not None:
            obj.awb = form.initial.get("awb", "") if change else ""
        super().save_model(request, obj, form, change)
        if new_awb:
            services.shipment_set_awb(shipment=obj, awb=new_awb, acting_user=request.user)


@admin.register(TrackingEvent)
class TrackingEventAdmin(NoHistoryMixin, ReadOnlyAdminMixin, BigTableAdmin):
    seller_path = "shipment__order__seller"
    list_display = ["occurred_at", "shipment", "status_code", "description", "location", "source"]
    list_filter = [("occurred_at", RangeDateTimeFilter), "source"]
    list_filter_submit = True
    search_fields = ["shipment__awb__exact"]
    list_select_related = ["shipment"]


# --- pickups -----------------------------------------------------------------------------------------


class PickupEventInline(EventInline):
    model = PickupEvent


class PickupRequestAdminForm(forms.ModelForm):
    class Meta:
        model = PickupRequest
        fields = ["seller", "courier", "pickup_date", "time_from", "time_to", "vehicle", "contact_name",
                  "contact_phone", "warehouse", "address", "orders", "account", "external_id"]

    def clean(self):
        cleaned = super().clean()
        needed = ["seller", "pickup_date", "time_from", "time_to", "vehicle"]
        if any(cleaned.get(name) in (None, "") for name in needed):
            return cleaned
        time_fields = {"pickup_date", "time_from", "time_to"}
        try:
            cleaned["contact_phone"] = services.pickup_request_validate(
                seller=cleaned["seller"], orders=cleaned.get("orders") or [],
                pickup_date=cleaned["pickup_date"], time_from=cleaned["time_from"],
                time_to=cleaned["time_to"],
                vehicle=cleaned["vehicle"], contact_name=cleaned.get("contact_name", ""),
                contact_phone=cleaned.get("contact_phone", ""), warehouse=cleaned.get("warehouse"),
                address=cleaned.get("address", ""), pickup=self.instance if self.instance.pk else None,
                check_times=not self.instance.pk or bool(time_fields & set(self.changed_data)),
            )
        except ApplicationError as exc:
            field = exc.extra.get("field")
            self.add_error(field if field in self.fields else None, exc.message)
        return cleaned


@admin.register(PickupRequest)
class PickupRequestAdmin(BaseAdmin):
    form = PickupRequestAdminForm
    seller_path = "seller"
    list_display = ["__str__", "seller", "courier", "status", "pickup_date", "time_from", "time_to",
                    "vehicle", "contact_name", "order_count"]
    list_filter = ["status", ("pickup_date", RangeDateFilter), ("seller", RelatedDropdownFilter)]
    list_filter_submit = True
    search_fields = ["seller__code__exact", "external_id__exact", "orders__order_no__exact"]
    list_select_related = ["seller", "courier"]
    autocomplete_fields = ["seller", "orders", "account"]
    readonly_fields = ["status", "failure_reason", "created_at", "updated_at"]
    inlines = [PickupEventInline]
    actions = [
        transition_action(name="schedule", service=services.pickup_transition, field="pickup",
                          to_status=PickupRequest.Status.SCHEDULED, description=_("Schedule"),
                          done_message=_("%(count)d pickups scheduled.")),
        transition_action(name="mark_picked_up", service=services.pickup_transition, field="pickup",
                          to_status=PickupRequest.Status.PICKED_UP, description=_("Mark picked up"),
                          done_message=_("%(count)d pickups marked picked up.")),
        transition_action(name="mark_failed", service=services.pickup_transition, field="pickup",
                          to_status=PickupRequest.Status.FAILED, description=_("Mark failed"),
                          done_message=_("%(count)d pickups marked failed.")),
        transition_action(name="cancel", service=services.pickup_transition, field="pickup",
                          to_status=PickupRequest.Status.CANCELED, description=_("Cancel"),
                          done_message=_("%(count)d pickups canceled.")),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(order_count=Count("orders"))

    @admin.display(description=_("orders"), ordering="order_count")
    def order_count(self, obj):
        return obj.order_count

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        cleaned = form.cleaned_data
        created = services.pickup_request_create(
            seller=cleaned["seller"], orders=cleaned["orders"], pickup_date=cleaned["pickup_date"],
            time_from=cleaned["time_from"], time_to=cleaned["time_to"], vehicle=cleaned["vehicle"],
            contact_name=cleaned["contact_name"], contact_phone=cleaned["contact_phone"],
            warehouse=cleaned.get("warehouse"), address=cleaned.get("address", ""),
            courier=cleaned.get("courier"), acting_user=request.user,
        )
        if cleaned.get("account") or cleaned.get("external_id"):
            created.account, created.external_id = cleaned.get("account"), cleaned.get("external_id", "")
            created.save(update_fields=["account", "external_id", "updated_at"])
        obj.pk = created.pk
        obj.created_at = created.created_at
        obj._state.adding = False


# --- returns -----------------------------------------------------------------------------------------


class ReturnEventInline(EventInline):
    model = ReturnEvent


class ReturnAdminForm(forms.ModelForm):
    class Meta:
        model = Return
        fields = ["order", "shipment", "reason", "rts_fee", "notes", "account", "external_id"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk or not cleaned.get("order"):
            return cleaned
        try:
            cleaned["rts_fee"] = services.return_validate(
                order=cleaned["order"], shipment=cleaned.get("shipment"), rts_fee=cleaned.get("rts_fee"),
            )
        except ApplicationError as exc:
            raise refusal_to_validation_error(exc) from None
        return cleaned


@admin.register(Return)
class ReturnAdmin(BaseAdmin):
    form = ReturnAdminForm
    seller_path = "order__seller"
    list_display = ["__str__", "shipment", "status", "outcome", rupiah("rts_fee", _("RTS charge")),
                    "received_at", "inspected_at", "created_at"]
    list_filter = ["status", "outcome", ("created_at", RangeDateTimeFilter)]
    list_filter_submit = True
    search_fields = ["order__order_no__exact", "shipment__awb__exact", "external_id__exact"]
    list_select_related = ["order", "shipment"]
    autocomplete_fields = ["order", "shipment", "account"]
    readonly_fields = ["status", "outcome", "received_at", "inspected_at", "inspected_by", "created_at",
                       "updated_at"]
    inlines = [ReturnEventInline]
    actions = ["receive", "inspect_sellable", "inspect_damaged", "inspect_lost"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "order", "shipment", "rts_fee"] if obj is not None else fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        cleaned = form.cleaned_data
        created = services.return_record(
            order=cleaned["order"], shipment=cleaned.get("shipment"), reason=cleaned.get("reason", ""),
            rts_fee=cleaned.get("rts_fee"), acting_user=request.user,
        )
        extra = {"notes": cleaned.get("notes", ""), "account": cleaned.get("account"),
                 "external_id": cleaned.get("external_id", "")}
        for name, value in extra.items():
            setattr(created, name, value)
        created.save(update_fields=[*extra, "updated_at"])
        obj.pk = created.pk
        obj.created_at = created.created_at
        obj._state.adding = False

    @admin.action(description=_("Mark received"), permissions=["change"])
    def receive(self, request, queryset):
        run_for_each(
            self, request, queryset, lambda ret: services.return_receive(ret=ret, acting_user=request.user),
            done_message=_("%(count)d returns marked received."),
        )

    def _inspect(self, request, queryset, outcome, done_message):
        run_for_each(
            self, request, queryset,
            lambda ret: services.return_inspect(ret=ret, outcome=outcome, acting_user=request.user),
            done_message=done_message,
        )

    @admin.action(description=_("Inspected: sellable"), permissions=["change"])
    def inspect_sellable(self, request, queryset):
        self._inspect(request, queryset, Return.Outcome.SELLABLE,
                      _("%(count)d returns inspected as sellable."))

    @admin.action(description=_("Inspected: damaged"), permissions=["change"])
    def inspect_damaged(self, request, queryset):
        self._inspect(request, queryset, Return.Outcome.DAMAGED, _("%(count)d returns inspected as damaged."))

    @admin.action(description=_("Inspected: lost"), permissions=["change"])
    def inspect_lost(self, request, queryset):
        self._inspect(request, queryset, Return.Outcome.LOST, _("%(count)d returns recorded as lost."))


# --- tickets -----------------------------------------------------------------------------------------


class TicketEventInline(EventInline):
    model = TicketEvent


class TicketReplyForm(forms.ModelForm):
    """A staff reply: the attachment is checked (size, JPG/PNG/PDF) like ticket_reply checks it."""

    class Meta:
        model = TicketMessage
        fields = ["body", "attachment"]

    def clean_attachment(self):
        attachment = self.cleaned_data.get("attachment")
        return attachment if self.instance.pk else _checked_attachment(attachment)

    def clean(self):
        cleaned = super().clean()
        ticket = getattr(self.instance, "ticket", None)
        if not self.instance.pk and ticket is not None and ticket.status in (
            Ticket.Status.CLOSED, Ticket.Status.CANCELED,
        ):
            raise ValidationError(
                _("Ticket %(number)s is “%(status)s”; it cannot receive messages.")
                % {"number": ticket.number, "status": ticket.get_status_display()}
            )
        return cleaned


class TicketMessageInline(StackedInline):
    """The thread: earlier messages are read-only; staff add a reply (with an attachment) at the end."""

    model = TicketMessage
    form = TicketReplyForm
    fields = ["body", "attachment", "attachment_url", "author_name", "is_from_staff", "created_at"]
    readonly_fields = ["attachment_url", "author_name", "is_from_staff", "created_at"]
    extra = 1
    can_delete = False
    ordering = ["created_at", "id"]
    verbose_name = _("message")
    verbose_name_plural = _("messages")

    def has_change_permission(self, request, obj=None):
        return False  # earlier messages are never edited; new ones are added below them


class SlaFilter(admin.SimpleListFilter):
    title = _("SLA")
    parameter_name = "sla"

    def lookups(self, request, model_admin):
        return [("today", _("Expiring today")), ("overdue", _("Overdue"))]

    def queryset(self, request, queryset):
        if self.value() in ("today", "overdue"):
            return ticket_filter_sla(queryset, kind=self.value())
        return queryset


class AssigneeFilter(admin.SimpleListFilter):
    title = _("assignee")
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        from django.contrib.auth import get_user_model

        staff = get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username")[:100]
        return [("me", _("Me")), ("none", _("Unassigned")), *((str(u.pk), u.get_username()) for u in staff)]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(assignee=request.user)
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        if value and value.isdigit():
            return queryset.filter(assignee_id=int(value))
        return queryset


def priority_action(priority: str, description):
    @admin.action(description=description, permissions=["change"])
    def action(modeladmin, request, queryset):
        run_for_each(
            modeladmin, request, queryset,
            lambda ticket: services.ticket_set_priority(ticket=ticket, priority=priority, acting_user=request.user),
            done_message=_("%(count)d tickets changed priority."),
        )

    action.__name__ = f"priority_{priority}"
    return action


class PushFilter(admin.SimpleListFilter):
    title = _("on the platform")
    parameter_name = "pushed"

    def lookups(self, request, model_admin):
        return [("failed", _("Push failed")), ("waiting", _("Not sent yet")), ("yes", _("On the platform"))]

    def queryset(self, request, queryset):
        if self.value() == "failed":
            return queryset.exclude(push_error="")
        if self.value() == "waiting":
            return queryset.filter(account__isnull=False, external_id="")
        if self.value() == "yes":
            return queryset.exclude(external_id="")
        return queryset


class TicketAdminForm(forms.ModelForm):
    """A new ticket goes through ticket_create (first message, attachment rules, push to Komship)."""

    message = forms.CharField(label=_("message"), widget=forms.Textarea, required=False)
    first_attachment = forms.FileField(label=_("attachment"), required=False,
                                       help_text=_("JPG, PNG or PDF within the size limit."))

    class Meta:
        model = Ticket
        formfield_callback = model_formfield
        fields = ["seller", "order", "type", "subject", "priority", "assignee", "sla_due_at"]

    def clean_first_attachment(self):
        return _checked_attachment(self.cleaned_data.get("first_attachment"))

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk and not (cleaned.get("message") or "").strip():
            self.add_error("message", _("Write the first message of the ticket."))
        return cleaned


@admin.register(Ticket)
class TicketAdmin(BaseAdmin):
    form = TicketAdminForm
    seller_path = "seller"
    list_display = ["number", "subject", "seller", "type", "priority", "status", "sla_due_at", "assignee",
                    "unread_by_staff", "last_message_at", "on_platform"]
    list_filter = ["status", "priority", "type", AssigneeFilter, SlaFilter,
                   ("sla_due_at", RangeDateTimeFilter), "unread_by_staff", PushFilter]
    list_filter_submit = True
    search_fields = ["number__exact", "awb__exact", "external_id__exact"]
    list_select_related = ["seller", "assignee"]
    autocomplete_fields = ["seller", "order", "account"]
    readonly_fields = ["status", "awb", "account", "external_id", "platform_status", "push_error", "last_message_at",
                       "unread_by_staff", "created_at", "updated_at"]
    inlines = [TicketMessageInline, TicketEventInline]
    actions = [
        transition_action(name="start", service=services.ticket_change_status, field="ticket",
                          to_status=Ticket.Status.IN_PROGRESS, description=_("Start work"),
                          done_message=_("%(count)d tickets in progress.")),
        transition_action(name="wait", service=services.ticket_change_status, field="ticket",
                          to_status=Ticket.Status.WAITING, description=_("Wait for reply"),
                          done_message=_("%(count)d tickets waiting for reply.")),
        transition_action(name="resolve", service=services.ticket_change_status, field="ticket",
                          to_status=Ticket.Status.RESOLVED, description=_("Resolve"),
                          done_message=_("%(count)d tickets resolved.")),
        transition_action(name="close", service=services.ticket_change_status, field="ticket",
                          to_status=Ticket.Status.CLOSED, description=_("Close"),
                          done_message=_("%(count)d tickets closed.")),
        transition_action(name="cancel", service=services.ticket_change_status, field="ticket",
                          to_status=Ticket.Status.CANCELED, description=_("Cancel ticket"),
                          done_message=_("%(count)d tickets canceled.")),
        priority_action(Ticket.Priority.URGENT, _("Priority: urgent")),
        priority_action(Ticket.Priority.HIGH, _("Priority: high")),
        priority_action(Ticket.Priority.NORMAL, _("Priority: normal")),
        priority_action(Ticket.Priority.LOW, _("Priority: low")),
        "assign_to_me",
        "unassign",
        "mark_read",
        "push_again",
    ]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None:
            return [f for f in fields if f not in ("message", "first_attachment")]
        return fields

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "seller", "order"] if obj is not None else fields

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    @admin.display(description=_("on the platform"), boolean=True)
    def on_platform(self, obj):
        if not obj.account_id:
            return None
        return bool(obj.external_id) and not obj.push_error

    @admin.action(description=_("Assign to me"), permissions=["change"])
    def assign_to_me(self, request, queryset):
        run_for_each(
            self, request, queryset,
            lambda ticket: services.ticket_assign(ticket=ticket, assignee=request.user,
                                                  acting_user=request.user),
            done_message=_("%(count)d tickets assigned to you."),
        )

    @admin.action(description=_("Unassign"), permissions=["change"])
    def unassign(self, request, queryset):
        run_for_each(
            self, request, queryset,
            lambda ticket: services.ticket_assign(ticket=ticket, assignee=None, acting_user=request.user),
            done_message=_("%(count)d tickets unassigned."),
        )

    @admin.action(description=_("Mark read"), permissions=["change"])
    def mark_read(self, request, queryset):
        run_for_each(
            self, request, queryset,
            lambda ticket: services.ticket_mark_read(ticket=ticket, acting_user=request.user),
            done_message=_("%(count)d tickets marked read."),
        )

    @admin.action(description=_("Send to the platform again"), permissions=["change"])
    def push_again(self, request, queryset):
        run_for_each(
            self, request, queryset, lambda ticket: services.ticket_push_again(ticket=ticket),
            done_message=_("%(count)d tickets queued for the platform."),
        )

    def save_model(self, request, obj, form, change):
        """New tickets through ticket_create; assignee and priority changes through their services."""
        cleaned = form.cleaned_data
        if not change:
            created = services.ticket_create(
                seller=cleaned["seller"], subject=cleaned["subject"], message=cleaned["message"],
                attachment=cleaned.get("first_attachment"), order=cleaned.get("order"),
                category=cleaned.get("type") or "", priority=cleaned.get("priority"), acting_user=request.user,
            )
            if cleaned.get("assignee"):
                services.ticket_assign(ticket=created, assignee=cleaned["assignee"], acting_user=request.user)
            obj.pk, obj.created_at = created.pk, created.created_at
            obj._state.adding = False
            return
        current = Ticket.objects.get(pk=obj.pk)
        if "assignee" in form.changed_data:
            services.ticket_assign(ticket=current, assignee=cleaned.get("assignee"), acting_user=request.user)
        if "priority" in form.changed_data:
            services.ticket_set_priority(ticket=current, priority=cleaned["priority"], acting_user=request.user)
        others = [f for f in form.changed_data if f in ("type", "subject", "sla_due_at")]
        if others:
            Ticket.objects.filter(pk=obj.pk).update(**{f: cleaned[f] for f in others})

    def save_formset(self, request, form, formset, change):
        """New messages go through ticket_reply (attachment rules, last message time, unread flag)."""
        if formset.model is not TicketMessage:
            super().save_formset(request, form, formset, change)
            return
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for reply in formset.extra_forms:
            if not reply.has_changed() or not reply.cleaned_data.get("body"):
                continue
            formset.new_objects.append(services.ticket_reply(
                ticket=form.instance, body=reply.cleaned_data["body"],
                attachment=reply.cleaned_data.get("attachment"), acting_user=request.user,
            ))


# --- claims ------------------------------------------------------------------------------------------


class ClaimEventInline(EventInline):
    model = ClaimEvent


class ClaimEvidenceForm(forms.ModelForm):
    class Meta:
        model = ClaimEvidence
        fields = ["file"]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        return _checked_attachment(upload) if "file" in self.changed_data else upload


class ClaimEvidenceInline(TabularInline):
    model = ClaimEvidence
    form = ClaimEvidenceForm
    fields = ["file", "uploaded_at"]
    readonly_fields = ["uploaded_at"]
    extra = 0
    verbose_name_plural = _("more evidence")


class ClaimAdminForm(forms.ModelForm):
    """A new claim goes through claim_validate / claim_create: a return claim needs a COD order that came
    back; evidence must be JPG, PNG or PDF within the size limit."""

    class Meta:
        model = Claim
        fields = ["seller", "order", "shipment", "ticket", "kind", "amount", "evidence", "description"]

    def clean_amount(self):
        amount = self.cleaned_data.get("amount")
        if amount is not None and amount <= 0:
            raise ValidationError(_("The claim amount must be more than zero."))
        return amount

    def clean_evidence(self):
        evidence = self.cleaned_data.get("evidence")
        return _checked_attachment(evidence) if "evidence" in self.changed_data else evidence

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            return cleaned
        needed = ("seller", "order", "kind", "amount")
        if any(cleaned.get(name) in (None, "") for name in needed):
            return cleaned
        try:
            services.claim_validate(seller=cleaned["seller"], order=cleaned["order"], kind=cleaned["kind"],
                                    amount=cleaned["amount"], shipment=cleaned.get("shipment"),
                                    ticket=cleaned.get("ticket"))
        except ApplicationError as exc:
            field = exc.extra.get("field")
            self.add_error(field if field in self.fields else None, exc.message)
        return cleaned


@admin.register(Claim)
class ClaimAdmin(BaseAdmin):
    form = ClaimAdminForm
    seller_path = "seller"
    list_display = ["__str__", "seller", "shipment", "kind", "status", rupiah("amount", _("amount")),
                    "platform_status", "decided_at", "created_at"]
    list_filter = ["status", "kind", ("seller", RelatedDropdownFilter), ("created_at", RangeDateTimeFilter)]
    list_filter_submit = True
    search_fields = ["order__order_no__exact", "shipment__awb__exact", "external_id__exact"]
    list_select_related = ["seller", "order", "shipment"]
    autocomplete_fields = ["seller", "order", "shipment", "ticket"]
    readonly_fields = ["status", "account", "external_id", "platform_status", "push_error", "decided_at",
                       "created_at", "updated_at"]
    inlines = [ClaimEvidenceInline, ClaimEventInline]
    actions = [
        "accept",
        "reject",
        transition_action(name="mark_paid", service=services.claim_transition, field="claim",
                          to_status=Claim.Status.PAID, description=_("Mark paid"),
                          done_message=_("%(count)d claims marked paid.")),
    ]


    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is None:
            return fields
        locked = ["seller", "order", "kind", "ticket"]
        if obj.status != Claim.Status.ON_REVIEW:
            locked.append("amount")  # decided (and maybe credited): the amount is history now
        return [*fields, *locked]

    @admin.action(description=_("Accept and credit the seller"), permissions=["change"])
    def accept(self, request, queryset):
        run_for_each(
            self, request, queryset, lambda claim: services.claim_accept(claim=claim, acting_user=request.user),
            done_message=_("%(count)d claims accepted and credited."),
        )

    @admin.action(description=_("Reject"), permissions=["change"])
    def reject(self, request, queryset):
        run_for_each(
            self, request, queryset, lambda claim: services.claim_reject(claim=claim, acting_user=request.user),
            done_message=_("%(count)d claims rejected."),
        )

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        cleaned = form.cleaned_data
        created = services.claim_create(
            seller=cleaned["seller"], order=cleaned["order"], kind=cleaned["kind"], amount=cleaned["amount"],
            description=cleaned.get("description", ""), evidence=cleaned.get("evidence"),
            shipment=cleaned.get("shipment"), ticket=cleaned.get("ticket"), acting_user=request.user,
        )
        obj.pk, obj.created_at = created.pk, created.created_at
        obj._state.adding = False


# Shipping actions, filters and the pickup monitor live in their own module (quotes, AWBs, labels, pickups).
from logistics import admin_shipping  # noqa: E402, F401
