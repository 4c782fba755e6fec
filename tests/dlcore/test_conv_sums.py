"""conv1d and conv2d gather their windows through per-geometry index tables: checked against direct loops."""

from __future__ import annotations

import random
import warnings
from operator import mul

import pytest

from dlcore import SolverError, solve


def _xcorr2d(x: list[list[float]], k: list[list[float]], stride: int, padding: int) -> list[list[float]]:
    w = len(x[0]) + 2 * padding
    pad = [[0.0] * w] * padding + [[0.0] * padding + row + [0.0] * padding for row in x] + [[0.0] * w] * padding
    kh, kw = len(k), len(k[0])
    flat_k = [v for row in k for v in row]
    return [[sum(map(mul, [pad[i + m][j + n] for m in range(kh) for n in range(kw)], flat_k))
             for j in range(0, len(pad[0]) - kw + 1, stride)] for i in range(0, len(pad) - kh + 1, stride)]


@pytest.mark.parametrize("seed", range(10))
def test_conv2d_windows_are_those_of_the_padded_map(seed):
    r = random.Random(seed)
    for _ in range(20):
        h, w, kh, kw = r.randint(1, 7), r.randint(1, 7), r.randint(1, 4), r.randint(1, 4)
        stride, padding = r.randint(1, 3), r.randint(0, 2)
        x = [[r.choice([r.uniform(-9, 9), 0.0, -0.0, 1e-300]) for _ in range(w)] for _ in range(h)]
        k = [[r.choice([r.uniform(-2, 2), 0.0, -0.0]) for _ in range(kw)] for _ in range(kh)]
        try:
            answer = solve("conv2d", {"input": x, "kernel": k, "stride": stride, "padding": padding}).answer
        except SolverError:
            continue
        assert list(map(repr, sum(answer, []))) == list(map(repr, sum(_xcorr2d(x, k, stride, padding), [])))


@pytest.mark.parametrize("seed", range(10))
def test_conv1d_windows_are_those_of_the_padded_vector(seed):
    r = random.Random(seed)
    for _ in range(20):
        n, k, stride, padding = r.randint(1, 9), r.randint(1, 4), r.randint(1, 3), r.randint(0, 2)
        x, f = [r.uniform(-9, 9) for _ in range(n)], [r.uniform(-2, 2) for _ in range(k)]
        try:
            answer = solve("conv1d", {"x": x, "f": f, "stride": stride, "padding": padding, "bias": 0.5}).answer
        except SolverError:
            continue
        x_pad = [0.0] * padding + x + [0.0] * padding
        assert answer == [v + 0.5 for v in _xcorr2d([x_pad], [f], stride, 0)[0]]


def test_one_window_of_one_value():
    assert solve("conv1d", {"x": [5], "f": [-2]}).answer == [-10.0]
    assert solve("conv2d", {"input": [[5]], "kernel": [[-2]]}).answer == [[-10.0]]


def test_overflow_raises_solver_error_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(SolverError, match="non-finite"):
            solve("conv2d", {"input": [[1e308, 1e308], [1e308, 1e308]], "kernel": [[10.0, 10.0]]})
        with pytest.raises(SolverError, match="non-finite"):
            solve("conv1d", {"x": [1e308, -1e308], "f": [10.0, 10.0]})


def test_large_geometry_is_not_cached_but_solved():
    x = [[float((i * 7 + j) % 5 - 2) for j in range(70)] for i in range(70)]
    k = [[1.0, -1.0], [0.5, 2.0]]
    assert solve("conv2d", {"input": x, "kernel": k, "padding": 1, "stride": 3}).answer == _xcorr2d(x, k, 3, 1)
