import uuid
from decimal import Decimal

import pytest

from finance.models import LedgerEntry
from finance.services import ledger_post
from tests.conftest import user_in_role
from tests.factories import BankAccountFactory, SellerFactory


def fund(seller, amount) -> LedgerEntry:
    """Credit a seller as a delivered COD parcel would."""
    return ledger_post(seller=seller, entry_type=LedgerEntry.Type.COD_CREDIT, amount=Decimal(amount),
                       posting_key=f"shipment:{uuid.uuid4()}:cod")


@pytest.fixture
def seller(db):
    return SellerFactory()


@pytest.fixture
def bank_account(seller):
    return BankAccountFactory(seller=seller, is_default=True)


@pytest.fixture
def funded_seller(seller):
    fund(seller, "1000000")
    return seller


@pytest.fixture
def finance_user(db, django_user_model):
    return user_in_role(django_user_model, "fin", "Finance")


@pytest.fixture
def approver(db, django_user_model):
    return user_in_role(django_user_model, "appr", "Finance Approver")


@pytest.fixture
def cs_user(db, django_user_model):
    return user_in_role(django_user_model, "cs", "Customer Service")
