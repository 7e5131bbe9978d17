"""Logging in, the lockout after repeated failures, the dashboard, and switching the language."""

from axes.models import AccessAttempt
from django.conf import settings

from tests.e2e.support import (
    E2E,
    assert_translated,
    assert_translated_in_both_languages,
    expect,
    follow,
    goto,
    log_in,
    save_for_docs,
    switch_language,
)

pytestmark = E2E


def test_staff_log_in_and_land_on_their_dashboard(page, demo):
    log_in(page, "admin", demo.password)

    expect(page).to_have_url("/admin/")
    expect(page.locator("#dashboard-orders")).to_be_visible()
    expect(page.locator("#dashboard-attention")).to_contain_text("Withdrawals awaiting review")
    save_for_docs(page, "admin-dashboard")
    assert_translated_in_both_languages(page)


def test_a_customer_service_user_sees_only_what_their_role_allows(page, demo):
    log_in(page, "cs", demo.password)

    expect(page).to_have_url("/admin/")
    expect(page.locator("#dashboard-orders")).to_be_visible()
    expect(page.locator("#dashboard-attention")).not_to_contain_text("Withdrawals awaiting review")
    assert_translated(page, "en")


def test_wrong_passwords_lock_the_account_even_for_the_right_password(page, demo):
    username = "warehouse"  # no other test of this module logs in as warehouse
    try:
        log_in(page, username, "not-the-password")
        expect(page.get_by_text("Please enter the correct username and password")).to_be_visible()
        assert_translated(page, "en")
        for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
            log_in(page, username, "still-not-the-password")

        log_in(page, username, demo.password)

        expect(page.locator("#lockout")).to_contain_text("This account is locked.")
        expect(page.locator("#lockout")).to_contain_text(
            f"There were {settings.AXES_FAILURE_LIMIT} failed login attempts in a row.")
        assert_translated(page, "en")
        goto(page, "/admin/")
        expect(page).to_have_url("/admin/login/?next=/admin/")  # still not logged in
        log_in(page, username, demo.password)
        expect(page.locator("#lockout")).to_be_visible()
    finally:
        AccessAttempt.objects.filter(username=username).delete()


def test_switch_between_bahasa_indonesia_and_english(page, demo):
    log_in(page, "finance", demo.password)
    expect(page.locator("html")).to_have_attribute("lang", "en")

    switch_language(page, "id")

    expect(page.locator("#dashboard-attention")).to_contain_text("Penarikan dana menunggu peninjauan")
    assert_translated(page, "id")
    follow(page, "Penarikan dana")
    expect(page.locator("html")).to_have_attribute("lang", "id")  # the choice holds on the next screen
    assert_translated(page, "id")

    switch_language(page, "en")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_translated(page, "en")
