"""Lists cost a fixed number of queries, however many rows they show."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework import status

from initiatives.models import Backlog, Initiative, Membership, Role, Vote


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == status.HTTP_200_OK
    return len(context.captured_queries), response


@pytest.fixture
def voters(make_user, backlog):
    users = [make_user(f"voter{number}@example.com") for number in range(3)]
    for user in users:
        Membership.objects.create(backlog=backlog, user=user, role=Role.VIEWER)
    return users


def add_initiatives(backlog, author, voters, count):
    """Add initiatives until the backlog has `count`, each with votes."""
    for number in range(backlog.initiatives.count(), count):
        initiative = Initiative.objects.create(
            backlog=backlog, title=f"Initiative {number}", author=author
        )
        for voter in voters[: number % (len(voters) + 1)]:
            Vote.objects.create(initiative=initiative, user=voter)


def add_backlogs(user, count):
    for number in range(Backlog.objects.filter(memberships__user=user).count(), count):
        backlog = Backlog.objects.create(name=f"Backlog {number}")
        Membership.objects.create(backlog=backlog, user=user, role=Role.EDITOR)


def add_members(backlog, make_user, count):
    for number in range(backlog.memberships.count(), count):
        user = make_user(f"member{number}@example.com")
        Membership.objects.create(backlog=backlog, user=user, role=Role.VIEWER)


@pytest.fixture
def owner_client(session_client, owner):
    client = session_client(owner)
    client.get("/api/v1/me")
    return client


def test_initiative_list_queries_do_not_grow(
    owner_client, owner, member, backlog, voters
):
    url = f"/api/v1/backlogs/{backlog.pk}/initiatives"
    add_initiatives(backlog, member, voters, 5)
    few, _ = count_queries(owner_client, url)

    add_initiatives(backlog, member, voters, 50)
    many, response = count_queries(owner_client, url)

    assert len(response.json()["results"]) == 50
    assert many == few


def test_initiative_list_queries_do_not_grow_for_voter(
    session_client, member, backlog, voters
):
    client = session_client(voters[0])
    url = f"/api/v1/backlogs/{backlog.pk}/initiatives"
    add_initiatives(backlog, member, voters, 5)
    few, _ = count_queries(client, url)

    add_initiatives(backlog, member, voters, 50)
    many, response = count_queries(client, url)

    assert any(row["voted"] for row in response.json()["results"])
    assert many == few


def test_backlog_list_queries_do_not_grow(owner_client, owner, backlog):
    add_backlogs(owner, 2)
    few, _ = count_queries(owner_client, "/api/v1/backlogs")

    add_backlogs(owner, 20)
    many, response = count_queries(owner_client, "/api/v1/backlogs")

    assert len(response.json()["results"]) == 20
    assert many == few


def test_member_list_queries_do_not_grow(owner_client, make_user, backlog):
    url = f"/api/v1/backlogs/{backlog.pk}/members"
    add_members(backlog, make_user, 2)
    few, _ = count_queries(owner_client, url)

    add_members(backlog, make_user, 20)
    many, response = count_queries(owner_client, url)

    assert len(response.json()["results"]) == 20
    assert many == few


def test_backlog_page_queries_do_not_grow(owner, member, backlog, voters):
    client = Client()
    client.force_login(owner)
    url = f"/backlogs/{backlog.pk}"
    client.get(url)
    add_initiatives(backlog, member, voters, 5)
    few, _ = count_queries(client, url)

    add_initiatives(backlog, member, voters, 50)
    many, response = count_queries(client, url)

    assert response.content.decode().count('class="initiative"') == 50
    assert many == few


def test_dashboard_queries_do_not_grow(owner, backlog):
    client = Client()
    client.force_login(owner)
    client.get("/backlogs")
    add_backlogs(owner, 2)
    few, _ = count_queries(client, "/backlogs")

    add_backlogs(owner, 20)
    many, response = count_queries(client, "/backlogs")

    assert len(response.context["backlogs"]) == 20
    assert many == few


def test_members_page_queries_do_not_grow(owner, make_user, backlog):
    client = Client()
    client.force_login(owner)
    url = f"/backlogs/{backlog.pk}/members"
    client.get(url)
    add_members(backlog, make_user, 2)
    few, _ = count_queries(client, url)

    add_members(backlog, make_user, 20)
    many, response = count_queries(client, url)

    assert response.content.decode().count("@example.com</td>") == 20
    assert many == few
