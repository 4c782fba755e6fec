"""Array operations and LaTeX helpers shared by the convolution and pooling solvers.

Conventions follow PyTorch: convolution is cross-correlation (the kernel is not
flipped), output sizes floor, a transposed convolution crops ``padding`` from
each end of its output, max pooling keeps the first maximum of a window.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from dlcore.activations import activate_one
from dlcore.errors import SolverError
from dlcore.params import MAX_ELEMENTS
from dlcore.shapes import conv_output_size, conv_transpose_output_size

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
    "as_array",
    "xcorr1d",
    "xcorr2d",
    "conv_transpose_1d",
    "conv_transpose_2d",
    "window_bounds",
    "paren",
    "bmatrix",
    "bmatrix_template",
    "activate_flat",
    "regular_leaves",
    "to_rows",
]

Array = npt.NDArray[np.float64]
ACTIVATIONS = ("none", "relu", "leaky_relu", "sigmoid", "tanh")


def as_floats(value: Any) -> Array:
    return np.asarray(value, dtype=np.float64)


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


def window_bounds(n_in: int, n_out: int, kernel: int, stride: int, padding: int) -> list[tuple[int, int, int]]:
    """Per output index: (first input index, last input index + 1, window size counting padding), as torch."""
    out = []
    for o in range(n_out):
        start = o * stride - padding
        end = min(start + kernel, n_in + padding)
        out.append((max(start, 0), min(end, n_in), end - start))
    return out


def paren(v: float, text: str) -> str:
    """``text`` (the LaTeX of ``v``), in parentheses when ``v`` is negative."""
    return text if v >= 0 else f"({text})"


def bmatrix(texts: list[list[str]]) -> str:
    """A LaTeX ``bmatrix`` of already formatted entries (``mat`` without formatting again)."""
    return r"\begin{bmatrix} " + r" \\ ".join([" & ".join(row) for row in texts]) + r" \end{bmatrix}"


def bmatrix_template(h: int, w: int) -> str:
    """A %-template of an h x w ``bmatrix``: ``template % tuple(texts)`` is ``bmatrix`` of the texts as rows."""
    return r"\begin{bmatrix} " + r" \\ ".join([" & ".join(["%s"] * w)] * h) + r" \end{bmatrix}"


def activate_flat(z: list[float], activation: str, alpha: float) -> list[float]:
    """``activations.activate_one`` over a list, with the common activations inlined (``z`` itself for none)."""
    if activation == "relu":
        return [v if v > 0.0 else 0.0 for v in z]
    if activation == "leaky_relu":
        return [v if v > 0 else alpha * v for v in z]
    if activation == "none":
        return z
    return [activate_one(activation, v, alpha) for v in z]


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
