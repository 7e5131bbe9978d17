from datetime import date
from decimal import Decimal

import pytest
from django import forms as django_forms
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from finance.forms import PAY_BUTTON
from finance.models import BankAccount, CodRemittance, LedgerEntry, SellerBalance, Withdrawal
from finance.services import withdrawal_approve, withdrawal_request, withdrawal_review
from tests.conftest import user_in_role
from tests.factories import BankAccountFactory, SellerFactory, StaffAssignmentFactory
from tests.finance.conftest import fund

pytestmark = pytest.mark.django_db
S = Withdrawal.Status


def form_data(response, **overrides):
    """The POST a browser would send for the form (and inlines) on `response`, with `overrides`."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        forms.extend(formset.forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or isinstance(form.fields[name], django_forms.FileField):
                continue
            if isinstance(value, bool):
                if value:
                    data[form.add_prefix(name)] = "on"
                continue
            data[form.add_prefix(name)] = value
    data.update(overrides)
    return data


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def withdrawal(funded_seller, bank_account, finance_user):
    return withdrawal_request(seller=funded_seller, bank_account=bank_account, amount=Decimal("250000"),
                              acting_user=finance_user)


@pytest.fixture
def approved(withdrawal, finance_user, approver):
    withdrawal_review(withdrawal=withdrawal, acting_user=finance_user)
    return withdrawal_approve(withdrawal=withdrawal, acting_user=approver)


@pytest.mark.parametrize("model", ["bankaccount", "ledgerentry", "sellerbalance", "withdrawal",
                                   "codremittance"])
def test_finance_admin_pages_open_with_data(admin_client_logged_in, approved, model):
    CodRemittance.objects.create(reference="RMT-1", remitted_on=date(2026, 1, 5), total_amount=Decimal("10"))
    obj = {
        "bankaccount": approved.bank_account, "ledgerentry": LedgerEntry.objects.first(),
        "sellerbalance": SellerBalance.objects.get(seller=approved.seller), "withdrawal": approved,
        "codremittance": CodRemittance.objects.get(),
    }[model]
    urls = [reverse(f"admin:finance_{model}_changelist"),
            reverse(f"admin:finance_{model}_change", args=[obj.pk])]
    if model not in ("sellerbalance", "codremittance"):  # remittances are added through the entry form
        urls.append(reverse(f"admin:finance_{model}_add"))
    if model in ("bankaccount", "withdrawal"):
        urls.append(reverse(f"admin:finance_{model}_history", args=[obj.pk]))
    for url in urls:
        assert admin_client_logged_in.get(url).status_code == 200, url


def test_bank_account_pages_never_show_the_full_number(admin_client_logged_in, seller):
    account = BankAccountFactory(seller=seller, account_number="8800123456789")
    changelist = admin_client_logged_in.get(reverse("admin:finance_bankaccount_changelist"))
    change = admin_client_logged_in.get(reverse("admin:finance_bankaccount_change", args=[account.pk]))
    for response in (changelist, change):
        assert "8800123456789" not in response.content.decode()
    assert "••••6789" in changelist.content.decode()


def test_staff_add_a_bank_account_by_typing_the_number(admin_client_logged_in, seller):
    url = reverse("admin:finance_bankaccount_add")
    data = form_data(admin_client_logged_in.get(url), seller=seller.pk, bank_code="mandiri",
                     new_account_number="123 000 456 7890", holder_name="Siti Aminah")
    response = admin_client_logged_in.post(url, data)
    assert response.status_code == 302
    account = BankAccount.objects.get(seller=seller)
    assert (account.account_number, account.account_number_last4) == ("1230004567890", "7890")
    assert account.is_default and not account.is_verified


def test_the_bank_account_form_refuses_a_bad_number_with_a_clear_message(admin_client_logged_in, seller):
    url = reverse("admin:finance_bankaccount_add")
    data = form_data(admin_client_logged_in.get(url), seller=seller.pk, bank_code="bca",
                     new_account_number="12-AB", holder_name="Siti")
    response = admin_client_logged_in.post(url, data)
    assert response.status_code == 200
    assert "5 to 20 digits" in response.context["adminform"].form.errors["new_account_number"][0]
    assert not BankAccount.objects.exists()


def test_changing_the_number_in_the_admin_unverifies_the_account(admin_client_logged_in, seller):
    account = BankAccountFactory(seller=seller, is_verified=True)
    url = reverse("admin:finance_bankaccount_change", args=[account.pk])
    response = admin_client_logged_in.post(url, form_data(admin_client_logged_in.get(url),
                                                          new_account_number="5550001112"))
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.account_number == "5550001112" and not account.is_verified and account.changed_at


def test_verify_action_succeeds_for_finance_and_is_hidden_from_others(client, seller, finance_user, approver):
    account = BankAccountFactory(seller=seller, is_verified=False)
    url = reverse("admin:finance_bankaccount_changelist")
    StaffAssignmentFactory(seller=seller, user=finance_user)
    client.force_login(finance_user)
    response = client.post(url, {"action": "verify", "_selected_action": [account.pk]}, follow=True)
    assert "Bank accounts verified: 1." in _messages(response)
    account.refresh_from_db()
    assert account.is_verified and account.verified_by == finance_user
    StaffAssignmentFactory(seller=seller, user=approver)
    client.force_login(approver)
    assert "verify" not in client.get(url).context["cl"].model_admin.get_actions(
        client.get(url).wsgi_request)


def test_ledger_adjustment_form_posts_through_the_ledger(admin_client_logged_in, funded_seller):
    url = reverse("admin:finance_ledgerentry_add")
    data = form_data(admin_client_logged_in.get(url), seller=funded_seller.pk, amount="-15000",
                     memo="Koreksi ongkir JNE")
    response = admin_client_logged_in.post(url, data)
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(entry_type="adjustment")
    assert entry.posting_key.startswith("adjustment:") and entry.amount == Decimal("-15000")
    assert SellerBalance.objects.get(seller=funded_seller).available == Decimal("985000")
    again = admin_client_logged_in.post(url, data)  # a double submit posts nothing twice
    assert again.status_code == 302
    assert LedgerEntry.objects.filter(entry_type="adjustment").count() == 1


def test_ledger_adjustment_below_zero_is_refused_on_the_form(admin_client_logged_in, funded_seller):
    url = reverse("admin:finance_ledgerentry_add")
    data = form_data(admin_client_logged_in.get(url), seller=funded_seller.pk, amount="-1000000.01", memo="x")
    response = admin_client_logged_in.post(url, data)
    assert response.status_code == 200
    assert "cannot go below zero" in str(response.context["adminform"].form.errors)
    assert not LedgerEntry.objects.filter(entry_type="adjustment").exists()


def test_ledger_changelist_filters_by_seller_and_searches_keys_without_distinct(admin_client_logged_in,
                                                                                funded_seller):
    other = SellerFactory()
    fund(other, "5000")
    url = reverse("admin:finance_ledgerentry_changelist")
    with CaptureQueriesContext(connection) as queries:
        response = admin_client_logged_in.get(url, {"seller__id__exact": funded_seller.pk})
    assert [e.seller_id for e in response.context["cl"].result_list] == [funded_seller.pk]
    ledger_sql = [q["sql"].upper() for q in queries.captured_queries if "ledgerentry" in q["sql"]]
    assert ledger_sql and not any("DISTINCT" in sql for sql in ledger_sql)
    key = LedgerEntry.objects.get(seller=other).posting_key
    found = admin_client_logged_in.get(url, {"q": key}).context["cl"].result_list
    assert [e.posting_key for e in found] == [key]


def test_reverse_action_posts_the_opposite_entry(admin_client_logged_in, funded_seller):
    entry = LedgerEntry.objects.get(seller=funded_seller)
    response = admin_client_logged_in.post(reverse("admin:finance_ledgerentry_changelist"),
                                           {"action": "reverse_entries", "_selected_action": [entry.pk]},
                                           follow=True)
    assert "Entries reversed: 1." in _messages(response)
    assert LedgerEntry.objects.filter(posting_key=f"reversal:{entry.pk}").exists()


def test_withdrawal_actions_report_success_and_refusals(admin_client_logged_in, withdrawal, funded_seller,
                                                        bank_account):
    url = reverse("admin:finance_withdrawal_changelist")
    response = admin_client_logged_in.post(url, {"action": "approve", "_selected_action": [withdrawal.pk]},
                                           follow=True)
    assert any("cannot go from “Requested” to “Approved”" in m for m in _messages(response))
    withdrawal.refresh_from_db()
    assert withdrawal.status == S.REQUESTED
    response = admin_client_logged_in.post(url, {"action": "review", "_selected_action": [withdrawal.pk]},
                                           follow=True)
    assert "Withdrawals put on review: 1." in _messages(response)
    response = admin_client_logged_in.post(url, {"action": "reject", "_selected_action": [withdrawal.pk]},
                                           follow=True)
    assert "Withdrawals rejected: 1." in _messages(response)
    assert SellerBalance.objects.get(seller=funded_seller).available == Decimal("1000000")


def test_finance_staff_do_not_get_the_approve_action(client, withdrawal, finance_user):
    StaffAssignmentFactory(seller=withdrawal.seller, user=finance_user)
    client.force_login(finance_user)
    response = client.get(reverse("admin:finance_withdrawal_changelist"))
    actions = response.context["cl"].model_admin.get_actions(response.wsgi_request)
    assert "review" in actions and "cancel" in actions
    assert "approve" not in actions and "reject" not in actions


def test_assigned_staff_see_only_their_sellers_withdrawals(client, withdrawal, finance_user):
    other_seller = SellerFactory()
    fund(other_seller, "100000")
    withdrawal_request(seller=other_seller, bank_account=BankAccountFactory(seller=other_seller),
                       amount=Decimal("1000"), acting_user=finance_user)
    StaffAssignmentFactory(seller=withdrawal.seller, user=finance_user)
    client.force_login(finance_user)
    response = client.get(reverse("admin:finance_withdrawal_changelist"))
    assert [w.pk for w in response.context["cl"].result_list] == [withdrawal.pk]


def test_withdrawal_add_form_requests_and_holds(admin_client_logged_in, funded_seller, bank_account):
    url = reverse("admin:finance_withdrawal_add")
    data = form_data(admin_client_logged_in.get(url), seller=funded_seller.pk, bank_account=bank_account.pk,
                     amount="100000")
    assert admin_client_logged_in.post(url, data).status_code == 302
    created = Withdrawal.objects.get()
    assert created.status == S.REQUESTED
    assert SellerBalance.objects.get(seller=funded_seller).held == Decimal("100000")


def test_withdrawal_add_form_refuses_more_than_the_balance(admin_client_logged_in, funded_seller,
                                                           bank_account):
    url = reverse("admin:finance_withdrawal_add")
    data = form_data(admin_client_logged_in.get(url), seller=funded_seller.pk, bank_account=bank_account.pk,
                     amount="2000000")
    response = admin_client_logged_in.post(url, data)
    assert response.status_code == 200
    assert "more than the available balance" in response.context["adminform"].form.errors["amount"][0]
    assert not Withdrawal.objects.exists()


def test_mark_paid_button_records_the_payout(client, approved, finance_user):
    StaffAssignmentFactory(seller=approved.seller, user=finance_user)
    client.force_login(finance_user)
    url = reverse("admin:finance_withdrawal_change", args=[approved.pk])
    page = client.get(url)
    assert PAY_BUTTON in page.content.decode()
    response = client.post(url, form_data(page, transfer_reference="BCA-123456", **{PAY_BUTTON: "1"}),
                           follow=True)
    approved.refresh_from_db()
    assert approved.status == S.COMPLETED and approved.transfer_reference == "BCA-123456"
    assert any("marked paid" in m for m in _messages(response))


def test_mark_paid_refuses_without_a_reference(client, approved, finance_user):
    client.force_login(finance_user)
    StaffAssignmentFactory(seller=approved.seller, user=finance_user)
    url = reverse("admin:finance_withdrawal_change", args=[approved.pk])
    response = client.post(url, form_data(client.get(url), **{PAY_BUTTON: "1"}))
    assert response.status_code == 200
    assert "transfer reference" in str(response.context["adminform"].form.errors)
    approved.refresh_from_db()
    assert approved.status == S.APPROVED


def test_mark_paid_refuses_the_approver_on_the_form(client, withdrawal, finance_user, django_user_model):
    both = user_in_role(django_user_model, "both", "Finance Approver")
    both.groups.add(*finance_user.groups.all())
    withdrawal_review(withdrawal=withdrawal, acting_user=finance_user)
    withdrawal_approve(withdrawal=withdrawal, acting_user=both)
    StaffAssignmentFactory(seller=withdrawal.seller, user=both)
    client.force_login(both)
    url = reverse("admin:finance_withdrawal_change", args=[withdrawal.pk])
    response = client.post(url, form_data(client.get(url), transfer_reference="TRF-1", **{PAY_BUTTON: "1"}))
    assert response.status_code == 200
    assert "maker-checker" in str(response.context["adminform"].form.errors)
    withdrawal.refresh_from_db()
    assert withdrawal.status == S.APPROVED and withdrawal.paid_by is None


def test_the_pay_button_is_not_offered_to_the_approver_role(client, approved, approver):
    StaffAssignmentFactory(seller=approved.seller, user=approver)
    client.force_login(approver)
    page = client.get(reverse("admin:finance_withdrawal_change", args=[approved.pk]))
    assert page.status_code == 200
    assert PAY_BUTTON not in page.content.decode()


def test_cod_remittances_are_added_through_the_entry_form(admin_client_logged_in):
    assert admin_client_logged_in.get(reverse("admin:finance_codremittance_add")).status_code == 403
    button = reverse("admin:finance_codremittance_changelist") + "open-entry/"
    assert button in admin_client_logged_in.get(reverse("admin:finance_codremittance_changelist")).content.decode()
    response = admin_client_logged_in.get(button)
    assert response["Location"] == reverse("admin:finance_codremittance_entry")


def test_a_late_refusal_by_the_service_is_shown_and_nothing_is_logged(admin_client_logged_in, funded_seller,
                                                                       monkeypatch):
    from django.contrib.admin.models import LogEntry

    import finance.admin
    from finance.services import InsufficientBalance

    def refuse(**kwargs):
        raise InsufficientBalance("The available balance changed meanwhile.")

    monkeypatch.setattr(finance.admin, "ledger_adjust", refuse)
    url = reverse("admin:finance_ledgerentry_add")
    data = form_data(admin_client_logged_in.get(url), seller=funded_seller.pk, amount="-1000", memo="x")
    response = admin_client_logged_in.post(url, data, follow=True)
    assert "The available balance changed meanwhile." in _messages(response)
    assert response.redirect_chain[-1][0] == url
    assert not LedgerEntry.objects.filter(entry_type="adjustment").exists()
    assert not LogEntry.objects.exists()
