import inspect
import re

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter
from rest_framework.request import Request

from priorityvote.logging import TOKEN_VALUE_PATTERN, redact_token_values

# Nesting depth of containers at which contains_token_value stops looking.
MAX_DEPTH = 4


class SecretHidingReporterFilter(SafeExceptionReporterFilter):
    """Django's error-report filter, extended to hide tokens.

    Django already hides settings and request headers whose names contain
    KEY, SECRET, TOKEN, PASS and the like, and the session cookie. This adds
    the Authorization header and hides any value that contains something
    shaped like a token, wherever it appears: headers, query string, or a
    local variable of a traceback frame.
    """

    hidden_settings = re.compile(
        "API|AUTHORIZATION|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE", flags=re.I
    )

    def get_safe_request_meta(self, request):
        meta = super().get_safe_request_meta(request)
        return {name: self.hide_token_values(value) for name, value in meta.items()}

    def get_traceback_frame_variables(self, request, tb_frame):
        variables = super().get_traceback_frame_variables(request, tb_frame)
        return [(name, self.cleanse_frame_value(value)) for name, value in variables]

    def cleanse_frame_value(self, value):
        # The report prints each local with repr(), and the repr of a
        # QuerySet runs its query: the very query that may have failed.
        if isinstance(value, QuerySet) and value._result_cache is None:
            return f"<{value.model.__name__} QuerySet, not evaluated>"
        return self.hide_token_values(value)

    def hide_token_values(self, value):
        if contains_token_value(value):
            return self.cleansed_substitute
        return value


def contains_token_value(value, depth: int = 0) -> bool:
    """Tell whether a value contains text shaped like a token value.

    Looks into strings, containers, requests, exceptions and the attributes
    of other objects, down to MAX_DEPTH levels. It calls no repr(), which
    could run a query, and skips QuerySets for the same reason.
    """
    if depth > MAX_DEPTH or isinstance(value, QuerySet):
        return False
    if isinstance(value, bytes):
        value = value.decode("ascii", errors="ignore")
    if isinstance(value, str):
        return TOKEN_VALUE_PATTERN.search(value) is not None

    if isinstance(value, Request):
        value = value._request
    if isinstance(value, HttpRequest):
        value = [value.get_full_path(), value.META.get("HTTP_AUTHORIZATION", "")]
    elif isinstance(value, MultiValueDict):
        value = list(value.lists())
    elif isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    elif isinstance(value, BaseException):
        value = value.args
    elif has_attributes(value):
        value = list(vars(value).values())

    if isinstance(value, list | tuple | set | frozenset):
        return any(contains_token_value(item, depth + 1) for item in value)
    return False


def has_attributes(value) -> bool:
    """Tell whether a value is an instance with its own attributes to look into."""
    if inspect.isclass(value) or inspect.ismodule(value) or inspect.isroutine(value):
        return False
    return isinstance(getattr(value, "__dict__", None), dict)


class SecretHidingExceptionReporter(ExceptionReporter):
    """Django's error report with token-shaped values hidden from the URL and GET."""

    def get_traceback_data(self):
        data = super().get_traceback_data()
        if "request_GET_items" in data:
            data["request_GET_items"] = [
                (name, redact_token_values(value))
                for name, value in data["request_GET_items"]
            ]
        if "request_insecure_uri" in data:
            data["request_insecure_uri"] = redact_token_values(
                data["request_insecure_uri"]
            )
        return data
