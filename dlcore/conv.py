"""Convolution, transposed convolution, pooling and max-unpooling on small arrays.

Conventions follow PyTorch: convolution is cross-correlation (the kernel is not
flipped), output sizes floor, a transposed convolution crops ``padding`` from
each end of its output, max pooling keeps the first maximum of a window.
"""

from __future__ import annotations

import math
from itertools import chain, compress, repeat
from operator import add, mul
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from dlcore.errors import SolverError
from dlcore.fmt import mat, num, nums, vec
from dlcore.params import MAX_ELEMENTS, Param
from dlcore.registry import mistake, solver
from dlcore.shapes import conv_output_size, conv_transpose_output_size, pool_output_size
from dlcore.types import Solution, Step

# Strides, paddings and kernel sizes beyond this would make outputs too large to compute or show:
# a quiz never needs them, and a request with stride 10**9 must not exhaust memory.
MAX_SPAN = 256
MAX_OUTPUT_CELLS = 10_000  # worked steps show every cell: a bigger map is no quiz question


def _check_cells(h_out: int, w_out: int) -> None:
    if h_out * w_out > MAX_OUTPUT_CELLS:
        raise SolverError(
            f"The output would be {h_out} x {w_out} = {h_out * w_out} cells; the limit is {MAX_OUTPUT_CELLS}."
        )

__all__ = [
    "as_array", "xcorr1d", "xcorr2d", "conv_transpose_1d", "conv_transpose_2d", "activate", "pool_2d",
    "conv1d", "conv2d", "conv2d_multi", "conv_transpose1d", "conv_transpose2d", "pool2d", "max_unpool2d",
]

Array = npt.NDArray[np.float64]
ACTIVATIONS = ("none", "relu", "leaky_relu", "sigmoid", "tanh")


def _f(value: Any) -> Array:
    return np.asarray(value, dtype=np.float64)


def _vec(a: Array) -> str:
    return vec(a.ravel().tolist())


def _mat(a: Array) -> str:
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
    _check_cells(conv_output_size(x.shape[1], w.shape[2], stride, padding, axis="height"),
                 conv_output_size(x.shape[2], w.shape[3], stride, padding, axis="width"))
    x_pad = np.pad(x, ((0, 0), (padding, padding), (padding, padding)))
    windows = sliding_window_view(x_pad, w.shape[2:], axis=(1, 2))[:, ::stride, ::stride]  # (C, H_out, W_out, kh, kw)
    out: Array = np.einsum("chwkl,fckl->fhw", windows, w)
    return out


def conv_transpose_1d(x: Array, f: Array, stride: int = 1, padding: int = 0) -> Array:
    """Scatter x_i * f at position i*s, add overlaps, crop ``padding`` from each end."""
    n_out = conv_transpose_output_size(len(x), len(f), stride, padding, axis="length")
    _check_cells(1, n_out)
    y = np.zeros((len(x) - 1) * stride + len(f))
    for i, x_i in enumerate(x):
        y[i * stride: i * stride + len(f)] += x_i * f
    return y[padding: padding + n_out]


def conv_transpose_2d(x: Array, w: Array, stride: int = 1, padding: int = 0) -> Array:
    """Transposed convolution: x (C_in, H, W), w (C_in, C_out, kh, kw) -> (C_out, H_out, W_out)."""
    h_out = conv_transpose_output_size(x.shape[1], w.shape[2], stride, padding, axis="height")
    w_out = conv_transpose_output_size(x.shape[2], w.shape[3], stride, padding, axis="width")
    _check_cells(h_out, w_out)
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


def _windows(n_in: int, n_out: int, kernel: int, stride: int, padding: int) -> list[tuple[int, int, int]]:
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
    _check_cells(h_out, w_out)
    out = np.zeros((h_out, w_out))
    for i, (h0, h1, ph) in enumerate(_windows(x.shape[0], h_out, kernel, stride, padding)):
        for j, (w0, w1, pw) in enumerate(_windows(x.shape[1], w_out, kernel, stride, padding)):
            window = x[h0:h1, w0:w1]
            divisor = ph * pw if count_include_pad else window.size
            out[i, j] = window.max() if mode == "max" else window.sum() / divisor
    return out


def _products(window: Array, kernel: Array, bias: float) -> str:
    def par(v: float) -> str:
        return num(v) if v >= 0 else f"({num(v)})"

    terms = " + ".join(rf"{par(a)}\cdot{par(b)}" for a, b in zip(window.ravel(), kernel.ravel(), strict=True))
    return terms + (f" + {num(bias)}" if bias else "")


def _par_text(v: float, text: str) -> str:
    """``text`` (the LaTeX of ``v``), in parentheses when ``v`` is negative."""
    return text if v >= 0 else f"({text})"


def _bmatrix(texts: list[list[str]]) -> str:
    """A LaTeX ``bmatrix`` of already formatted entries (``mat`` without formatting again)."""
    return r"\begin{bmatrix} " + r" \\ ".join([" & ".join(row) for row in texts]) + r" \end{bmatrix}"


def _bmatrix_template(h: int, w: int) -> str:
    """A %-template of an h x w ``bmatrix``: ``template % tuple(texts)`` is ``_bmatrix`` of the texts as rows."""
    return r"\begin{bmatrix} " + r" \\ ".join([" & ".join(["%s"] * w)] * h) + r" \end{bmatrix}"


def _pad_rows(x: list[list[float]], p: int) -> list[list[float]]:
    """Zero-pad a matrix by ``p`` on every side."""
    if not p:
        return x
    zeros = [0.0] * (len(x[0]) + 2 * p)
    edge, side = [zeros[:] for _ in range(p)], [0.0] * p
    return edge + [side + row + side for row in x] + [zeros[:] for _ in range(p)]


def _activate_one(z: float, activation: str, alpha: float) -> float:
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


# --------------------------------------------------------------------------- 1-D convolution


_CONV1D_PARAMS = {
    "x": Param("vector"),
    "f": Param("vector", help="kernel, not flipped (cross-correlation)"),
    "bias": Param("float", 0.0),
    "stride": Param("int", 1, min=1, max=MAX_SPAN),
    "padding": Param("int", 0, min=0, max=MAX_SPAN),
}


@solver("conv1d", params=_CONV1D_PARAMS)
def conv1d(*, x: list[float], f: list[float], bias: float, stride: int, padding: int) -> Solution:
    """1-D convolution (cross-correlation): y_i = sum_k x_pad[i*s + k] * f[k] + b, n_out = floor((n + 2p - k)/s) + 1.

    >>> conv1d(x=[4, 1, -1, 3], f=[-2, 1], bias=0.0, stride=1, padding=1).answer
    [4.0, -7.0, -3.0, 5.0, -6.0]
    """
    k = len(f)
    n_out = conv_output_size(len(x), k, stride, padding, axis="length")
    _check_cells(1, n_out)
    x_pad = [0.0] * padding + x + [0.0] * padding
    x_tex = [num(v) for v in x_pad]
    x_par = [_par_text(v, t) for v, t in zip(x_pad, x_tex, strict=True)]
    f_par = [_par_text(v, num(v)) for v in f]
    b_tex = f" + {num(bias)}" if bias else ""
    steps = [Step("Zero-padded input", "[" + ", ".join(x_tex) + "]", x_pad)] if padding else []
    y, y_tex = [], []
    for i in range(n_out):
        s = i * stride
        y_i = sum(map(mul, x_pad[s:s + k], f)) + bias
        terms = " + ".join([rf"{a}\cdot{b}" for a, b in zip(x_par[s:s + k], f_par, strict=True)])
        y.append(y_i)
        y_tex.append(num(y_i))
        steps.append(Step(f"y[{i}]", rf"y_{{{i}}} = {terms}{b_tex} = {y_tex[-1]}", y_i))
    steps.append(Step("Output", "[" + ", ".join(y_tex) + "]", y))
    return Solution(y, tuple(steps))


@mistake("conv1d", "flipped_kernel", "Flipped the kernel (true convolution instead of cross-correlation).")
def _conv1d_flipped(*, x: list[float], f: list[float], bias: float, stride: int, padding: int) -> Array:
    return xcorr1d(_f(x), _f(f)[::-1], stride, padding) + bias


@mistake("conv1d", "ignored_padding", "Forgot the zero padding.")
def _conv1d_no_pad(*, x: list[float], f: list[float], bias: float, stride: int, **_: Any) -> Array:
    return xcorr1d(_f(x), _f(f), stride, 0) + bias


@mistake("conv1d", "ignored_stride", "Slid the kernel one step at a time, ignoring the stride.")
def _conv1d_no_stride(*, x: list[float], f: list[float], bias: float, padding: int, **_: Any) -> Array:
    return xcorr1d(_f(x), _f(f), 1, padding) + bias


@mistake("conv1d", "forgot_bias", "Forgot to add the bias.")
def _conv1d_no_bias(*, x: list[float], f: list[float], stride: int, padding: int, **_: Any) -> Array:
    return xcorr1d(_f(x), _f(f), stride, padding)


# --------------------------------------------------------------------------- 2-D convolution, one channel


class _Conv2dCore(NamedTuple):
    """What the conv2d solver and its mistakes share within one call: the padded input, flat, and z without bias."""

    x_pad: list[list[float]]
    x_flat: list[float]  # x_pad row-major
    wp: int  # width of x_pad
    k_flat: list[float]  # the kernel row-major
    offsets: list[int]  # of a window's cells from its corner in x_flat
    h_out: int
    w_out: int
    raw: list[float]  # xcorr(x_pad, K), row-major, bias not added


def _conv2d_core(x: list[list[float]], kernel: list[list[float]], stride: int, padding: int) -> _Conv2dCore:
    """Check the output size, pad, flatten and cross-correlate (raises SolverError on an impossible geometry)."""
    kh, kw = len(kernel), len(kernel[0])
    h_out = conv_output_size(len(x), kh, stride, padding, axis="height")
    w_out = conv_output_size(len(x[0]), kw, stride, padding, axis="width")
    _check_cells(h_out, w_out)
    x_pad = _pad_rows(x, padding)
    wp = len(x_pad[0])
    x_flat = list(chain.from_iterable(x_pad))
    k_flat = list(chain.from_iterable(kernel))
    offsets = [m * wp + n for m in range(kh) for n in range(kw)]
    return _Conv2dCore(x_pad, x_flat, wp, k_flat, offsets, h_out, w_out,
                       _xcorr_flat(x_flat, wp, k_flat, offsets, stride, h_out, w_out))


def _prepare_conv2d(p: dict[str, Any]) -> dict[str, Any]:
    """Pad the input and compute z once for the solver and all its mistakes (of this one call).

    On an impossible geometry nothing is added: the solver then raises, and each mistake decides for itself
    (e.g. ``ignored_padding`` may still fit where the padded map does not).
    """
    try:
        core = _conv2d_core(p["input"], p["kernel"], p["stride"], p["padding"])
    except SolverError:
        return p
    return {**p, "core": core}


@solver(
    "conv2d",
    params={
        "input": Param("matrix"),
        "kernel": Param("matrix", help="not flipped (cross-correlation)"),
        "bias": Param("float", 0.0),
        "stride": Param("int", 1, min=1, max=MAX_SPAN),
        "padding": Param("int", 0, min=0, max=MAX_SPAN),
        "activation": Param("str", "none", choices=ACTIVATIONS),
        "alpha": Param("float", 0.01, help="negative slope of leaky_relu"),
    },
    prepare=_prepare_conv2d,
)
def conv2d(*, input: list[list[float]], kernel: list[list[float]], bias: float, stride: int,  # noqa: A002
           padding: int, activation: str, alpha: float, core: _Conv2dCore | None = None) -> Solution:
    """Single-channel 2-D convolution: z[i][j] = sum_{m,n} x_pad[i*s+m][j*s+n] * K[m][n] + b, then a = activation(z).

    >>> conv2d(input=[[1, 2], [3, 4]], kernel=[[1, 0], [0, -1]], bias=1.0, stride=1, padding=0,
    ...        activation="relu", alpha=0.01).answer
    [[0.0]]
    """
    x_pad, x_flat, wp, k_flat, offsets, h_out, w_out, raw = core or _conv2d_core(input, kernel, stride, padding)
    z_flat = [v + bias for v in raw] if bias else raw
    act = activation != "none"
    a_flat = _activate_flat(z_flat, activation, alpha) if act else z_flat
    nx, nk, nz = len(x_flat), len(k_flat), len(z_flat)
    # every number of the steps formatted in one pass: input, kernel, z, a, bias
    tex = nums(x_flat + k_flat + z_flat + a_flat + [bias] if act else x_flat + k_flat + z_flat + [bias])
    x_tex, k_tex, z_tex = tex[:nx], tex[nx:nx + nk], tex[nx + nk:nx + nk + nz]
    x_par = [t if t[0] != "-" else f"({t})" for t in x_tex]
    # one %-template per output cell: its name and the window's numbers go in, the kernel's are fixed
    cell = ("%s = " + " + ".join([r"%s\cdot" + (t if t[0] != "-" else f"({t})") for t in k_tex])
            + (f" + {tex[-1]}" if bias else "") + " = %s")
    steps = [Step("Zero-padded input", _bmatrix([x_tex[r:r + wp] for r in range(0, nx, wp)]), x_pad)] if padding else []
    end, valid = stride * h_out * wp, ([1] * w_out + [0] * (wp - w_out)) * h_out  # as in _xcorr_flat
    names, labels = _cell_names(h_out, w_out)
    texts = zip(names, *[compress(x_par[o:o + end:stride], valid) for o in offsets], z_tex, strict=True)
    steps += map(tuple.__new__, repeat(Step), zip(labels, map(cell.__mod__, texts), z_flat, strict=True))
    rows = range(0, nz, w_out)
    z = [z_flat[r:r + w_out] for r in rows]
    steps.append(Step("Convolution output (before activation)", _bmatrix([z_tex[r:r + w_out] for r in rows]), z))
    if not act:
        return Solution(z, tuple(steps))
    a_tex = tex[nx + nk + nz:-1]
    a = [a_flat[r:r + w_out] for r in rows]
    steps.append(Step(f"After {activation}", _bmatrix([a_tex[r:r + w_out] for r in rows]), a))
    return Solution(a, tuple(steps))


def _new_step(fields: tuple[str, str, Any]) -> Step:
    """``Step(*fields)`` without the Python-level ``__new__`` (for the one-step-per-cell loops)."""
    return tuple.__new__(Step, fields)


_NAME_ROWS = [[f"z_{{{i},{j}}}" for j in range(16)] for i in range(16)]
_LABEL_ROWS = [[f"z[{i}][{j}]" for j in range(16)] for i in range(16)]


def _cell_names(h: int, w: int) -> tuple[list[str], list[str]]:
    """LaTeX names ``z_{i,j}`` and labels ``z[i][j]`` of an h x w map, row-major (precomputed for small maps)."""
    if h <= 16 and w <= 16:
        return ([n for row in _NAME_ROWS[:h] for n in row[:w]], [n for row in _LABEL_ROWS[:h] for n in row[:w]])
    return ([f"z_{{{i},{j}}}" for i in range(h) for j in range(w)], [f"z[{i}][{j}]" for i in range(h) for j in range(w)])


def _activate_flat(z: list[float], activation: str, alpha: float) -> list[float]:
    """``_activate_one`` over a list, with the common activations inlined (``z`` itself for none)."""
    if activation == "relu":
        return [v if v > 0.0 else 0.0 for v in z]
    if activation == "leaky_relu":
        return [v if v > 0 else alpha * v for v in z]
    if activation == "none":
        return z
    return [_activate_one(v, activation, alpha) for v in z]


def _xcorr_flat(x_flat: list[float], wp: int, k_flat: list[float], offsets: list[int], stride: int,
                h_out: int, w_out: int) -> list[float]:
    """Cross-correlation of a padded map stored row-major (width wp) with a flat kernel: z row-major, no bias.

    Plain-Python im2col: the slice x_flat[o::stride] holds kernel cell o of every window of the padded map, read
    as rows of width wp; `valid` keeps the w_out windows of each row that lie inside the map.
    """
    end, valid = stride * h_out * wp, ([1] * w_out + [0] * (wp - w_out)) * h_out
    windows = compress(zip(*[x_flat[o:o + end:stride] for o in offsets], strict=False), valid)  # slices may differ past the map
    return list(map(sum, map(map, repeat(mul), windows, repeat(k_flat))))


def _conv2d_rows(z_flat: list[float], bias: float, activation: str, alpha: float, w_out: int) -> list[list[float]]:
    """activation(z + bias) as rows of width w_out."""
    a = _activate_flat([v + bias for v in z_flat] if bias else z_flat, activation, alpha)
    return [a[r:r + w_out] for r in range(0, len(a), w_out)]


def _core_of(p: dict[str, Any]) -> _Conv2dCore:
    """The core prepared for this call, or computed here (when the call was not prepared, or the geometry fails)."""
    core: _Conv2dCore | None = p.get("core")
    return core or _conv2d_core(p["input"], p["kernel"], p["stride"], p["padding"])


@mistake("conv2d", "flipped_kernel", "Computed a true convolution (kernel flipped) instead of cross-correlation.")
def _conv2d_flipped(**p: Any) -> list[list[float]]:
    c = _core_of(p)  # rotating K by 180 degrees reverses its flat list; the windows stay
    raw = _xcorr_flat(c.x_flat, c.wp, c.k_flat[::-1], c.offsets, p["stride"], c.h_out, c.w_out)
    return _conv2d_rows(raw, p["bias"], p["activation"], p["alpha"], c.w_out)


@mistake("conv2d", "activation_before_bias", "Applied the activation before adding the bias.")
def _conv2d_act_first(**p: Any) -> list[list[float]]:
    b, c = float(p["bias"]), _core_of(p)
    return [[v + b for v in row] for row in _conv2d_rows(c.raw, 0.0, p["activation"], p["alpha"], c.w_out)]


@mistake("conv2d", "ignored_padding", "Forgot the zero padding.")
def _conv2d_no_pad(**p: Any) -> list[list[float]]:
    c = _core_of(p) if not p["padding"] else _conv2d_core(p["input"], p["kernel"], p["stride"], 0)
    return _conv2d_rows(c.raw, p["bias"], p["activation"], p["alpha"], c.w_out)


@mistake("conv2d", "forgot_bias", "Forgot to add the bias.")
def _conv2d_no_bias(**p: Any) -> list[list[float]]:
    c = _core_of(p)
    return _conv2d_rows(c.raw, 0.0, p["activation"], p["alpha"], c.w_out)


@mistake("conv2d", "forgot_activation", "Stopped before applying the activation.")
def _conv2d_no_act(**p: Any) -> list[list[float]]:
    c = _core_of(p)
    return _conv2d_rows(c.raw, p["bias"], "none", p["alpha"], c.w_out)


@mistake("conv2d", "relu_instead_of_leaky", "Zeroed the negative values instead of scaling them by alpha.")
def _conv2d_relu(**p: Any) -> list[list[float]]:
    c = _core_of(p)
    return _conv2d_rows(c.raw, p["bias"], "relu" if p["activation"] == "leaky_relu" else p["activation"], p["alpha"], c.w_out)


# --------------------------------------------------------------------------- 2-D convolution, several channels


def _multi_arrays(input: Any, filters: Any, bias: list[float] | None) -> tuple[Array, Array, Array]:  # noqa: A002
    x = as_array("input", input, (3,))  # (C, H, W)
    w = as_array("filters", filters, (4,))  # (F, C, kh, kw)
    if w.shape[1] != x.shape[0]:
        raise SolverError(f"Each filter must have as many channels as the input ({x.shape[0]}), not {w.shape[1]}.")
    b = np.zeros(w.shape[0]) if bias is None else _f(bias)
    if len(b) != w.shape[0]:
        raise SolverError(f"Parameter 'bias' needs one value per filter ({w.shape[0]}), got {len(b)}.")
    return x, w, b


_LISTS = frozenset({list})
_ONLY_FLOAT = frozenset({float})
_NUMBER_TYPES = frozenset({int, float})
_INT64 = 2 ** 63


def _flat_nested(value: Any, depth: int) -> tuple[list[float], list[int]] | None:
    """A regular nested list of ``depth`` levels of finite numbers, as floats row-major and its shape.

    None when anything is unusual (ragged, empty, not plain lists of ints and floats, too big, not finite): the
    caller then lets ``as_array`` decide, so errors and corner cases stay exactly those of numpy.
    """
    items, shape = [value], []
    for _ in range(depth):
        if set(map(type, items)) != _LISTS:
            return None
        n = len(items[0])
        if not n or set(map(len, items)) != {n}:
            return None
        shape.append(n)
        items = list(chain.from_iterable(items))
    kinds = set(map(type, items))
    if kinds != _ONLY_FLOAT:
        if not kinds <= _NUMBER_TYPES or not (-_INT64 <= min(items) and max(items) < _INT64):  # numpy's int64
            return None
        items = list(map(float, items))
    if len(items) > MAX_ELEMENTS:
        return None
    total = sum(items)
    if total - total != 0.0 and not all(map(math.isfinite, items)):
        return None
    return items, shape


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
    xs, ws = _flat_nested(input, 3), _flat_nested(filters, 4)
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
    _check_cells(h_out, w_out)
    wp = m.w + 2 * padding
    pads = [_pad_flat(x_c, m.h, m.w, padding) for x_c in m.x]
    offsets = [i * wp + j for i in range(m.kh) for j in range(m.kw)]
    end, valid = stride * h_out * wp, ([1] * w_out + [0] * (wp - w_out)) * h_out  # as in _xcorr_flat
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


def _maps(flat: list[float], w_out: int) -> list[list[float]]:
    return [flat[r:r + w_out] for r in range(0, len(flat), w_out)]


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
    tpl = _bmatrix_template(h_out, w_out)
    mats = [tpl % tuple(tex[s:s + n]) for s in range(0, len(flat), n)]  # the S maps, then the outputs
    steps = []
    if padding:
        wp = m.w + 2 * padding
        x_pad = [[pad[r:r + wp] for r in range(0, len(pad), wp)] for pad in pads]
        steps.append(Step("Zero-padded input", rf"{n_c} \times {m.h + 2 * padding} \times {wp}", x_pad))
    b_tex, o_mat, out = tex[len(flat):], len(m.k) * n_c, []
    for f, (raw_f, flat_f) in enumerate(zip(raw, outs, strict=True)):
        for c, raw_fc in enumerate(raw_f):
            steps.append(_new_step((f"Filter {f}, channel {c}: cross-correlation", mats[f * n_c + c], _maps(raw_fc, w_out))))
        out.append(out_f := _maps(flat_f, w_out))
        sum_latex = " + ".join([f"S_{{{f},{c}}}" for c in range(n_c)])
        steps.append(_new_step((f"Filter {f}: sum over channels + bias", f"{sum_latex} + {b_tex[f]} = {mats[o_mat + f]}", out_f)))
    shape = [len(out), h_out, w_out]
    steps.append(Step("Output shape", rf"{shape[0]} \times {h_out} \times {w_out}", shape))
    return Solution(out, tuple(steps))


@mistake("conv2d_multi", "flipped_kernel", "Flipped every kernel (true convolution).")
def _multi_flipped(**p: Any) -> list[list[list[float]]]:
    c = _multi_core_of(p)  # rotating a kernel by 180 degrees reverses its flat list
    return [_maps(_channel_sum([_dots(win_c, k_c[::-1]) for win_c, k_c in zip(c.windows, k_f, strict=True)], b_f), c.w_out)
            for k_f, b_f in zip(c.m.k, c.m.b, strict=True)]


@mistake("conv2d_multi", "forgot_bias", "Forgot the bias of each filter.")
def _multi_no_bias(**p: Any) -> list[list[list[float]]]:
    c = _multi_core_of(p)
    return [_maps(_channel_sum(raw_f, None), c.w_out) for raw_f in c.raw]


@mistake("conv2d_multi", "first_channel_only", "Used only the first input channel instead of summing over all.")
def _multi_first_channel(**p: Any) -> list[list[list[float]]]:
    c = _multi_core_of(p)
    return [_maps([v + b_f for v in raw_f[0]], c.w_out) for raw_f, b_f in zip(c.raw, c.m.b, strict=True)]


@mistake("conv2d_multi", "ignored_padding", "Forgot the zero padding.")
def _multi_no_pad(**p: Any) -> list[list[list[float]]]:
    c = _multi_core_of(p) if not p["padding"] else _multi_core(p, 0)
    return [_maps(_channel_sum(raw_f, b_f), c.w_out) for raw_f, b_f in zip(c.raw, c.m.b, strict=True)]


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
    _check_cells(1, n_out)
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
        steps.append(_new_step((f"x[{i}] * f placed at {i * stride}",
                                rf"{x_tex[i]} \cdot {f_vec} \to [{', '.join(part_tex)}]", part)))
    steps.append(Step("Sum of the placed copies (uncropped)", "[" + ", ".join(full_tex) + "]", full))
    y = full[padding: padding + n_out]
    if padding:
        steps.append(Step(f"Crop {padding} from each end", "[" + ", ".join(full_tex[padding: padding + n_out]) + "]", y))
    return Solution(y, tuple(steps))


def _tconv1d(x: list[float], f: list[float], stride: int, padding: int) -> list[float]:
    """y[i*s + k] += x_i * f_k, cropped by ``padding`` at each end, without steps (the core the mistakes share)."""
    n_out = conv_transpose_output_size(len(x), len(f), stride, padding, axis="length")
    _check_cells(1, n_out)
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
    return xcorr1d(_f(x), _f(f), stride, padding)


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
    b = np.broadcast_to(np.array(bias, dtype=np.float64), (w.shape[1],)) if np.ndim(bias) == 0 else _f(bias)
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
    xs = _flat_nested(input, 2)
    single = xs is not None
    xs = xs or _flat_nested(input, 3)
    ws = _flat_nested(kernel, 2 if single else 4)
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
    _check_cells(h_out, w_out)
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
    tpl = _bmatrix_template(kh, kw)
    steps = [_new_step((label, tpl % tuple(texts[s:s + kk]), _maps(block[0], kw) if single else [_maps(blk, kw) for blk in block]))
             for label, s, block in zip(labels, range(0, nb, kk), blocks, strict=True)]
    full_rows = [_maps(y_o, wf) for y_o in full]
    steps.append(Step("Sum of the placed copies + bias (uncropped)", _bmatrix_template(hf, wf) % tuple(texts[nb:nb + nf]),
                      full_rows[0] if single else full_rows))
    out_rows = full_rows  # without padding nothing is cropped
    if padding:
        out_rows = [_maps(y_o, w_out) for y_o in out]
        crop = _bmatrix_template(h_out, w_out) % tuple(texts[nb + nf:])
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
    return (_f(t.x).reshape(t.c_in, t.h, t.w), _f(w).reshape(t.c_in, len(t.b), t.kh, t.kw), _f(t.b), t.single)


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
    rows, cols = _pool_windows(input, kernel, kernel if stride is None else stride, padding, ceil_mode)
    w_in = len(input[0])
    x_tex = nums(list(chain.from_iterable(input)))
    x_tex_rows = [x_tex[r:r + w_in] for r in range(0, len(x_tex), w_in)]
    col_labels = [f"{j}): rows %s, columns {w0}-{w1 - 1}" for j, (w0, w1, _) in enumerate(cols)]
    col_slices = [slice(w0, w1) for w0, w1, _ in cols]
    if mode == "max":
        steps, values, out_tex = [], [], []
        for i, (h0, h1, _) in enumerate(rows):
            band, tband, label_i, rows_i = input[h0:h1], x_tex_rows[h0:h1], f"Window ({i}, ", f"{h0}-{h1 - 1}"
            for label_j, sl in zip(col_labels, col_slices, strict=True):
                window = [v for row in band for v in row[sl]]
                texts = [t for row in tband for t in row[sl]]
                values.append(v := max(window))  # the maximum is one of the window's numbers: its text is already there
                out_tex.append(t := texts[window.index(v)])
                steps.append(_new_step((label_i + label_j % rows_i, rf"\max[{', '.join(texts)}] = {t}", v)))
        w_out = len(cols)
        out = [values[r:r + w_out] for r in range(0, len(values), w_out)]
        steps.append(Step("Pooled map", _bmatrix([out_tex[r:r + w_out] for r in range(0, len(out_tex), w_out)]), out))
        return Solution(out, tuple(steps))
    labels, windows, sums = [], [], []
    for i, (h0, h1, _) in enumerate(rows):
        band, tband, label_i, rows_i = input[h0:h1], x_tex_rows[h0:h1], f"Window ({i}, ", f"{h0}-{h1 - 1}"
        for label_j, sl in zip(col_labels, col_slices, strict=True):
            labels.append(label_i + label_j % rows_i)
            windows.append([t for row in tband for t in row[sl]])
            sums.append(sum([v for row in band for v in row[sl]]))
    divisors = [ph * pw if count_include_pad else (h1 - h0) * (w1 - w0) for h0, h1, ph in rows for w0, w1, pw in cols]
    values = [v / d for v, d in zip(sums, divisors, strict=True)]
    out_tex = nums(values)
    latex = [f"({' + '.join(texts)}) / {d} = {t}" for texts, d, t in zip(windows, divisors, out_tex, strict=True)]
    w_out = len(cols)
    out = [values[r:r + w_out] for r in range(0, len(values), w_out)]
    steps = list(map(_new_step, zip(labels, latex, values, strict=True)))
    steps.append(Step("Pooled map", _bmatrix([out_tex[r:r + w_out] for r in range(0, len(out_tex), w_out)]), out))
    return Solution(out, tuple(steps))


def _pool_windows(input: list[list[float]], kernel: int, stride: int, padding: int,  # noqa: A002
                  ceil_mode: bool) -> tuple[list[tuple[int, int, int]], list[tuple[int, int, int]]]:
    """The row and column windows of a pooled map (``_windows``), after checking its size."""
    h_out = pool_output_size(len(input), kernel, stride, padding, ceil_mode, axis="height")
    w_out = pool_output_size(len(input[0]), kernel, stride, padding, ceil_mode, axis="width")
    _check_cells(h_out, w_out)
    return (_windows(len(input), h_out, kernel, stride, padding), _windows(len(input[0]), w_out, kernel, stride, padding))


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
    switches = _switches(reference, pooled, kernel, _unpool_stride(kernel, stride))
    w_in = len(reference[0])
    out = [[0.0] * w_in for _ in reference]
    out_tex = ["0"] * (len(reference) * w_in)
    y_tex = nums([v for row in pooled for v in row])
    steps = []
    for (i, j, r, c), t in zip(switches, y_tex, strict=True):
        out[r][c] = pooled[i][j]
        out_tex[r * w_in + c] = t
        steps.append(_new_step((f"Window ({i}, {j}): max of the pre-pool map at ({r}, {c})", f"out_{{{r},{c}}} = {t}", [r, c])))
    steps.append(Step("Unpooled map (zeros elsewhere)", _bmatrix([out_tex[k:k + w_in] for k in range(0, len(out_tex), w_in)]), out))
    return Solution(out, tuple(steps))


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
