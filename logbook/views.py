"""Logbook pages: a backlog's entries, and the signed-in user's activity."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from rest_framework.exceptions import ValidationError

from initiatives.views import get_backlog
from logbook.models import Entry
from priorityvote.pagination import (
    DEFAULT_PAGE_SIZE,
    decode_cursor,
    encode_cursor,
    older_than,
)


@login_required
def backlog_logbook(request, backlog_id):
    backlog = get_backlog(request, backlog_id)
    entries, next_cursor = newest_page(request, Entry.objects.filter(backlog=backlog))
    context = {"backlog": backlog, "entries": entries, "next_cursor": next_cursor}
    return render(request, "logbook/backlog_logbook.html", context)


@login_required
def activity(request):
    entries = Entry.objects.for_user_activity(request.user)
    token_prefix = request.GET.get("token", "")
    if token_prefix:
        entries = entries.filter(token_prefix=token_prefix)
    entries, next_cursor = newest_page(request, entries)

    # Tokens that made changes, deleted ones included: the entries keep their names.
    tokens = (
        Entry.objects.filter(actor=request.user)
        .exclude(token_prefix="")
        .values_list("token_prefix", "token_name")
        .distinct()
        .order_by("token_name", "token_prefix")
    )
    context = {
        "entries": entries,
        "next_cursor": next_cursor,
        "tokens": tokens,
        "selected_token": token_prefix,
    }
    return render(request, "logbook/activity.html", context)


def newest_page(request, entries):
    """Return one page of entries, newest first, and the cursor of the next page."""
    entries = entries.order_by("-created_at", "-id")
    cursor = request.GET.get("before")
    if cursor:
        try:
            _, position = decode_cursor(cursor)
        except ValidationError:
            position = None
        if position is not None:
            entries = entries.filter(older_than(*position))

    page = list(entries[: DEFAULT_PAGE_SIZE + 1])
    next_cursor = None
    if len(page) > DEFAULT_PAGE_SIZE:
        page = page[:DEFAULT_PAGE_SIZE]
        next_cursor = encode_cursor("next", page[-1])
    return page, next_cursor
