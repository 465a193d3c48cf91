"""Open shifts and swap requests in the admin: scoped changelists, and the manager's decisions
(approve, reject, cancel) as actions calling the same services as the API."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from scheduling import services
from scheduling.models import OpenShift, ShiftSwapRequest
from zhilian import roles
from zhilian.admin import ScopedModelAdmin

OPEN_SHIFT_FIELDS = (
    "schedule",
    "position",
    "required_skills",
    "shift_type",
    "start_time",
    "end_time",
    "requires_approval",
    "notes",
)


def _decision(service_name: str, description, permission: str, done):
    """A bulk action calling `services.<service_name>(actor=..., <object>=obj)` per selected row."""

    def action(modeladmin, request, queryset):
        func = getattr(services, service_name)
        name = modeladmin.service_kwarg
        modeladmin.run_per_object(request, queryset, lambda obj: func(actor=request.user, **{name: obj}), done)

    action.__name__ = service_name
    return admin.action(description=description, permissions=[permission])(action)


class _DecisionsMixin:
    resource = ""

    def has_approve_permission(self, request) -> bool:
        return roles.can(request.user, "approve", self.resource)

    def has_reject_permission(self, request) -> bool:
        return roles.can(request.user, "reject", self.resource)

    def has_cancel_permission(self, request) -> bool:
        return roles.can(request.user, "cancel", self.resource)


@admin.register(OpenShift)
class OpenShiftAdmin(_DecisionsMixin, ScopedModelAdmin):
    resource = "scheduling.openshift"
    service_kwarg = "open_shift"
    list_display = [
        "schedule_date",
        "store",
        "position",
        "start_time",
        "end_time",
        "status",
        "source",
        "requires_approval",
        "claimed_by",
        "claimed_at",
    ]
    list_filter = ["status", "source", "position", "requires_approval", "schedule__store"]
    list_select_related = ["schedule", "schedule__store", "claimed_by"]
    search_fields = ["position", "notes", "claimed_by__name", "schedule__store__name"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["schedule"]
    fields = [*OPEN_SHIFT_FIELDS, *OpenShift.SERVER_OWNED_FIELDS]
    readonly_fields = OpenShift.SERVER_OWNED_FIELDS
    actions = ["open_shift_approve", "open_shift_reject", "open_shift_cancel"]

    open_shift_approve = _decision("open_shift_approve", _("Approve the pending claims"), "approve", _("approved"))
    open_shift_reject = _decision("open_shift_reject", _("Reject the pending claims (reopen)"), "reject", _("reopened"))
    open_shift_cancel = _decision("open_shift_cancel", _("Cancel the open shifts"), "cancel", _("cancelled"))

    @admin.display(description=_("date"), ordering="schedule__schedule_date")
    def schedule_date(self, obj: OpenShift):
        return obj.schedule.schedule_date

    @admin.display(description=_("store"), ordering="schedule__store")
    def store(self, obj: OpenShift):
        return obj.schedule.store

    def get_fields(self, request, obj=None):
        return list(OPEN_SHIFT_FIELDS) if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        # Posted open shifts change only through claims and decisions.
        return [*OPEN_SHIFT_FIELDS, *self.readonly_fields] if obj is not None else []

    def _create(self, *, user, **data):
        return services.open_shift_create(actor=user, **data)

    services = services
    create_service = _create
    service_fields = OPEN_SHIFT_FIELDS

    def create_kwargs(self, request, form, formsets):
        data = self.service_data(form, form.cleaned_data)
        return {**data, "required_skills": data.get("required_skills") or [], "user": request.user}


@admin.register(ShiftSwapRequest)
class ShiftSwapRequestAdmin(_DecisionsMixin, ScopedModelAdmin):
    resource = "scheduling.shiftswaprequest"
    service_kwarg = "swap_request"
    list_display = [
        "created_at",
        "shift_date",
        "store",
        "shift",
        "kind",
        "status",
        "requested_by",
        "target",
        "taker",
        "decided_at",
    ]
    list_filter = ["status", "kind", "shift__schedule__store"]
    list_select_related = ["shift__schedule__store", "shift__employee", "requested_by", "target", "taker"]
    search_fields = ["requested_by__name", "target__name", "taker__name", "reason"]
    readonly_fields = [
        "shift",
        "kind",
        "status",
        "requested_by",
        "target",
        "taker",
        "reason",
        "accepted_at",
        "decided_by",
        "decided_at",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields
    actions = ["swap_request_approve", "swap_request_reject", "swap_request_cancel"]

    swap_request_approve = _decision("swap_request_approve", _("Approve the accepted swaps"), "approve", _("approved"))
    swap_request_reject = _decision("swap_request_reject", _("Reject the swap requests"), "reject", _("rejected"))
    swap_request_cancel = _decision("swap_request_cancel", _("Cancel the swap requests"), "cancel", _("cancelled"))

    @admin.display(description=_("date"), ordering="shift__schedule__schedule_date")
    def shift_date(self, obj: ShiftSwapRequest):
        return obj.shift.schedule.schedule_date

    @admin.display(description=_("store"), ordering="shift__schedule__store")
    def store(self, obj: ShiftSwapRequest):
        return obj.shift.schedule.store

    def has_add_permission(self, request, obj=None):
        # Offers are made by staff (API, "my shifts"); the admin decides them.
        return False
