"""Tokens in Django admin: list, search, filter, revoke, and no secrets shown."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import formats, timezone
from rest_framework import status

from tokens.models import PersonalAccessToken, Scope

TOKENS = "/admin/tokens/personalaccesstoken/"
USERS = "/admin/priorityvote/user/"


@pytest.fixture
def operator(make_user):
    admin = make_user("root@example.com", "Root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    return client


@pytest.fixture
def tokens(make_token, owner, outsider):
    """Tokens of two owners: active, expired and revoked."""
    active, _value = make_token(owner, name="jira-sync")
    PersonalAccessToken.objects.filter(pk=active.pk).update(
        last_used_at=timezone.now() - timedelta(hours=2)
    )
    active.refresh_from_db()
    expired, _value = make_token(owner, name="old-export", expires_in_days=30)
    PersonalAccessToken.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    revoked, _value = make_token(outsider, name="leaked")
    revoked.revoke()
    return {"active": active, "expired": expired, "revoked": revoked}


def changelist_ids(response):
    return {token.pk for token in response.context["cl"].result_list}


class FormFields(HTMLParser):
    """Collect what a browser would submit from the form with `form_id`."""

    def __init__(self, html, form_id):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.select_name = None
        self.textarea_name = None
        self.fields = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind == "submit" or (kind == "checkbox" and "checked" not in attrs):
                return
            default = "on" if kind in {"checkbox", "radio"} else ""
            self.fields.append((name, attrs.get("value", default)))
        elif tag == "select":
            self.select_name = name
        elif tag == "option" and self.select_name and "selected" in attrs:
            self.fields.append((self.select_name, attrs.get("value", "")))
        elif tag == "textarea":
            self.textarea_name = name
            self.fields.append((name, ""))

    def handle_data(self, data):
        if self.textarea_name:
            name, text = self.fields.pop()
            self.fields.append((name, text + data))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select_name = None
        elif tag == "textarea":
            self.textarea_name = None

    def data(self):
        result = {}
        for name, value in self.fields:
            result.setdefault(name, []).append(value)
        return result


def admin_cell(page, token, column):
    """Return the text of `column` in the changelist row of `token`."""
    rows = [row for row in page.split("<tr") if token.prefix in row]
    assert len(rows) == 1, f"expected one row for {token.prefix}, found {len(rows)}"
    match = re.search(rf'<t[dh] class="field-{column}[^"]*">(.*?)</t[dh]>', rows[0])
    assert match is not None, f"no {column} column in the row of {token.prefix}"
    return match[1]


def test_list_shows_token_columns(operator, tokens, owner):
    token = tokens["active"]

    response = operator.get(TOKENS)

    page = response.content.decode()
    last_used = formats.localize(timezone.localtime(token.last_used_at))
    assert response.status_code == status.HTTP_200_OK
    assert owner.email in admin_cell(page, token, "user")
    assert admin_cell(page, token, "prefix") == token.prefix
    assert admin_cell(page, token, "scope_list") == ", ".join(token.scopes)
    assert admin_cell(page, token, "last_used_at") == last_used


@pytest.mark.parametrize("state", ["active", "expired", "revoked"])
def test_list_shows_status(operator, tokens, state):
    page = operator.get(TOKENS).content.decode()

    assert admin_cell(page, tokens[state], "status") == state


def test_list_shows_no_digest(operator, tokens):
    page = operator.get(TOKENS).content.decode()

    for token in tokens.values():
        assert token.digest not in page


def test_search_by_prefix(operator, tokens):
    response = operator.get(TOKENS, {"q": tokens["active"].prefix})

    assert changelist_ids(response) == {tokens["active"].pk}


def test_search_by_owner_email(operator, tokens, outsider):
    response = operator.get(TOKENS, {"q": outsider.email})

    assert changelist_ids(response) == {tokens["revoked"].pk}


@pytest.mark.parametrize("state", ["active", "expired", "revoked"])
def test_filter_by_status(operator, tokens, state):
    response = operator.get(TOKENS, {"status": state})

    assert changelist_ids(response) == {tokens[state].pk}


def test_revoke_action_revokes_selected(operator, make_token, owner):
    chosen, _value = make_token(owner, name="chosen")
    untouched, _value = make_token(owner, name="untouched")

    response = operator.post(
        TOKENS, {"action": "revoke_selected", "_selected_action": [chosen.pk]}
    )

    chosen.refresh_from_db()
    untouched.refresh_from_db()
    assert response.status_code == status.HTTP_302_FOUND
    assert chosen.revoked_at is not None
    assert untouched.revoked_at is None


def test_revoke_action_makes_token_fail(operator, make_token, owner, bearer):
    token, value = make_token(owner)

    operator.post(TOKENS, {"action": "revoke_selected", "_selected_action": [token.pk]})

    response = bearer(value).get("/api/v1/me")
    assert response.status_code == status.HTTP_401_UNAUTHORIZED
    assert response.json()["error"] == "invalid_token"


def test_revoke_action_keeps_earlier_revocation(operator, tokens):
    revoked = tokens["revoked"]
    first = revoked.revoked_at

    operator.post(
        TOKENS, {"action": "revoke_selected", "_selected_action": [revoked.pk]}
    )

    revoked.refresh_from_db()
    assert revoked.revoked_at == first


def test_no_add_page(operator):
    response = operator.get(f"{TOKENS}add/")

    assert response.status_code == status.HTTP_403_FORBIDDEN


def test_add_post_creates_nothing(operator, owner):
    response = operator.post(
        f"{TOKENS}add/",
        {"name": "sneaky", "user": owner.pk, "scopes": '["read"]', "digest": "0" * 64},
    )

    assert response.status_code == status.HTTP_403_FORBIDDEN
    assert not PersonalAccessToken.objects.exists()


def test_change_page_shows_no_digest(operator, make_token, owner):
    token, value = make_token(owner, scopes=[Scope.READ, Scope.WRITE_INITIATIVES])

    response = operator.get(f"{TOKENS}{token.pk}/change/")

    page = response.content.decode()
    assert response.status_code == status.HTTP_200_OK
    assert token.prefix in page
    assert token.digest not in page
    assert value[len("pv_pat_") :] not in page


def test_change_page_cannot_change(operator, make_token, owner):
    token, _value = make_token(owner, name="original")

    operator.post(f"{TOKENS}{token.pk}/change/", {"name": "renamed"})

    token.refresh_from_db()
    assert token.name == "original"


def test_delete_removes_token(operator, make_token, owner):
    token, _value = make_token(owner)

    response = operator.post(f"{TOKENS}{token.pk}/delete/", {"post": "yes"})

    assert response.status_code == status.HTTP_302_FOUND
    assert not PersonalAccessToken.objects.filter(pk=token.pk).exists()


def test_user_page_shows_no_digest(operator, make_token, owner):
    token, _value = make_token(owner)

    response = operator.get(f"{USERS}{owner.pk}/change/")

    assert response.status_code == status.HTTP_200_OK
    assert token.prefix in response.content.decode()
    assert token.digest not in response.content.decode()


def test_deactivating_user_revokes_tokens(operator, make_token, owner, outsider):
    first, _value = make_token(owner, name="first")
    second, _value = make_token(owner, name="second")
    theirs, _value = make_token(outsider)
    page = operator.get(f"{USERS}{owner.pk}/change/").content.decode()
    data = FormFields(page, "user_form").data()
    data.pop("is_active")
    data["_save"] = ["Save"]

    response = operator.post(f"{USERS}{owner.pk}/change/", data)

    owner.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    theirs.refresh_from_db()
    assert response.status_code == status.HTTP_302_FOUND
    assert not owner.is_active
    assert first.revoked_at is not None
    assert second.revoked_at is not None
    assert theirs.revoked_at is None


def test_saving_active_user_keeps_tokens(operator, make_token, owner):
    token, _value = make_token(owner)
    page = operator.get(f"{USERS}{owner.pk}/change/").content.decode()
    data = FormFields(page, "user_form").data()
    data["display_name"] = ["Ada L."]
    data["_save"] = ["Save"]

    response = operator.post(f"{USERS}{owner.pk}/change/", data)

    token.refresh_from_db()
    assert response.status_code == status.HTTP_302_FOUND
    assert token.revoked_at is None


def test_deactivate_action_revokes_tokens(operator, make_token, owner, outsider):
    token, _value = make_token(owner)
    theirs, _value = make_token(outsider)

    response = operator.post(
        USERS, {"action": "deactivate_selected", "_selected_action": [owner.pk]}
    )

    owner.refresh_from_db()
    token.refresh_from_db()
    theirs.refresh_from_db()
    assert response.status_code == status.HTTP_302_FOUND
    assert not owner.is_active
    assert token.revoked_at is not None
    assert theirs.revoked_at is None


@pytest.mark.parametrize(
    ("lookup", "length"),
    [
        ("digest__startswith", 8),
        ("digest__istartswith", 8),
        ("digest__contains", 8),
        ("digest__gt", 8),
        ("digest", 64),
    ],
)
def test_filter_by_digest_is_refused(operator, tokens, lookup, length):
    operator.raise_request_exception = False
    digest = tokens["active"].digest

    response = operator.get(TOKENS, {lookup: digest[:length]})

    text = response.content.decode()
    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert "1 result" not in text
    for token in tokens.values():
        assert token.digest[:8] not in text
        assert token.prefix not in text


def test_filter_by_digest_through_user_is_refused(operator, tokens, owner):
    operator.raise_request_exception = False
    digest = tokens["active"].digest

    response = operator.get(USERS, {"access_tokens__digest__startswith": digest[:8]})

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert owner.email not in response.content.decode()
