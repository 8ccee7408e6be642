"""The Go runtime settings the tests start the real kubectl 1.37.1 with.

kubectl is the suite's oracle, run about a thousand times per run; most of a run is Go
start-up (~30 ms of CPU), and its garbage collector's work (several threads, one per
core) was a third of each run's CPU. With the collector off (GOMEMLIMIT still bounds
the heap) and one thread running Go code, each run costs ~30% less CPU. kubectl's
output does not depend on either setting.
"""

from __future__ import annotations

GO_RUNTIME_ENV: dict[str, str] = {"GOGC": "off", "GOMEMLIMIT": "1GiB", "GOMAXPROCS": "1"}
