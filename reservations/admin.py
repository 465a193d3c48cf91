"""Reservations in the admin: tables through an inline, every save through the booking services.

The form and the table inline run the services' checks (slot, tables, overlap) while the forms
are validated, so a double booking is a form error; the save itself then goes through
reservation_create / reservation_update, which check again with the tables locked. If a
concurrent booking wins in between, the whole save rolls back and the refusal is shown.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from reservations import services
from reservations.models import Reservation, ReservationTable
from zhilian.admin import ScopedModelAdmin, ScopedTabularInline, yuan
from zhilian.errors import DomainError, InvalidInput

S = Reservation.Status


def _messages(exc: DomainError) -> list[str]:
    if isinstance(exc, InvalidInput):
        return [message for messages_ in exc.errors.values() for message in messages_]
    return [exc.message]


class ReservationAdminForm(forms.ModelForm):
    class Meta:
        model = Reservation
        fields = [*sorted(services.WRITABLE_FIELDS), "store"]

    def clean(self):
        cleaned = super().clean()
        store = cleaned.get("store") or (self.instance.store if self.instance.store_id else None)
        day, time, duration = (cleaned.get(k) for k in ("reservation_date", "reservation_time", "duration_minutes"))
        timing_changed = self.instance._state.adding or bool(
            {"reservation_date", "reservation_time", "duration_minutes"} & set(self.changed_data)
        )
        if store is not None and day and time and duration and timing_changed:
            for field, errors in services.reservation_slot_errors(
                store=store, day=day, time=time, duration_minutes=duration
            ).items():
                for error in errors:
                    self.add_error(field if field in self.fields else None, error)
        return cleaned


class ReservationTableFormSet(BaseInlineFormSet):
    """Checks the chosen tables as the booking service will: store, service, capacity, overlap."""

    def clean(self):
        super().clean()
        reservation: Reservation = self.instance
        reservation._admin_tables = None
        if any(self.errors):
            return
        tables = [
            form.cleaned_data["table"]
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and form.cleaned_data.get("table")
            and not self._should_delete_form(form)
        ]
        if len({t.pk for t in tables}) != len(tables):
            raise ValidationError(_("A table is listed twice."))
        reservation._admin_tables = tables
        ready = reservation.store_id and all(
            (
                reservation.reservation_date,
                reservation.reservation_time,
                reservation.duration_minutes,
                reservation.party_size,
            )
        )
        if not ready:
            return  # the reservation form shows what is missing
        common = {
            "store": reservation.store,
            "day": reservation.reservation_date,
            "time": reservation.reservation_time,
            "duration_minutes": reservation.duration_minutes,
            "party_size": reservation.party_size,
            "reservation_type": reservation.reservation_type,
            "room_name": reservation.room_name,
            "exclude_id": None if reservation._state.adding else reservation.pk,
        }
        try:
            if tables:
                services.reservation_check(**common, tables=tables, check_slot=False)
            else:
                services.reservation_best_fit(**common)  # nothing chosen: one must be free to pick
        except DomainError as exc:
            raise ValidationError(_messages(exc)) from exc


class ReservationTableInline(ScopedTabularInline):
    model = ReservationTable
    formset = ReservationTableFormSet
    fields = ["table", "capacity"]
    readonly_fields = ["capacity"]
    autocomplete_fields = ["table"]
    show_change_link = False
    verbose_name = _("table")
    verbose_name_plural = _("tables (leave empty to assign the best free fit)")

    @admin.display(description=_("capacity"))
    def capacity(self, obj: ReservationTable) -> str:
        return str(obj.table.capacity) if obj.pk else "-"

    # The links are part of the reservation: the reservation's permissions and status decide.
    def _may_edit(self, request, obj) -> bool:
        if obj is None:
            return request.user.has_perm("reservations.add_reservation")
        return obj.status in services.EDITABLE_STATUSES and request.user.has_perm("reservations.change_reservation")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("reservations.view_reservation")

    def has_add_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("table")


def _named(reservation_id: str):
    """reservation_transition whose refusal names the reservation (several are moved at once)."""

    def move(**kwargs):
        try:
            return services.reservation_transition(**kwargs)
        except DomainError as exc:
            exc.message = f"{reservation_id}: {exc.message}"
            raise

    return move


def _transition_action(status: str, label, *, reason: str = ""):
    def action(modeladmin: ReservationAdmin, request, queryset):
        modeladmin.move_reservations(request, queryset, status, reason=reason)

    action.__name__ = f"mark_{status}"
    return admin.action(description=label, permissions=["transition"])(action)


@admin.register(Reservation)
class ReservationAdmin(ScopedModelAdmin):
    form = ReservationAdminForm
    list_display = [
        "id",
        "store",
        "customer_name",
        "customer_phone",
        "reservation_date",
        "reservation_time",
        "party_size",
        "status",
        "reservation_type",
        "table_numbers",
        yuan("deposit_cents", _("deposit")),
    ]
    list_filter = ["status", "reservation_type", "store", "reservation_date"]
    search_fields = ["=id", "customer_name", "customer_phone"]
    date_hierarchy = "reservation_date"
    autocomplete_fields = ["store"]
    list_select_related = ["store"]
    ordering = ["-reservation_date", "-reservation_time"]
    inlines = [ReservationTableInline]
    readonly_fields = [
        "id",
        "status",
        "starts_at",
        "ends_at",
        "confirmed_at",
        "arrival_time",
        "seated_at",
        "completed_at",
        "cancelled_at",
        "no_show_at",
        "cancel_reason",
        "created_by",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["id", "store", "status", "reservation_type"]}),
        (_("Guest"), {"fields": ["customer_name", "customer_phone", "customer_email", "party_size"]}),
        (_("When"), {"fields": ["reservation_date", "reservation_time", "duration_minutes", "starts_at", "ends_at"]}),
        (
            _("Banquet and private room"),
            {
                "fields": ["room_name", "banquet_details", "estimated_budget_cents", "deposit_cents"],
                "description": _("Budget and deposit in yuan. A private room needs private-room tables."),
            },
        ),
        (_("Requests"), {"fields": ["special_requests", "dietary_restrictions", "notes"]}),
        (
            _("Workflow"),
            {
                "fields": [
                    "confirmed_at",
                    "arrival_time",
                    "seated_at",
                    "completed_at",
                    "cancelled_at",
                    "no_show_at",
                    "cancel_reason",
                    "created_by",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]
    actions = [
        _transition_action(S.CONFIRMED, _("Confirm selected reservations")),
        _transition_action(S.ARRIVED, _("Mark selected reservations arrived")),
        _transition_action(S.SEATED, _("Mark selected reservations seated")),
        _transition_action(S.COMPLETED, _("Complete selected reservations")),
        _transition_action(S.CANCELLED, _("Cancel selected reservations"), reason="Cancelled in the admin"),
        _transition_action(S.NO_SHOW, _("Mark selected reservations no-show")),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tables")

    @admin.display(description=_("tables"))
    def table_numbers(self, obj: Reservation) -> str:
        return ", ".join(sorted(t.number for t in obj.tables.all())) or "-"

    def has_transition_permission(self, request) -> bool:
        return request.user.has_perm("reservations.transition_reservation")

    def has_change_permission(self, request, obj=None):
        # Past the guests' arrival the booking is history: viewable, changed only by actions.
        if obj is not None and obj.status not in services.EDITABLE_STATUSES:
            return False
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("store")  # a reservation never moves store; its ID names it
        return fields

    # --- saving through the services ---------------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            # A concurrent booking won between validation and save: nothing was written.
            for message in _messages(exc):
                self.message_user(request, message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj: Reservation, form, change: bool) -> None:
        # None when no table inline ran (keep the tables); [] asks for the best free fit.
        tables = getattr(obj, "_admin_tables", None)
        fields = {name: form.cleaned_data[name] for name in services.WRITABLE_FIELDS if name in form.cleaned_data}
        if not change:
            created = services.reservation_create(store=obj.store, tables=tables or None, user=request.user, **fields)
            for field in Reservation._meta.concrete_fields:
                setattr(obj, field.attname, getattr(created, field.attname))
            obj._state.adding = False
            return
        changed = {name: value for name, value in fields.items() if name in form.changed_data}
        services.reservation_update(reservation=obj, tables=tables, user=request.user, **changed)

    def save_related(self, request, form, formsets, change: bool) -> None:
        # The services wrote the table links; the inline formsets only carried the choice.
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    # --- workflow actions --------------------------------------------------------------------

    def move_reservations(self, request, queryset, status: str, *, reason: str = "") -> None:
        moved = refused = 0
        # One reservation at a time, in a stable order: each move locks its own row.
        for reservation in queryset.order_by("pk"):
            result = self.call_service(
                request,
                _named(reservation.pk),
                reservation=reservation,
                status=status,
                reason=reason,
                user=request.user,
            )
            if result is None:
                refused += 1
            else:
                moved += 1
        if moved:
            self.message_user(
                request,
                ngettext(
                    "%(count)d reservation moved to %(status)s.", "%(count)d reservations moved to %(status)s.", moved
                )
                % {"count": moved, "status": S(status).label},
                level=messages.SUCCESS,
            )
        if refused:
            self.message_user(
                request,
                ngettext("%(count)d reservation was refused.", "%(count)d reservations were refused.", refused)
                % {"count": refused},
                level=messages.WARNING,
            )
