"""OPTIONS on paths with a backlog id: 404 wherever GET would be 404.

DRF responds to OPTIONS with a description of the view without looking up the
objects in the path, so these tests check each path with ids out of reach.
"""

import pytest
from rest_framework import status

from initiatives.models import Backlog, Initiative, Membership, Role
from tokens.models import Scope

pytestmark = pytest.mark.django_db

BACKLOG_PATHS = [
    "/api/v1/backlogs/{backlog}",
    "/api/v1/backlogs/{backlog}/members",
    "/api/v1/backlogs/{backlog}/members/{user}",
    "/api/v1/backlogs/{backlog}/initiatives",
    "/api/v1/backlogs/{backlog}/initiatives/{initiative}",
    "/api/v1/backlogs/{backlog}/initiatives/{initiative}/vote",
    "/api/v1/backlogs/{backlog}/logbook",
]
MEMBER_PATH = "/api/v1/backlogs/{backlog}/members/{user}"
# Tokens may never remove members, so OPTIONS there is token_not_allowed.
TOKEN_PATHS = [path for path in BACKLOG_PATHS if path != MEMBER_PATH]
MISSING_ID = 999_999_999


def assert_not_found(response):
    assert response.status_code == status.HTTP_404_NOT_FOUND
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "not_found"
    assert response.json()["detail"]
    assert "actions" not in response.json()


@pytest.fixture
def theirs(other_backlog, outsider):
    """Ids of another user's backlog, with an initiative and a member of it."""
    initiative = Initiative.objects.create(
        backlog=other_backlog, title="Secret idea", author=outsider
    )
    return {
        "backlog": other_backlog.pk,
        "user": outsider.pk,
        "initiative": initiative.pk,
    }


@pytest.fixture
def mine(backlog, initiative, member):
    return {"backlog": backlog.pk, "user": member.pk, "initiative": initiative.pk}


@pytest.fixture
def second_backlog(owner):
    """Another backlog of the owner, for tokens restricted away from `backlog`."""
    second = Backlog.objects.create(name="Roadmap")
    Membership.objects.create(backlog=second, user=owner, role=Role.OWNER)
    return second


@pytest.mark.parametrize("path", BACKLOG_PATHS)
def test_options_on_other_users_backlog_is_not_found(
    session_client, owner, theirs, path
):
    response = session_client(owner).options(path.format(**theirs))

    assert_not_found(response)


@pytest.mark.parametrize("path", BACKLOG_PATHS)
def test_options_on_missing_backlog_is_not_found(session_client, owner, mine, path):
    ids = {**mine, "backlog": MISSING_ID}

    response = session_client(owner).options(path.format(**ids))

    assert_not_found(response)


@pytest.mark.parametrize("path", TOKEN_PATHS)
def test_options_with_token_restricted_elsewhere_is_not_found(
    owner, mine, second_backlog, make_token, bearer, path
):
    _token, value = make_token(
        owner, scopes=[Scope.WRITE_INITIATIVES], backlogs=[second_backlog]
    )

    response = bearer(value).options(path.format(**mine))

    assert_not_found(response)


@pytest.mark.parametrize("path", TOKEN_PATHS)
def test_outsiders_token_options_is_not_found(
    outsider, mine, other_backlog, make_token, bearer, path
):
    _token, value = make_token(outsider, scopes=[Scope.WRITE_INITIATIVES])

    response = bearer(value).options(path.format(**mine))

    assert_not_found(response)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/backlogs/{backlog}/initiatives/{initiative}",
        "/api/v1/backlogs/{backlog}/initiatives/{initiative}/vote",
    ],
)
@pytest.mark.parametrize("initiative_id", ["theirs", "missing"])
def test_options_on_other_initiative_is_not_found(
    session_client, owner, mine, theirs, path, initiative_id
):
    other = theirs["initiative"] if initiative_id == "theirs" else MISSING_ID
    ids = {**mine, "initiative": other}

    response = session_client(owner).options(path.format(**ids))

    assert_not_found(response)


@pytest.mark.parametrize("user_id", ["outsider", "missing"])
def test_options_on_non_member_is_not_found(
    session_client, owner, mine, outsider, user_id
):
    other = outsider.pk if user_id == "outsider" else MISSING_ID
    path = f"/api/v1/backlogs/{mine['backlog']}/members/{other}"

    response = session_client(owner).options(path)

    assert_not_found(response)


@pytest.mark.parametrize("path", BACKLOG_PATHS)
def test_options_for_member_is_answered(session_client, member, mine, path):
    response = session_client(member).options(path.format(**mine))

    assert response.status_code == status.HTTP_200_OK
    assert "OPTIONS" in response["Allow"]


@pytest.mark.parametrize("path", TOKEN_PATHS)
def test_options_with_token_restricted_here_is_answered(
    member, mine, backlog, make_token, bearer, path
):
    _token, value = make_token(member, backlogs=[backlog])

    response = bearer(value).options(path.format(**mine))

    assert response.status_code == status.HTTP_200_OK
    assert "OPTIONS" in response["Allow"]


@pytest.mark.parametrize("reach", ["mine", "theirs", "missing"])
def test_token_options_on_member_is_rejected(
    owner, mine, theirs, make_token, bearer, reach
):
    ids = {"mine": mine, "theirs": theirs, "missing": {**mine, "backlog": MISSING_ID}}
    _token, value = make_token(owner, scopes=[Scope.WRITE_INITIATIVES])

    response = bearer(value).options(MEMBER_PATH.format(**ids[reach]))

    assert response.status_code == status.HTTP_403_FORBIDDEN
    assert response.json()["error"] == "token_not_allowed"
