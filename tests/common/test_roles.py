import pytest
from django.contrib.auth.models import Group

from common.roles import ROLE_NAMES
from tests.conftest import user_in_role

pytestmark = pytest.mark.django_db


def permissions_of(role_name: str) -> set[str]:
    group = Group.objects.get(name=role_name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_the_five_roles_exist_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "Customer Service", "Warehouse", "Finance", "Finance Approver", "Administrator",
    }
    assert set(ROLE_NAMES.values()) == {
        "Customer Service", "Warehouse", "Finance", "Finance Approver", "Administrator",
    }


def test_finance_approver_approves_but_cannot_pay_withdrawals():
    perms = permissions_of("Finance Approver")
    assert "finance.approve_withdrawal" in perms
    assert "finance.pay_withdrawal" not in perms


def test_finance_pays_but_cannot_approve_withdrawals():
    perms = permissions_of("Finance")
    assert "finance.pay_withdrawal" in perms
    assert "finance.approve_withdrawal" not in perms


def test_administrator_sees_every_seller_and_holds_every_permission():
    from django.contrib.auth.models import Permission

    perms = permissions_of("Administrator")
    assert "sellers.view_all_sellers" in perms
    assert len(perms) == Permission.objects.count()


def test_no_other_role_sees_every_seller():
    for role in ("Customer Service", "Warehouse", "Finance", "Finance Approver"):
        assert "sellers.view_all_sellers" not in permissions_of(role), role


def test_customer_service_cannot_touch_money_and_warehouse_cannot_touch_tickets():
    assert not {p for p in permissions_of("Customer Service") if p.startswith("finance.")}
    assert "logistics.change_ticket" not in permissions_of("Warehouse")
    assert "catalog.add_stockmovement" in permissions_of("Warehouse")
    assert "logistics.change_ticket" in permissions_of("Customer Service")


def test_a_user_in_a_role_gets_its_permissions(django_user_model):
    approver = user_in_role(django_user_model, "ani", "Finance Approver")
    payer = user_in_role(django_user_model, "bayu", "Finance")

    assert approver.has_perm("finance.approve_withdrawal")
    assert not approver.has_perm("finance.pay_withdrawal")
    assert payer.has_perm("finance.pay_withdrawal")
    assert not payer.has_perm("finance.approve_withdrawal")


def test_roles_sync_restores_a_permission_removed_by_hand():
    from django.contrib.auth.models import Permission

    from common.roles import roles_sync

    group = Group.objects.get(name="Finance Approver")
    group.permissions.remove(Permission.objects.get(codename="approve_withdrawal"))
    group.permissions.add(Permission.objects.get(codename="pay_withdrawal"))

    roles_sync()

    assert "finance.approve_withdrawal" in permissions_of("Finance Approver")
    assert "finance.pay_withdrawal" not in permissions_of("Finance Approver")
