"""Status, achievement, change and trend rules (pure functions)."""

from decimal import Decimal

import pytest

from kpis.metrics import KPI_STOCK_OUTS, kpi_defaults
from kpis.models import KPI, KPIRecord
from kpis.rules import kpi_achievement, kpi_change_rate, kpi_status, kpi_trend

D = Decimal
HIB, LIB = KPI.Direction.HIGHER_IS_BETTER, KPI.Direction.LOWER_IS_BETTER
ON, RISK, OFF = KPIRecord.Status.ON_TRACK, KPIRecord.Status.AT_RISK, KPIRecord.Status.OFF_TRACK
UP, DOWN, FLAT, WILD = (
    KPIRecord.Trend.INCREASING,
    KPIRecord.Trend.DECREASING,
    KPIRecord.Trend.STABLE,
    KPIRecord.Trend.VOLATILE,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("95", ON),  # above warning
        ("90", ON),  # exactly at warning
        ("80", RISK),  # between
        ("70", RISK),  # exactly at critical
        ("69.9999", OFF),  # beyond
        ("0", OFF),
    ],
)
def test_status_higher_is_better(value, expected):
    assert kpi_status(D(value), direction=HIB, warning=D("90"), critical=D("70")) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("30", ON),
        ("38", ON),  # exactly at warning
        ("40", RISK),  # between
        ("42", RISK),  # exactly at critical
        ("42.0001", OFF),  # beyond
    ],
)
def test_status_lower_is_better(value, expected):
    assert kpi_status(D(value), direction=LIB, warning=D("38"), critical=D("42")) == expected


def test_status_without_thresholds_is_on_track():
    assert kpi_status(D("-5"), direction=HIB, warning=None, critical=None) == ON
    assert kpi_status(D("1e9"), direction=LIB, warning=None, critical=None) == ON


def test_status_with_one_threshold():
    assert kpi_status(D("5"), direction=HIB, warning=None, critical=D("10")) == OFF
    assert kpi_status(D("15"), direction=HIB, warning=None, critical=D("10")) == ON
    assert kpi_status(D("5"), direction=HIB, warning=D("10"), critical=None) == RISK
    assert kpi_status(D("15"), direction=LIB, warning=D("10"), critical=None) == RISK


def test_achievement():
    assert kpi_achievement(D("90"), D("100"), direction=HIB) == D("0.9000")
    assert kpi_achievement(D("40"), D("35"), direction=LIB) == D("0.8750")  # target / value
    assert kpi_achievement(D("40"), D("0"), direction=HIB) is None
    assert kpi_achievement(D("40"), None, direction=HIB) is None
    assert kpi_achievement(D("0"), D("35"), direction=LIB) is None
    # A tiny target never overflows the column.
    assert kpi_achievement(D("999999999999"), D("0.0001"), direction=HIB) == D("999999999999.9999")


def test_change_rate():
    assert kpi_change_rate(D("110"), D("100")) == D("0.1000")
    assert kpi_change_rate(D("50"), D("100")) == D("-0.5000")
    assert kpi_change_rate(D("5"), D("-10")) == D("1.5000")  # against the size of the previous value
    assert kpi_change_rate(D("110"), D("0")) is None
    assert kpi_change_rate(D("110"), None) is None


@pytest.mark.parametrize(
    ("series", "expected"),
    [
        ([], FLAT),
        (["100"], FLAT),  # fewer than 2 records
        (["100", "100"], FLAT),
        (["100", "101", "100", "101.5"], FLAT),  # within the 2 % tolerance
        (["100", "110"], UP),
        (["10", "12", "14", "14", "16", "18", "20"], UP),
        (["10", "12", "14", "13", "16", "18", "20"], UP),  # one dip, mostly up, ends higher
        (["20", "18", "16", "15", "12", "10", "9"], DOWN),
        (["20", "18", "19", "15", "12", "10", "9"], DOWN),
        (["10", "20", "10", "20", "10", "20", "10"], WILD),
        (["10", "20", "30", "20", "10"], WILD),  # as many ups as downs
        (["0", "5"], UP),  # any change from zero counts
        # Only the last 7 values count: the early fall is forgotten.
        (["90", "50", "10", "11", "12", "13", "14", "15", "16"], UP),
    ],
)
def test_trend(series, expected):
    assert kpi_trend([D(v) for v in series]) == expected


@pytest.mark.parametrize(("value", "expected"), [("0", ON), ("1", RISK), ("2", RISK), ("3", OFF), ("7", OFF)])
def test_stock_outs_built_in_thresholds_judge_any_stock_out_against_a_zero_target(value, expected):
    definition = next(d for d in kpi_defaults() if d["id"] == KPI_STOCK_OUTS)
    assert definition["target_value"] == 0
    status = kpi_status(
        D(value),
        direction=definition["direction"],
        warning=definition["warning_threshold"],
        critical=definition["critical_threshold"],
    )
    assert status == expected


@pytest.mark.parametrize("definition", kpi_defaults(), ids=lambda d: d["id"])
def test_every_built_in_kpi_is_on_track_at_its_target_and_not_beyond_its_critical_threshold(definition):
    """At and around zero targets too: the target itself is on track; a step past the critical
    threshold is off track."""
    direction, warning, critical = (
        definition["direction"],
        definition["warning_threshold"],
        definition["critical_threshold"],
    )
    target = definition["target_value"]
    if target is None:
        # A count to read, not to judge (walk-ins seated): never off track, whatever the value.
        assert warning is None and critical is None
        assert kpi_status(D("0"), direction=direction, warning=None, critical=None) == ON
        return
    assert kpi_status(target, direction=direction, warning=warning, critical=critical) == ON
    step = D("0.0001")
    beyond = critical - step if direction == HIB else critical + step
    assert kpi_status(beyond, direction=direction, warning=warning, critical=critical) == OFF
