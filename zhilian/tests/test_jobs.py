"""The job machinery (zhilian/celery.py, zhilian/jobs.py), eagerly: configuration per environment,
the default schedule in beat's tables, retries on transient errors, the admins told of a failure.
A real worker on Redis: test_jobs_worker.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from accounts.tests.factories import AdminFactory
from notifications.models import Notification
from zhilian import celery_app, jobs
from zhilian.tests import jobs_tasks

OUR_TASKS = {
    "kpis.compute_yesterday",
    "kpis.compute_today",
    "reservations.mark_no_shows",
    "inventory.scan_low_stock",
    "scheduling.draft_next_week",
    "attendance.close_missed_clockouts",
    "digests.send_daily",
    "digests.send_weekly",
}


def _conf_in(env: dict) -> dict:
    """The Celery configuration a fresh process gets from zhilian/settings.py under `env`."""
    clean = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL", "DATABASE_URL")}
    code = (
        "import json, django; django.setup(); from zhilian import celery_app as a; c = a.conf; "
        "print(json.dumps({k: c[k] for k in ('broker_url', 'task_always_eager', 'result_backend', "
        "'task_acks_late', 'task_serializer', 'accept_content', 'timezone', 'task_soft_time_limit', "
        "'task_time_limit', 'beat_scheduler')}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "zhilian.settings", "DEBUG": "true", **env},
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
        timeout=60,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.parametrize(
    ("env", "broker", "eager", "backend"),
    [
        ({}, "memory://", True, None),
        ({"REDIS_URL": "redis://127.0.0.1:6379/3"}, "redis://127.0.0.1:6379/3", False, "redis://127.0.0.1:6379/3"),
        (
            {"REDIS_URL": "redis://127.0.0.1:6379/3", "CELERY_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672//"},
            "amqp://guest:guest@127.0.0.1:5672//",
            False,
            None,
        ),
    ],
    ids=["no-broker-eager", "redis", "rabbitmq"],
)
def test_broker_follows_the_environment(env, broker, eager, backend):
    conf = _conf_in(env)
    assert (conf["broker_url"], conf["task_always_eager"], conf["result_backend"]) == (broker, eager, backend)
    assert conf["task_acks_late"] is True
    assert (conf["task_serializer"], conf["accept_content"]) == ("json", ["json"])
    assert conf["timezone"] == settings.TIME_ZONE
    assert conf["task_soft_time_limit"] < conf["task_time_limit"]
    assert conf["beat_scheduler"] == "django_celery_beat.schedulers:DatabaseScheduler"


def test_every_job_is_a_job_task_with_retries_and_limits():
    celery_app.loader.import_default_modules()
    registered = {name for name in celery_app.tasks if not name.startswith(("celery.", "zhilian.tests."))}
    assert registered == OUR_TASKS
    for name in OUR_TASKS:
        task = celery_app.tasks[name]
        assert isinstance(task, jobs.JobTask), name
        assert set(task.autoretry_for) >= {jobs.OperationalError, jobs.InterfaceError, ConnectionError}, name
        assert task.retry_backoff and task.retry_jitter and task.max_retries, name
        assert 0 < task.soft_time_limit < task.time_limit, name


def test_migrate_leaves_the_default_schedule(db):
    rows = {
        t.name: (t.task, str(t.crontab), t.enabled)
        for t in PeriodicTask.objects.select_related("crontab").exclude(name__startswith="celery.")
    }
    tz = settings.TIME_ZONE
    assert rows == {
        "kpis: yesterday": ("kpis.compute_yesterday", f"0 4 * * * (m/h/dM/MY/d) {tz}", True),
        "kpis: today": ("kpis.compute_today", f"*/15 * * * * (m/h/dM/MY/d) {tz}", True),
        "reservations: no-show sweep": ("reservations.mark_no_shows", f"*/10 * * * * (m/h/dM/MY/d) {tz}", True),
        "inventory: low-stock scan": ("inventory.scan_low_stock", f"5 * * * * (m/h/dM/MY/d) {tz}", True),
        "scheduling: next week's draft": ("scheduling.draft_next_week", f"0 6 * * 4 (m/h/dM/MY/d) {tz}", True),
        "attendance: missed clock-outs": (
            "attendance.close_missed_clockouts",
            f"*/10 * * * * (m/h/dM/MY/d) {tz}",
            True,
        ),
        "digests: daily": ("digests.send_daily", f"0 7 * * * (m/h/dM/MY/d) {tz}", True),
        "digests: weekly": ("digests.send_weekly", f"30 7 * * 1 (m/h/dM/MY/d) {tz}", True),
    }
    assert {t for t, _, _ in rows.values()} == OUR_TASKS


def _setup_schedule(*args) -> str:
    out = StringIO()
    call_command("setup_schedule", *args, stdout=out)
    return out.getvalue()


def test_setup_schedule_is_idempotent_keeps_edits_and_resets(db):
    n = len(jobs.DEFAULT_SCHEDULE)
    PeriodicTask.objects.filter(name="kpis: today").delete()
    assert "1 job(s) created, 0 reset" in _setup_schedule()
    assert f"0 job(s) created, 0 reset, {n} enabled" in _setup_schedule()
    assert PeriodicTask.objects.count() == n
    # Entries with the same timing share one crontab row.
    assert CrontabSchedule.objects.count() == len({tuple(sorted(e.crontab.items())) for e in jobs.DEFAULT_SCHEDULE})

    # An admin moves the nightly KPIs to 05:30 and pauses the no-show sweep: re-running keeps that.
    nightly = PeriodicTask.objects.get(name="kpis: yesterday")
    nightly.crontab = CrontabSchedule.objects.create(minute="30", hour="5", timezone=settings.TIME_ZONE)
    nightly.save()
    PeriodicTask.objects.filter(name="reservations: no-show sweep").update(enabled=False)
    _setup_schedule()
    assert PeriodicTask.objects.get(name="kpis: yesterday").crontab.hour == "5"
    assert not PeriodicTask.objects.get(name="reservations: no-show sweep").enabled

    assert f"0 job(s) created, {n} reset, {n} enabled" in _setup_schedule("--reset")
    nightly.refresh_from_db()
    assert (nightly.crontab.minute, nightly.crontab.hour) == ("0", "4")
    assert PeriodicTask.objects.get(name="reservations: no-show sweep").enabled


def test_a_transient_error_is_retried_then_the_job_succeeds(store, admin_user):
    key = uuid.uuid4().hex
    result = jobs_tasks.flaky_sweep.apply(args=(key, 1))
    assert result.successful(), result.traceback
    assert result.result == {"no_shows": 0, "attempts": 2, "retries": 1}
    assert not Notification.objects.exists()


def test_a_job_that_fails_for_good_notifies_the_admins(store, admin_user, manager):
    other_admin = AdminFactory(username="hq_ops")
    AdminFactory(username="gone", is_active=False)
    key = uuid.uuid4().hex
    result = jobs_tasks.broken.apply(args=(key,))
    assert result.failed()
    assert jobs_tasks.ATTEMPTS[key] == 1, "a bug is not retried"
    rows = Notification.objects.order_by("recipient__username")
    assert [n.recipient for n in rows] == [admin_user, other_admin]
    note = rows[0]
    assert (note.kind, note.level, note.store_id) == ("system", "critical", None)
    assert note.title == "Background job failed: zhilian.tests.broken"
    assert f"ValueError: bad data in job {key}" in note.body
    assert note.data == {
        "task": "zhilian.tests.broken",
        "task_id": result.id,
        "error": f"ValueError: bad data in job {key}",
        "retries": 0,
    }


def test_retries_exhausted_notify_the_admins(store, admin_user):
    key = uuid.uuid4().hex
    result = jobs_tasks.flaky_sweep.apply(args=(key, 10))
    assert result.failed()
    assert jobs_tasks.ATTEMPTS[key] == 3, "the first try and max_retries=2 retries"
    note = Notification.objects.get(recipient=admin_user)
    assert note.title == "Background job failed: zhilian.tests.flaky_sweep"
    assert note.data["retries"] == 2 and "OperationalError" in note.data["error"]


def test_a_failing_notification_does_not_hide_the_jobs_error(store, admin_user, monkeypatch, caplog):
    def boom(**kwargs):
        raise RuntimeError("notifications are down")

    monkeypatch.setattr(jobs, "job_failure_notify", boom)
    result = jobs_tasks.broken.apply(args=(uuid.uuid4().hex,))
    assert result.failed() and isinstance(result.result, ValueError)
    assert "the failure notification could not be written" in caplog.text


def test_only_admins_see_the_schedule_in_the_admin(actors, client):
    url = "/admin/django_celery_beat/periodictask/"
    client.force_login(actors.admin)
    response = client.get(url)
    assert response.status_code == 200
    assert "kpis: today" in response.content.decode()
    assert "/admin/django_celery_beat/" in client.get("/admin/").content.decode()

    client.force_login(actors.manager)
    assert client.get(url).status_code == 403
    assert client.get("/admin/django_celery_beat/crontabschedule/").status_code == 403
    index = client.get("/admin/")
    assert index.status_code == 200
    assert "django_celery_beat" not in index.content.decode()


def test_compose_runs_a_worker_and_one_beat():
    import yaml

    compose = yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text())["services"]
    worker, beat = compose["worker"], compose["beat"]
    assert worker["command"][:4] == ["celery", "-A", "zhilian", "worker"]
    assert beat["command"] == [
        "celery", "-A", "zhilian", "beat", "-l", "info",
        "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler",
    ]  # fmt: skip
    for service in (worker, beat):
        # The same image, settings and broker as the web processes; started once `web` has migrated.
        assert service["environment"]["REDIS_URL"] == compose["web"]["environment"]["REDIS_URL"]
        assert service["environment"]["DATABASE_URL"] == compose["web"]["environment"]["DATABASE_URL"]
        assert service["depends_on"] == {"web": {"condition": "service_healthy"}}
    assert beat["deploy"]["replicas"] == 1, "two beats would send every job twice"
    assert beat["healthcheck"] == {"disable": True}, "the image's check probes HTTP, which beat does not serve"
    assert "inspect ping" in worker["healthcheck"]["test"][1]


def test_a_job_failing_again_notifies_once_until_read(store, admin_user):
    first = jobs_tasks.broken.apply(args=(uuid.uuid4().hex,))
    jobs_tasks.broken.apply(args=(uuid.uuid4().hex,))
    assert first.failed()
    notes = list(Notification.objects.filter(recipient=admin_user))
    assert len(notes) == 1, "the second failure within the hour is logged, not notified again"
    assert notes[0].data["task_id"] == first.id
    # Another job's failure is news.
    jobs_tasks.flaky_sweep.apply(args=(uuid.uuid4().hex, 10))
    assert Notification.objects.filter(recipient=admin_user).count() == 2

    # Read: the next failure is news again; so is one after the quiet period.
    Notification.objects.update(read_at=timezone.now())
    jobs_tasks.broken.apply(args=(uuid.uuid4().hex,))
    assert Notification.objects.filter(recipient=admin_user, read_at__isnull=True).count() == 1
    Notification.objects.update(created_at=timezone.now() - jobs.FAILURE_NOTICE_QUIET, read_at=None)
    jobs_tasks.broken.apply(args=(uuid.uuid4().hex,))
    assert Notification.objects.filter(recipient=admin_user, data__task="zhilian.tests.broken").count() == 3
