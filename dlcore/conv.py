"""1-D and single-channel 2-D convolution (cross-correlation, as PyTorch).

conv1d shows a step per output value; conv2d the padded input, one worked output (the middle one), z and a.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, partial
from itertools import chain, repeat
from operator import itemgetter, mul
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from dlcore.codegen import compiled, fstring, names, rows_display, step_source, unpack
from dlcore.conv_ops import (
    ACTIVATIONS,
    MAX_SPAN,
    Array,
    activate_flat,
    as_floats,
    bmatrix,
    bmatrix_template,
    check_cells,
    paren,
    xcorr1d,
)
from dlcore.finite import all_finite, non_finite_error, require_finite
from dlcore.fmt import COMMON_TEXTS, num, nums, plain_g
from dlcore.params import Param
from dlcore.registry import mistake, solver
from dlcore.shapes import conv_output_size
from dlcore.types import Solution, Step

_SEP = "\x00"  # between the outputs' LaTeX while all of it is one joined string
IntArray = npt.NDArray[np.intp]
_CACHED_TERMS = 4096  # geometries up to this many window terms keep their tables (quiz sizes)


def _picker(indices: list[int]) -> Callable[[list[Any]], tuple[Any, ...]]:
    """``lambda xs: tuple(xs[i] for i in indices)`` in one C call."""
    if len(indices) == 1:  # itemgetter would return the bare item: a pair instead, every reader stops at the first
        return itemgetter(indices[0], indices[0])
    return itemgetter(*indices)


def _window_sums(values: tuple[float, ...], k: list[float], n: int) -> list[float]:
    """sum(window[m] * k[m]) of each of n windows, ``values`` holding the len(k) values of one window after another."""
    terms = map(mul, values, k * n)
    return list(map(sum, zip(*[terms] * len(k), strict=False)))  # len(k) terms at a time: window by window


def _parens(texts: list[str]) -> list[str]:
    """Each LaTeX number, in parentheses when negative (as a factor of a product).

    A text starting with "-" sorts before every digit and letter, so ``min`` tells whether there is any.
    """
    return texts if min(texts) >= "0" else [t if t[0] != "-" else f"({t})" for t in texts]


def _factor_pieces(k_tex: list[str], b_tex: str) -> list[str]:
    """The text after each number of a window: "\\cdot K[m] + ", the last one "\\cdot K[-1] + b = "."""
    b_term = f"({b_tex})" if b_tex[:1] == "-" else b_tex  # a negative bias as a term: + (-2)
    return (r"\cdot" + " + \x00\\cdot".join(_parens(k_tex)) + (f" + {b_term} = " if b_tex else " = ")).split("\x00")


def _window_order(windows: list[list[int]], n_in: int, kk: int) -> list[int]:
    """Where each piece of every output's LaTeX comes from, in the list ``_output_texts`` joins:

    the input's texts and a padding "0" (n_in + 1), the factor pieces (kk), the outputs' texts, their heads.
    """
    n = len(windows)
    k_at, out_at, head_at = n_in + 1, n_in + 1 + kk, n_in + 1 + kk + n
    order = []
    for c, window in enumerate(windows):
        order.append(head_at + c)
        for m, src in enumerate(window):
            order += (src, k_at + m)
        order.append(out_at + c)
    return order


def _output_texts(pieces: Callable[[list[str]], tuple[str, ...]], heads: list[str], x_tex: list[str],
                  k_tex: list[str], b_tex: str, out_tex: list[str]) -> list[str]:
    """``y = x\\cdot K + ... + b = y`` of every output, assembled in one join (``x_tex`` ends with a padding "0")."""
    return "".join(pieces([*_parens(x_tex), *_factor_pieces(k_tex, b_tex), *out_tex, *heads])).split(_SEP)


# --------------------------------------------------------------------------- 1-D convolution


_CONV1D_PARAMS = {
    "x": Param("vector"),
    "f": Param("vector", help="kernel, not flipped (cross-correlation)"),
    "bias": Param("float", 0.0),
    "stride": Param("int", 1, min=1, max=MAX_SPAN),
    "padding": Param("int", 0, min=0, max=MAX_SPAN),
}


class _Geometry1d(NamedTuple):
    """Index tables and LaTeX templates of one conv1d geometry; indices point into x followed by one 0.0."""

    n_out: int
    windows: Callable[[list[float]], tuple[float, ...]]  # the k values of every window, window after window
    pieces: Callable[[list[str]], tuple[str, ...]]  # see _output_texts
    heads: list[str]  # "y_{i} = ", all but the first after a _SEP
    labels: list[str]
    padded: Callable[[list[float]], tuple[float, ...]]  # the zero-padded input
    padded_tex: str  # %-template of it, padding zeros written in


def _geometry1d(n: int, k: int, stride: int, padding: int) -> _Geometry1d:
    """The tables of a geometry (raises SolverError when the kernel does not fit or the output is too long)."""
    n_out = conv_output_size(n, k, stride, padding, axis="length")
    check_cells(1, n_out)
    padded = [i - padding if 0 <= i - padding < n else n for i in range(n + 2 * padding)]
    windows = [padded[i * stride:i * stride + k] for i in range(n_out)]
    heads = [f"y_{{{i}}} = " for i in range(n_out)]
    return _Geometry1d(
        n_out, _picker(list(chain.from_iterable(windows))), _picker(_window_order(windows, n, k)),
        heads[:1] + [_SEP + h for h in heads[1:]], [f"y[{i}]" for i in range(n_out)],
        _picker(padded), "[" + ", ".join(["%s" if i < n else "0" for i in padded]) + "]",  # used when padding > 0
    )


_cached_geometry1d = lru_cache(maxsize=128)(_geometry1d)


@solver("conv1d", params=_CONV1D_PARAMS)
def conv1d(*, x: list[float], f: list[float], bias: float, stride: int, padding: int) -> Solution:
    """1-D convolution (cross-correlation): y_i = sum_k x_pad[i*s + k] * f[k] + b, n_out = floor((n + 2p - k)/s) + 1.

    >>> conv1d(x=[4, 1, -1, 3], f=[-2, 1], bias=0.0, stride=1, padding=1).answer
    [4.0, -7.0, -3.0, 5.0, -6.0]
    """
    n, k = len(x), len(f)
    small = (n + 2 * padding) * k <= _CACHED_TERMS  # bounds the number of window terms
    g = (_cached_geometry1d if small else _geometry1d)(n, k, stride, padding)
    x_ext = [*x, 0.0]
    y = [v + bias for v in _window_sums(g.windows(x_ext), f, g.n_out)]
    require_finite("conv1d", y)
    tex = nums([*x_ext, *f, bias, *y])  # in one pass; x_ext ends with the padding zero
    y_tex = tex[n + k + 2:]
    texts = _output_texts(g.pieces, g.heads, tex[:n + 1], tex[n + 1:n + k + 1], tex[n + k + 1] if bias else "", y_tex)
    steps = [tuple.__new__(Step, ("Zero-padded input", g.padded_tex % tuple(tex[:n]), list(g.padded(x_ext))))
             ] if padding else []
    steps += map(tuple.__new__, repeat(Step), zip(g.labels, texts, y, strict=True))
    steps.append(tuple.__new__(Step, ("Output", "[" + ", ".join(y_tex) + "]", y)))
    return tuple.__new__(Solution, (y, tuple(steps), True))


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


class _Geometry2d(NamedTuple):
    """Index tables and LaTeX templates of one conv2d geometry (sizes, stride, padding); nothing of the values.

    Indices point into the input row-major, then one 0.0 (the value of every padding cell), then the kernel.
    """

    h_out: int
    w_out: int
    terms: IntArray  # (kh*kw, cells): term m of every window in row m (a single cell's column is doubled: see _sums)
    kernel: IntArray  # (kh*kw, 1): K[m] in row m
    padded: IntArray  # (h + 2p, w + 2p): the zero-padded input
    cell: int  # the worked example's output, row-major: the middle one
    factors: Callable[[list[float]], tuple[float, ...]]  # x_0, K_0, x_1, K_1, ... of its window, out of the values
    worked_tex: tuple[str, str]  # "z_{i,j} = %s\cdot%s + ... = %s" without, and with "+ %s" for, a bias
    label: str  # "Worked example: output (i, j)"
    padded_tex: str  # %-template of the padded input's bmatrix, padding zeros written in
    output_tex: str  # %-template of an h_out x w_out bmatrix
    output_body: str  # its rows only (no 'e', no 'n' of \begin, \end), with %g fields: see _matrix_latex


def _geometry2d(h: int, w: int, kh: int, kw: int, stride: int, padding: int) -> _Geometry2d:
    """The tables of a geometry (raises SolverError when the kernel does not fit or the output is too big)."""
    h_out = conv_output_size(h, kh, stride, padding, axis="height")
    w_out = conv_output_size(w, kw, stride, padding, axis="width")
    check_cells(h_out, w_out)
    n_in, kk = h * w, kh * kw

    def source(r: int, c: int) -> int:  # of padded cell (r, c): its index in the input, n_in for a padding zero
        r, c = r - padding, c - padding
        return r * w + c if 0 <= r < h and 0 <= c < w else n_in

    def window(i: int, j: int) -> list[int]:
        return [source(i * stride + m, j * stride + q) for m in range(kh) for q in range(kw)]

    windows = [window(i, j) for i in range(h_out) for j in range(w_out)]
    padded = [[source(r, c) for c in range(w + 2 * padding)] for r in range(h + 2 * padding)]
    i, j = h_out // 2, w_out // 2
    products = f"z_{{{i},{j}}} = " + " + ".join([r"%s\cdot%s"] * kk)
    return _Geometry2d(
        h_out, w_out, np.array(windows if len(windows) > 1 else windows * 2, dtype=np.intp).T.copy(),
        np.arange(n_in + 1, n_in + 1 + kk, dtype=np.intp).reshape(kk, 1), np.array(padded, dtype=np.intp),
        i * w_out + j, _picker([t for m, src in enumerate(window(i, j)) for t in (src, n_in + 1 + m)]),
        (products + " = %s", products + " + %s = %s"), f"Worked example: output ({i}, {j})",
        bmatrix([["%s" if src < n_in else "0" for src in row] for row in padded]), bmatrix_template(h_out, w_out),
        r" \\ ".join([" & ".join(["%g"] * w_out)] * h_out),
    )


_cached_geometry2d = lru_cache(maxsize=128)(_geometry2d)


def _geometry_of(x: list[list[float]], kernel: list[list[float]], stride: int, padding: int) -> _Geometry2d:
    h, w, kh, kw = len(x), len(x[0]), len(kernel), len(kernel[0])
    small = (h + 2 * padding) * (w + 2 * padding) * kh * kw <= _CACHED_TERMS  # bounds the number of window terms
    return (_cached_geometry2d if small else _geometry2d)(h, w, kh, kw, stride, padding)


def _sums(windows: Array, k: Array, n: int) -> list[float]:
    """sum(window[m] * k[m] for m) of the n windows (``k`` a column), each exactly as the builtin ``sum`` adds.

    ``sum`` (Python 3.11) starts from 0 and adds the terms left to right: ``((0.0 + t0) + t1) + ...``. numpy's
    reduction along axis 0 computes exactly that, row after row, with ``initial=0.0`` (which also turns a leading
    -0.0 into 0.0, as ``sum`` does); a single column it would add pairwise instead, so the geometry doubles it
    (``terms``) and the copy is dropped here. Overflow gives inf without a warning, as in Python.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        out: list[float] = np.add.reduce(windows * k, 0, initial=0.0)[:n].tolist()
    return out


class _Conv2dCore(NamedTuple):
    """The windows and z of one conv2d call, computed with the geometry's tables: what conv2d's table path (big
    geometries) works from, and what its mistakes share within one call (see _core_of)."""

    g: _Geometry2d
    values: list[float]  # the input row-major, 0.0 (the value of every padding cell), the kernel row-major
    array: Array  # the same as an array
    windows: Array  # g.terms of it: the values of every window (padding zeros included), term by term
    raw: list[float]  # xcorr(x_pad, K), row-major, bias not added


def _conv2d_core(x: list[list[float]], kernel: list[list[float]], stride: int, padding: int) -> _Conv2dCore:
    """Check the geometry, gather every window and cross-correlate (raises SolverError on an impossible geometry)."""
    g = _geometry_of(x, kernel, stride, padding)
    values = [*chain.from_iterable(x), 0.0, *chain.from_iterable(kernel)]
    array = np.array(values)
    windows = array[g.terms]
    return tuple.__new__(_Conv2dCore, (g, values, array, windows, _sums(windows, array[g.kernel], g.h_out * g.w_out)))


def _prepare_conv2d(p: dict[str, Any]) -> dict[str, Any]:
    """A slot for the core (windows and z) that the mistakes of this one call share: the first that needs it fills
    it (see _core_of). The solver itself computes z in its own way, so that a solve computes nothing twice.
    """
    return {**p, "core": []}


_FACTOR_TEXTS = {k: t if t[0] != "-" else f"({t})" for k, t in COMMON_TEXTS.items()}  # as a factor: (-2)\cdot 3


def _factors(values: tuple[float, ...]) -> list[str]:
    """``_parens(nums(values))``: one lookup each in the constant table, ``_parens(nums(...))`` when one is not in it."""
    looked_up: list[Any] = list(map(_FACTOR_TEXTS.get, values))
    return looked_up if all(looked_up) else _parens(nums(list(values)))


_BEGIN, _END = r"\begin{bmatrix} ", r" \end{bmatrix}"


def _matrix_latex(g: _Geometry2d, values: list[float]) -> str:
    """``g.output_tex % tuple(nums(values))``, in one ``%g`` (= ``%.6g``) pass when that writes what ``num`` writes.

    The rows alone are filled, so that ``fmt.plain_g`` sees no 'e' and no 'n' of the template's own text.
    """
    body = g.output_body % tuple(values)
    return _BEGIN + body + _END if plain_g(body) else g.output_tex % tuple(nums(values))


# --------------------------------------------------------------------------- generated solutions of quiz sizes
#
# A quiz-sized geometry (sizes, stride, padding) with its activation is solved by a function written for it once
# (see dlcore.codegen for the rule that keeps this safe): the input and the kernel unpacked into local variables,
# every z one expression in the formula's order, the activation inline, the step values list displays and their
# LaTeX f-strings. It replaces the gather-and-reduce of numpy and the index tables, which cost more than the
# arithmetic of a 4 x 4 map (7 against 16 us for the bench example, validated parameters to Solution).

# (input, kernel, bias, alpha) -> Solution of one geometry and activation, written by _solution_source
_SolutionFn = Callable[[list[list[float]], list[list[float]], float, float], Solution]
# A solution is generated for a geometry whose output cells x (window terms + 8) are at most this: its source and
# compile time grow with both (about 6 ms at the bound, once per kept geometry; 1.5 ms for the bench example).
_GENERATED = 2048


def _z_expression(window: list[int], zero: int) -> str:
    """z of one output: its window's products left to right, then ``c`` (the bias; 0.0 for a zero bias).

    The very number the general path computes, ``sum`` of all the products (from 0.0) + bias, or that sum alone
    for a zero bias, with fewer additions:

    - the products of the zero padding (index ``zero``) are +-0.0, as is the 0.0 a sum starts from: leaving them
      out changes no running sum but one that is zero, and that one only in its sign;
    - the last addition, of ``c``, turns any zero into c when c is not zero, and into +0.0 when c is 0.0 (as a sum
      from 0.0 is never -0.0); every other number it leaves as the general path does.
    """
    return " + ".join([*[f"x{src}*k{m}" for m, src in enumerate(window) if src != zero], "c"])


def _texts_lines(names: list[str], values: str, finite: bool = True) -> list[str]:
    """Lines giving the locals ``names`` the texts of the list ``values`` (a local): ``nums`` of it, as lookups
    when every number is a common one (see fmt.COMMON_TEXTS); unless ``finite``, raising when one is not finite
    (the table holds finite numbers only, so that only a list with a number not in it needs the check)."""
    check = [] if finite else [f"    if not all_finite({values}):", '        raise non_finite_error("conv2d")']
    return [f"t = list(map(text_of, {values}))", "if not all(t):", *check, f"    t = nums({values})", unpack(names, "t")]


def _worked_lines(g: _Geometry2d, window: list[int], zero: int, z_text: str, x_texts: bool) -> list[str]:
    """Lines giving ``worked`` the LaTeX of the worked output (its window ``window``, its z text ``z_text``): a
    padding zero written in as "0", the other factors looked up at once, or with ``x_texts`` (the texts tx0, tx1,
    ... of the input are known) those of the input from its texts, in parentheses when negative."""
    looked_up: list[str] = []  # the numbers whose factor texts are looked up: f0, f1, ... in this order
    factors, products = [], []  # the names in the products' %s, in order; the products
    for m, src in enumerate(window):
        if src != zero and x_texts:
            factors.append(f"fx{src}")
        elif src != zero:
            factors.append(f"f{len(looked_up)}")
            looked_up.append(f"x{src}")
        factors.append(f"f{len(looked_up)}")
        looked_up.append(f"k{m}")
        products.append(("%s" if src != zero else "0") + r"\cdot%s")
    head = f"z_{{{g.h_out // 2},{g.w_out // 2}}} = " + " + ".join(products)
    lines = [f"fx{src} = tx{src} if x{src} >= 0 else f'({{tx{src}}})'" for src in window if x_texts and src != zero]
    return [*lines, unpack(names("f", len(looked_up)), "factors_of((" + "".join([f"{v}, " for v in looked_up]) + "))"),
            "tb = text_of(b) or num(b)", "if b < 0: tb = f'({tb})'",  # a negative bias as a term: + (-2)
            f"worked = {fstring(head + ' + %s = %s', [*factors, 'tb', z_text])} if b else "
            f"{fstring(head + ' = %s', [*factors, z_text])}"]


def _activation_lines(g: _Geometry2d, activation: str) -> tuple[list[str], str]:
    """Lines computing a0, a1, ... from z0, z1, ... (after their texts tz0, tz1, ...), and the source of the
    LaTeX of a (when a is z or 0.0, its text is that of z or "0": only the other values are written)."""
    cells = g.h_out * g.w_out
    a, ta = names("a", cells), names("ta", cells)
    if activation == "relu":  # a is z or 0.0: finite, written as z is or "0"
        lines = []
        for i in range(cells):
            lines += [f"if z{i} > 0.0:", f"    a{i} = z{i}", f"    ta{i} = tz{i}", "else:", f"    a{i} = 0.0", f"    ta{i} = '0'"]
        return lines, fstring(g.output_tex, ta)
    if activation != "leaky_relu":  # sigmoid, tanh
        return [unpack(a, f"as_ = activate_flat(zs, {activation!r}, alpha)"), "if not all_finite(as_):",
                '    raise non_finite_error("conv2d")'], "a_latex(as_)"
    # leaky_relu: a negative a is written with %.6g, which writes what num writes but for -0 (written "0" here),
    # integers from 10^6 on and exponents (both with "e+" or "e-", which no text of num holds): those send the whole
    # matrix to a_latex
    lines = []
    for i in range(cells):
        lines += [f"if z{i} > 0:", f"    a{i} = z{i}", f"    ta{i} = tz{i}", "else:", f"    a{i} = alpha * z{i}",
                  f"    ta{i} = f'{{a{i}:.6g}}' if a{i} else '0'"]
    a_list = f"[{', '.join(a)}]"
    lines += [  # |alpha * z| <= |z| when |alpha| <= 1: then a is finite as z is
        f"if not -1.0 <= alpha <= 1.0 and not all_finite({a_list}):", '    raise non_finite_error("conv2d")',
        f"la = {fstring(g.output_tex, ta)}",
        # 2 "e" are the template's ("begin", "end"): counting is faster than looking for "e-"
        f"if la.count('e') != {g.output_tex.count('e')} and ('e-' in la or 'e+' in la):", f"    la = a_latex({a_list})"]
    return lines, "la"


def _solution_source(g: _Geometry2d, windows: list[list[int]], h: int, w: int, kh: int, kw: int,
                     padding: int, activation: str) -> str:
    """Source of ``solution(input, kernel, b, alpha) -> Solution``: what ``conv2d`` computes with the geometry's
    tables, the same numbers in the same order (see _z_expression), written out for one geometry and activation.

    ``windows`` holds the input index of every window cell of every output (h * w for a padding zero).
    """
    zero, cells, w_out = h * w, g.h_out * g.w_out, g.w_out
    x, k, z, tz = names("x", h * w), names("k", kh * kw), names("z", cells), names("tz", cells)
    lines = [unpack([rows_display(x[r:r + w], w)[1:-1] for r in range(0, h * w, w)], "input"),
             unpack([rows_display(k[r:r + kw], kw)[1:-1] for r in range(0, kh * kw, kw)], "kernel"),
             "c = b if b else 0.0"]
    lines += [f"{name} = {_z_expression(window, zero)}" for name, window in zip(z, windows, strict=True)]
    lines += [f"zs = [{', '.join(z)}]", *_texts_lines(tz, "zs", finite=False)]
    steps = []
    if padding:
        tx = names("tx", h * w)
        lines += [f"xs = [{', '.join(x)}]", *_texts_lines(tx, "xs")]
        padded = [f"x{src}" if src != zero else "0.0" for src in g.padded.ravel().tolist()]
        steps.append(step_source("Zero-padded input", fstring(g.padded_tex, tx), rows_display(padded, w + 2 * padding)))
    lines += _worked_lines(g, windows[g.cell], zero, tz[g.cell], x_texts=padding > 0)
    steps += [step_source(g.label, "worked", z[g.cell]),
              step_source("Convolution output (before activation)", fstring(g.output_tex, tz), "z")]
    lines.append(f"z = {rows_display(z, w_out)}")
    answer = "z"
    if activation != "none":
        a_lines, latex = _activation_lines(g, activation)
        lines += [*a_lines, f"a = {rows_display(names('a', cells), w_out)}"]
        steps.append(step_source(f"After {activation}", latex, "a"))
        answer = "a"
    lines.append(f"return _new(Solution, ({answer}, ({', '.join(steps)},), True))")
    return "def solution(input, kernel, b, alpha):\n" + "".join([f"    {line}\n" for line in lines])


def _namespace(g: _Geometry2d) -> dict[str, Any]:
    """The names a generated solution of the geometry ``g`` uses."""
    return {"Solution": Solution, "all_finite": all_finite, "non_finite_error": non_finite_error, "nums": nums,
            "num": num, "text_of": COMMON_TEXTS.get, "factors_of": _factors, "activate_flat": activate_flat,
            "a_latex": partial(_matrix_latex, g)}


@lru_cache(maxsize=32)
def _generated(h: int, w: int, kh: int, kw: int, stride: int, padding: int, activation: str) -> _SolutionFn | None:
    """The generated solution of a quiz-sized geometry and activation; None for a bigger geometry (or a name that
    is not one of ACTIVATIONS: a source holds this module's own texts only).

    Raises SolverError as ``_geometry2d`` does when the kernel does not fit or the output is too big.
    """
    if (h + 2 * padding) * (w + 2 * padding) * kh * kw > _CACHED_TERMS or activation not in ACTIVATIONS:
        return None
    g = _cached_geometry2d(h, w, kh, kw, stride, padding)
    cells = g.h_out * g.w_out
    if cells * (kh * kw + 8) > _GENERATED:
        return None
    windows = g.terms.T[:cells].tolist()
    source = _solution_source(g, windows, h, w, kh, kw, padding, activation)
    solution: _SolutionFn = compiled(source, "solution", _namespace(g), f"conv2d {h}x{w} k{kh}x{kw} s{stride} p{padding} {activation}")
    return solution


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
           padding: int, activation: str, alpha: float, core: list[_Conv2dCore] | None = None) -> Solution:
    """Single-channel 2-D convolution: z[i][j] = sum_{m,n} x_pad[i*s+m][j*s+n] * K[m][n] + b, then a = activation(z).

    The steps show the padded input, the products of the middle output, z and a.

    >>> conv2d(input=[[1, 2], [3, 4]], kernel=[[1, 0], [0, -1]], bias=1.0, stride=1, padding=0,
    ...        activation="relu", alpha=0.01).answer
    [[0.0]]
    """
    solution = _generated(len(input), len(input[0]), len(kernel), len(kernel[0]), stride, padding, activation)
    if solution is not None:
        return solution(input, kernel, bias, alpha)
    return _table_conv2d(input, kernel, bias, stride, padding, activation, alpha)


def _table_conv2d(x: list[list[float]], kernel: list[list[float]], bias: float, stride: int, padding: int,
                  activation: str, alpha: float) -> Solution:
    """conv2d of any size, with the geometry's index tables and numpy's window sums (see _sums)."""
    g, values, array, _, raw = _conv2d_core(x, kernel, stride, padding)
    z_flat = [v + bias for v in raw] if bias else raw
    act = activation != "none"
    a_flat = activate_flat(z_flat, activation, alpha) if act else z_flat
    require_finite("conv2d", z_flat, a_flat if act else [])
    nx = len(values) - len(g.kernel)  # the input and the padding zero
    tex = nums([*values, bias, *z_flat])  # in one pass
    z_tex = tex[len(values) + 1:]
    factors = _factors(g.factors(values))
    worked = g.worked_tex[1] % (*factors, paren(bias, tex[len(values)]), z_tex[g.cell]) if bias else \
        g.worked_tex[0] % (*factors, z_tex[g.cell])
    steps = [tuple.__new__(Step, ("Zero-padded input", g.padded_tex % tuple(tex[:nx - 1]), array[g.padded].tolist())),
             ] if padding else []
    rows = range(0, len(z_flat), g.w_out)
    z = [z_flat[r:r + g.w_out] for r in rows]
    steps.append(tuple.__new__(Step, (g.label, worked, z_flat[g.cell])))
    steps.append(tuple.__new__(Step, ("Convolution output (before activation)", g.output_tex % tuple(z_tex), z)))
    if not act:
        return tuple.__new__(Solution, (z, tuple(steps), True))
    a = [a_flat[r:r + g.w_out] for r in rows]
    steps.append(tuple.__new__(Step, (f"After {activation}", _matrix_latex(g, a_flat), a)))
    return tuple.__new__(Solution, (a, tuple(steps), True))


def _conv2d_rows(z_flat: list[float], bias: float, activation: str, alpha: float, w_out: int) -> list[list[float]]:
    """activation(z + bias) as rows of width w_out."""
    a = activate_flat([v + bias for v in z_flat] if bias else z_flat, activation, alpha)
    return [a[r:r + w_out] for r in range(0, len(a), w_out)]


def _core_of(p: dict[str, Any]) -> _Conv2dCore:
    """The core of this call: the one in its slot, or computed here and kept there for the next mistake.

    A call that was not prepared has no slot; one whose geometry fails raises here each time.
    """
    slot: list[_Conv2dCore] | None = p.get("core")
    if slot:
        return slot[0]
    core = _conv2d_core(p["input"], p["kernel"], p["stride"], p["padding"])
    if slot is not None:
        slot.append(core)
    return core


@mistake("conv2d", "flipped_kernel", "Computed a true convolution (kernel flipped) instead of cross-correlation.")
def _conv2d_flipped(**p: Any) -> list[list[float]]:
    c = _core_of(p)  # rotating K by 180 degrees reverses its flat list; the windows stay
    raw = _sums(c.windows, c.array[c.g.kernel[::-1]], c.g.h_out * c.g.w_out)
    return _conv2d_rows(raw, p["bias"], p["activation"], p["alpha"], c.g.w_out)


@mistake("conv2d", "activation_before_bias", "Applied the activation before adding the bias.")
def _conv2d_act_first(**p: Any) -> list[list[float]]:
    b, c = float(p["bias"]), _core_of(p)
    return [[v + b for v in row] for row in _conv2d_rows(c.raw, 0.0, p["activation"], p["alpha"], c.g.w_out)]


@mistake("conv2d", "ignored_padding", "Forgot the zero padding.")
def _conv2d_no_pad(**p: Any) -> list[list[float]]:
    c = _core_of(p) if not p["padding"] else _conv2d_core(p["input"], p["kernel"], p["stride"], 0)
    return _conv2d_rows(c.raw, p["bias"], p["activation"], p["alpha"], c.g.w_out)


@mistake("conv2d", "forgot_bias", "Forgot to add the bias.")
def _conv2d_no_bias(**p: Any) -> list[list[float]]:
    c = _core_of(p)
    return _conv2d_rows(c.raw, 0.0, p["activation"], p["alpha"], c.g.w_out)


@mistake("conv2d", "forgot_activation", "Stopped before applying the activation.")
def _conv2d_no_act(**p: Any) -> list[list[float]]:
    c = _core_of(p)
    return _conv2d_rows(c.raw, p["bias"], "none", p["alpha"], c.g.w_out)


@mistake("conv2d", "relu_instead_of_leaky", "Zeroed the negative values instead of scaling them by alpha.")
def _conv2d_relu(**p: Any) -> list[list[float]]:
    c = _core_of(p)
    return _conv2d_rows(c.raw, p["bias"], "relu" if p["activation"] == "leaky_relu" else p["activation"], p["alpha"], c.g.w_out)
