"""Multi-channel 2-D convolution with several filters."""

from __future__ import annotations

from itertools import chain, compress, repeat
from operator import add, mul
from typing import Any, NamedTuple

import numpy as np

from dlcore.conv_ops import (
    MAX_SPAN,
    Array,
    as_array,
    as_floats,
    bmatrix_template,
    check_cells,
    flat_nested,
    new_step,
    to_rows,
)
from dlcore.errors import SolverError
from dlcore.fmt import nums
from dlcore.params import Param
from dlcore.registry import mistake, solver
from dlcore.shapes import conv_output_size
from dlcore.types import Solution, Step

# --------------------------------------------------------------------------- 2-D convolution, several channels


def _multi_arrays(input: Any, filters: Any, bias: list[float] | None) -> tuple[Array, Array, Array]:  # noqa: A002
    x = as_array("input", input, (3,))  # (C, H, W)
    w = as_array("filters", filters, (4,))  # (F, C, kh, kw)
    if w.shape[1] != x.shape[0]:
        raise SolverError(f"Each filter must have as many channels as the input ({x.shape[0]}), not {w.shape[1]}.")
    b = np.zeros(w.shape[0]) if bias is None else as_floats(bias)
    if len(b) != w.shape[0]:
        raise SolverError(f"Parameter 'bias' needs one value per filter ({w.shape[0]}), got {len(b)}.")
    return x, w, b


class _MultiInputs(NamedTuple):
    """conv2d_multi's input per channel (flat, row-major), kernels k[f][c] (flat), biases and sizes."""

    x: list[list[float]]
    h: int
    w: int
    k: list[list[list[float]]]
    kh: int
    kw: int
    b: list[float]


def _multi_inputs(input: Any, filters: Any, bias: list[float] | None) -> _MultiInputs:  # noqa: A002
    """Validate as ``_multi_arrays`` does (same errors), without numpy for ordinary nested lists."""
    xs, ws = flat_nested(input, 3), flat_nested(filters, 4)
    if xs is None or ws is None or ws[1][1] != xs[1][0] or (bias is not None and len(bias) != ws[1][0]):
        x_arr, w_arr, b_arr = _multi_arrays(input, filters, bias)  # raises the error, or handles the rare input
        xs = (x_arr.ravel().tolist(), list(x_arr.shape))
        ws = (w_arr.ravel().tolist(), list(w_arr.shape))
        bias = b_arr.tolist()
    (x_flat, (c, h, w)), (w_flat, (f, _, kh, kw)) = xs, ws
    hw, kk = h * w, kh * kw
    x = [x_flat[i:i + hw] for i in range(0, c * hw, hw)]
    k = [[w_flat[i:i + kk] for i in range(s, s + c * kk, kk)] for s in range(0, f * c * kk, c * kk)]
    return _MultiInputs(x, h, w, k, kh, kw, [0.0] * f if bias is None else [float(v) for v in bias])


def _pad_flat(x: list[float], h: int, w: int, p: int) -> list[float]:
    """A row-major h x w map zero-padded by ``p`` on every side, row-major (width w + 2p)."""
    if not p:
        return x
    edge, side = [0.0] * (p * (w + 2 * p)), [0.0] * p
    out = edge[:]
    for r in range(0, h * w, w):
        out += side
        out += x[r:r + w]
        out += side
    out += edge
    return out


def _multi_windows(m: _MultiInputs, stride: int, padding: int) -> tuple[list[list[float]], int, int, list[list[tuple[float, ...]]]]:
    """Padded channels, the output size and, per channel, its windows (flat, row-major); raises on a bad geometry."""
    h_out = conv_output_size(m.h, m.kh, stride, padding, axis="height")
    w_out = conv_output_size(m.w, m.kw, stride, padding, axis="width")
    check_cells(h_out, w_out)
    wp = m.w + 2 * padding
    pads = [_pad_flat(x_c, m.h, m.w, padding) for x_c in m.x]
    offsets = [i * wp + j for i in range(m.kh) for j in range(m.kw)]
    end, valid = stride * h_out * wp, ([1] * w_out + [0] * (wp - w_out)) * h_out  # as in xcorr_flat
    windows = [list(compress(zip(*[x_c[o:o + end:stride] for o in offsets], strict=False), valid)) for x_c in pads]
    return pads, h_out, w_out, windows


def _dots(windows: list[tuple[float, ...]], k: list[float]) -> list[float]:
    return list(map(sum, map(map, repeat(mul), windows, repeat(k))))


def _channel_sum(maps: list[list[float]], b: float | None) -> list[float]:
    acc = maps[0]
    for m in maps[1:]:
        acc = list(map(add, acc, m))
    return acc if b is None else [v + b for v in acc]


class _MultiCore(NamedTuple):
    """What conv2d_multi and its mistakes share within one call."""

    m: _MultiInputs
    pads: list[list[float]]
    h_out: int
    w_out: int
    windows: list[list[tuple[float, ...]]]
    raw: list[list[list[float]]]  # raw[f][c]: xcorr of padded channel c with kernel k[f][c], flat


def _multi_core(p: dict[str, Any], padding: int | None = None) -> _MultiCore:
    m = _multi_inputs(p["input"], p["filters"], p["bias"])
    pads, h_out, w_out, windows = _multi_windows(m, p["stride"], p["padding"] if padding is None else padding)
    raw = [[_dots(win_c, k_c) for win_c, k_c in zip(windows, k_f, strict=True)] for k_f in m.k]
    return _MultiCore(m, pads, h_out, w_out, windows, raw)


def _prepare_multi(p: dict[str, Any]) -> dict[str, Any]:
    """Validate, pad and cross-correlate once for the solver and its mistakes (nothing added on an error)."""
    try:
        return {**p, "core": _multi_core(p)}
    except SolverError:
        return p


def _multi_core_of(p: dict[str, Any]) -> _MultiCore:
    core: _MultiCore | None = p.get("core")
    return core or _multi_core(p)


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
    m, pads, h_out, w_out, _, raw = core or _multi_core(
        {"input": input, "filters": filters, "bias": bias, "stride": stride, "padding": padding})
    outs = [_channel_sum(raw_f, b_f) for raw_f, b_f in zip(raw, m.b, strict=True)]
    n_c, n = len(m.x), h_out * w_out
    flat = list(chain.from_iterable(chain.from_iterable(raw)))
    flat += chain.from_iterable(outs)
    tex = nums(flat + m.b)  # every number of the steps, formatted once
    tpl = bmatrix_template(h_out, w_out)
    mats = [tpl % tuple(tex[s:s + n]) for s in range(0, len(flat), n)]  # the S maps, then the outputs
    steps = []
    if padding:
        wp = m.w + 2 * padding
        x_pad = [[pad[r:r + wp] for r in range(0, len(pad), wp)] for pad in pads]
        steps.append(Step("Zero-padded input", rf"{n_c} \times {m.h + 2 * padding} \times {wp}", x_pad))
    b_tex, o_mat, out = tex[len(flat):], len(m.k) * n_c, []
    for f, (raw_f, flat_f) in enumerate(zip(raw, outs, strict=True)):
        for c, raw_fc in enumerate(raw_f):
            steps.append(new_step((f"Filter {f}, channel {c}: cross-correlation", mats[f * n_c + c], to_rows(raw_fc, w_out))))
        out.append(out_f := to_rows(flat_f, w_out))
        sum_latex = " + ".join([f"S_{{{f},{c}}}" for c in range(n_c)])
        steps.append(new_step((f"Filter {f}: sum over channels + bias", f"{sum_latex} + {b_tex[f]} = {mats[o_mat + f]}", out_f)))
    shape = [len(out), h_out, w_out]
    steps.append(Step("Output shape", rf"{shape[0]} \times {h_out} \times {w_out}", shape))
    return Solution(out, tuple(steps))


@mistake("conv2d_multi", "flipped_kernel", "Flipped every kernel (true convolution).")
def _multi_flipped(**p: Any) -> list[list[list[float]]]:
    c = _multi_core_of(p)  # rotating a kernel by 180 degrees reverses its flat list
    return [to_rows(_channel_sum([_dots(win_c, k_c[::-1]) for win_c, k_c in zip(c.windows, k_f, strict=True)], b_f), c.w_out)
            for k_f, b_f in zip(c.m.k, c.m.b, strict=True)]


@mistake("conv2d_multi", "forgot_bias", "Forgot the bias of each filter.")
def _multi_no_bias(**p: Any) -> list[list[list[float]]]:
    c = _multi_core_of(p)
    return [to_rows(_channel_sum(raw_f, None), c.w_out) for raw_f in c.raw]


@mistake("conv2d_multi", "first_channel_only", "Used only the first input channel instead of summing over all.")
def _multi_first_channel(**p: Any) -> list[list[list[float]]]:
    c = _multi_core_of(p)
    return [to_rows([v + b_f for v in raw_f[0]], c.w_out) for raw_f, b_f in zip(c.raw, c.m.b, strict=True)]


@mistake("conv2d_multi", "ignored_padding", "Forgot the zero padding.")
def _multi_no_pad(**p: Any) -> list[list[list[float]]]:
    c = _multi_core_of(p) if not p["padding"] else _multi_core(p, 0)
    return [to_rows(_channel_sum(raw_f, b_f), c.w_out) for raw_f, b_f in zip(c.raw, c.m.b, strict=True)]
