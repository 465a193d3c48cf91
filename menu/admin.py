"""The menu in the admin: HQ edits the chain menu (dishes with their recipe lines and modifiers
inline, the cost of a portion and the margin shown, on the changelist computed once per page);
managers see it and edit their store's overrides. The menu engineering page (a store's dishes by
Kasavana–Smith class, a sortable table and a scatter chart) hangs off the dish changelist."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from menu import services
from menu.charts import scatter
from menu.models import Dish, DishModifier, MenuCategory, RecipeLine, SetMealComponent, StoreDishOverride
from menu.reports import MAX_REPORT_DAYS, DishClass, dish_costs_per_portion, margin_percent, menu_engineering
from menu.resources import DishResource, StoreDishOverrideResource
from stores.models import Store
from zhilian import roles
from zhilian.admin import FastRowLinksChangeList, ScopedModelAdmin, ScopedTabularInline, yuan
from zhilian.admin.imports import ImportAdminMixin
from zhilian.dates import check_range
from zhilian.db import replica_reads
from zhilian.errors import InvalidInput
from zhilian.models import format_yuan


@admin.register(MenuCategory)
class MenuCategoryAdmin(ScopedModelAdmin):
    list_display = ["code", "name_zh", "name_en", "position", "is_active"]
    search_fields = ["code", "name_zh", "name_en"]
    ordering = ["position", "code"]
    services = services
    create_service = "menu_category_create"
    update_service = "menu_category_update"
    delete_service = "menu_category_delete"

    def service_object_kwarg(self) -> str:
        return "menu_category"


class RecipeLineInline(ScopedTabularInline):
    """The dish's recipe, and its modifiers' (a line naming a modifier: what choosing it changes;
    negative removes)."""

    model = RecipeLine
    fields = ["modifier", "ingredient_sku", "quantity", "yield_factor", "valid_from"]
    show_change_link = False

    def get_formset(self, request, obj=None, **kwargs):
        request._recipe_dish = obj  # the modifier choices are this dish's
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "modifier":
            dish = getattr(request, "_recipe_dish", None)
            kwargs["queryset"] = (
                DishModifier.objects.filter(dish=dish).select_related("dish")
                if dish is not None
                else DishModifier.objects.none()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class DishModifierInline(ScopedTabularInline):
    model = DishModifier
    fields = ["code", "name_zh", "name_en", "price_delta_cents", "is_active"]
    show_change_link = False


class SetMealComponentInline(ScopedTabularInline):
    """The dishes of a set meal (套餐) and their portions; saved through the set meal's service."""

    model = SetMealComponent
    fk_name = "set_meal"
    fields = ["dish", "quantity"]
    autocomplete_fields = ["dish"]
    show_change_link = False
    verbose_name = _("dish in the set meal")
    verbose_name_plural = _("dishes in the set meal (套餐)")


class CommaSeparatedListField(forms.CharField):
    """A short list typed on one line (花生, 麸质、芝麻): commas, Chinese commas and 、 separate."""

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        return [part.strip() for part in re.split(r"[,，、]", super().to_python(value)) if part.strip()]


class DishForm(forms.ModelForm):
    allergens = CommaSeparatedListField(
        label=_("allergens"), required=False, help_text=_("Separated by commas, e.g. 花生, 麸质.")
    )

    class Meta:
        model = Dish
        fields = ["allergens"]  # the admin's fieldsets add the rest


class DishChangeList(FastRowLinksChangeList):
    """The dish changelist with the page's costs per portion computed together (two queries)."""

    def get_results(self, request):
        super().get_results(request)
        self.result_list = list(self.result_list)
        costs = dish_costs_per_portion([d.pk for d in self.result_list], day=timezone.localdate())
        for dish in self.result_list:
            dish._cost_per_portion = costs.get(dish.pk)


class MenuEngineeringForm(forms.Form):
    """The store and period of the menu engineering page (the last 30 days by default)."""

    store = forms.ChoiceField(label=_("store"))
    start = forms.DateField(label=_("first day"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("last day"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data, *, stores):
        super().__init__(data)
        self.fields["store"].choices = [(s.pk, f"{s.pk} · {s.name}") for s in stores]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end"):
            try:
                check_range(data["start"], data["end"], max_days=MAX_REPORT_DAYS)
            except InvalidInput as exc:
                for field, message in exc.errors.items():
                    self.add_error(field, message)
        return data


@admin.register(Dish)
class DishAdmin(ImportAdminMixin, ScopedModelAdmin):
    resource_classes = import_resource_classes = [DishResource]
    form = DishForm
    list_display = [
        "code",
        "name_zh",
        "name_en",
        "category",
        yuan("base_price_cents", _("base price")),
        "cost_per_portion",
        "margin",
        "is_active",
    ]
    list_filter = ["category", "is_set_meal", "is_active", "spice_level"]
    search_fields = ["code", "name_zh", "name_en"]
    list_select_related = ["category"]
    ordering = ["category__position", "position", "code"]
    inlines = [SetMealComponentInline, RecipeLineInline, DishModifierInline]
    readonly_fields = ["photo_preview", "cost_per_portion", "margin"]
    fieldsets = [
        (None, {"fields": ["code", "name_zh", "name_en", "category", "position", "is_set_meal", "is_active"]}),
        (_("Description"), {"fields": ["description", "spice_level", "allergens", "photo", "photo_preview"]}),
        (_("Price and cost"), {"fields": ["base_price_cents", "cost_per_portion", "margin"]}),
    ]
    services = services
    create_service = "dish_create"
    update_service = "dish_update"
    delete_service = "dish_delete"

    # The inlines' rows go through their services too (the audit trail names who changed a recipe).
    INLINE_ENTITIES = {RecipeLine: "recipe_line", DishModifier: "dish_modifier"}

    def save_formset(self, request, form, formset, change):
        if formset.model is SetMealComponent:
            return self._save_components(request, form, formset)
        entity = self.INLINE_ENTITIES.get(formset.model)
        if entity is None:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)  # sorts the rows into new, changed and deleted; writes nothing
        fields = [name for name in formset.form._meta.fields if name not in ("id", "dish")]
        for obj in formset.deleted_objects:
            getattr(services, f"{entity}_delete")(**{entity: obj}, user=request.user)
        for obj, changed in formset.changed_objects:
            edited = {name: getattr(obj, name) for name in changed if name in fields}
            getattr(services, f"{entity}_update")(**{entity: obj}, user=request.user, **edited)
        for obj in formset.new_objects:
            values = {name: getattr(obj, name) for name in fields}
            getattr(services, f"{entity}_create")(dish=form.instance, user=request.user, **values)
        return None

    def get_changelist(self, request, **kwargs):
        return DishChangeList

    def _save_components(self, request, form, formset) -> None:
        # The whole list at once, as the API writes it: the service checks the set (no nesting,
        # each dish once) with the dishes locked, and audits the change as one entry.
        formset.save(commit=False)  # sorts the rows into new, changed and deleted; writes nothing
        deleted = {obj.pk for obj in formset.deleted_objects}
        components = [
            {"dish": f.cleaned_data["dish"], "quantity": f.cleaned_data["quantity"]}
            for f in formset.forms
            if f.cleaned_data.get("dish") is not None
            and f.instance.pk not in deleted
            and not (f.instance._state.adding and not f.has_changed())
        ]
        services.set_meal_components_set(set_meal=form.instance, components=components, user=request.user)

    @staticmethod
    def _cost(obj) -> int | None:
        # The chain's average unit costs of the ingredients (stores buy at different prices); the
        # changelist sets the page's costs at once (DishChangeList), the change form asks here.
        if obj is None or obj.pk is None:
            return None
        if not hasattr(obj, "_cost_per_portion"):
            obj._cost_per_portion = dish_costs_per_portion([obj.pk], day=timezone.localdate())[obj.pk]
        return obj._cost_per_portion

    @admin.display(description=_("photo preview"))
    def photo_preview(self, obj):
        if obj is None or not obj.photo:
            return "-"
        # Sized by attributes: the Content-Security-Policy allows no inline style.
        return format_html('<img src="{}" alt="{}" height="120">', obj.photo.url, obj)

    @admin.display(description=_("cost per portion (chain average)"))
    def cost_per_portion(self, obj):
        cost = self._cost(obj)
        return "-" if cost is None else format_yuan(cost)

    @admin.display(description=_("margin"))
    def margin(self, obj):
        value = margin_percent(obj.base_price_cents, self._cost(obj))
        return "-" if value is None else f"{value} %"

    # --- the menu engineering page ----------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view(self.menu_engineering_view)
        return [path("menu-engineering/", view, name="menu_dish_menu_engineering"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra = {"may_engineer": roles.can(request.user, roles.MENU_ENGINEERING, "menu.dish")}
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    @replica_reads
    def menu_engineering_view(self, request):
        """A store's dishes over a period by Kasavana–Smith class (menu.reports.menu_engineering)."""
        user = request.user
        if not roles.can(user, roles.MENU_ENGINEERING, "menu.dish"):
            raise PermissionDenied
        stores = list(Store.objects.for_user(user).order_by("pk").only("pk", "name"))
        wanted = request.GET.get("store") or user.store_id or (stores[0].pk if stores else None)
        store = next((s for s in stores if s.pk == wanted), None)
        if wanted and store is None:
            raise Http404(gettext("No such store."))  # another store's page looks like none at all
        end = timezone.localdate()
        defaults = {"store": wanted, "start": end - dt.timedelta(days=29), "end": end}
        form = MenuEngineeringForm({**defaults, **request.GET.dict()}, stores=stores)
        report = chart = None
        if store is not None and form.is_valid():
            report = menu_engineering(store=store, start=form.cleaned_data["start"], end=form.cleaned_data["end"])
            chart = scatter(report) if report["dishes"] else None
            money = ("revenue_cents", "average_price_cents", "recipe_cost_per_portion_cents", "recipe_cost_cents",
                     "margin_per_portion_cents", "margin_cents", "average_margin_cents")  # fmt: skip
            for row in (*report["dishes"], report["summary"]):
                row["yuan"] = {name[: -len("_cents")]: format_yuan(row[name]) for name in money if name in row}
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Menu engineering"),
            "opts": self.model._meta,
            "form": form,
            "store": store,
            "single_store": len(stores) <= 1,
            "report": report,
            "chart": chart,
            "classes": DishClass.choices,
            "class_hints": {
                DishClass.STAR: _("high margin, popular: keep and feature"),
                DishClass.PLOWHORSE: _("popular, low margin: reprice or re-cost"),
                DishClass.PUZZLE: _("high margin, unpopular: promote or reposition"),
                DishClass.DOG: _("low margin, unpopular: rework or remove"),
            },
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/menu/dish/menu_engineering.html", context)


@admin.register(StoreDishOverride)
class StoreDishOverrideAdmin(ImportAdminMixin, ScopedModelAdmin):
    resource_classes = import_resource_classes = [StoreDishOverrideResource]
    list_display = ["dish", "store", yuan("price_cents", _("store price")), "is_hidden", "sold_out_on"]
    list_filter = ["is_hidden", "store"]
    search_fields = ["dish__code", "dish__name_zh", "dish__name_en"]
    list_select_related = ["dish", "store"]
    autocomplete_fields = ["dish"]
    ordering = ["store", "dish"]
    services = services
    create_service = "store_dish_override_create"
    update_service = "store_dish_override_update"
    delete_service = "store_dish_override_delete"

    def service_object_kwarg(self) -> str:
        return "store_dish_override"
