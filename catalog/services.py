"""Writes of the catalog: products and variants, and every change of stock.

Stock changes only through `stock_adjust` (and the helpers built on it): one transaction that locks the
StockLevel row, refuses any change that would make on-hand or reserved negative or reserve more than is on
hand, and writes the append-only StockMovement together with the new level.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from catalog.models import Category, Product, StockLevel, StockMovement, Variant, Warehouse
from common.exceptions import ApplicationError
from common.money import parse_rupiah


class StockAdjustmentRefused(ApplicationError):
    code = "stock_adjustment_refused"
    http_status = 409


class SkuAlreadyExists(ApplicationError):
    code = "sku_already_exists"
    http_status = 409


class VariantInvalid(ApplicationError):
    code = "variant_invalid"


# --------------------------------------------------------------------------------------------------- stock


def _stock_level_locked(*, variant: Variant, warehouse: Warehouse) -> StockLevel:
    """The StockLevel of (variant, warehouse), created at zero when missing, locked FOR UPDATE.

    INSERT … ON CONFLICT DO NOTHING makes creation safe when two transactions ask at once: both insert,
    one wins, and both then lock the same row. Must run inside a transaction."""
    StockLevel.objects.bulk_create([StockLevel(variant=variant, warehouse=warehouse)], ignore_conflicts=True)
    return StockLevel.objects.select_for_update().get(variant=variant, warehouse=warehouse)


def _refuse(message, *, variant, warehouse, level: StockLevel, on_hand_delta: int, reserved_delta: int):
    raise StockAdjustmentRefused(
        message,
        extra={
            "sku": variant.sku, "warehouse": warehouse.code, "on_hand": level.on_hand,
            "reserved": level.reserved, "on_hand_delta": on_hand_delta, "reserved_delta": reserved_delta,
        },
    )


@transaction.atomic
def stock_adjust(
    *,
    variant: Variant,
    warehouse: Warehouse,
    on_hand_delta: int = 0,
    reserved_delta: int = 0,
    reason: str,
    reference: str = "",
    note: str = "",
    acting_user=None,
) -> StockLevel:
    """Change what `warehouse` holds of `variant` by the given deltas and record why.

    Refuses (StockAdjustmentRefused, nothing changed) when on-hand or reserved would go below zero, or
    reserved would exceed on-hand. Returns the updated, still locked StockLevel."""
    on_hand_delta, reserved_delta = int(on_hand_delta), int(reserved_delta)
    if reason not in StockMovement.Reason.values:
        raise StockAdjustmentRefused(_("“%(reason)s” is not a stock movement reason.") % {"reason": reason})
    if not on_hand_delta and not reserved_delta:
        raise StockAdjustmentRefused(
            _("Nothing to change for SKU %(sku)s in warehouse %(warehouse)s: both changes are zero.")
            % {"sku": variant.sku, "warehouse": warehouse.code}
        )
    if warehouse.seller_id and warehouse.seller_id != variant.seller_id:
        raise StockAdjustmentRefused(
            _("Warehouse %(warehouse)s is the private warehouse of another seller; SKU %(sku)s cannot be "
              "stocked there.") % {"warehouse": warehouse.code, "sku": variant.sku}
        )

    level = _stock_level_locked(variant=variant, warehouse=warehouse)
    new_on_hand = level.on_hand + on_hand_delta
    new_reserved = level.reserved + reserved_delta
    params = {
        "sku": variant.sku, "warehouse": warehouse.code, "on_hand": level.on_hand, "reserved": level.reserved,
        "on_hand_delta": on_hand_delta, "reserved_delta": reserved_delta, "available": level.available,
    }
    context = {"variant": variant, "warehouse": warehouse, "level": level, "on_hand_delta": on_hand_delta,
               "reserved_delta": reserved_delta}
    if new_on_hand < 0:
        _refuse(_("Stock of SKU %(sku)s in warehouse %(warehouse)s cannot go below zero: %(on_hand)d on "
                  "hand, the change asks for %(on_hand_delta)+d.") % params, **context)
    if new_reserved < 0:
        _refuse(_("Reserved stock of SKU %(sku)s in warehouse %(warehouse)s cannot go below zero: "
                  "%(reserved)d reserved, the change asks for %(reserved_delta)+d.") % params, **context)
    if new_reserved > new_on_hand:
        _refuse(_("Not enough stock of SKU %(sku)s in warehouse %(warehouse)s: %(on_hand)d on hand and "
                  "%(reserved)d already reserved (%(available)d available); the change asks for "
                  "%(on_hand_delta)+d on hand and %(reserved_delta)+d reserved.") % params, **context)

    level.on_hand, level.reserved = new_on_hand, new_reserved
    level.save(update_fields=["on_hand", "reserved", "updated_at"])
    level.refresh_from_db(fields=["available"])  # computed by the database
    StockMovement.objects.create(
        variant=variant, warehouse=warehouse, on_hand_delta=on_hand_delta, reserved_delta=reserved_delta,
        reason=reason, reference=reference[:100], note=note, actor=acting_user,
    )
    return level


@transaction.atomic
def stock_set_on_hand(
    *, variant: Variant, warehouse: Warehouse, on_hand: int, reason: str = StockMovement.Reason.ADJUSTMENT,
    reference: str = "", note: str = "", acting_user=None,
) -> StockLevel:
    """Set on-hand to a counted figure: the movement records the difference from what the row holds now
    (read under the lock, so a concurrent change is not overwritten blindly). No difference, no movement."""
    level = _stock_level_locked(variant=variant, warehouse=warehouse)
    delta = int(on_hand) - level.on_hand
    if delta == 0:
        return level
    return stock_adjust(variant=variant, warehouse=warehouse, on_hand_delta=delta, reason=reason,
                        reference=reference, note=note, acting_user=acting_user)


def _positive(quantity: int, *, variant: Variant) -> int:
    quantity = int(quantity)
    if quantity <= 0:
        raise StockAdjustmentRefused(
            _("The quantity of SKU %(sku)s must be more than zero, not %(quantity)d.")
            % {"sku": variant.sku, "quantity": quantity}
        )
    return quantity


def stock_reserve(*, variant: Variant, warehouse: Warehouse, quantity: int, reference: str = "",
                  note: str = "", acting_user=None) -> StockLevel:
    """Hold `quantity` for an order; refused when fewer are available."""
    return stock_adjust(variant=variant, warehouse=warehouse,
                        reserved_delta=_positive(quantity, variant=variant),
                        reason=StockMovement.Reason.RESERVATION, reference=reference, note=note,
                        acting_user=acting_user)


def stock_release(*, variant: Variant, warehouse: Warehouse, quantity: int, reference: str = "",
                  note: str = "", acting_user=None) -> StockLevel:
    """Give back a reservation (order canceled, item removed)."""
    return stock_adjust(variant=variant, warehouse=warehouse,
                        reserved_delta=-_positive(quantity, variant=variant),
                        reason=StockMovement.Reason.RELEASE, reference=reference, note=note,
                        acting_user=acting_user)


def stock_ship(*, variant: Variant, warehouse: Warehouse, quantity: int, reference: str = "", note: str = "",
               acting_user=None) -> StockLevel:
    """Reserved goods leave the warehouse: on-hand and reserved both go down by `quantity`."""
    quantity = _positive(quantity, variant=variant)
    return stock_adjust(variant=variant, warehouse=warehouse, on_hand_delta=-quantity,
                        reserved_delta=-quantity, reason=StockMovement.Reason.SHIPMENT, reference=reference,
                        note=note, acting_user=acting_user)


# --------------------------------------------------------------------------------------- products, variants

_VARIANT_FIELDS = ("name", "option_values", "price", "weight_grams", "length_cm", "width_cm", "height_cm",
                   "is_active")


def _clean_sku(sku) -> str:
    text = (sku or "").strip()
    if not text:
        raise VariantInvalid(_("The SKU must not be empty."))
    if len(text) > Variant._meta.get_field("sku").max_length:
        raise VariantInvalid(_("The SKU “%(sku)s” is longer than 64 characters.") % {"sku": text})
    return text


def _check_sku_free(*, seller, sku: str, exclude_pk=None) -> None:
    clash = Variant.objects.filter(seller=seller, sku=sku)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise SkuAlreadyExists(
            _("SKU %(sku)s already exists for seller %(seller)s.") % {"sku": sku, "seller": seller},
            extra={"sku": sku, "seller": getattr(seller, "code", seller)},
        )


def _clean_variant_values(values: dict, *, sku: str) -> dict:
    cleaned = dict(values)
    if "price" in cleaned:
        try:
            cleaned["price"] = parse_rupiah(cleaned["price"])
        except ValueError as exc:
            raise VariantInvalid(_("The price of SKU %(sku)s is not an amount: %(value)s.")
                                 % {"sku": sku, "value": cleaned["price"]}) from exc
        if cleaned["price"] < 0:
            raise VariantInvalid(_("The price of SKU %(sku)s cannot be negative.") % {"sku": sku})
    if "weight_grams" in cleaned and (cleaned["weight_grams"] is None or int(cleaned["weight_grams"]) <= 0):
        raise VariantInvalid(_("The weight of SKU %(sku)s must be more than zero grams.") % {"sku": sku})
    if cleaned.get("option_values") is None:
        cleaned.pop("option_values", None)
    return cleaned


def _save_variant(variant: Variant, *, seller, sku: str) -> Variant:
    try:
        with transaction.atomic():
            variant.save()
    except IntegrityError as exc:  # two requests created the same SKU at once
        if Variant.objects.filter(seller=seller, sku=sku).exclude(pk=variant.pk).exists():
            raise SkuAlreadyExists(
                _("SKU %(sku)s already exists for seller %(seller)s.") % {"sku": sku, "seller": seller}
            ) from exc
        raise
    return variant


@transaction.atomic
def variant_create(
    *, product: Product, sku: str, price, weight_grams: int, name: str = "",
    option_values: dict | None = None, length_cm=None, width_cm=None, height_cm=None, is_active: bool = True,
    acting_user=None,
) -> Variant:
    """Add a variant to `product`. The SKU is trimmed and must be unique for the product's seller; the
    variant's seller is copied from the product (that is what makes the uniqueness a DB constraint)."""
    sku = _clean_sku(sku)
    _check_sku_free(seller=product.seller, sku=sku)
    values = _clean_variant_values(
        {"name": name, "option_values": option_values or {}, "price": price, "weight_grams": weight_grams,
         "length_cm": length_cm, "width_cm": width_cm, "height_cm": height_cm, "is_active": is_active},
        sku=sku,
    )
    variant = Variant(product=product, seller_id=product.seller_id, sku=sku, **values)
    return _save_variant(variant, seller=product.seller, sku=sku)


@transaction.atomic
def variant_update(*, variant: Variant, acting_user=None, **fields) -> Variant:
    """Change a variant's SKU or details; the same SKU rule as `variant_create`."""
    unknown = set(fields) - {"sku", *_VARIANT_FIELDS}
    if unknown:
        raise TypeError(f"variant_update() got unexpected fields: {sorted(unknown)}")
    sku = _clean_sku(fields.pop("sku", variant.sku))
    if sku != variant.sku:
        _check_sku_free(seller=variant.product.seller, sku=sku, exclude_pk=variant.pk)
    for name, value in _clean_variant_values(fields, sku=sku).items():
        setattr(variant, name, value)
    variant.sku = sku
    variant.seller_id = variant.product.seller_id
    return _save_variant(variant, seller=variant.product.seller, sku=sku)


@transaction.atomic
def product_create(
    *, seller, name: str, category: Category | None = None, description: str = "", brand: str = "",
    status: str = Product.Status.ACTIVE, variants: list[dict] | None = None, acting_user=None,
) -> Product:
    """Create a product with its variants (each a dict of `variant_create` arguments) in one transaction."""
    name = (name or "").strip()
    if not name:
        raise VariantInvalid(_("The product name must not be empty."))
    if status not in Product.Status.values:
        raise VariantInvalid(_("“%(status)s” is not a product status.") % {"status": status})
    skus = [(v.get("sku") or "").strip() for v in variants or []]
    duplicates = sorted({s for s in skus if s and skus.count(s) > 1})
    if duplicates:
        raise SkuAlreadyExists(
            _("SKU %(sku)s is given twice for the same product.") % {"sku": ", ".join(duplicates)}
        )
    product = Product.objects.create(seller=seller, category=category, name=name, description=description,
                                     brand=brand, status=status)
    for spec in variants or []:
        variant_create(product=product, acting_user=acting_user, **spec)
    return product

