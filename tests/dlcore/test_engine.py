"""The engine's framework: registry, validation, CLI contract, import hygiene."""

from __future__ import annotations

import json
import pathlib
import re
import subprocess
import sys

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
