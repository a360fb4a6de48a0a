import math

from django.contrib.auth import login
from django.contrib.auth.views import LoginView, PasswordResetView
from django.db import IntegrityError, transaction
from django.http import HttpResponseBadRequest, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.generic import FormView

from priorityvote.forms import EMAIL_TAKEN, SignInForm, SignUpForm
from priorityvote.throttling import AuthRateThrottle


def home(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "home.html")


class ThrottledPostMixin:
    """Count form posts against the per-address limit of the /auth/ API.

    Both share one counter, so guessing passwords through the pages is no
    faster than through the API.
    """

    def post(self, request, *args, **kwargs):
        throttle = AuthRateThrottle()
        if not throttle.allow_request(request, self):
            wait = math.ceil(throttle.wait() or 0)
            return render(request, "429.html", {"wait": wait}, status=429)
        return super().post(request, *args, **kwargs)


class SignUpView(ThrottledPostMixin, FormView):
    template_name = "accounts/sign_up.html"
    form_class = SignUpForm

    def form_valid(self, form):
        try:
            with transaction.atomic():
                user = form.save()
        except IntegrityError:
            # A concurrent sign-up took the address after validation passed.
            form.add_error("email", EMAIL_TAKEN)
            return self.form_invalid(form)
        login(self.request, user)
        return redirect("dashboard")


class SignInView(ThrottledPostMixin, LoginView):
    template_name = "accounts/sign_in.html"
    form_class = SignInForm
    redirect_authenticated_user = True


class ThrottledPasswordResetView(ThrottledPostMixin, PasswordResetView):
    pass


def bad_request(request, exception):
    """Return the API's 400 error, or the 400 page, for a malformed request.

    Unlike Django's own handler, this one does not run the CSRF check, which
    reads the form data again and fails again on an undecodable body.
    """
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": "validation_error", "detail": "The request is malformed."},
            status=400,
        )
    return HttpResponseBadRequest(loader.render_to_string("400.html"))


def server_error(request):
    """Return the API's 500 error, or the 500 page, for an unexpected error."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "error": "server_error",
                "detail": "The server failed to process the request.",
            },
            status=500,
        )
    # No request context: the error may come from the database, which the
    # context processors would query again.
    return HttpResponseServerError(loader.render_to_string("500.html"))
