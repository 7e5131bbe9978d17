"""PlatformAccount admin never renders stored credentials; SyncRun is a read-only console."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations.models import PlatformAccount
from tests.factories import PlatformAccountFactory, SellerFactory, SyncRunFactory
from tests.integrations.test_models import raw_credentials
from tests.logistics.helpers import change_form_post_data

pytestmark = pytest.mark.django_db

TOKEN = "tok-3c1d-SUPER-SECRET-4b2a"
PASSWORD = "pw-SECRET-77"


@pytest.fixture
def account():
    return PlatformAccountFactory(
        seller=SellerFactory(), credentials={"token": TOKEN, "password": PASSWORD, "id_user": "IDU-SECRET-1"},
        credentials_expire_at=timezone.now() + dt.timedelta(days=10),
        last_error="HTTP 500 from platform", last_error_at=timezone.now(),
    )


def assert_no_secret(response):
    assert response.status_code == 200
    html = response.content.decode()
    for secret in (TOKEN, PASSWORD, "IDU-SECRET-1"):
        assert secret not in html


def test_secrets_never_appear_in_changelist_change_or_history_pages(admin_client_logged_in, account):
    change_url = reverse("admin:integrations_platformaccount_change", args=[account.pk])
    # an edit creates a history row to render
    post = change_form_post_data(admin_client_logged_in.get(change_url))
    post["name"] = "renamed"
    assert admin_client_logged_in.post(change_url, post).status_code == 302
    changelist = admin_client_logged_in.get(reverse("admin:integrations_platformaccount_changelist"))
    assert_no_secret(changelist)
    assert "renamed" in changelist.content.decode()
    change = admin_client_logged_in.get(change_url)
    assert_no_secret(change)
    assert 'name="credential_token"' in change.content.decode()
    assert "A value is stored" in change.content.decode()
    history_url = reverse("admin:integrations_platformaccount_history", args=[account.pk])
    history = admin_client_logged_in.get(history_url)
    assert_no_secret(history)
    assert "renamed" in history.content.decode()


def test_empty_credential_inputs_keep_the_stored_values(admin_client_logged_in, account):
    url = reverse("admin:integrations_platformaccount_change", args=[account.pk])
    post = change_form_post_data(admin_client_logged_in.get(url))
    assert not any(post.get(f"credential_{key}") for key in ("token", "password", "id_user"))
    assert admin_client_logged_in.post(url, post).status_code == 302
    assert PlatformAccount.objects.get(pk=account.pk).credentials == {
        "token": TOKEN, "password": PASSWORD, "id_user": "IDU-SECRET-1",
    }


def test_a_typed_credential_replaces_only_that_key_and_is_stored_encrypted(admin_client_logged_in, account):
    url = reverse("admin:integrations_platformaccount_change", args=[account.pk])
    post = change_form_post_data(admin_client_logged_in.get(url))
    post["credential_token"] = "tok-NEW-VALUE-123"
    post["credential_api_key"] = "key-NEW-456"
    assert admin_client_logged_in.post(url, post).status_code == 302
    assert PlatformAccount.objects.get(pk=account.pk).credentials == {
        "token": "tok-NEW-VALUE-123", "password": PASSWORD, "id_user": "IDU-SECRET-1",
        "api_key": "key-NEW-456",
    }
    raw = raw_credentials(account.pk)
    assert "tok-NEW-VALUE-123" not in raw and "key-NEW-456" not in raw
    assert_no_secret(admin_client_logged_in.get(url))
    assert "tok-NEW-VALUE-123" not in admin_client_logged_in.get(url).content.decode()


def test_account_is_added_with_credentials(admin_client_logged_in):
    add_url = reverse("admin:integrations_platformaccount_add")
    assert admin_client_logged_in.get(add_url).status_code == 200
    response = admin_client_logged_in.post(add_url, {
        "platform": "komship", "name": "pusat", "base_url": "https://api.komerce.example/api/v1",
        "is_enabled": "on", "rate_limit_per_minute": "60", "history_days": "90", "options": "{}",
        "credential_api_key": "komship-key-SECRET",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    account = PlatformAccount.objects.get(name="pusat")
    assert account.credentials == {"api_key": "komship-key-SECRET"}


def test_expiring_credentials_are_highlighted(admin_client_logged_in, account):
    later = PlatformAccountFactory(credentials_expire_at=timezone.now() + dt.timedelta(days=90))
    url = reverse("admin:integrations_platformaccount_changelist")
    html = admin_client_logged_in.get(url).content.decode()
    assert html.count("Expires within 30 days") == 1
    assert timezone.localtime(later.credentials_expire_at).strftime("%Y-%m-%d %H:%M") in html


def test_sync_run_console_lists_counts_and_filters(admin_client_logged_in, account):
    started = timezone.now() - dt.timedelta(seconds=42)
    run = SyncRunFactory(account=account, status="failed", started_at=started, finished_at=timezone.now(),
                         fetched=7, created=3, failed=4, error="ProviderUnavailable: " + "x" * 300)
    SyncRunFactory(account=PlatformAccountFactory(platform="scalev"), status="succeeded")
    url = reverse("admin:integrations_syncrun_changelist")
    response = admin_client_logged_in.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "42.0 s" in html and "ProviderUnavailable: " in html and "x" * 300 not in html
    for query, count in [("status=failed", 1), ("account__platform=ngorder", 1),
                         ("account__platform=scalev", 1), ("kind=orders_pull", 2),
                         ("created_at_from_0=2000-01-01", 2)]:
        assert admin_client_logged_in.get(f"{url}?{query}").context["cl"].result_count == count, query
    change_url = reverse("admin:integrations_syncrun_change", args=[run.pk])
    assert admin_client_logged_in.get(change_url).status_code == 200
    history_url = reverse("admin:integrations_syncrun_history", args=[run.pk])
    assert admin_client_logged_in.get(history_url).status_code == 200
    assert admin_client_logged_in.get(reverse("admin:integrations_syncrun_add")).status_code == 403
    assert admin_client_logged_in.post(change_url, {"status": "succeeded"}).status_code == 403
