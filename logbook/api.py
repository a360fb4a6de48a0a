from initiatives.api import BacklogScopedMixin, get_backlog
from logbook.models import Entry
from logbook.serializers import EntrySerializer
from priorityvote.api import GenericApiView
from priorityvote.pagination import KeysetPagination
from tokens.models import Scope


class BacklogLogbook(BacklogScopedMixin, GenericApiView):
    """The backlog's entries, newest first."""

    serializer_class = EntrySerializer
    pagination_class = KeysetPagination
    token_scopes = {"GET": Scope.READ}

    def get(self, request, backlog_id):
        backlog = get_backlog(request, backlog_id)
        page = self.paginate_queryset(Entry.objects.filter(backlog=backlog))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
