"""The walk-in waitlist's three KPIs in databases seeded before them (as 0004 did for food cost).

A fresh database gets them with the rest from `kpis.services.kpi_ensure_defaults`. The values are
frozen here as kpis.metrics.kpi_defaults had them.
"""

from decimal import Decimal

from django.db import migrations

DEFINITIONS = [
    {
        "id": "KPI_WALK_INS_SEATED",
        "name": "Walk-ins seated",
        "category": "customer",
        "unit": "parties",
        "metric": "walk_ins_seated",
        "direction": "higher_is_better",
        "target_value": None,
        "warning_threshold": None,
        "critical_threshold": None,
        "calculation_method": "Waitlist numbers taken that day whose party was seated.",
    },
    {
        "id": "KPI_AVERAGE_WAIT",
        "name": "Average walk-in wait",
        "category": "quality",
        "unit": "min",
        "metric": "average_wait",
        "direction": "lower_is_better",
        "target_value": Decimal("15"),
        "warning_threshold": Decimal("25"),
        "critical_threshold": Decimal("40"),
        "calculation_method": "Average minutes from taking a waitlist number to being seated, over the day's "
        "seated walk-ins.",
    },
    {
        "id": "KPI_ABANDONMENT_RATE",
        "name": "Waitlist abandonment rate",
        "category": "customer",
        "unit": "%",
        "metric": "abandonment_rate",
        "direction": "lower_is_better",
        "target_value": Decimal("10"),
        "warning_threshold": Decimal("20"),
        "critical_threshold": Decimal("30"),
        "calculation_method": "(Skipped + cancelled waitlist numbers) / numbers taken that day × 100.",
    },
]


def add_definitions(apps, schema_editor):
    KPI = apps.get_model("kpis", "KPI")
    if not KPI.objects.filter(pk="KPI_REVENUE").exists():
        return  # not seeded: kpi_ensure_defaults creates every built-in KPI
    existing = set(KPI.objects.filter(pk__in=[d["id"] for d in DEFINITIONS]).values_list("pk", flat=True))
    KPI.objects.bulk_create(
        [KPI(description=d["calculation_method"], is_active=True, **d) for d in DEFINITIONS if d["id"] not in existing]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0006_waitlist_metrics"),
    ]

    operations = [
        # Backwards leaves the definitions (their records may exist; KPIRecord protects them).
        migrations.RunPython(add_definitions, migrations.RunPython.noop),
    ]
