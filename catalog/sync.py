"""Products and stock between our catalog and the platforms, through Listing rows.

- Pull: a platform product is linked to ours by its Listing, else by one of its SKUs, else created (as a
  draft when the platform does not sell it); its variants are linked (or created) by SKU. A product whose
  variants carry no SKU cannot be linked and is counted as failed. Unchanged products are skipped by the
  hash of what we mirror (not stock, not timestamps). The platform's edits win while the listing is in
  sync; a product of ours that is linked for the first time keeps our data (the next push sends it). A
  variant we hold no stock for at all gets the platform's quantity as its first count (movement "sync") in
  the account's warehouse: from then on our stock is the truth that stock pushes send.
- Push: each of the seller's products is sent as a ProductPayload; unchanged payloads (by hash, without
  ids or stock) are skipped, drafts are not created, a product without a platform id is created (after a
  SKU check where the platform offers one: a SKU already used there is refused with a message on the
  listing), an archived one is deleted on the platform. A create is marked on its listing before it is
  sent; when its answer was lost (timeout), the next push looks the product up by SKU before creating.
- Stock: one stock across channels. The available quantity of each listed variant (all warehouses) is
  pushed where it differs from what the platform last held, in batches per account. Variants without any
  stock level are not managed here and are left alone.
"""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Listing, Product, StockLevel, StockMovement, Variant
from integrations.base import ExternalProduct, ProductPayload, StockUpdate, VariantPayload
from integrations.exceptions import IntegrationError, ProviderRejected
from integrations.models import PlatformAccount
from orders.sync import UpsertCounts, account_warehouse_id

STOCK_BATCH = 100
CREATE_SENT = "create-sent"  # last_pushed_hash of a product listing whose create may have reached the platform


def _digest(data) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def pulled_hash(ext: ExternalProduct) -> str:
    """What a pull mirrors of a platform product: stock and timestamps change without our edits."""
    return _digest({
        "id": ext.external_id, "name": ext.name, "description": ext.description, "active": ext.is_active,
        "variants": [{"id": v.external_id, "sku": v.sku, "name": v.name, "price": str(v.price),
                      "weight": v.weight_grams, "options": list(v.options)} for v in ext.variants],
    })


def push_hash(payload: ProductPayload) -> str:
    """What a push sends of a product, without platform ids (known only after the first push) and stock
    (pushed on its own)."""
    return _digest({
        "name": payload.name, "description": payload.description, "category": payload.category,
        "variants": [{"sku": v.sku, "name": v.name, "price": str(v.price), "weight": v.weight_grams,
                      "options": list(v.options)} for v in payload.variants],
    })


def _require_seller(account: PlatformAccount) -> None:
    if account.seller_id is None:
        raise ProviderRejected(_("Products sync needs an account that belongs to a seller."),
                               platform=account.platform)


# ------------------------------------------------------------------------------------------------- pull


def _link_variant_listing(*, account, product, variant, ext_variant, now, stock_hash: str | None) -> None:
    external_id = ext_variant.external_id
    if external_id:  # the id moved to another of our variants (SKU changed on the platform)
        Listing.objects.filter(account=account, variant__isnull=False, external_id=external_id).exclude(
            variant=variant).delete()
    defaults = {"product": product, "external_id": external_id, "external_variant_id": external_id,
                "sync_state": Listing.SyncState.SYNCED, "last_synced_at": now, "last_error": ""}
    if stock_hash is not None:
        defaults["last_pushed_hash"] = stock_hash
    Listing.objects.update_or_create(account=account, variant=variant, defaults=defaults)


@transaction.atomic
def products_upsert_page(*, account: PlatformAccount, products: Sequence[ExternalProduct]) -> UpsertCounts:
    counts = UpsertCounts(fetched=len(products))
    _require_seller(account)
    seller = account.seller
    listings = {row.external_id: row for row in Listing.objects.filter(
        account=account, variant__isnull=True, external_id__in=[p.external_id for p in products],
    ).select_related("product")}
    skus = {v.sku for p in products for v in p.variants if v.sku}
    variants = {v.sku: v for v in Variant.objects.filter(seller=seller, sku__in=skus)}
    now = timezone.now()
    platform_won: dict[int, Listing] = {}  # product id -> its listing, where the platform's data was taken
    platform_stock: dict[int, int] = {}  # variant id -> quantity the platform reports
    for ext in products:
        digest = pulled_hash(ext)
        listing = listings.get(ext.external_id)
        if listing is not None and listing.last_pulled_hash == digest:
            counts.unchanged += 1
            continue
        with_sku = [v for v in ext.variants if v.sku]
        product = listing.product if listing else next(
            (variants[v.sku].product for v in with_sku if v.sku in variants), None)
        if product is None and not with_sku:
            counts.failed += 1  # nothing to link it by; staff give its variants SKUs on the platform
            continue
        if product is None:
            product = Product.objects.create(
                seller=seller, name=ext.name[:255] or with_sku[0].sku, description=ext.description,
                status=Product.Status.ACTIVE if ext.is_active else Product.Status.DRAFT)
            counts.created += 1
            platform_wins = True
        else:
            platform_wins = listing is not None and listing.sync_state == Listing.SyncState.SYNCED
            if platform_wins and (product.name, product.description) != (ext.name[:255], ext.description):
                product.name, product.description = ext.name[:255], ext.description
                product.save(update_fields=["name", "description", "updated_at"])
            counts.updated += 1
        linked_skus = set()
        for ext_variant in with_sku:
            variant = variants.get(ext_variant.sku)
            mirrored = {"name": ext_variant.name[:255], "option_values": dict(ext_variant.options),
                        "price": max(ext_variant.price, Decimal(0)),
                        "weight_grams": max(ext_variant.weight_grams, 1)}
            if variant is None:
                variant = Variant.objects.create(product=product, seller=seller, sku=ext_variant.sku[:64],
                                                 **mirrored)
                variants[variant.sku] = variant
            elif variant.product_id != product.pk:
                continue  # the SKU belongs to another of our products: staff resolve it, we do not move it
            elif platform_wins and any(getattr(variant, k) != val for k, val in mirrored.items()):
                for key, value in mirrored.items():
                    setattr(variant, key, value)
                variant.save(update_fields=[*mirrored, "updated_at"])
            linked_skus.add(variant.sku)
            if ext_variant.stock is not None:
                platform_stock[variant.pk] = max(ext_variant.stock, 0)
            if ext_variant.external_id or len(ext.variants) == 1:  # a simple product has no variant id
                _link_variant_listing(account=account, product=product, variant=variant, ext_variant=ext_variant,
                                      now=now, stock_hash=None if ext_variant.stock is None
                                      else f"stock:{max(ext_variant.stock, 0)}")
        Listing.objects.filter(account=account, product=product, variant__isnull=False).exclude(
            variant__sku__in=linked_skus).delete()  # variants the platform no longer has
        product_listing, _created = Listing.objects.update_or_create(
            account=account, product=product, variant=None,
            defaults={"external_id": ext.external_id, "last_pulled_hash": digest,
                      "sync_state": Listing.SyncState.SYNCED, "last_synced_at": now, "last_error": ""},
        )
        if platform_wins:
            platform_won[product.pk] = product_listing
    _remember_pushed(platform_won)
    _first_stock_counts(account=account, platform_stock=platform_stock)
    return counts


def _remember_pushed(platform_won: dict[int, Listing]) -> None:
    """Where the platform's data was taken and our product now says exactly that, record it as pushed, so
    that the next push does not send every pulled product back."""
    if not platform_won:
        return
    listed: dict[int, set[str]] = {}
    for product_id, sku in Listing.objects.filter(
        product_id__in=list(platform_won), account_id=next(iter(platform_won.values())).account_id,
        variant__isnull=False,
    ).values_list("product_id", "variant__sku"):
        listed.setdefault(product_id, set()).add(sku)
    changed = []
    for product in (Product.objects.filter(pk__in=list(platform_won)).select_related("category")
                    .prefetch_related("variants")):
        listing = platform_won[product.pk]
        payload = product_payload(product, listings={}, stock={}, external_id=listing.external_id)
        if {v.sku for v in payload.variants} == listed.get(product.pk, set()):
            listing.last_pushed_hash = push_hash(payload)
            changed.append(listing)
    Listing.objects.bulk_update(changed, ["last_pushed_hash"])


def _first_stock_counts(*, account: PlatformAccount, platform_stock: dict[int, int]) -> None:
    """Variants we hold no stock level for take the platform's quantity as their first count."""
    if not platform_stock:
        return
    tracked = set(StockLevel.objects.filter(variant_id__in=list(platform_stock))
                  .values_list("variant_id", flat=True).distinct())
    new = {v: q for v, q in platform_stock.items() if v not in tracked}
    warehouse_id = account_warehouse_id(account) if new else None
    if warehouse_id is None:
        return
    StockLevel.objects.bulk_create(
        [StockLevel(variant_id=v, warehouse_id=warehouse_id, on_hand=q) for v, q in sorted(new.items())],
        ignore_conflicts=True)
    StockMovement.objects.bulk_create([
        StockMovement(variant_id=v, warehouse_id=warehouse_id, on_hand_delta=q,
                      reason=StockMovement.Reason.SYNC, reference=f"{account.platform}:{account.pk}",
                      note=_("First count, as reported by %(account)s.") % {"account": account})
        for v, q in sorted(new.items()) if q
    ])


def products_pull(*, account: PlatformAccount, adapter, on_page=None) -> UpsertCounts:
    _require_seller(account)
    total = UpsertCounts()
    for page in adapter.iter_product_pages():
        counts = products_upsert_page(account=account, products=page.products)
        total.add(counts)
        if on_page is not None:
            on_page(counts, page.cursor, page.total)
    return total


# ------------------------------------------------------------------------------------------------- push


def _available_by_variant(variant_ids) -> dict[int, int]:
    """Available quantity (all warehouses) of the variants that have stock levels; others are absent."""
    rows = (StockLevel.objects.filter(variant_id__in=list(variant_ids)).values("variant_id")
            .annotate(total=Sum("available")).values_list("variant_id", "total").order_by())
    return {variant_id: max(int(total or 0), 0) for variant_id, total in rows}


def product_payload(product: Product, *, listings: dict[int, Listing], stock: dict[int, int],
                    external_id: str) -> ProductPayload:
    """Options keep the order of the variant's option_values (the platforms build variant names from it)."""
    return ProductPayload(
        name=product.name, description=product.description,
        category=product.category.name if product.category_id else "",
        external_id=external_id, is_active=product.status == Product.Status.ACTIVE,
        variants=tuple(
            VariantPayload(
                sku=v.sku, name=v.name or product.name, price=v.price, stock=stock.get(v.pk, 0),
                weight_grams=v.weight_grams, length_cm=v.length_cm, width_cm=v.width_cm, height_cm=v.height_cm,
                options=tuple((str(k), str(val)) for k, val in (v.option_values or {}).items()),
                external_id=listings[v.pk].external_variant_id if v.pk in listings else "",
            )
            for v in sorted(product.variants.all(), key=lambda v: v.pk) if v.is_active
        ),
    )


def _sku_is_free(adapter, sku: str) -> bool | None:
    """The platform's SKU check, where it offers one: True free, False taken, None no check."""
    if hasattr(adapter, "check_sku"):  # Komship
        return adapter.check_sku(sku)
    if hasattr(adapter, "validate_sku"):  # Ngorder: "may product_meta_id 0 (a new variant) use it?"
        return adapter.validate_sku(sku, "0")
    return None


def product_find_by_sku(adapter, skus: set[str]) -> ExternalProduct | None:
    """The platform product holding one of `skus`: the adapter's own look-up if it has one, else (when the
    SKU check does not already say they are all free) a scan of the product list."""
    finder = getattr(adapter, "find_product_by_sku", None)
    if finder is not None:
        for sku in sorted(skus):
            found = finder(sku)
            if found is not None:
                return found
        return None
    if skus and all(_sku_is_free(adapter, sku) for sku in sorted(skus)):
        return None
    for page in adapter.iter_product_pages():
        for product in page.products:
            if skus & {v.sku for v in product.variants}:
                return product
    return None


def _with_platform_ids(payload: ProductPayload, found: ExternalProduct) -> ProductPayload:
    ids = {v.sku: v.external_id for v in found.variants}
    return replace(payload, external_id=found.external_id, variants=tuple(
        replace(v, external_id=v.external_id or ids.get(v.sku, "")) for v in payload.variants))


def _create_once(*, account, adapter, product: Product, payload: ProductPayload,
                 listing: Listing | None) -> ExternalProduct:
    skus = {v.sku for v in payload.variants}
    if listing is not None and listing.last_pushed_hash == CREATE_SENT:
        found = product_find_by_sku(adapter, skus)  # our create may have been stored; its answer was lost
        if found is not None:
            return adapter.update_product(_with_platform_ids(payload, found))
    for sku in sorted(skus):
        if _sku_is_free(adapter, sku) is False:
            raise ProviderRejected(
                _("SKU %(sku)s is already used by another product on %(platform)s: pull products to link it, "
                  "or change the SKU.") % {"sku": sku, "platform": account.get_platform_display()},
                platform=account.platform)
    Listing.objects.update_or_create(  # committed before the call: a lost answer is looked up next time
        account=account, product=product, variant=None,
        defaults={"external_id": "", "last_pushed_hash": CREATE_SENT, "sync_state": Listing.SyncState.PENDING},
    )
    return adapter.create_product(payload)


def _mark_failed(*, account, product, error: str) -> None:
    Listing.objects.update_or_create(
        account=account, product=product, variant=None,
        defaults={"sync_state": Listing.SyncState.FAILED, "last_error": error[:2000],
                  "last_synced_at": timezone.now()},
    )


def products_push(*, account: PlatformAccount, adapter) -> UpsertCounts:
    """Send the seller's products to the platform. Platform ids are stored as soon as the platform
    answers, so a re-run updates instead of creating twice; a refused product is marked failed on its
    listing and the others go on; an error a retry can fix stops the run (what is done stays done)."""
    _require_seller(account)
    counts = UpsertCounts()
    products = (Product.objects.filter(seller=account.seller).prefetch_related("variants")
                .select_related("category").order_by("id"))
    product_listings = {row.product_id: row for row in Listing.objects.filter(account=account, variant__isnull=True)}
    variant_listings = {row.variant_id: row for row in Listing.objects.filter(account=account, variant__isnull=False)}
    stock = _available_by_variant(Variant.objects.filter(seller=account.seller).values_list("id", flat=True))
    for product in products:
        counts.fetched += 1
        listing = product_listings.get(product.pk)
        external_id = listing.external_id if listing else ""
        archived = product.status == Product.Status.ARCHIVED
        if (archived or product.status == Product.Status.DRAFT) and not external_id:
            counts.unchanged += 1  # never sent (or deleted already): nothing to do
            continue
        payload = product_payload(product, listings=variant_listings, stock=stock, external_id=external_id)
        digest = push_hash(payload)
        if (not archived and external_id and listing.last_pushed_hash == digest
                and listing.sync_state == Listing.SyncState.SYNCED):
            counts.unchanged += 1
            continue
        if not payload.variants and not archived:
            _mark_failed(account=account, product=product, error=_("The product has no active variant."))
            counts.failed += 1
            continue
        try:
            if archived:
                _delete_on_platform(adapter, external_id)
                result = None
            elif external_id:
                result = adapter.update_product(payload)
            else:
                result = _create_once(account=account, adapter=adapter, product=product, payload=payload,
                                      listing=listing)
        except ProviderRejected as exc:
            _mark_failed(account=account, product=product, error=exc.message)
            counts.failed += 1
            continue
        except IntegrationError as exc:
            _mark_failed(account=account, product=product, error=exc.message)
            raise
        _store_push_result(account=account, product=product, result=result, digest=digest)
        if external_id:
            counts.updated += 1
        else:
            counts.created += 1
    return counts


def _delete_on_platform(adapter, external_id: str) -> None:
    try:
        adapter.delete_product(external_id)
    except ProviderRejected as exc:
        if exc.status_code != 404:
            raise  # a 404 means it is gone already (our earlier DELETE went through)


@transaction.atomic
def _store_push_result(*, account, product, result: ExternalProduct | None, digest: str) -> None:
    now = timezone.now()
    if result is None:  # deleted on the platform
        Listing.objects.filter(account=account, product=product).update(
            sync_state=Listing.SyncState.DISABLED, external_id="", external_variant_id="", last_pushed_hash="",
            last_pulled_hash="", last_synced_at=now, last_error="",
        )
        return
    Listing.objects.update_or_create(
        account=account, product=product, variant=None,
        defaults={"external_id": result.external_id, "last_pushed_hash": digest,
                  "last_pulled_hash": pulled_hash(result),
                  "sync_state": Listing.SyncState.SYNCED, "last_synced_at": now, "last_error": ""},
    )
    by_sku = {v.sku: v for v in product.variants.all()}
    linked = set()
    for ext_variant in result.variants:
        variant = by_sku.get(ext_variant.sku)
        if variant is not None and (ext_variant.external_id or len(result.variants) == 1):
            linked.add(variant.sku)
            _link_variant_listing(account=account, product=product, variant=variant, ext_variant=ext_variant,
                                  now=now, stock_hash=None if ext_variant.stock is None
                                  else f"stock:{max(ext_variant.stock, 0)}")
    Listing.objects.filter(account=account, product=product, variant__isnull=False).exclude(
        variant__sku__in=linked).delete()


# ------------------------------------------------------------------------------------------------ stock


def stock_push(*, account: PlatformAccount, adapter) -> UpsertCounts:
    """Push the available quantity of every listed variant whose quantity differs from what the platform
    last held (recorded on the variant's listing as "stock:<n>"), STOCK_BATCH per call."""
    counts = UpsertCounts()
    listings = list(Listing.objects.filter(account=account, variant__isnull=False)
                    .exclude(sync_state=Listing.SyncState.DISABLED).select_related("variant").order_by("id"))
    product_ids = dict(Listing.objects.filter(account=account, variant__isnull=True).exclude(external_id="")
                       .values_list("product_id", "external_id"))
    stock = _available_by_variant(row.variant_id for row in listings)
    changed = []
    for row in listings:
        if row.variant_id not in stock or not (row.external_variant_id or row.external_id
                                               or product_ids.get(row.product_id)):
            continue  # stock not managed here, or not on the platform
        quantity = stock[row.variant_id]
        counts.fetched += 1
        if row.last_pushed_hash == f"stock:{quantity}":
            counts.unchanged += 1
            continue
        changed.append((row, quantity))
    for start in range(0, len(changed), STOCK_BATCH):
        batch = changed[start:start + STOCK_BATCH]
        try:
            adapter.push_stock(tuple(
                StockUpdate(external_product_id=product_ids.get(row.product_id, ""),
                            external_variant_id=row.external_variant_id or row.external_id,
                            sku=row.variant.sku, quantity=quantity)
                for row, quantity in batch
            ))
        except ProviderRejected as exc:
            Listing.objects.filter(pk__in=[row.pk for row, _q in batch]).update(
                sync_state=Listing.SyncState.FAILED, last_error=exc.message[:2000])
            counts.failed += len(batch)
            continue
        now = timezone.now()
        for row, quantity in batch:
            row.last_pushed_hash, row.last_synced_at = f"stock:{quantity}", now
            row.sync_state, row.last_error = Listing.SyncState.SYNCED, ""
        Listing.objects.bulk_update([row for row, _q in batch],
                                    ["last_pushed_hash", "last_synced_at", "sync_state", "last_error"])
        counts.updated += len(batch)
    return counts
