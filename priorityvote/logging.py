"""Logging filters: request context on every line, and no token values.

RequestContextFilter adds ``request_id``, ``user_id`` and ``token_prefix``
to each record, "-" outside a request, and replaces anything shaped like a
token value in the message by its public prefix. RepeatFilter drops repeats
of the same message within an interval and counts them.
"""

import logging
import re
import threading
import time

from django.utils.functional import SimpleLazyObject, empty

from priorityvote.context import current_request

# A value longer than a public prefix: the prefix is kept, the rest hidden.
TOKEN_VALUE_PATTERN = re.compile(r"(pv_pat_[0-9A-Za-z]{8})[0-9A-Za-z]+")


def redact_token_values(text: str) -> str:
    return TOKEN_VALUE_PATTERN.sub(r"\1…", text)


class RequestContextFilter(logging.Filter):
    def filter(self, record):
        # Django logs a 4xx or 5xx after the middleware has returned, with
        # the request attached to the record.
        request = current_request.get() or getattr(record, "request", None)
        record.request_id = getattr(request, "id", "-")
        record.user_id = loaded_user_id(request)
        token = getattr(request, "auth", None)
        record.token_prefix = getattr(token, "prefix", "-")

        message = record.getMessage()
        if "pv_pat_" in message:
            record.msg, record.args = redact_token_values(message), None
        return True


def loaded_user_id(request) -> str:
    """Return the request's user id if the user is loaded already, else "-".

    A log call must not be the one to load the user from the database.
    """
    user = getattr(request, "user", None)
    if user is None:
        return "-"
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:
        return "-"
    return str(user.pk) if user.is_authenticated else "-"


class RepeatFilter(logging.Filter):
    """Let one warning per (logger, message, arguments) through per interval.

    The first record after a quiet interval reports how many were dropped.
    The count lives in the process, so each worker reports its own.
    """

    def __init__(self, interval: float = 60.0, max_keys: int = 10_000):
        super().__init__()
        self.interval = interval
        self.max_keys = max_keys
        self.lock = threading.Lock()
        self.last_seen: dict[tuple, tuple[float, int]] = {}

    def filter(self, record):
        # Errors always pass: each may carry a different traceback.
        if record.levelno >= logging.ERROR:
            return True
        key = (record.name, record.msg, repr(record.args))
        now = time.monotonic()
        with self.lock:
            emitted_at, dropped = self.last_seen.get(key, (None, 0))
            if emitted_at is not None and now - emitted_at < self.interval:
                self.last_seen[key] = (emitted_at, dropped + 1)
                return False
            if len(self.last_seen) >= self.max_keys:
                self.last_seen.clear()
            self.last_seen[key] = (now, 0)
        if dropped:
            record.msg = f"{record.msg} ({dropped} repeats dropped since the last one)"
        return True


class ClientErrorTracebackFilter(logging.Filter):
    """Drop the traceback from the log record of a 4xx response.

    Django attaches the exception to its "Forbidden" or "Bad Request"
    warning; for a client's mistake, the one-line warning is enough.
    """

    def filter(self, record):
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
