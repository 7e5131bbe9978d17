"""Products and stock between our catalog and the platforms, through Listing rows.

- Pull: a platform product is linked to ours by its Listing, else by one of its SKUs, else created; its
  variants are linked (or created) by SKU. Unchanged products are skipped by the hash of what we mirror.
- Push: each of the seller's products is sent as a ProductPayload; unchanged payloads (by hash) are
  skipped, a product without a platform id is created, an archived one is deleted on the platform.
- Stock: one stock across channels. The available quantity of each listed variant (all warehouses) is
  pushed where it differs from what was last pushed, in batches per account.
"""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from catalog.models import Listing, Product, StockLevel, Variant
from integrations.base import ExternalProduct, ProductPayload, StockUpdate, VariantPayload
from integrations.exceptions import ProviderRejected
from integrations.models import PlatformAccount
from orders.sync import UpsertCounts

STOCK_BATCH = 100


def _fingerprint(data) -> str:
    if not isinstance(data, dict):
        data = asdict(data)
    data.pop("raw", None)
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _product_listings(account: PlatformAccount, external_ids) -> dict[str, Listing]:
    rows = Listing.objects.filter(account=account, variant__isnull=True, external_id__in=list(external_ids))
    return {row.external_id: row for row in rows.select_related("product")}


@transaction.atomic
def products_upsert_page(*, account: PlatformAccount, products: Sequence[ExternalProduct]) -> UpsertCounts:
    counts = UpsertCounts(fetched=len(products))
    seller = account.seller
    listings = _product_listings(account, (p.external_id for p in products))
    skus = {v.sku for p in products for v in p.variants if v.sku}
    variants = {v.sku: v for v in Variant.objects.filter(seller=seller, sku__in=skus).select_related("product")}
    now = timezone.now()
    for ext in products:
        digest = _fingerprint(ext)
        listing = listings.get(ext.external_id)
        if listing is not None and listing.last_pulled_hash == digest:
            counts.unchanged += 1
            continue
        product = listing.product if listing else next(
            (variants[v.sku].product for v in ext.variants if v.sku in variants), None
        )
        if product is None:
            product = Product.objects.create(seller=seller, name=ext.name[:255], description=ext.description,
                                             status=Product.Status.ACTIVE if ext.is_active else Product.Status.ARCHIVED)
            counts.created += 1
        else:
            if listing is None or listing.sync_state == Listing.SyncState.SYNCED:
                # The platform's edit wins only when we have nothing waiting to be pushed.
                product.name, product.description = ext.name[:255], ext.description
                product.save(update_fields=["name", "description", "updated_at"])
            counts.updated += 1
        for ext_variant in ext.variants:
            variant = variants.get(ext_variant.sku)
            if variant is None and ext_variant.sku:
                variant = Variant.objects.create(
                    product=product, seller=seller, sku=ext_variant.sku[:64], name=ext_variant.name[:255],
                    option_values=dict(ext_variant.options), price=max(ext_variant.price, Decimal(0)),
                    weight_grams=max(ext_variant.weight_grams, 1),
                )
                variants[variant.sku] = variant
            if variant is not None and ext_variant.external_id:
                Listing.objects.update_or_create(
                    account=account, variant=variant,
                    defaults={"product": product, "external_id": ext_variant.external_id,
                              "external_variant_id": ext_variant.external_id,
                              "sync_state": Listing.SyncState.SYNCED, "last_synced_at": now},
                )
        Listing.objects.update_or_create(
            account=account, product=product, variant=None,
            defaults={"external_id": ext.external_id, "last_pulled_hash": digest,
                      "sync_state": Listing.SyncState.SYNCED, "last_synced_at": now, "last_error": ""},
        )
    return counts


def products_pull(*, account: PlatformAccount, adapter, on_page=None) -> UpsertCounts:
    total = UpsertCounts()
    for page in adapter.iter_product_pages():
        counts = products_upsert_page(account=account, products=page.products)
        total.add(counts)
        if on_page is not None:
            on_page(counts, page.cursor)
    return total


def _available_by_variant(variant_ids) -> dict[int, int]:
    rows = (StockLevel.objects.filter(variant_id__in=list(variant_ids)).values("variant_id")
            .annotate(total=Sum("available")).values_list("variant_id", "total"))
    return {variant_id: max(int(total or 0), 0) for variant_id, total in rows}


def product_payload(product: Product, *, account: PlatformAccount, listings: dict[int, Listing],
                    stock: dict[int, int], external_id: str) -> ProductPayload:
    return ProductPayload(
        name=product.name, description=product.description,
        category=product.category.name if product.category_id else "",
        external_id=external_id,
        variants=tuple(
            VariantPayload(
                sku=v.sku, name=v.name or product.name, price=v.price, stock=stock.get(v.pk, 0),
                weight_grams=v.weight_grams, options=tuple(sorted((str(k), str(val)) for k, val in
                                                                  (v.option_values or {}).items())),
                external_id=listings[v.pk].external_id if v.pk in listings else "",
            )
            for v in product.variants.all() if v.is_active
        ),
    )


def products_push(*, account: PlatformAccount, adapter) -> UpsertCounts:
    """Send the seller's products to the platform. Platform ids are stored as soon as the platform
    answers, so a re-run updates instead of creating twice."""
    counts = UpsertCounts()
    products = (Product.objects.filter(seller=account.seller).prefetch_related("variants")
                .select_related("category").order_by("id"))
    product_listings = {row.product_id: row for row in Listing.objects.filter(account=account, variant__isnull=True)}
    variant_listings = {row.variant_id: row for row in Listing.objects.filter(account=account, variant__isnull=False)}
    stock = _available_by_variant(Variant.objects.filter(seller=account.seller).values("id"))
    for product in products:
        counts.fetched += 1
        listing = product_listings.get(product.pk)
        external_id = listing.external_id if listing else ""
        payload = product_payload(product, account=account, listings=variant_listings, stock=stock,
                                  external_id=external_id)
        digest = _fingerprint({**asdict(payload), "variants": [{**asdict(v), "stock": None}
                                                              for v in payload.variants]})
        archived = product.status == Product.Status.ARCHIVED
        if listing is not None and listing.last_pushed_hash == digest and not (archived and external_id):
            counts.unchanged += 1
            continue
        if archived and not external_id:
            counts.unchanged += 1
            continue
        try:
            if archived:
                adapter.delete_product(external_id)
                result = None
            elif external_id:
                result = adapter.update_product(payload)
            else:
                result = adapter.create_product(payload)
        except ProviderRejected as exc:
            Listing.objects.update_or_create(
                account=account, product=product, variant=None,
                defaults={"sync_state": Listing.SyncState.FAILED, "last_error": str(exc)[:2000]},
            )
            counts.failed += 1
            continue
        _store_push_result(account=account, product=product, result=result, digest=digest, archived=archived)
        if external_id:
            counts.updated += 1
        else:
            counts.created += 1
    return counts


@transaction.atomic
def _store_push_result(*, account, product, result: ExternalProduct | None, digest: str, archived: bool) -> None:
    now = timezone.now()
    if archived:
        Listing.objects.filter(account=account, product=product).update(
            sync_state=Listing.SyncState.DISABLED, external_id="", last_pushed_hash="", last_synced_at=now,
        )
        return
    Listing.objects.update_or_create(
        account=account, product=product, variant=None,
        defaults={"external_id": result.external_id, "last_pushed_hash": digest,
                  "sync_state": Listing.SyncState.SYNCED, "last_synced_at": now, "last_error": ""},
    )
    by_sku = {v.sku: v for v in product.variants.all()}
    for ext_variant in result.variants:
        variant = by_sku.get(ext_variant.sku)
        if variant is not None and ext_variant.external_id:
            Listing.objects.update_or_create(
                account=account, variant=variant,
                defaults={"product": product, "external_id": ext_variant.external_id,
                          "external_variant_id": ext_variant.external_id,
                          "sync_state": Listing.SyncState.SYNCED, "last_synced_at": now},
            )


def stock_push(*, account: PlatformAccount, adapter) -> UpsertCounts:
    """Push the available quantity of every listed variant whose quantity changed since the last push."""
    counts = UpsertCounts()
    listings = list(Listing.objects.filter(account=account, variant__isnull=False).exclude(external_id="")
                    .select_related("variant"))
    product_ids = dict(Listing.objects.filter(account=account, variant__isnull=True)
                       .values_list("product_id", "external_id"))
    stock = _available_by_variant(row.variant_id for row in listings)
    changed = []
    for row in listings:
        quantity = stock.get(row.variant_id, 0)
        counts.fetched += 1
        if row.last_pushed_hash == f"stock:{quantity}":
            counts.unchanged += 1
            continue
        changed.append((row, quantity))
    for start in range(0, len(changed), STOCK_BATCH):
        batch = changed[start:start + STOCK_BATCH]
        adapter.push_stock(tuple(
            StockUpdate(external_product_id=product_ids.get(row.product_id, ""),
                        external_variant_id=row.external_variant_id or row.external_id,
                        sku=row.variant.sku, quantity=quantity)
            for row, quantity in batch
        ))
        for row, quantity in batch:
            row.last_pushed_hash, row.last_synced_at = f"stock:{quantity}", timezone.now()
        Listing.objects.bulk_update([row for row, _q in batch], ["last_pushed_hash", "last_synced_at"])
        counts.updated += len(batch)
    return counts
