"""Array operations and LaTeX helpers shared by the convolution and pooling solvers.

Conventions follow PyTorch: convolution is cross-correlation (the kernel is not
flipped), output sizes floor, a transposed convolution crops ``padding`` from
each end of its output, max pooling keeps the first maximum of a window.
"""

from __future__ import annotations

import math
from itertools import chain, compress, repeat
from operator import mul
from typing import Any

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from dlcore.errors import SolverError
from dlcore.fmt import mat, num, vec
from dlcore.params import MAX_ELEMENTS
from dlcore.shapes import conv_output_size, conv_transpose_output_size, pool_output_size
from dlcore.types import Step

# Strides, paddings and kernel sizes beyond this would make outputs too large to compute or show:
# a quiz never needs them, and a request with stride 10**9 must not exhaust memory.
MAX_SPAN = 256
MAX_OUTPUT_CELLS = 10_000  # worked steps show every cell: a bigger map is no quiz question


def check_cells(h_out: int, w_out: int) -> None:
    if h_out * w_out > MAX_OUTPUT_CELLS:
        raise SolverError(
            f"The output would be {h_out} x {w_out} = {h_out * w_out} cells; the limit is {MAX_OUTPUT_CELLS}."
        )

__all__ = [
    "MAX_SPAN",
    "MAX_OUTPUT_CELLS",
    "check_cells",
    "Array",
    "ACTIVATIONS",
    "as_floats",
    "array_vec",
    "array_mat",
    "as_array",
    "xcorr1d",
    "xcorr2d",
    "conv_transpose_1d",
    "conv_transpose_2d",
    "activate",
    "window_bounds",
    "pool_2d",
    "products_tex",
    "paren",
    "bmatrix",
    "bmatrix_template",
    "pad_rows",
    "activate_one",
    "new_step",
    "cell_names",
    "activate_flat",
    "xcorr_flat",
    "regular_leaves",
    "to_rows",
]

Array = npt.NDArray[np.float64]
ACTIVATIONS = ("none", "relu", "leaky_relu", "sigmoid", "tanh")


def as_floats(value: Any) -> Array:
    return np.asarray(value, dtype=np.float64)


def array_vec(a: Array) -> str:
    return vec(a.ravel().tolist())


def array_mat(a: Array) -> str:
    return mat(np.atleast_2d(a).tolist())


def as_array(name: str, value: Any, ndims: tuple[int, ...]) -> Array:
    """Validate nested lists of numbers with one of ``ndims`` dimensions; return a float array.

    >>> as_array("x", [[1, 2], [3, 4]], (2,)).shape
    (2, 2)
    """
    want = " or ".join(f"{n}-D" for n in ndims)
    try:
        raw = np.array(value)
    except (ValueError, TypeError):  # ragged nesting
        raw = np.array([])
    if raw.dtype.kind not in "iuf" or raw.ndim not in ndims or raw.size == 0:
        raise SolverError(f"Parameter '{name}' must be a {want} array given as nested lists of numbers of equal lengths.")
    if raw.size > MAX_ELEMENTS:
        raise SolverError(f"Parameter '{name}' has {raw.size} elements; the limit is {MAX_ELEMENTS}.")
    arr = raw.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise SolverError(f"Parameter '{name}' must contain only finite numbers.")
    return arr


def xcorr1d(x: Array, f: Array, stride: int = 1, padding: int = 0) -> Array:
    """Cross-correlation y_i = sum_k x_pad[i*s + k] f[k] (what torch calls conv1d)."""
    conv_output_size(len(x), len(f), stride, padding, axis="length")
    windows = sliding_window_view(np.pad(x, padding), len(f))[::stride]  # (n_out, k)
    return windows @ f


def xcorr2d(x: Array, w: Array, stride: int = 1, padding: int = 0) -> Array:
    """Multi-channel cross-correlation: x (C, H, W), w (F, C, kh, kw) -> (F, H_out, W_out)."""
    check_cells(conv_output_size(x.shape[1], w.shape[2], stride, padding, axis="height"),
                 conv_output_size(x.shape[2], w.shape[3], stride, padding, axis="width"))
    x_pad = np.pad(x, ((0, 0), (padding, padding), (padding, padding)))
    windows = sliding_window_view(x_pad, w.shape[2:], axis=(1, 2))[:, ::stride, ::stride]  # (C, H_out, W_out, kh, kw)
    out: Array = np.einsum("chwkl,fckl->fhw", windows, w)
    return out


def conv_transpose_1d(x: Array, f: Array, stride: int = 1, padding: int = 0) -> Array:
    """Scatter x_i * f at position i*s, add overlaps, crop ``padding`` from each end."""
    n_out = conv_transpose_output_size(len(x), len(f), stride, padding, axis="length")
    check_cells(1, n_out)
    y = np.zeros((len(x) - 1) * stride + len(f))
    for i, x_i in enumerate(x):
        y[i * stride: i * stride + len(f)] += x_i * f
    return y[padding: padding + n_out]


def conv_transpose_2d(x: Array, w: Array, stride: int = 1, padding: int = 0) -> Array:
    """Transposed convolution: x (C_in, H, W), w (C_in, C_out, kh, kw) -> (C_out, H_out, W_out)."""
    h_out = conv_transpose_output_size(x.shape[1], w.shape[2], stride, padding, axis="height")
    w_out = conv_transpose_output_size(x.shape[2], w.shape[3], stride, padding, axis="width")
    check_cells(h_out, w_out)
    kh, kw = w.shape[2:]
    y = np.zeros((w.shape[1], (x.shape[1] - 1) * stride + kh, (x.shape[2] - 1) * stride + kw))
    for i in range(x.shape[1]):
        for j in range(x.shape[2]):
            y[:, i * stride: i * stride + kh, j * stride: j * stride + kw] += np.einsum("c,cokl->okl", x[:, i, j], w)
    return y[:, padding: padding + h_out, padding: padding + w_out]


def activate(z: Array, activation: str, alpha: float = 0.01) -> Array:
    """Apply none / relu / leaky_relu (alpha*z for z <= 0) / sigmoid / tanh elementwise."""
    if activation == "relu":
        return np.maximum(z, 0.0)
    if activation == "leaky_relu":
        return np.where(z > 0, z, alpha * z)
    if activation == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if activation == "tanh":
        return np.tanh(z)
    return z


def window_bounds(n_in: int, n_out: int, kernel: int, stride: int, padding: int) -> list[tuple[int, int, int]]:
    """Per output index: (first input index, last input index + 1, window size counting padding), as torch."""
    out = []
    for o in range(n_out):
        start = o * stride - padding
        end = min(start + kernel, n_in + padding)
        out.append((max(start, 0), min(end, n_in), end - start))
    return out


def pool_2d(x: Array, mode: str, kernel: int, stride: int, padding: int = 0, ceil_mode: bool = False,
            count_include_pad: bool = True) -> Array:
    """Max or average pooling of one 2-D map with torch's window and divisor rules."""
    h_out = pool_output_size(x.shape[0], kernel, stride, padding, ceil_mode, axis="height")
    w_out = pool_output_size(x.shape[1], kernel, stride, padding, ceil_mode, axis="width")
    check_cells(h_out, w_out)
    out = np.zeros((h_out, w_out))
    for i, (h0, h1, ph) in enumerate(window_bounds(x.shape[0], h_out, kernel, stride, padding)):
        for j, (w0, w1, pw) in enumerate(window_bounds(x.shape[1], w_out, kernel, stride, padding)):
            window = x[h0:h1, w0:w1]
            divisor = ph * pw if count_include_pad else window.size
            out[i, j] = window.max() if mode == "max" else window.sum() / divisor
    return out


def products_tex(window: Array, kernel: Array, bias: float) -> str:
    def par(v: float) -> str:
        return num(v) if v >= 0 else f"({num(v)})"

    terms = " + ".join(rf"{par(a)}\cdot{par(b)}" for a, b in zip(window.ravel(), kernel.ravel(), strict=True))
    return terms + (f" + {num(bias)}" if bias else "")


def paren(v: float, text: str) -> str:
    """``text`` (the LaTeX of ``v``), in parentheses when ``v`` is negative."""
    return text if v >= 0 else f"({text})"


def bmatrix(texts: list[list[str]]) -> str:
    """A LaTeX ``bmatrix`` of already formatted entries (``mat`` without formatting again)."""
    return r"\begin{bmatrix} " + r" \\ ".join([" & ".join(row) for row in texts]) + r" \end{bmatrix}"


def bmatrix_template(h: int, w: int) -> str:
    """A %-template of an h x w ``bmatrix``: ``template % tuple(texts)`` is ``bmatrix`` of the texts as rows."""
    return r"\begin{bmatrix} " + r" \\ ".join([" & ".join(["%s"] * w)] * h) + r" \end{bmatrix}"


def pad_rows(x: list[list[float]], p: int) -> list[list[float]]:
    """Zero-pad a matrix by ``p`` on every side."""
    if not p:
        return x
    zeros = [0.0] * (len(x[0]) + 2 * p)
    edge, side = [zeros[:] for _ in range(p)], [0.0] * p
    return edge + [side + row + side for row in x] + [zeros[:] for _ in range(p)]


def activate_one(z: float, activation: str, alpha: float) -> float:
    """``activate`` for one number; the sigmoid is computed without overflowing exp."""
    if activation == "relu":
        return z if z > 0.0 else 0.0
    if activation == "leaky_relu":
        return z if z > 0 else alpha * z
    if activation == "sigmoid":
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)
    if activation == "tanh":
        return math.tanh(z)
    return z



def new_step(fields: tuple[str, str, Any]) -> Step:
    """``Step(*fields)`` without the Python-level ``__new__`` (for the one-step-per-cell loops)."""
    return tuple.__new__(Step, fields)


_NAME_ROWS = [[f"z_{{{i},{j}}}" for j in range(16)] for i in range(16)]
_LABEL_ROWS = [[f"z[{i}][{j}]" for j in range(16)] for i in range(16)]


def cell_names(h: int, w: int) -> tuple[list[str], list[str]]:
    """LaTeX names ``z_{i,j}`` and labels ``z[i][j]`` of an h x w map, row-major (precomputed for small maps)."""
    if h <= 16 and w <= 16:
        return ([n for row in _NAME_ROWS[:h] for n in row[:w]], [n for row in _LABEL_ROWS[:h] for n in row[:w]])
    return ([f"z_{{{i},{j}}}" for i in range(h) for j in range(w)], [f"z[{i}][{j}]" for i in range(h) for j in range(w)])


def activate_flat(z: list[float], activation: str, alpha: float) -> list[float]:
    """``activate_one`` over a list, with the common activations inlined (``z`` itself for none)."""
    if activation == "relu":
        return [v if v > 0.0 else 0.0 for v in z]
    if activation == "leaky_relu":
        return [v if v > 0 else alpha * v for v in z]
    if activation == "none":
        return z
    return [activate_one(v, activation, alpha) for v in z]


def xcorr_flat(x_flat: list[float], wp: int, k_flat: list[float], offsets: list[int], stride: int,
                h_out: int, w_out: int) -> list[float]:
    """Cross-correlation of a padded map stored row-major (width wp) with a flat kernel: z row-major, no bias.

    Plain-Python im2col: the slice x_flat[o::stride] holds kernel cell o of every window of the padded map, read
    as rows of width wp; `valid` keeps the w_out windows of each row that lie inside the map.
    """
    end, valid = stride * h_out * wp, ([1] * w_out + [0] * (wp - w_out)) * h_out
    windows = compress(zip(*[x_flat[o:o + end:stride] for o in offsets], strict=False), valid)  # slices may differ past the map
    return list(map(sum, map(map, repeat(mul), windows, repeat(k_flat))))


_LISTS = frozenset({list})


def regular_leaves(value: Any, depth: int) -> tuple[list[Any], list[int]] | None:
    """The leaves (row-major) and the shape of a list nested ``depth`` levels deep, or None when it is not a
    regular one (not lists, ragged, or empty at some level)."""
    if type(value) is not list or not value:
        return None
    items, shape = value, [len(value)]
    for _ in range(depth - 1):
        if set(map(type, items)) != _LISTS:
            return None
        n = len(items[0])
        if not n or set(map(len, items)) != {n}:
            return None
        shape.append(n)
        items = list(chain.from_iterable(items))
    return items, shape


def to_rows(flat: list[float], w_out: int) -> list[list[float]]:
    """A row-major flat list as rows of width ``w_out``."""
    return [flat[r:r + w_out] for r in range(0, len(flat), w_out)]
