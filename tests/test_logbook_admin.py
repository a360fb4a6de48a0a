"""The logbook in Django admin: readable by operators, never changed there."""

import html

import pytest
from django.test import Client
from rest_framework import status

from initiatives.models import Backlog
from logbook.models import Action, Entry
from priorityvote.models import User
from tokens.models import PersonalAccessToken, Scope

ENTRIES = "/admin/logbook/entry/"


@pytest.fixture
def operator(make_user):
    return make_user("ops@example.com", "Ops", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(operator):
    client = Client()
    client.force_login(operator)
    return client


@pytest.fixture
def entry(initiative, owner, make_token, bearer):
    """The entry of a status change the owner made with the token "jira-sync"."""
    _, value = make_token(owner, (Scope.WRITE_INITIATIVES,), name="jira-sync")
    url = f"/api/v1/backlogs/{initiative.backlog_id}/initiatives/{initiative.pk}"
    response = bearer(value).patch(url, {"status": "planned"})
    assert response.status_code == status.HTTP_200_OK
    return Entry.objects.get(action=Action.INITIATIVE_UPDATED)


LINKS = {"actor_id", "backlog_id", "target_user_id", "token_id"}


def snapshot(entries) -> list[dict]:
    """Return the entries' rows, to compare before and after an admin request."""
    return list(Entry.objects.filter(pk__in=entries).order_by("id").values())


def captured(row: dict) -> dict:
    """Return a row without its foreign keys, which deletions set to null."""
    return {name: value for name, value in row.items() if name not in LINKS}


# Reading.


def test_list_renders(entry, admin_client):
    response = admin_client.get(ENTRIES)

    assert response.status_code == status.HTTP_200_OK
    assert entry.summary in html.unescape(response.content.decode())


@pytest.mark.parametrize(
    "query",
    [
        {"q": "jira-sync"},
        {"action__exact": "initiative.updated"},
        {"created_at__year": "__year__"},
    ],
    ids=["search", "action filter", "date hierarchy"],
)
def test_list_narrows(entry, admin_client, query):
    query = {
        name: str(entry.created_at.year) if value == "__year__" else value
        for name, value in query.items()
    }

    response = admin_client.get(ENTRIES, query)

    assert response.status_code == status.HTTP_200_OK
    assert entry.summary in html.unescape(response.content.decode())


def test_search_leaves_out_other_entries(entry, admin_client):
    response = admin_client.get(ENTRIES, {"q": "no such token"})

    assert response.status_code == status.HTTP_200_OK
    assert entry.summary not in html.unescape(response.content.decode())


def test_detail_renders_read_only(entry, admin_client):
    response = admin_client.get(f"{ENTRIES}{entry.pk}/change/")

    content = response.content.decode()
    assert response.status_code == status.HTTP_200_OK
    assert entry.token_prefix in content
    assert "Dark mode" in content
    assert 'name="_save"' not in content
    assert 'name="target_label"' not in content


def test_detail_of_deleted_token_entry_renders(entry, admin_client):
    PersonalAccessToken.objects.get(pk=entry.token_id).delete()

    response = admin_client.get(f"{ENTRIES}{entry.pk}/change/")

    assert response.status_code == status.HTTP_200_OK
    assert entry.token_prefix in response.content.decode()


def test_list_offers_no_add_or_delete(entry, admin_client):
    content = admin_client.get(ENTRIES).content.decode()

    assert f"{ENTRIES}add/" not in content
    assert "delete_selected" not in content


# Adding, changing and deleting entries, which admin rejects.


def test_add_is_forbidden(entry, admin_client):
    count = Entry.objects.count()
    form = {"action": "vote.cast", "target_type": "initiative", "actor_name": "X"}

    get = admin_client.get(f"{ENTRIES}add/")
    post = admin_client.post(f"{ENTRIES}add/", form)

    assert get.status_code == status.HTTP_403_FORBIDDEN
    assert post.status_code == status.HTTP_403_FORBIDDEN
    assert Entry.objects.count() == count


def test_change_is_forbidden(entry, admin_client):
    before = snapshot([entry.pk])
    form = {"action": "vote.cast", "target_label": "Rewritten", "actor_name": "X"}

    response = admin_client.post(f"{ENTRIES}{entry.pk}/change/", form)

    assert response.status_code == status.HTTP_403_FORBIDDEN
    assert snapshot([entry.pk]) == before


def test_delete_view_is_forbidden(entry, admin_client):
    url = f"{ENTRIES}{entry.pk}/delete/"

    get = admin_client.get(url)
    post = admin_client.post(url, {"post": "yes"})

    assert get.status_code == status.HTTP_403_FORBIDDEN
    assert post.status_code == status.HTTP_403_FORBIDDEN
    assert Entry.objects.filter(pk=entry.pk).exists()


def test_delete_action_is_unavailable(entry, admin_client):
    ids = list(Entry.objects.values_list("id", flat=True))
    form = {"action": "delete_selected", "_selected_action": ids, "post": "yes"}

    admin_client.post(ENTRIES, form)

    assert Entry.objects.count() == len(ids)


# Deleting what entries name keeps the entries.


def delete_in_admin(client, path, pk):
    response = client.post(f"/admin/{path}/{pk}/delete/", {"post": "yes"})
    assert response.status_code == status.HTTP_302_FOUND


def delete_selected_in_admin(client, path, pk):
    form = {"action": "delete_selected", "_selected_action": [pk], "post": "yes"}
    response = client.post(f"/admin/{path}/", form)
    assert response.status_code == status.HTTP_302_FOUND


@pytest.mark.parametrize(
    "delete", [delete_in_admin, delete_selected_in_admin], ids=["view", "action"]
)
@pytest.mark.parametrize(
    ("path", "model", "link"),
    [
        ("tokens/personalaccesstoken", PersonalAccessToken, "token_id"),
        ("priorityvote/user", User, "actor_id"),
        ("initiatives/backlog", Backlog, "backlog_id"),
    ],
    ids=["token", "user", "backlog"],
)
def test_admin_deletion_keeps_entries(entry, admin_client, delete, path, model, link):
    target_id = getattr(entry, link)
    earlier = list(Entry.objects.values_list("id", flat=True))
    before = snapshot(earlier)

    delete(admin_client, path, target_id)

    assert not model.objects.filter(pk=target_id).exists()
    after = snapshot(earlier)
    assert len(after) == len(before)
    for old, new in zip(before, after, strict=True):
        assert captured(new) == captured(old), old["action"]
    assert Entry.objects.get(pk=entry.pk).__dict__[link] is None


def test_admin_backlog_deletion_names_operator(entry, admin_client, operator):
    backlog_id = entry.backlog_id

    delete_in_admin(admin_client, "initiatives/backlog", backlog_id)

    deleted = Entry.objects.get(action=Action.BACKLOG_DELETED)
    assert deleted.actor == operator
    assert deleted.actor_name == "Ops"
    assert deleted.backlog_name == "Team"
    assert deleted.target_id == backlog_id
    assert deleted.token is None


def test_admin_deletion_keeps_token_name(entry, admin_client):
    name, prefix = entry.token_name, entry.token_prefix

    delete_in_admin(admin_client, "tokens/personalaccesstoken", entry.token_id)

    kept = Entry.objects.get(pk=entry.pk)
    assert kept.token is None
    assert kept.token_name == name
    assert kept.token_prefix == prefix
