import pytest

from sellers.models import Seller, SellerUser, StaffAssignment
from sellers.services import (
    InvalidPhone,
    SellerCodeTaken,
    SellerInvalid,
    SellerUserInvalid,
    StaffAssignmentInvalid,
    seller_create,
    seller_update,
    seller_user_create,
    staff_assignment_add,
    staff_assignment_remove,
)
from tests.factories import SellerFactory, SellerUserFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["081234567890", "6281234567890", "+62 812-3456-7890"])
def test_seller_create_stores_the_phone_in_e164(typed):
    seller = seller_create(code="TK01", name="Toko Satu", phone=typed)
    seller.refresh_from_db()
    assert seller.phone == "+6281234567890"


def test_seller_create_refuses_an_invalid_phone_naming_the_field_and_saves_nothing():
    with pytest.raises(InvalidPhone, match="phone") as excinfo:
        seller_create(code="TK01", name="Toko Satu", phone="12ab")
    assert excinfo.value.extra == {"field": "phone"}
    assert not Seller.objects.exists()


def test_seller_create_refuses_a_blank_code():
    with pytest.raises(SellerInvalid, match="code"):
        seller_create(code="  ", name="Toko")


def test_seller_create_refuses_a_code_already_used():
    SellerFactory(code="TK01")
    with pytest.raises(SellerCodeTaken, match="TK01"):
        seller_create(code="TK01", name="Toko Lain")
    assert Seller.objects.filter(code="TK01").count() == 1


def test_seller_update_normalises_the_phone_and_changes_only_given_fields():
    seller = SellerFactory(name="Lama", city="Bandung")
    seller_update(seller=seller, phone="0857 1234 5678", name="Baru")
    seller.refresh_from_db()
    assert (seller.phone, seller.name, seller.city) == ("+6285712345678", "Baru", "Bandung")


def test_seller_update_refuses_an_invalid_phone_and_changes_nothing():
    seller = SellerFactory(phone="+6281234567890")
    with pytest.raises(InvalidPhone):
        seller_update(seller=seller, phone="not a phone", name="Baru")
    seller.refresh_from_db()
    assert (seller.phone, seller.name) != ("not a phone", "Baru")
    assert seller.phone == "+6281234567890"


def test_seller_update_refuses_unknown_fields():
    with pytest.raises(SellerInvalid, match="staff"):
        seller_update(seller=SellerFactory(), staff=[])


def test_staff_assignment_add_is_idempotent_and_remove_deletes_it():
    seller, user = SellerFactory(), UserFactory()
    first = staff_assignment_add(seller=seller, user=user)
    assert staff_assignment_add(seller=seller, user=user) == first
    assert StaffAssignment.objects.filter(seller=seller).count() == 1
    assert staff_assignment_remove(seller=seller, user=user) is True
    assert staff_assignment_remove(seller=seller, user=user) is False
    assert not StaffAssignment.objects.exists()


def test_staff_assignment_refuses_a_non_staff_user():
    with pytest.raises(StaffAssignmentInvalid):
        staff_assignment_add(seller=SellerFactory(), user=UserFactory(is_staff=False))
    assert not StaffAssignment.objects.exists()


def test_seller_user_create_makes_a_non_staff_login_tied_to_the_seller():
    seller = SellerFactory()
    seller_user = seller_user_create(seller=seller, username="pemilik", password="rahasia-123")
    assert seller_user.seller == seller
    assert not seller_user.user.is_staff
    assert seller_user.user.check_password("rahasia-123")
    assert seller_user.role == SellerUser.Role.OWNER


def test_seller_user_create_refuses_a_taken_username_and_creates_nothing():
    existing = SellerUserFactory()
    with pytest.raises(SellerUserInvalid, match="already taken"):
        seller_user_create(seller=SellerFactory(), username=existing.user.username)
    assert SellerUser.objects.count() == 1
