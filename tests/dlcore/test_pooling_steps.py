"""pool2d and max_unpool2d worked steps against a plain, one-window-at-a-time rewrite of their formulas.

The solvers build their steps from geometry-keyed layouts and one LaTeX template; these tests
pin every label, LaTeX line and value to the direct computation, on random maps with negative
zeros, exponents and ties, and check that the layout cache never carries numbers across calls.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcore import SolverError, solve
from dlcore.fmt import num
from dlcore.shapes import pool_output_size

# Numbers that take every formatting path: common (table), plain %.6g, exponents, -0.0, ties.
NUMBERS = st.one_of(
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.5, 0.1, 1e-9, -3.5e-7, 1234567.0, 2e15, 0.30000000000000004]),
    st.integers(-20, 20).map(float),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
)


def maps(max_side: int = 6) -> st.SearchStrategy[list[list[float]]]:
    return st.integers(1, max_side).flatmap(
        lambda w: st.lists(st.lists(NUMBERS, min_size=w, max_size=w), min_size=1, max_size=max_side))


def plain_pool2d(x: list[list[float]], mode: str, kernel: int, stride: int | None, padding: int, ceil_mode: bool,
                 count_include_pad: bool) -> tuple[list[list[float]], list[tuple[str, str, object]]]:
    """The answer and steps of pool2d, one window at a time (torch's windows and divisors)."""
    s = kernel if stride is None else stride
    h_out = pool_output_size(len(x), kernel, s, padding, ceil_mode, axis="height")
    w_out = pool_output_size(len(x[0]), kernel, s, padding, ceil_mode, axis="width")

    def bounds(n_in: int, o: int) -> tuple[int, int, int]:
        start = o * s - padding
        end = min(start + kernel, n_in + padding)
        return max(start, 0), min(end, n_in), end - start

    steps, out = [], []
    for i in range(h_out):
        h0, h1, ph = bounds(len(x), i)
        row = []
        for j in range(w_out):
            w0, w1, pw = bounds(len(x[0]), j)
            window = [x[r][c] for r in range(h0, h1) for c in range(w0, w1)]
            texts = [num(v) for v in window]
            label = f"Window ({i}, {j}): rows {h0}-{h1 - 1}, columns {w0}-{w1 - 1}"
            if mode == "max":
                v = max(window)
                steps.append((label, rf"\max[{', '.join(texts)}] = {num(v)}", v))
            else:
                d = ph * pw if count_include_pad else len(window)
                v = sum(window) / d
                terms = texts[:1] + [t if u >= 0 else f"({t})" for t, u in zip(texts[1:], window[1:], strict=True)]
                steps.append((label, f"({' + '.join(terms)}) / {d} = {num(v)}", v))
            row.append(v)
        out.append(row)
    body = r" \\ ".join(" & ".join(num(v) for v in row) for row in out)
    steps.append(("Pooled map", r"\begin{bmatrix} " + body + r" \end{bmatrix}", out))
    return out, steps


def as_tuples(sol) -> list[tuple[str, str, object]]:
    return [(s.label, s.latex, s.value) for s in sol.steps]


def same_json(a: object, b: object) -> bool:
    """Equal as JSON text: tells 0.0 from -0.0 and 1 from 1.0."""
    return json.dumps(a) == json.dumps(b)


@settings(max_examples=150, deadline=None)
@given(x=maps(), mode=st.sampled_from(["max", "avg"]), kernel=st.integers(1, 4), data=st.data(),
       ceil_mode=st.booleans(), count_include_pad=st.booleans())
def test_pool2d_steps_match_the_plain_computation(x, mode, kernel, data, ceil_mode, count_include_pad):
    stride = data.draw(st.one_of(st.none(), st.integers(1, 3)))
    padding = data.draw(st.integers(0, kernel // 2))
    params = dict(input=x, mode=mode, kernel=kernel, stride=stride, padding=padding, ceil_mode=ceil_mode,
                  count_include_pad=count_include_pad)
    try:
        expected = plain_pool2d(x, mode, kernel, stride, padding, ceil_mode, count_include_pad)
    except SolverError as exc:
        with pytest.raises(SolverError) as raised:
            solve("pool2d", params)
        assert str(raised.value) == str(exc)
        return
    sol = solve("pool2d", params)
    assert same_json(sol.answer, expected[0])
    assert same_json(as_tuples(sol), expected[1])


def test_pool2d_partial_windows_with_ceil_mode_and_padding():
    x = [[1, -2, 3], [-4, 5, -6], [7, -8, 9]]
    sol = solve("pool2d", dict(input=x, mode="avg", kernel=2, stride=2, padding=1, ceil_mode=True,
                               count_include_pad=False))
    assert sol.answer == [[1.0, 0.5], [1.5, 0.0]]
    assert sol.steps[1].label == "Window (0, 1): rows 0-0, columns 1-2"
    assert sol.steps[1].latex == "(-2 + 3) / 2 = 0.5"
    assert sol.steps[2].latex == "(-4 + 7) / 2 = 1.5"
    assert sol.steps[3].latex == "(5 + (-6) + (-8) + 9) / 4 = 0"  # a negative term after the first in parentheses
    assert sol.steps[-1].latex == r"\begin{bmatrix} 1 & 0.5 \\ 1.5 & 0 \end{bmatrix}"
    assert sol.checked


def test_pool2d_numbers_are_written_as_num_writes_them():
    x = [[-0.0, 1e-9], [1234567.0, 0.1 + 0.2]]
    sol = solve("pool2d", dict(input=x, mode="max", kernel=1))
    assert [s.latex for s in sol.steps[:4]] == [r"\max[0] = 0", r"\max[1 \times 10^{-9}] = 1 \times 10^{-9}",
                                                r"\max[1234567] = 1234567", r"\max[0.3] = 0.3"]
    assert same_json(sol.answer, [[-0.0, 1e-9], [1234567.0, 0.30000000000000004]])


def test_pool2d_same_geometry_other_numbers_give_other_steps():
    """The layout cache holds geometry only: a second map of the same shape is computed afresh."""
    first = solve("pool2d", dict(input=[[1, 2], [3, 4]], kernel=2))
    second = solve("pool2d", dict(input=[[8, 7], [6, 5]], kernel=2, mode="avg"))
    third = solve("pool2d", dict(input=[[8, 7], [6, 5]], kernel=2))
    assert (first.answer, second.answer, third.answer) == ([[4.0]], [[6.5]], [[8.0]])
    assert third.steps[0].latex == r"\max[8, 7, 6, 5] = 8"


def test_pool2d_big_maps_are_solved_without_the_cache():
    x = [[float((i * 7 + j * 3) % 11) for j in range(30)] for i in range(20)]
    sol = solve("pool2d", dict(input=x, kernel=3, stride=2, padding=1, mode="avg"))
    expected = plain_pool2d(x, "avg", 3, 2, 1, False, True)
    assert same_json(sol.answer, expected[0]) and same_json(as_tuples(sol), expected[1])


@pytest.mark.parametrize(
    "params, fragment",
    [
        (dict(input=[[1, 2], [3, 4]], kernel=3), "larger than the padded input height"),
        (dict(input=[[1, 2, 3]], kernel=2), "larger than the padded input height (1 + 2*0 = 1)"),
        (dict(input=[[1, 2], [3, 4]], kernel=2, padding=2), "at most half the kernel size"),
        (dict(input=[[1e308, 1e308], [1e308, 1e308]], kernel=2, mode="avg"), "non-finite result"),
    ],
)
def test_pool2d_refuses_impossible_windows_and_overflow(params, fragment):
    with pytest.raises(SolverError) as exc:
        solve("pool2d", params)
    assert fragment in str(exc.value)


def plain_unpool(pooled: list[list[float]], ref: list[list[float]], kernel: int,
                 stride: int | None) -> tuple[list[list[float]], list[tuple[str, str, object]]]:
    """The answer and steps of max_unpool2d, one window at a time (first maximum, row-major)."""
    s = kernel if stride is None else stride
    out = [[0.0] * len(ref[0]) for _ in ref]
    out_tex = [["0"] * len(ref[0]) for _ in ref]
    steps = []
    for i, y_row in enumerate(pooled):
        for j, y in enumerate(y_row):
            cells = [(r, c) for r in range(i * s, i * s + kernel) for c in range(j * s, j * s + kernel)]
            r, c = cells[[ref[a][b] for a, b in cells].index(max(ref[a][b] for a, b in cells))]
            out[r][c], out_tex[r][c] = y, num(y)
            steps.append((f"Window ({i}, {j}): max of the pre-pool map at ({r}, {c})", f"out_{{{r},{c}}} = {num(y)}",
                          [r, c]))
    body = r" \\ ".join(" & ".join(row) for row in out_tex)
    steps.append(("Unpooled map (zeros elsewhere)", r"\begin{bmatrix} " + body + r" \end{bmatrix}", out))
    return out, steps


@settings(max_examples=100, deadline=None)
@given(ref=maps(7), kernel=st.integers(1, 3), extra=st.integers(0, 2), data=st.data())
def test_max_unpool2d_steps_match_the_plain_computation(ref, kernel, extra, data):
    if kernel > min(len(ref), len(ref[0])):
        return
    stride = kernel + extra
    shape = ((len(ref) - kernel) // stride + 1, (len(ref[0]) - kernel) // stride + 1)
    pooled = data.draw(st.lists(st.lists(NUMBERS, min_size=shape[1], max_size=shape[1]), min_size=shape[0],
                                max_size=shape[0]))
    sol = solve("max_unpool2d", dict(pooled=pooled, reference=ref, kernel=kernel, stride=stride))
    answer, steps = plain_unpool(pooled, ref, kernel, stride)
    assert same_json(sol.answer, answer)
    assert same_json(as_tuples(sol), steps)
    assert sol.checked


def test_max_unpool2d_step_values_are_fresh_lists():
    params = dict(pooled=[[5]], reference=[[1, 2], [3, 4]], kernel=2)
    solve("max_unpool2d", params).steps[0].value.append(99)
    assert solve("max_unpool2d", params).steps[0].value == [1, 1]


@pytest.mark.parametrize(
    "params, fragment",
    [
        (dict(pooled=[[1]], reference=[[1, 2], [3, 4]], kernel=2, stride=1), "non-overlapping"),
        (dict(pooled=[[1, 2]], reference=[[1, 2], [3, 4]], kernel=2), "must be 1 x 1"),
        (dict(pooled=[[1]], reference=[[1, 2], [3, 4]], kernel=3), "larger than the padded input height"),
    ],
)
def test_max_unpool2d_refuses_bad_geometry(params, fragment):
    with pytest.raises(SolverError) as exc:
        solve("max_unpool2d", params)
    assert fragment in str(exc.value)
