"""GET /api/v1/me: who is calling, and with which token."""

from datetime import datetime, timedelta

import pytest
from django.test import Client
from rest_framework import status

from initiatives import services
from tokens.models import PersonalAccessToken, Scope

ME = "/api/v1/me"
TOKEN_FIELDS = {
    "id",
    "name",
    "prefix",
    "scopes",
    "backlogs",
    "expires_at",
    "created_at",
    "last_used_at",
}


def parse_time(text):
    """Parse an ISO 8601 time from the API and check that it is in UTC."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert moment.utcoffset() == timedelta(0), text
    return moment


def test_me_shows_user(bearer, make_token, owner):
    _token, value = make_token(owner)

    body = bearer(value).get(ME).json()

    assert body["user"] == {
        "id": owner.pk,
        "email": owner.email,
        "display_name": owner.display_name,
    }


def test_me_shows_token_fields(bearer, make_token, owner):
    token, value = make_token(
        owner,
        name="jira-sync",
        scopes=[Scope.READ, Scope.WRITE_INITIATIVES],
        expires_in_days=90,
    )

    response = bearer(value).get(ME)

    token_data = response.json()["token"]
    token.refresh_from_db()
    assert response.status_code == status.HTTP_200_OK
    assert set(token_data) == TOKEN_FIELDS
    assert token_data["id"] == token.pk
    assert token_data["name"] == "jira-sync"
    assert token_data["prefix"] == token.prefix
    assert token_data["scopes"] == ["read", "write:initiatives"]
    assert token_data["backlogs"] == "all"
    assert parse_time(token_data["expires_at"]) == token.expires_at
    assert parse_time(token_data["created_at"]) == token.created_at
    assert parse_time(token_data["last_used_at"]) == token.last_used_at


def test_me_shows_restricted_backlogs_sorted(bearer, make_token, owner, backlog):
    later = services.create_backlog(owner, name="Another")
    _token, value = make_token(owner, backlogs=[later, backlog])

    token_data = bearer(value).get(ME).json()["token"]

    assert token_data["backlogs"] == sorted([backlog.pk, later.pk])


def test_me_shows_null_expiry(bearer, make_token, owner):
    _token, value = make_token(owner, expires_in_days=None)

    token_data = bearer(value).get(ME).json()["token"]

    assert token_data["expires_at"] is None


def test_me_shows_previous_last_use(bearer, make_token, owner):
    token, value = make_token(owner)
    earlier = token.created_at
    PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=earlier)

    token_data = bearer(value).get(ME).json()["token"]

    # Within a minute of the last recorded use, the time is not rewritten.
    assert parse_time(token_data["last_used_at"]) == earlier


def test_me_never_shows_value_or_digest(bearer, make_token, owner):
    token, value = make_token(owner)

    response = bearer(value).get(ME)

    assert value[len("pv_pat_") :] not in response.content.decode()
    assert token.digest not in response.content.decode()


def test_me_id_is_the_revoke_id(bearer, make_token, owner):
    _token, value = make_token(owner)
    token_id = bearer(value).get(ME).json()["token"]["id"]
    browser = Client()
    browser.force_login(owner)

    browser.post(f"/settings/tokens/{token_id}/revoke")

    response = bearer(value).get(ME)
    assert response.status_code == status.HTTP_401_UNAUTHORIZED
    assert response.json()["error"] == "invalid_token"


def test_me_with_session_has_no_token(session_client, owner):
    response = session_client(owner).get(ME)

    assert response.status_code == status.HTTP_200_OK
    assert response.json()["user"]["id"] == owner.pk
    assert response.json()["token"] is None


@pytest.mark.django_db
def test_me_without_credentials_is_401(api):
    response = api.get(ME)

    assert response.status_code == status.HTTP_401_UNAUTHORIZED
    assert response.json()["error"] == "not_authenticated"
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="priority.vote"'
