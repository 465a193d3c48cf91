from collections.abc import Callable

from rest_framework import mixins, viewsets
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response


class StoreScopedMixin:
    """Every query of a viewset goes through the model's ``for_user`` (zhilian.models).

    `role_action` and `resource` name what RolePermission asks zhilian.roles; custom actions
    set `role_action` through ``@action(..., role_action="transition")`` (DRF only accepts
    such keywords for attributes the class declares, hence the defaults here).
    """

    role_action: str | None = None
    resource: str | None = None
    # A hot list built from rows (``<app>/selectors.py``): the values() queryset of every row, and
    # the function that turns a page of them into the JSON. Details, writes and actions keep the
    # model's queryset and the serializer.
    list_from_rows: tuple[Callable, Callable] | None = None

    def get_queryset(self):
        if self.action == "list" and self.list_from_rows is not None:
            # Rows, not instances: the paginator counts and slices the values() query.
            rows, _payloads = self.list_from_rows
            return rows().for_user(self.request.user)
        return super().get_queryset().for_user(self.request.user)

    def list(self, request, *args, **kwargs):
        if self.list_from_rows is None:
            return super().list(request, *args, **kwargs)
        _rows, payloads = self.list_from_rows
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        if page is None:
            return Response(payloads(queryset))
        return self.get_paginated_response(payloads(page))

    def check_permissions(self, request):
        # A method the endpoint does not offer is 405 for everyone, before any role question:
        # a 403 would suggest another role may do it.
        if not hasattr(self, request.method.lower()):
            raise MethodNotAllowed(request.method)
        super().check_permissions(request)


class ScopedModelViewSet(StoreScopedMixin, viewsets.ModelViewSet):
    pass


class ScopedReadOnlyViewSet(StoreScopedMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedCreateReadViewSet(StoreScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    pass
