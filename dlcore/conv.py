"""1-D and single-channel 2-D convolution (cross-correlation, as PyTorch) with a step per output value."""

from __future__ import annotations

from itertools import chain, compress, repeat
from operator import mul
from typing import Any, NamedTuple

from dlcore.conv_ops import (
    ACTIVATIONS,
    MAX_SPAN,
    Array,
    activate_flat,
    as_floats,
    bmatrix,
    cell_names,
    check_cells,
    pad_rows,
    paren,
    xcorr1d,
    xcorr_flat,
)
from dlcore.errors import SolverError
from dlcore.fmt import num, nums
from dlcore.params import Param
from dlcore.registry import mistake, solver
from dlcore.shapes import conv_output_size
from dlcore.types import Solution, Step

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
    check_cells(1, n_out)
    x_pad = [0.0] * padding + x + [0.0] * padding
    x_tex = [num(v) for v in x_pad]
    x_par = [paren(v, t) for v, t in zip(x_pad, x_tex, strict=True)]
    f_par = [paren(v, num(v)) for v in f]
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
    return xcorr1d(as_floats(x), as_floats(f)[::-1], stride, padding) + bias


@mistake("conv1d", "ignored_padding", "Forgot the zero padding.")
def _conv1d_no_pad(*, x: list[float], f: list[float], bias: float, stride: int, **_: Any) -> Array:
    return xcorr1d(as_floats(x), as_floats(f), stride, 0) + bias


@mistake("conv1d", "ignored_stride", "Slid the kernel one step at a time, ignoring the stride.")
def _conv1d_no_stride(*, x: list[float], f: list[float], bias: float, padding: int, **_: Any) -> Array:
    return xcorr1d(as_floats(x), as_floats(f), 1, padding) + bias


@mistake("conv1d", "forgot_bias", "Forgot to add the bias.")
def _conv1d_no_bias(*, x: list[float], f: list[float], stride: int, padding: int, **_: Any) -> Array:
    return xcorr1d(as_floats(x), as_floats(f), stride, padding)


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
    check_cells(h_out, w_out)
    x_pad = pad_rows(x, padding)
    wp = len(x_pad[0])
    x_flat = list(chain.from_iterable(x_pad))
    k_flat = list(chain.from_iterable(kernel))
    offsets = [m * wp + n for m in range(kh) for n in range(kw)]
    return _Conv2dCore(x_pad, x_flat, wp, k_flat, offsets, h_out, w_out,
                       xcorr_flat(x_flat, wp, k_flat, offsets, stride, h_out, w_out))


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
    a_flat = activate_flat(z_flat, activation, alpha) if act else z_flat
    nx, nk, nz = len(x_flat), len(k_flat), len(z_flat)
    # every number of the steps formatted in one pass: input, kernel, z, a, bias
    tex = nums(x_flat + k_flat + z_flat + a_flat + [bias] if act else x_flat + k_flat + z_flat + [bias])
    x_tex, k_tex, z_tex = tex[:nx], tex[nx:nx + nk], tex[nx + nk:nx + nk + nz]
    x_par = [t if t[0] != "-" else f"({t})" for t in x_tex]
    # one %-template per output cell: its name and the window's numbers go in, the kernel's are fixed
    cell = ("%s = " + " + ".join([r"%s\cdot" + (t if t[0] != "-" else f"({t})") for t in k_tex])
            + (f" + {tex[-1]}" if bias else "") + " = %s")
    steps = [Step("Zero-padded input", bmatrix([x_tex[r:r + wp] for r in range(0, nx, wp)]), x_pad)] if padding else []
    end, valid = stride * h_out * wp, ([1] * w_out + [0] * (wp - w_out)) * h_out  # as in xcorr_flat
    names, labels = cell_names(h_out, w_out)
    texts = zip(names, *[compress(x_par[o:o + end:stride], valid) for o in offsets], z_tex, strict=True)
    steps += map(tuple.__new__, repeat(Step), zip(labels, map(cell.__mod__, texts), z_flat, strict=True))
    rows = range(0, nz, w_out)
    z = [z_flat[r:r + w_out] for r in rows]
    steps.append(Step("Convolution output (before activation)", bmatrix([z_tex[r:r + w_out] for r in rows]), z))
    if not act:
        return Solution(z, tuple(steps))
    a_tex = tex[nx + nk + nz:-1]
    a = [a_flat[r:r + w_out] for r in rows]
    steps.append(Step(f"After {activation}", bmatrix([a_tex[r:r + w_out] for r in rows]), a))
    return Solution(a, tuple(steps))



def _conv2d_rows(z_flat: list[float], bias: float, activation: str, alpha: float, w_out: int) -> list[list[float]]:
    """activation(z + bias) as rows of width w_out."""
    a = activate_flat([v + bias for v in z_flat] if bias else z_flat, activation, alpha)
    return [a[r:r + w_out] for r in range(0, len(a), w_out)]


def _core_of(p: dict[str, Any]) -> _Conv2dCore:
    """The core prepared for this call, or computed here (when the call was not prepared, or the geometry fails)."""
    core: _Conv2dCore | None = p.get("core")
    return core or _conv2d_core(p["input"], p["kernel"], p["stride"], p["padding"])


@mistake("conv2d", "flipped_kernel", "Computed a true convolution (kernel flipped) instead of cross-correlation.")
def _conv2d_flipped(**p: Any) -> list[list[float]]:
    c = _core_of(p)  # rotating K by 180 degrees reverses its flat list; the windows stay
    raw = xcorr_flat(c.x_flat, c.wp, c.k_flat[::-1], c.offsets, p["stride"], c.h_out, c.w_out)
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
