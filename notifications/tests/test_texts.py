"""Notifications are worded in the reader's language when read (notifications.texts)."""

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext_noop as N_  # noqa: N812

from notifications.models import Notification
from notifications.services import notification_create, notification_payload
from notifications.tests.factories import NotificationFactory
from notifications.texts import message, name, render

pytestmark = pytest.mark.django_db


def test_render_translates_the_message_and_its_message_parameters():
    status = message(N_("Out of stock"))
    text = message(N_("%(item)s: %(status)s"), item="五花肉", status=status)
    with translation.override("zh-hans"):
        assert render(text) == "五花肉：缺货"
        assert render(name("Dessert revenue", "甜品营收")) == "甜品营收"
        assert render(name("Daily revenue")) == "日营业额"
    with translation.override("en"):
        assert render(text) == "五花肉: Out of stock"
        assert render(name("Dessert revenue", "甜品营收")) == "Dessert revenue"
        assert render([message(N_("Order %(order)s cancelled"), order="A1"), "plain"]) == "Order A1 cancelled\nplain"


def test_stored_in_english_shown_in_each_readers_language(actors):
    (row,) = notification_create(
        recipients=[actors.manager],
        kind=Notification.Kind.SCHEDULE_PUBLISHED,
        title=message(N_("Schedule published for %(date)s"), date="2026-12-01"),
        body=message(N_("Your shifts are published; please confirm them.")),
        data={"date": "2026-12-01"},
    )
    row.refresh_from_db()
    # The columns keep the English (search, old clients); the data keeps the message.
    assert row.title == "Schedule published for 2026-12-01"
    assert row.data["date"] == "2026-12-01" and row.data["i18n"]["title"]["params"] == {"date": "2026-12-01"}
    legacy = NotificationFactory(recipient=actors.manager, title="Written before", body="as is")

    client = Client()
    client.force_login(actors.manager)
    zh = {n["id"]: n for n in client.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["results"]}
    assert zh[str(row.pk)]["title"] == "2026-12-01 的排班已发布"
    assert zh[str(row.pk)]["body"] == "你的班次已发布，请确认。"
    assert zh[str(legacy.pk)]["title"] == "Written before"
    en = {n["id"]: n for n in client.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()["results"]}
    assert en[str(row.pk)]["title"] == "Schedule published for 2026-12-01"

    admin_page = client.get("/admin/notifications/notification/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "2026-12-01 的排班已发布" in admin_page
    with translation.override("zh-hans"):
        assert notification_payload(row)["title"] == "2026-12-01 的排班已发布"
