"""Votes in the API: PUT casts and DELETE withdraws, both idempotent."""

import pytest
from rest_framework import status

from initiatives.models import Initiative, Membership, Role, Vote
from logbook.models import Entry
from priorityvote.models import User


@pytest.fixture
def vote_url(backlog, initiative):
    return f"/api/v1/backlogs/{backlog.pk}/initiatives/{initiative.pk}/vote"


@pytest.fixture
def detail_url(backlog, initiative):
    return f"/api/v1/backlogs/{backlog.pk}/initiatives/{initiative.pk}"


def vote_count(initiative):
    return Initiative.objects.get(pk=initiative.pk).vote_count


def test_put_casts_vote(session_client, member, initiative, vote_url, detail_url):
    client = session_client(member)

    response = client.put(vote_url)

    assert response.status_code == status.HTTP_204_NO_CONTENT
    assert response.content == b""
    assert vote_count(initiative) == 1
    assert Vote.objects.filter(initiative=initiative, user=member).count() == 1
    assert client.get(detail_url).json()["vote_count"] == 1


def test_put_twice_counts_once(session_client, member, initiative, vote_url):
    client = session_client(member)
    client.put(vote_url)

    response = client.put(vote_url)

    assert response.status_code == status.HTTP_204_NO_CONTENT
    assert vote_count(initiative) == 1
    assert Vote.objects.filter(initiative=initiative).count() == 1


def test_votes_of_several_members_add_up(
    session_client, owner, member, initiative, vote_url
):
    session_client(owner).put(vote_url)
    session_client(member).put(vote_url)

    assert vote_count(initiative) == 2


def test_delete_withdraws_vote(session_client, member, initiative, vote_url):
    client = session_client(member)
    client.put(vote_url)

    response = client.delete(vote_url)

    assert response.status_code == status.HTTP_204_NO_CONTENT
    assert vote_count(initiative) == 0
    assert not Vote.objects.filter(initiative=initiative).exists()


def test_delete_twice_is_harmless(session_client, member, initiative, vote_url):
    client = session_client(member)
    client.put(vote_url)
    client.delete(vote_url)

    response = client.delete(vote_url)

    assert response.status_code == status.HTTP_204_NO_CONTENT
    assert vote_count(initiative) == 0


def test_delete_leaves_other_votes(session_client, owner, member, initiative, vote_url):
    Vote.objects.create(initiative=initiative, user=owner)

    response = session_client(member).delete(vote_url)

    assert response.status_code == status.HTTP_204_NO_CONTENT
    assert vote_count(initiative) == 1
    assert Vote.objects.filter(initiative=initiative, user=owner).exists()


@pytest.mark.parametrize("role", [Role.OWNER, Role.EDITOR, Role.VIEWER])
def test_any_member_can_vote(
    session_client, member, backlog, initiative, vote_url, role
):
    Membership.objects.filter(backlog=backlog, user=member).update(role=role)

    response = session_client(member).put(vote_url)

    assert response.status_code == status.HTTP_204_NO_CONTENT
    assert vote_count(initiative) == 1


def test_vote_for_missing_initiative(session_client, member, backlog, initiative):
    url = f"/api/v1/backlogs/{backlog.pk}/initiatives/{initiative.pk + 1000}/vote"

    response = session_client(member).put(url)

    assert response.status_code == status.HTTP_404_NOT_FOUND
    assert response.json()["error"] == "not_found"
    assert not Vote.objects.exists()


def test_voted_is_per_caller_in_list(
    session_client, owner, member, backlog, initiative
):
    Vote.objects.create(initiative=initiative, user=member)
    url = f"/api/v1/backlogs/{backlog.pk}/initiatives"

    as_member = session_client(member).get(url).json()["results"][0]
    as_owner = session_client(owner).get(url).json()["results"][0]

    assert as_member["voted"] is True
    assert as_owner["voted"] is False
    assert as_member["vote_count"] == 1
    assert as_owner["vote_count"] == 1


def test_voted_is_per_caller_in_detail(
    session_client, owner, member, initiative, detail_url
):
    Vote.objects.create(initiative=initiative, user=owner)

    as_owner = session_client(owner).get(detail_url).json()
    as_member = session_client(member).get(detail_url).json()

    assert as_owner["voted"] is True
    assert as_member["voted"] is False


def test_voted_follows_put_and_delete(session_client, member, vote_url, detail_url):
    client = session_client(member)

    client.put(vote_url)
    after_put = client.get(detail_url).json()["voted"]
    client.delete(vote_url)
    after_delete = client.get(detail_url).json()["voted"]

    assert after_put is True
    assert after_delete is False


def test_deleting_user_lowers_vote_counts(owner, member, backlog, initiative):
    other = Initiative.objects.create(backlog=backlog, title="Search")
    untouched = Initiative.objects.create(backlog=backlog, title="Export")
    for voted_for in (initiative, other):
        Vote.objects.create(initiative=voted_for, user=member)
        Vote.objects.create(initiative=voted_for, user=owner)
    Vote.objects.create(initiative=untouched, user=owner)

    User.objects.filter(pk=member.pk).delete()

    assert vote_count(initiative) == 1
    assert vote_count(other) == 1
    assert vote_count(untouched) == 1


# Bodies: the vote endpoints take none, so anything but nothing or {} is rejected.

BAD_BODIES = [
    ('{"bogus": 1', "application/json"),
    ("not json", "application/json"),
    ('{"bogus": 1}', "application/json"),
    ('{"voted": false}', "application/json"),
    ("[]", "application/json"),
    ("vote", "text/plain"),
]
BAD_BODY_IDS = [
    "truncated-json",
    "not-json",
    "unknown-field",
    "unknown-field-voted",
    "list",
    "text-plain",
]


def assert_rejected_body(response):
    assert response.status_code in {
        status.HTTP_400_BAD_REQUEST,
        status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
    }
    assert response.json()["error"] in {"validation_error", "unsupported_media_type"}
    assert response.json()["detail"]


@pytest.mark.parametrize(("body", "content_type"), BAD_BODIES, ids=BAD_BODY_IDS)
def test_put_with_body_changes_nothing(
    session_client, member, initiative, vote_url, db_state, body, content_type
):
    entries_before = Entry.objects.count()
    before = db_state(initiative)

    response = session_client(member).put(vote_url, body, content_type=content_type)

    assert_rejected_body(response)
    assert db_state(initiative) == before
    assert not Vote.objects.exists()
    assert Entry.objects.count() == entries_before


@pytest.mark.parametrize(("body", "content_type"), BAD_BODIES, ids=BAD_BODY_IDS)
def test_delete_with_body_changes_nothing(
    session_client, member, initiative, vote_url, db_state, body, content_type
):
    Vote.objects.create(initiative=initiative, user=member)
    entries_before = Entry.objects.count()
    before = db_state(initiative)

    response = session_client(member).delete(vote_url, body, content_type=content_type)

    assert_rejected_body(response)
    assert db_state(initiative) == before
    assert Vote.objects.filter(initiative=initiative, user=member).exists()
    assert Entry.objects.count() == entries_before


@pytest.mark.parametrize(
    "body",
    [None, "", "{}"],
    ids=["no-body", "empty-json-body", "empty-object"],
)
def test_empty_body_still_votes(session_client, member, initiative, vote_url, body):
    client = session_client(member)
    send = {} if body is None else {"data": body, "content_type": "application/json"}

    cast = client.put(vote_url, **send)
    counted = vote_count(initiative)
    withdrawn = client.delete(vote_url, **send)

    assert cast.status_code == status.HTTP_204_NO_CONTENT
    assert counted == 1
    assert withdrawn.status_code == status.HTTP_204_NO_CONTENT
    assert vote_count(initiative) == 0
