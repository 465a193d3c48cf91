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
