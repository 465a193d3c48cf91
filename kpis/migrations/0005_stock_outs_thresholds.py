"""Stock-outs: one item out against a target of none is at risk, not on track. The thresholds are
the last value of their band (kpis.rules.kpi_status), so the built-in warning/critical 1/3 become
0/2. Definitions an operator has edited away from the old built-in values are left alone."""

from decimal import Decimal

from django.db import migrations


def forwards(apps, schema_editor):
    KPI = apps.get_model("kpis", "KPI")
    KPI.objects.filter(pk="KPI_STOCK_OUTS", warning_threshold=Decimal("1"), critical_threshold=Decimal("3")).update(
        warning_threshold=Decimal("0"), critical_threshold=Decimal("2")
    )


def backwards(apps, schema_editor):
    KPI = apps.get_model("kpis", "KPI")
    KPI.objects.filter(pk="KPI_STOCK_OUTS", warning_threshold=Decimal("0"), critical_threshold=Decimal("2")).update(
        warning_threshold=Decimal("1"), critical_threshold=Decimal("3")
    )


class Migration(migrations.Migration):
    dependencies = [("kpis", "0004_food_cost_kpis")]
    operations = [migrations.RunPython(forwards, backwards)]
