"""The account pages under /accounts: sign-up, sign-in, sign-out, password reset."""

import re
from collections import Counter

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from rest_framework import status

from priorityvote.models import User
from tests.concurrency import send_at_once
from tests.conftest import PASSWORD

NEW_PASSWORD = "purple elephant juggles teacups"
RESET_PATH = re.compile(r"https?://[^/\s]+(/accounts/password-reset/[^/\s]+/[^/\s]+)")


@pytest.fixture
def browser():
    """A test client that checks CSRF tokens like a real browser request."""
    return Client(enforce_csrf_checks=True)


def submit(client, url, data):
    """GET the form page at `url`, then POST `data` with the page's CSRF token."""
    page = client.get(url)
    assert page.status_code == status.HTTP_200_OK
    token = client.cookies["csrftoken"].value
    return client.post(url, {**data, "csrfmiddlewaretoken": token})


def is_signed_in(client):
    return client.get("/backlogs").status_code == status.HTTP_200_OK


def sign_up_form(**fields):
    return {
        "email": "grace@example.com",
        "display_name": "Grace",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **fields,
    }


# Sign-up


@pytest.mark.django_db
def test_sign_up_page_has_form(browser):
    response = browser.get("/accounts/sign-up")

    assert response.status_code == status.HTTP_200_OK
    assert b'name="email"' in response.content
    assert b'name="password1"' in response.content


@pytest.mark.django_db
def test_sign_up_creates_account_and_signs_in(browser):
    response = submit(browser, "/accounts/sign-up", sign_up_form())

    assert response.status_code == status.HTTP_302_FOUND
    assert response.url == "/backlogs"
    user = User.objects.get(email="grace@example.com")
    assert user.check_password(NEW_PASSWORD)
    assert is_signed_in(browser)


@pytest.mark.django_db
def test_sign_up_page_lowercases_email(browser):
    submit(browser, "/accounts/sign-up", sign_up_form(email="Grace@Example.COM"))

    assert User.objects.filter(email="grace@example.com").exists()


def test_sign_up_page_rejects_existing_email(browser, member):
    users_before = User.objects.count()

    response = submit(
        browser, "/accounts/sign-up", sign_up_form(email="BOB@example.com")
    )

    assert response.status_code == status.HTTP_200_OK
    assert "An account with this e-mail address exists." in response.content.decode()
    assert User.objects.count() == users_before


@pytest.mark.django_db
def test_sign_up_page_rejects_weak_password(browser):
    form = sign_up_form(password1="password", password2="password")

    response = submit(browser, "/accounts/sign-up", form)

    assert response.status_code == status.HTTP_200_OK
    assert b'class="error"' in response.content
    assert not User.objects.exists()


@pytest.mark.django_db
def test_sign_up_without_csrf_token_is_rejected(browser):
    response = browser.post("/accounts/sign-up", sign_up_form())

    assert response.status_code == status.HTTP_403_FORBIDDEN
    assert not User.objects.exists()


# Sign-in


@pytest.mark.django_db
def test_sign_in_page_has_email_and_password_fields(browser):
    response = browser.get("/accounts/sign-in")

    assert response.status_code == status.HTTP_200_OK
    assert b'name="email"' in response.content
    assert b'name="password"' in response.content


def test_sign_in_page_signs_in(browser, owner):
    form = {"email": "ada@example.com", "password": PASSWORD}

    response = submit(browser, "/accounts/sign-in", form)

    assert response.status_code == status.HTTP_302_FOUND
    assert response.url == "/backlogs"
    assert is_signed_in(browser)


def test_sign_in_page_ignores_email_case(browser, owner):
    form = {"email": "ADA@Example.com", "password": PASSWORD}

    response = submit(browser, "/accounts/sign-in", form)

    assert response.status_code == status.HTTP_302_FOUND
    assert is_signed_in(browser)


def test_sign_in_page_follows_next(browser, owner, backlog):
    url = f"/accounts/sign-in?next=/backlogs/{backlog.pk}"
    form = {"email": "ada@example.com", "password": PASSWORD}

    response = submit(browser, url, {**form, "next": f"/backlogs/{backlog.pk}"})

    assert response.status_code == status.HTTP_302_FOUND
    assert response.url == f"/backlogs/{backlog.pk}"


def test_sign_in_page_rejects_wrong_password(browser, owner):
    form = {"email": "ada@example.com", "password": "wrong"}

    response = submit(browser, "/accounts/sign-in", form)

    assert response.status_code == status.HTTP_200_OK
    assert "The e-mail address or the password is incorrect." in (
        response.content.decode()
    )
    assert not is_signed_in(browser)


def test_inactive_user_cannot_sign_in_on_page(browser, make_user):
    make_user("gone@example.com", is_active=False)
    form = {"email": "gone@example.com", "password": PASSWORD}

    response = submit(browser, "/accounts/sign-in", form)

    assert response.status_code == status.HTTP_200_OK
    assert not is_signed_in(browser)


def test_sign_in_without_csrf_token_is_rejected(browser, owner):
    form = {"email": "ada@example.com", "password": PASSWORD}

    response = browser.post("/accounts/sign-in", form)

    assert response.status_code == status.HTTP_403_FORBIDDEN
    assert not is_signed_in(browser)


# Sign-out


def test_sign_out_takes_post_only(browser, owner):
    browser.force_login(owner)

    response = browser.get("/accounts/sign-out")

    assert response.status_code == status.HTTP_405_METHOD_NOT_ALLOWED
    assert is_signed_in(browser)


def test_sign_out_ends_session(browser, owner):
    browser.force_login(owner)
    browser.get("/backlogs")
    token = browser.cookies["csrftoken"].value

    response = browser.post("/accounts/sign-out", {"csrfmiddlewaretoken": token})

    assert response.status_code == status.HTTP_302_FOUND
    assert response.url == "/accounts/sign-in"
    assert not is_signed_in(browser)


def test_sign_out_without_csrf_token_is_rejected(browser, owner):
    browser.force_login(owner)

    response = browser.post("/accounts/sign-out")

    assert response.status_code == status.HTTP_403_FORBIDDEN
    assert is_signed_in(browser)


# Password reset


def reset_path_from_mail():
    match = RESET_PATH.search(mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_password_reset_page_sends_link(browser, owner):
    response = submit(browser, "/accounts/password-reset", {"email": "ada@example.com"})

    assert response.status_code == status.HTTP_302_FOUND
    assert response.url == "/accounts/password-reset/sent"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.com"]
    assert RESET_PATH.search(mail.outbox[0].body)


def test_password_reset_page_for_unknown_address(browser, owner):
    form = {"email": "nobody@example.com"}

    response = submit(browser, "/accounts/password-reset", form)

    assert response.status_code == status.HTTP_302_FOUND
    assert response.url == "/accounts/password-reset/sent"
    assert mail.outbox == []


def test_password_reset_flow_sets_new_password(browser, owner):
    submit(browser, "/accounts/password-reset", {"email": "ada@example.com"})
    link = browser.get(reset_path_from_mail())
    assert link.status_code == status.HTTP_302_FOUND
    form = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}

    response = submit(browser, link.url, form)

    assert response.status_code == status.HTTP_302_FOUND
    assert response.url == "/accounts/password-reset/complete"
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)
    signed_in = submit(
        Client(enforce_csrf_checks=True),
        "/accounts/sign-in",
        {"email": "ada@example.com", "password": NEW_PASSWORD},
    )
    assert signed_in.status_code == status.HTTP_302_FOUND


def test_password_reset_page_rejects_bad_link(browser, owner):
    submit(browser, "/accounts/password-reset", {"email": "ada@example.com"})
    path = reset_path_from_mail()
    bad_path = path[:-1] + ("a" if path[-1] != "a" else "b")

    response = browser.get(bad_path)

    assert response.status_code == status.HTTP_200_OK
    assert not response.context["validlink"]
    assert b'name="new_password1"' not in response.content


def test_password_reset_page_rejects_weak_password(browser, owner):
    submit(browser, "/accounts/password-reset", {"email": "ada@example.com"})
    link = browser.get(reset_path_from_mail())
    form = {"new_password1": "password", "new_password2": "password"}

    response = submit(browser, link.url, form)

    assert response.status_code == status.HTTP_200_OK
    assert User.objects.get(pk=owner.pk).password == owner.password


# Sign-ups that race for one address


def test_sign_up_page_losing_race_shows_error(browser, member, address_check_misses):
    browser.raise_request_exception = False
    users_before = User.objects.count()

    response = submit(
        browser, "/accounts/sign-up", sign_up_form(email="bob@example.com")
    )

    assert response.status_code == status.HTTP_200_OK
    assert response.context["form"].errors["email"] == [
        "An account with this e-mail address exists."
    ]
    assert User.objects.count() == users_before
    assert User.objects.get(email="bob@example.com").password == member.password
    assert not is_signed_in(browser)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sign_up_pages_create_one_account(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite runs one write at a time, so no race")
    settings.PRIORITYVOTE_AUTH_RATE = None
    attempts = 12

    def sign_up():
        # Django's test client skips the CSRF check, which is not under test.
        client = Client()
        client.raise_request_exception = False
        return client.post("/accounts/sign-up", sign_up_form())

    responses = send_at_once(attempts, sign_up)

    codes = Counter(
        getattr(response, "status_code", response) for response in responses
    )
    assert codes == {
        status.HTTP_302_FOUND: 1,
        status.HTTP_200_OK: attempts - 1,
    }
    for response in responses:
        if response.status_code == status.HTTP_200_OK:
            assert "An account with this e-mail address exists." in (
                response.content.decode()
            )
    assert User.objects.filter(email="grace@example.com").count() == 1
