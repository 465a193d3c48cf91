"""Bulk transitions as admin actions, and the yuan column."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from zhilian.admin.base import ScopedModelAdmin
from zhilian.models import format_yuan


def _status_label(model, status: str) -> str:
    choices = getattr(model, "Status", None)
    return str(choices(status).label) if choices is not None else status


def transition_action(
    service: str | Callable,
    status: str | None,
    description,
    *,
    permission: str = "transition",
    done=None,
    with_user: bool = True,
    **extra: Any,
):
    """A bulk action moving each selected object with `service` (to `status`, when given):
    `service(<model>=obj, status=status, user=request.user, **extra)`, one object at a time;
    successes and each refusal are reported as messages. `with_user=False` for a service that
    takes no actor."""

    def action(modeladmin: ScopedModelAdmin, request, queryset):
        kwargs = {**extra, "user": request.user} if with_user else dict(extra)
        if status is not None:
            kwargs["status"] = status
        name = modeladmin.service_object_kwarg()
        label = done or (_("moved to %s") % _status_label(modeladmin.model, status) if status else _("done"))
        func = modeladmin.service(service)
        modeladmin.run_per_object(request, queryset, lambda obj: func(**{name: obj}, **kwargs), label)

    action.__name__ = f"mark_{status}" if status is not None else getattr(service, "__name__", str(service))
    return admin.action(description=description, permissions=[permission])(action)


def yuan(field: str, description: str | None = None, ordering: bool = True):
    """A changelist column showing a cents field in yuan (¥1,234.50)."""

    def display(obj):
        return format_yuan(getattr(obj, field))

    display.short_description = description or field.removesuffix("_cents").replace("_", " ")
    if ordering:
        display.admin_order_field = field
    display.__name__ = f"{field}_yuan"
    return display
