from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from scheduling.admin_leave import AvailabilityInline
from stores import services
from stores.models import Employee, Region, Store, Table
from stores.resources import EmployeeResource, TableResource
from zhilian.admin import ScopedModelAdmin, ScopedTabularInline, transition_action, yuan
from zhilian.admin.imports import ImportAdminMixin


class TableInline(ScopedTabularInline):
    model = Table
    fields = ["number", "capacity", "kind", "room_name", "is_active"]


@admin.register(Store)
class StoreAdmin(ScopedModelAdmin):
    list_display = [
        "id",
        "code",
        "name",
        "city",
        "region",
        "status",
        "seats",
        "manager",
        yuan("monthly_revenue_target_cents", _("monthly revenue target")),
        "opening_date",
    ]
    list_filter = ["status", "region", "city"]
    list_select_related = ["manager", "region"]
    search_fields = ["id", "code", "name", "city", "district", "address"]
    date_hierarchy = "opening_date"
    autocomplete_fields = ["manager"]
    inlines = [TableInline]
    fieldsets = [
        (None, {"fields": ["id", "code", "name", "status", "manager"]}),
        (
            _("Location"),
            {"fields": ["address", "city", "district", "region", "latitude", "longitude", "phone", "email"]},
        ),
        (
            _("Operations"),
            {"fields": ["seats", "area", "opening_date", "business_hours", "config", "allow_negative_stock"]},
        ),
        (
            _("Time clock"),
            {"fields": ["early_clock_in_minutes", "auto_clock_out_time", "auto_clock_out_after_hours"]},
        ),
        (
            _("Targets"),
            {
                "fields": [
                    "monthly_revenue_target_cents",
                    "daily_customer_target",
                    "cost_ratio_target",
                    "labor_cost_ratio_target",
                    "target_labor_percent",
                ]
            },
        ),
    ]

    actions = ["mark_closed"]

    def get_readonly_fields(self, request, obj=None):
        # The readable ID is chosen once; other tables refer to it.
        return ["id"] if obj is not None else []

    services = services
    mark_closed = transition_action(
        "store_set_status",
        Store.Status.CLOSED,
        _("Mark selected stores closed (keeps their history)"),
        permission="change",
        with_user=False,
    )


@admin.register(Table)
class TableAdmin(ImportAdminMixin, ScopedModelAdmin):
    resource_classes = import_resource_classes = [TableResource]
    list_display = ["number", "store", "capacity", "kind", "room_name", "is_active"]
    list_filter = ["kind", "is_active", "store"]
    list_select_related = ["store"]
    search_fields = ["number", "room_name", "store__name", "store__id"]
    autocomplete_fields = ["store"]
    actions = ["deactivate", "activate"]

    @admin.action(description=_("Take selected tables out of service"), permissions=["change"])
    def deactivate(self, request, queryset):
        count = self.call_service(request, services.table_set_active, tables=queryset, active=False)
        self.message_user(request, _("%(count)d table(s) deactivated.") % {"count": count or 0})

    @admin.action(description=_("Put selected tables back in service"), permissions=["change"])
    def activate(self, request, queryset):
        count = self.call_service(request, services.table_set_active, tables=queryset, active=True)
        self.message_user(request, _("%(count)d table(s) activated.") % {"count": count or 0})


class SkillsField(forms.MultipleChoiceField):
    """An employee's fallback positions (scheduling.assignment) as labelled checkboxes rather
    than a JSON list of codes; values outside the positions that a row already holds stay."""

    widget = forms.CheckboxSelectMultiple

    def prepare_value(self, value):
        return value if isinstance(value, list | tuple) else []


class EmployeeAdminForm(forms.ModelForm):
    skills = SkillsField(label=_("skills"), required=False, choices=Employee.Position.choices)

    class Meta:
        model = Employee
        fields = ["skills"]  # the admin's fieldsets add the rest

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        held = [s for s in (self.instance.skills or []) if isinstance(s, str)]
        known = dict(Employee.Position.choices)
        self.fields["skills"].choices = [*Employee.Position.choices, *((s, s) for s in held if s not in known)]
        self.fields["skills"].help_text = _("Positions this employee can also cover when scheduling.")


@admin.register(Employee)
class EmployeeAdmin(ImportAdminMixin, ScopedModelAdmin):
    form = EmployeeAdminForm
    resource_classes = import_resource_classes = [EmployeeResource]
    list_display = [
        "id",
        "name",
        "store",
        "position",
        "is_active",
        "hire_date",
        "performance_score",
        yuan("hourly_wage_cents", _("hourly wage")),
        "user",
    ]
    list_filter = ["position", "is_active", "store"]
    list_select_related = ["store", "user"]
    search_fields = ["id", "name", "phone", "email", "store__name"]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # The order form's waiter picker (an autocomplete) offers the front of house only.
        if request.GET.get("model_name") == "order" and request.GET.get("field_name") == "waiter":
            queryset = queryset.filter(position__in=Employee.SERVICE_POSITIONS)
        return queryset, may_have_duplicates

    date_hierarchy = "hire_date"
    autocomplete_fields = ["store", "user"]
    inlines = [AvailabilityInline]
    fieldsets = [
        (None, {"fields": ["id", "store", "user", "name", "position", "is_active"]}),
        (_("Contact"), {"fields": ["phone", "email"]}),
        (
            _("Work"),
            {
                "fields": [
                    "hire_date",
                    "hourly_wage_cents",
                    "skills",
                    "training_completed",
                    "preferences",
                    "performance_score",
                ]
            },
        ),
    ]

    actions = ["deactivate", "activate"]

    def get_readonly_fields(self, request, obj=None):
        return ["id"] if obj is not None else []

    @admin.action(description=_("Deactivate selected employees (keeps their history)"), permissions=["change"])
    def deactivate(self, request, queryset):
        count = self.call_service(request, services.employee_set_active, employees=queryset, active=False)
        self.message_user(request, _("%(count)d employee(s) deactivated.") % {"count": count or 0})

    @admin.action(description=_("Activate selected employees"), permissions=["change"])
    def activate(self, request, queryset):
        count = self.call_service(request, services.employee_set_active, employees=queryset, active=True)
        self.message_user(request, _("%(count)d employee(s) activated.") % {"count": count or 0})


class RegionStoreInline(ScopedTabularInline):
    """The region's stores, as links (a store changes region on its own page)."""

    model = Store
    fields = ["id", "name", "city", "status", "manager"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = _("stores")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("manager")


@admin.register(Region)
class RegionAdmin(ScopedModelAdmin):
    list_display = ["name", "code", "store_count", "area_manager_names"]
    search_fields = ["name", "code"]
    readonly_fields = ["area_manager_names"]
    inlines = [RegionStoreInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(store_total=Count("stores")).prefetch_related("area_managers")

    def get_fields(self, request, obj=None):
        return ["code", "name", "area_manager_names"] if obj is not None else ["code", "name"]

    @admin.display(description=_("stores"), ordering="store_total")
    def store_count(self, obj) -> int:
        return obj.store_total

    @admin.display(description=_("area managers"))
    def area_manager_names(self, obj) -> str:
        # Assigned on the user's page (admins): Users › an area manager › managed regions.
        return ", ".join(str(u) for u in obj.area_managers.all()) or "-"
