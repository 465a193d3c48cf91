from rest_framework import mixins, viewsets


class StoreScopedMixin:
    """Every query of a viewset goes through the model's ``for_user`` (zhilian.models)."""

    def get_queryset(self):
        return super().get_queryset().for_user(self.request.user)


class ScopedModelViewSet(StoreScopedMixin, viewsets.ModelViewSet):
    pass


class ScopedReadOnlyViewSet(StoreScopedMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedCreateReadViewSet(StoreScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    pass
