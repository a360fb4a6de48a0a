"""Backlogs in the API, and row isolation: another user's backlog is a 404."""

import pytest
from rest_framework import status

from initiatives.models import Backlog, Initiative, Membership, Role, Vote

PAGE_KEYS = {"results", "next", "previous"}
BACKLOG_KEYS = {"id", "name", "description", "role", "created_at", "updated_at"}


def assert_error(response, status_code, code):
    assert response.status_code == status_code
    assert response.json()["error"] == code
    assert response.json()["detail"]


def set_role(backlog, user, role):
    Membership.objects.filter(backlog=backlog, user=user).update(role=role)


@pytest.fixture
def owner_client(session_client, owner):
    return session_client(owner)


# List and create


def test_list_shows_only_my_backlogs(owner_client, backlog, other_backlog):
    response = owner_client.get("/api/v1/backlogs")

    assert response.status_code == status.HTTP_200_OK
    assert [row["id"] for row in response.json()["results"]] == [backlog.pk]


def test_list_is_a_page(owner_client, backlog):
    body = owner_client.get("/api/v1/backlogs").json()

    assert set(body) == PAGE_KEYS
    assert body["next"] is None
    assert body["previous"] is None


def test_list_shows_backlog_fields(owner_client, backlog):
    row = owner_client.get("/api/v1/backlogs").json()["results"][0]

    assert set(row) == BACKLOG_KEYS
    assert row["id"] == backlog.pk
    assert row["name"] == "Team"
    assert row["description"] == "What we build next"
    assert row["role"] == "owner"
    assert row["created_at"].endswith("Z")
    assert row["updated_at"].endswith("Z")


def test_list_shows_callers_role(session_client, member, backlog):
    rows = session_client(member).get("/api/v1/backlogs").json()["results"]

    assert [row["role"] for row in rows] == ["viewer"]


def test_outsider_list_is_empty(session_client, outsider, backlog):
    Backlog.objects.filter(memberships__user=outsider).delete()

    body = session_client(outsider).get("/api/v1/backlogs").json()

    assert body == {"results": [], "next": None, "previous": None}


def test_list_pages(owner_client, owner):
    for number in range(3):
        backlog = Backlog.objects.create(name=f"Backlog {number}")
        Membership.objects.create(backlog=backlog, user=owner, role=Role.OWNER)

    first = owner_client.get("/api/v1/backlogs?page_size=2").json()
    second = owner_client.get(first["next"]).json()

    assert [row["name"] for row in first["results"]] == ["Backlog 0", "Backlog 1"]
    assert first["previous"] is None
    assert [row["name"] for row in second["results"]] == ["Backlog 2"]
    assert second["next"] is None
    assert second["previous"]


@pytest.mark.django_db
def test_create_makes_caller_owner(session_client, outsider):
    response = session_client(outsider).post(
        "/api/v1/backlogs", {"name": "Roadmap", "description": "Next quarter"}
    )

    assert response.status_code == status.HTTP_201_CREATED
    body = response.json()
    assert set(body) == BACKLOG_KEYS
    assert body["name"] == "Roadmap"
    assert body["description"] == "Next quarter"
    assert body["role"] == "owner"
    assert body["created_at"].endswith("Z")
    membership = Membership.objects.get(backlog_id=body["id"])
    assert membership.user == outsider
    assert membership.role == Role.OWNER


@pytest.mark.django_db
def test_create_without_description(session_client, outsider):
    response = session_client(outsider).post("/api/v1/backlogs", {"name": "Roadmap"})

    assert response.status_code == status.HTTP_201_CREATED
    assert response.json()["description"] == ""


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": 7}, "name"),
        ({"name": "Roadmap", "description": "x" * 2001}, "description"),
        ({"name": "Roadmap", "role": "owner"}, "role"),
        ({"name": "Roadmap", "colour": "red"}, "colour"),
    ],
)
def test_create_rejects_invalid_body(owner_client, backlog, db_state, body, field):
    before = db_state()

    response = owner_client.post("/api/v1/backlogs", body)

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert field in response.json()["fields"]
    assert db_state() == before


# Detail, change and delete


def test_get_backlog(session_client, member, backlog):
    response = session_client(member).get(f"/api/v1/backlogs/{backlog.pk}")

    assert response.status_code == status.HTTP_200_OK
    body = response.json()
    assert set(body) == BACKLOG_KEYS
    assert body["id"] == backlog.pk
    assert body["name"] == "Team"
    assert body["role"] == "viewer"


def test_owner_changes_backlog(owner_client, backlog):
    response = owner_client.patch(
        f"/api/v1/backlogs/{backlog.pk}", {"name": "Platform"}
    )

    assert response.status_code == status.HTTP_200_OK
    assert response.json()["name"] == "Platform"
    assert response.json()["description"] == "What we build next"
    assert response.json()["role"] == "owner"
    backlog.refresh_from_db()
    assert backlog.name == "Platform"


def test_patch_rejects_unknown_field(owner_client, backlog, db_state):
    before = db_state(backlog)

    response = owner_client.patch(
        f"/api/v1/backlogs/{backlog.pk}", {"name": "Platform", "owner": 1}
    )

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert "owner" in response.json()["fields"]
    assert db_state(backlog) == before


@pytest.mark.parametrize("role", [Role.EDITOR, Role.VIEWER])
def test_non_owner_cannot_change_backlog(
    session_client, member, backlog, db_state, role
):
    set_role(backlog, member, role)
    before = db_state(backlog)

    response = session_client(member).patch(
        f"/api/v1/backlogs/{backlog.pk}", {"name": "Mine now"}
    )

    assert_error(response, status.HTTP_403_FORBIDDEN, "permission_denied")
    assert db_state(backlog) == before


@pytest.mark.parametrize("role", [Role.EDITOR, Role.VIEWER])
def test_non_owner_cannot_delete_backlog(
    session_client, member, backlog, initiative, db_state, role
):
    set_role(backlog, member, role)
    before = db_state(backlog)

    response = session_client(member).delete(f"/api/v1/backlogs/{backlog.pk}")

    assert_error(response, status.HTTP_403_FORBIDDEN, "permission_denied")
    assert db_state(backlog) == before


def test_owner_deletes_backlog_with_its_rows(
    owner_client, owner, member, backlog, initiative, other_backlog
):
    Vote.objects.create(initiative=initiative, user=member)
    other = Initiative.objects.create(backlog=other_backlog, title="Kept")

    response = owner_client.delete(f"/api/v1/backlogs/{backlog.pk}")

    assert response.status_code == status.HTTP_204_NO_CONTENT
    assert not Backlog.objects.filter(pk=backlog.pk).exists()
    assert not Initiative.objects.filter(backlog_id=backlog.pk).exists()
    assert not Vote.objects.filter(initiative_id=initiative.pk).exists()
    assert not Membership.objects.filter(backlog_id=backlog.pk).exists()
    assert Initiative.objects.filter(pk=other.pk).exists()
    assert Membership.objects.filter(backlog=other_backlog).exists()


def test_deleted_backlog_is_gone(owner_client, backlog):
    owner_client.delete(f"/api/v1/backlogs/{backlog.pk}")

    response = owner_client.get(f"/api/v1/backlogs/{backlog.pk}")

    assert_error(response, status.HTTP_404_NOT_FOUND, "not_found")


# Row isolation: the outsider's backlog, seen by the owner of `backlog`

ISOLATED_REQUESTS = [
    ("get", "/api/v1/backlogs/{backlog}", None),
    ("patch", "/api/v1/backlogs/{backlog}", {"name": "Taken"}),
    ("delete", "/api/v1/backlogs/{backlog}", None),
    ("get", "/api/v1/backlogs/{backlog}/members", None),
    (
        "post",
        "/api/v1/backlogs/{backlog}/members",
        {"email": "ada@example.com", "role": "owner"},
    ),
    ("delete", "/api/v1/backlogs/{backlog}/members/{user}", None),
    ("get", "/api/v1/backlogs/{backlog}/initiatives", None),
    ("post", "/api/v1/backlogs/{backlog}/initiatives", {"title": "Planted"}),
    ("get", "/api/v1/backlogs/{backlog}/initiatives/{initiative}", None),
    (
        "patch",
        "/api/v1/backlogs/{backlog}/initiatives/{initiative}",
        {"title": "Changed"},
    ),
    ("delete", "/api/v1/backlogs/{backlog}/initiatives/{initiative}", None),
    ("put", "/api/v1/backlogs/{backlog}/initiatives/{initiative}/vote", None),
    ("delete", "/api/v1/backlogs/{backlog}/initiatives/{initiative}/vote", None),
    ("get", "/api/v1/backlogs/{backlog}/logbook", None),
]


@pytest.fixture
def secret(other_backlog, outsider):
    initiative = Initiative.objects.create(
        backlog=other_backlog, title="Secret", author=outsider
    )
    Vote.objects.create(initiative=initiative, user=outsider)
    return initiative


@pytest.mark.parametrize(("method", "path", "body"), ISOLATED_REQUESTS)
def test_other_users_backlog_is_not_found(
    owner_client, backlog, other_backlog, outsider, secret, db_state, method, path, body
):
    url = path.format(backlog=other_backlog.pk, user=outsider.pk, initiative=secret.pk)
    before = db_state(other_backlog, secret)

    response = getattr(owner_client, method)(url, body)

    assert_error(response, status.HTTP_404_NOT_FOUND, "not_found")
    assert db_state(other_backlog, secret) == before


@pytest.mark.parametrize(("method", "path", "body"), ISOLATED_REQUESTS)
def test_missing_backlog_looks_like_other_users(
    owner_client, other_backlog, outsider, secret, method, path, body
):
    ids = {"user": outsider.pk, "initiative": secret.pk}
    missing_id = Backlog.objects.order_by("-pk").first().pk + 1

    hidden = getattr(owner_client, method)(
        path.format(backlog=other_backlog.pk, **ids), body
    )
    missing = getattr(owner_client, method)(
        path.format(backlog=missing_id, **ids), body
    )

    assert hidden.status_code == missing.status_code
    assert hidden.json() == missing.json()


def test_initiative_path_checks_its_backlog(owner_client, backlog, secret, db_state):
    url = f"/api/v1/backlogs/{backlog.pk}/initiatives/{secret.pk}"
    before = db_state(secret)

    responses = [
        owner_client.get(url),
        owner_client.patch(url, {"title": "Changed"}),
        owner_client.delete(url),
        owner_client.put(f"{url}/vote"),
        owner_client.delete(f"{url}/vote"),
    ]

    for response in responses:
        assert_error(response, status.HTTP_404_NOT_FOUND, "not_found")
    assert db_state(secret) == before


def test_other_users_backlog_is_absent_from_lists(owner_client, other_backlog, secret):
    backlogs = owner_client.get("/api/v1/backlogs").json()["results"]

    assert other_backlog.pk not in [row["id"] for row in backlogs]


def test_former_member_loses_access(session_client, member, backlog, initiative):
    client = session_client(member)
    Membership.objects.filter(backlog=backlog, user=member).delete()

    response = client.get(f"/api/v1/backlogs/{backlog.pk}/initiatives")

    assert_error(response, status.HTTP_404_NOT_FOUND, "not_found")
