"""The backlog pages: dashboard, ranking, votes, initiative forms and members."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework import status

from initiatives.models import Backlog, Initiative, Membership, Role, Status, Vote


@pytest.fixture
def browser():
    """Return a function that signs `user` in on a client that checks CSRF."""

    def sign_in(user):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        # The dashboard has the sign-out form, so it sets the CSRF cookie.
        assert client.get("/backlogs").status_code == status.HTTP_200_OK
        return client

    return sign_in


def post(client, url, data=None):
    """POST a form with the CSRF token from the client's cookie."""
    token = client.cookies["csrftoken"].value
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": token})


def set_role(backlog, user, role):
    Membership.objects.filter(backlog=backlog, user=user).update(role=role)


def ranked_titles(response):
    return re.findall(r"<h2>(.*?)</h2>", response.content.decode())


# Sign-in required

PAGES = [
    "/backlogs",
    "/backlogs/new",
    "/backlogs/{backlog}",
    "/backlogs/{backlog}/edit",
    "/backlogs/{backlog}/delete",
    "/backlogs/{backlog}/initiatives/new",
    "/backlogs/{backlog}/initiatives/{initiative}/edit",
    "/backlogs/{backlog}/members",
]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitor_is_sent_to_sign_in(backlog, initiative, path):
    url = path.format(backlog=backlog.pk, initiative=initiative.pk)

    response = Client().get(url)

    assert response.status_code == status.HTTP_302_FOUND
    assert response.url == f"/accounts/sign-in?next={url}"


# Dashboard


def test_dashboard_lists_my_backlogs_only(browser, owner, backlog, other_backlog):
    response = browser(owner).get("/backlogs")

    assert response.status_code == status.HTTP_200_OK
    assert list(response.context["backlogs"]) == [backlog]
    assert "Team" in response.content.decode()
    assert "Secret plans" not in response.content.decode()


def test_dashboard_without_backlogs(browser, outsider):
    response = browser(outsider).get("/backlogs")

    assert response.status_code == status.HTTP_200_OK
    assert list(response.context["backlogs"]) == []


def test_backlog_name_is_escaped_on_dashboard(browser, owner, backlog):
    Backlog.objects.filter(pk=backlog.pk).update(name="<script>alert(1)</script>")

    html = browser(owner).get("/backlogs").content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# Backlog page


def test_backlog_page_ranks_by_votes_then_age(browser, owner, member, backlog):
    now = timezone.now()
    older = Initiative.objects.create(backlog=backlog, title="Older, no votes")
    # Created later but dated earlier, so the order depends on created_at, not id.
    oldest = Initiative.objects.create(backlog=backlog, title="Oldest, no votes")
    liked = Initiative.objects.create(backlog=backlog, title="One vote")
    popular = Initiative.objects.create(backlog=backlog, title="Two votes")
    Initiative.objects.filter(pk=older.pk).update(created_at=now - timedelta(hours=1))
    Initiative.objects.filter(pk=oldest.pk).update(created_at=now - timedelta(hours=2))
    Vote.objects.create(initiative=popular, user=owner)
    Vote.objects.create(initiative=popular, user=member)
    Vote.objects.create(initiative=liked, user=member)

    response = browser(owner).get(f"/backlogs/{backlog.pk}")

    assert response.status_code == status.HTTP_200_OK
    assert ranked_titles(response) == [
        "Two votes",
        "One vote",
        "Oldest, no votes",
        "Older, no votes",
    ]


@pytest.mark.parametrize("chosen", Status.values)
def test_backlog_page_filters_by_status(browser, owner, backlog, chosen):
    for value in Status.values:
        Initiative.objects.create(backlog=backlog, title=f"Is {value}", status=value)

    response = browser(owner).get(f"/backlogs/{backlog.pk}?status={chosen}")

    assert ranked_titles(response) == [f"Is {chosen}"]


def test_backlog_page_ignores_invalid_status(browser, owner, backlog, initiative):
    response = browser(owner).get(f"/backlogs/{backlog.pk}?status=bogus")

    assert response.status_code == status.HTTP_200_OK
    assert ranked_titles(response) == ["Dark mode"]


def test_initiative_title_is_escaped(browser, owner, backlog):
    Initiative.objects.create(backlog=backlog, title="<script>alert(1)</script>")

    html = browser(owner).get(f"/backlogs/{backlog.pk}").content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_viewer_sees_no_edit_links(browser, member, backlog, initiative):
    html = browser(member).get(f"/backlogs/{backlog.pk}").content.decode()

    assert f"/backlogs/{backlog.pk}/initiatives/new" not in html
    assert f"/initiatives/{initiative.pk}/edit" not in html
    assert f"/backlogs/{backlog.pk}/members" not in html


# Votes


def test_vote_button_casts_vote(browser, member, backlog, initiative):
    client = browser(member)
    page = client.get(f"/backlogs/{backlog.pk}").content.decode()
    vote_url = f"/backlogs/{backlog.pk}/initiatives/{initiative.pk}/vote"
    assert f'action="{vote_url}"' in page

    response = post(client, vote_url)

    assert response.status_code == status.HTTP_302_FOUND
    assert response.url == f"/backlogs/{backlog.pk}"
    assert Vote.objects.filter(initiative=initiative, user=member).exists()
    assert Initiative.objects.get(pk=initiative.pk).vote_count == 1


def test_unvote_button_withdraws_vote(browser, member, backlog, initiative):
    Vote.objects.create(initiative=initiative, user=member)
    client = browser(member)
    page = client.get(f"/backlogs/{backlog.pk}").content.decode()
    unvote_url = f"/backlogs/{backlog.pk}/initiatives/{initiative.pk}/unvote"
    assert f'action="{unvote_url}"' in page

    response = post(client, unvote_url)

    assert response.status_code == status.HTTP_302_FOUND
    assert not Vote.objects.filter(initiative=initiative).exists()
    assert Initiative.objects.get(pk=initiative.pk).vote_count == 0


def test_voting_twice_on_page_counts_once(browser, member, backlog, initiative):
    client = browser(member)
    vote_url = f"/backlogs/{backlog.pk}/initiatives/{initiative.pk}/vote"

    post(client, vote_url)
    post(client, vote_url)

    assert Initiative.objects.get(pk=initiative.pk).vote_count == 1


def test_vote_keeps_status_filter(browser, member, backlog, initiative):
    url = f"/backlogs/{backlog.pk}/initiatives/{initiative.pk}/vote"

    response = post(browser(member), url, {"status": "proposed"})

    assert response.url == f"/backlogs/{backlog.pk}?status=proposed"


def test_vote_page_takes_post_only(browser, member, backlog, initiative):
    url = f"/backlogs/{backlog.pk}/initiatives/{initiative.pk}/vote"

    response = browser(member).get(url)

    assert response.status_code == status.HTTP_405_METHOD_NOT_ALLOWED
    assert not Vote.objects.exists()


# Initiative forms


@pytest.mark.parametrize("role", [Role.OWNER, Role.EDITOR])
def test_editing_roles_create_initiative_on_page(browser, member, backlog, role):
    set_role(backlog, member, role)
    client = browser(member)
    url = f"/backlogs/{backlog.pk}/initiatives/new"
    assert client.get(url).status_code == status.HTTP_200_OK

    response = post(
        client, url, {"title": "Search", "description": "", "status": "planned"}
    )

    assert response.status_code == status.HTTP_302_FOUND
    assert response.url == f"/backlogs/{backlog.pk}"
    initiative = Initiative.objects.get(title="Search")
    assert initiative.backlog == backlog
    assert initiative.author == member
    assert initiative.status == Status.PLANNED


def test_create_form_shows_errors(browser, owner, backlog, db_state):
    before = db_state()

    response = post(
        browser(owner),
        f"/backlogs/{backlog.pk}/initiatives/new",
        {"title": "", "status": "proposed"},
    )

    assert response.status_code == status.HTTP_200_OK
    assert response.context["form"].errors["title"]
    assert db_state() == before


def test_viewer_cannot_open_create_form(browser, member, backlog):
    response = browser(member).get(f"/backlogs/{backlog.pk}/initiatives/new")

    assert response.status_code == status.HTTP_403_FORBIDDEN


def test_viewer_cannot_create_initiative_on_page(browser, member, backlog, db_state):
    before = db_state()

    response = post(
        browser(member),
        f"/backlogs/{backlog.pk}/initiatives/new",
        {"title": "Search", "status": "proposed"},
    )

    assert response.status_code == status.HTTP_403_FORBIDDEN
    assert db_state() == before


def test_editor_edits_initiative_on_page(browser, member, backlog, initiative):
    set_role(backlog, member, Role.EDITOR)
    client = browser(member)
    url = f"/backlogs/{backlog.pk}/initiatives/{initiative.pk}/edit"
    assert client.get(url).status_code == status.HTTP_200_OK

    response = post(
        client, url, {"title": "Light mode", "description": "", "status": "done"}
    )

    assert response.status_code == status.HTTP_302_FOUND
    initiative.refresh_from_db()
    assert initiative.title == "Light mode"
    assert initiative.status == Status.DONE


def test_viewer_cannot_edit_initiative_on_page(
    browser, member, backlog, initiative, db_state
):
    client = browser(member)
    url = f"/backlogs/{backlog.pk}/initiatives/{initiative.pk}/edit"
    before = db_state(initiative)

    opened = client.get(url)
    sent = post(client, url, {"title": "Light mode", "status": "done"})

    assert opened.status_code == status.HTTP_403_FORBIDDEN
    assert sent.status_code == status.HTTP_403_FORBIDDEN
    assert db_state(initiative) == before


def test_owner_deletes_initiative_on_page(browser, owner, backlog, initiative):
    url = f"/backlogs/{backlog.pk}/initiatives/{initiative.pk}/delete"

    response = post(browser(owner), url)

    assert response.status_code == status.HTTP_302_FOUND
    assert not Initiative.objects.filter(pk=initiative.pk).exists()


def test_editor_cannot_delete_initiative_on_page(
    browser, member, backlog, initiative, db_state
):
    set_role(backlog, member, Role.EDITOR)
    url = f"/backlogs/{backlog.pk}/initiatives/{initiative.pk}/delete"
    before = db_state(initiative)

    response = post(browser(member), url)

    assert response.status_code == status.HTTP_403_FORBIDDEN
    assert db_state(initiative) == before


# Backlog forms


def test_create_backlog_on_page(browser, outsider):
    response = post(
        browser(outsider), "/backlogs/new", {"name": "Roadmap", "description": ""}
    )

    backlog = Backlog.objects.get(name="Roadmap")
    assert response.status_code == status.HTTP_302_FOUND
    assert response.url == f"/backlogs/{backlog.pk}"
    assert Membership.objects.get(backlog=backlog).user == outsider
    assert Membership.objects.get(backlog=backlog).role == Role.OWNER


def test_owner_edits_backlog_on_page(browser, owner, backlog):
    response = post(
        browser(owner),
        f"/backlogs/{backlog.pk}/edit",
        {"name": "Platform", "description": ""},
    )

    assert response.status_code == status.HTTP_302_FOUND
    backlog.refresh_from_db()
    assert backlog.name == "Platform"


def test_owner_deletes_backlog_on_page(browser, owner, backlog, initiative):
    response = post(browser(owner), f"/backlogs/{backlog.pk}/delete")

    assert response.status_code == status.HTTP_302_FOUND
    assert response.url == "/backlogs"
    assert not Backlog.objects.filter(pk=backlog.pk).exists()
    assert not Initiative.objects.filter(pk=initiative.pk).exists()


@pytest.mark.parametrize("role", [Role.EDITOR, Role.VIEWER])
@pytest.mark.parametrize("action", ["edit", "delete"])
def test_non_owner_cannot_change_backlog_on_page(
    browser, member, backlog, db_state, role, action
):
    set_role(backlog, member, role)
    client = browser(member)
    url = f"/backlogs/{backlog.pk}/{action}"
    before = db_state(backlog)

    opened = client.get(url)
    sent = post(client, url, {"name": "Mine now", "description": ""})

    assert opened.status_code == status.HTTP_403_FORBIDDEN
    assert sent.status_code == status.HTTP_403_FORBIDDEN
    assert db_state(backlog) == before


# Members page


def test_owner_sees_members_page(browser, owner, backlog):
    response = browser(owner).get(f"/backlogs/{backlog.pk}/members")

    assert response.status_code == status.HTTP_200_OK
    html = response.content.decode()
    assert "ada@example.com" in html
    assert "bob@example.com" in html


@pytest.mark.parametrize("role", [Role.EDITOR, Role.VIEWER])
def test_non_owner_cannot_see_members_page(browser, member, backlog, role):
    set_role(backlog, member, role)

    response = browser(member).get(f"/backlogs/{backlog.pk}/members")

    assert response.status_code == status.HTTP_403_FORBIDDEN


def test_outsider_gets_404_for_members_page(browser, outsider, backlog):
    response = browser(outsider).get(f"/backlogs/{backlog.pk}/members")

    assert response.status_code == status.HTTP_404_NOT_FOUND


def test_owner_adds_member_on_page(browser, owner, outsider, backlog):
    response = post(
        browser(owner),
        f"/backlogs/{backlog.pk}/members",
        {"email": "EVE@example.com", "role": "editor"},
    )

    assert response.status_code == status.HTTP_302_FOUND
    assert Membership.objects.get(backlog=backlog, user=outsider).role == Role.EDITOR


def test_members_page_rejects_unknown_email(browser, owner, backlog, db_state):
    before = db_state()

    response = post(
        browser(owner),
        f"/backlogs/{backlog.pk}/members",
        {"email": "nobody@example.com", "role": "viewer"},
    )

    assert response.status_code == status.HTTP_200_OK
    assert response.context["form"].errors["email"]
    assert db_state() == before


def test_owner_changes_role_on_page(browser, owner, member, backlog):
    url = f"/backlogs/{backlog.pk}/members/{member.pk}/role"

    response = post(browser(owner), url, {"role": "editor"})

    assert response.status_code == status.HTTP_302_FOUND
    assert Membership.objects.get(backlog=backlog, user=member).role == Role.EDITOR


def test_last_owner_keeps_role_on_page(browser, owner, backlog, db_state):
    membership = Membership.objects.get(backlog=backlog, user=owner)
    url = f"/backlogs/{backlog.pk}/members/{owner.pk}/role"
    before = db_state(membership)

    response = post(browser(owner), url, {"role": "viewer"})

    assert response.status_code == status.HTTP_302_FOUND
    assert db_state(membership) == before


def test_owner_removes_member_on_page(browser, owner, member, backlog):
    url = f"/backlogs/{backlog.pk}/members/{member.pk}/remove"

    response = post(browser(owner), url)

    assert response.status_code == status.HTTP_302_FOUND
    assert not Membership.objects.filter(backlog=backlog, user=member).exists()


def test_last_owner_is_not_removed_on_page(browser, owner, backlog, db_state):
    membership = Membership.objects.get(backlog=backlog, user=owner)
    url = f"/backlogs/{backlog.pk}/members/{owner.pk}/remove"
    before = db_state(membership)

    response = post(browser(owner), url)

    assert response.status_code == status.HTTP_302_FOUND
    assert db_state(membership) == before


@pytest.mark.parametrize("action", ["role", "remove"])
def test_viewer_cannot_manage_members_on_page(
    browser, owner, member, backlog, db_state, action
):
    url = f"/backlogs/{backlog.pk}/members/{owner.pk}/{action}"
    before = db_state()

    response = post(browser(member), url, {"role": "viewer"})

    assert response.status_code == status.HTTP_403_FORBIDDEN
    assert db_state() == before


# Row isolation and CSRF

OTHER_USERS_PAGES = [
    ("get", "/backlogs/{backlog}", None),
    ("get", "/backlogs/{backlog}/edit", None),
    ("post", "/backlogs/{backlog}/edit", {"name": "Taken", "description": ""}),
    ("get", "/backlogs/{backlog}/delete", None),
    ("post", "/backlogs/{backlog}/delete", {}),
    ("get", "/backlogs/{backlog}/initiatives/new", None),
    ("post", "/backlogs/{backlog}/initiatives/new", {"title": "x", "status": "done"}),
    ("get", "/backlogs/{backlog}/initiatives/{initiative}/edit", None),
    (
        "post",
        "/backlogs/{backlog}/initiatives/{initiative}/edit",
        {"title": "x", "status": "done"},
    ),
    ("post", "/backlogs/{backlog}/initiatives/{initiative}/delete", {}),
    ("post", "/backlogs/{backlog}/initiatives/{initiative}/vote", {}),
    ("post", "/backlogs/{backlog}/initiatives/{initiative}/unvote", {}),
    ("get", "/backlogs/{backlog}/members", None),
    (
        "post",
        "/backlogs/{backlog}/members",
        {"email": "ada@example.com", "role": "owner"},
    ),
    ("post", "/backlogs/{backlog}/members/{user}/role", {"role": "viewer"}),
    ("post", "/backlogs/{backlog}/members/{user}/remove", {}),
    ("get", "/backlogs/{backlog}/logbook", None),
]


@pytest.fixture
def secret(other_backlog, outsider):
    initiative = Initiative.objects.create(
        backlog=other_backlog, title="Secret", author=outsider
    )
    Vote.objects.create(initiative=initiative, user=outsider)
    return initiative


@pytest.mark.parametrize(("method", "path", "data"), OTHER_USERS_PAGES)
def test_other_users_backlog_pages_are_not_found(
    browser, owner, outsider, other_backlog, secret, db_state, method, path, data
):
    client = browser(owner)
    url = path.format(backlog=other_backlog.pk, initiative=secret.pk, user=outsider.pk)
    before = db_state(other_backlog, secret)

    response = post(client, url, data) if method == "post" else client.get(url)

    assert response.status_code == status.HTTP_404_NOT_FOUND
    assert db_state(other_backlog, secret) == before


UNSAFE_PAGES = [
    ("/backlogs/new", {"name": "Roadmap", "description": ""}),
    ("/backlogs/{backlog}/edit", {"name": "Changed", "description": ""}),
    ("/backlogs/{backlog}/delete", {}),
    ("/backlogs/{backlog}/initiatives/new", {"title": "x", "status": "done"}),
    (
        "/backlogs/{backlog}/initiatives/{initiative}/edit",
        {"title": "x", "status": "done"},
    ),
    ("/backlogs/{backlog}/initiatives/{initiative}/delete", {}),
    ("/backlogs/{backlog}/initiatives/{initiative}/vote", {}),
    ("/backlogs/{backlog}/initiatives/{initiative}/unvote", {}),
    ("/backlogs/{backlog}/members", {"email": "eve@example.com", "role": "owner"}),
    ("/backlogs/{backlog}/members/{user}/role", {"role": "owner"}),
    ("/backlogs/{backlog}/members/{user}/remove", {}),
]


@pytest.mark.parametrize(("path", "data"), UNSAFE_PAGES)
def test_post_without_csrf_token_changes_nothing(
    browser, owner, member, outsider, backlog, initiative, db_state, path, data
):
    Vote.objects.create(initiative=initiative, user=owner)
    client = browser(owner)
    url = path.format(backlog=backlog.pk, initiative=initiative.pk, user=member.pk)
    membership = Membership.objects.get(backlog=backlog, user=member)
    before = db_state(backlog, initiative, membership)

    response = client.post(url, data)

    assert response.status_code == status.HTTP_403_FORBIDDEN
    assert db_state(backlog, initiative, membership) == before


def test_backlog_page_shows_one_hundred_per_page(browser, owner, backlog):
    Initiative.objects.bulk_create(
        Initiative(backlog=backlog, title=f"Idea {number:03d}") for number in range(105)
    )
    client = browser(owner)

    first = client.get(f"/backlogs/{backlog.pk}")
    second = client.get(f"/backlogs/{backlog.pk}?page=2")

    assert len(ranked_titles(first)) == 100
    assert ranked_titles(second) == [f"Idea {number:03d}" for number in range(100, 105)]
    assert b'start="101"' in second.content
    assert b"page=1" in second.content


def test_backlog_page_with_invalid_page_shows_first(
    browser, owner, backlog, initiative
):
    response = browser(owner).get(f"/backlogs/{backlog.pk}?page=abc")

    assert response.status_code == status.HTTP_200_OK
    assert ranked_titles(response) == ["Dark mode"]


def test_backlog_page_keeps_status_filter_across_pages(browser, owner, backlog):
    Initiative.objects.bulk_create(
        Initiative(backlog=backlog, title=f"Plan {number}", status=Status.PLANNED)
        for number in range(101)
    )

    response = browser(owner).get(f"/backlogs/{backlog.pk}?status=planned")

    assert b"status=planned&amp;page=2" in response.content
