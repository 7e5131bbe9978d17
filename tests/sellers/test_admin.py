import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from sellers.models import Seller
from tests.factories import SellerFactory, SellerUserFactory, StaffAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _seller_form(**overrides):
    data = {
        "code": "TK09", "name": "Toko Sembilan", "status": "active", "contact_name": "Rina", "phone": "",
        "email": "", "address": "", "city": "", "province": "", "postal_code": "",
        "staff_assignments-TOTAL_FORMS": "0", "staff_assignments-INITIAL_FORMS": "0",
        "seller_users-TOTAL_FORMS": "0", "seller_users-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("model", ["seller", "staffassignment", "selleruser"])
def test_seller_admin_pages_open(admin_client_logged_in, model):
    seller_user = SellerUserFactory()
    assignment = StaffAssignmentFactory(seller=seller_user.seller)
    obj = {"seller": seller_user.seller, "staffassignment": assignment, "selleruser": seller_user}[model]
    for url in (reverse(f"admin:sellers_{model}_changelist"), reverse(f"admin:sellers_{model}_add"),
                reverse(f"admin:sellers_{model}_change", args=[obj.pk])):
        assert admin_client_logged_in.get(url).status_code == 200, url


def test_seller_admin_search_by_exact_code_and_phone(admin_client_logged_in):
    SellerFactory(code="CARI1", phone="+6281111111111")
    SellerFactory(code="LAIN2", phone="+6282222222222")
    url = reverse("admin:sellers_seller_changelist")
    by_code = admin_client_logged_in.get(url, {"q": "CARI1"})
    by_phone = admin_client_logged_in.get(url, {"q": "+6282222222222"})
    assert list(by_code.context["cl"].result_list.values_list("code", flat=True)) == ["CARI1"]
    assert list(by_phone.context["cl"].result_list.values_list("code", flat=True)) == ["LAIN2"]


def test_seller_admin_form_normalises_a_local_phone(admin_client_logged_in):
    url = reverse("admin:sellers_seller_add")
    response = admin_client_logged_in.post(url, _seller_form(phone="0812-3456-7890"))
    assert response.status_code == 302
    assert Seller.objects.get(code="TK09").phone == "+6281234567890"


def test_seller_admin_form_rejects_a_garbage_phone_with_a_clear_message(admin_client_logged_in):
    url = reverse("admin:sellers_seller_add")
    response = admin_client_logged_in.post(url, _seller_form(phone="telp kantor"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "is not a valid phone number" in errors["phone"][0]
    assert not Seller.objects.filter(code="TK09").exists()


def test_seller_admin_change_updates_through_the_service(admin_client_logged_in):
    seller = SellerFactory(code="TK10", phone="+6281234567890")
    data = _seller_form(code="TK10", name="Nama Baru", phone="62 857 1234 5678")
    response = admin_client_logged_in.post(reverse("admin:sellers_seller_change", args=[seller.pk]), data)
    assert response.status_code == 302
    seller.refresh_from_db()
    assert (seller.name, seller.phone) == ("Nama Baru", "+6285712345678")


def _staff_with(django_user_model, username, *codenames):
    user = django_user_model.objects.create_user(username, password="pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def test_staff_see_only_their_assigned_sellers(client, django_user_model):
    staff = _staff_with(django_user_model, "cs1", "view_seller")
    mine, _other = SellerFactory(code="MINE"), SellerFactory(code="OTHER")
    StaffAssignmentFactory(seller=mine, user=staff)
    client.force_login(staff)
    response = client.get(reverse("admin:sellers_seller_changelist"))
    assert response.status_code == 200
    assert [s.code for s in response.context["cl"].result_list] == ["MINE"]
    assert client.get(reverse("admin:sellers_seller_change", args=[_other.pk])).status_code == 302


def test_staff_with_view_all_sellers_see_every_seller(client, django_user_model):
    staff = _staff_with(django_user_model, "boss", "view_seller", "view_all_sellers")
    SellerFactory(code="A1"), SellerFactory(code="B2")
    client.force_login(staff)
    response = client.get(reverse("admin:sellers_seller_changelist"))
    assert sorted(s.code for s in response.context["cl"].result_list) == ["A1", "B2"]


def test_adding_a_seller_with_an_assigned_staff_member_saves_both(admin_client_logged_in):
    staff = UserFactory(username="gudang1")
    data = _seller_form(**{"staff_assignments-TOTAL_FORMS": "1", "staff_assignments-0-user": staff.pk})
    response = admin_client_logged_in.post(reverse("admin:sellers_seller_add"), data)
    assert response.status_code == 302
    seller = Seller.objects.get(code="TK09")
    assert list(seller.staff.all()) == [staff]
