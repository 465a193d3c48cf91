"""Every ModelAdmin in the registry, generically (apps keep adding admins; this finds them at run time).

- An admin opens every changelist (with rows in it), its search, a change page and, where adding is
  allowed, the add page: all 200, and the changelist's query count does not grow with its rows.
- A manager's changelists hold only what ``for_user`` lets them see (their store's rows); another
  store's change page is not shown.
- Staff cannot enter the admin at all.

Rows come from each app's ``tests/factories.py`` (the factory whose model is the admin's model),
built once in the manager's store and once in another store. Models without a factory of ours
(simplejwt's token tables, django-axes' login records, the audit trail, celery beat's schedule) get
a builder below.
"""

from __future__ import annotations

import importlib

import factory
import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.tests.factories import UserFactory
from stores.models import Store
from stores.tests.factories import StoreFactory
from zhilian.testing.queries import count_queries

REGISTRY = dict(admin.site._registry)
MODELS = sorted(REGISTRY, key=lambda m: m._meta.label)


def _factories() -> dict:
    found: dict = {}
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.tests.factories")
        except ModuleNotFoundError:
            continue
        for obj in vars(module).values():
            if not (isinstance(obj, type) and issubclass(obj, factory.django.DjangoModelFactory)):
                continue
            model = obj._meta.model
            if model is None or obj._meta.abstract:
                continue
            # Prefer `<Model>Factory` (UserFactory over AdminFactory, ...).
            if model not in found or obj.__name__ == f"{model.__name__}Factory":
                found[model] = obj
    return found


FACTORIES = _factories()


def _outstanding_token(store):
    user = UserFactory(store=store)
    RefreshToken.for_user(user)
    from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

    return OutstandingToken.objects.filter(user=user).latest("id")


def _blacklisted_token(store):
    token = _outstanding_token(store)
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

    return BlacklistedToken.objects.create(token=token)


def _ledger_row(store):
    # Ledger rows are written by the stock services only (never a bare insert).
    from inventory import services
    from inventory.tests.factories import InventoryItemFactory

    return services.stock_record_purchase(item=InventoryItemFactory(store=store), quantity="5")


def _failed_login(store):
    # Recorded the way every door records one: a refused authenticate() (django-axes).
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    user = UserFactory(store=store)
    authenticate(RequestFactory().post("/admin/login/"), username=user.username, password="wrong-password")
    return user


def _access_attempt(store):
    from axes.models import AccessAttempt

    return AccessAttempt.objects.get(username=_failed_login(store).username.lower())


def _access_failure(store):
    from axes.models import AccessFailureLog

    return AccessFailureLog.objects.filter(username=_failed_login(store).username.lower()).latest("id")


def _audit_entry(store):
    # Entries are written by the services (zhilian.audit.audit_record), here an order's edit.
    from auditlog.models import LogEntry

    from orders import services
    from orders.tests.factories import OrderFactory

    order = OrderFactory(store=store)
    services.order_update(order=order, user=UserFactory(store=store, role="manager"), customer_name="Audit Li")
    return LogEntry.objects.get_for_object(order).latest("id")


def _crontab(store):
    from django_celery_beat.models import CrontabSchedule

    return CrontabSchedule.objects.create(minute=str(CrontabSchedule.objects.count() % 60), hour="3")


def _interval(store):
    from django_celery_beat.models import IntervalSchedule

    return IntervalSchedule.objects.create(every=IntervalSchedule.objects.count() + 1, period="minutes")


def _solar(store):
    from django_celery_beat.models import SolarSchedule

    return SolarSchedule.objects.create(
        event="sunrise", latitude=31.23, longitude=121.47 + SolarSchedule.objects.count()
    )


def _clocked(store):
    import datetime as dt

    from django.utils import timezone
    from django_celery_beat.models import ClockedSchedule

    return ClockedSchedule.objects.create(clocked_time=timezone.now() + dt.timedelta(days=1))


def _periodic_task(store):
    # Beside the default schedule the migration wrote (zhilian.jobs.DEFAULT_SCHEDULE).
    from django_celery_beat.models import PeriodicTask

    return PeriodicTask.objects.create(
        name=f"test job {PeriodicTask.objects.count()}", task="reservations.mark_no_shows", crontab=_crontab(store)
    )


BUILDERS = {
    "django_celery_beat.crontabschedule": _crontab,
    "django_celery_beat.intervalschedule": _interval,
    "django_celery_beat.solarschedule": _solar,
    "django_celery_beat.clockedschedule": _clocked,
    "django_celery_beat.periodictask": _periodic_task,
    "token_blacklist.outstandingtoken": _outstanding_token,
    "token_blacklist.blacklistedtoken": _blacklisted_token,
    "axes.accessattempt": _access_attempt,
    "axes.accessfailurelog": _access_failure,
    "inventory.inventorytransaction": _ledger_row,
    "auditlog.logentry": _audit_entry,
}


def make_row(model, store):
    """One row of `model` belonging to `store` where the model is store-scoped."""
    builder = BUILDERS.get(model._meta.label_lower)
    if builder is not None:
        return builder(store)
    if model is Store:
        return StoreFactory()
    factory_class = FACTORIES.get(model)
    if factory_class is None:
        pytest.fail(f"{model._meta.label} is in the admin but has no factory in <app>/tests/factories.py")
    lookup = getattr(model, "store_lookup", None)
    if lookup:
        # factory-boy passes "order__store" through to the order's SubFactory.
        return factory_class(**{lookup: store})
    return factory_class()


def admin_url(model, view, *args):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)
    if view == "changelist" and model._meta.label in EVERY_ROW:
        url += "?" + EVERY_ROW[model._meta.label]
    return url


# Changelists that open on a default filter (the reservations on today) and the query that lists
# every row instead, so the rows these tests make are on the page.
EVERY_ROW = {"reservations.Reservation": "when=all"}


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _label(model):
    return model._meta.label


class _Request:
    """What ModelAdmin.has_*_permission looks at."""

    def __init__(self, user, method="GET"):
        self.user = user
        self.method = method


@pytest.mark.parametrize("model", MODELS, ids=_label)
def test_admin_opens_every_page(model, actors):
    model_admin = REGISTRY[model]
    row = make_row(model, actors.store)
    make_row(model, actors.other_store)
    client = logged_in(actors.admin)

    response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 200, f"{model._meta.label} changelist: {response.status_code}"
    changelist = response.context["cl"]
    assert len(changelist.result_list) >= 1, "the changelist shows no rows"
    assert any(obj.pk == row.pk for obj in changelist.result_list) or len(changelist.result_list) > 1

    if model_admin.get_search_fields(_Request(actors.admin)):
        response = client.get(admin_url(model, "changelist"), {"q": "zz-no-match"})
        assert response.status_code == 200, f"{model._meta.label} search: {response.status_code}"

    response = client.get(admin_url(model, "change", quote(row.pk)))
    assert response.status_code == 200, f"{model._meta.label} change page: {response.status_code}"

    if model_admin.has_add_permission(_Request(actors.admin)):
        response = client.get(admin_url(model, "add"))
        assert response.status_code == 200, f"{model._meta.label} add page: {response.status_code}"


@pytest.mark.parametrize("model", MODELS, ids=_label)
def test_admin_changelist_query_count_is_constant(model, actors):
    client = logged_in(actors.admin)
    url = admin_url(model, "changelist")
    make_row(model, actors.store)
    client.get(url)  # warm caches (content types, sessions)
    few, _ = count_queries(lambda: client.get(url))
    for _ in range(4):
        make_row(model, actors.store)
    many, response = count_queries(lambda: client.get(url))
    assert response.status_code == 200
    assert few == many, f"{model._meta.label} changelist: {few} queries for 1 row, {many} for 5 (a query per row)"


@pytest.mark.parametrize("model", MODELS, ids=_label)
def test_manager_sees_only_own_store(model, actors):
    model_admin = REGISTRY[model]
    mine = make_row(model, actors.store)
    theirs = make_row(model, actors.other_store)
    manager = actors.manager
    client = logged_in(manager)
    response = client.get(admin_url(model, "changelist"))
    if not model_admin.has_view_permission(_Request(manager)):
        assert response.status_code == 403
        return
    assert response.status_code == 200

    manager_qs = model._default_manager.all()
    visible = (
        set(manager_qs.for_user(manager).values_list("pk", flat=True)) if hasattr(manager_qs, "for_user") else None
    )
    shown = {obj.pk for obj in response.context["cl"].result_list}
    if visible is None:
        return  # not a store-scoped model: everyone sees the same rows
    assert shown <= visible, f"{model._meta.label}: the manager sees rows outside their store"
    # Nor do the filters in the sidebar name another store.
    assert actors.other_store.name not in response.content.decode(), f"{model._meta.label}: filter leaks a store"

    if theirs.pk not in visible:
        assert theirs.pk not in shown
        response = client.get(admin_url(model, "change", quote(theirs.pk)))
        assert response.status_code in (302, 404), f"{model._meta.label}: another store's row is shown"
        if response.status_code == 302:
            text = " ".join(str(m) for m in get_messages(response.wsgi_request))
            assert "doesn" in text and "exist" in text
    if mine.pk in visible and model_admin.has_view_permission(_Request(manager), mine):
        response = client.get(admin_url(model, "change", quote(mine.pk)))
        assert response.status_code == 200


def test_every_registered_model_has_rows_to_show():
    """Guards the generic tests above: a new admin without a factory fails loudly here."""
    missing = [
        m._meta.label for m in MODELS if m not in FACTORIES and m._meta.label_lower not in BUILDERS and m is not Store
    ]
    assert not missing, f"admin models without a factory: {missing}"


def test_groups_are_not_in_the_admin():
    from django.contrib.auth.models import Group

    assert not admin.site.is_registered(Group)


def test_staff_cannot_enter_the_admin(actors):
    client = logged_in(actors.staff)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    response = client.get(admin_url(Store, "changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_anonymous_is_sent_to_login(db):
    response = Client().get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_manager_enters_the_admin(actors):
    response = logged_in(actors.manager).get("/admin/")
    assert response.status_code == 200


def test_audit_trail_is_read_only_and_for_admins_only(actors):
    from auditlog.models import LogEntry

    entry = _audit_entry(actors.store)
    assert logged_in(actors.manager).get(admin_url(LogEntry, "changelist")).status_code == 403
    assert logged_in(actors.manager).get(admin_url(LogEntry, "change", entry.pk)).status_code == 403

    model_admin = REGISTRY[LogEntry]
    request = _Request(actors.admin)
    assert model_admin.has_view_permission(request, entry)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)

    client = logged_in(actors.admin)
    response = client.get(admin_url(LogEntry, "changelist"), {"event": "order.update", "q": "Audit"})
    assert response.status_code == 200
    assert [row.pk for row in response.context["cl"].result_list] == [entry.pk]
    event_filter = next(f for f in response.context["cl"].filter_specs if getattr(f, "parameter_name", None) == "event")
    assert ("order.update", "order.update") in event_filter.lookup_choices
    # An event no recent entry names stays offered while it is the one filtered on.
    response = client.get(admin_url(LogEntry, "changelist"), {"event": "order.archived"})
    event_filter = next(f for f in response.context["cl"].filter_specs if getattr(f, "parameter_name", None) == "event")
    assert ("order.archived", "order.archived") in event_filter.lookup_choices
    assert list(response.context["cl"].result_list) == []
    page = client.get(admin_url(LogEntry, "change", entry.pk)).content.decode()
    assert "order.update" in page and "Audit Li" in page


@pytest.mark.parametrize("model", MODELS, ids=_label)
def test_history_page_opens(model, actors):
    """Every change page's History link (the audit trail where the base admin shows it)."""
    row = make_row(model, actors.store)
    response = logged_in(actors.admin).get(admin_url(model, "history", quote(row.pk)))
    assert response.status_code == 200, f"{model._meta.label} history: {response.status_code}"


# --- the HQ roles: area managers and finance --------------------------------------------------


@pytest.fixture
def hq(actors):
    """STORE002 moves to another region; an area manager of STORE001's region, and finance."""
    from accounts.tests.factories import AreaManagerFactory, FinanceFactory
    from stores.tests.factories import RegionFactory

    north = RegionFactory(code="north", name="North")
    Store.objects.filter(pk=actors.other_store.pk).update(region=north)
    return {
        "area_manager": AreaManagerFactory(username="area_east", regions=[actors.store.region]),
        "finance": FinanceFactory(username="finance"),
    }


@pytest.mark.parametrize("model", MODELS, ids=_label)
def test_area_manager_sees_only_their_regions_stores(model, actors, hq):
    model_admin = REGISTRY[model]
    area = hq["area_manager"]
    mine = make_row(model, actors.store)
    theirs = make_row(model, actors.other_store)
    client = logged_in(area)
    response = client.get(admin_url(model, "changelist"))
    if not model_admin.has_view_permission(_Request(area)):
        assert response.status_code == 403
        return
    assert response.status_code == 200
    queryset = model._default_manager.all()
    visible = set(queryset.for_user(area).values_list("pk", flat=True)) if hasattr(queryset, "for_user") else None
    if visible is None:
        return
    shown = {obj.pk for obj in response.context["cl"].result_list}
    assert shown <= visible, f"{model._meta.label}: the area manager sees rows outside their region"
    assert actors.other_store.name not in response.content.decode(), f"{model._meta.label}: filter leaks a store"
    unseen = [theirs.pk] if theirs.pk not in visible else []
    if model is Store:
        unseen.append(actors.other_store.pk)
    for pk in unseen:
        response = client.get(admin_url(model, "change", quote(pk)))
        assert response.status_code in (302, 404), f"{model._meta.label}: another region's row is shown"
    if mine.pk in visible and model_admin.has_view_permission(_Request(area), mine):
        assert mine.pk in shown or len(shown) >= model_admin.list_per_page
        assert client.get(admin_url(model, "change", quote(mine.pk))).status_code == 200


PERSONAL_MODELS = {"notifications.Notification", "digests.DigestSubscription", "digests.DigestLog"}


@pytest.mark.parametrize("model", MODELS, ids=_label)
def test_finance_reads_every_store_and_changes_nothing(model, actors, hq):
    model_admin = REGISTRY[model]
    finance = hq["finance"]
    mine = make_row(model, actors.store)
    theirs = make_row(model, actors.other_store)
    client = logged_in(finance)
    request = _Request(finance, "POST")
    # Their own inbox (mark read, dismiss) and their own digest subscription and digests sent.
    personal = model._meta.label in PERSONAL_MODELS
    subscription = model._meta.label == "digests.DigestSubscription"  # finance subscribes too
    if not subscription:
        assert not model_admin.has_add_permission(request), f"{model._meta.label}: finance may add"
    if not personal:
        assert not model_admin.has_change_permission(request, mine), f"{model._meta.label}: finance may change"
        assert not model_admin.has_delete_permission(request, mine), f"{model._meta.label}: finance may delete"
    response = client.get(admin_url(model, "changelist"))
    if not model_admin.has_view_permission(_Request(finance)):
        assert response.status_code == 403
        return
    assert response.status_code == 200
    queryset = model._default_manager.all()
    if not personal and hasattr(queryset, "for_user"):
        visible = set(queryset.for_user(finance).values_list("pk", flat=True))
        assert {mine.pk, theirs.pk} <= visible, f"{model._meta.label}: finance does not see every store"
    row = None if personal else mine
    if row is not None and model_admin.has_view_permission(_Request(finance), row):
        url = admin_url(model, "change", quote(row.pk))
        page = client.get(url)
        assert page.status_code == 200
        assert 'name="_save"' not in page.content.decode(), f"{model._meta.label}: finance gets a save button"
        assert client.post(url, {}).status_code == 403
    if not subscription:
        assert client.get(admin_url(model, "add")).status_code == 403


def test_region_filter_beside_the_store_filter_for_whoever_sees_several_regions(actors, hq):
    from orders.models import Order
    from orders.tests.factories import OrderFactory

    east = OrderFactory(store=actors.store)
    north = OrderFactory(store=actors.other_store)
    url = admin_url(Order, "changelist")
    for user in (actors.admin, hq["finance"]):
        response = logged_in(user).get(url, {"region": "north"})
        assert response.status_code == 200
        assert [o.pk for o in response.context["cl"].result_list] == [north.pk]
        region_filter = next(
            f for f in response.context["cl"].filter_specs if getattr(f, "parameter_name", "") == "region"
        )
        assert [code for code, _name in region_filter.lookup_choices] == [actors.store.region.code, "north"]
    # One region seen: the filter offers nothing and is not shown; one store: no store filter either.
    for user in (hq["area_manager"], actors.manager):
        response = logged_in(user).get(url)
        assert [o.pk for o in response.context["cl"].result_list] == [east.pk]
        assert not any(getattr(f, "parameter_name", "") == "region" for f in response.context["cl"].filter_specs)


def test_region_page_lists_its_stores_and_area_managers(actors, hq):
    from stores.models import Region

    region = actors.store.region
    page = logged_in(actors.admin).get(admin_url(Region, "change", region.pk)).content.decode()
    assert actors.store.pk in page and actors.other_store.pk not in page
    assert hq["area_manager"].full_name.replace("'", "&#x27;") in page


def test_area_manager_creates_staff_only_in_their_regions_stores(actors, hq):
    from accounts.models import User

    client = logged_in(hq["area_manager"])
    assert client.get(admin_url(User, "add")).status_code == 200
    data = {
        "username": "newcook",
        "email": "newcook@example.com",
        "role": "staff",
        "usable_password": "false",
        "is_active": "on",
    }
    response = client.post(admin_url(User, "add"), {**data, "store": actors.other_store.pk})
    assert response.status_code == 200 and not User.objects.filter(username="newcook").exists()
    response = client.post(admin_url(User, "add"), {**data, "store": actors.store.pk})
    assert response.status_code == 302, response.content[:2000]
    assert User.objects.get(username="newcook").store_id == actors.store.pk
