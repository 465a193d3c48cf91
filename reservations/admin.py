"""Reservations in the admin: tables through an inline, every save through the booking services.

The form and the table inline run the services' checks (slot, tables, overlap) while the forms
are validated, so a double booking is a form error; the save itself then goes through
reservation_create / reservation_update, which check again with the tables locked. If a
concurrent booking wins in between, the whole save rolls back and the refusal is shown.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reservations import admin_book, services
from reservations.models import Reservation, ReservationTable
from zhilian.admin import ScopedModelAdmin, ScopedTabularInline, transition_action, yuan
from zhilian.errors import DomainError, InvalidInput

S = Reservation.Status


class ReservationDayFilter(admin.SimpleListFilter):
    """When the bookings are: today (what the host stand opens the list for), tomorrow, the next
    7 days, past ones, or every date. Today unless the user searches or picks dates in the date
    hierarchy, which then see every date."""

    title = _("when")
    parameter_name = "when"
    # (choice, label, first day offset, last day offset); None: unbounded.
    RANGES = {
        "today": (0, 0),
        "tomorrow": (1, 1),
        "next7": (0, 6),
        "past": (None, -1),
    }

    def __init__(self, request, params, model, model_admin):
        self._searching = bool(request.GET.get("q")) or any(k.startswith("reservation_date__") for k in request.GET)
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return [
            ("today", _("Today")),
            ("tomorrow", _("Tomorrow")),
            ("next7", _("Next 7 days")),
            ("past", _("Past")),
            ("all", _("All dates")),
        ]

    def value(self):
        value = super().value()
        if value is None:
            return "all" if self._searching else "today"
        return value

    def choices(self, changelist):
        # No Django "All" entry: "All dates" is one of the lookups, and no parameter means today.
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        bounds = self.RANGES.get(self.value())
        if bounds is None:
            return queryset
        today = timezone.localdate()
        first, last = bounds
        if first is not None:
            queryset = queryset.filter(reservation_date__gte=today + dt.timedelta(days=first))
        return queryset.filter(reservation_date__lte=today + dt.timedelta(days=last))


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

    def chosen_tables(self) -> list:
        return [
            form.cleaned_data["table"]
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and form.cleaned_data.get("table")
            and not self._should_delete_form(form)
        ]

    def clean(self):
        super().clean()
        reservation: Reservation = self.instance
        if any(self.errors):
            return
        tables = self.chosen_tables()
        if len({t.pk for t in tables}) != len(tables):
            raise ValidationError(_("A table is listed twice."))
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
    list_filter = [ReservationDayFilter, "status", "reservation_type", "store"]
    search_fields = ["=id", "customer_name", "customer_phone"]
    date_hierarchy = "reservation_date"
    autocomplete_fields = ["store"]
    list_select_related = ["store"]
    # The evening in the order the guests arrive (the day filter opens on today).
    ordering = ["reservation_date", "reservation_time"]
    inlines = [ReservationTableInline]
    readonly_fields = Reservation.SERVER_OWNED_FIELDS
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
        transition_action("reservation_transition", S.CONFIRMED, _("Confirm selected reservations")),
        transition_action("reservation_transition", S.ARRIVED, _("Mark selected reservations arrived")),
        transition_action("reservation_transition", S.SEATED, _("Mark selected reservations seated")),
        transition_action("reservation_transition", S.COMPLETED, _("Complete selected reservations")),
        transition_action(
            "reservation_transition", S.CANCELLED, _("Cancel selected reservations"), reason="Cancelled in the admin"
        ),
        transition_action("reservation_transition", S.NO_SHOW, _("Mark selected reservations no-show")),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tables")

    def get_urls(self):
        # The day view, its two forms and the floor (reservations/admin_book.py), before "<id>/".
        view = self.admin_site.admin_view
        pages = [
            ("book/", admin_book.book_view, "book"),
            ("book/slot/", admin_book.book_slot_view, "book_slot"),
            ("book/move/", admin_book.book_move_view, "book_move"),
            ("floor/", admin_book.floor_view, "floor"),
        ]
        return [
            *(
                path(
                    route, view(lambda request, page=page: page(self, request)), name=f"reservations_reservation_{name}"
                )
                for route, page, name in pages
            ),
            *super().get_urls(),
        ]

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
    # The form and the inline ran the services' checks; the services check again with the tables
    # locked (a concurrent booking that wins in between is a refusal shown on the form). They
    # write the table links; the inline only carries the choice.
    services = services
    create_service = "reservation_create"
    update_service = "reservation_update"
    service_saves_inlines = True
    service_fields = services.WRITABLE_FIELDS

    @staticmethod
    def _tables(formsets):
        """The chosen tables; None when no table inline ran (keep the tables), [] for the best fit."""
        formset = next((f for f in formsets if isinstance(f, ReservationTableFormSet)), None)
        return None if formset is None else formset.chosen_tables()

    def create_kwargs(self, request, form, formsets):
        kwargs = super().create_kwargs(request, form, formsets)
        return {**kwargs, "store": form.cleaned_data["store"], "tables": self._tables(formsets) or None}

    def update_kwargs(self, request, obj, form, formsets):
        return {**super().update_kwargs(request, obj, form, formsets), "tables": self._tables(formsets)}


admin.site.add_shortcut(
    "admin:reservations_reservation_book",
    _("Reservation book"),
    _("The day's bookings by table and time: book a free slot, move a booking"),
    permission="reservations.view_reservation",
)
admin.site.add_shortcut(
    "admin:reservations_reservation_floor",
    _("Floor"),
    _("Each table now: free, reserved soon, seated or needs clearing"),
    permission="reservations.view_reservation",
)
