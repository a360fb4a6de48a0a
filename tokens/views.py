"""Settings pages for personal access tokens.

These are ordinary Django views authenticated by the browser session. DRF's
bearer authentication never runs here, so a token cannot create or revoke
tokens.
"""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from tokens.forms import ALL_BACKLOGS_TEXT, TokenForm, initial_from_token
from tokens.models import PersonalAccessToken, TokenLimitReached, max_active_tokens

# Session key of the form ids handed out and not yet used.
OPEN_FORMS_SESSION_KEY = "token_form_ids"
MAX_OPEN_FORMS = 20


@login_required
def token_list(request):
    tokens = request.user.access_tokens.prefetch_related("backlogs")
    context = {
        "tokens": tokens,
        "all_backlogs_text": ALL_BACKLOGS_TEXT,
        "max_active_tokens": max_active_tokens(),
    }
    return render(request, "tokens/token_list.html", context)


@never_cache
@login_required
def token_create(request):
    if request.method != "POST":
        initial = {"form_id": open_form(request)}
        similar_to = similar_token(request)
        if similar_to is not None:
            initial.update(initial_from_token(similar_to))
        form = TokenForm(request.user, initial=initial)
        return render_form(request, form, similar_to)

    form = TokenForm(request.user, request.POST)
    if not form.is_valid():
        return render_form(request, form)
    if not close_form(request, form.cleaned_data["form_id"]):
        form.add_error(
            None,
            "This form was already submitted, and its token was shown once. "
            "Fill in the form again to create another token.",
        )
        form.data = form.data.copy()
        form.data["form_id"] = open_form(request)
        return render_form(request, form)

    try:
        token, value = PersonalAccessToken.objects.create_token(
            request.user,
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            backlogs=form.cleaned_data["backlogs"],
            expires_in_days=form.expires_in_days,
        )
    except TokenLimitReached:
        form.add_error(
            None,
            f"You have {max_active_tokens()} active tokens, the maximum. "
            "Revoke one you no longer use, then create this one.",
        )
        form.data = form.data.copy()
        form.data["form_id"] = open_form(request)
        return render_form(request, form)

    # The only response that ever contains the value. never_cache keeps it
    # out of the browser's and any proxy's cache.
    context = {"token": token, "value": value, "all_backlogs_text": ALL_BACKLOGS_TEXT}
    return render(request, "tokens/token_created.html", context, status=201)


def render_form(request, form, similar_to=None):
    context = {
        "form": form,
        "similar_to": similar_to,
        "all_backlogs_text": ALL_BACKLOGS_TEXT,
    }
    return render(request, "tokens/token_form.html", context)


def similar_token(request) -> PersonalAccessToken | None:
    """Return the user's token named by ?similar_to=<id>, if any."""
    token_id = request.GET.get("similar_to", "")
    if not token_id.isascii() or not token_id.isdigit() or len(token_id) > 18:
        return None
    return request.user.access_tokens.filter(pk=int(token_id)).first()


def open_form(request) -> str:
    form_id = secrets.token_urlsafe(16)
    open_ids = request.session.get(OPEN_FORMS_SESSION_KEY, [])
    request.session[OPEN_FORMS_SESSION_KEY] = [*open_ids, form_id][-MAX_OPEN_FORMS:]
    return form_id


def close_form(request, form_id: str) -> bool:
    """Mark the form id used. Return False if it was used before.

    A POST without a form id (a script that never loaded the form) passes.
    """
    if not form_id:
        return True
    open_ids = request.session.get(OPEN_FORMS_SESSION_KEY, [])
    if form_id not in open_ids:
        return False
    open_ids.remove(form_id)
    request.session[OPEN_FORMS_SESSION_KEY] = open_ids
    return True


@login_required
def token_revoke(request, token_id):
    token = get_object_or_404(request.user.access_tokens, pk=token_id)
    if request.method != "POST":
        return render(request, "tokens/token_revoke.html", {"token": token})

    if token.revoke():
        messages.success(
            request, f"Revoked “{token.name}”. Requests with it now get 401."
        )
    else:
        messages.info(request, f"“{token.name}” was already revoked.")
    return redirect("token-list")
