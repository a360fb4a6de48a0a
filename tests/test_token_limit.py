"""The maximum number of active tokens per user."""

import re
import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from rest_framework import status

from tokens.models import PersonalAccessToken, Scope, TokenLimitReached

NEW = "/settings/tokens/new"
DEFAULT_LIMIT = 10
VALUE_PATTERN = re.compile(r"pv_pat_[0-9A-Za-z]{49}")


@pytest.fixture
def browser(owner):
    client = Client()
    client.force_login(owner)
    return client


def form_data(name="one-more"):
    return {"name": name, "scopes": ["read"], "expires_in": "30"}


def make_tokens(make_token, user, count):
    return [make_token(user, name=f"script-{number}")[0] for number in range(count)]


def active_count(user):
    return PersonalAccessToken.objects.filter(user=user).active().count()


def test_tenth_token_is_created(browser, make_token, owner):
    make_tokens(make_token, owner, DEFAULT_LIMIT - 1)

    response = browser.post(NEW, form_data())

    assert response.status_code == status.HTTP_201_CREATED
    assert active_count(owner) == DEFAULT_LIMIT


def test_eleventh_token_is_rejected(browser, make_token, owner):
    make_tokens(make_token, owner, DEFAULT_LIMIT)

    response = browser.post(NEW, form_data())

    errors = response.context["form"].non_field_errors()
    assert response.status_code == status.HTTP_200_OK
    assert len(errors) == 1
    assert str(DEFAULT_LIMIT) in errors[0]
    assert 'class="error"' in response.content.decode()
    assert VALUE_PATTERN.search(response.content.decode()) is None
    assert PersonalAccessToken.objects.filter(user=owner).count() == DEFAULT_LIMIT
    assert not PersonalAccessToken.objects.filter(name="one-more").exists()


def test_rejected_form_keeps_its_values(browser, make_token, owner):
    make_tokens(make_token, owner, DEFAULT_LIMIT)

    response = browser.post(NEW, form_data(name="keep-me"))

    assert response.context["form"].data["name"] == "keep-me"


def test_create_token_raises_at_limit(make_token, owner):
    make_tokens(make_token, owner, DEFAULT_LIMIT)

    with pytest.raises(TokenLimitReached):
        make_token(owner, name="one-more")

    assert PersonalAccessToken.objects.filter(user=owner).count() == DEFAULT_LIMIT


def test_revoke_frees_a_place(browser, make_token, owner):
    tokens = make_tokens(make_token, owner, DEFAULT_LIMIT)
    tokens[0].revoke()

    response = browser.post(NEW, form_data())

    assert response.status_code == status.HTTP_201_CREATED
    assert active_count(owner) == DEFAULT_LIMIT


def test_expired_and_revoked_tokens_do_not_count(make_token, owner):
    tokens = make_tokens(make_token, owner, DEFAULT_LIMIT)
    tokens[0].revoke()
    PersonalAccessToken.objects.filter(pk=tokens[1].pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    make_token(owner, name="first-replacement")
    make_token(owner, name="second-replacement")

    with pytest.raises(TokenLimitReached):
        make_token(owner, name="one-too-many")
    assert active_count(owner) == DEFAULT_LIMIT


def test_limit_is_per_user(make_token, owner, outsider):
    make_tokens(make_token, owner, DEFAULT_LIMIT)

    token, _value = make_token(outsider)

    assert token.user == outsider


def test_limit_counts_restricted_tokens(make_token, owner, backlog):
    for number in range(DEFAULT_LIMIT):
        make_token(
            owner,
            name=f"script-{number}",
            scopes=[Scope.WRITE_INITIATIVES],
            backlogs=[backlog],
        )

    with pytest.raises(TokenLimitReached):
        make_token(owner)


@pytest.mark.parametrize("limit", [1, 3, 12])
def test_setting_changes_limit(browser, make_token, owner, settings, limit):
    settings.PRIORITYVOTE_MAX_ACTIVE_TOKENS = limit
    make_tokens(make_token, owner, limit - 1)

    last = browser.post(NEW, form_data("last"))
    rejected = browser.post(NEW, form_data("rejected"))

    assert last.status_code == status.HTTP_201_CREATED
    assert rejected.status_code == status.HTTP_200_OK
    assert str(limit) in rejected.context["form"].non_field_errors()[0]
    assert active_count(owner) == limit


def test_rotation_keeps_both_tokens_working(make_token, owner, bearer):
    make_tokens(make_token, owner, DEFAULT_LIMIT - 2)
    _old, old_value = make_token(owner, name="jira-sync")
    _new, new_value = make_token(owner, name="jira-sync")

    old_response = bearer(old_value).get("/api/v1/me")
    new_response = bearer(new_value).get("/api/v1/me")

    assert old_response.status_code == status.HTTP_200_OK
    assert new_response.status_code == status.HTTP_200_OK
    assert active_count(owner) == DEFAULT_LIMIT


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_creations_respect_limit(make_user):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks; SQLite serializes all writers")
    owner = make_user("racer@example.com")
    attempts = 12
    start = threading.Barrier(attempts)
    outcomes = []
    outcomes_lock = threading.Lock()

    def create(number):
        try:
            start.wait()
            with transaction.atomic():
                PersonalAccessToken.objects.create_token(
                    owner,
                    name=f"racer-{number}",
                    scopes=[Scope.READ],
                    backlogs=[],
                    expires_in_days=None,
                )
            outcome = "created"
        except TokenLimitReached:
            outcome = "rejected"
        except Exception as error:
            # Any other error is kept, so the assert below shows it.
            outcome = repr(error)
        finally:
            connection.close()
        with outcomes_lock:
            outcomes.append(outcome)

    threads = [
        threading.Thread(target=create, args=(number,)) for number in range(attempts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["created"] * DEFAULT_LIMIT + ["rejected"] * 2
    assert active_count(owner) == DEFAULT_LIMIT
