"""Token values stay out of error reports, logs, sessions and the cache."""

import logging
import pickle
import sys
from types import SimpleNamespace

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.http import QueryDict
from django.test import Client, RequestFactory
from django.utils.log import AdminEmailHandler
from rest_framework import status

from initiatives.api import BacklogList
from initiatives.models import Backlog
from priorityvote.account_api import MeView
from priorityvote.logging import RepeatFilter, RequestContextFilter
from priorityvote.reporting import (
    SecretHidingExceptionReporter,
    SecretHidingReporterFilter,
)
from tokens import values

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"
LOG_FORMAT = (
    "%(levelname)s %(name)s [request=%(request_id)s user=%(user_id)s "
    "token=%(token_prefix)s] %(message)s"
)


@pytest.fixture
def token_and_value(make_token, owner):
    return make_token(owner)


def secret_of(value):
    return value[len("pv_pat_") :]


def fail_with(value):
    token_value = value  # noqa: F841 (a local variable the report must hide)
    raise RuntimeError("The integration failed.")


def report_for(request, value):
    try:
        fail_with(value)
    except RuntimeError:
        exc_type, exc_value, traceback = sys.exc_info()
    return SecretHidingExceptionReporter(request, exc_type, exc_value, traceback)


@pytest.fixture(autouse=True)
def forget_repeats():
    """Reset every RepeatFilter, so an earlier test's line is not dropped here."""
    loggers = [
        logging.getLogger(),
        *map(logging.getLogger, logging.root.manager.loggerDict),
    ]
    for logger in loggers:
        for log_filter in logger.filters:
            if isinstance(log_filter, RepeatFilter):
                with log_filter.lock:
                    log_filter.last_seen.clear()


@pytest.fixture
def context_filter(caplog):
    """Pass caplog's records through the project's RequestContextFilter."""
    request_filter = RequestContextFilter()
    caplog.handler.addFilter(request_filter)
    caplog.handler.setFormatter(logging.Formatter(LOG_FORMAT))
    yield
    caplog.handler.removeFilter(request_filter)


def requests_carrying(value):
    factory = RequestFactory()
    return {
        "header": factory.get(ME, HTTP_AUTHORIZATION=f"Bearer {value}"),
        "query string": factory.get(ME, {"access_token": value}),
        "lower-case header": factory.get(ME, HTTP_AUTHORIZATION=f"bearer {value}"),
        "other header": factory.get(ME, HTTP_X_API_KEY=value),
    }


@pytest.mark.parametrize(
    "where", ["header", "query string", "lower-case header", "other header"]
)
def test_error_report_text_hides_value(where):
    value = values.generate_token()
    request = requests_carrying(value)[where]

    text = report_for(request, value).get_traceback_text()

    assert "The integration failed." in text
    assert secret_of(value) not in text


@pytest.mark.parametrize(
    "where", ["header", "query string", "lower-case header", "other header"]
)
def test_error_report_html_hides_value(where):
    value = values.generate_token()
    request = requests_carrying(value)[where]

    html = report_for(request, value).get_traceback_html()

    assert "The integration failed." in html
    assert secret_of(value) not in html


def test_error_report_hides_local_variable():
    value = values.generate_token()
    request = RequestFactory().get(ME)

    report = report_for(request, value)

    # Only the HTML report lists the local variables of each frame.
    assert "token_value" in report.get_traceback_html()
    assert secret_of(value) not in report.get_traceback_text()
    assert secret_of(value) not in report.get_traceback_html()


@pytest.fixture
def admin_mail(settings):
    """Send django.request errors to ADMINS by e-mail, as production would."""
    settings.ADMINS = [("Operator", "ops@example.com")]
    handler = AdminEmailHandler(include_html=True)
    handler.setLevel(logging.ERROR)
    request_logger = logging.getLogger("django.request")
    request_logger.addHandler(handler)
    yield
    request_logger.removeHandler(handler)


def raise_in_view(self, request):
    authorization = request.META.get("HTTP_AUTHORIZATION")  # noqa: F841
    raise RuntimeError("The backlog list failed.")


def test_error_mail_hides_value(
    bearer, token_and_value, backlog, admin_mail, monkeypatch
):
    _token, value = token_and_value
    monkeypatch.setattr(BacklogList, "get", raise_in_view)
    client = bearer(value)
    client.raise_request_exception = False

    response = client.get("/api/v1/backlogs", {"access_token": value})

    assert response.status_code == status.HTTP_500_INTERNAL_SERVER_ERROR
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "The backlog list failed." in message.body
    assert secret_of(value) not in message.message().as_string()
    assert message.alternatives, "the e-mail has no HTML report"
    for content, _mimetype in message.alternatives:
        assert secret_of(value) not in content


@pytest.mark.parametrize("state", ["revoked", "expired", "inactive owner"])
def test_rejected_token_logs_prefix_only(
    bearer, token_and_value, owner, caplog, context_filter, state
):
    token, value = token_and_value
    if state == "revoked":
        token.revoke()
    elif state == "expired":
        token.expires_at = token.created_at
        token.save(update_fields=["expires_at"])
    else:
        owner.is_active = False
        owner.save(update_fields=["is_active"])
    caplog.set_level(logging.INFO)

    response = bearer(value).get(ME)

    assert response.status_code == status.HTTP_401_UNAUTHORIZED
    assert token.prefix in caplog.text
    assert secret_of(value) not in caplog.text


def test_unknown_token_logs_prefix_only(bearer, caplog, context_filter):
    value = values.generate_token()
    caplog.set_level(logging.INFO)

    bearer(value).get(ME)

    assert values.public_prefix(value) in caplog.text
    assert secret_of(value) not in caplog.text


def test_malformed_token_is_not_logged(bearer, token_and_value, caplog):
    _token, value = token_and_value
    tampered = value[:-1] + ("0" if value[-1] != "0" else "1")
    caplog.set_level(logging.INFO)

    bearer(tampered).get(ME)

    assert caplog.records, "the rejected request logged nothing"
    assert secret_of(tampered)[:-1] not in caplog.text


def test_query_string_token_is_not_logged(api, token_and_value, caplog):
    _token, value = token_and_value
    caplog.set_level(logging.INFO)

    response = api.get(ME, {"access_token": value})

    assert response.status_code == status.HTTP_401_UNAUTHORIZED
    assert caplog.records, "the rejected request logged nothing"
    assert secret_of(value) not in caplog.text


def test_token_in_path_is_not_logged(api, token_and_value, caplog, context_filter):
    _token, value = token_and_value
    caplog.set_level(logging.INFO)

    response = api.get(f"/api/v1/{value}")

    assert response.status_code == status.HTTP_404_NOT_FOUND
    assert caplog.records, "the missing path logged nothing"
    assert secret_of(value) not in caplog.text


def log_then_get(self, request):
    # A careless log line, as a new view might add one.
    logging.getLogger("priorityvote.tests").info(
        "Called with %s", request.META["HTTP_AUTHORIZATION"]
    )
    return original_me_get(self, request)


original_me_get = MeView.get


def test_accepted_request_log_shows_prefix_only(
    bearer, token_and_value, caplog, context_filter, monkeypatch
):
    token, value = token_and_value
    monkeypatch.setattr(MeView, "get", log_then_get)
    caplog.set_level(logging.INFO)

    response = bearer(value).get(ME)

    [record] = [r for r in caplog.records if r.name == "priorityvote.tests"]
    assert response.status_code == status.HTTP_200_OK
    assert record.token_prefix == token.prefix
    assert token.prefix in caplog.text
    assert secret_of(value) not in caplog.text


def test_log_filter_hides_value_in_arguments(caplog, context_filter):
    value = values.generate_token()
    caplog.set_level(logging.INFO)

    logging.getLogger("priorityvote.tests").warning("Received %s", value)

    assert values.public_prefix(value) in caplog.text
    assert secret_of(value) not in caplog.text


@pytest.fixture
def browser(owner):
    client = Client()
    client.force_login(owner)
    return client


def create_token_in_page(browser):
    response = browser.post(
        "/settings/tokens/new",
        {"name": "jira-sync", "scopes": ["read"], "expires_in": "30"},
    )
    assert response.status_code == status.HTTP_201_CREATED
    text = response.content.decode()
    start = text.index("pv_pat_", text.index('id="token-value"'))
    return text[start : start + values.TOKEN_LENGTH]


def test_session_does_not_contain_value(browser):
    value = create_token_in_page(browser)

    stored = [f"{key}={item!r}" for key, item in browser.session.items()]
    rows = [session.get_decoded() for session in Session.objects.all()]

    assert values.is_well_formed(value)
    assert stored, "the session is empty, so this test checks nothing"
    for text in stored:
        assert secret_of(value) not in text
    for row in rows:
        assert secret_of(value) not in repr(row)


def test_cache_does_not_contain_value(browser, bearer, api, owner):
    cache = caches["default"]
    if not isinstance(cache, LocMemCache):
        pytest.skip("inspects the local-memory cache, the test settings' default")
    value = create_token_in_page(browser)
    bearer(value).get(ME)
    bearer(value).post("/api/v1/auth/sign-in", {"email": owner.email})
    api.post("/api/v1/auth/sign-in", {"email": owner.email, "password": "wrong"})

    entries = {key: pickle.loads(item) for key, item in cache._cache.items()}  # noqa: S301

    assert entries, "the cache is empty, so this test checks nothing"
    for key, entry in entries.items():
        assert secret_of(value) not in key
        assert secret_of(value) not in repr(entry)


def fail_with_local(value):
    local_value = value  # noqa: F841 (a local variable the report must hide)
    raise RuntimeError("The integration failed.")


def report_for_local(value):
    try:
        fail_with_local(value)
    except RuntimeError:
        exc_type, exc_value, traceback = sys.exc_info()
    request = RequestFactory().get(ME)
    return SecretHidingExceptionReporter(request, exc_type, exc_value, traceback)


@pytest.mark.parametrize(
    "wrap",
    [
        lambda value: {"authorization": value},
        lambda value: {value: "key"},
        lambda value: [value],
        lambda value: ("Bearer", value),
        lambda value: {value},
        lambda value: [{"headers": {"Authorization": f"Bearer {value}"}}],
        lambda value: {"body": value.encode()},
    ],
    ids=[
        "dict-value",
        "dict-key",
        "list",
        "tuple",
        "set",
        "nested",
        "bytes-in-dict",
    ],
)
def test_error_report_hides_value_in_container(wrap):
    value = values.generate_token()

    report = report_for_local(wrap(value))

    assert "local_value" in report.get_traceback_html()
    assert secret_of(value) not in report.get_traceback_text()
    assert secret_of(value) not in report.get_traceback_html()


def fail_with_queryset():
    backlogs = Backlog.objects.all()  # noqa: F841 (an unevaluated QuerySet)
    raise RuntimeError("The query failed.")


def queryset_traceback():
    try:
        fail_with_queryset()
    except RuntimeError:
        return sys.exc_info()


def test_report_filter_does_not_evaluate_queryset(backlog, django_assert_num_queries):
    _exc_type, _exc_value, traceback = queryset_traceback()
    while traceback.tb_next is not None:
        traceback = traceback.tb_next
    request = RequestFactory().get(ME)

    with django_assert_num_queries(0):
        variables = SecretHidingReporterFilter().get_traceback_frame_variables(
            request, traceback.tb_frame
        )

    assert [name for name, _value in variables] == ["backlogs"]


def test_error_report_runs_no_query_for_queryset(backlog, django_assert_num_queries):
    report = SecretHidingExceptionReporter(
        RequestFactory().get(ME), *queryset_traceback()
    )

    with django_assert_num_queries(0):
        report.get_traceback_data()


@pytest.mark.parametrize(
    "wrap",
    [
        lambda value: ValueError(f"Rejected {value}"),
        lambda value: SimpleNamespace(authorization=f"Bearer {value}"),
        lambda value: QueryDict(f"access_token={value}&access_token=x"),
    ],
    ids=["exception", "object", "query-dict-with-repeated-key"],
)
def test_error_report_hides_value_in_other_objects(wrap):
    value = values.generate_token()

    report = report_for_local(wrap(value))

    assert secret_of(value) not in report.get_traceback_html()
