"""Malformed requests get a 4xx in the API's error format, never a 500.

Also the request-level rules that hold on every endpoint: 405 for methods
outside the API table, HEAD wherever GET is, OPTIONS everywhere, and CSRF
checks for session requests.
"""

import json

import pytest
from django.test import Client
from rest_framework import status
from rest_framework.test import APIClient

from initiatives.models import Membership, Vote

CHALLENGE = 'Bearer realm="priority.vote"'


def assert_error(response, status_code, code):
    assert response.status_code == status_code
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == code
    assert response.json()["detail"]


@pytest.fixture
def owner_client(session_client, owner):
    client = session_client(owner)
    client.raise_request_exception = False
    return client


@pytest.fixture
def anonymous():
    """A client without credentials that, like a real one, gets CSRF checks."""
    client = APIClient(enforce_csrf_checks=True)
    client.raise_request_exception = False
    return client


@pytest.fixture
def ids(backlog, initiative, member):
    Vote.objects.create(initiative=initiative, user=member)
    return {"backlog": backlog.pk, "initiative": initiative.pk, "user": member.pk}


@pytest.fixture
def targets(backlog, initiative, member):
    """The objects that requests in this file could change."""
    return backlog, initiative, Membership.objects.get(backlog=backlog, user=member)


# Endpoints that take a JSON body, each with a valid body built around `text`.
BODY_ENDPOINTS = {
    "sign-up": (
        "post",
        "/api/v1/auth/sign-up",
        lambda text: {
            "email": "grace@example.com",
            "password": f"purple elephant {text}",
            "display_name": f"Grace {text}",
        },
    ),
    "sign-in": (
        "post",
        "/api/v1/auth/sign-in",
        lambda text: {"email": "ada@example.com", "password": f"secret {text}"},
    ),
    "password-reset": (
        "post",
        "/api/v1/auth/password-reset",
        lambda text: {"email": f"ada{text}@example.com"},
    ),
    "password-reset-confirm": (
        "post",
        "/api/v1/auth/password-reset/confirm",
        lambda text: {"uid": f"M{text}", "token": f"t{text}", "new_password": text},
    ),
    "backlogs": (
        "post",
        "/api/v1/backlogs",
        lambda text: {"name": f"Name {text}", "description": text},
    ),
    "backlog": (
        "patch",
        "/api/v1/backlogs/{backlog}",
        lambda text: {"name": f"Name {text}", "description": text},
    ),
    "members": (
        "post",
        "/api/v1/backlogs/{backlog}/members",
        lambda text: {"email": f"eve{text}@example.com", "role": f"viewer{text}"},
    ),
    "initiatives": (
        "post",
        "/api/v1/backlogs/{backlog}/initiatives",
        lambda text: {
            "title": f"Title {text}",
            "description": text,
            "status": f"planned{text}",
        },
    ),
    "initiative": (
        "patch",
        "/api/v1/backlogs/{backlog}/initiatives/{initiative}",
        lambda text: {"title": f"Title {text}", "description": text},
    ),
}
BODY_ENDPOINT_NAMES = list(BODY_ENDPOINTS)


def send(client, name, ids, body, content_type="application/json"):
    method, path, _ = BODY_ENDPOINTS[name]
    return client.generic(
        method.upper(), path.format(**ids), body, content_type=content_type
    )


# Bodies


@pytest.mark.parametrize("name", BODY_ENDPOINT_NAMES)
@pytest.mark.parametrize(
    "body",
    [
        b'{"title": "\xff\xfe caf\xe9"}',
        b"\x00\x01\x02\x03",
        b'{"title": "Dark mode"',
        b"{'title': 'Dark mode'}",
        b'{"title": "Dark mode"} trailing',
        b'{"title": NaN}',
    ],
    ids=["not-utf-8", "binary", "truncated", "single-quotes", "trailing", "nan"],
)
def test_unparsable_json_is_rejected(owner_client, ids, targets, db_state, name, body):
    before = db_state(*targets)

    response = send(owner_client, name, ids, body)

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert db_state(*targets) == before


@pytest.mark.parametrize("name", BODY_ENDPOINT_NAMES)
@pytest.mark.parametrize(
    "value",
    [[], ["title"], "title", 42, None, True],
    ids=["empty-list", "list", "string", "number", "null", "bool"],
)
def test_json_that_is_not_an_object_is_rejected(
    owner_client, ids, targets, db_state, name, value
):
    before = db_state(*targets)

    response = send(owner_client, name, ids, json.dumps(value))

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert db_state(*targets) == before


@pytest.mark.parametrize("name", BODY_ENDPOINT_NAMES)
@pytest.mark.parametrize(
    "text", ["\x00", "\ud800", "\udfff"], ids=["nul", "high-surrogate", "low-surrogate"]
)
def test_nul_and_lone_surrogates_are_rejected(
    owner_client, ids, targets, db_state, name, text
):
    _, _, make_body = BODY_ENDPOINTS[name]
    before = db_state(*targets)

    response = send(owner_client, name, ids, json.dumps(make_body(text)))

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert db_state(*targets) == before


@pytest.mark.parametrize("name", BODY_ENDPOINT_NAMES)
def test_huge_string_is_rejected(owner_client, ids, targets, db_state, name):
    _, _, make_body = BODY_ENDPOINTS[name]
    before = db_state(*targets)

    response = send(owner_client, name, ids, json.dumps(make_body("x" * 1_000_000)))

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert db_state(*targets) == before


def test_huge_title_is_rejected(owner_client, ids, db_state):
    before = db_state()

    response = send(
        owner_client, "initiatives", ids, json.dumps({"title": "x" * 2**20})
    )

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert "title" in response.json()["fields"]
    assert db_state() == before


def test_body_over_upload_limit_is_rejected(owner_client, ids, db_state):
    before = db_state()
    body = json.dumps({"title": "Dark mode", "description": "x" * 5_000_000})

    response = send(owner_client, "initiatives", ids, body)

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert db_state() == before


def test_deeply_nested_json_is_rejected(owner_client, ids, db_state):
    before = db_state()
    body = '{"title": ' + "[" * 100_000 + "]" * 100_000 + "}"

    response = send(owner_client, "initiatives", ids, body)

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert db_state() == before


@pytest.mark.parametrize("name", BODY_ENDPOINT_NAMES)
@pytest.mark.parametrize("field", ["\ud800", "\x00", "ü" * 10_000])
def test_odd_unknown_field_name_is_rejected(
    owner_client, ids, targets, db_state, name, field
):
    _, _, make_body = BODY_ENDPOINTS[name]
    before = db_state(*targets)

    response = send(owner_client, name, ids, json.dumps({**make_body(""), field: 1}))

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert len(response.json()["fields"]) >= 1
    assert db_state(*targets) == before


@pytest.mark.parametrize("name", BODY_ENDPOINT_NAMES)
@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "text/plain",
    ],
)
def test_non_json_body_is_rejected(
    owner_client, ids, targets, db_state, name, content_type
):
    before = db_state(*targets)

    response = send(owner_client, name, ids, "title=Dark+mode", content_type)

    assert_error(
        response, status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"
    )
    assert db_state(*targets) == before


def test_unknown_charset_is_read_as_utf_8(owner_client, ids):
    response = send(
        owner_client,
        "initiatives",
        ids,
        '{"title": "Café"}'.encode(),
        "application/json; charset=no-such-charset",
    )

    assert response.status_code == status.HTTP_201_CREATED
    assert response.json()["title"] == "Café"


# Paths and query strings


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/backlogs/{huge}",
        "/api/v1/backlogs/{huge}/members",
        "/api/v1/backlogs/{backlog}/members/{huge}",
        "/api/v1/backlogs/{huge}/initiatives",
        "/api/v1/backlogs/{backlog}/initiatives/{huge}",
        "/api/v1/backlogs/{backlog}/initiatives/{huge}/vote",
        "/api/v1/backlogs/{backlog}/initiatives/{initiative}0000000000000000000",
        "/api/v1/backlogs/-1",
        "/api/v1/backlogs/1.5",
        "/api/v1/backlogs/%D9%A1",
    ],
)
@pytest.mark.parametrize("method", ["get", "patch", "put", "delete"])
def test_id_past_64_bits_is_not_found(owner_client, ids, db_state, path, method):
    before = db_state()

    response = getattr(owner_client, method)(path.format(huge=2**63, **ids), {})

    assert_error(response, status.HTTP_404_NOT_FOUND, "not_found")
    assert db_state() == before


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/backlogs/{max}",
        "/api/v1/backlogs/{backlog}/initiatives/{max}",
    ],
)
@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_largest_routed_id_is_not_found(owner_client, ids, db_state, path, method):
    before = db_state()
    # Paths take ids of up to 18 digits, so this one reaches the database.
    largest = 10**18 - 1

    response = getattr(owner_client, method)(path.format(max=largest, **ids), {})

    assert_error(response, status.HTTP_404_NOT_FOUND, "not_found")
    assert db_state() == before


@pytest.mark.parametrize(
    "path",
    [
        "/backlogs/{huge}",
        "/backlogs/{max}",
        "/backlogs/{backlog}/initiatives/{huge}/edit",
    ],
)
def test_page_id_out_of_range_is_not_found(owner, ids, path):
    client = Client()
    client.force_login(owner)

    response = client.get(path.format(huge=2**63, max=2**63 - 1, **ids))

    assert response.status_code == status.HTTP_404_NOT_FOUND


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/backlogs",
        "/api/v1/backlogs/{backlog}/members",
        "/api/v1/backlogs/{backlog}/initiatives",
    ],
)
@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=0",
        "page=-1",
        "page=1.5",
        "page=",
        "page=%C2%B2",
        "page=%D9%A1",
        "page=%00",
        "page=99999999999999999999999",
        "page_size=0",
        "page_size=101",
        "page_size=1000",
        "page_size=abc",
    ],
)
def test_bad_page_parameters_are_rejected(owner_client, ids, path, query):
    response = owner_client.get(f"{path.format(**ids)}?{query}")

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert query.split("=")[0] in response.json()["fields"]


@pytest.mark.parametrize("query", ["status=%00", "status=%ED%A0%80", "status=%FF"])
def test_bad_status_filter_is_rejected(owner_client, ids, query):
    url = f"/api/v1/backlogs/{ids['backlog']}/initiatives?{query}"

    response = owner_client.get(url)

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")


def test_page_past_the_end_is_empty(owner_client, ids):
    url = f"/api/v1/backlogs/{ids['backlog']}/initiatives?page=1000"

    response = owner_client.get(url)

    assert response.status_code == status.HTTP_200_OK
    assert response.json()["results"] == []
    assert response.json()["next"] is None


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "head"])
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nope",
        "/api/v1/",
        "/api/v1/me/",
        "/api/v1/backlogs/",
        "/api/v1/backlogs/{backlog}/",
        "/api/v1/backlogs/{backlog}/initiatives/",
        "/api/v2/backlogs",
    ],
)
def test_unknown_api_path_is_not_found(owner_client, anonymous, ids, method, path):
    url = path.format(**ids)

    for client in (owner_client, anonymous):
        response = getattr(client, method)(url)
        assert response.status_code == status.HTTP_404_NOT_FOUND
        if method != "head" and url.startswith("/api/v1/"):
            assert_error(response, status.HTTP_404_NOT_FOUND, "not_found")


# Headers


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic " + "QWxhZGRpbjpvcGVuIHNlc2FtZQ==" * 300,
        "Token " + "x" * 8192,
        "Token pv_pat_ü",
        'Digest username="ada"',
        "Bearerpv_pat_glued",
        "ü" * 8192,
        "\x00\xff\xfe",
    ],
)
def test_other_authorization_scheme_is_no_credential(anonymous, db, authorization):
    response = anonymous.get("/api/v1/me", HTTP_AUTHORIZATION=authorization)

    assert_error(response, status.HTTP_401_UNAUTHORIZED, "not_authenticated")
    assert response["WWW-Authenticate"] == CHALLENGE


@pytest.mark.parametrize(
    "value", ["x" * 8192, "pv_pat_" + "ü" * 50, "\x00\xff", "pv_pat_" + "a" * 8192]
)
def test_bad_bearer_value_is_invalid_token(anonymous, db, value):
    response = anonymous.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {value}")

    assert_error(response, status.HTTP_401_UNAUTHORIZED, "invalid_token")


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_USER_AGENT": "Mözilla/5.0 " + "ü" * 8192},
        {"HTTP_ACCEPT_LANGUAGE": "ü" * 8192},
        {"HTTP_X_REQUEST_ID": "ü" * 64},
        {"HTTP_X_REQUEST_ID": "r" * 8192},
        {"HTTP_X_FORWARDED_FOR": "ü, \x00, 999.999.999.999"},
        {"HTTP_ACCEPT": "text/html; q=ü"},
        {"HTTP_REFERER": "https://ü.example/\x00"},
        {"HTTP_COOKIE": "csrftoken=ü; sessionid=\x00"},
        {"HTTP_X_CUSTOM": "\x00\x01\x7f\xff" * 2048},
    ],
)
def test_odd_headers_are_not_a_server_error(owner_client, ids, headers):
    response = owner_client.get("/api/v1/backlogs", **headers)

    assert response.status_code < status.HTTP_500_INTERNAL_SERVER_ERROR


def test_request_id_header_is_not_echoed_when_invalid(owner_client, db):
    response = owner_client.get("/api/v1/me", HTTP_X_REQUEST_ID="ü\r\nSet-Cookie: x")

    assert response.status_code == status.HTTP_200_OK
    assert "ü" not in response["X-Request-ID"]
    assert "\n" not in response["X-Request-ID"]


def test_write_with_odd_headers_succeeds(owner_client, ids):
    response = owner_client.post(
        f"/api/v1/backlogs/{ids['backlog']}/initiatives",
        {"title": "Search"},
        HTTP_USER_AGENT="ü" * 8192,
    )

    assert response.status_code == status.HTTP_201_CREATED


def test_nul_in_page_form_is_rejected(owner, ids, db_state):
    client = Client()
    client.force_login(owner)
    before = db_state()

    response = client.post(
        f"/backlogs/{ids['backlog']}/initiatives/new",
        {"title": "Dark\x00mode", "status": "proposed"},
    )

    assert response.status_code == status.HTTP_200_OK
    assert response.context["form"].errors["title"]
    assert db_state() == before


# Methods outside the API table

UNSUPPORTED_METHODS = [
    ("post", "/api/v1/me"),
    ("put", "/api/v1/me"),
    ("patch", "/api/v1/me"),
    ("delete", "/api/v1/me"),
    ("get", "/api/v1/auth/sign-up"),
    ("get", "/api/v1/auth/sign-in"),
    ("put", "/api/v1/auth/sign-in"),
    ("get", "/api/v1/auth/sign-out"),
    ("delete", "/api/v1/auth/sign-out"),
    ("get", "/api/v1/auth/password-reset"),
    ("get", "/api/v1/auth/password-reset/confirm"),
    ("put", "/api/v1/backlogs"),
    ("patch", "/api/v1/backlogs"),
    ("delete", "/api/v1/backlogs"),
    ("put", "/api/v1/backlogs/{backlog}"),
    ("post", "/api/v1/backlogs/{backlog}"),
    ("put", "/api/v1/backlogs/{backlog}/members"),
    ("patch", "/api/v1/backlogs/{backlog}/members"),
    ("delete", "/api/v1/backlogs/{backlog}/members"),
    ("get", "/api/v1/backlogs/{backlog}/members/{user}"),
    ("put", "/api/v1/backlogs/{backlog}/members/{user}"),
    ("patch", "/api/v1/backlogs/{backlog}/members/{user}"),
    ("post", "/api/v1/backlogs/{backlog}/members/{user}"),
    ("put", "/api/v1/backlogs/{backlog}/initiatives"),
    ("patch", "/api/v1/backlogs/{backlog}/initiatives"),
    ("delete", "/api/v1/backlogs/{backlog}/initiatives"),
    ("put", "/api/v1/backlogs/{backlog}/initiatives/{initiative}"),
    ("post", "/api/v1/backlogs/{backlog}/initiatives/{initiative}"),
    ("get", "/api/v1/backlogs/{backlog}/initiatives/{initiative}/vote"),
    ("post", "/api/v1/backlogs/{backlog}/initiatives/{initiative}/vote"),
    ("patch", "/api/v1/backlogs/{backlog}/initiatives/{initiative}/vote"),
]


@pytest.mark.parametrize(("method", "path"), UNSUPPORTED_METHODS)
def test_unsupported_method_is_405(
    owner_client, anonymous, ids, targets, db_state, method, path
):
    url = path.format(**ids)
    before = db_state(*targets)

    for client in (owner_client, anonymous):
        response = getattr(client, method)(url, {"title": "x"})
        assert_error(response, status.HTTP_405_METHOD_NOT_ALLOWED, "method_not_allowed")
        assert method.upper() not in response["Allow"]
    assert db_state(*targets) == before


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "PROPFIND", "BREW"])
def test_unknown_method_is_405(owner_client, ids, method):
    response = owner_client.generic(method, f"/api/v1/backlogs/{ids['backlog']}")

    assert_error(response, status.HTTP_405_METHOD_NOT_ALLOWED, "method_not_allowed")


# HEAD and OPTIONS

GET_PATHS = [
    "/api/v1/me",
    "/api/v1/backlogs",
    "/api/v1/backlogs/{backlog}",
    "/api/v1/backlogs/{backlog}/members",
    "/api/v1/backlogs/{backlog}/initiatives",
    "/api/v1/backlogs/{backlog}/initiatives/{initiative}",
]
VARYING_HEADERS = {"X-Request-ID"}


@pytest.mark.parametrize("path", GET_PATHS)
def test_head_is_answered_like_get(owner_client, ids, path):
    url = path.format(**ids)

    get = owner_client.get(url)
    head = owner_client.head(url)

    assert head.status_code == status.HTTP_200_OK
    assert head.content == b""
    assert {
        name: value
        for name, value in head.headers.items()
        if name not in VARYING_HEADERS
    } == {
        name: value
        for name, value in get.headers.items()
        if name not in VARYING_HEADERS
    }


@pytest.mark.parametrize("path", GET_PATHS)
def test_head_needs_authentication(anonymous, ids, path):
    response = anonymous.head(path.format(**ids))

    assert response.status_code == status.HTTP_401_UNAUTHORIZED
    assert response["WWW-Authenticate"] == CHALLENGE


def test_head_of_other_users_backlog_is_not_found(owner_client, other_backlog):
    response = owner_client.head(f"/api/v1/backlogs/{other_backlog.pk}")

    assert response.status_code == status.HTTP_404_NOT_FOUND


AUTH_PATHS = [
    "/api/v1/auth/sign-up",
    "/api/v1/auth/sign-in",
    "/api/v1/auth/sign-out",
    "/api/v1/auth/password-reset",
    "/api/v1/auth/password-reset/confirm",
]
MEMBER_PATHS = [
    *GET_PATHS,
    "/api/v1/backlogs/{backlog}/members/{user}",
    "/api/v1/backlogs/{backlog}/initiatives/{initiative}/vote",
]


@pytest.mark.parametrize("path", AUTH_PATHS + MEMBER_PATHS)
def test_options_is_answered(session_client, member, ids, targets, db_state, path):
    client = session_client(member)
    client.raise_request_exception = False
    before = db_state(*targets)

    response = client.options(path.format(**ids))

    assert response.status_code == status.HTTP_200_OK
    assert "OPTIONS" in response["Allow"]
    assert db_state(*targets) == before


@pytest.mark.parametrize("path", MEMBER_PATHS)
def test_options_needs_authentication(anonymous, ids, path):
    response = anonymous.options(path.format(**ids))

    assert_error(response, status.HTTP_401_UNAUTHORIZED, "not_authenticated")
    assert response["WWW-Authenticate"] == CHALLENGE


@pytest.mark.parametrize("path", AUTH_PATHS)
def test_options_of_auth_endpoints_needs_no_credentials(anonymous, db, path):
    response = anonymous.options(path)

    assert response.status_code == status.HTTP_200_OK


# CSRF

UNSAFE_REQUESTS = [
    ("post", "/api/v1/backlogs", {"name": "Roadmap"}),
    ("patch", "/api/v1/backlogs/{backlog}", {"name": "Changed"}),
    ("delete", "/api/v1/backlogs/{backlog}", None),
    (
        "post",
        "/api/v1/backlogs/{backlog}/members",
        {"email": "eve@example.com", "role": "owner"},
    ),
    ("delete", "/api/v1/backlogs/{backlog}/members/{user}", None),
    ("post", "/api/v1/backlogs/{backlog}/initiatives", {"title": "Search"}),
    ("patch", "/api/v1/backlogs/{backlog}/initiatives/{initiative}", {"title": "x"}),
    ("delete", "/api/v1/backlogs/{backlog}/initiatives/{initiative}", None),
    ("put", "/api/v1/backlogs/{backlog}/initiatives/{initiative}/vote", None),
    ("delete", "/api/v1/backlogs/{backlog}/initiatives/{initiative}/vote", None),
    ("post", "/api/v1/auth/sign-out", None),
    (
        "post",
        "/api/v1/auth/sign-up",
        {
            "email": "grace@example.com",
            "password": "purple elephant",
            "display_name": "G",
        },
    ),
    ("post", "/api/v1/auth/sign-in", {"email": "bob@example.com", "password": "x"}),
    ("post", "/api/v1/auth/password-reset", {"email": "ada@example.com"}),
]


@pytest.mark.parametrize(("method", "path", "body"), UNSAFE_REQUESTS)
def test_session_request_without_csrf_token_is_rejected(
    session_client, owner, outsider, ids, targets, db_state, method, path, body
):
    Vote.objects.create(initiative_id=ids["initiative"], user=owner)
    client = session_client(owner, csrf=False)
    before = db_state(*targets)

    response = getattr(client, method)(path.format(**ids), body)

    assert_error(response, status.HTTP_403_FORBIDDEN, "permission_denied")
    assert db_state(*targets) == before
    assert client.get("/api/v1/me").status_code == status.HTTP_200_OK


@pytest.mark.parametrize(("method", "path", "body"), UNSAFE_REQUESTS[:10])
def test_session_request_with_wrong_csrf_token_is_rejected(
    session_client, owner, outsider, ids, targets, db_state, method, path, body
):
    Vote.objects.create(initiative_id=ids["initiative"], user=owner)
    client = session_client(owner)
    client.credentials(HTTP_X_CSRFTOKEN="b" * 32)
    before = db_state(*targets)

    response = getattr(client, method)(path.format(**ids), body)

    assert_error(response, status.HTTP_403_FORBIDDEN, "permission_denied")
    assert db_state(*targets) == before


# Form bodies in a charset other than UTF-8, which Django refuses to decode

UTF_32_FORM = "application/x-www-form-urlencoded; charset=utf-32"
CSRF_SECRET = "c" * 32


@pytest.fixture
def browser():
    """A client that, like a browser which loaded the form, sends a CSRF cookie.

    Django's CSRF check runs on it, as on real requests: the check reads the
    form body, and Django's own 400 handler runs the check a second time.
    """
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = CSRF_SECRET
    client.raise_request_exception = False
    return client


def utf_32_bodies(text):
    """Return the form body as ASCII bytes and as UTF-32 bytes, both sent as is."""
    text = f"csrfmiddlewaretoken={CSRF_SECRET}&{text}"
    return [text.encode("ascii"), text.encode("utf-32")]


@pytest.mark.parametrize(
    "body",
    utf_32_bodies("name=Roadmap&description="),
    ids=["ascii-bytes", "utf-32-bytes"],
)
def test_page_form_in_utf_32_is_rejected(browser, owner, database_dump, body):
    browser.force_login(owner)
    before = database_dump()

    response = browser.generic("POST", "/backlogs/new", body, content_type=UTF_32_FORM)

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert response["Content-Type"].startswith("text/html")
    assert database_dump() == before


@pytest.mark.parametrize(
    "body",
    utf_32_bodies("email=ada%40example.com&password=x"),
    ids=["ascii-bytes", "utf-32-bytes"],
)
def test_sign_in_form_in_utf_32_is_rejected(browser, owner, database_dump, body):
    before = database_dump()

    response = browser.generic(
        "POST", "/accounts/sign-in", body, content_type=UTF_32_FORM
    )

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert response["Content-Type"].startswith("text/html")
    assert database_dump() == before
    assert browser.get("/backlogs").status_code == status.HTTP_302_FOUND


# NUL characters in query strings, which PostgreSQL cannot compare


@pytest.fixture
def superuser_client(make_user):
    admin = make_user("root@example.com", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize(
    "query", ["status=%00", "status=planned%00", "page=1&status%00=planned"]
)
def test_nul_in_api_query_is_validation_error(owner_client, ids, query):
    url = f"/api/v1/backlogs/{ids['backlog']}/initiatives?{query}"

    response = owner_client.get(url)

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert response.json()["fields"]


@pytest.mark.parametrize("query", ["token=%00", "token=pv_pat_%00", "before=%00"])
def test_nul_in_activity_query_is_bad_request(owner, query):
    client = Client()
    client.force_login(owner)
    client.raise_request_exception = False

    response = client.get(f"/settings/activity?{query}")

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("query", ["name=%00", "q=%00", "prefix__startswith=%00"])
def test_nul_in_admin_query_is_bad_request(superuser_client, make_token, owner, query):
    make_token(owner)

    response = superuser_client.get(f"/admin/tokens/personalaccesstoken/?{query}")

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert response["Content-Type"].startswith("text/html")


# Paths outside /api/v1 and hosts outside ALLOWED_HOSTS


@pytest.mark.parametrize(
    "path", ["/api", "/api/", "/api/v2/anything", "/api/v1x", "/api/v0/backlogs"]
)
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_path_outside_api_v1_is_json_not_found(
    owner_client, anonymous, db, path, method
):
    for client in (owner_client, anonymous):
        response = getattr(client, method)(path)
        assert_error(response, status.HTTP_404_NOT_FOUND, "not_found")


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/backlogs", "/api/v2/x"])
def test_unknown_host_on_api_is_json_validation_error(anonymous, db, path):
    response = anonymous.get(path, HTTP_HOST="evil.example")

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")


def test_unknown_host_on_page_is_html_bad_request(db):
    client = Client()
    client.raise_request_exception = False

    response = client.get("/accounts/sign-in", HTTP_HOST="evil.example")

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert response["Content-Type"].startswith("text/html")
