"""Browser tests: Debian's Chromium (headless, driven by Playwright) against pytest-django's live server on
PostgreSQL with the sandboxes on, as the demo users of `make run`.

The demo is loaded once for all of them (committed, so the live server and a Celery worker see it) and the
database is emptied after the last one; the tests therefore use different rows (or put back what they
change). All of them run in one xdist worker: each module sets `pytestmark = E2E` (support.py)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections
from pytest_django.plugin import blocking_manager_key

from tests.e2e.support import ARTIFACTS, CHROMIUM, E2E_GROUP, Demo, PageWatch, load_demo

E2E_DIR = Path(__file__).resolve().parent


@pytest.fixture(autouse=True)
def _live_server_helper(request):
    """Replaces pytest-django's helper of the same name: the live server without `transactional_db`, whose
    flush after every test would drop the demo loaded once for all the browser tests (see `demo`)."""
    if "live_server" not in request.fixturenames:
        yield
        return
    live_server = request.getfixturevalue("live_server")
    live_server._live_server_modified_settings.enable()
    yield
    live_server._live_server_modified_settings.disable()


class _BrowserRun:
    """The browser and the demo, shared by consecutive browser tests and closed after the last of them (see
    pytest_runtest_teardown): loading the demo and starting Chromium once saves most of the run's time."""

    def __init__(self):
        self.playwright = self.browser = self.demo = None
        self.async_unsafe_before: str | None = None

    def start_browser(self):
        if self.browser is None:
            from playwright.sync_api import sync_playwright

            if not os.access(CHROMIUM, os.X_OK):
                pytest.fail(f"No Chromium at {CHROMIUM}: install Debian's (apt-get install -y chromium "
                            "chromium-driver) or set E2E_CHROMIUM to another Chromium binary.", pytrace=False)
            self._allow_orm_beside_the_event_loop()
            self.playwright = sync_playwright().start()
            self.browser = self.playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        return self.browser

    def load_demo(self, live_server_url: str) -> Demo:
        if self.demo is None:
            self._allow_orm_beside_the_event_loop()
            self.demo = load_demo(live_server_url)
        return self.demo

    def _allow_orm_beside_the_event_loop(self):
        # Playwright's sync API keeps an event loop on this thread; Django refuses ORM calls from a thread with
        # a running loop unless told otherwise. Only while the browser tests run.
        if os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE") != "true":
            self.async_unsafe_before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE", "")
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    def close(self, db_blocker) -> None:
        try:
            if self.browser is not None:
                self.browser.close()
            if self.playwright is not None:
                self.playwright.stop()
        finally:
            self.playwright = self.browser = None
            if self.demo is not None:
                self.demo = None
                with db_blocker.unblock():
                    call_command("flush", interactive=False, verbosity=0)  # as TransactionTestCase does
                    # The demo's connection was opened beside Playwright's event loop, where pytest-django does
                    # not close it; left open, it keeps the test database from being dropped after the run.
                    connections.close_all()
                cache.clear()
            if self.async_unsafe_before is not None:
                if self.async_unsafe_before:
                    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = self.async_unsafe_before
                else:
                    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
                self.async_unsafe_before = None


_run = _BrowserRun()


@pytest.hookimpl(trylast=True)  # after the test's own fixtures are finalised
def pytest_runtest_teardown(item, nextitem):
    if nextitem is None or E2E_DIR not in Path(str(nextitem.path)).parents:
        _run.close(item.config.stash[blocking_manager_key])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A browser test's own ORM calls, made while Playwright marks its event loop as running, get connections
    of their own that pytest-django never closes; left open, they keep the test database from being dropped
    after the run. Close them where they were opened."""
    try:
        return (yield)
    finally:
        if E2E_DIR in Path(str(item.path)).parents:
            connections.close_all()


@pytest.fixture(scope="session")
def _browser_run(django_db_setup, django_db_blocker):
    """When the browser tests are the last of the run, `pytest_runtest_teardown` above comes only after the
    session's fixtures are finalised: close here, before the test database is dropped."""
    yield _run
    _run.close(django_db_blocker)


@pytest.fixture
def browser(_browser_run):
    return _browser_run.start_browser()


@pytest.fixture
def demo(_browser_run, django_db_blocker, live_server) -> Demo:
    """The demo of `make run`, committed (the live server and a Celery worker see it), its platform accounts
    pointed at this live server's sandboxes. Loaded by the first browser test; the database is emptied again
    after the last one."""
    with django_db_blocker.unblock():
        return _browser_run.load_demo(live_server.url)


@pytest.fixture(autouse=True)
def _db_in_test_body(request, django_db_blocker):
    """The test itself may read and prepare rows (committed at once: no wrapping transaction)."""
    if "demo" not in request.fixturenames:
        yield
        return
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def page(request, browser, demo, live_server):
    """A fresh browser (no cookies) on the live server. The test fails on any 4xx/5xx answer for a page asset
    (CSS, JS, image, font), on a server error page, and on a JavaScript error; its final screen is saved
    under tests/artifacts/."""
    group = request.node.get_closest_marker("xdist_group")
    if group is None or group.args[:1] != (E2E_GROUP,):
        pytest.fail(f"{request.module.__name__} needs `pytestmark = E2E` (tests/e2e/support.py)", pytrace=False)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1440, "height": 900},
                                  locale="en-US", accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    watch = PageWatch(page)
    page.watch = watch
    try:
        yield page
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{request.module.__name__.rsplit('.', 1)[-1]}-{request.node.name}")
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        finally:
            context.close()
    watch.assert_clean()
