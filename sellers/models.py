from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.models import BaseModel
from common.validators import validate_e164_phone


class Seller(BaseModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        CLOSED = "closed", _("Closed")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_e164_phone],
                             help_text=_("E.164, e.g. +6281234567890"))
    email = models.EmailField(_("email"), blank=True)
    address = models.TextField(_("address"), blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    province = models.CharField(_("province"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="StaffAssignment", related_name="assigned_sellers",
        verbose_name=_("assigned staff"), blank=True,
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("seller")
        verbose_name_plural = _("sellers")
        ordering = ["code"]
        permissions = [("view_all_sellers", _("Can see every seller, not only assigned ones"))]
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="sellers_seller_code_not_blank"),
            models.CheckConstraint(condition=Q(phone="") | Q(phone__regex=r"^\+[1-9][0-9]{7,14}$"),
                                   name="sellers_seller_phone_e164"),
        ]
        indexes = [models.Index(fields=["status"], name="sellers_seller_status_idx"),
                   models.Index(fields=["phone"], name="sellers_seller_phone_idx")]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class StaffAssignment(BaseModel):
    """Which staff handle which sellers; staff without "view all sellers" see only these."""

    seller = models.ForeignKey(Seller, verbose_name=_("seller"), on_delete=models.CASCADE,
                               related_name="staff_assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff user"), on_delete=models.CASCADE,
                             related_name="seller_assignments")

    class Meta:
        verbose_name = _("staff assignment")
        verbose_name_plural = _("staff assignments")
        constraints = [models.UniqueConstraint(fields=["seller", "user"], name="sellers_assignment_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.seller.code}"


class SellerUser(BaseModel):
    """A person of the seller who uses the mobile app; every API answer is about this seller."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        STAFF = "staff", _("Staff")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                                related_name="seller_user")
    seller = models.ForeignKey(Seller, verbose_name=_("seller"), on_delete=models.CASCADE,
                               related_name="seller_users")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.OWNER)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("seller user")
        verbose_name_plural = _("seller users")

    def __str__(self) -> str:
        return f"{self.user} ({self.seller.code})"
