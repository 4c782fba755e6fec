"""conv2d's generated solutions (quiz sizes) against its table path and a plain reference, number for number.

The generated source leaves out the products of the zero padding and the sum's start from 0.0, and writes the
texts of the activated map from those of z where a is z: each is checked here on inputs made to break them
(-0.0, products that underflow to zero, overflow to inf and NaN, texts with exponents, negative and tiny alphas).
"""

from __future__ import annotations

import random
from operator import mul

import pytest

from dlcore import SolverError, mistake_answers, solve
from dlcore.conv import _cached_geometry2d, _generated, _solution_source, _table_conv2d
from dlcore.conv_ops import ACTIVATIONS
from dlcore.fmt import mat, num
from dlcore.registry import get_solver
from tests.dlcore.outcome import outcome


def _both(x, k, bias, stride, padding, activation, alpha) -> tuple[object, object]:
    """(generated, table) outcomes of validated parameters; the geometry must have a generated solution."""
    fn = _generated(len(x), len(x[0]), len(k), len(k[0]), stride, padding, activation)
    assert fn is not None
    return (outcome(fn, x, k, bias, alpha),
            outcome(_table_conv2d, x, k, bias, stride, padding, activation, alpha))


_HOSTILE = [0.0, -0.0, 1e-170, -1e-170, 1e-300, 1e200, -1e200, 1.7e308, 1234567.0, -2.5e-5, 0.1, -3.0, 7.0, 1e6]


def _value(r: random.Random, hostile: bool) -> float:
    if hostile and r.random() < 0.5:
        return r.choice(_HOSTILE)
    return r.choice([float(r.randint(-9, 9)), round(r.uniform(-5, 5), r.choice([1, 2, 7])), 0.0, -0.0])


def _geometry(r: random.Random) -> tuple[int, int, int, int, int, int]:
    """A random geometry that has a generated solution."""
    while True:
        h, w, kh, kw = r.randint(1, 6), r.randint(1, 6), r.randint(1, 4), r.randint(1, 4)
        stride, padding = r.randint(1, 3), r.randint(0, 4)  # padding up to 4: windows all in the padding
        if kh <= h + 2 * padding and kw <= w + 2 * padding and _generated(h, w, kh, kw, stride, padding, "none"):
            return h, w, kh, kw, stride, padding


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("seed", range(6))
def test_generated_solution_is_the_table_solution(activation, seed):
    r = random.Random(f"{activation}-{seed}")
    for n in range(60):
        h, w, kh, kw, stride, padding = _geometry(r)
        hostile = n % 2 == 1
        x = [[_value(r, hostile) for _ in range(w)] for _ in range(h)]
        k = [[_value(r, hostile) for _ in range(kw)] for _ in range(kh)]
        bias = r.choice([0.0, -0.0, 3.0, -1.5, 0.123456789, 1e-300, -1e200] if hostile else [0.0, 3.0, -2.0])
        alpha = r.choice([0.01, 0.001, 0.2, -0.5, 0.0, -0.0, 1e-320, 1e300] if hostile else [0.01, 0.001])
        generated, table = _both(x, k, bias, stride, padding, activation, alpha)
        assert generated == table, (x, k, bias, stride, padding, activation, alpha)


def _plain_z(x, k, bias, stride, padding):
    """z by the formula: ``sum`` (from 0) of window * kernel over the padded map, + bias when it is not zero."""
    wp = len(x[0]) + 2 * padding
    pad = [[0.0] * wp] * padding + [[0.0] * padding + row + [0.0] * padding for row in x] + [[0.0] * wp] * padding
    kh, kw = len(k), len(k[0])
    flat_k = [v for row in k for v in row]
    raw = [[sum(map(mul, [pad[i + m][j + q] for m in range(kh) for q in range(kw)], flat_k))
            for j in range(0, wp - kw + 1, stride)] for i in range(0, len(pad) - kh + 1, stride)]
    return [[v + bias for v in row] for row in raw] if bias else raw


@pytest.mark.parametrize("seed", range(4))
def test_generated_z_is_the_formula_bit_for_bit(seed):
    r = random.Random(seed)
    for _ in range(150):
        h, w, kh, kw, stride, padding = _geometry(r)
        x = [[r.choice([0.0, -0.0, 1e-200, -1e-200, float(r.randint(-3, 3))]) for _ in range(w)] for _ in range(h)]
        k = [[r.choice([0.0, -0.0, 1e-200, -1e-200, float(r.randint(-3, 3))]) for _ in range(kw)] for _ in range(kh)]
        bias = r.choice([0.0, -0.0, 1.0, -1e-300])
        z = solve("conv2d", {"input": x, "kernel": k, "bias": bias, "stride": stride, "padding": padding}).answer
        assert repr(z) == repr(_plain_z(x, k, bias, stride, padding))


def test_seed_004_steps_by_hand():
    x = [[10, 10, 0, 5], [0, 20, 0, 0], [0, 20, 20, 0], [10, 0, 20, 0]]
    k = [[1, 0, -1], [2, 0, -2], [1, 0, 1]]
    sol = solve("conv2d", {"input": x, "kernel": k, "bias": 3, "padding": 1, "activation": "leaky_relu", "alpha": 0.001})
    z = _plain_z([[float(v) for v in row] for row in x], [[float(v) for v in row] for row in k], 3.0, 1, 1)
    a = [[v if v > 0 else 0.001 * v for v in row] for row in z]
    assert [s.label for s in sol.steps] == ["Zero-padded input", "Worked example: output (2, 2)",
                                            "Convolution output (before activation)", "After leaky_relu"]
    assert sol.steps[2].value == z and sol.steps[2].latex == mat(z)
    assert sol.answer == sol.steps[3].value == a and sol.steps[3].latex == mat(a)
    assert sol.steps[1].latex == (r"z_{2,2} = 20\cdot1 + 0\cdot0 + 0\cdot(-1) + 20\cdot2 + 20\cdot0 + 0\cdot(-2)"
                                  r" + 0\cdot1 + 20\cdot0 + 0\cdot1 + 3 = 63")


@pytest.mark.parametrize("activation", ["relu", "leaky_relu"])
def test_activated_texts_written_from_z_or_anew_are_num(activation):
    # a = z keeps z's text; the others are written with %.6g, which num does not always agree with
    x = [[1e7, -1e7, 0.5], [2.0, 1e-9, -3.0], [-1234567.0, 4.0, 0.0]]
    for alpha in [0.001, -1.0, 1e-320, 0.0, -0.0, 1e-9, 3.0]:
        sol = solve("conv2d", {"input": x, "kernel": [[1.0]], "activation": activation, "alpha": alpha})
        texts = [" & ".join([num(v) for v in row]) for row in sol.answer]
        assert sol.steps[-1].latex == r"\begin{bmatrix} " + r" \\ ".join(texts) + r" \end{bmatrix}"


def test_non_finite_results_raise_the_same_sentence():
    sentence = "Solver 'conv2d' produced a non-finite result for these parameters; the inputs are out of range."
    cases = [({"input": [[1e308, 1e308]], "kernel": [[10.0, 10.0]]}, "none"),
             ({"input": [[1e308, -1e308]], "kernel": [[1e10, 1e10]]}, "relu"),  # inf - inf: NaN
             ({"input": [[-1e300, 1.0]], "kernel": [[1.0]], "alpha": 1e300}, "leaky_relu")]  # only a overflows
    for params, activation in cases:
        with pytest.raises(SolverError) as exc:
            solve("conv2d", dict(params, activation=activation))
        assert str(exc.value) == sentence


def test_mistakes_share_one_core_and_match_their_formulas():
    params = {"input": [[1, 2, 0], [0, 1, 3], [2, 2, 1]], "kernel": [[1, -1], [0, 2]], "bias": -2, "padding": 1,
              "activation": "leaky_relu", "alpha": 0.1}
    info = get_solver("conv2d")
    prepared = info.prepare(info.check_params(params))
    assert prepared["core"] == []  # filled by the first mistake that needs it
    first = info.mistakes["forgot_bias"].fn(**dict(prepared))
    assert len(prepared["core"]) == 1
    assert info.mistakes["forgot_bias"].fn(**dict(prepared)) == first and len(prepared["core"]) == 1
    wrong = mistake_answers("conv2d", params)
    x = [[float(v) for v in row] for row in params["input"]]
    k = [[1.0, -1.0], [0.0, 2.0]]
    leaky = [[v if v > 0 else 0.1 * v for v in row] for row in _plain_z(x, k, -2.0, 1, 1)]
    assert solve("conv2d", params).answer == leaky
    assert wrong["forgot_activation"] == _plain_z(x, k, -2.0, 1, 1)
    assert wrong["ignored_padding"] == [[v if v > 0 else 0.1 * v for v in row] for row in _plain_z(x, k, -2.0, 1, 0)]


def test_sources_depend_on_the_geometry_only():
    g = _cached_geometry2d(4, 4, 3, 3, 1, 1)
    source = _solution_source(g, g.terms.T[:16].tolist(), 4, 4, 3, 3, 1, "leaky_relu")
    compile(source, "<test>", "exec")
    assert "def solution(input, kernel, b, alpha):" in source
    # the validated values reach it as arguments: solving two inputs of one geometry gives one function
    assert _generated(4, 4, 3, 3, 1, 1, "leaky_relu") is _generated(4, 4, 3, 3, 1, 1, "leaky_relu")
    # a name that is not one of the module's own is never written into a source
    assert _generated(4, 4, 3, 3, 1, 1, "softplus") is None
    assert _generated(4, 4, 3, 3, 1, 1, "relu', alpha); import os; ('") is None


def test_big_geometries_keep_the_table_path():
    assert _generated(40, 40, 3, 3, 1, 1, "none") is None
    x = [[float((i * 7 + j) % 5 - 2) for j in range(40)] for i in range(40)]
    sol = solve("conv2d", {"input": x, "kernel": [[1.0, 0.0, -1.0]] * 3, "padding": 1})
    assert sol.answer == _plain_z(x, [[1.0, 0.0, -1.0]] * 3, 0.0, 1, 1)


def test_impossible_geometries_raise_as_before():
    with pytest.raises(SolverError, match="larger than the padded input"):
        _generated(2, 2, 3, 3, 1, 0, "none")
    with pytest.raises(SolverError, match="the limit is 10000"):
        solve("conv2d", {"input": [[1.0] * 300] * 300, "kernel": [[1.0]], "padding": 256})
