from decimal import Decimal

from finance.models import BankAccount, SellerBalance, Withdrawal
from tests.factories import BankAccountFactory


def _balance(seller):
    b = SellerBalance.objects.get(seller=seller)
    return b.available, b.held


def test_withdrawal_create_holds_the_amount(world_a):
    account = world_a.objects["bank_account"]
    response = world_a.client.post("/api/v1/withdrawals/", {"bank_account": account.pk, "amount": "50000"},
                                   format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "requested"
    assert body["bank_account"]["masked_number"] == "••••7890"
    assert "account_number" not in body["bank_account"]
    assert _balance(world_a.seller) == (Decimal("440000"), Decimal("60000"))


def test_withdrawal_bad_input_is_400_and_changes_nothing(world_a):
    account = world_a.objects["bank_account"]
    unverified = BankAccountFactory(seller=world_a.seller, is_verified=False, account_number="99998888")
    before = (Withdrawal.objects.count(), _balance(world_a.seller))
    cases = [
        ({"bank_account": account.pk, "amount": "490000.01"}, "amount"),  # above the available balance
        ({"bank_account": account.pk, "amount": "0"}, "amount"),
        ({"bank_account": account.pk, "amount": "banyak"}, "amount"),
        ({"bank_account": account.pk}, "amount"),
        ({"amount": "1000"}, "bank_account"),
        ({"bank_account": unverified.pk, "amount": "1000"}, "bank_account"),
        ({"bank_account": "satu", "amount": "1000"}, "bank_account"),
    ]
    for body, field in cases:
        response = world_a.client.post("/api/v1/withdrawals/", body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert field in response.json()["error"]["fields"], (body, response.json())
    assert (Withdrawal.objects.count(), _balance(world_a.seller)) == before


def test_withdrawal_to_another_sellers_account_is_400(world_a, world_b):
    response = world_a.client.post("/api/v1/withdrawals/",
                                   {"bank_account": world_b.objects["bank_account"].pk, "amount": "1000"},
                                   format="json")
    assert response.status_code == 400
    assert "bank_account" in response.json()["error"]["fields"]


def test_withdrawal_cancel_while_requested_releases_the_hold(world_a):
    withdrawal = world_a.objects["withdrawal"]
    response = world_a.client.post(f"/api/v1/withdrawals/{withdrawal.pk}/cancel/", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "canceled"
    assert _balance(world_a.seller) == (Decimal("500000"), Decimal("0"))
    again = world_a.client.post(f"/api/v1/withdrawals/{withdrawal.pk}/cancel/", {}, format="json")
    assert again.status_code == 409
    assert _balance(world_a.seller) == (Decimal("500000"), Decimal("0"))


def test_withdrawal_on_review_cannot_be_canceled_from_the_app(world_a):
    withdrawal = world_a.objects["withdrawal"]
    Withdrawal.objects.filter(pk=withdrawal.pk).update(status="on_review")
    response = world_a.client.post(f"/api/v1/withdrawals/{withdrawal.pk}/cancel/", {}, format="json")
    assert response.status_code == 409
    assert Withdrawal.objects.get(pk=withdrawal.pk).status == "on_review"


def test_withdrawal_list_filter_and_detail(world_a):
    withdrawal = world_a.objects["withdrawal"]
    assert [r["id"] for r in world_a.client.get("/api/v1/withdrawals/", {"status": "requested"}).json()["results"]] \
        == [withdrawal.pk]
    assert world_a.client.get("/api/v1/withdrawals/", {"status": "completed"}).json()["results"] == []
    assert world_a.client.get(f"/api/v1/withdrawals/{withdrawal.pk}/").json()["amount"] == "10000.00"


def test_ledger_statement_filters(world_a):
    rows = world_a.client.get("/api/v1/ledger/").json()["results"]
    assert [r["entry_type"] for r in rows] == ["withdrawal_hold", "cod_credit"]
    held = world_a.client.get("/api/v1/ledger/", {"entry_type": "cod_credit"}).json()["results"]
    assert [r["amount"] for r in held] == ["500000.00"]
    assert world_a.client.get("/api/v1/ledger/", {"date_to": "2001-01-01"}).json()["results"] == []


def test_bank_account_add_and_set_default(world_a):
    response = world_a.client.post("/api/v1/bank-accounts/", {
        "bank_code": "bni", "account_number": "0123 4567 89", "holder_name": "Sri Wahyuningsih"}, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["masked_number"], created["is_verified"], created["is_default"]) == ("••••6789", False, False)
    assert BankAccount.objects.get(pk=created["id"]).account_number == "0123456789"
    response = world_a.client.post(f"/api/v1/bank-accounts/{created['id']}/set-default/")
    assert response.status_code == 200
    assert response.json()["is_default"] is True
    listed = world_a.client.get("/api/v1/bank-accounts/").json()["results"]
    assert {(r["id"], r["is_default"]) for r in listed} == {(created["id"], True),
                                                           (world_a.objects["bank_account"].pk, False)}


def test_bank_account_bad_input_is_400_with_field_errors(world_a):
    before = BankAccount.objects.count()
    for body, field in [
        ({"bank_code": "bni", "account_number": "12ab", "holder_name": "X"}, "account_number"),
        ({"bank_code": "bank-ku", "account_number": "1234567", "holder_name": "X"}, "bank_code"),
        ({"bank_code": "bni", "account_number": "1234567", "holder_name": "   "}, "holder_name"),
    ]:
        response = world_a.client.post("/api/v1/bank-accounts/", body, format="json")
        assert response.status_code == 400, response.content
        assert field in response.json()["error"]["fields"]
    assert BankAccount.objects.count() == before


def test_me_profile_and_dashboard(world_a):
    me = world_a.client.get("/api/v1/me/").json()
    assert (me["username"], me["role"], me["seller"]["code"]) == (world_a.user.username, "owner",
                                                                  world_a.seller.code)
    assert world_a.client.get("/api/v1/seller/").json()["id"] == world_a.seller.pk
    dashboard = world_a.client.get("/api/v1/dashboard/").json()
    assert dashboard["orders_by_status"]["new"] == 1
    assert dashboard["orders_total"] == 1
    assert dashboard["balance"] == {"available": "490000.00", "held": "10000.00"}
    assert dashboard["open_tickets"] == 1
    assert dashboard["pickups_due"] == 0  # the fixture's pickup is tomorrow
