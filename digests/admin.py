"""Digest subscriptions (everyone edits their own; admins everyone's) and the log of digests sent."""

from __future__ import annotations

from django.contrib import admin

from digests import services
from digests.models import DigestLog, DigestSubscription
from zhilian import roles
from zhilian.admin import ScopedModelAdmin


def _subscription_set(*, user, digestsubscription=None, **fields):
    subscriber = fields.pop("user", None) or digestsubscription.user
    current = digestsubscription or DigestSubscription(frequency="off")
    return services.digest_subscription_set(
        actor=user,
        user=subscriber,
        frequency=fields.get("frequency", current.frequency),
        language=fields.get("language"),
    )


@admin.register(DigestSubscription)
class DigestSubscriptionAdmin(ScopedModelAdmin):
    list_display = ["user", "frequency", "language", "updated_at"]
    list_filter = ["frequency", "language"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]
    fields = ["user", "frequency", "language"]
    services = services
    create_service = staticmethod(_subscription_set)
    update_service = staticmethod(_subscription_set)

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            from accounts.models import User

            # Only oneself, unless an admin (who may subscribe any manager).
            users = User.objects.for_user(request.user)
            kwargs["queryset"] = users if roles.is_admin(request.user) else users.filter(pk=request.user.pk)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(DigestLog)
class DigestLogAdmin(ScopedModelAdmin):
    """Written by the digest job only."""

    list_display = ["user", "frequency", "period_start", "period_end", "stores", "emailed_at", "created_at"]
    list_filter = ["frequency", "period_start"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    date_hierarchy = "period_start"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
