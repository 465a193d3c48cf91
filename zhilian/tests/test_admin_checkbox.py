"""The changelist's row checkbox is written without a form widget; it must stay Django's HTML."""

import pytest
from django.contrib import admin
from django.utils import translation

from orders.models import Order
from orders.tests.factories import OrderFactory


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_row_checkbox_is_djangos_html(db, language):
    order = OrderFactory(customer_name='Li "<b>" & Co')
    model_admin = admin.site._registry[Order]
    with translation.override(language):
        ours = model_admin.action_checkbox(order)
        djangos = admin.ModelAdmin.action_checkbox(model_admin, order)
    assert str(ours) == str(djangos)
    assert f'value="{order.pk}"' in ours


@pytest.mark.parametrize("store_id", ["STORE-LINK", "A_B/C d:é%?#", "空 店"])
def test_row_links_are_djangos(rf, store_id, django_user_model):
    """Rows link to the same URL, preserved filters included, as Django's own changelist builds."""
    from django.contrib.admin.templatetags.admin_list import items_for_result
    from django.contrib.admin.views.main import ChangeList
    from django.urls import resolve

    from accounts.tests.factories import AdminFactory
    from stores.models import Store
    from stores.tests.factories import StoreFactory

    store = StoreFactory(id=store_id, name="Link & <test>")
    model_admin = admin.site._registry[Store]
    request = rf.get("/admin/stores/store/", {"q": "Link & <test>", "o": "1"})
    request.user = AdminFactory()
    request.resolver_match = resolve("/admin/stores/store/")

    def row(changelist_class):
        model_admin.get_changelist = lambda request, **kwargs: changelist_class
        try:
            changelist = model_admin.get_changelist_instance(request)
        finally:
            del model_admin.get_changelist
        obj = next(o for o in changelist.result_list if o.pk == store.pk)
        return [str(cell) for cell in items_for_result(changelist, obj, None)]

    ours = row(type(model_admin).get_changelist(model_admin, request))
    assert ours == row(ChangeList)
    assert "_changelist_filters=" in "".join(ours)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_page_checkbox_is_the_row_checkbox(db, language):
    """The per-page checkbox RowRenderer uses (changelist_values) writes action_checkbox's HTML."""
    orders = [OrderFactory(id='STORE001-"<&>"-0001'), OrderFactory()]
    model_admin = admin.site._registry[Order]
    with translation.override(language):
        checkbox = model_admin.changelist_values("action_checkbox")
        for order in orders:
            assert str(checkbox(order)) == str(model_admin.action_checkbox(order))
            assert str(checkbox(order)) == str(admin.ModelAdmin.action_checkbox(model_admin, order))
    assert model_admin.changelist_values("status") is None


def test_an_overridden_checkbox_is_not_replaced():
    from zhilian.admin import ScopedModelAdmin

    class Custom(ScopedModelAdmin):
        def action_checkbox(self, obj):
            return "mine"

    assert Custom(Order, admin.site).changelist_values("action_checkbox") is None
