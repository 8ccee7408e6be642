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
`python -m pytest -n 2 -p no:cacheprovider --durations=0 -vvv > durations.txt` (-vvv: the
addopts' -q takes one v, and -vv alone hides the durations under 5 ms), then
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
    "classroom/test_classroom_replay.py": 0.400,
    "classroom/test_classroom_hostile.py": 0.368,
    "serve/test_serve_kubectl.py": 0.800,
    "kubectl/test_kubectl_parser.py": 0.027,
    "serve/test_serve_differential.py": 0.182,
    "kubectl/test_kubectl_verbs_oracle_writes.py": 0.185,
    "lessons/test_lessons_progress_race.py": 1.707,
    "lessons/test_lessons_hostile.py": 0.040,
    "sim/test_sim_join4_fast_paths.py": 0.122,
    "sim/test_sim_memory_transients.py": 0.300,
    "sim/test_sim_pod_records.py": 0.065,
    "kubectl/test_kubectl_verbs_oracle.py": 0.138,
    "shell/test_shell_inprocess.py": 0.656,
    "sim/test_sim_general_paths.py": 0.527,
    "render/test_render_oracle_get.py": 0.117,
    "lessons/test_lessons_course.py": 0.195,
    "serve/test_serve_explain.py": 0.070,
    "sim/test_sim_shared_kubelet_work.py": 0.815,
    "sim/test_sim_rolling_index.py": 0.159,
    "kubectl/test_kubectl_decode.py": 0.085,
    "sim/test_sim_join3_fast_paths.py": 0.120,
    "kubectl/test_kubectl_admin_verbs.py": 0.062,
    "misc/test_yamlio_plain_documents.py": 0.306,
    "render/test_render_table.py": 0.033,
    "sim/test_sim_create_fastpaths.py": 0.143,
    "sim/test_sim_memory_tables.py": 0.355,
    "misc/test_cli_face.py": 0.057,
    "classroom/test_classroom_exercises.py": 0.117,
    "lessons/test_lessons_progress_json.py": 0.897,
    "kubectl/test_kubectl_verbs_errors.py": 0.016,
    "misc/test_yamlio_fast_parse.py": 0.016,
    "sim/test_sim_cluster_memo.py": 0.334,
    "lessons/test_lessons_feedback.py": 0.116,
    "shell/test_shell_rebuild_guard.py": 0.155,
    "lessons/test_lessons_course_traps.py": 0.071,
    "test_layering.py": 0.117,
    "model/test_model_decode_oracle.py": 0.111,
    "render/test_render_output.py": 0.182,
    "sim/test_sim_timeline_daemonset_writes.py": 0.136,
    "serve/test_serve_robust.py": 0.260,
    "serve/test_serve_shell.py": 0.667,
    "render/test_render_oracle_describe.py": 0.138,
    "shell/test_shell_replayed_guard.py": 0.177,
    "shell/test_shell_advance_long.py": 0.583,
    "sim/test_sim_write_trace.py": 0.188,
    "kubectl/test_kubectl_replace.py": 0.056,
    "sim/test_sim_quiet_writes.py": 0.027,
    "classroom/test_classroom_review.py": 0.050,
    "shell/test_shell_resilience.py": 0.079,
    "render/test_render_goyaml_fast_paths.py": 0.235,
    "sim/test_sim_memory_per_pod.py": 1.350,
    "planner/test_planner_memo.py": 0.244,
    "shell/test_shell_script.py": 0.034,
    "sim/test_sim_spec_answers.py": 1.140,
    "lessons/test_lessons_load_memo.py": 0.036,
    "lessons/test_lessons_progress.py": 0.122,
    "sim/test_sim_pod_signature_memo.py": 1.060,
    "sim/test_sim_event_named_path.py": 0.347,
    "planner/test_plan_cli.py": 0.039,
    "sim/test_sim_engine_timers.py": 1.020,
    "render/test_render_split_grid.py": 0.510,
    "sim/test_sim_event_records.py": 0.123,
    "serve/test_serve_cli.py": 0.096,
    "sim/test_sim_properties.py": 0.480,
    "sim/test_sim_event_fresh_path.py": 0.119,
    "sim/test_sim_scenarios.py": 0.005,
    "shell/test_shell_hostile.py": 0.012,
    "classroom/test_classroom_grade.py": 0.090,
    "lessons/test_lessons_transcript.py": 0.053,
    "sim/test_sim_alternating_memos.py": 0.790,
    "lessons/test_lessons_workspace_isolation.py": 0.130,
    "sim/test_sim_event_streak.py": 0.017,
    "sim/test_sim_move_stat.py": 0.700,
    "kubectl/test_kubectl_follow.py": 0.060,
    "shell/test_shell_time_passes.py": 0.330,
    "shell/test_shell_layers.py": 0.027,
    "serve/test_serve_lesson_clock.py": 0.315,
    "lessons/test_lessons_edit_routes.py": 0.126,
    "sim/test_sim_clusterfile_node_shapes.py": 0.087,
    "shell/test_shell_repl.py": 0.027,
    "shell/test_shell_meta.py": 0.011,
    "sim/test_sim_event_fast_path.py": 0.108,
    "sim/test_sim_create_paths_agree.py": 0.500,
    "sim/test_sim_join_fast_paths.py": 0.250,
    "sim/test_sim_buildcache.py": 0.080,
    "misc/test_sharedguard_snapshot.py": 0.190,
    "classroom/test_classroom_review_export.py": 0.170,
    "lessons/test_lessons_throwaway.py": 0.045,
    "classroom/test_classroom_throwaway.py": 0.700,
    "kubectl/test_kubectl_pod_update_oracle.py": 0.475,
}


def unit_of(nodeid: str) -> str:
    """The xdist_group a test is in (the `@name` loadgroup appends), else its file."""
    if nodeid.rfind("@") > nodeid.rfind("]"):
        return "@" + nodeid.rsplit("@", 1)[1]
    return nodeid.split("::", 1)[0]


# The same, for the tests of an xdist_group (by the group's name): its tests share what
# a module fixture or a memo computes once, so their cost is not their files' average.
GROUP_COST: dict[str, float] = {
    "@course-check": 0.931,
    "@side-by-side-crashloop": 0.318,
    "@side-by-side-deployment": 0.107,
    "@side-by-side-rollout": 0.060,
    "@side-by-side-sidecar": 0.234,
    "@side-by-side-typo": 0.194,
    "@side-by-side-many": 0.062,
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
