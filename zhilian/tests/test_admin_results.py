"""Changelist rows rendered from a per-page plan (zhilian/admin/results.py) must be the rows Django's
stock `items_for_result` renders for the same page, byte for byte, in both languages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import items_for_result
from django.contrib.admin.views.main import ChangeList
from django.utils import timezone, translation
from django.utils.text import capfirst

from inventory.tests.factories import InventoryItemFactory
from orders.models import Order
from orders.tests.factories import OrderFactory
from reservations.tests.factories import ReservationFactory
from stores.tests.factories import EmployeeFactory, TableFactory
from zhilian.admin.results import RowRenderer

LANGUAGES = ["en", "zh-hans"]
DAY = dt.date(2026, 11, 20)
ORDERS = "/admin/orders/order/"
ONE_DAY = {"order_time__year": DAY.year, "order_time__month": DAY.month, "order_time__day": DAY.day}


def at(hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(DAY, dt.time(hour, minute)))


@pytest.fixture
def varied_orders(store, other_store):
    """Every status and type, with and without table and waiter, names that need escaping, an ID
    that needs quoting in a URL, and a status outside the choices (shown as the empty value)."""
    table = TableFactory(store=store, room_name='Lotus <"Hall">', number="8&9")
    waiter = EmployeeFactory(store=store, name="Wang & <i>Li</i>")
    statuses, types = list(Order.Status.values), list(Order.Type.values)
    for n in range(14):
        OrderFactory(
            id=f"STORE001-20261120-{n:04d}" if n else "STORE001/20261120 ü&?#0000",
            store=store,
            status=statuses[n % len(statuses)],
            order_type=types[n % len(types)],
            table=table if n % 2 else None,
            waiter=waiter if n % 3 else None,
            customer_name="<script>" if n == 5 else "",
            order_time=at(0, 0) if n == 4 else at(12) + dt.timedelta(minutes=37 * n),
            discount_cents=0,
        )
    OrderFactory(store=other_store, order_time=at(13))
    Order.objects.filter(pk="STORE001-20261120-0007").update(status="legacy")


def stock_changelist(request, model_admin, monkeypatch) -> ChangeList:
    """Django's own ChangeList for the same request (no row-link template, no list_only_fields)."""
    with monkeypatch.context() as patch:
        patch.setattr(model_admin, "get_changelist", lambda request, **kwargs: ChangeList)
        return model_admin.get_changelist_instance(request)


def assert_rows_are_djangos(response, monkeypatch, language: str) -> int:
    """Each row of the page's changelist, rendered by RowRenderer, is Django's row for the same
    request, cell by cell; and the page's HTML holds exactly those rows, in order."""
    assert response.status_code == 200
    ours = response.context["cl"]
    model_admin = ours.model_admin
    with translation.override(language):
        stock = stock_changelist(response.wsgi_request, model_admin, monkeypatch)
        renderer = RowRenderer(ours)
        our_cells = [renderer.cells(obj) for obj in ours.result_list]
        stock_cells = [[str(cell) for cell in items_for_result(stock, obj, None)] for obj in stock.result_list]
    assert our_cells == stock_cells
    html = response.content.decode()
    position = 0
    for cells in stock_cells:
        row = "<tr>" + "".join(cells) + "</tr>"
        found = html.find(row, position)
        assert found >= 0, row
        position = found + len(row)
    return len(stock_cells)


def login(client, user, language: str):
    client.force_login(user)
    client.cookies["django_language"] = language  # LocaleMiddleware reads it


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_managers_day_page_rows_are_djangos(client, manager, varied_orders, monkeypatch, language):
    login(client, manager, language)
    response = client.get(ORDERS, ONE_DAY, headers={"accept-language": language})
    assert response.templates[0].name == "admin/orders/order/change_list.html"
    assert assert_rows_are_djangos(response, monkeypatch, language) == 14
    # In the language asked for: the headers and the status labels.
    body = response.content.decode()
    with translation.override(language):
        header = capfirst(Order._meta.get_field("id").verbose_name)
        label = str(Order.Status.COMPLETED.label)
    assert f">{header}</a>" in body
    assert f'<td class="field-status">{label}</td>' in body
    assert (language == "zh-hans") == ("已完成" in body)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"store__id__exact": "STORE001", "o": "-3.6", **ONE_DAY},  # sorted by status, then time
        {"q": "STORE001", "status__exact": "pending"},
        {"_popup": "1", "_to_field": "id"},  # the popup link carries the object's id
        {"p": "2"},
    ],
)
def test_admins_pages_rows_are_djangos(client, admin_user, varied_orders, monkeypatch, language, params):
    login(client, admin_user, language)
    if params.get("p"):
        monkeypatch.setattr(admin.site._registry[Order], "list_per_page", 4)
    response = client.get(ORDERS, params)
    assert assert_rows_are_djangos(response, monkeypatch, language) > 0


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_registered_changelist_renders_as_django(client, admin_user, varied_orders, monkeypatch, language):
    """The plan is not for orders only: every admin of the project, whatever its columns (choices,
    booleans, dates, money, decimals, methods, related objects), renders Django's rows with it."""
    ReservationFactory.create_batch(3, reservation_date=timezone.localdate())  # the list opens on today
    InventoryItemFactory.create_batch(3)
    login(client, admin_user, language)
    rendered = 0
    for model, model_admin in admin.site._registry.items():
        if model_admin.list_editable:
            continue  # rows with forms: fast_result_list leaves them to Django
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        response = client.get(url)
        if response.status_code != 200:
            continue  # an admin without a changelist for this user
        rendered += assert_rows_are_djangos(response, monkeypatch, language)
    assert rendered > 30


@pytest.mark.django_db
def test_the_page_loads_only_the_listed_fields(client, manager, varied_orders):
    """`list_only_fields` narrows the page's query, not the count, the date hierarchy or the actions."""
    login(client, manager, "en")
    response = client.get(ORDERS, ONE_DAY)
    cl = response.context["cl"]
    deferred = cl.result_list[0].get_deferred_fields()
    assert {"metadata", "notes", "confirmed_at"} <= deferred
    assert "metadata" not in cl.queryset.query.deferred_loading[0]


# --- column kinds no project admin shows yet ---------------------------------------------------------


class _EveryKindOfColumn(admin.ModelAdmin):
    """Columns through each of items_for_result's branches: fields of many types, callables with
    flags, admin methods, names looked up on the model per row, links in two columns."""

    list_display = [
        "status",
        "id",
        "store",
        "table",
        "order_time",
        "confirmed_at",
        "guest_count",
        "subtotal_cents",
        "metadata",
        "notes",
        "customer_phone",
        "cancel_reason",
        lambda obj: obj.order_time.date(),
        "local_time",
        "paid",
        "maybe",
        "blank",
        "missing",
        "__str__",
        "store__name",
        "table__is_active",
        "get_status_display",
    ]
    list_display_links = ["id", "status"]

    @admin.display(boolean=True)
    def paid(self, obj):
        return {"completed": True, "cancelled": False}.get(obj.status)

    @admin.display(empty_value="(none)")
    def maybe(self, obj):
        return obj.table_id

    def blank(self, obj):
        return "   "

    def missing(self, obj):
        raise Order.DoesNotExist

    def local_time(self, obj):
        return timezone.localtime(obj.order_time).time()


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("links", ["two", "none", "default"])
@pytest.mark.parametrize("changelist", ["fast", "stock"])
def test_every_kind_of_column_renders_as_django(rf, admin_user, varied_orders, language, links, changelist):
    from django.urls import resolve

    from zhilian.admin import FastRowLinksChangeList

    Order.objects.filter(pk="STORE001-20261120-0003").update(metadata={"k": ["<v>", 1]}, notes="a & b")
    model_admin = _EveryKindOfColumn(Order, admin.site)
    model_admin.list_display_links = {"two": ["id", "status"], "none": None, "default": ()}[links]
    model_admin.get_changelist = lambda request, **kwargs: (
        FastRowLinksChangeList if changelist == "fast" else ChangeList
    )
    request = rf.get(ORDERS, {"q": "STORE001", "o": "2"})
    request.user = admin_user
    request.resolver_match = resolve(ORDERS)
    with translation.override(language):
        cl = model_admin.get_changelist_instance(request)
        renderer = RowRenderer(cl)
        rows = list(cl.result_list)
        assert len(rows) == 15
        for obj in rows:
            assert renderer.cells(obj) == [str(cell) for cell in items_for_result(cl, obj, None)]


# --- the page's datetime format ---------------------------------------------------------------------

FORMATS = [
    "N j, Y, P",
    "Y年n月j日 H:i",
    "aAbcdDeEfFgGhHiIjlLmMnNoOPrsStTUuwWyYzZ",
    r"\Y\e\s: D, d M Y H:i:s.u \\ l jS F o-W z t L",
    "",
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC", "America/New_York"])
def test_page_datetime_format_is_djangos(language, zone):
    from django.utils import dateformat

    from zhilian.admin.results import _DateTimeFormat

    base = timezone.make_aware(dt.datetime(2026, 3, 8, 0, 0))  # midnight, and a DST change in New York
    moments = [base + dt.timedelta(minutes=47 * n, seconds=n, microseconds=n * 1001) for n in range(80)]
    moments += [base.replace(hour=12), base.replace(month=12, day=31, hour=23, minute=59)]
    moments += [base.replace(hour=13, second=s, microsecond=s) for s in (0, 17, 59)]  # one minute, three seconds
    with translation.override(language), timezone.override(zone):
        for fmt in FORMATS:
            formatted = _DateTimeFormat(fmt)
            for moment in moments + moments:  # the second pass reads what the first one kept
                local = timezone.template_localtime(moment)
                assert formatted(local) == dateformat.format(local, fmt), (fmt, local)
