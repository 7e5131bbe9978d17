from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.contrib.filters.admin import RangeDateTimeFilter

from common.admin import BaseAdmin
from common.exceptions import ApplicationError
from sellers.models import Seller, SellerUser, StaffAssignment
from sellers.services import SELLER_EDITABLE_FIELDS, seller_create, seller_phone_clean, seller_update


class SellerAdminForm(forms.ModelForm):
    class Meta:
        model = Seller
        fields = list(SELLER_EDITABLE_FIELDS)

    def clean_phone(self):
        try:
            return seller_phone_clean(self.cleaned_data.get("phone"))
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message, code="invalid_phone") from exc


class StaffAssignmentInline(TabularInline):
    model = StaffAssignment
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "created_at"]
    readonly_fields = ["created_at"]
    verbose_name = _("assigned staff member")
    verbose_name_plural = _("assigned staff")


class SellerUserInline(TabularInline):
    model = SellerUser
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "is_active"]
    show_change_link = True


@admin.register(Seller)
class SellerAdmin(BaseAdmin):
    form = SellerAdminForm
    seller_path = "id"
    list_display = ["code", "name", "status", "contact_name", "phone", "city", "updated_at"]
    list_display_links = ["code", "name"]
    list_filter = ["status", ("created_at", RangeDateTimeFilter)]
    search_fields = ["code__exact", "name", "phone__exact"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [StaffAssignmentInline, SellerUserInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "status"]}),
        (_("Contact"), {"fields": ["contact_name", "phone", "email"]}),
        (_("Address"), {"fields": ["address", "city", "province", "postal_code"]}),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {name: data[name] for name in SELLER_EDITABLE_FIELDS if name in data}
        if change:
            changed = {name: value for name, value in fields.items() if name in form.changed_data}
            seller_update(seller=obj, acting_user=request.user, **changed)
            return
        created = seller_create(acting_user=request.user, **fields)
        obj.pk = created.pk
        obj.created_at, obj.updated_at = created.created_at, created.updated_at
        obj._state.adding = False
        obj._state.db = created._state.db


@admin.register(StaffAssignment)
class StaffAssignmentAdmin(BaseAdmin):
    seller_path = "seller"
    list_display = ["user", "seller", "created_at"]
    list_select_related = ["user", "seller"]
    search_fields = ["user__username__exact", "seller__code__exact"]
    autocomplete_fields = ["seller", "user"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(SellerUser)
class SellerUserAdmin(BaseAdmin):
    seller_path = "seller"
    list_display = ["user", "seller", "role", "is_active", "created_at"]
    list_select_related = ["user", "seller"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__username__exact", "user__email__exact", "seller__code__exact"]
    autocomplete_fields = ["seller", "user"]
    readonly_fields = ["created_at", "updated_at"]
