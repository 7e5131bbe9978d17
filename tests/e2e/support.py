"""Building blocks of the browser tests: the demo, the page watch, and short helpers for the admin screens
(log in, open a list, filter, search, run an action, fill and save a form, upload, download, switch language),
so a new flow reads as what a person does. A new module looks like this:

    from tests.e2e.support import E2E, download, expect, expect_message, log_in, open_changelist, submit, upload

    pytestmark = E2E

    def test_product_import_with_a_rejected_row(page, demo, tmp_path):
        log_in(page, "warehouse", demo.password)
        open_changelist(page, "catalog.product")
        page.get_by_role("link", name="Import").click()
        upload(page, "import_file", tmp_path / "products.csv")
        submit(page, "Preview")
        expect(page.get_by_text("row 3: price")).to_be_visible()
        error_file = download(page, "Download the rejected rows")
        ...

`page` fails the test on a broken asset, a server error page or a JavaScript error and saves the final
screen under tests/artifacts/; `assert_translated_in_both_languages(page)` checks the open screen in
Indonesian and English. A flow that needs a Celery worker wraps its steps in
`tests.integrations.worker.celery_worker([queue])` and waits with `wait_for` (or `expect(...).to_be_visible(
timeout=...)` for a progress bar that ends in a link)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import Download, Page, Response, expect

from tests.e2e.translations import untranslated_texts

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
DOCS = ROOT / "docs"
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
ASSET_TYPES = {"stylesheet", "script", "image", "font"}


# Every module of tests/e2e sets `pytestmark = E2E`: one xdist worker runs them all, one after the other. It is
# the group of tests/integrations/test_celery_worker.py too, because both start Celery workers on the same
# broker's platform queues, and two at once would take each other's tasks.
E2E_GROUP = "celery-worker"
E2E = [pytest.mark.xdist_group(E2E_GROUP)]


# --- the demo -----------------------------------------------------------------------------------------------


@dataclass
class Demo:
    password: str
    users: dict  # username -> User

    def user(self, username: str):
        return self.users[username]


def load_demo(live_server_url: str) -> Demo:
    """`make run`'s demo (common.demo.demo_load), its platform accounts pointed at the live server's
    sandboxes."""
    from common.demo import DEMO_USERS, PLATFORM_PATHS, demo_load
    from integrations.models import PlatformAccount

    result = demo_load(log=lambda _line: None)
    for account in PlatformAccount.objects.filter(name__in=[f"demo-{p}" for p in PLATFORM_PATHS]):
        account.base_url = f"{live_server_url}{PLATFORM_PATHS[account.platform]}"
        account.save(update_fields=["base_url", "updated_at"])
    users = {u.username: u for u in get_user_model().objects.filter(username__in=[u[0] for u in DEMO_USERS])}
    return Demo(password=result.password, users=users)


# --- what a person must never see ---------------------------------------------------------------------------


class PageWatch:
    """Records broken page assets, server error pages and JavaScript errors of one page."""

    def __init__(self, page: Page):
        self.problems: list[str] = []
        self._reported: set[str] = set()
        page.on("response", self._response)
        page.on("requestfailed", self._failed)
        page.on("pageerror", lambda error: self.problems.append(f"JavaScript error: {error}"))

    def _response(self, response: Response) -> None:
        kind = response.request.resource_type
        if kind in ASSET_TYPES and response.status >= 400:
            self.problems.append(f"{response.status} for {kind} {response.url}")
            self._reported.add(response.url)  # Chromium then also aborts it: one report is enough
        elif kind == "document" and response.status >= 500:
            self.problems.append(f"server error page: {response.status} for {response.url}")

    def _failed(self, request) -> None:
        if request.resource_type in ASSET_TYPES and request.url not in self._reported:
            self.problems.append(f"{request.resource_type} {request.url} failed: {request.failure}")

    def assert_clean(self) -> None:
        assert not self.problems, "The browser saw:\n" + "\n".join(self.problems)


def assert_translated(page: Page, language: str, *, allow=()) -> None:
    """No visible text of the page belongs to the other language ("id" or "en")."""
    found = untranslated_texts(page, language, allow=frozenset(allow))
    label = {"id": "English text on an Indonesian screen", "en": "Indonesian text on an English screen"}
    assert not found, f"{label[language]} at {page.url}: {found}"


def screen_language(page: Page) -> str:
    return (page.locator("html").get_attribute("lang") or "").split("-")[0]


def assert_translated_in_both_languages(page: Page, *, allow=()) -> None:
    """The open screen (reached by GET) checked as it is, then reloaded in the other language and checked
    again, then put back. The language is the session's choice (Django's language cookie), as the language
    menu sets it."""
    from django.conf import settings

    current = screen_language(page)
    other = "id" if current == "en" else "en"
    assert_translated(page, current, allow=allow)
    for code in (other, current):
        page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": code,
                                   "domain": urlsplit(page.url).hostname, "path": "/"}])
        page.reload()
        expect(page.locator("html")).to_have_attribute("lang", re.compile(f"^{code}"))
        if code == other:
            assert_translated(page, other, allow=allow)
    page.watch.assert_clean()


# --- navigation -------------------------------------------------------------------------------------------------


def goto(page: Page, url: str) -> Response:
    response = page.goto(url)
    assert response is not None and response.status < 400, f"{url} answered {response and response.status}"
    page.watch.assert_clean()
    return response


def changelist_url(model: str, **query) -> str:
    """`model` is "app_label.modelname"; query keys as the admin takes them ("status__exact", "q")."""
    app_label, model_name = model.lower().split(".")
    url = reverse(f"admin:{app_label}_{model_name}_changelist")
    return f"{url}?{urlencode(query)}" if query else url


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def open_changelist(page: Page, model: str, **query) -> Response:
    return goto(page, changelist_url(model, **query))


def open_change_page(page: Page, obj) -> Response:
    return goto(page, change_url(obj))


def follow(page: Page, link) -> None:
    """Click a link (a locator, or its visible name) and wait for the page it opens."""
    locator = page.get_by_role("link", name=link, exact=True).first if isinstance(link, str) else link
    with page.expect_navigation():
        locator.click()
    page.watch.assert_clean()


def submit(page: Page, button) -> None:
    """Click a button (a locator, or its visible name) that sends a form, and wait for the next page."""
    locator = page.get_by_role("button", name=button, exact=True) if isinstance(button, str) else button
    with page.expect_navigation():
        locator.click()
    page.watch.assert_clean()


# --- log in and out, language ---------------------------------------------------------------------------------


def log_in(page: Page, username: str, password: str, *, next_url: str = "/admin/") -> None:
    """Through the login form; the caller checks where it landed (the dashboard, or the lockout page)."""
    goto(page, f"{reverse('admin:login')}?{urlencode({'next': next_url})}")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("form#login-form button[type=submit], form#login-form input[type=submit]").first.click()
    page.watch.assert_clean()


def log_out(page: Page) -> None:
    page.context.clear_cookies()


def switch_language(page: Page, code: str) -> None:
    """Through the language entries of the user menu (bottom of the sidebar), as a person does."""
    form = page.locator(f"form[action$='/i18n/setlang/']:has(input[name=language][value='{code}'])").first
    if not form.is_visible():
        page.locator("[x-on\\:click='openUserLinks = !openUserLinks']").click()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", code)
    page.watch.assert_clean()


# --- lists, actions, forms --------------------------------------------------------------------------------------


def apply_filter(page: Page, choice: str) -> None:
    """Open the changelist's filter panel and click one of its choices (its visible label)."""
    page.locator("[x-on\\:click='filterOpen = true']").first.click()
    panel = page.locator("#changelist-filter")
    expect(panel).to_be_visible()
    with page.expect_navigation():
        panel.get_by_role("link", name=choice, exact=True).click()
    page.watch.assert_clean()


def search(page: Page, term: str) -> None:
    """Type into the changelist's search box and press Enter."""
    box = page.locator("#changelist-search input[name=q], input[name=q]").first
    box.fill(term)
    with page.expect_navigation():
        box.press("Enter")
    page.watch.assert_clean()


def result_rows(page: Page):
    return page.locator("#result_list tbody tr")


def row_checkbox(page: Page, obj):
    return page.locator(f"input.action-select[value='{obj.pk}']")


def run_action(page: Page, action: str, objs) -> None:
    """Tick the rows of `objs` on the open changelist, choose the action (its function name) and run it."""
    for obj in objs:
        row_checkbox(page, obj).check()
    page.locator("select[name=action]").select_option(action)
    submit(page, page.locator("#changelist-actions button[name=index]"))


def expect_message(page: Page, text: str | re.Pattern) -> None:
    """A message of the admin's message list (success, warning or error) says `text`."""
    expect(page.locator("li").filter(has_text=text).first).to_be_visible()


def upload(page: Page, field_name: str, path: Path | str) -> None:
    page.locator(f"input[type=file][name={field_name}]").set_input_files(str(path))


def download(page: Page, trigger) -> Path:
    """Click `trigger` (a locator or a link's visible name), save the file under tests/artifacts/ and return
    its path."""
    locator = page.get_by_role("link", name=trigger) if isinstance(trigger, str) else trigger
    with page.expect_download() as info:
        locator.click()
    got: Download = info.value
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / got.suggested_filename
    got.save_as(target)
    return target


def save_for_docs(page: Page, name: str, *, centre=None) -> None:
    """Refresh a screenshot the README shows (docs/<name>.png), with the `centre` locator (if any) scrolled to
    the middle of the screen; only when E2E_DOCS_SCREENSHOTS is set, so a normal run leaves the tree clean."""
    if os.environ.get("E2E_DOCS_SCREENSHOTS"):
        if centre is not None:
            centre.evaluate("element => element.scrollIntoView({block: 'center'})")
        page.screenshot(path=str(DOCS / f"{name}.png"), full_page=False)
