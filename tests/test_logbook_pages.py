"""The logbook pages: /backlogs/<id>/logbook and /settings/activity."""

import base64
import html
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import status

from logbook.models import Action, Entry
from tokens.models import PersonalAccessToken, Scope

WRITE = (Scope.WRITE_INITIATIVES,)
SUMMARY = re.compile(r'<span class="summary">(.*?)</span>', re.DOTALL)
OLDER_LINK = re.compile(r'<a href="\?([^"]*before=[^"]*)">Older entries</a>')


def initiative_url(initiative) -> str:
    return f"/api/v1/backlogs/{initiative.backlog_id}/initiatives/{initiative.pk}"


def page_url(backlog) -> str:
    return f"/backlogs/{backlog.pk}/logbook"


def summaries(response) -> list[str]:
    """Return each entry's summary as HTML, newest first."""
    assert response.status_code == status.HTTP_200_OK
    return SUMMARY.findall(response.content.decode())


def plain(summary_html: str) -> str:
    """Return the summary as text, with the label in quotes as the API writes it."""
    quoted = re.sub(r"</?em>", '"', summary_html)
    return html.unescape(re.sub(r"<[^>]+>", "", quoted))


def texts(response) -> list[str]:
    return [plain(summary) for summary in summaries(response)]


@pytest.fixture
def page_client():
    """Return a Django test client signed in as `user`."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def status_change(initiative, owner, make_token, bearer):
    """Return the token with which the owner moved "Dark mode" to planned."""
    token, value = make_token(owner, WRITE, name="jira-sync")
    response = bearer(value).patch(initiative_url(initiative), {"status": "planned"})
    assert response.status_code == status.HTTP_200_OK
    return token


TOKEN_SUMMARY = "Ada updated <em>Dark mode</em>: status proposed → planned, via {via}"


def make_entries(backlog, count, actor=None, token=None):
    start = timezone.now() - timedelta(days=1)
    Entry.objects.bulk_create(
        Entry(
            created_at=start + timedelta(seconds=number),
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


# The backlog's logbook page.


def test_summary_sets_title_in_em(status_change, backlog, owner, page_client):
    shown = summaries(page_client(owner).get(page_url(backlog)))

    assert shown[0] == TOKEN_SUMMARY.format(via="&#x27;jira-sync&#x27; token")


def test_page_shows_token_prefix(status_change, backlog, owner, page_client):
    content = page_client(owner).get(page_url(backlog)).content.decode()

    assert f"{status_change.prefix}…</code>" in content


def test_page_shows_token_after_deletion(status_change, backlog, owner, page_client):
    client = page_client(owner)
    prefix = status_change.prefix
    before = texts(client.get(page_url(backlog)))[0]

    status_change.delete()

    after = client.get(page_url(backlog))
    assert before.endswith(", via 'jira-sync' token")
    assert texts(after)[0] == before
    assert f"{prefix}…</code>" in after.content.decode()


def test_page_lists_newest_first(initiative, backlog, owner, member, page_client):
    api = Client()
    api.force_login(owner)
    api.patch(initiative_url(initiative), {"status": "planned"}, "application/json")
    api.force_login(member)
    api.put(initiative_url(initiative) + "/vote")

    shown = texts(page_client(owner).get(page_url(backlog)))

    assert shown[:2] == [
        'Bob voted for "Dark mode"',
        'Ada updated "Dark mode": status proposed → planned',
    ]


@pytest.mark.parametrize(
    ("title", "escaped"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        (
            '"><img src=x onerror=alert(1)>',
            "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
        ),
    ],
    ids=["script", "attribute"],
)
def test_title_is_escaped(backlog, owner, page_client, session_client, title, escaped):
    url = f"/api/v1/backlogs/{backlog.pk}/initiatives"
    response = session_client(owner).post(url, {"title": title})
    assert response.status_code == status.HTTP_201_CREATED

    page = page_client(owner).get(page_url(backlog))

    assert summaries(page)[0] == f"Ada created <em>{escaped}</em>"
    assert title not in page.content.decode()


def test_token_name_is_escaped(
    initiative, backlog, owner, make_token, bearer, page_client
):
    _, value = make_token(owner, WRITE, name="<b>bot</b>")
    bearer(value).patch(initiative_url(initiative), {"status": "planned"})

    page = page_client(owner).get(page_url(backlog))

    assert summaries(page)[0] == TOKEN_SUMMARY.format(
        via="&#x27;&lt;b&gt;bot&lt;/b&gt;&#x27; token"
    )
    assert "<b>bot</b>" not in page.content.decode()


def test_viewer_can_read_page(status_change, backlog, member, page_client):
    shown = texts(page_client(member).get(page_url(backlog)))

    assert shown[0].startswith('Ada updated "Dark mode"')


def test_outsider_gets_404(backlog, other_backlog, outsider, page_client):
    response = page_client(outsider).get(page_url(backlog))

    assert response.status_code == status.HTTP_404_NOT_FOUND


def test_anonymous_is_sent_to_sign_in(backlog):
    response = Client().get(page_url(backlog))

    assert response.status_code == status.HTTP_302_FOUND
    assert response["Location"].startswith("/accounts/sign-in?next=")


def test_page_leaves_out_other_backlogs(backlog, other_backlog, owner, page_client):
    shown = texts(page_client(owner).get(page_url(backlog)))

    assert shown != []
    assert not any("Secret plans" in summary for summary in shown)


def test_page_leaves_out_token_lifecycle(backlog, owner, page_client):
    client = page_client(owner)
    form = {"name": "jira-sync", "scopes": ["read"], "expires_in": "30"}
    assert client.post("/settings/tokens/new", form).status_code == 201

    shown = texts(client.get(page_url(backlog)))

    assert shown != []
    assert not any("token" in summary for summary in shown)


def test_older_entries_link_walks_all(backlog, owner, page_client):
    make_entries(backlog, 60)
    client = page_client(owner)
    expected = Entry.objects.filter(backlog=backlog).count()

    first = client.get(page_url(backlog))
    query = html.unescape(OLDER_LINK.search(first.content.decode()).group(1))
    second = client.get(f"{page_url(backlog)}?{query}")

    shown = texts(first) + texts(second)
    assert len(texts(first)) == 50
    assert len(shown) == expected
    assert len(set(shown)) == expected
    assert OLDER_LINK.search(second.content.decode()) is None


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == status.HTTP_200_OK
    return len(queries)


def test_page_query_count_does_not_grow(backlog, owner, make_token, page_client):
    # Entries that link to a user and a token would show a query per entry.
    token, _ = make_token(owner)
    client = page_client(owner)
    make_entries(backlog, 10, actor=owner, token=token)
    few = count_queries(client, page_url(backlog))

    make_entries(backlog, 990, actor=owner, token=token)
    many = count_queries(client, page_url(backlog))

    assert many == few
    assert len(texts(client.get(page_url(backlog)))) == 50


# The activity page.


@pytest.fixture
def two_tokens(initiative, owner, make_token, bearer):
    """Return (first, second): tokens that each changed the initiative once."""
    first, first_value = make_token(owner, WRITE, name="jira-sync")
    second, second_value = make_token(owner, WRITE, name="ci")
    bearer(first_value).patch(initiative_url(initiative), {"status": "planned"})
    bearer(second_value).patch(initiative_url(initiative), {"status": "done"})
    return first, second


def test_activity_shows_own_changes(initiative, owner, member, page_client):
    owner_api = Client()
    owner_api.force_login(owner)
    owner_api.patch(
        initiative_url(initiative), {"status": "planned"}, "application/json"
    )
    member_api = Client()
    member_api.force_login(member)
    member_api.put(initiative_url(initiative) + "/vote")

    shown = texts(page_client(owner).get("/settings/activity"))

    assert 'Ada updated "Dark mode": status proposed → planned' in shown
    assert 'Bob voted for "Dark mode"' not in shown


def test_activity_shows_backlog_name(initiative, owner, page_client):
    api = Client()
    api.force_login(owner)
    api.put(initiative_url(initiative) + "/vote")

    content = page_client(owner).get("/settings/activity").content.decode()

    assert '<span class="backlog-name">in Team</span>' in content


def test_activity_shows_token_lifecycle(owner, page_client):
    client = page_client(owner)
    form = {"name": "jira-sync", "scopes": ["read"], "expires_in": "30"}
    client.post("/settings/tokens/new", form)
    token = PersonalAccessToken.objects.get(user=owner)
    client.post(f"/settings/tokens/{token.pk}/revoke")

    shown = texts(client.get("/settings/activity"))

    label = f"jira-sync ({token.prefix}…)"
    assert shown[:2] == [
        f'Ada revoked token "{label}"',
        f'Ada created token "{label}"',
    ]


def test_activity_shows_revocation_by_operator(
    owner, make_user, make_token, page_client
):
    operator = make_user("ops@example.com", "Ops", is_staff=True, is_superuser=True)
    token, _ = make_token(owner, name="jira-sync")
    form = {"action": "revoke_selected", "_selected_action": [token.pk]}
    page_client(operator).post("/admin/tokens/personalaccesstoken/", form)

    shown = texts(page_client(owner).get("/settings/activity"))

    assert shown[0] == f'Ops revoked token "jira-sync ({token.prefix}…)"'


def test_activity_leaves_out_others(two_tokens, member, page_client):
    shown = texts(page_client(member).get("/settings/activity"))

    assert not any(summary.startswith("Ada updated") for summary in shown)


def test_activity_filter_by_token(two_tokens, owner, page_client):
    first, _ = two_tokens

    response = page_client(owner).get("/settings/activity", {"token": first.prefix})

    assert texts(response) == [
        "Ada updated \"Dark mode\": status proposed → planned, via 'jira-sync' token"
    ]


def test_activity_without_filter_shows_all(two_tokens, owner, page_client):
    shown = texts(page_client(owner).get("/settings/activity"))

    assert shown[:2] == [
        "Ada updated \"Dark mode\": status planned → done, via 'ci' token",
        "Ada updated \"Dark mode\": status proposed → planned, via 'jira-sync' token",
    ]


def test_activity_filter_lists_tokens(two_tokens, owner, page_client):
    first, second = two_tokens

    content = page_client(owner).get("/settings/activity").content.decode()

    assert f'<option value="{first.prefix}">jira-sync ({first.prefix}…)</option>' in (
        content
    )
    assert f'<option value="{second.prefix}">ci ({second.prefix}…)</option>' in (
        content
    )


def test_activity_filter_keeps_deleted_token(two_tokens, owner, page_client):
    first, _ = two_tokens
    prefix = first.prefix
    first.delete()
    client = page_client(owner)

    content = client.get("/settings/activity").content.decode()
    filtered = client.get("/settings/activity", {"token": prefix})

    assert f'<option value="{prefix}">jira-sync ({prefix}…)</option>' in content
    assert texts(filtered) == [
        "Ada updated \"Dark mode\": status proposed → planned, via 'jira-sync' token"
    ]
    assert f'<option value="{prefix}" selected>' in filtered.content.decode()


def test_activity_filter_with_unused_prefix(two_tokens, owner, page_client):
    response = page_client(owner).get(
        "/settings/activity", {"token": "pv_pat_00000000"}
    )

    assert texts(response) == []
    assert "No activity with this token yet." in response.content.decode()


def test_activity_needs_sign_in(db):
    response = Client().get("/settings/activity")

    assert response.status_code == status.HTTP_302_FOUND
    assert response["Location"].startswith("/accounts/sign-in?next=")


def test_activity_query_count_does_not_grow(backlog, owner, make_token, page_client):
    token, _ = make_token(owner)
    client = page_client(owner)
    make_entries(backlog, 10, actor=owner, token=token)
    few = count_queries(client, "/settings/activity")

    make_entries(backlog, 990, actor=owner, token=token)
    many = count_queries(client, "/settings/activity")

    assert many == few
    assert len(texts(client.get("/settings/activity"))) == 50


# A ?before= cursor whose time lies outside what the database can store or
# convert is ignored, like any other malformed cursor.


def encode(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        encode("previous|0001-01-01T00:00:00+14:00|1"),
        encode("next|9999-12-31T23:59:59.999999-23:59|1"),
    ],
    ids=["before-year-1-in-utc", "after-year-9999-in-utc"],
)
@pytest.mark.parametrize("page", ["logbook", "activity"])
def test_before_time_out_of_range_is_ignored(
    status_change, backlog, owner, page_client, cursor, page
):
    client = page_client(owner)
    client.raise_request_exception = False
    url = page_url(backlog) if page == "logbook" else "/settings/activity"
    expected = texts(client.get(url))

    response = client.get(url, {"before": cursor})

    assert response.status_code == status.HTTP_200_OK
    assert expected != []
    assert texts(response) == expected
