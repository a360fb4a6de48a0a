"""API views for accounts: sign-up, sign-in, sign-out, password reset, /me.

The /auth/ endpoints work with browser sessions only; a personal access
token gets 403 token_not_allowed there (no view here lists token_scopes
except /me).
"""

from django.contrib.auth import authenticate, get_user_model, login, logout
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from priorityvote.api import (
    ApiView,
    StrictCharField,
    StrictEmailField,
    StrictSerializer,
    validate_no_body,
)
from priorityvote.forms import EMAIL_TAKEN
from priorityvote.models import normalize_email
from priorityvote.throttling import AuthRateThrottle
from tokens.models import PersonalAccessToken, Scope
from tokens.permissions import TokenScopePermission
from tokens.serializers import TokenSerializer

User = get_user_model()


class UserSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    display_name = serializers.CharField(read_only=True)


class PasswordField(StrictCharField):
    def __init__(self, **kwargs):
        super().__init__(
            write_only=True, trim_whitespace=False, max_length=1024, **kwargs
        )


class SignUpSerializer(StrictSerializer):
    email = StrictEmailField(max_length=254)
    password = PasswordField()
    display_name = StrictCharField(max_length=100)

    def validate_email(self, email):
        email = normalize_email(email)
        if User.objects.filter(email=email).exists():
            raise serializers.ValidationError(EMAIL_TAKEN)
        return email

    def validate(self, data):
        candidate = User(email=data["email"], display_name=data["display_name"])
        try:
            validate_password(data["password"], user=candidate)
        except DjangoValidationError as error:
            raise ValidationError({"password": list(error.messages)}) from None
        return data


class SignInSerializer(StrictSerializer):
    email = StrictEmailField(max_length=254)
    password = PasswordField()


class PasswordResetSerializer(StrictSerializer):
    email = StrictEmailField(max_length=254)


class PasswordResetConfirmSerializer(StrictSerializer):
    uid = StrictCharField(max_length=64)
    token = StrictCharField(max_length=128)
    new_password = PasswordField()


class AccountView(ApiView):
    """Base for /auth/ endpoints: open to anonymous callers, throttled per address."""

    # The token check stays first: no token may reach these endpoints.
    permission_classes = [TokenScopePermission, AllowAny]
    throttle_classes = [AuthRateThrottle]


class SignUpView(AccountView):
    @extend_schema(request=SignUpSerializer, responses={201: UserSerializer})
    def post(self, request):
        """Create an account and start a browser session for it."""
        serializer = SignUpSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data

        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    data["email"], data["password"], display_name=data["display_name"]
                )
        except IntegrityError:
            # A concurrent sign-up took the address after validation passed.
            raise ValidationError({"email": [EMAIL_TAKEN]}) from None
        login(request._request, user)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class SignInView(AccountView):
    @extend_schema(request=SignInSerializer, responses={200: UserSerializer})
    def post(self, request):
        """Start a browser session. The response sets the session and CSRF cookies."""
        serializer = SignInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        user = authenticate(
            request._request,
            email=serializer.validated_data["email"],
            password=serializer.validated_data["password"],
        )
        if user is None:
            raise ValidationError(
                {
                    "non_field_errors": [
                        "The e-mail address or the password is incorrect."
                    ]
                }
            )
        login(request._request, user)
        return Response(UserSerializer(user).data)


class SignOutView(AccountView):
    # Signing out is not throttled: it protects nothing and costs nothing.
    throttle_classes = []

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        """End the browser session, if there is one."""
        validate_no_body(request)

        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetView(AccountView):
    @extend_schema(request=PasswordResetSerializer, responses={202: None})
    def post(self, request):
        """E-mail a password reset link, if an active account has this address."""
        serializer = PasswordResetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        # The form e-mails active accounts only, and the response is the same
        # either way, so it does not reveal whether the address has an account.
        form = PasswordResetForm({"email": serializer.validated_data["email"]})
        if form.is_valid():
            form.save(
                request=request._request,
                use_https=request.is_secure(),
                subject_template_name="accounts/password_reset_subject.txt",
                email_template_name="accounts/password_reset_email.txt",
            )
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(AccountView):
    @extend_schema(request=PasswordResetConfirmSerializer, responses={204: None})
    def post(self, request):
        """Set a new password with the uid and token from the e-mailed link."""
        serializer = PasswordResetConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data

        user = user_from_uid(data["uid"])
        if user is None or not default_token_generator.check_token(user, data["token"]):
            raise ValidationError(
                {"token": ["The reset link is invalid or has expired."]}
            )
        try:
            validate_password(data["new_password"], user=user)
        except DjangoValidationError as error:
            raise ValidationError({"new_password": list(error.messages)}) from None

        user.set_password(data["new_password"])
        user.save(update_fields=["password"])
        return Response(status=status.HTTP_204_NO_CONTENT)


def user_from_uid(uid: str):
    """Return the active user whose id is base64-encoded in `uid`, or None."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uid)))
    except (ValueError, TypeError, OverflowError, UnicodeDecodeError):
        return None
    if not 0 < pk < 2**63:
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


class MeSerializer(serializers.Serializer):
    user = UserSerializer()
    token = TokenSerializer(allow_null=True, help_text="Null under a browser session.")


class MeView(ApiView):
    token_scopes = {"GET": Scope.READ}

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        """Return the caller and, under a token, the token's own details."""
        token = request.auth if isinstance(request.auth, PersonalAccessToken) else None
        return Response(MeSerializer({"user": request.user, "token": token}).data)
