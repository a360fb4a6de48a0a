"""Bearer authentication with personal access tokens, and what it records."""

import base64
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import status
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from tokens import values
from tokens.authentication import BearerTokenAuthentication, InvalidToken
from tokens.models import PersonalAccessToken

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"
NO_CREDENTIALS_CHALLENGE = 'Bearer realm="priority.vote"'
# RFC 6750, section 3: error_description is printable ASCII without '"' and '\'.
INVALID_TOKEN_CHALLENGE = re.compile(
    r'Bearer realm="priority\.vote", error="invalid_token", '
    r'error_description="[\x20\x21\x23-\x5B\x5D-\x7E]+"'
)


@pytest.fixture
def token_and_value(make_token, owner, backlog):
    return make_token(owner)


def assert_not_authenticated(response):
    assert response.status_code == status.HTTP_401_UNAUTHORIZED
    assert response.json()["error"] == "not_authenticated"
    assert response.headers["WWW-Authenticate"] == NO_CREDENTIALS_CHALLENGE


def assert_invalid_token(response):
    assert response.status_code == status.HTTP_401_UNAUTHORIZED
    assert response.json()["error"] == "invalid_token"
    assert INVALID_TOKEN_CHALLENGE.fullmatch(response.headers["WWW-Authenticate"])


def drf_request(authorization):
    request = APIRequestFactory().get(ME, HTTP_AUTHORIZATION=authorization)
    return Request(request)


def with_checksum_changed(value):
    return value[:-1] + ("0" if value[-1] != "0" else "1")


def test_token_authenticates_request(bearer, token_and_value, owner):
    token, value = token_and_value

    response = bearer(value).get(ME)

    assert response.status_code == status.HTTP_200_OK
    assert response.json()["user"]["id"] == owner.pk
    assert response.json()["token"]["id"] == token.pk


@pytest.mark.parametrize("scheme", ["bearer", "BEARER", "bEaReR"])
def test_scheme_is_case_insensitive(api, token_and_value, scheme):
    _token, value = token_and_value
    api.credentials(HTTP_AUTHORIZATION=f"{scheme} {value}")

    response = api.get(ME)

    assert response.status_code == status.HTTP_200_OK


def test_no_credentials_is_not_authenticated(api):
    assert_not_authenticated(api.get(ME))


def test_query_string_token_is_not_a_credential(api, token_and_value):
    _token, value = token_and_value

    assert_not_authenticated(api.get(ME, {"access_token": value}))


@pytest.mark.parametrize("cookie", ["access_token", "token", "Authorization"])
def test_cookie_token_is_not_a_credential(api, token_and_value, cookie):
    _token, value = token_and_value
    api.cookies[cookie] = value

    assert_not_authenticated(api.get(ME))


@pytest.mark.parametrize("scheme", ["Basic", "Token"])
def test_other_scheme_is_not_a_credential(api, token_and_value, scheme):
    _token, value = token_and_value
    api.credentials(HTTP_AUTHORIZATION=f"{scheme} {value}")

    assert_not_authenticated(api.get(ME))


def test_basic_token_password_is_not_credential(api, token_and_value, owner):
    _token, value = token_and_value
    pair = base64.b64encode(f"{owner.email}:{value}".encode()).decode()
    api.credentials(HTTP_AUTHORIZATION=f"Basic {pair}")

    assert_not_authenticated(api.get(ME))


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Bearer    "])
def test_empty_bearer_is_invalid_token(api, header, database_dump):
    api.credentials(HTTP_AUTHORIZATION=header)
    before = database_dump()

    response = api.get(ME)

    assert_invalid_token(response)
    assert database_dump() == before


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda value: "abc", id="short"),
        pytest.param(with_checksum_changed, id="tampered-checksum"),
        pytest.param(lambda value: value[:-1], id="truncated"),
        pytest.param(lambda value: value[:30], id="half"),
        pytest.param(lambda value: value + "A", id="one-extra-character"),
        pytest.param(lambda value: value.upper(), id="upper-case"),
        pytest.param(lambda value: f"{value} {value}", id="two-values"),
    ],
)
def test_malformed_token_is_invalid_token(bearer, token_and_value, change):
    _token, value = token_and_value

    assert_invalid_token(bearer(change(value)).get(ME))


def test_unknown_token_is_invalid_token(bearer, token_and_value, database_dump):
    before = database_dump()

    response = bearer(values.generate_token()).get(ME)

    assert_invalid_token(response)
    assert database_dump() == before


def test_expired_token_is_invalid_token(bearer, token_and_value, database_dump):
    token, value = token_and_value
    token.expires_at = timezone.now() - timedelta(seconds=1)
    token.save(update_fields=["expires_at"])
    before = database_dump()

    response = bearer(value).get(ME)

    assert_invalid_token(response)
    assert database_dump() == before


def test_revoked_token_is_rejected(bearer, token_and_value, database_dump):
    token, value = token_and_value
    token.revoke()
    before = database_dump()

    response = bearer(value).get(ME)

    assert_invalid_token(response)
    assert database_dump() == before


def test_token_of_inactive_owner_is_rejected(
    bearer, token_and_value, owner, database_dump
):
    _token, value = token_and_value
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    before = database_dump()

    response = bearer(value).get(ME)

    assert_invalid_token(response)
    assert database_dump() == before


def test_rejected_token_keeps_last_used_at(bearer, token_and_value):
    token, value = token_and_value
    token.revoke()

    bearer(value).get(ME)

    token.refresh_from_db()
    assert token.last_used_at is None


def test_huge_bearer_header_is_invalid_token(bearer):
    assert_invalid_token(bearer("a" * 8192).get(ME))


def test_huge_header_of_other_scheme_is_not_authenticated(api):
    api.credentials(HTTP_AUTHORIZATION="x" * 8192)

    assert_not_authenticated(api.get(ME))


def test_non_ascii_bearer_value_is_invalid_token(bearer, token_and_value):
    _token, value = token_and_value
    # A WSGI server decodes header bytes as latin-1, so this is what arrives.
    changed = value[:20] + "é" + value[21:]

    assert_invalid_token(bearer(changed).get(ME))


@pytest.mark.parametrize(
    "header",
    [
        "Bearer " + "é" * 56,
        "Bearer pv_pat_\xff\xfe\x00\x01",
        "Bearer\xa0pv_pat_abc",
        "\xe9\xe8 pv_pat_abc",
        "Bearer " + "\x00" * 8192,
    ],
    ids=["latin-1", "binary", "no-break-space", "latin-1-scheme", "nul-bytes"],
)
def test_odd_header_is_401_not_500(api, header):
    api.credentials(HTTP_AUTHORIZATION=header)

    response = api.get(ME)

    assert response.status_code == status.HTTP_401_UNAUTHORIZED


def test_bad_bearer_with_session_is_rejected(session_client, owner):
    client = session_client(owner)
    client.credentials(HTTP_AUTHORIZATION="Bearer pv_pat_not-a-token")

    assert_invalid_token(client.get(ME))


def test_revoked_bearer_with_session_is_rejected(
    session_client, owner, token_and_value
):
    token, value = token_and_value
    token.revoke()
    client = session_client(owner)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {value}")

    assert_invalid_token(client.get(ME))


def test_bearer_decides_over_session_user(session_client, outsider, token_and_value):
    token, value = token_and_value
    client = session_client(outsider)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {value}")

    response = client.get(ME)

    assert response.status_code == status.HTTP_200_OK
    assert response.json()["user"]["id"] == token.user_id
    assert response.json()["token"]["id"] == token.pk


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda value: "", id="empty"),
        pytest.param(with_checksum_changed, id="tampered-checksum"),
        pytest.param(lambda value: value[:-1], id="truncated"),
        pytest.param(lambda value: value[:20] + "é" + value[21:], id="non-ascii"),
        pytest.param(lambda value: "a" * 8192, id="huge"),
    ],
)
def test_malformed_token_costs_no_query(
    token_and_value, change, django_assert_num_queries
):
    _token, value = token_and_value
    request = drf_request(f"Bearer {change(value)}")

    with django_assert_num_queries(0), pytest.raises(InvalidToken):
        BearerTokenAuthentication().authenticate(request)


def test_malformed_token_request_reads_nothing(bearer, token_and_value):
    _token, value = token_and_value
    client = bearer(with_checksum_changed(value))

    with CaptureQueriesContext(connection) as queries:
        response = client.get(ME)

    # ATOMIC_REQUESTS wraps the view in a savepoint, which is not a read.
    statements = [
        query["sql"]
        for query in queries.captured_queries
        if "SAVEPOINT" not in query["sql"].upper()
    ]
    assert response.status_code == status.HTTP_401_UNAUTHORIZED
    assert statements == []


def test_valid_token_costs_one_query(token_and_value, django_assert_num_queries):
    token, value = token_and_value
    PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    request = drf_request(f"Bearer {value}")

    with django_assert_num_queries(1):
        user, authenticated = BearerTokenAuthentication().authenticate(request)

    assert user.pk == token.user_id
    assert authenticated.pk == token.pk
    assert user.is_active


def test_first_use_sets_last_used_at(bearer, token_and_value):
    token, value = token_and_value
    before = timezone.now()

    bearer(value).get(ME)

    token.refresh_from_db()
    assert token.last_used_at is not None
    assert before <= token.last_used_at <= timezone.now()


def test_use_within_a_minute_does_not_write(bearer, token_and_value):
    token, value = token_and_value
    recent = timezone.now() - timedelta(seconds=30)
    PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=recent)

    with CaptureQueriesContext(connection) as queries:
        response = bearer(value).get(ME)

    updates = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].upper().startswith("UPDATE")
    ]
    token.refresh_from_db()
    assert response.status_code == status.HTTP_200_OK
    assert updates == []
    assert token.last_used_at == recent


def test_use_after_a_minute_updates_last_used_at(bearer, token_and_value):
    token, value = token_and_value
    earlier = timezone.now() - timedelta(minutes=2)
    PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=earlier)

    bearer(value).get(ME)

    token.refresh_from_db()
    assert token.last_used_at > earlier + timedelta(minutes=1)


def test_second_use_keeps_first_last_used_at(bearer, token_and_value):
    token, value = token_and_value
    client = bearer(value)
    client.get(ME)
    token.refresh_from_db()
    first = token.last_used_at

    client.get(ME)

    token.refresh_from_db()
    assert token.last_used_at == first


@pytest.mark.parametrize("method", ["head", "options"])
def test_head_and_options_need_a_valid_token(bearer, method):
    client = bearer(values.generate_token())

    response = getattr(client, method)(ME)

    assert response.status_code == status.HTTP_401_UNAUTHORIZED
    assert INVALID_TOKEN_CHALLENGE.fullmatch(response.headers["WWW-Authenticate"])


def test_challenge_description_matches_detail(bearer, token_and_value):
    token, value = token_and_value
    token.revoke()

    response = bearer(value).get(ME)

    description = re.search(
        r'error_description="([^"]*)"', response.headers["WWW-Authenticate"]
    )[1]
    assert description == response.json()["detail"]


@pytest.mark.parametrize("separator", ["\t", " \t", "\t\t", "  "])
def test_bearer_with_other_whitespace_authenticates(api, token_and_value, separator):
    token, value = token_and_value
    api.credentials(HTTP_AUTHORIZATION=f"Bearer{separator}{value}")

    response = api.get(ME)

    assert response.status_code == status.HTTP_200_OK
    assert response.json()["token"]["id"] == token.pk


def test_bearer_with_tab_and_garbage_overrides_session(session_client, owner):
    client = session_client(owner)
    client.credentials(HTTP_AUTHORIZATION="Bearer\tgarbage")

    assert_invalid_token(client.get(ME))


def test_bearer_with_tab_and_nothing_overrides_session(session_client, owner):
    client = session_client(owner)
    client.credentials(HTTP_AUTHORIZATION="Bearer\t")

    assert_invalid_token(client.get(ME))


@pytest.mark.parametrize("header", ["Bearer\tgarbage", "bearer\t\tpv_pat_x"])
def test_bearer_with_tab_is_a_bearer_header(header):
    with pytest.raises(InvalidToken):
        BearerTokenAuthentication().authenticate(drf_request(header))
