import pytest
from django.utils import timezone

from notifications.models import Notification
from notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/"


@pytest.fixture
def mine(manager):
    return [
        NotificationFactory(recipient=manager, kind=Notification.Kind.LOW_STOCK, level=Notification.Level.WARNING),
        NotificationFactory(recipient=manager, kind=Notification.Kind.ORDER_STATUS),
        NotificationFactory(recipient=manager, read_at=timezone.now()),
    ]


@pytest.fixture
def theirs(other_manager, staff, admin_user):
    return [
        NotificationFactory(recipient=other_manager),
        NotificationFactory(recipient=staff),
        NotificationFactory(recipient=admin_user, store=None),
    ]


def ids(response):
    return {row["id"] for row in response.json()["results"]}


def test_list_shows_only_own_newest_first(client_for, manager, mine, theirs):
    response = client_for(manager).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert {row["id"] for row in body["results"]} == {str(n.pk) for n in mine}
    created = [row["created_at"] for row in body["results"]]
    assert created == sorted(created, reverse=True)
    first = body["results"][0]
    assert set(first) >= {"id", "kind", "kind_display", "level", "title", "body", "data", "store", "is_read"}


def test_admin_sees_only_own_in_the_api(client_for, admin_user, mine, theirs):
    response = client_for(admin_user).get(URL)
    assert ids(response) == {str(theirs[2].pk)}


@pytest.mark.parametrize(
    ("query", "expected"),
    [("unread=true", [0, 1]), ("unread=false", [2]), ("kind=low_stock", [0]), ("level=warning", [0])],
)
def test_filters(client_for, manager, mine, query, expected):
    response = client_for(manager).get(f"{URL}?{query}")
    assert response.status_code == 200
    assert ids(response) == {str(mine[i].pk) for i in expected}


def test_bad_filter_value_is_400(client_for, manager, mine):
    response = client_for(manager).get(f"{URL}?kind=nonsense")
    assert response.status_code == 400
    assert "kind" in response.json()


def test_unread_count(client_for, manager, mine, theirs):
    response = client_for(manager).get(f"{URL}unread-count/")
    assert response.status_code == 200
    assert response.json() == {"unread": 2}


def test_retrieve_own_and_others_is_404(client_for, manager, mine, theirs):
    client = client_for(manager)
    assert client.get(f"{URL}{mine[0].pk}/").json()["id"] == str(mine[0].pk)
    for other in theirs:
        assert client.get(f"{URL}{other.pk}/").status_code == 404


def test_mark_read(client_for, manager, mine):
    client = client_for(manager)
    response = client.post(f"{URL}{mine[0].pk}/read/")
    assert response.status_code == 200
    assert response.json()["is_read"] is True
    mine[0].refresh_from_db()
    first_read_at = mine[0].read_at
    assert first_read_at is not None
    # Marking again keeps the first time.
    client.post(f"{URL}{mine[0].pk}/read/")
    mine[0].refresh_from_db()
    assert mine[0].read_at == first_read_at
    assert client.get(f"{URL}unread-count/").json() == {"unread": 1}


def test_mark_read_of_others_is_404_and_changes_nothing(client_for, manager, theirs):
    response = client_for(manager).post(f"{URL}{theirs[0].pk}/read/")
    assert response.status_code == 404
    theirs[0].refresh_from_db()
    assert theirs[0].read_at is None


def test_read_all_touches_only_own(client_for, manager, mine, theirs):
    response = client_for(manager).post(f"{URL}read-all/")
    assert response.status_code == 200
    assert response.json() == {"updated": 2}
    assert not Notification.objects.filter(recipient=manager, read_at__isnull=True).exists()
    assert Notification.objects.filter(pk__in=[n.pk for n in theirs], read_at__isnull=True).count() == 3
    assert client_for(manager).post(f"{URL}read-all/").json() == {"updated": 0}


def test_delete_own_and_others(client_for, manager, mine, theirs):
    client = client_for(manager)
    assert client.delete(f"{URL}{mine[0].pk}/").status_code == 204
    assert not Notification.objects.filter(pk=mine[0].pk).exists()
    assert client.delete(f"{URL}{theirs[0].pk}/").status_code == 404
    assert Notification.objects.filter(pk=theirs[0].pk).exists()


def test_staff_may_use_their_own_center(client_for, staff, theirs):
    client = client_for(staff)
    assert ids(client.get(URL)) == {str(theirs[1].pk)}
    assert client.post(f"{URL}read-all/").json() == {"updated": 1}


def test_anonymous_is_401(anon_client):
    assert anon_client.get(URL).status_code == 401
    assert anon_client.post(f"{URL}read-all/").status_code == 401


def test_no_create_or_update_through_the_api(client_for, manager, mine):
    client = client_for(manager)
    # Notifications are written by services only: the API offers neither create nor update (405).
    assert client.post(URL, {"title": "x"}).status_code == 405
    assert client.patch(f"{URL}{mine[0].pk}/", {"title": "x"}).status_code == 405
    assert Notification.objects.count() == 3
    mine[0].refresh_from_db()
    assert mine[0].title != "x"


def test_list_query_count_is_constant(client_for, manager, django_assert_max_num_queries):
    NotificationFactory.create_batch(5, recipient=manager)
    client = client_for(manager)
    with django_assert_max_num_queries(4):
        client.get(URL)
    NotificationFactory.create_batch(45, recipient=manager)
    with django_assert_max_num_queries(4):
        assert len(client.get(URL).json()["results"]) == 50
