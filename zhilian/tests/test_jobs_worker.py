"""Jobs through Celery's real machinery: a worker started in this test session (a thread, the solo
pool) takes the tasks from Redis, runs them on its own database connection, retries a transient
error after a back-off, and tells the admins of a job that failed for good.

The worker reads what the test wrote, so the tests commit (transaction=True). Each session uses a
queue of its own, so nothing else on the same Redis takes or leaves these messages.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from celery.result import EagerResult
from celery.signals import task_postrun
from django.conf import settings
from django.db import connection
from django.utils import timezone

from notifications.models import Notification
from reservations.models import Reservation
from reservations.tasks import mark_no_shows
from reservations.tests.factories import ReservationFactory
from zhilian import celery_app
from zhilian.tests import jobs_tasks

pytestmark = [
    pytest.mark.skipif(
        not (settings.IS_POSTGRES and settings.REDIS_URL),
        reason="needs PostgreSQL and Redis (REDIS_URL): the worker takes its tasks from Redis and runs them in a "
        "thread on its own database connection, which SQLite's in-memory test database cannot give it",
    ),
    pytest.mark.django_db(transaction=True),
]

WAIT = 60  # seconds: a generous bound for a task (and its retries) to finish, not a timing assertion


def _close_connection(**kwargs) -> None:
    # What `celery worker` does after each task (Django's fixup), which the embedded worker skips:
    # the worker thread's connection goes back, so the test database can be dropped at the end.
    connection.close()


@pytest.fixture(scope="module")
def worker_queue():
    queue = f"zhilian-test-{uuid.uuid4().hex[:12]}"
    conf = celery_app.conf
    saved = conf.task_always_eager
    conf.task_always_eager = False
    task_postrun.connect(_close_connection, weak=False)
    try:
        with start_worker(
            celery_app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=30, loglevel="WARNING"
        ):
            yield queue
    finally:
        task_postrun.disconnect(_close_connection)
        conf.task_always_eager = saved
        # The queue (no message should be left in it) and kombu's binding tables go with it.
        with celery_app.connection_for_write() as conn:
            channel = conn.default_channel
            channel.queue_delete(queue)
            channel.client.delete(channel.keyprefix_queue % queue, channel.keyprefix_binding_permanent % queue)


def _wait_for(check, what: str):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"the worker did not {what} within {WAIT}s")


def test_worker_runs_a_job_from_the_broker(worker_queue, store):
    past = timezone.localdate() - dt.timedelta(days=1)
    due = ReservationFactory(store=store, reservation_date=past, reservation_time=dt.time(18, 0))
    result = mark_no_shows.apply_async(queue=worker_queue, ignore_result=False)
    assert not isinstance(result, EagerResult), "sent to the broker, not run in the test"
    assert result.get(timeout=WAIT) == {"no_shows": 1}
    result.forget()
    due.refresh_from_db()
    assert due.status == Reservation.Status.NO_SHOW

    # Delivered again (what acks_late allows after a lost worker): nothing changes.
    again = mark_no_shows.apply_async(queue=worker_queue, ignore_result=False)
    assert again.get(timeout=WAIT) == {"no_shows": 0}
    again.forget()


def test_worker_retries_a_transient_error_then_succeeds(worker_queue, store, admin_user):
    past = timezone.localdate() - dt.timedelta(days=1)
    due = ReservationFactory(store=store, reservation_date=past, reservation_time=dt.time(18, 0))
    key = uuid.uuid4().hex
    result = jobs_tasks.flaky_sweep.apply_async(args=(key, 1), queue=worker_queue, ignore_result=False)
    assert result.get(timeout=WAIT) == {"no_shows": 1, "attempts": 2, "retries": 1}
    result.forget()
    assert Reservation.objects.get(pk=due.pk).status == Reservation.Status.NO_SHOW
    assert not Notification.objects.exists()


def test_worker_notifies_the_admins_of_a_failed_job(worker_queue, store, admin_user, manager):
    key = uuid.uuid4().hex
    result = jobs_tasks.broken.apply_async(args=(key,), queue=worker_queue, ignore_result=False)
    with pytest.raises(ValueError, match=f"bad data in job {key}"):
        result.get(timeout=WAIT)
    result.forget()
    note = _wait_for(lambda: Notification.objects.filter(recipient=admin_user).first(), "notify the admin")
    assert (note.kind, note.level) == ("system", "critical")
    assert note.data["task"] == "zhilian.tests.broken" and note.data["task_id"] == result.id
    assert not Notification.objects.filter(recipient=manager).exists()
    assert jobs_tasks.ATTEMPTS[key] == 1
