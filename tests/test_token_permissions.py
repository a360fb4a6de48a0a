"""What a token may do: its scopes, its backlogs and its owner's role."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)
from rest_framework import status
from rest_framework.views import APIView

from initiatives import services
from initiatives.models import Backlog, Initiative, Membership, Role, Vote
from tests.conftest import PASSWORD
from tokens.models import Scope
from tokens.permissions import TokenScopePermission

API = "/api/v1"
READ = [Scope.READ]
WRITE = [Scope.WRITE_INITIATIVES]
INSUFFICIENT_SCOPE_CHALLENGE = (
    'Bearer realm="priority.vote", error="insufficient_scope", '
    'scope="write:initiatives"'
)


@pytest.fixture
def second_backlog(owner):
    """A backlog that `owner` also owns, for tokens restricted to `backlog`."""
    return services.create_backlog(owner, name="Side project")


@pytest.fixture
def second_initiative(second_backlog, owner):
    return Initiative.objects.create(
        backlog=second_backlog, title="Offline mode", author=owner
    )


def send(client, method, path, body=None):
    return getattr(client, method.lower())(f"{API}{path}", body, format="json")


def fill(path, **ids):
    return path.format(**ids)


# Requests that need write:initiatives, as (method, path, body).
WRITE_REQUESTS = [
    ("POST", "/backlogs/{backlog}/initiatives", {"title": "Export to CSV"}),
    (
        "PATCH",
        "/backlogs/{backlog}/initiatives/{initiative}",
        {"status": "planned"},
    ),
    ("PUT", "/backlogs/{backlog}/initiatives/{initiative}/vote", None),
    ("DELETE", "/backlogs/{backlog}/initiatives/{initiative}/vote", None),
]


@pytest.mark.parametrize(
    ("method", "path", "body"), WRITE_REQUESTS, ids=[r[0] for r in WRITE_REQUESTS]
)
def test_read_token_cannot_write(
    bearer,
    make_token,
    owner,
    member,
    backlog,
    initiative,
    database_dump,
    method,
    path,
    body,
):
    services.cast_vote(initiative, member)
    _token, value = make_token(owner, scopes=READ)
    before = database_dump()

    response = send(
        bearer(value),
        method,
        fill(path, backlog=backlog.pk, initiative=initiative.pk),
        body,
    )

    assert response.status_code == status.HTTP_403_FORBIDDEN
    assert response.json()["error"] == "insufficient_scope"
    assert response.headers["WWW-Authenticate"] == INSUFFICIENT_SCOPE_CHALLENGE
    assert response.json()["required_scope"] == "write:initiatives"
    assert response.json()["scopes"] == ["read"]
    assert database_dump() == before


def test_insufficient_scope_lists_token_scopes(
    bearer, make_token, owner, backlog, initiative
):
    token, value = make_token(owner, scopes=READ)

    response = send(
        bearer(value), "POST", f"/backlogs/{backlog.pk}/initiatives", {"title": "x"}
    )

    assert response.json()["scopes"] == token.scopes


@pytest.mark.parametrize(
    "path",
    [
        "/me",
        "/backlogs",
        "/backlogs/{backlog}",
        "/backlogs/{backlog}/members",
        "/backlogs/{backlog}/initiatives",
        "/backlogs/{backlog}/initiatives/{initiative}",
        "/backlogs/{backlog}/logbook",
    ],
)
@pytest.mark.parametrize("scopes", [READ, WRITE], ids=["read", "write"])
def test_token_can_read(bearer, make_token, owner, backlog, initiative, path, scopes):
    _token, value = make_token(owner, scopes=scopes)

    response = send(
        bearer(value), "GET", fill(path, backlog=backlog.pk, initiative=initiative.pk)
    )

    assert response.status_code == status.HTTP_200_OK


def test_write_token_creates_initiative(bearer, make_token, owner, backlog):
    _token, value = make_token(owner, scopes=WRITE)

    response = send(
        bearer(value),
        "POST",
        f"/backlogs/{backlog.pk}/initiatives",
        {"title": "Export to CSV"},
    )

    assert response.status_code == status.HTTP_201_CREATED
    assert Initiative.objects.filter(backlog=backlog, title="Export to CSV").exists()


def test_write_token_updates_initiative(bearer, make_token, owner, backlog, initiative):
    _token, value = make_token(owner, scopes=WRITE)

    response = send(
        bearer(value),
        "PATCH",
        f"/backlogs/{backlog.pk}/initiatives/{initiative.pk}",
        {"status": "planned"},
    )

    initiative.refresh_from_db()
    assert response.status_code == status.HTTP_200_OK
    assert initiative.status == "planned"


def test_write_token_casts_and_withdraws_vote(
    bearer, make_token, owner, backlog, initiative
):
    _token, value = make_token(owner, scopes=WRITE)
    path = f"/backlogs/{backlog.pk}/initiatives/{initiative.pk}/vote"

    cast = send(bearer(value), "PUT", path)
    voted = Vote.objects.filter(initiative=initiative, user=owner).exists()
    withdrawn = send(bearer(value), "DELETE", path)

    assert cast.status_code == status.HTTP_204_NO_CONTENT
    assert voted
    assert withdrawn.status_code == status.HTTP_204_NO_CONTENT
    assert not Vote.objects.filter(initiative=initiative, user=owner).exists()


def password_reset_body(user):
    return {
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "new_password": "a brand new long passphrase",
    }


# Endpoints a token can never use, as (method, path, body). Each body would
# succeed for the owner's browser session.
NEVER_REQUESTS = [
    (
        "POST",
        "/auth/sign-up",
        {
            "email": "new@example.com",
            "password": "another long passphrase",
            "display_name": "New",
        },
    ),
    ("POST", "/auth/sign-in", {"email": "ada@example.com", "password": PASSWORD}),
    ("POST", "/auth/sign-out", None),
    ("POST", "/auth/password-reset", {"email": "ada@example.com"}),
    ("POST", "/auth/password-reset/confirm", "reset"),
    ("POST", "/backlogs", {"name": "New backlog", "description": ""}),
    ("PATCH", "/backlogs/{backlog}", {"name": "Renamed"}),
    ("DELETE", "/backlogs/{backlog}", None),
    (
        "POST",
        "/backlogs/{backlog}/members",
        {"email": "eve@example.com", "role": "editor"},
    ),
    ("DELETE", "/backlogs/{backlog}/members/{member}", None),
    ("DELETE", "/backlogs/{backlog}/initiatives/{initiative}", None),
]
NEVER_IDS = [f"{method} {path}" for method, path, _body in NEVER_REQUESTS]


@pytest.mark.parametrize(("method", "path", "body"), NEVER_REQUESTS, ids=NEVER_IDS)
@pytest.mark.parametrize("scopes", [READ, WRITE], ids=["read", "write"])
def test_token_not_allowed(
    bearer,
    make_token,
    owner,
    member,
    outsider,
    backlog,
    initiative,
    database_dump,
    mailoutbox,
    method,
    path,
    body,
    scopes,
):
    _token, value = make_token(owner, scopes=scopes)
    if body == "reset":
        body = password_reset_body(owner)
    before = database_dump()

    response = send(
        bearer(value),
        method,
        fill(path, backlog=backlog.pk, initiative=initiative.pk, member=member.pk),
        body,
    )

    assert response.status_code == status.HTTP_403_FORBIDDEN
    assert response.json()["error"] == "token_not_allowed"
    assert database_dump() == before
    assert mailoutbox == []
    assert "sessionid" not in response.cookies


def test_auth_endpoint_checks_token_before_throttle(
    bearer, api, make_token, owner, settings
):
    settings.PRIORITYVOTE_AUTH_RATE = "1/minute"
    _token, value = make_token(owner, scopes=WRITE)
    body = {"email": owner.email, "password": PASSWORD}

    first = send(bearer(value), "POST", "/auth/sign-in", body)
    second = send(bearer(value), "POST", "/auth/sign-in", body)
    # The token requests used none of the budget, and the limit is in force.
    anonymous = send(api, "POST", "/auth/sign-in", body)
    throttled = send(api, "POST", "/auth/sign-in", body)

    assert first.status_code == status.HTTP_403_FORBIDDEN
    assert first.json()["error"] == "token_not_allowed"
    assert second.status_code == status.HTTP_403_FORBIDDEN
    assert second.json()["error"] == "token_not_allowed"
    assert anonymous.status_code == status.HTTP_200_OK
    assert throttled.status_code == status.HTTP_429_TOO_MANY_REQUESTS


def test_sign_up_with_token_is_not_throttled(bearer, make_token, owner, settings):
    settings.PRIORITYVOTE_AUTH_RATE = "1/minute"
    _token, value = make_token(owner, scopes=WRITE)
    body = {
        "email": "new@example.com",
        "password": "another long passphrase",
        "display_name": "New",
    }

    responses = [send(bearer(value), "POST", "/auth/sign-up", body) for _ in range(2)]

    assert [response.status_code for response in responses] == [
        status.HTTP_403_FORBIDDEN,
        status.HTTP_403_FORBIDDEN,
    ]
    assert [response.json()["error"] for response in responses] == [
        "token_not_allowed",
        "token_not_allowed",
    ]


def test_read_token_lists_members(bearer, make_token, owner, member, backlog):
    _token, value = make_token(owner, scopes=READ)

    response = send(bearer(value), "GET", f"/backlogs/{backlog.pk}/members")

    assert response.status_code == status.HTTP_200_OK
    assert {row["id"] for row in response.json()["results"]} == {owner.pk, member.pk}


@pytest.mark.parametrize(
    "path",
    [
        "/me",
        "/backlogs",
        "/backlogs/{backlog}",
        "/backlogs/{backlog}/initiatives",
        "/backlogs/{backlog}/initiatives/{initiative}",
    ],
)
@pytest.mark.parametrize("method", ["HEAD", "OPTIONS"])
def test_read_token_may_head_and_options(
    bearer, make_token, owner, backlog, initiative, method, path
):
    _token, value = make_token(owner, scopes=READ)

    response = send(
        bearer(value), method, fill(path, backlog=backlog.pk, initiative=initiative.pk)
    )

    assert response.status_code == status.HTTP_200_OK


def test_read_token_may_options_vote(bearer, make_token, owner, backlog, initiative):
    _token, value = make_token(owner, scopes=READ)
    path = f"/backlogs/{backlog.pk}/initiatives/{initiative.pk}/vote"

    response = send(bearer(value), "OPTIONS", path)

    assert response.status_code == status.HTTP_200_OK


@pytest.mark.parametrize(
    "path",
    [
        "/auth/sign-in",
        "/auth/sign-up",
        "/auth/sign-out",
        "/backlogs/{backlog}/members/{member}",
    ],
)
def test_options_without_get_is_not_allowed(
    bearer, make_token, owner, member, backlog, path
):
    _token, value = make_token(owner, scopes=WRITE)

    response = send(
        bearer(value), "OPTIONS", fill(path, backlog=backlog.pk, member=member.pk)
    )

    assert response.status_code == status.HTTP_403_FORBIDDEN
    assert response.json()["error"] == "token_not_allowed"


def test_head_on_missing_backlog_is_404(bearer, make_token, owner, backlog):
    _token, value = make_token(owner, scopes=READ)

    response = send(bearer(value), "HEAD", "/backlogs/999999")

    assert response.status_code == status.HTTP_404_NOT_FOUND


def test_restricted_token_lists_only_its_backlogs(
    bearer, make_token, owner, backlog, second_backlog
):
    _token, value = make_token(owner, backlogs=[backlog])

    response = send(bearer(value), "GET", "/backlogs")

    assert [row["id"] for row in response.json()["results"]] == [backlog.pk]


# Requests a token with both scopes may send, as (method, path, body).
REACHABLE_REQUESTS = [
    ("GET", "/backlogs/{backlog}", None),
    ("HEAD", "/backlogs/{backlog}", None),
    ("GET", "/backlogs/{backlog}/members", None),
    ("GET", "/backlogs/{backlog}/initiatives", None),
    ("POST", "/backlogs/{backlog}/initiatives", {"title": "Export to CSV"}),
    ("GET", "/backlogs/{backlog}/initiatives/{initiative}", None),
    (
        "PATCH",
        "/backlogs/{backlog}/initiatives/{initiative}",
        {"status": "planned"},
    ),
    ("PUT", "/backlogs/{backlog}/initiatives/{initiative}/vote", None),
    ("DELETE", "/backlogs/{backlog}/initiatives/{initiative}/vote", None),
    ("GET", "/backlogs/{backlog}/logbook", None),
]
REACHABLE_IDS = [f"{method} {path}" for method, path, _body in REACHABLE_REQUESTS]


@pytest.mark.parametrize(
    ("method", "path", "body"), REACHABLE_REQUESTS, ids=REACHABLE_IDS
)
def test_restricted_token_gets_404_elsewhere(
    bearer,
    make_token,
    owner,
    backlog,
    second_backlog,
    second_initiative,
    database_dump,
    method,
    path,
    body,
):
    services.cast_vote(second_initiative, owner)
    _token, value = make_token(owner, scopes=WRITE, backlogs=[backlog])
    before = database_dump()

    response = send(
        bearer(value),
        method,
        fill(path, backlog=second_backlog.pk, initiative=second_initiative.pk),
        body,
    )

    assert response.status_code == status.HTTP_404_NOT_FOUND
    if method != "HEAD":
        assert response.json()["error"] == "not_found"
    assert database_dump() == before


@pytest.mark.parametrize(
    ("method", "path", "body"), REACHABLE_REQUESTS, ids=REACHABLE_IDS
)
def test_token_gets_404_on_other_users_backlog(
    bearer,
    make_token,
    owner,
    outsider,
    other_backlog,
    database_dump,
    method,
    path,
    body,
):
    other_initiative = Initiative.objects.create(
        backlog=other_backlog, title="Hidden", author=outsider
    )
    services.cast_vote(other_initiative, outsider)
    _token, value = make_token(owner, scopes=WRITE)
    before = database_dump()

    response = send(
        bearer(value),
        method,
        fill(path, backlog=other_backlog.pk, initiative=other_initiative.pk),
        body,
    )

    assert response.status_code == status.HTTP_404_NOT_FOUND
    assert database_dump() == before


def test_unreachable_backlog_looks_missing(
    bearer, make_token, owner, backlog, second_backlog
):
    _token, value = make_token(owner, backlogs=[backlog])
    client = bearer(value)
    missing_id = Backlog.objects.order_by("-pk").first().pk + 1000

    unreachable = send(client, "GET", f"/backlogs/{second_backlog.pk}")
    missing = send(client, "GET", f"/backlogs/{missing_id}")

    assert unreachable.status_code == missing.status_code
    assert unreachable.json() == missing.json()


def test_unrestricted_token_sees_later_backlog(bearer, make_token, owner, backlog):
    _token, value = make_token(owner)
    later = services.create_backlog(owner, name="Started later")
    client = bearer(value)

    listed = send(client, "GET", "/backlogs")
    detail = send(client, "GET", f"/backlogs/{later.pk}")

    assert later.pk in [row["id"] for row in listed.json()["results"]]
    assert detail.status_code == status.HTTP_200_OK


def test_unrestricted_token_sees_joined_backlog(
    bearer, make_token, owner, outsider, other_backlog
):
    _token, value = make_token(owner)
    services.set_member_role(other_backlog, owner, Role.VIEWER)

    response = send(bearer(value), "GET", f"/backlogs/{other_backlog.pk}")

    assert response.status_code == status.HTTP_200_OK


def test_token_whose_backlogs_are_deleted_reaches_nothing(
    bearer, make_token, owner, backlog, second_backlog
):
    _token, value = make_token(owner, backlogs=[backlog])
    backlog_id = backlog.pk
    backlog.delete()
    client = bearer(value)

    listed = send(client, "GET", "/backlogs")
    other = send(client, "GET", f"/backlogs/{second_backlog.pk}")
    deleted = send(client, "GET", f"/backlogs/{backlog_id}")
    me = send(client, "GET", "/me")

    assert listed.status_code == status.HTTP_200_OK
    assert listed.json()["results"] == []
    assert other.status_code == status.HTTP_404_NOT_FOUND
    assert other.json()["error"] == "not_found"
    assert deleted.status_code == status.HTTP_404_NOT_FOUND
    assert me.status_code == status.HTTP_200_OK
    assert me.json()["token"]["backlogs"] == []


def test_token_whose_backlogs_are_deleted_skips_new_ones(
    bearer, make_token, owner, backlog
):
    _token, value = make_token(owner, backlogs=[backlog])
    backlog.delete()
    later = services.create_backlog(owner, name="Started later")

    response = send(bearer(value), "GET", f"/backlogs/{later.pk}")

    assert response.status_code == status.HTTP_404_NOT_FOUND


def test_downgraded_owner_token_cannot_create(
    bearer, make_token, owner, backlog, database_dump
):
    _token, value = make_token(owner, scopes=WRITE)
    Membership.objects.filter(backlog=backlog, user=owner).update(role=Role.VIEWER)
    before = database_dump()

    response = send(
        bearer(value), "POST", f"/backlogs/{backlog.pk}/initiatives", {"title": "x"}
    )

    assert response.status_code == status.HTTP_403_FORBIDDEN
    assert response.json()["error"] == "permission_denied"
    assert database_dump() == before


def test_removed_owner_token_gets_404(
    bearer, make_token, owner, backlog, initiative, database_dump
):
    _token, value = make_token(owner, scopes=WRITE, backlogs=[backlog])
    Membership.objects.filter(backlog=backlog, user=owner).delete()
    client = bearer(value)
    before = database_dump()

    detail = send(client, "GET", f"/backlogs/{backlog.pk}")
    created = send(
        client, "POST", f"/backlogs/{backlog.pk}/initiatives", {"title": "x"}
    )

    assert detail.status_code == status.HTTP_404_NOT_FOUND
    assert detail.json()["error"] == "not_found"
    assert created.status_code == status.HTTP_404_NOT_FOUND
    assert created.json()["error"] == "not_found"
    assert database_dump() == before


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/backlogs/{backlog}/initiatives", {"title": "x"}),
        ("PATCH", "/backlogs/{backlog}/initiatives/{initiative}", {"title": "y"}),
    ],
    ids=["create", "update"],
)
def test_viewer_write_token_cannot_edit(
    bearer,
    make_token,
    member,
    backlog,
    initiative,
    database_dump,
    method,
    path,
    body,
):
    _token, value = make_token(member, scopes=WRITE)
    before = database_dump()

    response = send(
        bearer(value),
        method,
        fill(path, backlog=backlog.pk, initiative=initiative.pk),
        body,
    )

    assert response.status_code == status.HTTP_403_FORBIDDEN
    assert response.json()["error"] == "permission_denied"
    assert database_dump() == before


def test_viewer_write_token_can_vote(bearer, make_token, member, backlog, initiative):
    _token, value = make_token(member, scopes=WRITE)
    path = f"/backlogs/{backlog.pk}/initiatives/{initiative.pk}/vote"

    response = send(bearer(value), "PUT", path)

    assert response.status_code == status.HTTP_204_NO_CONTENT
    assert Vote.objects.filter(initiative=initiative, user=member).exists()


# Views that document the API. They are public and carry no backlog data.
DOCUMENTATION_VIEWS = (SpectacularAPIView, SpectacularSwaggerView, SpectacularRedocView)


def api_view_classes(patterns=None, prefix=""):
    """Yield (route, view class) for every DRF view the URLconf routes to."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from api_view_classes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            view_class = getattr(pattern.callback, "cls", None)
            if view_class is not None and issubclass(view_class, APIView):
                yield route, view_class


def test_every_api_view_checks_token_scope():
    views = [
        (route, view_class)
        for route, view_class in api_view_classes()
        if route.startswith("api/v1/")
        and not issubclass(view_class, DOCUMENTATION_VIEWS)
    ]
    names = {view_class.__name__ for _route, view_class in views}

    assert {"MeView", "SignInView", "BacklogList", "VoteView"} <= names
    for route, view_class in views:
        permissions = view_class().get_permissions()
        assert any(
            isinstance(permission, TokenScopePermission) for permission in permissions
        ), f"{route} ({view_class.__name__}) does not check token scopes"
