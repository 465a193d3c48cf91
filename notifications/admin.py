from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from notifications import services
from notifications.models import Notification
from zhilian.admin import ScopedModelAdmin


class ReadStatusFilter(admin.SimpleListFilter):
    title = _("read status")
    parameter_name = "read"

    def lookups(self, request, model_admin):
        return [("no", _("Unread")), ("yes", _("Read"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(read_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(read_at__isnull=False)
        return queryset


@admin.register(Notification)
class NotificationAdmin(ScopedModelAdmin):
    """Notifications are written by services; here they are read, marked read or deleted."""

    list_display = ["title_shown", "recipient", "store", "kind", "level", "is_read", "created_at"]
    list_filter = [ReadStatusFilter, "kind", "level", "store"]
    list_select_related = ["recipient", "store"]
    search_fields = ["title", "body", "recipient__username", "recipient__full_name"]
    date_hierarchy = "created_at"
    # Title and body in the reader's language (notifications.texts), not the stored English.
    readonly_fields = [
        "recipient", "store", "kind", "level", "title_shown", "body_shown", "data", "read_at", "created_at"
    ]  # fmt: skip
    fields = readonly_fields
    actions = ["mark_read"]

    def get_queryset(self, request):
        # NotificationQuerySet.for_admin_site: admins audit all, managers see their own.
        return super(ScopedModelAdmin, self).get_queryset(request).for_admin_site(request.user)

    services = services
    delete_service = "notification_delete"

    def delete_kwargs(self, request, obj):
        return {"notification": obj}

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("title"), ordering="title")
    def title_shown(self, obj: Notification) -> str:
        return obj.display_title

    @admin.display(description=_("body"))
    def body_shown(self, obj: Notification) -> str:
        return obj.display_body

    @admin.display(boolean=True, description=_("read"), ordering="read_at")
    def is_read(self, obj):
        return obj.read_at is not None

    @admin.action(description=_("Mark selected notifications read"), permissions=["change"])
    def mark_read(self, request, queryset):
        updated = self.call_service(request, services.notification_mark_many_read, notifications=queryset)
        if updated is not None:
            self.message_user(request, _("%(count)d notification(s) marked read.") % {"count": updated})
