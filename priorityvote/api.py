"""Conventions shared by every API view: base class, errors, content types."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, generics, serializers, views

# DRF's codes that the API reports under another name.
ERROR_CODES = {
    "invalid": "validation_error",
    "parse_error": "validation_error",
    "authentication_failed": "invalid_token",
}
VALIDATION_DETAIL = "The request is invalid. See fields for what to correct."


def exception_handler(exc, context):
    """Render every API error as {"error": code, "detail": message}.

    A 400 adds "fields", a dict of field name to messages. An exception with
    a `challenge` sets WWW-Authenticate, and one with `extra` adds its keys.
    """
    # Django raises this when DRF reads a body over DATA_UPLOAD_MAX_MEMORY_SIZE.
    # Left alone, it would become Django's HTML 400 page.
    if isinstance(exc, RequestDataTooBig):
        exc = exceptions.ParseError("The request body is too large.")
    response = views.exception_handler(exc, context)
    if response is None:
        return None

    # DRF converts Django's Http404 and PermissionDenied only inside its own
    # handler, so convert them here too, because Django's carry no code or detail.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)

    if isinstance(exc, exceptions.ValidationError):
        body = {
            "error": "validation_error",
            "detail": VALIDATION_DETAIL,
            "fields": field_errors(exc.detail),
        }
    else:
        code = getattr(exc, "default_code", "error")
        body = {"error": ERROR_CODES.get(code, code), "detail": str(exc.detail)}
    body.update(getattr(exc, "extra", {}))

    response.data = body
    challenge = getattr(exc, "challenge", None)
    if challenge:
        response.headers["WWW-Authenticate"] = challenge
    return response


def field_errors(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            encodable(name): flatten_messages(messages)
            for name, messages in detail.items()
        }
    return {"non_field_errors": flatten_messages(detail)}


def flatten_messages(detail) -> list[str]:
    if isinstance(detail, dict):
        return [
            f"{encodable(key)}: {message}"
            for key, value in detail.items()
            for message in flatten_messages(value)
        ]
    if isinstance(detail, list):
        return [message for item in detail for message in flatten_messages(item)]
    return [encodable(detail)]


def encodable(text) -> str:
    """Return `text` with lone surrogates replaced by "?", so it encodes as UTF-8.

    Field names and some messages quote the request body, where a JSON escape
    such as "\\ud800" decodes to a lone surrogate.
    """
    return str(text).encode("utf-8", "replace").decode("utf-8")


class MethodFirstMixin:
    """Raise 405 for an unsupported method before authentication runs.

    Whether a path takes a method does not depend on who sends the request,
    so no caller gets a 401 or 403 for a method that never works.
    """

    def initial(self, request, *args, **kwargs):
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            raise exceptions.MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)


class ApiView(MethodFirstMixin, views.APIView):
    pass


class GenericApiView(MethodFirstMixin, generics.GenericAPIView):
    pass


class StrictSerializer(serializers.Serializer):
    """A serializer that rejects fields it does not know, so a typo is an error."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            return super().to_internal_value(data)

        writable = {name for name, field in self.fields.items() if not field.read_only}
        errors = {name: ["Unknown field."] for name in sorted(set(data) - writable)}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            raise serializers.ValidationError({**error.detail, **errors}) from None
        if errors:
            raise serializers.ValidationError(errors)
        return value


def validate_no_body(request) -> None:
    """Raise a 400 unless the request body is empty or an empty JSON object.

    For endpoints that take no body: parsing it still rejects malformed
    JSON and unknown fields, as on every other endpoint.
    """
    StrictSerializer(data=request.data).is_valid(raise_exception=True)


class StrictModelSerializer(StrictSerializer, serializers.ModelSerializer):
    pass


class StrictCharField(serializers.CharField):
    """A CharField that accepts only JSON strings.

    DRF's CharField turns numbers into text, which hides a client's type error.
    """

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictEmailField(StrictCharField, serializers.EmailField):
    pass


# Exempt from CSRF checks because it changes nothing. With the check, a POST
# without a token would get Django's HTML 403 page instead of this 404.
@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """Return the API's 404 error for an unknown path under /api/."""
    return JsonResponse(
        {
            "error": "not_found",
            "detail": f"No API endpoint at {request.path}. "
            "The endpoints are listed at /api/v1/docs.",
        },
        status=404,
    )
