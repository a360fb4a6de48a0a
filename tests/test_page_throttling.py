"""The account pages share the per-address limit of the /auth/ API."""

import pytest
from rest_framework import status

from priorityvote.models import User

WRONG_SIGN_IN = {"email": "ada@example.com", "password": "not the password"}


@pytest.fixture(autouse=True)
def low_rate(settings):
    settings.PRIORITYVOTE_AUTH_RATE = "2/minute"


def test_third_sign_in_attempt_is_throttled(client, owner):
    for _ in range(2):
        client.post("/accounts/sign-in", WRONG_SIGN_IN)

    response = client.post("/accounts/sign-in", WRONG_SIGN_IN)

    assert response.status_code == status.HTTP_429_TOO_MANY_REQUESTS
    assert b"Too many attempts" in response.content


def test_throttled_sign_in_does_not_sign_in(client, owner):
    for _ in range(2):
        client.post("/accounts/sign-in", WRONG_SIGN_IN)

    client.post("/accounts/sign-in", {"email": "ada@example.com", "password": "x"})

    assert "_auth_user_id" not in client.session


def test_pages_and_api_share_one_count(client, api, owner):
    for _ in range(2):
        api.post("/api/v1/auth/sign-in", WRONG_SIGN_IN, format="json")

    response = client.post("/accounts/sign-in", WRONG_SIGN_IN)

    assert response.status_code == status.HTTP_429_TOO_MANY_REQUESTS


def test_throttled_sign_up_creates_nothing(client, db):
    for _ in range(2):
        client.post("/accounts/sign-up", {"email": "not-an-address"})

    response = client.post(
        "/accounts/sign-up",
        {
            "email": "new@example.com",
            "display_name": "New",
            "password1": "a long enough passphrase",
            "password2": "a long enough passphrase",
        },
    )

    assert response.status_code == status.HTTP_429_TOO_MANY_REQUESTS
    assert not User.objects.filter(email="new@example.com").exists()


def test_password_reset_page_is_throttled(client, db):
    for _ in range(2):
        client.post("/accounts/password-reset", {"email": "ada@example.com"})

    response = client.post("/accounts/password-reset", {"email": "ada@example.com"})

    assert response.status_code == status.HTTP_429_TOO_MANY_REQUESTS


def test_reading_the_sign_in_page_is_not_counted(client, db):
    for _ in range(5):
        response = client.get("/accounts/sign-in")

    assert response.status_code == status.HTTP_200_OK


def test_other_address_is_not_throttled(client, owner):
    for _ in range(2):
        client.post("/accounts/sign-in", WRONG_SIGN_IN)

    response = client.post("/accounts/sign-in", WRONG_SIGN_IN, REMOTE_ADDR="10.0.0.2")

    assert response.status_code == status.HTTP_200_OK
