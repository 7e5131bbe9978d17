"""Browser tests: Debian's Chromium (headless, driven by Playwright) against pytest-django's live server on
PostgreSQL with the sandboxes on, as the demo users of `make run`.

Each test module loads the demo once (committed, so the live server and a Celery worker see it) and empties
the database when its last test is done; the tests of a module therefore use different rows (or put back
what they change). All of them run in one xdist worker: each module sets `pytestmark = E2E` (support.py)."""

from __future__ import annotations

import os
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command

from tests.e2e.support import ARTIFACTS, CHROMIUM, E2E_GROUP, Demo, PageWatch, load_demo


@pytest.fixture(autouse=True)
def _live_server_helper(request):
    """Replaces pytest-django's helper of the same name: the live server without `transactional_db`, whose
    flush after every test would drop the demo that the module loaded once (see `demo`)."""
    if "live_server" not in request.fixturenames:
        yield
        return
    live_server = request.getfixturevalue("live_server")
    live_server._live_server_modified_settings.enable()
    yield
    live_server._live_server_modified_settings.disable()


@pytest.fixture(scope="module")
def _async_unsafe_allowed():
    # Playwright's sync API keeps an event loop on this thread; Django refuses ORM calls from a thread with a
    # running loop unless told otherwise. Only while the browser tests of a module run.
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if before is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="module")
def browser(_async_unsafe_allowed):
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"No Chromium at {CHROMIUM}: install Debian's (apt-get install -y chromium chromium-driver) "
                    "or set E2E_CHROMIUM to another Chromium binary.", pytrace=False)
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, live_server, _async_unsafe_allowed) -> Demo:
    """The demo of `make run`, committed, with its platform accounts pointed at this live server's sandboxes;
    the database is emptied again after the module's last test."""
    with django_db_blocker.unblock():
        try:
            yield load_demo(live_server.url)
        finally:
            call_command("flush", interactive=False, verbosity=0)
            cache.clear()


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
