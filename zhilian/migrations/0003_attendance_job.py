"""The missed clock-out job joins the default schedule (zhilian.jobs.DEFAULT_SCHEDULE): databases
migrated before it get it too; what exists is left alone."""

from django.db import migrations


def create_defaults(apps, schema_editor):
    from zhilian.jobs import schedule_ensure_defaults

    schedule_ensure_defaults(
        periodic_task_model=apps.get_model("django_celery_beat", "PeriodicTask"),
        crontab_model=apps.get_model("django_celery_beat", "CrontabSchedule"),
    )


class Migration(migrations.Migration):
    dependencies = [("zhilian", "0002_default_periodic_tasks")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
