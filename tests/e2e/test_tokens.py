"""Personal access tokens driven through the settings pages, then used by a script."""

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.conftest import PASSWORD
from tests.e2e.pages import (
    call_api,
    check_page,
    create_backlog,
    create_token,
    fill_token_form,
    open_token_form,
    sign_in,
)

XSS_NAME = "<img src=x onerror=alert(1)>"
MAX_TAB_PRESSES = 20


@pytest.fixture
def ada(make_user):
    return make_user("ada@example.com", "Ada")


@pytest.fixture
def signed_in(page, ada):
    """The page, signed in as Ada."""
    sign_in(page, ada.email, PASSWORD)
    return page


@pytest.fixture
def team(signed_in):
    """The id of a backlog that Ada creates in the browser, so she owns it."""
    return create_backlog(signed_in, "Team", "What we build next")


def focus_by_tab(page, element_id):
    """Press Tab from the top of the page until the element has focus.

    Return the number of presses, or None after MAX_TAB_PRESSES.
    """
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for presses in range(1, MAX_TAB_PRESSES + 1):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return presses
    return None


def test_token_value_shown_once(signed_in, team):
    page = signed_in
    open_token_form(page)
    check_page(page, "token-new")

    fill_token_form(
        page,
        "jira-sync",
        scopes=("read", "write:initiatives"),
        backlogs=[team],
        expires_in="90",
    )
    page.click("button:has-text('Create token')")
    value = page.input_value("#token-value")
    assert value.startswith("pv_pat_")
    assert page.get_by_text("it is shown only once").is_visible()
    details = page.locator("dl.details").inner_text()
    assert "read, write:initiatives" in details
    assert "Team" in details
    check_page(page, "token-created")

    assert focus_by_tab(page, "token-value") is not None
    field = page.locator("#token-value")
    assert field.get_attribute("readonly") is not None

    # Headless Chromium reaches the clipboard here, because the context grants
    # clipboard-read and clipboard-write for the live server's origin.
    page.click("#copy-token")
    page.wait_for_function("document.getElementById('copy-status').textContent !== ''")
    assert page.locator("#copy-status").inner_text() == "Copied to the clipboard."
    assert page.evaluate("navigator.clipboard.readText()") == value
    check_page(page, "token-copied")

    # The reload resubmits the POST: the form comes back with an error.
    page.reload()
    assert value not in page.content()
    assert page.get_by_text("This form was already submitted").is_visible()
    check_page(page, "token-form-resubmitted")

    page.go_back()
    assert value not in page.content()


def test_token_value_gone_after_leaving(signed_in):
    page = signed_in
    value = create_token(page, "ci-bot")
    page.click("a:has-text('Done, back to my tokens')")
    page.wait_for_url("**/settings/tokens")
    assert value not in page.content()

    try:
        page.go_back()
    except PlaywrightError as error:
        # Chromium keeps no copy of a no-store response to a POST, so going
        # back shows its own "Confirm form resubmission" error page instead.
        assert "net::ERR_CACHE_MISS" in error.message
        page.wait_for_url("chrome-error://chromewebdata/")
    assert value not in page.content()


def test_token_creates_initiative_via_api(signed_in, team, live_server):
    page = signed_in
    value = create_token(
        page, "jira-sync", scopes=("read", "write:initiatives"), backlogs=[team]
    )

    status, body = call_api(
        live_server,
        "POST",
        f"/backlogs/{team}/initiatives",
        value,
        {"title": "Sync from Jira", "description": "Created by a script."},
    )
    assert status == 201, body
    assert body["title"] == "Sync from Jira"

    page.goto(f"/backlogs/{team}")
    assert page.locator(".ranking h2").all_inner_texts() == ["Sync from Jira"]
    check_page(page, "backlog-with-api-initiative")

    page.click("a:has-text('Logbook')")
    page.wait_for_url("**/logbook")
    entry = page.locator(".logbook .entry").first
    assert "Ada created Sync from Jira, via 'jira-sync' token" in entry.inner_text()
    check_page(page, "backlog-logbook-via-token")

    page.click("nav a:has-text('Activity')")
    page.wait_for_url("**/settings/activity")
    assert page.get_by_text("via 'jira-sync' token").first.is_visible()
    check_page(page, "activity")


def test_revoked_token_is_rejected(signed_in, live_server):
    page = signed_in
    value = create_token(page, "ci-bot")
    page.goto("/settings/tokens")
    row = page.locator("tr", has_text="ci-bot")
    assert row.locator("td.last-used").inner_text() == "Never used"

    status, body = call_api(live_server, "GET", "/me", value)
    assert status == 200, body
    assert body["token"]["name"] == "ci-bot"

    page.reload()
    assert page.locator("th", has_text="Last used").is_visible()
    assert row.locator("td.last-used time").count() == 1
    check_page(page, "token-list")

    row.locator("a:has-text('Revoke')").click()
    page.wait_for_url("**/revoke")
    assert page.get_by_text("stops working at once").is_visible()
    check_page(page, "token-revoke")
    page.click("button:has-text('Revoke token')")
    page.wait_for_url("**/settings/tokens")
    assert page.get_by_text("Revoked “ci-bot”").is_visible()
    assert row.locator(".status-badge").inner_text() == "revoked"
    check_page(page, "token-list-revoked")

    status, body = call_api(live_server, "GET", "/me", value)
    assert status == 401
    assert body["error"] == "invalid_token"


def test_eleventh_token_shows_limit_error(signed_in, ada, make_token):
    page = signed_in
    for number in range(10):
        make_token(ada, name=f"script-{number}")

    open_token_form(page)
    fill_token_form(page, "one-too-many")
    page.click("button:has-text('Create token')")
    assert page.locator("#token-value").count() == 0
    error = page.locator(".form-errors")
    assert "You have 10 active tokens, the maximum." in error.inner_text()
    assert page.input_value("[name=name]") == "one-too-many"
    check_page(page, "token-limit-error")

    page.goto("/settings/tokens")
    assert page.get_by_text("one-too-many").count() == 0


def test_token_name_renders_as_text(signed_in):
    page = signed_in
    dialogs = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))

    create_token(page, XSS_NAME)
    assert page.locator("h1").inner_text() == f"Token “{XSS_NAME}” created"
    assert page.locator("main img").count() == 0
    check_page(page, "token-created-markup-name")

    page.goto("/settings/tokens")
    assert page.get_by_text(XSS_NAME, exact=True).is_visible()
    assert page.locator("main img").count() == 0

    page.goto("/settings/activity")
    assert page.get_by_text(XSS_NAME).is_visible()
    assert page.locator("main img").count() == 0
    assert dialogs == []
