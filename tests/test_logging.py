"""The log lines of API requests: what they contain and what they never contain."""

import io
import logging
import runpy
from pathlib import Path

import pytest
from django.conf import settings

from priorityvote.gunicorn_logging import RedactedAtoms, RedactingLogger
from priorityvote.logging import RepeatFilter, RequestContextFilter

pytestmark = pytest.mark.django_db

GUNICORN_CONFIG_FILE = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


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
    """Forget earlier repeats, so each test gets its own first warning."""
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
    assert "Rejected a malformed access token" in log
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


def token_shaped(secret="a" * 49):
    return "pv_pat_" + secret


def test_token_shaped_request_id_is_replaced(api):
    value = token_shaped()

    response = api.get("/api/v1/me", HTTP_X_REQUEST_ID=value)

    assert response["X-Request-ID"] != value
    assert "pv_pat_" not in response["X-Request-ID"]
    assert len(response["X-Request-ID"]) == 32


def test_token_shaped_request_id_is_not_logged(api, log_output):
    value = token_shaped("Q" * 49)

    api.get("/api/v1/backlogs/999", HTTP_X_REQUEST_ID=value)

    assert "Q" * 49 not in log_output.getvalue()


def gunicorn_setting(name):
    return runpy.run_path(str(GUNICORN_CONFIG_FILE))[name]


def access_atoms(path):
    """Return the atoms that gunicorn builds for one access log line."""
    return {
        "h": "127.0.0.1",
        "m": "GET",
        "U": path,
        "q": "",
        "H": "HTTP/1.1",
        "r": f"GET {path} HTTP/1.1",
        "s": "404",
        "B": 0,
        "M": 3,
        "{x-request-id}o": "abc",
    }


@pytest.mark.parametrize("atom", ["U", "r"])
def test_access_log_hides_token_in_path(atom):
    value = token_shaped("b" * 8 + "Z" * 41)
    atoms = RedactedAtoms(access_atoms(f"/api/v1/{value}/x"))

    logged = atoms[atom]

    assert "Z" * 41 not in logged
    assert "pv_pat_bbbbbbbb" in logged
    assert "/api/v1/" in logged


def test_access_log_keeps_other_atoms():
    atoms = RedactedAtoms(access_atoms("/api/v1/backlogs/7"))

    assert atoms["U"] == "/api/v1/backlogs/7"
    assert atoms["s"] == "404"
    assert atoms["B"] == 0
    assert atoms["{x-request-id}o"] == "abc"


def test_access_log_line_hides_token_in_path():
    value = token_shaped("c" * 8 + "Y" * 41)
    atoms = RedactedAtoms(access_atoms(f"/{value}"))

    line = gunicorn_setting("access_log_format") % atoms

    assert "Y" * 41 not in line
    assert "pv_pat_cccccccc" in line


def test_gunicorn_uses_redacting_logger():
    logger_class = gunicorn_setting("logger_class")

    assert logger_class == "priorityvote.gunicorn_logging.RedactingLogger"
    assert RedactingLogger.atoms_wrapper_class is RedactedAtoms


@pytest.fixture
def server_log():
    """Capture the records of runserver's logger after its own handlers ran."""
    records = []
    capture = logging.Handler()
    capture.emit = lambda record: records.append(record.getMessage())
    logger = logging.getLogger("django.server")
    logger.addHandler(capture)
    yield records
    logger.removeHandler(capture)


def test_runserver_log_has_stderr_handler():
    handlers = logging.getLogger("django.server").handlers

    assert any(
        isinstance(log_filter, RequestContextFilter)
        for handler in handlers
        for log_filter in handler.filters
    )


def test_runserver_log_hides_token_value(server_log):
    value = token_shaped("d" * 8 + "X" * 41)

    logging.getLogger("django.server").warning('"GET /api/v1/%s HTTP/1.1" 404 0', value)

    assert len(server_log) == 1
    assert "X" * 41 not in server_log[0]
    assert "pv_pat_dddddddd" in server_log[0]


def test_repeat_filter_lets_every_error_through():
    repeat_filter = RepeatFilter(interval=60)
    records = [make_record() for _ in range(2)]
    for record in records:
        record.levelno, record.levelname = logging.ERROR, "ERROR"

    passed = [repeat_filter.filter(record) for record in records]

    assert passed == [True, True]


def test_repeat_filter_still_drops_repeated_warnings():
    repeat_filter = RepeatFilter(interval=60)

    passed = [repeat_filter.filter(make_record()) for _ in range(2)]

    assert passed == [True, False]
