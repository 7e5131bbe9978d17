"""Rupiah: parse what platforms and spreadsheets send, format as Indonesians read it (Rp 1.250.000)."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_RP_PREFIX = re.compile(r"^\s*(?:rp\.?|idr)\s*", re.IGNORECASE)


def parse_rupiah(value) -> Decimal:
    """Turn 10000, 10000.5, "10.000", "Rp 10.000", "10.000,50", "10,000.50" or "IDR 1.250.000" into a
    Decimal. Raises ValueError with the offending value for anything else ("abc", "", None)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    if not isinstance(value, str):
        raise ValueError(f"not an amount: {value!r}")
    text = _RP_PREFIX.sub("", value).strip().replace(" ", "")
    negative = text.startswith("-")
    text = text.lstrip("-+")
    if not text or not re.fullmatch(r"[0-9.,]+", text):
        raise ValueError(f"not an amount: {value!r}")
    if "," in text and "." in text:
        # The later separator is the decimal one: 1.250.000,50 (Indonesian) or 1,250,000.50 (English).
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "." in text:
        # "10.000" and "1.250.000" are thousands; "10.5" or "10.50" is a decimal point.
        groups = text.split(".")
        text = text.replace(".", "") if all(len(g) == 3 for g in groups[1:]) else text
    elif "," in text:
        groups = text.split(",")
        text = text.replace(",", "") if all(len(g) == 3 for g in groups[1:]) else text.replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    return -amount if negative else amount


def format_rupiah(value, *, with_symbol: bool = True) -> str:
    """Decimal('1250000') -> 'Rp 1.250.000'; cents are shown only when there are some."""
    if value is None or value == "":
        return ""
    amount = Decimal(value)
    negative = amount < 0
    amount = abs(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    whole, cents = divmod(amount, 1)
    text = f"{int(whole):,}".replace(",", ".")
    if cents:
        text += "," + f"{cents:.2f}"[2:]
    text = f"Rp {text}" if with_symbol else text
    return f"-{text}" if negative else text
