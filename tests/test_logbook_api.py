"""GET /api/v1/backlogs/{id}/logbook: entry format, order, pages and access."""

import base64
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import status

from initiatives.models import Backlog, Membership, Role
from logbook.models import Action, Entry
from tokens.models import PersonalAccessToken, Scope

WRITE = (Scope.WRITE_INITIATIVES,)
ENTRY_KEYS = {
    "id",
    "created_at",
    "action",
    "actor",
    "target",
    "changes",
    "token",
    "summary",
}


def logbook_url(backlog) -> str:
    return f"/api/v1/backlogs/{backlog.pk}/logbook"


def initiative_url(initiative) -> str:
    return f"/api/v1/backlogs/{initiative.backlog_id}/initiatives/{initiative.pk}"


def latest_entry_id() -> int:
    return Entry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def results(response) -> list[dict]:
    assert response.status_code == status.HTTP_200_OK, response.content
    return response.json()["results"]


def find(entries: list[dict], entry_id: int) -> dict:
    """Return the entry with `entry_id` from an API list, failing if it is absent."""
    matches = [entry for entry in entries if entry["id"] == entry_id]
    assert len(matches) == 1, [entry["id"] for entry in entries]
    return matches[0]


def listed_entry(client, backlog, entry_id: int) -> dict:
    """Return the entry with `entry_id` from the first page of the backlog's logbook."""
    return find(results(client.get(logbook_url(backlog))), entry_id)


@pytest.fixture
def status_change(initiative, owner, make_token, bearer):
    """Return (entry, token) for "proposed → planned", made with a token."""
    token, value = make_token(owner, WRITE, name="jira-sync")
    mark = latest_entry_id()
    response = bearer(value).patch(initiative_url(initiative), {"status": "planned"})
    assert response.status_code == status.HTTP_200_OK
    return Entry.objects.get(id__gt=mark), token


def make_entries(backlog, count, *, created_at=None, actor=None, token=None):
    """Bulk-create `count` vote entries, one second apart unless `created_at` is set."""
    start = timezone.now() - timedelta(days=1)
    Entry.objects.bulk_create(
        Entry(
            created_at=created_at or start + timedelta(seconds=number),
            action=Action.VOTE_CAST,
            actor=actor,
            actor_name="Bob",
            token=token,
            token_name=token.name if token else "",
            token_prefix=token.prefix if token else "",
            backlog=backlog,
            backlog_name=backlog.name,
            target_type="initiative",
            target_id=number,
            target_label=f"Idea {number}",
        )
        for number in range(count)
    )


# The format of one entry.


def test_entry_has_exactly_the_documented_keys(status_change, owner, session_client):
    entry, _ = status_change

    listed = listed_entry(session_client(owner), entry.backlog, entry.pk)

    assert set(listed) == ENTRY_KEYS


def test_entry_fields(status_change, initiative, owner, session_client):
    entry, token = status_change

    listed = listed_entry(session_client(owner), entry.backlog, entry.pk)

    assert listed["action"] == "initiative.updated"
    assert listed["actor"] == {"id": owner.pk, "display_name": "Ada"}
    assert listed["target"] == {
        "type": "initiative",
        "id": initiative.pk,
        "label": "Dark mode",
    }
    assert listed["changes"] == {"status": ["proposed", "planned"]}
    assert listed["token"] == {"name": "jira-sync", "prefix": token.prefix}


def test_summary_names_token(status_change, owner, session_client):
    entry, _ = status_change

    listed = listed_entry(session_client(owner), entry.backlog, entry.pk)

    assert listed["summary"] == (
        "Ada updated \"Dark mode\": status proposed → planned, via 'jira-sync' token"
    )


def test_created_at_is_iso_8601_utc(status_change, owner, session_client):
    entry, _ = status_change

    listed = listed_entry(session_client(owner), entry.backlog, entry.pk)

    created_at = datetime.fromisoformat(listed["created_at"])
    assert created_at.utcoffset() == timedelta(0)
    assert created_at == entry.created_at


def test_session_change_has_no_token(initiative, owner, session_client):
    client = session_client(owner)
    mark = latest_entry_id()
    client.patch(initiative_url(initiative), {"status": "planned"})
    entry = Entry.objects.get(id__gt=mark)

    listed = listed_entry(client, initiative.backlog, entry.pk)

    assert listed["token"] is None
    assert listed["actor"] == {"id": owner.pk, "display_name": "Ada"}
    assert "via" not in listed["summary"]


def test_same_name_tokens_told_apart(
    backlog, owner, make_token, bearer, session_client
):
    first, first_value = make_token(owner, WRITE, name="ci")
    second, second_value = make_token(owner, WRITE, name="ci")
    url = f"/api/v1/backlogs/{backlog.pk}/initiatives"
    first_id = bearer(first_value).post(url, {"title": "One"}).json()["id"]
    second_id = bearer(second_value).post(url, {"title": "Two"}).json()["id"]

    listed = results(session_client(owner).get(logbook_url(backlog)))

    tokens = {
        entry["target"]["id"]: entry["token"]
        for entry in listed
        if entry["action"] == "initiative.created"
    }
    assert tokens[first_id] == {"name": "ci", "prefix": first.prefix}
    assert tokens[second_id] == {"name": "ci", "prefix": second.prefix}
    assert tokens[first_id] != tokens[second_id]


def test_deleted_token_keeps_name_and_prefix(status_change, owner, session_client):
    entry, token = status_change
    prefix = token.prefix

    token.delete()

    listed = listed_entry(session_client(owner), entry.backlog, entry.pk)
    assert not PersonalAccessToken.objects.filter(prefix=prefix).exists()
    assert listed["token"] == {"name": "jira-sync", "prefix": prefix}
    assert listed["summary"].endswith(", via 'jira-sync' token")


def test_deleted_actor_keeps_display_name(initiative, member, owner, session_client):
    mark = latest_entry_id()
    session_client(member).put(initiative_url(initiative) + "/vote")
    entry = Entry.objects.get(id__gt=mark)

    member.delete()

    listed = listed_entry(session_client(owner), initiative.backlog, entry.pk)
    assert listed["actor"] == {"id": None, "display_name": "Bob"}
    assert listed["summary"] == 'Bob voted for "Dark mode"'


def test_change_outside_request_has_null_actor(backlog, owner, session_client):
    mark = latest_entry_id()
    Membership.objects.filter(backlog=backlog, role=Role.VIEWER).get().delete()
    entry = Entry.objects.get(id__gt=mark)

    listed = listed_entry(session_client(owner), backlog, entry.pk)

    assert listed["actor"] is None
    assert listed["token"] is None
    assert listed["summary"] == 'The system removed "Bob" from the backlog'


@pytest.mark.parametrize(
    ("fields", "summary"),
    [
        (
            {"action": Action.INITIATIVE_CREATED, "changes": {"title": [None, "X"]}},
            'Ada created "Dark mode"',
        ),
        (
            {
                "action": Action.INITIATIVE_UPDATED,
                "changes": {
                    "title": ["Night mode", "Dark mode"],
                    "description": ["Old", "New"],
                },
            },
            'Ada updated "Dark mode": '
            "title Night mode → Dark mode, description changed",
        ),
        ({"action": Action.INITIATIVE_DELETED}, 'Ada deleted "Dark mode"'),
        ({"action": Action.VOTE_CAST}, 'Ada voted for "Dark mode"'),
        (
            {"action": Action.VOTE_WITHDRAWN},
            'Ada withdrew their vote for "Dark mode"',
        ),
        (
            {
                "action": Action.MEMBER_ADDED,
                "target_label": "Eve",
                "changes": {"role": [None, "editor"]},
            },
            'Ada added "Eve" as editor',
        ),
        (
            {
                "action": Action.MEMBER_CHANGED,
                "target_label": "Eve",
                "changes": {"role": ["viewer", "editor"]},
            },
            'Ada changed the role of "Eve": role viewer → editor',
        ),
        (
            {"action": Action.MEMBER_REMOVED, "target_label": "Eve"},
            'Ada removed "Eve" from the backlog',
        ),
        (
            {"action": Action.BACKLOG_CREATED, "target_label": "Team"},
            'Ada created backlog "Team"',
        ),
        (
            {
                "action": Action.BACKLOG_UPDATED,
                "target_label": "Team",
                "changes": {"name": ["Crew", "Team"]},
            },
            'Ada updated backlog "Team": name Crew → Team',
        ),
        (
            {
                "action": Action.VOTE_CAST,
                "token_name": "vote-bot",
                "token_prefix": "pv_pat_abcdefgh",
            },
            "Ada voted for \"Dark mode\", via 'vote-bot' token",
        ),
    ],
    ids=lambda value: value["action"] if isinstance(value, dict) else None,
)
def test_summary(backlog, owner, session_client, fields, summary):
    entry = Entry.objects.create(
        **{
            "actor": owner,
            "actor_name": "Ada",
            "backlog": backlog,
            "backlog_name": "Team",
            "target_type": "initiative",
            "target_id": 1,
            "target_label": "Dark mode",
            **fields,
        }
    )

    listed = listed_entry(session_client(owner), backlog, entry.pk)

    assert listed["summary"] == summary


# Order and pages.


def test_newest_first(initiative, owner, member, session_client):
    owner_client = session_client(owner)
    mark = latest_entry_id()
    owner_client.patch(initiative_url(initiative), {"status": "planned"})
    session_client(member).put(initiative_url(initiative) + "/vote")
    owner_client.patch(initiative_url(initiative), {"status": "done"})

    listed = results(owner_client.get(logbook_url(initiative.backlog)))

    new = [entry for entry in listed if entry["id"] > mark]
    assert [entry["action"] for entry in new] == [
        "initiative.updated",
        "vote.cast",
        "initiative.updated",
    ]
    assert new[0]["changes"] == {"status": ["planned", "done"]}
    assert new[2]["changes"] == {"status": ["proposed", "planned"]}


def walk(client, url, link) -> list[list[int]]:
    """Follow `link` ("next" or "previous") from `url`, returning the ids per page."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == status.HTTP_200_OK, response.content
        body = response.json()
        pages.append([entry["id"] for entry in body["results"]])
        url = body[link]
        assert len(pages) < 20, "the links do not end"
    return pages


@pytest.mark.parametrize("same_time", [False, True], ids=["distinct", "equal"])
def test_pages_walk_without_gaps_or_repeats(backlog, owner, session_client, same_time):
    make_entries(backlog, 120, created_at=timezone.now() if same_time else None)
    newest_first = list(
        Entry.objects.filter(backlog=backlog)
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)
    )
    client = session_client(owner)

    forward = walk(client, logbook_url(backlog) + "?page_size=50", "next")

    flat = [entry_id for page in forward for entry_id in page]
    assert flat == newest_first
    assert len(set(flat)) == len(flat)
    assert [len(page) for page in forward[:-1]] == [50, 50]
    assert len(forward[-1]) == len(newest_first) - 100


@pytest.mark.parametrize("same_time", [False, True], ids=["distinct", "equal"])
def test_previous_links_walk_back(backlog, owner, session_client, same_time):
    make_entries(backlog, 120, created_at=timezone.now() if same_time else None)
    client = session_client(owner)
    forward = walk(client, logbook_url(backlog) + "?page_size=50", "next")
    last_page_url = logbook_url(backlog) + "?page_size=50"
    for _ in forward[:-1]:
        last_page_url = client.get(last_page_url).json()["next"]

    backward = walk(client, last_page_url, "previous")

    assert backward == list(reversed(forward))


def test_equal_times_ordered_by_id(backlog, owner, session_client):
    moment = timezone.now() + timedelta(minutes=1)
    make_entries(backlog, 5, created_at=moment)
    same_time_ids = sorted(
        Entry.objects.filter(created_at=moment).values_list("id", flat=True),
        reverse=True,
    )

    listed = results(session_client(owner).get(logbook_url(backlog)))

    assert [entry["id"] for entry in listed[:5]] == same_time_ids


def test_first_page_links(backlog, owner, session_client):
    make_entries(backlog, 60)

    body = session_client(owner).get(logbook_url(backlog)).json()

    assert set(body) == {"results", "next", "previous"}
    assert len(body["results"]) == 50
    assert body["previous"] is None
    assert body["next"].startswith("http://testserver/api/v1/backlogs/")
    assert "cursor=" in body["next"]


def test_single_page_has_no_links(backlog, owner, session_client):
    body = session_client(owner).get(logbook_url(backlog)).json()

    assert body["results"] != []
    assert body["next"] is None
    assert body["previous"] is None


def encode(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor",
        "%%%",
        encode("next|2026-01-01T00:00:00+00:00"),
        encode("sideways|2026-01-01T00:00:00+00:00|5"),
        encode("next|2026-01-01T00:00:00|5"),
        encode("next|2026-01-01T00:00:00+00:00|0"),
        encode("next|2026-01-01T00:00:00+00:00|-3"),
        encode("next|not a time|5"),
        encode("next|2026-01-01T00:00:00+00:00|99999999999999999999"),
        "é",
    ],
)
def test_bad_cursor_is_rejected(backlog, owner, session_client, cursor):
    response = session_client(owner).get(logbook_url(backlog), {"cursor": cursor})

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert response.json()["error"] == "validation_error"
    assert "cursor" in response.json()["fields"]


@pytest.mark.parametrize("page_size", ["0", "101", "ten", "-1", "1.5"])
def test_bad_page_size_is_rejected(backlog, owner, session_client, page_size):
    response = session_client(owner).get(logbook_url(backlog), {"page_size": page_size})

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert response.json()["error"] == "validation_error"
    assert "page_size" in response.json()["fields"]


# Who may read it.


def test_outsider_gets_404(backlog, other_backlog, outsider, session_client):
    response = session_client(outsider).get(logbook_url(backlog))

    assert response.status_code == status.HTTP_404_NOT_FOUND
    assert response.json()["error"] == "not_found"


def test_missing_backlog_is_404(backlog, owner, session_client):
    response = session_client(owner).get("/api/v1/backlogs/999999/logbook")

    assert response.status_code == status.HTTP_404_NOT_FOUND
    assert response.json()["error"] == "not_found"


def test_anonymous_gets_401(backlog, api):
    response = api.get(logbook_url(backlog))

    assert response.status_code == status.HTTP_401_UNAUTHORIZED
    assert response.json()["error"] == "not_authenticated"


def test_viewer_can_read(backlog, member, session_client):
    assert results(session_client(member).get(logbook_url(backlog))) != []


@pytest.mark.parametrize(
    "scopes", [(Scope.READ,), WRITE], ids=["read", "write:initiatives"]
)
def test_token_can_read(backlog, owner, make_token, bearer, scopes):
    _, value = make_token(owner, scopes)

    listed = results(bearer(value).get(logbook_url(backlog)))

    assert {entry["action"] for entry in listed} >= {"backlog.created"}


def test_token_restricted_here_can_read(backlog, owner, make_token, bearer):
    _, value = make_token(owner, backlogs=[backlog])

    response = bearer(value).get(logbook_url(backlog))

    assert response.status_code == status.HTTP_200_OK


def test_token_restricted_elsewhere_gets_404(backlog, owner, make_token, bearer):
    elsewhere = Backlog.objects.create(name="Elsewhere")
    Membership.objects.create(backlog=elsewhere, user=owner, role=Role.OWNER)
    _, value = make_token(owner, backlogs=[elsewhere])

    response = bearer(value).get(logbook_url(backlog))

    assert response.status_code == status.HTTP_404_NOT_FOUND
    assert response.json()["error"] == "not_found"


def test_outsiders_token_gets_404(backlog, other_backlog, outsider, make_token, bearer):
    _, value = make_token(outsider)

    response = bearer(value).get(logbook_url(backlog))

    assert response.status_code == status.HTTP_404_NOT_FOUND
    assert response.json()["error"] == "not_found"


# What it lists.


def test_lists_only_this_backlog(backlog, other_backlog, owner, session_client):
    theirs = set(
        Entry.objects.filter(backlog=other_backlog).values_list("id", flat=True)
    )

    listed = results(session_client(owner).get(logbook_url(backlog)))

    assert theirs != set()
    assert {entry["id"] for entry in listed} & theirs == set()
    assert {entry["id"] for entry in listed} == set(
        Entry.objects.filter(backlog=backlog).values_list("id", flat=True)
    )


def test_token_lifecycle_in_no_logbook(backlog, other_backlog, owner, outsider):
    client = Client()
    client.force_login(owner)
    mark = latest_entry_id()
    form = {"name": "jira-sync", "scopes": ["read"], "expires_in": "30"}
    client.post("/settings/tokens/new", form)
    token = PersonalAccessToken.objects.get(user=owner)
    client.post(f"/settings/tokens/{token.pk}/revoke")
    lifecycle = list(Entry.objects.filter(id__gt=mark).order_by("id"))
    api = Client()

    api.force_login(owner)
    owner_listed = api.get(logbook_url(backlog)).json()["results"]
    api.force_login(outsider)
    outsider_listed = api.get(logbook_url(other_backlog)).json()["results"]

    assert [entry.action for entry in lifecycle] == [
        Action.TOKEN_CREATED,
        Action.TOKEN_REVOKED,
    ]
    assert [entry.backlog_id for entry in lifecycle] == [None, None]
    listed_ids = {entry["id"] for entry in owner_listed + outsider_listed}
    assert listed_ids & {entry.pk for entry in lifecycle} == set()


def test_deleted_backlog_entries_leave_logbook(backlog, owner, session_client):
    client = session_client(owner)
    before = set(Entry.objects.filter(backlog=backlog).values_list("id", flat=True))

    client.delete(f"/api/v1/backlogs/{backlog.pk}")

    response = client.get(logbook_url(backlog))
    assert response.status_code == status.HTTP_404_NOT_FOUND
    earlier_entries = Entry.objects.filter(id__in=before)
    assert earlier_entries.count() == len(before)
    names = set(earlier_entries.values_list("backlog_name", flat=True))
    assert names == {"Team"}


# Cost.


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == status.HTTP_200_OK
    return len(queries)


def test_query_count_does_not_grow(backlog, member, make_token, session_client):
    # Entries that link to a user and a token would show a query per entry.
    token, _ = make_token(member)
    client = session_client(member)
    make_entries(backlog, 10, actor=member, token=token)
    few = count_queries(client, logbook_url(backlog))

    make_entries(backlog, 990, actor=member, token=token)
    many = count_queries(client, logbook_url(backlog))

    assert many == few
    assert len(results(client.get(logbook_url(backlog)))) == 50


# Cursors whose time lies outside what the database can store or convert.
OUT_OF_RANGE_CURSORS = [
    encode("previous|0001-01-01T00:00:00+14:00|1"),
    encode("next|9999-12-31T23:59:59.999999-23:59|1"),
]
OUT_OF_RANGE_IDS = ["before-year-1-in-utc", "after-year-9999-in-utc"]


@pytest.mark.parametrize("cursor", OUT_OF_RANGE_CURSORS, ids=OUT_OF_RANGE_IDS)
def test_cursor_time_out_of_range_is_rejected(backlog, owner, session_client, cursor):
    client = session_client(owner)
    client.raise_request_exception = False

    response = client.get(logbook_url(backlog), {"cursor": cursor})

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert response.json()["error"] == "validation_error"
    assert "cursor" in response.json()["fields"]
