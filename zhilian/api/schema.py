"""drf-spectacular post-processing shared by every app."""

from typing import Any

# What DRF's TimeField writes ("18:30:00", "18:30:00.250000") and the shortest form it reads ("18:30").
LOCAL_TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$"


def local_times(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    """Describe times of day as what they are: local wall-clock times without a UTC offset.

    drf-spectacular emits `format: time`, which JSON Schema defines as RFC 3339 `full-time` and so
    requires an offset ("18:30:00+08:00"); validators and generated clients would then reject every
    time the API returns. RFC 3339 calls the offset-less form `partial-time`.
    """
    _rewrite(result)
    return result


def _rewrite(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("format") == "time" and node.get("type") == "string":
            node["format"] = "partial-time"
            node.setdefault("pattern", LOCAL_TIME_PATTERN)
        for value in node.values():
            _rewrite(value)
    elif isinstance(node, list):
        for value in node:
            _rewrite(value)
