"""Personas and helpers shared by the tests.

Three people: ``owner`` owns ``backlog``, ``member`` is its viewer (tests
change the role when they need an editor), and ``outsider`` is in no
backlog. Passwords are hashed once per session with the real Argon2 hasher
and copied into each user, which keeps the suite fast without a weaker hasher.
"""

import pytest
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.db.models import QuerySet
from rest_framework.test import APIClient

from initiatives.models import Backlog, Initiative, Membership, Role
from priorityvote.models import User
from tokens.models import PersonalAccessToken, Scope

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def password_hash():
    return make_password(PASSWORD)


@pytest.fixture(autouse=True)
def clear_throttle_counts():
    cache.clear()


@pytest.fixture
def make_user(db, password_hash):
    def make(email, display_name=None, **fields):
        return User.objects.create(
            email=email,
            display_name=display_name or email.split("@")[0].title(),
            password=password_hash,
            **fields,
        )

    return make


@pytest.fixture
def owner(make_user):
    return make_user("ada@example.com", "Ada")


@pytest.fixture
def member(make_user):
    return make_user("bob@example.com", "Bob")


@pytest.fixture
def outsider(make_user):
    return make_user("eve@example.com", "Eve")


@pytest.fixture
def backlog(owner, member):
    backlog = Backlog.objects.create(name="Team", description="What we build next")
    Membership.objects.create(backlog=backlog, user=owner, role=Role.OWNER)
    Membership.objects.create(backlog=backlog, user=member, role=Role.VIEWER)
    return backlog


@pytest.fixture
def other_backlog(outsider):
    backlog = Backlog.objects.create(name="Secret plans")
    Membership.objects.create(backlog=backlog, user=outsider, role=Role.OWNER)
    return backlog


@pytest.fixture
def initiative(backlog, owner):
    return Initiative.objects.create(backlog=backlog, title="Dark mode", author=owner)


@pytest.fixture
def api():
    """A client without credentials."""
    return APIClient()


CSRF_SECRET = "a" * 32


@pytest.fixture
def session_client():
    """Return an APIClient signed in as `user` with a session, CSRF checks on.

    With csrf=True the client sends a CSRF cookie and the matching
    X-CSRFToken header, as the browser's JavaScript would; with csrf=False
    it sends neither.
    """

    def make(user, csrf=True):
        client = APIClient(enforce_csrf_checks=True)
        client.force_login(user)
        if csrf:
            client.cookies["csrftoken"] = CSRF_SECRET
            client.credentials(HTTP_X_CSRFTOKEN=CSRF_SECRET)
        return client

    return make


@pytest.fixture
def make_token(db):
    """Create a token and return (token, value)."""

    def make(
        user, scopes=(Scope.READ,), backlogs=(), name="script", expires_in_days=None
    ):
        return PersonalAccessToken.objects.create_token(
            user,
            name=name,
            scopes=list(scopes),
            backlogs=list(backlogs),
            expires_in_days=expires_in_days,
        )

    return make


@pytest.fixture
def bearer():
    """Return an APIClient that sends `Authorization: Bearer <value>`."""

    def make(value):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {value}")
        return client

    return make


@pytest.fixture
def db_state(db):
    """Return a function that reads the row counts and the given objects' rows.

    Compare its result before and after a refused request to show that the
    request changed nothing.
    """
    from initiatives.models import Vote

    def read(*objects):
        counts = {
            model.__name__: model.objects.count()
            for model in (Backlog, Membership, Initiative, Vote)
        }
        rows = [type(obj).objects.filter(pk=obj.pk).values().first() for obj in objects]
        return counts, rows

    return read


@pytest.fixture
def database_dump(db):
    """Return a function that dumps every table except sessions as JSON text.

    Equal dumps before and after a refused request show that it changed
    nothing, including tokens, users and logbook entries.
    """
    from io import StringIO

    from django.core.management import call_command

    def dump():
        output = StringIO()
        call_command("dumpdata", exclude=["sessions"], stdout=output)
        return output.getvalue()

    return dump


@pytest.fixture
def address_check_misses(monkeypatch):
    """Make every check for an existing user find none.

    A sign-up then passes validation with a taken address, as it does when a
    concurrent sign-up commits that address between the check and the insert.
    """
    real_exists = QuerySet.exists

    def exists(queryset):
        if queryset.model is User:
            return False
        return real_exists(queryset)

    monkeypatch.setattr(QuerySet, "exists", exists)
