"""Digests: the content of a hand-built day, sent once when the job runs twice, the e-mail in the
subscriber's language (plain text + HTML), the notification, subscriptions over the API."""

import datetime as dt

import pytest
from django.core import mail

from attendance.tests.factories import TimeEntryFactory
from digests.models import DigestLog, DigestSubscription, Frequency
from digests.selectors import digest_summary
from digests.services import digest_period, digest_send, digest_subscription_set
from digests.tasks import send_digests
from kpis.chain.report import DAY, period_of
from kpis.metrics import KPI_FOOD_COST_RATIO, KPI_REVENUE
from kpis.tests.chain_data import MONDAY, build_chain
from kpis.tests.helpers import local
from notifications.models import Notification
from reservations.models import Reservation
from reservations.tests.factories import ReservationFactory
from stores.tests.factories import EmployeeFactory
from zhilian.errors import Forbidden, InvalidInput

pytestmark = pytest.mark.django_db
DAY_PERIOD = period_of(DAY, day=MONDAY)


@pytest.fixture
def chain(actors):
    a, b, c = build_chain(actors.store, actors.other_store)
    ReservationFactory(store=a, reservation_date=MONDAY, status=Reservation.Status.NO_SHOW)
    ReservationFactory(store=a, reservation_date=MONDAY, status=Reservation.Status.NO_SHOW)
    ReservationFactory(store=b, reservation_date=MONDAY, status=Reservation.Status.COMPLETED)
    ReservationFactory(store=a, reservation_date=MONDAY + dt.timedelta(days=1), status=Reservation.Status.NO_SHOW)
    TimeEntryFactory(employee=EmployeeFactory(store=a), business_date=MONDAY, auto_closed=True, needs_review=True)
    TimeEntryFactory(employee=EmployeeFactory(store=a), business_date=MONDAY)  # a normal one
    return a, b, c


def test_content_of_a_day(actors, chain):
    a, b, c = chain
    failed = Notification.objects.create(
        recipient=actors.admin, kind="system", title="Background job failed: kpis.compute_today",
        data={"task": "kpis.compute_today"},
    )  # fmt: skip
    Notification.objects.filter(pk=failed.pk).update(created_at=local(MONDAY, 4))
    later = Notification.objects.create(recipient=actors.admin, kind="system", title="x", data={"task": "other"})
    Notification.objects.filter(pk=later.pk).update(created_at=local(MONDAY + dt.timedelta(days=1), 4))
    summary = digest_summary(user=actors.admin, period=DAY_PERIOD)
    stores = {s["store"]: s for s in summary["stores"]}
    a_row = stores[a.pk]
    figures = {f["kpi"]: f for f in a_row["figures"]}
    assert figures[KPI_REVENUE]["value"] == "1000.0000"
    assert figures[KPI_REVENUE]["shown"] == "¥1,000.00"
    assert figures[KPI_FOOD_COST_RATIO]["value"] == "30.0000"
    assert a_row["no_shows"] == 2
    assert a_row["missed_clockouts"] == 1
    assert a_row["off_track"] == ["Daily revenue"]  # 1000 against a critical 3500
    assert stores[b.pk]["no_shows"] == 0
    regions = {r["region"]: r for r in summary["regions"]}
    assert {f["kpi"]: f["value"] for f in regions["east"]["figures"]}[KPI_REVENUE] == "3000.0000"
    assert regions["east"]["no_shows"] == 2
    assert summary["failed_jobs"] == ["kpis.compute_today"]
    # A manager: their store only, and no job failures (those are the admins').
    mine = digest_summary(user=actors.manager, period=DAY_PERIOD)
    assert [s["store"] for s in mine["stores"]] == [a.pk]
    assert mine["failed_jobs"] == []


def test_sent_once_when_the_job_runs_twice(actors, chain, django_capture_on_commit_callbacks):
    digest_subscription_set(actor=actors.manager, user=actors.manager, frequency=Frequency.DAILY, language="en")
    today = MONDAY + dt.timedelta(days=1)
    period = digest_period(Frequency.DAILY, today=today)
    assert period == DAY_PERIOD
    with django_capture_on_commit_callbacks(execute=True):
        assert digest_send(user=actors.manager, frequency=Frequency.DAILY, period=period, language="en") is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert digest_send(user=actors.manager, frequency=Frequency.DAILY, period=period, language="en") is None
    assert DigestLog.objects.filter(user=actors.manager).count() == 1
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(recipient=actors.manager, data__digest="daily").count() == 1
    log = DigestLog.objects.get(user=actors.manager)
    assert log.emailed_at is not None and log.stores == 1


def test_the_job_sends_each_subscriber_once(actors, chain, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr("digests.services.timezone.localdate", lambda: MONDAY + dt.timedelta(days=1))
    digest_subscription_set(actor=actors.manager, user=actors.manager, frequency=Frequency.DAILY)
    digest_subscription_set(actor=actors.admin, user=actors.admin, frequency=Frequency.DAILY, language="en")
    digest_subscription_set(actor=actors.other_manager, user=actors.other_manager, frequency=Frequency.WEEKLY)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests(Frequency.DAILY) == {"period_start": MONDAY.isoformat(), "sent": 2, "skipped": 0}
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests(Frequency.DAILY) == {"period_start": MONDAY.isoformat(), "sent": 0, "skipped": 2}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([actors.manager.email, actors.admin.email])


def test_chinese_email_with_html(actors, chain, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        digest_send(user=actors.manager, frequency=Frequency.DAILY, period=DAY_PERIOD, language="zh-hans")
    (message,) = mail.outbox
    assert message.to == [actors.manager.email]
    assert "智联" in message.subject or "摘要" in message.subject
    assert "日营业额" in message.body  # the revenue KPI's Chinese name
    assert "¥1,000.00" in message.body
    assert "未到店" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "日营业额" in html and "<table" in html
    notification = Notification.objects.get(recipient=actors.manager)
    assert notification.title == message.subject
    assert notification.level == Notification.Level.WARNING  # off track and a missed clock-out


def test_subscription_rules(actors):
    with pytest.raises(Forbidden):
        digest_subscription_set(actor=actors.staff, user=actors.staff, frequency=Frequency.DAILY)
    with pytest.raises(Forbidden):
        digest_subscription_set(actor=actors.manager, user=actors.other_manager, frequency=Frequency.DAILY)
    with pytest.raises(InvalidInput):
        digest_subscription_set(actor=actors.manager, user=actors.manager, frequency="hourly")
    digest_subscription_set(actor=actors.admin, user=actors.manager, frequency=Frequency.WEEKLY)
    digest_subscription_set(actor=actors.manager, user=actors.manager, frequency=Frequency.OFF)
    assert DigestSubscription.objects.get(user=actors.manager).frequency == Frequency.OFF


def test_subscription_api(actors, client_for):
    client = client_for(actors.manager)
    assert client.get("/api/v1/digests/subscription/").json()["frequency"] == "off"
    response = client.put("/api/v1/digests/subscription/", {"frequency": "weekly", "language": "en"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["frequency"] == "weekly"
    assert DigestSubscription.objects.get(user=actors.manager).language == "en"
    response = client.put("/api/v1/digests/subscription/", {"frequency": "hourly"}, format="json")
    assert response.status_code == 400 and "frequency" in response.json()
    assert client_for(actors.staff).get("/api/v1/digests/subscription/").status_code == 403


def test_weekly_period():
    monday = dt.date(2026, 3, 9)
    period = digest_period(Frequency.WEEKLY, today=monday)
    assert (period.start, period.end) == (dt.date(2026, 3, 2), dt.date(2026, 3, 8))


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sends_write_one_digest(actors, chain):
    from zhilian.testing.concurrency import run_in_threads

    def work(_index):
        return digest_send(user=actors.manager, frequency=Frequency.DAILY, period=DAY_PERIOD, language="en")

    outcome = run_in_threads(2, work)
    assert outcome.failures == []
    assert len([r for r in outcome.ok if r is not None]) == 1
    assert DigestLog.objects.count() == 1
