"""The order in which `pytest -n N` (pytest-xdist, `--dist loadgroup`) hands tests to its
workers: a whole test file, or a whole xdist_group, at a time, the costliest first.

xdist's loadgroup made every ungrouped test its own unit: the controller then spent ~5 s
of CPU bookkeeping 4,600 units (each completion summed every unit a worker had ever had,
each assignment searched the collection list), and a module-scoped fixture (a served
cluster, an oracle's kubectl discovery, a course built for grading) was set up on every
worker that ran one of the module's tests. Here a unit is a file's ungrouped tests (or
one xdist_group, wherever its tests live), so a file runs on one worker, and units go
out costliest first, so the run ends with small files and both workers finish together.

COST is the measured seconds of one worker's time per test, by file (CPU of the test
process and its children, plus the time it waits): only the order depends on it. A file
not listed counts DEFAULT_COST per test. To measure again:
`python -m pytest -n 2 -p no:cacheprovider --durations=0 -vv > durations.txt`, then
`python tests/xdist_schedule.py durations.txt` prints the table.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from typing import Any

from xdist.scheduler import LoadScopeScheduling

DEFAULT_COST = 0.01
COST: dict[str, float] = {
    "classroom/test_classroom_replay.py": 0.385,
    "lessons/test_lessons_course.py": 0.488,
    "lessons/test_lessons_hostile.py": 0.058,
    "serve/test_serve_kubectl.py": 0.875,
    "kubectl/test_kubectl_parser.py": 0.021,
    "serve/test_serve_differential.py": 0.132,
    "kubectl/test_kubectl_verbs_oracle_writes.py": 0.111,
    "classroom/test_classroom_hostile.py": 0.101,
    "lessons/test_lessons_progress_race.py": 0.895,
    "serve/test_serve_explain.py": 0.075,
    "kubectl/test_kubectl_side_by_side.py": 0.101,
    "shell/test_shell_inprocess.py": 0.455,
    "kubectl/test_kubectl_side_by_side_cluster.py": 0.283,
    "kubectl/test_kubectl_verbs_oracle.py": 0.065,
    "render/test_render_oracle_get.py": 0.059,
    "lessons/test_lessons_feedback.py": 0.131,
    "sim/test_sim_general_paths.py": 0.213,
    "sim/test_sim_shared_kubelet_work.py": 0.375,
    "shell/test_shell_replayed_guard.py": 0.206,
    "serve/test_serve_shell.py": 0.673,
    "render/test_render_output.py": 0.152,
    "shell/test_shell_advance_long.py": 0.590,
    "model/test_model_shapes.py": 0.277,
    "misc/test_yamlio_plain_documents.py": 0.165,
    "misc/test_yamlio_fast_parse.py": 0.012,
    "render/test_render_oracle_describe.py": 0.125,
    "kubectl/test_kubectl_admin_verbs.py": 0.032,
    "sim/test_sim_join3_fast_paths.py": 0.195,
    "sim/test_sim_rolling_index.py": 0.058,
    "render/test_render_table.py": 0.016,
    "classroom/test_classroom_exercises.py": 0.044,
    "kubectl/test_kubectl_decode.py": 0.028,
    "sim/test_sim_memory_tables.py": 0.148,
    "serve/test_serve_robust.py": 0.144,
    "lessons/test_lessons_progress_json.py": 0.377,
    "misc/test_cli_face.py": 0.022,
    "lessons/test_lessons_course_traps.py": 0.033,
    "model/test_model_decode_oracle.py": 0.052,
    "sim/test_sim_write_trace.py": 0.112,
    "classroom/test_classroom_review.py": 0.031,
    "sim/test_sim_quiet_writes.py": 0.065,
    "test_layering.py": 0.051,
    "sim/test_sim_create_fastpaths.py": 0.049,
    "sim/test_sim_timeline_daemonset_writes.py": 0.225,
    "shell/test_shell_rebuild_guard.py": 0.059,
    "kubectl/test_kubectl_replace.py": 0.029,
    "lessons/test_lessons_progress.py": 0.086,
    "sim/test_sim_cluster_memo.py": 0.109,
    "lessons/test_lessons_workspace_isolation.py": 0.123,
    "sim/test_sim_memory_per_pod.py": 0.600,
    "planner/test_planner_memo.py": 0.120,
    "shell/test_shell_script.py": 0.017,
    "shell/test_shell_resilience.py": 0.029,
    "sim/test_sim_clusterfile_node_shapes.py": 0.081,
    "render/test_render_split_grid.py": 0.285,
    "shell/test_shell_time_passes.py": 0.280,
    "shell/test_shell_repl.py": 0.027,
    "shell/test_shell_hostile.py": 0.008,
    "sim/test_sim_pod_signature_memo.py": 0.520,
    "render/test_render_goyaml_fast_paths.py": 0.085,
}


def unit_of(nodeid: str) -> str:
    """The xdist_group a test is in (the `@name` loadgroup appends), else its file."""
    if nodeid.rfind("@") > nodeid.rfind("]"):
        return "@" + nodeid.rsplit("@", 1)[1]
    return nodeid.split("::", 1)[0]


# The same, for the tests of an xdist_group (by the group's name): its tests share what
# a module fixture or a memo computes once, so their cost is not their files' average.
GROUP_COST: dict[str, float] = {
    "@course-check": 0.5,
}


def _test_cost(nodeid: str) -> float:
    unit = unit_of(nodeid)
    if unit in GROUP_COST:
        return GROUP_COST[unit]
    return COST.get(nodeid.split("::", 1)[0].removeprefix("tests/"), DEFAULT_COST)


def cost_of(nodeids: Any) -> float:
    return sum(_test_cost(n) for n in nodeids)


class FileGroupScheduling(LoadScopeScheduling):
    """loadgroup with a file's ungrouped tests as one unit, units costliest first."""

    def __init__(self, config: Any, log: Any = None) -> None:
        super().__init__(config, log)
        self._index: dict[str, int] | None = None

    def _split_scope(self, nodeid: str) -> str:
        return unit_of(nodeid)

    def _assign_work_unit(self, node: Any) -> None:
        if self._index is None:
            # The first assignment: every unit is queued (schedule() built the queue from
            # the collection). Costliest first; equal costs keep the collection's order.
            assert self.collection is not None
            self._index = {nodeid: i for i, nodeid in enumerate(self.collection)}
            units = sorted(self.workqueue.items(), key=lambda unit: -cost_of(unit[1]))
            self.workqueue.clear()
            self.workqueue.update(units)
        scope, work_unit = self.workqueue.popitem(last=False)
        self.assigned_work.setdefault(node, {})[scope] = work_unit
        node.send_runtest_some([self._index[nodeid] for nodeid, done in work_unit.items()
                                if not done])


def table(durations: str) -> str:
    """COST's entries from `pytest --durations=0 -vv` output (wall seconds per phase);
    the tests of an xdist_group (`@name` ids) count for GROUP_COST's entry instead."""
    spent: Counter[str] = Counter()
    tests: dict[str, set[str]] = {}
    for line in durations.splitlines():
        # The test id is the rest of the line: parameter ids may hold spaces.
        found = re.match(r"([\d.]+)s (?:setup|call|teardown)\s+(tests/(\S+?\.py)::.+?)\s*$",
                         line)
        if found:
            unit = unit_of(found[2])
            name = unit if unit.startswith("@") else found[3]
            spent[name] += float(found[1])
            tests.setdefault(name, set()).add(found[2])
    return "\n".join(f'    "{name}": {seconds / len(tests[name]):.3f},'
                     for name, seconds in spent.most_common() if seconds >= 0.5)


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as handle:
        print(table(handle.read()))
