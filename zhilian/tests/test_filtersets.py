"""zhilian.api.filters.FilterSet: the form class is built once per FilterSet, except where a
filter's choices depend on the request, and no filter state leaks from one request to the next."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.test import RequestFactory

from orders.filters import OrderFilter
from orders.models import Order
from stores.filters import TableFilter
from stores.models import Table

pytestmark = pytest.mark.django_db


def request_of(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_a_static_filterset_reuses_its_form_class_and_filters_each_request_by_its_own_data(store, other_store):
    one = OrderFilter(QueryDict(f"store={store.pk}"), Order.objects.all())
    two = OrderFilter(QueryDict(f"store={other_store.pk}&status=pending&status=confirmed"), Order.objects.all())
    assert one.is_valid() and two.is_valid()
    assert type(one.form) is type(two.form)
    assert one.form is not two.form
    assert one.form.cleaned_data["store"] == store.pk and one.form.cleaned_data["status"] == []
    assert two.form.cleaned_data["status"] == ["pending", "confirmed"]
    assert store.pk in str(one.qs.query)
    assert other_store.pk not in str(one.qs.query)
    # Each instance has its own filters, bound to it; the class's are left alone.
    assert one.filters["store"] is not two.filters["store"]
    assert one.filters["store"].parent is one and two.filters["store"].parent is two
    assert not hasattr(OrderFilter.base_filters["store"], "parent")


def test_a_request_scoped_filter_gets_its_choices_from_each_request(store, other_store, manager, admin_user):
    data = QueryDict(f"store={other_store.pk}")
    as_manager = TableFilter(data, Table.objects.all(), request=request_of(manager))
    as_admin = TableFilter(data, Table.objects.all(), request=request_of(admin_user))
    # The manager may not name another store (refused like an unknown one); the admin may.
    assert not as_manager.is_valid() and "store" in as_manager.errors
    assert as_admin.is_valid()
    assert type(as_manager.form) is not type(as_admin.form)
    again = TableFilter(QueryDict(f"store={store.pk}"), Table.objects.all(), request=request_of(manager))
    assert again.is_valid()
