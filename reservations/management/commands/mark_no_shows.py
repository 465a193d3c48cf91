from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reservations.services import reservation_mark_no_shows


class Command(BaseCommand):
    help = "Mark pending/confirmed reservations whose start plus the grace period has passed as no-shows."

    def add_arguments(self, parser):
        parser.add_argument(
            "--grace",
            type=int,
            default=None,
            help=f"Grace period in minutes (default ZHILIAN_NO_SHOW_GRACE_MINUTES = "
            f"{settings.ZHILIAN_NO_SHOW_GRACE_MINUTES}).",
        )

    def handle(self, *args, grace=None, **options):
        if grace is not None and grace < 0:
            raise CommandError("--grace must not be negative.")
        count = reservation_mark_no_shows(grace_minutes=grace)
        self.stdout.write(self.style.SUCCESS(f"Marked {count} reservation(s) as no-show."))
