from django import forms
from django.contrib.auth import get_user_model

from initiatives.models import Backlog, Initiative, Role, Status
from priorityvote.models import normalize_email


class BacklogForm(forms.ModelForm):
    class Meta:
        model = Backlog
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class InitiativeForm(forms.ModelForm):
    class Meta:
        model = Initiative
        fields = ["title", "description", "status"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "All statuses"), *Status.choices], required=False
    )


class MemberForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)

    def clean_email(self):
        email = normalize_email(self.cleaned_data["email"])
        user = get_user_model().objects.filter(email=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                "No active account has this e-mail address. Ask them to sign up first."
            )
        self.cleaned_data["user"] = user
        return email


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
