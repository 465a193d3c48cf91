"""The /dashboard/ page shell: login, store choice, read-only for staff, translations, and the
summary endpoint fields its script reads."""

import json
import re

import pytest
from django.test import Client

from accounts.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

URL = "/dashboard/"


def page_for(user, **params):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(URL, params)


def config_of(response) -> dict:
    match = re.search(r'<script id="dashboard-config" type="application/json">(.*?)</script>', response.text, re.S)
    assert match, "the page carries its config blob"
    return json.loads(match.group(1))


def test_anonymous_is_sent_to_the_admin_login():
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/login/?next=/dashboard/"


def test_manager_sees_own_store(manager, store, other_store):
    response = page_for(manager)
    assert response.status_code == 200
    config = config_of(response)
    assert config["store"] == store.pk
    assert config["wsStore"] == f"/ws/stores/{store.pk}/"
    assert config["wsNotifications"] == "/ws/notifications/"
    assert config["readOnly"] is False
    assert config["summaryUrl"] == "/api/v1/kpis/dashboard/"
    assert config["pollSeconds"] == 30
    assert config["heartbeatSeconds"] == 25
    assert config["strings"]["reconnecting"] == "Reconnecting…"
    html = response.text
    assert 'id="store-select"' not in html
    for status in ("pending", "confirmed", "preparing", "ready", "served"):
        assert f'data-status="{status}"' in html
    for element_id in ("bell-count", "live-status", "mark-all-read", "revenue-chart", "low-stock", "reservations"):
        assert f'id="{element_id}"' in html
    assert other_store.name not in html


def test_another_store_is_404_for_a_manager(manager, other_store):
    assert page_for(manager, store=other_store.pk).status_code == 404


def test_staff_page_is_read_only(staff, store):
    response = page_for(staff)
    assert response.status_code == 200
    assert config_of(response)["readOnly"] is True
    assert 'id="read-only-badge"' in response.text
    assert config_of(response)["adminOrderUrl"] is None


def test_admin_picks_a_store(admin_user, store, other_store):
    response = page_for(admin_user)
    assert config_of(response)["store"] == store.pk  # the first one by default
    assert 'id="store-select"' in response.text
    assert f'<option value="{other_store.pk}"' in response.text
    assert config_of(page_for(admin_user, store=other_store.pk))["store"] == other_store.pk
    assert page_for(admin_user, store="NOSUCHSTORE").status_code == 404


def test_simplified_chinese(manager, store):
    client = Client()
    client.force_login(manager)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": URL})
    response = client.get(URL)
    assert '<html lang="zh-hans">' in response.text
    assert "实时看板" in response.text
    assert "全部标为已读" in response.text
    config = config_of(response)
    assert config["strings"]["live"] == "实时"
    assert config["strings"]["reconnecting"] == "正在重新连接…"
    assert config["strings"]["status"]["preparing"] == "制作中"
    assert config["language"] == "zh-hans"


def test_staff_can_log_in_through_the_dashboard_login(staff, store):
    client = Client()
    assert client.get("/dashboard/login/").status_code == 200
    response = client.post("/dashboard/login/", {"username": staff.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert client.get(URL).status_code == 200


def test_summary_has_every_field_the_script_reads(manager, store):
    client = Client()
    client.force_login(manager)
    response = client.get("/api/v1/kpis/dashboard/", {"store": store.pk})
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {
        "date",
        "figures",
        "kpis",
        "revenue_14d",
        "open_orders",
        "reservations",
        "shifts",
        "low_stock",
        "unread_notifications",
    }
    assert set(body["figures"]) >= {
        "revenue_cents",
        "order_count",
        "average_check_cents",
        "guest_count",
        "open_order_count",
    }
    assert len(body["revenue_14d"]) == 14


def test_the_page_refetches_regularly_only_when_events_cannot_cross_processes(client, manager, settings):
    client.force_login(manager)
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    assert client.get("/dashboard/").context["config"]["refreshSeconds"] == 15
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {}}}
    assert client.get("/dashboard/").context["config"]["refreshSeconds"] == 0


# --- the store switcher: whoever sees several stores picks one, grouped by region ------------------


@pytest.fixture
def two_regions(store, other_store):
    from stores.models import Store
    from stores.tests.factories import RegionFactory, StoreFactory

    east = RegionFactory(code="east-china", name="华东 East")
    north = RegionFactory(code="north-china", name="华北 North")
    Store.objects.filter(pk=store.pk).update(region=east)
    Store.objects.filter(pk=other_store.pk).update(region=north)
    third = StoreFactory(id="STORE003", name="Xintiandi", region=east)
    return east, north, third


def _optgroups(html: str) -> dict[str, list[str]]:
    groups = re.findall(r'<optgroup label="([^"]*)"[^>]*>(.*?)</optgroup>', html, re.S)
    return {label: re.findall(r'<option value="([^"]+)"', body) for label, body in groups}


def test_area_manager_switches_between_their_regions_stores(two_regions, store, other_store):
    from accounts.tests.factories import AreaManagerFactory

    east, _north, third = two_regions
    area = AreaManagerFactory(username="area_east", regions=[east])
    response = page_for(area)
    assert response.status_code == 200
    config = config_of(response)
    assert config["store"] == store.pk and config["wsStore"] == f"/ws/stores/{store.pk}/"
    assert config["readOnly"] is False
    assert _optgroups(response.text) == {"华东 East": [store.pk, third.pk]}
    switched = page_for(area, store=third.pk)
    assert config_of(switched)["store"] == third.pk
    assert config_of(switched)["wsStore"] == f"/ws/stores/{third.pk}/"
    assert re.search(rf'<option value="{third.pk}" selected>', switched.text)
    # A store of another region is no store at all.
    assert page_for(area, store=other_store.pk).status_code == 404


def test_finance_switches_across_the_chain_read_only(two_regions, store, other_store):
    from accounts.tests.factories import FinanceFactory

    _east, _north, third = two_regions
    response = page_for(FinanceFactory(username="finance"))
    assert response.status_code == 200
    assert config_of(response)["readOnly"] is True
    assert 'id="read-only-badge"' in response.text
    assert _optgroups(response.text) == {"华东 East": [store.pk, third.pk], "华北 North": [other_store.pk]}


def test_one_store_users_and_an_area_manager_of_one_store_get_no_switcher(two_regions, manager, store):
    from accounts.tests.factories import AreaManagerFactory
    from stores.tests.factories import RegionFactory, StoreFactory

    lone_region = RegionFactory(code="west", name="West")
    lone_store = StoreFactory(id="STORE009", region=lone_region)
    area = AreaManagerFactory(username="area_west", regions=[lone_region])
    for user, shown in ((manager, store), (area, lone_store)):
        response = page_for(user)
        assert 'id="store-select"' not in response.text
        assert f'id="store-name">{shown.pk} · ' in response.text
        assert config_of(response)["store"] == shown.pk
