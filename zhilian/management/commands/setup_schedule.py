"""`manage.py setup_schedule [--reset]`: the default periodic jobs in beat's schedule (zhilian.jobs)."""

from django.core.management.base import BaseCommand
from django_celery_beat.models import CrontabSchedule, PeriodicTask, PeriodicTasks

from zhilian.jobs import schedule_ensure_defaults


class Command(BaseCommand):
    help = (
        "Create the default periodic jobs that are missing from beat's schedule (the migration does it once); "
        "--reset puts the existing ones back to their default schedule and enables them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Undo admins' edits of the default jobs.")

    def handle(self, *args, reset=False, **options):
        result = schedule_ensure_defaults(periodic_task_model=PeriodicTask, crontab_model=CrontabSchedule, reset=reset)
        # A running beat re-reads the schedule when this stamp moves.
        PeriodicTasks.update_changed()
        self.stdout.write(
            self.style.SUCCESS(
                f"Schedule: {len(result['created'])} job(s) created, {len(result['reset'])} reset, "
                f"{PeriodicTask.objects.filter(enabled=True).count()} enabled in all."
            )
        )
