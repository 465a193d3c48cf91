"""Verify that every item's quantity equals the sum of its ledger (docs/architecture.md)."""

from django.core.management.base import BaseCommand, CommandError

from inventory.selectors import stock_verify
from stores.models import Store


class Command(BaseCommand):
    help = "Compare each inventory item's quantity with the sum of its ledger; exit 1 on any mismatch."

    def add_arguments(self, parser):
        parser.add_argument("--store", help="Only this store (ID); default: every store.")

    def handle(self, *args, store=None, **options):
        scope = None
        if store:
            scope = Store.objects.filter(pk=store).first()
            if scope is None:
                raise CommandError(f"No store with ID {store!r}.", returncode=2)
        mismatches = stock_verify(store=scope)
        where = f"store {scope.pk}" if scope else "all stores"
        if not mismatches:
            self.stdout.write(self.style.SUCCESS(f"Inventory consistent ({where}): every quantity equals its ledger."))
            return
        for row in mismatches:
            self.stdout.write(
                f"{row['store']} {row['item']} {row['name']}: quantity {row['current_quantity']}, "
                f"ledger {row['ledger_quantity']} (difference {row['difference']})"
            )
        raise CommandError(f"{len(mismatches)} item(s) in {where} do not match their ledger.", returncode=1)
