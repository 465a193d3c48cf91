"""Menu services: the chain menu (HQ), store overrides and 估清, pricing order lines from the
menu, and the stock an order uses (docs/architecture.md, "Menu and recipes").

Every write runs in `transaction.atomic()`, records its actor in the audit trail and raises the
project's domain errors; events go out after commit (zhilian.events).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.services import stock_record_sales_usage, stock_reverse_sales_usage
from menu.models import Dish, DishModifier, MenuCategory, RecipeLine, SetMealComponent, StoreDishOverride
from menu.selectors import order_ingredient_usage, store_menu_entries
from stores.models import Store
from zhilian import events, roles
from zhilian.audit import CREATE, DELETE, audit_record
from zhilian.errors import DomainError, InvalidInput

# --- generic writes of menu rows -----------------------------------------------------------------


def _invalid(exc: ValidationError) -> InvalidInput:
    if hasattr(exc, "error_dict"):
        return InvalidInput({("non_field_errors" if k == "__all__" else k): v for k, v in exc.message_dict.items()})
    return InvalidInput({"non_field_errors": exc.messages})


def _fields_of(model: type[models.Model], fields: dict[str, Any]) -> dict[str, Any]:
    editable = {f.name for f in model._meta.concrete_fields if f.editable and not f.primary_key}
    editable -= {"created_at", "updated_at"}
    unknown = set(fields) - editable
    if unknown:
        raise InvalidInput({name: _("Not an editable field.") for name in sorted(unknown)})
    return fields


def _create(model: type[models.Model], *, event: str, user, fields: dict[str, Any]) -> models.Model:
    instance = model(**_fields_of(model, fields))
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise _invalid(exc) from exc
    with transaction.atomic():
        instance.save(force_insert=True)
        audit_record(actor=user, instance=instance, event=event, action=CREATE)
    return instance


def _update(instance: models.Model, *, event: str, user, changes: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Apply `changes` under a row lock; returns what really changed, {field: (before, after)}."""
    changes = _fields_of(type(instance), changes)
    with transaction.atomic():
        row = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
        before = {field: getattr(row, field) for field in changes}
        for field, value in changes.items():
            setattr(row, field, value)
        try:
            row.full_clean()
        except ValidationError as exc:
            raise _invalid(exc) from exc
        row.save(update_fields=[*changes, "updated_at"])
        edited = {f: (before[f], getattr(row, f)) for f in changes if before[f] != getattr(row, f)}
        if edited:
            audit_record(actor=user, instance=row, event=event, changes=edited)
    for field in (*changes, "updated_at"):
        setattr(instance, field, getattr(row, field))
    return edited


def _delete(instance: models.Model, *, event: str, user) -> None:
    with transaction.atomic():
        audit_record(actor=user, instance=instance, event=event, action=DELETE)
        instance.delete()  # a dish with sales is PROTECTed (409 protected): deactivate it instead


def _announce_menu_update(*, kind: str, object_id, user, store_ids=None) -> None:
    """`menu.updated` to the live channel of each store whose menu changed (every store for a
    change of the chain menu): POS clients and the dashboard fetch the menu again. Recipes are
    not announced: they change no one's menu."""
    if store_ids is None:
        from stores.models import Store

        store_ids = list(Store.objects.order_by("pk").values_list("pk", flat=True))
    data = {"kind": kind, "id": str(object_id), "by": str(user.pk) if getattr(user, "pk", None) else None}
    for store_id in store_ids:
        events.publish("menu.updated", store_id=store_id, data=data)


def menu_category_create(*, user=None, **fields: Any) -> MenuCategory:
    created = _create(MenuCategory, event="menu_category.create", user=user, fields=fields)
    _announce_menu_update(kind="category", object_id=created.pk, user=user)
    return created


def menu_category_update(*, menu_category: MenuCategory, user=None, **changes: Any) -> MenuCategory:
    if _update(menu_category, event="menu_category.update", user=user, changes=changes):
        _announce_menu_update(kind="category", object_id=menu_category.pk, user=user)
    return menu_category


def menu_category_delete(*, menu_category: MenuCategory, user=None) -> None:
    object_id = menu_category.pk  # delete() clears it
    _delete(menu_category, event="menu_category.delete", user=user)
    _announce_menu_update(kind="category", object_id=object_id, user=user)


def dish_create(*, user=None, components: list[dict[str, Any]] | None = None, **fields: Any) -> Dish:
    """A chain dish; a set meal (`is_set_meal`) may name its `components` ([{dish, quantity}])."""
    with transaction.atomic():
        created = _create(Dish, event="dish.create", user=user, fields=fields)
        if components is not None:
            _set_components(created, components, user=user)
    _announce_menu_update(kind="dish", object_id=created.pk, user=user)
    return created


def dish_update(*, dish: Dish, user=None, components: list[dict[str, Any]] | None = None, **changes: Any) -> Dish:
    """Change a chain dish; `components` (a set meal's) replaces its components when given."""
    # Components go first when the dish stops being a set meal (it may not keep any), last when
    # it becomes one (only a set meal has components).
    first = components is not None and changes.get("is_set_meal") is False
    if "photo" in changes and changes["photo"] is None:
        changes["photo"] = ""  # no photo (the column is not null)
    with transaction.atomic():
        changed = first and _set_components(dish, components, user=user)
        edited = _update(dish, event="dish.update", user=user, changes=changes)
        if components is not None and not first:
            changed = _set_components(dish, components, user=user)
        if "photo" in edited and edited["photo"][0]:
            _delete_file_on_commit(edited["photo"][0])
    if edited or changed:
        _announce_menu_update(kind="dish", object_id=dish.pk, user=user)
    return dish


def set_meal_components_set(*, set_meal: Dish, components: list[dict[str, Any]], user=None) -> bool:
    """Replace a set meal's components with `components` ([{"dish": Dish, "quantity": int}]);
    returns whether anything changed (then `menu.updated` goes out)."""
    with transaction.atomic():
        changed = _set_components(set_meal, components, user=user)
    if changed:
        _announce_menu_update(kind="dish", object_id=set_meal.pk, user=user)
    return changed


def _set_components(set_meal: Dish, components: list[dict[str, Any]], *, user) -> bool:
    """In the caller's transaction: the set meal and its component dishes are locked in one
    statement in pk order (two editors never deadlock, and no one turns a component into a set
    meal between the check and the write); errors name `components[i].<field>`."""
    if not isinstance(components, list | tuple):
        raise InvalidInput({"components": _("Give a list of dishes with their portions.")})
    errors: dict[str, str] = {}
    wanted: dict[Any, int] = {}
    for index, entry in enumerate(components):
        dish, quantity = entry.get("dish"), entry.get("quantity", 1)
        field = f"components[{index}]"
        if not isinstance(dish, Dish):
            errors[f"{field}.dish"] = _("Name a dish.")
        elif dish.pk in wanted:
            errors[f"{field}.dish"] = _("Each dish at most once: raise its portions instead.")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= 100:
            errors[f"{field}.quantity"] = _("Between 1 and 100 portions.")
        if isinstance(dish, Dish) and f"{field}.dish" not in errors:
            wanted[dish.pk] = quantity
    if errors:
        raise InvalidInput(errors)
    locked = {d.pk: d for d in Dish.objects.select_for_update().filter(pk__in=[set_meal.pk, *wanted]).order_by("pk")}
    if not locked[set_meal.pk].is_set_meal and wanted:
        raise InvalidInput({"components": _("Only a dish marked as a set meal has components.")})
    for index, dish_id in enumerate(wanted):
        field = f"components[{index}].dish"
        if dish_id == set_meal.pk:
            errors[field] = _("A set meal cannot contain itself.")
        elif dish_id not in locked:
            errors[field] = _("No such dish.")
        elif locked[dish_id].is_set_meal:
            errors[field] = _("A set meal cannot contain another set meal.")
    if errors:
        raise InvalidInput(errors)
    current = {c.dish_id: c for c in SetMealComponent.objects.filter(set_meal_id=set_meal.pk).select_related("dish")}
    before = [f"{c.quantity} × {c.dish.code}" for c in sorted(current.values(), key=lambda c: c.dish.code)]
    removed = [c.pk for dish_id, c in current.items() if dish_id not in wanted]
    if removed:
        SetMealComponent.objects.filter(pk__in=removed).delete()
    for dish_id, quantity in wanted.items():
        existing = current.get(dish_id)
        if existing is None:
            SetMealComponent.objects.create(set_meal_id=set_meal.pk, dish_id=dish_id, quantity=quantity)
        elif existing.quantity != quantity:
            SetMealComponent.objects.filter(pk=existing.pk).update(quantity=quantity, updated_at=timezone.now())
    after = [f"{quantity} × {locked[dish_id].code}" for dish_id, quantity in sorted(
        wanted.items(), key=lambda kv: locked[kv[0]].code)]  # fmt: skip
    if before == after:
        return False
    audit_record(actor=user, instance=set_meal, event="set_meal.components", changes={"components": (before, after)})
    return True


def _delete_file_on_commit(field_file) -> None:
    """A replaced or removed photo leaves storage once the change is committed (not before: a
    rolled-back change keeps pointing at it)."""
    storage, name = field_file.storage, field_file.name
    transaction.on_commit(lambda: storage.delete(name))


def dish_delete(*, dish: Dish, user=None) -> None:
    object_id = dish.pk  # delete() clears it
    with transaction.atomic():
        _delete(dish, event="dish.delete", user=user)
        if dish.photo:
            _delete_file_on_commit(dish.photo)
    _announce_menu_update(kind="dish", object_id=object_id, user=user)


def dish_modifier_create(*, user=None, **fields: Any) -> DishModifier:
    created = _create(DishModifier, event="dish_modifier.create", user=user, fields=fields)
    _announce_menu_update(kind="modifier", object_id=created.pk, user=user)
    return created


def dish_modifier_update(*, dish_modifier: DishModifier, user=None, **changes: Any) -> DishModifier:
    if _update(dish_modifier, event="dish_modifier.update", user=user, changes=changes):
        _announce_menu_update(kind="modifier", object_id=dish_modifier.pk, user=user)
    return dish_modifier


def dish_modifier_delete(*, dish_modifier: DishModifier, user=None) -> None:
    object_id = dish_modifier.pk  # delete() clears it
    _delete(dish_modifier, event="dish_modifier.delete", user=user)
    _announce_menu_update(kind="modifier", object_id=object_id, user=user)


def recipe_line_create(*, user=None, **fields: Any) -> RecipeLine:
    """A line of a dish's recipe from `valid_from`. Changing a recipe from a day on means a new
    set of lines with that `valid_from` (the old version stays for the days before it). With a
    `modifier`, a line of that modifier's recipe (its dish is the modifier's; the quantity may be
    negative: choosing it removes some of the ingredient)."""
    modifier = fields.get("modifier")
    if modifier is not None and fields.get("dish") is None:
        fields["dish"] = modifier.dish
    return _create(RecipeLine, event="recipe_line.create", user=user, fields=fields)


def recipe_line_update(*, recipe_line: RecipeLine, user=None, **changes: Any) -> RecipeLine:
    _update(recipe_line, event="recipe_line.update", user=user, changes=changes)
    return recipe_line


def recipe_line_delete(*, recipe_line: RecipeLine, user=None) -> None:
    _delete(recipe_line, event="recipe_line.delete", user=user)


def store_dish_override_create(*, user=None, **fields: Any) -> StoreDishOverride:
    override = _create(StoreDishOverride, event="store_dish_override.create", user=user, fields=fields)
    _announce_sold_out(override, previous=None, user=user)
    if override.price_cents is not None or override.is_hidden:
        _announce_menu_update(kind="override", object_id=override.pk, user=user, store_ids=[override.store_id])
    return override


def store_dish_override_update(
    *, store_dish_override: StoreDishOverride, user=None, **changes: Any
) -> StoreDishOverride:
    if "store" in changes and changes["store"].pk != store_dish_override.store_id:
        raise InvalidInput({"store": _("An existing record cannot move to another store.")})
    previous = store_dish_override.sold_out_on
    edited = _update(store_dish_override, event="store_dish_override.update", user=user, changes=changes)
    _announce_sold_out(store_dish_override, previous=previous, user=user)
    if {"price_cents", "is_hidden"} & set(edited):
        _announce_menu_update(
            kind="override", object_id=store_dish_override.pk, user=user, store_ids=[store_dish_override.store_id]
        )
    return store_dish_override


def store_dish_override_delete(*, store_dish_override: StoreDishOverride, user=None) -> None:
    previous = store_dish_override.sold_out_on
    changed_menu = store_dish_override.price_cents is not None or store_dish_override.is_hidden
    object_id = store_dish_override.pk  # delete() clears it
    _delete(store_dish_override, event="store_dish_override.delete", user=user)
    store_dish_override.sold_out_on = None
    _announce_sold_out(store_dish_override, previous=previous, user=user)
    if changed_menu:
        _announce_menu_update(kind="override", object_id=object_id, user=user, store_ids=[store_dish_override.store_id])


def _announce_sold_out(override: StoreDishOverride, *, previous: dt.date | None, user) -> None:
    """`menu.sold_out` to the store's live channel (dashboard, POS) when 估清 changed; `set_meals`
    names the codes of the set meals holding the dish (they cannot be sold while it is out)."""
    if override.sold_out_on == previous:
        return
    dish = override.dish
    set_meals = list(
        SetMealComponent.objects.filter(dish_id=dish.pk)
        .order_by("set_meal__code")
        .values_list("set_meal__code", flat=True)
    )
    events.publish(
        "menu.sold_out",
        store_id=override.store_id,
        data={
            "dish": dish.pk,
            "code": dish.code,
            "name": dish.line_name,
            "date": override.sold_out_on or previous,
            "sold_out": override.sold_out_on is not None,
            "set_meals": set_meals,
            "by": str(user.pk) if getattr(user, "pk", None) else None,
        },
    )


def dish_set_sold_out(*, store, dish: Dish, sold_out: bool = True, day: dt.date | None = None, user=None):
    """Mark a dish sold out (估清) in a store for a day (today by default), or available again.

    One override row per store and dish, created when missing (under the unique constraint, so
    two managers doing it at once end with one row)."""
    day = day or timezone.localdate()
    with transaction.atomic():
        override, created = StoreDishOverride.objects.select_for_update().get_or_create(store=store, dish=dish)
        previous = None if created else override.sold_out_on
        new = day if sold_out else None
        if not sold_out and previous is not None and previous != day:
            new = previous  # another day's 估清 stays
        if created:
            audit_record(actor=user, instance=override, event="store_dish_override.create", action=CREATE)
        if new != override.sold_out_on:
            override.sold_out_on = new
            override.save(update_fields=["sold_out_on", "updated_at"])
            audit_record(
                actor=user,
                instance=override,
                event="store_dish_override.sold_out",
                changes={"sold_out_on": (previous, new)},
            )
        _announce_sold_out(override, previous=previous, user=user)
    return override


# --- orders from the menu ------------------------------------------------------------------------

MENU_KEYS = ("is_open_item", "modifiers")


def _may_override_price(user) -> bool:
    # No user: an internal caller (an import, a job), trusted like the admin.
    return user is None or roles.can(user, roles.OVERRIDE_PRICE, "orders.order")


def order_lines_from_menu(*, store, items: list[dict[str, Any]], day: dt.date, user=None) -> list[dict[str, Any]]:
    """Order lines as the store's menu prices them (no writes).

    A line whose `item_code` is an active dish takes its name and price from the menu (the
    store's price when it has one) plus its chosen `modifiers` (codes, recorded in
    `customizations["modifiers"]`); a different client price is refused unless the user may
    override prices. A dish sold out (估清) on `day` is refused (409 `sold_out`); one hidden in
    the store, or a code that is no dish, is unknown (400) unless the line is flagged
    `is_open_item` (then its name and price are the client's). Returns the lines with
    `dish_id`, `is_open_item` and `chosen_modifiers` (the DishModifier rows; the caller records
    them with `order_item_modifier_rows`) set and the menu keys removed.
    """
    codes = [i.get("item_code") for i in items if not i.get("is_open_item") and isinstance(i.get("item_code"), str)]
    # Open items only (a till's free lines): no menu read at all.
    entries = store_menu_entries(store_id=store.pk, codes=codes) if codes else {}
    lines = []
    for index, item in enumerate(items):
        line = {k: v for k, v in item.items() if k not in MENU_KEYS}
        is_open = bool(item.get("is_open_item"))
        modifiers = item.get("modifiers") or []
        code = item.get("item_code")
        entry = entries.get(code) if isinstance(code, str) else None
        field = f"items[{index}]"
        if entry is not None and entry[1] is not None and entry[1].is_hidden:
            entry = None
        if is_open:
            if modifiers:
                raise InvalidInput({f"{field}.modifiers": _("An open item has no menu modifiers.")})
            lines.append({**line, "dish_id": None, "is_open_item": True, "chosen_modifiers": []})
            continue
        if entry is None:
            raise InvalidInput(
                {
                    f"{field}.item_code": _(
                        "No dish %(code)s on this store's menu; flag the line as an open item to sell "
                        "something off the menu."
                    )
                    % {"code": code}
                }
            )
        dish, override = entry
        if override is not None and override.sold_out_on == day:
            raise DomainError(
                _("%(dish)s is sold out today.") % {"dish": dish.line_name},
                code="sold_out",
                item_code=dish.code,
                index=index,
            )
        if dish.is_set_meal:
            _check_set_meal_available(dish, day=day, index=index)
        price = (
            override.price_cents if override is not None and override.price_cents is not None else dish.base_price_cents
        )
        chosen = _modifiers(dish, modifiers, field)
        price += sum(m.price_delta_cents for m in chosen)
        if price < 0:
            raise InvalidInput({f"{field}.modifiers": _("The modifiers bring the price below zero.")})
        sent = item.get("unit_price_cents")
        if sent is not None and sent != price:
            if not _may_override_price(user):
                raise InvalidInput(
                    {
                        f"{field}.unit_price_cents": _(
                            "The menu price of %(code)s is %(price)s cents; your role may not change it."
                        )
                        % {"code": dish.code, "price": price}
                    }
                )
            price = sent
        customizations = item.get("customizations")
        if chosen:
            if customizations is not None and not isinstance(customizations, dict):
                raise InvalidInput({f"{field}.customizations": _("Must be an object when modifiers are chosen.")})
            customizations = {
                **(customizations or {}),
                "modifiers": [
                    {"code": m.code, "name": f"{m.name_zh} {m.name_en}", "price_delta_cents": m.price_delta_cents}
                    for m in chosen
                ],
            }
        lines.append(
            {
                **line,
                "item_code": dish.code,
                "item_name": dish.line_name,
                "unit_price_cents": price,
                **({"customizations": customizations} if customizations is not None else {}),
                "dish_id": dish.pk,
                "is_open_item": False,
                "chosen_modifiers": chosen,
            }
        )
    return lines


def _check_set_meal_available(set_meal: Dish, *, day: dt.date, index: int) -> None:
    """A set meal sells only while every dish in it does: a component sold out (估清) on `day`,
    hidden in the store or inactive refuses the set like a sold-out dish (409 `sold_out`)."""
    components = getattr(set_meal, "store_components", [])
    if not components:
        raise DomainError(
            _("The set meal %(dish)s has no dishes yet.") % {"dish": set_meal.line_name},
            code="sold_out",
            item_code=set_meal.code,
            index=index,
        )
    for component, override in components:
        dish = component.dish
        if not dish.is_active or (override is not None and (override.is_hidden or override.sold_out_on == day)):
            raise DomainError(
                _("%(dish)s in the set meal %(set)s is not available today.")
                % {"dish": dish.line_name, "set": set_meal.line_name},
                code="sold_out",
                item_code=set_meal.code,
                component_code=dish.code,
                index=index,
            )


def order_item_modifier_rows(item, modifiers: list[DishModifier]) -> list:
    """The OrderItemModifier rows (unsaved) recording `modifiers` chosen on `item`, each with a
    snapshot of its code, name and price change; the caller bulk-creates them with the line."""
    from orders.models import OrderItemModifier

    return [
        OrderItemModifier(
            order_item=item,
            modifier=m,
            code=m.code,
            name=f"{m.name_zh} {m.name_en}",
            price_delta_cents=m.price_delta_cents,
        )
        for m in modifiers
    ]


def _modifiers(dish: Dish, codes: Any, field: str) -> list[DishModifier]:
    if not isinstance(codes, list | tuple) or not all(isinstance(c, str) for c in codes):
        raise InvalidInput({f"{field}.modifiers": _("Give a list of modifier codes.")})
    available = {m.code: m for m in dish.modifiers.all() if m.is_active}
    unknown = [c for c in codes if c not in available]
    if unknown:
        raise InvalidInput(
            {f"{field}.modifiers": _("%(dish)s has no modifier %(code)s.") % {"dish": dish.code, "code": unknown[0]}}
        )
    if len(set(codes)) != len(codes):
        raise InvalidInput({f"{field}.modifiers": _("Each modifier at most once.")})
    return [available[c] for c in codes]


# --- stock follows sales ------------------------------------------------------------------------


def deduct_at_status() -> str:
    """The order status at which its dish lines take their recipes out of stock (a setting)."""
    return settings.ZHILIAN_STOCK_DEDUCT_AT


def order_stock_deduct(*, order, user=None, at: dt.datetime | None = None) -> list:
    """Take what the order's dish lines use out of stock: one `usage` row per ingredient,
    referencing the order, recipes as valid on the order's day. Runs in the caller's transaction
    (order_transition, with the order locked); refused with 409 naming the ingredient when stock
    is short and the store does not allow negative stock. Does nothing twice."""
    from orders.models import Order

    if order.stock_deducted_at is not None:
        return []
    usage = order_ingredient_usage(order)
    if not usage:
        return []  # open items only (or lines from before the menu): nothing to take or put back
    # No savepoint: a refusal undoes the caller's whole move anyway.
    with transaction.atomic(savepoint=False):
        store = order._state.fields_cache.get("store")  # at hand when the order was just created
        allow_negative = (
            store.allow_negative_stock
            if store is not None
            else Store.objects.filter(pk=order.store_id).values_list("allow_negative_stock", flat=True)[0]
        )
        entries = stock_record_sales_usage(
            store_id=order.store_id,
            usage=usage,
            reference_id=order.pk,
            allow_negative=allow_negative,
            user=user,
            notes=f"Order {order.pk}",
            transaction_time=at,
        )
        order.stock_deducted_at = at or timezone.now()
        Order.objects.filter(pk=order.pk).update(stock_deducted_at=order.stock_deducted_at)
        # One entry on the order's trail for what it took (the ledger rows say it per item).
        audit_record(
            actor=user,
            instance=order,
            event="order.stock_deducted",
            usage={sku: str(quantity) for sku, quantity in usage.items()},
        )
    return entries


def order_stock_restore(*, order, user=None, at: dt.datetime | None = None) -> list:
    """Put back what `order_stock_deduct` took (counter-entries; the ledger stays append-only)."""
    if order.stock_deducted_at is None:
        return []
    entries = stock_reverse_sales_usage(
        store_id=order.store_id,
        reference_id=order.pk,
        user=user,
        notes=f"Order {order.pk} cancelled",
        transaction_time=at,
    )
    if entries:
        audit_record(
            actor=user,
            instance=order,
            event="order.stock_restored",
            usage={entry.item.sku: str(entry.quantity) for entry in entries},
        )
    return entries
