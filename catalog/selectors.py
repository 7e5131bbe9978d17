"""Reads of the catalog."""

from django.conf import settings
from django.db.models import QuerySet, Sum

from catalog.models import StockLevel, StockMovement, Variant


def variant_get_by_sku(*, seller, sku: str) -> Variant | None:
    return Variant.objects.filter(seller=seller, sku=(sku or "").strip()).select_related("product").first()


def variant_map_by_sku(*, seller, skus) -> dict[str, Variant]:
    """SKU → Variant of one seller, in one query (importers and order creation match lines this way)."""
    wanted = {(s or "").strip() for s in skus} - {""}
    if not wanted:
        return {}
    return {v.sku: v for v in Variant.objects.filter(seller=seller, sku__in=wanted).select_related("product")}


def stock_level_list_low(*, threshold: int | None = None) -> QuerySet[StockLevel]:
    """Stock levels whose available quantity is at or below the threshold (settings.LOW_STOCK_THRESHOLD)."""
    limit = settings.LOW_STOCK_THRESHOLD if threshold is None else threshold
    return StockLevel.objects.filter(available__lte=limit).select_related("variant__product", "warehouse")


def stock_reserved_for_reference(*, reference: str) -> dict[tuple[int, int], int]:
    """What is still reserved under `reference` (an order number): (variant_id, warehouse_id) → quantity,
    the sum of the reservation, release and shipment movements written with that reference."""
    rows = (
        StockMovement.objects.filter(reference=reference)
        .values("variant_id", "warehouse_id")
        .annotate(held=Sum("reserved_delta"))
        .order_by()
    )
    return {(row["variant_id"], row["warehouse_id"]): row["held"] for row in rows if row["held"] > 0}
