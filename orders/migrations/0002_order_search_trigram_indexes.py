"""Trigram indexes for the order search (admin `?q=` and API `?search=`) on PostgreSQL.

Both searches run `UPPER(col::text) LIKE UPPER('%term%')` over id, customer_phone and
customer_name (icontains), which no b-tree can serve: at a million orders that is a full scan
of the table (~0.5 s) on every search. A GIN index on the same UPPER() expression with
gin_trgm_ops serves the LIKE, and one per column lets the planner OR them in a bitmap scan.
SQLite has no such index type: there the migration does nothing (the model state is unchanged,
so `makemigrations --check` stays clean).
"""

from django.db import migrations

COLUMNS = {
    "order_id_trgm_idx": "id",
    "order_customer_phone_trgm_idx": "customer_phone",
    "order_customer_name_trgm_idx": "customer_name",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in COLUMNS.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "orders_order" USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in COLUMNS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
