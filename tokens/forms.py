from django import forms

from initiatives.models import Backlog
from tokens.models import PersonalAccessToken, Scope

EXPIRY_CHOICES = [
    ("30", "30 days"),
    ("90", "90 days"),
    ("365", "1 year"),
    ("never", "Never"),
]
ALL_BACKLOGS_TEXT = "All backlogs, including ones you create or join later"


class BacklogChoiceField(forms.ModelMultipleChoiceField):
    """Backlog checkboxes that reject a non-numeric or overlong id before querying.

    An id past 2**63 - 1 makes the database raise an error instead of
    finding nothing.
    """

    def clean(self, value):
        for pk in value or []:
            text = str(pk)
            if not (text.isascii() and text.isdigit() and len(text) <= 18):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super().clean(value)


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="What the token is for, such as jira-sync. The logbook shows it.",
    )
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one scope."},
        help_text="write:initiatives includes read.",
    )
    backlogs = BacklogChoiceField(
        queryset=Backlog.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=f"Choose none for: {ALL_BACKLOGS_TEXT.lower()}.",
    )
    expires_in = forms.ChoiceField(
        choices=EXPIRY_CHOICES, initial="30", label="Expires in"
    )
    # A one-time value that stops a reload of the create response from
    # creating a second token. It is not a secret.
    form_id = forms.CharField(widget=forms.HiddenInput, required=False)
    # Set when the form copies a restricted token, so that a copy whose
    # backlogs are all gone cannot become an all-backlogs token unnoticed.
    keep_restricted = forms.BooleanField(widget=forms.HiddenInput, required=False)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["backlogs"].queryset = Backlog.objects.reachable_by(user).order_by(
            "name"
        )

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("keep_restricted") and not cleaned_data.get("backlogs"):
            self.add_error(
                "backlogs",
                "The token you copied was restricted to backlogs you can no longer "
                "reach. Choose at least one backlog, or start from a blank form "
                "for a token that reaches all your backlogs.",
            )
        return cleaned_data

    @property
    def expires_in_days(self) -> int | None:
        value = self.cleaned_data["expires_in"]
        return None if value == "never" else int(value)


def initial_from_token(token: PersonalAccessToken) -> dict:
    """Return form values that copy an existing token, for "create a similar token"."""
    return {
        "name": token.name,
        "scopes": list(token.scopes),
        "backlogs": [] if token.all_backlogs else list(token.backlogs.all()),
        "keep_restricted": not token.all_backlogs,
        "expires_in": expiry_choice(token),
    }


def expiry_choice(token: PersonalAccessToken) -> str:
    if token.expires_at is None:
        return "never"
    days = (token.expires_at - token.created_at).days
    offered = [int(value) for value, _ in EXPIRY_CHOICES if value != "never"]
    return str(min(offered, key=lambda choice: abs(choice - days)))
