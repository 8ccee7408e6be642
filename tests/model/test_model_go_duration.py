"""Go's time.Duration.String(), as the kubelet writes it in CrashLoopBackOff messages."""

import pytest

from dstutor.model.timefmt import go_duration


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0s"), (10, "10s"), (40, "40s"), (80, "1m20s"), (160, "2m40s"), (300, "5m0s"),
    (3600, "1h0m0s"), (3725, "1h2m5s"), (1.5, "1.5s"), (90.5, "1m30.5s"),
])
def test_go_duration(seconds: float, text: str) -> None:
    assert go_duration(seconds) == text
