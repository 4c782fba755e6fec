"""Output shapes, parameter counts, receptive fields and costs of CNN layers."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat
from typing import Any, NoReturn, cast

from dlcore.codegen import compiled, step_source, unpack
from dlcore.errors import SolverError
from dlcore.finite import non_finite_error
from dlcore.fmt import num
from dlcore.params import Param
from dlcore.registry import mistake, solver
from dlcore.types import Solution, Step

__all__ = [
    "conv_output_size", "pool_output_size", "conv_transpose_output_size", "CnnLayer", "parse_cnn_layers",
    "conv2d_output_shape", "conv2d_param_count", "pool_output_shape", "conv_transpose_output_shape",
    "dense_param_count", "cnn_summary", "flatten_size", "receptive_field", "depthwise_separable_cost",
]

_new = tuple.__new__  # Step(label, latex, value) without the NamedTuple's Python-level __new__


def _steps(labels: Sequence[str], texts: Sequence[str], values: Sequence[Any]) -> tuple[Step, ...]:
    """Step(label, latex, value) of each position (the three have one item per step), built in one C-level pass."""
    return tuple(map(_new, repeat(Step), zip(labels, texts, values, strict=False)))


def conv_output_size(
    n_in: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1, *, axis: str = "size",
    exact: bool = False,
) -> int:
    """Output length along one axis: floor((n_in + 2p - d(k-1) - 1) / s) + 1.

    Raises SolverError when the (dilated) kernel does not fit the padded input, and with
    ``exact`` when the stride does not divide the span evenly (no floor allowed).

    >>> conv_output_size(32, 5, stride=1, padding=2)
    32
    """
    span = dilation * (kernel - 1) + 1  # extent of the dilated kernel
    if span > n_in + 2 * padding:
        raise SolverError(
            f"The kernel (extent {span}) is larger than the padded input {axis} ({n_in} + 2*{padding} = {n_in + 2 * padding})."
        )
    if exact and (n_in + 2 * padding - span) % stride:
        quotient = (n_in + 2 * padding - span) / stride
        raise SolverError(
            f"The output {axis} is not an integer: ({n_in} + 2*{padding} - {span}) / {stride} = {quotient:g}."
        )
    return (n_in + 2 * padding - span) // stride + 1


@solver(
    "conv2d_output_shape",
    params={
        "in_channels": Param("int", min=1, help="C_in"),
        "height": Param("int", min=1),
        "width": Param("int", min=1),
        "out_channels": Param("int", min=1, help="number of filters"),
        "kernel": Param("int", min=1),
        "stride": Param("int", 1, min=1),
        "padding": Param("int", 0, min=0),
        "dilation": Param("int", 1, min=1),
        "exact": Param("bool", False, help="refuse sizes that need the floor (stride must divide evenly)"),
    },
)
def conv2d_output_shape(
    *, in_channels: int, height: int, width: int, out_channels: int,
    kernel: int, stride: int, padding: int, dilation: int, exact: bool,
) -> Solution:
    """Output shape of Conv2d: [C_out, H_out, W_out], H_out = floor((H + 2p - d(k-1) - 1)/s) + 1.

    >>> conv2d_output_shape(in_channels=3, height=32, width=32, out_channels=8,
    ...                     kernel=3, stride=2, padding=1, dilation=1, exact=False).answer
    [8, 16, 16]
    """
    span = dilation * (kernel - 1) + 1
    h_room, w_room = height + 2 * padding - span, width + 2 * padding - span
    if h_room < 0 or w_room < 0 or (exact and (h_room % stride or w_room % stride)):
        conv_output_size(height, kernel, stride, padding, dilation, axis="height", exact=exact)  # raise the error
        conv_output_size(width, kernel, stride, padding, dilation, axis="width", exact=exact)  # naming the axis
    h_out, w_out = h_room // stride + 1, w_room // stride + 1
    t_h, t_w, t_c, t_shape = (_CONV_TEX % (
        height, padding, span, stride, h_out, width, padding, span, stride, w_out, out_channels,
        out_channels, h_out, w_out)).split("\x00")
    steps: tuple[Step, ...] = (
        _new(Step, ("Output height", t_h, h_out)),
        _new(Step, ("Output width", t_w, w_out)),
        _new(Step, ("Output channels = number of filters", t_c, out_channels)),
        _new(Step, ("Output shape", t_shape, [out_channels, h_out, w_out])),
    )
    if dilation != 1:
        steps = (_new(Step, ("Effective kernel size", _DILATION_TEX % (dilation, kernel, span), span)), *steps)
    return _new(Solution, ([out_channels, h_out, w_out], steps, True))  # ints only: nothing can overflow


# The LaTeX of the steps joined by NUL, filled in by one % (every number is an int: %d writes what str does).
_CONV_TEX = "\x00".join([
    r"H_{out} = \left\lfloor \frac{%d + 2\cdot%d - %d}{%d} \right\rfloor + 1 = %d",
    r"W_{out} = \left\lfloor \frac{%d + 2\cdot%d - %d}{%d} \right\rfloor + 1 = %d",
    r"C_{out} = %d",
    r"%d \times %d \times %d",
])
_DILATION_TEX = r"k' = d(k-1)+1 = %d\cdot(%d-1)+1 = %d"


@mistake("conv2d_output_shape", "forgot_plus_one", "Forgot the +1 in the output-size formula.")
def _conv_no_plus_one(*, out_channels: int, height: int, width: int, kernel: int, stride: int,
                      padding: int, dilation: int, **_: int) -> list[int]:
    k = dilation * (kernel - 1) + 1
    return [out_channels, (height + 2 * padding - k) // stride, (width + 2 * padding - k) // stride]


@mistake("conv2d_output_shape", "ignored_padding", "Ignored the padding.")
def _conv_no_padding(*, out_channels: int, height: int, width: int, kernel: int, stride: int,
                     dilation: int, **_: int) -> list[int]:
    k = dilation * (kernel - 1) + 1
    return [out_channels, (height - k) // stride + 1, (width - k) // stride + 1]


@mistake("conv2d_output_shape", "padding_once", "Counted the padding on one side only.")
def _conv_padding_once(*, out_channels: int, height: int, width: int, kernel: int, stride: int,
                       padding: int, dilation: int, **_: int) -> list[int]:
    k = dilation * (kernel - 1) + 1
    return [out_channels, (height + padding - k) // stride + 1, (width + padding - k) // stride + 1]


@mistake("conv2d_output_shape", "ceil_instead_of_floor", "Rounded up instead of down.")
def _conv_ceil(*, out_channels: int, height: int, width: int, kernel: int, stride: int,
               padding: int, dilation: int, **_: int) -> list[int]:
    k = dilation * (kernel - 1) + 1
    return [out_channels, math.ceil((height + 2 * padding - k) / stride) + 1,
            math.ceil((width + 2 * padding - k) / stride) + 1]


@mistake("conv2d_output_shape", "ignored_stride", "Ignored the stride.")
def _conv_no_stride(*, out_channels: int, height: int, width: int, kernel: int,
                    padding: int, dilation: int, **_: int) -> list[int]:
    k = dilation * (kernel - 1) + 1
    return [out_channels, height + 2 * padding - k + 1, width + 2 * padding - k + 1]


@mistake("conv2d_output_shape", "kept_input_channels", "Kept the input channel count instead of the number of filters.")
def _conv_kept_channels(*, in_channels: int, height: int, width: int, kernel: int, stride: int,
                        padding: int, dilation: int, **_: int) -> list[int]:
    return [in_channels, conv_output_size(height, kernel, stride, padding, dilation),
            conv_output_size(width, kernel, stride, padding, dilation)]


@solver(
    "conv2d_param_count",
    params={
        "in_channels": Param("int", min=1),
        "out_channels": Param("int", min=1),
        "kernel": Param("int", min=1),
        "bias": Param("bool", True),
    },
)
def conv2d_param_count(*, in_channels: int, out_channels: int, kernel: int, bias: bool) -> Solution:
    """Learnable parameters of Conv2d: n = C_out * (k*k*C_in + 1) with bias, C_out*k*k*C_in without.

    >>> conv2d_param_count(in_channels=3, out_channels=16, kernel=5, bias=True).answer
    1216
    """
    per_filter = kernel * kernel * in_channels
    weights = out_channels * per_filter
    biases = out_channels if bias else 0
    total = weights + biases
    t_filter, t_weights, t_biases, t_total = (_COUNT_TEX % (
        kernel, kernel, in_channels, per_filter, per_filter, out_channels, weights, biases, weights, biases, total,
    )).split("\x00")
    steps = (
        _new(Step, ("Weights per filter", t_filter, per_filter)),
        _new(Step, ("All weights", t_weights, weights)),
        _new(Step, ("Biases (one per filter)", t_biases, biases)),
        _new(Step, ("Total parameters", t_total, total)),
    )
    return _new(Solution, (total, steps, True))  # ints only: nothing can overflow


_COUNT_TEX = "\x00".join([
    r"k \cdot k \cdot C_{in} = %d \cdot %d \cdot %d = %d",
    r"%d \cdot %d = %d",
    r"%d",
    r"%d + %d = %d",
])


@mistake("conv2d_param_count", "forgot_bias", "Forgot the bias of each filter.")
def _count_no_bias(*, in_channels: int, out_channels: int, kernel: int, **_: object) -> int:
    return out_channels * kernel * kernel * in_channels


@mistake("conv2d_param_count", "forgot_input_channels", "Forgot that each filter spans all input channels.")
def _count_no_cin(*, out_channels: int, kernel: int, bias: bool, **_: object) -> int:
    return out_channels * (kernel * kernel + (1 if bias else 0))


@mistake("conv2d_param_count", "bias_per_weight", "Counted one bias per input channel.")
def _count_bias_per_channel(*, in_channels: int, out_channels: int, kernel: int, bias: bool, **_: object) -> int:
    return out_channels * in_channels * (kernel * kernel + (1 if bias else 0))


# --------------------------------------------------------------------------- pooling and transposed shapes


def pool_output_size(
    n_in: int, kernel: int, stride: int, padding: int = 0, ceil_mode: bool = False, *, axis: str = "size"
) -> int:
    """Pooling output length as torch computes it: floor (or ceil) of (n_in + 2p - k)/s, plus 1.

    With ``ceil_mode`` a last window that would start in the right padding is dropped,
    exactly as ``torch.nn.MaxPool2d(ceil_mode=True)`` does.

    >>> pool_output_size(55, 2, 2), pool_output_size(55, 2, 2, ceil_mode=True)
    (27, 28)
    """
    if padding > kernel // 2:
        raise SolverError(f"The pooling padding ({padding}) must be at most half the kernel size ({kernel}).")
    if kernel > n_in + 2 * padding:
        raise SolverError(
            f"The pooling window ({kernel}) is larger than the padded input {axis} ({n_in} + 2*{padding} = {n_in + 2 * padding})."
        )
    span = n_in + 2 * padding - kernel
    n_out = (-(-span // stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (n_out - 1) * stride >= n_in + padding:
        n_out -= 1  # the last window would start inside the right padding
    return n_out


def conv_transpose_output_size(
    n_in: int, kernel: int, stride: int = 1, padding: int = 0, output_padding: int = 0, dilation: int = 1,
    *, axis: str = "size",
) -> int:
    """Transposed-convolution output length: (n_in - 1)s - 2p + d(k-1) + output_padding + 1.

    >>> conv_transpose_output_size(5, 4, stride=2)
    12
    """
    if output_padding >= stride and output_padding >= dilation:
        raise SolverError(f"The output padding ({output_padding}) must be smaller than the stride or the dilation.")
    n_out = (n_in - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1
    if n_out < 1:
        raise SolverError(f"The padding ({padding}) crops away the whole transposed-convolution output {axis}.")
    return n_out


_POOL_PARAMS = {
    "channels": Param("int", 1, min=1),
    "height": Param("int", min=1),
    "width": Param("int", min=1),
    "kernel": Param("int", min=1),
    "stride": Param("int", None, min=1, help="defaults to the kernel size"),
    "padding": Param("int", 0, min=0),
    "ceil_mode": Param("bool", False, help="round the output size up, as torch ceil_mode=True"),
}


@solver("pool_output_shape", params=_POOL_PARAMS)
def pool_output_shape(
    *, channels: int, height: int, width: int, kernel: int, stride: int | None, padding: int, ceil_mode: bool
) -> Solution:
    """Output shape of MaxPool2d/AvgPool2d: [C, H_out, W_out], H_out = floor((H + 2p - k)/s) + 1 (ceil with ceil_mode).

    >>> pool_output_shape(channels=128, height=55, width=55, kernel=2, stride=None,
    ...                   padding=0, ceil_mode=False).answer
    [128, 27, 27]
    """
    s = kernel if stride is None else stride
    if ceil_mode or padding > kernel // 2 or kernel > height + 2 * padding or kernel > width + 2 * padding:
        h_out = pool_output_size(height, kernel, s, padding, ceil_mode, axis="height")  # or raise the error
        w_out = pool_output_size(width, kernel, s, padding, ceil_mode, axis="width")  # naming the axis
    else:  # the common case inline: floor, and the window fits
        h_out = (height + 2 * padding - kernel) // s + 1
        w_out = (width + 2 * padding - kernel) // s + 1
    t_s, t_h, t_w, t_shape = (_POOL_TEX[ceil_mode] % (
        s, height, padding, kernel, s, h_out, width, padding, kernel, s, w_out, channels, h_out, w_out,
    )).split("\x00")
    steps = (
        _new(Step, ("Stride (defaults to the kernel size)", t_s, s)),
        _new(Step, ("Output height", t_h, h_out)),
        _new(Step, ("Output width", t_w, w_out)),
        _new(Step, ("Pooling keeps the channels", t_shape, [channels, h_out, w_out])),
    )
    return _new(Solution, ([channels, h_out, w_out], steps, True))  # ints only: nothing can overflow


def _pool_tex(left: str, right: str) -> str:
    """The LaTeX of pool_output_shape's steps joined by NUL, rounding with ``left ... right``."""
    return "\x00".join([
        r"s = %d",
        rf"H_{{out}} = {left} \frac{{%d + 2\cdot%d - %d}}{{%d}} {right} + 1 = %d",
        rf"W_{{out}} = {left} \frac{{%d + 2\cdot%d - %d}}{{%d}} {right} + 1 = %d",
        r"%d \times %d \times %d",
    ])


_POOL_TEX = {False: _pool_tex(r"\left\lfloor", r"\right\rfloor"), True: _pool_tex(r"\left\lceil", r"\right\rceil")}


@mistake("pool_output_shape", "floor_vs_ceil", "Rounded the other way (ceil instead of floor, or floor instead of ceil).")
def _pool_other_rounding(*, channels: int, height: int, width: int, kernel: int, stride: int | None,
                         padding: int, ceil_mode: bool) -> list[int]:
    s = kernel if stride is None else stride
    return [channels, pool_output_size(height, kernel, s, padding, not ceil_mode),
            pool_output_size(width, kernel, s, padding, not ceil_mode)]


@mistake("pool_output_shape", "stride_one", "Slid the window one pixel at a time instead of by the stride.")
def _pool_stride_one(*, channels: int, height: int, width: int, kernel: int, padding: int,
                     ceil_mode: bool, **_: Any) -> list[int]:
    return [channels, pool_output_size(height, kernel, 1, padding, ceil_mode),
            pool_output_size(width, kernel, 1, padding, ceil_mode)]


@mistake("pool_output_shape", "divided_by_kernel", "Divided the input size by the kernel size.")
def _pool_divided(*, channels: int, height: int, width: int, kernel: int, **_: Any) -> list[int]:
    return [channels, height // kernel, width // kernel]


@solver(
    "conv_transpose_output_shape",
    params={
        "in_channels": Param("int", min=1),
        "height": Param("int", min=1),
        "width": Param("int", min=1),
        "out_channels": Param("int", min=1),
        "kernel": Param("int", min=1),
        "stride": Param("int", 1, min=1),
        "padding": Param("int", 0, min=0),
        "output_padding": Param("int", 0, min=0),
        "dilation": Param("int", 1, min=1),
    },
)
def conv_transpose_output_shape(
    *, in_channels: int, height: int, width: int, out_channels: int, kernel: int,
    stride: int, padding: int, output_padding: int, dilation: int,
) -> Solution:
    """Output shape of ConvTranspose2d: H_out = (H - 1)s - 2p + d(k-1) + output_padding + 1.

    >>> conv_transpose_output_shape(in_channels=16, height=7, width=7, out_channels=8, kernel=4,
    ...     stride=2, padding=1, output_padding=0, dilation=1).answer
    [8, 14, 14]
    """
    extra = -2 * padding + dilation * (kernel - 1) + output_padding + 1
    h_out, w_out = (height - 1) * stride + extra, (width - 1) * stride + extra
    if (output_padding >= stride and output_padding >= dilation) or h_out < 1 or w_out < 1:
        conv_transpose_output_size(height, kernel, stride, padding, output_padding, dilation, axis="height")  # raise
        conv_transpose_output_size(width, kernel, stride, padding, output_padding, dilation, axis="width")
    t_h, t_w, t_shape = (_TCONV_TEX % (
        height, stride, padding, dilation, kernel, output_padding, h_out,
        width, stride, padding, dilation, kernel, output_padding, w_out, out_channels, h_out, w_out,
    )).split("\x00")
    steps = (
        _new(Step, ("Output height", t_h, h_out)),
        _new(Step, ("Output width", t_w, w_out)),
        _new(Step, ("Output shape", t_shape, [out_channels, h_out, w_out])),
    )
    return _new(Solution, ([out_channels, h_out, w_out], steps, True))  # ints only: nothing can overflow


_TCONV_TEX = "\x00".join([
    r"H_{out} = (%d-1)\cdot%d - 2\cdot%d + %d\cdot(%d-1) + %d + 1 = %d",
    r"W_{out} = (%d-1)\cdot%d - 2\cdot%d + %d\cdot(%d-1) + %d + 1 = %d",
    r"%d \times %d \times %d",
])


@mistake("conv_transpose_output_shape", "treated_as_convolution", "Used the ordinary convolution formula.")
def _tconv_as_conv(*, height: int, width: int, out_channels: int, kernel: int, stride: int, padding: int,
                   dilation: int, **_: Any) -> list[int]:
    return [out_channels, conv_output_size(height, kernel, stride, padding, dilation),
            conv_output_size(width, kernel, stride, padding, dilation)]


@mistake("conv_transpose_output_shape", "forgot_stride", "Forgot to multiply by the stride (no zeros inserted).")
def _tconv_no_stride(*, height: int, width: int, out_channels: int, kernel: int, padding: int,
                     output_padding: int, dilation: int, **_: Any) -> list[int]:
    extra = -2 * padding + dilation * (kernel - 1) + output_padding + 1
    return [out_channels, height - 1 + extra, width - 1 + extra]


@mistake("conv_transpose_output_shape", "added_padding", "Added the padding instead of cropping it.")
def _tconv_added_padding(*, height: int, width: int, out_channels: int, kernel: int, stride: int, padding: int,
                         output_padding: int, dilation: int, **_: Any) -> list[int]:
    extra = 2 * padding + dilation * (kernel - 1) + output_padding + 1
    return [out_channels, (height - 1) * stride + extra, (width - 1) * stride + extra]


@mistake("conv_transpose_output_shape", "n_times_stride", "Used H*s instead of (H-1)*s.")
def _tconv_n_times_stride(*, height: int, width: int, out_channels: int, kernel: int, stride: int, padding: int,
                          output_padding: int, dilation: int, **_: Any) -> list[int]:
    extra = -2 * padding + dilation * (kernel - 1) + output_padding + 1
    return [out_channels, height * stride + extra, width * stride + extra]


# --------------------------------------------------------------------------- dense layers and whole CNNs


@solver(
    "dense_param_count",
    params={"in_features": Param("int", min=1), "out_features": Param("int", min=1), "bias": Param("bool", True)},
)
def dense_param_count(*, in_features: int, out_features: int, bias: bool) -> Solution:
    """Learnable parameters of Linear: n = n_in * n_out + n_out (bias), n_in * n_out without bias.

    >>> dense_param_count(in_features=500 * 500 * 3, out_features=100, bias=True).answer
    75000100
    """
    weights = in_features * out_features
    biases = out_features if bias else 0
    total = weights + biases
    t_weights, t_biases, t_total = (_DENSE_TEX % (in_features, out_features, weights, biases, weights, biases, total)
                                    ).split("\x00")
    steps = (
        _new(Step, ("Weight matrix", t_weights, weights)),
        _new(Step, ("Biases (one per output neuron)", t_biases, biases)),
        _new(Step, ("Total parameters", t_total, total)),
    )
    return _new(Solution, (total, steps, True))  # ints only: nothing can overflow


_DENSE_TEX = "\x00".join([r"n_{in} \cdot n_{out} = %d \cdot %d = %d", r"%d", r"%d + %d = %d"])


@mistake("dense_param_count", "forgot_bias", "Forgot the biases.")
def _dense_no_bias(*, in_features: int, out_features: int, **_: Any) -> int:
    return in_features * out_features


@mistake("dense_param_count", "bias_per_input", "Counted one bias per input instead of per output neuron.")
def _dense_bias_per_input(*, in_features: int, out_features: int, bias: bool) -> int:
    return in_features * out_features + (in_features if bias else 0)


@dataclass(frozen=True)
class CnnLayer:
    """One layer of the exam notation CONV-K-N[-S-P], POOL-K, FC-N."""

    name: str
    kind: str  # "CONV", "POOL" or "FC"
    kernel: int = 0
    n: int = 0
    stride: int = 1
    padding: int = 0


_MAX_LAYERS = 200
_MAX_LAYER_NUMBER = 100_000


def parse_cnn_layers(layers: Any) -> list[CnnLayer]:
    """Parse ``["CONV-7-32", "POOL-2", "CONV-3-64-2-1", "FC-10"]``; raise SolverError on anything else.

    >>> parse_cnn_layers(["CONV-3-64-2-1"])[0]
    CnnLayer(name='CONV-3-64-2-1', kind='CONV', kernel=3, n=64, stride=2, padding=1)
    """
    if not isinstance(layers, list) or not layers or len(layers) > _MAX_LAYERS:
        raise SolverError(f"Parameter 'layers' must be a non-empty list of at most {_MAX_LAYERS} layer names.")
    out = []
    for i, text in enumerate(layers):
        layer = _parse_layer(text) if type(text) is str else "format"
        if type(layer) is CnnLayer:
            out.append(layer)
        elif layer == "format":
            raise SolverError(
                f"Layer {i} ({text!r}) must look like 'CONV-K-N', 'CONV-K-N-S-P', 'POOL-K' or 'FC-N' with integer K, N, S, P."
            )
        else:
            raise SolverError(f"Layer {i} ({text!r}) needs sizes from 1 to {_MAX_LAYER_NUMBER} (padding may be 0).")
    return out


@lru_cache(maxsize=4096)
def _parse_layer(text: str) -> CnnLayer | str:
    """One layer name parsed, or the kind of error: "format" or "range" (cached: templates reuse few names)."""
    parts = text.strip().upper().split("-")
    kind, nums = parts[0], parts[1:]
    arity = {"CONV": (2, 4), "POOL": (1,), "FC": (1,)}.get(kind, ())
    if len(nums) not in arity or not all(x.isdigit() and len(x) <= 6 for x in nums):
        return "format"
    vals = [int(x) for x in nums]
    if any(v < 1 for v in vals[:3]) or any(v > _MAX_LAYER_NUMBER for v in vals):
        return "range"
    if kind == "CONV":
        return CnnLayer(text.strip(), kind, vals[0], vals[1], *vals[2:])
    if kind == "POOL":
        return CnnLayer(text.strip(), kind, vals[0], stride=vals[0])
    return CnnLayer(text.strip(), kind, n=vals[0])


def _input_hwc(value: list[int]) -> tuple[int, int, int]:
    if len(value) != 3:
        raise SolverError(f"Parameter 'input' must be [H, W, C], got {len(value)} numbers.")
    return value[0], value[1], value[2]


_FLAT_TEX = r"%d \cdot %d \cdot %d = %d"
# The text of every size up to 4095 (the common sizes of CNN exercises), looked up instead of str() of the size.
_SIZE_TEX = tuple(map(str, range(4096)))
_FLOOR = (r"\left\lfloor", r"\right\rfloor")  # the notation of conv2d_output_shape and pool_output_shape
_CEIL = (r"\left\lceil", r"\right\rceil")

# One layer with what its name alone decides for the steps of cnn_summary and flatten_size, a plain tuple
# (the solvers unpack it in their loops; unpacking a NamedTuple takes a slow generic path):
#   kind ("CONV", "POOL" or "FC"), kernel, n, stride, padding, name, flatten_size's label, n as LaTeX,
#   size: per ceil_mode the (head, tail) of the output size around the input size H:
#         CONV  head H tail = \left\lfloor \frac{H + 2\cdot P - K}{S} \right\rfloor + 1 =
#         POOL  head H tail = \left\lfloor \frac{H}{K} \right\rfloor =   (\lceil \rceil with ceil_mode)
#   weights_head, times_n, biases: the pieces of cnn_summary's text around C_in (CONV) or n_in (FC) and the
#         weights: CONV "H_out \times W_out" weights_head C_in times_n weights biases, i.e.
#         ... \times N \quad \text{weights} = K \cdot K \cdot C_in \cdot N = weights \quad \text{biases} = N;
#         FC "\text{weights} = " n_in times_n weights biases.
_PlannedLayer = tuple[str, int, int, int, int, str, str, str, tuple[tuple[str, str], tuple[str, str]], str, str, str]


def _planned(layer: CnnLayer) -> _PlannedLayer:
    k, n, s, p = layer.kernel, layer.n, layer.stride, layer.padding
    size: tuple[tuple[str, str], tuple[str, str]]
    if layer.kind == "CONV":
        conv = (rf"{_FLOOR[0]} \frac{{", rf" + 2\cdot{p} - {k}}}{{{s}}} {_FLOOR[1]} + 1 = ")
        size = (conv, conv)
    elif layer.kind == "POOL":
        size = ((rf"{_FLOOR[0]} \frac{{", rf"}}{{{k}}} {_FLOOR[1]} = "), (rf"{_CEIL[0]} \frac{{", rf"}}{{{k}}} {_CEIL[1]} = "))
    else:  # FC has no size formula
        size = (("", ""), ("", ""))
    return (layer.kind, k, n, s, p, layer.name, f"{layer.name}: output shape", str(n), size,
            rf" \times {n} \quad \text{{weights}} = {k} \cdot {k} \cdot ", rf" \cdot {n} = ", rf" \quad \text{{biases}} = {n}")


def _sizes_tex(h: str, w: str, h_out: str, w_out: str, head: str, tail: str) -> str:
    """H_out and W_out with the numbers (see _PlannedLayer's size), once for both when H = W."""
    if h == w:
        return rf"H_{{out}} = W_{{out}} = {head}{h}{tail}{h_out}"
    return rf"H_{{out}} = {head}{h}{tail}{h_out} \quad W_{{out}} = {head}{w}{tail}{w_out}"


@dataclass(frozen=True)
class _CnnPlan:
    """What the layer names alone decide: the parsed layers and, per layer, labels and pieces of LaTeX."""

    layers: tuple[CnnLayer, ...]
    planned: tuple[_PlannedLayer, ...]
    summary_labels: tuple[str, ...]  # "Input", the layer names, "Total parameters"
    has_fc: bool
    fc_only_at_the_end: bool  # else _summarize raises "cannot follow a fully connected layer"
    square: tuple[tuple[str, tuple[Any, ...]], ...]  # per layer (kind, _square_planned's numbers and LaTeX)
    # Per ceil_mode, cnn_summary of a square input for these layers, generated for their kinds (see
    # _square_source); None for a list too long or with a layer after FC.
    square_solutions: tuple[_SquareFn, _SquareFn] | None


def _make_plan(layers: list[CnnLayer]) -> _CnnPlan:
    kinds = [layer.kind for layer in layers]
    first_fc = kinds.index("FC") if "FC" in kinds else len(kinds)
    fc_only_at_the_end = "CONV" not in kinds[first_fc:] and "POOL" not in kinds[first_fc:]
    square = tuple(map(_square_planned, layers))
    generate = fc_only_at_the_end and len(kinds) <= _GENERATED_LAYERS
    return _CnnPlan(
        layers=tuple(layers),
        planned=tuple(map(_planned, layers)),
        summary_labels=("Input", *(layer.name for layer in layers), "Total parameters"),
        has_fc=first_fc < len(kinds),
        fc_only_at_the_end=fc_only_at_the_end,
        square=square,
        square_solutions=_square_solutions(tuple(kinds), square) if generate else None,
    )


_SQUARE = r"H_{out} = W_{out} = "  # the size formula of a square input, written once for H and W


def _square_planned(layer: CnnLayer) -> tuple[str, tuple[Any, ...]]:
    """A layer as a generated cnn_summary of a square input takes it (see _square_arguments): (kind, what its name
    decides), with the constant products folded.

    CONV (K*K*N, N, S, 2P - K, name, head, tail, weights_head, times_n, biases, N as LaTeX): its text is
    head H tail H_out ... (see _PlannedLayer); POOL (K, name, per ceil_mode (head, tail));
    FC (N, name, times_n, biases, N as LaTeX).
    """
    kind, k, n, s, p, name, _, n_tex, size, weights_head, times_n, biases = _planned(layer)
    if kind == "CONV":
        head, tail = size[0]
        return kind, (k * k * n, n, s, 2 * p - k, name, _SQUARE + head, tail, weights_head, times_n, biases, n_tex)
    if kind == "POOL":
        return kind, (k, name, tuple((_SQUARE + head, tail) for head, tail in size))
    return kind, (n, name, times_n, biases, n_tex)


# --------------------------------------------------------------------------- generated cnn_summary of square inputs
#
# cnn_summary of a square input is solved by a function written for the kinds of its layers (dlcore.codegen),
# e.g. CONV, POOL, CONV, CONV, POOL, FC, FC: every size, count and text one expression, no loop, no unpacking
# of the plan per layer, the steps written out (3.1 against 3.9 us for the bench example with a loop over the
# plan and its steps). The source holds only the layers' kinds and this module's own texts; the layers' numbers, names and
# pieces of LaTeX (from the names) reach it through its factory's argument (see _square_arguments), once per
# plan, and a factory is kept per list of kinds only (lru_cache below).

_SquareFn = Callable[[int, int], Solution]  # (H = W, C) -> the Solution; raises _Misfit
# How every CONV layer's text starts (see _planned and _square_planned), escaped for an f-string.
_CONV_HEAD = (_SQUARE + _FLOOR[0] + r" \frac{").replace("{", "{{").replace("}", "}}")
_GENERATED_LAYERS = 48  # longer lists take _table (a source grows with the layers, ~0.1 ms each to compile)


class _Misfit(Exception):
    """A generated cnn_summary met a layer that does not fit: the caller raises _summarize's error."""


def _square_arguments(square: tuple[tuple[str, tuple[Any, ...]], ...], ceil_mode: bool) -> tuple[Any, ...]:
    """The plan's numbers and texts that a generated cnn_summary unpacks, in the order of _square_names."""
    out: list[Any] = []
    for kind, layer in square:
        if kind == "POOL":
            k, name, sizes = layer
            out += (k, name, *sizes[ceil_mode])
        else:
            out += layer
    return tuple(out)


def _square_names(kind: str, i: int) -> list[str]:
    """The local names of layer i's arguments: _square_planned's tuple (of one ceil_mode for POOL); a CONV
    layer's head is the same for all (_CONV_HEAD, written into the source)."""
    fields = {"CONV": ("k2n", "n", "s", "room", "name", "_head", "tail", "wh", "tn", "b", "nt"),
              "POOL": ("k", "name", "head", "tail"), "FC": ("n", "name", "tn", "b", "nt")}[kind]
    return [f"{field}{i}" for field in fields]


def _square_source(kinds: tuple[str, ...], ceil_mode: bool) -> str:
    """Source of ``factory(a) -> summary``: ``summary(size, c)`` is what _table computes for a square input and layers of
    these kinds, the same sizes, counts and texts, written out. ``a`` is _square_arguments of the plan: the
    factory unpacks it once per plan into the cells that summary reads (names as in _square_names)."""
    names = [name for i, kind in enumerate(kinds) for name in _square_names(kind, i)]
    lines = ["def summary(size, c):",
             "    t = str(size)",  # each size's text: t, then t0, t1, ... after each CONV or POOL layer
             "    ct = str(c)",
             r'    x_in = rf"{t} \times {t} \times {ct}"']
    steps = [step_source("Input", "x_in", "[size, size, c]")]
    rows, counted = [], []
    h, t, c, ct, flat = "size", "t", "c", "ct", ""  # the names of the current numbers and texts
    for i, kind in enumerate(kinds):
        if kind == "CONV":
            lines += [f"    r = room{i} + {h}",  # H + 2P - K
                      "    if r < 0: raise _Misfit",
                      f"    w{i} = k2n{i} * {c}",  # K * K * C_in * N
                      f"    h{i} = r // s{i} + 1",
                      f"    t{i} = str(h{i})",
                      rf'    x{i} = rf"{_CONV_HEAD}{{{t}}}{{tail{i}}}{{t{i}}} \quad {{t{i}}} \times {{t{i}}}'
                      rf'{{wh{i}}}{{{ct}}}{{tn{i}}}{{w{i}}}{{b{i}}}"',
                      rf'    row{i} = {{"layer": name{i}, "shape": [h{i}, h{i}, n{i}], "weights": w{i}, "biases": n{i}}}']
            c, ct = f"n{i}", f"nt{i}"
            counted += [f"w{i}", f"n{i}"]
        elif kind == "POOL":  # stride k, no padding: floor((H - k)/k) + 1 = floor(H/k)
            lines += [f"    if k{i} > {h}: raise _Misfit",
                      f"    h{i} = -(-{h} // k{i})" if ceil_mode else f"    h{i} = {h} // k{i}",
                      f"    t{i} = str(h{i})",
                      rf'    x{i} = rf"{{head{i}}}{{{t}}}{{tail{i}}}{{t{i}}} \quad {{t{i}}} \times {{t{i}}} \times {{{ct}}}'
                      r' \quad \text{{no parameters}}"',
                      rf'    row{i} = {{"layer": name{i}, "shape": [h{i}, h{i}, {c}], "weights": 0, "biases": 0}}']
        else:
            if flat:  # after another FC layer: its size is the input
                lines += [f"    w{i} = n{flat} * n{i}",
                          rf'    x{i} = rf"\text{{{{weights}}}} = {{nt{flat}}}{{tn{i}}}{{w{i}}}{{b{i}}}"']
            else:  # the first FC layer flattens H x W x C
                lines += [f"    n_in = {h} * {h} * {c}",
                          f"    w{i} = n_in * n{i}",
                          "    n_in_t = str(n_in)",
                          rf'    x{i} = rf"n_{{{{in}}}} = {{{t}}} \cdot {{{t}}} \cdot {{{ct}}} = {{n_in_t}} \quad '
                          rf'\text{{{{weights}}}} = {{n_in_t}}{{tn{i}}}{{w{i}}}{{b{i}}}"']
            lines.append(f'    row{i} = {{"layer": name{i}, "shape": [n{i}], "weights": w{i}, "biases": n{i}}}')
            flat = str(i)
            counted += [f"w{i}", f"n{i}"]
        if kind != "FC":
            h, t = f"h{i}", f"t{i}"
        rows.append(f"row{i}")
        steps.append(f"_new(Step, (name{i}, x{i}, row{i}))")
    steps.append(step_source("Total parameters", r'rf"\sum (\text{{weights}} + \text{{biases}}) = {total}"', "total"))
    lines += [f"    total = {' + '.join(counted) or '0'}",
              f"    rows = [{', '.join(rows)}]",
              f'    return _new(Solution, ({{"layers": rows, "total_params": total}}, ({", ".join(steps)},), True))']
    factory = ["def factory(a):", "    " + unpack(names, "a")]
    return "\n".join(factory + ["    " + line for line in lines] + ["    return summary"]) + "\n"


_Factory = Callable[[tuple[Any, ...]], _SquareFn]


@lru_cache(maxsize=64)  # keyed on the kinds of the layers (and the rounding of POOL) only
def _square_factory(kinds: tuple[str, ...], ceil_mode: bool) -> _Factory:
    return cast(_Factory, compiled(_square_source(kinds, ceil_mode), "factory", {"_Misfit": _Misfit, "Solution": Solution},
                                   f"cnn_summary {'/'.join(kinds)} ceil={ceil_mode}"))


def _square_solutions(kinds: tuple[str, ...], square: tuple[tuple[str, tuple[Any, ...]], ...],
                      ) -> tuple[_SquareFn, _SquareFn]:
    """The generated cnn_summary of square inputs for these layers, with floor and with ceil pooling."""
    floor = _square_factory(kinds, False)(_square_arguments(square, False))
    if "POOL" not in kinds:  # the rounding changes nothing
        return floor, floor
    return floor, _square_factory(kinds, True)(_square_arguments(square, True))


# typed: a str subclass equal to a cached name is not a hit (parse_cnn_layers refuses anything but str).
@lru_cache(maxsize=256, typed=True)
def _cached_plan(*names: Any) -> _CnnPlan:
    return _make_plan(parse_cnn_layers(list(names)))


def _cnn_plan(layers: Any) -> _CnnPlan:
    """The plan of a list of layer names, cached on the names (parsing only: no input size, no result).

    Raises parse_cnn_layers' SolverError for anything else.
    """
    if type(layers) is list:
        try:
            return _cached_plan(*layers)
        except TypeError:  # an unhashable item: not a layer name, parse_cnn_layers says so below
            pass
    return _make_plan(parse_cnn_layers(layers))


def _pooled(h: int, w: int, k: int, ceil_mode: bool) -> tuple[int, int]:
    """pool_output_size of a POOL-k layer (stride k, no padding) on an h x w input that fits the window.

    (n - k) // k + 1 is n // k, rounded up with ceil_mode; with no padding no window can start in
    the padding, so pool_output_size never drops one.
    """
    return (-(-h // k), -(-w // k)) if ceil_mode else (h // k, w // k)


def _raise_geometry_error(hwc: tuple[int, int, int], layers: tuple[CnnLayer, ...], ceil_mode: bool) -> NoReturn:
    """Raise the error _summarize gives for layers that do not fit the input (or follow an FC layer)."""
    _summarize(hwc, list(layers), ceil_mode=ceil_mode)
    raise AssertionError("_summarize accepted layers that the fast path refused")


def _summarize(
    hwc: tuple[int, int, int], layers: list[CnnLayer], *, ceil_mode: bool,
    biases: bool = True, pool_params: bool = False, fc_flattens: bool = True, conv_spans_channels: bool = True,
) -> list[dict[str, Any]]:
    """One row per layer: output shape, weights, biases (the flags model mistakes)."""
    h, w, c = hwc
    flat: int | None = None  # size of the last FC layer, once there is one
    rows: list[dict[str, Any]] = []
    for i, layer in enumerate(layers):
        if layer.kind != "FC" and flat is not None:
            raise SolverError(f"Layer {i} ({layer.name}) cannot follow a fully connected layer.")
        k = layer.kernel
        if layer.kind == "CONV":
            fits = k <= h + 2 * layer.padding and k <= w + 2 * layer.padding  # else the error names the axis
            h = conv_output_size(h, k, layer.stride, layer.padding, axis=f"height at layer {i}" if not fits else "")
            w = conv_output_size(w, k, layer.stride, layer.padding, axis=f"width at layer {i}" if not fits else "")
            n_w = k * k * (c if conv_spans_channels else 1) * layer.n
            n_b, c, shape = layer.n, layer.n, None
        elif layer.kind == "POOL":
            fits = k <= h and k <= w
            h = pool_output_size(h, k, k, 0, ceil_mode, axis=f"height at layer {i}" if not fits else "")
            w = pool_output_size(w, k, k, 0, ceil_mode, axis=f"width at layer {i}" if not fits else "")
            n_w, n_b = (layer.kernel * layer.kernel * c, c) if pool_params else (0, 0)
            shape = None
        else:
            n_in = flat if flat is not None else (h * w * c if fc_flattens else c)
            n_w, n_b, flat, shape = n_in * layer.n, layer.n, layer.n, [layer.n]
        rows.append({"layer": layer.name, "shape": shape or [h, w, c], "weights": n_w, "biases": n_b if biases else 0})
    return rows


def _summary_answer(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"layers": rows, "total_params": sum(r["weights"] + r["biases"] for r in rows)}


_CNN_PARAMS = {
    "input": Param("int_list", min=1, help="[H, W, C]"),
    "layers": Param("json", help='list of "CONV-K-N", "CONV-K-N-S-P", "POOL-K", "FC-N"'),
    "ceil_mode": Param("bool", False, help="pooling rounds the output size up"),
}


@solver("cnn_summary", params=_CNN_PARAMS)
def cnn_summary(*, input: list[int], layers: Any, ceil_mode: bool) -> Solution:  # noqa: A002 (contract name)
    """Per layer: shape, weights (CONV k*k*C_in*N, FC n_in*N, POOL 0) and biases (N); total = sum of both.

    One step per layer, its row of the table with the numbers substituted: CONV's output size
    floor((H + 2P - K)/S) + 1 (POOL's floor(H/K), ceil with ceil_mode), the shape, the weights and biases.

    >>> cnn_summary(input=[64, 64, 3], layers=["CONV-7-16", "POOL-2", "FC-16", "FC-10"],
    ...             ceil_mode=False).answer["total_params"]
    217850
    """
    h, w, c = _input_hwc(input)
    plan = _cnn_plan(layers)
    solutions = plan.square_solutions  # None unless the layers may fit (FC only at the end)
    if h == w and solutions is not None:  # see _square_source
        try:
            return solutions[ceil_mode](h, c)
        except _Misfit:
            _raise_geometry_error((h, w, c), plan.layers, ceil_mode)
    hwc = (h, w, c)
    if not plan.fc_only_at_the_end:
        _raise_geometry_error(hwc, plan.layers, ceil_mode)
    texts, rows, total = _table(plan, hwc, ceil_mode)  # H != W, or layers that no generated solution takes
    # _steps, inline (a call costs the time of a step); the value of a layer's step is its row of the table.
    values = [[*hwc], *rows, total]
    steps = tuple(map(_new, repeat(Step), zip(plan.summary_labels, texts, values, strict=False)))
    return _new(Solution, ({"layers": rows, "total_params": total}, steps, True))  # ints only: no overflow


_Table = tuple[list[str], list[dict[str, Any]], int]  # the LaTeX of every step, the rows, the total


def _table(plan: _CnnPlan, hwc: tuple[int, int, int], ceil_mode: bool) -> _Table:
    """cnn_summary's step LaTeX (Input, one per layer, Total), rows of the table and total, for any H x W."""
    h, w, c = hwc
    # Each size is written once (looked up in _SIZE_TEX when below 4096) and used where it appears.
    h_tex = _SIZE_TEX[h] if h < 4096 else str(h)
    w_tex = _SIZE_TEX[w] if w < 4096 else str(w)
    c_tex = _SIZE_TEX[c] if c < 4096 else str(c)
    texts = [rf"{h_tex} \times {w_tex} \times {c_tex}"]  # of the Input step
    rows = []
    total = 0
    flat, flat_tex = 0, ""  # the size of the last FC layer, once there is one
    for kind, k, n, s, p, name, _, n_tex, size, weights_head, times_n, biases in plan.planned:
        if kind == "CONV":
            h_room, w_room = h + 2 * p - k, w + 2 * p - k
            if h_room < 0 or w_room < 0:
                _raise_geometry_error(hwc, plan.layers, ceil_mode)
            weights = k * k * c * n
            h, w = h_room // s + 1, w_room // s + 1
            head, tail = size[0]
            if h_tex == w_tex:  # the common case inline: one computation for H and W
                h_in, h_tex = h_tex, _SIZE_TEX[h] if h < 4096 else str(h)
                w_tex = h_tex
                texts.append(rf"H_{{out}} = W_{{out}} = {head}{h_in}{tail}{h_tex} \quad {h_tex} \times {h_tex}"
                             rf"{weights_head}{c_tex}{times_n}{weights}{biases}")
            else:
                h_in, w_in, h_tex, w_tex = h_tex, w_tex, str(h), str(w)
                texts.append(rf"{_sizes_tex(h_in, w_in, h_tex, w_tex, head, tail)} \quad {h_tex} \times {w_tex}"
                             rf"{weights_head}{c_tex}{times_n}{weights}{biases}")
            c, c_tex = n, n_tex
            rows.append({"layer": name, "shape": [h, w, n], "weights": weights, "biases": n})
            total += weights + n
        elif kind == "POOL":  # stride k, no padding: floor((H - k)/k) + 1 = floor(H/k)
            if k > h or k > w:
                _raise_geometry_error(hwc, plan.layers, ceil_mode)
            h, w = (-(-h // k), -(-w // k)) if ceil_mode else (h // k, w // k)  # _pooled, inline
            head, tail = size[ceil_mode]
            if h_tex == w_tex:
                h_in, h_tex = h_tex, _SIZE_TEX[h] if h < 4096 else str(h)
                w_tex = h_tex
                texts.append(rf"H_{{out}} = W_{{out}} = {head}{h_in}{tail}{h_tex} \quad "
                             rf"{h_tex} \times {h_tex} \times {c_tex} \quad \text{{no parameters}}")
            else:
                h_in, w_in, h_tex, w_tex = h_tex, w_tex, str(h), str(w)
                texts.append(rf"{_sizes_tex(h_in, w_in, h_tex, w_tex, head, tail)} \quad "
                             rf"{h_tex} \times {w_tex} \times {c_tex} \quad \text{{no parameters}}")
            rows.append({"layer": name, "shape": [h, w, c], "weights": 0, "biases": 0})
        else:
            if flat:
                weights = flat * n
                texts.append(rf"\text{{weights}} = {flat_tex}{times_n}{weights}{biases}")
            else:
                n_in = h * w * c
                weights = n_in * n
                n_in_tex = str(n_in)
                texts.append(rf"n_{{in}} = {h_tex} \cdot {w_tex} \cdot {c_tex} = {n_in_tex} \quad "
                             rf"\text{{weights}} = {n_in_tex}{times_n}{weights}{biases}")
            flat, flat_tex = n, n_tex
            rows.append({"layer": name, "shape": [n], "weights": weights, "biases": n})
            total += weights + n
    texts.append(rf"\sum (\text{{weights}} + \text{{biases}}) = {total}")
    return texts, rows, total


@mistake("cnn_summary", "forgot_biases", "Counted the weights but forgot the biases.")
def _cnn_no_bias(*, input: list[int], layers: Any, ceil_mode: bool) -> dict[str, Any]:  # noqa: A002
    return _summary_answer(_summarize(_input_hwc(input), parse_cnn_layers(layers), ceil_mode=ceil_mode, biases=False))


@mistake("cnn_summary", "pool_has_parameters", "Gave the pooling layers a k x k weight and a bias per channel.")
def _cnn_pool_params(*, input: list[int], layers: Any, ceil_mode: bool) -> dict[str, Any]:  # noqa: A002
    return _summary_answer(_summarize(_input_hwc(input), parse_cnn_layers(layers), ceil_mode=ceil_mode, pool_params=True))


@mistake("cnn_summary", "pool_floor_vs_ceil", "Rounded the pooled size the other way (seed 001's table rounds 55/2 up to 28).")
def _cnn_pool_rounding(*, input: list[int], layers: Any, ceil_mode: bool) -> dict[str, Any]:  # noqa: A002
    return _summary_answer(_summarize(_input_hwc(input), parse_cnn_layers(layers), ceil_mode=not ceil_mode))


@mistake("cnn_summary", "fc_ignores_spatial_size", "Connected the first FC layer to the channels only, not to H*W*C.")
def _cnn_fc_channels(*, input: list[int], layers: Any, ceil_mode: bool) -> dict[str, Any]:  # noqa: A002
    return _summary_answer(_summarize(_input_hwc(input), parse_cnn_layers(layers), ceil_mode=ceil_mode, fc_flattens=False))


@mistake("cnn_summary", "conv_ignores_input_channels", "Counted k*k*N conv weights, forgetting the input channels.")
def _cnn_conv_no_cin(*, input: list[int], layers: Any, ceil_mode: bool) -> dict[str, Any]:  # noqa: A002
    return _summary_answer(
        _summarize(_input_hwc(input), parse_cnn_layers(layers), ceil_mode=ceil_mode, conv_spans_channels=False)
    )


@solver("flatten_size", params=_CNN_PARAMS)
def flatten_size(*, input: list[int], layers: Any, ceil_mode: bool) -> Solution:  # noqa: A002
    """Length of the flattened feature map after CONV/POOL layers: H_out * W_out * C_out.

    One step per layer with its output size (CONV floor((H + 2P - K)/S) + 1, POOL floor(H/K), ceil with
    ceil_mode) and shape, as in cnn_summary's steps.

    >>> flatten_size(input=[16, 16, 1], layers=["CONV-3-16", "POOL-2"], ceil_mode=False).answer
    784
    """
    plan = _cnn_plan(layers)
    if plan.has_fc:
        raise SolverError("flatten_size takes only CONV and POOL layers (the FC layers come after flattening).")
    hwc = h, w, c = _input_hwc(input)
    h_tex, w_tex, c_tex = str(h), str(w), str(c)
    steps = []
    for kind, k, n, s, p, _, label, n_tex, size, _, _, _ in plan.planned:  # the CONV and POOL rows of _summarize
        if kind == "CONV":
            h_room, w_room = h + 2 * p - k, w + 2 * p - k
            if h_room < 0 or w_room < 0:
                _raise_geometry_error(hwc, plan.layers, ceil_mode)
            h, w, c, c_tex = h_room // s + 1, w_room // s + 1, n, n_tex
        else:
            if k > h or k > w:
                _raise_geometry_error(hwc, plan.layers, ceil_mode)
            h, w = _pooled(h, w, k, ceil_mode)
        h_in, w_in, h_tex, w_tex = h_tex, w_tex, str(h), str(w)
        sizes = _sizes_tex(h_in, w_in, h_tex, w_tex, *size[ceil_mode])
        steps.append(_new(Step, (label, rf"{sizes} \quad {h_tex} \times {w_tex} \times {c_tex}", [h, w, c])))
    size_out = h * w * c
    steps.append(_new(Step, ("Flattened size", _FLAT_TEX % (h, w, c, size_out), size_out)))
    return _new(Solution, (size_out, tuple(steps), True))  # ints only: nothing can overflow


def _conv_pool_layers(layers: Any) -> list[Any]:
    """The parsed layers of a flatten_size question; FC layers are refused as the solver refuses them."""
    parsed = parse_cnn_layers(layers)
    if any(layer.kind == "FC" for layer in parsed):
        raise SolverError("flatten_size takes only CONV and POOL layers (the FC layers come after flattening).")
    return parsed


@mistake("flatten_size", "forgot_channels", "Flattened H*W only, forgetting the channels.")
def _flat_no_channels(*, input: list[int], layers: Any, ceil_mode: bool) -> int:  # noqa: A002
    h, w, _ = _summarize(_input_hwc(input), _conv_pool_layers(layers), ceil_mode=ceil_mode)[-1]["shape"]
    return int(h * w)


@mistake("flatten_size", "forgot_pooling", "Skipped the pooling layers.")
def _flat_no_pool(*, input: list[int], layers: Any, ceil_mode: bool) -> int:  # noqa: A002
    convs = [layer for layer in _conv_pool_layers(layers) if layer.kind != "POOL"]
    if not convs:
        return math.prod(_input_hwc(input))
    return int(math.prod(_summarize(_input_hwc(input), convs, ceil_mode=ceil_mode)[-1]["shape"]))


@mistake("flatten_size", "pool_floor_vs_ceil", "Rounded the pooled size the other way.")
def _flat_rounding(*, input: list[int], layers: Any, ceil_mode: bool) -> int:  # noqa: A002
    return int(math.prod(_summarize(_input_hwc(input), _conv_pool_layers(layers), ceil_mode=not ceil_mode)[-1]["shape"]))


# --------------------------------------------------------------------------- receptive field and cost


def _rf_layers(layers: Any) -> list[tuple[int, int]]:
    """Validate ``[{"kernel", "stride"[, "dilation"]}]``; return (effective kernel, stride) pairs."""
    if not isinstance(layers, list) or not layers or len(layers) > _MAX_LAYERS:
        raise SolverError(f"Parameter 'layers' must be a non-empty list of at most {_MAX_LAYERS} layers.")
    out: list[tuple[int, int]] = []
    for layer in layers:
        if type(layer) is dict and len(layer) == 2:  # the common form {kernel, stride}, checked without building sets
            k, s = layer.get("kernel"), layer.get("stride")  # None (not an int) when a key is missing
            if type(k) is int and type(s) is int and 1 <= k <= _MAX_LAYER_NUMBER and 1 <= s <= _MAX_LAYER_NUMBER:
                out.append((k, s))
                continue
        i = len(out)  # every layer before this one was appended
        if not isinstance(layer, dict) or not {"kernel", "stride"} <= set(layer) or set(layer) - {"kernel", "stride", "dilation"}:
            raise SolverError(f"Layer {i} must be an object with 'kernel' and 'stride' (and optionally 'dilation').")
        vals = [layer["kernel"], layer["stride"], layer.get("dilation", 1)]
        if not all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= _MAX_LAYER_NUMBER for v in vals):
            raise SolverError(f"Layer {i}: kernel, stride and dilation must be integers from 1 to {_MAX_LAYER_NUMBER}.")
        out.append((vals[2] * (vals[0] - 1) + 1, vals[1]))
    return out


def _rf(pairs: list[tuple[int, int]]) -> int:
    r, j = 1, 1
    for k, s in pairs:
        r, j = r + (k - 1) * j, j * s
    return r


@solver("receptive_field", params={"layers": Param("json", help='[{"kernel": k, "stride": s}, ...] input to output')})
def receptive_field(*, layers: Any) -> Solution:
    """Receptive field: r_l = r_{l-1} + (k_l - 1) * j_{l-1}, j_l = j_{l-1} * s_l, with r_0 = j_0 = 1.

    >>> receptive_field(layers=[{"kernel": 3, "stride": 1}, {"kernel": 3, "stride": 1},
    ...                         {"kernel": 3, "stride": 2}]).answer
    7
    """
    pairs = _rf_layers(layers)
    r, j = 1, 1
    numbers: list[int] = []  # the %d of the template, in order
    values: list[int] = []
    for k, s in pairs:
        r_new, j_new = r + (k - 1) * j, j * s
        numbers += (r, k, j, r_new, j, s, j_new)
        values += (r_new, j_new)
        r, j = r_new, j_new
    numbers += (r, r)
    values.append(r)
    labels, tex = _rf_template(len(pairs))
    steps = _steps(labels, (tex % tuple(numbers)).split("\x00"), values)
    return _new(Solution, (r, steps, True))  # ints only: nothing can overflow


@lru_cache(maxsize=_MAX_LAYERS)  # keyed on the number of layers only
def _rf_template(n_layers: int) -> tuple[tuple[str, ...], str]:
    """The step labels of receptive_field for ``n_layers`` layers and their LaTeX joined by NUL."""
    labels: list[str] = []
    tex: list[str] = []
    for i in range(1, n_layers + 1):
        labels += (f"Layer {i}: receptive field", f"Layer {i}: jump (input pixels between neighbouring units)")
        tex += (f"r_{{{i}}} = %d + (%d-1)\\cdot%d = %d", f"j_{{{i}}} = %d\\cdot%d = %d")
    return (*labels, "Receptive field"), "\x00".join([*tex, r"%d \times %d"])


@mistake("receptive_field", "summed_kernels_ignoring_stride", "Added up k - 1 of every layer, ignoring the strides.")
def _rf_no_stride(*, layers: Any) -> int:
    return 1 + sum(k - 1 for k, _ in _rf_layers(layers))


@mistake("receptive_field", "summed_kernels", "Added the kernel sizes.")
def _rf_sum_k(*, layers: Any) -> int:
    return sum(k for k, _ in _rf_layers(layers))


@mistake("receptive_field", "included_own_stride", "Multiplied each layer's k - 1 by the jump including its own stride.")
def _rf_own_stride(*, layers: Any) -> int:
    r, j = 1, 1
    for k, s in _rf_layers(layers):
        j *= s
        r += (k - 1) * j
    return r


@mistake("receptive_field", "omitted_last_layer", "Stopped one layer early (e.g. forgot the pooling window).")
def _rf_omit_last(*, layers: Any) -> int:
    return _rf(_rf_layers(layers)[:-1])


_DW_PARAMS = {
    "height": Param("int", min=1),
    "width": Param("int", min=1),
    "in_channels": Param("int", min=1),
    "out_channels": Param("int", min=1),
    "kernel": Param("int", min=1),
    "stride": Param("int", 1, min=1),
    "padding": Param("int", 0, min=0),
    "batch": Param("int", 1, min=1),
}


def _dw_counts(height: int, width: int, in_channels: int, out_channels: int, kernel: int,
               stride: int, padding: int, batch: int) -> tuple[int, int, int, int, int]:
    h_out = conv_output_size(height, kernel, stride, padding, axis="height")
    w_out = conv_output_size(width, kernel, stride, padding, axis="width")
    standard = batch * h_out * w_out * kernel * kernel * in_channels * out_channels
    depthwise = batch * h_out * w_out * kernel * kernel * in_channels
    pointwise = batch * h_out * w_out * in_channels * out_channels
    return h_out, w_out, standard, depthwise, pointwise


@solver("depthwise_separable_cost", params=_DW_PARAMS)
def depthwise_separable_cost(
    *, height: int, width: int, in_channels: int, out_channels: int, kernel: int, stride: int, padding: int, batch: int
) -> Solution:
    """Multiplications: standard B*H_out*W_out*k*k*C_in*C_out; separable B*H_out*W_out*C_in*(k*k + C_out); ratio standard/separable.

    >>> depthwise_separable_cost(height=16, width=16, in_channels=3, out_channels=64, kernel=5,
    ...                          stride=1, padding=0, batch=100).answer["separable_mults"]
    3844800
    """
    if kernel <= height + 2 * padding and kernel <= width + 2 * padding:  # _dw_counts inline
        h_out = (height + 2 * padding - kernel) // stride + 1
        w_out = (width + 2 * padding - kernel) // stride + 1
        positions = batch * h_out * w_out
        depthwise = positions * kernel * kernel * in_channels
        standard = depthwise * out_channels
        pointwise = positions * in_channels * out_channels
    else:  # the kernel does not fit: _dw_counts raises the error that names the axis
        h_out, w_out, standard, depthwise, pointwise = _dw_counts(
            height, width, in_channels, out_channels, kernel, stride, padding, batch)
    separable = depthwise + pointwise
    ratio = standard / separable  # the only float: at most k*k (int / int raises OverflowError, never returns inf)
    if ratio - ratio != 0.0:  # x - x is 0.0 only for finite x; kept so that checked=True stays checked
        raise non_finite_error("depthwise_separable_cost")
    bhw = _DW_BHW_TEX % (batch, h_out, w_out)  # written once: the three counts start with it
    t_h, t_w, t_std, t_dw, t_pw, t_sep, t_ratio = (_DW_TEX % (
        height, padding, kernel, stride, h_out, width, padding, kernel, stride, w_out,
        bhw, kernel, in_channels, out_channels, standard,
        bhw, kernel, in_channels, depthwise,
        bhw, in_channels, out_channels, pointwise,
        depthwise, pointwise, separable, standard, separable, ratio)).split("\x00")
    if "e" in t_ratio:  # %.6g needed an exponent: num writes that one its own way
        t_ratio = _DW_RATIO_TEX % (standard, separable, num(ratio))
    steps = (
        _new(Step, ("Output height", t_h, h_out)),
        _new(Step, ("Output width", t_w, w_out)),
        _new(Step, ("Standard convolution", t_std, standard)),
        _new(Step, ("Depthwise (one k x k filter per input channel)", t_dw, depthwise)),
        _new(Step, ("Pointwise (1 x 1 convolution)", t_pw, pointwise)),
        _new(Step, ("Depthwise separable", t_sep, separable)),
        _new(Step, ("Ratio standard / separable", t_ratio, ratio)),
    )
    return _new(Solution, ({"standard_mults": standard, "separable_mults": separable, "ratio": ratio}, steps, True))


# The LaTeX of the seven steps, joined by NUL; every number is an int (%d writes what str does) but the
# ratio: for a positive float %.6g is num() unless it needs an exponent.
_DW_BHW_TEX = r"%d \cdot %d \cdot %d"  # B * H_out * W_out
_DW_RATIO_TEX = r"%d / %d = %s"
_DW_TEX = "\x00".join([
    r"H_{out} = \lfloor (%d + 2\cdot%d - %d)/%d \rfloor + 1 = %d",
    r"W_{out} = \lfloor (%d + 2\cdot%d - %d)/%d \rfloor + 1 = %d",
    r"%s \cdot %d^2 \cdot %d \cdot %d = %d",
    r"%s \cdot %d^2 \cdot %d = %d",
    r"%s \cdot %d \cdot %d = %d",
    r"%d + %d = %d",
    r"%d / %d = %g",
])


def _dw_answer(standard: int, separable: int) -> dict[str, Any]:
    return {"standard_mults": standard, "separable_mults": separable, "ratio": standard / separable}


@mistake("depthwise_separable_cost", "forgot_pointwise", "Counted only the depthwise step, forgetting the 1x1 pointwise cost.")
def _dw_no_pointwise(**p: int) -> dict[str, Any]:
    _, _, standard, depthwise, _ = _dw_counts(**p)
    return _dw_answer(standard, depthwise)


@mistake("depthwise_separable_cost", "pointwise_on_input_size", "Computed the pointwise cost on the input size H x W.")
def _dw_pointwise_input(**p: int) -> dict[str, Any]:
    _, _, standard, depthwise, _ = _dw_counts(**p)
    return _dw_answer(standard, depthwise + p["batch"] * p["height"] * p["width"] * p["in_channels"] * p["out_channels"])


@mistake("depthwise_separable_cost", "used_input_size", "Used the input size H x W instead of the output size everywhere.")
def _dw_input_size(**p: int) -> dict[str, Any]:
    h_out, w_out, standard, depthwise, pointwise = _dw_counts(**p)
    scale = p["height"] * p["width"]
    return _dw_answer(standard * scale // (h_out * w_out), (depthwise + pointwise) * scale // (h_out * w_out))


@mistake("depthwise_separable_cost", "ignored_batch", "Counted one image instead of the whole batch.")
def _dw_no_batch(**p: int) -> dict[str, Any]:
    _, _, standard, depthwise, pointwise = _dw_counts(**dict(p, batch=1))
    return _dw_answer(standard, depthwise + pointwise)


@mistake("depthwise_separable_cost", "inverted_ratio", "Gave the ratio separable / standard.")
def _dw_inverted(**p: int) -> dict[str, Any]:
    _, _, standard, depthwise, pointwise = _dw_counts(**p)
    return {"standard_mults": standard, "separable_mults": depthwise + pointwise, "ratio": (depthwise + pointwise) / standard}
