import pytest

from sellers.selectors import seller_for_seller_user, seller_get, seller_list
from tests.factories import SellerFactory, SellerUserFactory, StaffAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_seller_list_is_scoped_to_assigned_sellers(django_user_model):
    staff = django_user_model.objects.create_user("cs9", password="pw", is_staff=True)
    mine, other = SellerFactory(code="M1"), SellerFactory(code="O1")
    StaffAssignmentFactory(seller=mine, user=staff)
    assert list(seller_list(user=staff)) == [mine]
    assert seller_get(user=staff, seller_id=other.pk) is None


def test_seller_list_shows_everything_to_a_superuser(superuser):
    SellerFactory(code="A"), SellerFactory(code="B")
    assert [s.code for s in seller_list(user=superuser)] == ["A", "B"]


def test_seller_for_seller_user_ignores_inactive_and_staff_users():
    seller_user = SellerUserFactory()
    assert seller_for_seller_user(user=seller_user.user) == seller_user.seller
    seller_user.is_active = False
    seller_user.save()
    assert seller_for_seller_user(user=seller_user.user) is None
    assert seller_for_seller_user(user=UserFactory()) is None
