"""Fixtures and reporting of zhilian/tests only."""


def pytest_terminal_summary(terminalreporter):
    """How much the schemathesis run covered: the lead reports these numbers."""
    import sys

    module = sys.modules.get("zhilian.tests.test_schemathesis")
    stats = getattr(module, "STATS", None)
    if not stats:
        return
    terminalreporter.section("schemathesis")
    for actor in sorted({actor for actor, _ in stats}):
        operations = [label for who, label in stats if who == actor]
        examples = sum(count for (who, _), count in stats.items() if who == actor)
        terminalreporter.write_line(f"{actor}: {len(operations)} operations, {examples} examples")
    terminalreporter.write_line(f"total: {sum(stats.values())} examples")
