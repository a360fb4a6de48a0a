from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from priorityvote import views
from priorityvote.forms import ResetPasswordForm

urlpatterns = [
    path("sign-up", views.SignUpView.as_view(), name="sign-up"),
    path("sign-in", views.SignInView.as_view(), name="sign-in"),
    path("sign-out", auth_views.LogoutView.as_view(), name="sign-out"),
    path(
        "password-reset",
        views.ThrottledPasswordResetView.as_view(
            form_class=ResetPasswordForm,
            template_name="accounts/password_reset.html",
            subject_template_name="accounts/password_reset_subject.txt",
            email_template_name="accounts/password_reset_email.txt",
            success_url=reverse_lazy("password-reset-sent"),
        ),
        name="password-reset",
    ),
    path(
        "password-reset/sent",
        auth_views.PasswordResetDoneView.as_view(
            template_name="accounts/password_reset_sent.html"
        ),
        name="password-reset-sent",
    ),
    path(
        "password-reset/complete",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password-reset-complete",
    ),
    path(
        "password-reset/<uidb64>/<token>",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("password-reset-complete"),
        ),
        name="password-reset-confirm",
    ),
]
