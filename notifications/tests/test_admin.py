import pytest
from django.test import Client

from notifications.models import Notification
from notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/notifications/notification/"


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def rows(manager, other_manager, admin_user):
    return {
        "manager": NotificationFactory(recipient=manager, title="For manager one"),
        "other": NotificationFactory(recipient=other_manager, title="For manager two"),
        "admin": NotificationFactory(recipient=admin_user, store=None, title="For the chain admin"),
    }


def test_admin_changelist_shows_every_notification(admin_user, rows, django_assert_max_num_queries):
    client = admin_client(admin_user)
    with django_assert_max_num_queries(12):
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    for row in rows.values():
        assert row.title in response.text


def test_manager_changelist_shows_only_own(manager, rows):
    response = admin_client(manager).get(CHANGELIST)
    assert response.status_code == 200
    assert "For manager one" in response.text
    assert "For manager two" not in response.text
    assert "For the chain admin" not in response.text
    assert admin_client(manager).get(f"{CHANGELIST}{rows['other'].pk}/change/").status_code == 302  # not found


def test_unread_filter_and_mark_read_action(manager, rows):
    client = admin_client(manager)
    assert "For manager one" in client.get(f"{CHANGELIST}?read=no").text
    response = client.post(
        CHANGELIST, {"action": "mark_read", "_selected_action": [str(rows["manager"].pk), str(rows["other"].pk)]}
    )
    assert response.status_code == 302
    rows["manager"].refresh_from_db()
    rows["other"].refresh_from_db()
    assert rows["manager"].read_at is not None
    assert rows["other"].read_at is None  # not the manager's: outside their queryset
    assert "For manager one" not in client.get(f"{CHANGELIST}?read=no").text


def test_no_add_in_the_admin(admin_user, rows):
    assert admin_client(admin_user).get(f"{CHANGELIST}add/").status_code == 403
    assert Notification.objects.count() == 3
