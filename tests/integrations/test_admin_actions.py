"""Admin actions on platform accounts, the SyncRun console and inbound events: what a superuser can do,
what a staff user without change permission cannot, and that credentials never reach the page."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from integrations.models import InboundEvent, PlatformAccount, SyncRun
from integrations.tasks import inbound_event_process_task, sync_account_task
from tests.factories import SyncRunFactory
from tests.integrations.engine_support import BASE_PATHS, CREDENTIALS, reset_sandbox, sandbox_account

pytestmark = pytest.mark.django_db(transaction=True)

WRONG_TOKEN = "tok-WRONG-9f1e77"
SECRETS = (CREDENTIALS["scalev"]["token"], CREDENTIALS["scalev"]["webhook_secret"],
           CREDENTIALS["mitrabunso"]["token"], WRONG_TOKEN)
ACCOUNTS_URL = reverse("admin:integrations_platformaccount_changelist")
RUNS_URL = reverse("admin:integrations_syncrun_changelist")
EVENTS_URL = reverse("admin:integrations_inboundevent_changelist")


@pytest.fixture(autouse=True)
def queued(monkeypatch):
    """Celery messages the on_commit hooks send, recorded instead of going to the shared broker."""
    calls = []
    monkeypatch.setattr(sync_account_task, "apply_async", lambda **kw: calls.append(("sync", kw)))
    monkeypatch.setattr(inbound_event_process_task, "apply_async", lambda **kw: calls.append(("inbound", kw)))
    return calls


@pytest.fixture
def viewer(client, django_user_model):
    """A staff user who may look at everything here but change nothing."""
    user = django_user_model.objects.create_user("pengamat", "pengamat@example.com", "pw", is_staff=True)
    codenames = ["view_platformaccount", "view_syncrun", "view_inboundevent", "view_all_sellers"]
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return client


@pytest.fixture
def accounts(live_server):
    reset_sandbox("scalev", orders=3, products=1)
    reset_sandbox("mitrabunso", orders=3, products=1)
    good = sandbox_account("scalev", live_server.url)
    mitrabunso = sandbox_account("mitrabunso", live_server.url, seller=good.seller)
    refused = PlatformAccount.objects.create(
        platform="scalev", name="token-lama", seller=good.seller, base_url=f"{live_server.url}{BASE_PATHS['scalev']}",
        credentials={"token": WRONG_TOKEN, "webhook_secret": CREDENTIALS["scalev"]["webhook_secret"]},
    )
    return good, mitrabunso, refused


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def assert_no_credentials(response):
    assert response.status_code == 200
    html = response.content.decode()
    for secret in SECRETS:
        assert secret not in html


def action(client, url, name, objects):
    return client.post(url, {"action": name, "_selected_action": [o.pk for o in objects]}, follow=True)


def offered_actions(client, url) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["action_form"]  # None when no action is offered at all
    return {name for name, _label in form.fields["action"].choices if name} if form else set()


def test_test_connection_reports_success_and_refusal_and_records_health(admin_client_logged_in, accounts):
    good, _mitrabunso, refused = accounts

    response = action(admin_client_logged_in, ACCOUNTS_URL, "test_connection", [good, refused])

    assert_no_credentials(response)
    messages = messages_of(response)
    assert f"{good}: the connection works." in messages
    refusal = next(m for m in messages if m.startswith(f"{refused}: refused — "))
    assert "401" in refusal
    good.refresh_from_db()
    refused.refresh_from_db()
    assert good.last_success_at is not None and good.last_error_at is None
    assert refused.last_error_at is not None and refused.last_success_at is None
    assert refused.last_error and WRONG_TOKEN not in refused.last_error
    change = admin_client_logged_in.get(reverse("admin:integrations_platformaccount_change", args=[refused.pk]))
    assert_no_credentials(change)
    assert refused.last_error in change.content.decode()


def test_sync_orders_now_queues_a_run_per_account_on_its_platform_queue(admin_client_logged_in, accounts, queued):
    good, mitrabunso, _refused = accounts

    response = action(admin_client_logged_in, ACCOUNTS_URL, "sync_orders_now", [good, mitrabunso])

    assert_no_credentials(response)
    assert messages_of(response) == ["2 sync(s) queued. Follow them in Sync runs."]
    runs = {run.account_id: run for run in SyncRun.objects.all()}
    assert set(runs) == {good.pk, mitrabunso.pk}
    assert {(r.kind, r.status) for r in runs.values()} == {("orders_pull", "queued")}
    assert sorted(queued, key=lambda c: c[1]["queue"]) == [
        ("sync", {"args": [mitrabunso.pk, "orders_pull"], "kwargs": {"run_id": runs[mitrabunso.pk].pk},
                  "queue": "mitrabunso"}),
        ("sync", {"args": [good.pk, "orders_pull"], "kwargs": {"run_id": runs[good.pk].pk}, "queue": "scalev"}),
    ]


def test_pull_products_now_says_which_platforms_cannot(admin_client_logged_in, accounts, queued):
    good, mitrabunso, _refused = accounts

    response = action(admin_client_logged_in, ACCOUNTS_URL, "pull_products_now", [good, mitrabunso])

    assert messages_of(response) == ["1 sync(s) queued. Follow them in Sync runs.",
                                     f"Not supported by the platform of: {mitrabunso}."]
    assert list(SyncRun.objects.values_list("account_id", "kind")) == [(good.pk, "products_pull")]
    assert len(queued) == 1


def test_a_staff_user_without_change_permission_can_look_and_test_but_not_queue(viewer, accounts, queued):
    good, _mitrabunso, _refused = accounts
    assert offered_actions(viewer, ACCOUNTS_URL) == {"test_connection"}
    assert offered_actions(viewer, RUNS_URL) == set()
    assert offered_actions(viewer, EVENTS_URL) == set()
    assert_no_credentials(viewer.get(reverse("admin:integrations_platformaccount_change", args=[good.pk])))

    response = action(viewer, ACCOUNTS_URL, "sync_orders_now", [good])

    assert response.status_code == 200
    assert not SyncRun.objects.exists() and queued == []
    run = SyncRunFactory(account=good, status=SyncRun.Status.FAILED, error="scalev: boom")
    action(viewer, RUNS_URL, "run_again", [run])
    assert SyncRun.objects.count() == 1 and queued == []

    response = action(viewer, ACCOUNTS_URL, "test_connection", [good])
    assert messages_of(response) == [f"{good}: the connection works."]


def test_run_again_queues_one_new_run_per_account_and_kind(admin_client_logged_in, accounts, queued):
    good, mitrabunso, _refused = accounts
    failed = [SyncRunFactory(account=good, status=SyncRun.Status.FAILED, error="scalev: server error (HTTP 500)")
              for _ in range(2)]
    partial = SyncRunFactory(account=mitrabunso, status=SyncRun.Status.PARTIAL)

    response = action(admin_client_logged_in, RUNS_URL, "run_again", [*failed, partial])

    assert_no_credentials(response)
    assert messages_of(response) == ["2 sync(s) queued. Follow them in Sync runs."]
    new = SyncRun.objects.filter(status=SyncRun.Status.QUEUED)
    assert sorted(new.values_list("account_id", "kind")) == sorted([(good.pk, "orders_pull"),
                                                                    (mitrabunso.pk, "orders_pull")])
    assert {c[1]["queue"] for c in queued} == {"scalev", "mitrabunso"}
    assert SyncRun.objects.count() == 5, "the old runs stay as they were"


def test_sync_run_console_and_inbound_event_pages_render_without_credentials(
        admin_client_logged_in, viewer, accounts):
    good, _mitrabunso, refused = accounts
    run = SyncRunFactory(account=refused, status=SyncRun.Status.FAILED, error="scalev: Unauthorized (HTTP 401)")
    event = InboundEvent.objects.create(
        account=good, platform="scalev", event_id="event_I7fkiBF4YksYDsKbVe5ZOEyZ", event_type="order.created",
        body=json.dumps({"event": "order.created", "unique_id": "event_I7fkiBF4YksYDsKbVe5ZOEyZ",
                         "data": {"id": "01948092-9b80-7f91-b23d-1a8686278331", "order_id": "250130JQHFZG"}}),
    )
    pages = [
        ACCOUNTS_URL,
        reverse("admin:integrations_platformaccount_change", args=[good.pk]),
        reverse("admin:integrations_platformaccount_history", args=[good.pk]),
        RUNS_URL,
        reverse("admin:integrations_syncrun_change", args=[run.pk]),
        EVENTS_URL,
        f"{EVENTS_URL}?status=received",
        f"{EVENTS_URL}?q=event_I7fkiBF4YksYDsKbVe5ZOEyZ",
        reverse("admin:integrations_inboundevent_change", args=[event.pk]),
    ]
    for client in (admin_client_logged_in, viewer):
        for url in pages:
            assert_no_credentials(client.get(url))
        html = client.get(reverse("admin:integrations_inboundevent_change", args=[event.pk])).content.decode()
        assert "250130JQHFZG" in html and "order.created" in html
        listing = client.get(f"{EVENTS_URL}?q=event_I7fkiBF4YksYDsKbVe5ZOEyZ")
        assert list(listing.context["cl"].result_list) == [event]
    assert admin_client_logged_in.get(reverse("admin:integrations_inboundevent_add")).status_code == 403


def test_a_disabled_account_is_not_queued(admin_client_logged_in, accounts, queued):
    good, _mitrabunso, refused = accounts
    PlatformAccount.objects.filter(pk=refused.pk).update(is_enabled=False)
    old_run = SyncRunFactory(account=refused, status=SyncRun.Status.FAILED)

    response = action(admin_client_logged_in, ACCOUNTS_URL, "sync_orders_now", [good, refused])

    assert messages_of(response) == ["1 sync(s) queued. Follow them in Sync runs.",
                                     f"Not queued, the account is disabled: {refused}."]
    assert SyncRun.objects.filter(status=SyncRun.Status.QUEUED).get().account_id == good.pk
    response = action(admin_client_logged_in, RUNS_URL, "run_again", [old_run])
    assert messages_of(response) == [f"Not queued, the account is disabled: {refused}."]
    assert SyncRun.objects.filter(account=refused).count() == 1 and len(queued) == 1
