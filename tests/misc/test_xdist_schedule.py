"""The suite's xdist scheduling (tests/xdist_schedule.py): what a unit is, and its order."""

from __future__ import annotations

from pathlib import Path

import pytest
from xdist_schedule import COST, DEFAULT_COST, GROUP_COST, cost_of, table, unit_of

TESTS = Path(__file__).resolve().parents[1]


def test_a_unit_is_a_file_or_an_xdist_group() -> None:
    assert unit_of("tests/a/test_x.py::test_y") == "tests/a/test_x.py"
    assert unit_of("tests/a/test_x.py::TestC::test_y[1-2]") == "tests/a/test_x.py"
    # loadgroup appends @name to the tests of an xdist_group
    assert unit_of("tests/a/test_x.py::test_y[p]@side-by-side") == "@side-by-side"
    # an @ inside a parameter's id is not a group
    assert unit_of("tests/a/test_x.py::test_y[a@b]") == "tests/a/test_x.py"


def test_every_costed_file_exists() -> None:
    missing = [name for name in COST if not (TESTS / name).is_file()]
    assert missing == []


def test_costs_add_up_per_test() -> None:
    heavy = max(COST, key=COST.__getitem__)
    ids = [f"tests/{heavy}::test_{i}" for i in range(3)]
    assert cost_of(ids) == 3 * COST[heavy]
    assert cost_of(["tests/nowhere/test_new.py::test_a"]) == DEFAULT_COST


def test_the_table_is_remade_from_durations_output() -> None:
    durations = "\n".join([
        "============ slowest durations ============",
        "2.00s call     tests/a/test_x.py::test_y[1]",
        "0.50s setup    tests/a/test_x.py::test_y[1]",
        "1.50s call     tests/a/test_x.py::test_y[2]",
        "0.10s call     tests/b/test_z.py::test_w",
        "(8 durations < 0.005s hidden.)",
    ])
    assert table(durations) == '    "a/test_x.py": 2.000,'


def test_a_test_id_with_spaces_is_one_test() -> None:
    """Parameter ids may hold spaces (`[get pods -o wide]`): each is its own test, not
    all the tests of the file whose id starts alike."""
    durations = "\n".join([
        "1.00s call     tests/a/test_x.py::test_y[get pods]",
        "1.00s call     tests/a/test_x.py::test_y[get nodes]",
        "1.00s setup    tests/a/test_x.py::test_y[get nodes]",
    ])
    assert table(durations) == '    "a/test_x.py": 1.500,'


@pytest.mark.xdist_group("schedule-self")
def test_a_grouped_test_s_id_names_its_group_in_a_loadgroup_worker(
        request: pytest.FixtureRequest) -> None:
    """The scheduler sees a group only in the `@name` xdist appends to a test's id in a
    worker (`-n N` with `--dist loadgroup`); pytest 9 needs tests/conftest.py for that.
    Run without xdist, the id is the plain one."""
    in_worker = bool(getattr(request.config.option, "loadgroup", False))
    assert request.node.nodeid.endswith("@schedule-self") == in_worker
    assert request.node.nodeid.startswith(
        "tests/misc/test_xdist_schedule.py::test_a_grouped_test_s_id_names_its_group")


def test_a_group_s_tests_cost_the_group_s_entry() -> None:
    group = next(iter(GROUP_COST))
    ids = [f"tests/a/test_x.py::test_y[{i}]{group}" for i in range(2)]
    assert cost_of(ids) == 2 * GROUP_COST[group]
    durations = "\n".join([
        "3.00s call     tests/a/test_x.py::test_y[1]@grp",
        "1.00s call     tests/b/test_z.py::test_w@grp",
        "2.00s call     tests/a/test_x.py::test_v",
    ])
    assert table(durations) == '    "@grp": 2.000,\n    "a/test_x.py": 2.000,'
