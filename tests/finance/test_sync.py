"""Withdrawals and balances against the Komship and Ngorder sandboxes over real HTTP (live_server)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from finance.models import LedgerEntry, PlatformBalance, PlatformTransaction, Withdrawal
from finance.selectors import seller_balance_get
from finance.services import (
    withdrawal_approve,
    withdrawal_pay,
    withdrawal_reject,
    withdrawal_request,
    withdrawal_review,
)
from finance.sync import bank_code_for
from integrations.models import PlatformAccount, SyncRun
from integrations.registry import adapter_for
from integrations.sandbox_kit import FaultPlan
from integrations.syncing import SyncRequest, kinds_for, sync_run_execute
from tests.conftest import user_in_role
from tests.factories import BankAccountFactory, SellerFactory
from tests.finance.conftest import fund
from tests.integrations.engine_support import reset_sandbox, sandbox_account

pytestmark = pytest.mark.django_db(transaction=True)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
FAST_RETRIES = {"INTEGRATIONS_HTTP_TIMEOUT": (2.0, 0.5), "INTEGRATIONS_HTTP_MAX_ATTEMPTS": 12,
                "INTEGRATIONS_HTTP_BACKOFF_BASE": 0.01, "INTEGRATIONS_HTTP_BACKOFF_CAP": 0.05}


@pytest.fixture
def staff(django_user_model):
    return (user_in_role(django_user_model, "appr", "Finance Approver"),
            user_in_role(django_user_model, "payer", "Finance"))


@pytest.fixture
def komship(live_server):
    sandbox = reset_sandbox("komship", orders=3)
    account = sandbox_account("komship", live_server.url)
    fund(account.seller, "50000000")
    other_seller = SellerFactory()
    fund(other_seller, "50000000")
    PlatformAccount.objects.create(platform="komship", name="other partner", seller=other_seller,
                                   base_url=account.base_url, credentials=account.credentials,
                                   external_account_id="10022")
    return sandbox, account


def _run(account, kind):
    until = timezone.now() + timedelta(minutes=5)
    return sync_run_execute(account=account, kind=kind, request=SyncRequest(since=until - timedelta(days=60),
                                                                            until=until))


def _sandbox_rows(sandbox, **where):
    with sandbox.lock:
        rows = list(sandbox.fin()["withdrawals"].values())
    return [r for r in rows if all(r[k] == v for k, v in where.items())]


def test_sync_all_includes_finance_kinds(komship):
    _, account = komship
    assert {"withdrawals", "balances"} <= set(kinds_for(account, "all"))
    assert kinds_for(account, "withdrawals") == (SyncRun.Kind.WITHDRAWALS,)


def test_pull_mirrors_open_withdrawals_once_and_holds_them(komship):
    sandbox, account = komship
    new = sandbox.add_withdrawal(nominal=300000, fullname="Budi Santoso", bank_name="Bank Central Asia",
                                 account_no="9876543210")
    run = _run(account, SyncRun.Kind.WITHDRAWALS)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    open_rows = [r for r in _sandbox_rows(sandbox) if r["status"] in ("requested", "on_review")]
    mirrors = Withdrawal.objects.filter(account=account)
    assert sorted(mirrors.values_list("external_id", flat=True)) == sorted(str(r["withdrawal_id"])
                                                                             for r in open_rows)
    mirror = mirrors.get(external_id=str(new["withdrawal_id"]))
    assert (mirror.amount, mirror.status, mirror.seller_id) == (Decimal("300000"), "requested", account.seller_id)
    assert (mirror.bank_account.bank_code, mirror.bank_account.account_number) == ("bca", "9876543210")
    assert not mirror.bank_account.is_verified  # pulled accounts still need verifying before a payout
    held = sum(m.amount for m in mirrors.filter(seller=account.seller))
    assert seller_balance_get(seller=account.seller).held == held
    again = _run(account, SyncRun.Kind.WITHDRAWALS)
    assert again.created == 0 and mirrors.count() == len(open_rows)
    # the status and date filters of the admin list
    adapter = adapter_for(account, rate_limited=False)
    until = timezone.now() + timedelta(minutes=5)
    listed = [w for page in adapter.iter_withdrawal_pages(since=until - timedelta(days=60), until=until,
                                                          status="completed") for w in page.withdrawals]
    assert {w.status for w in listed} <= {"completed"}
    assert len(listed) == len(_sandbox_rows(sandbox, status="completed"))
    recent = [w for page in adapter.iter_withdrawal_pages(since=until - timedelta(days=1), until=until)
              for w in page.withdrawals]
    assert str(new["withdrawal_id"]) in {w.external_id for w in recent}
    assert all(w.requested_at >= until - timedelta(days=2) for w in recent)
    assert adapter.get_withdrawal(str(new["withdrawal_id"])).amount == Decimal("300000")


def test_push_review_completion_and_rejection(komship, staff):
    sandbox, account = komship
    approver, payer = staff
    paid = sandbox.add_withdrawal(nominal=200000, account_no="1111222233")
    refused = sandbox.add_withdrawal(nominal=150000, account_no="1111222233")
    _run(account, SyncRun.Kind.WITHDRAWALS)
    to_pay = Withdrawal.objects.get(account=account, external_id=str(paid["withdrawal_id"]))
    to_refuse = Withdrawal.objects.get(account=account, external_id=str(refused["withdrawal_id"]))
    to_pay.bank_account.is_verified = True
    to_pay.bank_account.save()
    withdrawal_review(withdrawal=to_pay, acting_user=approver)
    withdrawal_approve(withdrawal=to_pay, acting_user=approver)
    withdrawal_pay(withdrawal=to_pay, acting_user=payer, transfer_reference="BCA-778899",
                   transfer_proof=SimpleUploadedFile("bukti.png", PNG))
    withdrawal_reject(withdrawal=to_refuse, acting_user=approver, note="Nama pemilik rekening tidak cocok")
    run = _run(account, SyncRun.Kind.WITHDRAWALS)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    row_paid = _sandbox_rows(sandbox, withdrawal_id=paid["withdrawal_id"])[0]
    row_refused = _sandbox_rows(sandbox, withdrawal_id=refused["withdrawal_id"])[0]
    assert row_paid["status"] == "completed" and row_paid["transfer_proof"].endswith(".png")
    assert (row_refused["status"], row_refused["notes"]) == ("rejected", "Nama pemilik rekening tidak cocok")
    assert Withdrawal.objects.get(pk=to_pay.pk).platform_status == "completed"
    before = _sandbox_rows(sandbox, withdrawal_id=paid["withdrawal_id"])[0]["updated_at"]
    _run(account, SyncRun.Kind.WITHDRAWALS)  # nothing left to push
    assert _sandbox_rows(sandbox, withdrawal_id=paid["withdrawal_id"])[0]["updated_at"] == before
    # a cancel made on the platform is followed here and the hold released
    row = sandbox.add_withdrawal(nominal=400000)
    _run(account, SyncRun.Kind.WITHDRAWALS)
    mirror = Withdrawal.objects.get(account=account, external_id=str(row["withdrawal_id"]))
    held_before = seller_balance_get(seller=account.seller).held
    with sandbox.lock:
        sandbox.fin()["withdrawals"][row["withdrawal_id"]]["status"] = "canceled"
    _run(account, SyncRun.Kind.WITHDRAWALS)
    mirror.refresh_from_db()
    assert (mirror.status, mirror.platform_status) == ("canceled", "canceled")
    assert seller_balance_get(seller=account.seller).held == held_before - Decimal("400000")
    assert LedgerEntry.objects.filter(posting_key=f"withdrawal:{mirror.pk}:release").count() == 1


@override_settings(**FAST_RETRIES)
def test_withdrawal_sync_under_faults_mirrors_exactly_once(komship):
    sandbox, account = komship
    for _ in range(5):
        sandbox.add_withdrawal(nominal=100000)
    sandbox.set_faults(FaultPlan(error_rate=0.3, kinds=("500", "429"), retry_after=0, seed=3))
    run = _run(account, SyncRun.Kind.WITHDRAWALS)
    _run(account, SyncRun.Kind.WITHDRAWALS)
    sandbox.set_faults(FaultPlan(error_rate=0.0))
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    open_ids = {str(r["withdrawal_id"]) for r in _sandbox_rows(sandbox) if r["status"] in ("requested", "on_review")}
    assert set(Withdrawal.objects.filter(account=account).values_list("external_id", flat=True)) == open_ids
    holds = LedgerEntry.objects.filter(entry_type="withdrawal_hold", posting_key__startswith="withdrawal:")
    assert holds.count() == len(open_ids)
    assert sandbox.stats["faults"] > 0


def test_komship_balances_and_transactions(komship):
    sandbox, account = komship
    run = _run(account, SyncRun.Kind.BALANCES)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    with sandbox.lock:
        state = sandbox.fin()
        expected_balance, rows = state["balance"], list(state["transactions"])
    balance = PlatformBalance.objects.get(account=account)
    assert balance.available == Decimal(expected_balance) and balance.seller_id == account.seller_id
    assert PlatformTransaction.objects.filter(account=account).count() == len(rows)
    by_type = dict(PlatformTransaction.objects.filter(account=account).values_list("external_id", "entry_type"))
    for row in rows:
        assert by_type[str(row["transaction_id"])] == {1: "cod_credit", 2: "shipping_fee", 4: "withdrawal",
                                                        6: "rts_charge", 8: "compensation", 11: "reversal"}.get(
            row["transaction_type"], by_type[str(row["transaction_id"])])
    total = sum(PlatformTransaction.objects.filter(account=account).values_list("amount", flat=True))
    assert total == Decimal(expected_balance)
    again = _run(account, SyncRun.Kind.BALANCES)
    assert again.created == 0 and PlatformTransaction.objects.filter(account=account).count() == len(rows)


def test_ngorder_balance_and_withdraw_push_once(live_server, staff):
    approver, payer = staff
    sandbox = reset_sandbox("ngorder", orders=3)
    account = sandbox_account("ngorder", live_server.url)
    fund(account.seller, "5000000")
    run = _run(account, SyncRun.Kind.BALANCES)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    with sandbox.lock:
        allowed = sandbox.fin_balance()["withdrawal_allowed"]
    assert PlatformBalance.objects.get(account=account).available == Decimal(allowed)
    bank = BankAccountFactory(seller=account.seller, bank_code="mandiri", account_number="1300012345678")
    withdrawal = withdrawal_request(seller=account.seller, bank_account=bank, amount="250000",
                                    acting_user=payer, account=account)
    withdrawal_review(withdrawal=withdrawal, acting_user=approver)
    withdrawal_approve(withdrawal=withdrawal, acting_user=approver)
    for _ in range(2):
        run = _run(account, SyncRun.Kind.WITHDRAWALS)
        assert run.status == SyncRun.Status.SUCCEEDED, run.error
    with sandbox.lock:
        sent = list(sandbox.fin()["withdrawals"])
    assert sent == [{"xendit_bank_id": 4, "nominal": 250000, "holder_name": "Budi Santoso",
                     "account_number": 1300012345678, "fee": 45000}]
    assert Withdrawal.objects.get(pk=withdrawal.pk).platform_status == "requested"


@pytest.mark.parametrize(("name", "code"), [("BCA", "bca"), ("Bank Central Asia", "bca"), ("MANDIRI", "mandiri"),
                                            ("Bank Rakyat Indonesia", "bri"), ("Bank Antah", "other")])
def test_bank_code_for(name, code):
    assert bank_code_for(name) == code
