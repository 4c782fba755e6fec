"""Max and average pooling (floor or ceil mode) and max unpooling with switches."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import chain, repeat
from operator import itemgetter, truediv
from typing import Any, NamedTuple

from dlcore.codegen import compiled, fstring, names, rows_display, step_source, unpack
from dlcore.conv_ops import (
    MAX_SPAN,
    bmatrix_template,
    check_cells,
    paren,
    window_bounds,
)
from dlcore.errors import SolverError
from dlcore.finite import all_finite, non_finite_error, require_finite
from dlcore.fmt import nums
from dlcore.params import Param
from dlcore.registry import mistake, solver
from dlcore.shapes import pool_output_size
from dlcore.types import Solution, Step

# --------------------------------------------------------------------------- pooling and unpooling


_POOL2D_PARAMS = {
    "input": Param("matrix"),
    "mode": Param("str", "max", choices=("max", "avg")),
    "kernel": Param("int", min=1, max=MAX_SPAN),
    "stride": Param("int", None, min=1, max=MAX_SPAN, help="defaults to the kernel size"),
    "padding": Param("int", 0, min=0, max=MAX_SPAN),
    "ceil_mode": Param("bool", False),
    "count_include_pad": Param("bool", True, help="avg: divide by the window size including padding (torch default)"),
}


@solver("pool2d", params=_POOL2D_PARAMS)
def pool2d(*, input: list[list[float]], mode: str, kernel: int, stride: int | None, padding: int,  # noqa: A002
           ceil_mode: bool, count_include_pad: bool) -> Solution:
    """Max or average pooling: out[i][j] = max (or mean) of the k x k window at (i*s - p, j*s - p); stride defaults to k.

    >>> pool2d(input=[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]], mode="max", kernel=2, stride=None,
    ...        padding=0, ceil_mode=True, count_include_pad=True).answer
    [[5.0, 6.0], [8.0, 9.0]]
    """
    h, w = len(input), len(input[0])
    layout = (_layout if h * w <= _CACHED_INPUT_CELLS else _build_layout)(h, w, kernel, stride, padding, ceil_mode, mode,
                                                                           count_include_pad)
    solution = layout.solution  # quiz sizes: the straight-line solution of the geometry (see _solution_source)
    answer, steps = solution(input) if solution is not None else _table_solution(layout, input, mode)
    return tuple.__new__(Solution, (answer, steps, True))


def _table_solution(layout: _Layout, input: list[list[float]], mode: str,  # noqa: A002
                    ) -> tuple[list[list[float]], tuple[Step, ...]]:
    """The answer and the steps of pool2d computed with the layout's index tables (any size)."""
    flat = list(chain.from_iterable(input))
    values: list[Any]  # the window results, then the pooled map: the step values
    if mode == "max":  # max keeps the first maximum, as torch does; the maxima are inputs, so finite
        values = [max(window(flat)) for window in layout.windows]
    else:
        values = list(map(truediv, [sum(window(flat)) for window in layout.windows], layout.divisors))
        require_finite("pool2d", values)
    out = list(map(values.__getitem__, layout.rows))
    shown = layout.shown(flat)
    texts = nums([*shown, *values])  # one nums() for all
    if mode != "max":  # the terms of the sums (see _build_layout)
        texts += map(paren, shown, texts)
    latex = (layout.latex % layout.arguments(texts)).split(_SEP)
    values.append(out)
    return out, tuple(map(tuple.__new__, repeat(Step), zip(layout.labels, latex, values)))  # noqa: B905 (equal lengths)


_SEP = "\x00"  # joins the LaTeX templates of the steps; no formatted number contains it
_CACHED_INPUT_CELLS = 256  # layouts of bigger maps are built per call, so the cache stays small


class _Layout(NamedTuple):
    """What a pooling computes that depends only on its geometry, never on the numbers.

    ``windows[n](flat)`` are the numbers of window n in the flattened input (row-major), ``shown(flat)`` the
    numbers that are in some window. ``latex % arguments(nums([*shown(flat), *values]))`` (``values`` the
    window results) is every window's LaTeX and the pooled map's bmatrix, joined by ``_SEP``.
    """

    windows: tuple[Callable[[list[float]], Sequence[float]], ...]
    labels: tuple[str, ...]
    divisors: tuple[int, ...]
    rows: tuple[slice, ...]  # of the window results: the rows of the pooled map
    latex: str
    shown: Callable[[list[float]], Sequence[float]]
    arguments: Callable[[list[Any]], tuple[Any, ...]]
    solution: _SolutionFn | None  # quiz sizes: the whole solution from the input rows (see _solution_source)


def _getter(indices: list[int]) -> Callable[[list[float]], Sequence[float]]:
    """``xs -> [xs[i] for i in indices]`` in C (itemgetter of one index would give the bare item)."""
    return itemgetter(*indices) if len(indices) > 1 else itemgetter(slice(indices[0], indices[0] + 1))


def _build_layout(h: int, w: int, kernel: int, stride: int | None, padding: int, ceil_mode: bool, mode: str,
                  count_include_pad: bool, generate: bool = False) -> _Layout:
    """The windows, labels, divisors and LaTeX templates of a pooling (raises for an impossible geometry);
    with ``generate``, also the straight-line solution of a geometry small enough (see _solution_source)."""
    stride = kernel if stride is None else stride
    h_out = pool_output_size(h, kernel, stride, padding, ceil_mode, axis="height")
    w_out = pool_output_size(w, kernel, stride, padding, ceil_mode, axis="width")
    check_cells(h_out, w_out)
    rows, cols = window_bounds(h, h_out, kernel, stride, padding), window_bounds(w, w_out, kernel, stride, padding)
    windows, labels, divisors, latex = [], [], [], []
    for i, (h0, h1, ph) in enumerate(rows):
        for j, (w0, w1, pw) in enumerate(cols):
            window = [r * w + c for r in range(h0, h1) for c in range(w0, w1)]
            windows.append(window)
            labels.append(f"Window ({i}, {j}): rows {h0}-{h1 - 1}, columns {w0}-{w1 - 1}")
            divisors.append(ph * pw if count_include_pad else len(window))
            if mode == "max":
                latex.append(r"\max[" + ", ".join(["%s"] * len(window)) + "] = %s")
            else:
                latex.append("(" + " + ".join(["%s"] * len(window)) + f") / {divisors[-1]} = %s")
    labels.append("Pooled map")
    latex.append(bmatrix_template(h_out, w_out))
    shown = sorted(set(chain.from_iterable(windows)))  # the inputs in some window (not those past the last one)
    at = {k: n for n, k in enumerate(shown)}
    n_in, n_out = len(shown), h_out * w_out
    # where each %s finds its text in ``nums([*shown, *values])``, then (avg) the shown texts as terms of a sum
    # after the first one: a negative one in parentheses, (-1.5 + (-3)) / 2
    term = 0 if mode == "max" else n_in + n_out
    arguments = [a for n, window in enumerate(windows)
                 for a in (at[window[0]], *[term + at[k] for k in window[1:]], n_in + n)]
    arguments += range(n_in, n_in + n_out)
    solution = None
    if generate and sum(map(len, windows)) + 8 * n_out <= _GENERATED and all(windows):
        source = _solution_source(h, w, mode, windows, labels, divisors, latex, w_out)
        solution = compiled(source, "solution", _SOLUTION_NAMES,
                            f"pool2d {h}x{w} {mode} k{kernel} s{stride} p{padding} ceil={ceil_mode} pad={count_include_pad}")
    return _Layout(tuple(map(_getter, windows)), tuple(labels), tuple(divisors),
                   tuple(slice(r, r + w_out) for r in range(0, n_out, w_out)), _SEP.join(latex), _getter(shown),
                   itemgetter(*arguments), solution)


@lru_cache(maxsize=128)
def _layout(h: int, w: int, kernel: int, stride: int | None, padding: int, ceil_mode: bool, mode: str,
            count_include_pad: bool) -> _Layout:
    """The kept layout of a map of at most _CACHED_INPUT_CELLS cells, with its generated solution."""
    return _build_layout(h, w, kernel, stride, padding, ceil_mode, mode, count_include_pad, generate=True)


# --------------------------------------------------------------------------- generated solutions of quiz sizes
#
# A kept geometry is solved by a function written for it once (dlcore.codegen): the rows unpacked into local
# variables, each window's maximum or mean one expression over its cells in row-major order, the texts formatted
# by one nums() call and the steps written as f-strings. That is more than twice as fast as the index tables
# above (2.0 against 4.5 us for the bench's 5 x 5 map). The source holds only numbers derived from the sizes
# (cell indices, divisors) and this module's own texts, never a value of the map.

# (input rows) -> (answer, steps)
_SolutionFn = Callable[[list[list[float]]], tuple[list[list[float]], tuple[Step, ...]]]
# A solution is generated for a geometry whose window cells + 8 x windows are at most this (the source and its
# compile time grow with both: 0.3 ms for the bench example, about 5 ms at the bound, e.g. 8 x 8, k3, s1, p1).
_GENERATED = 1024
_SOLUTION_NAMES = {"nums": nums, "all_finite": all_finite, "non_finite_error": non_finite_error}


def _max_lines(name: str, text: str, cells: list[int]) -> list[str]:
    """``name = max(x of cells)`` as max computes it, and ``text`` its text: the first maximum is kept (a later
    cell replaces it only when greater, so of 0.0 and -0.0 the first one stays), written as comparisons instead
    of a call. The text is that of the cell kept, so the maximum is never formatted again."""
    first, *rest = cells
    return [f"    {name} = x{first}; {text} = t{first}",
            *[f"    if x{k} > {name}: {name} = x{k}; {text} = t{k}" for k in rest]]


def _solution_source(h: int, w: int, mode: str, windows: list[list[int]], labels: list[str], divisors: list[int],
                     latex: list[str], w_out: int) -> str:
    """Source of ``solution(input) -> (answer, steps)``: what pool2d computes from the layout's windows, the same
    numbers in the same order, written out. ``windows`` are the row-major cell indices of each window (none
    empty), ``latex`` the %-templates of the window steps and of the pooled map (see _build_layout)."""
    used = sorted(set(chain.from_iterable(windows)))
    rows = {k // w for k in used}
    lines = ["def solution(input):",
             "    " + unpack([f"r{r}" if r in rows else "_" for r in range(h)], "input")]
    lines += ["    " + unpack([f"x{r * w + c}" for c in range(w)], f"r{r}") for r in sorted(rows)]
    values, texts = names("v", len(windows)), names("u", len(windows))
    if mode == "max":
        lines.append("    " + unpack([f"t{k}" for k in used], f"nums([{', '.join([f'x{k}' for k in used])}])"))
        for name, text, window in zip(values, texts, windows, strict=True):
            lines += _max_lines(name, text, window)
    else:
        for name, window, divisor in zip(values, windows, divisors, strict=True):
            # sum() of the window, as the tables path adds (from 0, left to right), then the division
            lines.append(f"    {name} = sum(({''.join([f'x{k}, ' for k in window])})) / {divisor}")
        lines += [f"    if not all_finite([{', '.join(values)}]):",  # require_finite, inlined
                  '        raise non_finite_error("pool2d")',
                  "    " + unpack([*[f"t{k}" for k in used], *texts],
                                    f"nums([{', '.join([*[f'x{k}' for k in used], *values])}])")]
        terms = sorted(set(chain.from_iterable(window[1:] for window in windows)))  # after the first of a sum
        lines += [f"    p{k} = t{k} if x{k} >= 0 else f'({{t{k}}})'" for k in terms]  # (-1.5 + (-3)) / 2
    term = "t" if mode == "max" else "p"
    steps = [step_source(label, fstring(template, [f"t{window[0]}", *[f"{term}{k}" for k in window[1:]], text]), value)
             for label, template, window, value, text in zip(labels, latex, windows, values, texts, strict=False)]
    lines.append(f"    out = {rows_display(values, w_out)}")
    steps.append(step_source(labels[-1], fstring(latex[-1], texts), "out"))
    lines.append(f"    return out, ({', '.join(steps)},)")
    return "\n".join(lines) + "\n"


def _pool_windows(input: list[list[float]], kernel: int, stride: int, padding: int,  # noqa: A002
                  ceil_mode: bool) -> tuple[list[tuple[int, int, int]], list[tuple[int, int, int]]]:
    """The row and column windows of a pooled map (``window_bounds``), after checking its size."""
    h_out = pool_output_size(len(input), kernel, stride, padding, ceil_mode, axis="height")
    w_out = pool_output_size(len(input[0]), kernel, stride, padding, ceil_mode, axis="width")
    check_cells(h_out, w_out)
    return (window_bounds(len(input), h_out, kernel, stride, padding), window_bounds(len(input[0]), w_out, kernel, stride, padding))


def _pool_rows(input: list[list[float]], rows: list[tuple[int, int, int]], cols: list[tuple[int, int, int]],  # noqa: A002
               mode: str, count_include_pad: bool) -> list[list[float]]:
    """out[i][j] = max, or sum / divisor, of the window rows[i] x cols[j] (the answer core the mistakes share)."""
    out = []
    for h0, h1, ph in rows:
        band = input[h0:h1]
        if mode == "max":
            out.append([max([max(row[w0:w1]) for row in band]) for w0, w1, _ in cols])
        elif count_include_pad:
            out.append([sum([v for row in band for v in row[w0:w1]]) / (ph * pw) for w0, w1, pw in cols])
        else:
            out.append([sum([v for row in band for v in row[w0:w1]]) / ((h1 - h0) * (w1 - w0)) for w0, w1, _ in cols])
    return out


def _pool_answer(p: dict[str, Any], mode: str, stride: int, ceil_mode: bool, count_include_pad: bool) -> list[list[float]]:
    rows, cols = _pool_windows(p["input"], p["kernel"], stride, p["padding"], ceil_mode)
    return _pool_rows(p["input"], rows, cols, mode, count_include_pad)


@mistake("pool2d", "floor_vs_ceil", "Rounded the output size the other way (floor vs ceil mode).")
def _pool_other_rounding(**p: Any) -> list[list[float]]:
    s = p["kernel"] if p["stride"] is None else p["stride"]
    return _pool_answer(p, p["mode"], s, not p["ceil_mode"], p["count_include_pad"])


@mistake("pool2d", "wrong_mode", "Took the average instead of the maximum, or the other way round.")
def _pool_wrong_mode(**p: Any) -> list[list[float]]:
    s = p["kernel"] if p["stride"] is None else p["stride"]
    return _pool_answer(p, "avg" if p["mode"] == "max" else "max", s, p["ceil_mode"], p["count_include_pad"])


@mistake("pool2d", "stride_one", "Slid the window one pixel at a time instead of by the stride.")
def _pool_stride_one(**p: Any) -> list[list[float]]:
    return _pool_answer(p, p["mode"], 1, p["ceil_mode"], p["count_include_pad"])


@mistake("pool2d", "divisor_without_padding", "Averaged over the real pixels only (or over the padding too).")
def _pool_other_divisor(**p: Any) -> list[list[float]]:
    s = p["kernel"] if p["stride"] is None else p["stride"]
    return _pool_answer(p, p["mode"], s, p["ceil_mode"], not p["count_include_pad"])


def _switches(reference: list[list[float]], pooled: list[list[float]], kernel: int, stride: int) -> list[tuple[int, int, int, int]]:
    """Per pooled cell (i, j): the position (r, c) of the first maximum (row-major) of its window in ``reference``."""
    h_out = pool_output_size(len(reference), kernel, stride, axis="height")
    w_out = pool_output_size(len(reference[0]), kernel, stride, axis="width")
    if len(pooled) != h_out or len(pooled[0]) != w_out:
        raise SolverError(
            f"Parameter 'pooled' must be {h_out} x {w_out}, the pooled size of the {len(reference)} x "
            f"{len(reference[0])} reference map, got {len(pooled)} x {len(pooled[0])}."
        )
    out = []
    for i in range(h_out):
        band = reference[i * stride: i * stride + kernel]
        for j in range(w_out):
            c0 = j * stride
            maxima = [max(row[c0:c0 + kernel]) for row in band]
            best = max(maxima)
            dr = maxima.index(best)
            out.append((i, j, i * stride + dr, band[dr].index(best, c0)))
    return out


def _unpool_stride(kernel: int, stride: int | None) -> int:
    s = kernel if stride is None else stride
    if s < kernel:
        raise SolverError(f"Max unpooling needs non-overlapping windows: the stride ({s}) must be at least the kernel ({kernel}).")
    return s


_UNPOOL_PARAMS = {
    "pooled": Param("matrix", help="values to unpool (the pooled map, possibly processed)"),
    "reference": Param("matrix", help="the map before max pooling, where the switch positions come from"),
    "kernel": Param("int", min=1, max=MAX_SPAN),
    "stride": Param("int", None, min=1, max=MAX_SPAN, help="defaults to the kernel size"),
}


@solver("max_unpool2d", params=_UNPOOL_PARAMS)
def max_unpool2d(*, pooled: list[list[float]], reference: list[list[float]], kernel: int, stride: int | None) -> Solution:
    """Max unpooling: out = zeros like the pre-pool map; out[argmax of window (i, j)] = pooled[i][j].

    >>> max_unpool2d(pooled=[[9.0]], reference=[[1.0, 2.0], [3.0, 0.0]], kernel=2, stride=None).answer
    [[0.0, 0.0], [9.0, 0.0]]
    """
    h, w = len(reference), len(reference[0])
    geometry = (h, w, len(pooled), len(pooled[0]), kernel, stride)
    layout = _unpool_layout(*geometry) if h * w <= _CACHED_INPUT_CELLS else _build_unpool_layout(*geometry)
    switches = _first_maxima(layout.windows, list(chain.from_iterable(reference)))
    places: list[Any] = [[p // w, p % w] for p in switches]  # (r, c) of each switch, then the answer: the step values
    y = list(chain.from_iterable(pooled))
    y_tex = nums(y)
    out, out_tex = [0.0] * (h * w), ["0"] * (h * w)
    for p, v, t in zip(switches, y, y_tex):  # noqa: B905 (one switch per pooled number)
        out[p] = v
        out_tex[p] = t
    texts = (layout.template % layout.arguments([*chain.from_iterable(places), *y_tex, *out_tex])).split(_SEP)
    answer = [out[r:r + w] for r in range(0, h * w, w)]
    # Every number is an input or 0.0, so finite: nothing for require_finite.
    places.append(answer)
    steps = tuple(map(tuple.__new__, repeat(Step), zip(texts[0::2], texts[1::2], places)))  # noqa: B905 (equal lengths)
    return tuple.__new__(Solution, (answer, steps, True))


class _UnpoolLayout(NamedTuple):
    """The geometry-only part of a max unpooling.

    ``windows`` are the pooling windows as (row-major index list, getter of their numbers) in the flattened
    reference. ``template % arguments(places + y_tex + out_tex)``, with ``places`` the flattened (r, c) of the
    switches, is label, LaTeX, label, LaTeX, ... of every step, joined by ``_SEP``.
    """

    windows: tuple[tuple[list[int], Callable[[list[float]], Sequence[float]]], ...]
    template: str
    arguments: Callable[[list[Any]], tuple[Any, ...]]


def _build_unpool_layout(h: int, w: int, h_pooled: int, w_pooled: int, kernel: int, stride: int | None) -> _UnpoolLayout:
    """Windows and step templates of a max unpooling (raises for a stride below the kernel or a wrong pooled size)."""
    s = _unpool_stride(kernel, stride)
    h_out = pool_output_size(h, kernel, s, axis="height")
    w_out = pool_output_size(w, kernel, s, axis="width")
    if h_pooled != h_out or w_pooled != w_out:
        raise SolverError(
            f"Parameter 'pooled' must be {h_out} x {w_out}, the pooled size of the {h} x "
            f"{w} reference map, got {h_pooled} x {w_pooled}."
        )
    windows: list[tuple[list[int], Callable[[list[float]], Sequence[float]]]] = []
    texts: list[str] = []
    arguments: list[int] = []
    n = h_out * w_out
    for i in range(h_out):
        for j in range(w_out):
            window = [r * w + c for r in range(i * s, i * s + kernel) for c in range(j * s, j * s + kernel)]
            windows.append((window, _getter(window)))
            k = len(texts) // 2
            texts += [f"Window ({i}, {j}): max of the pre-pool map at (%s, %s)", "out_{%s,%s} = %s"]
            arguments += [2 * k, 2 * k + 1, 2 * k, 2 * k + 1, 2 * n + k]
    texts += ["Unpooled map (zeros elsewhere)", bmatrix_template(h, w)]
    arguments += range(3 * n, 3 * n + h * w)
    return _UnpoolLayout(tuple(windows), _SEP.join(texts), itemgetter(*arguments))


_unpool_layout = lru_cache(maxsize=128)(_build_unpool_layout)


def _first_maxima(windows: Sequence[tuple[list[int], Callable[[list[float]], Sequence[float]]]], flat: list[float]) -> list[int]:
    """Per window: the index in ``flat`` of its first maximum (row-major), the switch torch records."""
    out = []
    for window, numbers in windows:
        values = numbers(flat)
        out.append(window[values.index(max(values))])
    return out


def _unpool_at(p: dict[str, Any], pick: str) -> list[list[float]]:
    y, ref, kernel = p["pooled"], p["reference"], p["kernel"]
    s = _unpool_stride(kernel, p["stride"])
    out = [[0.0] * len(ref[0]) for _ in ref]
    for i, j, _, _ in _switches(ref, y, kernel, s):
        r0, c0 = i * s, j * s
        r1, c1 = min(r0 + kernel, len(ref)) - 1, min(c0 + kernel, len(ref[0])) - 1
        if pick == "top_left":
            out[r0][c0] = y[i][j]
        elif pick == "bottom_right":
            out[r1][c1] = y[i][j]
        else:
            for row in out[r0:r1 + 1]:
                row[c0:c1 + 1] = [y[i][j]] * (c1 + 1 - c0)
    return out


@mistake("max_unpool2d", "top_left_position", "Put each value at the top-left corner of its window.")
def _unpool_top_left(**p: Any) -> list[list[float]]:
    return _unpool_at(p, "top_left")


@mistake("max_unpool2d", "bottom_right_position", "Put each value at the bottom-right corner of its window.")
def _unpool_bottom_right(**p: Any) -> list[list[float]]:
    return _unpool_at(p, "bottom_right")


@mistake("max_unpool2d", "copied_to_whole_window", "Copied each value into its whole window (nearest-neighbour upsampling).")
def _unpool_copy(**p: Any) -> list[list[float]]:
    return _unpool_at(p, "whole")
