"""The account endpoints of the API: /auth/* and /me, with a browser session."""

import re
from collections import Counter

import pytest
from django.core import mail
from django.db import connection
from rest_framework import status
from rest_framework.test import APIClient

from priorityvote.models import User
from tests.concurrency import send_at_once
from tests.conftest import PASSWORD

SIGN_UP = "/api/v1/auth/sign-up"
SIGN_IN = "/api/v1/auth/sign-in"
SIGN_OUT = "/api/v1/auth/sign-out"
PASSWORD_RESET = "/api/v1/auth/password-reset"
PASSWORD_RESET_CONFIRM = "/api/v1/auth/password-reset/confirm"
ME = "/api/v1/me"

NEW_PASSWORD = "purple elephant juggles teacups"
RESET_LINK = re.compile(r"https?://[^/\s]+/accounts/password-reset/([^/\s]+)/([^/\s]+)")
CHALLENGE = 'Bearer realm="priority.vote"'


def assert_error(response, status_code, code):
    assert response.status_code == status_code
    assert response.json()["error"] == code
    assert response.json()["detail"]


def sign_up_body(**fields):
    return {
        "email": "grace@example.com",
        "password": NEW_PASSWORD,
        "display_name": "Grace",
        **fields,
    }


def reset_link_parts(message):
    """Return (uid, token) from the link in a password-reset e-mail."""
    match = RESET_LINK.search(message.body)
    assert match, message.body
    return match.group(1), match.group(2)


def request_reset(client, email):
    response = client.post(PASSWORD_RESET, {"email": email})
    assert response.status_code == status.HTTP_202_ACCEPTED
    return reset_link_parts(mail.outbox[-1])


# Sign-up


@pytest.mark.django_db
def test_sign_up_creates_account(api):
    response = api.post(SIGN_UP, sign_up_body())

    assert response.status_code == status.HTTP_201_CREATED
    user = User.objects.get(email="grace@example.com")
    assert response.json() == {
        "id": user.pk,
        "email": "grace@example.com",
        "display_name": "Grace",
    }
    assert user.check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_sign_up_starts_session(api):
    api.post(SIGN_UP, sign_up_body())

    response = api.get(ME)

    assert response.status_code == status.HTTP_200_OK
    assert response.json()["user"]["email"] == "grace@example.com"


@pytest.mark.django_db
def test_sign_up_lowercases_email(api):
    response = api.post(SIGN_UP, sign_up_body(email=" Grace@Example.COM "))

    assert response.status_code == status.HTTP_201_CREATED
    assert response.json()["email"] == "grace@example.com"
    assert User.objects.filter(email="grace@example.com").exists()


def test_sign_up_rejects_existing_email_in_other_case(api, member):
    users_before = User.objects.count()

    response = api.post(SIGN_UP, sign_up_body(email="BOB@Example.com"))

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert "email" in response.json()["fields"]
    assert User.objects.count() == users_before


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["password", "12345678901", "short"])
def test_sign_up_rejects_weak_password(api, password):
    response = api.post(SIGN_UP, sign_up_body(password=password))

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert "password" in response.json()["fields"]
    assert not User.objects.exists()


@pytest.mark.django_db
def test_sign_up_rejects_unknown_field(api):
    response = api.post(SIGN_UP, sign_up_body(is_staff=True))

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert response.json()["fields"] == {"is_staff": ["Unknown field."]}
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("missing", ["email", "password", "display_name"])
def test_sign_up_requires_field(api, missing):
    body = sign_up_body()
    del body[missing]

    response = api.post(SIGN_UP, body)

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert missing in response.json()["fields"]
    assert not User.objects.exists()


@pytest.mark.django_db
def test_sign_up_rejects_invalid_email(api):
    response = api.post(SIGN_UP, sign_up_body(email="not an address"))

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert "email" in response.json()["fields"]
    assert not User.objects.exists()


# Sign-in


def test_sign_in_returns_user(api, owner):
    response = api.post(SIGN_IN, {"email": "ada@example.com", "password": PASSWORD})

    assert response.status_code == status.HTTP_200_OK
    assert response.json() == {
        "id": owner.pk,
        "email": "ada@example.com",
        "display_name": "Ada",
    }


def test_sign_in_starts_session(api, owner):
    api.post(SIGN_IN, {"email": "ada@example.com", "password": PASSWORD})

    response = api.get(ME)

    assert response.status_code == status.HTTP_200_OK
    assert response.json()["user"]["id"] == owner.pk


def test_sign_in_ignores_email_case(api, owner):
    response = api.post(SIGN_IN, {"email": "ADA@Example.com", "password": PASSWORD})

    assert response.status_code == status.HTTP_200_OK
    assert response.json()["id"] == owner.pk


def test_sign_in_rejects_wrong_password(api, owner):
    response = api.post(SIGN_IN, {"email": "ada@example.com", "password": "wrong"})

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert "non_field_errors" in response.json()["fields"]
    assert_error(api.get(ME), status.HTTP_401_UNAUTHORIZED, "not_authenticated")


@pytest.mark.django_db
def test_sign_in_rejects_unknown_email(api):
    response = api.post(SIGN_IN, {"email": "nobody@example.com", "password": PASSWORD})

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")


def test_inactive_user_cannot_sign_in(api, make_user):
    make_user("gone@example.com", is_active=False)

    response = api.post(SIGN_IN, {"email": "gone@example.com", "password": PASSWORD})

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert_error(api.get(ME), status.HTTP_401_UNAUTHORIZED, "not_authenticated")


def test_sign_in_rejects_unknown_field(api, owner):
    body = {"email": "ada@example.com", "password": PASSWORD, "remember": True}

    response = api.post(SIGN_IN, body)

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert "remember" in response.json()["fields"]


# Sign-out


def test_sign_out_ends_session(session_client, owner):
    client = session_client(owner)

    response = client.post(SIGN_OUT)

    assert response.status_code == status.HTTP_204_NO_CONTENT
    assert_error(client.get(ME), status.HTTP_401_UNAUTHORIZED, "not_authenticated")


def test_sign_out_without_csrf_token_is_rejected(session_client, owner):
    client = session_client(owner, csrf=False)

    response = client.post(SIGN_OUT)

    assert_error(response, status.HTTP_403_FORBIDDEN, "permission_denied")
    assert client.get(ME).status_code == status.HTTP_200_OK


# Password reset


def test_password_reset_mails_existing_account(api, owner):
    response = api.post(PASSWORD_RESET, {"email": "ada@example.com"})

    assert response.status_code == status.HTTP_202_ACCEPTED
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.com"]
    assert RESET_LINK.search(mail.outbox[0].body)


def test_password_reset_ignores_email_case(api, owner):
    response = api.post(PASSWORD_RESET, {"email": "Ada@EXAMPLE.com"})

    assert response.status_code == status.HTTP_202_ACCEPTED
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.com"]


def test_password_reset_for_unknown_address_sends_nothing(api, owner):
    response = api.post(PASSWORD_RESET, {"email": "nobody@example.com"})

    assert response.status_code == status.HTTP_202_ACCEPTED
    assert mail.outbox == []


def test_password_reset_for_inactive_account_sends_nothing(api, make_user):
    make_user("gone@example.com", is_active=False)

    response = api.post(PASSWORD_RESET, {"email": "gone@example.com"})

    assert response.status_code == status.HTTP_202_ACCEPTED
    assert mail.outbox == []


def test_password_reset_answers_alike_for_any_address(api, owner):
    known = api.post(PASSWORD_RESET, {"email": "ada@example.com"})
    unknown = api.post(PASSWORD_RESET, {"email": "nobody@example.com"})

    assert known.status_code == unknown.status_code
    assert known.content == unknown.content


@pytest.mark.django_db
def test_password_reset_rejects_invalid_email(api):
    response = api.post(PASSWORD_RESET, {"email": "not an address"})

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert "email" in response.json()["fields"]


def test_password_reset_confirm_sets_password(api, owner):
    uid, token = request_reset(api, "ada@example.com")

    response = api.post(
        PASSWORD_RESET_CONFIRM,
        {"uid": uid, "token": token, "new_password": NEW_PASSWORD},
    )

    assert response.status_code == status.HTTP_204_NO_CONTENT
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)


def test_sign_in_works_with_reset_password(api, owner):
    uid, token = request_reset(api, "ada@example.com")
    api.post(
        PASSWORD_RESET_CONFIRM,
        {"uid": uid, "token": token, "new_password": NEW_PASSWORD},
    )
    client = APIClient()

    new = client.post(SIGN_IN, {"email": "ada@example.com", "password": NEW_PASSWORD})
    old = client.post(SIGN_IN, {"email": "ada@example.com", "password": PASSWORD})

    assert new.status_code == status.HTTP_200_OK
    assert old.status_code == status.HTTP_400_BAD_REQUEST


def test_password_reset_link_works_once(api, owner):
    uid, token = request_reset(api, "ada@example.com")
    body = {"uid": uid, "token": token, "new_password": NEW_PASSWORD}
    api.post(PASSWORD_RESET_CONFIRM, body)
    password_after_first_use = User.objects.get(pk=owner.pk).password

    response = api.post(
        PASSWORD_RESET_CONFIRM, {**body, "new_password": "another fine passphrase"}
    )

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert User.objects.get(pk=owner.pk).password == password_after_first_use


def test_password_reset_confirm_rejects_bad_token(api, owner):
    uid, token = request_reset(api, "ada@example.com")
    bad_token = token[:-1] + ("a" if token[-1] != "a" else "b")

    response = api.post(
        PASSWORD_RESET_CONFIRM,
        {"uid": uid, "token": bad_token, "new_password": NEW_PASSWORD},
    )

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert "token" in response.json()["fields"]
    assert User.objects.get(pk=owner.pk).password == owner.password


@pytest.mark.parametrize("bad_uid", ["", "!!!", "bm90LWEtbnVtYmVy", "OTk5OTk5"])
def test_password_reset_confirm_rejects_bad_uid(api, owner, bad_uid):
    _, token = request_reset(api, "ada@example.com")

    response = api.post(
        PASSWORD_RESET_CONFIRM,
        {"uid": bad_uid, "token": token, "new_password": NEW_PASSWORD},
    )

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert User.objects.get(pk=owner.pk).password == owner.password


def test_password_reset_confirm_rejects_other_users_uid(api, owner, member):
    _, token = request_reset(api, "ada@example.com")
    member_uid, _ = request_reset(api, "bob@example.com")

    response = api.post(
        PASSWORD_RESET_CONFIRM,
        {"uid": member_uid, "token": token, "new_password": NEW_PASSWORD},
    )

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert User.objects.get(pk=member.pk).password == member.password


def test_password_reset_confirm_rejects_weak_password(api, owner):
    uid, token = request_reset(api, "ada@example.com")

    response = api.post(
        PASSWORD_RESET_CONFIRM, {"uid": uid, "token": token, "new_password": "password"}
    )

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert "new_password" in response.json()["fields"]
    assert User.objects.get(pk=owner.pk).password == owner.password


def test_password_reset_confirm_rejects_unknown_field(api, owner):
    uid, token = request_reset(api, "ada@example.com")
    body = {"uid": uid, "token": token, "new_password": NEW_PASSWORD, "email": "x"}

    response = api.post(PASSWORD_RESET_CONFIRM, body)

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert "email" in response.json()["fields"]
    assert User.objects.get(pk=owner.pk).password == owner.password


# Throttling of /auth/*


def wrong_sign_in(client, **extra):
    return client.post(
        SIGN_IN, {"email": "ada@example.com", "password": "wrong"}, **extra
    )


def test_fourth_sign_in_is_throttled(api, owner, settings):
    settings.PRIORITYVOTE_AUTH_RATE = "3/minute"
    for _ in range(3):
        assert wrong_sign_in(api).status_code == status.HTTP_400_BAD_REQUEST

    response = wrong_sign_in(api)

    assert_error(response, status.HTTP_429_TOO_MANY_REQUESTS, "throttled")
    assert int(response.headers["Retry-After"]) > 0


def test_throttled_sign_in_does_not_sign_in(api, owner, settings):
    settings.PRIORITYVOTE_AUTH_RATE = "3/minute"
    for _ in range(3):
        wrong_sign_in(api)

    response = api.post(SIGN_IN, {"email": "ada@example.com", "password": PASSWORD})

    assert response.status_code == status.HTTP_429_TOO_MANY_REQUESTS
    assert_error(api.get(ME), status.HTTP_401_UNAUTHORIZED, "not_authenticated")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "body"),
    [
        (SIGN_UP, {"email": "x", "password": "x", "display_name": "X"}),
        (PASSWORD_RESET, {"email": "nobody@example.com"}),
        (PASSWORD_RESET_CONFIRM, {"uid": "x", "token": "x", "new_password": "x"}),
    ],
)
def test_other_auth_endpoints_are_throttled(api, settings, path, body):
    settings.PRIORITYVOTE_AUTH_RATE = "3/minute"
    for _ in range(3):
        assert api.post(path, body).status_code != status.HTTP_429_TOO_MANY_REQUESTS

    response = api.post(path, body)

    assert_error(response, status.HTTP_429_TOO_MANY_REQUESTS, "throttled")


def test_throttle_counts_per_address(api, owner, settings):
    settings.PRIORITYVOTE_AUTH_RATE = "3/minute"
    for _ in range(3):
        wrong_sign_in(api, REMOTE_ADDR="203.0.113.1")

    response = wrong_sign_in(api, REMOTE_ADDR="203.0.113.2")

    assert response.status_code == status.HTTP_400_BAD_REQUEST


def test_forwarded_for_header_does_not_reset_throttle(api, owner, settings):
    settings.PRIORITYVOTE_AUTH_RATE = "3/minute"
    for number in range(3):
        wrong_sign_in(api, HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")

    response = wrong_sign_in(api, HTTP_X_FORWARDED_FOR="198.51.100.99")

    assert_error(response, status.HTTP_429_TOO_MANY_REQUESTS, "throttled")


def test_empty_rate_turns_throttle_off(api, owner, settings):
    settings.PRIORITYVOTE_AUTH_RATE = None

    responses = [wrong_sign_in(api) for _ in range(15)]

    assert {response.status_code for response in responses} == {
        status.HTTP_400_BAD_REQUEST
    }


def test_sign_out_is_not_throttled(session_client, owner, settings):
    settings.PRIORITYVOTE_AUTH_RATE = "3/minute"
    client = session_client(owner)
    for _ in range(3):
        wrong_sign_in(client)

    response = client.post(SIGN_OUT)

    assert response.status_code == status.HTTP_204_NO_CONTENT


# /me


def test_me_with_session(session_client, owner):
    response = session_client(owner).get(ME)

    assert response.status_code == status.HTTP_200_OK
    assert response.json() == {
        "user": {"id": owner.pk, "email": "ada@example.com", "display_name": "Ada"},
        "token": None,
    }


@pytest.mark.django_db
def test_me_without_credentials(api):
    response = api.get(ME)

    assert_error(response, status.HTTP_401_UNAUTHORIZED, "not_authenticated")
    assert response.headers["WWW-Authenticate"] == CHALLENGE


def test_me_for_deactivated_user_session(session_client, owner):
    client = session_client(owner)
    User.objects.filter(pk=owner.pk).update(is_active=False)

    response = client.get(ME)

    assert_error(response, status.HTTP_401_UNAUTHORIZED, "not_authenticated")


# Sign-ups that race for one address


def test_sign_up_losing_race_is_validation_error(api, member, address_check_misses):
    api.raise_request_exception = False
    users_before = User.objects.count()

    response = api.post(SIGN_UP, sign_up_body(email="bob@example.com"))

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert response.json()["fields"]["email"] == [
        "An account with this e-mail address exists."
    ]
    assert User.objects.count() == users_before
    assert User.objects.get(email="bob@example.com").password == member.password
    assert api.get(ME).status_code == status.HTTP_401_UNAUTHORIZED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sign_ups_create_one_account(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite runs one write at a time, so no race")
    settings.PRIORITYVOTE_AUTH_RATE = None
    attempts = 12

    def sign_up():
        client = APIClient()
        client.raise_request_exception = False
        return client.post(SIGN_UP, sign_up_body())

    responses = send_at_once(attempts, sign_up)

    codes = Counter(
        getattr(response, "status_code", response) for response in responses
    )
    assert codes == {
        status.HTTP_201_CREATED: 1,
        status.HTTP_400_BAD_REQUEST: attempts - 1,
    }
    for response in responses:
        if response.status_code == status.HTTP_400_BAD_REQUEST:
            assert response.json()["error"] == "validation_error"
            assert "email" in response.json()["fields"]
    assert User.objects.filter(email="grace@example.com").count() == 1


# Sign-out takes no body


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"bogus": 1}', "application/json"),
        ('{"bogus": 1', "application/json"),
        ("[]", "application/json"),
        ("bye", "text/plain"),
    ],
    ids=["unknown-field", "truncated-json", "list", "text-plain"],
)
def test_sign_out_with_body_keeps_session(session_client, owner, body, content_type):
    client = session_client(owner)

    response = client.post(SIGN_OUT, body, content_type=content_type)

    assert response.status_code in {
        status.HTTP_400_BAD_REQUEST,
        status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
    }
    assert response.json()["error"] in {"validation_error", "unsupported_media_type"}
    assert response.json()["detail"]
    assert client.get(ME).status_code == status.HTTP_200_OK


def test_sign_out_with_unknown_field_names_it(session_client, owner):
    client = session_client(owner)

    response = client.post(SIGN_OUT, {"bogus": 1}, format="json")

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert "bogus" in response.json()["fields"]
    assert client.get(ME).status_code == status.HTTP_200_OK


@pytest.mark.parametrize("body", [None, "{}"], ids=["no-body", "empty-object"])
def test_sign_out_without_body_ends_session(session_client, owner, body):
    client = session_client(owner)
    send = {} if body is None else {"data": body, "content_type": "application/json"}

    response = client.post(SIGN_OUT, **send)

    assert response.status_code == status.HTTP_204_NO_CONTENT
    assert client.get(ME).status_code == status.HTTP_401_UNAUTHORIZED
