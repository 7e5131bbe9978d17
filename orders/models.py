from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.models import BaseModel, PlatformMirror, TransitionEvent
from common.validators import validate_e164_phone


class Customer(BaseModel):
    # Single-column FK indexes are left out where a composite index leads with the column (fewer indexes to
    # maintain on tables a pull inserts into by the hundred thousand).
    seller = models.ForeignKey("sellers.Seller", verbose_name=_("seller"), on_delete=models.PROTECT,
                               related_name="customers", db_index=False)
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_e164_phone])
    email = models.EmailField(_("email"), blank=True)
    address = models.TextField(_("address"), blank=True)
    subdistrict = models.CharField(_("subdistrict"), max_length=100, blank=True)
    district = models.CharField(_("district"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    province = models.CharField(_("province"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.CheckConstraint(condition=Q(phone="") | Q(phone__regex=r"^\+[1-9][0-9]{7,14}$"),
                                   name="orders_customer_phone_e164"),
        ]
        indexes = [models.Index(fields=["phone"], name="orders_customer_phone_idx"),
                   models.Index(fields=["seller", "phone"], name="orders_customer_seller_phone")]

    def __str__(self) -> str:
        return f"{self.name} ({self.phone})" if self.phone else self.name


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    NEW = "new", _("New")
    PROCESSING = "processing", _("Processing")
    READY_TO_SHIP = "ready_to_ship", _("Ready to ship")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    COMPLETED = "completed", _("Completed")
    RETURNING = "returning", _("Returning")
    RETURNED = "returned", _("Returned")
    CANCELED = "canceled", _("Canceled")


class PaymentStatus(models.TextChoices):
    UNPAID = "unpaid", _("Unpaid")
    PARTIALLY_PAID = "partially_paid", _("Partially paid")
    PAID = "paid", _("Paid")
    REFUNDED = "refunded", _("Refunded")


class PaymentMethod(models.TextChoices):
    COD = "cod", _("Cash on delivery (COD)")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    E_PAYMENT = "e_payment", _("E-payment")


class Order(PlatformMirror, BaseModel):
    Status = OrderStatus
    PaymentStatus = PaymentStatus
    PaymentMethod = PaymentMethod

    account = models.ForeignKey("integrations.PlatformAccount", verbose_name=_("platform account"),
                                on_delete=models.PROTECT, null=True, blank=True, related_name="orders",
                                db_index=False)
    seller = models.ForeignKey("sellers.Seller", verbose_name=_("seller"), on_delete=models.PROTECT,
                               related_name="orders", db_index=False)
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="orders")
    warehouse = models.ForeignKey("catalog.Warehouse", verbose_name=_("ship from"), on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="orders")
    # Unique per seller for orders made here; platform orders keep the platform's own number, which two
    # accounts may happen to share, and are told apart by (account, external_id).
    order_no = models.CharField(_("order number"), max_length=64)
    invoice_no = models.CharField(_("invoice number"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=OrderStatus.choices,
                              default=OrderStatus.NEW)
    platform_status = models.CharField(_("platform status"), max_length=64, blank=True)
    status_unmapped = models.BooleanField(
        _("unknown platform status"), default=False,
        help_text=_("The platform reported a status that has no mapping yet; see Status mappings."),
    )
    payment_method = models.CharField(_("payment method"), max_length=20, choices=PaymentMethod.choices)
    payment_status = models.CharField(_("payment status"), max_length=20, choices=PaymentStatus.choices,
                                      default=PaymentStatus.UNPAID)
    subtotal = models.DecimalField(_("subtotal"), max_digits=14, decimal_places=2, default=0)
    discount = models.DecimalField(_("discount"), max_digits=14, decimal_places=2, default=0)
    shipping_cost = models.DecimalField(_("shipping cost"), max_digits=14, decimal_places=2, default=0)
    cod_fee = models.DecimalField(_("COD fee"), max_digits=14, decimal_places=2, default=0)
    # Platform charges we do not itemise (insurance, admin fees, escrow lines); signed.
    other_costs = models.DecimalField(_("other costs"), max_digits=14, decimal_places=2, default=0)
    grand_total = models.DecimalField(_("grand total"), max_digits=14, decimal_places=2, default=0)
    courier = models.ForeignKey("logistics.Courier", verbose_name=_("courier"), on_delete=models.PROTECT,
                                null=True, blank=True, related_name="orders", db_index=False)
    courier_service = models.CharField(_("service"), max_length=40, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    payload_hash = models.CharField(_("payload hash"), max_length=64, blank=True, editable=False)
    # The digest of the list row this order was last written from (integrations.base.listing_digest): a
    # pull skips mapping a row whose digest it already holds.
    listing_digest = models.CharField(_("listing digest"), max_length=32, blank=True, default="", editable=False)
    platform_created_at = models.DateTimeField(_("created on platform"), null=True, blank=True)
    platform_updated_at = models.DateTimeField(_("updated on platform"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["payload_hash", "listing_digest", "updated_at"])

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "external_id"],
                                    condition=Q(account__isnull=False) & ~Q(external_id=""),
                                    name="orders_order_unique_external"),
            models.UniqueConstraint(fields=["seller", "order_no"], condition=Q(account__isnull=True),
                                    name="orders_order_unique_local_number"),
            models.CheckConstraint(
                condition=Q(subtotal__gte=0) & Q(discount__gte=0) & Q(shipping_cost__gte=0)
                & Q(cod_fee__gte=0) & Q(grand_total__gte=0),
                name="orders_order_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(grand_total=F("subtotal") - F("discount") + F("shipping_cost") + F("cod_fee")
                          + F("other_costs")),
                name="orders_order_grand_total_adds_up",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-id"], name="orders_order_status_id"),
            models.Index(fields=["seller", "-id"], name="orders_order_seller_id"),
            models.Index(fields=["payment_method", "-id"], name="orders_order_payment_method"),
            models.Index(fields=["payment_status", "-id"], name="orders_order_payment_status"),
            models.Index(fields=["account", "-id"], name="orders_order_account_id"),
            models.Index(fields=["courier", "-id"], name="orders_order_courier_id"),
            models.Index(fields=["created_at"], name="orders_order_created_at"),
            models.Index(fields=["external_id"], name="orders_order_external_id"),
            models.Index(fields=["order_no"], name="orders_order_order_no"),
            models.Index(fields=["invoice_no"], name="orders_order_invoice_no"),
            models.Index(fields=["status_unmapped"], condition=Q(status_unmapped=True),
                         name="orders_order_unmapped"),
        ]

    def __str__(self) -> str:
        return self.order_no

    @property
    def is_cod(self) -> bool:
        return self.payment_method == PaymentMethod.COD


class OrderItem(BaseModel):
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="items")
    variant = models.ForeignKey("catalog.Variant", verbose_name=_("variant"), on_delete=models.PROTECT,
                                null=True, blank=True, related_name="order_items",
                                help_text=_("Empty when the platform SKU matches none of ours."))
    sku = models.CharField(_("SKU"), max_length=64)
    name = models.CharField(_("name"), max_length=255)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    discount = models.DecimalField(_("discount"), max_digits=14, decimal_places=2, default=0)
    line_total = models.DecimalField(_("line total"), max_digits=14, decimal_places=2)
    weight_grams = models.PositiveIntegerField(_("weight (g)"), default=0)

    class Meta:
        verbose_name = _("order item")
        verbose_name_plural = _("order items")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orders_item_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0) & Q(discount__gte=0) & Q(line_total__gte=0),
                                   name="orders_item_amounts_not_negative"),
        ]
        indexes = [models.Index(fields=["sku"], name="orders_item_sku")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku}"


class OrderEvent(TransitionEvent):
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="events",
                              db_index=False)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        indexes = [models.Index(fields=["order", "created_at"], name="orders_event_order_at")]


class StatusMapping(BaseModel):
    """A platform's status word → ours. Seeded from the documents; staff add what new platforms send."""

    class Platform(models.TextChoices):
        KOMSHIP = "komship", "Komship"
        NGORDER = "ngorder", "Ngorder"
        SCALEV = "scalev", "Scalev"
        MITRABUNSO = "mitrabunso", "Mitrabunso"

    class Kind(models.TextChoices):
        ORDER = "order", _("Order status")
        PAYMENT = "payment", _("Payment status")
        PROGRESS = "progress", _("Order progress status")
        SHIPMENT = "shipment", _("Shipment status")

    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.ORDER)
    platform_status = models.CharField(_("platform status"), max_length=64,
                                       help_text=_("Compared case-insensitively after trimming."))
    our_status = models.CharField(_("our status"), max_length=20)
    description = models.CharField(_("description"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("status mapping")
        verbose_name_plural = _("status mappings")
        ordering = ["platform", "kind", "platform_status"]
        constraints = [
            # Words are compared case-insensitively, so "Batal" and "batal" may not both exist.
            models.UniqueConstraint("platform", "kind", Lower("platform_status"),
                                    name="orders_statusmapping_unique",
                                    violation_error_message=_("This platform status is already mapped.")),
        ]

    def __str__(self) -> str:
        return f"{self.platform}/{self.kind}: {self.platform_status} → {self.our_status}"
