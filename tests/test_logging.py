"""What the log says about API requests, and what it never says."""

import io
import logging

import pytest
from django.conf import settings

from priorityvote.logging import RepeatFilter, RequestContextFilter

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_output():
    """Capture every log line as the production configuration formats it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(
        logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"])
    )
    # Django's loggers do not propagate to the root logger in our configuration.
    loggers = [logging.getLogger(), logging.getLogger("django")]
    for logger in loggers:
        logger.addHandler(handler)
    yield stream
    for logger in loggers:
        logger.removeHandler(handler)


@pytest.fixture(autouse=True)
def fresh_repeat_filters():
    """Forget earlier repeats, so each test sees its own first warning."""
    for name in ("tokens.authentication", "django.request"):
        for log_filter in logging.getLogger(name).filters:
            if isinstance(log_filter, RepeatFilter):
                log_filter.last_seen.clear()


def test_refused_token_is_logged_by_prefix_only(owner, make_token, bearer, log_output):
    token, value = make_token(owner)
    token.revoke()

    bearer(value).get("/api/v1/me")

    log = log_output.getvalue()
    assert f"Rejected access token {token.prefix}: revoked" in log
    assert value not in log
    assert value[len(token.prefix) :] not in log


def test_accepted_request_log_names_user_and_token(
    owner, make_token, bearer, log_output
):
    token, value = make_token(owner)
    client = bearer(value)

    response = client.get("/api/v1/backlogs/999")

    log = log_output.getvalue()
    assert response.status_code == 404
    assert f"user={owner.pk} token={token.prefix}" in log
    assert f"request={response['X-Request-ID']}" in log
    assert value not in log


def test_malformed_token_is_logged_without_its_text(bearer, log_output):
    value = "pv_pat_" + "x" * 49

    bearer(value).get("/api/v1/me")

    log = log_output.getvalue()
    assert "Rejected access token (malformed): malformed" in log
    assert "x" * 49 not in log


def test_token_value_in_a_message_is_redacted(owner, make_token, log_output):
    _, value = make_token(owner)

    logging.getLogger("tests").warning("Client sent %s in a query string", value)

    log = log_output.getvalue()
    assert value not in log
    assert value[:15] + "…" in log


def test_repeated_refusals_are_rate_limited(owner, make_token, bearer, log_output):
    token, value = make_token(owner)
    token.revoke()
    client = bearer(value)

    for _ in range(5):
        client.get("/api/v1/me")

    assert log_output.getvalue().count("Rejected access token") == 1


def make_record(message="Rejected %s", args=("pv_pat_abcdefgh",)):
    return logging.LogRecord(
        "tokens", logging.WARNING, __file__, 1, message, args, None
    )


def test_repeat_filter_reports_dropped_count(monkeypatch):
    clock = iter([100.0, 110.0, 120.0, 200.0])
    monkeypatch.setattr("priorityvote.logging.time.monotonic", lambda: next(clock))
    repeat_filter = RepeatFilter(interval=60)
    records = [make_record() for _ in range(4)]

    passed = [repeat_filter.filter(record) for record in records]

    assert passed == [True, False, False, True]
    assert records[3].getMessage().endswith("(2 repeats dropped since the last one)")


def test_repeat_filter_keeps_different_messages(monkeypatch):
    repeat_filter = RepeatFilter(interval=60)

    assert repeat_filter.filter(make_record(args=("pv_pat_aaaaaaaa",)))
    assert repeat_filter.filter(make_record(args=("pv_pat_bbbbbbbb",)))


def test_request_id_from_proxy_is_reused(api):
    response = api.get("/api/v1/me", HTTP_X_REQUEST_ID="edge-1234abcd")

    assert response["X-Request-ID"] == "edge-1234abcd"


def test_malformed_request_id_from_proxy_is_replaced(api):
    response = api.get("/api/v1/me", HTTP_X_REQUEST_ID="bad id\nwith newline")

    assert response["X-Request-ID"] != "bad id\nwith newline"
    assert len(response["X-Request-ID"]) == 32
