"""Solvers that return ``Solution(checked=True)`` skip solve()'s walk over their values:
their promise (plain JSON, every float finite, overflow refused) is verified here."""

from __future__ import annotations

import json

import pytest

from dlcore import SolverError, solve
from dlcore.finite import all_finite, require_finite
from dlcore.registry import _all_plain_finite
from dlcore.torch_reference import cases

ALL_CASES = [
    pytest.param(name, params, id=f"{module}-{i}-{name}")
    for module, module_cases in cases().items()
    for i, (name, params) in enumerate(module_cases)
]

# Inputs that overflow inside the solver, for every solver that may return checked=True.
OVERFLOW = {
    "conv1d": {"x": [1e308, 1e308], "f": [10.0, 10.0]},
    "conv2d": {"input": [[1e308, 1e308], [1e308, 1e308]], "kernel": [[10.0]]},
    "conv2d_multi": {"input": [[[1e308, 1e308], [1e308, 1e308]]], "filters": [[[[10.0]]]]},
    "conv_transpose1d": {"x": [1e308, 1e308], "f": [10.0, 10.0]},
    "conv_transpose2d": {"input": [[1e308, 1e308], [1e308, 1e308]], "kernel": [[10.0, 10.0], [10.0, 10.0]]},
    "pool2d": {"input": [[1e308, 1e308], [1e308, 1e308]], "kernel": 2, "mode": "avg"},
    "batchnorm2d": {"x": [[[[1e308, -1e308], [1e308, -1e308]]]]},
    "softmax": {"logits": [1e308, -1e308]},
}


@pytest.mark.parametrize(("name", "params"), ALL_CASES)
def test_a_checked_solution_is_plain_finite_json(name, params):
    sol = solve(name, params)
    if not sol.checked:
        return
    assert _all_plain_finite([s.value for s in sol.steps] + [sol.answer]), "not plain JSON"
    as_json = json.dumps(sol.to_dict(), allow_nan=False)
    assert json.loads(as_json) == sol.to_dict()
    assert all(type(s.label) is str and type(s.latex) is str for s in sol.steps)


@pytest.mark.parametrize("name", sorted(OVERFLOW))
def test_overflow_is_refused_not_returned(name):
    try:
        sol = solve(name, OVERFLOW[name])
    except SolverError as exc:
        assert "non-finite result" in str(exc) or "cannot compute" in str(exc)
    else:  # a solver may stay finite (e.g. a stable softmax): then everything it returns is finite
        as_json = json.dumps(sol.to_dict(), allow_nan=False)
        assert json.loads(as_json)


def test_all_finite_and_require_finite():
    assert all_finite([]) and all_finite([1e308, 1e308])
    assert not all_finite([1.0, float("inf")]) and not all_finite([float("nan")])
    require_finite("x", [1.0], [2.0])
    with pytest.raises(SolverError, match="Solver 'x' produced a non-finite result"):
        require_finite("x", [1.0], [float("-inf")])
