import re
import uuid

from priorityvote.context import current_request

# A request id from a proxy is reused only if it looks like one, so a client
# cannot write arbitrary text into the logs through it.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{8,64}")


class RequestContextMiddleware:
    """Give each request an id and make it visible through current_request.

    The id comes from the proxy's X-Request-ID header when present, is
    written in every log line of the request, and is returned in the
    response's X-Request-ID header.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        if REQUEST_ID_PATTERN.fullmatch(incoming):
            request.id = incoming
        else:
            request.id = uuid.uuid4().hex
        reset_token = current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(reset_token)
        response["X-Request-ID"] = request.id
        return response
