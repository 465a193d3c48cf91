"""Orders in the admin: the workflow as actions, items inline while editable, totals by the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from orders import services
from orders.models import Order, OrderItem
from orders.workflow import allowed_moves
from stores.models import Employee
from zhilian.admin import ScopedModelAdmin, ScopedTabularInline, transition_action, yuan
from zhilian.errors import DomainError
from zhilian.models import YuanFormField, format_yuan

S = Order.Status


class OrderItemForm(forms.ModelForm):
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, max_value=services.MAX_QUANTITY, initial=1)
    unit_price_cents = YuanFormField(label=_("unit price"), min_value=0)

    class Meta:
        model = OrderItem
        # A dish code takes its name from the menu (menu.services); anything else is an open item.
        fields = ["item_code", "item_name", "quantity", "unit_price_cents", "notes", "is_open_item"]

    def clean_unit_price_cents(self):
        cents = self.cleaned_data["unit_price_cents"]
        if cents is not None and not 0 <= cents <= services.MAX_UNIT_PRICE_CENTS:
            raise ValidationError(_("Enter a price between ¥0 and %s.") % format_yuan(services.MAX_UNIT_PRICE_CENTS))
        return cents


class OrderItemFormSet(BaseInlineFormSet):
    """Checks what the services will check, before anything is saved: the discount fits the items."""

    def clean(self):
        super().clean()
        if any(self.errors) or not services.is_editable(self.instance.status):
            return
        subtotal = lines = 0
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data or self._should_delete_form(form):
                continue
            lines += 1
            quantity = form.cleaned_data.get("quantity") or 0
            price = form.cleaned_data.get("unit_price_cents") or 0
            subtotal += quantity * price
        if not lines:
            raise ValidationError(_("An order needs at least one item; cancel the order instead of emptying it."))
        discount = self.instance.discount_cents or 0
        if discount > subtotal:
            raise ValidationError(
                _("The discount (%(discount)s) cannot exceed the items' subtotal (%(subtotal)s).")
                % {"discount": format_yuan(discount), "subtotal": format_yuan(subtotal)}
            )


class OrderItemInline(ScopedTabularInline):
    model = OrderItem
    form = OrderItemForm
    formset = OrderItemFormSet
    fields = [
        "item_code", "item_name", "quantity", "unit_price_cents", "subtotal", "chosen", "notes", "is_open_item",
    ]  # fmt: skip
    readonly_fields = ["subtotal", "chosen"]
    show_change_link = False
    min_num = 1

    def get_queryset(self, request):
        # The modifiers chosen on every line in one query (orders.OrderItemModifier).
        return super().get_queryset(request).prefetch_related("chosen_modifiers")

    @admin.display(description=_("subtotal"))
    def subtotal(self, obj: OrderItem) -> str:
        return format_yuan(obj.subtotal_cents) if obj.pk else "-"

    @admin.display(description=_("modifiers"))
    def chosen(self, obj: OrderItem) -> str:
        names = [m.name for m in obj.chosen_modifiers.all()] if obj is not None and not obj._state.adding else []
        return "、".join(names) or "-"

    def _editable(self, obj) -> bool:
        return obj is None or services.is_editable(obj.status)

    # Items change only while the order is pending or confirmed; afterwards the inline is read-only.
    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)

    def get_min_num(self, request, obj=None, **kwargs):
        return self.min_num if self._editable(obj) else 0


class OrderAdmin(ScopedModelAdmin):
    list_display = [
        "id",
        "store",
        "status",
        "order_type",
        yuan("total_cents", _("total")),
        "order_time",
        "table_label",
        "waiter_name",
    ]
    list_filter = ["status", "order_type", "sales_channel", "store"]
    search_fields = ["id", "customer_phone", "customer_name"]
    date_hierarchy = "order_time"
    autocomplete_fields = ["store", "table", "waiter"]
    list_select_related = ["store", "table", "waiter"]
    # What the rows show: the columns above and the str() of the order, store, table and waiter
    # (stores/models.py), without the order's other timestamps, notes and metadata, the store's
    # JSON settings or the waiter's JSON profile (about half the page query's CPU).
    list_only_fields = [
        "id",
        "status",
        "order_type",
        "total_cents",
        "order_time",
        "store",
        "store__id",
        "store__name",
        "table",
        "table__id",
        "table__store_id",
        "table__room_name",
        "table__number",
        "table__capacity",
        "waiter",
        "waiter__id",
        "waiter__name",
        "waiter__position",
    ]
    ordering = ["-order_time"]
    inlines = [OrderItemInline]

    # The table and the waiter by what a host calls them (their full str() repeats the store's
    # ID and the employee's, which cost the changelist its width at 1440 px).
    @admin.display(description=_("table"), ordering="table__number")
    def table_label(self, obj) -> str:
        if obj.table is None:
            return "-"
        room = f"{obj.table.room_name} " if obj.table.room_name else ""
        return f"{room}{obj.table.number} ({obj.table.capacity})"

    @admin.display(description=_("waiter"), ordering="waiter__name")
    def waiter_name(self, obj) -> str:
        return obj.waiter.name if obj.waiter else "-"

    # The money columns are shown in yuan (subtotal, total) in place of the cents fields.
    readonly_fields = [*Order.SERVER_OWNED_FIELDS, "subtotal", "total"]
    fieldsets = [
        (None, {"fields": ["id", "store", "status", "order_type", "sales_channel", "order_time"]}),
        (_("Service"), {"fields": ["table", "waiter", "guest_count", "customer_name", "customer_phone"]}),
        (_("Money"), {"fields": ["subtotal", "discount_cents", "total"]}),
        (
            _("Workflow"),
            {
                "fields": [
                    "confirmed_at",
                    "preparing_at",
                    "ready_at",
                    "served_at",
                    "completed_at",
                    "cancelled_at",
                    "cancel_reason",
                ]
            },
        ),
        (_("Notes"), {"fields": ["notes", "metadata", "created_at", "updated_at"]}),
    ]

    @admin.display(description=_("subtotal"))
    def subtotal(self, obj: Order) -> str:
        return format_yuan(obj.subtotal_cents) if obj.pk else "-"

    @admin.display(description=_("total"))
    def total(self, obj: Order) -> str:
        return format_yuan(obj.total_cents) if obj.pk else "-"

    def has_transition_permission(self, request) -> bool:
        return request.user.has_perm("orders.transition_order")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ["store", "order_time"]  # an order never moves store, and its ID names the day
            if not services.is_editable(obj.status):
                fields += sorted(services.UPDATE_FIELDS_LOCKED_AFTER_CONFIRMED)
            if obj.status in services.CLOSED_STATUSES:
                fields += sorted(services.UPDATE_FIELDS - services.UPDATE_FIELDS_LOCKED_AFTER_CONFIRMED)
        return fields

    # --- saving: every write goes through the services ------------------------------------------
    # A new order is created with its items by order_create (ID, totals, event); a change saves the
    # order's own fields, then its items, then the totals with the (new) discount (edit_order).
    services = services
    create_service = "order_create"
    update_service = "edit_order"  # an admin method (below): several services in one transaction
    service_saves_inlines = True

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            # A new order takes tables and waiters in service only (order_create refuses others).
            for name in ("table", "waiter"):
                field = form.base_fields.get(name)
                if field is not None:
                    field.queryset = field.queryset.filter(is_active=True)
        waiter = form.base_fields.get("waiter")
        if waiter is not None:
            # Front of house only (the services refuse a chef as waiter); an order keeps the one it has.
            keep = Q(pk=obj.waiter_id) if obj is not None and obj.waiter_id else Q(pk__in=[])
            waiter.queryset = waiter.queryset.filter(Q(position__in=Employee.SERVICE_POSITIONS) | keep)
        return form

    def has_delete_permission(self, request, obj=None):
        # A completed or cancelled order is history (the KPIs and the ledger point at it).
        if obj is not None and obj.status in services.CLOSED_STATUSES:
            return False
        return super().has_delete_permission(request, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for warning in self.seating_warnings(form.instance):
            self.message_user(request, warning, level=messages.WARNING)

    @staticmethod
    def seating_warnings(order: Order) -> list[str]:
        """What a host should know about a dine-in order's table, without refusing it (a party
        squeezes in; a second ticket for the same table happens): too many guests for its
        seats, and other open orders at the table."""
        table = order.table
        if table is None or order.status in services.CLOSED_STATUSES:
            return []
        warnings = []
        if order.guest_count > table.capacity:
            warnings.append(
                gettext("Table %(table)s seats %(seats)d; this order has %(guests)d guests.")
                % {"table": table.number, "seats": table.capacity, "guests": order.guest_count}
            )
        others = list(
            Order.objects.filter(table=table)
            .exclude(pk=order.pk)
            .exclude(status__in=services.CLOSED_STATUSES)
            .values_list("pk", flat=True)[:3]
        )
        if others:
            warnings.append(
                gettext("Table %(table)s already has an open order: %(orders)s.")
                % {"table": table.number, "orders": ", ".join(others)}
            )
        return warnings

    # --- the workflow on the order's page: one button per allowed move -------------------------------

    def get_urls(self):
        move = self.admin_site.admin_view(require_POST(self.move_view))
        return [path("<path:object_id>/move/<str:status>/", move, name="orders_order_move"), *super().get_urls()]

    def move_view(self, request, object_id: str, status: str):
        order = self.get_object(request, object_id)
        if order is None:
            raise Http404
        if not self.has_transition_permission(request):
            raise PermissionDenied
        try:
            services.order_transition(
                order=order, status=status, user=request.user, reason=request.POST.get("reason", "")
            )
        except DomainError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
        else:
            self.message_user(
                request,
                gettext("Order %(order)s moved to %(status)s.")
                % {"order": order.pk, "status": order.get_status_display()},
                level=messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:orders_order_change", args=[order.pk]))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and self.has_transition_permission(request):
            context["order_moves"] = [
                {
                    "status": status,
                    "label": S(status).label,
                    "url": reverse("admin:orders_order_move", args=[obj.pk, status]),
                    "needs_reason": status == S.CANCELLED,
                }
                for status in allowed_moves(obj.status)
            ]
            context["seating_warnings"] = self.seating_warnings(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def service(self, name):
        if name == "edit_order":
            return self.edit_order
        return super().service(name)

    def create_kwargs(self, request, form, formsets):
        fields = {name: form.cleaned_data[name] for name in services.CREATE_FIELDS if name in form.cleaned_data}
        fields["discount_cents"] = fields.get("discount_cents") or 0
        items = [
            {name: f.cleaned_data[name] for name in OrderItemForm.Meta.fields if name in f.cleaned_data}
            for formset in formsets
            if formset.model is OrderItem
            for f in formset.forms
            if f.cleaned_data and not formset._should_delete_form(f)
        ]
        return {**fields, "store": form.cleaned_data["store"], "items": items, "user": request.user}

    def update_kwargs(self, request, obj, form, formsets):
        changes = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in services.UPDATE_FIELDS and name != "discount_cents"
        }
        items = next((formset for formset in formsets if formset.model is OrderItem), None)
        discount = (form.cleaned_data.get("discount_cents") or 0) if services.is_editable(obj.status) else None
        return {"order": obj, "user": request.user, "changes": changes, "items": items, "discount_cents": discount}

    @staticmethod
    def edit_order(*, order: Order, user, changes: dict, items, discount_cents: int | None) -> Order:
        """The order's fields, its items (added, changed, removed: each by its service) and its
        totals with the new discount, in one transaction (the base's): any refusal undoes all."""
        if changes:
            services.order_update(order=order, user=user, **changes)
        if items is not None:
            if discount_cents is not None and discount_cents < order.discount_cents:
                # A lower discount first, so that smaller items in the same edit fit under it.
                services.order_recompute_totals(order=order, discount_cents=discount_cents, user=user)
            items.save(commit=False)  # sorts the rows into new, changed and deleted; writes nothing
            # New rows first: replacing every item never leaves the order empty in between.
            for item in items.new_objects:
                data = {name: getattr(item, name) for name in OrderItemForm.Meta.fields}
                services.order_item_add(order=order, user=user, **data)
            for item, changed in items.changed_objects:
                # A line's kind (dish or open item) is decided when it is added.
                edited = {name: getattr(item, name) for name in changed if name != "is_open_item"}
                if edited:
                    services.order_item_update(item=item, user=user, **edited)
            for item in items.deleted_objects:
                services.order_item_remove(item=item, user=user)
        return services.order_recompute_totals(order=order, discount_cents=discount_cents, user=user)

    # --- workflow actions -------------------------------------------------------------------------

    actions = [
        transition_action("order_transition", S.CONFIRMED, _("Confirm selected orders")),
        transition_action("order_transition", S.PREPARING, _("Start preparing selected orders")),
        transition_action("order_transition", S.READY, _("Mark selected orders ready")),
        transition_action("order_transition", S.SERVED, _("Mark selected orders served")),
        transition_action("order_transition", S.COMPLETED, _("Complete selected orders")),
        transition_action(
            "order_transition", S.CANCELLED, _("Cancel selected orders"), reason="Cancelled in the admin"
        ),
    ]


admin.site.register(Order, OrderAdmin)
