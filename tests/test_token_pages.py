"""The settings pages that create, list and revoke tokens."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework import status

from initiatives.models import Backlog, Membership, Role
from tokens import values
from tokens.models import PersonalAccessToken, Scope

pytestmark = pytest.mark.django_db

LIST = "/settings/tokens"
NEW = "/settings/tokens/new"
VALUE_PATTERN = re.compile(r"pv_pat_[0-9A-Za-z]{49}")
HOSTILE_NAME = "<img src=x onerror=alert(1)>"
ESCAPED_NAME = "&lt;img src=x onerror=alert(1)&gt;"
ALL_BACKLOGS_TEXT = "All backlogs, including ones you create or join later"


def revoke_url(token):
    return f"/settings/tokens/{token.pk}/revoke"


class FormControls(HTMLParser):
    """Collect the inputs and select options of a page as dicts."""

    def __init__(self, html):
        super().__init__()
        self.controls = []
        self.select_name = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input":
            self.controls.append(
                {
                    "name": attrs.get("name"),
                    "type": attrs.get("type", "text"),
                    "value": attrs.get("value", ""),
                    "chosen": "checked" in attrs,
                }
            )
        elif tag == "select":
            self.select_name = attrs.get("name")
        elif tag == "option" and self.select_name is not None:
            self.controls.append(
                {
                    "name": self.select_name,
                    "type": "option",
                    "value": attrs.get("value", ""),
                    "chosen": "selected" in attrs,
                }
            )

    def handle_endtag(self, tag):
        if tag == "select":
            self.select_name = None

    def named(self, name):
        return [control for control in self.controls if control["name"] == name]

    def offered(self, name):
        return [control["value"] for control in self.named(name)]

    def chosen(self, name):
        return [control["value"] for control in self.named(name) if control["chosen"]]


def controls(response):
    return FormControls(response.content.decode())


@pytest.fixture
def browser(owner):
    """A browser signed in as the owner. Django's test client skips CSRF checks."""
    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def strict_browser(owner):
    """A browser signed in as the owner that sends no CSRF token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    return client


def form_data(**changes):
    data = {"name": "jira-sync", "scopes": ["read"], "expires_in": "30"}
    data.update(changes)
    return data


def created_value(response):
    found = VALUE_PATTERN.findall(response.content.decode())
    assert found, "the response shows no token value"
    return found[0]


def table_row(response, text):
    """Return the HTML of the table row that contains `text`."""
    rows = [row for row in response.content.decode().split("<tr") if text in row]
    assert len(rows) == 1, f"expected one row with {text!r}, found {len(rows)}"
    return rows[0]


def test_new_token_form_has_all_fields(browser, backlog):
    form = controls(browser.get(NEW))

    assert [control["type"] for control in form.named("name")] == ["text"]
    assert form.offered("scopes") == ["read", "write:initiatives"]
    assert {control["type"] for control in form.named("scopes")} == {"checkbox"}
    assert form.offered("expires_in") == ["30", "90", "365", "never"]


def test_new_token_form_offers_only_my_backlogs(
    browser, backlog, other_backlog, member
):
    form = controls(browser.get(NEW))

    assert form.offered("backlogs") == [str(backlog.pk)]
    assert {control["type"] for control in form.named("backlogs")} == {"checkbox"}


def test_create_shows_value_once(browser, owner):
    response = browser.post(NEW, form_data())

    assert response.status_code in {status.HTTP_200_OK, status.HTTP_201_CREATED}
    value = created_value(response)
    token = PersonalAccessToken.objects.get(user=owner)
    assert token.digest == values.digest(value)
    assert values.is_well_formed(value)


def test_create_response_is_not_cached(browser):
    response = browser.post(NEW, form_data())

    assert "no-store" in response.headers["Cache-Control"]


def test_create_response_has_copy_button(browser):
    response = browser.post(NEW, form_data())

    assert re.search(r"<button[^>]*>\s*Copy\s*</button>", response.content.decode())


def test_create_stores_form_choices(browser, owner, backlog):
    data = form_data(
        name="ci-bot", scopes=["write:initiatives"], backlogs=[str(backlog.pk)]
    )

    browser.post(NEW, data)

    token = PersonalAccessToken.objects.get(user=owner)
    assert token.name == "ci-bot"
    assert token.scopes == ["write:initiatives"]
    assert not token.all_backlogs
    assert list(token.backlogs.all()) == [backlog]


def test_create_without_backlogs_reaches_all(browser, owner, backlog):
    browser.post(NEW, form_data())

    token = PersonalAccessToken.objects.get(user=owner)
    assert token.all_backlogs
    assert list(token.backlogs.all()) == []


@pytest.mark.parametrize(("choice", "days"), [("30", 30), ("90", 90), ("365", 365)])
def test_create_sets_expiry(browser, owner, choice, days):
    browser.post(NEW, form_data(expires_in=choice))

    token = PersonalAccessToken.objects.get(user=owner)
    expected = timezone.now() + timedelta(days=days)
    assert abs(token.expires_at - expected) < timedelta(minutes=1)


def test_create_never_expiring(browser, owner):
    browser.post(NEW, form_data(expires_in="never"))

    token = PersonalAccessToken.objects.get(user=owner)
    assert token.expires_at is None


def test_create_accepts_100_character_name(browser, owner):
    response = browser.post(NEW, form_data(name="n" * 100))

    assert response.status_code == status.HTTP_201_CREATED
    assert PersonalAccessToken.objects.get(user=owner).name == "n" * 100


def superuser_client(make_user):
    admin = make_user("root@example.com", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    return client


def test_value_appears_in_no_later_response(browser, owner, backlog, bearer, make_user):
    value = created_value(browser.post(NEW, form_data(backlogs=[str(backlog.pk)])))
    secret = value[len("pv_pat_") :]
    token = PersonalAccessToken.objects.get(user=owner)
    operator = superuser_client(make_user)
    later = {
        "list": browser.get(LIST),
        "new form": browser.get(NEW),
        "similar form": browser.get(f"{NEW}?similar_to={token.pk}"),
        "revoke form": browser.get(revoke_url(token)),
        "activity": browser.get("/settings/activity"),
        "me with token": bearer(value).get("/api/v1/me"),
        "me with session": browser.get("/api/v1/me"),
        "admin tokens": operator.get("/admin/tokens/personalaccesstoken/"),
        "admin token": operator.get(
            f"/admin/tokens/personalaccesstoken/{token.pk}/change/"
        ),
        "admin user": operator.get(f"/admin/priorityvote/user/{owner.pk}/change/"),
        "admin logbook": operator.get("/admin/logbook/entry/"),
    }

    for page, response in later.items():
        assert response.status_code == status.HTTP_200_OK, page
        assert secret not in response.content.decode(), page


def test_create_response_is_the_only_one_with_value(browser):
    value = created_value(browser.post(NEW, form_data()))

    response = browser.get(LIST)

    assert value not in response.content.decode()
    assert VALUE_PATTERN.search(response.content.decode()) is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"scopes": ["admin"]}, "scopes"),
        ({"scopes": ["read", "admin"]}, "scopes"),
        ({"scopes": []}, "scopes"),
        ({"expires_in": "7"}, "expires_in"),
        ({"expires_in": "forever"}, "expires_in"),
        ({"expires_in": ""}, "expires_in"),
        ({"backlogs": ["{other}"]}, "backlogs"),
        ({"backlogs": ["{mine}", "{other}"]}, "backlogs"),
        ({"backlogs": ["999999"]}, "backlogs"),
        ({"backlogs": ["abc"]}, "backlogs"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "n" * 101}, "name"),
    ],
    ids=[
        "unknown-scope",
        "unknown-scope-with-read",
        "no-scope",
        "unknown-expiry",
        "word-expiry",
        "empty-expiry",
        "other-users-backlog",
        "mine-and-other-users-backlog",
        "missing-backlog",
        "non-numeric-backlog",
        "empty-name",
        "blank-name",
        "101-character-name",
    ],
)
def test_invalid_form_creates_nothing(
    browser, owner, backlog, other_backlog, changes, field
):
    ids = {"mine": str(backlog.pk), "other": str(other_backlog.pk)}
    if "backlogs" in changes:
        changes = {
            "backlogs": [backlog_id.format(**ids) for backlog_id in changes["backlogs"]]
        }

    response = browser.post(NEW, form_data(**changes))

    assert response.status_code == status.HTTP_200_OK
    assert field in response.context["form"].errors
    assert 'class="error"' in response.content.decode()
    assert VALUE_PATTERN.search(response.content.decode()) is None
    assert not PersonalAccessToken.objects.exists()


@pytest.fixture
def listed_tokens(make_token, owner, backlog):
    """Four tokens of the owner: active, restricted, expired and revoked."""
    active, _value = make_token(owner, name="everything", expires_in_days=30)
    PersonalAccessToken.objects.filter(pk=active.pk).update(
        last_used_at=timezone.now() - timedelta(hours=3)
    )
    active.refresh_from_db()
    restricted, _value = make_token(
        owner,
        name="team-only",
        scopes=[Scope.READ, Scope.WRITE_INITIATIVES],
        backlogs=[backlog],
    )
    expired, _value = make_token(owner, name="old-export", expires_in_days=30)
    PersonalAccessToken.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    expired.refresh_from_db()
    revoked, _value = make_token(owner, name="leaked")
    revoked.revoke()
    return {
        "active": active,
        "restricted": restricted,
        "expired": expired,
        "revoked": revoked,
    }


@pytest.mark.parametrize("state", ["active", "restricted", "expired", "revoked"])
def test_list_shows_token_details(browser, listed_tokens, state):
    token = listed_tokens[state]

    row = table_row(browser.get(LIST), f"{token.prefix}…")

    assert token.name in row
    assert ", ".join(token.scopes) in row
    assert token.created_at.strftime("%Y-%m-%d %H:%M") in row


@pytest.mark.parametrize(
    ("state", "shown"),
    [
        ("active", ">active<"),
        ("restricted", ">active<"),
        ("expired", ">expired<"),
        ("revoked", ">revoked<"),
    ],
)
def test_list_shows_status(browser, listed_tokens, state, shown):
    row = table_row(browser.get(LIST), f"{listed_tokens[state].prefix}…")

    assert shown in row


def test_list_shows_all_backlogs_text(browser, listed_tokens):
    row = table_row(browser.get(LIST), f"{listed_tokens['active'].prefix}…")

    assert ALL_BACKLOGS_TEXT in row


def test_list_shows_restricted_backlogs(browser, listed_tokens, backlog):
    row = table_row(browser.get(LIST), f"{listed_tokens['restricted'].prefix}…")

    assert backlog.name in row
    assert ALL_BACKLOGS_TEXT not in row


def test_list_shows_expiry(browser, listed_tokens):
    response = browser.get(LIST)
    expiring = listed_tokens["active"]
    never = listed_tokens["restricted"]

    expiring_row = table_row(response, f"{expiring.prefix}…")
    never_row = table_row(response, f"{never.prefix}…")

    assert expiring.expires_at.strftime("%Y-%m-%d") in expiring_row
    assert "Never" in never_row


def test_list_shows_last_used(browser, listed_tokens):
    response = browser.get(LIST)
    used = listed_tokens["active"]
    unused = listed_tokens["restricted"]

    used_row = table_row(response, f"{used.prefix}…")
    unused_row = table_row(response, f"{unused.prefix}…")

    assert used.last_used_at.strftime("%Y-%m-%d %H:%M") in used_row
    assert "Never used" in unused_row


def test_list_hides_other_users_tokens(browser, make_token, outsider, owner):
    theirs, _value = make_token(outsider, name="their-token")

    response = browser.get(LIST)

    assert theirs.prefix not in response.content.decode()
    assert "their-token" not in response.content.decode()


def test_list_needs_sign_in(client):
    response = client.get(LIST)

    assert response.status_code == status.HTTP_302_FOUND
    assert response.headers["Location"].startswith(reverse("sign-in"))


def test_revoke_page_asks_for_confirmation(browser, make_token, owner):
    token, _value = make_token(owner, name="ci-bot")

    response = browser.get(revoke_url(token))

    token.refresh_from_db()
    assert response.status_code == status.HTTP_200_OK
    assert "ci-bot" in response.content.decode()
    assert token.prefix in response.content.decode()
    assert re.search(r'<form method="post"', response.content.decode())
    assert token.revoked_at is None


def test_revoke_makes_token_fail_at_once(browser, make_token, owner, bearer):
    token, value = make_token(owner)
    before = bearer(value).get("/api/v1/me")

    response = browser.post(revoke_url(token))

    token.refresh_from_db()
    after = bearer(value).get("/api/v1/me")
    assert before.status_code == status.HTTP_200_OK
    assert response.status_code == status.HTTP_302_FOUND
    assert response.headers["Location"] == LIST
    assert token.revoked_at is not None
    assert after.status_code == status.HTTP_401_UNAUTHORIZED
    assert after.json()["error"] == "invalid_token"


def test_revoke_twice_keeps_first_time(browser, make_token, owner):
    token, _value = make_token(owner)
    browser.post(revoke_url(token))
    token.refresh_from_db()
    first = token.revoked_at

    browser.post(revoke_url(token))

    token.refresh_from_db()
    assert token.revoked_at == first


@pytest.mark.parametrize("method", ["get", "post"])
def test_revoke_other_users_token_is_404(browser, make_token, outsider, method):
    token, _value = make_token(outsider)

    response = getattr(browser, method)(revoke_url(token))

    token.refresh_from_db()
    assert response.status_code == status.HTTP_404_NOT_FOUND
    assert token.revoked_at is None


def test_revoke_without_csrf_is_rejected(strict_browser, make_token, owner):
    token, _value = make_token(owner)

    response = strict_browser.post(revoke_url(token))

    token.refresh_from_db()
    assert response.status_code == status.HTTP_403_FORBIDDEN
    assert token.revoked_at is None


def test_create_without_csrf_is_rejected(strict_browser, owner):
    response = strict_browser.post(NEW, form_data())

    assert response.status_code == status.HTTP_403_FORBIDDEN
    assert not PersonalAccessToken.objects.exists()


def test_bearer_header_does_not_open_list(make_token, owner):
    _token, value = make_token(owner)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {value}")

    response = client.get(LIST)

    assert response.status_code == status.HTTP_302_FOUND
    assert response.headers["Location"].startswith(reverse("sign-in"))


def test_bearer_header_cannot_create(make_token, owner):
    _token, value = make_token(owner, scopes=[Scope.WRITE_INITIATIVES])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {value}")

    response = client.post(NEW, form_data())

    assert response.status_code == status.HTTP_302_FOUND
    assert response.headers["Location"].startswith(reverse("sign-in"))
    assert PersonalAccessToken.objects.count() == 1


def test_bearer_header_cannot_revoke(make_token, owner):
    token, value = make_token(owner, scopes=[Scope.WRITE_INITIATIVES])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {value}")

    response = client.post(revoke_url(token))

    token.refresh_from_db()
    assert response.status_code == status.HTTP_302_FOUND
    assert token.revoked_at is None


def test_hostile_name_is_escaped_in_create_response(browser):
    response = browser.post(NEW, form_data(name=HOSTILE_NAME))

    assert response.status_code == status.HTTP_201_CREATED
    assert HOSTILE_NAME not in response.content.decode()
    assert ESCAPED_NAME in response.content.decode()


@pytest.mark.parametrize(
    "page",
    [
        LIST,
        "{revoke}",
        f"{NEW}?similar_to={{token}}",
        "/settings/activity",
    ],
)
def test_hostile_name_is_escaped(browser, make_token, owner, page):
    token, _value = make_token(owner, name=HOSTILE_NAME)

    response = browser.get(page.format(revoke=revoke_url(token), token=token.pk))

    assert response.status_code == status.HTTP_200_OK
    assert HOSTILE_NAME not in response.content.decode()
    assert ESCAPED_NAME in response.content.decode()


def test_list_links_to_similar_token(browser, make_token, owner):
    token, _value = make_token(owner)

    response = browser.get(LIST)

    assert f'href="{NEW}?similar_to={token.pk}"' in response.content.decode()


@pytest.mark.parametrize(
    ("days", "choice"), [(30, "30"), (90, "90"), (365, "365"), (None, "never")]
)
def test_similar_token_prefills_form(browser, make_token, owner, backlog, days, choice):
    token, _value = make_token(
        owner,
        name="ci-bot",
        scopes=[Scope.WRITE_INITIATIVES],
        backlogs=[backlog],
        expires_in_days=days,
    )

    form = controls(browser.get(f"{NEW}?similar_to={token.pk}"))

    assert [control["value"] for control in form.named("name")] == ["ci-bot"]
    assert form.chosen("scopes") == ["write:initiatives"]
    assert form.chosen("backlogs") == [str(backlog.pk)]
    assert form.chosen("expires_in") == [choice]


def test_similar_unrestricted_token_chooses_no_backlog(
    browser, make_token, owner, backlog
):
    token, _value = make_token(owner, scopes=[Scope.READ])

    form = controls(browser.get(f"{NEW}?similar_to={token.pk}"))

    assert form.chosen("scopes") == ["read"]
    assert form.chosen("backlogs") == []


@pytest.mark.parametrize("similar_to", ["{theirs}", "abc", "99999999", ""])
def test_similar_to_other_token_prefills_nothing(
    browser, make_token, outsider, similar_to
):
    theirs, _value = make_token(outsider, name="their-token")

    response = browser.get(f"{NEW}?similar_to={similar_to.format(theirs=theirs.pk)}")

    form = controls(response)
    assert response.status_code == status.HTTP_200_OK
    assert [control["value"] for control in form.named("name")] == [""]
    assert "their-token" not in response.content.decode()


def test_resubmitted_form_creates_one_token(browser, owner):
    form = controls(browser.get(NEW))
    [form_id] = [control["value"] for control in form.named("form_id")]
    data = form_data(form_id=form_id)

    first = browser.post(NEW, data)
    second = browser.post(NEW, data)

    assert first.status_code == status.HTTP_201_CREATED
    assert second.status_code == status.HTTP_200_OK
    assert second.context["form"].non_field_errors()
    assert VALUE_PATTERN.search(second.content.decode()) is None
    assert PersonalAccessToken.objects.filter(user=owner).count() == 1


def test_two_loaded_forms_create_two_tokens(browser, owner):
    first_id = controls(browser.get(NEW)).named("form_id")[0]["value"]
    second_id = controls(browser.get(NEW)).named("form_id")[0]["value"]

    first = browser.post(NEW, form_data(form_id=first_id))
    second = browser.post(NEW, form_data(form_id=second_id))

    assert first_id != second_id
    assert first.status_code == status.HTTP_201_CREATED
    assert second.status_code == status.HTTP_201_CREATED
    assert PersonalAccessToken.objects.filter(user=owner).count() == 2


def submitted(form):
    """Return what a browser submits from the form as it was rendered."""
    data = {}
    for control in form.controls:
        if control["name"] is None:
            continue
        if control["type"] in {"checkbox", "radio", "option"} and not control["chosen"]:
            continue
        data.setdefault(control["name"], []).append(control["value"])
    return data


def similar_form(browser, token):
    return controls(browser.get(f"{NEW}?similar_to={token.pk}"))


@pytest.mark.parametrize("lost_by", ["deletion", "leaving"])
def test_similar_token_of_lost_backlogs_stays_restricted(
    browser, make_token, owner, backlog, lost_by
):
    token, _value = make_token(owner, backlogs=[backlog])
    if lost_by == "deletion":
        backlog.delete()
    else:
        backlog.memberships.filter(user=owner).delete()
    form = similar_form(browser, token)

    response = browser.post(NEW, submitted(form))

    assert form.chosen("backlogs") == []
    assert response.status_code == status.HTTP_200_OK
    assert "backlogs" in response.context["form"].errors
    assert VALUE_PATTERN.search(response.content.decode()) is None
    assert list(PersonalAccessToken.objects.filter(user=owner)) == [token]


def test_similar_token_resubmitted_stays_rejected(browser, make_token, owner, backlog):
    token, _value = make_token(owner, backlogs=[backlog])
    backlog.delete()
    first = browser.post(NEW, submitted(similar_form(browser, token)))

    second = browser.post(NEW, submitted(controls(first)))

    assert second.status_code == status.HTTP_200_OK
    assert "backlogs" in second.context["form"].errors
    assert PersonalAccessToken.objects.filter(user=owner).count() == 1


def test_similar_token_accepts_other_backlog(browser, make_token, owner, backlog):
    token, _value = make_token(owner, backlogs=[backlog])
    remaining = Backlog.objects.create(name="Roadmap")
    Membership.objects.create(backlog=remaining, user=owner, role=Role.OWNER)
    backlog.delete()
    data = submitted(similar_form(browser, token))
    data["backlogs"] = [str(remaining.pk)]

    response = browser.post(NEW, data)

    created = PersonalAccessToken.objects.exclude(pk=token.pk).get(user=owner)
    assert response.status_code == status.HTTP_201_CREATED
    assert not created.all_backlogs
    assert list(created.backlogs.all()) == [remaining]


def test_similar_unrestricted_token_reaches_all(browser, make_token, owner, backlog):
    token, _value = make_token(owner)

    response = browser.post(NEW, submitted(similar_form(browser, token)))

    created = PersonalAccessToken.objects.exclude(pk=token.pk).get(user=owner)
    assert response.status_code == status.HTTP_201_CREATED
    assert created.all_backlogs
    assert list(created.backlogs.all()) == []


def test_similar_restricted_token_keeps_backlog(browser, make_token, owner, backlog):
    token, _value = make_token(owner, backlogs=[backlog])
    form = similar_form(browser, token)

    response = browser.post(NEW, submitted(form))

    created = PersonalAccessToken.objects.exclude(pk=token.pk).get(user=owner)
    assert form.chosen("backlogs") == [str(backlog.pk)]
    assert response.status_code == status.HTTP_201_CREATED
    assert not created.all_backlogs
    assert list(created.backlogs.all()) == [backlog]


@pytest.mark.parametrize(
    "backlog_id",
    [
        "99999999999999999999999",
        str(2**63),
        str(2**64 + 1),
        "abc",
        "-1",
        "1e3",
    ],
    ids=[
        "past-2-to-the-63",
        "2-to-the-63",
        "past-2-to-the-64",
        "letters",
        "negative",
        "exponent",
    ],
)
def test_bad_backlog_id_is_rejected(browser, owner, backlog, backlog_id):
    browser.raise_request_exception = False

    response = browser.post(NEW, form_data(backlogs=[backlog_id]))

    assert response.status_code == status.HTTP_200_OK
    assert "backlogs" in response.context["form"].errors
    assert VALUE_PATTERN.search(response.content.decode()) is None
    assert not PersonalAccessToken.objects.exists()


def test_huge_backlog_id_beside_valid_one_is_rejected(browser, owner, backlog):
    browser.raise_request_exception = False

    response = browser.post(
        NEW, form_data(backlogs=[str(backlog.pk), "99999999999999999999999"])
    )

    assert response.status_code == status.HTTP_200_OK
    assert "backlogs" in response.context["form"].errors
    assert not PersonalAccessToken.objects.exists()
