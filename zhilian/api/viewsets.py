from rest_framework import mixins, viewsets
from rest_framework.exceptions import MethodNotAllowed


class StoreScopedMixin:
    """Every query of a viewset goes through the model's ``for_user`` (zhilian.models).

    `role_action` and `resource` name what RolePermission asks zhilian.roles; custom actions
    set `role_action` through ``@action(..., role_action="transition")`` (DRF only accepts
    such keywords for attributes the class declares, hence the defaults here).
    """

    role_action: str | None = None
    resource: str | None = None

    def get_queryset(self):
        return super().get_queryset().for_user(self.request.user)

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
