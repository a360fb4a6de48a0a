"""Steps the browser tests share: sign in, create things through the pages,
check a page's accessibility basics and save its screenshots."""

import json
import re
import urllib.error
import urllib.request
from pathlib import Path

SCREENSHOTS = Path(__file__).parent / "screenshots"
PHONE = {"width": 390, "height": 844}

TOKEN_VALUE = re.compile(r"pv_pat_[0-9A-Za-z]{49}")

# Each script returns the outerHTML of every element that fails its check.
UNLABELLED_FIELDS_JS = """() => {
  const fields = document.querySelectorAll(
    "input:not([type=hidden]):not([type=submit]), select, textarea");
  const named = (element) => {
    if ((element.getAttribute("aria-label") || "").trim()) return true;
    const ids = (element.getAttribute("aria-labelledby") || "").split(/\\s+/);
    return ids.some((id) => {
      const target = id && document.getElementById(id);
      return target && target.textContent.trim() !== "";
    });
  };
  return [...fields]
    .filter((field) => field.getClientRects().length > 0)
    .filter((field) => !named(field)
      && ![...field.labels].some((label) => label.textContent.trim() !== ""))
    .map((field) => field.outerHTML);
}"""

UNNAMED_BUTTONS_JS = """() => {
  const buttons = document.querySelectorAll(
    "button, input[type=submit], input[type=button], [role=button]");
  const name = (element) => {
    const labelledBy = (element.getAttribute("aria-labelledby") || "")
      .split(/\\s+/)
      .map((id) => id && document.getElementById(id))
      .filter(Boolean)
      .map((target) => target.textContent)
      .join(" ");
    return (labelledBy || element.getAttribute("aria-label")
      || element.textContent || element.value || element.title || "").trim();
  };
  return [...buttons].filter((button) => name(button) === "")
    .map((button) => button.outerHTML);
}"""

STYLESHEET_LOADED_JS = """() => [...document.styleSheets].some(
  (sheet) => sheet.href && sheet.href.endsWith("/site.css")
    && sheet.cssRules.length > 0)"""


def check_page(page, name):
    """Check the page's labels, button names and stylesheet, then save screenshots.

    Saves `name`.png at the desktop width and `name`-phone.png at 390x844.
    """
    assert page.evaluate(UNLABELLED_FIELDS_JS) == []
    assert page.evaluate(UNNAMED_BUTTONS_JS) == []
    assert page.evaluate(STYLESHEET_LOADED_JS), "site.css did not load"

    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    desktop = page.viewport_size
    page.set_viewport_size(PHONE)
    page.screenshot(path=SCREENSHOTS / f"{name}-phone.png", full_page=True)
    page.set_viewport_size(desktop)


def sign_in(page, email, password):
    page.goto("/accounts/sign-in")
    page.fill("[name=email]", email)
    page.fill("[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_url("**/backlogs")


def create_backlog(page, name, description):
    """Create a backlog through the form and return its id, read from the page URL."""
    page.goto("/backlogs")
    page.click("a.button:has-text('New backlog')")
    page.wait_for_url("**/backlogs/new")
    page.fill("[name=name]", name)
    page.fill("[name=description]", description)
    page.click("button:has-text('Create backlog')")
    page.wait_for_url(re.compile(r"/backlogs/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def open_token_form(page):
    page.goto("/settings/tokens")
    page.click("a.button:has-text('New token')")
    page.wait_for_url("**/settings/tokens/new")


def fill_token_form(page, name, scopes=("read",), backlogs=(), expires_in="30"):
    page.fill("[name=name]", name)
    for scope in scopes:
        page.check(f"[name=scopes][value='{scope}']")
    for backlog_id in backlogs:
        page.check(f"[name=backlogs][value='{backlog_id}']")
    page.select_option("[name=expires_in]", expires_in)


def create_token(page, name, **fields):
    """Create a token through the form and return its value from the page."""
    open_token_form(page)
    fill_token_form(page, name, **fields)
    page.click("button:has-text('Create token')")
    value = page.input_value("#token-value")
    assert TOKEN_VALUE.fullmatch(value)
    return value


def call_api(live_server, method, path, value, body=None):
    """Send one API request with the token and return (status, decoded JSON)."""
    data = None if body is None else json.dumps(body).encode()
    # The URL is always the live server's own http:// address.
    url = f"{live_server.url}/api/v1{path}"
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310
    request.add_header("Authorization", f"Bearer {value}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
