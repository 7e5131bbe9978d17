"""Platform code -> adapter class, and the one place an adapter is built for an account."""

from functools import partial

from django.utils.module_loading import import_string

from integrations.models import Platform, PlatformAccount
from integrations.ratelimit import DatabaseTokenBucket

ADAPTERS = {
    Platform.KOMSHIP: "integrations.komship.adapter.KomshipAdapter",
    Platform.NGORDER: "integrations.ngorder.adapter.NgorderAdapter",
    Platform.SCALEV: "integrations.scalev.adapter.ScalevAdapter",
    Platform.MITRABUNSO: "integrations.mitrabunso.adapter.MitrabunsoAdapter",
}


def adapter_class(platform: str):
    return import_string(ADAPTERS[platform])


def adapter_for(account: PlatformAccount, *, timeout: tuple[float, float] | None = None,
                rate_limited: bool = True):
    """Build the adapter of `account`'s platform with its base URL, credentials, shared rate limit and
    a callback that stores refreshed credentials (Komship's token refresh)."""
    from integrations.services import account_store_credentials

    return adapter_class(account.platform)(
        base_url=account.base_url,
        credentials=dict(account.credentials or {}),
        external_account_id=account.external_account_id,
        options=dict(account.options or {}),
        rate_limiter=DatabaseTokenBucket(account) if rate_limited else None,
        on_credentials_changed=partial(account_store_credentials, account=account),
        timeout=timeout,
    )
