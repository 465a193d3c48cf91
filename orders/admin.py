"""Orders in the admin: the workflow as actions, items inline while editable, totals by the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from orders import services
from orders.models import Order, OrderItem
from zhilian.admin import ScopedModelAdmin, ScopedTabularInline, yuan
from zhilian.errors import DomainError
from zhilian.models import YuanFormField, format_yuan

S = Order.Status


class OrderItemForm(forms.ModelForm):
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, max_value=services.MAX_QUANTITY, initial=1)
    unit_price_cents = YuanFormField(label=_("unit price"), min_value=0)

    class Meta:
        model = OrderItem
        fields = ["item_code", "item_name", "quantity", "unit_price_cents", "notes"]

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
    fields = ["item_code", "item_name", "quantity", "unit_price_cents", "subtotal", "notes"]
    readonly_fields = ["subtotal"]
    show_change_link = False
    min_num = 1

    @admin.display(description=_("subtotal"))
    def subtotal(self, obj: OrderItem) -> str:
        return format_yuan(obj.subtotal_cents) if obj.pk else "-"

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


def _transition_action(status: str, label, *, reason: str = ""):
    def action(modeladmin: OrderAdmin, request, queryset):
        modeladmin.move_orders(request, queryset, status, reason=reason)

    action.__name__ = f"mark_{status}"
    return admin.action(description=label, permissions=["transition"])(action)


class OrderAdmin(ScopedModelAdmin):
    list_display = [
        "id",
        "store",
        "status",
        "order_type",
        yuan("total_cents", _("total")),
        "order_time",
        "table",
        "waiter",
    ]
    list_filter = ["status", "order_type", "sales_channel", "store"]
    search_fields = ["id", "customer_phone", "customer_name"]
    date_hierarchy = "order_time"
    autocomplete_fields = ["store", "table", "waiter"]
    list_select_related = ["store", "table", "waiter"]
    ordering = ["-order_time"]
    inlines = [OrderItemInline]
    readonly_fields = [
        "id",
        "status",
        "subtotal",
        "total",
        "confirmed_at",
        "preparing_at",
        "ready_at",
        "served_at",
        "completed_at",
        "cancelled_at",
        "cancel_reason",
        "created_at",
        "updated_at",
    ]
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
    actions = [
        _transition_action(S.CONFIRMED, _("Confirm selected orders")),
        _transition_action(S.PREPARING, _("Start preparing selected orders")),
        _transition_action(S.READY, _("Mark selected orders ready")),
        _transition_action(S.SERVED, _("Mark selected orders served")),
        _transition_action(S.COMPLETED, _("Complete selected orders")),
        _transition_action(S.CANCELLED, _("Cancel selected orders"), reason="Cancelled in the admin"),
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
    # A new order is created with its items by order_create (ID, totals, event) once the inline
    # formset is known (save_related). A change saves the order's own fields with order_update,
    # lets the inline save the items, then recomputes the totals with the (new) discount.

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            # A new order takes tables and waiters in service only (order_create refuses others).
            for name in ("table", "waiter"):
                field = form.base_fields.get(name)
                if field is not None:
                    field.queryset = field.queryset.filter(is_active=True)
        return form

    def save_model(self, request, obj: Order, form, change: bool) -> None:
        # Nothing is written here: save_related runs the services once the items are known.
        obj._admin_discount = obj.discount_cents or 0
        obj._admin_refused = False
        obj._admin_changes = {
            name: getattr(obj, name)
            for name in form.changed_data
            if name in services.UPDATE_FIELDS and name != "discount_cents"
        }

    def save_related(self, request, form, formsets, change: bool) -> None:
        order = form.instance
        if not change:
            self._create(request, order, formsets)
            return
        discount = order._admin_discount if services.is_editable(order.status) else None
        try:
            # Fields, items and totals together: any refusal undoes all of them.
            with transaction.atomic():
                if order._admin_changes:
                    services.order_update(order=order, user=request.user, **order._admin_changes)
                super().save_related(request, form, formsets, change)
                services.order_recompute_totals(order=order, discount_cents=discount)
        except DomainError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            order._admin_refused = True
            self._nothing_saved(formsets)

    @staticmethod
    def _nothing_saved(formsets) -> None:
        # The change message reads what each formset saved.
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def _create(self, request, order: Order, formsets) -> None:
        items = [
            {name: f.cleaned_data[name] for name in OrderItemForm.Meta.fields if name in f.cleaned_data}
            for formset in formsets
            if formset.model is OrderItem
            for f in formset.forms
            if f.cleaned_data and not formset._should_delete_form(f)
        ]
        self._nothing_saved(formsets)
        fields = {name: getattr(order, name) for name in services.CREATE_FIELDS}
        fields["discount_cents"] = order._admin_discount
        created = self.call_service(
            request, services.order_create, store=order.store, items=items, user=request.user, **fields
        )
        if created is None:
            order._admin_refused = True
            return
        # The admin goes on with `order` (history entry, redirect): make it the created row.
        for field in ("id", "status", "subtotal_cents", "discount_cents", "total_cents"):
            setattr(order, field, getattr(created, field))
        order._state.adding = False
        order._state.db = created._state.db
        for formset in formsets:
            if formset.model is OrderItem:
                formset.new_objects = list(created.items.all())

    # A refused save wrote nothing: no history entry, no "saved" message, back to the form.
    def log_addition(self, request, obj, message):
        if not getattr(obj, "_admin_refused", False):
            return super().log_addition(request, obj, message)
        return None

    def log_change(self, request, obj, message):
        if not getattr(obj, "_admin_refused", False):
            return super().log_change(request, obj, message)
        return None

    def response_add(self, request, obj, post_url_continue=None):
        if getattr(obj, "_admin_refused", False):
            return HttpResponseRedirect(request.path)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if getattr(obj, "_admin_refused", False):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    # --- workflow actions -------------------------------------------------------------------------

    def move_orders(self, request, queryset, status: str, *, reason: str = "") -> None:
        moved = refused = 0
        # One order at a time, in a stable order: each move locks its own row.
        for order in queryset.order_by("pk"):
            result = self.call_service(
                request, services.order_transition, order=order, status=status, reason=reason, user=request.user
            )
            if result is None:
                refused += 1
            else:
                moved += 1
        if moved:
            self.message_user(
                request,
                ngettext("%(count)d order moved to %(status)s.", "%(count)d orders moved to %(status)s.", moved)
                % {"count": moved, "status": S(status).label},
                level=messages.SUCCESS,
            )
        if refused:
            self.message_user(
                request,
                ngettext("%(count)d order was refused.", "%(count)d orders were refused.", refused)
                % {"count": refused},
                level=messages.WARNING,
            )


admin.site.register(Order, OrderAdmin)
