"""Admin forms for integrations. Credentials are write-only: typed in, never shown back."""

from django import forms
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminPasswordWidget

from common.forms import model_formfield
from integrations.models import PlatformAccount
from integrations.services import CREDENTIAL_KEYS, account_merge_credentials


def credential_field_name(key: str) -> str:
    return f"credential_{key}"


def _credential_input(label) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, strip=True,
        widget=UnfoldAdminPasswordWidget(render_value=False, attrs={"autocomplete": "new-password"}),
    )


class PlatformAccountForm(forms.ModelForm):
    """The stored credentials are never put into the page: each key gets an empty password input, and
    the stored value is replaced only when something is typed there."""

    credential_token = _credential_input(_("Token"))
    credential_username = _credential_input(_("Username"))
    credential_password = _credential_input(_("Password"))
    credential_id_user = _credential_input(_("id_user (Mitrabunso)"))
    credential_api_key = _credential_input(_("API key"))

    class Meta:
        model = PlatformAccount
        formfield_callback = model_formfield
        fields = [
            "platform", "name", "seller", "base_url", "external_account_id", "is_enabled",
            "credentials_expire_at", "rate_limit_per_minute", "history_days", "options",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = self.instance.credentials if self.instance.pk else {}
        for key in CREDENTIAL_KEYS:
            field = self.fields.get(credential_field_name(key))
            if field is not None:
                field.help_text = (
                    _("A value is stored. Leave empty to keep it; type a new value to replace it.")
                    if stored.get(key) else _("Not set.")
                )

    def typed_credentials(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(credential_field_name(key), "") for key in CREDENTIAL_KEYS}

    def save(self, commit=True):
        self.instance.credentials = account_merge_credentials(
            current=self.instance.credentials, typed=self.typed_credentials(),
        )
        return super().save(commit=commit)
