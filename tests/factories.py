"""factory_boy factories shared by every test package. Add app-specific ones in tests/<app>/factories.py."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from catalog.models import Category, Product, StockLevel, Variant, Warehouse
from finance.models import BankAccount, SellerBalance, Withdrawal
from integrations.models import Platform, PlatformAccount, SyncRun
from logistics.models import (
    Claim,
    Courier,
    PickupRequest,
    Return,
    Shipment,
    Ticket,
    TicketMessage,
    TrackingEvent,
)
from orders.models import Customer, Order, OrderItem
from sellers.models import Seller, SellerUser, StaffAssignment


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    is_staff = True
    password = factory.django.Password("pw")


class SellerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seller

    code = factory.Sequence(lambda n: f"SLR{n:04d}")
    name = factory.Sequence(lambda n: f"Toko Contoh {n}")
    contact_name = "Budi Santoso"
    phone = "+6281234567890"
    email = factory.LazyAttribute(lambda s: f"{s.code.lower()}@example.co.id")
    address = "Jl. Sudirman No. 1"
    city = "Jakarta Selatan"
    province = "DKI Jakarta"
    postal_code = "12190"


class StaffAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffAssignment

    seller = factory.SubFactory(SellerFactory)
    user = factory.SubFactory(UserFactory)


class SellerUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SellerUser

    user = factory.SubFactory(UserFactory, is_staff=False)
    seller = factory.SubFactory(SellerFactory)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Kategori {n}")
    slug = factory.Sequence(lambda n: f"kategori-{n}")


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse

    code = factory.Sequence(lambda n: f"WH{n:03d}")
    name = factory.Sequence(lambda n: f"Gudang {n}")
    kind = Warehouse.Kind.FULFILMENT
    address = "Jl. Raya Bekasi Km 21"
    city = "Jakarta Timur"
    province = "DKI Jakarta"


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    seller = factory.SubFactory(SellerFactory)
    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"Kaos Polos {n}")


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Variant

    product = factory.SubFactory(ProductFactory)
    seller = factory.SelfAttribute("product.seller")
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = "Merah / L"
    option_values = {"Warna": "Merah", "Ukuran": "L"}
    price = Decimal("85000")
    weight_grams = 250


class StockLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StockLevel

    variant = factory.SubFactory(VariantFactory)
    warehouse = factory.SubFactory(WarehouseFactory)
    on_hand = 10
    reserved = 0


class PlatformAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlatformAccount

    platform = Platform.NGORDER
    name = factory.Sequence(lambda n: f"akun-{n}")
    base_url = "http://127.0.0.1:8000/sandbox/ngorder/api/open"
    credentials = {"token": "secret-token"}


class SyncRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SyncRun

    account = factory.SubFactory(PlatformAccountFactory)
    kind = SyncRun.Kind.ORDERS_PULL


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    seller = factory.SubFactory(SellerFactory)
    name = "Siti Rahmawati"
    phone = "+6285712345678"
    address = "Jl. Melati No. 7"
    city = "Bandung"
    province = "Jawa Barat"
    postal_code = "40115"


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    seller = factory.SubFactory(SellerFactory)
    customer = factory.SubFactory(CustomerFactory, seller=factory.SelfAttribute("..seller"))
    order_no = factory.Sequence(lambda n: f"INV/2026/{n:06d}")
    status = Order.Status.NEW
    payment_method = Order.PaymentMethod.COD
    subtotal = Decimal("170000")
    shipping_cost = Decimal("18000")
    cod_fee = Decimal("5000")
    grand_total = Decimal("193000")


class OrderItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderItem

    order = factory.SubFactory(OrderFactory)
    sku = "SKU-X"
    name = "Kaos Polos"
    quantity = 2
    unit_price = Decimal("85000")
    line_total = Decimal("170000")


class CourierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Courier
        django_get_or_create = ("code",)

    code = "jne"
    name = "JNE"


class ShipmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shipment

    order = factory.SubFactory(OrderFactory)
    courier = factory.SubFactory(CourierFactory)
    service = "REG"
    awb = factory.Sequence(lambda n: f"JNE{n:010d}")
    status = Shipment.Status.AWB_CREATED
    weight_grams = 500
    cod_amount = Decimal("193000")


class TrackingEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrackingEvent

    shipment = factory.SubFactory(ShipmentFactory)
    occurred_at = factory.LazyFunction(timezone.now)
    description = "Paket diterima di gudang Jakarta"
    dedup_key = factory.Sequence(lambda n: f"k{n}")


class PickupRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PickupRequest

    seller = factory.SubFactory(SellerFactory)
    pickup_date = factory.LazyFunction(lambda: timezone.localdate() + timezone.timedelta(days=1))
    time_from = "09:00"
    time_to = "12:00"
    contact_name = "Andi"
    contact_phone = "+6281298765432"
    address = "Jl. Gatot Subroto No. 5, Jakarta"


class ReturnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Return

    order = factory.SubFactory(OrderFactory)


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    number = factory.Sequence(lambda n: f"TCK-{n:06d}")
    seller = factory.SubFactory(SellerFactory)
    subject = "Paket belum sampai"


class TicketMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketMessage

    ticket = factory.SubFactory(TicketFactory)
    body = "Mohon dicek, paket belum sampai sejak 5 hari."


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    seller = factory.SubFactory(SellerFactory)
    order = factory.SubFactory(OrderFactory, seller=factory.SelfAttribute("..seller"))
    kind = Claim.Kind.LOST
    amount = Decimal("150000")


class BankAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BankAccount

    seller = factory.SubFactory(SellerFactory)
    bank_code = "bca"
    account_number = "1234567890"
    account_number_last4 = factory.LazyAttribute(lambda b: b.account_number[-4:])
    holder_name = "Budi Santoso"
    is_verified = True


class SellerBalanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SellerBalance
        django_get_or_create = ("seller",)

    seller = factory.SubFactory(SellerFactory)


class WithdrawalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Withdrawal

    seller = factory.SubFactory(SellerFactory)
    bank_account = factory.SubFactory(BankAccountFactory, seller=factory.SelfAttribute("..seller"))
    amount = Decimal("100000")
