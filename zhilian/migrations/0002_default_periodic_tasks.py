"""The default schedule of background jobs (zhilian.jobs.DEFAULT_SCHEDULE) in django-celery-beat's
tables, so beat has it after `migrate` on a fresh database. Entries that exist are left alone."""

from django.db import migrations


def create_defaults(apps, schema_editor):
    from zhilian.jobs import schedule_ensure_defaults

    schedule_ensure_defaults(
        periodic_task_model=apps.get_model("django_celery_beat", "PeriodicTask"),
        crontab_model=apps.get_model("django_celery_beat", "CrontabSchedule"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("zhilian", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
