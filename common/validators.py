import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

E164_RE = re.compile(r"^\+[1-9][0-9]{7,14}$")


def validate_e164_phone(value: str) -> None:
    if value and not E164_RE.match(value):
        raise ValidationError(
            _("%(value)s is not a valid phone number in E.164 form, e.g. +6281234567890."),
            code="invalid_phone", params={"value": value},
        )
