"""Shipping quotes: courier services and their cost for a parcel, from every platform that documents a
quote (Komship calculate cost, Ngorder expedition cost, Scalev shipping costs / courier services).

Used by the order screen in the admin and by the mobile API. Bad input is refused before any call; a
platform that fails answers QuoteUnavailable with the platform's own message."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from common.exceptions import ApplicationError
from integrations.exceptions import IntegrationError
from integrations.models import PlatformAccount

QUOTE_PLATFORMS = ("komship", "ngorder", "scalev")  # DESIGN §1: "shipping cost quote"
MAX_WEIGHT_GRAMS = 500_000  # a parcel above half a tonne is cargo, not a courier service


class QuoteRefused(ApplicationError):
    code = "quote_refused"


class QuoteUnavailable(ApplicationError):
    code = "quote_unavailable"
    http_status = 502


@dataclass(frozen=True)
class ShippingOption:
    platform: str
    courier_code: str
    courier_name: str
    service_code: str
    service_name: str
    cost: Decimal
    cod_fee: Decimal
    etd: str

    @property
    def total(self) -> Decimal:
        return self.cost + self.cod_fee


def quote_accounts_for(*, seller) -> QuerySet[PlatformAccount]:
    """The seller's enabled accounts on platforms that quote shipping, oldest first."""
    return PlatformAccount.objects.filter(seller=seller, is_enabled=True, platform__in=QUOTE_PLATFORMS).order_by("id")


def _amount(value, *, field: str) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else "0"))
    except (InvalidOperation, ValueError):
        raise QuoteRefused(_("%(value)s is not an amount.") % {"value": value}, extra={"field": field}) from None
    if not amount.is_finite() or amount < 0:
        raise QuoteRefused(_("The amount cannot be negative."), extra={"field": field})
    return amount


def shipping_quote(
    *, account: PlatformAccount, origin: str, destination: str, weight_grams: int,
    cod_value: Decimal = Decimal("0"), item_value: Decimal = Decimal("0"),
) -> list[ShippingOption]:
    """Courier services for a parcel, cheapest first. `origin` and `destination` are the platform's ids or
    place names (a district or city); an empty origin uses the account's default pickup point."""
    if account.platform not in QUOTE_PLATFORMS:
        raise QuoteRefused(
            _("%(platform)s does not quote shipping costs; use Komship, Ngorder or Scalev.")
            % {"platform": account.get_platform_display()}, extra={"field": "account"},
        )
    if not account.is_enabled:
        raise QuoteRefused(_("Account %(account)s is disabled.") % {"account": account}, extra={"field": "account"})
    destination = (destination or "").strip()
    if not destination:
        raise QuoteRefused(_("Give a destination (district, city or the platform's id)."),
                           extra={"field": "destination"})
    try:
        weight = int(weight_grams)
    except (TypeError, ValueError):
        raise QuoteRefused(_("The weight must be a whole number of grams."), extra={"field": "weight_grams"}) from None
    if weight <= 0 or weight > MAX_WEIGHT_GRAMS:
        raise QuoteRefused(
            _("The weight must be between 1 and %(max)d grams.") % {"max": MAX_WEIGHT_GRAMS},
            extra={"field": "weight_grams"},
        )
    cod = _amount(cod_value, field="cod_value")
    items = _amount(item_value, field="item_value")
    from integrations.registry import adapter_for

    try:
        rates = adapter_for(account).shipping_rates(
            origin=(origin or "").strip(), destination=destination, weight_grams=weight, cod_value=cod,
            item_value=items,
        )
    except IntegrationError as exc:
        raise QuoteUnavailable(
            _("%(platform)s could not quote: %(error)s") % {"platform": account.get_platform_display(),
                                                             "error": exc.message},
            extra={"platform": account.platform, "retryable": exc.retryable},
        ) from exc
    options = [
        ShippingOption(platform=account.platform, courier_code=r.courier_code, courier_name=r.courier_name,
                       service_code=r.service_code, service_name=r.service_name, cost=r.cost, cod_fee=r.cod_fee,
                       etd=r.etd)
        for r in rates
    ]
    return sorted(options, key=lambda o: (o.total, o.courier_code, o.service_code))


def order_destination(order) -> str:
    c = order.customer
    return ", ".join(part for part in (c.subdistrict, c.district, c.city, c.postal_code) if part)


def order_weight_grams(order) -> int:
    return sum(item.weight_grams * item.quantity for item in order.items.all())


def order_shipping_quote(*, order, account: PlatformAccount | None = None) -> list[ShippingOption]:
    """Quote the order's parcel: its customer's place, its items' weight, its COD value when it is COD.
    The order's own account when that platform quotes, else the seller's first quoting account."""
    from orders.models import PaymentMethod

    if account is None:
        if order.account_id and order.account.platform in QUOTE_PLATFORMS and order.account.is_enabled:
            account = order.account
        else:
            account = quote_accounts_for(seller=order.seller).first()
    if account is None:
        raise QuoteRefused(
            _("Seller %(seller)s has no Komship, Ngorder or Scalev account to quote shipping with.")
            % {"seller": order.seller}, extra={"field": "account"},
        )
    weight = order_weight_grams(order)
    if weight <= 0:
        raise QuoteRefused(
            _("Order %(order)s has no weight: give its items a weight first.") % {"order": order.order_no},
            extra={"field": "weight_grams"},
        )
    destination = order_destination(order)
    origin = ""
    if account.platform == "scalev":
        origin = str((account.options or {}).get("warehouse_id") or "")
    elif account.platform == "ngorder":
        origin = str((account.options or {}).get("origin_district_id") or "")
        if not origin and order.warehouse_id:
            origin = ", ".join(p for p in (order.warehouse.district, order.warehouse.city) if p)
    cod = order.grand_total if order.payment_method == PaymentMethod.COD else Decimal("0")
    return shipping_quote(account=account, origin=origin, destination=destination, weight_grams=weight,
                          cod_value=cod, item_value=order.subtotal)
