from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.models import BaseModel, EventSource, PlatformMirror, TransitionEvent
from common.validators import validate_e164_phone


def mirror_constraints(prefix: str) -> list:
    return [
        models.UniqueConstraint(fields=["account", "external_id"],
                                condition=Q(account__isnull=False) & ~Q(external_id=""),
                                name=f"{prefix}_unique_external"),
    ]


class Courier(BaseModel):
    code = models.CharField(_("code"), max_length=32, unique=True, help_text=_("e.g. jne, jnt, sicepat"))
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    supports_cod = models.BooleanField(_("supports COD"), default=True)
    pickup_cutoff = models.TimeField(_("pickup cut-off"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("courier")
        verbose_name_plural = _("couriers")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class CourierService(BaseModel):
    courier = models.ForeignKey(Courier, verbose_name=_("courier"), on_delete=models.CASCADE,
                                related_name="services")
    code = models.CharField(_("code"), max_length=40, help_text=_("e.g. REG, YES, OKE"))
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("courier service")
        verbose_name_plural = _("courier services")
        ordering = ["courier", "code"]
        constraints = [models.UniqueConstraint(fields=["courier", "code"], name="logistics_service_unique")]

    def __str__(self) -> str:
        return f"{self.courier.code.upper()} {self.code}"


class ShipmentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    AWB_CREATED = "awb_created", _("AWB created")
    PICKUP_REQUESTED = "pickup_requested", _("Pickup requested")
    PICKED_UP = "picked_up", _("Picked up")
    IN_TRANSIT = "in_transit", _("In transit")
    DELIVERED = "delivered", _("Delivered")
    PROBLEM = "problem", _("Problem")
    RETURNING = "returning", _("Returning")
    RETURNED = "returned", _("Returned")
    LOST = "lost", _("Lost")
    CANCELED = "canceled", _("Canceled")


class Shipment(PlatformMirror, BaseModel):
    Status = ShipmentStatus

    account = models.ForeignKey("integrations.PlatformAccount", verbose_name=_("platform account"),
                                on_delete=models.PROTECT, null=True, blank=True, related_name="shipments")
    order = models.ForeignKey("orders.Order", verbose_name=_("order"), on_delete=models.PROTECT,
                              related_name="shipments")
    courier = models.ForeignKey(Courier, verbose_name=_("courier"), on_delete=models.PROTECT,
                                related_name="shipments")
    service = models.CharField(_("service"), max_length=40, blank=True)
    awb = models.CharField(_("AWB"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ShipmentStatus.choices,
                              default=ShipmentStatus.PENDING)
    platform_status = models.CharField(_("platform status"), max_length=64, blank=True)
    weight_grams = models.PositiveIntegerField(_("weight (g)"), default=0)
    cod_amount = models.DecimalField(_("COD amount"), max_digits=14, decimal_places=2, default=0)
    shipping_fee = models.DecimalField(_("shipping fee"), max_digits=14, decimal_places=2, default=0)
    label = models.FileField(_("label"), upload_to="labels/%Y/%m/", blank=True)
    label_url = models.URLField(_("label URL"), max_length=500, blank=True)
    printed_at = models.DateTimeField(_("printed at"), null=True, blank=True)
    print_count = models.PositiveIntegerField(_("times printed"), default=0)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    last_tracked_at = models.DateTimeField(_("last tracked"), null=True, blank=True)
    last_movement_at = models.DateTimeField(_("last movement"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["-id"]
        constraints = [
            *mirror_constraints("logistics_shipment"),
            models.UniqueConstraint(fields=["courier", "awb"], condition=~Q(awb=""),
                                    name="logistics_shipment_unique_awb",
                                    violation_error_message=_("This AWB is already used for this courier.")),
            models.CheckConstraint(condition=Q(cod_amount__gte=0) & Q(shipping_fee__gte=0),
                                   name="logistics_shipment_amounts_not_negative",
                                   violation_error_message=_("COD amount and shipping fee cannot be "
                                                             "negative.")),
        ]
        indexes = [
            models.Index(fields=["awb"], name="logistics_shipment_awb"),
            models.Index(fields=["status", "-id"], name="logistics_shipment_status"),
            models.Index(fields=["external_id"], name="logistics_shipment_external"),
        ]

    def __str__(self) -> str:
        return self.awb or f"#{self.pk}"


class ShipmentEvent(TransitionEvent):
    shipment = models.ForeignKey(Shipment, verbose_name=_("shipment"), on_delete=models.CASCADE,
                                 related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("shipment event")
        verbose_name_plural = _("shipment events")


class LabelPrint(models.Model):
    """Audit of label printing: who printed which shipment's label, and when (reprints included)."""

    shipment = models.ForeignKey(Shipment, verbose_name=_("shipment"), on_delete=models.CASCADE,
                                 related_name="label_prints")
    printed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("printed by"),
                                   on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    printed_at = models.DateTimeField(_("printed at"), auto_now_add=True)
    is_reprint = models.BooleanField(_("reprint"), default=False)

    class Meta:
        verbose_name = _("label print")
        verbose_name_plural = _("label prints")
        ordering = ["-printed_at"]

    def __str__(self) -> str:
        return f"{self.shipment} @ {self.printed_at:%Y-%m-%d %H:%M}"


class TrackingEvent(PlatformMirror):
    account = models.ForeignKey("integrations.PlatformAccount", verbose_name=_("platform account"),
                                on_delete=models.PROTECT, null=True, blank=True,
                                related_name="tracking_events")
    shipment = models.ForeignKey(Shipment, verbose_name=_("shipment"), on_delete=models.CASCADE,
                                 related_name="tracking_events")
    occurred_at = models.DateTimeField(_("occurred at"))
    status_code = models.CharField(_("status code"), max_length=64, blank=True)
    description = models.CharField(_("description"), max_length=500)
    location = models.CharField(_("location"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=EventSource.choices,
                              default=EventSource.SYNC)
    # Platforms rarely give tracking events an id: the dedup key is a hash of shipment, time, code and text.
    dedup_key = models.CharField(_("deduplication key"), max_length=64)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        ordering = ["-occurred_at"]
        constraints = [
            *mirror_constraints("logistics_trackingevent"),
            models.UniqueConstraint(fields=["shipment", "dedup_key"], name="logistics_tracking_unique_event"),
        ]
        indexes = [models.Index(fields=["shipment", "-occurred_at"], name="logistics_tracking_shipment"),
                   models.Index(fields=["occurred_at"], name="logistics_tracking_occurred")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.description}"


class PickupRequest(PlatformMirror, BaseModel):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        SCHEDULED = "scheduled", _("Scheduled")
        PICKED_UP = "picked_up", _("Picked up")
        FAILED = "failed", _("Failed")
        CANCELED = "canceled", _("Canceled")

    class Vehicle(models.TextChoices):
        MOTOR = "motor", _("Motorcycle")
        MOBIL = "mobil", _("Car")
        TRUK = "truk", _("Truck")

    account = models.ForeignKey("integrations.PlatformAccount", verbose_name=_("platform account"),
                                on_delete=models.PROTECT, null=True, blank=True, related_name="pickups")
    seller = models.ForeignKey("sellers.Seller", verbose_name=_("seller"), on_delete=models.PROTECT,
                               related_name="pickups")
    courier = models.ForeignKey(Courier, verbose_name=_("courier"), on_delete=models.PROTECT, null=True,
                                blank=True, related_name="pickups")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    pickup_date = models.DateField(_("pickup date"))
    time_from = models.TimeField(_("from"))
    time_to = models.TimeField(_("until"))
    vehicle = models.CharField(_("vehicle"), max_length=8, choices=Vehicle.choices, default=Vehicle.MOTOR)
    contact_name = models.CharField(_("contact person"), max_length=200)
    contact_phone = models.CharField(_("contact phone"), max_length=20, validators=[validate_e164_phone])
    warehouse = models.ForeignKey("catalog.Warehouse", verbose_name=_("warehouse"), on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="pickups")
    address = models.TextField(_("pickup address"), blank=True)
    orders = models.ManyToManyField("orders.Order", verbose_name=_("orders"), related_name="pickups",
                                    blank=True)
    failure_reason = models.CharField(_("failure or cancel reason"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pickup request")
        verbose_name_plural = _("pickup requests")
        ordering = ["-pickup_date", "-id"]
        constraints = [
            *mirror_constraints("logistics_pickup"),
            models.CheckConstraint(condition=Q(time_from__lt=models.F("time_to")),
                                   name="logistics_pickup_window_ordered",
                                   violation_error_message=_("The pickup window must start before it ends.")),
            models.CheckConstraint(condition=Q(warehouse__isnull=False) | ~Q(address=""),
                                   name="logistics_pickup_has_place",
                                   violation_error_message=_("Give a warehouse or a pickup address.")),
        ]
        indexes = [models.Index(fields=["status", "pickup_date"], name="logistics_pickup_status_date")]

    def __str__(self) -> str:
        return f"{self.seller.code} {self.pickup_date} {self.time_from:%H:%M}–{self.time_to:%H:%M}"


class PickupEvent(TransitionEvent):
    pickup = models.ForeignKey(PickupRequest, verbose_name=_("pickup request"), on_delete=models.CASCADE,
                               related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("pickup event")
        verbose_name_plural = _("pickup events")


class Return(PlatformMirror, BaseModel):
    """A return to sender (RTS): from tracking or recorded by hand, then inspected."""

    class Status(models.TextChoices):
        RETURNING = "returning", _("On the way back")
        RECEIVED = "received", _("Received")
        INSPECTED = "inspected", _("Inspected")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Not inspected")
        SELLABLE = "sellable", _("Sellable")
        DAMAGED = "damaged", _("Damaged")
        LOST = "lost", _("Lost")

    account = models.ForeignKey("integrations.PlatformAccount", verbose_name=_("platform account"),
                                on_delete=models.PROTECT, null=True, blank=True, related_name="returns")
    order = models.ForeignKey("orders.Order", verbose_name=_("order"), on_delete=models.PROTECT,
                              related_name="returns")
    shipment = models.ForeignKey(Shipment, verbose_name=_("shipment"), on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="returns")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RETURNING)
    outcome = models.CharField(_("inspection outcome"), max_length=16, choices=Outcome.choices,
                               default=Outcome.PENDING)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    rts_fee = models.DecimalField(_("RTS charge"), max_digits=14, decimal_places=2, default=0)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    inspected_at = models.DateTimeField(_("inspected at"), null=True, blank=True)
    inspected_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("inspected by"),
                                     on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        ordering = ["-id"]
        constraints = [
            *mirror_constraints("logistics_return"),
            models.CheckConstraint(condition=Q(rts_fee__gte=0), name="logistics_return_fee_not_negative",
                                   violation_error_message=_("The RTS charge cannot be negative.")),
        ]

    def __str__(self) -> str:
        return f"RTS {self.order}"


class ReturnEvent(TransitionEvent):
    ret = models.ForeignKey(Return, verbose_name=_("return"), on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("return event")
        verbose_name_plural = _("return events")


class Ticket(PlatformMirror, BaseModel):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        WAITING = "waiting", _("Waiting for reply")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")
        CANCELED = "canceled", _("Canceled")

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    class Type(models.TextChoices):
        DELIVERY = "delivery", _("Delivery problem")
        PICKUP = "pickup", _("Pickup problem")
        RETURN = "return", _("Return")
        DAMAGED = "damaged", _("Damaged package")
        LOST = "lost", _("Lost package")
        COD = "cod", _("COD / payment")
        OTHER = "other", _("Other")

    account = models.ForeignKey("integrations.PlatformAccount", verbose_name=_("platform account"),
                                on_delete=models.PROTECT, null=True, blank=True, related_name="tickets")
    number = models.CharField(_("ticket number"), max_length=40, unique=True)
    seller = models.ForeignKey("sellers.Seller", verbose_name=_("seller"), on_delete=models.PROTECT,
                               related_name="tickets")
    order = models.ForeignKey("orders.Order", verbose_name=_("order"), on_delete=models.PROTECT, null=True,
                              blank=True, related_name="tickets")
    awb = models.CharField(_("AWB"), max_length=64, blank=True)
    type = models.CharField(_("type"), max_length=16, choices=Type.choices, default=Type.OTHER)
    subject = models.CharField(_("subject"), max_length=255)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices,
                                default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    sla_due_at = models.DateTimeField(_("SLA due"), null=True, blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"),
                                 on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="assigned_tickets")
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True)
    unread_by_staff = models.BooleanField(_("unread"), default=False)
    platform_status = models.CharField(_("platform status"), max_length=32, blank=True)
    payload_hash = models.CharField(_("payload hash"), max_length=64, blank=True, editable=False)
    push_error = models.TextField(_("push error"), blank=True,
                                  help_text=_("Why the last push to the platform failed; empty when it worked."))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-id"]
        constraints = mirror_constraints("logistics_ticket")
        indexes = [models.Index(fields=["status", "sla_due_at"], name="logistics_ticket_status_sla"),
                   models.Index(fields=["awb"], name="logistics_ticket_awb")]

    def __str__(self) -> str:
        return f"{self.number} · {self.subject}"


class TicketEvent(TransitionEvent):
    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE,
                               related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")


class TicketMessage(PlatformMirror, BaseModel):
    account = models.ForeignKey("integrations.PlatformAccount", verbose_name=_("platform account"),
                                on_delete=models.PROTECT, null=True, blank=True,
                                related_name="ticket_messages")
    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE,
                               related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT,
                               null=True, blank=True, related_name="+")
    author_name = models.CharField(_("author name"), max_length=200, blank=True)
    is_from_staff = models.BooleanField(_("from staff"), default=False)
    body = models.TextField(_("message"))
    attachment = models.FileField(_("attachment"), upload_to="tickets/%Y/%m/", blank=True)
    attachment_url = models.URLField(_("attachment on the platform"), max_length=500, blank=True)
    push_error = models.TextField(_("push error"), blank=True)

    class Meta:
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")
        ordering = ["created_at", "id"]
        constraints = mirror_constraints("logistics_ticketmessage")

    def __str__(self) -> str:
        return self.body[:60]


class Claim(PlatformMirror, BaseModel):
    class Kind(models.TextChoices):
        LOST = "lost", _("Lost package")
        DAMAGED = "damaged", _("Damaged package")
        RETURN = "return", _("Return claim")

    class Status(models.TextChoices):
        ON_REVIEW = "on_review", _("On review")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        PAID = "paid", _("Paid")

    account = models.ForeignKey("integrations.PlatformAccount", verbose_name=_("platform account"),
                                on_delete=models.PROTECT, null=True, blank=True, related_name="claims")
    seller = models.ForeignKey("sellers.Seller", verbose_name=_("seller"), on_delete=models.PROTECT,
                               related_name="claims")
    order = models.ForeignKey("orders.Order", verbose_name=_("order"), on_delete=models.PROTECT,
                              related_name="claims")
    shipment = models.ForeignKey(Shipment, verbose_name=_("shipment"), on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="claims")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ON_REVIEW)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    evidence = models.FileField(_("evidence"), upload_to="claims/%Y/%m/", blank=True)
    description = models.TextField(_("description"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.PROTECT, null=True, blank=True,
                               related_name="claims")
    platform_status = models.CharField(_("platform status"), max_length=32, blank=True)
    push_error = models.TextField(_("push error"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["-id"]
        constraints = [
            *mirror_constraints("logistics_claim"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="logistics_claim_amount_positive",
                                   violation_error_message=_("The claim amount must be more than zero.")),
            models.UniqueConstraint(fields=["order", "kind"], condition=~Q(status="rejected"),
                                    name="logistics_claim_one_live_per_order_kind",
                                    violation_error_message=_("This order already has a claim of this kind.")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.order}"


class ClaimEvent(TransitionEvent):
    claim = models.ForeignKey(Claim, verbose_name=_("claim"), on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = _("claim event")
        verbose_name_plural = _("claim events")


class PickupMonitor(PickupRequest):
    """Not a table: the pickup monitoring screen's entry in the admin (sidebar, permissions)."""

    class Meta:
        proxy = True
        verbose_name = _("pickup monitor")
        verbose_name_plural = _("pickup monitor")


class ClaimEvidence(BaseModel):
    """More evidence for a claim (photos of the parcel, the unboxing video's still, a receipt) besides
    `Claim.evidence`; each file is uploaded to the platform with the claim."""

    claim = models.ForeignKey(Claim, verbose_name=_("claim"), on_delete=models.CASCADE,
                              related_name="evidence_files")
    file = models.FileField(_("file"), upload_to="claims/%Y/%m/")
    uploaded_at = models.DateTimeField(_("uploaded to the platform"), null=True, blank=True)

    class Meta:
        verbose_name = _("claim evidence")
        verbose_name_plural = _("claim evidence")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]
