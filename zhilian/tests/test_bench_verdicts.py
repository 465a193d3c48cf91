"""bench.peer.verdicts: the issue's goals read off a comparison with the peer (health is judged by
its own absolute goal, the order reads by their ratios to the peer)."""

from __future__ import annotations

from bench.peer import verdicts


def row(target, path, ours_p50, ours_rate, peer_p50, peer_rate):
    return {
        "target": target,
        "path": path,
        "django": {"p50_ms": ours_p50, "req_s": ours_rate},
        "peer": {"p50_ms": peer_p50, "req_s": peer_rate},
    }


def test_health_is_held_to_one_millisecond_and_the_reads_to_the_peer():
    report = {
        "equivalence": {"differences": [], "cases": 60, "orders_compared": 380, "items_compared": 1662},
        "rows": [
            row("health (no DB)", "/health/live", 0.4, 3000, 0.3, 4700),
            row("order list (store-day, 50 + items)", "/api/v1/orders/", 11.0, 113, 12.3, 79),
            row("order detail", "/api/v1/orders/{id}/", 3.0, 200, 2.0, 300),
        ],
    }
    lines = verdicts(report)
    assert lines[0].startswith("- JSON identical to the peer's: yes")
    assert lines[1] == "- health (no DB): p50 0.40 ms against < 1 ms: yes"
    assert lines[2].endswith(": yes") and "0.89x" in lines[2]
    assert lines[3].endswith(": **no**") and "1.50x" in lines[3]


def test_a_slow_probe_or_a_json_difference_is_a_miss():
    report = {
        "equivalence": {"differences": ["$.results[0].status"], "cases": 1},
        "rows": [row("health (no DB)", "/health/live", 1.2, 900, 0.3, 4700)],
    }
    assert verdicts(report) == [
        "- JSON identical to the peer's: **no** (1 requests, 0 orders and 0 items compared, 1 differences)",
        "- health (no DB): p50 1.20 ms against < 1 ms: **no**",
    ]
