"""Initiatives in the API: ranking, filtering, roles and input checks."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework import status

from initiatives.models import Initiative, Membership, Role, Status, Vote

INITIATIVE_KEYS = {
    "id",
    "backlog",
    "title",
    "description",
    "status",
    "author",
    "vote_count",
    "voted",
    "created_at",
    "updated_at",
}


def assert_error(response, status_code, code):
    assert response.status_code == status_code
    assert response.json()["error"] == code
    assert response.json()["detail"]


def set_role(backlog, user, role):
    Membership.objects.filter(backlog=backlog, user=user).update(role=role)


def titles(response):
    return [row["title"] for row in response.json()["results"]]


@pytest.fixture
def owner_client(session_client, owner):
    return session_client(owner)


@pytest.fixture
def list_url(backlog):
    return f"/api/v1/backlogs/{backlog.pk}/initiatives"


@pytest.fixture
def detail_url(backlog, initiative):
    return f"/api/v1/backlogs/{backlog.pk}/initiatives/{initiative.pk}"


def add_votes(initiative, *users):
    for user in users:
        Vote.objects.create(initiative=initiative, user=user)


# List


def test_list_shows_initiative_fields(
    owner_client, owner, backlog, initiative, list_url
):
    response = owner_client.get(list_url)

    assert response.status_code == status.HTTP_200_OK
    body = response.json()
    assert set(body) == {"results", "next", "previous"}
    row = body["results"][0]
    assert set(row) == INITIATIVE_KEYS
    assert row["id"] == initiative.pk
    assert row["backlog"] == backlog.pk
    assert row["title"] == "Dark mode"
    assert row["description"] == ""
    assert row["status"] == "proposed"
    assert row["author"] == {"id": owner.pk, "display_name": "Ada"}
    assert row["vote_count"] == 0
    assert row["voted"] is False
    assert row["created_at"].endswith("Z")
    assert row["updated_at"].endswith("Z")


def test_list_ranks_by_votes_then_age(
    owner_client, owner, member, outsider, backlog, list_url
):
    now = timezone.now()
    older = Initiative.objects.create(backlog=backlog, title="Older, no votes")
    popular = Initiative.objects.create(backlog=backlog, title="Two votes")
    # Created last but dated earliest, so the order depends on created_at, not id.
    oldest = Initiative.objects.create(backlog=backlog, title="Oldest, no votes")
    liked = Initiative.objects.create(backlog=backlog, title="One vote")
    Initiative.objects.filter(pk=older.pk).update(created_at=now - timedelta(hours=1))
    Initiative.objects.filter(pk=oldest.pk).update(created_at=now - timedelta(hours=2))
    add_votes(popular, owner, member)
    add_votes(liked, owner)

    response = owner_client.get(list_url)

    assert titles(response) == [
        "Two votes",
        "One vote",
        "Oldest, no votes",
        "Older, no votes",
    ]


def test_list_ranking_follows_new_votes(
    session_client, owner, member, backlog, list_url
):
    Initiative.objects.create(backlog=backlog, title="First")
    second = Initiative.objects.create(backlog=backlog, title="Second")
    client = session_client(member)
    url = f"/api/v1/backlogs/{backlog.pk}/initiatives/{second.pk}/vote"

    client.put(url)

    assert titles(client.get(list_url)) == ["Second", "First"]


@pytest.mark.parametrize("chosen", Status.values)
def test_list_filters_by_status(owner_client, backlog, list_url, chosen):
    for value in Status.values:
        Initiative.objects.create(backlog=backlog, title=f"Is {value}", status=value)

    response = owner_client.get(f"{list_url}?status={chosen}")

    assert response.status_code == status.HTTP_200_OK
    assert titles(response) == [f"Is {chosen}"]


@pytest.mark.parametrize("value", ["open", "", "DONE", "done,planned"])
def test_list_rejects_invalid_status(owner_client, initiative, list_url, value):
    response = owner_client.get(f"{list_url}?status={value}")

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert "status" in response.json()["fields"]


# Create


@pytest.mark.parametrize("role", [Role.OWNER, Role.EDITOR])
def test_editing_roles_create_initiative(
    session_client, member, backlog, list_url, role
):
    set_role(backlog, member, role)

    response = session_client(member).post(
        list_url, {"title": "Search", "description": "Find things", "status": "planned"}
    )

    assert response.status_code == status.HTTP_201_CREATED
    body = response.json()
    assert set(body) == INITIATIVE_KEYS
    assert body["title"] == "Search"
    assert body["description"] == "Find things"
    assert body["status"] == "planned"
    assert body["backlog"] == backlog.pk
    assert body["author"] == {"id": member.pk, "display_name": "Bob"}
    assert body["vote_count"] == 0
    assert body["voted"] is False
    initiative = Initiative.objects.get(pk=body["id"])
    assert initiative.backlog == backlog
    assert initiative.author == member


def test_create_defaults(owner_client, list_url):
    response = owner_client.post(list_url, {"title": "Search"})

    assert response.status_code == status.HTTP_201_CREATED
    assert response.json()["status"] == "proposed"
    assert response.json()["description"] == ""


def test_viewer_cannot_create_initiative(session_client, member, list_url, db_state):
    before = db_state()

    response = session_client(member).post(list_url, {"title": "Search"})

    assert_error(response, status.HTTP_403_FORBIDDEN, "permission_denied")
    assert db_state() == before


@pytest.mark.parametrize("length", [1, 200])
def test_title_length_accepted(owner_client, list_url, length):
    response = owner_client.post(list_url, {"title": "x" * length})

    assert response.status_code == status.HTTP_201_CREATED
    assert len(Initiative.objects.get(pk=response.json()["id"]).title) == length


@pytest.mark.parametrize("title", ["x" * 201, "", "   ", "\t\n"])
def test_title_rejected(owner_client, list_url, db_state, title):
    before = db_state()

    response = owner_client.post(list_url, {"title": title})

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert "title" in response.json()["fields"]
    assert db_state() == before


def test_description_up_to_limit(owner_client, list_url):
    response = owner_client.post(
        list_url, {"title": "Long", "description": "d" * 10_000}
    )

    assert response.status_code == status.HTTP_201_CREATED
    assert len(response.json()["description"]) == 10_000


def test_description_over_limit(owner_client, list_url, db_state):
    before = db_state()

    response = owner_client.post(
        list_url, {"title": "Long", "description": "d" * 10_001}
    )

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert "description" in response.json()["fields"]
    assert db_state() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "title"),
        ({"title": 42}, "title"),
        ({"title": 4.2}, "title"),
        ({"title": ["Search"]}, "title"),
        ({"title": {"text": "Search"}}, "title"),
        ({"title": None}, "title"),
        ({"title": True}, "title"),
        ({"title": "Search", "description": None}, "description"),
        ({"title": "Search", "description": 7}, "description"),
        ({"title": "Search", "status": "open"}, "status"),
        ({"title": "Search", "status": 1}, "status"),
        ({"title": "Search", "status": None}, "status"),
        ({"title": "Search", "vote_count": 99}, "vote_count"),
        ({"title": "Search", "author": 1}, "author"),
        ({"title": "Search", "backlog": 1}, "backlog"),
        ({"title": "Search", "titel": "typo"}, "titel"),
    ],
)
def test_create_rejects_invalid_body(owner_client, list_url, db_state, body, field):
    before = db_state()

    response = owner_client.post(list_url, body)

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert field in response.json()["fields"]
    assert db_state() == before


# Detail, change and delete


def test_get_initiative(session_client, member, initiative, detail_url):
    response = session_client(member).get(detail_url)

    assert response.status_code == status.HTTP_200_OK
    assert set(response.json()) == INITIATIVE_KEYS
    assert response.json()["id"] == initiative.pk


def test_get_missing_initiative(owner_client, backlog, initiative):
    url = f"/api/v1/backlogs/{backlog.pk}/initiatives/{initiative.pk + 1000}"

    response = owner_client.get(url)

    assert_error(response, status.HTTP_404_NOT_FOUND, "not_found")


@pytest.mark.parametrize("role", [Role.OWNER, Role.EDITOR])
def test_editing_roles_change_initiative(
    session_client, member, backlog, initiative, detail_url, role
):
    set_role(backlog, member, role)

    response = session_client(member).patch(
        detail_url, {"status": "planned", "description": "Easy on the eyes"}
    )

    assert response.status_code == status.HTTP_200_OK
    assert response.json()["status"] == "planned"
    assert response.json()["title"] == "Dark mode"
    initiative.refresh_from_db()
    assert initiative.status == Status.PLANNED
    assert initiative.description == "Easy on the eyes"


def test_viewer_cannot_change_initiative(
    session_client, member, initiative, detail_url, db_state
):
    before = db_state(initiative)

    response = session_client(member).patch(detail_url, {"title": "Light mode"})

    assert_error(response, status.HTTP_403_FORBIDDEN, "permission_denied")
    assert db_state(initiative) == before


def test_empty_patch_changes_nothing(owner_client, initiative, detail_url):
    before = Initiative.objects.values(
        "title", "description", "status", "vote_count", "author"
    ).get(pk=initiative.pk)

    response = owner_client.patch(detail_url, {})

    assert response.status_code == status.HTTP_200_OK
    assert response.json()["title"] == "Dark mode"
    after = Initiative.objects.values(
        "title", "description", "status", "vote_count", "author"
    ).get(pk=initiative.pk)
    assert after == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": None}, "title"),
        ({"title": 5}, "title"),
        ({"status": "open"}, "status"),
        ({"description": "d" * 10_001}, "description"),
        ({"vote_count": 1000}, "vote_count"),
        ({"title": "Light mode", "satus": "done"}, "satus"),
    ],
)
def test_patch_rejects_invalid_body(
    owner_client, initiative, detail_url, db_state, body, field
):
    before = db_state(initiative)

    response = owner_client.patch(detail_url, body)

    assert_error(response, status.HTTP_400_BAD_REQUEST, "validation_error")
    assert field in response.json()["fields"]
    assert db_state(initiative) == before


def test_owner_deletes_initiative(owner_client, member, initiative, detail_url):
    add_votes(initiative, member)

    response = owner_client.delete(detail_url)

    assert response.status_code == status.HTTP_204_NO_CONTENT
    assert not Initiative.objects.filter(pk=initiative.pk).exists()
    assert not Vote.objects.filter(initiative_id=initiative.pk).exists()


@pytest.mark.parametrize("role", [Role.EDITOR, Role.VIEWER])
def test_non_owner_cannot_delete_initiative(
    session_client, member, backlog, initiative, detail_url, db_state, role
):
    set_role(backlog, member, role)
    before = db_state(initiative)

    response = session_client(member).delete(detail_url)

    assert_error(response, status.HTTP_403_FORBIDDEN, "permission_denied")
    assert db_state(initiative) == before


def test_viewer_can_vote(session_client, member, initiative, detail_url):
    response = session_client(member).put(f"{detail_url}/vote")

    assert response.status_code == status.HTTP_204_NO_CONTENT
    assert Vote.objects.filter(initiative=initiative, user=member).exists()
