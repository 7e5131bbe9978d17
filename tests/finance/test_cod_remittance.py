import datetime as dt
from decimal import Decimal

import pytest

from finance.models import CodRemittance, CodRemittanceLine, LedgerEntry
from finance.postings import cod_credit_post
from finance.selectors import ledger_totals, seller_balance_get
from finance.services import CodRemittanceInvalid, cod_remittance_create, cod_remittance_match
from tests.factories import ShipmentFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def shipments(seller):
    return [ShipmentFactory(order__seller=seller, cod_amount=Decimal("100000"), shipping_fee=Decimal("10000"),
                            status="delivered") for _ in range(4)]


def test_create_and_match_posts_each_cod_once(seller, shipments, finance_user):
    a, b, c, _d = shipments
    remittance = cod_remittance_create(
        reference="JNE-2026-11-20", remitted_on=TODAY, acting_user=finance_user,
        lines=[{"awb": a.awb, "amount": "100000", "row": 2}, {"awb": b.awb, "amount": 90000, "row": 3},
               {"awb": c.awb.lower(), "amount": Decimal("120000"), "row": 4}],
    )
    assert remittance.total_amount == Decimal("310000")
    cod_remittance_match(remittance=remittance, acting_user=finance_user)
    matches = dict(remittance.lines.values_list("awb", "match"))
    assert matches == {a.awb: "matched", b.awb: "short", c.awb: "over"}
    # three COD credits of 100 000 and three fees of 10 000 netted from them
    assert seller_balance_get(seller=seller).available == Decimal("270000")
    cod_remittance_match(remittance=remittance, acting_user=finance_user)  # again: nothing twice
    assert LedgerEntry.objects.filter(entry_type="cod_credit").count() == 3
    totals = ledger_totals(seller=seller)
    assert totals["available"] == seller_balance_get(seller=seller).available


def test_delivery_credit_and_remittance_credit_share_one_key(seller, shipments, finance_user):
    a = shipments[0]
    cod_credit_post(shipment=a)
    remittance = cod_remittance_create(reference="R1", remitted_on=TODAY, acting_user=finance_user,
                                       lines=[{"awb": a.awb, "amount": "100000", "row": 2}])
    cod_remittance_match(remittance=remittance, acting_user=finance_user)
    assert LedgerEntry.objects.filter(posting_key=f"shipment:{a.pk}:cod").count() == 1
    assert seller_balance_get(seller=seller).available == Decimal("90000")


def test_second_remittance_of_same_parcel_is_over_and_not_posted(seller, shipments, finance_user):
    a = shipments[0]
    for ref in ("R1", "R2"):
        r = cod_remittance_create(reference=ref, remitted_on=TODAY, acting_user=finance_user,
                                  lines=[{"awb": a.awb, "amount": "100000", "row": 2}])
        cod_remittance_match(remittance=r, acting_user=finance_user)
    second = CodRemittanceLine.objects.get(remittance__reference="R2")
    assert (second.match, second.expected_amount) == ("over", Decimal("0"))
    assert seller_balance_get(seller=seller).available == Decimal("90000")


def test_unknown_awbs_are_refused_with_rows_and_nothing_written(shipments, finance_user):
    with pytest.raises(CodRemittanceInvalid) as caught:
        cod_remittance_create(reference="R1", remitted_on=TODAY, acting_user=finance_user,
                              lines=[{"awb": shipments[0].awb, "amount": "1", "row": 2},
                                     {"awb": "NOPE123", "amount": "5", "row": 3}])
    assert caught.value.extra["rows"] == [
        {"row": 3, "field": "awb", "message": "AWB NOPE123 is not one of our shipments"}]
    assert "row 3" in caught.value.message
    assert not CodRemittance.objects.exists() and not CodRemittanceLine.objects.exists()


def test_unknown_awbs_allowed_become_variances(shipments, finance_user):
    r = cod_remittance_create(reference="R1", remitted_on=TODAY, acting_user=finance_user, allow_unknown=True,
                              lines=[{"awb": "NOPE123", "amount": "5", "row": 3}])
    cod_remittance_match(remittance=r, acting_user=finance_user)
    assert r.lines.get().match == "unknown_awb"
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize(("lines", "expected"), [
    ([{"awb": "A", "amount": "1", "row": 2}, {"awb": "a", "amount": "2", "row": 3}],
     {"row": 3, "field": "awb", "message": "AWB A is already on row 2"}),
    ([{"awb": "", "amount": "1", "row": 2}], {"row": 2, "field": "awb", "message": "the AWB is empty"}),
    ([{"awb": "A", "amount": "-5", "row": 7}], {"row": 7, "field": "amount",
                                                "message": "the amount must be more than 0"}),
    ([{"awb": "A", "amount": "abc", "row": 4}], {"row": 4, "field": "amount",
                                                 "message": "“abc” is not an amount"}),
])
def test_bad_lines_name_row_and_field(lines, expected, finance_user):
    with pytest.raises(CodRemittanceInvalid) as caught:
        cod_remittance_create(reference="R1", remitted_on=TODAY, acting_user=finance_user, lines=lines,
                              allow_unknown=True)
    assert expected in caught.value.extra["rows"]
    assert not CodRemittance.objects.exists()


def test_duplicate_reference_and_empty_lines_refused(finance_user, shipments):
    cod_remittance_create(reference="R1", remitted_on=TODAY, acting_user=finance_user,
                          lines=[{"awb": shipments[0].awb, "amount": "1", "row": 2}])
    with pytest.raises(CodRemittanceInvalid) as caught:
        cod_remittance_create(reference="R1", remitted_on=TODAY, acting_user=finance_user,
                              lines=[{"awb": shipments[1].awb, "amount": "1", "row": 2}])
    assert "reference" in caught.value.extra["fields"]
    with pytest.raises(CodRemittanceInvalid) as caught:
        cod_remittance_create(reference="R2", remitted_on=TODAY, acting_user=finance_user, lines=[])
    assert "lines" in caught.value.extra["fields"]
    assert CodRemittance.objects.count() == 1
