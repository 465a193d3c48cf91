from rest_framework.permissions import BasePermission

from zhilian import roles

# DRF viewset actions -> role actions; custom @action views name theirs with `role_action=`.
ACTION_MAP = {
    "list": roles.VIEW,
    "retrieve": roles.VIEW,
    "create": roles.ADD,
    "update": roles.CHANGE,
    "partial_update": roles.CHANGE,
    "destroy": roles.DELETE,
}
METHOD_MAP = {
    "GET": roles.VIEW,
    "HEAD": roles.VIEW,
    "OPTIONS": roles.VIEW,
    "POST": roles.ADD,
    "PUT": roles.CHANGE,
    "PATCH": roles.CHANGE,
    "DELETE": roles.DELETE,
}


def view_resource(view) -> str:
    resource = getattr(view, "resource", None)
    if resource:
        return resource
    return view.queryset.model._meta.label_lower


def view_role_action(view, request) -> str:
    explicit = getattr(view, "role_action", None)
    if explicit:
        return explicit
    action = getattr(view, "action", None)
    if action in ACTION_MAP:
        return ACTION_MAP[action]
    return METHOD_MAP.get(request.method, roles.CHANGE)


class RolePermission(BasePermission):
    """Asks zhilian.roles whether the user's role allows this action on this resource."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return roles.can(request.user, view_role_action(view, request), view_resource(view))

    def has_object_permission(self, request, view, obj) -> bool:
        return roles.can_on_object(request.user, view_role_action(view, request), obj)
