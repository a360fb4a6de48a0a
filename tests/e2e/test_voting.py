"""A new person signs up, builds a backlog and votes, all in the browser."""

from tests.e2e.pages import check_page


def ranked_titles(page):
    return page.locator(".ranking .initiative h2").all_inner_texts()


def add_initiative(page, title, description):
    page.click("a.button:has-text('New initiative')")
    page.wait_for_url("**/initiatives/new")
    page.fill("[name=title]", title)
    page.fill("[name=description]", description)
    page.click("button:has-text('Create initiative')")
    page.wait_for_url("**/backlogs/*")


def test_vote_moves_initiative_to_first_place(page):
    page.goto("/")
    check_page(page, "home")
    page.click("main a.button:has-text('Sign up')")
    page.wait_for_url("**/accounts/sign-up")
    check_page(page, "sign-up")

    page.fill("[name=email]", "grace@example.com")
    page.fill("[name=display_name]", "Grace")
    page.fill("[name=password1]", "a long passphrase for e2e")
    page.fill("[name=password2]", "a long passphrase for e2e")
    page.click("button:has-text('Create account')")
    page.wait_for_url("**/backlogs")
    check_page(page, "dashboard-empty")

    page.click("a.button:has-text('New backlog')")
    page.wait_for_url("**/backlogs/new")
    check_page(page, "backlog-new")
    page.fill("[name=name]", "Mobile app")
    page.fill("[name=description]", "What the mobile team builds next")
    page.click("button:has-text('Create backlog')")
    page.wait_for_url("**/backlogs/*")
    check_page(page, "backlog-empty")

    page.click("a.button:has-text('New initiative')")
    page.wait_for_url("**/initiatives/new")
    check_page(page, "initiative-new")
    page.go_back()
    add_initiative(page, "Offline mode", "Read the backlog without a connection.")
    add_initiative(page, "Dark mode", "A dark theme that follows the system setting.")
    assert ranked_titles(page) == ["Offline mode", "Dark mode"]
    check_page(page, "backlog-before-vote")

    page.click("button[aria-label='Vote for Dark mode']")
    page.wait_for_load_state()
    assert ranked_titles(page) == ["Dark mode", "Offline mode"]
    first = page.locator(".ranking .initiative").first
    assert first.locator(".votes strong").inner_text() == "1"
    assert first.locator("button").inner_text() == "Unvote"
    check_page(page, "backlog-after-vote")

    page.click("a:has-text('Logbook')")
    page.wait_for_url("**/logbook")
    assert page.get_by_text("Grace voted for Dark mode").is_visible()
    check_page(page, "backlog-logbook-after-vote")

    page.goto("/backlogs")
    assert page.locator(".cards .card-title").all_inner_texts() == ["Mobile app"]
    check_page(page, "dashboard")
