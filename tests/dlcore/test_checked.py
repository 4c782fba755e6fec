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
    "activation": {"activation": "leaky_relu", "z": -1e308, "alpha": 1e308},
    "rmsprop_step": {"theta": 1.0, "grad": 1e300, "r": 1e300, "lr": 0.1, "rho": 0.5, "delta": 1e-8},
    "adam_step": {"theta": 1.0, "grad": 1e300, "m": 0.0, "v": 1e300, "t": 1, "lr": 0.1},
    "adam_steps": {"theta": 1e308, "grads": [1e300, 1e300], "lr": 1e308},
    "batchnorm": {"batch": [[1e308], [-1e308]]},
    "layernorm": {"x": [[1e308, -1e308]]},
    "inverted_dropout": {"a": [1e308, 1e308], "mask": [1, 1], "keep_prob": 1e-10},
}
# Checked solvers whose results are ints, copies of validated inputs, or bounded by them (dice: inputs in [0, 1]):
# nothing can overflow.
CANNOT_OVERFLOW = {
    "dice_coefficient",
    "cnn_summary", "conv2d_output_shape", "conv2d_param_count", "conv_transpose_output_shape", "dense_param_count",
    "depthwise_separable_cost", "flatten_size", "max_unpool2d", "pool_output_shape", "receptive_field",
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


def test_every_checked_solver_has_an_overflow_case():
    checked = {name for p in ALL_CASES for name, params in [p.values] if solve(name, params).checked}
    assert checked - set(OVERFLOW) - CANNOT_OVERFLOW == set()
