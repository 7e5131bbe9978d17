"""Writes for sellers, the staff who handle them and the people of the seller who use the mobile app."""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from common.exceptions import ApplicationError
from common.phones import normalize_phone
from sellers.models import Seller, SellerUser, StaffAssignment

SELLER_EDITABLE_FIELDS = (
    "code", "name", "status", "contact_name", "phone", "email", "address", "city", "province", "postal_code",
)


class InvalidPhone(ApplicationError):
    code = "invalid_phone"

    def __init__(self, *, field: str, value: str) -> None:
        super().__init__(
            _("%(field)s: “%(value)s” is not a valid phone number; use e.g. 081234567890 or +6281234567890.")
            % {"field": field, "value": value},
            extra={"field": field},
        )


class SellerInvalid(ApplicationError):
    code = "seller_invalid"


class SellerCodeTaken(ApplicationError):
    code = "seller_code_taken"


class StaffAssignmentInvalid(ApplicationError):
    code = "staff_assignment_invalid"


class SellerUserInvalid(ApplicationError):
    code = "seller_user_invalid"


def seller_phone_clean(value: str | None, *, field: str = "phone") -> str:
    """E.164 form of `value` ("" when empty); InvalidPhone naming `field` otherwise."""
    try:
        return normalize_phone(value)
    except ValueError as exc:
        raise InvalidPhone(field=field, value=str(value)) from exc


def _seller_fields_clean(fields: dict) -> dict:
    unknown = set(fields) - set(SELLER_EDITABLE_FIELDS)
    if unknown:
        raise SellerInvalid(_("Unknown seller fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    cleaned = dict(fields)
    if "phone" in cleaned:
        cleaned["phone"] = seller_phone_clean(cleaned["phone"])
    if "code" in cleaned:
        cleaned["code"] = (cleaned["code"] or "").strip()
        if not cleaned["code"]:
            raise SellerInvalid(_("code: a seller needs a code."), extra={"field": "code"})
    if "name" in cleaned:
        cleaned["name"] = (cleaned["name"] or "").strip()
        if not cleaned["name"]:
            raise SellerInvalid(_("name: a seller needs a name."), extra={"field": "name"})
    if "status" in cleaned and cleaned["status"] not in Seller.Status.values:
        raise SellerInvalid(_("status: “%(value)s” is not a seller status.") % {"value": cleaned["status"]},
                            extra={"field": "status"})
    return cleaned


def _seller_save(seller: Seller, *, update_fields=None) -> Seller:
    try:
        with transaction.atomic():
            seller.save(update_fields=update_fields)
    except IntegrityError as exc:
        if Seller.objects.filter(code=seller.code).exclude(pk=seller.pk).exists():
            raise SellerCodeTaken(
                _("code: another seller already uses the code “%(code)s”.") % {"code": seller.code},
                extra={"field": "code"},
            ) from exc
        raise
    return seller


def seller_create(*, code: str, name: str, acting_user=None, **fields) -> Seller:
    """Create a seller; the phone is stored in E.164 whatever form it was typed in."""
    cleaned = _seller_fields_clean({"code": code, "name": name, **fields})
    return _seller_save(Seller(**cleaned))


def seller_update(*, seller: Seller, acting_user=None, **fields) -> Seller:
    """Change the given fields of `seller` (only those); the phone is normalised to E.164."""
    cleaned = _seller_fields_clean(fields)
    if not cleaned:
        return seller
    for name, value in cleaned.items():
        setattr(seller, name, value)
    return _seller_save(seller, update_fields=[*cleaned, "updated_at"])


def staff_assignment_add(*, seller: Seller, user, acting_user=None) -> StaffAssignment:
    """Let `user` (a staff member) handle `seller`. Adding an existing assignment changes nothing."""
    if not user.is_staff:
        raise StaffAssignmentInvalid(
            _("%(user)s is not a staff user and cannot be assigned to a seller.") % {"user": user}
        )
    assignment, _created = StaffAssignment.objects.get_or_create(seller=seller, user=user)
    return assignment


def staff_assignment_remove(*, seller: Seller, user, acting_user=None) -> bool:
    """Stop `user` handling `seller`; returns whether there was an assignment to remove."""
    deleted, _detail = StaffAssignment.objects.filter(seller=seller, user=user).delete()
    return bool(deleted)


@transaction.atomic
def seller_user_create(
    *, seller: Seller, username: str, password: str | None = None, email: str = "", first_name: str = "",
    last_name: str = "", role: str = SellerUser.Role.OWNER, acting_user=None,
) -> SellerUser:
    """Create the login of a person of `seller` for the mobile app (never a staff user)."""
    user_model = get_user_model()
    username = (username or "").strip()
    if not username:
        raise SellerUserInvalid(_("username: a seller user needs a username."), extra={"field": "username"})
    if role not in SellerUser.Role.values:
        raise SellerUserInvalid(_("role: “%(value)s” is not a seller user role.") % {"value": role},
                                extra={"field": "role"})
    if user_model.objects.filter(username=username).exists():
        raise SellerUserInvalid(_("username: “%(username)s” is already taken.") % {"username": username},
                                extra={"field": "username"})
    user = user_model(username=username, email=email, first_name=first_name, last_name=last_name,
                      is_staff=False, is_superuser=False)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return SellerUser.objects.create(user=user, seller=seller, role=role)
