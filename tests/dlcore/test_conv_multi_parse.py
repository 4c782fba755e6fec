"""conv2d_multi reads input and filters with a parser written for their shape (quiz sizes) and with numpy
(everything else): both must read every parameter set alike, with the same numbers or the same error.

The reference is the numpy reading alone (``_quick_core`` switched off).
"""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

import dlcore.conv_multi as conv_multi
from dlcore import SolverError, mistake_answers, solve

X = [[[1, 2, 0], [0, 1, 3], [2, 2, 1]], [[0, 1, 1], [1, 0, 2], [3, 1, 0]]]
W = [[[[1, 0], [0, -1]], [[0.5, 0.5], [0, 1]]], [[[2, 1], [1, 0]], [[-1, 0], [1, 1]]]]


def _with(value: list, path: tuple[int, ...], new: object) -> list:
    """A deep copy of nested lists ``value`` with the item at ``path`` replaced by ``new``."""
    copy = json.loads(json.dumps(value))
    target = copy
    for i in path[:-1]:
        target = target[i]
    target[path[-1]] = new
    return copy


ODD_ITEMS = [
    True, False, 2 ** 53 + 1, 2 ** 62, 2 ** 63 - 1, 2 ** 63, 2 ** 64, -2 ** 63, -2 ** 63 - 1, 10 ** 400,
    1e300, -1e308, float("inf"), float("nan"), -0.0, 1e-320, "1", None, [1], [], (1,), {1: 2}, np.float64(2.5),
    np.int64(3),
]
ODD_ROWS = [(1, 2), [1, 2], [1, 2, 3, 4], [], {0: 1, 1: 2, 2: 3}, {1, 2, 3}, b"abc", range(3), "abc", 7, None,
            [[1, 2, 3]]]


def _cases() -> list[dict]:
    cases = [{"input": X, "filters": W}, {"input": X, "filters": W, "bias": [1.5, -2.0], "padding": 1},
             {"input": X, "filters": W, "stride": 2, "padding": 2}]
    for item in ODD_ITEMS:
        cases.append({"input": _with(X, (1, 2, 0), item), "filters": W})
        cases.append({"input": X, "filters": _with(W, (0, 1, 1, 0), item)})
    for row in ODD_ROWS:
        cases.append({"input": _with(X, (1, 1), row), "filters": W})
        cases.append({"input": X, "filters": _with(W, (1, 0, 1), row)})
        cases.append({"input": [X[0], row], "filters": W})
        cases.append({"input": X, "filters": [W[0], row]})
    cases += [
        {"input": [X[0]], "filters": W},  # one channel, filters of two
        {"input": X, "filters": W, "bias": [1.0]},  # one bias for two filters
        {"input": X, "filters": [[[[1] * 4] * 4] * 2]},  # kernel larger than the input
        {"input": [[[1, 2], [3]]], "filters": [[[[1] * 4] * 4]]},  # ragged and a kernel too large
        {"input": [[[1.0] * 3] * 3] * 2, "filters": [[[[1e308, 1e308]] * 2] * 2]},  # overflows
        {"input": [[[1e300, -1e300]] * 2], "filters": [[[[1e10, 1e10]]]]},  # inf - inf
        {"input": [[[-1e-200, 1e-200]] * 2], "filters": [[[[1e-200, -1e-200]]]]},  # products underflow to -0.0
        {"input": [[[-0.0, -0.0]] * 2], "filters": [[[[1.0, 2.0]]]], "padding": 2},
        {"input": [], "filters": W}, {"input": [[]], "filters": W}, {"input": [[[]]], "filters": W},
        {"input": X, "filters": [[[[]]]]}, {"input": (X[0], X[1]), "filters": W},
        {"input": [[[[1]]]], "filters": W}, {"input": [[1, 2]], "filters": W},
    ]
    return cases


CASES = _cases()


def _outcome(params: dict) -> str:
    try:
        sol = solve("conv2d_multi", params)
    except SolverError as err:
        return "error: " + str(err)
    return json.dumps([sol.to_dict(), mistake_answers("conv2d_multi", params)])


@pytest.mark.parametrize("params", CASES)
def test_the_parser_of_a_shape_reads_as_numpy_does(params, monkeypatch):
    conv_multi._small_plan.cache_clear()
    quick = _outcome(params)
    monkeypatch.setattr(conv_multi, "_quick_core", lambda p, padding: None)
    assert quick == _outcome(params)


def test_well_formed_quiz_input_takes_the_parser_of_its_shape():
    conv_multi._small_plan.cache_clear()
    for params in CASES[:3]:
        clean = {"bias": None, "stride": 1, "padding": 0, **params}
        assert conv_multi._quick_core(clean, clean["padding"]) is not None


def test_random_corruptions_read_as_numpy_does(monkeypatch):
    rng = random.Random(7)
    odd = ODD_ITEMS + ODD_ROWS
    cases = []
    for _ in range(300):
        name, value, shape = rng.choice([("input", X, (2, 3, 3)), ("filters", W, (2, 2, 2, 2))])
        where = tuple(rng.randrange(n) for n in shape[:rng.randint(1, len(shape))])
        cases.append({"input": X, "filters": W, "padding": rng.randint(0, 1), name: _with(value, where, rng.choice(odd))})
    quick = [_outcome(params) for params in cases]
    monkeypatch.setattr(conv_multi, "_quick_core", lambda p, padding: None)
    assert quick == [_outcome(params) for params in cases]
