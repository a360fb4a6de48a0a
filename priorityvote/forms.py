from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import BaseUserCreationForm, PasswordResetForm

from priorityvote.models import User, normalize_email

EMAIL_TAKEN = "An account with this e-mail address exists."


class SignUpForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "display_name"]
        help_texts = {"display_name": "Shown to the people you share backlogs with."}

    def clean_email(self):
        email = normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email=email).exists():
            raise forms.ValidationError(EMAIL_TAKEN)
        return email


class SignInForm(forms.Form):
    """Sign in with e-mail address and password; used by Django's LoginView."""

    email = forms.EmailField(
        label="E-mail address", widget=forms.EmailInput(attrs={"autofocus": True})
    )
    password = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": "The e-mail address or the password is incorrect.",
    }

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        email = self.cleaned_data.get("email")
        password = self.cleaned_data.get("password")
        if email and password:
            self.user = authenticate(self.request, email=email, password=password)
            if self.user is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_login"], code="invalid_login"
                )
        return self.cleaned_data

    def get_user(self):
        return self.user


class ResetPasswordForm(PasswordResetForm):
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
