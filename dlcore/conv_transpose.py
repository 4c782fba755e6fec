"""Transposed convolution in 1-D and 2-D (PyTorch conventions: ``padding`` is cropped from each end)."""

from __future__ import annotations

from itertools import chain
from operator import add
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
    flat_nested,
    new_step,
    to_rows,
    xcorr1d,
    xcorr2d,
)
from dlcore.errors import SolverError
from dlcore.fmt import nums
from dlcore.params import Param
from dlcore.registry import mistake, solver
from dlcore.shapes import conv_transpose_output_size
from dlcore.types import Solution, Step

# --------------------------------------------------------------------------- transposed convolution


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
    n_out = conv_transpose_output_size(len(x), len(f), stride, padding, axis="length")
    check_cells(1, n_out)
    k = len(f)
    full = [0.0] * ((len(x) - 1) * stride + k)
    products = [x_i * f_k for x_i in x for f_k in f]
    for i in range(len(x)):
        full[i * stride: i * stride + k] = map(add, full[i * stride: i * stride + k], products[i * k: i * k + k])
    texts = nums(x + f + products + full)  # every number of the steps, formatted once
    x_tex, f_vec = texts[:len(x)], "[" + ", ".join(texts[len(x):len(x) + k]) + "]"
    p_tex, full_tex = texts[len(x) + k:-len(full)], texts[-len(full):]
    steps = []
    for i in range(len(x)):
        part, part_tex = [0.0] * len(full), ["0"] * len(full)
        part[i * stride: i * stride + k] = products[i * k: i * k + k]
        part_tex[i * stride: i * stride + k] = p_tex[i * k: i * k + k]
        steps.append(new_step((f"x[{i}] * f placed at {i * stride}",
                                rf"{x_tex[i]} \cdot {f_vec} \to [{', '.join(part_tex)}]", part)))
    steps.append(Step("Sum of the placed copies (uncropped)", "[" + ", ".join(full_tex) + "]", full))
    y = full[padding: padding + n_out]
    if padding:
        steps.append(Step(f"Crop {padding} from each end", "[" + ", ".join(full_tex[padding: padding + n_out]) + "]", y))
    return Solution(y, tuple(steps))


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
    xs = flat_nested(input, 2)
    single = xs is not None
    xs = xs or flat_nested(input, 3)
    ws = flat_nested(kernel, 2 if single else 4)
    if single and xs is not None and ws is not None:
        xs, ws = (xs[0], [1, *xs[1]]), (ws[0], [1, 1, *ws[1]])
    n_out = 0 if ws is None else ws[1][1]
    if (xs is None or ws is None or ws[1][0] != xs[1][0]
            or not (type(bias) is list and len(bias) == n_out or isinstance(bias, float | int))):
        x_arr, w_arr, b_arr, single = _tconv2d_arrays(input, kernel, bias)  # raises the error, or handles the rare input
        xs = (x_arr.ravel().tolist(), list(x_arr.shape))
        ws = (w_arr.ravel().tolist(), list(w_arr.shape))
        b = b_arr.tolist()
    else:
        b = [float(v) for v in bias] if isinstance(bias, list) else [float(bias)] * n_out
    (x, (c_in, h, w)), (w_flat, (_, c_out, kh, kw)) = xs, ws
    kk = kh * kw
    k = [[w_flat[s:s + kk] for s in range(r, r + c_out * kk, kk)] for r in range(0, c_in * c_out * kk, c_out * kk)]
    return _TConvInputs(x, c_in, h, w, k, kh, kw, b, single)


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


@solver("conv_transpose2d", params=_TCONV2D_PARAMS, prepare=_prepare_tconv2d)
def conv_transpose2d(*, input: Any, kernel: Any, bias: float | list[float], stride: int, padding: int,  # noqa: A002
                     inputs: _TConvInputs | None = None) -> Solution:
    """2-D transposed convolution: y[:, i*s:i*s+k, j*s:j*s+k] += x[i][j] * K, H_out = (H - 1)s - 2p + k, crop p per side.

    >>> conv_transpose2d(input=[[1, 2]], kernel=[[1, 1], [1, 1]], bias=0.0, stride=2, padding=0).answer["shape"]
    [2, 4]
    """
    t = inputs or _tconv2d_inputs(input, kernel, bias)
    h_out = conv_transpose_output_size(t.h, t.kh, stride, padding, axis="height")
    w_out = conv_transpose_output_size(t.w, t.kw, stride, padding, axis="width")
    check_cells(h_out, w_out)
    x, k, b, single, kh, kw = t.x, t.k, t.b, t.single, t.kh, t.kw
    hw, kk = t.h * t.w, kh * kw
    hf, wf = (t.h - 1) * stride + kh, (t.w - 1) * stride + kw
    corners = [(m * wf, m * kw) for m in range(kh)]
    labels = [f"x[{i}][{j}] * K added at ({i * stride}, {j * stride})" for i in range(t.h) for j in range(t.w)]
    tops = [i * stride * wf + j * stride for i in range(t.h) for j in range(t.w)]
    if len(k) == 1 and len(b) == 1:  # one channel in and out: as the loop below, without the loops over channels
        y_0, k_0, blocks = [0.0] * (hf * wf), k[0][0], []
        for x_ij, top in zip(x, tops, strict=True):
            blocks.append([blk := [0.0 + x_ij * v for v in k_0]])
            for row_at, blk_at in corners:
                at = top + row_at
                y_0[at:at + kw] = map(add, y_0[at:at + kw], blk[blk_at:blk_at + kw])
        full = [y_0]
    else:
        full = [[0.0] * (hf * wf) for _ in b]  # per output channel, flat
        blocks = []  # blocks[n][o]: sum over c of x[c][i][j] * K[c][o], flat
        for n, top in enumerate(tops):
            block = [[0.0] * kk for _ in b]
            for c, k_c in enumerate(k):
                x_cij = x[c * hw + n]
                block = [[acc + x_cij * v for acc, v in zip(blk, k_co, strict=True)]
                         for blk, k_co in zip(block, k_c, strict=True)]
            for y_o, blk in zip(full, block, strict=True):
                for row_at, blk_at in corners:
                    at = top + row_at
                    y_o[at:at + kw] = map(add, y_o[at:at + kw], blk[blk_at:blk_at + kw])
            blocks.append(block)
    full = [[v + b_o for v in y_o] for y_o, b_o in zip(full, b, strict=True)]
    flat = list(chain.from_iterable([block[0] for block in blocks]))
    nb, nf = len(flat), hf * wf
    flat += full[0]
    if padding:
        out = [[v for r in range(padding * wf, (padding + h_out) * wf, wf) for v in y_o[r + padding:r + padding + w_out]] for y_o in full]
        flat += out[0]
    texts = nums(flat)  # every number of the steps, formatted once
    tpl = bmatrix_template(kh, kw)
    steps = [new_step((label, tpl % tuple(texts[s:s + kk]), to_rows(block[0], kw) if single else [to_rows(blk, kw) for blk in block]))
             for label, s, block in zip(labels, range(0, nb, kk), blocks, strict=True)]
    full_rows = [to_rows(y_o, wf) for y_o in full]
    steps.append(Step("Sum of the placed copies + bias (uncropped)", bmatrix_template(hf, wf) % tuple(texts[nb:nb + nf]),
                      full_rows[0] if single else full_rows))
    out_rows = full_rows  # without padding nothing is cropped
    if padding:
        out_rows = [to_rows(y_o, w_out) for y_o in out]
        crop = bmatrix_template(h_out, w_out) % tuple(texts[nb + nf:])
        steps.append(Step(f"Crop {padding} from each side", crop, out_rows[0] if single else out_rows))
    shape = [h_out, w_out] if single else [len(b), h_out, w_out]
    steps.append(Step("Output shape", r" \times ".join(str(n) for n in shape), shape))
    return Solution({"output": out_rows[0] if single else out_rows, "shape": shape}, tuple(steps))


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
