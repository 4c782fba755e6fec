"""The engine's framework: registry, validation, CLI contract, import hygiene."""

from __future__ import annotations

import json
import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest

import dlcore
from dlcore import SolverError, solve

DLCORE = pathlib.Path(dlcore.__file__).parent


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dlcore", *args], capture_output=True, text=True, timeout=60)


def test_no_dlcore_file_imports_django():
    for path in DLCORE.rglob("*.py"):
        text = path.read_text()
        assert not re.search(r"^\s*(import|from)\s+django", text, re.M), path


def test_cli_list_prints_every_solver_with_params():
    out = run_cli("list")
    assert out.returncode == 0, out.stderr
    solvers = json.loads(out.stdout)
    names = {s["name"] for s in solvers}
    assert {"conv2d_output_shape", "conv2d_param_count"} <= names
    for s in solvers:
        assert s["summary"]
        for p in s["params"].values():
            assert "type" in p and "default" in p


def test_cli_solve_prints_answer_and_steps():
    out = run_cli("solve", "conv2d_param_count", "--params", '{"in_channels": 3, "out_channels": 16, "kernel": 5}')
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout)
    assert body["answer"] == 1216
    assert all(set(s) == {"label", "latex", "value"} for s in body["steps"])


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["solve", "conv2d_outptu_shape"], "Did you mean 'conv2d_output_shape'"),
        (["solve", "conv2d_param_count", "--params", "{"], "not valid JSON"),
        (["solve", "conv2d_param_count", "--params", '{"in_channels": 3, "out_channels": 2}'], "Missing parameter 'kernel'"),
        (["solve", "conv2d_param_count", "--params", '{"in_channels": 3, "out_channels": 2, "kernel": 3, "k": 1}'], "Unknown parameter 'k'"),
        (["solve", "conv2d_param_count", "--params", '{"in_channels": "3", "out_channels": 2, "kernel": 3}'], "must be an integer"),
        (["solve", "conv2d_param_count", "--params", '{"in_channels": NaN, "out_channels": 2, "kernel": 3}'], "not valid JSON"),
        (["solve", "conv2d_output_shape", "--params", '{"in_channels": 1, "height": 2, "width": 9, "out_channels": 1, "kernel": 3}'], "larger than the padded input height"),
        (["frobnicate"], "Bad command line"),
    ],
)
def test_cli_bad_input_exits_2_with_one_json_error(args, fragment):
    out = run_cli(*args)
    assert out.returncode == 2
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert fragment in json.loads(lines[0])["error"]


def test_python_api_raises_solver_error_with_the_same_message():
    with pytest.raises(SolverError, match="Missing parameter 'kernel'"):
        solve("conv2d_param_count", {"in_channels": 3, "out_channels": 2})


def test_every_solver_has_a_summary_and_at_least_two_named_mistakes():
    for info in dlcore.list_solvers():
        assert info["summary"] and info["summary"] != info["name"]
        assert len(info["mistakes"]) >= 2, info["name"]


def test_every_contract_solver_exists():
    contract = DLCORE.parent.parent / "shared" / "dlcore-contract.md"
    if not contract.exists():
        pytest.skip("shared/dlcore-contract.md is not beside the checkout")
    names = [n for n in re.findall(r"^\| ([a-z0-9_]+) \|", contract.read_text(), re.M) if n != "name"]
    assert len(names) >= 17
    missing = set(names) - {s["name"] for s in dlcore.list_solvers()}
    assert not missing


NAN, INF = float("nan"), float("inf")


@pytest.fixture
def echo_solver():
    """A temporary solver `_test_echo` returning ``outputs[case] = (step_value, answer)``."""
    from dlcore import registry
    from dlcore.params import Param
    from dlcore.types import Solution, Step

    registry._load_all()
    outputs: dict[str, tuple[object, object]] = {}

    @registry.solver("_test_echo", params={"case": Param("str")})
    def echo(*, case: str) -> Solution:
        """Echo a stored result (test only)."""
        value, answer = outputs[case]
        return Solution(answer, (Step("first", "1", 1.5), Step("value", "v", value)))

    @registry.mistake("_test_echo", "same", "the stored answer")
    def same(*, case: str) -> object:
        return outputs[case][1]

    yield outputs
    del registry._SOLVERS["_test_echo"]


BAD_VALUES = [
    [[1.0, 2.0], [3.0, NAN]],                              # matrix
    [[1.0, INF], [3.0, 4.0]],
    [[-INF, 2.0]],
    [[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, NAN]]],  # 3-D
    [[[1.0, 2.0]], [[INF, 4.0]]],
    [[[[0.5, 1.0], [1.5, -INF]]]],                         # 4-D
    [[1, 2], [3.0, NAN]],                                  # ints beside the NaN
    [[[1.0, 2.0]], [3.0, NAN]],                            # uneven nesting
    {"out": [[[1.0, NAN]]], "shape": [1, 1, 2]},
    [[1e308, 1e308], [1e308, INF]],                        # the sum overflows
    [[[np.float64(1.0), np.float64(NAN)]]],
]


@pytest.mark.parametrize("bad", BAD_VALUES, ids=range(len(BAD_VALUES)))
def test_non_finite_nested_step_values_and_answers_are_refused(echo_solver, bad):
    from dlcore.registry import mistake_answers

    message = r"Solver '_test_echo' produced a non-finite result for these parameters; the inputs are out of range\."
    echo_solver["step"] = (bad, 1.0)
    with pytest.raises(SolverError, match=message):
        solve("_test_echo", {"case": "step"})
    echo_solver["answer"] = ([[1.0]], bad)
    with pytest.raises(SolverError, match=message):
        solve("_test_echo", {"case": "answer"})
    echo_solver["both"] = (bad, bad)
    with pytest.raises(SolverError, match=message):
        solve("_test_echo", {"case": "both"})
    assert mistake_answers("_test_echo", {"case": "answer"}) == {}


def test_finite_nested_values_are_kept_or_made_json_ready(echo_solver):
    matrix, cube = [[1.0, 2.0], [3.0, 4.0]], [[[1.0, 2]], [[1e308, 1e308]]]
    echo_solver["plain"] = (matrix, {"cube": cube, "shape": [1, 2, 2], "name": "x", "ok": True, "none": None})
    sol = solve("_test_echo", {"case": "plain"})
    assert sol.steps[1].value is matrix and sol.answer["cube"] is cube
    echo_solver["numpy"] = (np.array([[[1.0, 2.0]]]), (np.float64(0.5), {1: np.int64(3)}))
    sol = solve("_test_echo", {"case": "numpy"})
    assert sol.steps[1].value == [[[1.0, 2.0]]] and type(sol.steps[1].value[0][0][0]) is float
    assert sol.answer == [0.5, {"1": 3}] and type(sol.answer[0]) is float and type(sol.answer[1]["1"]) is int
    json.dumps(sol.to_dict(), allow_nan=False)
