"""Backlog members in the API: any member lists them, owners manage them."""

from collections import Counter

import pytest
from django.db import connection
from django.db.models import QuerySet
from rest_framework import status

from initiatives import services
from initiatives.models import Membership, Role
from tests.concurrency import send_at_once

MEMBER_KEYS = {"id", "email", "display_name", "role", "created_at"}


def assert_error(response, status_code, code):
    assert response.status_code == status_code
    assert response.json()["error"] == code
    assert response.json()["detail"]


def set_role(backlog, user, role):
    Membership.objects.filter(backlog=backlog, user=user).update(role=role)


def role_of(backlog, user):
    membership = Membership.objects.filter(backlog=backlog, user=user).first()
    return membership.role if membership else None


@pytest.fixture
def owner_client(session_client, owner):
    return session_client(owner)


@pytest.fixture
def members_url(backlog):
    return f"/api/v1/backlogs/{backlog.pk}/members"


# List


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR])
def test_any_member_lists_members(
    session_client, owner, member, backlog, members_url, role
):
    set_role(backlog, member, role)

    response = session_client(member).get(members_url)

    assert response.status_code == status.HTTP_200_OK
    body = response.json()
    assert set(body) == {"results", "next", "previous"}
    assert [(row["id"], row["role"]) for row in body["results"]] == [
        (owner.pk, "owner"),
        (member.pk, role),
    ]


def test_member_row_fields(owner_client, owner, members_url):
    row = owner_client.get(members_url).json()["results"][0]

    assert set(row) == MEMBER_KEYS
    assert row["id"] == owner.pk
    assert row["email"] == "ada@example.com"
    assert row["display_name"] == "Ada"
    assert row["created_at"].endswith("Z")


# Add and change


def test_owner_adds_member(owner_client, outsider, backlog, members_url):
    response = owner_client.post(
        members_url, {"email": "eve@example.com", "role": "editor"}
    )

    assert response.status_code == status.HTTP_201_CREATED
    body = response.json()
    assert set(body) == MEMBER_KEYS
    assert body["id"] == outsider.pk
    assert body["role"] == "editor"
    assert role_of(backlog, outsider) == Role.EDITOR


def test_added_member_sees_backlog(
    owner_client, session_client, outsider, backlog, members_url
):
    owner_client.post(members_url, {"email": "eve@example.com", "role": "viewer"})

    response = session_client(outsider).get(f"/api/v1/backlogs/{backlog.pk}")

    assert response.status_code == status.HTTP_200_OK
    assert response.json()["role"] == "viewer"


def test_owner_adds_member_by_email_in_other_case(
    owner_client, outsider, backlog, members_url
):
    response = owner_client.post(
        members_url, {"email": "EVE@Example.com", "role": "viewer"}
    )

    assert response.status_code == status.HTTP_201_CREATED
    assert role_of(backlog, outsider) == Role.VIEWER


def test_owner_changes_role(owner_client, member, backlog, members_url):
    response = owner_client.post(
        members_url, {"email": "bob@example.com", "role": "editor"}
    )

    assert response.status_code == status.HTTP_200_OK
    assert response.json()["id"] == member.pk
    assert response.json()["role"] == "editor"
    assert role_of(backlog, member) == Role.EDITOR
    assert Membership.objects.filter(backlog=backlog).count() == 2


def test_owner_makes_second_owner_then_steps_down(
    owner_client, owner, member, backlog, members_url
):
    owner_client.post(members_url, {"email": "bob@example.com", "role": "owner"})

    response = owner_client.post(
        members_url, {"email": "ada@example.com", "role": "viewer"}
    )

    assert response.status_code == status.HTTP_200_OK
    assert role_of(backlog, owner) == Role.VIEWER
    assert role_of(backlog, member) == Role.OWNER


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR])
def test_non_owner_cannot_add_member(
    session_client, member, outsider, backlog, members_url, db_state, role
):
    set_role(backlog, member, role)
    before = db_state()

    response = session_client(member).post(
        members_url, {"email": "eve@example.com", "role": "viewer"}
    )

    assert_error(response, status.HTTP_403_FORBIDDEN, "permission_denied")
    assert db_state() == before


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR])
def test_non_owner_cannot_change_own_role(
    session_client, member, backlog, members_url, db_state, role
):
    set_role(backlog, member, role)
    membership = Membership.objects.get(backlog=backlog, user=member)
    before = db_state(membership)

    response = session_client(member).post(
        members_url, {"email": "bob@example.com", "role": "owner"}
    )

    assert_error(response, status.HTTP_403_FORBIDDEN, "permission_denied")
    assert db_state(membership) == before


@pytest.mark.parametrize(
    "email", ["nobody@example.com", "gone@example.com", "not an address"]
)
def test_add_rejects_unknown_email(
    owner_client, make_user, members_url, db_state, email
):
    make_user("gone@example.com", is_active=False)
    before = db_state()

    response = owner_client.post(members_url, {"email": email, "role": "viewer"})

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert "email" in response.json()["fields"]
    assert db_state() == before


@pytest.mark.parametrize("role", ["admin", "Owner", "", None, 1])
def test_add_rejects_invalid_role(owner_client, outsider, members_url, db_state, role):
    before = db_state()

    response = owner_client.post(
        members_url, {"email": "eve@example.com", "role": role}
    )

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert "role" in response.json()["fields"]
    assert db_state() == before


def test_add_rejects_unknown_field(owner_client, outsider, members_url, db_state):
    before = db_state()

    response = owner_client.post(
        members_url, {"email": "eve@example.com", "role": "viewer", "note": "hi"}
    )

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert "note" in response.json()["fields"]
    assert db_state() == before


@pytest.mark.parametrize("role", [Role.EDITOR, Role.VIEWER])
def test_last_owner_cannot_be_demoted(
    owner_client, owner, backlog, members_url, db_state, role
):
    membership = Membership.objects.get(backlog=backlog, user=owner)
    before = db_state(membership)

    response = owner_client.post(
        members_url, {"email": "ada@example.com", "role": role}
    )

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert "role" in response.json()["fields"]
    assert db_state(membership) == before


# Remove


def test_owner_removes_member(owner_client, member, backlog, members_url):
    response = owner_client.delete(f"{members_url}/{member.pk}")

    assert response.status_code == status.HTTP_204_NO_CONTENT
    assert role_of(backlog, member) is None
    assert Membership.objects.filter(backlog=backlog).count() == 1


def test_removed_member_loses_access(
    owner_client, session_client, member, backlog, members_url
):
    owner_client.delete(f"{members_url}/{member.pk}")

    response = session_client(member).get(f"/api/v1/backlogs/{backlog.pk}")

    assert_error(response, status.HTTP_404_NOT_FOUND, "not_found")


def test_last_owner_cannot_be_removed(
    owner_client, owner, backlog, members_url, db_state
):
    membership = Membership.objects.get(backlog=backlog, user=owner)
    before = db_state(membership)

    response = owner_client.delete(f"{members_url}/{owner.pk}")

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert db_state(membership) == before


def test_owner_leaves_when_another_owner_remains(
    owner_client, owner, member, backlog, members_url
):
    set_role(backlog, member, Role.OWNER)

    response = owner_client.delete(f"{members_url}/{owner.pk}")

    assert response.status_code == status.HTTP_204_NO_CONTENT
    assert role_of(backlog, owner) is None


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR])
def test_non_owner_cannot_remove_member(
    session_client, owner, member, backlog, members_url, db_state, role
):
    set_role(backlog, member, role)
    before = db_state()

    response = session_client(member).delete(f"{members_url}/{owner.pk}")

    assert_error(response, status.HTTP_403_FORBIDDEN, "permission_denied")
    assert db_state() == before


def test_remove_non_member_is_not_found(owner_client, outsider, members_url, db_state):
    before = db_state()

    response = owner_client.delete(f"{members_url}/{outsider.pk}")

    assert_error(response, status.HTTP_404_NOT_FOUND, "not_found")
    assert db_state() == before


def test_remove_missing_user_is_not_found(owner_client, members_url, db_state):
    before = db_state()

    response = owner_client.delete(f"{members_url}/999999")

    assert_error(response, status.HTTP_404_NOT_FOUND, "not_found")
    assert db_state() == before


# Additions that race for one membership


@pytest.fixture
def membership_check_misses_once(monkeypatch):
    """Make the first membership lookup find none, although the row exists.

    set_member_role then tries to insert the row, as it does when a
    concurrent request adds the same user between its lookup and its insert.
    """
    real_first = QuerySet.first
    missed = []

    def first(queryset):
        if queryset.model is Membership and not missed:
            missed.append(queryset)
            return None
        return real_first(queryset)

    monkeypatch.setattr(QuerySet, "first", first)
    return missed


def test_set_member_role_losing_race_changes_role(
    backlog, member, membership_check_misses_once
):
    membership, created = services.set_member_role(backlog, member, Role.EDITOR)

    assert membership_check_misses_once, "the lookup was not simulated"
    assert created is False
    assert membership.role == Role.EDITOR
    assert role_of(backlog, member) == Role.EDITOR
    assert Membership.objects.filter(backlog=backlog, user=member).count() == 1


def test_set_member_role_losing_race_keeps_last_owner(
    backlog, owner, membership_check_misses_once
):
    with pytest.raises(services.LastOwnerError):
        services.set_member_role(backlog, owner, Role.VIEWER)

    assert role_of(backlog, owner) == Role.OWNER


def test_add_member_losing_race_answers_200(
    owner_client, member, backlog, members_url, membership_check_misses_once
):
    owner_client.raise_request_exception = False

    response = owner_client.post(
        members_url, {"email": "bob@example.com", "role": "editor"}
    )

    assert membership_check_misses_once, "the lookup was not simulated"
    assert response.status_code == status.HTTP_200_OK
    assert response.json()["role"] == "editor"
    assert role_of(backlog, member) == Role.EDITOR
    assert Membership.objects.filter(backlog=backlog, user=member).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_additions_create_one_membership(
    session_client, owner, outsider, backlog, members_url, settings
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite runs one write at a time, so no race")
    settings.PRIORITYVOTE_AUTH_RATE = None
    attempts = 12
    clients = [session_client(owner) for _ in range(attempts)]
    for client in clients:
        client.raise_request_exception = False

    def add_member():
        client = clients.pop()
        return client.post(members_url, {"email": "eve@example.com", "role": "editor"})

    responses = send_at_once(attempts, add_member)

    codes = Counter(
        getattr(response, "status_code", response) for response in responses
    )
    assert codes == {
        status.HTTP_201_CREATED: 1,
        status.HTTP_200_OK: attempts - 1,
    }
    assert Membership.objects.filter(backlog=backlog, user=outsider).count() == 1
    assert role_of(backlog, outsider) == Role.EDITOR
