import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from finance.models import LedgerEntry
from finance.postings import ledger_catch_up
from finance.selectors import ledger_totals, seller_balance_get
from finance.services import TransferProofInvalid, bank_account_holder_warning, transfer_proof_validate
from logistics.services import claim_transition, return_record, shipment_transition
from tests.factories import BankAccountFactory, ClaimFactory, ShipmentFactory
from tests.finance.conftest import fund

pytestmark = pytest.mark.django_db


def _keys(seller):
    return dict(LedgerEntry.objects.filter(seller=seller).values_list("posting_key", "amount"))


def test_cod_delivery_credits_cod_and_nets_fee_once(seller):
    shipment = ShipmentFactory(order__seller=seller, status="in_transit", cod_amount=Decimal("193000"),
                               shipping_fee=Decimal("18000"))
    shipment_transition(shipment=shipment, to_status="delivered")
    assert _keys(seller) == {f"shipment:{shipment.pk}:cod": Decimal("193000"),
                             f"shipment:{shipment.pk}:fee": Decimal("-18000")}
    assert ledger_catch_up(seller=seller) == {"posted": 0, "deferred": 0}
    assert seller_balance_get(seller=seller).available == Decimal("175000")


def test_non_cod_fee_at_pickup_deferred_then_caught_up(seller):
    shipment = ShipmentFactory(order__seller=seller, status="awb_created", cod_amount=0,
                               shipping_fee=Decimal("20000"))
    shipment_transition(shipment=shipment, to_status="picked_up")  # no balance: deferred, not negative
    assert _keys(seller) == {}
    assert ledger_catch_up(seller=seller) == {"posted": 0, "deferred": 1}
    fund(seller, "50000")
    assert ledger_catch_up(seller=seller) == {"posted": 1, "deferred": 0}
    assert seller_balance_get(seller=seller).available == Decimal("30000")
    shipment.refresh_from_db()


def test_return_charge_and_claim_payout_post_once(seller):
    fund(seller, "100000")
    shipment = ShipmentFactory(order__seller=seller, status="in_transit", cod_amount=0)
    ret = return_record(order=shipment.order, shipment=shipment, rts_fee="12000")
    claim = ClaimFactory(seller=seller, order=shipment.order, amount=Decimal("150000"))
    claim_transition(claim=claim, to_status="accepted")
    keys = _keys(seller)
    assert keys[f"return:{ret.pk}:rts_charge"] == Decimal("-12000")
    assert keys[f"claim:{claim.pk}:payout"] == Decimal("150000")
    assert LedgerEntry.objects.get(posting_key=f"claim:{claim.pk}:payout").entry_type == "compensation"
    assert ledger_catch_up(seller=seller) == {"posted": 0, "deferred": 0}
    assert ledger_totals(seller=seller)["available"] == Decimal("238000")


@pytest.mark.parametrize(("content", "name", "ok"), [
    (b"%PDF-1.4 proof", "bukti.pdf", True),
    (b"\x89PNG\r\n\x1a\n" + b"0" * 20, "bukti.png", True),
    (b"\xff\xd8\xff\xe0" + b"0" * 20, "bukti.jpg", True),
    (b"MZ\x90\x00 not an image", "bukti.pdf", False),
    (b"<html>", "bukti.png", False),
    (b"", "empty.pdf", False),
])
def test_transfer_proof_type(content, name, ok):
    upload = SimpleUploadedFile(name, content)
    if ok:
        assert transfer_proof_validate(upload)
    else:
        with pytest.raises(TransferProofInvalid):
            transfer_proof_validate(upload)


def test_transfer_proof_size_limit(settings):
    settings.WITHDRAWAL_PROOF_MAX_BYTES = 1000
    with pytest.raises(TransferProofInvalid, match="at most"):
        transfer_proof_validate(io.BytesIO(b"%PDF-" + b"0" * 2000))


def test_holder_name_warning(seller):
    seller.name, seller.contact_name = "Toko Budi Jaya", ""
    seller.save()
    assert bank_account_holder_warning(bank_account=BankAccountFactory(seller=seller, holder_name="BUDI S")) == ""
    warning = bank_account_holder_warning(bank_account=BankAccountFactory(seller=seller, holder_name="Rina Wati"))
    assert "does not match" in warning


def test_fee_refund_only_after_fee_and_once(seller):
    from finance.postings import shipping_fee_refund_post

    fund(seller, "50000")
    shipment = ShipmentFactory(order__seller=seller, status="awb_created", cod_amount=0,
                               shipping_fee=Decimal("20000"))
    assert shipping_fee_refund_post(shipment=shipment) is None  # nothing charged, nothing refunded
    shipment_transition(shipment=shipment, to_status="picked_up")
    assert seller_balance_get(seller=seller).available == Decimal("30000")
    shipping_fee_refund_post(shipment=shipment)
    shipping_fee_refund_post(shipment=shipment)
    assert seller_balance_get(seller=seller).available == Decimal("50000")
