"""The site root sends each role where its work is; staff who try the admin are told to use the
dashboard; the admin frame has an icon and a language switcher."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.tests.factories import TEST_PASSWORD


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "target"), [("admin_user", "/admin/"), ("manager", "/admin/"), ("staff", "/dashboard/")]
)
def test_the_root_sends_each_role_where_its_work_is(request, who, target):
    client = Client()
    client.force_login(request.getfixturevalue(who))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == target


def test_the_root_sends_an_anonymous_visitor_to_the_dashboard_which_asks_for_a_login(db):
    client = Client()
    assert client.get("/")["Location"] == "/dashboard/"
    assert client.get("/dashboard/")["Location"].startswith("/dashboard/login/")


def test_favicon_ico_is_the_site_icon(db):
    response = Client().get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith(".svg")


@pytest.mark.django_db
def test_staff_who_try_the_admin_are_told_to_use_the_dashboard_with_a_link(staff):
    response = Client().post("/admin/login/", {"username": staff.username, "password": TEST_PASSWORD})
    assert response.status_code == 200
    body = response.content.decode()
    assert "The admin is for managers." in body
    assert '<a href="/dashboard/login/">open the dashboard</a>' in body
    assert "_auth_user_id" not in response.client.session


@pytest.mark.django_db
def test_a_wrong_password_still_gets_the_usual_message_whatever_the_role(staff):
    response = Client().post("/admin/login/", {"username": staff.username, "password": "wrong-password"})
    body = response.content.decode()
    assert "The admin is for managers." not in body
    assert "Please enter the correct username and password" in body


@pytest.mark.django_db
def test_the_admin_has_a_language_switcher_and_an_icon(manager):
    client = Client()
    client.force_login(manager)
    body = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'id="language-switcher"' in body and 'action="/i18n/setlang/"' in body
    assert '<option value="zh-hans" selected lang="zh-hans">简体中文</option>' in body
    assert 'rel="icon"' in body and "favicon" in body
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    assert switched["Location"] == "/admin/"
    assert '<html lang="en"' in client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
