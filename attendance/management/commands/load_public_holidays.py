"""Load China's holiday calendar (bundled: 2025 and 2026) or another JSON file of the same shape."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from attendance.services import public_holidays_load
from zhilian.errors import DomainError

BUNDLED = Path(__file__).resolve().parents[2] / "data" / "cn_public_holidays.json"


class Command(BaseCommand):
    help = 'Load public holidays from JSON ({"days": [{"date", "name", "kind"}]}; default: the bundled 2025-2026).'

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=BUNDLED)
        parser.add_argument("--year", type=int, help="Only the days of this year.")

    def handle(self, *args, file: Path, year: int | None, **options):
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        rows = data["days"] if isinstance(data, dict) else data
        if year is not None:
            rows = [row for row in rows if str(row.get("date", "")).startswith(f"{year}-")]
        try:
            created, updated = public_holidays_load(rows=rows)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"public holidays: {created} created, {updated} updated")
