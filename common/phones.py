"""Phones are stored in E.164 (+62…); platforms and people send 62…, 08…, +62 8… and worse."""

import phonenumbers


def normalize_phone(value: str | None, *, region: str = "ID") -> str:
    """Return the E.164 form of an Indonesian (or international) number, or "" for an empty one.
    Raises ValueError naming the value when it is not a possible phone number."""
    text = (value or "").strip()
    if not text:
        return ""
    digits = "".join(ch for ch in text if ch.isdigit() or ch == "+")
    if digits.startswith("62") and not digits.startswith("+"):
        digits = "+" + digits
    try:
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"not a phone number: {value!r}") from exc
    if not phonenumbers.is_possible_number(number):
        raise ValueError(f"not a phone number: {value!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
