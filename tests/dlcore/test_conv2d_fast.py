"""conv2d's fast paths against plain references: the matrix checker, numpy's window sums, the worked output's
LaTeX and the one-pass matrix LaTeX."""

from __future__ import annotations

import random
import warnings
from functools import reduce
from itertools import chain
from operator import add, mul

import pytest

from dlcore import SolverError, solve
from dlcore.conv import _FACTOR_TEXTS, _geometry2d, _matrix_latex, _parens, _sums
from dlcore.conv_ops import as_floats
from dlcore.fmt import COMMON_TEXTS as _TEXTS
from dlcore.fmt import num, nums
from dlcore.params import Param, _one

# --------------------------------------------------------------------------- the "matrix" checker

_MATRICES = [
    [[1, 2], [3, 4]], [[1.5, -2.0], [0.0, -0.0]], [[1, 2.5], [3, 4]], [[True, 2], [3, 4]], [[1, 2], [3]],
    [[1, 2], (3, 4)], ([1, 2], [3, 4]), [(1, 2), (3, 4)], [], [[]], [[], []], [[1, "2"]], [[None]], [[1, 2], 3],
    [[float("nan"), 1.0]], [[float("inf")]], [[1e308, 1e308]], [[10**400]], [[10**400, 1.0]], [[2**53 + 1]],
    [[0, 1], [1, 0]], [[0.5, 1.5]], [[-1, 0]], [[-0.0, 1.0]], [[1.0, 2]], "matrix", 3, None, [[[1]]],
    [[1] * 400] * 300, [[1.0]] * 100_001,
]
_PARAMS = [Param("matrix"), Param("matrix", min=0, max=1), Param("matrix", positive=True), Param("matrix", min=-2.5)]


@pytest.mark.parametrize("p", _PARAMS, ids=repr)
def test_matrix_checker_returns_or_raises_as_the_plain_validation(p):
    for value in _MATRICES:
        try:
            want = repr(_one("m", value, p))
        except SolverError as exc:
            want = f"error: {exc}"
        try:
            got = repr(p.check("m", value))
        except SolverError as exc:
            got = f"error: {exc}"
        assert got == want, value


def test_matrix_checker_returns_new_lists_of_floats():
    rows = [[1.0, 2.0], [3.0, 4.0]]
    out = Param("matrix").check("m", rows)
    assert out == rows and out is not rows and out[0] is not rows[0]
    assert [type(v) for v in chain.from_iterable(Param("matrix").check("m", [[1, 2], [3, 4]]))] == [float] * 4


# --------------------------------------------------------------------------- window sums


@pytest.mark.parametrize("kk,n", [(1, 1), (8, 1), (9, 1), (13, 1), (25, 1), (9, 2), (9, 16), (16, 7), (40, 3)])
def test_sums_add_left_to_right_as_the_builtin_sum(kk, n):
    r = random.Random(kk * 100 + n)
    for _ in range(50):
        windows = [[r.choice([r.uniform(-1, 1) * 10 ** r.randint(-8, 8), 0.0, -0.0]) for _ in range(kk)] for _ in range(n)]
        k = [r.choice([r.uniform(-3, 3), 0.0, -0.0, -1.0]) for _ in range(kk)]
        want = [reduce(add, map(mul, w, k), 0) for w in windows]  # from 0, left to right: what sum() does in 3.11
        table = windows if n > 1 else windows * 2  # a single column is doubled, as _geometry2d does
        got = _sums(as_floats(table).T.copy(), as_floats(k).reshape(-1, 1), n)
        assert list(map(repr, got)) == list(map(repr, want))


def test_sums_overflow_to_inf_and_nan_as_python_does_without_warnings():
    windows, k = [[1e308, 1e308], [1e308, -1e308]], [10.0, 10.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = _sums(as_floats(windows).T.copy(), as_floats(k).reshape(-1, 1), 2)
    assert list(map(repr, got)) == list(map(repr, [sum(map(mul, w, k)) for w in windows])) == ["inf", "nan"]

# --------------------------------------------------------------------------- the worked output's LaTeX


def _plain_worked(x, k, bias, stride, padding, z):
    """The worked output as the per-cell steps wrote it, from scratch."""
    h_out, w_out = len(z), len(z[0])
    i, j = h_out // 2, w_out // 2
    w = len(x[0]) + 2 * padding
    pad = [[0.0] * w] * padding + [[0.0] * padding + row + [0.0] * padding for row in x] + [[0.0] * w] * padding
    window = [pad[i * stride + m][j * stride + q] for m in range(len(k)) for q in range(len(k[0]))]
    xs, ks = _parens(nums(window)), _parens(nums([v for row in k for v in row]))
    terms = " + ".join(rf"{a}\cdot{b}" for a, b in zip(xs, ks, strict=True))
    b = f" + {_parens(nums([bias]))[0]}" if bias else ""  # a negative bias as a term: + (-1.5)
    return f"Worked example: output ({i}, {j})", f"z_{{{i},{j}}} = {terms}{b} = {nums([z[i][j]])[0]}", z[i][j]


@pytest.mark.parametrize("seed", range(8))
def test_worked_output_is_the_middle_cell_written_out(seed):
    r = random.Random(seed)
    for _ in range(25):
        h, w, kh, kw = r.randint(1, 6), r.randint(1, 6), r.randint(1, 4), r.randint(1, 4)
        stride, padding, bias = r.randint(1, 3), r.randint(0, 2), r.choice([0.0, -0.0, 2.0, -1.5, 0.123456789])
        value = r.choice([lambda: float(r.randint(-9, 9)), lambda: r.uniform(-9, 9), lambda: r.choice([1e-7, -2.5e9, -0.0])])
        x = [[value() for _ in range(w)] for _ in range(h)]
        k = [[value() for _ in range(kw)] for _ in range(kh)]
        try:
            sol = solve("conv2d", {"input": x, "kernel": k, "bias": bias, "stride": stride, "padding": padding})
        except SolverError:
            continue
        z = sol.answer
        worked = next(s for s in sol.steps if s.label.startswith("Worked"))
        assert tuple(worked) == _plain_worked(x, k, bias, stride, padding, z)


def test_text_tables_hold_num_and_the_factor_of_each_key():
    assert all(text == num(key) for key, text in _TEXTS.items())
    assert all(_FACTOR_TEXTS[key] == _parens([num(key)])[0] for key in _TEXTS)
    assert _FACTOR_TEXTS[-2.0] == "(-2)" and _FACTOR_TEXTS[0.25] == "0.25" and -0.027 not in _FACTOR_TEXTS
    assert _TEXTS[-0.0] == "0" and _FACTOR_TEXTS[-0.0] == "0"


# --------------------------------------------------------------------------- the matrix LaTeX in one pass


def test_matrix_latex_is_the_template_of_nums():
    g = _geometry2d(3, 4, 2, 2, 1, 0)  # 2 x 3 output
    cases = [[1.0, -2.0, 0.5, 3.25, -0.027, 7.0], [-0.0, 1.0, 2.0, 3.0, 4.0, 5.0], [1e-7, 2.0, 3.0, 4.0, 5.0, 6.0],
             [1e6, 123456789.0, 0.1 + 0.2, -1e-300, 5e15, -3.0]]
    for values in cases:
        assert _matrix_latex(g, values) == g.output_tex % tuple(nums(values))


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "sigmoid", "tanh"])
def test_activated_matrix_latex(activation):
    x = [[1.0, -2.0, 3.0], [0.5, 0.0, -1e-9], [2.0, 4.0, -7.0]]
    sol = solve("conv2d", {"input": x, "kernel": [[1.0, -1.0], [0.5, 2.0]], "activation": activation, "alpha": 1e-3})
    assert sol.steps[-1].latex == r"\begin{bmatrix} " + r" \\ ".join(" & ".join(nums(row)) for row in sol.answer) + r" \end{bmatrix}"
