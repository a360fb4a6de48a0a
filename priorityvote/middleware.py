import logging
import re
import time
import uuid

from django.http import HttpResponseBadRequest, JsonResponse
from django.template import loader

from priorityvote.context import current_request
from priorityvote.logging import TOKEN_VALUE_PATTERN

# A request id from a proxy is reused only if it looks like one, so a client
# cannot write arbitrary text into the logs through it.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{8,64}")

access_logger = logging.getLogger("priorityvote.access")


class RequestContextMiddleware:
    """Give each request an id, make it visible through current_request, log it.

    The id comes from the proxy's X-Request-ID header when present, is
    written in every log line of the request, and is returned in the
    response's X-Request-ID header. Each request ends with one access line
    (method, path without query string, status, duration), written while
    the request is still current, so it names the user and the token.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        # A token pasted into the header must not become a log field.
        if REQUEST_ID_PATTERN.fullmatch(incoming) and not TOKEN_VALUE_PATTERN.search(
            incoming
        ):
            request.id = incoming
        else:
            request.id = uuid.uuid4().hex
        started = time.monotonic()
        reset_token = current_request.set(request)
        try:
            response = self.get_response(request)
            milliseconds = (time.monotonic() - started) * 1000
            access_logger.info(
                "%s %s %s %.0fms",
                request.method,
                request.path,
                response.status_code,
                milliseconds,
            )
        finally:
            current_request.reset(reset_token)
        response["X-Request-ID"] = request.id
        return response


class RejectNullCharactersMiddleware:
    """Reject a query string that contains a NUL character with a 400.

    PostgreSQL cannot store or compare text with NUL, so such a value would
    make any filter on it (a page's or Django admin's) fail with a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        names = [
            name
            for name, values in request.GET.lists()
            if "\x00" in name or any("\x00" in value for value in values)
        ]
        if not names:
            return self.get_response(request)

        if request.path.startswith("/api/"):
            fields = {
                name.replace("\x00", "?"): ["Null characters are not allowed."]
                for name in names
            }
            return JsonResponse(
                {
                    "error": "validation_error",
                    "detail": "The query string contains a null character.",
                    "fields": fields,
                },
                status=400,
            )
        return HttpResponseBadRequest(loader.render_to_string("400.html"))


class HeadWithoutBodyMiddleware:
    """Send no body in the response to a HEAD request.

    Django renders HEAD as GET, and gunicorn drops the body with a warning
    per request. The headers, Content-Length included, stay those of GET.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "HEAD" and not response.streaming:
            response.content = b""
        return response
