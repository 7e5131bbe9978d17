from decimal import Decimal

import pytest

from common.money import format_rupiah, parse_rupiah
from common.phones import normalize_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("10.000", "10000"), ("Rp 10.000", "10000"), ("1.250.000,50", "1250000.50"), ("10,000.50", "10000.50"),
     ("10.5", "10.5"), (12000, "12000"), ("IDR 1.250.000", "1250000"), ("-5.000", "-5000")],
)
def test_parse_rupiah_understands_indonesian_and_english_notation(raw, expected):
    assert parse_rupiah(raw) == Decimal(expected)


@pytest.mark.parametrize("raw", ["abc", "", "Rp", "1.2.3,4,5x", None])
def test_parse_rupiah_rejects_what_is_not_an_amount(raw):
    with pytest.raises(ValueError, match="not an amount"):
        parse_rupiah(raw)


def test_format_rupiah_uses_dots_for_thousands():
    assert format_rupiah(Decimal("1250000")) == "Rp 1.250.000"
    assert format_rupiah(Decimal("1250000.5")) == "Rp 1.250.000,50"
    assert format_rupiah(Decimal("-2500")) == "-Rp 2.500"


@pytest.mark.parametrize("raw", ["081234567890", "6281234567890", "+62 812-3456-7890", "62 812 3456 7890"])
def test_normalize_phone_returns_e164(raw):
    assert normalize_phone(raw) == "+6281234567890"


def test_normalize_phone_rejects_garbage():
    with pytest.raises(ValueError, match="not a phone number"):
        normalize_phone("12")
