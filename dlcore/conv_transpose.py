"""Transposed convolution in 1-D and 2-D (PyTorch conventions: ``padding`` is cropped from each end)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import chain, repeat
from operator import itemgetter
from typing import Any, NamedTuple

import numpy as np

from dlcore.conv_ops import (
    MAX_SPAN,
    Array,
    as_array,
    as_floats,
    bmatrix_template,
    check_cells,
    conv_transpose_2d,
    regular_leaves,
    xcorr1d,
    xcorr2d,
)
from dlcore.errors import SolverError
from dlcore.finite import require_finite
from dlcore.fmt import nums
from dlcore.params import MAX_ELEMENTS, Param
from dlcore.registry import mistake, solver
from dlcore.shapes import conv_transpose_output_size
from dlcore.types import Solution, Step

# --------------------------------------------------------------------------- transposed convolution


_SEP = "\x00"  # between the LaTeX of consecutive steps in one filled template (numbers never contain it)
# Plans (index tables and templates of one geometry) are kept for geometries up to this many placed cells, about
# 400 KB each at most; bigger ones (never a quiz question) are built for each call, as the steps are.
_KEPT_PLAN_CELLS = 2048


def _template(texts: list[str]) -> list[str | None]:
    """The %-templates ``texts`` (each ``%s`` a slot), joined by _SEP, as literal pieces with a None between
    consecutive ones for each slot: what ``_filled`` takes."""
    pieces = _SEP.join(texts).split("%s")
    out: list[str | None] = [None] * (2 * len(pieces) - 1)
    out[::2] = pieces
    return out


def _filled(template: list[str | None], args: tuple[str, ...]) -> list[str]:
    """``[t % args_of_t for t in texts]`` of the texts ``_template`` joined: one str.join (``%`` would copy the
    literal LaTeX character by character)."""
    out = template[:]
    out[1::2] = args
    return "".join(out).split(_SEP)  # type: ignore[arg-type]  # every None is replaced


def _getter(indices: list[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """``lambda xs: tuple(xs[i] for i in indices)`` as one C-level itemgetter (a tuple even for one index)."""
    if len(indices) == 1:
        one = indices[0]
        return lambda xs: (xs[one],)
    return itemgetter(*indices)


def _layers(sources: list[list[int]], missing: int) -> tuple[Callable[[Sequence[Any]], tuple[Any, ...]], ...]:
    """Gather tables that add up the contributions to each output cell in their order.

    ``sources[o]`` lists the indices (into a list of values) added into cell o, in the order the loop of the
    formula adds them; layer d takes each cell's d-th contribution, or ``missing`` (the index of an appended
    0.0) when the cell has fewer.
    """
    depth = max(map(len, sources))
    return tuple(_getter([s[d] if d < len(s) else missing for s in sources]) for d in range(depth))


def _added_up(cells: list[float], layers: tuple[Callable[[Sequence[Any]], tuple[Any, ...]], ...],
              bias: float = 0.0) -> list[float]:
    """Per output cell 0.0 + c_0 + c_1 + ... + bias, the contributions c_d gathered by ``layers`` from ``cells``
    (which end with the 0.0 for the missing ones): the same additions in the same order as adding each placed
    copy into a map of zeros. A sum that starts from 0.0 is never -0.0, so the extra 0.0 terms and a zero bias
    change nothing (and a zero bias is not added).
    """
    if len(layers) == 1:
        acc = [0.0 + c for c in layers[0](cells)]
    else:  # the first two layers in one pass
        acc = [0.0 + a + b for a, b in zip(layers[0](cells), layers[1](cells), strict=True)]
        for layer in layers[2:]:
            acc = [a + c for a, c in zip(acc, layer(cells), strict=True)]
    if bias:
        acc = [a + bias for a in acc]
    return acc


class _Plan1d(NamedTuple):
    """What conv_transpose1d's steps need for one geometry (n, k, stride, padding), built once."""

    n_out: int  # the output length
    labels: tuple[str, ...]
    copies: tuple[Callable[[Sequence[Any]], tuple[Any, ...]], ...]  # each placed copy, from products + [0.0]
    layers: tuple[Callable[[Sequence[Any]], tuple[Any, ...]], ...]  # the uncropped sum, from products + [0.0]
    latex: list[str | None]  # every step's LaTeX as a _template
    slots: Callable[[Sequence[Any]], tuple[Any, ...]]  # its arguments, from the texts of x + f + products + full


@lru_cache(maxsize=128)
def _plan1d(n: int, k: int, stride: int, padding: int) -> _Plan1d:
    """The plan of n inputs and a kernel of k (raises when the output would be empty or too long)."""
    n_out = conv_transpose_output_size(n, k, stride, padding, axis="length")
    check_cells(1, n_out)
    length = (n - 1) * stride + k
    at_f, at_p, at_full = n, n + k, n + k + n * k  # where the texts of f, the products and the sum start
    f_vec = "[" + ", ".join(["%s"] * k) + "]"
    labels, latex, slots, copies = [], [], [], []
    sources: list[list[int]] = [[] for _ in range(length)]
    for i in range(n):
        start = i * stride
        labels.append(f"x[{i}] * f placed at {start}")
        cells = ["0"] * length
        cells[start:start + k] = ["%s"] * k
        latex.append(rf"%s \cdot {f_vec} \to [{', '.join(cells)}]")
        slots += [i, *range(at_f, at_f + k), *range(at_p + i * k, at_p + i * k + k)]
        placed = [n * k] * length  # index n*k is the appended 0.0
        placed[start:start + k] = range(i * k, i * k + k)
        copies.append(_getter(placed))
        for j in range(k):
            sources[start + j].append(i * k + j)
    labels.append("Sum of the placed copies (uncropped)")
    latex.append("[" + ", ".join(["%s"] * length) + "]")
    slots += range(at_full, at_full + length)
    if padding:
        labels.append(f"Crop {padding} from each end")
        latex.append("[" + ", ".join(["%s"] * n_out) + "]")
        slots += range(at_full + padding, at_full + padding + n_out)
    return _Plan1d(n_out, tuple(labels), tuple(copies), _layers(sources, n * k), _template(latex), _getter(slots))


@solver(
    "conv_transpose1d",
    params={
        "x": Param("vector"),
        "f": Param("vector"),
        "stride": Param("int", 1, min=1, max=MAX_SPAN),
        "padding": Param("int", 0, min=0, max=MAX_SPAN, help="cropped from each end of the output"),
    },
)
def conv_transpose1d(*, x: list[float], f: list[float], stride: int, padding: int) -> Solution:
    """1-D transposed convolution: y[i*s + k] += x_i * f_k, length (n - 1)s - 2p + k, then crop p from each end.

    >>> conv_transpose1d(x=[5.0, 4.0, 3.0, 2.0, 1.0], f=[1.0, 2.0, 3.0, 4.0], stride=2, padding=0).answer
    [5.0, 10.0, 19.0, 28.0, 15.0, 22.0, 11.0, 16.0, 7.0, 10.0, 3.0, 4.0]
    """
    n, k = len(x), len(f)
    plan = (_plan1d if n * ((n - 1) * stride + k) <= _KEPT_PLAN_CELLS else _plan1d.__wrapped__)(n, k, stride, padding)
    products = [x_i * f_k for x_i in x for f_k in f]
    cells = [*products, 0.0]  # the 0.0 fills what a placed copy does not cover
    full = _added_up(cells, plan.layers)
    require_finite("conv_transpose1d", full)  # every product is added into the sum: one non-finite shows there
    values = [list(copy(cells)) for copy in plan.copies]
    values.append(full)
    y = full[padding: padding + plan.n_out]
    if padding:
        values.append(y)
    latex = _filled(plan.latex, plan.slots(nums(x + f + products + full)))  # every number formatted once
    return Solution(y, tuple(map(tuple.__new__, repeat(Step), zip(plan.labels, latex, values, strict=True))), True)


def _tconv1d(x: list[float], f: list[float], stride: int, padding: int) -> list[float]:
    """y[i*s + k] += x_i * f_k, cropped by ``padding`` at each end, without steps (the core the mistakes share)."""
    n_out = conv_transpose_output_size(len(x), len(f), stride, padding, axis="length")
    check_cells(1, n_out)
    k = len(f)
    full = [0.0] * ((len(x) - 1) * stride + k)
    for i, x_i in enumerate(x):
        full[i * stride: i * stride + k] = [y_j + x_i * f_k for y_j, f_k in zip(full[i * stride: i * stride + k], f, strict=True)]
    return full[padding: padding + n_out]


@mistake("conv_transpose1d", "forgot_stride_insertion", "Placed the copies one step apart, ignoring the stride.")
def _tconv1d_no_stride(*, x: list[float], f: list[float], padding: int, **_: Any) -> list[float]:
    return _tconv1d(x, f, 1, padding)


@mistake("conv_transpose1d", "treated_as_convolution", "Computed an ordinary convolution (cross-correlation) instead.")
def _tconv1d_as_conv(*, x: list[float], f: list[float], stride: int, padding: int) -> Array:
    return xcorr1d(as_floats(x), as_floats(f), stride, padding)


@mistake("conv_transpose1d", "did_not_crop", "Forgot to crop the padding from the ends.")
def _tconv1d_no_crop(*, x: list[float], f: list[float], stride: int, **_: Any) -> list[float]:
    return _tconv1d(x, f, stride, 0)


@mistake("conv_transpose1d", "flipped_kernel", "Placed the kernel reversed.")
def _tconv1d_flipped(*, x: list[float], f: list[float], stride: int, padding: int) -> list[float]:
    return _tconv1d(x, f[::-1], stride, padding)


@mistake("conv_transpose1d", "reversed_input", "Walked the input from its last element (seed 002's option c).")
def _tconv1d_reversed(*, x: list[float], f: list[float], stride: int, padding: int) -> list[float]:
    return _tconv1d(x[::-1], f, stride, padding)


def _tconv2d_arrays(input: Any, kernel: Any, bias: float | list[float]) -> tuple[Array, Array, Array, bool]:  # noqa: A002
    """Return x (C_in, H, W), w (C_in, C_out, kh, kw), bias (C_out,), and whether the input was single-channel."""
    x = as_array("input", input, (2, 3))
    w = as_array("kernel", kernel, (2, 4))
    single = x.ndim == 2
    if single != (w.ndim == 2):
        raise SolverError("Give a 2-D input with a 2-D kernel, or a C_in x H x W input with a C_in x C_out x k x k kernel.")
    x, w = (x[None], w[None, None]) if single else (x, w)
    if w.shape[0] != x.shape[0]:
        raise SolverError(f"The kernel's first dimension ({w.shape[0]}) must equal the input channels ({x.shape[0]}).")
    b = np.broadcast_to(np.array(bias, dtype=np.float64), (w.shape[1],)) if np.ndim(bias) == 0 else as_floats(bias)
    if len(b) != w.shape[1]:
        raise SolverError(f"Parameter 'bias' needs one value per output channel ({w.shape[1]}), got {len(b)}.")
    return x, w, b, single


def _tconv2d_answer(out: Array, single: bool) -> dict[str, Any]:
    out = out[0] if single else out
    return {"output": out, "shape": list(out.shape)}


class _TConvInputs(NamedTuple):
    """conv_transpose2d's input (C_in x H x W, flat), kernels k[c][o] (flat), biases per output channel."""

    x: list[float]
    c_in: int
    h: int
    w: int
    k: list[list[list[float]]]
    kh: int
    kw: int
    b: list[float]
    single: bool


def _tconv2d_inputs(input: Any, kernel: Any, bias: float | list[float]) -> _TConvInputs:  # noqa: A002
    """Validate as ``_tconv2d_arrays`` does (same errors), without numpy for ordinary nested lists."""
    single = not (type(input) is list and input and type(input[0]) is list and input[0] and type(input[0][0]) is list)
    parsed = _tconv2d_lists(input, kernel, bias, single)
    if parsed is None:
        x_arr, w_arr, b_arr, single = _tconv2d_arrays(input, kernel, bias)  # raises the error, or handles the rare input
        parsed = x_arr.ravel().tolist() + w_arr.ravel().tolist(), list(x_arr.shape), list(w_arr.shape), b_arr.tolist()
    numbers, (c_in, h, w), (_, c_out, kh, kw), b = parsed
    x, w_flat = numbers[:c_in * h * w], numbers[c_in * h * w:]
    kk = kh * kw
    k = [[w_flat]] if c_in == c_out == 1 else [
        [w_flat[s:s + kk] for s in range(r, r + c_out * kk, kk)] for r in range(0, c_in * c_out * kk, c_out * kk)]
    return _TConvInputs(x, c_in, h, w, k, kh, kw, b, single)


def _tconv2d_lists(input: Any, kernel: Any, bias: float | list[float],  # noqa: A002
                   single: bool) -> tuple[list[float], list[int], list[int], list[float]] | None:
    """The numbers of input and kernel as floats (one list), their shapes C_in x H x W and C_in x C_out x kh x kw,
    and one bias per output channel, when all are well-formed plain lists; None for anything else."""
    if single:
        matrices = _two_matrices(input, kernel)
        if matrices is None:
            return None
        leaves, x_hw, k_hw = matrices
        x_shape, w_shape = [1, *x_hw], [1, 1, *k_hw]
    else:
        xs, ws = regular_leaves(input, 3), regular_leaves(kernel, 4)
        if xs is None or ws is None:
            return None
        (x, x_shape), (w, w_shape) = xs, ws
        leaves = x + w
    if math.prod(x_shape) > MAX_ELEMENTS or math.prod(w_shape) > MAX_ELEMENTS:
        return None
    c_out = w_shape[1]
    if w_shape[0] != x_shape[0]:
        return None
    if type(bias) is list and len(bias) == c_out:
        b = [float(v) for v in bias]
    elif isinstance(bias, (float, int)):
        b = [float(bias)] * c_out
    else:
        return None
    numbers = _finite_floats(leaves)
    return None if numbers is None else (numbers, x_shape, w_shape, b)


def _two_matrices(a: Any, b: Any) -> tuple[list[Any], list[int], list[int]] | None:
    """The entries of two matrices given as nested lists, a's then b's (row-major), and their shapes; None when
    either is not a regular non-empty one (as ``regular_leaves(m, 2)``), checked together."""
    if type(a) is not list or type(b) is not list or not a or not b:
        return None
    rows = a + b
    if set(map(type, rows)) != _LISTS:
        return None
    wa, wb = len(a[0]), len(b[0])
    if not wa or not wb or set(map(len, a)) != {wa} or set(map(len, b)) != {wb}:
        return None
    return list(chain.from_iterable(rows)), [len(a), wa], [len(b), wb]


def _finite_floats(items: list[Any]) -> list[float] | None:
    """``items`` as floats when they are plain finite ints and floats that numpy reads as int64 or float64, else
    None (the caller then lets numpy decide, so errors and corner cases stay exactly those of ``as_array``)."""
    kinds = set(map(type, items))
    if kinds != _ONLY_FLOAT:
        if not kinds <= _NUMBER_TYPES or not (-_INT64 <= min(items) and max(items) < _INT64):
            return None
        items = list(map(float, items))
    total = sum(items)
    if total - total != 0.0 and not all(map(math.isfinite, items)):  # the sum may overflow
        return None
    return items


_LISTS = frozenset({list})
_ONLY_FLOAT = frozenset({float})
_NUMBER_TYPES = frozenset({int, float})
_INT64 = 2 ** 63


_TCONV2D_PARAMS = {
    "input": Param("json", help="H x W, or C_in x H x W"),
    "kernel": Param("json", help="k x k, or C_in x C_out x k x k (torch layout)"),
    "bias": Param("number_or_vector", 0.0, help="a number, or one per output channel"),
    "stride": Param("int", 1, min=1, max=MAX_SPAN),
    "padding": Param("int", 0, min=0, max=MAX_SPAN, help="cropped from each side of the output"),
}


def _prepare_tconv2d(p: dict[str, Any]) -> dict[str, Any]:
    """Check the input, kernel and bias once for the solver and its mistakes (nothing added on an error)."""
    try:
        return {**p, "inputs": _tconv2d_inputs(p["input"], p["kernel"], p["bias"])}
    except SolverError:
        return p


class _Plan2d(NamedTuple):
    """What conv_transpose2d's steps need for one geometry, built once."""

    shape: tuple[int, ...]  # of the output
    labels: tuple[str, ...]
    layers: tuple[Callable[[Sequence[Any]], tuple[Any, ...]], ...]  # a channel's uncropped sum, from its blocks
    block_rows: tuple[slice, ...]  # the rows of every block in a channel's blocks
    blocks: tuple[slice, ...]  # each block's rows among them
    full_rows: tuple[slice, ...]  # the rows of the uncropped sum
    out_rows: tuple[slice, ...]  # the rows of the output in the uncropped sum
    latex: list[str | None]  # every step's LaTeX as a _template
    slots: Callable[[Sequence[Any]], tuple[Any, ...]]  # its arguments, from the texts of channel 0's blocks + sum
    # When no copies overlap, every cell of a sum without bias is one block value (or the 0.0 after them):
    # the same arguments from the texts of channel 0's blocks alone.
    block_slots: Callable[[Sequence[Any]], tuple[Any, ...]] | None


def _rows(start: int, stop: int, step: int, width: int) -> tuple[slice, ...]:
    return tuple(slice(at, at + width) for at in range(start, stop, step))


@lru_cache(maxsize=128)
def _plan2d(h: int, w: int, kh: int, kw: int, stride: int, padding: int, c_out: int, single: bool) -> _Plan2d:
    """The plan of an h x w input and kh x kw kernels (raises when the output would be empty or too big)."""
    h_out = conv_transpose_output_size(h, kh, stride, padding, axis="height")
    w_out = conv_transpose_output_size(w, kw, stride, padding, axis="width")
    check_cells(h_out, w_out)
    shape = (h_out, w_out) if single else (c_out, h_out, w_out)
    hf, wf = (h - 1) * stride + kh, (w - 1) * stride + kw
    kk, n_blocks = kh * kw, h * w * kh * kw
    labels = [f"x[{i}][{j}] * K added at ({i * stride}, {j * stride})" for i in range(h) for j in range(w)]
    latex = [bmatrix_template(kh, kw)] * (h * w)
    sources: list[list[int]] = [[] for _ in range(hf * wf)]
    for n in range(h * w):
        top = n // w * stride * wf + n % w * stride
        for m in range(kk):
            sources[top + m // kw * wf + m % kw].append(n * kk + m)
    labels.append("Sum of the placed copies + bias (uncropped)")
    latex.append(bmatrix_template(hf, wf))
    at_full = n_blocks + 1  # the texts of the sum follow the blocks and their 0.0
    slots = [*range(n_blocks), *range(at_full, at_full + hf * wf)]
    out_rows = _rows(padding * wf + padding, (padding + h_out) * wf, wf, w_out)
    if padding:
        labels.append(f"Crop {padding} from each side")
        latex.append(bmatrix_template(h_out, w_out))
        slots += [at_full + i for row in out_rows for i in range(row.start, row.stop)]
    labels.append("Output shape")
    latex.append(r" \times ".join(str(n) for n in shape))
    block_slots = None
    if max(map(len, sources)) == 1:
        block_of = [s[0] if s else n_blocks for s in sources]
        block_slots = _getter([s if s < at_full else block_of[s - at_full] for s in slots])
    return _Plan2d(shape, tuple(labels), _layers(sources, n_blocks), _rows(0, n_blocks, kw, kw),
                   _rows(0, h * w * kh, kh, kh), _rows(0, hf * wf, wf, wf), out_rows, _template(latex), _getter(slots),
                   block_slots)


def _cut(flat: list[Any], slices: tuple[slice, ...]) -> list[Any]:
    """``[flat[s] for s in slices]``."""
    return list(map(flat.__getitem__, slices))


@solver("conv_transpose2d", params=_TCONV2D_PARAMS, prepare=_prepare_tconv2d)
def conv_transpose2d(*, input: Any, kernel: Any, bias: float | list[float], stride: int, padding: int,  # noqa: A002
                     inputs: _TConvInputs | None = None) -> Solution:
    """2-D transposed convolution: y[:, i*s:i*s+k, j*s:j*s+k] += x[i][j] * K, H_out = (H - 1)s - 2p + k, crop p per side.

    >>> conv_transpose2d(input=[[1, 2]], kernel=[[1, 1], [1, 1]], bias=0.0, stride=2, padding=0).answer["shape"]
    [2, 4]
    """
    t = inputs or _tconv2d_inputs(input, kernel, bias)
    placed = t.h * t.w * t.kh * t.kw + ((t.h - 1) * stride + t.kh) * ((t.w - 1) * stride + t.kw)
    plan = (_plan2d if placed <= _KEPT_PLAN_CELLS else _plan2d.__wrapped__)(
        t.h, t.w, t.kh, t.kw, stride, padding, len(t.b), t.single)
    blocks = _tconv2d_blocks(t)
    full = [_added_up(blk, plan.layers, b_o) for blk, b_o in zip(blocks, t.b, strict=True)]
    require_finite("conv_transpose2d", *full)  # every block value is added into its sum: one non-finite shows there
    shape = list(plan.shape)
    if t.single:  # one channel: its rows, not a list of channels
        values = _cut(_cut(blocks[0], plan.block_rows), plan.blocks)
        full_rows = _cut(full[0], plan.full_rows)
        values += [full_rows, _cut(full[0], plan.out_rows), shape] if padding else [full_rows, shape]
    else:
        per_channel = [_cut(_cut(blk, plan.block_rows), plan.blocks) for blk in blocks]  # [o][n]: rows
        values = list(map(list, zip(*per_channel, strict=True)))  # [n][o]
        all_rows = [_cut(y_o, plan.full_rows) for y_o in full]
        values += [all_rows, [_cut(y_o, plan.out_rows) for y_o in full], shape] if padding else [all_rows, shape]
    if plan.block_slots is not None and not t.b[0]:
        args = plan.block_slots(nums(blocks[0]))  # every number formatted once
    else:
        args = plan.slots(nums(blocks[0] + full[0]))
    latex = _filled(plan.latex, args)
    steps = tuple(map(tuple.__new__, repeat(Step), zip(plan.labels, latex, values, strict=True)))
    return Solution({"output": values[-2], "shape": shape}, steps, True)


def _tconv2d_blocks(t: _TConvInputs) -> list[list[float]]:
    """Per output channel o, the blocks sum over c of x[c][i][j] * K[c][o] of every input cell, flat (cell-major),
    followed by a 0.0 (for the cells of the sum that a block does not cover)."""
    if t.c_in == 1:
        return [[0.0 + x_i * v for x_i in t.x for v in k_o] + [0.0] for k_o in t.k[0]]
    hw = t.h * t.w
    xs = [t.x[c:c + hw] for c in range(0, t.c_in * hw, hw)]
    blocks = []
    for o in range(len(t.b)):
        acc = [0.0] * (hw * t.kh * t.kw)
        for x_c, k_c in zip(xs, t.k, strict=True):
            acc = [a + p for a, p in zip(acc, [x_ci * v for x_ci in x_c for v in k_c[o]], strict=True)]
        blocks.append([*acc, 0.0])
    return blocks


def _tconv2d_of(p: dict[str, Any]) -> tuple[Array, Array, Array, bool]:
    """``_tconv2d_arrays`` of a mistake's parameters, from the inputs the solver's ``prepare`` checked when there."""
    t: _TConvInputs | None = p.get("inputs")
    if t is None:
        return _tconv2d_arrays(p["input"], p["kernel"], p["bias"])
    w = list(chain.from_iterable(chain.from_iterable(t.k)))
    return (as_floats(t.x).reshape(t.c_in, t.h, t.w), as_floats(w).reshape(t.c_in, len(t.b), t.kh, t.kw), as_floats(t.b), t.single)


@mistake("conv_transpose2d", "forgot_stride_insertion", "Placed the copies one pixel apart, ignoring the stride.")
def _tconv2d_no_stride(**p: Any) -> dict[str, Any]:
    x, w, b, single = _tconv2d_of(p)
    return _tconv2d_answer(conv_transpose_2d(x, w, 1, p["padding"]) + b[:, None, None], single)


@mistake("conv_transpose2d", "treated_as_convolution", "Computed an ordinary convolution instead.")
def _tconv2d_as_conv(**p: Any) -> dict[str, Any]:
    x, w, b, single = _tconv2d_of(p)
    return _tconv2d_answer(xcorr2d(x, w.transpose(1, 0, 2, 3), p["stride"], p["padding"]) + b[:, None, None], single)


@mistake("conv_transpose2d", "did_not_crop", "Forgot to crop the padding.")
def _tconv2d_no_crop(**p: Any) -> dict[str, Any]:
    x, w, b, single = _tconv2d_of(p)
    return _tconv2d_answer(conv_transpose_2d(x, w, p["stride"], 0) + b[:, None, None], single)


@mistake("conv_transpose2d", "flipped_kernel", "Placed the kernel rotated by 180 degrees.")
def _tconv2d_flipped(**p: Any) -> dict[str, Any]:
    x, w, b, single = _tconv2d_of(p)
    return _tconv2d_answer(conv_transpose_2d(x, w[:, :, ::-1, ::-1], p["stride"], p["padding"]) + b[:, None, None], single)
