import pytest

from zhilian import events


@pytest.fixture
def sent(monkeypatch):
    """Events that actually went out (after commit), as (groups, event) pairs."""
    out = []
    monkeypatch.setattr(events, "_send", lambda groups, event: out.append((groups, event)))
    return out
