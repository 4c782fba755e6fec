"""The plain-Python paths of dlcore.norm give numpy's numbers to the last bit and its errors word for word."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

import dlcore.norm
from dlcore import SolverError, solve
from dlcore.norm import _channel_means, _layout, _normalize, _tensor4, _tensor4_flat
from dlcore.pairwise import left_sum as _left_sum
from dlcore.pairwise import plain_sum as _plain_sum


def _tensor(rng: random.Random, shape: tuple[int, ...]) -> np.ndarray:
    """Values of very different magnitudes, so that any other order of summation shows in the last bits."""
    size = int(np.prod(shape))
    return np.array([rng.choice([-1, 1]) * rng.random() * 10 ** rng.randint(-8, 8) for _ in range(size)]).reshape(shape)


SHAPES = [(n, c, h, w) for n in (1, 2, 3) for c in (1, 2, 3) for h in (1, 2, 3) for w in (1, 3, 4)] + [
    (5, 1, 3, 3), (1, 1, 12, 12), (2, 3, 9, 17), (3, 2, 20, 20), (4, 1, 50, 50), (200, 2, 1, 1), (1, 1, 1, 1000),
]


@pytest.mark.parametrize("shape", SHAPES)
def test_channel_means_are_numpys_means_to_the_last_bit(shape):
    rng = random.Random(str(shape))
    for _ in range(5):
        x = _tensor(rng, shape)
        assert _channel_means(x.ravel().tolist(), _layout(*shape), x.size // shape[1]) == x.mean(axis=(0, 2, 3)).tolist()


def test_plain_sum_adds_from_left_to_right_as_numpy_does():
    xs = [1.0, 1e100, 1.0, -1e100]  # a compensated sum would give 2.0
    assert _plain_sum(xs) == _left_sum(xs) == float(np.add.reduce(np.array(xs))) == 0.0


@pytest.mark.parametrize("shape", [(2, 3, 1, 2), (2, 1, 2, 2), (3, 2, 3, 3)])
def test_channel_means_with_the_left_sum_of_newer_pythons(shape, monkeypatch):
    monkeypatch.setattr(dlcore.norm, "plain_sum", _left_sum)
    x = _tensor(random.Random(str(shape)), shape)
    assert _channel_means(x.ravel().tolist(), _layout(*shape), x.size // shape[1]) == x.mean(axis=(0, 2, 3)).tolist()


@pytest.mark.parametrize("shape", [(2, 2, 2, 2), (1, 3, 1, 1), (3, 1, 2, 5), (2, 2, 4, 4), (1, 2, 11, 13)])
def test_batchnorm2d_is_numpys_batch_norm_to_the_last_bit(shape):
    rng = random.Random(str(shape))
    x = _tensor(rng, shape)
    gamma, beta = [rng.uniform(-2, 2) for _ in range(shape[1])], [rng.uniform(-2, 2) for _ in range(shape[1])]
    mean, var, x_hat = _normalize(x, (0, 2, 3), 1e-5)
    y = np.array(gamma)[None, :, None, None] * x_hat + np.array(beta)[None, :, None, None] + 0.0
    sol = solve("batchnorm2d", {"x": x.tolist(), "eps": 1e-5, "gamma": gamma, "beta": beta})
    assert sol.answer == {"mean": mean.ravel().tolist(), "var": var.ravel().tolist(), "normalized": y.tolist()}
    assert sol.steps[2].value == x_hat.tolist()
    assert sol.checked


def test_batchnorm2d_keeps_the_sign_of_a_zero_x_hat_and_drops_it_in_y():
    sol = solve("batchnorm2d", {"x": [[[[-0.0, -0.0]]]], "eps": 1.0, "gamma": -1.0, "beta": -0.0})
    assert json.dumps(sol.steps[2].value) == "[[[[-0.0, -0.0]]]]"
    assert json.dumps(sol.answer["normalized"]) == "[[[[0.0, 0.0]]]]"


ODD_INPUTS = [
    [[[[1, 2], [3, 4]]]],  # ints
    [[[[1.0, 2]]], [[[3, 4.5]]]],  # ints and floats
    [[[[10**20, 2.0]]]],
    [[[[np.float64(1.5), 2.0]]]],  # a float subclass
    [[[[True, 1.0]]]], [[[[None]]]], [[[["1"]]]], [[[[1.0, [2.0]]]]],
    [[1.0, 2.0]], [[[1.0, 2.0]]], [[[[[1.0]]]]], [], [[]], [[[]]], [[[[]]]], 3.0, "x", None, {"a": 1},
    [[[[1.0, 2.0], [3.0]]]], [[[[1.0]]], [[[1.0]], [[2.0]]]], [[[(1.0, 2.0)]]], [[[[1.0, 2.0]]], "ab"],
    [[[[float("nan"), 1.0]]]], [[[[float("inf"), 1.0]]]], [[[[1e308, 1e308]]]],
    [[[[float(i) for i in range(1000)] for _ in range(101)]]],  # over MAX_ELEMENTS
]


@pytest.mark.parametrize("x", ODD_INPUTS)
def test_tensor4_flat_accepts_and_refuses_what_tensor4_does(x):
    try:
        t = _tensor4("x", x)
    except SolverError as exc:
        with pytest.raises(SolverError) as got:
            _tensor4_flat("x", x)
        assert str(got.value) == str(exc)
    else:
        flat, shape = _tensor4_flat("x", x)
        assert shape == t.shape and flat == t.ravel().tolist() and {type(v) for v in flat} == {float}


def test_batchnorm2d_refuses_overflow():
    with pytest.raises(SolverError, match="non-finite result"):
        solve("batchnorm2d", {"x": [[[[1e308, -1e308], [1e308, -1e308]]]]})
    with pytest.raises(SolverError, match="non-finite result"):
        solve("batchnorm2d", {"x": [[[[1.0, 2.0]]]], "gamma": 1e308, "beta": 1e308})
    with pytest.raises(SolverError, match="cannot compute these parameters: int too large to convert to float"):
        solve("batchnorm2d", {"x": [[[[10**400, 2.0]]]]})


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("batchnorm", {"batch": [[1e308, 1.0], [-1e308, 2.0]]}),
        ("batchnorm", {"batch": [[1.0, 2.0], [3.0, 4.0]], "gamma": 1e308, "beta": 1e308}),
        ("layernorm", {"x": [[1e308, -1e308]]}),
        ("layernorm", {"x": [[1.0, 2.0]], "gamma": [1e308, 1e308], "beta": -1e308}),
        ("inverted_dropout", {"a": [1e308, 1.0], "mask": [1, 1], "keep_prob": 0.5}),
    ],
)
def test_checked_norm_solvers_refuse_overflow(name, params):
    with pytest.raises(SolverError, match="non-finite result"):
        solve(name, params)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("batchnorm", {"batch": [[0.1, -0.0, 1e-9], [0.3, 0.0, 2e-9]], "eps": 1e-5, "gamma": [1.0, -0.0, 2.0], "beta": -0.0}),
        ("layernorm", {"x": [[0.1, -0.0, 1e-9], [1e7, 0.0, 2.5]], "eps": 0.1, "gamma": -2.0, "beta": [0.0, -0.0, 1.0]}),
        ("inverted_dropout", {"a": [-1.5, 2.0, 1e-9], "mask": [0, 1, 1], "keep_prob": 0.3}),
    ],
)
def test_checked_norm_solutions_are_plain_json(name, params):
    sol = solve(name, params)
    assert sol.checked
    assert json.loads(json.dumps(sol.to_dict(), allow_nan=False)) == sol.to_dict()
