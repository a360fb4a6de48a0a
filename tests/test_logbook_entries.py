"""Logbook entries: what each change writes, and when nothing is written.

Every change goes through a real request (the API or the pages), so the
actor and token come from the request context as in production. Fixtures
create rows outside any request, so tests count only the entries written
after a mark taken just before the request under test.
"""

from unittest import mock

import pytest
from django.db import DatabaseError
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework import status

from initiatives.models import Backlog, Initiative, Membership, Status, Vote
from logbook.models import Action, AppendOnlyError, Entry
from tokens.models import PersonalAccessToken, Scope

WRITE = (Scope.WRITE_INITIATIVES,)


def latest_entry_id() -> int:
    """Return the id of the newest entry, or 0 when there is none."""
    return Entry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def entries_since(mark: int) -> list[Entry]:
    return list(Entry.objects.filter(id__gt=mark).order_by("id"))


def only_entry_since(mark: int) -> Entry:
    entries = entries_since(mark)
    assert len(entries) == 1, [entry.action for entry in entries]
    return entries[0]


def assert_entry(entry: Entry, expected: dict) -> None:
    """Assert each captured field on its own, naming the field that differs."""
    for field, value in expected.items():
        assert getattr(entry, field) == value, field


def assert_written_during(entry: Entry, before, after) -> None:
    assert entry.created_at is not None
    assert before <= entry.created_at <= after


def no_token() -> dict:
    return {"token": None, "token_name": "", "token_prefix": ""}


def token_fields(token: PersonalAccessToken) -> dict:
    return {"token": token, "token_name": token.name, "token_prefix": token.prefix}


@pytest.fixture
def page_client():
    """Return a Django test client signed in as `user`, for the HTML pages."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def operator(make_user):
    return make_user("ops@example.com", "Ops", is_staff=True, is_superuser=True)


def initiatives_url(backlog) -> str:
    return f"/api/v1/backlogs/{backlog.pk}/initiatives"


def initiative_url(initiative) -> str:
    return f"/api/v1/backlogs/{initiative.backlog_id}/initiatives/{initiative.pk}"


# One test per action, each through a real request.


def test_initiative_created_entry(backlog, owner, make_token, bearer):
    token, value = make_token(owner, WRITE, name="jira-sync")
    body = {"title": "Dark mode", "description": "Easier at night", "status": "planned"}
    mark = latest_entry_id()
    before = timezone.now()

    response = bearer(value).post(initiatives_url(backlog), body)

    after = timezone.now()
    assert response.status_code == status.HTTP_201_CREATED
    entry = only_entry_since(mark)
    assert_written_during(entry, before, after)
    expected_changes = {
        "title": [None, "Dark mode"],
        "description": [None, "Easier at night"],
        "status": [None, "planned"],
    }
    assert_entry(
        entry,
        {
            "action": Action.INITIATIVE_CREATED,
            "actor": owner,
            "actor_name": "Ada",
            "backlog": backlog,
            "backlog_name": "Team",
            "target_type": "initiative",
            "target_id": response.json()["id"],
            "target_label": "Dark mode",
            "target_user": None,
            "changes": expected_changes,
            **token_fields(token),
        },
    )


def test_initiative_updated_entry(initiative, backlog, owner, make_token, bearer):
    token, value = make_token(owner, WRITE, name="jira-sync")
    mark = latest_entry_id()
    before = timezone.now()

    response = bearer(value).patch(initiative_url(initiative), {"status": "planned"})

    after = timezone.now()
    assert response.status_code == status.HTTP_200_OK
    entry = only_entry_since(mark)
    assert_written_during(entry, before, after)
    assert_entry(
        entry,
        {
            "action": Action.INITIATIVE_UPDATED,
            "actor": owner,
            "actor_name": "Ada",
            "backlog": backlog,
            "backlog_name": "Team",
            "target_type": "initiative",
            "target_id": initiative.pk,
            "target_label": "Dark mode",
            "target_user": None,
            "changes": {"status": ["proposed", "planned"]},
            **token_fields(token),
        },
    )


def test_initiative_update_records_only_changed_fields(
    initiative, owner, session_client
):
    body = {"title": "Dark theme", "status": "proposed"}
    mark = latest_entry_id()

    response = session_client(owner).patch(initiative_url(initiative), body)

    assert response.status_code == status.HTTP_200_OK
    entry = only_entry_since(mark)
    assert entry.changes == {"title": ["Dark mode", "Dark theme"]}
    assert entry.target_label == "Dark theme"


def test_initiative_deleted_entry(initiative, backlog, owner, session_client):
    initiative_id = initiative.pk
    mark = latest_entry_id()
    before = timezone.now()

    response = session_client(owner).delete(initiative_url(initiative))

    after = timezone.now()
    assert response.status_code == status.HTTP_204_NO_CONTENT
    entry = only_entry_since(mark)
    assert_written_during(entry, before, after)
    assert_entry(
        entry,
        {
            "action": Action.INITIATIVE_DELETED,
            "actor": owner,
            "actor_name": "Ada",
            "backlog": backlog,
            "backlog_name": "Team",
            "target_type": "initiative",
            "target_id": initiative_id,
            "target_label": "Dark mode",
            "target_user": None,
            "changes": {},
            **no_token(),
        },
    )


def test_vote_cast_entry(initiative, backlog, member, session_client):
    mark = latest_entry_id()
    before = timezone.now()

    response = session_client(member).put(initiative_url(initiative) + "/vote")

    after = timezone.now()
    assert response.status_code == status.HTTP_204_NO_CONTENT
    entry = only_entry_since(mark)
    assert_written_during(entry, before, after)
    assert_entry(
        entry,
        {
            "action": Action.VOTE_CAST,
            "actor": member,
            "actor_name": "Bob",
            "backlog": backlog,
            "backlog_name": "Team",
            "target_type": "initiative",
            "target_id": initiative.pk,
            "target_label": "Dark mode",
            "target_user": None,
            "changes": {},
            **no_token(),
        },
    )


def test_vote_withdrawn_entry(initiative, backlog, member, make_token, bearer):
    Vote.objects.create(initiative=initiative, user=member)
    token, value = make_token(member, WRITE, name="vote-bot")
    mark = latest_entry_id()
    before = timezone.now()

    response = bearer(value).delete(initiative_url(initiative) + "/vote")

    after = timezone.now()
    assert response.status_code == status.HTTP_204_NO_CONTENT
    entry = only_entry_since(mark)
    assert_written_during(entry, before, after)
    assert_entry(
        entry,
        {
            "action": Action.VOTE_WITHDRAWN,
            "actor": member,
            "actor_name": "Bob",
            "backlog": backlog,
            "backlog_name": "Team",
            "target_type": "initiative",
            "target_id": initiative.pk,
            "target_label": "Dark mode",
            "target_user": None,
            "changes": {},
            **token_fields(token),
        },
    )


def test_member_added_entry(backlog, owner, outsider, session_client):
    url = f"/api/v1/backlogs/{backlog.pk}/members"
    mark = latest_entry_id()
    before = timezone.now()

    response = session_client(owner).post(
        url, {"email": outsider.email, "role": "editor"}
    )

    after = timezone.now()
    assert response.status_code == status.HTTP_201_CREATED
    entry = only_entry_since(mark)
    assert_written_during(entry, before, after)
    assert_entry(
        entry,
        {
            "action": Action.MEMBER_ADDED,
            "actor": owner,
            "actor_name": "Ada",
            "backlog": backlog,
            "backlog_name": "Team",
            "target_type": "user",
            "target_id": outsider.pk,
            "target_label": "Eve",
            "target_user": outsider,
            "changes": {"role": [None, "editor"]},
            **no_token(),
        },
    )


def test_member_changed_entry(backlog, owner, member, session_client):
    url = f"/api/v1/backlogs/{backlog.pk}/members"
    mark = latest_entry_id()
    before = timezone.now()

    response = session_client(owner).post(
        url, {"email": member.email, "role": "editor"}
    )

    after = timezone.now()
    assert response.status_code == status.HTTP_200_OK
    entry = only_entry_since(mark)
    assert_written_during(entry, before, after)
    assert_entry(
        entry,
        {
            "action": Action.MEMBER_CHANGED,
            "actor": owner,
            "actor_name": "Ada",
            "backlog": backlog,
            "backlog_name": "Team",
            "target_type": "user",
            "target_id": member.pk,
            "target_label": "Bob",
            "target_user": member,
            "changes": {"role": ["viewer", "editor"]},
            **no_token(),
        },
    )


def test_member_removed_entry(backlog, owner, member, session_client):
    url = f"/api/v1/backlogs/{backlog.pk}/members/{member.pk}"
    mark = latest_entry_id()
    before = timezone.now()

    response = session_client(owner).delete(url)

    after = timezone.now()
    assert response.status_code == status.HTTP_204_NO_CONTENT
    entry = only_entry_since(mark)
    assert_written_during(entry, before, after)
    assert_entry(
        entry,
        {
            "action": Action.MEMBER_REMOVED,
            "actor": owner,
            "actor_name": "Ada",
            "backlog": backlog,
            "backlog_name": "Team",
            "target_type": "user",
            "target_id": member.pk,
            "target_label": "Bob",
            "target_user": member,
            "changes": {},
            **no_token(),
        },
    )


def test_backlog_created_entry(owner, session_client):
    body = {"name": "Roadmap", "description": "Next quarter"}
    mark = latest_entry_id()
    before = timezone.now()

    response = session_client(owner).post("/api/v1/backlogs", body)

    after = timezone.now()
    assert response.status_code == status.HTTP_201_CREATED
    created = Backlog.objects.get(pk=response.json()["id"])
    entries = entries_since(mark)
    assert [entry.action for entry in entries] == [
        Action.BACKLOG_CREATED,
        Action.MEMBER_ADDED,
    ]
    entry = entries[0]
    assert_written_during(entry, before, after)
    assert_entry(
        entry,
        {
            "action": Action.BACKLOG_CREATED,
            "actor": owner,
            "actor_name": "Ada",
            "backlog": created,
            "backlog_name": "Roadmap",
            "target_type": "backlog",
            "target_id": created.pk,
            "target_label": "Roadmap",
            "target_user": None,
            "changes": {
                "name": [None, "Roadmap"],
                "description": [None, "Next quarter"],
            },
            **no_token(),
        },
    )


def test_backlog_creator_is_added_as_owner(owner, session_client):
    mark = latest_entry_id()

    response = session_client(owner).post("/api/v1/backlogs", {"name": "Roadmap"})

    assert response.status_code == status.HTTP_201_CREATED
    entry = entries_since(mark)[-1]
    assert entry.action == Action.MEMBER_ADDED
    assert entry.backlog_id == response.json()["id"]
    assert entry.target_user == owner
    assert entry.changes == {"role": [None, "owner"]}


def test_backlog_updated_entry(backlog, owner, session_client):
    url = f"/api/v1/backlogs/{backlog.pk}"
    mark = latest_entry_id()
    before = timezone.now()

    response = session_client(owner).patch(url, {"name": "Platform"})

    after = timezone.now()
    assert response.status_code == status.HTTP_200_OK
    entry = only_entry_since(mark)
    assert_written_during(entry, before, after)
    assert_entry(
        entry,
        {
            "action": Action.BACKLOG_UPDATED,
            "actor": owner,
            "actor_name": "Ada",
            "backlog": backlog,
            "backlog_name": "Platform",
            "target_type": "backlog",
            "target_id": backlog.pk,
            "target_label": "Platform",
            "target_user": None,
            "changes": {"name": ["Team", "Platform"]},
            **no_token(),
        },
    )


def test_backlog_deleted_entry(backlog, owner, session_client):
    backlog_id = backlog.pk
    mark = latest_entry_id()
    before = timezone.now()

    response = session_client(owner).delete(f"/api/v1/backlogs/{backlog_id}")

    after = timezone.now()
    assert response.status_code == status.HTTP_204_NO_CONTENT
    entry = only_entry_since(mark)
    assert_written_during(entry, before, after)
    assert_entry(
        entry,
        {
            "action": Action.BACKLOG_DELETED,
            "actor": owner,
            "actor_name": "Ada",
            "backlog": None,
            "backlog_name": "Team",
            "target_type": "backlog",
            "target_id": backlog_id,
            "target_label": "Team",
            "target_user": None,
            "changes": {},
            **no_token(),
        },
    )


def test_backlog_deletion_records_no_cascade(
    backlog, initiative, member, owner, session_client
):
    Vote.objects.create(initiative=initiative, user=member)
    mark = latest_entry_id()

    response = session_client(owner).delete(f"/api/v1/backlogs/{backlog.pk}")

    assert response.status_code == status.HTTP_204_NO_CONTENT
    actions = [entry.action for entry in entries_since(mark)]
    assert actions == [Action.BACKLOG_DELETED]


def test_token_created_entry(owner, page_client):
    form = {"name": "jira-sync", "scopes": ["read"], "expires_in": "30"}
    mark = latest_entry_id()
    before = timezone.now()

    response = page_client(owner).post("/settings/tokens/new", form)

    after = timezone.now()
    assert response.status_code == status.HTTP_201_CREATED
    token = PersonalAccessToken.objects.get(user=owner)
    entry = only_entry_since(mark)
    assert_written_during(entry, before, after)
    assert_entry(
        entry,
        {
            "action": Action.TOKEN_CREATED,
            "actor": owner,
            "actor_name": "Ada",
            "backlog": None,
            "backlog_name": "",
            "target_type": "personalaccesstoken",
            "target_id": token.pk,
            "target_label": f"jira-sync ({token.prefix}…)",
            "target_user": owner,
            "changes": {},
            **no_token(),
        },
    )


def test_token_revoked_entry(owner, make_token, page_client):
    token, _ = make_token(owner, name="jira-sync")
    mark = latest_entry_id()
    before = timezone.now()

    response = page_client(owner).post(f"/settings/tokens/{token.pk}/revoke")

    after = timezone.now()
    assert response.status_code == status.HTTP_302_FOUND
    entry = only_entry_since(mark)
    assert_written_during(entry, before, after)
    assert_entry(
        entry,
        {
            "action": Action.TOKEN_REVOKED,
            "actor": owner,
            "actor_name": "Ada",
            "backlog": None,
            "backlog_name": "",
            "target_type": "personalaccesstoken",
            "target_id": token.pk,
            "target_label": f"jira-sync ({token.prefix}…)",
            "target_user": owner,
            "changes": {},
            **no_token(),
        },
    )


def test_revoking_twice_writes_one_entry(owner, make_token, page_client):
    token, _ = make_token(owner, name="jira-sync")
    client = page_client(owner)
    client.post(f"/settings/tokens/{token.pk}/revoke")
    mark = latest_entry_id()

    response = client.post(f"/settings/tokens/{token.pk}/revoke")

    assert response.status_code == status.HTTP_302_FOUND
    assert entries_since(mark) == []


def test_token_revoked_in_admin_names_operator(owner, operator, make_token):
    token, _ = make_token(owner, name="jira-sync")
    client = Client()
    client.force_login(operator)
    form = {"action": "revoke_selected", "_selected_action": [token.pk]}
    mark = latest_entry_id()
    before = timezone.now()

    response = client.post("/admin/tokens/personalaccesstoken/", form)

    after = timezone.now()
    assert response.status_code == status.HTTP_302_FOUND
    entry = only_entry_since(mark)
    assert_written_during(entry, before, after)
    assert_entry(
        entry,
        {
            "action": Action.TOKEN_REVOKED,
            "actor": operator,
            "actor_name": "Ops",
            "backlog": None,
            "backlog_name": "",
            "target_type": "personalaccesstoken",
            "target_id": token.pk,
            "target_label": f"jira-sync ({token.prefix}…)",
            "target_user": owner,
            "changes": {},
            **no_token(),
        },
    )


def test_page_change_is_recorded(initiative, owner, page_client):
    url = f"/backlogs/{initiative.backlog_id}/initiatives/{initiative.pk}/edit"
    form = {"title": "Dark mode", "description": "", "status": "done"}
    mark = latest_entry_id()

    response = page_client(owner).post(url, form)

    assert response.status_code == status.HTTP_302_FOUND
    entry = only_entry_since(mark)
    assert entry.action == Action.INITIATIVE_UPDATED
    assert entry.actor == owner
    assert entry.changes == {"status": ["proposed", "done"]}
    assert entry.token is None


# Which token made the change.


def test_same_name_tokens_told_apart_by_prefix(backlog, owner, make_token, bearer):
    first, first_value = make_token(owner, WRITE, name="ci")
    second, second_value = make_token(owner, WRITE, name="ci")
    mark = latest_entry_id()

    bearer(first_value).post(initiatives_url(backlog), {"title": "One"})
    bearer(second_value).post(initiatives_url(backlog), {"title": "Two"})

    entries = entries_since(mark)
    assert [entry.token_name for entry in entries] == ["ci", "ci"]
    assert [entry.token_prefix for entry in entries] == [first.prefix, second.prefix]
    assert first.prefix != second.prefix
    assert [entry.token_id for entry in entries] == [first.pk, second.pk]


def test_entry_keeps_token_name_after_rename(initiative, owner, make_token, bearer):
    token, value = make_token(owner, WRITE, name="jira-sync")
    mark = latest_entry_id()
    bearer(value).patch(initiative_url(initiative), {"status": "planned"})
    entry = only_entry_since(mark)

    PersonalAccessToken.objects.filter(pk=token.pk).update(name="renamed")

    entry = Entry.objects.get(pk=entry.pk)
    assert entry.token_name == "jira-sync"
    assert entry.token_prefix == token.prefix


# Entries outlive what they name.


@pytest.fixture
def entry_by_token(initiative, owner, make_token, bearer):
    """Return (entry, token) for a status change the owner made with a token."""
    token, value = make_token(owner, WRITE, name="jira-sync")
    mark = latest_entry_id()
    response = bearer(value).patch(initiative_url(initiative), {"status": "planned"})
    assert response.status_code == status.HTTP_200_OK
    return only_entry_since(mark), token


CAPTURED_FIELDS = [
    "action",
    "actor_name",
    "backlog_name",
    "target_type",
    "target_id",
    "target_label",
    "changes",
    "token_name",
    "token_prefix",
]


def delete_token(entry):
    PersonalAccessToken.objects.get(pk=entry.token_id).delete()


def delete_initiative(entry):
    Initiative.objects.get(pk=entry.target_id).delete()


def delete_backlog(entry):
    Backlog.objects.get(pk=entry.backlog_id).delete()


def delete_actor(entry):
    entry.actor.delete()


@pytest.mark.parametrize(
    ("delete", "link"),
    [
        (delete_token, "token_id"),
        (delete_initiative, None),
        (delete_backlog, "backlog_id"),
        (delete_actor, "actor_id"),
    ],
    ids=["token", "initiative", "backlog", "actor"],
)
def test_entry_survives_deletion(entry_by_token, delete, link):
    entry, _ = entry_by_token
    captured = {field: getattr(entry, field) for field in CAPTURED_FIELDS}

    delete(entry)

    kept = Entry.objects.get(pk=entry.pk)
    for field, value in captured.items():
        assert getattr(kept, field) == value, field
    if link:
        assert getattr(kept, link) is None


def test_deleted_actor_keeps_name(entry_by_token, owner):
    entry, token = entry_by_token

    owner.delete()

    kept = Entry.objects.get(pk=entry.pk)
    assert kept.actor is None
    assert kept.actor_name == "Ada"
    assert kept.token is None
    assert kept.token_name == token.name
    assert kept.token_prefix == token.prefix


def test_deleting_user_records_no_cascade(initiative, member, backlog):
    Vote.objects.create(initiative=initiative, user=member)
    mark = latest_entry_id()

    member.delete()

    assert entries_since(mark) == []


# Nothing is written on reads or on failed requests.


@pytest.fixture
def api_paths(backlog, initiative, member):
    base = f"/api/v1/backlogs/{backlog.pk}"
    return [
        "/api/v1/me",
        "/api/v1/backlogs",
        base,
        f"{base}/members",
        f"{base}/members/{member.pk}",
        f"{base}/initiatives",
        f"{base}/initiatives/{initiative.pk}",
        f"{base}/initiatives/{initiative.pk}/vote",
        f"{base}/logbook",
        "/api/v1/schema",
        "/api/v1/auth/sign-up",
        "/api/v1/auth/sign-in",
        "/api/v1/auth/sign-out",
        "/api/v1/auth/password-reset",
        "/api/v1/auth/password-reset/confirm",
        "/api/v1/no-such-endpoint",
    ]


@pytest.fixture
def page_paths(backlog, initiative, member, owner, make_token):
    token, _ = make_token(owner)
    base = f"/backlogs/{backlog.pk}"
    return [
        "/",
        "/backlogs",
        "/backlogs/new",
        base,
        f"{base}/edit",
        f"{base}/delete",
        f"{base}/initiatives/new",
        f"{base}/initiatives/{initiative.pk}/edit",
        f"{base}/initiatives/{initiative.pk}/delete",
        f"{base}/initiatives/{initiative.pk}/vote",
        f"{base}/initiatives/{initiative.pk}/unvote",
        f"{base}/members",
        f"{base}/members/{member.pk}/role",
        f"{base}/members/{member.pk}/remove",
        f"{base}/logbook",
        "/settings/tokens",
        "/settings/tokens/new",
        f"/settings/tokens/{token.pk}/revoke",
        "/settings/activity",
        "/accounts/sign-in",
        "/accounts/sign-up",
        "/accounts/password-reset",
    ]


READ_METHODS = ["get", "head", "options"]


@pytest.mark.parametrize("method", READ_METHODS)
def test_api_reads_write_nothing(api_paths, owner, session_client, method):
    client = session_client(owner)
    mark = latest_entry_id()

    for path in api_paths:
        response = getattr(client, method)(path)
        assert response.status_code < 500, path

    assert entries_since(mark) == []


@pytest.mark.parametrize("method", READ_METHODS)
def test_token_reads_write_nothing(api_paths, owner, make_token, bearer, method):
    _, value = make_token(owner, WRITE)
    client = bearer(value)
    mark = latest_entry_id()

    for path in api_paths:
        response = getattr(client, method)(path)
        assert response.status_code < 500, path

    assert entries_since(mark) == []


@pytest.mark.parametrize("method", READ_METHODS)
def test_page_reads_write_nothing(page_paths, owner, page_client, method):
    client = page_client(owner)
    mark = latest_entry_id()

    for path in page_paths:
        response = getattr(client, method)(path)
        assert response.status_code < 500, path

    assert entries_since(mark) == []


def test_admin_reads_write_nothing(operator, entry_by_token):
    entry, token = entry_by_token
    client = Client()
    client.force_login(operator)
    mark = latest_entry_id()

    for path in [
        "/admin/",
        "/admin/logbook/entry/",
        f"/admin/logbook/entry/{entry.pk}/change/",
        "/admin/tokens/personalaccesstoken/",
        f"/admin/tokens/personalaccesstoken/{token.pk}/change/",
        f"/admin/tokens/personalaccesstoken/{token.pk}/delete/",
        f"/admin/initiatives/backlog/{entry.backlog_id}/delete/",
    ]:
        response = client.get(path)
        assert response.status_code == status.HTTP_200_OK, path

    assert entries_since(mark) == []


@pytest.fixture
def clients(owner, member, outsider, session_client, make_token, bearer):
    """The callers of the failing requests, made before any mark is taken."""
    _, read_value = make_token(owner, (Scope.READ,))
    _, write_value = make_token(owner, WRITE)
    return {
        "owner": session_client(owner),
        "owner without CSRF": session_client(owner, csrf=False),
        "viewer": session_client(member),
        "outsider": session_client(outsider),
        "read token": bearer(read_value),
        "write token": bearer(write_value),
    }


BASE = "/api/v1/backlogs/{backlog}"
DETAIL = BASE + "/initiatives/{initiative}"


@pytest.mark.parametrize(
    ("caller", "method", "path", "body", "expected_status"),
    [
        ("owner", "post", BASE + "/initiatives", {"title": ""}, 400),
        ("owner", "patch", DETAIL, {"status": "planned", "colour": "red"}, 400),
        ("owner", "patch", DETAIL, {"status": "someday"}, 400),
        ("owner", "post", BASE + "/members", {"email": "ada@example.com"}, 400),
        (
            "owner",
            "post",
            BASE + "/members",
            {"email": "ada@example.com", "role": "viewer"},
            400,
        ),
        ("owner", "delete", BASE + "/members/{owner}", None, 400),
        ("viewer", "post", BASE + "/initiatives", {"title": "Mine"}, 403),
        ("viewer", "patch", DETAIL, {"status": "planned"}, 403),
        ("viewer", "delete", BASE, None, 403),
        ("owner without CSRF", "patch", DETAIL, {"status": "planned"}, 403),
        ("read token", "patch", DETAIL, {"status": "planned"}, 403),
        ("write token", "delete", BASE, None, 403),
        ("write token", "delete", DETAIL, None, 403),
        ("outsider", "patch", DETAIL, {"status": "planned"}, 404),
        ("outsider", "put", DETAIL + "/vote", None, 404),
        ("outsider", "delete", BASE, None, 404),
        ("owner", "delete", BASE + "/initiatives/999999", None, 404),
        ("owner", "delete", BASE + "/members/999999", None, 404),
        ("owner", "put", DETAIL, {"title": "Whole"}, 405),
        ("owner", "post", BASE + "/logbook", {}, 405),
        ("owner", "post", DETAIL + "/vote", None, 405),
    ],
)
def test_failed_request_writes_nothing(
    clients, backlog, initiative, owner, caller, method, path, body, expected_status
):
    url = path.format(backlog=backlog.pk, initiative=initiative.pk, owner=owner.pk)
    mark = latest_entry_id()

    response = getattr(clients[caller], method)(url, body)

    assert response.status_code == expected_status
    assert entries_since(mark) == []
    initiative.refresh_from_db()
    assert initiative.status == Status.PROPOSED


@pytest.fixture
def page_callers(owner, member, outsider, make_token, page_client):
    """Return page clients for the failing requests, after giving the owner a token."""
    make_token(owner)
    return {
        "owner": page_client(owner),
        "viewer": page_client(member),
        "outsider": page_client(outsider),
    }


PAGE_BACKLOG = "/backlogs/{backlog}"
PAGE_INITIATIVE = PAGE_BACKLOG + "/initiatives/{initiative}"


@pytest.mark.parametrize(
    ("caller", "method", "path", "form", "expected_status"),
    [
        (
            "owner",
            "post",
            PAGE_INITIATIVE + "/edit",
            {"title": "", "status": "done"},
            200,
        ),
        ("owner", "post", PAGE_BACKLOG + "/members", {"email": "no@example.com"}, 200),
        (
            "owner",
            "post",
            PAGE_BACKLOG + "/members/{owner}/role",
            {"role": "viewer"},
            302,
        ),
        ("owner", "post", PAGE_BACKLOG + "/members/{owner}/remove", {}, 302),
        ("owner", "post", "/settings/tokens/new", {"name": "no scope"}, 200),
        (
            "viewer",
            "post",
            PAGE_INITIATIVE + "/edit",
            {"title": "X", "status": "done"},
            403,
        ),
        ("viewer", "post", PAGE_INITIATIVE + "/delete", {}, 403),
        ("viewer", "post", PAGE_BACKLOG + "/delete", {}, 403),
        ("viewer", "post", "/settings/tokens/{token}/revoke", {}, 404),
        ("outsider", "post", PAGE_INITIATIVE + "/vote", {}, 404),
        ("outsider", "post", PAGE_BACKLOG + "/members/{owner}/remove", {}, 404),
        ("owner", "get", PAGE_INITIATIVE + "/vote", None, 405),
        ("owner", "get", PAGE_INITIATIVE + "/delete", None, 405),
    ],
)
def test_failed_page_request_writes_nothing(
    page_callers,
    backlog,
    initiative,
    owner,
    caller,
    method,
    path,
    form,
    expected_status,
):
    token = PersonalAccessToken.objects.get(user=owner)
    url = path.format(
        backlog=backlog.pk, initiative=initiative.pk, owner=owner.pk, token=token.pk
    )
    mark = latest_entry_id()

    response = getattr(page_callers[caller], method)(url, form)

    assert response.status_code == expected_status
    assert entries_since(mark) == []
    initiative.refresh_from_db()
    assert initiative.status == Status.PROPOSED


@override_settings(PRIORITYVOTE_MAX_ACTIVE_TOKENS=1)
def test_token_over_limit_writes_nothing(owner, make_token, page_client):
    make_token(owner)
    form = {"name": "second", "scopes": ["read"], "expires_in": "30"}
    mark = latest_entry_id()

    response = page_client(owner).post("/settings/tokens/new", form)

    assert response.status_code == status.HTTP_200_OK
    assert PersonalAccessToken.objects.filter(user=owner).count() == 1
    assert entries_since(mark) == []


@pytest.mark.parametrize(
    ("path_template", "body"),
    [
        ("/api/v1/backlogs/{backlog}/initiatives/{initiative}", {"status": "proposed"}),
        ("/api/v1/backlogs/{backlog}/initiatives/{initiative}", {}),
        ("/api/v1/backlogs/{backlog}/initiatives/{initiative}", {"title": "Dark mode"}),
        ("/api/v1/backlogs/{backlog}", {"name": "Team"}),
    ],
    ids=["same status", "empty body", "same title", "same backlog name"],
)
def test_patch_without_change_writes_nothing(
    initiative, backlog, owner, session_client, path_template, body
):
    path = path_template.format(backlog=backlog.pk, initiative=initiative.pk)
    mark = latest_entry_id()

    response = session_client(owner).patch(path, body)

    assert response.status_code == status.HTTP_200_OK
    assert entries_since(mark) == []


def test_same_role_writes_nothing(backlog, owner, member, session_client):
    url = f"/api/v1/backlogs/{backlog.pk}/members"
    mark = latest_entry_id()

    response = session_client(owner).post(
        url, {"email": member.email, "role": "viewer"}
    )

    assert response.status_code == status.HTTP_200_OK
    assert entries_since(mark) == []


def test_second_vote_writes_nothing(initiative, member, session_client):
    Vote.objects.create(initiative=initiative, user=member)
    mark = latest_entry_id()

    response = session_client(member).put(initiative_url(initiative) + "/vote")

    assert response.status_code == status.HTTP_204_NO_CONTENT
    assert entries_since(mark) == []


def test_withdrawing_no_vote_writes_nothing(initiative, member, session_client):
    mark = latest_entry_id()

    response = session_client(member).delete(initiative_url(initiative) + "/vote")

    assert response.status_code == status.HTTP_204_NO_CONTENT
    assert entries_since(mark) == []


def test_token_use_writes_nothing(backlog, owner, make_token, bearer):
    token, value = make_token(owner)
    mark = latest_entry_id()

    response = bearer(value).get("/api/v1/me")

    assert response.status_code == status.HTTP_200_OK
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert entries_since(mark) == []


# A change and its entry commit or roll back together.


SERVER_ERROR = {
    "error": "server_error",
    "detail": "The server failed to process the request.",
}


def failing_entry_writes():
    return mock.patch.object(
        Entry.objects, "create", side_effect=DatabaseError("entry write failed")
    )


@pytest.mark.django_db(transaction=True)
def test_initiative_rolled_back_without_entry(backlog, owner, session_client):
    client = session_client(owner)
    client.raise_request_exception = False

    with failing_entry_writes():
        response = client.post(initiatives_url(backlog), {"title": "Dark mode"})

    assert response.status_code == status.HTTP_500_INTERNAL_SERVER_ERROR
    assert response.json() == SERVER_ERROR
    assert not Initiative.objects.filter(title="Dark mode").exists()


@pytest.mark.django_db(transaction=True)
def test_vote_rolled_back_without_entry(initiative, member, session_client):
    client = session_client(member)
    client.raise_request_exception = False

    with failing_entry_writes():
        response = client.put(initiative_url(initiative) + "/vote")

    assert response.status_code == status.HTTP_500_INTERNAL_SERVER_ERROR
    assert response.json() == SERVER_ERROR
    assert not Vote.objects.filter(initiative=initiative).exists()
    initiative.refresh_from_db()
    assert initiative.vote_count == 0


@pytest.mark.django_db(transaction=True)
def test_update_rolled_back_without_entry(initiative, owner, make_token, bearer):
    _, value = make_token(owner, WRITE)
    client = bearer(value)
    client.raise_request_exception = False

    with failing_entry_writes():
        response = client.patch(initiative_url(initiative), {"status": "planned"})

    assert response.status_code == status.HTTP_500_INTERNAL_SERVER_ERROR
    assert response.json() == SERVER_ERROR
    initiative.refresh_from_db()
    assert initiative.status == Status.PROPOSED


@pytest.mark.django_db(transaction=True)
def test_backlog_deletion_rolled_back_without_entry(backlog, owner, session_client):
    client = session_client(owner)
    client.raise_request_exception = False

    with failing_entry_writes():
        response = client.delete(f"/api/v1/backlogs/{backlog.pk}")

    assert response.status_code == status.HTTP_500_INTERNAL_SERVER_ERROR
    assert Backlog.objects.filter(pk=backlog.pk).exists()
    assert Membership.objects.filter(backlog=backlog).count() == 2


@pytest.mark.django_db(transaction=True)
def test_token_rolled_back_without_entry(owner):
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    form = {"name": "jira-sync", "scopes": ["read"], "expires_in": "30"}

    with failing_entry_writes():
        response = client.post("/settings/tokens/new", form)

    assert response.status_code == status.HTTP_500_INTERNAL_SERVER_ERROR
    assert not PersonalAccessToken.objects.filter(user=owner).exists()


@pytest.mark.django_db(transaction=True)
def test_revocation_rolled_back_without_entry(owner, make_token):
    token, _ = make_token(owner)
    client = Client(raise_request_exception=False)
    client.force_login(owner)

    with failing_entry_writes():
        response = client.post(f"/settings/tokens/{token.pk}/revoke")

    assert response.status_code == status.HTTP_500_INTERNAL_SERVER_ERROR
    token.refresh_from_db()
    assert token.revoked_at is None


# Entries are append-only.


def test_saving_existing_entry_raises(entry_by_token):
    entry, _ = entry_by_token
    entry.target_label = "Rewritten"

    with pytest.raises(AppendOnlyError):
        entry.save()

    assert Entry.objects.get(pk=entry.pk).target_label == "Dark mode"


def test_deleting_entry_raises(entry_by_token):
    entry, _ = entry_by_token

    with pytest.raises(AppendOnlyError):
        entry.delete()

    assert Entry.objects.filter(pk=entry.pk).exists()


def test_entry_outside_request_has_no_actor(backlog):
    mark = latest_entry_id()

    Initiative.objects.create(backlog=backlog, title="From the shell")

    entry = only_entry_since(mark)
    assert entry.actor is None
    assert entry.actor_name == ""
    assert entry.token is None
