"""Komship's transaction types 1–11 onto our ledger types, and payouts refused for a bad transfer proof."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from finance.models import LedgerEntry, Withdrawal
from finance.selectors import seller_balance_get
from finance.services import (
    TransferProofInvalid,
    withdrawal_approve,
    withdrawal_pay,
    withdrawal_request,
    withdrawal_review,
)
from integrations.exceptions import ProviderContractChanged
from integrations.komship import mappers


@pytest.mark.parametrize(("code", "entry_type"), [
    (1, "cod_credit"), (2, "shipping_fee"), (3, "shipping_fee_refund"), (4, "withdrawal"), (5, "top_up"),
    (6, "rts_charge"), (7, "claim_payout"), (8, "compensation"), (9, "compensation"), (10, "adjustment"),
    (11, "reversal"),
])
def test_every_komship_transaction_type_maps_onto_a_ledger_type(code, entry_type):
    row = {"transaction_id": 700001, "transaction_type": code, "amount": "-18000", "description": "x",
           "created_at": "2026-11-20 10:00:00"}
    mapped = mappers.transaction_from_row(row)
    assert (mapped.entry_type, mapped.platform_type, mapped.amount) == (entry_type, str(code), Decimal("-18000"))
    assert entry_type in LedgerEntry.Type.values


def test_an_unknown_transaction_type_is_a_contract_change():
    with pytest.raises(ProviderContractChanged):
        mappers.transaction_from_row({"transaction_id": 1, "transaction_type": 12, "amount": "1"})


def test_description_words_map_without_a_code():
    assert mappers.transaction_from_row({"id": 5, "description": "orderku_ongkir", "amount": "-9000"}).entry_type \
        == "shipping_fee"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content", "why"), [
    ("bukti.exe", b"MZ\x90\x00" + b"\x00" * 40, "is not an image"),
    ("bukti.pdf", b"%PDF-" + b"0" * (6 * 1024 * 1024), "at most"),
])
def test_payout_with_a_bad_transfer_proof_is_refused_and_nothing_changes(funded_seller, bank_account, finance_user,
                                                                          approver, name, content, why):
    withdrawal = withdrawal_request(seller=funded_seller, bank_account=bank_account, amount="100000",
                                    acting_user=finance_user)
    withdrawal_review(withdrawal=withdrawal, acting_user=finance_user)
    withdrawal_approve(withdrawal=withdrawal, acting_user=approver)
    before = seller_balance_get(seller=funded_seller).held
    with pytest.raises(TransferProofInvalid, match=why):
        withdrawal_pay(withdrawal=withdrawal, acting_user=finance_user, transfer_reference="BCA-1",
                       transfer_proof=SimpleUploadedFile(name, content))
    assert Withdrawal.objects.get(pk=withdrawal.pk).status == "approved"
    assert seller_balance_get(seller=funded_seller).held == before
    assert not LedgerEntry.objects.filter(entry_type="withdrawal").exists()
