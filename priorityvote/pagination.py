"""Pagination for API lists: {"results": [...], "next": url, "previous": url}."""

import base64
import binascii
from datetime import UTC, datetime

from django.db.models import Q
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

DEFAULT_PAGE_SIZE = 50
# Cursors hold row times; anything outside these years did not come from a row.
MIN_CURSOR_YEAR = 2000
MAX_CURSOR_YEAR = 9000
MAX_PAGE_SIZE = 100


def read_positive_int(
    request, name: str, default: int, maximum: int | None = None
) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if (
        not raw.isascii()
        or not raw.isdigit()
        or not 1 <= int(raw) <= (maximum or 10**9)
    ):
        limit = f"1 to {maximum}" if maximum else "1 or more"
        raise ValidationError({name: [f"Must be a whole number from {limit}."]})
    return int(raw)


def paginated_response(results, next_url, previous_url):
    return Response({"results": results, "next": next_url, "previous": previous_url})


class PageNumberPagination(pagination.BasePagination):
    """Pages chosen with ?page=N (from 1) and ?page_size=N (1 to 100, default 50).

    A page past the end is empty rather than an error, so a script can
    stop at the first empty page or at a null `next`.
    """

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page = read_positive_int(request, "page", 1)
        self.page_size = read_positive_int(
            request, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
        )
        start = (self.page - 1) * self.page_size
        # One extra row shows whether a next page exists, without a COUNT query.
        rows = list(queryset[start : start + self.page_size + 1])
        self.has_next = len(rows) > self.page_size
        return rows[: self.page_size]

    def get_paginated_response(self, data):
        url = self.request.build_absolute_uri()
        next_url = (
            replace_query_param(url, "page", self.page + 1) if self.has_next else None
        )
        previous_url = None
        if self.page == 2:
            previous_url = remove_query_param(url, "page")
        elif self.page > 2:
            previous_url = replace_query_param(url, "page", self.page - 1)
        return paginated_response(data, next_url, previous_url)

    def get_paginated_response_schema(self, schema):
        return paginated_schema(schema)

    def get_schema_operation_parameters(self, view):
        return [
            query_parameter("page", "Page number, from 1."),
            query_parameter("page_size", f"Items per page, 1 to {MAX_PAGE_SIZE}."),
        ]


class KeysetPagination(pagination.BasePagination):
    """Newest-first pages keyed on (created_at, id), for append-only tables.

    The cursor names the last row seen, so every page is one index range
    scan: page 1,000 costs what page 1 costs. ?cursor= comes from the
    `next` and `previous` links. Rows need `created_at` and `id`.
    """

    page_size = DEFAULT_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        cursor = request.query_params.get("cursor")
        direction, position = decode_cursor(cursor) if cursor else ("next", None)
        self.page_size = read_positive_int(
            request, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
        )

        if position is None:
            rows = queryset.order_by("-created_at", "-id")
        elif direction == "next":
            rows = queryset.order_by("-created_at", "-id").filter(older_than(*position))
        else:
            rows = queryset.order_by("created_at", "id").filter(newer_than(*position))
        rows = list(rows[: self.page_size + 1])
        has_more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if direction == "previous":
            rows.reverse()

        self.has_next = has_more if direction == "next" else position is not None
        self.has_previous = position is not None if direction == "next" else has_more
        self.rows = rows
        return rows

    def get_paginated_response(self, data):
        url = self.request.build_absolute_uri()
        next_url = previous_url = None
        if self.rows and self.has_next:
            next_url = replace_query_param(
                url, "cursor", encode_cursor("next", self.rows[-1])
            )
        if self.rows and self.has_previous:
            previous_url = replace_query_param(
                url, "cursor", encode_cursor("previous", self.rows[0])
            )
        return paginated_response(data, next_url, previous_url)

    def get_paginated_response_schema(self, schema):
        return paginated_schema(schema)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "description": "Opaque position from a next or previous link.",
                "schema": {"type": "string"},
            },
            query_parameter("page_size", f"Items per page, 1 to {MAX_PAGE_SIZE}."),
        ]


def query_parameter(name: str, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "integer", "minimum": 1},
    }


def older_than(created_at, pk):
    return Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=pk)


def newer_than(created_at, pk):
    return Q(created_at__gt=created_at) | Q(created_at=created_at, id__gt=pk)


def encode_cursor(direction: str, row) -> str:
    text = f"{direction}|{row.created_at.isoformat()}|{row.pk}"
    return base64.urlsafe_b64encode(text.encode()).decode()


def decode_cursor(cursor: str):
    """Return (direction, (created_at, id)) from a cursor, or raise ValidationError."""
    invalid = ValidationError(
        {"cursor": ["Invalid cursor. Use the next or previous link."]}
    )
    try:
        text = base64.urlsafe_b64decode(cursor.encode("ascii")).decode("ascii")
        direction, created_at, pk = text.split("|")
        moment, pk = datetime.fromisoformat(created_at), int(pk)
        # In UTC, so an extreme offset cannot reach the database; a date
        # that falls outside the datetime range raises OverflowError here.
        moment = moment.astimezone(UTC) if moment.tzinfo else None
    except (ValueError, OverflowError, UnicodeError, binascii.Error):
        raise invalid from None
    if direction not in ("next", "previous") or moment is None:
        raise invalid
    if not 0 < pk < 2**63 or not MIN_CURSOR_YEAR <= moment.year <= MAX_CURSOR_YEAR:
        raise invalid
    return direction, (moment, pk)


def paginated_schema(schema):
    return {
        "type": "object",
        "required": ["results", "next", "previous"],
        "properties": {
            "results": schema,
            "next": {"type": "string", "format": "uri", "nullable": True},
            "previous": {"type": "string", "format": "uri", "nullable": True},
        },
    }
