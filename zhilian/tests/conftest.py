"""Reporting of zhilian/tests."""

import sys


def pytest_terminal_summary(terminalreporter):
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
