"""One access line per request, written by Django, and HEAD without a body."""

import logging
import sys

import pytest
from rest_framework import status

from priorityvote.logging import ClientErrorTracebackFilter, RequestContextFilter

pytestmark = pytest.mark.django_db


@pytest.fixture
def access_log():
    """Collect the formatted lines of the priorityvote.access logger."""
    lines = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = Collect()
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(
        logging.Formatter("%(message)s user=%(user_id)s token=%(token_prefix)s")
    )
    logger = logging.getLogger("priorityvote.access")
    logger.addHandler(handler)
    yield lines
    logger.removeHandler(handler)


def test_token_request_is_logged_with_user_and_prefix(
    owner, backlog, make_token, bearer, access_log
):
    token, value = make_token(owner)

    bearer(value).get(f"/api/v1/backlogs/{backlog.pk}/initiatives?status=done")

    assert len(access_log) == 1
    assert access_log[0].startswith(
        f"GET /api/v1/backlogs/{backlog.pk}/initiatives 200 "
    )
    assert access_log[0].endswith(f"user={owner.pk} token={token.prefix}")
    assert "status=done" not in access_log[0]


def test_refused_request_is_logged_with_its_status(api, access_log):
    api.get("/api/v1/me")

    assert access_log[0].startswith("GET /api/v1/me 401 ")
    assert access_log[0].endswith("user=- token=-")


def test_head_response_has_headers_but_no_body(session_client, owner, backlog):
    client = session_client(owner)
    full = client.get(f"/api/v1/backlogs/{backlog.pk}")

    head = client.head(f"/api/v1/backlogs/{backlog.pk}")

    assert head.status_code == status.HTTP_200_OK
    assert head.content == b""
    assert head["Content-Length"] == str(len(full.content))


def make_request_record(status_code):
    try:
        raise PermissionError("not allowed")
    except PermissionError:
        record = logging.LogRecord(
            "django.request",
            logging.WARNING,
            __file__,
            1,
            "Forbidden",
            (),
            sys.exc_info(),
        )
    record.status_code = status_code
    return record


def test_client_error_record_loses_its_traceback():
    record = make_request_record(403)

    ClientErrorTracebackFilter().filter(record)

    assert record.exc_info is None


def test_server_error_record_keeps_its_traceback():
    record = make_request_record(500)

    ClientErrorTracebackFilter().filter(record)

    assert record.exc_info is not None
