"""Multi-channel 2-D convolution with several filters.

The arithmetic is plain Python floats in a fixed order, so every number is exactly what the
step-by-step formula gives: S[f][c] at an output cell is ``sum`` (from 0, left to right) of
window * kernel over the kernel cells row-major, and out[f] = (S[f][0] + S[f][1] + ...) + b[f].

What depends only on the sizes, stride and padding (which input cells each window reads, the labels, the
LaTeX template of the steps and where each number goes in it) is a ``_Plan``, kept for quiz-sized geometries.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from itertools import chain, cycle, repeat
from operator import add, itemgetter, mul
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from dlcore.conv_ops import (
    MAX_SPAN,
    as_array,
    bmatrix_template,
    check_cells,
    to_rows,
)
from dlcore.errors import SolverError
from dlcore.finite import require_finite
from dlcore.fmt import nums
from dlcore.params import MAX_ELEMENTS, Param
from dlcore.registry import mistake, solver
from dlcore.shapes import conv_output_size
from dlcore.types import Solution, Step

# --------------------------------------------------------------------------- input parsing


def _flat_floats(name: str, value: Any, ndim: int) -> tuple[list[float], tuple[int, ...]]:
    """``as_array(name, value, (ndim,))`` as a flat row-major list of floats and its shape.

    The same values and the same errors as ``as_array``, in fewer steps for the common input: integers are
    always finite, and a finite sum of floats proves every one finite (x - x is 0.0 only for finite x).
    """
    try:
        raw = np.array(value)
    except (ValueError, TypeError):  # ragged nesting: as_array words the error
        raw = _NO_ARRAY
    if raw.ndim == ndim and 0 < raw.size <= MAX_ELEMENTS:
        kind = raw.dtype.kind
        if kind in "iu":
            return raw.astype(np.float64).ravel().tolist(), raw.shape
        if kind == "f":
            flat: list[float] = raw.ravel().tolist()
            total = sum(flat)
            if total - total == 0.0 or all(map(math.isfinite, flat)):
                return flat, raw.shape
    arr = as_array(name, value, (ndim,))  # raises the error
    return arr.ravel().tolist(), arr.shape


_NO_ARRAY = np.array([])


# --------------------------------------------------------------------------- geometry: index tables and templates

Gather = Callable[[Sequence[Any]], tuple[Any, ...]]
Indices = npt.NDArray[np.intp]
_SMALL = 8192  # plans of geometries up to this size (quiz sizes) are kept (about 1 MB at most each)
_SEP = "\x00"


def _getter(index: list[int]) -> Gather:
    """``itemgetter(*index)``, returning a tuple even for a single index."""
    if len(index) == 1:
        i = index[0]
        return lambda x: (x[i],)
    return itemgetter(*index)


class _Plan(NamedTuple):
    """Everything conv2d_multi needs that depends only on the sizes, stride and padding.

    ``windows``, ``windows_per_filter`` and ``padded`` index the flat input followed by one 0.0 (the padding).
    The numbers of the steps are S (output cell, filter, channel), the outputs (output cell, filter), the biases.
    """

    h_out: int
    w_out: int
    windows: Gather  # the window of every output cell and channel: (output cell, channel, kernel cell) order
    windows_per_filter: Gather | None  # the same once per filter: (output cell, filter, channel, kernel cell)
    padded: Gather  # the zero-padded input, channel after channel, row-major
    labels: tuple[str, ...]  # of the per-filter steps: each channel's S map, then the sum
    template: str  # all their LaTeX joined by _SEP: a bmatrix per S map, then S_{f,0} + ... + b = bmatrix
    texts: Gather  # the numbers' texts in template order
    cells: Gather  # the numbers of the maps the steps show, in step order
    rows: tuple[slice, ...]  # of those cells, one per map row
    maps: tuple[slice, ...]  # of those rows, one per map
    shape_latex: str  # of the last step, F x H_out x W_out


def _window_tables(c: int, h: int, w: int, kh: int, kw: int, stride: int, padding: int,
                   h_out: int, w_out: int) -> tuple[Indices, Indices]:
    """Indices into x + [0.0] of the zero-padded input (c, hp, wp), and of every window cell as an array
    (output row, output column, channel, kernel row, kernel column)."""
    zero = c * h * w  # x[zero] is the 0.0 after the input
    padded = np.full((c, h + 2 * padding, w + 2 * padding), zero, dtype=np.intp)
    padded[:, padding:padding + h, padding:padding + w] = np.arange(zero).reshape(c, h, w)
    rows = (np.arange(h_out) * stride)[:, None, None, None, None] + np.arange(kh)[:, None]
    columns = (np.arange(w_out) * stride)[:, None, None, None] + np.arange(kw)
    return padded, padded[np.arange(c)[:, None, None], rows, columns]


def _step_tables(n_f: int, n_c: int, n: int) -> tuple[list[int], list[int]]:
    """Where the numbers of the per-filter steps are (see _Plan): in template order, and the map cells only."""
    s_maps = np.arange(n * n_f * n_c).reshape(n, n_f, n_c).transpose(1, 2, 0).reshape(n_f, n_c * n)
    out_maps = n * n_f * n_c + np.arange(n * n_f).reshape(n, n_f).T
    biases = n * n_f * (n_c + 1) + np.arange(n_f)[:, None]
    return (np.concatenate((s_maps, biases, out_maps), axis=1).ravel().tolist(),
            np.concatenate((s_maps, out_maps), axis=1).ravel().tolist())


def _step_latex(n_f: int, n_c: int, h_out: int, w_out: int) -> tuple[tuple[str, ...], str]:
    """Labels of the per-filter steps and the %-template of all their LaTeX (see _Plan)."""
    mat = bmatrix_template(h_out, w_out)
    labels, parts = [], []
    for f in range(n_f):
        labels += [f"Filter {f}, channel {c}: cross-correlation" for c in range(n_c)]
        labels.append(f"Filter {f}: sum over channels + bias")
        parts += [mat] * n_c
        parts.append(" + ".join([f"S_{{{f},{c}}}" for c in range(n_c)]) + " + %s = " + mat)
    return tuple(labels), _SEP.join(parts)


def _build_plan(n_f: int, c: int, h: int, w: int, kh: int, kw: int, stride: int, padding: int,
                small: bool = False) -> _Plan:
    h_out = conv_output_size(h, kh, stride, padding, axis="height")
    w_out = conv_output_size(w, kw, stride, padding, axis="width")
    check_cells(h_out, w_out)
    padded, windows = _window_tables(c, h, w, kh, kw, stride, padding, h_out, w_out)
    n_cells, n = h_out * w_out, c * kh * kw
    per_filter = None
    if small:  # a big geometry repeats the windows lazily instead (see _xcorr)
        per_filter = _getter(np.broadcast_to(windows.reshape(n_cells, 1, n), (n_cells, n_f, n)).ravel().tolist())
    texts, cells = _step_tables(n_f, c, n_cells)
    rows = tuple(slice(s, s + w_out) for s in range(0, len(cells), w_out))
    maps = tuple(slice(s, s + h_out) for s in range(0, len(rows), h_out))
    return _Plan(h_out, w_out, _getter(windows.ravel().tolist()), per_filter, _getter(padded.ravel().tolist()),
                 *_step_latex(n_f, c, h_out, w_out), _getter(texts), _getter(cells), rows, maps,
                 rf"{n_f} \times {h_out} \times {w_out}")


@lru_cache(maxsize=32)
def _small_plan(n_f: int, c: int, h: int, w: int, kh: int, kw: int, stride: int, padding: int) -> _Plan:
    return _build_plan(n_f, c, h, w, kh, kw, stride, padding, small=True)


def _plan(n_f: int, c: int, h: int, w: int, kh: int, kw: int, stride: int, padding: int) -> _Plan:
    """The geometry's plan; raises SolverError when the kernel does not fit or the output is too big."""
    if n_f * c * kh * kw * (h + 2 * padding) * (w + 2 * padding) <= _SMALL:  # bounds the tables' size
        return _small_plan(n_f, c, h, w, kh, kw, stride, padding)
    return _build_plan(n_f, c, h, w, kh, kw, stride, padding)


# --------------------------------------------------------------------------- arithmetic


class _MultiCore(NamedTuple):
    """What conv2d_multi and its mistakes share within one call."""

    x: list[float]  # the input, flat (channel, row, column), then one 0.0 for the padding
    c: int
    h: int
    w: int
    k: list[float]  # the filters, flat (filter, channel, row, column)
    kh: int
    kw: int
    b: list[float]
    plan: _Plan
    raw: list[float]  # S[f][c] in (output cell, filter, channel) order
    out: list[float]  # the output, (output cell, filter) order


def _xcorr(plan: _Plan, x: list[float], k: list[float], n_f: int, kk: int) -> list[float]:
    """S[f][c] = sum of window * kernel at every output cell, in (output cell, filter, channel) order.

    The windows, repeated once per filter, line up with the filters repeated once per output cell; each
    run of ``kk`` products is one window * kernel sum. A big geometry repeats the windows lazily, so that
    its memory stays that of the windows.
    """
    if plan.windows_per_filter is not None:
        windows: Iterable[float] = plan.windows_per_filter(x)
        kernels: Iterable[float] = k * (plan.h_out * plan.w_out)
    else:
        per_cell = zip(*[iter(plan.windows(x))] * (len(k) // n_f), strict=True)
        windows, kernels = chain.from_iterable(chain.from_iterable(map(repeat, per_cell, repeat(n_f)))), cycle(k)
    return list(map(sum, zip(*[map(mul, windows, kernels)] * kk, strict=True)))


def _channel_sums(raw: list[float], n_c: int, b: list[float] | None) -> list[float]:
    """(S[f][0] + S[f][1] + ...) + b[f] at every output cell, in (output cell, filter) order; no bias for None."""
    sums: Iterable[float] = raw[::n_c]
    for c in range(1, n_c):
        sums = map(add, sums, raw[c::n_c])
    if b is not None:
        sums = map(add, sums, b * (len(raw) // n_c // len(b)))
    return list(sums)


def _filter_maps(flat: list[float], n_f: int, w_out: int) -> list[list[list[float]]]:
    """One map (rows of width w_out) per filter from (output cell, filter) order."""
    return [to_rows(flat[f::n_f], w_out) for f in range(n_f)]


def _multi_core(p: dict[str, Any], padding: int | None = None) -> _MultiCore:
    """Validate as ``as_array`` does (same errors), find the geometry's plan and compute S and the output."""
    x, (c, h, w) = _flat_floats("input", p["input"], 3)
    k, (n_f, c_k, kh, kw) = _flat_floats("filters", p["filters"], 4)
    if c_k != c:
        raise SolverError(f"Each filter must have as many channels as the input ({c}), not {c_k}.")
    b = [0.0] * n_f if p["bias"] is None else list(map(float, p["bias"]))
    if len(b) != n_f:
        raise SolverError(f"Parameter 'bias' needs one value per filter ({n_f}), got {len(b)}.")
    plan = _plan(n_f, c, h, w, kh, kw, p["stride"], p["padding"] if padding is None else padding)
    x.append(0.0)
    raw = _xcorr(plan, x, k, n_f, kh * kw)
    return tuple.__new__(_MultiCore, (x, c, h, w, k, kh, kw, b, plan, raw, _channel_sums(raw, c, b)))


def _prepare_multi(p: dict[str, Any]) -> dict[str, Any]:
    """Validate, pad and cross-correlate once for the solver and its mistakes (nothing added on an error)."""
    try:
        return {**p, "core": _multi_core(p)}
    except SolverError:
        return p


def _multi_core_of(p: dict[str, Any]) -> _MultiCore:
    core: _MultiCore | None = p.get("core")
    return core or _multi_core(p)


# --------------------------------------------------------------------------- solver

_MULTI_PARAMS = {
    "input": Param("json", help="C x H x W nested lists"),
    "filters": Param("json", help="F x C x k x k nested lists"),
    "bias": Param("vector", None, help="one per filter; zeros by default"),
    "stride": Param("int", 1, min=1, max=MAX_SPAN),
    "padding": Param("int", 0, min=0, max=MAX_SPAN),
}


@solver("conv2d_multi", params=_MULTI_PARAMS, prepare=_prepare_multi)
def conv2d_multi(*, input: Any, filters: Any, bias: list[float] | None, stride: int, padding: int,  # noqa: A002
                 core: _MultiCore | None = None) -> Solution:
    """Multi-channel Conv2d: out[f] = sum_c xcorr(x_pad[c], W[f][c]) + b[f], shape F x H_out x W_out.

    >>> conv2d_multi(input=[[[1, 2], [3, 4]], [[1, 1], [1, 1]]], filters=[[[[1]], [[10]]]],
    ...              bias=[0.5], stride=1, padding=0).answer
    [[[11.5, 12.5], [13.5, 14.5]]]
    """
    c = core or _multi_core({"input": input, "filters": filters, "bias": bias, "stride": stride, "padding": padding})
    x, n_c, h, w, _, _, _, b, plan, raw, out = c
    # A non-finite S reaches the output it is summed into: checking the output checks every computed number.
    require_finite("conv2d_multi", out)
    numbers = [*raw, *out, *b]
    latex = (plan.template % plan.texts(nums(numbers))).split(_SEP)
    cells = list(plan.cells(numbers))
    rows = list(map(cells.__getitem__, plan.rows))
    maps = list(map(rows.__getitem__, plan.maps))  # per filter, each channel's S map, then the output
    steps = map(tuple.__new__, repeat(Step), zip(plan.labels, latex, maps, strict=True))
    answer = maps[n_c::n_c + 1]
    shape = tuple.__new__(Step, ("Output shape", plan.shape_latex, [len(answer), plan.h_out, plan.w_out]))
    if not padding:
        return tuple.__new__(Solution, (answer, (*steps, shape), True))
    hp, wp = h + 2 * padding, w + 2 * padding
    x_cells = list(plan.padded(x))
    x_pad = [to_rows(x_cells[s:s + hp * wp], wp) for s in range(0, len(x_cells), hp * wp)]
    padded = Step("Zero-padded input", rf"{n_c} \times {hp} \times {wp}", x_pad)
    return tuple.__new__(Solution, (answer, (padded, *steps, shape), True))


# --------------------------------------------------------------------------- mistakes


@mistake("conv2d_multi", "flipped_kernel", "Flipped every kernel (true convolution).")
def _multi_flipped(**p: Any) -> list[list[list[float]]]:
    c = _multi_core_of(p)  # rotating a kernel by 180 degrees reverses its flat list
    kk, n_f = c.kh * c.kw, len(c.b)
    flipped = [v for s in range(0, len(c.k), kk) for v in c.k[s:s + kk][::-1]]
    return _filter_maps(_channel_sums(_xcorr(c.plan, c.x, flipped, n_f, kk), c.c, c.b), n_f, c.plan.w_out)


@mistake("conv2d_multi", "forgot_bias", "Forgot the bias of each filter.")
def _multi_no_bias(**p: Any) -> list[list[list[float]]]:
    c = _multi_core_of(p)
    return _filter_maps(_channel_sums(c.raw, c.c, None), len(c.b), c.plan.w_out)


@mistake("conv2d_multi", "first_channel_only", "Used only the first input channel instead of summing over all.")
def _multi_first_channel(**p: Any) -> list[list[list[float]]]:
    c = _multi_core_of(p)
    return _filter_maps(_channel_sums(c.raw[::c.c], 1, c.b), len(c.b), c.plan.w_out)


@mistake("conv2d_multi", "ignored_padding", "Forgot the zero padding.")
def _multi_no_pad(**p: Any) -> list[list[list[float]]]:
    c = _multi_core_of(p) if not p["padding"] else _multi_core(p, 0)
    return _filter_maps(c.out, len(c.b), c.plan.w_out)
