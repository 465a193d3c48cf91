"""The reservation book's day view and the floor of now: the host stand's screens in the admin
(ReservationAdmin's `book/` and `floor/` URLs).

The day view is the store's tables by area × time slots of the day's business hours, bookings as
blocks (reservations.selectors.reservation_book_grid). A free slot opens a small form that books
through `reservation_create`; a booking opens one that moves it (time, duration, tables) through
`reservation_update`: the same services as the API, so every refusal (overlap, capacity, hours)
comes back as the service's message on the form, never a 500. book.js shows those forms in a
dialog over the grid; without it they are pages of their own.

Store scoping as on the week grid: the store must be visible to the user; another store's id, or
a reservation of another store, answers 404 like an unknown one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from reservations import selectors, services
from reservations.models import Reservation
from reservations.selectors.floor import FLOOR_STATES
from scheduling.admin_week import requested_day, requested_store
from stores.models import Store, Table
from zhilian import roles
from zhilian.admin import add_domain_error
from zhilian.errors import DomainError

DEFAULT_DURATION = 120


def book_url(store_id: str, day: dt.date, step: int = 30) -> str:
    params = {"store": store_id, "day": day.isoformat()}
    if step != 30:
        params["step"] = str(step)
    return f"{reverse('admin:reservations_reservation_book')}?{urlencode(params)}"


def _step(request) -> int:
    return 15 if request.GET.get("step") == "15" else 30


def _area_label(kind: str, room_name: str) -> str:
    kinds = dict(Table.Kind.choices)
    return f"{kinds.get(kind, kind)} · {room_name}" if room_name else str(kinds.get(kind, kind))


def _context(model_admin, request, **extra) -> dict:
    request.current_app = model_admin.admin_site.name
    return {
        **model_admin.admin_site.each_context(request),
        "subtitle": None,
        "opts": model_admin.model._meta,
        **extra,
    }


def book_view(model_admin, request):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    store, stores = requested_store(request, request.GET.get("store"))
    day = requested_day(request, "day") or timezone.localdate()
    step = _step(request)
    grid = selectors.reservation_book_grid(store=store, day=day, step=step)
    can_add = model_admin.has_add_permission(request)
    can_change = roles.can(request.user, "change", "reservations.reservation")
    statuses = dict(Reservation.Status.choices)
    slot_base = reverse("admin:reservations_reservation_book_slot")
    move_base = reverse("admin:reservations_reservation_book_move")
    for booking in grid["bookings"].values():
        booking["status_label"] = statuses.get(booking["status"], booking["status"])
        editable = can_change and booking["status"] in services.EDITABLE_STATUSES
        booking["url"] = f"{move_base}?{urlencode({'reservation': booking['id']})}" if editable else ""
        booking["change_url"] = reverse("admin:reservations_reservation_change", args=[booking["id"]])
    for area in grid["areas"]:
        area["label"] = _area_label(area["kind"], area["room_name"])
        for table in area["tables"]:
            for cell in table["cells"]:
                slot = cell.get("slot")
                if slot and slot["open"] and not slot["past"] and can_add:
                    query = {"store": store.pk, "day": day.isoformat(), "time": slot["label"], "table": table["id"]}
                    cell["url"] = f"{slot_base}?{urlencode(query)}"
    active = [b for b in grid["bookings"].values() if b["status"] in Reservation.ACTIVE_STATUSES]
    context = _context(
        model_admin,
        request,
        # The grid needs the page's whole width.
        is_nav_sidebar_enabled=False,
        title=_("Reservation book"),
        store=store,
        stores=stores if roles.is_admin(request.user) else [],
        day=day,
        day_param=day.isoformat(),
        day_label=date_format(day, pgettext("reservation book day (Django date format)", "l, F j, Y")),
        is_today=day == timezone.localdate(),
        step=step,
        grid=grid,
        hours=", ".join(f"{a}–{b}" for a, b in store.hours_on(day.weekday())),
        booking_count=len(active),
        cover_count=sum(b["party_size"] for b in active),
        statuses=[(s, statuses[s]) for s in selectors.book.SHOWN_STATUSES],
        prev_url=book_url(store.pk, day - dt.timedelta(days=1), step),
        next_url=book_url(store.pk, day + dt.timedelta(days=1), step),
        today_url=book_url(store.pk, timezone.localdate(), step),
        step_urls=[(s, book_url(store.pk, day, s)) for s in (15, 30)],
        floor_url=f"{reverse('admin:reservations_reservation_floor')}?{urlencode({'store': store.pk})}",
        can_add=can_add,
    )
    return TemplateResponse(request, "admin/reservations/reservation/book.html", context)


# --- the forms: book a free slot, move a booking ----------------------------------------------------


def _label(name: str):
    return Reservation._meta.get_field(name).verbose_name


class TablesField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Table) -> str:
        return f"{obj.number} ({obj.capacity})"


class SlotForm(forms.Form):
    """When and where: the part of a booking the day view changes."""

    reservation_date = forms.DateField(
        label=_label("reservation_date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reservation_time = forms.TimeField(
        label=_label("reservation_time"), widget=forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M")
    )
    duration_minutes = forms.IntegerField(
        label=_label("duration_minutes"), min_value=15, max_value=720, widget=forms.NumberInput(attrs={"step": 15})
    )
    tables = TablesField(label=_("tables"), queryset=Table.objects.none(), required=False)

    def __init__(self, *args, store: Store, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tables"].queryset = Table.objects.filter(store=store, is_active=True).order_by("number")


class BookForm(SlotForm):
    customer_name = forms.CharField(label=_label("customer_name"), max_length=100)
    customer_phone = forms.CharField(label=_label("customer_phone"), max_length=32)
    party_size = forms.IntegerField(label=_label("party_size"), min_value=1, max_value=500)

    field_order = [
        "customer_name",
        "customer_phone",
        "party_size",
        "reservation_date",
        "reservation_time",
        "duration_minutes",
        "tables",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tables"].help_text = _("None ticked: the best free fit.")


def _back(request, url: str) -> HttpResponse:
    """Back to the book: a redirect, or for the book's dialog (book.js) a 204 naming the page."""
    if request.headers.get("X-Book-Dialog") == "1":
        return HttpResponse(status=204, headers={"X-Book-Location": url})
    return HttpResponseRedirect(url)


def _parse_time(value: str | None) -> dt.time | None:
    try:
        return dt.time.fromisoformat((value or "").strip())
    except ValueError:
        return None


def book_slot_view(model_admin, request):
    """A free slot: book it (guest, phone, party size, duration; the slot's table ticked)."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    # The slot travels in the query string (the form posts back to the same URL).
    store, _stores = requested_store(request, request.GET.get("store"))
    day = requested_day(request, "day") or timezone.localdate()
    time = _parse_time(request.GET.get("time"))
    table = None
    if _is_uuid(request.GET.get("table")):
        table = Table.objects.filter(store=store, pk=request.GET["table"], is_active=True).first()
    back = book_url(store.pk, day)
    initial = {
        "reservation_date": day,
        "reservation_time": time,
        "duration_minutes": _default_duration(store, day, time),
        "party_size": min(table.capacity, 2) if table else 2,
        "tables": [table.pk] if table else [],
    }
    form = BookForm(request.POST or None, initial=initial, store=store)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        tables = list(data.pop("tables"))
        try:
            reservation = services.reservation_create(store=store, tables=tables or None, user=request.user, **data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            model_admin.message_user(
                request,
                gettext("Booked %(name)s, %(party)d guests at %(time)s, tables %(tables)s.")
                % {
                    "name": reservation.customer_name,
                    "party": reservation.party_size,
                    "time": f"{reservation.reservation_time:%H:%M}",
                    "tables": ", ".join(t.number for t in reservation.tables.all()),
                },
                messages.SUCCESS,
            )
            return _back(request, book_url(store.pk, reservation.reservation_date))
    context = _context(
        model_admin,
        request,
        title=_("Book a table"),
        form=form,
        store=store,
        table=table,
        back_url=back,
        action_url=request.get_full_path(),
        submit_label=_("Book"),
        form_id="bk-book-form",
    )
    return TemplateResponse(request, "admin/reservations/reservation/book_form.html", context)


def _is_uuid(value: str | None) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _default_duration(store: Store, day: dt.date, time: dt.time | None) -> int:
    """Two hours, or less when the opening interval closes sooner (never below 15 minutes)."""
    if time is None:
        return DEFAULT_DURATION
    start = time.hour * 60 + time.minute
    for opens, closes in store.hours_on(day.weekday()):
        a, b = (int(opens[:2]) * 60 + int(opens[3:]), int(closes[:2]) * 60 + int(closes[3:]))
        if a <= start < b:
            return max(min(DEFAULT_DURATION, (b - start) // 15 * 15), 15)
    return DEFAULT_DURATION


def book_move_view(model_admin, request):
    """A booking: move it to another time or other tables (or change its duration)."""
    try:
        reservation = (
            Reservation.objects.for_user(request.user)
            .select_related("store")
            .prefetch_related("tables")
            .get(pk=request.GET.get("reservation") or "")
        )
    except Reservation.DoesNotExist:
        raise Http404(gettext("No such reservation.")) from None
    if not model_admin.has_change_permission(request, reservation):
        raise PermissionDenied
    store = reservation.store
    back = book_url(store.pk, reservation.reservation_date)
    current_tables = list(reservation.tables.all())
    initial = {
        "reservation_date": reservation.reservation_date,
        "reservation_time": reservation.reservation_time,
        "duration_minutes": reservation.duration_minutes,
        "tables": [t.pk for t in current_tables],
    }
    form = SlotForm(request.POST or None, initial=initial, store=store)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        tables = list(data.pop("tables"))
        try:
            # No table ticked keeps the tables the booking has.
            moved = services.reservation_update(
                reservation=reservation, tables=tables or None, user=request.user, **data
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            model_admin.message_user(
                request,
                gettext("%(name)s moved to %(day)s %(time)s, tables %(tables)s.")
                % {
                    "name": moved.customer_name,
                    "day": date_format(moved.reservation_date, "SHORT_DATE_FORMAT"),
                    "time": f"{moved.reservation_time:%H:%M}",
                    "tables": ", ".join(t.number for t in moved.tables.all()),
                },
                messages.SUCCESS,
            )
            return _back(request, book_url(store.pk, moved.reservation_date))
    context = _context(
        model_admin,
        request,
        title=_("Move a booking"),
        form=form,
        store=store,
        reservation=reservation,
        current_tables=", ".join(t.number for t in current_tables),
        back_url=back,
        action_url=request.get_full_path(),
        change_url=reverse("admin:reservations_reservation_change", args=[reservation.pk]),
        submit_label=_("Move"),
        form_id="bk-move-form",
    )
    return TemplateResponse(request, "admin/reservations/reservation/book_form.html", context)


# --- the floor of now ----------------------------------------------------------------------------


def floor_strings() -> dict:
    """Every string floor.js shows, translated here."""
    return {
        "states": {
            "free": pgettext("floor state", "Free"),
            "soon": pgettext("floor state", "Reserved soon"),
            "seated": pgettext("floor state", "Seated"),
            "clearing": pgettext("floor state", "Needs clearing"),
        },
        "seats": gettext("%(count)s seats"),
        "guests": gettext("%(count)s guests"),
        "order_since": gettext("Order %(id)s since %(time)s"),
        "completed_at": gettext("Paid at %(time)s"),
        "reservation": gettext("%(time)s %(name)s ×%(party)s"),
        "in_minutes": gettext("in %(minutes)s min"),
        "live": gettext("Live"),
        "offline": gettext("Reconnecting…"),
        "updated": gettext("Updated %(time)s"),
    }


def floor_view(model_admin, request):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    store, stores = requested_store(request, request.GET.get("store"))
    state = selectors.floor_state(store=store)
    strings = floor_strings()
    config = {
        "store": store.pk,
        "floorUrl": f"{reverse('reservations:floor')}?{urlencode({'store': store.pk})}",
        "wsStore": f"/ws/stores/{store.pk}/",
        "wsOrigin": settings.ZHILIAN_WS_URL or None,
        "timeZone": settings.TIME_ZONE,
        "language": request.LANGUAGE_CODE,
        "strings": strings,
    }
    areas: list[dict] = []
    for table in state["tables"]:
        key = (table["kind"], table["room_name"])
        if not areas or areas[-1]["key"] != key:
            areas.append({"key": key, "label": _area_label(*key), "tables": []})
        areas[-1]["tables"].append(table)
    context = _context(
        model_admin,
        request,
        is_nav_sidebar_enabled=False,
        title=_("Floor"),
        store=store,
        stores=stores if roles.is_admin(request.user) else [],
        state=state,
        areas=areas,
        legend=[(s, strings["states"][s], state["counts"][s]) for s in FLOOR_STATES],
        config=config,
        book_url=book_url(store.pk, timezone.localdate()),
    )
    return TemplateResponse(request, "admin/reservations/reservation/floor.html", context)
