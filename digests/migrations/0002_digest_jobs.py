"""The digest jobs join the default schedule (zhilian.jobs.DEFAULT_SCHEDULE): databases migrated
before them get them too; what exists is left alone. Here, not in zhilian/migrations, so the app
that owns the jobs brings them."""

from django.db import migrations


def create_defaults(apps, schema_editor):
    from zhilian.jobs import schedule_ensure_defaults

    schedule_ensure_defaults(
        periodic_task_model=apps.get_model("django_celery_beat", "PeriodicTask"),
        crontab_model=apps.get_model("django_celery_beat", "CrontabSchedule"),
    )


class Migration(migrations.Migration):
    dependencies = [("digests", "0001_initial"), ("zhilian", "0003_attendance_job")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
