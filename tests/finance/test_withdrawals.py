from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from common.exceptions import TransitionNotAllowed
from finance.models import LedgerEntry, SellerBalance, Withdrawal, WithdrawalEvent
from finance.services import (
    WITHDRAWAL_TRANSITIONS,
    BankAccountCoolingOff,
    InsufficientBalance,
    MakerCheckerViolation,
    WithdrawalInvalid,
    WithdrawalPermissionDenied,
    withdrawal_approve,
    withdrawal_cancel,
    withdrawal_pay,
    withdrawal_reject,
    withdrawal_request,
    withdrawal_review,
)
from tests.conftest import user_in_role
from tests.factories import BankAccountFactory, SellerFactory, SellerUserFactory

pytestmark = pytest.mark.django_db
S = Withdrawal.Status


def _balance(seller):
    balance = SellerBalance.objects.get(seller=seller)
    return balance.available, balance.held


def _request(seller, bank_account, user, amount="250000"):
    return withdrawal_request(seller=seller, bank_account=bank_account, amount=Decimal(amount),
                              acting_user=user)


@pytest.fixture
def make_withdrawal(funded_seller, bank_account, finance_user, approver):
    """A withdrawal brought to `status` through the services, as staff would."""

    def make(status):
        withdrawal = _request(funded_seller, bank_account, finance_user)
        path = {
            S.REQUESTED: [], S.ON_REVIEW: ["review"], S.APPROVED: ["review", "approve"],
            S.COMPLETED: ["review", "approve", "pay"], S.REJECTED: ["reject"], S.CANCELED: ["cancel"],
        }[status]
        for step in path:
            _do(step, withdrawal, finance_user=finance_user, approver=approver)
        withdrawal.refresh_from_db()
        assert withdrawal.status == status
        return withdrawal

    return make


def _do(step, withdrawal, *, finance_user, approver):
    if step == "review":
        return withdrawal_review(withdrawal=withdrawal, acting_user=finance_user)
    if step == "approve":
        return withdrawal_approve(withdrawal=withdrawal, acting_user=approver)
    if step == "pay":
        return withdrawal_pay(withdrawal=withdrawal, acting_user=finance_user, transfer_reference="BCA-TRF-1")
    if step == "reject":
        return withdrawal_reject(withdrawal=withdrawal, acting_user=approver)
    return withdrawal_cancel(withdrawal=withdrawal, acting_user=finance_user)


STEP_TARGET = {"review": S.ON_REVIEW, "approve": S.APPROVED, "pay": S.COMPLETED, "reject": S.REJECTED,
               "cancel": S.CANCELED}
ALLOWED = [(src, step) for src in S.values for step, dst in STEP_TARGET.items()
           if dst in WITHDRAWAL_TRANSITIONS[src]]
REFUSED = [(src, step) for src in S.values for step, dst in STEP_TARGET.items()
           if dst not in WITHDRAWAL_TRANSITIONS[src]]


def test_the_transition_table_is_the_documented_one():
    assert sorted(ALLOWED) == sorted([
        ("requested", "review"), ("requested", "reject"), ("requested", "cancel"),
        ("on_review", "approve"), ("on_review", "reject"), ("on_review", "cancel"), ("approved", "pay"),
    ])


@pytest.mark.parametrize(("source", "step"), ALLOWED)
def test_every_allowed_withdrawal_transition_moves_and_writes_an_event(
    make_withdrawal, finance_user, approver, source, step,
):
    withdrawal = make_withdrawal(source)
    events_before = withdrawal.events.count()
    _do(step, withdrawal, finance_user=finance_user, approver=approver)
    withdrawal.refresh_from_db()
    assert withdrawal.status == STEP_TARGET[step]
    event = withdrawal.events.order_by("-id").first()
    assert withdrawal.events.count() == events_before + 1
    assert (event.from_status, event.to_status) == (source, STEP_TARGET[step])
    assert event.actor in (finance_user, approver)


@pytest.mark.parametrize(("source", "step"), REFUSED)
def test_every_refused_withdrawal_transition_changes_nothing(
    make_withdrawal, finance_user, approver, source, step,
):
    withdrawal = make_withdrawal(source)
    events_before, entries_before = withdrawal.events.count(), LedgerEntry.objects.count()
    balance_before = _balance(withdrawal.seller)
    with pytest.raises(TransitionNotAllowed):
        _do(step, withdrawal, finance_user=finance_user, approver=approver)
    withdrawal.refresh_from_db()
    assert withdrawal.status == source
    assert withdrawal.events.count() == events_before
    assert LedgerEntry.objects.count() == entries_before
    assert _balance(withdrawal.seller) == balance_before


def test_requesting_holds_the_amount_on_the_ledger(funded_seller, bank_account, finance_user):
    withdrawal = _request(funded_seller, bank_account, finance_user, amount="250000")
    assert _balance(funded_seller) == (Decimal("750000"), Decimal("250000"))
    hold = LedgerEntry.objects.get(posting_key=f"withdrawal:{withdrawal.pk}:hold")
    assert (hold.entry_type, hold.amount, hold.held_amount) == ("withdrawal_hold", Decimal("-250000"),
                                                                Decimal("250000"))
    event = WithdrawalEvent.objects.get(withdrawal=withdrawal)
    assert (event.from_status, event.to_status, event.actor) == ("", "requested", finance_user)
    assert withdrawal.requested_by == finance_user and not withdrawal.possible_duplicate


def test_paying_moves_the_hold_out_and_records_the_payer(make_withdrawal, finance_user):
    withdrawal = make_withdrawal(S.APPROVED)
    proof = SimpleUploadedFile("bukti.pdf", b"%PDF-1.4 bukti transfer", content_type="application/pdf")
    withdrawal_pay(withdrawal=withdrawal, acting_user=finance_user, transfer_reference=" TRF-889 ",
                   transfer_proof=proof)
    withdrawal.refresh_from_db()
    assert withdrawal.status == S.COMPLETED and withdrawal.paid_by == finance_user and withdrawal.paid_at
    assert withdrawal.transfer_reference == "TRF-889"
    assert withdrawal.transfer_proof.name.endswith(".pdf")
    payout = LedgerEntry.objects.get(posting_key=f"withdrawal:{withdrawal.pk}:payout")
    assert (payout.entry_type, payout.amount, payout.held_amount) == ("withdrawal", 0, Decimal("-250000"))
    assert _balance(withdrawal.seller) == (Decimal("750000"), Decimal("0"))


@pytest.mark.parametrize("step", ["reject", "cancel"])
def test_rejecting_or_canceling_releases_the_hold(make_withdrawal, finance_user, approver, step):
    withdrawal = make_withdrawal(S.ON_REVIEW)
    _do(step, withdrawal, finance_user=finance_user, approver=approver)
    release = LedgerEntry.objects.get(posting_key=f"withdrawal:{withdrawal.pk}:release")
    assert (release.amount, release.held_amount) == (Decimal("250000"), Decimal("-250000"))
    assert _balance(withdrawal.seller) == (Decimal("1000000"), Decimal("0"))


@pytest.mark.parametrize("amount", ["0", "-1000"])
def test_a_non_positive_withdrawal_is_refused_and_nothing_changes(funded_seller, bank_account, finance_user,
                                                                 amount):
    with pytest.raises(WithdrawalInvalid, match="more than Rp 0"):
        _request(funded_seller, bank_account, finance_user, amount=amount)
    assert not Withdrawal.objects.exists()
    assert _balance(funded_seller) == (Decimal("1000000"), Decimal("0"))


def test_a_withdrawal_over_the_available_balance_is_refused_and_nothing_changes(funded_seller, bank_account,
                                                                                finance_user):
    with pytest.raises(InsufficientBalance, match="more than the available balance"):
        _request(funded_seller, bank_account, finance_user, amount="1000000.01")
    assert not Withdrawal.objects.exists()
    assert LedgerEntry.objects.filter(entry_type="withdrawal_hold").count() == 0
    assert _balance(funded_seller) == (Decimal("1000000"), Decimal("0"))


@pytest.mark.parametrize("problem", ["other_seller", "unverified", "inactive"])
def test_a_withdrawal_to_an_unusable_bank_account_is_refused(funded_seller, finance_user, problem):
    account = {
        "other_seller": lambda: BankAccountFactory(seller=SellerFactory()),
        "unverified": lambda: BankAccountFactory(seller=funded_seller, is_verified=False),
        "inactive": lambda: BankAccountFactory(seller=funded_seller, is_active=False),
    }[problem]()
    with pytest.raises(WithdrawalInvalid, match="bank account"):
        _request(funded_seller, account, finance_user)
    assert not Withdrawal.objects.exists()


def test_staff_without_the_permission_cannot_request(funded_seller, bank_account, cs_user):
    with pytest.raises(WithdrawalPermissionDenied):
        _request(funded_seller, bank_account, cs_user)
    assert not Withdrawal.objects.exists()


def test_a_seller_user_may_request_and_cancel_for_their_own_seller_only(funded_seller, bank_account):
    own = SellerUserFactory(seller=funded_seller).user
    stranger = SellerUserFactory().user
    withdrawal = withdrawal_request(seller=funded_seller, bank_account=bank_account, amount=Decimal("1000"),
                                    acting_user=own, source="api")
    with pytest.raises(WithdrawalPermissionDenied):
        withdrawal_cancel(withdrawal=withdrawal, acting_user=stranger, source="api")
    withdrawal_cancel(withdrawal=withdrawal, acting_user=own, source="api")
    assert withdrawal.status == S.CANCELED


def test_the_same_seller_amount_and_account_on_the_same_wib_day_is_flagged(funded_seller, bank_account,
                                                                            finance_user):
    first = _request(funded_seller, bank_account, finance_user, amount="100000")
    different = _request(funded_seller, bank_account, finance_user, amount="100001")
    same = _request(funded_seller, bank_account, finance_user, amount="100000")
    assert (first.possible_duplicate, different.possible_duplicate, same.possible_duplicate) == (
        False, False, True)


def test_a_same_amount_request_from_the_previous_wib_day_is_not_a_duplicate(funded_seller, bank_account,
                                                                               finance_user):
    earlier = _request(funded_seller, bank_account, finance_user, amount="100000")
    Withdrawal.objects.filter(pk=earlier.pk).update(created_at=timezone.now() - timedelta(days=1, hours=1))
    assert not _request(funded_seller, bank_account, finance_user, amount="100000").possible_duplicate


@pytest.mark.parametrize(("step", "who"), [("review", "cs_user"), ("approve", "finance_user"),
                                           ("reject", "finance_user"), ("pay", "approver"),
                                           ("cancel", "cs_user")])
def test_staff_without_the_permission_are_refused_and_nothing_changes(make_withdrawal, request, step, who):
    source = S.APPROVED if step == "pay" else (S.ON_REVIEW if step == "approve" else S.REQUESTED)
    withdrawal = make_withdrawal(source)
    user = request.getfixturevalue(who)
    with pytest.raises(WithdrawalPermissionDenied, match="permission"):
        _do(step, withdrawal, finance_user=user, approver=user)
    withdrawal.refresh_from_db()
    assert withdrawal.status == source


def test_the_approver_cannot_pay_the_withdrawal_they_approved(make_withdrawal, django_user_model):
    both = user_in_role(django_user_model, "both", "Finance")
    both.groups.add(*user_in_role(django_user_model, "tmp", "Finance Approver").groups.all())
    both = django_user_model.objects.get(pk=both.pk)
    withdrawal = make_withdrawal(S.ON_REVIEW)
    withdrawal_approve(withdrawal=withdrawal, acting_user=both)
    with pytest.raises(MakerCheckerViolation, match="maker-checker"):
        withdrawal_pay(withdrawal=withdrawal, acting_user=both, transfer_reference="TRF-1")
    withdrawal.refresh_from_db()
    assert withdrawal.status == S.APPROVED and withdrawal.paid_by is None
    assert not LedgerEntry.objects.filter(posting_key=f"withdrawal:{withdrawal.pk}:payout").exists()


def test_a_recently_changed_bank_account_cannot_be_paid_to(make_withdrawal, finance_user, settings):
    settings.WITHDRAWAL_BANK_COOLING_OFF_HOURS = 24
    withdrawal = make_withdrawal(S.APPROVED)
    withdrawal.bank_account.changed_at = timezone.now() - timedelta(hours=23)
    withdrawal.bank_account.save(update_fields=["changed_at"])
    with pytest.raises(BankAccountCoolingOff, match="changed recently"):
        withdrawal_pay(withdrawal=withdrawal, acting_user=finance_user, transfer_reference="TRF-1")
    withdrawal.refresh_from_db()
    assert withdrawal.status == S.APPROVED
    withdrawal.bank_account.changed_at = timezone.now() - timedelta(hours=25)
    withdrawal.bank_account.save(update_fields=["changed_at"])
    withdrawal_pay(withdrawal=withdrawal, acting_user=finance_user, transfer_reference="TRF-1")
    assert withdrawal.status == S.COMPLETED


def test_paying_needs_a_transfer_reference(make_withdrawal, finance_user):
    withdrawal = make_withdrawal(S.APPROVED)
    with pytest.raises(WithdrawalInvalid, match="transfer reference"):
        withdrawal_pay(withdrawal=withdrawal, acting_user=finance_user, transfer_reference="  ")
    withdrawal.refresh_from_db()
    assert withdrawal.status == S.APPROVED


def test_a_second_payout_of_the_same_withdrawal_is_refused(make_withdrawal, finance_user):
    withdrawal = make_withdrawal(S.COMPLETED)
    with pytest.raises(TransitionNotAllowed):
        withdrawal_pay(withdrawal=withdrawal, acting_user=finance_user, transfer_reference="TRF-2")
    assert LedgerEntry.objects.filter(entry_type="withdrawal").count() == 1


def test_holds_and_payouts_keep_the_ledger_invariant(make_withdrawal):
    for status in (S.COMPLETED, S.REJECTED, S.APPROVED, S.CANCELED):
        make_withdrawal(status)
    seller = Withdrawal.objects.first().seller
    available, held = _balance(seller)
    entries = LedgerEntry.objects.filter(seller=seller)
    assert available == sum(e.amount for e in entries) == Decimal("500000")
    assert held == sum(e.held_amount for e in entries) == Decimal("250000")
