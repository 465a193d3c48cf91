import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from scheduling import services
from scheduling.models import Schedule
from scheduling.tests.conftest import DAY, FULL_TEAM, make_staff
from stores.models import Store

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("generate_schedules", *args, stdout=out)
    return out.getvalue()


def test_generates_a_range_and_skips_published(busy_store, manager):
    make_staff(busy_store, FULL_TEAM)
    schedule, _ = services.schedule_generate(store=busy_store, day=DAY)
    services.schedule_publish(schedule=schedule, user=manager)
    output = run("--store", "STORE001", "--start", "2026-12-01", "--end", "2026-12-03")
    lines = output.splitlines()
    assert lines[0].startswith("STORE001 2026-12-01 coverage ")
    assert lines[1] == "STORE001 2026-12-02 skipped (published)"
    assert lines[2].startswith("STORE001 2026-12-03 coverage ")
    assert "2 day(s) generated, 1 published day(s) skipped." in output
    assert Schedule.objects.filter(store=busy_store).count() == 3


def test_reports_gaps(busy_store):
    make_staff(busy_store, {"waiter": 8, "chef": 1, "cashier": 2})
    output = run("--store", "STORE001", "--start", "2026-12-02", "--end", "2026-12-02")
    assert "gaps: dinner/host 0/1, dinner/chef 1/3" in output


def test_default_is_every_active_store_for_seven_days(store, other_store):
    Store.objects.filter(pk=other_store.pk).update(status=Store.Status.CLOSED)
    run()
    dates = sorted(Schedule.objects.values_list("schedule_date", flat=True))
    assert len(dates) == 7 and dates[-1] - dates[0] == dt.timedelta(days=6)
    assert set(Schedule.objects.values_list("store_id", flat=True)) == {store.pk}


@pytest.mark.parametrize(
    "args",
    [
        ["--start", "2026-02-30"],
        ["--start", "2026-12-05", "--end", "2026-12-01"],
        ["--start", "2026-01-01", "--end", "2026-12-31"],
        ["--store", "NOPE"],
        ["--weeks", "0"],
    ],
)
def test_bad_arguments(store, args):
    with pytest.raises(CommandError):
        run(*args)
