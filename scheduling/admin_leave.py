"""Time off and availability in the admin: leave requests with approve/deny/cancel (actions and
buttons on the request), availability ranges inline on the employee. Every write goes through
scheduling.services, so the rules and the audit trail are the API's."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from scheduling import services
from scheduling.models import Availability, LeaveRequest
from scheduling.services.availability import AVAILABILITY_EDITABLE
from zhilian import roles
from zhilian.admin import ScopedModelAdmin, ScopedTabularInline, transition_action

RESOURCE = "scheduling.leaverequest"


class AvailabilityFormSet(BaseInlineFormSet):
    """Saves each range through the availability services (audited), as the acting user."""

    user = None

    def save_new(self, form, commit=True):
        data = form.cleaned_data
        return services.availability_create(
            employee=self.instance,
            weekday=data["weekday"],
            start_time=data["start_time"],
            end_time=data["end_time"],
            user=self.user,
        )

    def save_existing(self, form, obj, commit=True):
        changes = {k: form.cleaned_data[k] for k in form.changed_data if k in AVAILABILITY_EDITABLE}
        return services.availability_update(availability=obj, user=self.user, **changes) if changes else obj

    def delete_existing(self, obj, commit=True):
        services.availability_delete(availability=obj, user=self.user)


class AvailabilityInline(ScopedTabularInline):
    """On the employee: when they can work per weekday (no range: all day, unless a day off)."""

    model = Availability
    formset = AvailabilityFormSet
    fields = ["weekday", "start_time", "end_time"]
    ordering = ["weekday", "start_time"]
    show_change_link = False
    verbose_name = _("availability range")
    verbose_name_plural = _("availability (no range on a weekday: available all day)")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"user": request.user})


def _unchanged(**kwargs):
    """A request is not edited once asked: it moves only by its buttons and actions."""
    return None


@admin.register(LeaveRequest)
class LeaveRequestAdmin(ScopedModelAdmin):
    change_form_template = "admin/scheduling/leaverequest/change_form.html"
    list_display = [
        "employee",
        "store",
        "leave_type",
        "start_date",
        "end_date",
        "day_count",
        "status",
        "decided_by",
    ]
    list_display_links = ["employee"]
    list_filter = ["status", "leave_type", "employee__store"]
    list_select_related = ["employee", "employee__store", "decided_by"]
    search_fields = ["employee__name", "employee__id", "reason"]
    date_hierarchy = "start_date"
    autocomplete_fields = ["employee"]
    ordering = ["-start_date", "employee"]
    services = services
    create_service = "leave_request_create"
    update_service = staticmethod(_unchanged)
    actions = ["approve_selected", "deny_selected", "cancel_selected"]

    def service_object_kwarg(self) -> str:
        return "leave_request"

    def create_kwargs(self, request, form, formsets):
        data = form.cleaned_data
        return {
            "employee": data["employee"],
            "leave_type": data["leave_type"],
            "start_date": data["start_date"],
            "end_date": data["end_date"],
            "reason": data.get("reason", ""),
            "user": request.user,
        }

    def get_fields(self, request, obj=None):
        asked = ["employee", "leave_type", "start_date", "end_date", "reason"]
        if obj is None:
            return asked
        return [*asked, "status", "requested_by", "decided_by", "decided_at", "decision_note"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # requests are history: cancel instead

    def has_decide_permission(self, request) -> bool:
        return roles.can(request.user, "decide", RESOURCE)

    def has_cancel_permission(self, request) -> bool:
        return roles.can(request.user, "cancel", RESOURCE)

    @admin.display(description=_("store"), ordering="employee__store")
    def store(self, obj: LeaveRequest):
        return obj.employee.store

    @admin.display(description=pgettext_lazy("leave length", "days"))
    def day_count(self, obj: LeaveRequest) -> int:
        return obj.days

    approve_selected = transition_action(
        "leave_request_decide",
        None,
        _("Approve selected requests"),
        permission="decide",
        done=_("approved"),
        approve=True,
    )
    deny_selected = transition_action(
        "leave_request_decide", None, _("Deny selected requests"), permission="decide", done=_("denied"), approve=False
    )
    cancel_selected = transition_action(
        "leave_request_cancel", None, _("Cancel selected requests"), permission="cancel", done=_("cancelled")
    )
    # transition_action names its function after the service; two actions share one.
    approve_selected.__name__, deny_selected.__name__ = "approve_selected", "deny_selected"
    cancel_selected.__name__ = "cancel_selected"

    BUTTONS = {"_approve": "decide", "_deny": "decide", "_cancel_leave": "cancel"}

    def response_change(self, request, obj):
        pressed = next((b for b in self.BUTTONS if b in request.POST), None)
        if pressed is None:
            return super().response_change(request, obj)
        if not roles.can(request.user, self.BUTTONS[pressed], RESOURCE):
            raise PermissionDenied
        note = request.POST.get("decision_note_input", "")[:255]
        if pressed == "_cancel_leave":
            self.call_service(
                request,
                services.leave_request_cancel,
                leave_request=obj,
                note=note,
                user=request.user,
                success=_("The request is cancelled."),
            )
        else:
            approve = pressed == "_approve"
            self.call_service(
                request,
                services.leave_request_decide,
                leave_request=obj,
                approve=approve,
                note=note,
                user=request.user,
                success=_("The request is approved.") if approve else _("The request is denied."),
            )
        return HttpResponseRedirect(reverse("admin:scheduling_leaverequest_change", args=[obj.pk]))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            allowed = LeaveRequest.TRANSITIONS[obj.status]
            context.update(
                can_decide=LeaveRequest.Status.APPROVED in allowed and self.has_decide_permission(request),
                can_cancel=LeaveRequest.Status.CANCELLED in allowed and self.has_cancel_permission(request),
                # Nothing of a request is edited by saving; its buttons move it.
                show_save=False,
                show_save_and_continue=False,
                show_save_and_add_another=False,
            )
        return super().render_change_form(request, context, add, change, form_url, obj)
