"""`make run` without a broker (zhilian/devjobs.py): beat's schedule runs inside the development
server, each due job eagerly, and the events the job publishes reach the server's sockets through
its own channel layer (in memory in development) — the dashboard's KPI tiles move on their own."""

import pytest
from channels.testing import WebsocketCommunicator
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from kpis.services import kpi_ensure_defaults
from notifications.tests.ws import ORIGIN, run, token_for
from zhilian.asgi import application
from zhilian.devjobs import JobsInServer

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 30  # generous bound for the first tick and the job; nothing is timed


def test_jobs_run_in_the_server_and_their_events_reach_its_sockets(manager, store):
    kpi_ensure_defaults()
    PeriodicTask.objects.update(enabled=False)
    every_second = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(name="test: today's KPIs", task="kpis.compute_today", interval=every_second)
    server = JobsInServer(application)

    async def scenario():
        socket = WebsocketCommunicator(
            server, f"/ws/stores/{store.pk}/?token={token_for(manager)}", headers=[ORIGIN]
        )  # its connection is the server's first call: the schedule starts
        connected, _ = await socket.connect(timeout=WAIT)
        assert connected and server.task is not None
        while True:
            event = await socket.receive_json_from(timeout=WAIT)
            if event["type"] == "kpi.updated":
                break
        assert event["store"] == store.pk
        assert event["data"]["date"] == timezone.localdate().isoformat()
        assert event["data"]["records"], "today's records were computed by the job"
        await socket.disconnect()
        await server.aclose()

    run(scenario)
