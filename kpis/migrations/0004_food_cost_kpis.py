"""The two food cost KPIs (theoretical and actual) in databases seeded before them.

A database whose built-in KPIs exist (`kpis.services.kpi_ensure_defaults` ran: the seed) gains
the two definitions; a fresh one gets them with the rest from `kpi_ensure_defaults`. The values
are frozen here as kpis.metrics.kpi_defaults had them. KPI_FOOD_COST_RATIO and its history stay.
"""

from decimal import Decimal

from django.db import migrations

DEFINITIONS = [
    {
        "id": "KPI_THEORETICAL_FOOD_COST",
        "name": "Theoretical food cost",
        "metric": "theoretical_food_cost",
        "target_value": Decimal("30"),
        "warning_threshold": Decimal("33"),
        "critical_threshold": Decimal("36"),
        "calculation_method": "Recipe cost of the day's sold dish portions (portions × recipe valid that day × "
        "the store's unit cost of each ingredient) / revenue × 100.",
    },
    {
        "id": "KPI_ACTUAL_FOOD_COST",
        "name": "Actual food cost",
        "metric": "actual_food_cost",
        "target_value": Decimal("32"),
        "warning_threshold": Decimal("35"),
        "critical_threshold": Decimal("38"),
        "calculation_method": "Consumption between two stock counts (opening count + purchases + transfers in − "
        "transfers out − closing count, at cost) / revenue of the period × 100; recorded when a count closes.",
    },
]


def add_definitions(apps, schema_editor):
    KPI = apps.get_model("kpis", "KPI")
    if not KPI.objects.filter(pk="KPI_FOOD_COST_RATIO").exists():
        return  # not seeded: kpi_ensure_defaults creates every built-in KPI
    existing = set(KPI.objects.filter(pk__in=[d["id"] for d in DEFINITIONS]).values_list("pk", flat=True))
    KPI.objects.bulk_create(
        [
            KPI(
                category="cost",
                unit="%",
                direction="lower_is_better",
                description=d["calculation_method"],
                is_active=True,
                **d,
            )
            for d in DEFINITIONS
            if d["id"] not in existing
        ]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0003_food_cost_metrics"),
    ]

    operations = [
        # Backwards leaves the definitions (their records may exist; KPIRecord protects them).
        migrations.RunPython(add_definitions, migrations.RunPython.noop),
    ]
