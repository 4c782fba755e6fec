"""Transposed convolution: the per-geometry plans, the list-based input parsing and the checked solutions
agree with the plain numpy formulas and with the numpy input checks."""

from __future__ import annotations

import json
import math
import random

import numpy as np
import pytest

from dlcore import SolverError, mistake_answers, solve
from dlcore.conv_ops import conv_transpose_1d, conv_transpose_2d
from dlcore.conv_transpose import _filled, _tconv2d_arrays, _tconv2d_inputs, _template
from dlcore.params import MAX_ELEMENTS


def _rand(rng: random.Random) -> float:
    return rng.choice([rng.randint(-5, 5), round(rng.uniform(-3, 3), 2), 0.5, -0.0, 1e-9, 1234567.0])


def _matrix(rng: random.Random, h: int, w: int) -> list[list[float]]:
    return [[_rand(rng) for _ in range(w)] for _ in range(h)]


@pytest.mark.parametrize("seed", range(40))
def test_conv_transpose1d_matches_the_numpy_scatter(seed):
    rng = random.Random(seed)
    n, k, stride = rng.randint(1, 6), rng.randint(1, 4), rng.randint(1, 3)
    padding = rng.randint(0, ((n - 1) * stride + k - 1) // 2)
    x, f = [_rand(rng) for _ in range(n)], [_rand(rng) for _ in range(k)]
    sol = solve("conv_transpose1d", dict(x=x, f=f, stride=stride, padding=padding))
    # the same additions in the same order: equal, not only close
    assert sol.answer == conv_transpose_1d(np.array(x, float), np.array(f, float), stride, padding).tolist()
    assert sol.checked and json.loads(json.dumps(sol.to_dict(), allow_nan=False)) == sol.to_dict()
    placed = [s for s in sol.steps if " placed at " in s.label]
    assert len(placed) == n and all(len(s.value) == (n - 1) * stride + k for s in placed)


@pytest.mark.parametrize("seed", range(40))
def test_conv_transpose2d_matches_the_numpy_scatter(seed):
    rng = random.Random(seed)
    c_in, c_out, single = rng.randint(1, 3), rng.randint(1, 3), rng.random() < 0.4
    if single:
        c_in = c_out = 1
    h, w, kh, kw, stride = rng.randint(1, 4), rng.randint(1, 4), rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 3)
    padding = rng.randint(0, (min((h - 1) * stride + kh, (w - 1) * stride + kw) - 1) // 2)
    x = [_matrix(rng, h, w) for _ in range(c_in)]
    k = [[_matrix(rng, kh, kw) for _ in range(c_out)] for _ in range(c_in)]
    bias: float | list[float] = rng.choice([0.0, 1.5, [_rand(rng) for _ in range(c_out)]])
    params = dict(input=x[0] if single else x, kernel=k[0][0] if single else k, bias=bias, stride=stride, padding=padding)
    sol = solve("conv_transpose2d", params)
    expected = conv_transpose_2d(np.array(x, float), np.array(k, float), stride, padding)
    expected += np.broadcast_to(np.array(bias, float), (c_out,))[:, None, None]
    np.testing.assert_allclose(np.array(sol.answer["output"]), expected[0] if single else expected, rtol=1e-12, atol=1e-12)
    assert sol.answer["shape"] == list(expected.shape[1:] if single else expected.shape)
    assert sol.checked and json.loads(json.dumps(sol.to_dict(), allow_nan=False)) == sol.to_dict()
    assert set(mistake_answers("conv_transpose2d", params)) <= {"forgot_stride_insertion", "treated_as_convolution",
                                                                "did_not_crop", "flipped_kernel"}


def test_negative_zero_products_stay_in_the_copies_but_not_in_the_sum():
    sol = solve("conv_transpose1d", dict(x=[-1.0, 2.0], f=[0.0, 1.0]))
    assert math.copysign(1, sol.steps[0].value[0]) == -1  # the placed copy shows -1 * 0 as it is
    assert math.copysign(1, sol.steps[-1].value[0]) == 1  # the sum starts from 0.0
    block = solve("conv_transpose2d", dict(input=[[-1.0]], kernel=[[0.0]], bias=-0.0))
    assert all(math.copysign(1, v) == 1 for step in block.steps[:-1] for row in step.value for v in row)


@pytest.mark.parametrize("params", [
    dict(input=[[1, 2], [3, 4]], kernel=[[1, 0], [-1, 2]], bias=0.5),
    dict(input=[[1.5, 2]], kernel=[[1, 2, 3]], bias=[-1.0]),
    dict(input=[[[1, 2]], [[3, 4]]], kernel=[[[[1]], [[2]]], [[[3]], [[4]]]], bias=[1.0, 2.0]),
    dict(input=[[[1, 2]], [[3, 4]]], kernel=[[[[1]], [[2]]], [[[3]], [[4]]]], bias=2),
    dict(input=[[2 ** 63, 1]], kernel=[[1]], bias=0.0),  # uint64 for numpy: the rare input it handles
    dict(input=[[1, True]], kernel=[[1]], bias=0.0),  # a bool: numpy reads it as 1
])
def test_the_list_parser_reads_what_numpy_reads(params):
    t = _tconv2d_inputs(params["input"], params["kernel"], params["bias"])
    x, w, b, single = _tconv2d_arrays(params["input"], params["kernel"], params["bias"])
    assert (t.c_in, t.h, t.w) == x.shape and (t.c_in, len(t.b), t.kh, t.kw) == w.shape and t.single == single
    assert t.x == x.ravel().tolist() and [v for k_c in t.k for k_co in k_c for v in k_co] == w.ravel().tolist()
    assert t.b == b.tolist() and all(type(v) is float for v in t.x + t.b)


@pytest.mark.parametrize("params", [
    dict(input=[[1, 2], [3]], kernel=[[1]], bias=0.0),
    dict(input=[[1, 2]], kernel=[[[[1]]]], bias=0.0),
    dict(input=[[[1, 2]]], kernel=[[1]], bias=0.0),
    dict(input=[[[1, 2]]], kernel=[[[[1]]], [[[1]]]], bias=0.0),
    dict(input=[[[1, 2]]], kernel=[[[[1]], [[2]]]], bias=[1.0]),
    dict(input=[[1, "a"]], kernel=[[1]], bias=0.0),
    dict(input=[[1, float("nan")]], kernel=[[1]], bias=0.0),
    dict(input=[], kernel=[[1]], bias=0.0),
    dict(input=[[]], kernel=[[1]], bias=0.0),
    dict(input=[[1.0] * (MAX_ELEMENTS + 1)], kernel=[[1]], bias=0.0),
    dict(input=[[1.0]], kernel=[[[[1.0] * 10] * 10] * 1001], bias=0.0),
])
def test_the_list_parser_raises_what_numpy_raises(params):
    with pytest.raises(SolverError) as by_numpy:
        _tconv2d_arrays(params["input"], params["kernel"], params["bias"])
    with pytest.raises(SolverError) as by_lists:
        _tconv2d_inputs(params["input"], params["kernel"], params["bias"])
    assert str(by_lists.value) == str(by_numpy.value)


def test_templates_fill_like_percent_formatting():
    texts = [r"a %s \cdot %s", "[%s]", "no slots", "%s%s"]
    args = ("1", "-2.5", "3", "x", "y")
    assert _filled(_template(texts), args) == [r"a 1 \cdot -2.5", "[3]", "no slots", "xy"]
    assert "\x00".join(texts) % args == "\x00".join(_filled(_template(texts), args))


def test_one_geometry_many_values():
    """The cached plans depend on the geometry only."""
    first = solve("conv_transpose2d", dict(input=[[1, 2]], kernel=[[1, 1]], stride=2))
    second = solve("conv_transpose2d", dict(input=[[3, 4]], kernel=[[0.5, 2]], stride=2, bias=1))
    assert first.answer["output"] == [[1, 1, 2, 2]] and second.answer["output"] == [[2.5, 7, 3, 9]]
    assert [s.label for s in first.steps] == [s.label for s in second.steps]
    assert first.steps[0].latex != second.steps[0].latex


def test_big_geometries_are_solved_without_keeping_their_plans():
    from dlcore.conv_transpose import _plan1d, _plan2d

    rng = random.Random(5)
    x, f = [_rand(rng) for _ in range(60)], [_rand(rng) for _ in range(5)]
    kept = _plan1d.cache_info().currsize
    sol = solve("conv_transpose1d", dict(x=x, f=f, padding=2))
    assert sol.answer == conv_transpose_1d(np.array(x), np.array(f), 1, 2).tolist()
    assert _plan1d.cache_info().currsize == kept
    image, kernel = _matrix(rng, 12, 12), _matrix(rng, 4, 4)
    kept = _plan2d.cache_info().currsize
    sol = solve("conv_transpose2d", dict(input=image, kernel=kernel, padding=1, bias=0.5))
    expected = conv_transpose_2d(np.array([image]), np.array([[kernel]]), 1, 1)[0] + 0.5
    np.testing.assert_allclose(sol.answer["output"], expected, rtol=1e-12, atol=1e-12)
    assert _plan2d.cache_info().currsize == kept
