import pytest
from django.db import IntegrityError

from sellers.models import SellerUser, StaffAssignment
from tests.factories import SellerFactory, SellerUserFactory, StaffAssignmentFactory

pytestmark = pytest.mark.django_db


def test_seller_code_cannot_be_blank():
    with pytest.raises(IntegrityError, match="sellers_seller_code_not_blank"):
        SellerFactory(code="")


def test_seller_code_is_unique():
    SellerFactory(code="TOKO1")
    with pytest.raises(IntegrityError):
        SellerFactory(code="TOKO1")


@pytest.mark.parametrize("phone", ["081234567890", "62812345", "+0812345678", "+62 812 3456 7890"])
def test_seller_phone_must_be_e164_in_the_database(phone):
    with pytest.raises(IntegrityError, match="sellers_seller_phone_e164"):
        SellerFactory(phone=phone)


def test_seller_phone_may_be_empty():
    assert SellerFactory(phone="").phone == ""


def test_staff_assignment_is_unique_per_seller_and_user():
    assignment = StaffAssignmentFactory()
    with pytest.raises(IntegrityError, match="sellers_assignment_unique"):
        StaffAssignment.objects.create(seller=assignment.seller, user=assignment.user)


def test_a_user_is_the_seller_user_of_one_seller_only():
    seller_user = SellerUserFactory()
    with pytest.raises(IntegrityError):
        SellerUser.objects.create(user=seller_user.user, seller=SellerFactory())
