"""Every screen registered in the admin opens with data present: changelist (plain and searched), add and
change pages answer 200 to a superuser. A model registered without a builder below fails by name."""

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.db import models
from django.urls import reverse
from django.utils import timezone

from tests import factories as f

pytestmark = pytest.mark.django_db

# Admins of small configuration tables where a search box would not help anyone.
NO_SEARCH_NEEDED = {
    "django_celery_beat.ClockedSchedule",
    "django_celery_beat.CrontabSchedule",
    "django_celery_beat.IntervalSchedule",
    "django_celery_beat.SolarSchedule",
}


def _group():
    from django.contrib.auth.models import Group

    return Group.objects.create(name="Smoke test group")


def _token():
    from rest_framework.authtoken.models import Token, TokenProxy

    token = Token.objects.create(user=f.UserFactory(is_staff=False))
    return TokenProxy.objects.get(key=token.key)


def _axes(model_name: str):
    from axes import models as axes_models

    common = {"username": "kasir", "ip_address": "127.0.0.1", "user_agent": "pytest", "http_accept": "*/*",
              "path_info": "/admin/login/"}
    if model_name == "AccessAttempt":
        return axes_models.AccessAttempt.objects.create(**common, get_data="", post_data="", failures_since_start=1)
    if model_name == "AccessLog":
        return axes_models.AccessLog.objects.create(**common)
    return axes_models.AccessFailureLog.objects.create(**common, locked_out=False)


def _beat(model_name: str):
    from django_celery_beat import models as beat

    if model_name == "IntervalSchedule":
        return beat.IntervalSchedule.objects.create(every=15, period=beat.IntervalSchedule.MINUTES)
    if model_name == "CrontabSchedule":
        return beat.CrontabSchedule.objects.create(minute="0", hour="2")
    if model_name == "SolarSchedule":
        return beat.SolarSchedule.objects.create(event="sunrise", latitude=Decimal("-6.2"),
                                                 longitude=Decimal("106.8"))
    if model_name == "ClockedSchedule":
        return beat.ClockedSchedule.objects.create(clocked_time=timezone.now())
    interval = beat.IntervalSchedule.objects.create(every=5, period=beat.IntervalSchedule.MINUTES)
    return beat.PeriodicTask.objects.create(name="smoke: pull orders", task="integrations.tasks.pull_orders",
                                            interval=interval)


def _listing():
    from catalog.models import Listing

    product = f.ProductFactory()
    return Listing.objects.create(account=f.PlatformAccountFactory(seller=product.seller), product=product,
                                  external_id="LST-1")


def _stock_movement():
    from catalog.models import StockMovement

    level = f.StockLevelFactory()
    return StockMovement.objects.create(variant=level.variant, warehouse=level.warehouse, on_hand_delta=10,
                                        reason=StockMovement.Reason.RECEIPT, reference="PO-001")


def _ledger_entry():
    from finance.models import LedgerEntry

    return LedgerEntry.objects.create(seller=f.SellerFactory(), entry_type=LedgerEntry.Type.TOP_UP,
                                      amount=Decimal("100000"), posting_key="smoke:topup:1",
                                      balance_after=Decimal("100000"), held_after=Decimal("0"))


def _cod_remittance():
    from finance.models import CodRemittance, CodRemittanceLine

    shipment = f.ShipmentFactory()
    remittance = CodRemittance.objects.create(courier=shipment.courier, reference="RMT-2026-001",
                                              remitted_on=timezone.localdate(), total_amount=Decimal("193000"))
    CodRemittanceLine.objects.create(remittance=remittance, awb=shipment.awb, amount=Decimal("193000"),
                                     shipment=shipment)
    return remittance


def _order():
    order = f.OrderFactory()
    f.OrderItemFactory(order=order)
    f.ShipmentFactory(order=order)
    return order


def _status_mapping():
    from orders.models import StatusMapping

    return StatusMapping.objects.get_or_create(platform="komship", kind="order", platform_status="Smoke",
                                               defaults={"our_status": "new"})[0]


def _inbound_event():
    from integrations.models import InboundEvent

    account = f.PlatformAccountFactory(platform="scalev")
    return InboundEvent.objects.create(account=account, platform=account.platform, event_id="evt-smoke-1",
                                       event_type="order.created", body='{"id": "evt-smoke-1"}')


def _ticket():
    message = f.TicketMessageFactory()
    return message.ticket


def _import_job():
    from transfers.models import ImportJob

    return ImportJob.objects.create(kind="products", file="imports/smoke.csv", original_name="smoke.csv",
                                    created_by=f.UserFactory(), status=ImportJob.Status.PREVIEWED, total_rows=1,
                                    new_rows=1, preview={"headers": ["sku"], "rows": [{"row": 2, "outcome": "new",
                                                                                       "note": "", "cells": ["A"]}]},
                                    errors=[{"row": 3, "column": "price", "value": "abc", "reason": "bad"}])


def _export_job():
    from transfers.models import ExportJob

    return ExportJob.objects.create(model_label="orders.Order", created_by=f.UserFactory(), row_count=1,
                                    filter_querystring="status__exact=new")


BUILDERS: dict[str, Callable[[], models.Model]] = {
    "auth.Group": _group,
    "auth.User": f.UserFactory,
    "authtoken.TokenProxy": _token,
    "axes.AccessAttempt": lambda: _axes("AccessAttempt"),
    "axes.AccessFailureLog": lambda: _axes("AccessFailureLog"),
    "axes.AccessLog": lambda: _axes("AccessLog"),
    "catalog.Category": f.CategoryFactory,
    "catalog.Listing": _listing,
    "catalog.Product": lambda: f.VariantFactory().product,
    "catalog.StockLevel": f.StockLevelFactory,
    "catalog.StockMovement": _stock_movement,
    "catalog.Variant": f.VariantFactory,
    "catalog.Warehouse": f.WarehouseFactory,
    "django_celery_beat.ClockedSchedule": lambda: _beat("ClockedSchedule"),
    "django_celery_beat.CrontabSchedule": lambda: _beat("CrontabSchedule"),
    "django_celery_beat.IntervalSchedule": lambda: _beat("IntervalSchedule"),
    "django_celery_beat.PeriodicTask": lambda: _beat("PeriodicTask"),
    "django_celery_beat.SolarSchedule": lambda: _beat("SolarSchedule"),
    "finance.BankAccount": f.BankAccountFactory,
    "finance.CodRemittance": _cod_remittance,
    "finance.LedgerEntry": _ledger_entry,
    "finance.SellerBalance": f.SellerBalanceFactory,
    "finance.Withdrawal": f.WithdrawalFactory,
    "integrations.InboundEvent": _inbound_event,
    "integrations.PlatformAccount": f.PlatformAccountFactory,
    "integrations.SyncRun": f.SyncRunFactory,
    "logistics.Claim": f.ClaimFactory,
    "logistics.Courier": f.CourierFactory,
    "logistics.PickupMonitor": f.PickupRequestFactory,
    "logistics.PickupRequest": f.PickupRequestFactory,
    "logistics.Return": f.ReturnFactory,
    "logistics.Shipment": f.ShipmentFactory,
    "logistics.Ticket": _ticket,
    "logistics.TicketMessage": f.TicketMessageFactory,
    "logistics.TrackingEvent": f.TrackingEventFactory,
    "orders.Customer": f.CustomerFactory,
    "orders.Order": _order,
    "orders.OrderItem": f.OrderItemFactory,
    "orders.StatusMapping": _status_mapping,
    "sellers.Seller": f.SellerFactory,
    "sellers.SellerUser": f.SellerUserFactory,
    "sellers.StaffAssignment": f.StaffAssignmentFactory,
    "transfers.ExportJob": _export_job,
    "transfers.ImportJob": _import_job,
}


def registered_models() -> list[type[models.Model]]:
    return sorted(admin.site._registry, key=lambda model: model._meta.label)


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", registered_models(), ids=lambda model: model._meta.label)
def test_admin_pages_open_with_data(model, admin_client_logged_in):
    label = model._meta.label
    builder = BUILDERS.get(label)
    if builder is None:
        pytest.fail(f"{label} is registered in the admin but has no builder in "
                    "tests/common/test_admin_smoke.py BUILDERS: add one so its pages are tested with data.")
    obj = builder()
    model_admin = admin.site._registry[model]
    client = admin_client_logged_in

    changelist = client.get(url(model, "changelist"))
    assert changelist.status_code == 200, label
    assert changelist.context["cl"].result_count >= 1, f"{label}: the changelist lists nothing"
    searched = client.get(url(model, "changelist"), {"q": "smoke-0812"})
    assert searched.status_code == 200, f"{label}: searching answered {searched.status_code}"

    change = client.get(url(model, "change", quote(obj.pk)))
    assert change.status_code == 200, f"{label}: change page answered {change.status_code}"

    if model_admin.has_add_permission(changelist.wsgi_request):
        add = client.get(url(model, "add"))
        assert add.status_code == 200, f"{label}: add page answered {add.status_code}"


def test_every_registered_model_has_a_builder():
    missing = [m._meta.label for m in registered_models() if m._meta.label not in BUILDERS]
    assert not missing, f"registered in the admin without a builder in BUILDERS: {missing}"


def test_every_admin_has_search_fields_or_is_listed_as_not_needing_them():
    without = {m._meta.label for m, ma in admin.site._registry.items() if not ma.search_fields}
    assert without <= NO_SEARCH_NEEDED, f"admins without search_fields: {sorted(without - NO_SEARCH_NEEDED)}"
    registered = {m._meta.label for m in admin.site._registry}
    assert registered >= NO_SEARCH_NEEDED, f"stale entries: {sorted(NO_SEARCH_NEEDED - registered)}"
