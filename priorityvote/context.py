"""The request being served, where code without a `request` argument needs it.

RequestContextMiddleware sets it once per request. Readers: the logging
filter (request id, user, token prefix) and the logbook receivers (actor
and token). Outside a request, as in the shell or a management command, it
is None.
"""

from contextvars import ContextVar

current_request = ContextVar("current_request", default=None)
