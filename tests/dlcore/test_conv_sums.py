"""conv2d sums its windows with numpy: the result must be exactly Python's left-to-right ``sum``."""

from __future__ import annotations

import random
import warnings
from operator import mul

import numpy as np
import pytest

from dlcore import SolverError, solve
from dlcore.conv import _window_sums

_VALUES = [0.0, -0.0, 1e308, -1e308, 1e8, -1e8, 1e-300, 3.0, 0.1, -0.7]


def _python_sums(columns: list[list[float]], k: list[float]) -> list[float]:
    return [sum(map(mul, column, k)) for column in columns]


@pytest.mark.parametrize("seed", range(20))
def test_window_sums_add_in_order_as_python(seed):
    r = random.Random(seed)
    for _ in range(50):
        kk, n = r.randint(1, 30), r.randint(1, 20)  # n = 1: one window, a contiguous column
        pick = [lambda: r.uniform(-1e3, 1e3), lambda: r.uniform(-1, 1) * 10.0 ** r.randint(-20, 20), lambda: r.choice(_VALUES)]
        columns = [[r.choice(pick)() for _ in range(kk)] for _ in range(n)]
        k = [r.choice(pick)() for _ in range(kk)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = _window_sums(np.array(columns).T.copy(), k)
        assert list(map(repr, got)) == list(map(repr, _python_sums(columns, k)))


def test_all_negative_zero_products_sum_to_zero():
    assert repr(_window_sums(np.array([[-0.0], [-0.0]]), [1.0, 1.0])) == "[0.0]"


def test_overflow_raises_solver_error_without_numpy_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(SolverError, match="non-finite"):
            solve("conv2d", {"input": [[1e308, 1e308], [1e308, 1e308]], "kernel": [[10.0, 10.0]]})
        with pytest.raises(SolverError, match="non-finite"):
            solve("conv2d", {"input": [[1e308, -1e308]], "kernel": [[10.0, 10.0]]})


def test_large_geometry_is_not_cached_but_solved():
    x = [[float((i * 7 + j) % 5 - 2) for j in range(70)] for i in range(70)]
    sol = solve("conv2d", {"input": x, "kernel": [[1.0, -1.0], [0.5, 2.0]], "padding": 1, "stride": 3})
    z = np.pad(np.array(x), 1)
    want = [[sum(map(mul, z[i:i + 2, j:j + 2].ravel().tolist(), [1.0, -1.0, 0.5, 2.0])) for j in range(0, 71, 3)]
            for i in range(0, 71, 3)]
    assert sol.answer == want
