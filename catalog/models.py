from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.models import BaseModel, PlatformMirror


class Category(BaseModel):
    parent = models.ForeignKey("self", verbose_name=_("parent"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="children")
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="catalog_category_unique_name_in_parent"),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="catalog_category_not_own_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.parent} › {self.name}" if self.parent_id else self.name


class Warehouse(BaseModel):
    class Kind(models.TextChoices):
        PRIVATE = "private", _("Private (seller's own)")
        FULFILMENT = "fulfilment", _("Fulfilment")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.FULFILMENT)
    seller = models.ForeignKey("sellers.Seller", verbose_name=_("seller"), on_delete=models.PROTECT,
                               null=True, blank=True, related_name="warehouses",
                               help_text=_("Only for private warehouses."))
    address = models.TextField(_("address"))
    district = models.CharField(_("district"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100)
    province = models.CharField(_("province"), max_length=100)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="private", seller__isnull=False) | Q(kind="fulfilment", seller__isnull=True),
                name="catalog_warehouse_private_has_seller",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class Product(BaseModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")

    # db_index=False: the (seller, status) and (seller, name) indexes lead with the seller.
    seller = models.ForeignKey("sellers.Seller", verbose_name=_("seller"), on_delete=models.PROTECT,
                               related_name="products", db_index=False)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="products")
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    brand = models.CharField(_("brand"), max_length=120, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    # The history is read per product (its id); the imports write a history row per product, so no index on the
    # copied foreign keys and no database constraint on history_user (Django still sets it to NULL on delete).
    history = HistoricalRecords(no_db_index=["seller", "category"], user_db_constraint=False)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["-id"]
        indexes = [models.Index(fields=["seller", "status"], name="catalog_product_seller_status"),
                   models.Index(fields=["seller", "name"], name="catalog_product_seller_name")]
        # The target of the variants' (product, seller) foreign key (migration 0002).
        constraints = [models.UniqueConstraint(fields=["id", "seller"], name="catalog_product_id_seller")]

    def __str__(self) -> str:
        return self.name


class Variant(BaseModel):
    """Copied from the product so that "SKU unique per seller" is a database constraint, the seller is held to
    the product's by one foreign key on (product, seller) -> the product's (id, seller), created by migration
    0002 (Django has no composite foreign key): one check per new variant instead of one for the product and
    one for the seller, and a variant can never carry another seller than its product's."""

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE,
                                related_name="variants", db_constraint=False)
    seller = models.ForeignKey("sellers.Seller", verbose_name=_("seller"), on_delete=models.PROTECT,
                               related_name="variants", editable=False, db_index=False,  # (seller, sku) leads
                               db_constraint=False)
    sku = models.CharField(_("SKU"), max_length=64)
    name = models.CharField(_("variant name"), max_length=255, blank=True)
    option_values = models.JSONField(_("options"), default=dict, blank=True,
                                     help_text=_('For example {"Warna": "Merah", "Ukuran": "XL"}'))
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2)
    weight_grams = models.PositiveIntegerField(_("weight (g)"))
    length_cm = models.DecimalField(_("length (cm)"), max_digits=7, decimal_places=1, null=True, blank=True)
    width_cm = models.DecimalField(_("width (cm)"), max_digits=7, decimal_places=1, null=True, blank=True)
    height_cm = models.DecimalField(_("height (cm)"), max_digits=7, decimal_places=1, null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(no_db_index=["product", "seller"], user_db_constraint=False)  # as Product's

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        ordering = ["sku"]
        constraints = [
            models.UniqueConstraint(fields=["seller", "sku"], name="catalog_variant_unique_seller_sku"),
            models.CheckConstraint(condition=Q(price__gte=0), name="catalog_variant_price_not_negative"),
            models.CheckConstraint(condition=Q(weight_grams__gt=0), name="catalog_variant_weight_positive"),
            models.CheckConstraint(condition=~Q(sku=""), name="catalog_variant_sku_not_blank"),
        ]
        indexes = [models.Index(fields=["sku"], name="catalog_variant_sku_idx")]

    def __str__(self) -> str:
        return f"{self.sku} · {self.name or self.product.name}" if self.product_id else self.sku


class StockLevel(BaseModel):
    """What a warehouse holds of a variant. `available` is derived by the database."""

    variant = models.ForeignKey(Variant, verbose_name=_("variant"), on_delete=models.CASCADE,
                                related_name="stock_levels")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT,
                                  related_name="stock_levels")
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    available = models.GeneratedField(
        verbose_name=_("available"), expression=F("on_hand") - F("reserved"),
        output_field=models.IntegerField(), db_persist=True,
    )

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            models.UniqueConstraint(fields=["variant", "warehouse"], name="catalog_stocklevel_unique"),
            models.CheckConstraint(condition=Q(on_hand__gte=0),
                                   name="catalog_stocklevel_on_hand_not_negative"),
            models.CheckConstraint(condition=Q(reserved__gte=0),
                                   name="catalog_stocklevel_reserved_not_negative"),
            models.CheckConstraint(condition=Q(reserved__lte=F("on_hand")),
                                   name="catalog_stocklevel_reserved_within_on_hand"),
        ]
        indexes = [models.Index(fields=["warehouse", "available"], name="catalog_stocklevel_wh_avail")]

    def __str__(self) -> str:
        return f"{self.variant_id} @ {self.warehouse_id}: {self.on_hand}/{self.reserved}"


class StockMovement(models.Model):
    """Append-only: every change of on-hand or reserved stock, with its reason and who made it."""

    class Reason(models.TextChoices):
        INITIAL = "initial", _("Initial count")
        RECEIPT = "receipt", _("Goods received")
        ADJUSTMENT = "adjustment", _("Stock adjustment")
        RESERVATION = "reservation", _("Reserved for an order")
        RELEASE = "release", _("Reservation released")
        SHIPMENT = "shipment", _("Shipped")
        RETURN_RESTOCK = "return_restock", _("Return restocked")
        IMPORT = "import", _("Import")
        SYNC = "sync", _("Platform sync")

    variant = models.ForeignKey(Variant, verbose_name=_("variant"), on_delete=models.PROTECT,
                                related_name="stock_movements")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT,
                                  related_name="stock_movements")
    on_hand_delta = models.IntegerField(_("on-hand change"), default=0)
    reserved_delta = models.IntegerField(_("reserved change"), default=0)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True,
                                 help_text=_("Order number, AWB, import file …"))
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("actor"), on_delete=models.PROTECT,
                              null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(on_hand_delta=0) | ~Q(reserved_delta=0),
                                   name="catalog_stockmovement_changes_something"),
        ]
        indexes = [
            models.Index(fields=["variant", "-created_at"], name="catalog_movement_variant_at"),
            models.Index(fields=["warehouse", "-created_at"], name="catalog_movement_wh_at"),
            models.Index(fields=["reason", "-id"], name="catalog_movement_reason"),
            models.Index(fields=["reference"], name="catalog_movement_reference"),
            models.Index(fields=["created_at"], name="catalog_movement_created"),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id} {self.on_hand_delta:+d}/{self.reserved_delta:+d} ({self.reason})"


class Listing(PlatformMirror, BaseModel):
    """A product or variant published on a platform account, and the state of its sync."""

    class SyncState(models.TextChoices):
        PENDING = "pending", _("Waiting to push")
        SYNCED = "synced", _("In sync")
        FAILED = "failed", _("Failed")
        DISABLED = "disabled", _("Disabled")

    account = models.ForeignKey("integrations.PlatformAccount", verbose_name=_("platform account"),
                                on_delete=models.PROTECT, related_name="listings")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE,
                                related_name="listings")
    variant = models.ForeignKey(Variant, verbose_name=_("variant"), on_delete=models.CASCADE, null=True,
                                blank=True, related_name="listings")
    external_variant_id = models.CharField(_("external variant id"), max_length=64, blank=True)
    last_pushed_hash = models.CharField(_("last pushed hash"), max_length=64, blank=True)
    last_pulled_hash = models.CharField(_("last pulled hash"), max_length=64, blank=True)
    sync_state = models.CharField(_("sync state"), max_length=16, choices=SyncState.choices,
                                  default=SyncState.PENDING)
    last_synced_at = models.DateTimeField(_("last synced"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        constraints = [
            models.UniqueConstraint(fields=["account", "external_id"], condition=~Q(external_id=""),
                                    name="catalog_listing_unique_external"),
            models.UniqueConstraint(fields=["account", "variant"], condition=Q(variant__isnull=False),
                                    name="catalog_listing_unique_variant"),
            models.UniqueConstraint(fields=["account", "product"], condition=Q(variant__isnull=True),
                                    name="catalog_listing_unique_product"),
        ]
        indexes = [models.Index(fields=["external_id"], name="catalog_listing_external_id"),
                   models.Index(fields=["sync_state"], name="catalog_listing_sync_state")]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.external_id or '—'}"
