from drf_spectacular.utils import extend_schema, extend_schema_view

from accounts.filters import UserFilter
from accounts.models import User
from accounts.serializers import UserSerializer
from zhilian.api.viewsets import ScopedModelViewSet


@extend_schema_view(
    list=extend_schema(summary="Accounts: all for admins, the own store's for managers, oneself for staff"),
    create=extend_schema(summary="Create an account (managers: staff of their own store)"),
    partial_update=extend_schema(summary="Edit an account (role and store only within one's rights)"),
)
class UserViewSet(ScopedModelViewSet):
    queryset = User.objects.select_related("store").prefetch_related("managed_regions")
    serializer_class = UserSerializer
    filterset_class = UserFilter
    search_fields = ["username", "email", "full_name", "phone"]
    ordering_fields = ["username", "full_name", "role", "store", "date_joined", "last_login", "created_at"]
    ordering = ["username"]
