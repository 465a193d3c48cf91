"""Reporting of zhilian/tests."""

import sys


def pytest_terminal_summary(terminalreporter):
    schemathesis_summary(terminalreporter)
    hostile_input_summary(terminalreporter)


def hostile_input_summary(terminalreporter):
    """How many hostile calls the property test made, by status class."""
    module = sys.modules.get("zhilian.tests.test_hostile_input")
    calls = getattr(module, "CALLS", None)
    if not calls:
        return
    terminalreporter.section("hostile input")
    statuses = ", ".join(f"{code // 100}xx: {n}" for code, n in sorted(calls.items()))
    terminalreporter.write_line(
        f"{len(module.OPERATIONS)} operations, {sum(calls.values())} calls with generated extremes ({statuses})"
    )


def schemathesis_summary(terminalreporter):
    """What the schemathesis run covered (operations, examples, phases, statuses)."""
    module = sys.modules.get("zhilian.tests.test_schemathesis")
    stats = getattr(module, "STATS", None)
    if not stats:
        return
    terminalreporter.section("schemathesis")
    for actor in sorted({actor for actor, _ in stats}):
        operations = sum(1 for who, _ in stats if who == actor)
        examples = sum(count for (who, _), count in stats.items() if who == actor)
        phases = ", ".join(f"{phase} {n}" for (who, phase), n in sorted(module.PHASES.items()) if who == actor)
        statuses = ", ".join(f"{code}: {n}" for (who, code), n in sorted(module.RESPONSES.items()) if who == actor)
        terminalreporter.write_line(f"{actor}: {operations} operations, {examples} examples ({phases})")
        terminalreporter.write_line(f"  responses {statuses}")
    terminalreporter.write_line(f"total: {len(stats)} operation runs, {sum(stats.values())} examples")
