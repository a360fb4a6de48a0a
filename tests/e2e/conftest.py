"""Fixtures for the browser tests: one headless Chromium for the package, a page
per test, and pytest-django's live_server serving the app and its static files.

Every test in this folder is marked `e2e`. Without /usr/bin/chromium the tests
are skipped, unless PRIORITYVOTE_REQUIRE_E2E=1 (set by CI) makes that a failure.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
MISSING_CHROMIUM = "Chromium is not installed: apt-get install chromium"

# Playwright cannot download its own browser here, and Chromium's background
# connections (updates, sync, QUIC probes) must not leave the machine.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]

DESKTOP = {"width": 1280, "height": 800}

# The live server listens on the IPv4 loopback address, not on whatever
# "localhost" resolves to.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

E2E_DIR = Path(__file__).parent


def pytest_collection_modifyitems(items):
    for item in items:
        if E2E_DIR in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="package")
def browser():
    """Start one Chromium for all tests in this folder, and stop it after them.

    Package scope rather than session scope, because the running Playwright
    event loop would otherwise stay in the test thread for the rest of the
    suite.
    """
    if not CHROMIUM.exists():
        if os.environ.get("PRIORITYVOTE_REQUIRE_E2E") == "1":
            pytest.fail(f"{MISSING_CHROMIUM} (PRIORITYVOTE_REQUIRE_E2E=1)")
        pytest.skip(MISSING_CHROMIUM)

    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio event loop running in the test
    # thread, so Django would raise SynchronousOnlyOperation on every ORM call
    # the tests and the database fixtures make while the browser is open.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    finally:
        playwright.stop()
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def context(browser, live_server):
    """A fresh browser profile: no cookies, clipboard open to the live server."""
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url)
    # Pages here load in well under a second, so a missing element fails the
    # test after 10 s instead of Playwright's default 30 s.
    context.set_default_timeout(10_000)
    context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=live_server.url
    )
    yield context
    context.close()


@pytest.fixture
def page(context):
    """A page that records uncaught script errors and fails the test on any."""
    page = context.new_page()
    script_errors = []
    page.on("pageerror", lambda error: script_errors.append(error))
    yield page
    assert script_errors == [], f"Uncaught script errors: {script_errors}"
