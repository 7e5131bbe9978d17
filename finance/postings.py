"""Ledger postings of domain events, each posted once (its posting key) whatever retries and syncs do.

| event                                   | entry type(s)                          | posting key                    |
|-----------------------------------------|----------------------------------------|--------------------------------|
| COD parcel delivered (or remitted)      | cod_credit +COD amount                 | shipment:<id>:cod              |
| shipment charged: COD at delivery       | shipping_fee -fee (netted from the COD)| shipment:<id>:fee              |
| shipment charged: non-COD at pickup     | shipping_fee -fee                      | shipment:<id>:fee              |
| charged shipment canceled               | shipping_fee_refund +fee               | shipment:<id>:fee_refund       |
| return charged (RTS fee)                | rts_charge -fee                        | return:<id>:rts_charge         |
| claim accepted: lost / damaged parcel   | compensation +amount                   | claim:<id>:payout              |
| claim accepted: return claim            | claim_payout +amount                   | claim:<id>:payout              |
| withdrawal completed                    | withdrawal (held -amount)              | withdrawal:<id>:payout         |

A debit the seller's available balance cannot cover is not posted (the balance never goes negative); it is
left for `ledger_catch_up`, which posts whatever is still owed once the balance allows, and reports what
it could not post yet."""

import logging

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from finance.models import LedgerEntry
from finance.services import InsufficientBalance, ledger_post

logger = logging.getLogger(__name__)
T = LedgerEntry.Type


def _seller_of_shipment(shipment):
    from orders.models import Order

    return Order.objects.only("seller_id").get(pk=shipment.order_id).seller


def _post_or_defer(**kwargs) -> LedgerEntry | None:
    """ledger_post inside a savepoint; a debit the balance cannot cover is left for ledger_catch_up."""
    try:
        with transaction.atomic():
            return ledger_post(**kwargs)
    except InsufficientBalance:
        logger.warning("ledger posting %s deferred: balance too low", kwargs.get("posting_key"))
        return None


def cod_credit_post(*, shipment, acting_user=None, reference: str = "") -> LedgerEntry | None:
    """Credit the COD amount of a COD shipment, and net its shipping fee from it."""
    if shipment.cod_amount <= 0:
        return None
    seller = _seller_of_shipment(shipment)
    entry = ledger_post(
        seller=seller, entry_type=T.COD_CREDIT, amount=shipment.cod_amount,
        posting_key=f"shipment:{shipment.pk}:cod", reference=reference or shipment.awb,
        memo=_("COD of %(awb)s") % {"awb": shipment.awb or shipment.pk}, acting_user=acting_user,
    )
    shipping_fee_post(shipment=shipment, acting_user=acting_user)
    return entry


def shipping_fee_post(*, shipment, acting_user=None) -> LedgerEntry | None:
    if shipment.shipping_fee <= 0:
        return None
    return _post_or_defer(
        seller=_seller_of_shipment(shipment), entry_type=T.SHIPPING_FEE, amount=-shipment.shipping_fee,
        posting_key=f"shipment:{shipment.pk}:fee", reference=shipment.awb,
        memo=_("Shipping fee of %(awb)s") % {"awb": shipment.awb or shipment.pk}, acting_user=acting_user,
    )


def shipping_fee_refund_post(*, shipment, acting_user=None) -> LedgerEntry | None:
    """Refund a charged shipping fee when the shipment is canceled (only if the fee was posted)."""
    if not LedgerEntry.objects.filter(posting_key=f"shipment:{shipment.pk}:fee").exists():
        return None
    return ledger_post(
        seller=_seller_of_shipment(shipment), entry_type=T.SHIPPING_FEE_REFUND, amount=shipment.shipping_fee,
        posting_key=f"shipment:{shipment.pk}:fee_refund", reference=shipment.awb,
        memo=_("Shipping fee refund of %(awb)s") % {"awb": shipment.awb or shipment.pk},
        acting_user=acting_user,
    )


def shipment_status_post(*, shipment, to_status: str, acting_user=None) -> LedgerEntry | None:
    """The posting a shipment's new status calls for: COD credit (and fee) on delivery, the fee of a
    non-COD parcel at pickup, the fee refund on cancel."""
    from logistics.models import ShipmentStatus as S

    if to_status == S.DELIVERED:
        if shipment.cod_amount > 0:
            return cod_credit_post(shipment=shipment, acting_user=acting_user)
        return shipping_fee_post(shipment=shipment, acting_user=acting_user)
    if to_status == S.PICKED_UP and shipment.cod_amount <= 0:
        return shipping_fee_post(shipment=shipment, acting_user=acting_user)
    if to_status == S.CANCELED:
        return shipping_fee_refund_post(shipment=shipment, acting_user=acting_user)
    return None


def rts_charge_post(*, ret, acting_user=None) -> LedgerEntry | None:
    if ret.rts_fee <= 0:
        return None
    from orders.models import Order

    seller = Order.objects.only("seller_id").get(pk=ret.order_id).seller
    return _post_or_defer(
        seller=seller, entry_type=T.RTS_CHARGE, amount=-ret.rts_fee, posting_key=f"return:{ret.pk}:rts_charge",
        reference=f"RTS-{ret.pk}", memo=_("Return (RTS) charge"), acting_user=acting_user,
    )


def claim_payout_post(*, claim, acting_user=None) -> LedgerEntry:
    from logistics.models import Claim

    entry_type = T.CLAIM_PAYOUT if claim.kind == Claim.Kind.RETURN else T.COMPENSATION
    return ledger_post(
        seller=claim.seller, entry_type=entry_type, amount=claim.amount, posting_key=f"claim:{claim.pk}:payout",
        reference=f"CLAIM-{claim.pk}", memo=claim.get_kind_display(), acting_user=acting_user,
    )


def ledger_catch_up(*, seller=None) -> dict[str, int]:
    """Post every domain posting that is still missing (a deferred debit, an event recorded before this
    code ran). Returns {"posted": n, "deferred": m}."""
    from logistics.models import Claim, Return, Shipment
    from logistics.models import ShipmentStatus as S

    posted = deferred = 0
    shipments = Shipment.objects.filter(
        Q(status=S.DELIVERED) | Q(status__in=[S.PICKED_UP, S.IN_TRANSIT, S.RETURNING, S.RETURNED],
                                  cod_amount__lte=0)
    ).filter(Q(cod_amount__gt=0) | Q(shipping_fee__gt=0))
    returns = Return.objects.filter(rts_fee__gt=0)
    claims = Claim.objects.filter(status__in=[Claim.Status.ACCEPTED, Claim.Status.PAID])
    if seller is not None:
        shipments = shipments.filter(order__seller=seller)
        returns = returns.filter(order__seller=seller)
        claims = claims.filter(seller=seller)
    for shipment in shipments.iterator():
        keys = [f"shipment:{shipment.pk}:fee"] if shipment.shipping_fee > 0 else []
        if shipment.status == S.DELIVERED and shipment.cod_amount > 0:
            keys.append(f"shipment:{shipment.pk}:cod")
        done = set(LedgerEntry.objects.filter(posting_key__in=keys).values_list("posting_key", flat=True))
        if len(done) == len(keys):
            continue
        if f"shipment:{shipment.pk}:cod" in keys and f"shipment:{shipment.pk}:cod" not in done:
            cod_credit_post(shipment=shipment)
            posted += 1
        elif shipping_fee_post(shipment=shipment) is None:
            deferred += 1
        else:
            posted += 1
    for ret in returns.iterator():
        if not LedgerEntry.objects.filter(posting_key=f"return:{ret.pk}:rts_charge").exists():
            if rts_charge_post(ret=ret) is None:
                deferred += 1
            else:
                posted += 1
    for claim in claims.select_related("seller").iterator():
        if not LedgerEntry.objects.filter(posting_key=f"claim:{claim.pk}:payout").exists():
            claim_payout_post(claim=claim)
            posted += 1
    return {"posted": posted, "deferred": deferred}
